"""The model registry: every trained version of a component, where its files are, which one is
in production, and the moves between them (promotion, rejection, rollback), each audited.

A version's files are archived into the blob store (`models/<component>/<version>.tar.gz`), so
every server and worker, on any machine sharing the store, loads the same bytes; each process
unpacks them once into its cache. The archives hold model weights, word lists and the catalog
names reviewers added (public names), never a clip or a transcript. Its lineage is the dataset
items whose data reached it (`ModelTrainingItem`): those it trained on, and its parent's when it
was warm-started from one. When any of them is deleted, the deletion marks the version tainted
(`tainted_at`), and a tainted version is never promoted, nor rolled back to, again.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import Conflict, NotFound, UnknownChoice
from confide.paths import cache_dir
from confide.privacy.audit import Access, append
from confide.store.blobs import BlobStore
from confide.store.tables import ModelTrainingItem, ModelVersion

COMPONENTS = ("nlu", "asr")
"""The components the registry versions: intents and slots, and the recogniser's vocabulary."""


@dataclass(frozen=True)
class TrainingRef:
    """One dataset item whose data reached a version, by ids only."""

    item_id: str
    interaction_id: str
    owner_id: str


@dataclass(frozen=True)
class Actor:
    """Who moves a version, as the audit chain records it."""

    name: str
    """'learn' for the nightly run, else the operator's name."""
    role: str = "system"


SYSTEM = Actor("learn")


def archive_key(component: str, version: str) -> str:
    return f"models/{component}/{version}.tar.gz"


def check_component(component: str) -> str:
    if component not in COMPONENTS:
        raise UnknownChoice(
            f"unknown component {component!r}; choose one of {', '.join(COMPONENTS)}"
        )
    return component


def next_version(session: Session, component: str) -> str:
    """'nlu-0001', then 'nlu-0002': numbered per component, never reused."""
    names = session.scalars(
        select(ModelVersion.version).where(ModelVersion.component == component)
    ).all()
    numbers = [int(name.rsplit("-", 1)[1]) for name in names if name.rsplit("-", 1)[1].isdigit()]
    return f"{component}-{max(numbers, default=0) + 1:04d}"


def begin(
    session: Session,
    component: str,
    *,
    parent: ModelVersion | None,
    trained_on: Iterable[TrainingRef],
    now: datetime,
) -> ModelVersion:
    """Record a candidate and its lineage before it is trained: the items it trains on and,
    when warm-started, every item that reached its parent. Committed before training starts, a
    deletion during training finds the candidate through its lineage and taints it."""
    check_component(component)
    version = next_version(session, component)
    row = ModelVersion(
        id=uuid.uuid4().hex,
        component=component,
        version=version,
        status="candidate",
        parent=parent.version if parent else None,
        artefact_key=None,
        metrics_json="{}",
        reason="",
        created_at=now,
    )
    session.add(row)
    session.flush()  # the row before its lineage: no relationship orders them
    lineage = {ref.item_id: ref for ref in trained_on}
    if parent is not None:
        for inherited in training_items(session, parent):
            lineage.setdefault(
                inherited.item_id,
                TrainingRef(inherited.item_id, inherited.interaction_id, inherited.owner_id),
            )
    session.add_all(
        ModelTrainingItem(
            version_id=row.id,
            item_id=ref.item_id,
            interaction_id=ref.interaction_id,
            owner_id=ref.owner_id,
        )
        for ref in lineage.values()
    )
    session.flush()
    return row


def store(blobs: BlobStore, row: ModelVersion, folder: Path) -> None:
    """Archive a trained version's folder into the blob store."""
    key = archive_key(row.component, row.version)
    blobs.put(key, _archive(folder))
    row.artefact_key = key


def register(
    session: Session,
    blobs: BlobStore,
    component: str,
    folder: Path,
    *,
    parent: ModelVersion | None,
    trained_on: Iterable[TrainingRef],
    now: datetime,
) -> ModelVersion:
    """`begin` and `store` at once, for a version trained already (an imported model)."""
    row = begin(session, component, parent=parent, trained_on=trained_on, now=now)
    store(blobs, row, folder)
    session.flush()
    return row


def training_items(session: Session, version: ModelVersion) -> list[ModelTrainingItem]:
    return list(
        session.scalars(
            select(ModelTrainingItem)
            .where(ModelTrainingItem.version_id == version.id)
            .order_by(ModelTrainingItem.item_id)
        )
    )


def production(session: Session) -> dict[str, ModelVersion]:
    """Each component's version in production; a component absent here runs its shipped default."""
    rows = session.scalars(select(ModelVersion).where(ModelVersion.status == "production"))
    return {row.component: row for row in rows}


def production_versions(session: Session) -> dict[str, str]:
    """{component: version name} of what is in production: cheap enough to poll."""
    rows = session.execute(
        select(ModelVersion.component, ModelVersion.version).where(
            ModelVersion.status == "production"
        )
    ).all()
    return {component: version for component, version in rows}


def history(session: Session, component: str | None = None) -> list[ModelVersion]:
    """Every version, oldest first."""
    query = select(ModelVersion).order_by(ModelVersion.created_at, ModelVersion.version)
    if component is not None:
        query = query.where(ModelVersion.component == component)
    return list(session.scalars(query))


def latest(session: Session, component: str) -> ModelVersion | None:
    """The newest version of `component`, whatever its status."""
    versions = history(session, component)
    return versions[-1] if versions else None


def find(session: Session, component: str, version: str) -> ModelVersion:
    row = session.scalar(
        select(ModelVersion).where(
            ModelVersion.component == component, ModelVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"no {component} version {version!r}")
    return row


def record_decision(row: ModelVersion, metrics: Mapping[str, Any], reason: str) -> None:
    row.metrics_json = json.dumps(metrics, sort_keys=True)
    row.reason = reason


def metrics(row: ModelVersion) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(row.metrics_json or "{}")
    return loaded


def promote(
    session: Session, row: ModelVersion, *, reason: str, now: datetime, actor: Actor = SYSTEM
) -> ModelVersion | None:
    """Put `row` in production and retire the version it replaces (returned, if any)."""
    if row.tainted_at is not None:
        raise Conflict(f"{row.version} was trained on data since deleted: it is never promoted")
    if row.status == "production":
        return None
    replaced = production(session).get(row.component)
    if replaced is not None:
        replaced.status = "retired"
    row.status, row.promoted_at = "production", now
    append(
        session,
        Access(
            actor=actor.name,
            role=actor.role,
            action="model_promote",
            subject=row.version,
            reason=f"{reason} (replaces {replaced.version if replaced else 'the shipped default'})",
        ),
    )
    session.flush()
    return replaced


def reject(row: ModelVersion, reason: str) -> None:
    """A candidate the gate refused stays in the registry, with its reason, never in use."""
    row.status = "rejected"
    row.reason = reason


def rollback(
    session: Session, component: str, *, now: datetime, actor: Actor = SYSTEM
) -> tuple[ModelVersion, ModelVersion | None]:
    """Take the production version out (it is marked rejected, so no later rollback returns to
    it) and restore the one it replaced most recently that is not tainted; with none, the
    shipped default. Returns (the version taken out, the one restored or None)."""
    check_component(component)
    current = production(session).get(component)
    if current is None:
        raise NotFound(f"no {component} version is in production: nothing to roll back")
    earlier = [
        row
        for row in history(session, component)
        if row.status == "retired" and row.tainted_at is None and row.promoted_at is not None
    ]
    earlier.sort(key=lambda row: row.promoted_at or now)
    restored = earlier[-1] if earlier else None
    current.status = "rejected"
    current.reason = f"{current.reason} Rolled back by {actor.name} at {now.isoformat()}.".strip()
    if restored is not None:
        restored.status = "production"
    append(
        session,
        Access(
            actor=actor.name,
            role=actor.role,
            action="model_rollback",
            subject=current.version,
            reason=(
                f"{component} rolled back from {current.version} to "
                f"{restored.version if restored else 'the shipped default'}"
            ),
        ),
    )
    session.flush()
    return current, restored


def unpack(blobs: BlobStore, row: ModelVersion) -> Path:
    """The version's files, unpacked once per machine into the cache. The folder is named by
    the version and its row id, as version names repeat across data dirs sharing one cache."""
    if row.artefact_key is None:
        raise NotFound(f"{row.version} has no files")
    folder = cache_dir() / "models" / f"{row.version}-{row.id}"
    if (folder / ".complete").exists():
        return folder
    data = blobs.get(row.artefact_key)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            archive.extractall(staging, filter="data")
        (staging / ".complete").write_text(hashlib.sha256(data).hexdigest())
        staging.replace(folder)
    except OSError:
        if not (folder / ".complete").exists():  # not merely beaten to it by another process
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _archive(folder: Path) -> bytes:
    """A gzip'd tar of the folder's files, in a fixed order with fixed times and owners, so the
    same files make the same bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            info = tarfile.TarInfo(path.relative_to(folder).as_posix())
            info.size = path.stat().st_size
            info.mode = 0o644
            with path.open("rb") as file:
                archive.addfile(info, file)
    return gzip.compress(buffer.getvalue(), mtime=0)
