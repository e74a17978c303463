"""What the slot tagger knows about each word: itself, its neighbours, and what it might be.

Slot values are mostly names never seen in training, so most of the signal is in the context
("by" before an artist, "to" before a playlist), in what kind of word it is (its class in
`lexicon`, its affixes, its capitals when the text has any) and in what it could be: part of a
number, a known name.
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.understand.gazetteer import Gazetteer
from confide.understand.lexicon import word_classes
from confide.understand.numbers import NUMBER_WORDS, parse_number, parse_ordinal

_START = ("<s2>", "<s>")
_END = ("</s>", "</s2>")
_NUMBER_STARTS = NUMBER_WORDS | {"a", "an"}


def word_features(
    words: Sequence[str], shapes: Sequence[str], intent: str, gazetteer: Gazetteer
) -> list[list[str]]:
    """One list of string attributes per word, for the CRF. `shapes` come from `shape`; the
    intent lets one tagger serve every intent, sharing what they have in common."""
    padded = [*_START, *words, *_END]
    shape = [*_START, *shapes, *_END]
    classes = word_classes()
    coarse = [*_START, *(str(classes.get(w, ("x", "x"))[0]) for w in words), *_END]
    fine = [*_START, *(str(classes.get(w, ("x", "x"))[1]) for w in words), *_END]
    marks: list[list[str]] = [[] for _ in words]
    for start, end, kind in gazetteer.matches(words):
        _mark(marks, start, end, f"g:{kind}")
    for start, end in _number_spans(words):
        _mark(marks, start, end, "num")
    lead = f"i={intent}"
    rows = []
    for index, word in enumerate(words):
        at = index + 2
        before, before2, after, after2 = (
            padded[at - 1],
            padded[at - 2],
            padded[at + 1],
            padded[at + 2],
        )
        rows.append(
            [
                "b",
                lead,
                f"{lead}|w={word}",
                f"{lead}|w-1={before}",
                f"w={word}",
                f"w-1={before}",
                f"w-2={before2}",
                f"w+1={after}",
                f"w+2={after2}",
                f"w-1w={before}|{word}",
                f"ww+1={word}|{after}",
                f"w-2w-1={before2}|{before}",
                f"w+1w+2={after}|{after2}",
                f"p3={word[:3]}",
                f"p4={word[:4]}",
                f"s2={word[-2:]}",
                f"s3={word[-3:]}",
                f"s4={word[-4:]}",
                f"c={coarse[at]}",
                f"C={fine[at]}",
                f"c-1={coarse[at - 1]}",
                f"c+1={coarse[at + 1]}",
                f"C-1={fine[at - 1]}",
                f"C+1={fine[at + 1]}",
                f"sh={shape[at]}",
                f"sh-1={shape[at - 1]}",
                f"sh+1={shape[at + 1]}",
                f"sh-1sh={shape[at - 1]}|{shape[at]}",
                f"shsh+1={shape[at]}|{shape[at + 1]}",
                *marks[index],
            ]
        )
    return rows


def shape(written: str, cased: bool) -> str:
    """How a token was written: "d" digits, "Xx" capitalised, "X" capitals, "x" lower case, and
    "?" for any letters when the text has no capitals at all (a recogniser's, say)."""
    if any(char.isdigit() for char in written):
        return "d"
    if not cased:
        return "?"
    if written.isupper() and len(written) > 1:
        return "X"
    return "Xx" if written[:1].isupper() else "x"


def _mark(marks: list[list[str]], start: int, end: int, name: str) -> None:
    """Unit, or begin/inside/last, tags over words start..end."""
    if end - start == 1:
        marks[start].append(f"{name}:U")
        return
    marks[start].append(f"{name}:B")
    for index in range(start + 1, end - 1):
        marks[index].append(f"{name}:I")
    marks[end - 1].append(f"{name}:L")


def _number_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    """Longest runs of words that read as one number or ordinal, left to right."""
    spans = []
    start = 0
    while start < len(words):
        if words[start] in _NUMBER_STARTS:
            for end in range(min(len(words), start + 7), start, -1):
                run = words[start:end]
                if parse_number(run) is not None or parse_ordinal(run) is not None:
                    spans.append((start, end))
                    start = end - 1
                    break
        start += 1
    return spans
