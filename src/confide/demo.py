"""`confide demo`: a household's evening, played live through a simulated device.

The recording is synthesised once and kept in the data dir; the device agent hears all of it,
and only what follows each wake word is transcribed. Later stages (the server, the household's
logins) join this demo as they are built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from confide.capture.agent import State, Utterance
from confide.capture.listen import listen
from confide.capture.wakeword import load_detector
from confide.homerecording import DEMO_LINES, build
from confide.recognize import load_recognizer, words_after
from confide.synth import cached_speaker

DEMO_WAKE_WORDS = ("okay_nabu", "hey_jarvis")


def run_demo(data_dir: Path, *, realtime: bool, live: bool) -> dict[str, Any]:
    console = Console(stderr=True, quiet=not live, highlight=False)
    console.print("[bold]Confide demo[/]: synthesising an evening in the kitchen…")
    home = build(DEMO_LINES, speak=cached_speaker(data_dir / "demo" / "voices"))
    audio = home.audio
    unspoken = list(home.lines)

    def on_progress(now: float) -> None:
        while unspoken and unspoken[0].start <= now:
            console.print(f"  [dim]in the room:[/] {unspoken.pop(0).line.text}")

    console.print(
        f"Playing {audio.seconds:.0f} s through the device (wake words: okay nabu, hey jarvis)…"
    )
    recognizer = load_recognizer()
    interactions: list[dict[str, Any]] = []

    def on_state(state: State, now: float) -> None:
        console.print(f"  [cyan]{now:6.2f} s[/]  device {state.value}")

    def on_utterance(utterance: Utterance) -> None:
        text = words_after(recognizer.transcribe(utterance.audio), utterance.wake_offset).text
        interactions.append(
            {
                "wake_word": utterance.trigger.wake_word if utterance.trigger else None,
                "start": utterance.start,
                "end": utterance.end,
                "text": text,
            }
        )
        console.print(f"  [green]heard:[/] {text}")

    result = listen(
        audio,
        load_detector("micro", DEMO_WAKE_WORDS),
        on_state=on_state,
        on_utterance=on_utterance,
        on_progress=on_progress,
        realtime=realtime,
    )
    console.print(
        f"{len(result.utterances)} utterance(s) left the device; the other "
        f"{audio.seconds - sum(u.end - u.start for u in result.utterances):.0f} s never did."
    )
    return {"url": None, "people": [], "interactions": interactions}
