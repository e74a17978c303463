"""Evaluation from reviews: each reviewed clip's truth against what production said, pooled
overall, per slice and per model version, with every expected figure counted by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from confide.learn.evaluation import (
    Tally,
    evaluate,
    score,
)
from confide.privacy.consent import set_consent
from confide.privacy.contexts import understanding_context
from confide.privacy.deletion import delete_interactions
from confide.protect.preparation import prepare_pending
from confide.review.quality import adjudicate, make_gold
from confide.review.tasks import Labels, add_annotation, next_task, submit
from confide.sample import SamplingPolicy, sample
from confide.store.tables import Device, Interaction, ReviewTask, StaffMember
from confide_testing import answered_interaction, fake_protector

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
W47, W48, W49 = (datetime(2026, 11, day, 10, 0, tzinfo=UTC) for day in (17, 24, 30))
V1 = {"asr": "asr-0001", "nlu": "nlu-0001"}
V2 = {"asr": "asr-0002", "nlu": "nlu-0001"}


def artist(value, link=None):
    return {"name": "artist", "value": value, "link": link}


@dataclass(frozen=True)
class Clip:
    """One interaction: what production said, and what reviewers said it held."""

    who: str
    said: str
    intent: str | None
    slots: list[dict[str, Any]]
    truth: Labels
    wake_word: str
    confidence: float
    when: datetime
    versions: dict[str, str] | None
    second: Labels | None = None
    """A blind second opinion, by another reviewer."""
    second_waits: bool = False
    """A blind second opinion sampled but not given yet."""
    adjudicated: Labels | None = None
    """A lead's final labels."""
    expected: Tally = field(default_factory=Tally)
    """This clip's counts, by hand."""


CLIPS = {
    # right in every way: 5 words, the artist found and linked
    "A": Clip(
        "alice",
        "play something by taylor swift",
        "PlayMusic",
        [artist("taylor swift", {"id": "artist:taylor-swift", "score": 0.93})],
        Labels(
            "play something by taylor swift",
            "PlayMusic",
            [artist("taylor swift", "artist:taylor-swift")],
        ),
        "okay_nabu",
        0.9,
        W48,
        V1,
        expected=Tally(1, 0, 5, 1, 1, 0, 0, 1, 1),
    ),
    # a name misheard: one word edit of 5, the slot extra and missed, the link missed
    "B": Clip(
        "bob",
        "play music by ed shearing",
        "PlayMusic",
        [artist("ed shearing")],
        Labels(
            "play music by ed sheeran", "PlayMusic", [artist("ed sheeran", "artist:ed-sheeran")]
        ),
        "hey_jarvis",
        0.5,
        W48,
        V1,
        expected=Tally(1, 1, 5, 1, 0, 1, 1, 0, 1),
    ),
    # digits and words agree: no error
    "C": Clip(
        "alice",
        "set a timer for ten minutes",
        "SetTimer",
        [{"name": "duration", "value": "ten minutes"}],
        Labels("set a timer for 10 minutes", "SetTimer", [{"name": "duration", "value": "10 min"}]),
        "okay_nabu",
        0.7,
        W49,
        V2,
        # "10 min" is not "ten minutes": the slot is extra and missed
        expected=Tally(1, 0, 6, 1, 0, 1, 1, 0, 0),
    ),
    # blind opinions differ; the lead's labels are the truth: "what's" for "what is" is 2 edits
    "D": Clip(
        "bob",
        "what's the weather in paris",
        "GetWeather",
        [{"name": "city", "value": "paris"}],
        Labels("what's the weather in paris", "GetWeather", [{"name": "city", "value": "paris"}]),
        "okay_nabu",
        0.9,
        W49,
        V2,
        second=Labels("what is the weather in paris", "GetWeather"),
        adjudicated=Labels(
            "what is the weather in paris", "GetWeather", [{"name": "city", "value": "Paris"}]
        ),
        expected=Tally(1, 2, 6, 1, 1, 0, 0, 0, 0),
    ),
    # blind opinions differ and no lead has settled them: pending, not counted
    "E": Clip(
        "alice",
        "play jazz",
        "PlayMusic",
        [],
        Labels("play jazz", "PlayMusic"),
        "okay_nabu",
        0.9,
        W49,
        V2,
        second=Labels("play jazz", "PlayRadio"),
    ),
    # not meant for the assistant: no request, so production's intent is wrong; 1 edit of 7
    "F": Clip(
        "bob",
        "i told you to turn it down",
        "VolumeDown",
        [],
        Labels("i told him to turn it down", None, flags=frozenset({"false_wake"})),
        "alexa",
        0.9,
        W47,
        None,
        expected=Tally(1, 1, 7, 0, 0, 0, 0, 0, 0),
    ),
    # labelled once, its blind second opinion still to come: the one opinion stands for now
    "G": Clip(
        "alice",
        "stop",
        "Stop",
        [],
        Labels("stop", "Stop"),
        "okay_nabu",
        0.9,
        W49,
        V2,
        second_waits=True,
        expected=Tally(1, 0, 1, 1, 0, 0, 0, 0, 0),
    ),
}


def total(*names: str) -> Tally:
    return sum((CLIPS[name].expected for name in names), Tally())


@pytest.fixture
def reviewed(session, keyring, blobs, household, team):
    """Every clip of CLIPS made, sampled, protected and reviewed through review's own calls;
    bob's device is a display. Returns name -> interaction id."""
    staff = {login: session.get(StaffMember, team[login].id) for login in ("rhea", "remy", "lena")}
    session.get(Device, household.devices["bob"].id).name = "Bob's kitchen display"
    for who in ("alice", "bob"):
        set_consent(session, household.people[who].id, "human_review", True, actor="test")
    made = {}
    for name, clip in CLIPS.items():
        person, device = household.people[clip.who].id, household.devices[clip.who].id
        iid = answered_interaction(
            session,
            keyring,
            blobs,
            person,
            device,
            clip.said,
            confidence=clip.confidence,
            when=clip.when,
        )
        interaction = session.get(Interaction, iid)
        understood = {"text": clip.said, "intent": clip.intent, "slots": clip.slots}
        interaction.understanding_sealed = keyring.seal(
            session, person, json.dumps(understood).encode(), understanding_context(iid)
        )
        interaction.wake_word = clip.wake_word
        interaction.model_versions = json.dumps(clip.versions) if clip.versions else None
        twice = clip.second or clip.second_waits
        policy = SamplingPolicy(rate=1.0, second_opinion=1.0 if twice else 0.0)
        assert sample(session, interaction, policy).sampled
        prepare_pending(session, keyring, blobs, iid, fake_protector)
        submit(
            session, keyring, staff["rhea"], next_task(session, staff["rhea"], NOW), clip.truth, NOW
        )
        if clip.second:
            submit(
                session,
                keyring,
                staff["remy"],
                next_task(session, staff["remy"], NOW),
                clip.second,
                NOW,
            )
        group = session.scalar(select(ReviewTask.group_id).where(ReviewTask.interaction_id == iid))
        if clip.adjudicated:
            adjudicate(session, keyring, staff["lena"], group, clip.adjudicated, NOW)
        made[name] = iid
    session.commit()
    return made


SLICED = {
    "intent": {"(none)": "F", "GetWeather": "D", "PlayMusic": "AB", "SetTimer": "C", "Stop": "G"},
    "wake_word": {"alexa": "F", "hey_jarvis": "B", "okay_nabu": "ACDG"},
    "device": {"display": "BDF", "speaker": "ACG"},
    "asr_confidence": {"<0.6": "B", "0.6-0.8": "C", ">=0.8": "ADFG"},
    "week": {"2026-W47": "F", "2026-W48": "AB", "2026-W49": "CDG"},
}
"""Slice -> value -> the clips that fall in it, values in order (alphabetical; confidence from
low to high)."""
VERSIONED = {
    "asr": {"default": "F", "asr-0001": "AB", "asr-0002": "CDG"},
    "nlu": {"default": "F", "nlu-0001": "ABCDG"},
}
"""Component -> version -> the clips it handled, in the order each version was first met."""


def test_figures_overall_per_slice_and_per_version(session, keyring, reviewed):
    found = evaluate(session, keyring)
    assert found.overall == total(*"ABCDFG") == Tally(6, 4, 30, 5, 2, 2, 2, 1, 2)
    assert found.overall.wer == pytest.approx(4 / 30)
    assert found.overall.intent_accuracy == pytest.approx(5 / 6)
    assert found.overall.slot_f1 == pytest.approx(2 * 2 / (2 * 2 + 2 + 2))
    assert found.overall.link_accuracy == pytest.approx(1 / 2)
    assert found.pending == 1  # E
    for dimension, expected in SLICED.items():
        assert list(found.slices[dimension].items()) == [
            (value, total(*names)) for value, names in expected.items()
        ], dimension
    for component, expected in VERSIONED.items():
        assert list(found.versions[component].items()) == [
            (version, total(*names)) for version, names in expected.items()
        ], component


def test_deleted_clips_leave_the_figures(session, keyring, blobs, household, reviewed):
    bob = household.people["bob"].id
    ids = [reviewed[name] for name in ("B", "D", "F")]
    delete_interactions(session, keyring, blobs, bob, ids, scope="interactions", actor=bob)
    session.commit()
    found = evaluate(session, keyring)
    assert found.overall == total(*"ACG")
    assert set(found.slices["device"]) == {"speaker"}


def test_gold_runs_are_not_counted_twice(session, keyring, team, reviewed):
    lena = session.get(StaffMember, team["lena"].id)
    group = session.scalar(
        select(ReviewTask.group_id).where(ReviewTask.interaction_id == reviewed["D"])
    )
    gold = make_gold(session, keyring, lena, group, NOW)
    add_annotation(session, keyring, lena, gold, Labels("no", None), NOW, adjudication=False)
    gold.status = "submitted"
    session.commit()
    assert evaluate(session, keyring).overall == total(*"ABCDFG")


def test_nothing_reviewed_gives_no_figures(session, keyring, team):
    found = evaluate(session, keyring)
    assert found.overall == Tally() and found.pending == 0
    assert found.overall.wer is None and found.overall.slot_f1 is None
    assert all(not values for values in found.slices.values())


@pytest.mark.parametrize(
    ("truth", "hypothesis", "expected"),
    [
        (
            {"transcript": "play adele", "intent": "PlayMusic", "slots": [artist("adele", "a:1")]},
            {
                "transcript": "play adele",
                "intent": "PlayMusic",
                "slots": [artist("Adele", {"id": "a:1"})],
            },
            Tally(1, 0, 2, 1, 1, 0, 0, 1, 1),
        ),
        (
            {"transcript": "stop", "intent": None, "slots": []},
            {"transcript": "stop it", "intent": None, "slots": []},
            Tally(1, 1, 1, 1, 0, 0, 0, 0, 0),
        ),
        (
            {"transcript": "", "intent": "Stop"},
            {"transcript": "[PHONE]", "intent": "Pause", "slots": None},
            Tally(1, 1, 0, 0, 0, 0, 0, 0, 0),
        ),
    ],
)
def test_score_of_one_clip(truth, hypothesis, expected):
    assert score(truth, hypothesis) == expected


@pytest.mark.parametrize(
    ("tally", "wer", "intent", "f1", "links"),
    [
        (Tally(), None, None, None, None),
        (Tally(4, 3, 12, 3, 2, 1, 3, 1, 4), 0.25, 0.75, 0.5, 0.25),
        (Tally(1, 0, 0, 0, 0, 0, 0, 0, 0), None, 0.0, None, None),
    ],
)
def test_rates_are_ratios_of_pooled_counts(tally, wer, intent, f1, links):
    assert (tally.wer, tally.intent_accuracy, tally.slot_f1, tally.link_accuracy) == (
        wer,
        intent,
        f1,
        links,
    )
