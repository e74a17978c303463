"""Privacy tools on the command line: `confide audit verify`, `confide retention run`."""

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
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals():
        settings = load_settings(data_dir, require_kek=False)
        with opened(settings) as runtime, runtime.sessions() as session:
            try:
                count = verify_chain(session)
            except AuditChainBroken as exc:
                fail(1, str(exc))
    err.print(f"audit chain intact: {count} event(s)")


retention = typer.Typer(help="Automatic deletion after each person's period.", no_args_is_help=True)
app.add_typer(retention, name="retention")


@retention.command("run")
def run_retention(data_dir: DataDir = None) -> None:
    """Delete every interaction older than its owner's chosen period, with receipts."""
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir, require_kek=False)) as runtime:
        done = runtime.enforce_retention()
    deleted = sum(receipt.erased["interactions"] for receipt in done)
    err.print(f"retention: deleted {deleted} interaction(s) of {len(done)} person(s)")
