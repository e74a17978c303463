"""Finding things in one's own history: words (heard or answered, any case), days (both ends
included), device, and whether a reviewer was handed it; another person's never appear."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from confide.privacy.consent import set_consent
from confide.privacy.history import HistoryFilter, activity, own_devices, search_history
from confide.protect.preparation import prepare_pending
from confide.review.tasks import next_task
from confide.sample import SamplingPolicy, sample
from confide.service.accounts import complete_pairing, start_pairing
from confide.store.tables import Interaction, StaffMember
from confide_testing import answered_interaction, fake_protector

SAID = {
    "timer": ("set a timer for ten minutes", date(2026, 1, 5), "kitchen"),
    "milk": ("add milk to my list", date(2026, 1, 20), "kitchen"),
    "lisbon": ("what's the weather in Lisbon", date(2026, 2, 2), "bedroom"),
    "music": ("play some jazz", date(2026, 2, 3), "bedroom"),
}
"""Alice's history: what she said, the day, the device. The timer one went to a reviewer."""

CASES = [
    ("everything", HistoryFilter(), {"timer", "milk", "lisbon", "music"}),
    ("words, any case", HistoryFilter(words="LISBON"), {"lisbon"}),
    ("words in the answer", HistoryFilter(words="timer set for"), set(SAID)),
    ("from a day", HistoryFilter(since=date(2026, 1, 20)), {"milk", "lisbon", "music"}),
    ("to a day, included", HistoryFilter(until=date(2026, 1, 20)), {"timer", "milk"}),
    ("one day", HistoryFilter(since=date(2026, 2, 2), until=date(2026, 2, 2)), {"lisbon"}),
    ("to the last day there is", HistoryFilter(until=date.max), set(SAID)),
    ("a device", HistoryFilter(device_id="bedroom"), {"lisbon", "music"}),
    ("heard by a reviewer", HistoryFilter(reviewed=True), {"timer"}),
    ("not heard by one", HistoryFilter(reviewed=False), {"milk", "lisbon", "music"}),
    ("all at once", HistoryFilter(words="the", device_id="bedroom", reviewed=False), {"lisbon"}),
    ("nothing matches", HistoryFilter(words="zebra"), set()),
]


@pytest.fixture
def history(session, keyring, blobs, household, team):
    alice = household.people["alice"].id
    _, code = start_pairing(session, household.id, alice, "Bedroom speaker")
    devices = {
        "kitchen": household.devices["alice"].id,
        "bedroom": complete_pairing(session, code)[0],
    }
    made = {}
    for key, (text, day, device) in SAID.items():
        when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        made[key] = answered_interaction(
            session, keyring, blobs, alice, devices[device], text, when=when
        )
    bobs = household.people["bob"].id
    answered_interaction(session, keyring, blobs, bobs, household.devices["bob"].id, "play jazz")
    set_consent(session, alice, "human_review", True, actor="test")
    reviewed = session.get(Interaction, made["timer"])
    assert sample(session, reviewed, SamplingPolicy(rate=1.0, second_opinion=0.0)).sampled
    prepare_pending(session, keyring, blobs, reviewed.id, fake_protector)
    next_task(session, session.get(StaffMember, team["rhea"].id), datetime.now(UTC))
    session.commit()
    return alice, made, devices


@pytest.mark.parametrize(("case", "wanted", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_history_finds_what_was_asked_for(session, keyring, history, case, wanted, expected):
    alice, made, devices = history
    if wanted.device_id is not None:
        wanted = HistoryFilter(**{**wanted.__dict__, "device_id": devices[wanted.device_id]})
    found = search_history(session, keyring, alice, wanted, limit=10, offset=0)
    names = {name for name, iid in made.items() if iid in {item.id for item in found.items}}
    assert names == expected
    assert len(found.items) == len(expected)  # nothing of Bob's
    assert found.reviewed == ({made["timer"]} & {item.id for item in found.items})
    assert not found.more and not found.cut_short


@pytest.mark.parametrize("words", ["", "a"])
def test_pages_of_results_follow_on(session, keyring, history, words):
    alice, made, _ = history
    wanted = HistoryFilter(words=words)
    first = search_history(session, keyring, alice, wanted, limit=2, offset=0)
    second = search_history(session, keyring, alice, wanted, limit=2, offset=2)
    assert first.more and not second.more
    newest_first = [made[name] for name in ("music", "lisbon", "milk", "timer")]
    assert [item.id for item in first.items + second.items] == newest_first


def test_the_devices_to_filter_by_are_the_persons_own(session, history):
    alice, _, devices = history
    assert own_devices(session, alice) == [
        (devices["bedroom"], "Bedroom speaker"),
        (devices["kitchen"], "alice's speaker"),
    ]


def test_activity_counts_each_week_and_what_a_reviewer_heard(session, history):
    alice, _, _ = history
    weeks = activity(session, alice, date(2026, 2, 4), 5)
    assert [(w.starts, w.interactions, w.reviewed) for w in weeks] == [
        (date(2026, 1, 5), 1, 1),  # the timer, which went to a reviewer
        (date(2026, 1, 12), 0, 0),
        (date(2026, 1, 19), 1, 0),
        (date(2026, 1, 26), 0, 0),
        (date(2026, 2, 2), 2, 0),
    ]
