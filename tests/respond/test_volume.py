"""Volume: a level from zero to ten, or a step up or down."""

from __future__ import annotations

import pytest

from confide.respond import Slot
from confide.respond.volume import set_volume

ASK = "What volume would you like, from zero to ten?"
RANGE = "The volume goes from zero to ten."


@pytest.mark.parametrize(
    ("slots", "text", "said", "action"),
    [
        ([Slot("level", "six", 6)], "volume six", "Volume six.", {"volume": 6}),
        ([Slot("level", "6")], "volume 6", "Volume six.", {"volume": 6}),
        ([Slot("level", "four")], "volume four", "Volume four.", {"volume": 4}),
        ([Slot("level", "zero", 0)], "volume zero", "Volume zero.", {"volume": 0}),
        ([Slot("level", "ten", 10)], "volume ten", "Volume ten.", {"volume": 10}),
        ([Slot("level", "max")], "volume max", "Volume ten.", {"volume": 10}),
        ([Slot("level", "up")], "volume up", "Turning it up.", {"volume_step": 1}),
        ([Slot("level", "louder")], "louder", "Turning it up.", {"volume_step": 1}),
        ([Slot("level", "down")], "volume down", "Turning it down.", {"volume_step": -1}),
        ([], "turn it up", "Turning it up.", {"volume_step": 1}),
        ([], "a bit quieter please", "Turning it down.", {"volume_step": -1}),
        ([Slot("level", "eleven", 11)], "volume eleven", RANGE, {}),
        ([Slot("level", "fifty")], "volume fifty", RANGE, {}),
        ([Slot("level", "minus one", -1)], "volume minus one", RANGE, {}),
        ([Slot("level", "nice")], "volume nice", ASK, {}),
        ([], "volume", ASK, {}),
        ([], "volume 5", ASK, {}),  # a number outside a level slot is not trusted as a level
        ([Slot("level", "on", True)], "volume on", ASK, {}),  # True is not the level 1
    ],
)
def test_volume(ask, slots: list[Slot], text: str, said: str, action: dict[str, int]) -> None:
    answer = set_volume(ask("Volume", *slots, text=text))
    assert (answer.text, answer.skill, answer.action) == (said, "volume", action)
