"""A content warning before clips that may be distressing, from the words the model heard.

This is a screen, not a judge: it decides only whether a reviewer is warned before playback (and
spared the clip once they have met their shift's distress cap). It errs towards warning, since a
needless warning costs a second and a missing one can cost a reviewer much more. It reads the
full transcript, which no human sees; reviewers get only the warning.
"""

from __future__ import annotations

import re

DISTRESS_PHRASES = (
    r"help me",
    r"somebody help",
    r"call (the )?(police|an ambulance|nine one one|911)",
    r"(stop|don'?t) (hitting|hurting|touching)",
    r"(he|she|they)'?s? (hitting|hurting) me",
    r"get off me",
    r"let (me|go of me) go",
    r"leave me alone",
    r"i'?m (scared|bleeding)",
    r"(kill|hurt) (my|him|her|your|them)self",
    r"(kill|hurt) myself",
    r"want to die",
    r"suicide",
    r"overdose",
    r"(he|she) (hit|hurt|raped|attacked) me",
    r"(abuse|abusing)",
    r"emergency",
    r"can'?t breathe",
    r"i'?ve been (hit|attacked|assaulted)",
    r"assault",
    r"rape",
    r"please (stop|don'?t)",
    r"screaming",
    r"crying",
)
"""Phrases that, heard anywhere in a clip, earn it a content warning."""

_PATTERN = re.compile(r"\b(" + "|".join(DISTRESS_PHRASES) + r")\b", re.IGNORECASE)


def suspect_distress(transcript: str) -> bool:
    """True when the clip should come with a content warning."""
    return _PATTERN.search(transcript) is not None
