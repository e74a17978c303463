"""Recogniser-style text, with every word traced back to its place in the input."""

from __future__ import annotations

import pytest

from confide.understand.data import Query, SlotSpan
from confide.understand.normalise import asr_query, asr_text, fold, tokens


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Play 2 songs by Beyoncé!", "play two songs by beyonce"),
        ("Set a timer for 25 minutes.", "set a timer for twenty five minutes"),
        ("the 3rd track from 1987", "the third track from nineteen eighty seven"),
        ("Book a table at 7pm", "book a table at seven pm"),
        ("what's on Jay-Z's album?", "what's on jay z's album"),
        ("top 100% R&B", "top one hundred percent r and b"),
        ("  ", ""),
        ("?!", ""),
    ],
)
def test_asr_text(text: str, spoken: str) -> None:
    assert asr_text(text) == spoken


def test_tokens_keep_their_offsets() -> None:
    text = "Play Beyoncé's 2nd album, please"
    found = tokens(text)
    assert [text[t.start : t.end] for t in found] == ["Play", "Beyoncé's", "2nd", "album", "please"]
    assert [t.words for t in found][1:3] == [("beyonce's",), ("second",)]


@pytest.mark.parametrize(("text", "folded"), [("Beyoncé", "beyonce"), ("Ça\u2019va", "ca'va")])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_asr_query_moves_the_slots() -> None:
    text = "Rate The Hobbit 5 of 6 stars!"
    query = Query(
        text,
        "RateBook",
        (
            SlotSpan("object_name", 5, 15),
            SlotSpan("rating_value", 16, 17),
            SlotSpan("best_rating", 21, 22),
        ),
    )
    spoken = asr_query(query)
    assert spoken.text == "rate the hobbit five of six stars"
    assert [(s.name, spoken.value(s)) for s in spoken.slots] == [
        ("object_name", "the hobbit"),
        ("rating_value", "five"),
        ("best_rating", "six"),
    ]
