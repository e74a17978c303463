"""The default `Protector`: Confide's redactor, bleeping checked by re-recognition, and a voice
anonymised towards a target drawn for each task.

The heavy parts (spaCy for names, the recogniser) load once, when the first sampled clip needs
them, not when a worker starts.
"""

from __future__ import annotations

from typing import Any

from confide.audio import Audio
from confide.protect.anonymize import anonymize, target_for
from confide.protect.clip import protect_clip
from confide.protect.preparation import Protected, Protector
from confide.protect.redact import Redactor, default_redactor
from confide.protect.spans import PiiSpan
from confide.recognize.base import Recognizer, Transcript


def default_protector(recognizer: Recognizer, redactor: Redactor | None = None) -> Protector:
    """Protection with the real redactor and the given recogniser for the fail-closed check."""
    chosen = redactor or default_redactor()

    def detect(text: str) -> tuple[PiiSpan, ...]:
        return chosen.redact(text).spans

    def protect(
        audio: Audio, transcript: Transcript, understood: dict[str, Any], answer: str, seed: bytes
    ) -> Protected:
        clip = protect_clip(audio, transcript, detect, recognizer)
        slots = [_redacted_slot(slot, clip.spans, chosen) for slot in understood.get("slots", [])]
        types = [span.type for span in clip.spans]
        if not clip.verdict.passed:
            return Protected(None, clip.text, slots, "", types, clip.verdict.reason)
        return Protected(
            audio=anonymize(clip.audio, target_for(seed)),
            transcript=clip.text,
            slots=slots,
            answer=chosen.redact(answer).text,
            redacted_types=types,
        )

    return protect


def _redacted_slot(
    slot: dict[str, Any], spans: tuple[PiiSpan, ...], redactor: Redactor
) -> dict[str, Any]:
    """A slot as a reviewer sees it: its value hidden if it overlaps personal data."""
    start, end = slot.get("start"), slot.get("end")
    overlapping = [
        span
        for span in spans
        if isinstance(start, int) and isinstance(end, int) and span.start < end and start < span.end
    ]
    value = str(slot.get("value", ""))
    value = overlapping[0].placeholder() if overlapping else redactor.redact(value).text
    shown = {"name": slot.get("name"), "value": value}
    link = slot.get("link")
    if isinstance(link, dict) and link.get("id"):
        shown["link"] = link["id"]
    return shown
