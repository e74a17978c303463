"""`confide staff add` and `confide watermark identify` on a leaked, re-encoded clip."""

from __future__ import annotations

import base64
import io
import json
import secrets

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from confide.cli import app
from confide.privacy.keys import KeyRing
from confide.review.watermark import embed, watermark_key
from confide.settings import load_settings

runner = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIDE_KEK", base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path))
    return tmp_path


def add(login: str, *roles: str):
    flags = [part for role in roles for part in ("--role", role)]
    return runner.invoke(app, ["staff", "add", login, *flags], input=f"{PASSWORD}\n{PASSWORD}\n")


@pytest.mark.parametrize(
    ("roles", "code", "says"),
    [
        (("reviewer",), 0, "Reviewer "),
        (("lead", "reviewer"), 0, "Lead "),
        (("overlord",), 2, "roles"),
    ],
)
def test_staff_add(env, roles, code, says):
    result = add("rhea", *roles)
    assert result.exit_code == code, result.output
    if code == 0:
        made = json.loads(result.stdout.strip().splitlines()[-1])
        assert made["pseudonym"].startswith(says) and len(made["totp_secret"]) >= 16
    else:
        assert says in result.stderr


@pytest.mark.parametrize("format_", ["MP3", "OGG"])
def test_identify_names_whoever_a_leaked_clip_was_served_to(env, speech, format_):
    ids = {}
    for login in ("rhea", "remy"):
        add(login, "reviewer")
    from confide.store.database import connect, sessions
    from confide.store.tables import StaffMember

    settings = load_settings(env)
    engine = connect(settings.database_url)
    with sessions(engine)() as session:
        ids = {m.login: (m.id, m.pseudonym) for m in session.query(StaffMember)}
    engine.dispose()
    secret = KeyRing(settings).watermark_secret()
    clip = speech("play the lion sleeps tonight", "heart")
    marked = embed(clip, watermark_key(secret, ids["remy"][0]))
    leaked = env / f"leaked.{format_.lower()}"
    louder = np.clip(marked.as_float() * 1.5, -1, 1)
    buffer = io.BytesIO()
    sf.write(
        buffer, louder, 16000, format=format_, **({"subtype": "VORBIS"} if format_ == "OGG" else {})
    )
    leaked.write_bytes(buffer.getvalue())
    result = runner.invoke(app, ["watermark", "identify", str(leaked), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pseudonym"] == ids["remy"][1]
    unmarked = env / "unmarked.wav"
    unmarked.write_bytes(clip.to_wav_bytes())
    result = runner.invoke(app, ["watermark", "identify", str(unmarked)])
    assert result.exit_code == 1 and "no staff watermark" in result.stderr


def test_identify_refuses_what_is_not_audio(env):
    junk = env / "junk.mp3"
    junk.write_bytes(b"not audio at all")
    result = runner.invoke(app, ["watermark", "identify", str(junk)])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("roles", "named"), [(("reviewer",), "reviewer"), (("admin", "lead"), "admin, lead")]
)
def test_staff_add_is_audited_as_the_command_line(env, roles, named):
    from confide.privacy.audit import events
    from confide.store.database import connect, sessions

    result = add("rhea", *roles)
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout.strip().splitlines()[-1])
    engine = connect(load_settings(env).database_url)
    with sessions(engine)() as session:
        seen = [(e.actor, e.role, e.action, e.subject, e.reason) for e in events(session)]
    engine.dispose()
    assert [row[:4] for row in seen] == [
        ("cli", "system", "staff_add", f"staff:{made['pseudonym']}")
    ]
    assert named in seen[0][4]
