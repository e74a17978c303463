"""A learn run: candidates trained on the reviewed items, measured against production on the
held-out ones, gated, registered with their lineage, promoted or kept out; deleted data never
reaches a promoted model again.

Most cases use a fake component whose quality the test sets (the trainers have tests of their
own)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.audio import Audio
from confide.learn.dataset import DatasetItem
from confide.learn.gate import held_out
from confide.learn.registry import production_versions, training_items
from confide.learn.run import last_run, learn
from confide.store.tables import AuditEvent, ModelVersion

NOW = datetime(2026, 11, 30, 3, 5, tzinfo=UTC)
SILENCE = Audio(np.zeros(1600, dtype=np.int16))


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDE_CACHE_DIR", str(tmp_path / "cache"))


def item(number: int, text: str = "play something", **overrides: Any) -> DatasetItem:
    fields: dict[str, Any] = {
        "id": f"item{number:04d}",
        "interaction_id": f"interaction{number:04d}",
        "subject": "s1",
        "audio": SILENCE,
        "text": text,
        "intent": "PlayMusic",
        "slots": [],
        "hypothesis": {"text": text, "intent": "PlayMusic", "slots": []},
        "slices": {"intent": "PlayMusic", "device": "speaker", "week": "2026-W48"},
        "lineage": {},
        "created_at": NOW,
    }
    return DatasetItem(**{**fields, **overrides})


@dataclass
class FakeDataset:
    pool: list[DatasetItem]
    removed: set[str] = field(default_factory=set)
    """Interactions deleted since."""

    def refresh(self, session, keyring, now) -> int:
        return 0

    def items(self, session, keyring) -> list[tuple[DatasetItem, str]]:
        kept = [i for i in self.pool if i.interaction_id not in self.removed]
        return [(i, f"owner-{i.subject}") for i in kept]


@dataclass
class FakeComponent:
    """A version's quality is what the test says; it remembers what it was trained on."""

    quality: float = 0.9
    snips: float = 0.95
    name: str = "nlu"
    default_quality: float = 0.5
    trained: list[tuple[list[str], dict[str, Any] | None]] = field(default_factory=list)

    def trainable(self, item: DatasetItem) -> bool:
        return item.intent is not None

    def train(self, items: Sequence[DatasetItem], base: Path | None, out: Path) -> None:
        started = json.loads((base / "model.json").read_text()) if base else None
        self.trained.append(([i.id for i in items], started))
        out.mkdir(parents=True)
        (out / "model.json").write_text(json.dumps({"quality": self.quality, "snips": self.snips}))

    def load(self, folder: Path | None) -> FakeModel:
        if folder is None:
            return FakeModel(self.default_quality, 0.95)
        saved = json.loads((folder / "model.json").read_text())
        return FakeModel(saved["quality"], saved["snips"])


@dataclass
class FakeModel:
    quality: float
    snips: float

    def score(self, item: DatasetItem) -> float:
        return self.quality

    def regression(self) -> dict[str, float | None]:
        return {"snips_intent_accuracy": self.snips}


def run(session, keyring, blobs, source, *components, **options):
    return learn(session, keyring, blobs, components, now=NOW, source=source, **options)


def split(items: Sequence[DatasetItem]) -> tuple[list[str], list[str]]:
    train = [i.id for i in items if not held_out(i.id)]
    return train, [i.id for i in items if held_out(i.id)]


ITEMS = [item(n) for n in range(60)]


def test_a_better_candidate_is_trained_on_one_side_measured_on_the_other_and_promoted(
    session, keyring, blobs
):
    component = FakeComponent(quality=0.9)
    outcome = run(session, keyring, blobs, FakeDataset(ITEMS), component)
    train, test = split(ITEMS)
    assert len(train) > 30 and len(test) > 5
    [report] = outcome.candidates
    assert report.to_json().keys() >= {
        "component",
        "version",
        "trained_on",
        "metrics",
        "baseline",
        "promoted",
        "reason",
    }
    assert (report.version, report.trained_on, report.promoted) == ("nlu-0001", len(train), True)
    assert report.baseline["version"] == "default"
    assert report.baseline["score"] == pytest.approx(0.5)
    assert report.metrics["score"] == pytest.approx(0.9) and report.reason.startswith("Promoted")
    assert component.trained == [(train, None)]  # never a held-out item
    assert production_versions(session) == {"nlu": "nlu-0001"}
    row = session.scalar(select(ModelVersion))
    assert row.reason == report.reason and json.loads(row.metrics_json)["held_out_items"] == len(
        test
    )
    assert [r.item_id for r in training_items(session, row)] == sorted(train)
    assert {r.owner_id for r in training_items(session, row)} == {"owner-s1"}
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert actions[-2:] == ["learn_run", "model_promote"]
    assert last_run(session) is not None


@pytest.mark.parametrize(
    ("quality", "snips", "why"),
    [
        (0.5, 0.95, "not better beyond chance"),
        (0.3, 0.95, "not better beyond chance"),
        (0.9, 0.90, "snips_intent_accuracy moved from 0.9500 to 0.9000"),
    ],
    ids=["equal", "worse", "regression-set-drop"],
)
def test_a_candidate_that_is_not_better_is_kept_out(session, keyring, blobs, quality, snips, why):
    outcome = run(
        session, keyring, blobs, FakeDataset(ITEMS), FakeComponent(quality=quality, snips=snips)
    )
    [report] = outcome.candidates
    assert not report.promoted and why in report.reason
    assert production_versions(session) == {}
    row = session.scalar(select(ModelVersion))
    assert (row.status, row.reason) == ("rejected", report.reason)


def test_no_new_reviewed_data_makes_no_candidate_and_new_data_warm_starts(session, keyring, blobs):
    source = FakeDataset(list(ITEMS))
    component = FakeComponent(quality=0.8)
    run(session, keyring, blobs, source, component)
    again = run(session, keyring, blobs, source, component)
    assert again.candidates == [] and again.skipped == {
        "nlu": "no new reviewed data since nlu-0001"
    }
    source.pool += [item(n) for n in range(60, 90)]
    component.quality = 0.9
    [report] = run(session, keyring, blobs, source, component).candidates
    assert report.promoted and report.baseline["version"] == "nlu-0001"
    assert component.trained[-1][1] == {"quality": 0.8, "snips": 0.95}  # warm-started from v1
    second = session.scalar(select(ModelVersion).where(ModelVersion.version == "nlu-0002"))
    first = session.scalar(select(ModelVersion).where(ModelVersion.version == "nlu-0001"))
    assert second.parent == "nlu-0001"
    lineage = {r.item_id for r in training_items(session, second)}
    assert lineage >= {r.item_id for r in training_items(session, first)}
    assert lineage == set(split(source.pool)[0])


def test_after_a_deletion_the_run_retrains_without_the_data_and_never_promotes_the_tainted(
    session, keyring, blobs
):
    source = FakeDataset(list(ITEMS))
    component = FakeComponent(quality=0.8)
    run(session, keyring, blobs, source, component)
    first = session.scalar(select(ModelVersion))
    gone = split(ITEMS)[0][0]
    source.removed.add(gone.replace("item", "interaction"))
    first.tainted_at = NOW  # as the deletion hook marks it
    session.commit()
    component.quality = 0.9
    [report] = run(session, keyring, blobs, source, component).candidates
    assert report.promoted and report.trained_on == len(split(ITEMS)[0]) - 1
    assert component.trained[-1][1] is None  # started afresh: the tainted weights are not reused
    second = session.scalar(select(ModelVersion).where(ModelVersion.version == "nlu-0002"))
    assert second.parent is None
    assert gone not in {r.item_id for r in training_items(session, second)}
    session.refresh(first)
    assert first.status == "retired"


def test_a_deletion_during_training_keeps_the_candidate_out(session, keyring, blobs):
    class Deleting(FakeComponent):
        """An item it trains on is deleted while it trains: the hook taints it, elsewhere."""

        def load(self, folder: Path | None) -> FakeModel:
            with Session(session.get_bind()) as other:
                for row in other.scalars(select(ModelVersion)):
                    assert training_items(other, row), "the lineage is there to be found"
                    row.tainted_at = NOW
                other.commit()
            return super().load(folder)

    [report] = run(session, keyring, blobs, FakeDataset(ITEMS), Deleting(quality=0.9)).candidates
    assert not report.promoted and "deleted" in report.reason
    assert production_versions(session) == {}


def test_a_failed_training_leaves_a_refused_candidate_and_says_why(session, keyring, blobs):
    class Failing(FakeComponent):
        def train(self, items: Sequence[DatasetItem], base: Path | None, out: Path) -> None:
            raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError):
        run(session, keyring, blobs, FakeDataset(ITEMS), Failing())
    row = session.scalar(select(ModelVersion))
    assert row.status == "rejected" and "out of memory" in row.reason
    assert production_versions(session) == {}


def test_each_component_makes_its_own_candidate(session, keyring, blobs):
    outcome = run(
        session,
        keyring,
        blobs,
        FakeDataset([*ITEMS, item(99, intent=None)]),
        FakeComponent(quality=0.9),
        FakeWer(name="asr"),
    )
    assert [(c.component, c.version, c.promoted) for c in outcome.candidates] == [
        ("nlu", "nlu-0001", True),
        ("asr", "asr-0001", True),
    ]
    assert production_versions(session) == {"nlu": "nlu-0001", "asr": "asr-0001"}


@dataclass
class FakeWer(FakeComponent):
    def trainable(self, item: DatasetItem) -> bool:
        return True

    def load(self, folder: Path | None) -> FakeModel:
        model = super().load(folder)
        return FakeAsrModel(model.quality, 0.08)


@dataclass
class FakeAsrModel(FakeModel):
    def regression(self) -> dict[str, float | None]:
        return {"real_speech_wer": self.snips}


def test_a_second_nightly_run_stands_down(session, keyring, blobs):
    since = NOW - timedelta(hours=20)
    source = FakeDataset(ITEMS)
    first = run(session, keyring, blobs, source, FakeComponent(), once_since=since)
    second = run(session, keyring, blobs, source, FakeComponent(), once_since=since)
    assert len(first.candidates) == 1
    assert second.candidates == [] and "another learn run" in second.skipped["all"]
    manual = run(session, keyring, blobs, source, FakeComponent())
    assert manual.skipped == {"nlu": "no new reviewed data since nlu-0001"}
