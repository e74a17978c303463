"""The reviewed dataset (issue 11, item 4; invariant 10): what enters it, what it holds, sealed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from confide.audio import read_audio
from confide.learn.dataset import (
    current_items,
    refresh,
    subject_of,
)
from confide.learn.slices import iso_week
from confide.privacy.consent import set_consent
from confide.privacy.contexts import task_audio_context
from confide.review.quality import adjudicate
from confide.review.tasks import Labels, next_task, submit
from confide.store.tables import Base, Interaction, ReviewTask, StaffMember
from confide.store.tables import DatasetItem as ItemRow
from confide_testing import SAID

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LABELS = Labels(
    "set a timer for ten minutes my account number is [PHONE]",
    "SetTimer",
    [{"name": "duration", "value": "ten minutes"}],
    rating=5,
)


def review(session, keyring, team, login, labels=LABELS):
    """`login` takes their next task and submits `labels`; the annotation."""
    member = session.get(StaffMember, team[login].id)
    annotation = submit(session, keyring, member, next_task(session, member, NOW), labels, NOW)
    session.commit()
    return annotation


def grant(session, household, who, purposes):
    for purpose in ("improvement", "human_review"):
        granted = purpose in purposes
        set_consent(session, household.people[who].id, purpose, granted, actor=who)
    session.commit()


@pytest.mark.parametrize(
    ("purposes", "enters"),
    [
        ({"improvement", "human_review"}, True),
        ({"human_review"}, False),
        ({"improvement"}, False),
        (set(), False),
    ],
)
def test_only_clips_of_owners_who_granted_both_consents_enter(
    session, keyring, team, household, queued, purposes, enters
):
    queued("alice")
    review(session, keyring, team, "rhea")
    grant(session, household, "alice", purposes)
    assert refresh(session, keyring, NOW) == int(enters)
    assert len(current_items(session, keyring)) == int(enters)


def test_a_childs_clip_never_enters(session, keyring, blobs, team, household, queued):
    """A child's clip is never sampled; were one reviewed, consents set by anyone, it stays out."""
    [task] = queued("alice")
    review(session, keyring, team, "rhea")
    sam = household.people["sam"].id
    for row in session.scalars(select(ReviewTask)):
        row.owner_id = sam
    session.get_one(Interaction, task.interaction_id).owner_id = sam
    grant(session, household, "sam", {"improvement", "human_review"})
    assert refresh(session, keyring, NOW) == 0
    assert current_items(session, keyring) == []


def test_an_item_holds_the_labels_the_protected_audio_and_its_lineage(
    session, keyring, team, household, queued
):
    grant(session, household, "alice", {"improvement", "human_review"})
    [task] = queued("alice")
    protected = keyring.open(
        session,
        task.owner_id,
        task.audio_sealed,
        task_audio_context(task.id, task.interaction_id),
    )
    annotation = review(session, keyring, team, "rhea")
    interaction = session.get_one(Interaction, task.interaction_id)
    interaction.model_versions = json.dumps({"asr": "asr-0002", "nlu": "nlu-0007"})
    assert refresh(session, keyring, NOW) == 1
    assert refresh(session, keyring, NOW) == 0  # made once
    [item] = current_items(session, keyring)
    alice = household.people["alice"].id
    assert item.interaction_id == interaction.id
    assert item.subject == subject_of(keyring, alice) != alice
    assert (item.text, item.intent) == (LABELS.transcript, "SetTimer")
    assert item.slots == [{"name": "duration", "value": "ten minutes", "link": None}]
    assert item.hypothesis["text"] == "set a timer for ten minutes my account number is [PHONE]"
    assert item.hypothesis["intent"] == "SetTimer"
    assert [s["value"] for s in item.hypothesis["slots"]] == ["ten minutes"]
    assert (item.audio.samples == read_audio(protected).samples).all()
    assert item.slices == {
        "intent": "SetTimer",
        "wake_word": "okay_nabu",
        "device": "speaker",
        "asr_confidence": ">=0.8",
        "week": iso_week(interaction.created_at),
    }
    assert item.lineage["reviews"] == [annotation.id]
    assert set(item.lineage["consent"]) == {"improvement", "human_review"}
    assert item.lineage["models"] == {"asr": "asr-0002", "nlu": "nlu-0007"}
    assert item.created_at == NOW


@pytest.mark.parametrize(
    ("first", "second", "adjudicated", "expected"),
    [
        ("SetTimer", "SetTimer", None, "SetTimer"),  # blind opinions agree
        ("SetTimer", "PlayMusic", None, None),  # they disagree: wait for a lead
        ("SetTimer", "PlayMusic", "PlayMusic", "PlayMusic"),  # the lead settles it
        ("SetTimer", "SetTimer", "AddToList", "AddToList"),  # an adjudication always wins
    ],
)
def test_the_adjudication_is_preferred_and_disagreement_waits_for_it(
    session, keyring, team, household, queued, first, second, adjudicated, expected
):
    grant(session, household, "alice", {"improvement", "human_review"})
    [task, _] = queued("alice", second_opinion=True)
    notes = [
        review(session, keyring, team, "rhea", Labels(LABELS.transcript, first)),
        review(session, keyring, team, "remy", Labels(LABELS.transcript, second)),
    ]
    refresh(session, keyring, NOW)
    if adjudicated is not None:
        lead = session.get_one(StaffMember, team["lena"].id)
        settled = Labels("set a timer please", adjudicated)
        notes.append(adjudicate(session, keyring, lead, task.group_id, settled, NOW))
        session.commit()
        refresh(session, keyring, NOW)
    items = current_items(session, keyring)
    assert [item.intent for item in items] == ([expected] if expected else [])
    if adjudicated is not None:
        assert items[0].text == "set a timer please"
        assert sorted(items[0].lineage["reviews"]) == sorted(note.id for note in notes)


@pytest.mark.parametrize(
    ("link", "entry"),
    [
        ("artist:taylor-swift", "artist:taylor-swift"),
        ({"id": "artist:adele", "score": 0.9}, "artist:adele"),
        ("", None),
        (None, None),
    ],
)
def test_slot_links_become_entry_ids(session, keyring, team, household, queued, link, entry):
    grant(session, household, "alice", {"improvement", "human_review"})
    queued("alice")
    slot = {"name": "artist", "value": "taylor swift", "link": link}
    review(session, keyring, team, "rhea", Labels("play taylor swift", "PlayMusic", [slot]))
    refresh(session, keyring, NOW)
    [item] = current_items(session, keyring)
    assert item.slots == [{"name": "artist", "value": "taylor swift", "link": entry}]


def test_a_clip_still_in_review_or_flagged_as_leaking_stays_out(
    session, keyring, team, household, queued
):
    grant(session, household, "alice", {"improvement", "human_review"})
    queued("alice", second_opinion=True)
    review(session, keyring, team, "rhea")
    assert refresh(session, keyring, NOW) == 0  # the second opinion is still queued
    leaked = Labels(LABELS.transcript, "SetTimer", flags=frozenset({"critical_data"}))
    review(session, keyring, team, "remy", leaked)
    assert refresh(session, keyring, NOW) == 0


def test_refresh_drops_items_whose_owner_no_longer_consents(
    session, keyring, team, household, queued
):
    """However a consent went (a restored backup, say), the next refresh follows it."""
    grant(session, household, "alice", {"improvement", "human_review"})
    queued("alice")
    review(session, keyring, team, "rhea")
    refresh(session, keyring, NOW)
    from confide.store.tables import Consent

    session.get_one(Consent, (household.people["alice"].id, "improvement")).granted = False
    session.commit()
    refresh(session, keyring, NOW)
    assert session.scalars(select(ItemRow)).all() == []


def test_nothing_of_an_item_is_in_plaintext(
    settings, engine, session, keyring, team, household, queued
):
    """Invariant 2: the dataset's rows hold no transcript, label, lineage or audio in the clear."""
    grant(session, household, "alice", {"improvement", "human_review"})
    queued("alice")
    review(session, keyring, team, "rhea")
    refresh(session, keyring, NOW)
    session.commit()
    [item] = current_items(session, keyring)
    needles = [
        SAID.encode(),
        b"ten minutes",
        b"[PHONE]",
        b"RIFF",
        b"WAVE",
        item.subject.encode(),
        b"okay_nabu",
        b"SetTimer",
    ]
    haystacks = [p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()]
    with engine.connect() as connection:
        rows = connection.execute(select(Base.metadata.tables["dataset_items"])).all()
    assert len(rows) == 1
    haystacks.append(json.dumps([[str(v) for v in row] for row in rows]).encode())
    haystacks.extend(v for row in rows for v in row if isinstance(v, bytes))
    for needle in needles:
        assert not any(needle in hay for hay in haystacks), needle
