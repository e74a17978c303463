"""Account erasure: how long until a person's key is gone, and until their ciphertext is gone.

A person with 10,000 interactions (sealed audio blob, transcript and answer each) is erased.
Another connection polls the key table, so "key gone" is the moment the rest of the system sees
it, not when the function returns.
"""

from __future__ import annotations

import argparse
import threading
import time

from sqlalchemy import func, select

from _support import fresh_settings, household, postgres_available, short_clip, write
from confide.ingest import ingest
from confide.privacy.deletion import erase_account
from confide.service.runtime import Runtime
from confide.store.tables import DataKey, Device, Interaction


def fill(runtime: Runtime, person: str, count: int, clip: bytes) -> None:
    with runtime.sessions() as session:
        device = session.scalars(select(Device).where(Device.person_id == person)).one()
        for index in range(count):
            row = ingest(session, runtime.keyring, runtime.blobs, device, f"c{index}", clip)
            row.transcript_sealed = runtime.keyring.seal(
                session, person, b"what's the weather like tomorrow", f"transcript:{row.id}"
            )
            row.answer_sealed = runtime.keyring.seal(
                session, person, b"Offline forecast", f"answer:{row.id}"
            )
            row.status = "answered"
            if index % 500 == 499:
                session.commit()
                print(f"  {index + 1} interactions stored", flush=True)
        session.commit()


def erase(runtime: Runtime, person: str) -> tuple[float, float]:
    """(seconds until the key is gone for other readers, seconds until everything is gone)."""
    key_gone = threading.Event()
    seen_at: list[float] = []
    started = time.perf_counter()

    def watch() -> None:
        with runtime.sessions() as session:
            while not key_gone.is_set():
                if not session.scalar(select(func.count()).where(DataKey.owner_id == person)):
                    seen_at.append(time.perf_counter() - started)
                    key_gone.set()
                session.rollback()
                time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with runtime.sessions() as session:
        erase_account(session, runtime.keyring, runtime.blobs, person, actor="benchmark")
        session.commit()
    total = time.perf_counter() - started
    key_gone.wait(5)
    watcher.join()
    with runtime.sessions() as session:
        left = session.scalar(select(func.count()).where(Interaction.owner_id == person))
    if left or list(runtime.blobs.keys(f"audio/{person}/")):
        raise RuntimeError("the account was not erased: the timing would measure nothing")
    return seen_at[0], total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", type=int, default=10_000)
    args = parser.parse_args()
    rows, data = [], {}
    for backend in ["sqlite"] + (["postgresql"] if postgres_available() else []):
        with fresh_settings(backend) as settings:
            runtime = Runtime(settings)
            people, _ = household(runtime, 2)
            print(f"{backend}: storing {args.interactions} interactions…", flush=True)
            fill(runtime, people[0], args.interactions, short_clip())
            fill(runtime, people[1], 10, short_clip())
            key_seconds, total_seconds = erase(runtime, people[0])
            rows.append(
                [
                    backend,
                    f"{args.interactions:,}",
                    f"{key_seconds:.3f} s",
                    "≤ 1 s",
                    f"{total_seconds:.1f} s",
                    "≤ 60 s",
                ]
            )
            data[backend] = {
                "interactions": args.interactions,
                "key_gone_seconds": key_seconds,
                "ciphertext_gone_seconds": total_seconds,
            }
            runtime.close()
    write(
        "erasure",
        "Account erasure",
        ["database", "interactions", "key gone", "target", "ciphertext gone", "target"],
        rows,
        "Key gone: first moment another connection no longer finds the data key. Ciphertext "
        "gone: every interaction row and audio blob of the person deleted and committed.",
        data,
    )


if __name__ == "__main__":
    main()
