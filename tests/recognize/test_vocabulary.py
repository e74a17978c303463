"""A recogniser adapted by a vocabulary: hotwords passed as hints, corrections applied."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from confide.audio import Audio
from confide.demo.recordings import Speaker
from confide.errors import BadModel
from confide.recognize import load_recognizer
from confide.recognize.base import Transcript, Word
from confide.recognize.vocabulary import AdaptedRecognizer, Vocabulary, spoken_words

SILENCE = Audio(np.zeros(16000, dtype=np.int16))


class FakeRecognizer:
    """Says the same words every time, and remembers the hints it was given."""

    name = "fake"

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.hints: list[Sequence[str]] = []

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        self.hints.append(list(hints))
        timed = [
            Word(word, round(0.5 * n, 3), round(0.5 * n + 0.4, 3), 0.9 - 0.1 * n)
            for n, word in enumerate(self.words)
        ]
        return Transcript(" ".join(self.words), timed, self.name, audio.seconds, 0.01)


@pytest.mark.parametrize(
    ("heard", "corrections", "text"),
    [
        (["Play", "Ed", "Shearing."], {"ed shearing": "ed sheeran"}, "Play Ed Sheeran."),
        (["play", "the", "beetles"], {"beetles": "beatles"}, "play the beatles"),
        (["play", "beetles,", "beetles"], {"beetles": "beatles"}, "play beatles, beatles"),
        (
            ["play", "the", "beetles"],
            {"beetles": "beatles", "the beetles": "the beatles band"},
            "play the beatles band",
        ),
        (["play", "kwang", "bin"], {"kwang bin": "khruangbin"}, "play khruangbin"),
        (["play", "khruangbin"], {"kwang bin": "khruangbin"}, "play khruangbin"),
        (["shearing", "sheep"], {"ed shearing": "ed sheeran"}, "shearing sheep"),
        (["rock'n'roll", "now"], {"rock'n'roll now": "rock and roll now"}, "rock and roll now"),
        (["AC/DC", "now"], {"ac dc": "acdc"}, "Acdc now"),
    ],
)
def test_corrections_apply_to_text_and_words(
    heard: list[str], corrections: dict[str, str], text: str
) -> None:
    recognizer = AdaptedRecognizer(FakeRecognizer(heard), Vocabulary((), corrections))
    result = recognizer.transcribe(SILENCE)
    assert result.text == text
    assert [w.word for w in result.words] == text.split()
    assert result.words[0].start == 0.0
    assert result.words[-1].end == pytest.approx(0.5 * (len(heard) - 1) + 0.4)
    assert all(a.end <= b.start + 1e-9 for a, b in pairwise(result.words))
    assert all(w.confidence is not None for w in result.words)


def test_a_replaced_span_keeps_its_time_and_its_least_confidence() -> None:
    recognizer = AdaptedRecognizer(
        FakeRecognizer(["play", "kwang", "bin", "now"]), Vocabulary((), {"kwang bin": "khruangbin"})
    )
    words = recognizer.transcribe(SILENCE).words
    assert words[1] == Word("khruangbin", 0.5, 1.4, pytest.approx(0.7))
    assert words[2] == Word("now", 1.5, 1.9, pytest.approx(0.6))


def test_the_callers_hints_go_first_then_the_hotwords_once() -> None:
    fake = FakeRecognizer(["hello"])
    recognizer = AdaptedRecognizer(fake, Vocabulary(("Mitski", "Hozier")))
    recognizer.transcribe(SILENCE, hints=["Hozier", "Grandma Rose", "Hozier"])
    recognizer.transcribe(SILENCE)
    assert fake.hints == [["Hozier", "Grandma Rose", "Mitski"], ["Mitski", "Hozier"]]
    assert recognizer.name == "fake"


def test_saved_and_loaded_alike(tmp_path: Path) -> None:
    vocabulary = Vocabulary(("Sigur Rós", "Mitski"), {"ed shearing": "ed sheeran"})
    vocabulary.save(tmp_path / "vocabulary.json")
    assert Vocabulary.load(tmp_path / "vocabulary.json") == vocabulary


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("not json", "not a vocabulary"),
        ('{"format": 2, "hotwords": [], "corrections": {}}', "format 2"),
        ('["Mitski"]', "format None"),
        ('{"format": 1, "hotwords": "Mitski", "corrections": {}}', "hotwords"),
        ('{"format": 1, "hotwords": [3], "corrections": {}}', "hotwords"),
        ('{"format": 1, "hotwords": [" "], "corrections": {}}', "hotword is empty"),
        ('{"format": 1, "hotwords": [], "corrections": []}', "corrections"),
        ('{"format": 1, "hotwords": [], "corrections": {"a": 1}}', "corrections"),
        ('{"format": 1, "hotwords": [], "corrections": {"Ed Shearing": "x"}}', "not a correction"),
        ('{"format": 1, "hotwords": [], "corrections": {"shearing": "!"}}', "not a correction"),
    ],
)
def test_a_damaged_vocabulary_is_refused(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "vocabulary.json"
    path.write_text(content)
    with pytest.raises(BadModel, match=complaint):
        Vocabulary.load(path)


def test_a_missing_vocabulary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadModel, match="not a vocabulary"):
        Vocabulary.load(tmp_path / "none.json")


def test_saved_as_plain_json(tmp_path: Path) -> None:
    Vocabulary(("Mitski",)).save(tmp_path / "v.json")
    assert json.loads((tmp_path / "v.json").read_text()) == {
        "format": 1,
        "hotwords": ["Mitski"],
        "corrections": {},
    }


NEW_NAME = ("Play something by Khruangbin.", "Khruangbin")


def test_whisper_hears_a_new_name_only_with_its_hotword(speech: Speaker) -> None:
    """Whisper tiny.en has no way to spell a name it never learned; given it as a hotword (as
    reviewers linked it), it writes it."""
    said, name = NEW_NAME
    audio = speech(said, "joe", 1.0)
    whisper = load_recognizer("whisper")
    adapted = AdaptedRecognizer(whisper, Vocabulary((name, "Mitski", "Sufjan Stevens")))
    assert spoken_words(name)[0] not in spoken_words(whisper.transcribe(audio).text)
    assert spoken_words(name)[0] in spoken_words(adapted.transcribe(audio).text)
