"""Private services and Confide processes for the fault tests: a redis-server and a PostgreSQL
cluster of the test's own on 127.0.0.1, never the machine's, each stopped by its process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
CONFIDE = [sys.executable, "-m", "confide"]
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, *, seconds: float = STARTUP_SECONDS, process=None) -> None:
    """Until something accepts connections on 127.0.0.1:port (or `process` has died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {seconds:g} s")


def stop(process: subprocess.Popen, *, hard: bool = False) -> None:
    """Stop a process by its pid: SIGTERM and a wait, SIGKILL if it does not go."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class PrivateRedis:
    """A redis-server that keeps nothing on disk, as the machines' Redis: a restart drops every
    queued message."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, hard=True)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@dataclass
class PrivatePostgres:
    """A PostgreSQL 15 cluster made by initdb in a temporary folder, run as the postgres user."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            [RUNUSER, "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root, "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "log"), "-w", "start",
        )  # fmt: skip

    @property
    def pid(self) -> int | None:
        with suppress(FileNotFoundError, ValueError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def stop(self) -> None:
        """Stop the postmaster by its pid (SIGINT: PostgreSQL's fast shutdown)."""
        pid = self.pid
        if pid is None:
            return
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def postgres_tools_missing() -> str | None:
    """Why a private PostgreSQL cluster cannot be made here, or None."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 server binaries (initdb, pg_ctl) are not in {PG_BIN}"
    if not Path(RUNUSER).exists() or os.geteuid() != 0:
        return "a private PostgreSQL cluster is run as the postgres user: needs root and runuser"
    return None


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A cluster in a folder of its own under the system's temporary folder: pytest's are
    private to root, and the postgres user must reach its data."""
    root = Path(tempfile.mkdtemp(prefix="confide-postgres-"))
    cluster = PrivatePostgres(root)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Confide:
    """`confide serve --no-worker` and any number of `confide worker` processes, all configured
    from the environment, as on machines of a cluster."""

    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    server: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start(self, *arguments: str, name: str) -> subprocess.Popen:
        with (self.data_dir.parent / f"{name}.log").open("ab") as log:  # the child keeps a copy
            return subprocess.Popen(
                [*CONFIDE, *arguments, "--data-dir", str(self.data_dir)],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start_server(self) -> None:
        self.server = self._start("serve", "--no-worker", "--port", str(self.port), name="server")
        wait_for_port(self.port, process=self.server)

    def start_worker(self) -> subprocess.Popen:
        worker = self._start("worker", name=f"worker-{len(self.workers)}")
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.data_dir.parent.glob("*.log"))
        )

    def stop(self) -> None:
        for process in [*self.workers, self.server]:
            if process is not None:
                stop(process)
