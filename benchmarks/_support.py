"""Shared by the benchmarks: the machine's name; for the service ones a fresh database, a household,
tables and JSON out."""

from __future__ import annotations

import base64
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import create_engine, text

from confide.audio import Audio
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.runtime import Runtime
from confide.settings import Settings, load_settings

RESULTS = Path(__file__).parent / "results"
POSTGRES = os.environ.get("CONFIDE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


POCKETSPHINX_SOURCE = "pocketsphinx==5.1.1"
"""Its source package holds real recordings (LibriVox readings and others) among its tests."""


def pocketsphinx_source(downloads: Path) -> Path:
    """The pocketsphinx source archive, downloaded from PyPI into `downloads` once."""
    found = sorted(downloads.glob("pocketsphinx-*.tar.gz"))
    if found:
        return found[0]
    print(f"downloading the {POCKETSPHINX_SOURCE} source package (about 34 MB)...")
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:"]
    subprocess.run([*pip, "--no-deps", POCKETSPHINX_SOURCE, "-d", str(downloads)], check=True)
    return next(downloads.glob("pocketsphinx-*.tar.gz"))


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


@contextmanager
def fresh_settings(backend: str) -> Iterator[Settings]:
    """A new data dir, and a new database on `backend` ('sqlite' or 'postgresql')."""
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    with tempfile.TemporaryDirectory(prefix="confide-bench-") as folder:
        env = {"CONFIDE_KEK": kek}
        if backend == "sqlite":
            yield load_settings(Path(folder), env=env)
            return
        name = f"confide_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(
            POSTGRES.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            env["CONFIDE_DATABASE_URL"] = POSTGRES.rsplit("/", 1)[0] + "/" + name
            yield load_settings(Path(folder), env=env)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def household(runtime: Runtime, devices: int) -> tuple[list[str], list[str]]:
    """One adult per device; returns (person ids, device tokens)."""
    people, tokens = [], []
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "Benchmark household")
        for index in range(devices):
            person = add_person(
                session,
                runtime.keyring,
                home,
                f"Person {index}",
                login=f"bench-{uuid.uuid4().hex[:8]}",
                password="x" * 16,
            )
            _, code = start_pairing(session, home, person.id, f"speaker {index}")
            _, token = complete_pairing(session, code)
            people.append(person.id)
            tokens.append(token)
        session.commit()
    return people, tokens


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def write(
    name: str,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    notes: str,
    data: dict[str, Any],
) -> None:
    """Print the table, and save it as Markdown and JSON under benchmarks/results/."""
    lines = [
        f"# {title}",
        "",
        f"Machine: {cpu_model()}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    lines += ["", notes]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(markdown)
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"machine": cpu_model(), **data}, indent=2) + "\n"
    )


def short_clip(seconds: float = 0.5) -> bytes:
    """Valid audio that is not speech, for benchmarks that measure everything but ASR."""
    t = np.arange(int(seconds * 16_000)) / 16_000
    return Audio((0.2 * np.sin(2 * np.pi * 200 * t) * 32767).astype(np.int16)).to_wav_bytes()


@contextmanager
def server_process(
    settings: Settings, *, worker: bool, cpu: int | None = 0
) -> Iterator[tuple[str, int]]:
    """`confide serve` in its own process (pinned to one core), so clients do not share its CPU.

    Yields (base URL, pid).
    """
    port = free_port()
    env = {
        **os.environ,
        "CONFIDE_KEK": base64.b64encode(settings.kek).decode(),
        "CONFIDE_DATABASE_URL": settings.database_url,
        "HF_HUB_OFFLINE": "1",
    }
    command = [
        sys.executable,
        "-m",
        "confide",
        "serve",
        "--data-dir",
        str(settings.data_dir),
        "--port",
        str(port),
    ] + ([] if worker else ["--no-worker"])
    if cpu is not None:
        command = ["taskset", "-c", str(cpu), *command]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None:
                    raise RuntimeError("the server exited during start-up") from None
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(30)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
