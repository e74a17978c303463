"""Deletion is real (invariant 3): nothing of the deleted content survives, anywhere."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from confide.errors import AccessDenied, KeyDestroyed
from confide.ingest import authenticate_device, ingest
from confide.privacy.consent import set_consent
from confide.privacy.contexts import audio_context, recording_key_id, transcript_context
from confide.privacy.deletion import (
    delete_interactions,
    erase_account,
    interactions_between,
    receipts,
)
from confide.service.sessions import find_session, open_session
from confide.store.tables import (
    Annotation,
    Consent,
    DataKey,
    DatasetExportItem,
    Device,
    Interaction,
    InteractionKey,
    ReviewTask,
    StaffMember,
)
from confide_testing import DemoHousehold, answered_interaction, wav


def record(
    session, keyring, blobs, household: DemoHousehold, who: str, n: int
) -> list[Interaction]:
    made = []
    for index in range(n):
        interaction = ingest(
            session, keyring, blobs, household.devices[who], f"{who}-{index}", wav(0.5)
        )
        interaction.transcript_sealed = keyring.seal(
            session,
            interaction.owner_id,
            f"secret words {who} {index}".encode(),
            f"transcript:{interaction.id}",
        )
        interaction.answer_sealed = keyring.seal(
            session, interaction.owner_id, b"an answer", f"answer:{interaction.id}"
        )
        made.append(interaction)
    session.commit()
    return made


def test_deleting_one_interaction_removes_it_and_its_audio(
    session, keyring, blobs, household
) -> None:
    first, second = record(session, keyring, blobs, household, "alice", 2)
    receipt = delete_interactions(
        session, keyring, blobs, first.owner_id, [first.id], scope="interaction", actor="alice"
    )
    session.commit()
    assert receipt.erased == {
        "interactions": 1,
        "audio": 1,
        "transcripts": 1,
        "understandings": 0,
        "answers": 1,
        "derived_answers": 0,
        "review.review_tasks": 0,
        "review.annotations": 0,
        "dataset.items": 0,
        "dataset.models": 0,
    }
    assert session.get(Interaction, first.id) is None
    assert list(blobs.keys(f"audio/{first.owner_id}/")) == [second.audio_key]
    assert [r.id for r in receipts(session, first.owner_id)] == [receipt.id]


@pytest.mark.parametrize(("read_back_minutes", "goes"), [(5, True), (-5, False)])
def test_a_read_back_after_a_deleted_interaction_goes_with_it(
    session, keyring, blobs, household, read_back_minutes, goes
) -> None:
    """Issue 10.2: "what did you hear" still quoted a deleted request word for word. Its answer,
    kept without its request, is derived from what it quotes."""
    from datetime import timedelta

    [said] = record(session, keyring, blobs, household, "alice", 1)
    read_back = ingest(session, keyring, blobs, household.devices["alice"], "rb", wav(0.5))
    read_back.created_at = said.created_at + timedelta(minutes=read_back_minutes)
    read_back.audio_key = None
    read_back.answer_sealed = keyring.seal(
        session, said.owner_id, b"Earlier I heard: secret words", f"answer:{read_back.id}"
    )
    session.commit()
    receipt = delete_interactions(
        session, keyring, blobs, said.owner_id, [said.id], scope="interaction", actor="alice"
    )
    session.commit()
    assert receipt.erased["interactions"] == 1
    assert receipt.erased["derived_answers"] == int(goes)
    assert (session.get(Interaction, read_back.id) is None) is goes


def test_nobody_deletes_anothers_interactions(session, keyring, blobs, household) -> None:
    [bobs] = record(session, keyring, blobs, household, "bob", 1)
    alice = household.people["alice"].id
    receipt = delete_interactions(
        session, keyring, blobs, alice, [bobs.id], scope="interaction", actor="alice"
    )
    assert receipt.erased["interactions"] == 0
    assert session.get(Interaction, bobs.id) is not None


ONLY_THE_FLOOR = """
import json, sys
from pathlib import Path
from confide.privacy.audit import with_chain_key
from confide.privacy.deletion import delete_interactions
from confide.privacy.keys import KeyRing
from confide.settings import load_settings
from confide.store.blobs import LocalBlobStore
from confide.store.database import connect, sessions
url, data_dir, kek, owner, interaction = sys.argv[1:]
settings = load_settings(Path(data_dir), env={"CONFIDE_KEK": kek, "CONFIDE_DATABASE_URL": url})
keyring = KeyRing(settings)
with with_chain_key(sessions(connect(url))(), keyring) as session:
    receipt = delete_interactions(session, keyring, LocalBlobStore(settings.blob_dir),
                                  owner, [interaction], scope="interaction", actor=owner)
    session.commit()
stages = sorted({m.split(".")[1] for m in sys.modules if m.startswith("confide.")})
print(json.dumps({"erased": receipt.erased, "stages": stages}))
"""


def test_review_copies_are_reached_with_only_the_floor_imported(
    settings, session, keyring, blobs, household, team, queued
) -> None:
    """Deletion finds review copies through the tables: no import of review is needed for it."""
    from confide.review.tasks import Labels, next_task, submit
    from confide.store.tables import StaffMember

    interaction_id = queued("alice", second_opinion=True)[0].interaction_id
    rhea = session.get(StaffMember, team["rhea"].id)
    now = datetime.now(UTC)
    submit(session, keyring, rhea, next_task(session, rhea, now), Labels("a timer", None), now)
    session.commit()
    alice = household.people["alice"].id
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            ONLY_THE_FLOOR,
            settings.database_url,
            str(settings.data_dir),
            base64.b64encode(settings.kek).decode(),
            alice,
            interaction_id,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    assert set(result["stages"]) <= {"privacy", "store", "errors", "settings", "paths", "audio"}
    assert result["erased"]["review.review_tasks"] == 2
    assert result["erased"]["review.annotations"] == 1
    session.expire_all()
    assert session.get(Interaction, interaction_id) is None


def test_a_date_range(session, keyring, blobs, household) -> None:
    made = record(session, keyring, blobs, household, "alice", 3)
    made[0].created_at = datetime.now(UTC) - timedelta(days=40)
    session.commit()
    alice = made[0].owner_id
    now = datetime.now(UTC)
    inside = interactions_between(session, alice, now - timedelta(days=1), now + timedelta(days=1))
    assert sorted(inside) == sorted(m.id for m in made[1:])


def test_erasing_an_account_leaves_nothing(
    settings, session, keyring, blobs, household, engine
) -> None:
    """Keys first, then ciphertext; a scan of the database and blob folder finds nothing."""
    alice_rows = record(session, keyring, blobs, household, "alice", 4)
    record(session, keyring, blobs, household, "bob", 2)
    alice = alice_rows[0].owner_id
    sealed_audio = blobs.get(alice_rows[0].audio_key or "")
    wrapped_key = session.get(DataKey, alice).wrapped_key
    started = time.perf_counter()
    receipt = erase_account(session, keyring, blobs, alice, actor="alice")
    session.commit()
    assert time.perf_counter() - started < 60
    assert receipt.erased["interactions"] == 4 and receipt.erased["data_key"] == 1
    assert session.get(DataKey, alice) is None
    with pytest.raises(KeyDestroyed):
        keyring.open(session, alice, sealed_audio, audio_context(alice_rows[0].id))
    assert list(blobs.keys(f"audio/{alice}/")) == []
    assert session.scalars(select(Interaction).where(Interaction.owner_id == alice)).all() == []
    assert len(session.scalars(select(Interaction)).all()) == 2  # bob's stay
    if engine.dialect.name == "sqlite":  # secure_delete: the wrapped key is not in free pages
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        for path in database.parent.glob(database.name + "*"):
            assert wrapped_key not in path.read_bytes()


def test_erasing_an_account_ends_its_devices_consents_and_sessions(
    session, keyring, blobs, household
) -> None:
    """Item 4: a paired speaker of an erased account must not keep uploading into nothing, and
    no hash of its token outlives the account; the rest of the household is untouched."""
    alice, bob = household.people["alice"].id, household.people["bob"].id
    set_consent(session, alice, "human_review", True, actor="alice")
    now = datetime.now(UTC)
    cookie = open_session(session, "person", alice, 12, now)
    session.commit()
    receipt = erase_account(session, keyring, blobs, alice, actor="alice")
    session.commit()
    assert {kind: receipt.erased[kind] for kind in ("devices", "consents", "sessions")} == {
        "devices": 1,
        "consents": 1,
        "sessions": 1,
    }
    with pytest.raises(AccessDenied):
        authenticate_device(session, household.tokens["alice"])
    assert session.get_one(Device, household.devices["alice"].id).token_hash is None
    assert authenticate_device(session, household.tokens["bob"]).person_id == bob
    assert find_session(session, "person", cookie, now) is None
    assert session.scalars(select(Consent).where(Consent.person_id == alice)).all() == []


def test_deleting_one_interaction_destroys_its_key_alone(
    settings, engine, session, keyring, blobs, household
) -> None:
    """Issue 10.3: a copy of a deleted interaction's ciphertext (a backup's) still opened, since
    the person's key that sealed it lived on; the person's other interactions must stay."""
    alice, device = household.people["alice"].id, household.devices["alice"].id
    ids = [answered_interaction(session, keyring, blobs, alice, device, t) for t in ("a b", "c d")]
    session.commit()
    copies = {iid: session.get_one(Interaction, iid).transcript_sealed for iid in ids}
    wrapped = session.get_one(InteractionKey, ids[0]).wrapped_key
    before = len(keyring.ledger.entries())
    delete_interactions(session, keyring, blobs, alice, ids[:1], scope="interaction", actor=alice)
    session.commit()
    with pytest.raises(KeyDestroyed):
        keyring.open_json(session, alice, copies[ids[0]], transcript_context(ids[0]))
    kept = keyring.open_json(session, alice, copies[ids[1]], transcript_context(ids[1]))
    assert kept["text"] == "c d"
    destroyed = [e.key_id for e in keyring.ledger.entries()[before:]]
    assert sorted(destroyed) == [ids[0], recording_key_id(ids[0])]
    if engine.dialect.name == "sqlite":  # secure_delete: the wrapped key is not in free space
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        for path in database.parent.glob(database.name + "*"):
            assert wrapped is not None and wrapped not in path.read_bytes()


def trained_on(session, interaction_ids: list[str], version: str) -> str:
    """A model version whose lineage names the dataset items of these interactions."""
    import uuid

    from confide.store.tables import DatasetItem, ModelTrainingItem, ModelVersion

    row = ModelVersion(
        id=uuid.uuid4().hex,
        component="nlu",
        version=version,
        status="candidate",
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    items = session.scalars(
        select(DatasetItem).where(DatasetItem.interaction_id.in_(interaction_ids))
    ).all()
    assert len(items) == len(interaction_ids)
    session.add_all(
        ModelTrainingItem(
            version_id=row.id,
            item_id=item.id,
            interaction_id=item.interaction_id,
            owner_id=item.owner_id,
        )
        for item in items
    )
    session.commit()
    return row.id


def _delete_first(session, keyring, blobs, alice, made):
    return delete_interactions(
        session, keyring, blobs, alice, made[:1], scope="interaction", actor="alice"
    )


def _delete_range(session, keyring, blobs, alice, made):
    start = datetime.now(UTC) - timedelta(days=1)
    ids = interactions_between(session, alice, start, start + timedelta(days=2))
    return delete_interactions(session, keyring, blobs, alice, ids, scope="range", actor="alice")


def _delete_recordings(session, keyring, blobs, alice, made):
    from confide.privacy.deletion import delete_recordings

    return delete_recordings(session, keyring, blobs, alice, actor="alice")


def _erase(session, keyring, blobs, alice, made):
    return erase_account(session, keyring, blobs, alice, actor="alice")


def _withdraw(purpose):
    def withdraw(session, keyring, blobs, alice, made):
        set_consent(session, alice, purpose, False, actor="alice")
        [receipt] = receipts(session, alice)
        return receipt

    return withdraw


DATASET_DELETIONS = [
    # (how alice's data goes, how many of her two items go, the receipt's scope)
    (_delete_first, 1, "interaction"),
    (_delete_range, 2, "range"),
    (_delete_recordings, 2, "recordings"),
    (_erase, 2, "account"),
    (_withdraw("improvement"), 2, "dataset"),
    (_withdraw("human_review"), 2, "dataset"),
]


@pytest.mark.parametrize(
    ("delete", "gone", "scope"),
    DATASET_DELETIONS,
    ids=["interaction", "range", "recordings", "account", "improvement", "human-review"],
)
def test_deletion_and_withdrawal_take_the_data_out_of_the_dataset_at_once(
    tmp_path, session, keyring, blobs, household, team, queued, delete, gone, scope
) -> None:
    """Invariant 10, issue 11 item 4: the items go in the same transaction, the receipt names
    the exports that held them, the next export lacks them, and every model version trained on
    them is marked, so it is never promoted again."""
    from confide.learn.dataset import current_items, refresh
    from confide.learn.export import export_dataset
    from confide.store.tables import ModelVersion
    from confide_testing import reviewed_items

    alice, bob = household.people["alice"].id, household.people["bob"].id
    hers = reviewed_items(session, keyring, team, queued, "alice", 2)
    his = reviewed_items(session, keyring, team, queued, "bob", 1)
    before = export_dataset(
        session, keyring, tmp_path / "before", actor="test", now=datetime.now(UTC)
    )
    on_hers = trained_on(session, hers[:1], "nlu-0001")
    on_his = trained_on(session, his, "nlu-0002")

    receipt = delete(session, keyring, blobs, alice, hers)
    session.commit()
    assert refresh(session, keyring, datetime.now(UTC)) == 0  # nothing deleted comes back

    kept = {item.interaction_id for item in current_items(session, keyring)}
    assert kept == set(hers[gone:]) | set(his)
    assert receipt.scope.startswith(scope)
    assert receipt.erased["dataset.items"] == gone
    assert receipt.erased["dataset.models"] == 1
    assert receipt.exports == [before.id]
    assert [r.exports for r in receipts(session, alice) if r.id == receipt.id] == [[before.id]]
    assert receipts(session, bob) == []
    session.expire_all()
    assert session.get_one(ModelVersion, on_hers).tainted_at is not None
    assert session.get_one(ModelVersion, on_his).tainted_at is None
    after = export_dataset(
        session, keyring, tmp_path / "after", actor="test", now=datetime.now(UTC)
    )
    held = session.scalars(
        select(DatasetExportItem.interaction_id).where(DatasetExportItem.export_id == after.id)
    )
    assert set(held) == kept
    assert len(after.manifest.read_text().splitlines()) == len(kept)


def test_deleting_recordings_takes_the_reviewers_clips_too(
    session, keyring, blobs, household, team, queued
) -> None:
    """A reviewer could still hear the anonymised clip of a recording its owner had deleted.
    Now the clip goes with it: a task not yet reviewed is withdrawn (no one can label what they
    cannot hear), a reviewed one keeps its labels and loses its clip; bob's are untouched."""
    from confide.privacy.deletion import delete_recordings
    from confide.review.tasks import Labels, next_task, submit

    alice, bob = household.people["alice"].id, household.people["bob"].id
    [reviewed] = queued("alice", "set a timer for two minutes")
    rhea = session.get(StaffMember, team["rhea"].id)
    now = datetime.now(UTC)
    submit(session, keyring, rhea, next_task(session, rhea, now), Labels("x", "SetTimer"), now)
    [waiting] = queued("alice", "set a timer for three minutes")
    [his] = queued("bob", "set a timer for four minutes")

    receipt = delete_recordings(session, keyring, blobs, alice, actor="alice")
    session.commit()
    session.expire_all()

    assert receipt.erased["review_clips"] == 2
    tasks = {t.id: t for t in session.scalars(select(ReviewTask))}
    assert tasks[waiting.id].status == "withdrawn" and tasks[waiting.id].audio_sealed is None
    assert tasks[reviewed.id].status == "submitted" and tasks[reviewed.id].audio_sealed is None
    assert session.scalars(select(Annotation).where(Annotation.task_id == reviewed.id)).all()
    assert tasks[his.id].status == "queued" and tasks[his.id].audio_sealed is not None
    assert next_task(session, rhea, now).owner_id == bob
