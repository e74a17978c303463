"""Retraining on the command line: `confide learn run`, `learn status` and `learn rollback`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from confide.cli.common import DataDir, app, err, refusals
from confide.store.tables import ModelVersion

learn = typer.Typer(
    help="Retrain from reviewed labels, and the model registry.", no_args_is_help=True
)
app.add_typer(learn, name="learn")

AsJson = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@learn.command("run")
def run(
    data_dir: DataDir = None,
    as_json: AsJson = False,
    nightly: Annotated[
        bool,
        typer.Option(
            "--nightly", hidden=True, help="Stand down if another run started in the last hours."
        ),
    ] = False,
) -> None:
    """Train candidates from the reviewed labels, measure them against production, promote the
    better ones; progress on stderr."""
    from confide.service.runtime import NIGHTLY_GAP, opened
    from confide.settings import load_settings

    since = datetime.now(UTC) - NIGHTLY_GAP if nightly else None
    with refusals(), opened(load_settings(data_dir)) as runtime:
        outcome = runtime.learn(
            progress=lambda message: err.print(f"learn: {message}"), once_since=since
        )
    if as_json:
        print(json.dumps(outcome.to_json()))
        return
    for candidate in outcome.candidates:
        verdict = "promoted" if candidate.promoted else "not promoted"
        print(f"{candidate.version} ({candidate.trained_on} items): {verdict}. {candidate.reason}")
    for component, why in outcome.skipped.items():
        print(f"{component}: no candidate, {why}")


@learn.command("status")
def status(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """What is in production, and every version with the gate's reason."""
    from confide.learn.registry import history, production_versions, training_items
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        promoted = production_versions(session)
        rows = [_version_json(row, len(training_items(session, row))) for row in history(session)]
    if as_json:
        print(json.dumps({"production": promoted, "history": rows}))
        return
    for component in ("nlu", "asr"):
        print(f"{component}: {promoted.get(component, 'default (shipped)')}")
    for row in rows:
        print(f"  {row['version']:<10} {row['status']:<10} {row['reason']}")


@learn.command("rollback")
def rollback(
    component: Annotated[str, typer.Argument(help="nlu or asr.")],
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Take the component's production version out and restore the previous one (the shipped
    default when there is none); audited."""
    from confide.learn.registry import Actor
    from confide.learn.registry import rollback as roll_back
    from confide.review.staff import COMMAND_LINE
    from confide.service.runtime import opened
    from confide.settings import load_settings

    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        removed, restored = roll_back(
            session, component, now=datetime.now(UTC), actor=Actor(COMMAND_LINE, "system")
        )
        session.commit()
        result = {
            "component": component,
            "removed": removed.version,
            "production": restored.version if restored else "default",
        }
    if as_json:
        print(json.dumps(result))
    else:
        print(f"{component}: {result['removed']} rolled back; now {result['production']}")


def _version_json(row: ModelVersion, trained_on: int) -> dict[str, Any]:
    from confide.learn.registry import metrics

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "component": row.component,
        "version": row.version,
        "status": row.status,
        "parent": row.parent,
        "trained_on": trained_on,
        "created_at": when(row.created_at),
        "promoted_at": when(row.promoted_at),
        "tainted_at": when(row.tainted_at),
        "reason": row.reason,
        "metrics": metrics(row),
    }
