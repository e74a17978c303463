"""The slices a reviewed clip is counted in (intent, wake word, device kind, ASR confidence,
week): one definition, so the admin's figures and the promotion gate cut the data alike, and
none of them names a person."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from confide.review.quality import NO_INTENT
from confide.store.database import as_utc
from confide.store.tables import Device, Interaction

DEVICE_KINDS = frozenset(
    {"speaker", "display", "screen", "satellite", "phone", "tablet", "watch", "tv", "hub", "car"}
)
"""The device kinds a slice may name; any other name is 'other'."""
CONFIDENCE_BUCKETS = ((0.6, "<0.6"), (0.8, "0.6-0.8"), (float("inf"), ">=0.8"))
"""ASR confidence below each bound falls in that bucket."""


def slices_of(session: Session, interaction: Interaction, intent: str | None) -> dict[str, str]:
    """The slices of one interaction whose reviewed intent is `intent`."""
    device = session.get(Device, interaction.device_id)
    return {
        "intent": intent or NO_INTENT,
        "wake_word": interaction.wake_word or "none",
        "device": device_kind(device.name) if device else "other",
        "asr_confidence": confidence_bucket(interaction.asr_confidence),
        "week": iso_week(as_utc(interaction.created_at)),
    }


def confidence_bucket(confidence: float | None) -> str:
    if confidence is None:
        return "unknown"
    return next((name for bound, name in CONFIDENCE_BUCKETS if confidence < bound), "unknown")


def device_kind(name: str) -> str:
    """What kind of device a name says ("Alice's speaker" -> "speaker"), else "other": the name
    is the customer's own words and may hold theirs, so only a kind from DEVICE_KINDS is shown."""
    words = re.findall(r"[a-z]+", name.lower())
    return next((word for word in reversed(words) if word in DEVICE_KINDS), "other")


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"
