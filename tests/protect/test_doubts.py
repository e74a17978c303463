"""The words the workbench points a reviewer at: the recogniser's least sure, placed in the
transcript as the reviewer reads it, never inside a redacted span."""

from __future__ import annotations

import pytest

from confide.protect.doubts import MAX_DOUBTS, doubtful_words
from confide.protect.redact import apply_spans
from confide.protect.spans import PiiSpan
from confide.recognize.base import Transcript, Word


def heard(*words: tuple[str, float | None]) -> Transcript:
    text = " ".join(word for word, _ in words)
    timed = [Word(word, i * 0.3, i * 0.3 + 0.25, sure) for i, (word, sure) in enumerate(words)]
    return Transcript(text, timed, "script", 1.0, 0.01)


def phone(text: str, digits: str) -> PiiSpan:
    start = text.index(digits)
    return PiiSpan(start, start + len(digits), "PHONE", 0.9)


CASES = [
    ("all sure", [("play", 0.9), ("jazz", 0.95)], None, []),
    (
        "one doubt",
        [("set", 0.9), ("a", 0.9), ("timer", 0.9), ("for", 0.9), ("fife", 0.2)],
        None,
        ["fife"],
    ),
    ("no probability is no doubt", [("play", None), ("jazz", None)], None, []),
    (
        "after a placeholder",
        [("call", 0.9), ("five", 0.3), ("five", 0.3), ("five", 0.3), ("bobb", 0.1)],
        "five five five",
        ["bobb"],
    ),
    (
        "the weakest few, in reading order",
        [("a", 0.5), ("b", 0.1), ("c", 0.4), ("d", 0.2), ("e", 0.3)],
        None,
        ["b", "d", "e"],
    ),
    ("a repeated word is found where it was said", [("the", 0.9), ("the", 0.1)], None, ["the"]),
]


@pytest.mark.parametrize(("case", "words", "private", "pointed"), CASES, ids=[c[0] for c in CASES])
def test_doubtful_words_are_placed_in_the_redacted_text(case, words, private, pointed):
    transcript = heard(*words)
    spans = [phone(transcript.text, private)] if private else []
    shown = apply_spans(transcript.text, spans)
    doubts = doubtful_words(transcript, spans)
    assert [shown[start:end] for start, end in doubts] == pointed
    assert len(doubts) <= MAX_DOUBTS
    assert list(doubts) == sorted(doubts)
    if case.startswith("a repeated"):
        assert doubts == ((4, 7),)
