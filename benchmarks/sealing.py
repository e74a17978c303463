"""Seal and open throughput: AES-256-GCM under per-person data keys, the key fetched per call.

Each call reads the wrapped key from the database and unwraps it (there is no key cache, so a
key shredded by another process is never used again); this measures that whole path.
"""

from __future__ import annotations

import time

from _support import fresh_settings, household, postgres_available, write
from confide.service.runtime import Runtime

SIZES = {"transcript (200 B)": 200, "utterance audio (96 kB, 3 s)": 96_000}
SECONDS = 3.0


def rates(runtime: Runtime, owner: str, size: int) -> tuple[float, float]:
    """(seals per second, opens per second) for payloads of `size` bytes."""
    payload = bytes(size)
    with runtime.sessions() as session:
        count, started, sealed = 0, time.perf_counter(), b""
        while time.perf_counter() - started < SECONDS:
            sealed = runtime.keyring.seal(session, owner, payload, "bench")
            count += 1
        seal_rate = count / (time.perf_counter() - started)
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < SECONDS:
            runtime.keyring.open(session, owner, sealed, "bench")
            count += 1
        return seal_rate, count / (time.perf_counter() - started)


def main() -> None:
    rows, data = [], {}
    backends = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    for backend in backends:
        with fresh_settings(backend) as settings:
            runtime = Runtime(settings)
            owner = household(runtime, 1)[0][0]
            for label, size in SIZES.items():
                seal_rate, open_rate = rates(runtime, owner, size)
                rows.append(
                    [
                        backend,
                        label,
                        f"{seal_rate:,.0f}",
                        f"{open_rate:,.0f}",
                        f"{seal_rate * size / 1e6:,.1f}",
                    ]
                )
                data[f"{backend}/{label}"] = {"seal_per_s": seal_rate, "open_per_s": open_rate}
            runtime.close()
    write(
        "sealing",
        "Seal and open throughput (one process)",
        ["database", "payload", "seals/s", "opens/s", "sealed MB/s"],
        rows,
        "Every call reads the owner's wrapped data key from the database and unwraps it.",
        data,
    )


if __name__ == "__main__":
    main()
