"""Envelope encryption: values open only for their owner and record; shredding is final."""

from __future__ import annotations

import base64
import secrets

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from confide.errors import KeyDestroyed, TamperedData
from confide.privacy.keys import KeyRing
from confide.settings import Settings, load_settings
from confide.store.database import sessions

SECRET = b"my account number is 4921 7730 0012"


def test_sealed_value_opens_for_its_owner_and_record(settings: Settings, session: Session) -> None:
    ring = KeyRing(settings)
    ring.ensure_key(session, "alice")
    sealed = ring.seal(session, "alice", SECRET, "transcript:1")
    assert SECRET not in sealed
    assert ring.open(session, "alice", sealed, "transcript:1") == SECRET
    assert ring.seal(session, "alice", SECRET, "transcript:1") != sealed  # a fresh nonce each time


@pytest.mark.parametrize(
    ("owner", "context", "mangle", "error"),
    [
        ("alice", "transcript:2", lambda b: b, TamperedData),  # moved to another record
        ("bob", "transcript:1", lambda b: b, TamperedData),  # presented as someone else's
        ("alice", "transcript:1", lambda b: b[:-1] + bytes([b[-1] ^ 1]), TamperedData),
        ("alice", "transcript:1", lambda b: b[:20], TamperedData),
        ("alice", "transcript:1", lambda b: b"\x02" + b[1:], TamperedData),
        ("carol", "transcript:1", lambda b: b, KeyDestroyed),  # carol has no key
    ],
    ids=["other-record", "other-owner", "flipped-bit", "truncated", "unknown-format", "no-key"],
)
def test_misuse_is_refused(
    settings: Settings, session: Session, owner, context, mangle, error
) -> None:
    ring = KeyRing(settings)
    for person in ("alice", "bob"):
        ring.ensure_key(session, person)
    sealed = ring.seal(session, "alice", SECRET, "transcript:1")
    with pytest.raises(error):
        ring.open(session, owner, mangle(sealed), context)


def test_shredding_makes_everything_unreadable(settings: Settings, session: Session) -> None:
    ring = KeyRing(settings)
    ring.ensure_key(session, "alice")
    ring.ensure_key(session, "bob")
    sealed = [ring.seal(session, "alice", SECRET, f"audio:{i}") for i in range(5)]
    kept = ring.seal(session, "bob", SECRET, "audio:9")
    receipt = ring.shred(session, "alice")
    session.commit()
    assert receipt.existed
    for index, value in enumerate(sealed):
        with pytest.raises(KeyDestroyed):
            ring.open(session, "alice", value, f"audio:{index}")
    assert ring.open(session, "bob", kept, "audio:9") == SECRET
    with pytest.raises(KeyDestroyed, match="not remade"):
        ring.ensure_key(session, "alice")
    assert not ring.shred(session, "alice").existed


def test_shredding_reaches_other_processes(settings: Settings, engine: Engine) -> None:
    """A second connection (another worker) cannot keep using a key shredded elsewhere."""
    ring = KeyRing(settings)
    factory = sessions(engine)
    with factory() as first, factory() as second:
        ring.ensure_key(first, "alice")
        first.commit()
        sealed = ring.seal(second, "alice", SECRET, "audio:1")
        second.commit()
        ring.shred(first, "alice")
        first.commit()
        with pytest.raises(KeyDestroyed):
            ring.open(second, "alice", sealed, "audio:1")


def test_another_kek_cannot_unwrap(settings: Settings, session: Session, tmp_path) -> None:
    ring = KeyRing(settings)
    ring.ensure_key(session, "alice")
    sealed = ring.seal(session, "alice", SECRET, "audio:1")
    other = load_settings(
        tmp_path, env={"CONFIDE_KEK": base64.b64encode(secrets.token_bytes(32)).decode()}
    )
    with pytest.raises(TamperedData, match="does not open with this KEK"):
        KeyRing(other).open(session, "alice", sealed, "audio:1")


def test_wrapped_keys_are_not_the_keys(settings: Settings, session: Session) -> None:
    KeyRing(settings).ensure_key(session, "alice")
    session.commit()
    wrapped = session.execute(text("SELECT wrapped_key FROM data_keys")).scalar_one()
    assert len(wrapped) == 12 + 32 + 16  # nonce, encrypted key, tag
