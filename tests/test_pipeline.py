"""The pipeline: answers written whole or not at all, sealed, retried after a crash."""

from __future__ import annotations

import itertools
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from confide.errors import KeyDestroyed
from confide.ingest import ingest
from confide.pipeline import (
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    WORKER_DEAD_SECONDS,
    Engines,
    Pipeline,
    read_answer,
)
from confide.privacy.consent import set_consent
from confide.privacy.contexts import audio_context
from confide.recognize.base import Transcript, Word
from confide.review.tasks import Labels, next_task, submit
from confide.sample import SamplingPolicy
from confide.service.sweep import heartbeat
from confide.store.database import sessions
from confide.store.tables import (
    AuditEvent,
    Base,
    Interaction,
    ReviewTask,
    SkillItem,
    StaffMember,
)
from confide_testing import (
    SAID,
    DemoHousehold,
    ScriptedRecognizer,
    fake_protector,
    racing,
    understand_timer,
    wav,
)


def pipeline_for(
    engine, keyring, blobs, recognizer=None, understand=understand_timer, worker_id=None
) -> Pipeline:
    engines = Engines(recognizer or ScriptedRecognizer(), understand)
    return Pipeline(sessions(engine), keyring, blobs, engines, worker_id=worker_id)


def test_an_interaction_is_answered(
    engine, session, keyring, blobs, household: DemoHousehold
) -> None:
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "c1", wav())
    session.commit()
    assert pipeline_for(engine, keyring, blobs).process(interaction.id) == "answered"
    session.expunge_all()
    stored = session.get(Interaction, interaction.id)
    answer = read_answer(session, keyring, stored)
    assert answer is not None and answer["skill"] == "timer"
    assert "ten minutes" in answer["text"].lower()
    assert stored.asr_confidence == pytest.approx(0.9)
    assert len(session.scalars(select(SkillItem)).all()) == 1


@pytest.mark.parametrize(
    "versions", [{}, {"asr": "default", "nlu": "nlu-0002"}], ids=["unnamed", "promoted"]
)
def test_each_interaction_records_the_model_versions_that_handled_it(
    engine, session, keyring, blobs, household, versions
) -> None:
    """Invariant 11: an answer is traced to the versions in production when it was made."""
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "cv", wav())
    session.commit()
    engines = Engines(ScriptedRecognizer(), understand_timer, versions=versions)
    Pipeline(sessions(engine), keyring, blobs, engines).process(interaction.id)
    session.expunge_all()
    assert json.loads(session.get(Interaction, interaction.id).model_versions) == versions


def test_a_crash_leaves_nothing_half_written(engine, session, keyring, blobs, household) -> None:
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "c2", wav())
    session.commit()
    pipeline = pipeline_for(engine, keyring, blobs, ScriptedRecognizer(failures=1))
    with pytest.raises(RuntimeError):
        pipeline.process(interaction.id)
    session.expunge_all()
    stored = session.get(Interaction, interaction.id)
    assert stored.status == "processing"
    assert (stored.transcript_sealed, stored.answer_sealed) == (None, None)
    assert stored.lease_token is None, "released, so the next job takes it at once"
    assert session.scalars(select(SkillItem)).all() == []
    assert pipeline.process(interaction.id) == "answered"
    assert pipeline.process(interaction.id) == "answered"  # a duplicate job changes nothing
    assert len(session.scalars(select(SkillItem)).all()) == 1


def test_repeated_crashes_end_in_failed(engine, session, keyring, blobs, household) -> None:
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "c3", wav())
    session.commit()
    pipeline = pipeline_for(engine, keyring, blobs, ScriptedRecognizer(failures=MAX_ATTEMPTS))
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            pipeline.process(interaction.id)
    assert pipeline.process(interaction.id) == "failed"


def test_without_storage_consent_the_audio_goes(engine, session, keyring, blobs, household) -> None:
    bob = household.people["bob"].id
    set_consent(session, bob, "storage", False, actor="bob")
    interaction = ingest(session, keyring, blobs, household.devices["bob"], "c4", wav())
    session.commit()
    copied = blobs.get(interaction.audio_key or "")  # as a backup of the meantime holds it
    pipeline_for(engine, keyring, blobs).process(interaction.id)
    session.expunge_all()
    assert session.get(Interaction, interaction.id).audio_key is None
    assert list(blobs.keys(f"audio/{bob}/")) == []
    with pytest.raises(KeyDestroyed):
        keyring.open(session, bob, copied, audio_context(interaction.id))


def test_delete_what_i_just_said(engine, session, keyring, blobs, household) -> None:
    device = household.devices["alice"]
    first = ingest(session, keyring, blobs, device, "d1", wav())
    session.commit()
    pipeline_for(engine, keyring, blobs).process(first.id)
    command = ingest(session, keyring, blobs, device, "d2", wav())
    session.commit()

    def understand_delete(text: str) -> dict:
        return {"text": text, "intent": "DeleteLastUtterance", "confidence": 0.99, "slots": []}

    pipeline_for(engine, keyring, blobs, understand=understand_delete).process(command.id)
    session.expunge_all()
    assert session.get(Interaction, first.id) is None
    kept = session.get(Interaction, command.id)
    assert (kept.transcript_sealed, kept.audio_key) == (
        None,
        None,
    )  # the command itself is not kept
    assert "deleted" in read_answer(session, keyring, kept)["text"].lower()


def test_no_plaintext_in_the_database_or_blobs(
    settings, engine, session, keyring, blobs, household, team
) -> None:
    """Invariant 2: a scan of the data dir and database finds no transcript or audio, with
    clips sampled for review and labelled by a reviewer too."""
    for who in ("alice", "bob"):
        set_consent(session, household.people[who].id, "human_review", True, actor=who)
    engines = Engines(ScriptedRecognizer(), understand_timer, protect=fake_protector)
    pipeline = Pipeline(sessions(engine), keyring, blobs, engines, SamplingPolicy(rate=1.0))
    for index, who in enumerate(["alice", "bob", "sam"]):
        interaction = ingest(session, keyring, blobs, household.devices[who], f"s{index}", wav())
        session.commit()
        pipeline.process(interaction.id)
    rhea = session.get(StaffMember, team["rhea"].id)
    labels = Labels("set a timer for ten minutes", "SetTimer", rating=5)
    submit(
        session,
        keyring,
        rhea,
        next_task(session, rhea, datetime.now(UTC)),
        labels,
        datetime.now(UTC),
    )
    session.commit()
    needles = [SAID.encode(), b"account number", b"ten minutes", b"RIFF", b"WAVE", b"Rivera"]
    haystacks: list[bytes] = [p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()]
    with engine.connect() as connection:
        for table in (
            "interactions",
            "skill_items",
            "people",
            "households",
            "audit_events",
            "review_tasks",
            "annotations",
            "staff",
        ):
            rows = connection.execute(select(Base.metadata.tables[table])).all()
            haystacks.append(json.dumps([[str(v) for v in row] for row in rows]).encode())
            haystacks.extend(v for row in rows for v in row if isinstance(v, bytes))
    assert len(haystacks) > 10
    for needle in needles:
        assert not any(needle in hay for hay in haystacks), needle
    assert Path(settings.data_dir).exists()


class Flaky:
    """A protector that crashes the first time, as a worker dying mid-protection would."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("worker died mid-protection")
        return fake_protector(*args)


@pytest.mark.parametrize(
    ("who", "granted", "expected"),
    [("alice", True, ["queued"]), ("alice", False, []), ("sam", True, [])],
)
def test_sampled_clips_are_protected_and_queued(
    engine, session, keyring, blobs, household, who, granted, expected
) -> None:
    person = household.people[who].id
    set_consent(session, person, "human_review", granted, actor=person)
    interaction = ingest(session, keyring, blobs, household.devices[who], "s1", wav())
    session.commit()
    engines = Engines(ScriptedRecognizer(), understand_timer, protect=fake_protector)
    policy = SamplingPolicy(rate=1.0, second_opinion=0.0)
    Pipeline(sessions(engine), keyring, blobs, engines, policy).process(interaction.id)
    session.expunge_all()
    tasks = session.scalars(select(ReviewTask)).all()
    assert [t.status for t in tasks] == expected
    if tasks:
        assert tasks[0].material_sealed is not None and tasks[0].audio_sealed is not None


def test_a_crash_in_protection_is_finished_by_the_next_run(
    engine, session, keyring, blobs, household
) -> None:
    set_consent(session, household.people["alice"].id, "human_review", True, actor="alice")
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "s2", wav())
    session.commit()
    engines = Engines(ScriptedRecognizer(), understand_timer, protect=Flaky())
    pipeline = Pipeline(
        sessions(engine), keyring, blobs, engines, SamplingPolicy(rate=1.0, second_opinion=0.0)
    )
    with pytest.raises(RuntimeError):
        pipeline.process(interaction.id)
    session.expunge_all()
    assert session.scalar(select(ReviewTask.status)) == "protecting"
    assert session.get(Interaction, interaction.id).status == "answered"
    assert pipeline.process(interaction.id) == "answered"
    session.expunge_all()
    assert session.scalar(select(ReviewTask.status)) == "queued"


@pytest.mark.parametrize(
    ("heard", "confidence", "false_wake"),
    [(SAID, 0.97, False), (SAID, 0.2, True), ("", 0.97, True)],
)
def test_suspected_false_wakes_are_marked(
    engine, session, keyring, blobs, household, heard, confidence, false_wake
) -> None:
    class Hears(ScriptedRecognizer):
        def transcribe(self, audio, hints=()):
            words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(heard.split())]
            return Transcript(heard, words, "scripted", audio.seconds, 0.01)

    def understand(text):
        return {**understand_timer(text), "confidence": confidence}

    interaction = ingest(session, keyring, blobs, household.devices["alice"], "f1", wav())
    session.commit()
    pipeline_for(engine, keyring, blobs, Hears(), understand).process(interaction.id)
    session.expunge_all()
    assert session.get(Interaction, interaction.id).false_wake is false_wake


def understand_read_back(text: str) -> dict:
    return {"text": text, "intent": "WhatDidYouHear", "confidence": 0.99, "slots": []}


@pytest.mark.parametrize(
    ("where", "minutes_ago", "quoted"),
    [("this device", 1, True), ("this device", 60, False), ("another device", 1, False)],
)
def test_what_did_you_hear_reads_back_only_this_device_just_now(
    engine, session, keyring, blobs, household, where, minutes_ago, quoted
) -> None:
    """Issue 10.2: the read-back recited every device's requests, a newly paired one's too, and
    from any time; and its answer, which quotes them, could reach review."""
    from datetime import timedelta

    from confide.service.accounts import complete_pairing, start_pairing

    alice = household.people["alice"].id
    set_consent(session, alice, "human_review", True, actor="alice")
    device = household.devices["alice"]
    if where == "another device":
        _, code = start_pairing(session, household.id, alice, "alice's new speaker")
        said_on = session.get(type(device), complete_pairing(session, code)[0])
    else:
        said_on = device
    earlier = ingest(session, keyring, blobs, said_on, "r1", wav())
    session.commit()
    pipeline_for(engine, keyring, blobs).process(earlier.id)
    session.get(Interaction, earlier.id).created_at = datetime.now(UTC) - timedelta(
        minutes=minutes_ago
    )
    asked = ingest(session, keyring, blobs, device, "r2", wav())
    session.commit()
    engines = Engines(ScriptedRecognizer(), understand_read_back, protect=fake_protector)
    pipeline = Pipeline(sessions(engine), keyring, blobs, engines, SamplingPolicy(rate=1.0))
    assert pipeline.process(asked.id) == "answered"
    session.expunge_all()
    answer = read_answer(session, keyring, session.get(Interaction, asked.id))
    assert (SAID in answer["text"]) is quoted, answer["text"]
    assert (
        session.scalars(select(ReviewTask).where(ReviewTask.interaction_id == asked.id)).all() == []
    )


ISSUE_10_1 = "add call maria lopez on five five five one two three four to my to do list"
"""The request whose name reached a reviewer, heard as "Add Kalmaria Lopez on [PHONE] to my
to-do list"."""
PRIVATE_NAME = ("maria", "lopez")


def near_private_name(text: str) -> list[str]:
    """Words of `text` that are, contain, or are one edit from the private name's words."""
    from rapidfuzz.distance import Levenshtein

    words = re.findall(r"[a-z]+", text.lower())
    joined = [a + b for a, b in itertools.pairwise(words)]
    return [
        word
        for word in words + joined
        for name in PRIVATE_NAME
        if name in word or Levenshtein.distance(word, name) <= 1
    ]


@pytest.mark.parametrize("known_from", ["a person of the household", "an earlier list entry"])
def test_a_private_name_reaches_no_reviewer_in_text_or_audio(
    engine, session, keyring, blobs, household, team, speech, known_from
) -> None:
    """Issue 10.1: through the real pipeline (Whisper, the shipped NLU model, the default
    protector) "Kalmaria Lopez" reached the reviewer, or, where the bleeped clip was heard to
    still name someone, the clip was refused and no one could review it. Knowing the household's
    names, the name is hidden and bleeped and the clip still reaches review.

    The shipped NLU model takes this request for AddToPlaylist (artist "Kalmaria Lopez"), so the
    intent rule cannot hide it here; `tests/protect/test_protector.py` tests that rule."""
    from confide.audio import read_audio
    from confide.recognize import load_recognizer
    from confide.respond.household import DatabaseHousehold
    from confide.review.tasks import material, next_task, protected_audio
    from confide.service.accounts import add_person
    from confide.understand.default import default_model

    alice = household.people["alice"].id
    if known_from == "a person of the household":
        add_person(session, keyring, household.id, "Maria Lopez", child=True)
    elif known_from == "an earlier list entry":
        kept = DatabaseHousehold(session, keyring, blobs, alice, "none")
        kept.add_item("list:shopping", {"list": "shopping", "item": "card for maria lopez"}, None)
    for consent in ("human_review", "false_wake_review"):  # the NLU may be unsure of it
        set_consent(session, alice, consent, True, actor="alice")
    said = speech(ISSUE_10_1, "heart")  # the voice in which Whisper hears "Kalmaria Lopez"
    interaction = ingest(
        session, keyring, blobs, household.devices["alice"], "n1", said.to_wav_bytes()
    )
    session.commit()
    whisper, model = load_recognizer("whisper"), default_model()
    engines = Engines(whisper, lambda text: model.understand(text).to_json())
    policy = SamplingPolicy(rate=1.0, second_opinion=0.0)
    assert Pipeline(sessions(engine), keyring, blobs, engines, policy).process(interaction.id)
    session.expunge_all()
    (task,) = session.scalars(select(ReviewTask)).all()
    # Refused because a name was still heard in the bleeped clip: the old failure. Refused because
    # Whisper stopped at a bleep, so nothing could be checked: the fail-closed check, which some
    # speaking rates (CONFIDE_TEST_SPEED=1.1) meet whatever is hidden.
    assert task.status == "queued" or "not heard through" in (task.note or ""), task.note
    if task.status != "queued":
        return
    rhea = session.get(StaffMember, team["rhea"].id)
    task = next_task(session, rhea, datetime.now(UTC))
    shown = material(session, keyring, rhea, task)
    words = " ".join(
        [shown["transcript"], shown["answer"], *(str(s["value"]) for s in shown["slots"])]
    )
    assert near_private_name(words) == [], shown
    assert "list" in shown["transcript"].lower(), "the carrier phrase stays for the reviewer"
    heard = whisper.transcribe(read_audio(protected_audio(session, keyring, rhea, task))).text
    assert near_private_name(heard) == [], heard


PUBLIC_ARTIST = "play something by taylor swift"
"""A music request whose artist today's redactor takes for a person (issue 11.1)."""


def test_a_public_artist_reaches_the_reviewer_in_text_and_audio(
    engine, session, keyring, blobs, household, team, speech
) -> None:
    """Issue 11.1: through the real pipeline (Whisper, the shipped NLU model, the default
    protector) the artist of a music request was redacted and bleeped, so the reviewer could not
    link it. A name in the artist slot is public by the request: the reviewer reads it and hears
    it, and the fail-closed check, hearing it again, lets the clip through."""
    from confide.audio import read_audio
    from confide.recognize import load_recognizer
    from confide.review.tasks import material, next_task, protected_audio
    from confide.understand.default import default_model

    alice = household.people["alice"].id
    set_consent(session, alice, "human_review", True, actor="alice")
    said = speech(PUBLIC_ARTIST, "joe")
    interaction = ingest(
        session, keyring, blobs, household.devices["alice"], "m1", said.to_wav_bytes()
    )
    session.commit()
    whisper, model = load_recognizer("whisper"), default_model()
    engines = Engines(whisper, lambda text: model.understand(text).to_json())
    policy = SamplingPolicy(rate=1.0, second_opinion=0.0)
    assert Pipeline(sessions(engine), keyring, blobs, engines, policy).process(interaction.id)
    session.expunge_all()
    (task,) = session.scalars(select(ReviewTask)).all()
    assert task.status == "queued", task.note
    rhea = session.get(StaffMember, team["rhea"].id)
    task = next_task(session, rhea, datetime.now(UTC))
    shown = material(session, keyring, rhea, task)
    assert shown["intent"] == "PlayMusic"
    assert "taylor swift" in shown["transcript"].lower() and "[" not in shown["transcript"], shown
    assert [s["value"].lower() for s in shown["slots"] if s["name"] == "artist"] == ["taylor swift"]
    heard = whisper.transcribe(read_audio(protected_audio(session, keyring, rhea, task))).text
    assert {"taylor", "swift"} <= set(re.findall(r"[a-z]+", heard.lower())), heard


def written(session, interaction_id: str) -> tuple:
    """All an interaction's work leaves behind: its row's sealed parts and status, its review
    tasks, its skill items and the audit chain's length."""
    session.expunge_all()
    row = session.get(Interaction, interaction_id)
    tasks = session.scalars(select(ReviewTask.id).where(ReviewTask.interaction_id == row.id))
    return (
        row.status,
        row.attempts,
        row.transcript_sealed,
        row.answer_sealed,
        sorted(tasks),
        session.scalar(select(func.count()).select_from(SkillItem)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def test_answering_an_answered_interaction_again_changes_nothing(
    engine, session, keyring, blobs, household
) -> None:
    """A duplicate message, or a sweep's re-drive racing the first job, writes nothing."""
    set_consent(session, household.people["alice"].id, "human_review", True, actor="alice")
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "a1", wav())
    session.commit()
    engines = Engines(ScriptedRecognizer(), understand_timer, protect=fake_protector)
    pipeline = Pipeline(sessions(engine), keyring, blobs, engines, SamplingPolicy(rate=1.0))
    assert pipeline.process(interaction.id) == "answered"
    before = written(session, interaction.id)
    assert before[4], "sampled, so there are review tasks to duplicate"
    another = Pipeline(sessions(engine), keyring, blobs, engines, SamplingPolicy(rate=1.0))
    for again in (pipeline, another):
        assert again.answer(interaction.id) == "answered"
        assert again.process(interaction.id) == "answered"
        assert not again.protect(interaction.id)
    assert written(session, interaction.id) == before


def claim(session, interaction_id: str, worker: str, *, until: datetime, seen: datetime | None):
    """Make `worker` hold the interaction's claim until `until`, last heard from at `seen`."""
    if seen is not None:
        heartbeat(session, worker, seen)
    session.execute(
        update(Interaction)
        .where(Interaction.id == interaction_id)
        .values(
            status="processing",
            attempts=1,
            lease_worker=worker,
            lease_token=f"{worker}-token",
            leased_until=until,
        )
    )
    session.commit()


def test_a_claim_held_by_a_live_worker_makes_the_job_wait(
    engine, session, keyring, blobs, household
) -> None:
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "b1", wav())
    session.commit()
    now = datetime.now(UTC)
    claim(
        session, interaction.id, "elsewhere", until=now + timedelta(seconds=LEASE_SECONDS), seen=now
    )
    before = written(session, interaction.id)
    assert pipeline_for(engine, keyring, blobs).answer(interaction.id) == "busy"
    assert written(session, interaction.id) == before
    assert session.get(Interaction, interaction.id).lease_worker == "elsewhere"


@pytest.mark.parametrize(
    "how", ["its lease ran out", "its worker went quiet", "its worker never heartbeat"]
)
def test_a_dead_claim_is_taken_over(engine, session, keyring, blobs, household, how) -> None:
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "b2", wav())
    session.commit()
    now = datetime.now(UTC)
    quiet = now - timedelta(seconds=WORKER_DEAD_SECONDS + 1)
    until, seen = {
        "its lease ran out": (now - timedelta(seconds=1), now),
        "its worker went quiet": (now + timedelta(seconds=LEASE_SECONDS), quiet),
        "its worker never heartbeat": (now - timedelta(seconds=1), None),
    }[how]
    claim(session, interaction.id, "dead", until=until, seen=seen)
    assert pipeline_for(engine, keyring, blobs).answer(interaction.id) == "answered"
    session.expunge_all()
    stored = session.get(Interaction, interaction.id)
    assert (stored.attempts, stored.lease_worker, stored.leased_until) == (2, None, None)


@pytest.mark.parametrize("how", ["its lease ran out", "its worker went quiet"])
def test_a_claim_taken_over_writes_nothing(engine, session, keyring, blobs, household, how) -> None:
    """A worker presumed dead, whose interaction another worker claimed and answered meanwhile,
    finds its claim gone when it comes to write, and writes nothing."""
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "b3", wav())
    session.commit()
    seen: list[tuple] = []

    class TakenOverMidJob(ScriptedRecognizer):
        def transcribe(self, audio, hints=()):
            with sessions(engine)() as other:
                now = datetime.now(UTC)
                if how == "its lease ran out":
                    other.execute(
                        update(Interaction)
                        .where(Interaction.id == interaction.id)
                        .values(leased_until=now - timedelta(seconds=1))
                    )
                else:
                    heartbeat(other, "slow", now - timedelta(seconds=WORKER_DEAD_SECONDS + 1))
                other.commit()
            taking_over = pipeline_for(engine, keyring, blobs, worker_id="fast")
            assert taking_over.answer(interaction.id) == "answered"
            seen.append(written(session, interaction.id))
            return super().transcribe(audio, hints)

    slow = pipeline_for(engine, keyring, blobs, TakenOverMidJob(), worker_id="slow")
    assert slow.answer(interaction.id) == "answered"  # as the other worker left it
    assert written(session, interaction.id) == seen[0]
    assert seen[0][1] == 2 and seen[0][5] == 1, "two claims, one answer, one timer"


def test_two_workers_answering_at_once_answer_once(
    engine, session, keyring, blobs, household
) -> None:
    """A message delivered twice, to two workers whose claims meet: one claims and answers, the
    other finds it claimed and hears nothing."""
    interaction = ingest(session, keyring, blobs, household.devices["alice"], "b4", wav())
    session.commit()
    heard: list[str] = []

    class Counting(ScriptedRecognizer):
        def transcribe(self, audio, hints=()):
            heard.append(threading.current_thread().name)
            return super().transcribe(audio, hints)

    statuses: list[str] = []

    def work() -> None:
        statuses.append(pipeline_for(engine, keyring, blobs, Counting()).answer(interaction.id))

    racing(engine, work, work)
    assert len(heard) == 1
    assert sorted(statuses) in (["answered", "busy"], ["answered", "answered"])
    state = written(session, interaction.id)
    assert (state[0], state[1], state[5]) == ("answered", 1, 1), "one claim, one timer"
