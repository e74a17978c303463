"""The shredding ledger: the id of every destroyed key, kept apart from the data and its backups.

A backup holds wrapped keys. Restored as it is, it would bring back every key destroyed after it
was taken, and with them what their owners deleted. So each key's id is written here before its
destruction commits (a deletion that then fails leaves an entry for a key that still exists, and
a restore destroys that key too: the safe way to be wrong), and `confide restore` destroys every
key written here before the restored data can be read.

Where it lives: a database of its own (CONFIDE_SHREDDING_LEDGER_URL), by default
`shredding-ledger.db` in the data dir, beside `confide.db` and the blobs but in neither. A backup
copies the main database's tables and the blobs, so it cannot contain the ledger; a restore writes
only those, so it never overwrites it. Point it at a store that does not share the
main database's fate: another PostgreSQL database, or a volume backed up apart from the data.
It holds key ids and times, nothing about a person.

Integrity: each record carries an HMAC, under a key derived from the KEK, over its content and the
MAC of the record before it, so no record can be forged, altered or dropped from the middle without
`entries` refusing the ledger. A backup notes the ledger's head; a ledger cut back to before that
head, or swapped for another, is refused by `holds`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from confide.errors import TamperedData
from confide.store.database import unmigrated
from confide.store.tables import LedgerBase, ShreddingRecord

KeyKind = Literal["person", "interaction"]
"""Whose key: a person's data key (its id the person's) or one interaction's (the interaction's,
or `recording_key_id` of it for its recording alone)."""

GENESIS = "0" * 64
"""The MAC the first record chains to."""
WRITE_ATTEMPTS = 5
"""Two writers racing for the next sequence number: the loser retries."""


@dataclass(frozen=True)
class Position:
    """A record of the ledger, as a backup remembers it."""

    sequence: int
    """Its place, counted from 1."""
    mac: str
    """Its MAC, which chains every record before it."""


@dataclass(frozen=True)
class Entry:
    """One destroyed key."""

    sequence: int
    """Its place, counted from 1."""
    kind: KeyKind
    """A person's key or an interaction's."""
    key_id: str
    """The person's or the interaction's id."""
    shredded_at: str
    """When, as ISO 8601."""
    mac: str
    """HMAC over the fields above and the previous record's MAC."""


class ShreddingLedger:
    """Appends and reads the records; the MAC key comes from the KEK and is never stored."""

    def __init__(self, url: str, mac_key: bytes) -> None:
        self._url = url
        self._mac_key = mac_key

    def record(self, kind: KeyKind, key_ids: Sequence[str], at: datetime) -> None:
        """Append one record per key id, committed before this returns."""
        if not key_ids:
            return
        with self._engine() as engine:
            for attempt in range(WRITE_ATTEMPTS):
                try:
                    with engine.begin() as connection:
                        head = connection.execute(
                            select(ShreddingRecord.sequence, ShreddingRecord.mac)
                            .order_by(ShreddingRecord.sequence.desc())
                            .limit(1)
                        ).first()
                        sequence, mac = (head.sequence, head.mac) if head else (0, GENESIS)
                        rows = []
                        for key_id in key_ids:
                            sequence += 1
                            mac = self._mac(mac, sequence, kind, key_id, at.isoformat())
                            rows.append(
                                {
                                    "sequence": sequence,
                                    "kind": kind,
                                    "key_id": key_id,
                                    "shredded_at": at.isoformat(),
                                    "mac": mac,
                                }
                            )
                        connection.execute(insert(ShreddingRecord), rows)
                    return
                except (IntegrityError, OperationalError):
                    if attempt == WRITE_ATTEMPTS - 1:
                        raise
                    time.sleep(0.05 * 2**attempt)

    def head(self) -> Position | None:
        """The last record, unverified (a backup notes it; restore verifies); None when empty."""
        with self._engine() as engine, engine.connect() as connection:
            last = connection.execute(
                select(ShreddingRecord.sequence, ShreddingRecord.mac)
                .order_by(ShreddingRecord.sequence.desc())
                .limit(1)
            ).first()
        return Position(last.sequence, last.mac) if last else None

    def entries(self) -> list[Entry]:
        """Every record, oldest first, each verified; TamperedData names the first bad one."""
        with self._engine() as engine, engine.connect() as connection:
            stored = [
                Entry(row.sequence, _kind(row.kind), row.key_id, row.shredded_at, row.mac)
                for row in connection.execute(
                    select(
                        ShreddingRecord.sequence,
                        ShreddingRecord.kind,
                        ShreddingRecord.key_id,
                        ShreddingRecord.shredded_at,
                        ShreddingRecord.mac,
                    ).order_by(ShreddingRecord.sequence)
                )
            ]
        previous = GENESIS
        for expected, entry in enumerate(stored, start=1):
            if entry.sequence != expected:
                raise TamperedData(f"the shredding ledger lacks record {expected}")
            mac = self._mac(previous, entry.sequence, entry.kind, entry.key_id, entry.shredded_at)
            if not hmac.compare_digest(mac, entry.mac):
                raise TamperedData(
                    f"record {entry.sequence} of the shredding ledger does not verify"
                )
            previous = entry.mac
        return stored

    def holds(self, position: Position, entries: Sequence[Entry]) -> bool:
        """Whether the verified `entries` still hold `position`: the ledger was neither cut back
        nor replaced since a backup noted it."""
        at = position.sequence - 1
        return 0 <= at < len(entries) and hmac.compare_digest(entries[at].mac, position.mac)

    def _mac(self, previous: str, sequence: int, kind: str, key_id: str, at: str) -> str:
        message = f"{previous}|{sequence}|{kind}|{key_id}|{at}".encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        """Opened per use: keys are destroyed rarely, and most processes never read the ledger."""
        engine = unmigrated(self._url)
        try:
            LedgerBase.metadata.create_all(engine)
            yield engine
        finally:
            engine.dispose()


def _kind(text: str) -> KeyKind:
    if text == "person":
        return "person"
    if text == "interaction":
        return "interaction"
    raise TamperedData(f"the shredding ledger names an unknown kind of key {text!r}")
