"""Human review on the command line: `confide staff add`, `confide watermark identify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from confide.cli.common import DataDir, app, err, fail, refusals

staff = typer.Typer(help="Accounts of the people who review, lead, handle safety or approve.")
app.add_typer(staff, name="staff")


@staff.command("add")
def add(
    login: Annotated[str, typer.Argument(help="What they sign in with.")],
    role: Annotated[
        list[str],
        typer.Option("--role", help="reviewer, lead, safety, privacy_officer or admin; repeat."),
    ],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    data_dir: DataDir = None,
) -> None:
    """Add a staff member, audited as made at the command line; prints their pseudonym and, once,
    their TOTP secret."""
    from confide.review.staff import add_staff
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        made = add_staff(session, runtime.keyring, login, password, set(role))
        session.commit()
    print(
        json.dumps(
            {"pseudonym": made.pseudonym, "login": made.login, "totp_secret": made.totp_secret}
        )
    )


watermark = typer.Typer(help="The watermark in audio served to staff.", no_args_is_help=True)
app.add_typer(watermark, name="watermark")


@watermark.command("identify")
def identify(
    file: Annotated[Path, typer.Argument(help="A leaked clip: wav, mp3, ogg, flac, any rate.")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Name the staff member whose watermark a leaked clip carries; exit 1 if none does."""
    from sqlalchemy import select

    from confide.audio import read_audio
    from confide.review.watermark import identify as find_mark
    from confide.review.watermark import watermark_key
    from confide.service.runtime import opened
    from confide.settings import load_settings
    from confide.store.tables import StaffMember

    with refusals():
        audio = read_audio(file)
        with opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
            secret = runtime.keyring.watermark_secret()
            members = {m.id: m for m in session.scalars(select(StaffMember))}
        keys = {member_id: watermark_key(secret, member_id) for member_id in members}
        found = find_mark(audio, keys)
    if found is None:
        if as_json:
            print(json.dumps({"file": str(file), "identified": False}))
        fail(1, f"{file}: no staff watermark found")
    member = members[found.reviewer_id]
    result = {
        "file": str(file),
        "identified": True,
        "pseudonym": member.pseudonym,
        "login": member.login,
        "score": round(found.score, 3),
    }
    if as_json:
        print(json.dumps(result))
    else:
        err.print(
            f"{file}: served to {member.pseudonym} (login {member.login}), score {found.score:.3f}"
        )
