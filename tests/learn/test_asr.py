"""The ASR trainer: corrections only of recurring errors that harm nothing, hotwords bounded."""

from __future__ import annotations

import pytest

from confide.learn.asr import MAX_HOTWORDS, train_vocabulary
from confide.recognize.vocabulary import Vocabulary

SHEERAN = [
    ("Play something by Ed Shearing.", "play something by ed sheeran"),
    ("play ed shearing in the kitchen", "play ed sheeran in the kitchen"),
]


@pytest.mark.parametrize(
    ("pairs", "learned"),
    [
        pytest.param(SHEERAN[:1], {}, id="seen once: not learned"),
        pytest.param(SHEERAN, {"shearing": "sheeran"}, id="seen twice: learned"),
        pytest.param(
            [*SHEERAN, ("they were shearing sheep", "they were shearing sheep")],
            {"ed shearing": "ed sheeran"},
            id="right elsewhere: learned only with its context",
        ),
        pytest.param(
            [*SHEERAN, ("ed shearing live", "ed shearing live")],
            {},
            id="right elsewhere even in context: not learned",
        ),
        pytest.param(
            [("set a timer for 10 minutes", "set a timer for ten minutes")] * 3,
            {},
            id="written differently, heard alike: no error",
        ),
        pytest.param(
            [
                ("play billy irish", "play billie eilish"),
                ("billy irish songs", "billie eilish songs"),
            ],
            {"billy irish": "billie eilish"},
            id="a phrase",
        ),
        pytest.param(
            [("play the beetles", "play the beatles"), ("play the beetles", "play the beatles")],
            {"beetles": "beatles"},
            id="the same clip twice counts twice",
        ),
        pytest.param(
            [
                ("play the beetles", "play the beatles"),
                ("the beetles album", "the beatles album"),
                ("two beetles", "two beetles"),
                ("a beetles song", "a beatles song"),
            ],
            {"the beetles": "the beatles"},
            id="a rule that fixes more than it harms is still refused whole",
        ),
        pytest.param(
            [("play some", "play some jazz"), ("play some", "play some jazz")],
            {"some": "some jazz"},
            id="a word never heard: corrected with the word before",
        ),
    ],
)
def test_corrections_only_of_recurring_harmless_errors(
    pairs: list[tuple[str, str]], learned: dict[str, str]
) -> None:
    assert train_vocabulary(pairs, []).corrections == learned


def test_corrections_put_right_what_they_learned_from() -> None:
    vocabulary = train_vocabulary(SHEERAN, [])
    fixed = [vocabulary.corrected_text(hypothesis) for hypothesis, _ in SHEERAN]
    assert fixed == ["Play something by Ed Sheeran.", "play ed sheeran in the kitchen"]


def test_base_corrections_stay_unless_the_pairs_speak_against_them() -> None:
    base = Vocabulary((), {"beetles": "beatles", "shearing": "sheeran"})
    pairs = [("they were shearing sheep", "they were shearing sheep")]
    assert train_vocabulary(pairs, [], base).corrections == {"beetles": "beatles"}


def test_hotwords_put_missed_names_first_then_the_most_reviewed() -> None:
    pairs = [("play something by kwangbin", "play something by khruangbin")]
    names = ["Adele", "Mitski", "Mitski", "Khruangbin", "adele", "Mitski"]
    base = Vocabulary(("Hozier", "Mitski"))
    assert train_vocabulary(pairs, names, base).hotwords == (
        "Khruangbin",
        "Mitski",
        "Adele",
        "Hozier",
    )


def test_hotwords_are_bounded_keeping_the_most_useful() -> None:
    names = [f"Artist {number}" for number in range(MAX_HOTWORDS + 100)]
    pairs = [(f"play artist {number}", f"play artist {number}") for number in range(50)]
    pairs += [("play art is", f"play {names[-1]}")]
    hotwords = train_vocabulary(pairs, [*names, names[-2]]).hotwords
    assert len(hotwords) == MAX_HOTWORDS
    assert hotwords[:2] == (names[-1], names[-2])
    assert hotwords[2:] == tuple(names[: MAX_HOTWORDS - 2])
