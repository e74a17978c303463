"""`confide learn run|status|rollback` as DESIGN.md specifies them, and `understand` and
`transcribe` with --data-dir using what the data dir's registry promoted."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from confide.cli import app
from confide.learn.registry import TrainingRef, promote, register
from confide.privacy.consent import set_consent
from confide.review.tasks import Labels, next_task, submit
from confide.service import runtime as runtime_module
from confide.service.runtime import Runtime
from confide.settings import Settings
from confide.store.tables import AuditEvent, StaffMember

runner = CliRunner()
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
CANDIDATE_KEYS = {"component", "version", "trained_on", "metrics", "baseline", "promoted", "reason"}


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDE_CACHE_DIR", str(tmp_path / "cache"))


def use_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[str]:
    """The command line sees the test's KEK and database; returns its --data-dir arguments."""
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    return ["--data-dir", str(settings.data_dir)]


def invoke(*args: str, code: int = 0) -> dict:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.stderr
    return json.loads(result.stdout) if code == 0 and "--json" in args else {}


def test_with_nothing_reviewed_a_run_makes_no_candidate(settings, engine, monkeypatch):
    data_dir = use_settings(monkeypatch, settings)
    result = runner.invoke(app, ["learn", "run", *data_dir, "--json"])
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["candidates"] == []
    assert outcome["skipped"] == {
        "nlu": "no reviewed items to train on",
        "asr": "no reviewed items to train on",
    }
    assert "learn: dataset: 0 reviewed items" in result.stderr
    assert invoke("learn", "status", *data_dir, "--json") == {"production": {}, "history": []}


REVIEWED = 20
"""Reviewed clips, one person's monthly review cap: the gate holds out a quarter of them by a
hash of their random ids, and with 12 none was held out in about one run in thirty, so nothing
could be judged (with 20, about one in three hundred)."""


class Better:
    """A fake NLU trainer whose versions score 0.9 on every item, the default 0.5."""

    name = "nlu"

    def trainable(self, item) -> bool:
        return item.intent is not None

    def train(self, items, base: Path | None, out: Path) -> None:
        out.mkdir(parents=True)
        (out / "model.json").write_text(json.dumps([item.id for item in items]))

    def load(self, folder: Path | None) -> Scored:
        return Scored(0.5 if folder is None else 0.9)


class Scored:
    def __init__(self, score: float) -> None:
        self.value = score

    def score(self, item) -> float:
        return self.value

    def regression(self) -> dict[str, float | None]:
        return {"snips_intent_accuracy": 0.95}


def test_run_status_and_rollback(settings, session, keyring, team, household, queued, monkeypatch):
    """Reviewed clips train a candidate (a fake trainer here: `tests/learn/test_run.py` runs the
    real ones); the better one is promoted, shown, and rolled back, each step audited."""
    data_dir = use_settings(monkeypatch, settings)
    reviewer = session.get(StaffMember, team["rhea"].id)
    for number in range(REVIEWED):
        queued("alice", f"set a timer for {number + 2} minutes")
        labels = Labels(f"set a timer for {number + 2} minutes", "SetTimer", [], rating=5)
        submit(session, keyring, reviewer, next_task(session, reviewer, NOW), labels, NOW)
    for purpose in ("improvement", "human_review"):
        set_consent(session, household.people["alice"].id, purpose, True, actor="alice")
    session.commit()

    @contextmanager
    def opened(settings: Settings) -> Iterator[Runtime]:
        made = Runtime(settings, components_factory=lambda *_: [Better()])
        try:
            yield made
        finally:
            made.close()

    monkeypatch.setattr(runtime_module, "opened", opened)
    outcome = invoke("learn", "run", *data_dir, "--json")
    [candidate] = outcome["candidates"]
    assert set(candidate) == CANDIDATE_KEYS
    assert (candidate["component"], candidate["version"], candidate["promoted"]) == (
        "nlu",
        "nlu-0001",
        True,
    )
    assert candidate["baseline"]["version"] == "default"
    assert 0 < candidate["trained_on"] < REVIEWED
    status = invoke("learn", "status", *data_dir, "--json")
    assert status["production"] == {"nlu": "nlu-0001"}
    [version] = status["history"]
    assert version["status"] == "production" and version["reason"] == candidate["reason"]
    assert version["trained_on"] == candidate["trained_on"]
    rolled = invoke("learn", "rollback", "nlu", *data_dir, "--json")
    assert rolled == {"component": "nlu", "removed": "nlu-0001", "production": "default"}
    assert invoke("learn", "status", *data_dir, "--json")["production"] == {}
    session.expire_all()
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert [a for a in actions if a.startswith(("learn", "model"))] == [
        "learn_run",
        "model_promote",
        "model_rollback",
    ]


@pytest.mark.parametrize(
    ("component", "code", "said"),
    [("wake", 2, "unknown component"), ("asr", 1, "nothing to roll back")],
)
def test_rollback_refusals(settings, engine, monkeypatch, component, code, said):
    data_dir = use_settings(monkeypatch, settings)
    result = runner.invoke(app, ["learn", "rollback", component, *data_dir])
    assert result.exit_code == code
    assert said in result.stderr


def test_understand_with_a_data_dir_uses_its_promoted_model(
    settings, session, blobs, tmp_path, monkeypatch
):
    """A promoted model that knows only two intents answers, not the shipped one."""
    from confide.understand.evaluation import snips_folder, split
    from confide.understand.model import NluModel

    data_dir = use_settings(monkeypatch, settings)
    pool = split(snips_folder(), intents=("BookRestaurant", "RateBook")).small(0, size=30)
    folder = tmp_path / "two-intents"
    NluModel.train(pool).save(folder)
    row = register(
        session, blobs, "nlu", folder, parent=None, trained_on=[TrainingRef("i", "j", "k")], now=NOW
    )
    promote(session, row, reason="test", now=NOW)
    session.commit()
    result = runner.invoke(app, ["understand", *data_dir, "play something by quiet harbors"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["intent"] in {"BookRestaurant", "RateBook"}


def test_transcribe_with_a_data_dir_uses_its_promoted_vocabulary(
    settings, session, blobs, tmp_path, monkeypatch, speech
):
    from confide.learn.components import VOCABULARY_FILE
    from confide.recognize.vocabulary import Vocabulary

    data_dir = use_settings(monkeypatch, settings)
    folder = tmp_path / "asr"
    folder.mkdir()
    Vocabulary(corrections={"timer": "countdown"}).save(folder / VOCABULARY_FILE)
    row = register(
        session, blobs, "asr", folder, parent=None, trained_on=[TrainingRef("i", "j", "k")], now=NOW
    )
    promote(session, row, reason="test", now=NOW)
    session.commit()
    clip = tmp_path / "said.wav"
    clip.write_bytes(speech("set a timer for ten minutes", "joe").to_wav_bytes())
    plain = runner.invoke(app, ["transcribe", str(clip), "--json"])
    adapted = runner.invoke(app, ["transcribe", *data_dir, str(clip), "--json"])
    assert plain.exit_code == adapted.exit_code == 0, adapted.stderr
    assert "timer" in json.loads(plain.stdout)["text"].lower()
    assert "countdown" in json.loads(adapted.stdout)["text"].lower()
