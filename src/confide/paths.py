"""Where Confide keeps its data when not told: CONFIDE_DATA_DIR, else the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    if configured := os.environ.get("CONFIDE_DATA_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "confide"
