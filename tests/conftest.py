"""Shared fixtures: synthesised speech, cached between runs under ~/.cache/confide-tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from confide.homerecording import Speaker

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CACHE = Path(os.environ.get("CONFIDE_TEST_CACHE", Path.home() / ".cache" / "confide-tests"))


@pytest.fixture(scope="session")
def speech() -> Speaker:
    """Synthesised speech: `speech(text, voice, speed)`."""
    from confide.synth import cached_speaker

    return cached_speaker(CACHE)
