"""One learn run: refresh the dataset, train a candidate per component from the reviewed items,
measure it against production, let the gate decide, and register (and maybe promote) it.

Per component:
- The dataset is split once, by item id (`gate.held_out`): candidates train on one side, the
  gate compares on the other.
- No new reviewed data since the newest version (its lineage already holds every training item,
  and it is not tainted) makes no candidate: retraining would change nothing.
- A candidate is warm-started from production, unless production is tainted (trained on data
  since deleted): then it starts from the shipped default, so the deleted data reaches it by no
  path, and its lineage holds only items that still exist.
- Training runs in a temporary folder; the version's files are archived into the blob store;
  its lineage (`ModelTrainingItem`) names every item whose data reached it.

Nothing here runs on the answer path: `confide learn run` and the worker's nightly job call it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from confide.learn import dataset
from confide.learn.dataset import DatasetItem
from confide.learn.gate import Evidence, decide, held_out
from confide.learn.registry import (
    SYSTEM,
    Actor,
    TrainingRef,
    begin,
    history,
    production,
    promote,
    record_decision,
    reject,
    store,
    training_items,
    unpack,
)
from confide.privacy.audit import Access, append
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.tables import AuditEvent, ModelVersion
from confide.store.tables import DatasetItem as ItemRow

Progress = Callable[[str], None]
LEARN_RUN = "learn_run"
"""The audit action that records the start of a learn run."""


class Model(Protocol):
    """A trained version (or the shipped default), as the gate measures it."""

    def score(self, item: DatasetItem) -> float:
        """How well it did on one reviewed item, from 0 to 1."""
        ...

    def regression(self) -> dict[str, float | None]:
        """Its figures on the component's fixed regression sets; None where one cannot run."""
        ...


class Component(Protocol):
    name: str

    def trainable(self, item: DatasetItem) -> bool:
        """Whether the item teaches this component anything."""
        ...

    def train(self, items: Sequence[DatasetItem], base: Path | None, out: Path) -> None:
        """Write a version folder to `out`, warm-started from `base` (production's folder)."""
        ...

    def load(self, folder: Path | None) -> Model:
        """The version in `folder`; None for the shipped default."""
        ...


class Dataset(Protocol):
    """Where a run's items come from: the reviewed dataset (`confide.learn.dataset`), or a
    fake in tests."""

    def refresh(self, session: Session, keyring: KeyRing, now: datetime) -> int:
        """Bring the dataset up to date; how many items it added."""
        ...

    def items(self, session: Session, keyring: KeyRing) -> list[tuple[DatasetItem, str]]:
        """Every current item, with its owner's id (for the lineage, never for training)."""
        ...


class ReviewedDataset:
    """The dataset of reviewed, consented clips."""

    def refresh(self, session: Session, keyring: KeyRing, now: datetime) -> int:
        return dataset.refresh(session, keyring, now)

    def items(self, session: Session, keyring: KeyRing) -> list[tuple[DatasetItem, str]]:
        owners: dict[str, str] = {
            item_id: owner
            for item_id, owner in session.execute(select(ItemRow.id, ItemRow.owner_id))
        }
        return [
            (item, owners[item.id])
            for item in dataset.current_items(session, keyring)
            if item.id in owners
        ]


@dataclass(frozen=True)
class CandidateReport:
    """One candidate, as `confide learn run --json` prints it."""

    component: str
    version: str
    trained_on: int
    """Dataset items it trained on in this run (its lineage may hold its parent's too)."""
    metrics: dict[str, Any]
    """The candidate's figures and the gate's: held-out score, differences, slices, regression."""
    baseline: dict[str, Any]
    """Production's figures on the same sets, and which version that was."""
    promoted: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "version": self.version,
            "trained_on": self.trained_on,
            "metrics": self.metrics,
            "baseline": self.baseline,
            "promoted": self.promoted,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Outcome:
    candidates: list[CandidateReport]
    skipped: dict[str, str] = field(default_factory=dict)
    """Component -> why it made no candidate."""
    added_items: int = 0
    """Dataset items the refresh added."""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "candidates": [candidate.to_json() for candidate in self.candidates],
            "skipped": self.skipped,
            "added_items": self.added_items,
            "seconds": round(self.seconds, 1),
        }


def learn(
    session: Session,
    keyring: KeyRing,
    blobs: BlobStore,
    components: Sequence[Component],
    *,
    now: datetime,
    progress: Progress = lambda message: None,
    actor: Actor = SYSTEM,
    once_since: datetime | None = None,
    source: Dataset | None = None,
) -> Outcome:
    """One run over every component; commits after the refresh and after each component.

    The run is audited (it reads the reviewed dataset). With `once_since`, it stands down if
    another run started since then: workers on several machines each start the nightly run,
    and the audit chain's head lock lets exactly one of them through."""
    started = time.perf_counter()
    append(
        session,
        Access(actor.name, actor.role, LEARN_RUN, "dataset", "retrain models from reviewed data"),
    )
    if once_since is not None and _runs_since(session, once_since) > 1:
        session.rollback()
        return Outcome([], {"all": f"another learn run started since {once_since.isoformat()}"})
    source = source or ReviewedDataset()
    added = source.refresh(session, keyring, now)
    session.commit()
    owned = source.items(session, keyring)
    items = [item for item, _ in owned]
    owners = {item.id: owner for item, owner in owned}
    progress(f"dataset: {len(items)} reviewed items ({added} new)")
    reports, skipped = [], {}
    for component in components:
        report = _component(session, blobs, component, items, owners, now, progress, actor)
        session.commit()
        if isinstance(report, str):
            skipped[component.name] = report
            progress(f"{component.name}: no candidate, {report}")
        else:
            reports.append(report)
            progress(f"{component.name}: {report.version} {report.reason}")
    return Outcome(reports, skipped, added, time.perf_counter() - started)


def last_run(session: Session) -> datetime | None:
    """When the latest learn run started, by any process."""
    at = session.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.action == LEARN_RUN))
    return datetime.fromisoformat(at) if at else None


def _runs_since(session: Session, moment: datetime) -> int:
    since = moment.astimezone(UTC).isoformat(timespec="microseconds")
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == LEARN_RUN, AuditEvent.at >= since)
    )
    return int(count or 0)


def _component(
    session: Session,
    blobs: BlobStore,
    component: Component,
    items: Sequence[DatasetItem],
    owners: dict[str, str],
    now: datetime,
    progress: Progress,
    actor: Actor,
) -> CandidateReport | str:
    usable = [item for item in items if component.trainable(item)]
    train = [item for item in usable if not held_out(item.id)]
    test = [item for item in usable if held_out(item.id)]
    if not train:
        return "no reviewed items to train on"
    current = production(session).get(component.name)
    versions = history(session, component.name)
    newest = versions[-1] if versions else None
    if newest is not None and newest.tainted_at is None:
        known = {row.item_id for row in training_items(session, newest)}
        if {item.id for item in train} <= known:
            return f"no new reviewed data since {newest.version}"
    parent = current if current is not None and current.tainted_at is None else None
    row = begin(
        session,
        component.name,
        parent=parent,
        trained_on=[TrainingRef(i.id, i.interaction_id, owners[i.id]) for i in train],
        now=now,
    )
    session.commit()  # the lineage first: a deletion during training finds it
    progress(
        f"{component.name}: training {row.version} on {len(train)} items, warm-started from "
        f"{parent.version if parent else 'the shipped default'}"
    )
    with tempfile.TemporaryDirectory(prefix="confide-learn-") as scratch:
        out = Path(scratch) / "version"
        try:
            component.train(train, unpack(blobs, parent) if parent else None, out)
            store(blobs, row, out)
            session.commit()
            progress(f"{component.name}: measuring {row.version} on {len(test)} held-out items")
            candidate = component.load(out)
            baseline = component.load(unpack(blobs, current) if current else None)
            evidence, figures = _measure(baseline, candidate, test)
        except Exception as exc:
            session.rollback()
            reject(row, f"Refused: training or measuring failed ({type(exc).__name__}: {exc}).")
            session.commit()
            raise
    session.refresh(row, with_for_update=True)  # a deletion during training may have tainted it
    decision = decide(
        Evidence(
            component.name,
            evidence,
            [item.slices for item in test],
            figures,
            tainted=row.tainted_at is not None,
        )
    )
    record_decision(row, decision.metrics, decision.reason)
    if decision.promote:
        promote(session, row, reason=decision.reason, now=now, actor=actor)
    else:
        reject(row, decision.reason)
    return _report(row, current, len(train), decision.metrics, decision.promote, decision.reason)


def _measure(
    baseline: Model, candidate: Model, test: Sequence[DatasetItem]
) -> tuple[list[tuple[float, float]], dict[str, tuple[float, float] | None]]:
    scores = [(baseline.score(item), candidate.score(item)) for item in test]
    before, after = baseline.regression(), candidate.regression()
    figures: dict[str, tuple[float, float] | None] = {}
    for set_name in sorted(set(before) | set(after)):
        old, new = before.get(set_name), after.get(set_name)
        figures[set_name] = None if old is None or new is None else (old, new)
    return scores, figures


def _report(
    row: ModelVersion,
    current: ModelVersion | None,
    trained_on: int,
    metrics: dict[str, Any],
    promoted: bool,
    reason: str,
) -> CandidateReport:
    regression = metrics.get("regression", {})
    return CandidateReport(
        component=row.component,
        version=row.version,
        trained_on=trained_on,
        metrics={
            "score": metrics["candidate_score"],
            **{name: figures["candidate"] for name, figures in regression.items()},
            "gate": metrics,
        },
        baseline={
            "version": current.version if current else "default",
            "score": metrics["baseline_score"],
            **{name: figures["baseline"] for name, figures in regression.items()},
        },
        promoted=promoted,
        reason=reason,
    )
