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
from confide.recognize.vocabulary import SHORTLIST, AdaptedRecognizer, Vocabulary, spoken_words

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


class ListeningRecognizer(FakeRecognizer):
    """Hears "k roanbin" unless Khruangbin is among its hints."""

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        self.words = ["play", "Khruangbin"] if "Khruangbin" in hints else ["play", "K.", "Roanbin"]
        return super().transcribe(audio, hints)


HOTWORDS = ("Mitski", "Khruangbin", "Hozier", "Kurt Vile", "Coldplay")


@pytest.mark.parametrize(
    ("heard", "likeliest"),
    [
        ("Play something by K. Roanbin.", "Khruangbin"),
        ("play something by mitzke", "Mitski"),
        ("play something by hozia", "Hozier"),
        ("play something by curt vile and mitzke", "Kurt Vile"),
        ("play something by Khruangbin", None),
        ("", None),
    ],
)
def test_likely_hotwords_are_those_the_heard_words_resemble(
    heard: str, likeliest: str | None
) -> None:
    """Likeliest first; none when the likeliest is written already (a second hearing would
    change nothing) or nothing resembles any."""
    likely = Vocabulary(HOTWORDS).likely(heard)
    assert likely[:1] == ([likeliest] if likeliest else [])
    assert len(likely) <= SHORTLIST


def test_a_resembled_hotword_is_listened_for_on_a_second_hearing() -> None:
    fake = ListeningRecognizer([])
    recognizer = AdaptedRecognizer(fake, Vocabulary(HOTWORDS))
    result = recognizer.transcribe(SILENCE, hints=["Grandma Rose", "Grandma Rose"])
    assert result.text == "play Khruangbin"
    assert fake.hints[0] == ["Grandma Rose"]
    assert fake.hints[1][:2] == ["Grandma Rose", "Khruangbin"]
    assert recognizer.name == "fake"


class TwiceHeard(FakeRecognizer):
    """Hears one thing with no hints, another with some."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__([])
        self.first, self.second = first.split(), second.split()

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        self.words = self.second if hints else self.first
        return super().transcribe(audio, hints)


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ("play hose here", "play Hozier", "play Hozier"),
        ("play K. Roanbin", "play Khruangbin", "play Khruangbin"),
        ("play hose here", "play hose here", "play hose here"),
        ("play hose here", "play hosier", "play hose here"),
        ("play hose here", "play hose here. Hozier", "play hose here"),
        ("play hose here", "play Hozier and Mitski now", "play hose here"),
        ("play hose here", "play Mitski", "play Mitski"),
        ("play Mitski hose here", "play Mitski hose", "play Mitski hose here"),
    ],
)
def test_the_second_hearing_is_kept_only_if_it_wrote_a_new_hotword_and_grew_no_longer(
    first: str, second: str, kept: str
) -> None:
    recognizer = AdaptedRecognizer(TwiceHeard(first, second), Vocabulary(HOTWORDS))
    assert recognizer.transcribe(SILENCE).text == kept


@pytest.mark.parametrize(
    ("words", "hints"),
    [(["play", "Khruangbin"], ["Khruangbin"]), (["stop"], []), ([], [])],
)
def test_one_hearing_when_no_hotword_is_in_doubt(words: list[str], hints: list[str]) -> None:
    fake = FakeRecognizer(words)
    AdaptedRecognizer(fake, Vocabulary(HOTWORDS)).transcribe(SILENCE, hints=hints)
    assert fake.hints == [hints]


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


def test_whisper_hears_a_new_name_only_with_its_hotword(speech: Speaker) -> None:
    """Whisper tiny.en cannot spell a name it never learned (in the heart voice "Beba dooby");
    the adapted recogniser finds the hotword that this resembles and, listening for it, writes
    it. (In the joe voice Whisper hears "B bit do be" or "Bb to B", whose letters resemble the
    name too little to be shortlisted: the limit of comparing letters.)"""
    audio = speech("play some Beabadoobee", "heart", 1.0)
    whisper = load_recognizer("whisper")
    adapted = AdaptedRecognizer(whisper, Vocabulary(("Mitski", "Beabadoobee", "Sufjan Stevens")))
    assert "beabadoobee" not in spoken_words(whisper.transcribe(audio).text)
    assert "beabadoobee" in spoken_words(adapted.transcribe(audio).text)
