"""Fixtures for the HTTP app: a runtime whose engines are scripted, jobs run inline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from confide.pipeline import Engines
from confide.service.runtime import Runtime
from confide.settings import Settings
from confide_testing import ScriptedRecognizer, understand_timer


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(
        settings,
        engines_factory=lambda _settings: Engines(ScriptedRecognizer(), understand_timer),
        immediate_jobs=True,
    )
    yield rt
    rt.close()
