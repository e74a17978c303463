"""`confide audit verify`: exit 0 on an intact chain, exit 1 naming the first broken link.
`confide account erase`: the receipt, and nothing of the account left that could act or be read.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import AccessDenied
from confide.ingest import authenticate_device
from confide.privacy.audit import Access, append
from confide.privacy.consent import set_consent
from confide.service.sessions import open_session
from confide.store.database import connect, sessions
from confide.store.tables import Consent, DeletionReceipt, Interaction, SignInSession
from confide_testing import answered_interaction

runner = CliRunner()


def test_verify_names_the_first_broken_link(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'confide.db'}")
    with sessions(engine)() as session:
        for index in range(6):
            append(
                session, Access("reviewer-7", "reviewer", "listen", f"interaction:{index}", "task")
            )
        session.commit()
    result = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert "6 event(s)" in result.stderr
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_no_UPDATE"))
        connection.execute(
            text("UPDATE audit_events SET subject = 'interaction:99' WHERE sequence = 3")
        )
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "confide: audit chain broken at event 3: its content does not match its hash"
    )


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
