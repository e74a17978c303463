"""Privacy by voice: deletions go through the household and say what they did."""

from __future__ import annotations

from datetime import timedelta

import pytest

from confide.respond.privacy import (
    READ_BACK,
    delete_last_utterance,
    delete_today,
    what_did_you_hear,
)


@pytest.mark.parametrize(
    ("found", "text"), [(1, "Deleted what you just said."), (0, "There was nothing to delete.")]
)
def test_delete_what_i_just_said(household, found: int, text: str) -> None:
    household.last_utterances = found
    answer = delete_last_utterance(household)
    assert (answer.text, answer.skill) == (text, "privacy")
    assert answer.action == {"deleted": {"scope": "last", "count": found}}
    assert household.calls == ["delete_last_utterance"]


@pytest.mark.parametrize(
    ("found", "text"),
    [
        (0, "There was nothing from today to delete."),
        (1, "Deleted everything you said today: one interaction."),
        (12, "Deleted everything you said today: twelve interactions."),
    ],
)
def test_delete_today(household, found: int, text: str) -> None:
    household.today = found
    answer = delete_today(household)
    assert (answer.text, answer.skill) == (text, "privacy")
    assert answer.action == {"deleted": {"scope": "today", "count": found}}
    assert household.calls == ["delete_today"]


@pytest.mark.parametrize(
    ("heard", "text"),
    [
        ([], "I haven't kept anything you said recently."),
        (
            ["set a timer for ten minutes"],
            "Earlier I heard: \u201cset a timer for ten minutes\u201d.",
        ),
        (
            ["what's the weather", "play some jazz", "volume up", "add milk"],
            "Earlier I heard: \u201cplay some jazz\u201d, then \u201cvolume up\u201d, "
            "then \u201cadd milk\u201d.",
        ),
    ],
)
def test_what_did_you_hear(household, now, heard: list[str], text: str) -> None:
    # `heard` is in the order said; the household gives the newest first, the answer reads the
    # last few back in the order they were said.
    said_at = [now - timedelta(minutes=len(heard) - i) for i in range(len(heard))]
    household.transcripts = list(zip(said_at, heard, strict=True))[::-1]
    answer = what_did_you_hear(household)
    assert (answer.text, answer.skill) == (text, "privacy")
    assert household.calls == [f"recent_transcripts({READ_BACK})"]
    assert answer.action == {
        "heard": [
            {"at": at.isoformat(), "text": said}
            for at, said in list(zip(said_at, heard, strict=True))[-READ_BACK:]
        ]
    }
