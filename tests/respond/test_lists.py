"""Lists: items added once each to the named list, and read back."""

from __future__ import annotations

import pytest

from confide.respond import Slot
from confide.respond.lists import add, list_name, read


@pytest.mark.parametrize(
    ("slots", "kind", "items", "text"),
    [
        ([Slot("item", "milk")], "list:shopping", ["milk"], "Added milk to your shopping list."),
        (
            [Slot("item", "milk"), Slot("item", "eggs"), Slot("item", "bread")],
            "list:shopping",
            ["milk", "eggs", "bread"],
            "Added milk, eggs and bread to your shopping list.",
        ),
        (
            [Slot("item", "call the plumber"), Slot("list", "my to do list")],
            "list:to do",
            ["call the plumber"],
            "Added call the plumber to your to do list.",
        ),
        (
            [Slot("list", "Hardware"), Slot("item", " nails ")],
            "list:hardware",
            ["nails"],
            "Added nails to your hardware list.",
        ),
    ],
)
def test_items_are_added_to_the_named_list(
    ask, household, slots: list[Slot], kind: str, items: list[str], text: str
) -> None:
    answer = add(ask("AddToList", *slots), household)
    assert (answer.text, answer.skill) == (text, "list")
    kept = list(household.kept.items())
    assert [(k, p, due) for _, (k, p, due) in kept] == [
        (kind, {"list": kind.removeprefix("list:"), "item": item}, None) for item in items
    ]
    assert answer.action == {
        "list": {
            "name": kind.removeprefix("list:"),
            "added": [{"id": item_id, "item": p["item"]} for item_id, (_, p, _) in kept],
        }
    }


@pytest.mark.parametrize(
    ("slots", "text", "added"),
    [
        ([Slot("item", "Milk")], "Milk is already on your shopping list.", []),
        (
            [Slot("item", "milk"), Slot("item", "EGGS")],
            "Milk and EGGS are already on your shopping list.",
            [],
        ),
        (
            [Slot("item", "milk"), Slot("item", "butter")],
            "Added butter to your shopping list; milk was already on it.",
            ["butter"],
        ),
        (
            [Slot("item", "butter"), Slot("item", "butter")],
            "Added butter to your shopping list; butter was already on it.",
            ["butter"],
        ),
    ],
)
def test_items_already_on_the_list_are_not_added_twice(
    ask, household, slots: list[Slot], text: str, added: list[str]
) -> None:
    for item in ("milk", "eggs"):
        household.add_item("list:shopping", {"list": "shopping", "item": item}, None)
    answer = add(ask("AddToList", *slots), household)
    assert answer.text == text
    assert [payload["item"] for payload in (p for _, p, _ in household.kept.values())][2:] == added


@pytest.mark.parametrize(
    ("slots", "text"),
    [
        ([], "What should I add to your shopping list?"),
        ([Slot("list", "the hardware list")], "What should I add to your hardware list?"),
        ([Slot("item", "  ")], "What should I add to your shopping list?"),
    ],
)
def test_asks_what_to_add(ask, household, slots: list[Slot], text: str) -> None:
    answer = add(ask("AddToList", *slots), household)
    assert (answer.text, answer.action) == (text, {})
    assert household.kept == {}


@pytest.mark.parametrize(
    ("heard", "name"),
    [
        (None, "shopping"),
        ("shopping", "shopping"),
        ("my Shopping list", "shopping"),
        ("the list", "shopping"),
        ("our Christmas gifts list", "christmas gifts"),
    ],
)
def test_list_names(ask, heard: str | None, name: str) -> None:
    slots = [] if heard is None else [Slot("list", heard)]
    assert list_name(ask("AddToList", *slots)) == name


@pytest.mark.parametrize(
    ("items", "text"),
    [
        ([], "Your shopping list is empty."),
        (["milk"], "Your shopping list has milk."),
        (["milk", "eggs", "bread"], "Your shopping list has milk, eggs and bread."),
        (
            [f"thing {n}" for n in range(1, 13)],
            "Your shopping list has thing 1, thing 2, thing 3, thing 4, thing 5, thing 6, "
            "thing 7, thing 8, thing 9, thing 10 and two more.",
        ),
    ],
)
def test_reading_a_list(ask, household, items: list[str], text: str) -> None:
    for item in items:
        household.add_item("list:shopping", {"list": "shopping", "item": item}, None)
    household.add_item("list:shop", {"list": "shop", "item": "not this"}, None)
    household.add_item("list:shopping list", {"list": "shopping list", "item": "nor this"}, None)
    answer = read(ask("GetList"), household)
    assert (answer.text, answer.skill) == (text, "list")
    assert answer.action == {"list": {"name": "shopping", "items": items}}
