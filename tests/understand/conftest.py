"""A small model, trained once per test session on Confide's own domain (about ten seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from confide.understand.data import read_all
from confide.understand.default import training_files
from confide.understand.model import NluModel


@pytest.fixture(scope="session")
def domain_files() -> list[Path]:
    return [path for path in training_files() if path.parent.name == "confide"]


@pytest.fixture(scope="session")
def model(domain_files: list[Path]) -> NluModel:
    return NluModel.train(read_all(domain_files))
