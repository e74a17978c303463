"""Privacy by voice: delete what I just said, delete today, and what did you hear.

A person can manage their recordings where they speak, without the app. The deletions go
through the household seam, which erases every derived copy as the privacy floor does.
"""

from __future__ import annotations

from confide.respond.base import Answer, HouseholdState
from confide.respond.speech import quantity

READ_BACK = 3
"""Transcripts read back by "what did you hear": enough to recognise, short enough to hear."""


def delete_last_utterance(household: HouseholdState) -> Answer:
    """Delete the interaction before this one."""
    deleted = household.delete_last_utterance()
    text = "Deleted what you just said." if deleted else "There was nothing to delete."
    return Answer(text, "privacy", {"deleted": {"scope": "last", "count": deleted}})


def delete_today(household: HouseholdState) -> Answer:
    """Delete everything the person said today, and say how much that was."""
    deleted = household.delete_today()
    if deleted:
        text = f"Deleted everything you said today: {quantity(deleted, 'interaction')}."
    else:
        text = "There was nothing from today to delete."
    return Answer(text, "privacy", {"deleted": {"scope": "today", "count": deleted}})


def what_did_you_hear(household: HouseholdState) -> Answer:
    """Read back the last few things heard from the person, oldest first."""
    heard = list(reversed(household.recent_transcripts(READ_BACK)))
    if not heard:
        return Answer("I haven't kept anything you said recently.", "privacy", {"heard": []})
    quoted = ", then ".join(f"\u201c{text}\u201d" for _, text in heard)
    action: dict[str, object] = {
        "heard": [{"at": at.isoformat(), "text": text} for at, text in heard]
    }
    return Answer(f"Earlier I heard: {quoted}.", "privacy", action)
