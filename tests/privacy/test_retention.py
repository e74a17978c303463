"""Retention: interactions older than their owner's period go, with receipts; nothing else does."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from confide.cli import app
from confide.ingest import ingest
from confide.privacy.audit import events
from confide.privacy.retention import enforce_retention, set_retention
from confide.store.tables import Interaction, Person
from confide_testing import wav

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def aged(session, keyring, blobs, household, who: str, days: list[float]) -> list[str]:
    """Interactions of `who`, each made that many days before NOW."""
    made = []
    for index, age in enumerate(days):
        row = ingest(session, keyring, blobs, household.devices[who], f"{who}-{index}", wav(0.3))
        row.created_at = NOW - timedelta(days=age)
        made.append(row.id)
    session.commit()
    return made


def kept(session, owner_id: str) -> set[str]:
    return set(session.scalars(select(Interaction.id).where(Interaction.owner_id == owner_id)))


def test_only_interactions_older_than_the_period_go(session, keyring, blobs, household) -> None:
    people = {who: household.people[who].id for who in ("alice", "bob", "sam")}
    alice = aged(session, keyring, blobs, household, "alice", [200, 92, 90, 1])
    bob = aged(session, keyring, blobs, household, "bob", [2000])
    sam = aged(session, keyring, blobs, household, "sam", [31, 29])
    set_retention(session, people["alice"], 91, actor=people["alice"])
    session.get(Person, people["sam"]).retention_days = 30  # a parent's choice for a child
    session.commit()
    receipts = enforce_retention(session, keyring, blobs, NOW)
    session.commit()
    assert sorted((r.person_id, r.scope, r.erased["interactions"]) for r in receipts) == sorted(
        [(people["alice"], "retention", 2), (people["sam"], "retention", 1)]
    )
    assert kept(session, people["alice"]) == set(alice[2:])
    assert kept(session, people["bob"]) == set(bob)  # keeps everything: no period chosen
    assert kept(session, people["sam"]) == {sam[1]}
    assert sorted(blobs.keys(f"audio/{people['alice']}/")) == sorted(
        f"audio/{people['alice']}/{i}" for i in alice[2:]
    )
    assert enforce_retention(session, keyring, blobs, NOW) == []  # a second run finds nothing
    deletions = [e for e in events(session, owner_id=people["alice"]) if e.action == "delete"]
    assert [(e.actor, e.role, e.reason) for e in deletions] == [
        ("retention", "system", "deleted (retention)")
    ]


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        (91, "delete after 3 months"),
        (548, "delete after 18 months"),
        (10, "delete after 10 days"),
        (None, "keep until I delete them"),
    ],
)
def test_a_choice_is_stored_and_audited(session, household, days, reason) -> None:
    alice = household.people["alice"].id
    set_retention(session, alice, days, actor=alice)
    session.commit()
    assert session.get(Person, alice).retention_days == days
    last = list(events(session, owner_id=alice))[-1]
    assert (last.action, last.role, last.reason) == ("retention_changed", "owner", reason)


@pytest.mark.parametrize("days", [0, -5, 36501])
def test_a_period_out_of_range_is_refused(session, household, days) -> None:
    alice = household.people["alice"].id
    with pytest.raises(ValueError, match="1 to 36500 days"):
        set_retention(session, alice, days, actor=alice)
    assert session.get(Person, alice).retention_days is None


def test_the_command_runs_retention(
    settings, session, keyring, blobs, household, monkeypatch
) -> None:
    alice = household.people["alice"].id
    old, new = aged(session, keyring, blobs, household, "alice", [1000, 0])
    set_retention(session, alice, 91, actor=alice)
    session.commit()
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    result = CliRunner().invoke(app, ["retention", "run", "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.stderr
    assert "deleted 1 interaction(s) of 1 person(s)" in result.stderr
    session.expire_all()
    assert kept(session, alice) == {new}
    assert old not in "".join(blobs.keys())
