"""The access log in words: who, did what, to which recording (its first words, the owner's
alone), when and why, from what the audit chain keeps."""

from __future__ import annotations

import pytest

from confide.privacy.access_words import in_words
from confide.store.tables import AuditEvent
from confide_testing import answered_interaction

AT = "2026-05-03T14:02:00+00:00"
KINDS = {
    "owner": "You",
    "reviewer": "Reviewers",
    "system": "Confide",
    "lead": "Review leads",
    "admin": "Administrators",
}
"""Who, as the access chart counts them, by role."""


def event(actor: str, role: str, action: str, subject: str, reason: str = "why") -> AuditEvent:
    return AuditEvent(actor=actor, role=role, action=action, subject=subject, reason=reason, at=AT)


CASES = [
    (
        "alice",
        "owner",
        "listen",
        "alices",
        "You listened to your recording “set a timer for ten minutes…”",
        "",
    ),
    (
        "Reviewer 3F2A",
        "reviewer",
        "listen",
        "alices",
        "Reviewer 3F2A listened to your recording “set a timer for ten minutes…”",
        "for quality review",
    ),
    (
        "sampler",
        "system",
        "sample_for_review",
        "alices",
        "Confide chose for review your recording “set a timer for ten minutes…”",
        "automatically",
    ),
    (
        "Lead 9C1D",
        "lead",
        "adjudicate",
        "gone",
        "Lead 9C1D settled the reviewers' labels of a recording since deleted",
        "to settle two reviewers' labels",
    ),
    (
        "Reviewer 3F2A",
        "reviewer",
        "listen",
        "bobs",
        "Reviewer 3F2A listened to a recording since deleted",
        "for quality review",
    ),
    ("alice", "owner", "consent_granted", "consent:human_review", "You gave your consent", ""),
    (
        "Admin 77AB",
        "admin",
        "model_promote",
        "model:nlu-3",
        "Admin 77AB model promote your data",
        "as an administrator",
    ),
]
"""Actor, role, action, subject ('alices' and 'bobs' name a recording of each; 'gone' one
deleted), the sentence, the purpose. Bob's words never reach Alice's page."""


@pytest.mark.parametrize(("actor", "role", "action", "subject", "sentence", "why"), CASES)
def test_each_access_is_a_sentence(
    session, keyring, blobs, household, actor, role, action, subject, sentence, why
):
    alice, bob = household.people["alice"].id, household.people["bob"].id
    recordings = {
        "alices": answered_interaction(
            session, keyring, blobs, alice, household.devices["alice"].id
        ),
        "bobs": answered_interaction(session, keyring, blobs, bob, household.devices["bob"].id),
        "gone": "0" * 32,
    }
    if subject in recordings:
        subject = f"interaction:{recordings[subject]}"
    actor = alice if actor == "alice" else actor
    [said] = in_words(session, keyring, alice, [event(actor, role, action, subject)])
    assert f"{said.who} {said.did} {said.what}" == sentence
    assert (said.why, said.at, said.detail) == (why, AT, "why")
    assert said.kind == KINDS[role]
