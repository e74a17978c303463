"""`confide nlu train`, `confide nlu eval` and `confide understand`: JSON lines and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confide.cli import app
from confide.understand.default import training_files

runner = CliRunner()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nlu") / "model"
    files = [str(p) for p in training_files() if p.parent.name == "confide"]
    result = runner.invoke(app, ["nlu", "train", *files, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "trained on" in result.stderr
    return out


def understand(model_dir: Path, *args: str, stdin: str | None = None) -> list[dict[str, object]]:
    result = runner.invoke(
        app, ["understand", "--model", str(model_dir), "--today", "2026-11-23", *args], input=stdin
    )
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_play_music_with_a_linked_artist(model_dir: Path) -> None:
    text = "play the last track from beyonce off spotify"
    [line] = understand(model_dir, text)
    assert set(line) == {"text", "intent", "confidence", "slots"}
    assert (line["text"], line["intent"]) == (text, "PlayMusic")
    slots = {s["name"]: s for s in line["slots"]}  # type: ignore[attr-defined]
    assert {name: s["value"] for name, s in slots.items()} == {
        "sort": "last",
        "music_item": "track",
        "artist": "beyonce",
        "service": "spotify",
    }
    assert slots["artist"]["link"] == {"id": "artist:beyonce", "score": 1.0}
    assert (slots["artist"]["start"], slots["artist"]["end"]) == (25, 32)


def test_privacy_command(model_dir: Path) -> None:
    [line] = understand(model_dir, "delete what i just said")
    assert (line["intent"], line["slots"]) == ("DeleteLastUtterance", [])


def test_one_line_per_stdin_line_and_empty_lines_understood_as_nothing(model_dir: Path) -> None:
    lines = understand(model_dir, stdin="set a timer for twenty five minutes\n\nstop\n")
    assert [line["intent"] for line in lines] == ["SetTimer", None, "Stop"]
    assert lines[1] == {"text": "", "intent": None, "confidence": 0.0, "slots": []}
    [duration] = lines[0]["slots"]  # type: ignore[misc]
    assert duration["normalized"] == "PT25M"


def test_catalog_additions_in_the_data_dir(model_dir: Path, tmp_path: Path) -> None:
    entry = {"id": "artist:quiet-harbours", "kind": "artist", "name": "Quiet Harbours"}
    (tmp_path / "catalog.jsonl").write_text(json.dumps(entry) + "\n")
    [line] = understand(model_dir, "play something by quiet harbors", "--data-dir", str(tmp_path))
    [artist] = line["slots"]  # type: ignore[misc]
    assert artist["link"]["id"] == "artist:quiet-harbours"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"X": [{"data": [{"text": 12, "entity": "a"}]}]}', "train_X.json: X query 1: slot text"),
        ('{"X": [', "train_X.json: not JSON: Expecting value at line 1 column 8"),
    ],
)
def test_malformed_training_file_exits_2(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "train_X.json"
    path.write_text(content)
    result = runner.invoke(app, ["nlu", "train", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"confide: {says}")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--model", "/nonexistent/model"], "not a Confide NLU model"),
        (["--today", "someday"], "someday"),
    ],
)
def test_bad_understand_options_exit_2(
    model_dir: Path, args: list[str], says: str, tmp_path: Path
) -> None:
    full = ["understand", "--model", str(model_dir), "--data-dir", str(tmp_path), *args, "hi"]
    result = runner.invoke(app, full)
    assert result.exit_code == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_eval_prints_the_table(tmp_path: Path) -> None:
    intents = (
        "AddToPlaylist",
        "BookRestaurant",
        "GetWeather",
        "PlayMusic",
        "RateBook",
        "SearchCreativeWork",
        "SearchScreeningEvent",
    )
    for number, intent in enumerate(intents):
        queries = [
            {"data": [{"text": f"verb{number} the "}, {"text": f"thing {i}", "entity": "thing"}]}
            for i in range(10)
        ]
        for suffix in ("", "_full"):
            (tmp_path / f"train_{intent}{suffix}.json").write_text(json.dumps({intent: queries}))
    result = runner.invoke(app, ["nlu", "eval", "--data", str(tmp_path), "--draws", "0"])
    assert result.exit_code == 0, result.stderr
    assert "Snips NLU, ~2,000 queries" in result.stdout
    assert "Confide, full training data, recogniser-style text" in result.stdout
