"""Backup and restore (issue 10.3): a backup taken before a deletion, restored after it, yields
nothing of what was deleted, and the backup holds no plaintext."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.orm import Session

from confide.errors import Conflict, KeyDestroyed, Malformed, TamperedData
from confide.privacy.audit import checkpoint, events, verify, with_chain_key
from confide.privacy.backup import backup, restore
from confide.privacy.consent import set_consent
from confide.privacy.contexts import audio_context, transcript_context
from confide.privacy.deletion import (
    delete_interactions,
    delete_recordings,
    erase_account,
    interactions_between,
)
from confide.settings import Settings
from confide.store.database import connect, sessions
from confide.store.tables import Interaction, Person, ShreddingRecord
from confide_testing import answered_interaction

SAID = {
    "alice": ["remind me to call the dentist", "add oat milk", "what is my bank pin", "play jazz"],
    "bob": ["set a timer for pasta"],
}


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The same data dir, KEK, blobs and ledger, with an empty database: a restore's target."""
    if settings.database_url.startswith("sqlite:///"):
        yield replace(settings, database_url=f"sqlite:///{tmp_path / 'restored.db'}")
        return
    base, _ = settings.database_url.rsplit("/", 1)
    name = f"confide_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        settings.database_url.replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield replace(settings, database_url=f"{base}/{name}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def spoken(session, keyring, blobs, household) -> dict[str, tuple[str, str, bytes, bytes]]:
    """Each interaction said: id -> (owner, text, sealed audio, sealed transcript)."""
    made = {}
    for who, texts in SAID.items():
        person, device = household.people[who].id, household.devices[who].id
        for said in texts:
            iid = answered_interaction(session, keyring, blobs, person, device, said)
            row = session.get_one(Interaction, iid)
            made[iid] = (person, said, blobs.get(row.audio_key or ""), row.transcript_sealed)
    session.commit()
    return made


@contextmanager
def on_the_restored(settings: Settings) -> Iterator[Session]:
    """A session on the restored database, its engine disposed after."""
    engine = connect(settings.database_url)
    try:
        with sessions(engine)() as session:
            yield session
    finally:
        engine.dispose()


def deleted_by(scope, session, keyring, blobs, household, spoken) -> set[str]:
    """Delete as `scope` says; the ids of the interactions it deleted."""
    alice = household.people["alice"].id
    ids = [iid for iid, (owner, *_) in spoken.items() if owner == alice]
    if scope == "account":
        erase_account(session, keyring, blobs, alice, actor=alice)
        session.commit()
        return set(ids)
    if scope == "range":
        for iid in ids[:2]:
            session.get_one(Interaction, iid).created_at = datetime.now(UTC) - timedelta(days=40)
        session.commit()
        now = datetime.now(UTC)
        month_ago = now - timedelta(days=40)
        ids = interactions_between(
            session, alice, month_ago - timedelta(days=1), month_ago + timedelta(days=1)
        )
    else:
        ids = ids[:1]
    delete_interactions(session, keyring, blobs, alice, ids, scope=scope, actor=alice)
    session.commit()
    return set(ids)


@pytest.mark.parametrize("scope", ["interaction", "range", "account"])
def test_a_backup_from_before_a_deletion_restores_nothing_of_it(
    scope, settings, fresh, session, keyring, blobs, household, spoken, tmp_path
) -> None:
    """Before, a backup taken before "delete everything" decrypted 3 of 3 recordings: the
    person's key was in it, and nothing destroyed it again."""
    made = backup(settings, tmp_path / "before.zip")
    gone = deleted_by(scope, session, keyring, blobs, household, spoken)
    done = restore(fresh, made.path)
    assert done.keys_destroyed >= 1 and done.removed["interactions"] == len(gone)
    with on_the_restored(fresh) as restored:
        kept = set(restored.scalars(select(Interaction.id)))
        assert kept == set(spoken) - gone
        for iid, (owner, said, audio, transcript) in spoken.items():
            if iid in gone:
                with pytest.raises(KeyDestroyed):
                    keyring.open(restored, owner, audio, audio_context(iid))
                with pytest.raises(KeyDestroyed):
                    keyring.open_json(restored, owner, transcript, transcript_context(iid))
            else:
                opened = keyring.open_json(restored, owner, transcript, transcript_context(iid))
                assert opened["text"] == said
                assert keyring.open(restored, owner, audio, audio_context(iid))[:4] == b"RIFF"
        alice = restored.get_one(Person, household.people["alice"].id)
        assert (alice.login is None) is (scope == "account")
    audio_left = {key.rsplit("/", 1)[-1] for key in blobs.keys("audio/")}
    assert not audio_left & gone


def test_a_backup_from_before_recordings_were_deleted_brings_no_audio_back(
    settings, fresh, session, keyring, blobs, household, spoken, tmp_path
) -> None:
    """Turning "keep my recordings" off deletes the audio alone: the recordings' own keys go, so
    the restored service has the transcripts and none of the voices."""
    alice = household.people["alice"].id
    made = backup(settings, tmp_path / "before.zip")
    receipt = delete_recordings(session, keyring, blobs, alice, actor=alice)
    session.commit()
    done = restore(fresh, made.path)
    hers = {iid for iid, (owner, *_) in spoken.items() if owner == alice}
    assert receipt.erased["audio"] == done.removed["recordings"] == len(hers)
    with on_the_restored(fresh) as restored:
        for iid, (owner, said, audio, transcript) in spoken.items():
            opened = keyring.open_json(restored, owner, transcript, transcript_context(iid))
            assert opened["text"] == said
            row = restored.get_one(Interaction, iid)
            if iid in hers:
                assert row.audio_key is None
                with pytest.raises(KeyDestroyed):
                    keyring.open(restored, owner, audio, audio_context(iid))
            else:
                assert keyring.open(restored, owner, audio, audio_context(iid))[:4] == b"RIFF"
    audio_left = {key.rsplit("/", 1)[-1] for key in blobs.keys("audio/")}
    assert not audio_left & hers


def test_the_backup_holds_no_plaintext_and_no_ledger(
    settings, session, keyring, blobs, household, spoken, tmp_path
) -> None:
    alice = household.people["alice"].id
    first = next(iter(spoken))
    delete_interactions(session, keyring, blobs, alice, [first], scope="interaction", actor=alice)
    session.commit()
    made = backup(settings, tmp_path / "b.zip")
    data = made.path.read_bytes()
    for _owner, said, _audio, _transcript in spoken.values():
        assert said.encode() not in data
    assert b"RIFF" not in data and b"WAVE" not in data
    with zipfile.ZipFile(made.path) as archive:
        names = archive.namelist()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert "tables/shredding_ledger.jsonl" not in names and "tables/interaction_keys.jsonl" in names
    assert made.rows["interactions"] == len(spoken) - 1 and made.blobs == len(spoken) - 1


def test_a_restore_leaves_the_ledger_as_it_was(
    settings, fresh, session, keyring, blobs, household, spoken, tmp_path
) -> None:
    made = backup(settings, tmp_path / "b.zip")
    deleted_by("interaction", session, keyring, blobs, household, spoken)
    before = keyring.ledger.entries()
    done = restore(fresh, made.path)
    # One interaction deleted: its key and its recording's.
    assert keyring.ledger.entries() == before and done.ledger_records == len(before) == 2


def test_a_ledger_cut_back_since_the_backup_is_refused(
    settings, fresh, session, keyring, blobs, household, spoken, tmp_path
) -> None:
    """Dropping the newest records would let a backup bring their keys back: the backup noted
    the ledger's head, and the restore refuses a ledger that no longer holds it."""
    deleted_by("interaction", session, keyring, blobs, household, spoken)
    made = backup(settings, tmp_path / "b.zip")
    ledger = create_engine(settings.shredding_ledger_url)
    with ledger.begin() as connection:
        connection.execute(delete(ShreddingRecord.__table__))
    ledger.dispose()
    with pytest.raises(TamperedData, match="no longer holds record 2"):  # the head it noted
        restore(fresh, made.path)
    with on_the_restored(fresh) as restored:
        assert restored.scalars(select(Interaction)).all() == []


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"not a zip at all", Malformed), (None, Malformed)],
    ids=["not-a-zip", "no-manifest"],
)
def test_what_is_not_a_backup_is_refused(fresh, tmp_path, content, error) -> None:
    source = tmp_path / "bad.zip"
    if content is None:
        with zipfile.ZipFile(source, "w") as archive:
            archive.writestr("tables/people.jsonl", "")
    else:
        source.write_bytes(content)
    with pytest.raises(error):
        restore(fresh, source)


def test_a_restore_into_a_database_in_use_is_refused(
    settings, session, household, tmp_path, engine
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("on SQLite a restore replaces the data dir's database file whole")
    made = backup(settings, tmp_path / "b.zip")
    with pytest.raises(Conflict, match="already holds data"):
        restore(settings, made.path)


def test_the_audit_chain_verifies_after_a_restore(
    settings, fresh, session, keyring, blobs, household, tmp_path
) -> None:
    """Issue 10.9: a checkpoint written after the backup would call the restored chain cut short;
    the restore sets it aside and says so in the chain, which then verifies."""
    alice, bob = household.people["alice"].id, household.people["bob"].id
    set_consent(session, alice, "human_review", True, actor=alice)
    session.commit()
    before = checkpoint(session, blobs)
    assert before is not None
    made = backup(settings, tmp_path / "before.zip")
    set_consent(session, bob, "human_review", True, actor=bob)
    session.commit()
    after = checkpoint(session, blobs)
    assert after is not None and after.sequence > before.sequence
    restore(fresh, made.path)
    with on_the_restored(fresh) as restored:
        found = verify(with_chain_key(restored, keyring), blobs)
        assert (found.events, found.checkpoints) == (before.sequence + 1, 1)
        assert list(events(restored))[-1].action == "restore"
