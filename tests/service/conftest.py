"""Fixtures for the HTTP app: a runtime whose engines are scripted, jobs run inline, a browser
for the pages, and a private Redis for the job and notice tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from confide.pipeline import Engines
from confide.service.runtime import Runtime
from confide.settings import Settings
from confide_cluster import PrivateRedis
from confide_testing import CHROMIUM, CHROMIUM_ARGS, ScriptedRecognizer, understand_timer


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(
        settings,
        engines_factory=lambda _settings: Engines(ScriptedRecognizer(), understand_timer),
        learn_launcher=lambda _settings: None,  # never a real learn process, whatever the hour
        immediate_jobs=True,
    )
    yield rt
    rt.close()


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    """A private redis-server on its own port, stopped after the test (the machine's is never
    touched)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (the Redis tests start a private one)")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright, one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser profile per test: no cookies carried over."""
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
