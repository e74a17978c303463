"""The admin's view of production quality, measured against the reviewers' labels.

GET /review/metrics shows WER, intent accuracy, slot F1 and entity-link accuracy overall, per
slice, and as a trend across weeks and model versions: each as a plot drawn on the server (inline
SVG, no script) followed by a table of the same figures. The figures are pooled counts over many
clips; none names a clip, a customer or a reviewer, so reading them is not an audited access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from confide.learn.evaluation import COMPONENTS, SLICES, Tally, evaluate
from confide.service.charts import Chart, Series, bar_chart, line_chart, percentage
from confide.service.deps import Db, Rt, require
from confide.service.pages import render
from confide.service.principals import Staff

router = APIRouter(prefix="/review", include_in_schema=False)
Admin = Annotated[Staff, Depends(require("metrics"))]

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
    counted = {"All clips": found.overall} if found.overall.clips else {}
    overall = _plot("overall", "All reviewed clips", "Set", counted, bars=True)
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
    context = {
        "staff": staff,
        "active": "metrics",
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
