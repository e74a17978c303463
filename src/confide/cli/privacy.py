"""Privacy tools on the command line: `confide audit verify`."""

from __future__ import annotations

import typer

from confide.cli.common import DataDir, app, err, fail, refusals

audit = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit, name="audit")


@audit.command()
def verify(data_dir: DataDir = None) -> None:
    """Check every link of the audit chain; exit 1 naming the first broken one."""
    from confide.errors import AuditChainBroken
    from confide.privacy.audit import verify as verify_chain
    from confide.settings import load_settings
    from confide.store.database import connect, sessions

    with refusals():
        settings = load_settings(data_dir, require_kek=False)
        with sessions(connect(settings.database_url))() as session:
            try:
                count = verify_chain(session)
            except AuditChainBroken as exc:
                fail(1, str(exc))
    err.print(f"audit chain intact: {count} event(s)")
