"""The `confide` command. Exit codes: 0 success, 2 bad input (one line on stderr), 1 otherwise.

Each group of commands lives in its own module and registers itself on the shared `app`.
"""

from confide.cli import backup, dataset, learn, nlu, privacy, protect, review, service, speech
from confide.cli.common import app

__all__ = [
    "app",
    "backup",
    "dataset",
    "learn",
    "nlu",
    "privacy",
    "protect",
    "review",
    "service",
    "speech",
]
