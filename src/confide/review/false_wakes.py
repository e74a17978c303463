"""A confirmed false wake leaves a number behind, never the clip.

Reviewers confirm false wakes with their `false_wake` flag, customers with "That wasn't for me"
in the privacy centre; either way the household keeps one `WakeFeedback` row: the wake word and
the detector's peak score as the device reported it, with no audio, no words and no person. It
outlives the interaction (which the customer's confirmation deletes next) and is what
`confide.learn.wake` tunes the household's detector from. It lives here, with the reviewer's flag,
because review is the earliest stage that confirms one; the privacy centre calls it too.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.store.tables import Device, Interaction, WakeFeedback

Source = Literal["customer", "reviewer"]


def record_false_wake(
    session: Session, interaction: Interaction, source: Source, now: datetime
) -> WakeFeedback | None:
    """Keep the wake's word and score for its household; None for a button press (no detector
    woke it). A wake confirmed twice (a reviewer, then its owner) is kept once, as first told."""
    if interaction.wake_word is None:
        return None
    known = session.scalar(
        select(WakeFeedback).where(WakeFeedback.interaction_id == interaction.id)
    )
    if known is not None:
        return known
    device = session.get_one(Device, interaction.device_id)
    row = WakeFeedback(
        id=uuid.uuid4().hex,
        household_id=device.household_id,
        wake_word=interaction.wake_word,
        score=interaction.wake_score,
        source=source,
        interaction_id=interaction.id,
        confirmed_at=now,
    )
    session.add(row)
    session.flush()
    return row
