"""The admin's pages: production quality, and the work that failed.

GET /review/metrics shows WER, intent accuracy, slot F1 and entity-link accuracy overall, per
slice, and as a trend across weeks and model versions: each as a plot drawn on the server (inline
SVG, no script) followed by a table of the same figures. The figures are pooled counts over many
clips; none names a clip, a customer or a reviewer, so reading them is not an audited access.

GET /review/jobs lists the dead letters: interactions that failed after every attempt, with when,
how often, the error and the kind of device, never what was said or whose it was. Retrying one
(POST /review/jobs/{id}/retry) sends it to be answered afresh, and is audited for its owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from confide.learn.evaluation import COMPONENTS, SLICES, Tally, evaluate
from confide.learn.slices import device_kind
from confide.pipeline import retry_failed
from confide.privacy.audit import Access, append
from confide.review import pace
from confide.service.charts import Chart, Series, bar_chart, counted, line_chart, percentage
from confide.service.deps import Db, Rt, require
from confide.service.pages import render
from confide.service.principals import Staff
from confide.store.database import as_utc
from confide.store.tables import Device, Interaction

router = APIRouter(prefix="/review", include_in_schema=False)
Admin = Annotated[Staff, Depends(require("metrics"))]
AdminPost = Annotated[Staff, Depends(require("metrics", post=True))]

METRICS = (
    ("wer", "WER (lower is better)", "#D55E00"),
    ("intent_accuracy", "Intent accuracy", "#0072B2"),
    ("slot_f1", "Slot F1", "#009E73"),
    ("link_accuracy", "Entity-link accuracy", "#CC79A7"),
)
"""Each figure: its Tally property, its name on the page, its colour (Okabe-Ito, told apart
with colour blindness)."""
TREND_SLICE = "week"
"""The slice drawn as a trend over time rather than as bars."""
COMPONENT_NAMES = {"asr": "speech recogniser (ASR)", "nlu": "language understanding (NLU)"}
QUEUE_DAYS = 14
"""Days of the review queue the admin's chart covers: two weeks show a trend and a backlog."""
DEAD_LETTERS_SHOWN = 200
"""The newest failed interactions listed; the page says how many there are in all."""
RETRIED = "answer_again"
"""The audit action of an admin's retry, as the owner reads it ("answer again")."""


@dataclass(frozen=True)
class Row:
    """One line of a figures table."""

    label: str
    """The slice value, version or week."""
    clips: int
    """How many reviewed clips it pools."""
    figures: list[str]
    """The METRICS' values, formatted."""


@dataclass(frozen=True)
class Plot:
    """A plot and its text equivalent."""

    chart: Chart
    heading: str
    column: str
    """What the table's first column holds."""
    rows: list[Row]


@router.get("/metrics")
def metrics(request: Request, staff: Admin, session: Db, rt: Rt) -> Response:
    found = evaluate(session, rt.keyring)
    pooled = {"All clips": found.overall} if found.overall.clips else {}
    overall = _plot("overall", "All reviewed clips", "Set", pooled, bars=True)
    trend = [
        _plot(TREND_SLICE, "By ISO week", "Week", found.slices[TREND_SLICE], bars=False),
        *(
            _plot(
                f"version-{component}",
                f"By version of the {COMPONENT_NAMES.get(component, component)}",
                "Version",
                found.versions[component],
                bars=False,
            )
            for component in COMPONENTS
        ),
    ]
    slices = [
        _plot(name, f"By {words}", words[0].upper() + words[1:], found.slices[name], bars=True)
        for name, words in SLICES.items()
        if name != TREND_SLICE
    ]
    days = pace.daily(session, datetime.now(UTC), QUEUE_DAYS)
    queue = counted(
        "queue",
        f"Review queue, last {QUEUE_DAYS} days",
        "Day (UTC)",
        [f"{day.day:%d %b}" for day in days],
        [
            Series("Sampled into review", "#1f5fbf", [float(day.sampled) for day in days]),
            Series("Labelled by reviewers", "#1e6b3a", [float(day.labelled) for day in days]),
        ],
        bars=False,
    )
    context = {
        "staff": staff,
        "active": "metrics",
        "queue": queue,
        "queue_depth": pace.queue_depth(session),
        "evaluation": found,
        "metrics": [name for _, name, _ in METRICS],
        "overall": overall,
        "trend": trend,
        "slices": slices,
    }
    return render(request, "admin/metrics.html", context)


def _plot(key: str, heading: str, column: str, tallies: Mapping[str, Tally], bars: bool) -> Plot:
    categories = list(tallies)
    series = [
        Series(name, colour, [getattr(tallies[value], metric) for value in categories])
        for metric, name, colour in METRICS
    ]
    draw = bar_chart if bars else line_chart
    rows = [
        Row(value, tally.clips, [percentage(getattr(tally, metric)) for metric, _, _ in METRICS])
        for value, tally in tallies.items()
    ]
    return Plot(draw(f"plot-{key}", heading, categories, series), heading, column, rows)


@dataclass(frozen=True)
class DeadLetter:
    """A failed interaction as the admin sees it: nothing of what was said, nor whose."""

    id: str
    uploaded: datetime
    attempts: int
    error: str
    device: str
    """The kind of device ("speaker"), never its name, which is the customer's own words."""


@router.get("/jobs")
def jobs(request: Request, staff: Admin, session: Db, retried: str = "") -> Response:
    failed = Interaction.status == "failed"
    rows = session.execute(
        select(
            Interaction.id,
            Interaction.created_at,
            Interaction.attempts,
            Interaction.error,
            Device.name,
        )
        .join(Device, Device.id == Interaction.device_id)
        .where(failed)
        .order_by(Interaction.created_at.desc())
        .limit(DEAD_LETTERS_SHOWN)
    ).all()
    letters = [
        DeadLetter(iid, as_utc(at), attempts, error or "", device_kind(name))
        for iid, at, attempts, error, name in rows
    ]
    context = {
        "staff": staff,
        "active": "jobs",
        "letters": letters,
        "total": session.scalar(select(func.count()).select_from(Interaction).where(failed)),
        "retried": retried,
    }
    return render(request, "admin/jobs.html", context)


@router.post("/jobs/{interaction_id}/retry")
def retry(interaction_id: str, staff: AdminPost, session: Db, rt: Rt) -> Response:
    owner = retry_failed(session, interaction_id)
    if owner is None:
        raise HTTPException(404, "no failed interaction by that id: retried already, or deleted")
    append(
        session,
        Access(
            staff.pseudonym,
            "admin",
            RETRIED,
            f"interaction:{interaction_id}",
            "it could not be answered, so an administrator had it tried again",
            owner,
        ),
    )
    session.commit()
    rt.queue.enqueue(interaction_id)  # committed first, so the job finds it to do
    return RedirectResponse(f"/review/jobs?retried={interaction_id}", 303)
