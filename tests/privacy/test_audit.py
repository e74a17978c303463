"""The audit chain: append-only in the database, keyed under the KEK, anchored by signed
checkpoints in the blob store, and every tampering is found and named."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from confide.errors import AuditChainBroken, BadConfiguration, TamperedData
from confide.privacy.audit import (
    Access,
    ChainKey,
    append,
    checkpoint,
    checkpoints,
    events,
    supersede_after_restore,
    verify,
    with_chain_key,
)
from confide.privacy.keys import KeyRing
from confide.settings import load_settings
from confide.store.blobs import LocalBlobStore
from confide.store.database import MIGRATIONS, connect, sessions
from confide_testing import drop_audit_triggers, rewrite_audit_chain


def fill(session: Session, count: int) -> None:
    for index in range(count):
        access = Access(
            actor=f"reviewer-{index % 3}",
            role="reviewer",
            action="listen",
            subject=f"interaction:{index}",
            reason="transcription task",
            owner_id=f"person-{index % 2}",
        )
        append(session, access)
    session.commit()


def keyed(engine: Engine, keyring: KeyRing) -> Session:
    return with_chain_key(sessions(engine)(), keyring)


def test_an_untouched_chain_verifies(session: Session, blobs: LocalBlobStore) -> None:
    assert verify(session, blobs).events == 0
    fill(session, 12)
    found = verify(session, blobs)
    assert (found.events, found.unkeyed, found.checkpoints, found.newest) == (12, 0, 0, None)
    assert [e.sequence for e in events(session, owner_id="person-1")] == [2, 4, 6, 8, 10, 12]


def test_nothing_is_appended_without_the_key(engine: Engine) -> None:
    with sessions(engine)() as session, pytest.raises(BadConfiguration, match="needs the KEK"):
        append(session, Access("reviewer-1", "reviewer", "listen", "interaction:1", "task"))


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"]
)
def test_the_database_refuses_edits(engine: Engine, keyring: KeyRing, statement: str) -> None:
    with keyed(engine, keyring) as session:
        fill(session, 3)
    with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement))


def _bypass_triggers(engine: Engine, statements: list[str]) -> None:
    """What an attacker with raw database access could do."""
    with engine.begin() as connection:
        drop_audit_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))


@pytest.mark.parametrize(
    ("statements", "first_broken"),
    [
        (["UPDATE audit_events SET reason = 'nothing to see' WHERE sequence = 4"], 4),
        (["UPDATE audit_events SET actor = 'someone-else' WHERE sequence = 7"], 7),
        (["DELETE FROM audit_events WHERE sequence = 5"], 5),
        (["DELETE FROM audit_events WHERE sequence >= 9"], 9),
        (["UPDATE audit_events SET at = '2020-01-01T00:00:00+00:00' WHERE sequence = 1"], 1),
        (["UPDATE audit_events SET mac = NULL WHERE sequence >= 6"], 6),
    ],
    ids=[
        "reason-edited",
        "actor-edited",
        "middle-deleted",
        "tail-deleted",
        "time-edited",
        "macs-stripped",
    ],
)
def test_tampering_is_named(
    engine: Engine, keyring: KeyRing, blobs, statements: list[str], first_broken: int
) -> None:
    with keyed(engine, keyring) as session:
        fill(session, 10)
    _bypass_triggers(engine, statements)
    with keyed(engine, keyring) as session, pytest.raises(AuditChainBroken) as caught:
        verify(session, blobs)
    assert caught.value.sequence == first_broken


def test_a_rewrite_is_found_only_with_the_key(session, blobs, tmp_path) -> None:
    """The MACs are what a rewrite cannot remake: another KEK sees every event as forged."""
    fill(session, 4)
    assert verify(session, blobs).events == 4
    kek = base64.b64encode(bytes(range(32))).decode()
    stranger = KeyRing(load_settings(tmp_path, env={"CONFIDE_KEK": kek}))
    with_chain_key(session, stranger)
    with pytest.raises(AuditChainBroken, match="its MAC does not match") as caught:
        verify(session, blobs)
    assert caught.value.sequence == 1


def test_checkpoints_sign_the_head_once(session: Session, blobs: LocalBlobStore, keyring) -> None:
    assert checkpoint(session, blobs) is None  # an empty chain has nothing to vouch for
    fill(session, 5)
    first = checkpoint(session, blobs)
    assert first is not None and (first.sequence, first.unkeyed) == (5, 0)
    assert checkpoint(session, blobs) == first  # an idle chain gains no checkpoints
    fill(session, 2)
    second = checkpoint(session, blobs)
    assert second is not None and second.sequence == 7
    assert [made.sequence for made in checkpoints(session, blobs)] == [5, 7]
    found = verify(session, blobs)
    assert (found.events, found.checkpoints, found.newest) == (7, 2, second)
    record = json.loads(blobs.get("audit-checkpoints/000000000007.json"))
    assert set(record) == {"sequence", "hash", "at", "unkeyed", "signature"}  # no personal data
    public = ChainKey.of(keyring).public_key
    public.verify(bytes.fromhex(record["signature"]), second.signed_body())


def test_a_broken_chain_is_not_checkpointed(engine, keyring, blobs) -> None:
    with keyed(engine, keyring) as session:
        fill(session, 4)
    rewrite_audit_chain(engine, lambda rows: [*rows[:-1], {**rows[-1], "reason": "nothing"}])
    with keyed(engine, keyring) as session, pytest.raises(AuditChainBroken):
        checkpoint(session, blobs)
    assert list(blobs.keys("audit-checkpoints/")) == []


def _altered(field: str, value: object):
    def alter(record: dict) -> dict:
        return {**record, field: value}

    return alter


@pytest.mark.parametrize(
    ("alter", "name"),
    [
        (_altered("sequence", 3), "audit-checkpoints/000000000006.json"),
        (_altered("hash", "f" * 64), "audit-checkpoints/000000000006.json"),
        (_altered("unkeyed", 6), "audit-checkpoints/000000000006.json"),
        (_altered("signature", "00" * 64), "audit-checkpoints/000000000006.json"),
        (lambda record: {"sequence": 6}, "audit-checkpoints/000000000006.json"),
        (lambda record: record, "audit-checkpoints/000000000009.json"),
    ],
    ids=["sequence", "hash", "unkeyed-count", "signature", "truncated", "moved"],
)
def test_an_altered_checkpoint_is_refused(session, blobs, alter, name) -> None:
    fill(session, 6)
    assert checkpoint(session, blobs) is not None
    record = json.loads(blobs.get("audit-checkpoints/000000000006.json"))
    blobs.put(name, json.dumps(alter(record)).encode())
    with pytest.raises(TamperedData, match=name):
        verify(session, blobs)


LEGACY_FIELDS = ("at", "actor", "role", "action", "owner_id", "subject", "reason")
REVISION_BEFORE_MACS = "0008"


def _chain_before_macs(url: str, count: int) -> None:
    """A chain as written before keyed MACs: the schema before them, events with hashes only."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, REVISION_BEFORE_MACS)
        previous = "0" * 64
        for sequence in range(1, count + 1):
            event = {
                "at": "2026-01-01T00:00:00+00:00",
                "actor": "pia",
                "role": "privacy_officer",
                "action": "listen",
                "owner_id": None,
                "subject": f"interaction:{sequence}",
                "reason": "complaint",
            }
            body = json.dumps(
                [sequence, *(event[name] for name in LEGACY_FIELDS)], separators=(",", ":")
            )
            digest = hashlib.sha256(f"{previous}|{body}".encode()).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO audit_events (sequence, at, actor, role, action, owner_id,"
                    " subject, reason, previous_hash, hash) VALUES (:sequence, :at, :actor,"
                    " :role, :action, :owner_id, :subject, :reason, :previous_hash, :hash)"
                ),
                {**event, "sequence": sequence, "previous_hash": previous, "hash": digest},
            )
            previous = digest
        connection.execute(
            text("UPDATE audit_head SET sequence = :sequence, hash = :hash WHERE id = 1"),
            {"sequence": count, "hash": previous},
        )
    engine.dispose()


def test_a_chain_from_before_keyed_macs_still_verifies(settings, keyring, blobs) -> None:
    """The upgrade breaks no chain: old events verify as linked, new ones are keyed."""
    _chain_before_macs(settings.database_url, 3)
    engine = connect(settings.database_url)
    with keyed(engine, keyring) as session:
        found = verify(session, blobs)
        assert (found.events, found.unkeyed) == (3, 3)
        fill(session, 2)
        made = checkpoint(session, blobs)
        assert made is not None and (made.sequence, made.unkeyed) == (5, 3)
        found = verify(session, blobs)
        assert (found.events, found.unkeyed, found.checkpoints) == (5, 3, 1)
    rewrite_audit_chain(engine, lambda rows: rows, strip_macs_from=4)
    with keyed(engine, keyring) as session, pytest.raises(AuditChainBroken) as caught:
        verify(session, blobs)
    assert caught.value.sequence == 4 and "says 3 were written before keyed MACs" in str(
        caught.value
    )
    engine.dispose()


@pytest.mark.parametrize(
    ("kept", "set_aside", "events_after"),
    [(12, 0, 12), (9, 1, 10)],
    ids=["nothing-rewound", "rewound-by-a-restore"],
)
def test_a_restore_sets_aside_the_checkpoints_it_undid(
    engine, keyring, blobs, kept, set_aside, events_after
) -> None:
    """A restore rewinds the chain as a truncation would; unlike an attacker, it holds the KEK
    and the blob store, sets the checkpoints it undid aside and says so in the chain."""
    with keyed(engine, keyring) as session:
        fill(session, 6)
        checkpoint(session, blobs)
        fill(session, 6)
        checkpoint(session, blobs)
    rewrite_audit_chain(engine, lambda rows: rows[:kept])  # what the backup held
    with keyed(engine, keyring) as session:
        assert supersede_after_restore(session, blobs, actor="confide restore") == set_aside
        session.commit()
        found = verify(session, blobs)
        assert (found.events, found.checkpoints) == (events_after, 2 - set_aside)
        assert list(events(session))[-1].action == ("restore" if set_aside else "listen")
    assert len(list(blobs.keys("audit-checkpoints-superseded/"))) == set_aside
