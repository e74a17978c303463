"""Where Confide keeps things when not told: people's data in the data dir, and what can be
rebuilt from the package (models, the demo's synthesised voices) in a cache outside it, so that
nothing in the data dir is plaintext that a scan of it could find."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    if configured := os.environ.get("CONFIDE_DATA_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "confide"


def cache_dir() -> Path:
    """$CONFIDE_CACHE_DIR, else $XDG_CACHE_HOME/confide, else ~/.cache/confide."""
    if configured := os.environ.get("CONFIDE_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "confide"
