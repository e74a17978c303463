"""Plots drawn on the server as geometry for inline SVG: no script, nothing fetched.

A chart is a few series of rates (0 to 1, or more for an error rate; shown as percentages) or
of counts (clips, interactions; shown as whole numbers) over categories, drawn as grouped bars
(one group per category) or as lines (categories in time order). This module only computes
where things go; the template writes the SVG, escaping every label, and pairs each plot with a
table of the same figures, its text equivalent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

PLOT_HEIGHT = 180
"""Height of the plotting area, in SVG units."""
LEFT, TOP, BOTTOM = 44, 12, 56
"""Margins: tick labels on the left, category labels and the legend below."""
BAR, GAP = 12, 18
"""A bar's width, and the least space between two categories' groups."""
STEP = 72
"""Least horizontal distance between two points of a line chart."""
CHARACTER = 6.5
"""Width of one character of an 11-unit label, near enough to keep labels apart."""
MIN_WIDTH = 360
"""Narrower charts are widened to this, so the legend fits."""
LEGEND_SPACING = 160
"""Horizontal room for one legend entry with a short name."""
SWATCH = 14
"""A legend entry's colour square and the space after it."""
Unit = Literal["rate", "count"]
"""What a chart's values are: rates drawn as percentages, or counts drawn as whole numbers."""


@dataclass(frozen=True)
class Series:
    """One quantity plotted across the categories."""

    name: str
    """What it is, as the legend says it."""
    colour: str
    """Its fill or stroke colour."""
    values: Sequence[float | None]
    """One value per category; None where there is nothing to show."""


@dataclass(frozen=True)
class Mark:
    """A bar (width and height set) or a point (width 0) with its tooltip."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    """Its series, category and value in words."""


@dataclass(frozen=True)
class Line:
    """One unbroken run of a series' points."""

    points: str
    """SVG polyline points: "x,y x,y ..."."""
    colour: str


@dataclass(frozen=True)
class Text:
    """A label placed in the chart."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw one plot."""

    key: str
    """Unique on the page: the ids of its title and description derive from it."""
    title: str
    """What it shows; the SVG's accessible name."""
    description: str
    """Its accessible description, pointing to the table with the figures."""
    width: float
    height: float
    grid: list[tuple[float, str]]
    """Horizontal grid lines: y and the value it marks."""
    axis: tuple[float, float, float]
    """The baseline: x from, x to, y."""
    categories: list[Text]
    marks: list[Mark]
    lines: list[Line]
    legend: list[tuple[Text, str]]
    """Each series' name and colour swatch, below the plot."""


def bar_chart(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: Unit = "rate",
) -> Chart:
    """Grouped bars: one group per category, one bar per series."""
    group = max(BAR * len(series) + GAP, _label_room(categories))
    top = _top(series, unit)
    width = max(MIN_WIDTH, LEFT + group * len(categories) + GAP)
    marks = []
    centres = []
    for index, category in enumerate(categories):
        left = LEFT + GAP + index * group
        centres.append(left + BAR * len(series) / 2)
        for order, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            height = PLOT_HEIGHT * value / top
            marks.append(
                Mark(
                    left + order * BAR,
                    round(TOP + PLOT_HEIGHT - height, 1),
                    BAR - 2,
                    round(height, 1),
                    one.colour,
                    _label(one.name, category, value, unit),
                )
            )
    description = (
        f"Bars of {_names(series)} for each of {_count(len(categories), 'value')}; "
        "the table that follows gives every figure."
    )
    return _chart(key, title, description, width, top, categories, centres, series, marks, unit)


def line_chart(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: Unit = "rate",
) -> Chart:
    """Lines across categories in time order, broken where a value is missing."""
    top = _top(series, unit)
    step = max(STEP, _label_room(categories))
    width = max(MIN_WIDTH, LEFT + step * len(categories))
    centres = [LEFT + step / 2 + step * index for index in range(len(categories))]
    marks, lines = [], []
    for one in series:
        run: list[str] = []
        for index, value in enumerate(one.values):
            if value is None:
                lines += _run(run, one.colour)
                run = []
                continue
            x, y = centres[index], round(TOP + PLOT_HEIGHT * (1 - value / top), 1)
            run.append(f"{x:g},{y:g}")
            label = _label(one.name, categories[index], value, unit)
            marks.append(Mark(x, y, 0, 0, one.colour, label))
        lines += _run(run, one.colour)
    description = (
        f"Lines of {_names(series)} across {_count(len(categories), 'point')} in time order; "
        "the table that follows gives every figure."
    )
    chart = _chart(key, title, description, width, top, categories, centres, series, marks, unit)
    return replace(chart, lines=lines)


@dataclass(frozen=True)
class Counted:
    """A chart of counts and its text equivalent: a table of the same figures."""

    chart: Chart
    column: str
    """What the table's first column holds (the categories)."""
    columns: list[str]
    """The series' names, one column each."""
    rows: list[tuple[str, list[str]]]
    """Each category and its figures, as the table shows them."""


def counted(
    key: str,
    title: str,
    column: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    bars: bool = True,
) -> Counted:
    """Counts over categories, as bars (or as lines, for categories in time order)."""
    draw = bar_chart if bars else line_chart
    rows = [
        (
            category,
            ["\u2013" if one.values[i] is None else f"{one.values[i]:,.0f}" for one in series],
        )
        for i, category in enumerate(categories)
    ]
    chart = draw(key, title, categories, series, unit="count")
    return Counted(chart, column, [one.name for one in series], rows)


def percentage(value: float | None) -> str:
    """A rate as pages show it: '12.5%', or an en dash when there is none."""
    return "\u2013" if value is None else f"{100 * value:.1f}%"


def _chart(
    key: str,
    title: str,
    description: str,
    width: float,
    top: float,
    categories: Sequence[str],
    centres: Sequence[float],
    series: Sequence[Series],
    marks: list[Mark],
    unit: Unit,
) -> Chart:
    base = TOP + PLOT_HEIGHT
    ticks = [top * step / 4 for step in range(5)]
    grid = [(base - PLOT_HEIGHT * tick / top, _figure(tick, unit, ".0f")) for tick in ticks]
    labels = [Text(x, base + 16, name) for x, name in zip(centres, categories, strict=True)]
    legend, x = [], float(LEFT)
    for one in series:  # each entry after the one before it, however long its name
        legend.append((Text(x, base + 40, one.name), one.colour))
        x += max(LEGEND_SPACING, SWATCH + CHARACTER * len(one.name) + GAP)
    width = max(width, x)
    height = base + BOTTOM
    return Chart(
        key, title, description, width, height, grid, (LEFT, width, base), labels, marks, [], legend
    )


def _top(series: Sequence[Series], unit: Unit) -> float:
    """The axis' top. For rates: 1 (100%), or the largest value rounded up to a quarter when
    above it. For counts: the largest rounded up to 4, 8, 20 or 40 times a power of ten, so
    that each of the four grid steps is a whole number."""
    largest = max((v for one in series for v in one.values if v is not None), default=0.0)
    if unit == "rate":
        return max(1.0, math.ceil(largest * 4) / 4)
    scale = 10 ** max(0, math.floor(math.log10(largest / 4))) if largest > 4 else 1
    return next(4 * step * scale for step in (1, 2, 5, 10) if 4 * step * scale >= largest)


def _label_room(categories: Sequence[str]) -> float:
    """Room for the longest category label under the axis, at the labels' font size."""
    return CHARACTER * max((len(name) for name in categories), default=0) + GAP


def _run(points: list[str], colour: str) -> list[Line]:
    return [Line(" ".join(points), colour)] if len(points) > 1 else []


def _label(series: str, category: str, value: float, unit: Unit) -> str:
    return f"{series}, {category}: {_figure(value, unit, '.1f')}"


def _figure(value: float, unit: Unit, rate_format: str) -> str:
    return f"{100 * value:{rate_format}}%" if unit == "rate" else f"{value:,.0f}"


def _names(series: Sequence[Series]) -> str:
    names = [one.name for one in series]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
