"""The access log as a person reads it: one sentence per access, saying who did what to which of
their recordings, when, and why ("Reviewer 3F2A listened to “play something by…” on 3 May
2026, 14:02 UTC, for quality review").

The audit chain keeps ids (`interaction:849b1c…`) because it must never hold what was said; the
page puts the person's own words back, opened with their key for them alone, so they recognise
the recording without an id to look up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.privacy.contexts import transcript_context
from confide.privacy.keys import KeyRing
from confide.store.tables import AuditEvent, Interaction

VERBS: Mapping[str, str] = {
    "listen": "listened to",
    "listen_original": "listened to the original of",
    "read_transcript": "read the redacted words of",
    "sample_for_review": "chose for review",
    "reject_for_review": "kept out of review",
    "withdraw_from_review": "withdrew",
    "flag_distress": "sent to the safety team",
    "close_escalation": "closed the safety team's check of",
    "adjudicate": "settled the reviewers' labels of",
    "make_gold": "made a checking example of",
    "false_wake": "marked as not meant for the assistant",
    "break_glass_request": "asked to hear the original of",
    "break_glass_approve": "let a colleague hear the original of",
    "break_glass_refuse": "refused a colleague the original of",
    "consent_granted": "gave",
    "consent_revoked": "withdrew",
    "retention_changed": "changed how long Confide keeps",
    "delete": "deleted",
    "restore": "restored",
    "export": "downloaded",
    "dataset_add": "added to the training data",
    "dataset_export": "exported in the training data",
    "device_removed": "removed",
}
"""What each audited action did, as a verb; an action not here is said by its name."""
PURPOSES: Mapping[str, str] = {
    "reviewer": "for quality review",
    "lead": "to settle two reviewers' labels",
    "safety": "for the safety team",
    "privacy_officer": "under a privacy officer's approval",
    "system": "automatically",
    "dataset": "to improve the models",
    "admin": "as an administrator",
}
"""Why each role acts; the person's own actions need no reason."""
KINDS: Mapping[str, str] = {
    "reviewer": "Reviewers",
    "lead": "Review leads",
    "safety": "The safety team",
    "privacy_officer": "Privacy officers",
    "admin": "Administrators",
}
"""Who acted, by their role, for a count of accesses; the person is "You", machines "Confide"."""
MACHINES = frozenset({"sampler", "protector", "system", "retention", "learn"})
"""Actors that are Confide itself, not a person."""
QUOTED_WORDS = 6
"""How much of a recording's words identifies it in a sentence."""


@dataclass(frozen=True)
class Said:
    """One access, in words."""

    at: str
    """When, as the chain recorded it (ISO 8601)."""
    who: str
    did: str
    what: str
    why: str
    """The purpose of the role; empty for the person's own actions."""
    kind: str
    """Who, as one of a few kinds: "You", "Confide", or a role's people (KINDS)."""
    detail: str
    """The reason the chain recorded, word for word."""


def in_words(
    session: Session, keyring: KeyRing, person_id: str, events: Iterable[AuditEvent]
) -> list[Said]:
    listed = list(events)
    words = _recordings(session, keyring, person_id, listed)
    return [_sentence(event, person_id, words) for event in listed]


def _sentence(event: AuditEvent, person_id: str, words: Mapping[str, str]) -> Said:
    own = event.actor == person_id
    machine = event.actor in MACHINES or event.role == "system"
    if own:
        who = kind = "You"
    elif machine:
        who = kind = "Confide"
    else:
        who = event.actor  # a pseudonym with its role, e.g. "Reviewer 3F2A"
        kind = KINDS.get(event.role, "Others")
    return Said(
        at=event.at,
        who=who,
        did=VERBS.get(event.action, event.action.replace("_", " ")),
        what=_thing(event.subject, words),
        why="" if own else PURPOSES.get(event.role, ""),
        kind=kind,
        detail=event.reason,
    )


def _thing(subject: str, words: Mapping[str, str]) -> str:
    kind, _, key = subject.partition(":")
    if kind == "interaction":
        said = words.get(key)
        return f"your recording “{said}”" if said else "a recording since deleted"
    return {
        "device": "a device of yours",
        "consent": "your consent",
        "person": "your recordings",
        "receipt": "data of yours, with a receipt",
        "export": "a copy of your data",
        "tasks": "clips of yours from review",
    }.get(kind, "your data")


def _recordings(
    session: Session, keyring: KeyRing, person_id: str, events: list[AuditEvent]
) -> dict[str, str]:
    """The first words of each of the person's recordings the events name, still kept."""
    ids = {
        event.subject.partition(":")[2]
        for event in events
        if event.subject.startswith("interaction:")
    }
    rows = session.scalars(
        select(Interaction).where(Interaction.id.in_(ids), Interaction.owner_id == person_id)
    )
    found = {}
    for row in rows:
        if row.transcript_sealed is None:
            continue
        opened: dict[str, Any] = keyring.open_json(
            session, person_id, row.transcript_sealed, transcript_context(row.id)
        )
        text = str(opened.get("text") or "").split()
        if text:
            cut = len(text) > QUOTED_WORDS
            found[row.id] = " ".join(text[:QUOTED_WORDS]) + ("…" if cut else "")
    return found
