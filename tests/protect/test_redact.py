"""The Redactor: Presidio and the spoken-form recognisers together, placeholders, offsets, and
the commands it must leave alone."""

from __future__ import annotations

import dataclasses

import pytest

from confide.protect.redact import (
    Redaction,
    Redactor,
    apply_spans,
    default_redactor,
    merge_spans,
)
from confide.protect.spans import PII_TYPES, PiiSpan


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return default_redactor()


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        # Spoken forms, as a recogniser writes them.
        (
            "text mum my card number is four one one one one one one one one one one one one one "
            "one one",
            "text mum my card number is [CREDIT_CARD]",
        ),
        (
            "my account number is one two three four five six seven eight",
            "my account number is [BANK_ACCOUNT]",
        ),
        (
            "my iban is g b eight two w e s t one two three four five six nine eight seven six "
            "five four three two",
            "my iban is [IBAN]",
        ),
        (
            "my social security number is one two three four five six seven eight nine",
            "my social security number is [SSN]",
        ),
        ("call five five five one two three four", "call [PHONE]"),
        ("email john dot smith at gmail dot com", "email [EMAIL]"),
        ("i live at twelve elm street", "i live at [ADDRESS]"),
        ("my name is john smith", "my name is [PERSON]"),
        # Written forms, as Whisper writes them.
        ("My card number is 4111 1111 1111 1111.", "My card number is [CREDIT_CARD]."),
        (
            "Sort code 20-05-36, account 12345678.",
            "Sort code [BANK_ACCOUNT], account [BANK_ACCOUNT].",
        ),
        ("My IBAN is GB82 WEST 1234 5698 7654 32.", "My IBAN is [IBAN]."),
        ("My SSN is 123-45-6789.", "My SSN is [SSN]."),
        ("Call me on 07700 900123.", "Call me on [PHONE]."),
        ("Email john.smith@gmail.com today.", "Email [EMAIL] today."),
        ("Send it to 221B Baker Street, Apt 4.", "Send it to [ADDRESS]."),
        ("Tell Sarah Jones that I will be late.", "Tell [PERSON] that I will be late."),
        # Several at once.
        (
            "hi this is anna kowalczyk my number is oh seven seven double oh nine double oh one "
            "two three",
            "hi this is [PERSON] my number is [PHONE]",
        ),
    ],
)
def test_redacts_each_type_spoken_and_written(redactor: Redactor, text: str, redacted: str) -> None:
    assert redactor.redact(text).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "set a timer for ten minutes",
        "play track four",
        "what's the weather at five",
        "turn the volume to seven",
        "Set a timer for 10 minutes.",
        "what's the weather in paris tomorrow at five pm",
        "book a table for four at seven thirty",
        "add the new album to my running playlist",
        "rate this book four out of six points",
        "play some jazz music on spotify",
        "find the movie schedule at the nearest cinema",
        "will it snow in boston next week",
        "add milk and eggs to my shopping list",
        "delete what i just said",
        "turn it up to eleven",
        "",
        "   ",
    ],
)
def test_leaves_commands_alone(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text) == Redaction(text, ())


def test_offsets_are_in_the_input(redactor: Redactor) -> None:
    text = "Please call Sarah Jones on 555 123 4567 tonight."
    redaction = redactor.redact(text)
    assert [(text[s.start : s.end], s.type) for s in redaction.spans] == [
        ("Sarah Jones", "PERSON"),
        ("555 123 4567", "PHONE"),
    ]
    assert all(span.type in PII_TYPES and 0 < span.score <= 1 for span in redaction.spans)
    assert redaction.text == apply_spans(text, redaction.spans)


def test_redaction_is_frozen_and_serialises(redactor: Redactor) -> None:
    redaction = redactor.redact("call five five five one two three four")
    with pytest.raises(dataclasses.FrozenInstanceError):
        redaction.text = ""  # type: ignore[misc]
    assert redaction.to_json() == {
        "text": "call [PHONE]",
        "spans": [{"start": 5, "end": 38, "type": "PHONE", "score": pytest.approx(0.85)}],
    }


@pytest.mark.parametrize(
    ("spans", "merged"),
    [
        ([], []),
        (
            [PiiSpan(0, 4, "PHONE", 0.6), PiiSpan(6, 9, "SSN", 0.9)],
            [(0, 4, "PHONE"), (6, 9, "SSN")],
        ),
        ([PiiSpan(0, 10, "PERSON", 0.85), PiiSpan(5, 20, "EMAIL", 0.9)], [(0, 20, "EMAIL")]),
        ([PiiSpan(5, 8, "PERSON", 0.6), PiiSpan(0, 10, "PHONE", 0.9)], [(0, 10, "PHONE")]),
    ],
)
def test_merge_spans(spans: list[PiiSpan], merged: list[tuple[int, int, str]]) -> None:
    assert [(s.start, s.end, s.type) for s in merge_spans(spans)] == merged


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("call 555 1234 now", [PiiSpan(5, 13, "PHONE", 0.9)], "call [PHONE] now"),
        ("ab", [], "ab"),
        ("a b", [PiiSpan(2, 3, "PERSON", 1), PiiSpan(0, 1, "PERSON", 1)], "[PERSON] [PERSON]"),
    ],
)
def test_apply_spans(text: str, spans: list[PiiSpan], expected: str) -> None:
    assert apply_spans(text, spans) == expected


def test_apply_spans_refuses_overlaps() -> None:
    with pytest.raises(ValueError, match="overlapping"):
        apply_spans("abcdef", [PiiSpan(0, 4, "PHONE", 1), PiiSpan(2, 6, "SSN", 1)])


@pytest.mark.parametrize("threshold", [-0.1, 1.5])
def test_threshold_must_be_a_probability(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        Redactor(threshold=threshold)
