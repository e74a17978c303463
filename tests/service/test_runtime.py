"""The runtime's hourly upkeep, as the worker runs it, and the work it gives the job engine."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from confide.learn.registry import production_versions, promote, register
from confide.learn.run import LEARN_RUN
from confide.pipeline import Engines
from confide.privacy.audit import Access, append, checkpoints
from confide.service.runtime import REGISTRY_POLL_SECONDS, Runtime, promoted_folders
from confide.settings import Settings
from confide.store.database import connect, sessions
from confide_testing import ScriptedRecognizer, understand_timer

NOW = datetime(2026, 11, 30, 3, 7, tzinfo=UTC)


@pytest.mark.parametrize(("appended", "signed"), [(0, []), (3, [3])], ids=["empty", "three"])
def test_the_hourly_upkeep_checkpoints_the_audit_chain(
    runtime: Runtime, appended: int, signed: list[int]
) -> None:
    """Item 9: the worker anchors the chain outside the database every hour, without anyone
    asking; twice in an idle hour signs nothing new."""
    with runtime.sessions() as session:
        for index in range(appended):
            append(session, Access("pia", "privacy_officer", "listen", f"interaction:{index}", "x"))
        session.commit()
    runtime.hourly(NOW)
    runtime.hourly(NOW + timedelta(minutes=30))
    with runtime.sessions() as session:
        assert [made.sequence for made in checkpoints(session, runtime.blobs)] == signed


def test_one_runtime_of_the_cluster_runs_each_hours_upkeep(settings: Settings) -> None:
    """Every worker asks for the upkeep each hour; the one that claims the hour runs it."""
    launched: list[Settings] = []
    runtimes = [
        Runtime(
            replace(settings, learn_hour=NOW.hour),
            engines_factory=registry_engines,
            learn_launcher=launched.append,
        )
        for _ in range(2)
    ]
    try:
        first, second = runtimes
        assert [first.hourly(NOW), second.hourly(NOW)] == [True, False]
        assert [second.hourly(NOW + timedelta(minutes=50)), first.hourly(NOW)] == [False, False]
        assert len(launched) == 1, "the nightly learn run started once"
        assert [second.hourly(NOW + timedelta(hours=1)), first.hourly(NOW)] == [True, False]
    finally:
        for runtime in runtimes:
            runtime.close()


def test_an_answer_sends_its_sampled_clips_on_to_be_protected(
    settings: Settings, session, keyring, household
) -> None:
    """`Runtime.answer` is the answers queue's job: it answers, then hands the clip's protection
    to the batch queue (run inline here); the worker's heartbeat and sweep see nothing left."""
    from confide.ingest import ingest
    from confide.privacy.consent import set_consent
    from confide.service.sweep import Due
    from confide.store.tables import Interaction, ReviewTask, Worker
    from confide_testing import fake_protector, wav

    runtime = Runtime(
        replace(settings, review_rate=1.0),
        engines_factory=lambda _: Engines(
            ScriptedRecognizer(), understand_timer, protect=fake_protector
        ),
        immediate_jobs=True,
    )
    try:
        set_consent(session, household.people["alice"].id, "human_review", True, actor="alice")
        made = ingest(session, keyring, runtime.blobs, household.devices["alice"], "q1", wav())
        session.commit()
        runtime.heartbeat()
        assert runtime.answer(made.id) == "answered"
        session.expunge_all()
        assert session.get(Interaction, made.id).lease_token is None
        # one task, or two where a blind second opinion was drawn
        assert set(session.scalars(select(ReviewTask.status))) == {"queued"}
        assert session.get(Worker, runtime.worker_id) is not None
        assert runtime.sweep() == Due()
    finally:
        runtime.close()


def test_the_review_caps_of_the_settings_bound_sampling(settings) -> None:
    """Item 7: the operator's caps, not the defaults, are what the pipeline samples under."""
    from dataclasses import replace

    from confide.pipeline import Engines
    from confide_testing import ScriptedRecognizer, understand_timer

    capped = replace(settings, review_cap_month=3, review_cap_total=7)
    rt = Runtime(capped, engines_factory=lambda _: Engines(ScriptedRecognizer(), understand_timer))
    try:
        policy = rt.pipeline._policy
        assert (policy.per_person_month, policy.per_person_life) == (3, 7)
    finally:
        rt.close()


def registry_engines(settings: Settings) -> Engines:
    """Scripted engines that name the versions the registry has in production, as
    `default_engines` does with the real ones."""
    engine = connect(settings.database_url)
    try:
        with sessions(engine)() as session:
            promoted = production_versions(session)
    finally:
        engine.dispose()
    versions = {c: promoted.get(c, "default") for c in ("asr", "nlu")}
    return Engines(ScriptedRecognizer(), understand_timer, versions=versions)


def test_a_worker_picks_up_a_newly_promoted_version_within_a_minute(
    settings: Settings, tmp_path, monkeypatch
) -> None:
    """Invariant 11: a promotion reaches the running workers without a restart; the registry is
    asked at most once a minute."""
    monkeypatch.setenv("CONFIDE_CACHE_DIR", str(tmp_path / "cache"))
    runtime = Runtime(settings, engines_factory=registry_engines)
    try:
        assert runtime.engines.versions == {"asr": "default", "nlu": "default"}
        folder = tmp_path / "version"
        folder.mkdir()
        (folder / "model.json").write_text("{}")
        with runtime.sessions() as session:
            made = register(
                session, runtime.blobs, "nlu", folder, parent=None, trained_on=[], now=NOW
            )
            promote(session, made, reason="better", now=NOW)
            session.commit()
        start = time.monotonic()
        assert not runtime.refresh_engines(now=start + 30)  # asked too soon: not even looked
        assert runtime.engines.versions["nlu"] == "default"
        assert runtime.refresh_engines(now=start + REGISTRY_POLL_SECONDS + 1)
        assert runtime.engines.versions == {"asr": "default", "nlu": "nlu-0001"}
        assert runtime.pipeline._engines is runtime.engines
        assert not runtime.refresh_engines(now=start + 3 * REGISTRY_POLL_SECONDS)  # no change
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("hour", "ran_hours_ago", "started"),
    [(3, None, True), (4, None, False), (3, 2, False), (3, 30, True)],
    ids=["at-the-hour", "other-hour", "ran-recently", "ran-yesterday"],
)
def test_the_nightly_learn_run_starts_once_at_the_learn_hour(
    settings: Settings, hour: int, ran_hours_ago: int | None, started: bool
) -> None:
    launched: list[Settings] = []
    runtime = Runtime(
        replace(settings, learn_hour=3),
        engines_factory=registry_engines,
        learn_launcher=launched.append,
    )
    now = datetime(2026, 11, 30, hour, 7, tzinfo=UTC)
    try:
        if ran_hours_ago is not None:
            with runtime.sessions() as session:
                event = append(session, Access("learn", "system", LEARN_RUN, "dataset", "run"))
                event_at = now - timedelta(hours=ran_hours_ago)
                session.commit()
            drop_and_set_audit_time(runtime, event.sequence, event_at)
        assert runtime.nightly_learn(now) is started
        assert len(launched) == int(started)
    finally:
        runtime.close()


def drop_and_set_audit_time(runtime: Runtime, sequence: int, at: datetime) -> None:
    """Date an audit event back (the chain refuses UPDATE: lift its triggers for the test)."""
    from sqlalchemy import update

    from confide.store.tables import AuditEvent
    from confide_testing import drop_audit_triggers

    with runtime.engine.begin() as connection:
        drop_audit_triggers(connection)
        connection.execute(
            update(AuditEvent)
            .where(AuditEvent.sequence == sequence)
            .values(at=at.isoformat(timespec="microseconds"))
        )


def test_a_data_dir_without_a_database_has_no_registry_and_gets_none(tmp_path, monkeypatch):
    """`understand --data-dir` on a folder that holds no data creates nothing there."""
    monkeypatch.delenv("CONFIDE_DATABASE_URL", raising=False)
    assert promoted_folders(tmp_path) == {}
    assert list(tmp_path.iterdir()) == []
