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

from confide.audio import Audio
from confide.demo.recordings import Speaker
from confide.privacy.audit import with_chain_key
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

# The model-dependent tests must rest on no single model output, so the speech they hear can be
# changed from outside, with no edit to any test:
#   CONFIDE_TEST_VOICE  unset: each line in the voice the test names. "swap": every line asked of
#                       "joe" is spoken by "heart" and the other way round. "joe" or "heart":
#                       every line in that one voice.
#   CONFIDE_TEST_SPEED  a factor on every speaking rate the tests ask for (default 1; try 0.9 and
#                       1.1). Speeds are rounded to 0.001 so each variant has one cache entry.
# For example: CONFIDE_TEST_VOICE=swap CONFIDE_TEST_SPEED=1.1 .venv/bin/pytest tests/recognize
# Each variant's audio is cached beside the others under CACHE. A test whose claim is about who
# speaks (a male voice's longer vocal tract) asks `cast` which voice really spoke.
TEST_VOICE = os.environ.get("CONFIDE_TEST_VOICE", "")
TEST_SPEED = float(os.environ.get("CONFIDE_TEST_SPEED", "1"))


@pytest.fixture(scope="session")
def cast() -> dict[str, str]:
    """The voice that really speaks a line a test asks of each voice, under CONFIDE_TEST_VOICE."""
    from confide.demo.voices import VOICES

    if TEST_VOICE == "":
        return {voice: voice for voice in VOICES}
    if TEST_VOICE == "swap":
        return dict(zip(VOICES, reversed(VOICES), strict=True))
    if TEST_VOICE in VOICES:
        return dict.fromkeys(VOICES, TEST_VOICE)
    raise pytest.UsageError(
        f"CONFIDE_TEST_VOICE={TEST_VOICE!r}: use swap or one of {', '.join(VOICES)}"
    )


@pytest.fixture(scope="session")
def speech(cast: dict[str, str]) -> Speaker:
    """Synthesised speech: `speech(text, voice, speed)`, varied by CONFIDE_TEST_VOICE/_SPEED."""
    from confide.demo.voices import cached_speaker

    if TEST_SPEED <= 0:
        raise pytest.UsageError(f"CONFIDE_TEST_SPEED={TEST_SPEED}: a speed factor is positive")
    speak = cached_speaker(CACHE)

    def varied(text: str, voice: str = "joe", speed: float = 1.0) -> Audio:
        return speak(text, cast.get(voice, voice), round(speed * TEST_SPEED, 3))

    return varied


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
def session(engine: Engine, keyring: KeyRing) -> Iterator[Session]:
    with with_chain_key(sessions(engine)(), keyring) as session:
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
