"""Interactions ingested per core-second, ASR excluded, over HTTP, on SQLite and PostgreSQL.

`confide serve --no-worker` runs pinned to one core in its own process; client threads upload
half-second clips as fast as the server accepts them (validate, seal, store, enqueue). The
figure is accepted uploads divided by the server's CPU seconds, and by wall seconds.
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from _support import (
    cpu_seconds,
    fresh_settings,
    household,
    postgres_available,
    server_process,
    short_clip,
    write,
)
from confide.service.runtime import Runtime


def upload_many(url: str, token: str, count: int, clip: bytes) -> int:
    accepted = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(count):
            response = client.post(
                "/api/utterances",
                content=clip,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )
            accepted += response.status_code == 202
    return accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--per-device", type=int, default=60)
    args = parser.parse_args()
    clip = short_clip()
    rows, data = [], {}
    for backend in ["sqlite"] + (["postgresql"] if postgres_available() else []):
        with fresh_settings(backend) as settings:
            runtime = Runtime(settings)
            _, tokens = household(runtime, args.devices)
            runtime.close()
            with server_process(settings, worker=False) as (url, pid):
                upload_many(url, tokens[0], 5, clip)  # warm up
                cpu_before, started = cpu_seconds(pid), time.perf_counter()
                with ThreadPoolExecutor(args.devices) as pool:
                    accepted = sum(
                        pool.map(lambda t: upload_many(url, t, args.per_device, clip), tokens)
                    )
                wall = time.perf_counter() - started
                cpu = cpu_seconds(pid) - cpu_before
            per_core = accepted / cpu
            rows.append(
                [
                    backend,
                    args.devices,
                    accepted,
                    f"{accepted / wall:.1f}",
                    f"{per_core:.1f}",
                    "≥ 20",
                ]
            )
            data[backend] = {
                "devices": args.devices,
                "accepted": accepted,
                "wall_seconds": wall,
                "server_cpu_seconds": cpu,
                "per_core_second": per_core,
            }
    write(
        "ingest_throughput",
        "Ingest throughput, ASR excluded (server pinned to one core)",
        ["database", "devices", "uploads", "per wall second", "per core-second", "target"],
        rows,
        "Each upload: 0.5 s WAV over HTTP, validated, sealed, stored, and queued for processing.",
        data,
    )


if __name__ == "__main__":
    main()
