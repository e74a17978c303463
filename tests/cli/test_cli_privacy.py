"""`confide audit verify`: exit 0 on an intact chain, exit 1 naming the first broken link."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from confide.cli import app
from confide.privacy.audit import Access, append
from confide.store.database import connect, sessions

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
