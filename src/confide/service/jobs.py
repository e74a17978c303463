"""The job queue: it carries `Pipeline.process(interaction_id)`, and the hourly upkeep (the
retention sweep, then a signed audit checkpoint).

huey with SQLite storage in the data dir by default; Redis (CONFIDE_REDIS_URL) when workers
span machines. Tasks retry, and the pipeline itself makes a retry safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from confide.settings import Settings

RETRIES = 2
RETRY_DELAY_SECONDS = 2


@dataclass(frozen=True)
class Queue:
    """The queue and its one task."""

    huey: Huey
    """What `confide worker` consumes."""
    enqueue: Callable[[str], Any]
    """Schedule processing of one interaction id."""


def build_queue(
    settings: Settings,
    process: Callable[[str], str],
    *,
    hourly: Callable[[], Any] | None = None,
    immediate: bool = False,
) -> Queue:
    """A queue whose task runs `process`, and `hourly` every hour on the worker.

    `immediate` runs tasks inline (tests, one-shot tools).
    """
    huey: Huey
    if settings.redis_url:
        huey = RedisHuey("confide", url=settings.redis_url, immediate=immediate)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(
            "confide", filename=str(settings.data_dir / "jobs.db"), immediate=immediate
        )

    def process_interaction(interaction_id: str) -> str:
        return process(interaction_id)

    task: Callable[[str], Any] = huey.task(
        retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS, name="process_interaction"
    )(process_interaction)
    if hourly is not None:
        huey.periodic_task(crontab(minute="7"), name="hourly")(hourly)
    return Queue(huey, task)
