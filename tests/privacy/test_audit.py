"""The audit chain: append-only in the database, and every tampering is found and named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from confide.errors import AuditChainBroken
from confide.privacy.audit import Access, append, events, verify
from confide.store.database import sessions


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


def test_an_untouched_chain_verifies(session: Session) -> None:
    assert verify(session) == 0
    fill(session, 12)
    assert verify(session) == 12
    assert [e.sequence for e in events(session, owner_id="person-1")] == [2, 4, 6, 8, 10, 12]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"]
)
def test_the_database_refuses_edits(engine: Engine, statement: str) -> None:
    with sessions(engine)() as session:
        fill(session, 3)
    with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement))


def _bypass_triggers(engine: Engine, statements: list[str]) -> None:
    """What an attacker with raw database access could do."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_no_UPDATE"))
            connection.execute(text("DROP TRIGGER audit_events_no_DELETE"))
        else:
            connection.execute(
                text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
            )
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
    ],
    ids=["reason-edited", "actor-edited", "middle-deleted", "tail-deleted", "time-edited"],
)
def test_tampering_is_named(engine: Engine, statements: list[str], first_broken: int) -> None:
    with sessions(engine)() as session:
        fill(session, 10)
    _bypass_triggers(engine, statements)
    with sessions(engine)() as session, pytest.raises(AuditChainBroken) as caught:
        verify(session)
    assert caught.value.sequence == first_broken
