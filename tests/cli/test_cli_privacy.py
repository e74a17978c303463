"""`confide audit verify`: exit 0 on an intact chain, exit 1 naming the first broken link, even
after a rewrite by someone without the KEK. `confide audit checkpoint`: signs the head.
`confide account erase`: the receipt, and nothing of the account left that could act or be read.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import AccessDenied
from confide.ingest import authenticate_device
from confide.privacy.audit import Access, ChainKey, Checkpoint, append
from confide.privacy.consent import set_consent
from confide.privacy.keys import KeyRing
from confide.service.sessions import open_session
from confide.settings import Settings, load_settings
from confide.store.blobs import LocalBlobStore
from confide.store.tables import Consent, DeletionReceipt, Interaction, SignInSession
from confide_testing import answered_interaction, rewrite_audit_chain

runner = CliRunner()


def use_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[str]:
    """The command line sees the test's KEK and database; returns its --data-dir arguments."""
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    return ["--data-dir", str(settings.data_dir)]


def fill(session: Session, count: int) -> None:
    for index in range(1, count + 1):
        access = Access("reviewer-7", "reviewer", "listen", f"interaction:{index}", "task")
        append(session, access)
    session.commit()


def forge_checkpoint(blobs: LocalBlobStore, sequence: int) -> None:
    """A checkpoint signed by another server's key (an attacker's own KEK)."""
    other = KeyRing(
        load_settings(
            Path("unused"), env={"CONFIDE_KEK": base64.b64encode(bytes(range(32))).decode()}
        )
    )
    record = {"sequence": sequence, "hash": "0" * 64, "at": "2026-01-01T00:00:00", "unkeyed": 0}
    body = Checkpoint(**record).signed_body()
    signature = ChainKey.of(other).signing_key.sign(body).hex()
    blobs.put(
        f"audit-checkpoints/{sequence:012d}.json",
        json.dumps({**record, "signature": signature}).encode(),
    )


def renumbered_without(sequence: int):
    return lambda rows: [row for row in rows if row["sequence"] != sequence]


def reason_changed(sequence: int):
    def edit(rows):
        rows[sequence - 1]["reason"] = "routine quality check"
        return rows

    return edit


REWRITES = [
    # (what the attacker does to a chain of 12 events checkpointed at 12, what verify names)
    (
        lambda engine, blobs: rewrite_audit_chain(engine, lambda rows: rows[:9]),
        "broken at event 10: events 10 to 12 are missing, though the checkpoint of",
    ),
    (
        lambda engine, blobs: rewrite_audit_chain(engine, lambda rows: rows[:11]),
        "broken at event 12: event 12 is missing, though the checkpoint of",
    ),
    (
        lambda engine, blobs: rewrite_audit_chain(engine, renumbered_without(4)),
        "broken at event 4: its MAC does not match: it was rewritten without the key",
    ),
    (
        lambda engine, blobs: rewrite_audit_chain(engine, renumbered_without(4), strip_macs_from=1),
        "broken at event 1: 11 event(s) carry no MAC, but the checkpoint of",
    ),
    (
        lambda engine, blobs: rewrite_audit_chain(engine, reason_changed(6)),
        "broken at event 6: its MAC does not match: it was rewritten without the key",
    ),
    (
        lambda engine, blobs: rewrite_audit_chain(engine, reason_changed(6), strip_macs_from=6),
        "broken at event 6: it carries no MAC, though earlier ones do",
    ),
    (
        lambda engine, blobs: forge_checkpoint(blobs, 13),
        "the audit checkpoint audit-checkpoints/000000000013.json is not one this server signed",
    ),
]


@pytest.mark.parametrize(
    ("attack", "named"),
    REWRITES,
    ids=[
        "last-events-deleted-head-rewound",
        "last-event-deleted-head-rewound",
        "every-hash-recomputed",
        "every-hash-recomputed-macs-stripped",
        "one-reason-edited-following-recomputed",
        "one-reason-edited-macs-stripped",
        "forged-checkpoint",
    ],
)
def test_verify_finds_a_rewritten_chain(
    monkeypatch, settings, engine, session, blobs, attack, named
) -> None:
    """Item 9: whoever can drop the triggers, but holds no KEK, cannot make verify pass."""
    data_dir = use_settings(monkeypatch, settings)
    fill(session, 12)
    result = runner.invoke(app, ["audit", "checkpoint", *data_dir, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sequence"] == 12
    attack(engine, blobs)
    result = runner.invoke(app, ["audit", "verify", *data_dir])
    assert result.exit_code == 1, result.output
    assert named in result.stderr


@pytest.mark.parametrize(
    ("checkpoint_first", "says"),
    [
        (
            True,
            "audit chain intact: 6 event(s); 1 signed checkpoint(s) checked, the newest at event 6",
        ),
        (False, "audit chain intact: 6 event(s); 0 signed checkpoint(s) checked (none yet"),
    ],
    ids=["checkpointed", "not-yet-checkpointed"],
)
def test_an_untouched_chain_is_intact(
    monkeypatch, settings, session, checkpoint_first, says
) -> None:
    data_dir = use_settings(monkeypatch, settings)
    fill(session, 6)
    if checkpoint_first:
        assert runner.invoke(app, ["audit", "checkpoint", *data_dir]).exit_code == 0
    result = runner.invoke(app, ["audit", "verify", *data_dir])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(says)


ERASE_CASES = [
    # (login, extra flags, exit code, what stderr says)
    ("alice", ["--json"], 0, ""),
    ("alice", [], 0, "erased the account 'alice': "),
    ("carol", [], 2, "confide: no account has the login 'carol'\n"),
]


@pytest.mark.parametrize(
    ("login", "flags", "code", "says"), ERASE_CASES, ids=["json", "readable", "unknown-login"]
)
def test_account_erase(
    settings, session, keyring, blobs, household, monkeypatch, login, flags, code, says
) -> None:
    """Item 4: the command erases as the privacy centre does, leaving only the receipt."""
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    people = {who: household.people[who].id for who in ("alice", "bob")}
    for who, person in people.items():
        answered_interaction(session, keyring, blobs, person, household.devices[who].id)
        set_consent(session, person, "human_review", True, actor=person)
        open_session(session, "person", person, 12, datetime.now(UTC))
    session.commit()
    argv = ["account", "erase", "--login", login, "--data-dir", str(settings.data_dir), *flags]
    result = runner.invoke(app, argv)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith(says) if says else result.stderr == ""
    session.expire_all()
    left = {who: what_is_left(session, person) for who, person in people.items()}
    assert left["bob"] == {"interactions": 1, "sessions": 1, "consents": 1, "receipts": 0}
    if code != 0:
        assert result.stdout == "" and left["alice"] == left["bob"]
        return
    receipt = json.loads(result.stdout)
    assert receipt["person_id"] == people["alice"] and receipt["scope"] == "account"
    assert {kind: receipt["erased"][kind] for kind in ERASED} == ERASED
    assert left["alice"] == {"interactions": 0, "sessions": 0, "consents": 0, "receipts": 1}
    assert list(blobs.keys(f"audio/{people['alice']}/")) == []
    with pytest.raises(AccessDenied):
        authenticate_device(session, household.tokens["alice"])
    assert authenticate_device(session, household.tokens["bob"]).person_id == people["bob"]


ERASED = {
    "interactions": 1,
    "audio": 1,
    "sessions": 1,
    "consents": 1,
    "devices": 1,
    "data_key": 1,
}
"""What the receipt of the test's account counts, kind by kind."""


def what_is_left(session: Session, person_id: str) -> dict[str, int]:
    counted = {
        "interactions": select(Interaction).where(Interaction.owner_id == person_id),
        "sessions": select(SignInSession).where(SignInSession.principal_id == person_id),
        "consents": select(Consent).where(Consent.person_id == person_id),
        "receipts": select(DeletionReceipt).where(DeletionReceipt.person_id == person_id),
    }
    return {kind: len(session.scalars(query).all()) for kind, query in counted.items()}
