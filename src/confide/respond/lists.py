"""Lists: "add milk to my shopping list" keeps an entry, "what's on my shopping list" reads them.

Entries are kept as kind "list:<name>" with the list's name in the payload as well: `items` matches
kinds by prefix, so "list:shop" would also find the entries of "list:shopping".
"""

from __future__ import annotations

import re

from confide.respond.base import Answer, HouseholdState, Request
from confide.respond.speech import join_words, number_words

DEFAULT_LIST = "shopping"
"""The list meant when none is named."""
READ_AT_MOST = 10
"""Entries read aloud; the rest are counted, and the app shows them all."""
_FILLER = frozenset({"my", "our", "the", "list"})


def add(request: Request, household: HouseholdState) -> Answer:
    """Add each heard item to the named list, skipping those already on it."""
    name = list_name(request)
    heard = [slot.value.strip() for slot in request.slots if slot.name == "item"]
    wanted = [item for item in heard if item]
    if not wanted:
        return Answer(f"What should I add to your {name} list?", "list", {})
    present = {item.casefold() for _, item in _entries(household, name)}
    added: list[tuple[str, str]] = []
    already: list[str] = []
    for item in wanted:
        if item.casefold() in present:
            already.append(item)
            continue
        added.append((household.add_item(f"list:{name}", {"list": name, "item": item}, None), item))
        present.add(item.casefold())
    if not added:
        verb = "is" if len(already) == 1 else "are"
        text = f"{join_words(already)} {verb} already on your {name} list."
        return Answer(text[:1].upper() + text[1:], "list", {})
    text = f"Added {join_words([item for _, item in added])} to your {name} list"
    if already:
        text += f"; {join_words(already)} {'was' if len(already) == 1 else 'were'} already on it"
    entries = [{"id": item_id, "item": item} for item_id, item in added]
    return Answer(text + ".", "list", {"list": {"name": name, "added": entries}})


def read(request: Request, household: HouseholdState) -> Answer:
    """Say what is on the named list."""
    name = list_name(request)
    items = [item for _, item in _entries(household, name)]
    action: dict[str, object] = {"list": {"name": name, "items": items}}
    if not items:
        return Answer(f"Your {name} list is empty.", "list", action)
    spoken = items[:READ_AT_MOST]
    if len(items) > READ_AT_MOST:
        spoken.append(f"{number_words(len(items) - READ_AT_MOST)} more")
    return Answer(f"Your {name} list has {join_words(spoken)}.", "list", action)


def list_name(request: Request) -> str:
    """The list's name as kept: "my Shopping list" -> "shopping"; the default when none."""
    slot = request.slot("list")
    words = re.findall(r"[a-z0-9']+", slot.value.lower()) if slot is not None else []
    while words and words[0] in _FILLER:
        words.pop(0)
    while words and words[-1] in _FILLER:
        words.pop()
    return " ".join(words) or DEFAULT_LIST


def _entries(household: HouseholdState, name: str) -> list[tuple[str, str]]:
    """(id, item) of every entry on the list called `name`, in the household's order."""
    return [
        (item_id, str(payload["item"]))
        for item_id, payload, _ in household.items(f"list:{name}")
        if payload.get("list") == name and "item" in payload
    ]
