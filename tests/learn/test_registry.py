"""The model registry: versions archived to the blob store with their lineage, one production
version per component, audited promotion and rollback, and tainted versions kept out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from confide.errors import Conflict, NotFound, UnknownChoice
from confide.learn.registry import (
    Actor,
    TrainingRef,
    archive_key,
    production,
    production_versions,
    promote,
    register,
    rollback,
    training_items,
    unpack,
)
from confide.store.tables import AuditEvent

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CONFIDE_CACHE_DIR", str(folder))
    return folder


def version_folder(tmp_path: Path, name: str, content: str) -> Path:
    folder = tmp_path / "made" / name
    (folder / "inner").mkdir(parents=True)
    (folder / "model.json").write_text(content)
    (folder / "inner" / "weights.bin").write_bytes(content.encode() * 3)
    return folder


def refs(*numbers: int) -> list[TrainingRef]:
    return [TrainingRef(f"item{n}", f"interaction{n}", f"owner{n % 2}") for n in numbers]


def test_a_version_is_archived_in_the_blob_store_and_unpacks_the_same(
    session, blobs, tmp_path, cache
):
    folder = version_folder(tmp_path, "a", '{"weights": 1}')
    row = register(session, blobs, "nlu", folder, parent=None, trained_on=refs(1, 2), now=NOW)
    assert (row.version, row.status, row.artefact_key) == (
        "nlu-0001",
        "candidate",
        archive_key("nlu", "nlu-0001"),
    )
    assert blobs.get("models/nlu/nlu-0001.tar.gz")
    unpacked = unpack(blobs, row)
    assert unpacked.is_relative_to(cache / "models")
    assert (unpacked / "model.json").read_text() == '{"weights": 1}'
    assert (unpacked / "inner" / "weights.bin").read_bytes() == b'{"weights": 1}' * 3
    again = version_folder(tmp_path, "b", '{"weights": 1}')
    second = register(session, blobs, "nlu", again, parent=None, trained_on=refs(1), now=NOW)
    assert second.version == "nlu-0002"
    assert blobs.get(second.artefact_key or "") == blobs.get(row.artefact_key or "")


def test_lineage_holds_what_it_trained_on_and_what_its_parent_did(session, blobs, tmp_path):
    folder = version_folder(tmp_path, "a", "x")
    first = register(session, blobs, "asr", folder, parent=None, trained_on=refs(1, 2), now=NOW)
    second = register(session, blobs, "asr", folder, parent=first, trained_on=refs(2, 3), now=NOW)
    assert second.parent == "asr-0001"
    assert [(r.item_id, r.interaction_id, r.owner_id) for r in training_items(session, second)] == [
        ("item1", "interaction1", "owner1"),
        ("item2", "interaction2", "owner0"),
        ("item3", "interaction3", "owner1"),
    ]


def test_promotion_replaces_production_and_is_audited(session, blobs, tmp_path):
    folder = version_folder(tmp_path, "a", "x")
    first = register(session, blobs, "nlu", folder, parent=None, trained_on=refs(1), now=NOW)
    second = register(session, blobs, "nlu", folder, parent=first, trained_on=refs(2), now=NOW)
    other = register(session, blobs, "asr", folder, parent=None, trained_on=refs(1), now=NOW)
    assert promote(session, first, reason="better", now=NOW) is None
    assert promote(session, other, reason="better", now=NOW) is None
    replaced = promote(session, second, reason="better still", now=NOW + timedelta(days=1))
    assert replaced is first and first.status == "retired"
    assert production_versions(session) == {"nlu": "nlu-0002", "asr": "asr-0001"}
    assert production(session)["nlu"] is second and second.promoted_at is not None
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "model_promote").order_by(AuditEvent.sequence)
    ).all()
    assert [(e.actor, e.role, e.subject) for e in audited] == [
        ("learn", "system", "nlu-0001"),
        ("learn", "system", "asr-0001"),
        ("learn", "system", "nlu-0002"),
    ]
    assert "replaces nlu-0001" in audited[-1].reason


def test_a_tainted_version_is_never_promoted(session, blobs, tmp_path):
    folder = version_folder(tmp_path, "a", "x")
    row = register(session, blobs, "nlu", folder, parent=None, trained_on=refs(1), now=NOW)
    row.tainted_at = NOW
    with pytest.raises(Conflict, match="deleted"):
        promote(session, row, reason="better", now=NOW)
    assert production(session) == {}


@pytest.mark.parametrize(
    ("tainted", "restorations"),
    [
        ((), ["nlu-0002", "nlu-0001", None]),  # back one at a time, then the shipped default
        (("nlu-0002",), ["nlu-0001", None]),  # a tainted version is never restored
        (("nlu-0001", "nlu-0002"), [None]),
    ],
    ids=["clean", "middle-tainted", "all-tainted"],
)
def test_rollback_restores_the_previous_clean_version(
    session, blobs, tmp_path, tainted, restorations
):
    folder = version_folder(tmp_path, "a", "x")
    for day in range(3):
        row = register(session, blobs, "nlu", folder, parent=None, trained_on=refs(day), now=NOW)
        promote(session, row, reason="better", now=NOW + timedelta(days=day))
        if row.version in tainted:
            row.tainted_at = NOW
    operator = Actor("cli", "system")
    removed_all = []
    for expected in restorations:
        removed, restored = rollback(session, "nlu", now=NOW, actor=operator)
        removed_all.append(removed.version)
        assert removed.status == "rejected"
        assert (restored.version if restored else None) == expected
        assert production_versions(session) == ({"nlu": expected} if expected else {})
    with pytest.raises(NotFound):
        rollback(session, "nlu", now=NOW, actor=operator)
    assert removed_all[0] == "nlu-0003"
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "model_rollback")
        .order_by(AuditEvent.sequence)
    ).all()
    assert [(e.actor, e.subject) for e in events] == [("cli", name) for name in removed_all]


def test_rollback_needs_a_known_component_in_production(session):
    with pytest.raises(UnknownChoice):
        rollback(session, "wake", now=NOW)
    with pytest.raises(NotFound):
        rollback(session, "asr", now=NOW)
