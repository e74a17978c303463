"""`confide backup` / `confide restore`: a restore in place brings back nothing deleted since the
backup; what is not a backup is refused with exit 2 and one line."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import KeyDestroyed
from confide.privacy.contexts import transcript_context
from confide.privacy.deletion import delete_interactions
from confide.settings import Settings
from confide.store.database import connect, sessions
from confide.store.tables import Interaction
from confide_testing import answered_interaction

runner = CliRunner()


def use_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[str]:
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    return ["--data-dir", str(settings.data_dir)]


def test_a_restore_in_place_replays_the_deletions_since_the_backup(
    settings, engine, session, keyring, blobs, household, monkeypatch, tmp_path
) -> None:
    """Before, nothing destroyed a deleted interaction's key: restoring a backup taken before
    the deletion made it readable again."""
    alice, device = household.people["alice"].id, household.devices["alice"].id
    said = ["call the dentist at noon", "buy oat milk"]
    ids = [answered_interaction(session, keyring, blobs, alice, device, text) for text in said]
    session.commit()
    sealed = [session.get_one(Interaction, iid).transcript_sealed for iid in ids]
    where = use_settings(monkeypatch, settings)
    out = tmp_path / "confide.backup"
    made = runner.invoke(app, ["backup", "--out", str(out), *where])
    assert made.exit_code == 0, made.stderr
    assert "backup:" in made.stderr and out.exists()
    delete_interactions(session, keyring, blobs, alice, ids[:1], scope="interaction", actor=alice)
    session.commit()
    session.close()
    engine.dispose()  # the service is stopped for a restore
    done = runner.invoke(app, ["restore", str(out), *where])
    if engine.dialect.name != "sqlite":
        assert done.exit_code == 2 and "restore into an empty one" in done.stderr
        return
    assert done.exit_code == 0, done.stderr
    # The interaction's key and its recording's
    assert "2 shredding(s) replayed, 2 key(s) in the backup destroyed again" in done.stderr
    restored = connect(settings.database_url)
    try:
        with sessions(restored)() as after:
            assert after.get(Interaction, ids[0]) is None
            with pytest.raises(KeyDestroyed):
                keyring.open_json(after, alice, sealed[0], transcript_context(ids[0]))
            kept = keyring.open_json(after, alice, sealed[1], transcript_context(ids[1]))
            assert kept["text"] == said[1]
    finally:
        restored.dispose()


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (["restore", "{tmp}/nothing.zip"], "is not a Confide backup"),
        (["restore", "{tmp}/text.zip"], "is not a Confide backup"),
        (["backup", "--out", "{tmp}/no/such/folder/b.zip"], "no folder"),
    ],
    ids=["missing-file", "not-a-zip", "no-folder"],
)
def test_bad_input_exits_2_with_one_line(
    settings, household, monkeypatch, tmp_path: Path, command, reason
) -> None:
    (tmp_path / "text.zip").write_text("a shopping list, not a backup")
    where = use_settings(monkeypatch, settings)
    result = runner.invoke(app, [part.format(tmp=tmp_path) for part in command] + where)
    assert result.exit_code == 2
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
