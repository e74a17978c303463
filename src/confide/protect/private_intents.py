"""Words that are private because of what was asked, whatever the detectors say of them.

What goes on a to-do list, into a reminder or a message, whom to call or to save as a contact,
is the speaker's own business: "add call Maria about the biopsy to my to do list" names a person
and a diagnosis that no detector may recognise. So the content slots of those intents are
redacted and bleeped whole. The carrier phrase ("add ... to my to do list") and the other slots
(the list's name) stay, so that a reviewer can still judge whether the intent and the slots were
right.

The intents and slot names are those of Confide's domain files (`understand/resources/confide`),
the only private-content intents the assistant knows; the Snips 2017 intents (music, weather,
restaurants, books, films) carry none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from confide.protect.spans import PiiSpan

PRIVATE_SLOTS: Mapping[str, frozenset[str]] = {
    "AddToList": frozenset({"item"}),
    "Call": frozenset({"contact"}),
    "SendMessage": frozenset({"contact", "message"}),
    "AddContact": frozenset({"contact"}),
    "SetReminder": frozenset({"reminder"}),
}
"""Per intent, the slots whose words are private by intent."""
TYPE = "PRIVATE"
"""The placeholder type of words hidden for what was asked, not for what they are."""
SCORE = 1.0
"""Sure by construction: the intent says so, so the placeholder keeps this type when a
detector's span overlaps it."""


def private_values(understood: Mapping[str, Any]) -> list[str]:
    """The values of the private slots of an NLU result (`confide understand`'s shape)."""
    private = PRIVATE_SLOTS.get(str(understood.get("intent")), frozenset())
    return [
        str(slot.get("value", ""))
        for slot in understood.get("slots", ())
        if slot.get("name") in private and str(slot.get("value", "")).strip()
    ]


def intent_spans(text: str, understood: Mapping[str, Any]) -> list[PiiSpan]:
    """The private slots of `understood` as spans over `text`, the text it was understood from.

    A slot's offsets are used when they hold its value; otherwise (a normalised value) each
    place the value occurs is taken, so that nothing private is left for want of an offset.
    """
    private = PRIVATE_SLOTS.get(str(understood.get("intent")), frozenset())
    spans: list[PiiSpan] = []
    for slot in understood.get("slots", ()):
        value = str(slot.get("value", ""))
        if slot.get("name") not in private or not value.strip():
            continue
        start, end = slot.get("start"), slot.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append(PiiSpan(start, end, TYPE, SCORE))
        else:
            spans += occurrences(text, [value])
    return spans


def occurrences(text: str, values: Sequence[str]) -> list[PiiSpan]:
    """Every place in `text` where one of `values` occurs, whatever its case."""
    folded = text.lower()
    spans = []
    for value in values:
        needle = value.strip().lower()
        at = folded.find(needle) if needle else -1
        while at >= 0:
            spans.append(PiiSpan(at, at + len(needle), TYPE, SCORE))
            at = folded.find(needle, at + len(needle))
    return spans
