"""What a to-do entry, a message or a reminder says, and whom it is for, is private by the
intent; the carrier phrase and the list stay."""

from __future__ import annotations

import pytest

from confide.protect.private_intents import intent_spans, occurrences, private_values
from confide.protect.redact import apply_spans

SAID = "add call maria about the biopsy to my to do list"
ITEM = {"name": "item", "value": "call maria about the biopsy", "start": 4, "end": 31}
LIST = {"name": "list_name", "value": "to do", "start": 38, "end": 43}


@pytest.mark.parametrize(
    ("understood", "shown"),
    [
        ({"intent": "AddToList", "slots": [ITEM, LIST]}, "add [PRIVATE] to my to do list"),
        (
            {"intent": "AddToList", "slots": [{"name": "item", "value": "the biopsy"}, LIST]},
            "add call maria about [PRIVATE] to my to do list",
        ),
        ({"intent": "PlayMusic", "slots": [{**ITEM, "name": "artist"}]}, SAID),
        ({"intent": "AddToList", "slots": [LIST]}, SAID),
        ({"intent": None, "slots": []}, SAID),
    ],
)
def test_private_slots_are_hidden_by_the_intent(understood, shown):
    assert apply_spans(SAID, intent_spans(SAID, understood)) == shown


@pytest.mark.parametrize(
    ("said", "understood", "shown"),
    [
        (
            "call maria lopez",
            {"intent": "Call", "slots": [{"name": "contact", "value": "maria lopez"}]},
            "call [PRIVATE]",
        ),
        (
            "tell dave that the scan was clear",
            {
                "intent": "SendMessage",
                "slots": [
                    {"name": "contact", "value": "dave"},
                    {"name": "message", "value": "the scan was clear"},
                ],
            },
            "tell [PRIVATE] that [PRIVATE]",
        ),
        (
            "add maria lopez to my contacts",
            {"intent": "AddContact", "slots": [{"name": "contact", "value": "maria lopez"}]},
            "add [PRIVATE] to my contacts",
        ),
        (
            "remind me to pay maria tomorrow",
            {"intent": "SetReminder", "slots": [{"name": "reminder", "value": "pay maria"}]},
            "remind me to [PRIVATE] tomorrow",
        ),
    ],
)
def test_whom_to_call_or_message_and_what_to_remember_are_hidden(said, understood, shown):
    assert apply_spans(said, intent_spans(said, understood)) == shown


def test_an_answer_quoting_the_entry_hides_it():
    understood = {"intent": "AddToList", "slots": [ITEM, LIST]}
    answer = "Added Call Maria about the biopsy to your to do list."
    spans = occurrences(answer, private_values(understood))
    assert apply_spans(answer, spans) == "Added [PRIVATE] to your to do list."
