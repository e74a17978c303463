"""The shredding ledger (issue 10.3): ids only, MAC-chained under the KEK, in a database of its
own; a forged, altered or dropped record is refused, and a ledger cut back is told apart."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, delete, update

from confide.errors import TamperedData
from confide.privacy.keys import KeyRing
from confide.privacy.ledger import Position
from confide.settings import load_settings
from confide.store.tables import ShreddingRecord

TABLE = ShreddingRecord.__table__


def test_records_verify_in_order_and_hold_ids_only(settings) -> None:
    ledger = KeyRing(settings).ledger
    ledger.record("interaction", ["i1", "i2"], datetime.now(UTC))
    ledger.record("person", ["p1"], datetime.now(UTC))
    entries = ledger.entries()
    assert [(e.sequence, e.kind, e.key_id) for e in entries] == [
        (1, "interaction", "i1"),
        (2, "interaction", "i2"),
        (3, "person", "p1"),
    ]
    assert ledger.head() == Position(3, entries[-1].mac)
    assert settings.shredding_ledger_url != settings.database_url


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (delete(TABLE).where(TABLE.c.sequence == 2), "lacks record 2"),
        (update(TABLE).where(TABLE.c.sequence == 2).values(key_id="i9"), "2 .* does not verify"),
        (update(TABLE).where(TABLE.c.sequence == 1).values(kind="person"), "1 .* does not verify"),
        (update(TABLE).values(mac="0" * 64), "1 .* does not verify"),
    ],
    ids=["dropped", "altered-id", "altered-kind", "macs-recomputed-without-the-kek"],
)
def test_a_changed_ledger_is_refused(settings, change, message) -> None:
    ledger = KeyRing(settings).ledger
    ledger.record("interaction", ["i1", "i2", "i3"], datetime.now(UTC))
    engine = create_engine(settings.shredding_ledger_url)
    with engine.begin() as connection:
        connection.execute(change)
    engine.dispose()
    with pytest.raises(TamperedData, match=message):
        ledger.entries()


def test_a_ledger_cut_back_or_replaced_no_longer_holds_a_noted_head(settings, tmp_path) -> None:
    ledger = KeyRing(settings).ledger
    ledger.record("interaction", ["i1", "i2"], datetime.now(UTC))
    noted = ledger.head()
    assert noted is not None and ledger.holds(noted, ledger.entries())
    other = load_settings(
        tmp_path / "elsewhere",
        env={"CONFIDE_KEK": base64.b64encode(settings.kek).decode()},
    )
    elsewhere = KeyRing(other).ledger
    elsewhere.record("interaction", ["i1", "x"], datetime.now(UTC))
    assert not elsewhere.holds(noted, elsewhere.entries())  # another ledger, same length
    engine = create_engine(settings.shredding_ledger_url)
    with engine.begin() as connection:
        connection.execute(delete(TABLE).where(TABLE.c.sequence == 2))
    engine.dispose()
    assert not ledger.holds(noted, ledger.entries())  # cut back: the tail is gone


def test_another_kek_cannot_verify_the_ledger(settings, tmp_path) -> None:
    KeyRing(settings).ledger.record("person", ["p1"], datetime.now(UTC))
    other = load_settings(
        settings.data_dir,
        env={
            "CONFIDE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
            "CONFIDE_DATABASE_URL": settings.database_url,
        },
    )
    with pytest.raises(TamperedData, match="does not verify"):
        KeyRing(other).ledger.entries()
