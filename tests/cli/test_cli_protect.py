"""`confide redact`: one JSON line per stdin line, offsets in the input, empty lines kept."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from confide.cli import app

runner = CliRunner()


def redact(stdin: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["redact"], input=stdin)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("line", "text", "spans"),
    [
        (
            "call five five five one two three four",
            "call [PHONE]",
            [("five five five one two three four", "PHONE")],
        ),
        (
            "my name is john smith and my card is 4111 1111 1111 1111",
            "my name is [PERSON] and my card is [CREDIT_CARD]",
            [("john smith", "PERSON"), ("4111 1111 1111 1111", "CREDIT_CARD")],
        ),
        ("set a timer for ten minutes", "set a timer for ten minutes", []),
        ("", "", []),
    ],
)
def test_redacts_one_line(line: str, text: str, spans: list[tuple[str, str]]) -> None:
    [out] = redact(line + "\n")
    assert set(out) == {"text", "spans"}
    assert out["text"] == text
    found = out["spans"]
    assert isinstance(found, list)
    assert [(line[s["start"] : s["end"]], s["type"]) for s in found] == spans
    assert all(set(s) == {"start", "end", "type", "score"} for s in found)


def test_one_json_object_per_line_in_order() -> None:
    lines = [
        "email j smith at example dot co dot uk",
        "",
        "play track four",
        "i live at 12 Elm Street",
    ]
    out = redact("\n".join(lines) + "\n")
    assert [line["text"] for line in out] == [
        "email [EMAIL]",
        "",
        "play track four",
        "i live at [ADDRESS]",
    ]


def redact_as(intent: str, lines: list[str]) -> list[dict[str, object]]:
    """`confide redact --intent INTENT` on `lines` (it understands them with the default model)."""
    result = runner.invoke(app, ["redact", "--intent", intent], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("intent", "line", "text"),
    [
        ("PlayMusic", "play something by taylor swift", "play something by taylor swift"),
        (
            "PlayMusic",
            "play music by ed sheeran in the kitchen",
            "play music by ed sheeran in the kitchen",
        ),
        (
            "PlayMusic",
            "play taylor swift and call me on five five five one two three four",
            "play taylor swift and call me on [PHONE]",
        ),
        (
            "AddToPlaylist",
            "add bruno mars to my road trip playlist",
            "add bruno mars to my road trip playlist",
        ),
        (
            "AddToList",
            "add call maria lopez to my to do list",
            "add [PRIVATE] to my to do list",
        ),
        ("PlayMusic", "", ""),
    ],
)
def test_with_an_intent_public_names_stay_and_private_ones_go(
    intent: str, line: str, text: str
) -> None:
    [out] = redact_as(intent, [line])
    assert out["text"] == text
    spans = out["spans"]
    assert isinstance(spans, list)
    assert all(line[s["start"] : s["end"]] not in text for s in spans)


def test_without_an_intent_the_policy_does_not_apply() -> None:
    """The plain command stays as it was: it knows nothing of what was asked."""
    [out] = redact("play something by taylor swift\n")
    assert out["text"] == "play something by [PERSON]"


def test_an_unknown_intent_is_refused() -> None:
    result = runner.invoke(app, ["redact", "--intent", "OrderPizza"], input="hello\n")
    assert result.exit_code == 2
    assert "OrderPizza" in result.stderr and "PlayMusic" in result.stderr
    assert result.stdout == ""
