"""A worker process for tests/service/test_jobs.py: consumes the queues on Redis until SIGTERM,
and writes a line per job event to a file of the parent's, so the parent can count each run.

    python job_worker_child.py REDIS_URL RECORD_FILE hang|answer

hang: each answer job writes `started ID PID`, then holds its thread until the process is
killed. answer: each writes `started ID PID`, then `answered ID PID`.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from confide.service.jobs import Work, build_queue
from confide.service.sweep import Due
from confide.settings import Settings


def note(record: Path, line: str) -> None:
    """One whole line per write, appended: lines of several processes never interleave."""
    descriptor = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(descriptor, f"{line} {os.getpid()}\n".encode())
    finally:
        os.close(descriptor)


def main(redis_url: str, record: Path, mode: str) -> None:
    def answer(interaction_id: str) -> str:
        note(record, f"started {interaction_id}")
        if mode == "hang":
            threading.Event().wait()
        note(record, f"answered {interaction_id}")
        return "answered"

    work = Work(
        answer=answer,
        protect=lambda interaction_id: None,
        upkeep=lambda: None,
        sweep=Due,
        heartbeat=lambda: None,
    )
    settings = Settings(
        data_dir=record.parent,
        database_url="sqlite://",
        blob_dir=record.parent / "blobs",
        redis_url=redis_url,
    )
    build_queue(settings, work).run_worker(threads=1)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
