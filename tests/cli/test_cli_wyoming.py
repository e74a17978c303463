"""`confide wyoming`: what it refuses, and a real server process that Home Assistant's client
can describe and that stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner
from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info

from confide.cli import app
from confide_cluster import free_port, wait_for_port

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "env", "code", "says"),
    [
        (["--uri", "http://127.0.0.1:1"], {}, 2, "Only 'stdio://', 'unix://', or 'tcp://'"),
        (["--uri", "tcp://127.0.0.1:1", "--wake-word", "hey_siri"], {}, 2, "unknown wake word"),
        (
            ["--uri", "tcp://127.0.0.1:1"],
            {"CONFIDE_DEVICE_TOKEN": "not-a-token"},
            1,
            "unknown or revoked device token",
        ),
    ],
)
def test_refusals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict,
    code: int,
    says: str,
) -> None:
    monkeypatch.setenv("CONFIDE_DEV", "1")
    monkeypatch.delenv("CONFIDE_DEVICE_TOKEN", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["wyoming", "--data-dir", str(tmp_path), *args])
    assert result.exit_code == code, result.output
    assert says in result.output


def test_a_server_process_describes_itself_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONFIDE_DEV": "1", "HF_HUB_OFFLINE": "1"}
    env.pop("CONFIDE_DEVICE_TOKEN", None)
    command = [sys.executable, "-m", "confide", "wyoming", "--uri", f"tcp://127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path)], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_port(port, process=process)

        async def describe() -> Info:
            async with AsyncTcpClient("127.0.0.1", port) as client:
                await client.write_event(Describe().event())
                event = await asyncio.wait_for(client.read_event(), 60)
                assert event is not None
                return Info.from_event(event)

        info = asyncio.run(describe())
        assert [p.name for p in info.asr] == ["confide-asr"]
        assert not info.handle[0].installed  # no device token: no one to answer for
        process.send_signal(signal.SIGTERM)
        _, said = process.communicate(timeout=20)
        assert process.returncode == 0, said
        assert "nothing heard is stored" in said
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
