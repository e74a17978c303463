"""Shared fixtures: synthesised speech, cached between runs under ~/.cache/confide-tests."""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from confide.demo.recordings import Speaker
from confide.privacy.consent import set_consent
from confide.privacy.keys import KeyRing
from confide.protect.preparation import prepare_pending
from confide.sample import SamplingPolicy, sample
from confide.service.accounts import (
    add_person,
    complete_pairing,
    create_household,
    start_pairing,
)
from confide.settings import Settings, load_settings
from confide.store.blobs import LocalBlobStore
from confide.store.database import connect, sessions
from confide.store.tables import Device, Interaction, ReviewTask
from confide_testing import (
    SAID,
    DemoHousehold,
    Member,
    answered_interaction,
    fake_protector,
    make_team,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CACHE = Path(os.environ.get("CONFIDE_TEST_CACHE", Path.home() / ".cache" / "confide-tests"))


@pytest.fixture(scope="session")
def speech() -> Speaker:
    """Synthesised speech: `speech(text, voice, speed)`."""
    from confide.demo.voices import cached_speaker

    return cached_speaker(CACHE)


POSTGRES_URL = os.environ.get("CONFIDE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> bool:
    try:
        probe = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
        probe.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _postgres_reachable()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_available: bool
) -> Iterator[str]:
    """The suite runs against SQLite always, and PostgreSQL on 127.0.0.1 when it is there."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'confide.db'}"
        return
    if not postgres_available:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    name = f"confide_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    return load_settings(
        tmp_path / "data", env={"CONFIDE_KEK": kek, "CONFIDE_DATABASE_URL": database_url}
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = connect(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with sessions(engine)() as session:
        yield session


@pytest.fixture
def keyring(settings: Settings) -> KeyRing:
    return KeyRing(settings)


@pytest.fixture
def blobs(settings: Settings) -> LocalBlobStore:
    return LocalBlobStore(settings.blob_dir)


@pytest.fixture
def household(session: Session, keyring: KeyRing) -> DemoHousehold:
    home = create_household(session, keyring, "The Rivera household")
    passwords = {"alice": "correct horse battery", "bob": "staple paper clip tree"}
    people = {
        "alice": add_person(
            session, keyring, home, "Alice Rivera", login="alice", password=passwords["alice"]
        ),
        "bob": add_person(
            session, keyring, home, "Bob Rivera", login="bob", password=passwords["bob"]
        ),
        "sam": add_person(session, keyring, home, "Sam Rivera", child=True),
    }
    devices, tokens = {}, {}
    for name, person in people.items():
        _, code = start_pairing(session, home, person.id, f"{name}'s speaker")
        device_id, tokens[name] = complete_pairing(session, code)
        device = session.get(Device, device_id)
        assert device is not None
        devices[name] = device
    session.commit()
    return DemoHousehold(home, people, devices, tokens, passwords)


@pytest.fixture
def team(session: Session, keyring: KeyRing) -> dict[str, Member]:
    """Reviewers rhea and remy, lead lena, safety sol, privacy officers pia and otto, admin ada."""
    return make_team(session, keyring)


@pytest.fixture
def queued(session, keyring, blobs, household) -> Callable[..., list[ReviewTask]]:
    """`queued(who, text, second_opinion=False)`: one of their clips, sampled and protected."""
    for who in ("alice", "bob"):
        set_consent(session, household.people[who].id, "human_review", True, actor="test")

    def make(who: str = "alice", text: str = SAID, second_opinion: bool = False):
        person, device = household.people[who].id, household.devices[who].id
        iid = answered_interaction(session, keyring, blobs, person, device, text)
        policy = SamplingPolicy(rate=1.0, second_opinion=1.0 if second_opinion else 0.0)
        assert sample(session, session.get(Interaction, iid), policy).sampled
        prepare_pending(session, keyring, blobs, iid, fake_protector)
        session.commit()
        return list(session.scalars(select(ReviewTask).where(ReviewTask.interaction_id == iid)))

    return make
