"""The model `confide understand` uses when given none: built on first use, then cached.

It is trained from files inside the package (Confide's own domain, and the Snips 2017 training
files, CC0), so it can always be rebuilt offline; the cache key is a hash of those files and of
this package's code, so a changed feature or data file never meets a stale model.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from confide.paths import cache_dir
from confide.understand.catalog import Catalog
from confide.understand.data import read_all
from confide.understand.model import NluModel


def _package() -> Path:
    return Path(str(resources.files("confide.understand")))


def training_files() -> list[Path]:
    """Confide's domain files and the full Snips training files, in a fixed order."""
    folder = _package() / "resources"
    return sorted((folder / "confide").glob("train_*.json")) + sorted(
        (folder / "snips2017").glob("train_*_full.json")
    )


def fingerprint(files: list[Path]) -> str:
    """Hash of the training files and of the code and word lists that turn them into a model."""
    digest = hashlib.sha256()
    shipped = [_package() / "resources" / name for name in ("catalog.json", "word_classes.tsv")]
    for path in [*files, *sorted(_package().glob("*.py")), *shipped]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_model(
    catalog: Catalog | None = None, on_build: Callable[[str], None] = lambda message: None
) -> NluModel:
    """The cached default model, trained first if there is none for this code and data."""
    files = training_files()
    folder = cache_dir() / f"nlu-{fingerprint(files)}"
    if not (folder / "model.json").exists():
        on_build(f"building the default NLU model in {folder} (once; about two minutes)")
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".nlu-", dir=folder.parent))
        try:
            NluModel.train(read_all(files)).save(staging)
            staging.replace(folder)
        except OSError:
            if not (folder / "model.json").exists():  # not merely beaten to it by another process
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return NluModel.load(folder, catalog)
