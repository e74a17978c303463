"""The audit chain: every human access and every change, linked, keyed and anchored outside the
database, so that whoever controls the database alone cannot rewrite it unnoticed.

Three locks, each against a stronger attacker:

- Links. Each event's hash covers its fields and the previous event's hash, so editing,
  deleting or reordering any event breaks every link after it; the database refuses UPDATE and
  DELETE on the table (triggers).
- Keyed MACs. Whoever can drop the triggers can recompute every hash, so each event also carries
  an HMAC-SHA256 of its hash under a key derived one-way from the KEK. The database never holds
  the KEK, so an event rewritten without it fails its MAC.
- Checkpoints. Neither lock sees the newest events deleted and the head row rewound. A
  checkpoint is the head (sequence, hash), the time, and how many first events predate keyed
  MACs, signed with Ed25519 under a key also derived from the KEK. They live in the blob store
  under `audit-checkpoints/`, not in the database: rewriting the database can neither remove
  nor forge one, and `verify` finds any event a checkpoint covers missing or changed. Ed25519
  rather than a MAC so that an auditor holding only the public key (`confide audit checkpoint`
  prints it) can check them; they hold no personal data, so an operator may also copy them to
  write-once storage. The worker writes one every hour, and operator commands after what they
  change; each is written only after the whole chain verified, so none vouches for a rewrite.

Events after the newest checkpoint are safe from rewriting (MACs) but not from deletion: that is
the window the checkpoint period leaves. Events written before keyed MACs (before migration 0009)
carry none; they are accepted only as the chain's first events, and each checkpoint records how
many there are, so stripping MACs later to pass rewritten events off as old ones is found. Until
the first checkpoint, a chain stripped of every MAC looks like one from before the upgrade: the
worker's first hourly run, or `confide audit checkpoint` right after upgrading, closes that.
A restore from a backup rewinds the chain; it sets aside the checkpoints of the chain it replaced
(`supersede_after_restore`) and says so in the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from confide.errors import AuditChainBroken, BadConfiguration, BlobMissing, TamperedData
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.tables import AuditEvent, AuditHead

GENESIS = "0" * 64
CHECKPOINTS = "audit-checkpoints/"
"""The blob-store prefix of the signed checkpoints."""
SUPERSEDED = "audit-checkpoints-superseded/"
"""Where a restore sets aside the checkpoints of the chain it replaced."""
_CHAIN_KEY = "confide.audit.chain_key"
"""Where a session carries its `ChainKey` (Session.info)."""

Keyed = TypeVar("Keyed", Session, sessionmaker[Session])


@dataclass(frozen=True)
class Access:
    """Who did what to whose data, and why: the customer sees these rows."""

    actor: str
    """The person or service: a pseudonym for reviewers, never their real name."""
    role: str
    """owner, reviewer, lead, safety, privacy_officer, admin, system."""
    action: str
    """A verb: listen, read_transcript, delete, consent_change, ..."""
    subject: str
    """What was touched: an interaction id, a consent name, ..."""
    reason: str
    """Why, in words the customer can read."""
    owner_id: str | None = None
    """Whose data it was, so their "who accessed my recordings" can list it."""


@dataclass(frozen=True)
class ChainKey:
    """The chain's two secrets, one-way from the KEK: events' MAC key and checkpoints' signing
    key."""

    mac_secret: bytes
    signing_key: Ed25519PrivateKey

    @classmethod
    def of(cls, keyring: KeyRing) -> ChainKey:
        secret = keyring.audit_secret()
        seed = hmac.new(secret, b"checkpoint-signing", hashlib.sha256).digest()
        return cls(
            mac_secret=hmac.new(secret, b"event-mac", hashlib.sha256).digest(),
            signing_key=Ed25519PrivateKey.from_private_bytes(seed),
        )

    def mac(self, digest: str) -> str:
        return hmac.new(self.mac_secret, digest.encode(), hashlib.sha256).hexdigest()

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_hex(self) -> str:
        """What an auditor needs to check checkpoints, and nothing more."""
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def with_chain_key(target: Keyed, keyring: KeyRing) -> Keyed:
    """Let `target` (a session, or every session of a factory) append and verify events."""
    key = ChainKey.of(keyring)
    if isinstance(target, Session):
        target.info[_CHAIN_KEY] = key
    else:
        target.configure(info={**target.kw.get("info", {}), _CHAIN_KEY: key})
    return target


def _chain_key(session: Session) -> ChainKey:
    key = session.info.get(_CHAIN_KEY)
    if not isinstance(key, ChainKey):
        raise BadConfiguration(
            "the audit chain needs the KEK: events are MACed and checkpoints signed under it"
        )
    return key


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, as signed into the blob store."""

    sequence: int
    hash: str
    at: str
    unkeyed: int
    """How many of the chain's first events were written before keyed MACs."""

    def signed_body(self) -> bytes:
        return json.dumps(
            ["confide-audit-checkpoint", 1, self.sequence, self.hash, self.at, self.unkeyed],
            separators=(",", ":"),
        ).encode()

    @property
    def blob_key(self) -> str:
        return f"{CHECKPOINTS}{self.sequence:012d}.json"


@dataclass(frozen=True)
class Verified:
    """What `verify` found to hold."""

    events: int
    hash: str
    """The last event's hash: what a checkpoint signs."""
    unkeyed: int
    """Events written before keyed MACs: linked, but anchored only by a later keyed event."""
    checkpoints: int
    newest: Checkpoint | None


def _digest(previous_hash: str, sequence: int, at: str, access: Access) -> str:
    body = json.dumps(
        [
            sequence,
            at,
            access.actor,
            access.role,
            access.action,
            access.owner_id,
            access.subject,
            access.reason,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous_hash}|{body}".encode()).hexdigest()


def append(session: Session, access: Access) -> AuditEvent:
    """Add one link; concurrent appenders queue on the chain's head row."""
    key = _chain_key(session)
    sequence, previous_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(sequence=AuditHead.sequence + 1)
        .returning(AuditHead.sequence, AuditHead.hash)
    ).one()
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    digest = _digest(previous_hash, sequence, at, access)
    event = AuditEvent(
        sequence=sequence,
        at=at,
        actor=access.actor,
        role=access.role,
        action=access.action,
        owner_id=access.owner_id,
        subject=access.subject,
        reason=access.reason,
        previous_hash=previous_hash,
        hash=digest,
        mac=key.mac(digest),
    )
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    session.flush()
    return event


def events(session: Session, owner_id: str | None = None) -> Iterator[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.sequence)
    if owner_id is not None:
        query = query.where(AuditEvent.owner_id == owner_id)
    yield from session.scalars(query)


def checkpoint(session: Session, blobs: BlobStore) -> Checkpoint | None:
    """Verify the whole chain, then sign its head into the blob store; None for an empty chain.

    A head already signed is not signed again, so an idle chain gains no checkpoints.
    """
    key = _chain_key(session)
    found = verify(session, blobs)
    if found.events == 0:
        return None
    if found.newest is not None and found.newest.sequence == found.events:
        return found.newest
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    made = Checkpoint(found.events, found.hash, at, found.unkeyed)
    record = {
        "sequence": made.sequence,
        "hash": made.hash,
        "at": made.at,
        "unkeyed": made.unkeyed,
        "signature": key.signing_key.sign(made.signed_body()).hex(),
    }
    blobs.put(made.blob_key, json.dumps(record).encode())
    return made


def checkpoints(session: Session, blobs: BlobStore) -> list[Checkpoint]:
    """Every checkpoint in the blob store, oldest first; one not signed by this server refuses."""
    public_key = _chain_key(session).public_key
    found = [_checked(name, blobs, public_key) for name in blobs.keys(CHECKPOINTS)]
    return sorted(found, key=lambda made: made.sequence)


def _checked(name: str, blobs: BlobStore, public_key: Ed25519PublicKey) -> Checkpoint:
    try:
        record = json.loads(blobs.get(name))
        made = Checkpoint(
            sequence=int(record["sequence"]),
            hash=str(record["hash"]),
            at=str(record["at"]),
            unkeyed=int(record["unkeyed"]),
        )
        public_key.verify(bytes.fromhex(record["signature"]), made.signed_body())
    except (BlobMissing, ValueError, KeyError, TypeError, InvalidSignature):
        raise TamperedData(
            f"the audit checkpoint {name} is not one this server signed: it was forged or altered"
        ) from None
    if name != made.blob_key:
        raise TamperedData(f"the audit checkpoint {name} claims event {made.sequence}: it moved")
    return made


def verify(session: Session, blobs: BlobStore) -> Verified:
    """Check every link, MAC and checkpoint; raise naming the first event that does not hold."""
    key = _chain_key(session)
    signed = checkpoints(session, blobs)
    # The head is read first: events appended while the walk runs lie past it and are checked
    # like the rest, instead of looking like a head that moved.
    head = session.execute(select(AuditHead.sequence, AuditHead.hash).where(AuditHead.id == 1))
    head_sequence, head_hash = head.one()
    walked = _walk(session, key, {made.sequence: made for made in signed}, head_sequence)
    for made in signed:
        if made.unkeyed != walked.unkeyed:
            raise AuditChainBroken(
                min(made.unkeyed, walked.unkeyed) + 1,
                f"{walked.unkeyed} event(s) carry no MAC, but the checkpoint of {made.at} "
                f"says {made.unkeyed} were written before keyed MACs",
            )
    newest = signed[-1] if signed else None
    if newest is not None and newest.sequence > walked.events:
        first, last = walked.events + 1, newest.sequence
        missing = f"event {first} is" if first == last else f"events {first} to {last} are"
        raise AuditChainBroken(
            first, f"{missing} missing, though the checkpoint of {newest.at} covers them"
        )
    if head_sequence > walked.events:
        raise AuditChainBroken(
            walked.events + 1, f"the chain ends early; its head is at {head_sequence}"
        )
    if walked.hash_at_head != head_hash:
        raise AuditChainBroken(head_sequence, "the head row does not match this event")
    return Verified(walked.events, walked.hash, walked.unkeyed, len(signed), newest)


@dataclass(frozen=True)
class _Walked:
    events: int
    hash: str
    unkeyed: int
    hash_at_head: str


def _walk(
    session: Session, key: ChainKey, pinned: dict[int, Checkpoint], head_sequence: int
) -> _Walked:
    """Every link and MAC, and the hashes `pinned` by checkpoints, from the first event on."""
    hash_at_head = GENESIS
    previous_hash, expected, unkeyed = GENESIS, 1, 0
    for event in events(session):
        if event.sequence != expected:
            raise AuditChainBroken(expected, f"event {expected} is missing")
        if event.previous_hash != previous_hash:
            raise AuditChainBroken(event.sequence, "it does not link to the event before it")
        access = Access(
            event.actor, event.role, event.action, event.subject, event.reason, event.owner_id
        )
        if _digest(previous_hash, event.sequence, event.at, access) != event.hash:
            raise AuditChainBroken(event.sequence, "its content does not match its hash")
        if event.mac is None:
            if unkeyed != expected - 1:
                raise AuditChainBroken(event.sequence, "it carries no MAC, though earlier ones do")
            unkeyed += 1
        elif not hmac.compare_digest(event.mac, key.mac(event.hash)):
            raise AuditChainBroken(
                event.sequence, "its MAC does not match: it was rewritten without the key"
            )
        made = pinned.get(event.sequence)
        if made is not None and made.hash != event.hash:
            raise AuditChainBroken(event.sequence, f"it differs from the checkpoint of {made.at}")
        if event.sequence == head_sequence:
            hash_at_head = event.hash
        previous_hash, expected = event.hash, expected + 1
    return _Walked(expected - 1, previous_hash, unkeyed, hash_at_head)


def supersede_after_restore(session: Session, blobs: BlobStore, actor: str) -> int:
    """After a restore took the chain back to a backup, set aside the checkpoints it no longer
    reaches or matches, and say so in the chain; returns how many were set aside.

    They move under `audit-checkpoints-superseded/`, kept for the record. Only a holder of the
    KEK and the blob store can do this, as a restore does; the restored chain must verify first.
    """
    walked = _walk(session, _chain_key(session), {}, 0)
    set_aside = 0
    for made in checkpoints(session, blobs):
        event = session.get(AuditEvent, made.sequence)
        if event is None or event.hash != made.hash or made.unkeyed != walked.unkeyed:
            kept = f"{SUPERSEDED}{made.sequence:012d}-{made.hash[:16]}.json"
            blobs.put(kept, blobs.get(made.blob_key))
            blobs.delete(made.blob_key)
            set_aside += 1
    if set_aside:
        reason = (
            f"restored from a backup that ends at event {walked.events}; {set_aside} checkpoint(s)"
            " of the chain as it was before the restore are superseded"
        )
        append(session, Access(actor, "system", "restore", f"audit:{walked.events}", reason))
    return set_aside
