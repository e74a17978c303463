from __future__ import annotations

from pathlib import Path

import pytest

from confide import paths

HOME = Path.home()


@pytest.mark.parametrize(
    ("environment", "data_dir", "cache_dir"),
    [
        ({}, HOME / ".local/share/confide", HOME / ".cache/confide"),
        (
            {"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c"},
            Path("/d/confide"),
            Path("/c/confide"),
        ),
        (
            {"XDG_CACHE_HOME": "/c", "CONFIDE_DATA_DIR": "/data", "CONFIDE_CACHE_DIR": "/cache"},
            Path("/data"),
            Path("/cache"),
        ),
    ],
)
def test_folders_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], data_dir: Path, cache_dir: Path
) -> None:
    for name in ("CONFIDE_DATA_DIR", "CONFIDE_CACHE_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert paths.default_data_dir() == data_dir
    assert paths.cache_dir() == cache_dir
