"""The slot tagger's two trainers: L-BFGS for small data, SGD from `SGD_FROM` sequences."""

from __future__ import annotations

from pathlib import Path

import pytest

from confide.understand import slots
from confide.understand.catalog import load_catalog
from confide.understand.data import read_all
from confide.understand.gazetteer import Gazetteer
from confide.understand.model import catalog_names, tagger_sequences


@pytest.mark.parametrize(("trainer", "sgd_from"), [("lbfgs", 10**9), ("sgd", 0)])
def test_each_trainer_learns_its_training_labels(
    trainer: str, sgd_from: int, domain_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slots, "SGD_FROM", sgd_from)
    gazetteer = Gazetteer(catalog_names(load_catalog()))
    sequences = [
        sequence
        for query in read_all(domain_files)
        for sequence in tagger_sequences(query, gazetteer)
    ]
    tagger = slots.SlotTagger.train(sequences)
    slotted = [(features, labels) for features, labels in sequences if set(labels) != {"O"}]
    right = sum(tagger.tag(features) == labels for features, labels in slotted)
    assert right / len(slotted) >= 0.95, f"{trainer}: {right} of {len(slotted)}"
