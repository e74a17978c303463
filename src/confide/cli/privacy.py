"""Privacy tools on the command line: `confide audit verify` and `checkpoint`,
`confide retention run`, `confide account erase`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from confide.cli.common import DataDir, app, err, fail, refusals

audit = typer.Typer(
    help="The hash-chained, keyed and checkpointed audit log.", no_args_is_help=True
)
app.add_typer(audit, name="audit")


@audit.command()
def verify(data_dir: DataDir = None) -> None:
    """Check every link, MAC and signed checkpoint of the audit chain; exit 1 naming the first
    broken one. Needs the KEK, as the MACs are keyed under it."""
    from confide.errors import AuditChainBroken, TamperedData
    from confide.privacy.audit import verify as verify_chain
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        try:
            found = verify_chain(session, runtime.blobs)
        except (AuditChainBroken, TamperedData) as exc:
            fail(1, str(exc))
    newest = (
        f", the newest at event {found.newest.sequence} ({found.newest.at})"
        if found.newest
        else " (none yet: nothing outside the database vouches for the newest events)"
    )
    unkeyed = f", {found.unkeyed} of them from before keyed MACs" if found.unkeyed else ""
    err.print(
        f"audit chain intact: {found.events} event(s){unkeyed}; "
        f"{found.checkpoints} signed checkpoint(s) checked{newest}",
        markup=False,
        soft_wrap=True,
    )


@audit.command("checkpoint")
def checkpoint(
    data_dir: DataDir = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Only the checkpoint, as one JSON.")
    ] = False,
) -> None:
    """Verify the chain, then sign its head into the blob store (the worker does it hourly).

    Prints the checkpoint and the public key that checks its signature, to keep elsewhere.
    """
    from confide.privacy.audit import ChainKey
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime:
        made = runtime.checkpoint_audit()
        public_key = ChainKey.of(runtime.keyring).public_key_hex()
    if made is None:
        fail(1, "the audit chain is empty: there is nothing to checkpoint")
    if not as_json:
        err.print(f"checkpoint at event {made.sequence} ({made.at})", markup=False, soft_wrap=True)
    fields = {"sequence": made.sequence, "hash": made.hash, "at": made.at, "unkeyed": made.unkeyed}
    print(json.dumps({**fields, "public_key": public_key}))


retention = typer.Typer(help="Automatic deletion after each person's period.", no_args_is_help=True)
app.add_typer(retention, name="retention")


@retention.command("run")
def run_retention(data_dir: DataDir = None) -> None:
    """Delete every interaction older than its owner's chosen period, with receipts; their keys
    are destroyed, and the shredding ledger is MAC'd, under the KEK."""
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime:
        done = runtime.enforce_retention()
        runtime.checkpoint_audit()
    deleted = sum(receipt.erased["interactions"] for receipt in done)
    err.print(f"retention: deleted {deleted} interaction(s) of {len(done)} person(s)")


account = typer.Typer(help="Customer accounts.", no_args_is_help=True)
app.add_typer(account, name="account")

ERASE_ACTOR = "confide account erase"
"""Who the audit log and the receipt say erased the account: the operator's command."""


@account.command("erase")
def erase(
    login: Annotated[str, typer.Option("--login", help="The login of the account to erase.")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Only the receipt, as one JSON.")] = False,
) -> None:
    """Erase a whole account, as the privacy centre's "delete my account" does; print the receipt.

    Its key is shredded first, then its recordings, transcripts, review copies, skill items,
    consents and sessions go, and its devices stop working. Exit 2 for an unknown login.
    """
    from sqlalchemy import select

    from confide.privacy.deletion import erase_account
    from confide.service.runtime import opened
    from confide.settings import load_settings
    from confide.store.tables import Person

    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        person_id = session.scalar(
            select(Person.id).where(Person.login == login, Person.erased_at.is_(None))
        )
        if person_id is None:
            fail(2, f"no account has the login {login!r}")
        receipt = erase_account(
            session, runtime.keyring, runtime.blobs, person_id, actor=ERASE_ACTOR, role="system"
        )
        session.commit()
    if not as_json:
        counts = ", ".join(f"{n} {kind}" for kind, n in receipt.erased.items())
        err.print(f"erased the account {login!r}: {counts}; receipt {receipt.id}", markup=False)
    print(
        json.dumps(
            {
                "receipt": receipt.id,
                "person_id": receipt.person_id,
                "scope": receipt.scope,
                "erased": receipt.erased,
                "exports": receipt.exports,
                "created_at": receipt.created_at.isoformat(),
            }
        )
    )
    with refusals(), opened(load_settings(data_dir)) as runtime:
        runtime.checkpoint_audit()  # anchor the erasure's events outside the database now
