"""Envelope encryption: values open only for their owner and record; shredding is final."""

from __future__ import annotations

import base64
import secrets

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from confide.errors import KeyDestroyed, TamperedData
from confide.privacy.contexts import InteractionContext
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


def test_each_interaction_has_a_key_of_its_own(settings: Settings, session: Session) -> None:
    """Issue 10.3: everything was sealed under the person's one key, so deleting a recording
    destroyed no key at all. Destroying one interaction's key leaves the person's other
    interactions, and their account-level data, readable; its key is never remade."""
    ring = KeyRing(settings)
    ring.ensure_key(session, "alice")
    first, second = (InteractionContext(f"transcript:{i}", i) for i in ("i1", "i2"))
    sealed = {ctx: ring.seal(session, "alice", SECRET, ctx) for ctx in (first, second)}
    name = ring.seal(session, "alice", b"Alice", "name:alice")
    assert ring.shred_interactions(session, "alice", ["i1"]) == 1
    session.commit()
    with pytest.raises(KeyDestroyed):
        ring.open(session, "alice", sealed[first], first)
    with pytest.raises(KeyDestroyed):
        ring.seal(session, "alice", SECRET, first)
    assert ring.open(session, "alice", sealed[second], second) == SECRET
    assert ring.open(session, "alice", name, "name:alice") == b"Alice"
    assert [(e.kind, e.key_id) for e in ring.ledger.entries()] == [("interaction", "i1")]
    assert ring.shred_interactions(session, "alice", ["i1"]) == 0  # nothing left to destroy


@pytest.mark.parametrize(
    ("owner", "interaction", "error"),
    [("bob", "i1", TamperedData), ("alice", "i2", TamperedData)],
    ids=["another-owner", "another-interaction"],
)
def test_an_interactions_value_opens_under_its_own_key_only(
    settings: Settings, session: Session, owner, interaction, error
) -> None:
    ring = KeyRing(settings)
    for person in ("alice", "bob"):
        ring.ensure_key(session, person)
    ring.seal(session, "alice", SECRET, InteractionContext("audio:i2", "i2"))
    sealed = ring.seal(session, "alice", SECRET, InteractionContext("audio:i1", "i1"))
    with pytest.raises(error):
        ring.open(session, owner, sealed, InteractionContext("audio:i1", interaction))
