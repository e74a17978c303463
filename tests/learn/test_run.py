"""A learn run: candidates trained on the reviewed items, measured against production on the
held-out ones, gated, registered with their lineage, promoted or kept out; deleted data never
reaches a promoted model again.

Most cases use a fake component whose quality the test sets (the trainers have tests of their
own); the last ones run the real NLU and ASR trainers end to end on a few items."""

from __future__ import annotations

import hashlib
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
from confide.recognize.base import Transcript, Word
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


# The real trainers, end to end on a few items.

NAMES = ("quiet harbors", "velvet comet", "moss lantern", "paper tigress")
PHRASES = ("play something by {}", "play {} in the kitchen", "put on {}", "play music by {}")


def music_items() -> list[DatasetItem]:
    """Requests for artists no model knows; the recogniser mishears each name the same way."""
    made = []
    for number, (name, phrase) in enumerate(
        (name, phrase) for name in NAMES for phrase in PHRASES for _ in range(3)
    ):
        text = phrase.format(name)
        slots = [{"name": "artist", "value": name, "link": f"artist:{name.replace(' ', '-')}"}]
        heard = text.replace(name, MISHEARD[name])
        made.append(
            item(
                number,
                text,
                slots=slots,
                audio=spoken(number),
                hypothesis={"text": heard, "intent": "PlayMusic", "slots": []},
                slices={"intent": "PlayMusic", "device": "speaker", "week": "2026-W48"},
            )
        )
    return made


MISHEARD = {
    "quiet harbors": "quite harbours",
    "velvet comet": "velvet comment",
    "moss lantern": "moss lanterns",
    "paper tigress": "paper tigers",
}


def spoken(number: int) -> Audio:
    """A distinct clip per item, so the fake recogniser can tell them apart."""
    samples = np.zeros(1600 + number, dtype=np.int16)
    return Audio(samples)


class Mishearing:
    """Stands in for Whisper: hears each clip as production did (the items' hypotheses)."""

    name = "scripted"

    def __init__(self, heard: dict[str, str]) -> None:
        self.heard = heard

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        text = self.heard.get(_digest(audio), "")
        words = [Word(w, i * 0.3, i * 0.3 + 0.2, 0.9) for i, w in enumerate(text.split())]
        return Transcript(text, words, self.name, audio.seconds, 0.0)


def _digest(audio: Audio) -> str:
    return hashlib.sha256(audio.samples.tobytes()).hexdigest()


def test_the_real_asr_trainer_learns_recurring_corrections_and_is_promoted(
    session, keyring, blobs, monkeypatch
):
    from confide.learn import components
    from confide.learn.components import AsrComponent

    items = music_items()
    real = Audio(np.ones(3200, dtype=np.int16))
    heard = {_digest(i.audio): i.hypothesis["text"] for i in items}
    heard[_digest(real)] = "ever tried ever failed"
    monkeypatch.setattr(components, "real_speech", lambda: [(real, "Ever tried. Ever failed.")])
    recognizer = Mishearing(heard)
    component = AsrComponent(lambda: recognizer, names=list(NAMES))
    [report] = run(session, keyring, blobs, FakeDataset(items), component).candidates
    assert report.promoted, report.reason
    assert report.metrics["score"] > report.baseline["score"]
    assert report.metrics["real_speech_wer"] == report.baseline["real_speech_wer"] == 0.0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a minute: one database
def test_the_real_nlu_trainer_is_warm_started_measured_and_registered(
    session, keyring, blobs, tmp_path
):
    """The NLU trainer on a small shipped model (the full one takes ten minutes to build):
    production is that model; the run refines it with the reviewed requests."""
    from confide.learn.components import NluComponent
    from confide.learn.registry import TrainingRef, promote, register
    from confide.understand.evaluation import snips_folder
    from confide.understand.evaluation import split as snips_split
    from confide.understand.model import NluModel

    shipped = snips_split(snips_folder()).small(0, size=20)
    base = tmp_path / "base"
    NluModel.train(shipped).save(base)
    start = register(
        session, blobs, "nlu", base, parent=None, trained_on=[TrainingRef("x", "y", "z")], now=NOW
    )
    promote(session, start, reason="the shipped model", now=NOW)
    session.commit()
    component = NluComponent(added=[], shipped=shipped)
    [report] = run(session, keyring, blobs, FakeDataset(music_items()), component).candidates
    assert report.version == "nlu-0002" and report.baseline["version"] == "nlu-0001"
    assert "snips_intent_accuracy" in report.metrics
    assert report.reason.startswith(("Promoted", "Refused"))
    row = session.scalar(select(ModelVersion).where(ModelVersion.version == "nlu-0002"))
    assert row.parent == "nlu-0001"
    assert report.metrics["score"] >= report.baseline["score"]
