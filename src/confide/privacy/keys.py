"""Envelope encryption: a data key per person, wrapped by the KEK; destroying it shreds.

Every byte that identifies a person (audio, transcripts, NLU results, answers, exports) is
sealed with AES-256-GCM under its owner's data key, with the record it belongs to as associated
data, so a ciphertext moved to another record fails to open. Deleting the wrapped key makes all
of it unreadable at once, wherever copies lie (crypto-shredding).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import KeyDestroyed, TamperedData
from confide.settings import Settings
from confide.store.tables import DataKey, ShreddedKey

VERSION = b"\x01"
"""First byte of every sealed value: the format, so it can change without guessing."""
NONCE_BYTES = 12


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

    def seal(self, session: Session, owner_id: str, plaintext: bytes, context: str) -> bytes:
        """Encrypt `plaintext` for `owner_id`, bound to `context` (e.g. 'audio:<record id>')."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        key = self._data_key(session, owner_id)
        return VERSION + nonce + key.encrypt(nonce, plaintext, _seal_context(owner_id, context))

    def open(self, session: Session, owner_id: str, sealed: bytes, context: str) -> bytes:
        """Decrypt what `seal` made; refuses altered, truncated or misplaced ciphertext."""
        if sealed[:1] != VERSION or len(sealed) < 1 + NONCE_BYTES + 16:
            raise TamperedData(f"{context}: not a sealed value of a known format")
        key = self._data_key(session, owner_id)
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return key.decrypt(nonce, body, _seal_context(owner_id, context))
        except InvalidTag:
            raise TamperedData(f"{context}: the sealed value does not authenticate") from None

    def seal_json(self, session: Session, owner_id: str, value: Any, context: str) -> bytes:
        """`seal` for a JSON-serialisable value: the one way structured data is stored."""
        return self.seal(session, owner_id, json.dumps(value).encode(), context)

    def open_json(self, session: Session, owner_id: str, sealed: bytes, context: str) -> Any:
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

    def shred(self, session: Session, owner_id: str) -> Shredded:
        """Destroy `owner_id`'s data key and leave a tombstone; everything sealed is now noise."""
        key = session.get(DataKey, owner_id)
        if key is not None:
            session.delete(key)
        now = datetime.now(UTC)
        if session.get(ShreddedKey, owner_id) is None:
            session.add(ShreddedKey(owner_id=owner_id, shredded_at=now))
        session.flush()
        return Shredded(owner_id, now, existed=key is not None)

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


def _wrap_context(owner_id: str) -> bytes:
    return f"confide-data-key|{owner_id}".encode()


def _seal_context(owner_id: str, context: str) -> bytes:
    return f"confide-sealed|{owner_id}|{context}".encode()
