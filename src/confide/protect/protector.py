"""The default `Protector`: Confide's redactor and the household's known names, the words private
by the intent, the names public by the intent left as they are, bleeping checked by
re-recognition, and a voice anonymised towards a target drawn for each task.

The heavy parts (spaCy for names, the recogniser) load once, when the first sampled clip needs
them, not when a worker starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confide.audio import Audio
from confide.protect.anonymize import anonymize, target_for
from confide.protect.clip import Detect, protect_clip
from confide.protect.doubts import doubtful_words
from confide.protect.known_names import KnownNames
from confide.protect.preparation import Protected, Protector
from confide.protect.private_intents import intent_spans, occurrences, private_values
from confide.protect.public_slots import PublicName, hidden, public_names, recurring
from confide.protect.redact import Redaction, Redactor, apply_spans, default_redactor, merge_spans
from confide.protect.spans import PiiSpan
from confide.recognize.base import Recognizer, Transcript

NOBODY = KnownNames(frozenset())
"""The names of no household: text with no household behind it, as on the command line."""


def default_protector(recognizer: Recognizer, redactor: Redactor | None = None) -> Protector:
    """Protection with the real redactor and the given recogniser for the fail-closed check."""
    chosen = redactor or default_redactor()

    def protect(
        audio: Audio,
        transcript: Transcript,
        understood: dict[str, Any],
        answer: str,
        seed: bytes,
        known: KnownNames,
    ) -> Protected:
        def detect(text: str) -> tuple[PiiSpan, ...]:
            return merge_spans([*chosen.find(text), *known.find(text)])

        private = intent_spans(transcript.text, understood)
        public = _public(transcript.text, understood, private, known)
        clip = protect_clip(audio, transcript, detect, recognizer, private=private, public=public)
        slots = [
            _redacted_slot(slot, clip.spans, detect, public) for slot in understood.get("slots", [])
        ]
        types = [span.type for span in clip.spans]
        if not clip.verdict.passed:
            return Protected(None, clip.text, slots, "", types, clip.verdict.reason)
        quoted = occurrences(answer, private_values(understood))
        found = hidden(answer, detect(answer), recurring(answer, public))
        return Protected(
            audio=anonymize(clip.audio, target_for(seed)),
            transcript=clip.text,
            slots=slots,
            answer=apply_spans(answer, merge_spans([*found, *quoted])),
            redacted_types=types,
            bleeps=clip.intervals,
            doubts=doubtful_words(transcript, clip.spans),
        )

    return protect


def redact_understood(
    redactor: Redactor, text: str, understood: dict[str, Any], known: KnownNames = NOBODY
) -> Redaction:
    """`text` as a reviewer reads it, given what it was understood to ask (`confide redact
    --intent`): personal data, the household's names and the words private by the intent
    hidden, the names public by the intent kept."""
    private = intent_spans(text, understood)
    found = merge_spans([*redactor.find(text), *known.find(text)])
    spans = merge_spans([*hidden(text, found, _public(text, understood, private, known)), *private])
    return Redaction(apply_spans(text, spans), spans)


def _public(
    text: str, understood: dict[str, Any], private: Sequence[PiiSpan], known: KnownNames
) -> tuple[PublicName, ...]:
    """The names public by the intent, less any holding a household's name or private words."""
    return public_names(text, understood, [*private, *known.find(text)])


def _redacted_slot(
    slot: dict[str, Any], spans: tuple[PiiSpan, ...], detect: Detect, public: Sequence[PublicName]
) -> dict[str, Any]:
    """A slot as a reviewer sees it: its value hidden if it overlaps personal data, a public
    name in it shown."""
    start, end = slot.get("start"), slot.get("end")
    overlapping = [
        span
        for span in spans
        if isinstance(start, int) and isinstance(end, int) and span.start < end and start < span.end
    ]
    value = str(slot.get("value", ""))
    if overlapping:
        value = overlapping[0].placeholder()
    else:
        value = apply_spans(value, hidden(value, detect(value), recurring(value, public)))
    shown = {"name": slot.get("name"), "value": value}
    link = slot.get("link")
    if isinstance(link, dict) and link.get("id"):
        shown["link"] = link["id"]
    return shown
