"""Plot geometry: bars and points where their values say, missing values drawn as nothing, the
axis grown for an error rate above 100%, and labels that do not run into each other."""

from __future__ import annotations

from itertools import pairwise

import pytest

from confide.service.charts import (
    CHARACTER,
    PLOT_HEIGHT,
    TOP,
    Series,
    bar_chart,
    line_chart,
    percentage,
)

BASE = TOP + PLOT_HEIGHT
"""The baseline's y: a value of 0."""


def test_bars_stand_on_the_baseline_in_proportion():
    chart = bar_chart("k", "T", ["a", "b"], [Series("S", "#000", [0.5, 1.0])])
    heights = [mark.height for mark in chart.marks]
    assert heights == [PLOT_HEIGHT / 2, PLOT_HEIGHT]
    assert all(mark.y + mark.height == BASE for mark in chart.marks)
    assert [mark.label for mark in chart.marks] == ["S, a: 50.0%", "S, b: 100.0%"]
    assert [label for _, label in chart.grid] == ["0%", "25%", "50%", "75%", "100%"]


def test_a_missing_value_draws_nothing_and_breaks_the_line():
    series = [Series("S", "#000", [0.2, None, 0.4, 0.6])]
    assert len(bar_chart("k", "T", list("abcd"), series).marks) == 3
    chart = line_chart("k", "T", list("abcd"), series)
    assert len(chart.marks) == 3
    assert [len(line.points.split()) for line in chart.lines] == [2]  # c-d; a stands alone


@pytest.mark.parametrize(
    ("largest", "top_label"), [(0.0, "100%"), (0.9, "100%"), (1.1, "125%"), (2.0, "200%")]
)
def test_the_axis_grows_for_an_error_rate_above_one(largest, top_label):
    chart = line_chart("k", "T", ["a"], [Series("WER", "#000", [largest])])
    assert chart.grid[-1][1] == top_label
    assert all(TOP <= mark.y <= BASE for mark in chart.marks)


@pytest.mark.parametrize("draw", [bar_chart, line_chart])
def test_labels_do_not_overlap_and_everything_fits(draw):
    names = ["SearchScreeningEvent", "AddToPlaylist", "GetWeather", "(none)"]
    series = [Series(f"Series {n}", "#000", [0.5] * len(names)) for n in range(4)]
    chart = draw("k", "T", names, series)
    spans = [
        (label.x - CHARACTER * len(label.text) / 2, label.x + CHARACTER * len(label.text) / 2)
        for label in chart.categories
    ]
    assert all(left[1] <= right[0] for left, right in pairwise(spans))
    assert spans[-1][1] <= chart.width
    assert all(0 <= mark.x <= chart.width for mark in chart.marks)
    assert "4 values" in chart.description or "4 points" in chart.description


@pytest.mark.parametrize(("value", "shown"), [(None, "\u2013"), (0.0, "0.0%"), (0.1379, "13.8%")])
def test_percentage(value, shown):
    assert percentage(value) == shown


@pytest.mark.parametrize(
    ("largest", "grid"),
    [
        (0, ["0", "1", "2", "3", "4"]),
        (3, ["0", "1", "2", "3", "4"]),
        (7, ["0", "2", "4", "6", "8"]),
        (37, ["0", "10", "20", "30", "40"]),
        (41, ["0", "20", "40", "60", "80"]),
        (1234, ["0", "500", "1,000", "1,500", "2,000"]),
    ],
)
def test_counts_get_whole_number_steps(largest, grid):
    chart = bar_chart("k", "T", ["a"], [Series("Clips", "#000", [largest])], unit="count")
    assert [label for _, label in chart.grid] == grid
    assert chart.marks[-1].label == f"Clips, a: {largest:,}"
    assert all(TOP <= mark.y <= BASE for mark in chart.marks)


def test_legend_entries_do_not_run_into_each_other():
    names = [
        "Transcripts agreeing (1 - WER)",
        "Gold tasks right",
        "A third series, named at length",
    ]
    chart = bar_chart("k", "T", ["a"], [Series(name, "#000", [0.5]) for name in names])
    entries = [(label.x, label.x + 14 + CHARACTER * len(label.text)) for label, _ in chart.legend]
    assert all(left[1] <= right[0] for left, right in pairwise(entries))
    assert entries[-1][1] <= chart.width
