"""Exporting the dataset (issue 11, item 4): the manifest, the Parquet copy, the protected audio
only, and a record of every export."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from confide.audio import Audio, read_audio
from confide.errors import Conflict
from confide.learn.dataset import refresh
from confide.learn.export import export_dataset
from confide.privacy.consent import set_consent
from confide.privacy.contexts import audio_context
from confide.protect.preparation import prepare_pending
from confide.review.tasks import Labels, next_task, submit
from confide.sample import SamplingPolicy, sample
from confide.store.tables import (
    AuditEvent,
    DatasetExport,
    DatasetExportItem,
    Interaction,
    StaffMember,
)
from confide_testing import answered_interaction, fake_protector, reviewed_items

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def quieter(audio, transcript, understood, answer, seed, known):
    """A protector whose clip differs from the original, as anonymisation's does."""
    protected = fake_protector(audio, transcript, understood, answer, seed, known)
    return replace(protected, audio=Audio((audio.samples // 4).astype(np.int16)))


def test_the_export_writes_the_manifest_parquet_and_protected_audio(
    tmp_path, session, keyring, blobs, household, team
):
    alice = household.people["alice"].id
    for purpose in ("improvement", "human_review"):
        set_consent(session, alice, purpose, True, actor="alice")
    iid = answered_interaction(session, keyring, blobs, alice, household.devices["alice"].id)
    interaction = session.get_one(Interaction, iid)
    # One reviewer's labels make the item: a blind second opinion would hold it back until
    # a second reviewer labels it too.
    assert sample(session, interaction, SamplingPolicy(rate=1.0, second_opinion=0.0)).sampled
    prepare_pending(session, keyring, blobs, iid, quieter)
    rhea = session.get_one(StaffMember, team["rhea"].id)
    slot = {"name": "duration", "value": "ten minutes", "link": None}
    labels = Labels("set a timer for ten minutes", "SetTimer", [slot], rating=5)
    submit(session, keyring, rhea, next_task(session, rhea, NOW), labels, NOW)
    refresh(session, keyring, NOW)
    session.commit()
    original = read_audio(
        keyring.open(session, alice, blobs.get(interaction.audio_key), audio_context(iid))
    )

    done = export_dataset(session, keyring, tmp_path / "out", actor="test", now=NOW)

    assert done.items == 1 and done.manifest == tmp_path / "out" / "manifest.jsonl"
    [line] = done.manifest.read_text().splitlines()
    entry = json.loads(line)
    assert entry["audio_filepath"] == f"audio/{entry['id']}.wav"
    assert entry["duration"] == pytest.approx(original.seconds, abs=1e-3)
    assert (entry["text"], entry["intent"], entry["slots"]) == (
        labels.transcript,
        "SetTimer",
        [slot],
    )
    assert set(entry["lineage"]) == {"subject", "reviews", "consent", "models"}
    assert alice not in line  # the subject is pseudonymous
    written = read_audio(tmp_path / "out" / entry["audio_filepath"])
    assert np.array_equal(written.samples, original.samples // 4)
    assert not np.array_equal(written.samples, original.samples)
    [row] = pq.read_table(tmp_path / "out" / "data.parquet").to_pylist()
    assert row["id"] == entry["id"] and row["audio_filepath"] == entry["audio_filepath"]
    assert (row["text"], row["intent"], row["slots"]) == (labels.transcript, "SetTimer", [slot])
    assert row["hypothesis_intent"] == "SetTimer"
    assert dict(row["slices"]) == entry["slices"]
    assert json.loads(row["lineage"]) == entry["lineage"]
    assert row["subject"] == entry["lineage"]["subject"]


def test_every_export_is_recorded_and_audited(tmp_path, session, keyring, team, queued):
    made = reviewed_items(session, keyring, team, queued, "alice", 2)
    made += reviewed_items(session, keyring, team, queued, "bob", 1)
    first = export_dataset(session, keyring, tmp_path / "first", actor="test", now=NOW)
    second = export_dataset(session, keyring, tmp_path / "second", actor="test", now=NOW)
    assert (first.items, second.items) == (3, 3) and first.id != second.id
    for done in (first, second):
        assert session.get_one(DatasetExport, done.id).items == 3
        held = session.scalars(
            select(DatasetExportItem.interaction_id).where(DatasetExportItem.export_id == done.id)
        )
        assert sorted(held) == sorted(made)
    told = session.execute(
        select(AuditEvent.owner_id, AuditEvent.reason).where(
            AuditEvent.action == "dataset_export", AuditEvent.subject == f"export:{first.id}"
        )
    ).all()
    assert len(told) == 3  # the export itself, and each of the two people in it
    assert sorted(reason for owner, reason in told if owner) == [
        "the training dataset was exported with 1 anonymised clip(s) of yours",
        "the training dataset was exported with 2 anonymised clip(s) of yours",
    ]


@pytest.mark.parametrize("what", ["a file", "a folder holding a file"])
def test_a_non_empty_destination_is_refused_and_nothing_recorded(tmp_path, session, keyring, what):
    out = tmp_path / "out"
    if what == "a file":
        out.write_text("not a folder")
    else:
        out.mkdir()
        (out / "keep.txt").write_text("someone's work")
    with pytest.raises(Conflict, match="not an empty folder"):
        export_dataset(session, keyring, out, actor="test", now=NOW)
    assert session.scalars(select(DatasetExport)).all() == []


def test_an_empty_dataset_exports_empty_files(tmp_path, session, keyring):
    done = export_dataset(session, keyring, tmp_path / "out", actor="test", now=NOW)
    assert done.items == 0 and done.manifest.read_text() == ""
    assert pq.read_table(tmp_path / "out" / "data.parquet").num_rows == 0
