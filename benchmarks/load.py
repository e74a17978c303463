"""Load on the scale stack: simulated devices (locust, headless) against `confide serve --no-worker`
and 1, 2 or 4 `confide worker` processes sharing a private PostgreSQL and a private Redis, all on
127.0.0.1, with the real models (Whisper tiny.en, the shipped NLU).

Each device is paired in the database with a token of its own; it uploads a synthesised command,
long-polls its answer, pauses, and speaks again. Per configuration:
- realistic: 10, 100 and 1,000 devices, a pause of 30 to 90 s between one answer and the next
  utterance (a household in active use: far above the projection's ten a day, so that a short run
  sees enough utterances to measure);
- saturation: a few devices with pauses under a second, so the workers never wait: the answers
  per second the configuration can give;
- backlog: 40 utterances sent at once and drained; the ratio of 2 workers to 1 is the issue's
  throughput figure (ASR bound).
Measured: answers per second, upload start to answer p50/p95/p99, errors (refusals, failed
interactions), utterances cut off by the end of the run, PostgreSQL commits per second
(pg_stat_database), Redis commands per second (INFO), and the CPU of the server and the workers.
Then a plot (benchmarks/load.png) and the machines a million devices would need.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import math
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import Engine, create_engine, text

from _support import cpu_seconds, percentile, write
from confide.demo.voices import cached_speaker
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.runtime import Runtime
from confide.settings import load_settings

sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))
import confide_cluster as cluster  # the fault tests' private services

HERE = Path(__file__).parent
LOCUSTFILE = HERE / "_load_devices.py"
PLOT = HERE / "load.png"
SPEECH_CACHE = Path(os.environ.get("CONFIDE_TEST_CACHE", Path.home() / ".cache" / "confide-tests"))
COMMANDS = [
    ("set a timer for ten minutes", "joe"),
    ("add eggs to my shopping list", "heart"),
    ("turn the volume up", "joe"),
    ("what's the weather like in paris tomorrow", "heart"),
]
DEVICES_PER_HOUSEHOLD = 10
"""A large home or a small office: one adult owns ten speakers (an adult's password hash costs
0.17 s, so a thousand adults would cost minutes before the first run)."""
STARTUP_SECONDS = 300.0
IDLE_SECONDS = 120.0
PEAK_TO_MEAN = 3.0
"""Voice requests crowd into waking hours, with morning and evening peaks: the busiest hour is
taken as three times the day's mean rate."""
UTILISATION = 0.7
"""Capacity is planned so that workers are busy 70% of the peak hour, keeping queues short."""
MACHINE_CORES = 16
MILLION, PER_DAY = 1_000_000, 10


@dataclass(frozen=True)
class Plan:
    workers: tuple[int, ...]
    devices: tuple[int, ...]
    target_devices: int
    """The issue's target configuration is this many devices on two workers."""
    run_seconds: int
    pause: tuple[float, float]
    saturation_devices: int
    saturation_pause: tuple[float, float]
    saturation_seconds: int
    backlog: int
    idle_seconds: int


FULL = Plan((1, 2, 4), (10, 100, 1000), 100, 60, (30.0, 90.0), 12, (0.2, 0.5), 40, 40, 10)
QUICK = Plan((1, 2), (2, 4, 12), 4, 10, (1.0, 3.0), 4, (0.1, 0.3), 8, 4, 3)


@dataclass
class Stack:
    """One configuration: its database (a copy of the paired template), Redis, server, workers."""

    confide: cluster.Confide
    redis: cluster.PrivateRedis
    engine: Engine
    database: str

    def probe(self) -> dict[str, float]:
        """Counters whose change over a run is its load."""
        with self.engine.connect() as connection:
            commits = connection.execute(
                text("SELECT xact_commit FROM pg_stat_database WHERE datname = :name"),
                {"name": self.database},
            ).scalar_one()
        info = redis.Redis.from_url(self.redis.url).info("stats")
        server = self.confide.server
        if server is None:
            raise RuntimeError("the server is not running")
        return {
            "time": time.monotonic(),
            "commits": float(commits),
            "redis_commands": float(info["total_commands_processed"]),
            "server_cpu": cpu_seconds(server.pid),
            "workers_cpu": sum(cpu_seconds(worker.pid) for worker in self.confide.workers),
        }

    def unfinished(self) -> int:
        with self.engine.connect() as connection:
            count: int = connection.execute(
                text("SELECT count(*) FROM interactions WHERE status IN ('received','processing')")
            ).scalar_one()
        return count

    def wait_idle(self, seconds: float = IDLE_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while self.unfinished() and time.monotonic() < deadline:
            time.sleep(0.5)

    def wait_workers(self, count: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            with self.engine.connect() as connection:
                if connection.execute(text("SELECT count(*) FROM workers")).scalar_one() >= count:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{count} workers did not start\n{self.confide.logs()}")


def speech(folder: Path) -> None:
    """The commands as WAV files in `folder` (synthesised once, cached with the tests' speech)."""
    speak = cached_speaker(SPEECH_CACHE)
    for index, (words, voice) in enumerate(COMMANDS):
        (folder / f"{index}.wav").write_bytes(speak(words, voice, 1.0).to_wav_bytes())


def paired_template(postgres: cluster.PrivatePostgres, devices: int, kek: str) -> list[str]:
    """A database holding the schema and `devices` paired devices; their tokens. Each
    configuration starts from a copy of it, so no run inherits another's backlog."""
    admin = _engine(postgres.url())
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "load_template"'))
    admin.dispose()
    env = {"CONFIDE_DATABASE_URL": postgres.url("load_template"), "CONFIDE_KEK": kek}
    tokens = []
    with tempfile.TemporaryDirectory(prefix="confide-load-") as folder:
        runtime = Runtime(load_settings(Path(folder), env=env))
        try:
            with runtime.sessions() as session:
                for first in range(0, devices, DEVICES_PER_HOUSEHOLD):
                    home = create_household(session, runtime.keyring, f"Household {first}")
                    adult = add_person(
                        session,
                        runtime.keyring,
                        home,
                        f"Adult {first}",
                        login=f"load-{first}",
                        password=secrets.token_urlsafe(12),
                    )
                    for number in range(first, min(devices, first + DEVICES_PER_HOUSEHOLD)):
                        _, code = start_pairing(session, home, adult.id, f"speaker {number}")
                        tokens.append(complete_pairing(session, code)[1])
                session.commit()
        finally:
            runtime.close()
    return tokens


@contextmanager
def stack(postgres: cluster.PrivatePostgres, workers: int, kek: str, root: Path) -> Iterator[Stack]:
    database = f"load_{workers}w_{uuid.uuid4().hex[:6]}"
    admin = _engine(postgres.url())
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "load_template"'))
    admin.dispose()
    private_redis = cluster.PrivateRedis()
    private_redis.start()
    env = {
        "CONFIDE_DATABASE_URL": postgres.url(database),
        "CONFIDE_REDIS_URL": private_redis.url,
        "CONFIDE_KEK": kek,
        "CONFIDE_REVIEW_RATE": "0",
        "HF_HUB_OFFLINE": "1",
    }
    (root / database).mkdir()
    confide = cluster.Confide(root / database / "data", env)
    engine = _engine(postgres.url(database))
    running = Stack(confide, private_redis, engine, database)
    try:
        confide.start_server()
        for _ in range(workers):
            confide.start_worker()
        running.wait_workers(workers)
        yield running
    finally:
        confide.stop()
        private_redis.stop()
        engine.dispose()


def ask(url: str, token: str, clip: bytes) -> tuple[str, float]:
    """One utterance outside locust (warm-up, backlog): its final status and when it came."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=60) as client:
        sent = client.post(
            "/api/utterances",
            content=clip,
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex, "Content-Type": "audio/wav"},
        )
        sent.raise_for_status()
        status = sent.json()
        while status["status"] not in ("answered", "failed"):
            polled = client.get(f"/api/utterances/{status['id']}?wait=30", headers=headers)
            polled.raise_for_status()
            status = polled.json()
    return status["status"], time.perf_counter()


def backlog(running: Stack, tokens: list[str], clips: list[bytes], count: int) -> dict[str, float]:
    """Answers per second draining `count` utterances sent at once, and the workers' CPU seconds
    per answer meanwhile."""
    url = running.confide.url
    before = running.probe()
    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        done = list(pool.map(lambda n: ask(url, tokens[n], clips[n % len(clips)]), range(count)))
    if any(status != "answered" for status, _ in done):
        raise RuntimeError(f"backlog not all answered: {[status for status, _ in done]}")
    after = running.probe()
    return {
        "answers_per_second": count / (max(finished for _, finished in done) - started),
        "worker_cpu_per_answer": (after["workers_cpu"] - before["workers_cpu"]) / count,
    }


def locust_run(
    running: Stack,
    devices: int,
    pause: tuple[float, float],
    seconds: int,
    tokens_file: Path,
    clips_dir: Path,
) -> dict[str, Any]:
    out = tokens_file.parent / f"outcomes-{uuid.uuid4().hex[:6]}.json"
    env = {
        **os.environ,
        "LOAD_TOKENS": str(tokens_file),
        "LOAD_CLIPS": str(clips_dir),
        "LOAD_PAUSE": f"{pause[0]},{pause[1]}",
        "LOAD_OUT": str(out),
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(devices), "-r", str(max(1, devices // 2)), "--run-time", f"{seconds}s",
        "--host", running.confide.url, "--only-summary", "--stop-timeout", "0",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    before = running.probe()
    locust_before = _children_cpu()
    subprocess.run(
        command,
        env=env,
        timeout=seconds + 120,
        check=False,  # locust exits 1 when a request failed: counted from the outcomes
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    after = running.probe()
    locust_cpu = (_children_cpu() - locust_before) / (after["time"] - before["time"])
    recorded = json.loads(out.read_text())
    return measured(
        recorded,
        before,
        after,
        devices=devices,
        pause=pause,
        seconds=seconds,
        locust_cpu_share=locust_cpu,
    )


def _children_cpu() -> float:
    """CPU seconds of the children waited for so far: locust's, once its run is over."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(
    recorded: dict[str, Any],
    before: dict[str, float],
    after: dict[str, float],
    **plan: Any,
) -> dict[str, Any]:
    outcomes = recorded["outcomes"]
    latencies = [o["seconds"] for o in outcomes if o["outcome"] == "answered"]
    errors = [o["detail"] or o["outcome"] for o in outcomes if o["outcome"] != "answered"]
    cut_off = recorded["cut_off"]
    return {
        **plan,
        "answers": len(latencies),
        "answers_per_second": len(latencies) / plan["seconds"],
        "p50": percentile(latencies, 0.50) if latencies else None,
        "p95": percentile(latencies, 0.95) if latencies else None,
        "p99": percentile(latencies, 0.99) if latencies else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "cut_off": len(cut_off),
        "oldest_cut_off_seconds": (time.time() - min(cut_off)) if cut_off else 0.0,
        **rates(before, after),
    }


def rates(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    wall = after["time"] - before["time"]
    return {
        "wall_seconds": wall,
        "commits_per_second": (after["commits"] - before["commits"]) / wall,
        "redis_commands_per_second": (after["redis_commands"] - before["redis_commands"]) / wall,
        "server_cpu_share": (after["server_cpu"] - before["server_cpu"]) / wall,
        "workers_cpu_share": (after["workers_cpu"] - before["workers_cpu"]) / wall,
    }


def idle(running: Stack, seconds: int) -> dict[str, float]:
    """The load with nothing to answer: the workers' heartbeats, sweeps and queue polling."""
    running.wait_idle()
    before = running.probe()
    time.sleep(seconds)
    return rates(before, running.probe())


def configuration(
    postgres: cluster.PrivatePostgres,
    workers: int,
    plan: Plan,
    kek: str,
    tokens: list[str],
    clips_dir: Path,
    root: Path,
) -> dict[str, Any]:
    clips = [path.read_bytes() for path in sorted(clips_dir.glob("*.wav"))]
    tokens_file = root / "tokens.json"
    results: dict[str, Any] = {}
    with stack(postgres, workers, kek, root) as running:
        url = running.confide.url
        with ThreadPoolExecutor(2 * workers) as pool:  # each worker loads its models once
            list(pool.map(lambda n: ask(url, tokens[n], clips[0]), range(2 * workers)))
        print(f"{workers} worker(s) up and warm", flush=True)
        results["idle"] = idle(running, plan.idle_seconds)
        *smaller, largest = plan.devices
        for devices in smaller:
            running.wait_idle()
            results[str(devices)] = locust_run(
                running, devices, plan.pause, plan.run_seconds, tokens_file, clips_dir
            )
        running.wait_idle()
        results["backlog"] = backlog(running, tokens, clips, plan.backlog)
        running.wait_idle()
        results["saturation"] = locust_run(
            running,
            plan.saturation_devices,
            plan.saturation_pause,
            plan.saturation_seconds,
            tokens_file,
            clips_dir,
        )
        running.wait_idle()  # last: what it leaves queued goes with this configuration
        results[str(largest)] = locust_run(
            running, largest, plan.pause, plan.run_seconds, tokens_file, clips_dir
        )
    return results


def projection(runs: dict[int, dict[str, Any]], plan: Plan) -> dict[str, Any]:
    """Cores and machines for a million devices at ten requests a day, from measured costs: a
    worker's CPU per answer draining the backlog alone; the server's CPU, PostgreSQL commits
    and Redis commands per answer over the idle baseline, with the target's device count on two
    workers (the issue's configuration); and what each idle worker process costs regardless."""
    reference = 2 if 2 in runs else min(runs)
    realistic = runs[reference][str(plan.target_devices)]
    baseline = runs[reference]["idle"]
    answered = max(1, realistic["answers"])

    def per_answer(key: str) -> float:
        return max(0.0, realistic[key] - baseline[key]) * realistic["wall_seconds"] / answered

    worker_cpu = runs[min(runs)]["backlog"]["worker_cpu_per_answer"]
    server_cpu = per_answer("server_cpu_share")
    mean = MILLION * PER_DAY / 86_400
    peak = mean * PEAK_TO_MEAN
    worker_cores = peak * worker_cpu / UTILISATION
    server_cores = peak * server_cpu / UTILISATION
    processes = math.ceil(worker_cores)
    return {
        "mean_per_second": mean,
        "peak_to_mean": PEAK_TO_MEAN,
        "peak_per_second": peak,
        "utilisation": UTILISATION,
        "worker_cpu_seconds_per_answer": worker_cpu,
        "server_cpu_seconds_per_answer": server_cpu,
        "worker_cores": worker_cores,
        "server_cores": server_cores,
        "machine_cores": MACHINE_CORES,
        "machines": math.ceil((worker_cores + server_cores) / MACHINE_CORES),
        "commits_per_answer": per_answer("commits_per_second"),
        "idle_commits_per_second_per_worker": baseline["commits_per_second"] / reference,
        "redis_commands_per_answer": per_answer("redis_commands_per_second"),
        "idle_redis_commands_per_second_per_worker": (
            baseline["redis_commands_per_second"] / reference
        ),
        "commits_per_second_at_peak": peak * per_answer("commits_per_second")
        + processes * baseline["commits_per_second"] / reference,
        "redis_commands_per_second_at_peak": peak * per_answer("redis_commands_per_second")
        + processes * baseline["redis_commands_per_second"] / reference,
    }


def plot(runs: dict[int, dict[str, Any]], plan: Plan) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    figure, (latency, rate, capacity) = plt.subplots(1, 3, figsize=(15, 4.5))
    for workers, results in sorted(runs.items()):
        realistic = [results[str(devices)] for devices in plan.devices]
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        latency.plot(plan.devices, [r["p95"] or math.nan for r in realistic], "o-", label=label)
        rate.plot(plan.devices, [r["answers_per_second"] for r in realistic], "o-", label=label)
    workers = sorted(runs)
    measured_capacity = [runs[w]["saturation"]["answers_per_second"] for w in workers]
    capacity.plot(workers, measured_capacity, "o-", label="saturation run")
    capacity.plot(
        workers,
        [runs[w]["backlog"]["answers_per_second"] for w in workers],
        "s-",
        label="backlog drained",
    )
    one = runs[workers[0]]["backlog"]["answers_per_second"] / workers[0]
    capacity.plot(workers, [one * w for w in workers], "k:", label="linear (anchor)")
    latency.axhline(2.0, color="grey", linestyle="--", label="target p95 ≤ 2 s")
    for axes, title, ylabel in [
        (latency, "p95 upload → answer", "seconds (log)"),
        (rate, "answers per second", "answers/s"),
    ]:
        axes.set_xscale("log")
        axes.set_xticks(plan.devices, [str(d) for d in plan.devices])
        axes.set_xlabel(f"devices (a pause of {plan.pause[0]:g}-{plan.pause[1]:g} s)")
        axes.set_title(title)
        axes.set_ylabel(ylabel)
        axes.legend()
    latency.set_yscale("log")
    latency.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    for axis in (latency.xaxis, latency.yaxis, rate.xaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    capacity.set_xticks(workers)
    capacity.set_xlabel("worker processes")
    capacity.set_ylabel("answers/s")
    capacity.set_title("capacity")
    capacity.legend()
    figure.suptitle(f"Confide on the scale stack, {os.cpu_count()} cores shared by everything")
    figure.tight_layout()
    figure.savefig(PLOT, dpi=90)
    plt.close(figure)


def _engine(url: str) -> Engine:
    return create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def report(
    runs: dict[int, dict[str, Any]], plan: Plan, elapsed: float, *, quick: bool, load_average: float
) -> None:
    rows = []
    for workers, results in sorted(runs.items()):
        pause = f"{plan.pause[0]:g}-{plan.pause[1]:g} s"
        kinds = [
            ("idle", "0", "idle"),
            *((str(d), f"{d}", pause) for d in plan.devices),
            ("saturation", f"{plan.saturation_devices}", "saturation"),
        ]
        for key, devices, pauses in kinds:
            r = {"answers": 0, "answers_per_second": 0.0, "errors": 0, "cut_off": 0} | results[key]
            target = "≤ 2 s, 0 errors" if (workers, key) == (2, str(plan.target_devices)) else ""
            rows.append(
                [
                    workers, devices, pauses, r["answers"], f"{r['answers_per_second']:.2f}",
                    _seconds(r.get("p50")), _seconds(r.get("p95")), _seconds(r.get("p99")),
                    r["errors"], r["cut_off"], f"{r['commits_per_second']:.0f}",
                    f"{r['redis_commands_per_second']:.0f}",
                    f"{r['server_cpu_share']:.0%} / {r['workers_cpu_share']:.0%} / "
                    f"{r.get('locust_cpu_share', 0):.0%}", target,
                ]
            )  # fmt: skip
    drained = {w: runs[w]["backlog"]["answers_per_second"] for w in sorted(runs)}
    ratio = drained[2] / drained[1] if {1, 2} <= drained.keys() else None
    projected = projection(runs, plan)
    p = projected
    mean_pause = sum(plan.pause) / 2
    offered = ", ".join(f"{d:,}: {d / mean_pause:.2g}/s" for d in plan.devices)
    notes = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {elapsed / 60:.0f} min, "
        f"by `benchmarks/load.py`{' --quick' if quick else ''}. Everything on "
        f"{os.cpu_count()} cores: PostgreSQL, Redis, the server, the workers and locust. "
        f"Each run {plan.run_seconds} s (saturation {plan.saturation_seconds} s); a device "
        f"uploads one of {len(COMMANDS)} synthesised commands (1.5 to 3 s), long-polls the "
        f"answer, then pauses; at a mean pause of {mean_pause:g} s, n devices offer about "
        f"n / {mean_pause:g} utterances a second ({offered}), far above the ten a day of the "
        "projection below. Latency: upload start to answer. Errors: refusals, transport errors "
        "and failed interactions. Cut off: utterances still waiting when the run ended (not in "
        "the percentiles). Load: PostgreSQL commits/s, Redis commands/s, CPU of the server / all "
        "workers / locust (100% = one core). "
        f"The load average was {load_average:.2f} on {os.cpu_count()} cores as measuring "
        "began; the machine is shared with other work.",
        "",
        f"Backlog of {plan.backlog} sent at once and drained: "
        + ", ".join(f"{w} worker(s) {rate:.2f} answers/s" for w, rate in drained.items())
        + (
            f". Throughput 2 workers vs 1: **{ratio:.2f}x** (target ≥ 1.7x; linear is 2x)."
            if ratio
            else "."
        ),
        f"Each worker runs Whisper on one CTranslate2 thread (`load_recognizer()` defaults to "
        f"cpu_threads=1; no setting changes it) with OpenBLAS held to one thread too, so workers "
        f"do not fight over threads; but here "
        f"{os.cpu_count()} cores carry the workers, the server, PostgreSQL, Redis and locust at "
        "once, so a second worker gets only what the first leaves of the cores: the ratio is "
        "this machine's ceiling, not the design's, which wants a core per worker.",
        "",
        "![p95 and answers per second against devices; capacity against workers](load.png)",
        "",
        f"Projection for {MILLION:,} devices at {PER_DAY} requests a day: "
        f"{MILLION:,} x {PER_DAY} / 86,400 s = {p['mean_per_second']:.0f} answers/s on average; "
        f"x {PEAK_TO_MEAN:g} (peak-to-mean: the busiest hour of a day crowded into waking hours) "
        f"= {p['peak_per_second']:.0f}/s. Measured per answer: a worker "
        f"{p['worker_cpu_seconds_per_answer']:.2f} CPU-s (the backlog drained by one worker), "
        f"the server {p['server_cpu_seconds_per_answer']:.3f} CPU-s over its idle baseline "
        f"(upload, sealing, long-polls), {p['commits_per_answer']:.0f} PostgreSQL commits and "
        f"{p['redis_commands_per_answer']:.0f} Redis commands; an idle worker process costs "
        f"{p['idle_commits_per_second_per_worker']:.1f} commits/s and "
        f"{p['idle_redis_commands_per_second_per_worker']:.0f} Redis commands/s (heartbeat, "
        f"sweep, queue polling). At {UTILISATION:.0%} utilisation: "
        f"{p['peak_per_second']:.0f} x {p['worker_cpu_seconds_per_answer']:.2f} / {UTILISATION}"
        f" = {p['worker_cores']:.0f} worker cores (one worker process each, Whisper on one "
        f"thread) and {p['peak_per_second']:.0f} x {p['server_cpu_seconds_per_answer']:.3f} / "
        f"{UTILISATION} = {p['server_cores']:.0f} server cores: **{p['machines']} machines of "
        f"{MACHINE_CORES} cores**. The shared services at the peak: PostgreSQL "
        f"{p['peak_per_second']:.0f} x {p['commits_per_answer']:.0f} + "
        f"{math.ceil(p['worker_cores'])} x {p['idle_commits_per_second_per_worker']:.1f} = "
        f"{p['commits_per_second_at_peak']:,.0f} commits/s (measured with fsync off), Redis "
        f"{p['redis_commands_per_second_at_peak']:,.0f} commands/s.",
    ]
    write(
        "load",
        "Load: simulated devices on the scale stack (PostgreSQL, Redis, server, workers)",
        [
            "workers", "devices", "pause", "answers", "answers/s", "p50", "p95", "p99",
            "errors", "cut off", "PG commits/s", "Redis cmds/s", "CPU server / workers / locust",
            "target",
        ],
        rows,
        "\n".join(notes),
        {
            "plan": asdict(plan),
            "runs": {str(w): r for w, r in runs.items()},
            "backlog_answers_per_second": {str(w): r for w, r in drained.items()},
            "ratio_2_vs_1": ratio,
            "projection": projected,
            "seconds": elapsed,
            "load_average_at_start": load_average,
        },
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="A smoke run of a few devices.")
    parser.add_argument("--workers", type=int, nargs="+", help="Worker counts (default 1 2 4).")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.workers:
        plan = replace(plan, workers=tuple(args.workers))
    if importlib.util.find_spec("locust") is None:
        sys.exit("the load benchmark needs locust: make install-eval (the `load` extra)")
    missing = cluster.postgres_tools_missing()
    if missing:
        sys.exit(f"the load benchmark needs a private PostgreSQL: {missing}")
    started, load_average = time.monotonic(), os.getloadavg()[0]
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    runs: dict[int, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="confide-load-") as folder,
        cluster.private_postgres() as postgres,
    ):
        root = Path(folder)
        clips_dir = root / "clips"
        clips_dir.mkdir()
        speech(clips_dir)
        tokens = paired_template(postgres, max(plan.devices), kek)
        (root / "tokens.json").write_text(json.dumps(tokens))
        print(f"{len(tokens)} devices paired", flush=True)
        for workers in plan.workers:
            runs[workers] = configuration(postgres, workers, plan, kek, tokens, clips_dir, root)
            print(f"{workers} worker(s): {json.dumps(runs[workers], default=str)}", flush=True)
    plot(runs, plan)
    report(runs, plan, time.monotonic() - started, quick=args.quick, load_average=load_average)


if __name__ == "__main__":
    main()
