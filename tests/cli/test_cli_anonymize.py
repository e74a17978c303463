"""`confide anonymize IN.wav OUT.wav [--seed N]`: the reviewer's version of a recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from confide.audio import read_audio, write_wav
from confide.cli import app
from confide.demo.recordings import Speaker

runner = CliRunner()


@pytest.fixture
def recording(tmp_path: Path, speech: Speaker) -> Path:
    path = tmp_path / "in.wav"
    write_wav(path, speech("turn off the lights in the living room", "heart", 1.0))
    return path


def anonymise(source: Path, out: Path, *seed: str) -> np.ndarray:
    result = runner.invoke(app, ["anonymize", str(source), str(out), *seed])
    assert result.exit_code == 0, result.stderr
    return read_audio(out).samples


@pytest.mark.parametrize(("first", "second", "same"), [("5", "5", True), ("5", "6", False)])
def test_a_seed_fixes_the_voice(
    recording: Path, tmp_path: Path, first: str, second: str, same: bool
) -> None:
    a = anonymise(recording, tmp_path / "a.wav", "--seed", first)
    b = anonymise(recording, tmp_path / "b.wav", "--seed", second)
    assert len(a) == len(b) == len(read_audio(recording).samples)
    assert np.array_equal(a, b) is same


def test_without_a_seed_each_run_is_a_new_voice(recording: Path, tmp_path: Path) -> None:
    a = anonymise(recording, tmp_path / "a.wav")
    b = anonymise(recording, tmp_path / "b.wav")
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, read_audio(recording).samples)


@pytest.mark.parametrize(
    ("content", "out", "reason"),
    [
        (None, "out.wav", "no such file"),
        (b"", "out.wav", "empty"),
        (b"just some text, not audio", "out.wav", "not WAV"),
        (b"RIFF\x00\x00", "out.wav", "damaged"),
        (b"ok", "missing/out.wav", "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    recording: Path, tmp_path: Path, content: bytes | None, out: str, reason: str
) -> None:
    source = tmp_path / "bad.wav"
    if content == b"ok":
        source = recording
    elif content is not None:
        source.write_bytes(content)
    result = runner.invoke(app, ["anonymize", str(source), str(tmp_path / out)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert reason in result.stderr
    assert not (tmp_path / out).exists()
