"""Word classes: the shipped table, and rebuilding it from an ARPA language model."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from confide.understand import lexicon
from confide.understand.lexicon import build_word_classes, word_classes


@pytest.mark.parametrize(
    ("word", "alike"),
    [("italian", "french"), ("chicago", "boston"), ("spotify", "youtube"), ("seven", "nine")],
)
def test_alike_words_share_a_class(word: str, alike: str) -> None:
    classes = word_classes()
    assert len(classes) == lexicon.VOCABULARY
    assert classes[word][1] == classes[alike][1]


def test_builds_from_an_arpa_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon, "VOCABULARY", 8)
    monkeypatch.setattr(lexicon, "CONTEXTS", 4)
    monkeypatch.setattr(lexicon, "DIMENSIONS", 3)
    monkeypatch.setattr(lexicon, "GRAINS", (2, 3))
    cities, verbs = ["paris", "rome", "oslo", "lima"], ["go", "fly", "drive", "walk"]
    unigrams = [f"-1.0\t{w}\t-0.1" for w in ["<s>", "</s>", "to", "i", *cities, *verbs]]
    bigrams = [f"-0.5\tto\t{c}" for c in cities] + [f"-0.5\t{c}\t</s>" for c in cities]
    bigrams += [f"-0.5\ti\t{v}" for v in verbs] + [f"-0.5\t{v}\tto" for v in verbs]
    bigrams += [f"-2.0\t{a}\t{b}" for a, b in itertools.product(["i"], cities[:1])]
    arpa = tmp_path / "tiny.arpa"
    arpa.write_text(
        "\\data\\\nngram 1=12\nngram 2=17\n\n\\1-grams:\n"
        + "\n".join(unigrams)
        + "\n\n\\2-grams:\n"
        + "\n".join(bigrams)
        + "\n\n\\end\\\n"
    )
    out = tmp_path / "classes.tsv"
    build_word_classes(arpa, out)
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert len(rows) == 8
    fine = {word: int(f) for word, _, f in rows}
    assert all(0 <= value < 3 for value in fine.values())
    city_classes = {fine[c] for c in cities if c in fine}
    verb_classes = {fine[v] for v in verbs if v in fine}
    assert not city_classes & verb_classes
