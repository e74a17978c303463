"""Envelope encryption: a key per interaction, wrapped by a key per person, wrapped by the KEK.

Every byte that identifies a person is sealed with AES-256-GCM, with the record it belongs to as
associated data, so a ciphertext moved to another record fails to open. What belongs to one
interaction (audio, transcript, understanding, answer, review copies) is sealed under that
interaction's own key, which its owner's data key wraps; account-level data (names, TOTP secrets,
skill items) under the owner's data key itself, which the KEK wraps. Destroying a key makes all
it sealed unreadable at once, wherever copies lie (crypto-shredding): one interaction's key for
one deletion, the person's key for the whole account. Each destroyed key's id goes first to the
shredding ledger (`confide.privacy.ledger`), so a restored backup loses those keys again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from confide.errors import KeyDestroyed, TamperedData
from confide.privacy.contexts import InteractionContext
from confide.privacy.ledger import Entry, ShreddingLedger
from confide.settings import Settings
from confide.store.tables import DataKey, InteractionKey, ShreddedKey

VERSION = b"\x01"
"""First byte of a value sealed under its owner's data key: the format, so it can change without
guessing. Values of one interaction sealed before it had a key of its own have it too."""
VERSION_INTERACTION = b"\x02"
"""First byte of a value sealed under its interaction's key."""
NONCE_BYTES = 12
BATCH = 500
"""Ids per statement when many keys are destroyed at once."""

Context = str | InteractionContext
"""What a sealed value is bound to: a label for account-level data, or an interaction's context."""


@dataclass(frozen=True)
class Shredded:
    """What destroying one person's key did."""

    owner_id: str
    """Whose key it was."""
    at: datetime
    """When the key stopped existing."""
    existed: bool
    """False if there was no key (already shredded, or never made)."""


class KeyRing:
    """Makes, uses and destroys data keys; the KEK never leaves this object."""

    def __init__(self, settings: Settings) -> None:
        self._kek = AESGCM(settings.kek)
        self._digest_secret = hmac.new(settings.kek, b"confide-digest", hashlib.sha256).digest()
        self._kek_id = settings.kek_id
        self._watermark_secret = hmac.new(
            settings.kek, b"confide-watermark", hashlib.sha256
        ).digest()
        self.ledger = ShreddingLedger(
            settings.shredding_ledger_url,
            hmac.new(settings.kek, b"confide-shredding-ledger", hashlib.sha256).digest(),
        )
        self._audit_secret = hmac.new(settings.kek, b"confide-audit", hashlib.sha256).digest()

    def ensure_key(self, session: Session, owner_id: str) -> None:
        """Give `owner_id` a data key unless they have one; a shredded owner gets none."""
        if session.get(DataKey, owner_id) is not None:
            return
        if session.get(ShreddedKey, owner_id) is not None:
            raise KeyDestroyed(f"the data key of {owner_id} was destroyed; it is not remade")
        nonce = secrets.token_bytes(NONCE_BYTES)
        wrapped = nonce + self._kek.encrypt(nonce, secrets.token_bytes(32), _wrap_context(owner_id))
        session.add(
            DataKey(
                owner_id=owner_id,
                wrapped_key=wrapped,
                kek_id=self._kek_id,
                created_at=datetime.now(UTC),
            )
        )
        session.flush()

    def seal(self, session: Session, owner_id: str, plaintext: bytes, context: Context) -> bytes:
        """Encrypt `plaintext` for `owner_id`, bound to `context`: under the interaction's key
        (made on first use) for an `InteractionContext`, else under the owner's data key."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        if isinstance(context, InteractionContext):
            key = self._interaction_key(session, owner_id, context.key_id, make=True)
            bound = _seal_context(owner_id, context.label)
            return VERSION_INTERACTION + nonce + key.encrypt(nonce, plaintext, bound)
        key = self._data_key(session, owner_id)
        return VERSION + nonce + key.encrypt(nonce, plaintext, _seal_context(owner_id, context))

    def open(self, session: Session, owner_id: str, sealed: bytes, context: Context) -> bytes:
        """Decrypt what `seal` made; refuses altered, truncated or misplaced ciphertext."""
        label = context.label if isinstance(context, InteractionContext) else context
        if len(sealed) < 1 + NONCE_BYTES + 16:
            raise TamperedData(f"{label}: not a sealed value of a known format")
        if sealed[:1] == VERSION:
            key = self._data_key(session, owner_id)
        elif sealed[:1] == VERSION_INTERACTION and isinstance(context, InteractionContext):
            key = self._interaction_key(session, owner_id, context.key_id, make=False)
        else:
            raise TamperedData(f"{label}: not a sealed value of a known format")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return key.decrypt(nonce, body, _seal_context(owner_id, label))
        except InvalidTag:
            raise TamperedData(f"{label}: the sealed value does not authenticate") from None

    def seal_json(self, session: Session, owner_id: str, value: Any, context: Context) -> bytes:
        """`seal` for a JSON-serialisable value: the one way structured data is stored."""
        return self.seal(session, owner_id, json.dumps(value).encode(), context)

    def open_json(self, session: Session, owner_id: str, sealed: bytes, context: Context) -> Any:
        """What `seal_json` sealed, parsed back."""
        return json.loads(self.open(session, owner_id, sealed, context))

    def keyed_digest(self, purpose: str, data: bytes) -> str:
        """A fingerprint of `data` that only this server can make: one-way from the KEK, so a copy
        of the database cannot be used to test a guessed recording against it."""
        key = hmac.new(self._digest_secret, purpose.encode(), hashlib.sha256).digest()
        return hmac.new(key, data, hashlib.sha256).hexdigest()

    def watermark_secret(self) -> bytes:
        """The secret reviewers' watermark keys derive from; one-way from the KEK, never stored."""
        return self._watermark_secret

    def audit_secret(self) -> bytes:
        """The secret the audit chain's MAC and signing keys derive from; one-way from the KEK,
        so the database, which holds the chain, cannot make them."""
        return self._audit_secret

    def shred(self, session: Session, owner_id: str) -> Shredded:
        """Destroy `owner_id`'s data key and leave a tombstone; everything sealed is now noise.

        The ledger records it first, so no restored backup can bring the key back."""
        key = session.get(DataKey, owner_id)
        now = datetime.now(UTC)
        if key is not None:
            self.ledger.record("person", [owner_id], now)
            session.delete(key)
        if session.get(ShreddedKey, owner_id) is None:
            session.add(ShreddedKey(owner_id=owner_id, shredded_at=now))
        session.flush()
        return Shredded(owner_id, now, existed=key is not None)

    def shred_interactions(
        self, session: Session, owner_id: str, interaction_ids: Sequence[str]
    ) -> int:
        """Destroy the keys of these interactions of `owner_id`, ledger first; how many there were.

        Each row stays as a tombstone without its key, so the key is never remade."""
        now = datetime.now(UTC)
        destroyed = 0
        for start in range(0, len(interaction_ids), BATCH):
            live = _live_interaction_keys(session, interaction_ids[start : start + BATCH], owner_id)
            self.ledger.record("interaction", live, now)
            _destroy_interaction_keys(session, live, now)
            destroyed += len(live)
        session.flush()
        return destroyed

    def _data_key(self, session: Session, owner_id: str) -> AESGCM:
        # Read on every use, never cached: a key shredded by another process is gone here too.
        wrapped = session.execute(
            select(DataKey.wrapped_key).where(DataKey.owner_id == owner_id)
        ).scalar_one_or_none()
        if wrapped is None:
            raise KeyDestroyed(f"no data key for {owner_id}: it was destroyed or never made")
        try:
            key = self._kek.decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_context(owner_id)
            )
        except InvalidTag:
            raise TamperedData(
                f"the wrapped key of {owner_id} does not open with this KEK"
            ) from None
        return AESGCM(key)

    def _interaction_key(
        self, session: Session, owner_id: str, interaction_id: str, *, make: bool
    ) -> AESGCM:
        # Read on every use, never cached, like the owner's key, which unwraps it.
        owner_key = self._data_key(session, owner_id)
        row = session.execute(
            select(InteractionKey.owner_id, InteractionKey.wrapped_key).where(
                InteractionKey.interaction_id == interaction_id
            )
        ).first()
        wrap = _interaction_wrap_context(owner_id, interaction_id)
        if row is None:
            if not make:
                raise KeyDestroyed(
                    f"no key for interaction {interaction_id}: destroyed or never made"
                )
            key, nonce = secrets.token_bytes(32), secrets.token_bytes(NONCE_BYTES)
            session.add(
                InteractionKey(
                    interaction_id=interaction_id,
                    owner_id=owner_id,
                    wrapped_key=nonce + owner_key.encrypt(nonce, key, wrap),
                    created_at=datetime.now(UTC),
                )
            )
            session.flush()
            return AESGCM(key)
        if row.wrapped_key is None:
            raise KeyDestroyed(f"the key of interaction {interaction_id} was destroyed")
        if row.owner_id != owner_id:
            raise TamperedData(f"interaction {interaction_id} is not {owner_id}'s")
        try:
            return AESGCM(
                owner_key.decrypt(
                    row.wrapped_key[:NONCE_BYTES], row.wrapped_key[NONCE_BYTES:], wrap
                )
            )
        except InvalidTag:
            raise TamperedData(f"the key of interaction {interaction_id} does not open") from None


def destroy_as_recorded(session: Session, entries: Sequence[Entry]) -> int:
    """Destroy again every key the ledger names (a restored backup still holds them); how many
    were still there. The ledger is not written: these records are already in it."""
    now = datetime.now(UTC)
    destroyed = 0
    people = [e.key_id for e in entries if e.kind == "person"]
    interactions = [e.key_id for e in entries if e.kind == "interaction"]
    for start in range(0, len(people), BATCH):
        batch = people[start : start + BATCH]
        live = list(session.scalars(select(DataKey.owner_id).where(DataKey.owner_id.in_(batch))))
        session.execute(delete(DataKey).where(DataKey.owner_id.in_(live)))
        marked = set(
            session.scalars(select(ShreddedKey.owner_id).where(ShreddedKey.owner_id.in_(batch)))
        )
        session.add_all(
            ShreddedKey(owner_id=owner, shredded_at=now) for owner in batch if owner not in marked
        )
        destroyed += len(live)
    for start in range(0, len(interactions), BATCH):
        live = _live_interaction_keys(session, interactions[start : start + BATCH])
        _destroy_interaction_keys(session, live, now)
        destroyed += len(live)
    session.flush()
    return destroyed


def _live_interaction_keys(
    session: Session, interaction_ids: Sequence[str], owner_id: str | None = None
) -> list[str]:
    """Which of these interactions still have a key (of `owner_id`'s, when given)."""
    query = select(InteractionKey.interaction_id).where(
        InteractionKey.interaction_id.in_(list(interaction_ids)),
        InteractionKey.wrapped_key.is_not(None),
    )
    if owner_id is not None:
        query = query.where(InteractionKey.owner_id == owner_id)
    return list(session.scalars(query))


def _destroy_interaction_keys(
    session: Session, interaction_ids: Sequence[str], now: datetime
) -> None:
    """The wrapped keys go; the rows stay as tombstones, so no key is remade for these ids."""
    if interaction_ids:
        session.execute(
            update(InteractionKey)
            .where(InteractionKey.interaction_id.in_(list(interaction_ids)))
            .values(wrapped_key=None, shredded_at=now)
        )


def _wrap_context(owner_id: str) -> bytes:
    return f"confide-data-key|{owner_id}".encode()


def _interaction_wrap_context(owner_id: str, interaction_id: str) -> bytes:
    return f"confide-interaction-key|{owner_id}|{interaction_id}".encode()


def _seal_context(owner_id: str, context: str) -> bytes:
    return f"confide-sealed|{owner_id}|{context}".encode()
