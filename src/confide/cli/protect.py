"""Protecting what reviewers get, on the command line: `confide redact`, `confide anonymize`."""

from __future__ import annotations

from confide.cli.common import app

__all__ = ["app"]
