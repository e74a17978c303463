"""A recogniser adapted to what reviewers taught it: names to listen for, errors to put right.

Two levers that need no retraining of the acoustic model. Hotwords bias the decoder toward
names it would otherwise spell as it hears them (contextual biasing: Whisper reads them as a
prompt, pocketsphinx as keyphrases); corrections rewrite a word sequence the recogniser
keeps getting wrong into what reviewers wrote instead ("ed shearing" -> "ed sheeran"). Both
are learned by `confide.learn.asr` and kept as one small JSON file in a model version's folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from confide.audio import Audio
from confide.errors import BadModel
from confide.recognize.base import Recognizer, Transcript, Word

FORMAT = 1
"""Version of the saved layout; a vocabulary saved by a newer Confide is refused, not misread."""
SHORTLIST = 3
"""Hotwords passed on the second hearing: a few, since one name alone is heard best."""
MIN_LIKENESS = 0.6
"""Least letter similarity (0 to 1) of heard words to a hotword for it to be shortlisted."""
MIN_LENGTH_RATIO = 0.6
"""Heard words and a hotword this unequal in length are not compared: "play" is not half of
"Coldplay"."""
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def spoken_words(text: str) -> list[str]:
    """The words corrections match on: lowercase, punctuation dropped ("Ed Sheeran!" ->
    ["ed", "sheeran"])."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


@dataclass(frozen=True)
class Vocabulary:
    """What adapts a recogniser: hotwords to favour and corrections to apply."""

    hotwords: tuple[str, ...] = ()
    """Names to favour, most useful first (a decoder's prompt holds only so many)."""
    corrections: dict[str, str] = field(default_factory=dict)
    """Heard word sequence -> what it should read, both as `spoken_words` joined by spaces."""

    def __post_init__(self) -> None:
        for heard, meant in self.corrections.items():
            if not heard or " ".join(spoken_words(heard)) != heard or not spoken_words(meant):
                raise BadModel(f"not a correction: {heard!r} -> {meant!r}")
        if any(not isinstance(h, str) or not h.strip() for h in self.hotwords):
            raise BadModel("a hotword is empty")

    def correct(self, transcript: Transcript) -> Transcript:
        """`transcript` with every correction applied to its words and its text."""
        words = transcript.words
        found = self._matches([w.word for w in words])
        if not found:
            return transcript
        fixed: list[Word] = []
        position = 0
        for start, span, meant in found:
            fixed += words[position:start]
            heard = words[start : start + span]
            written = _written(meant, [w.word for w in heard])
            fixed += _timed(written, heard)
            position = start + span
        fixed += words[position:]
        return replace(transcript, text=" ".join(w.word for w in fixed), words=fixed)

    def corrected_text(self, text: str) -> str:
        """`text` with every correction applied (words split at spaces)."""
        words = text.split()
        found = self._matches(words)
        if not found:
            return text
        fixed: list[str] = []
        position = 0
        for start, span, meant in found:
            fixed += words[position:start] + _written(meant, words[start : start + span])
            position = start + span
        return " ".join(fixed + words[position:])

    def _matches(self, written: list[str]) -> list[tuple[int, int, str]]:
        """(first word, words replaced, replacement) of each correction that applies, left to
        right, the longest where several start at one word."""
        if not self.corrections:
            return []
        keys = [spoken_words(word) for word in written]
        rules = sorted(
            ((heard.split(), meant) for heard, meant in self.corrections.items()),
            key=lambda rule: -len(rule[0]),
        )
        found = []
        position = 0
        while position < len(written):
            for heard, meant in rules:
                span = _span_of(keys, position, len(heard))
                if span and [k for key in keys[position : position + span] for k in key] == heard:
                    found.append((position, span, meant))
                    position += span
                    break
            else:
                position += 1
        return found

    def likely(self, heard: str) -> list[str]:
        """Up to `SHORTLIST` hotwords that some words of `heard` resemble (letters compared,
        spaces ignored, so "crewing ben" finds "Khruangbin"), likeliest first; none when the
        likeliest is written in `heard` already."""
        words = spoken_words(heard)
        scored = []
        for hotword in self.hotwords:
            wanted = spoken_words(hotword)
            letters = "".join(wanted)
            windows = (
                "".join(words[start : start + size])
                for start in range(len(words))
                for size in range(1, len(wanted) + 3)
                if start + size <= len(words)
            )
            best = max(
                (
                    fuzz.ratio(window, letters) / 100
                    for window in windows
                    if min(len(window), len(letters))
                    >= MIN_LENGTH_RATIO * max(len(window), len(letters))
                ),
                default=0.0,
            )
            if best >= MIN_LIKENESS:
                scored.append((best, hotword))
        scored.sort(key=lambda item: -item[0])
        if not scored or scored[0][0] == 1.0:
            return []
        return [hotword for _, hotword in scored[:SHORTLIST]]

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    "format": FORMAT,
                    "hotwords": list(self.hotwords),
                    "corrections": self.corrections,
                },
                indent=1,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """A saved vocabulary, checked: anything malformed is refused, not half-used."""
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BadModel(f"{path}: not a vocabulary ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BadModel(f"{path}: vocabulary format {_format(data)}, expected {FORMAT}")
        hotwords, corrections = data.get("hotwords"), data.get("corrections")
        if not isinstance(hotwords, list) or not all(isinstance(h, str) for h in hotwords):
            raise BadModel(f"{path}: hotwords must be a list of strings")
        if not isinstance(corrections, dict) or not all(
            isinstance(v, str) for v in corrections.values()
        ):
            raise BadModel(f"{path}: corrections must map strings to strings")
        return cls(tuple(hotwords), dict(corrections))


class AdaptedRecognizer:
    """A recogniser that listens for the vocabulary's hotwords and applies its corrections.

    Whisper tiny.en hears a new name far better with the name alone as its hotword than with
    a list of many (measured on synthesised requests for 16 artists it never learned, two
    voices: 6 of 32 names written right with no hotword, 30 with the name alone, 23 with all
    16 names, 20 with 60 names): a long prompt dilutes the one name that matters and invites
    names that were never said. So it listens twice, where a hotword is in doubt: once with
    the caller's hints, then, if some words it heard resemble hotwords it did not write, again
    with the `SHORTLIST` likeliest of them. The second hearing is kept only if it wrote one of
    them (or another hotword) in no more words than the first had: a decoder given names that
    were not said may add them after what was ("turn the volume down, please. The Cure"), and
    that is refused. With those 16 names and the catalog's 187 artists as hotwords, it wrote
    26 of the 32 names, and 4 spoken commands in each voice kept their word errors (1 in 52)."""

    def __init__(self, inner: Recognizer, vocabulary: Vocabulary) -> None:
        self.inner = inner
        self.vocabulary = vocabulary
        self.name = inner.name

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        """The caller's hints go first (a decoder keeps the first of a prompt that is too
        long), then the hotwords that the first hearing resembles."""
        given = list(dict.fromkeys(hints))
        first = self.inner.transcribe(audio, hints=given)
        likely = [h for h in self.vocabulary.likely(first.text) if h not in given]
        if not likely:
            return self.vocabulary.correct(first)
        second = self.inner.transcribe(audio, hints=given + likely)
        kept = _kept(first, second, self.vocabulary.hotwords)
        return self.vocabulary.correct(second if kept else first)


def _kept(first: Transcript, second: Transcript, hotwords: Sequence[str]) -> bool:
    """Whether the second hearing wrote a hotword the first did not, without growing longer.
    Any hotword, not only those passed: a decoder given names listens for names, and wrote
    "Tame Impala" for "tame and pollen" given two others."""
    before, after = spoken_words(first.text), spoken_words(second.text)
    if len(after) > len(before):
        return False
    heard, earlier = f" {' '.join(after)} ", f" {' '.join(before)} "
    return any(
        f" {name} " in heard and f" {name} " not in earlier
        for name in (" ".join(spoken_words(h)) for h in hotwords)
    )


def _format(data: Any) -> Any:
    return data.get("format") if isinstance(data, dict) else None


def _span_of(keys: list[list[str]], position: int, count: int) -> int:
    """How many recognised words from `position` hold exactly `count` spoken words; 0 if
    none do (a recognised word may hold several: "rock'n'roll", "AC/DC")."""
    total = 0
    for span, key in enumerate(keys[position:], 1):
        total += len(key)
        if total == count:
            return span
        if total > count:
            return 0
    return 0


def _written(meant: str, heard: list[str]) -> list[str]:
    """`meant`'s words, capitalised where the words they replace were, with the punctuation
    after the last replaced word."""
    words = meant.split()
    for number, word in enumerate(heard[: len(words)]):
        if word[:1].isupper():
            words[number] = words[number][:1].upper() + words[number][1:]
    if trailing := re.search(r"[^\w']*$", heard[-1]):
        words[-1] += trailing.group()
    return words


def _timed(written: list[str], heard: list[Word]) -> list[Word]:
    """`written` spread evenly over the time `heard` took, with the least confidence of the
    words replaced."""
    start, end = heard[0].start, heard[-1].end
    confidences = [w.confidence for w in heard if w.confidence is not None]
    confidence = min(confidences) if confidences else None
    step = (end - start) / len(written)
    return [
        Word(word, round(start + i * step, 3), round(start + (i + 1) * step, 3), confidence)
        for i, word in enumerate(written)
    ]
