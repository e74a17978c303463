"""One clip made fit for a reviewer's ears and eyes, or refused (invariant 5, failing closed).

Bleeping trusts the recogniser's word timings, and those can be off. So the bleeped audio is
transcribed again, by the same recogniser, and the clip is refused if anything of what was hidden
can still be recognised: the detector finds personal data in the new transcript, a token of a
hidden span comes back near where it was bleeped, or the check itself cannot run. A new
transcript that does not hear the clip through (Whisper can stop at a bleep tone and drop the
rest) proves nothing about what it missed, so a stretch of audible words that does not come back
refuses the clip too. A public name (see `public_slots`) is left audible, so hearing it again,
whole, is no finding. The check reports span types only; it neither logs nor returns the new
transcript, which may hold what it was looking for.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confide.audio import Audio
from confide.protect.bleep import DEFAULT_GUARD, Mode, bleep, spans_to_times
from confide.protect.public_slots import PublicName, hidden, recurring
from confide.protect.redact import apply_spans, merge_spans
from confide.protect.spans import PiiSpan
from confide.recognize.base import Recognizer, Transcript, Word
from confide.understand.numbers import CARDINALS

Detect = Callable[[str], Sequence[PiiSpan]]
"""Finds personal data in a text: `Redactor.find` from `confide.protect.redact`, or a test's
regex."""

PLACE_SLACK = 1.0
"""Seconds either side of a span's bleep within which its tokens are looked for again.

A word near a bleep is timed differently once the bleep is there: over 32 clips, by 0.02 s at the
median, 0.24 s at the 90th percentile and 1.06 s at most (mostly the word before a bleep stretching
into it), so a token that comes back may be placed up to a second away. Within the window, a token
counts as come back only when it occurs more often than in the words left audible there, a guard
band's partly bleeped neighbours included ("transfer it to" before a bleeped "two ..." keeps its
"to"); outside it, a digit is an ordinary one said elsewhere in the clip.
"""

HEARD_THROUGH = 0.5
"""The least share of an audible stretch's tokens the new transcript must hear again for its
silence about that stretch to count as a check of it."""
MIN_STRETCH_TOKENS = 3
"""Stretches shorter than this (a word between two bleeps) are too short to judge by."""

_NUMBER_WORDS = {
    **{word: str(value) for word, value in CARDINALS.items()},
    "oh": "0",
    # Whisper writes a half-bleeped digit as its homophone ("is too" for "is two ...").
    "won": "1",
    "to": "2",
    "too": "2",
    "for": "4",
    "fore": "4",
    "ate": "8",
}
_TOKEN = re.compile(r"\d|[^\W\d_]+")


@dataclass(frozen=True)
class Verdict:
    """Whether a protected clip may go to human review."""

    passed: bool
    """True only when every check ran and found nothing of the hidden spans."""
    reason: str
    """Why it was refused, naming span types only; empty when it passed."""


@dataclass(frozen=True)
class ProtectedClip:
    """What a reviewer may be given of one clip, and whether they may be given it at all."""

    audio: Audio
    """The clip with every span's audio bleeped."""
    text: str
    """The transcript with every span replaced by its placeholder, e.g. `[PHONE]`."""
    spans: tuple[PiiSpan, ...]
    """The spans found in the original transcript (offsets into its text), merged, in order."""
    intervals: tuple[tuple[float, float], ...]
    """The (start, end) seconds bleeped, guard bands included."""
    verdict: Verdict
    """Passed, or rejected with a reason."""


def protect_clip(
    audio: Audio,
    transcript: Transcript,
    detect: Detect,
    recognizer: Recognizer,
    *,
    private: Sequence[PiiSpan] = (),
    public: Sequence[PublicName] = (),
    guard: float = DEFAULT_GUARD,
    mode: Mode = "tone",
) -> ProtectedClip:
    """Redact and bleep what `detect` finds in `transcript`, but for the `public` names (offsets
    in its text), and the `private` spans known without detection (words private by the
    intent), then check the bleeped audio.

    A detector that returns spans outside the text raises ValueError: nothing is produced.
    """
    spans = merge_spans([*hidden(transcript.text, detect(transcript.text), public), *private])
    intervals = spans_to_times(transcript, spans, guard)
    bleeped = bleep(audio, intervals, mode)
    return ProtectedClip(
        audio=bleeped,
        text=apply_spans(transcript.text, spans),
        spans=spans,
        intervals=tuple(intervals),
        verdict=_check(bleeped, transcript, spans, intervals, guard, detect, recognizer, public),
    )


def _check(
    bleeped: Audio,
    transcript: Transcript,
    spans: Sequence[PiiSpan],
    intervals: Sequence[tuple[float, float]],
    guard: float,
    detect: Detect,
    recognizer: Recognizer,
    public: Sequence[PublicName],
) -> Verdict:
    try:
        heard = recognizer.transcribe(bleeped)
        found = hidden(heard.text, detect(heard.text), recurring(heard.text, public))
    except Exception as exc:  # any failure of the check refuses the clip
        return Verdict(False, f"the bleeped audio could not be checked ({type(exc).__name__})")
    if found:
        kinds = ", ".join(sorted({span.type for span in found}))
        return Verdict(False, f"the bleeped audio still holds personal data ({kinds})")
    audible = [w for w in transcript.words if not any(_within(w, *i) for i in intervals)]
    # An engine that gives no word timings gives no place: the whole text is then near.
    heard_words = heard.words or [Word(heard.text, 0.0, bleeped.seconds, None)]
    for stretch in _stretches(transcript.words, intervals):
        said = _tokens(" ".join(w.word for w in stretch))
        start, end = stretch[0].start - PLACE_SLACK, stretch[-1].end + PLACE_SLACK
        again = _tokens(" ".join(w.word for w in heard_words if _overlaps(w, start, end)))
        total = sum(said.values())
        if total >= MIN_STRETCH_TOKENS and sum((said & again).values()) < HEARD_THROUGH * total:
            return Verdict(False, "the bleeped audio was not heard through, so it was not checked")
    for span in spans:
        start, end = spans_to_times(transcript, [span], guard)[0]
        start, end = start - PLACE_SLACK, end + PLACE_SLACK
        again = _tokens(" ".join(w.word for w in heard_words if _overlaps(w, start, end)))
        before = _tokens(" ".join(w.word for w in audible if _overlaps(w, start, end)))
        if any(again[t] > before[t] for t in _tokens(transcript.text[span.start : span.end])):
            return Verdict(False, f"a redacted {span.type} is still recognisable in the audio")
    return Verdict(True, "")


def _stretches(words: Sequence[Word], intervals: Sequence[tuple[float, float]]) -> list[list[Word]]:
    """Runs of words that no bleep touches, in order."""
    runs: list[list[Word]] = [[]]
    for word in words:
        if any(_overlaps(word, *interval) for interval in intervals):
            runs.append([])
        else:
            runs[-1].append(word)
    return [run for run in runs if run]


def _overlaps(word: Word, start: float, end: float) -> bool:
    return word.end > start and word.start < end


def _within(word: Word, start: float, end: float) -> bool:
    return start <= word.start and word.end <= end


def _tokens(text: str) -> Counter[str]:
    """Lower-case words and single digits, number words as digits: 'Five-0 five' -> 5: 2, 0: 1."""
    tokens: Counter[str] = Counter()
    for token in _TOKEN.findall(text.lower()):
        tokens.update(_NUMBER_WORDS.get(token, [token]))
    return tokens
