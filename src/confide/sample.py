"""Sample: which interactions may reach a human.

An interaction can be sampled only if every rule holds (invariant 4): its owner granted human
review (and, for a suspected false wake, the separate false-wake consent); the owner is an adult;
the device is not marked private; it was not said in the household's quiet hours; its transcript
and audio were kept; and the owner is under both caps (per calendar month and for life). Those
that pass are drawn at the configured rate, raised for clips the models were unsure of, because
that is where a human label teaches the most.

Revoking consent withdraws the person's unreviewed tasks in the same transaction
(`privacy.consent`), and the queue checks consent again whenever it hands out a task, so nothing
slips through in between.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from confide.privacy.audit import Access, append
from confide.privacy.consent import has_consent
from confide.store.database import as_utc
from confide.store.tables import Device, Household, Interaction, Person, ReviewTask

"""A task in one of these has not been reviewed yet, so revoking consent withdraws it."""


@dataclass(frozen=True)
class SamplingPolicy:
    """How much of whom may be reviewed; the defaults are the product's promise."""

    rate: float = 0.005
    """Share of eligible interactions drawn for review."""
    low_confidence: float = 0.6
    """Below this ASR or NLU confidence an interaction counts as uncertain."""
    low_confidence_boost: float = 4.0
    """Uncertain interactions are drawn this many times as often (capped at 1)."""
    per_person_month: int = 20
    """At most this many of one person's interactions are sampled in a calendar month."""
    per_person_life: int = 200
    """At most this many ever."""
    second_opinion: float = 0.1
    """Share of sampled clips annotated twice, blind, to measure agreement."""


@dataclass(frozen=True)
class Decision:
    """Whether one interaction goes to review, and why (or why not)."""

    sampled: bool
    """True when a task was made."""
    reason: str
    """The rule that decided: 'no consent', 'child', 'quiet hours', 'cap', 'drawn', ..."""
    stratum: str = ""
    """For a sampled one: 'random', 'low_confidence' or 'false_wake'."""


def sample(
    session: Session,
    interaction: Interaction,
    policy: SamplingPolicy,
    rng: random.Random | None = None,
) -> Decision:
    """Decide for one answered interaction and, if drawn, queue its task(s) for protection."""
    refusal = ineligible(session, interaction, policy)
    if refusal:
        return Decision(False, refusal)
    stratum = _stratum(interaction, policy)
    rate = policy.rate * (policy.low_confidence_boost if stratum == "low_confidence" else 1.0)
    draw = rng or secrets.SystemRandom()
    if draw.random() >= min(rate, 1.0):
        return Decision(False, "not drawn")
    copies = 2 if draw.random() < policy.second_opinion else 1
    group = uuid.uuid4().hex
    for copy in range(copies):
        session.add(
            ReviewTask(
                id=uuid.uuid4().hex,
                interaction_id=interaction.id,
                owner_id=interaction.owner_id,
                group_id=group,
                kind="review" if copy == 0 else "second",
                stratum=stratum,
                status="protecting",
                pseudonym=f"Speaker {secrets.randbelow(9000) + 1000}",
                sampled_at=datetime.now(UTC),
                content_warning=False,
            )
        )
    append(
        session,
        Access(
            "sampler",
            "system",
            "sample_for_review",
            f"interaction:{interaction.id}",
            f"drawn for human review ({stratum.replace('_', ' ')}), with your consent",
            interaction.owner_id,
        ),
    )
    session.flush()
    return Decision(True, "drawn", stratum)


def ineligible(session: Session, interaction: Interaction, policy: SamplingPolicy) -> str:
    """The first rule that keeps this interaction from humans, or '' if none does."""
    person = session.get(Person, interaction.owner_id)
    if person is None or person.erased_at is not None:
        return "no such person"
    if person.is_child:
        return "child"
    if not has_consent(session, person.id, "human_review"):
        return "no consent"
    if interaction.false_wake and not has_consent(session, person.id, "false_wake_review"):
        return "no false-wake consent"
    if interaction.status != "answered" or interaction.transcript_sealed is None:
        return "not kept"
    if interaction.audio_key is None:
        return "not kept"
    device = session.get(Device, interaction.device_id)
    if device is None or device.private:
        return "private device"
    household = session.get(Household, person.household_id)
    if household is not None and in_quiet_hours(household, as_utc(interaction.created_at)):
        return "quiet hours"
    if _sampled_since(session, person.id, None) >= policy.per_person_life:
        return "cap"
    month_start = as_utc(interaction.created_at).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    if _sampled_since(session, person.id, month_start) >= policy.per_person_month:
        return "cap"
    return ""


def in_quiet_hours(household: Household, moment: datetime) -> bool:
    """Whether `moment` falls in the household's quiet hours, in its own time zone."""
    if not household.quiet_hours:
        return False
    start, end = (time.fromisoformat(part) for part in household.quiet_hours.split("-"))
    try:
        local = moment.astimezone(ZoneInfo(household.time_zone)).time()
    except ZoneInfoNotFoundError:
        local = moment.astimezone(UTC).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _stratum(interaction: Interaction, policy: SamplingPolicy) -> str:
    if interaction.false_wake:
        return "false_wake"
    confidences = [
        c for c in (interaction.asr_confidence, interaction.nlu_confidence) if c is not None
    ]
    if confidences and min(confidences) < policy.low_confidence:
        return "low_confidence"
    return "random"


def _sampled_since(session: Session, person_id: str, since: datetime | None) -> int:
    """Clips of this person sampled since `since` (ever, if None); a second opinion is one clip."""
    query = select(func.count(func.distinct(ReviewTask.group_id))).where(
        ReviewTask.owner_id == person_id
    )
    if since is not None:
        query = query.where(ReviewTask.sampled_at >= since)
    return session.scalar(query) or 0
