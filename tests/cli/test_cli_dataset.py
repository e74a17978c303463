"""`confide dataset export`: the reviewed dataset written for training tools, recorded."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from confide.cli import app
from confide.store.tables import DatasetExport, DatasetExportItem, DatasetItem
from confide_testing import reviewed_items

runner = CliRunner()


@pytest.mark.parametrize(
    ("flags", "prints"),
    [(["--json"], "json"), ([], "words")],
)
def test_export(
    tmp_path, settings, session, keyring, team, queued, monkeypatch, flags, prints
) -> None:
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    made = reviewed_items(session, keyring, team, queued, "alice", 2)
    session.execute(DatasetItem.__table__.delete())  # reviewed, not yet in the dataset
    session.commit()
    out = tmp_path / "export"
    argv = ["dataset", "export", "--out", str(out), "--data-dir", str(settings.data_dir)]
    result = runner.invoke(app, [*argv, *flags])
    assert result.exit_code == 0, result.output
    [export] = session.scalars(select(DatasetExport)).all()
    if prints == "json":
        assert json.loads(result.stdout) == {
            "items": 2,
            "manifest": str(out / "manifest.jsonl"),
            "export_id": export.id,
        }
    else:
        assert (
            result.stdout == f"exported 2 item(s) to {out / 'manifest.jsonl'}; export {export.id}\n"
        )
    held = session.scalars(
        select(DatasetExportItem.interaction_id).where(DatasetExportItem.export_id == export.id)
    )
    assert sorted(held) == sorted(made)
    assert len(list((out / "audio").glob("*.wav"))) == 2
    assert (out / "data.parquet").is_file()


def test_export_refuses_a_folder_that_is_not_empty(tmp_path, settings, session, monkeypatch):
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(settings.kek).decode())
    monkeypatch.setenv("CONFIDE_DATABASE_URL", settings.database_url)
    out = tmp_path / "export"
    out.mkdir()
    (out / "manifest.jsonl").write_text("an earlier export\n")
    argv = ["dataset", "export", "--out", str(out), "--data-dir", str(settings.data_dir)]
    result = runner.invoke(app, [*argv, "--json"])
    assert result.exit_code == 2
    assert (
        result.stderr == f"confide: {out} is not an empty folder; export into a new or empty one\n"
    )
    assert result.stdout == ""
    assert (out / "manifest.jsonl").read_text() == "an earlier export\n"
    assert session.scalars(select(DatasetExport)).all() == []
