"""The metric functions, on hand-checked cases: spoken forms agree, counts pool, the bootstrap
is seeded and centred on the observed difference."""

from __future__ import annotations

import pytest

from confide.learn.scoring import (
    bootstrap_difference,
    link_counts,
    link_id,
    slot_counts,
    word_errors,
)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("play jazz", "play jazz", (0, 2)),
        ("Play 2 songs by Beyoncé!", "play two songs by beyonce", (0, 5)),
        (
            "play jazz in the kitchen",
            "play jess in kitchen",
            (2, 5),
        ),  # one substitution, one deletion
        ("stop", "stop it now", (2, 1)),  # two insertions
        ("set a timer", "", (3, 3)),
        ("", "hello", (1, 0)),
        ("", "", (0, 0)),
        ("set a 5 minute timer", "set a five minute timer", (0, 5)),
        ("a b c d", "d c b a", (4, 4)),  # no word in its place: four substitutions
    ],
)
def test_word_errors(reference, hypothesis, expected):
    assert word_errors(reference, hypothesis) == expected


def slot(name, value, link=None):
    return {"name": name, "value": value, "link": link}


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ([slot("artist", "Taylor Swift")], [slot("artist", "taylor swift")], (1, 0, 0)),
        ([slot("artist", "taylor swift")], [slot("artist", "tailor swift")], (0, 1, 1)),
        ([slot("artist", "adele")], [slot("track", "adele")], (0, 1, 1)),  # name matters
        ([slot("artist", "adele"), slot("room", "kitchen")], [slot("artist", "adele")], (1, 0, 1)),
        ([], [slot("artist", "adele")], (0, 1, 0)),
        ([slot("duration", "5 minutes")], [slot("duration", "five minutes")], (1, 0, 0)),
        # a repeated slot is matched once per occurrence
        ([slot("item", "milk")], [slot("item", "milk"), slot("item", "milk")], (1, 1, 0)),
        ([], [], (0, 0, 0)),
    ],
)
def test_slot_counts(reference, hypothesis, expected):
    assert slot_counts(reference, hypothesis) == expected


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        (
            [slot("artist", "adele", "artist:adele")],
            [slot("artist", "adele", "artist:adele")],
            (1, 1),
        ),
        # the entity counts, not the spelling
        (
            [slot("artist", "adele", "artist:adele")],
            [slot("artist", "adel", "artist:adele")],
            (1, 1),
        ),
        (
            [slot("artist", "adele", "artist:adele")],
            [slot("artist", "adele", "artist:odell")],
            (0, 1),
        ),
        ([slot("artist", "adele", "artist:adele")], [slot("artist", "adele")], (0, 1)),
        ([slot("artist", "adele", "artist:adele")], [slot("track", "x", "artist:adele")], (0, 1)),
        # the API's link object and a bare id are the same link
        (
            [slot("artist", "adele", {"id": "artist:adele"})],
            [slot("artist", "a", "artist:adele")],
            (1, 1),
        ),
        # slots without a link are not counted, on either side
        ([slot("room", "kitchen")], [slot("room", "kitchen", "room:kitchen")], (0, 0)),
        # one hypothesis link answers one reference slot
        (
            [slot("artist", "a", "artist:a"), slot("artist", "a", "artist:a")],
            [slot("artist", "a", "artist:a")],
            (1, 2),
        ),
    ],
)
def test_link_counts(reference, hypothesis, expected):
    assert link_counts(reference, hypothesis) == expected


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("artist:adele", "artist:adele"),
        ({"id": "artist:adele", "score": 0.9}, "artist:adele"),
        (None, None),
        ({"new": {"kind": "artist", "name": "x"}}, None),
        ("", None),
    ],
)
def test_link_id(link, expected):
    assert link_id({"name": "artist", "value": "x", "link": link}) == expected


def test_bootstrap_of_a_constant_gain_is_that_gain():
    assert bootstrap_difference([(0.0, 1.0)] * 10) == (1.0, 1.0, 1.0)


def test_bootstrap_bounds_a_clear_gain_away_from_zero():
    # 18 items improve by 1, 2 worsen by 1: mean 0.8, every resample's mean is well above 0
    pairs = [(0.0, 1.0)] * 18 + [(1.0, 0.0)] * 2
    mean, low, high = bootstrap_difference(pairs)
    assert mean == pytest.approx(0.8)
    assert 0 < low < mean < high <= 1.0


def test_bootstrap_of_no_difference_straddles_zero():
    pairs = [(0.0, 1.0), (1.0, 0.0)] * 10
    mean, low, high = bootstrap_difference(pairs, seed=3)
    assert mean == 0.0 and low < 0 < high


def test_bootstrap_is_repeatable_and_the_seed_matters():
    pairs = [(0.0, value / 7) for value in range(-20, 30)]
    assert bootstrap_difference(pairs, seed=7) == bootstrap_difference(pairs, seed=7)
    assert bootstrap_difference(pairs, seed=7)[1:] != bootstrap_difference(pairs, seed=8)[1:]


def test_bootstrap_of_nothing_shows_nothing():
    assert bootstrap_difference([]) == (0.0, 0.0, 0.0)
