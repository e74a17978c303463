"""Catalog names the slot tagger missed or mistook, put right: "play the latest song the hollow
tigers", "turn on my hollow tigers playlist".

The tagger learns where names stand from the phrasings it was trained on; people use others
("turn on my X playlist", "time to hear me some X"), and there a name the catalog knows word for
word may go untagged, or be tagged as another kind of catalog name, so the request is understood
but never linked. A known name of at least `MIN_WORDS` words (a leading article not counted), of
a kind the intent has a slot for, is taken as that slot where the tagger found nothing, or where
it found exactly that span as a catalog slot the catalog does not know the name as (a playlist
named like an artist it knows). One-word names are left to the tagger: too many are also ordinary
words ("yes", "nice", "home"). A span the catalog knows as two kinds the intent could take (an
artist and a song) is left alone: the tagger did not decide, and neither does this. Slots that
are not catalog kinds (an album, a date) are never changed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from confide.understand.catalog import SLOT_KINDS
from confide.understand.slots import OUTSIDE

MIN_WORDS = 2
"""Least words, not counting a leading article, a name must have to be filled in."""
CATALOG_PREFIX = "cat:"
"""How the catalog's kinds are named in the gazetteer (see `model.catalog_names`)."""
ARTICLES = frozenset({"the", "a"})
"""Words that may lead a name without being part of what names it."""
_SLOT_OF_KIND = {kind: slot for slot, kind in SLOT_KINDS.items()}


def fill_known_names(
    words: Sequence[str],
    labels: Sequence[str],
    matches: Sequence[tuple[int, int, str]],
    allowed: Collection[str],
    boundaries: tuple[Collection[int], Collection[int]],
) -> list[str]:
    """`labels` (one per word of `words`) with the catalog names among `matches` (start, end,
    gazetteer kind) that the tagger missed or mistook labelled as their slot, longest first,
    where the slot is in `allowed`. `boundaries` holds the words that begin and the words that
    end a written token: a name is only labelled in whole tokens, since a token takes its first
    word's label."""
    firsts, lasts = boundaries
    slots_of: dict[tuple[int, int], set[str]] = {}
    for start, end, kind in matches:
        slot = _SLOT_OF_KIND.get(kind.removeprefix(CATALOG_PREFIX))
        if kind.startswith(CATALOG_PREFIX) and slot is not None and slot in allowed:
            slots_of.setdefault((start, end), set()).add(slot)
    filled = list(labels)
    for (start, end), slots in sorted(slots_of.items(), key=lambda item: item[0][0] - item[0][1]):
        named = words[start + 1 : end] if words[start] in ARTICLES else words[start:end]
        if len(slots) != 1 or len(named) < MIN_WORDS or start not in firsts or end - 1 not in lasts:
            continue
        (slot,) = slots
        tagged = _catalog_slot_spanning(filled, start, end)
        if all(label == OUTSIDE for label in filled[start:end]) or tagged not in (None, slot):
            filled[start:end] = [f"B-{slot}"] + [f"I-{slot}"] * (end - start - 1)
    return filled


def _catalog_slot_spanning(labels: Sequence[str], start: int, end: int) -> str | None:
    """The catalog slot tagged on exactly the words start..end, if one is."""
    name = labels[start][2:]
    whole = [f"B-{name}"] + [f"I-{name}"] * (end - start - 1)
    if name not in SLOT_KINDS or list(labels[start:end]) != whole:
        return None
    return None if end < len(labels) and labels[end] == f"I-{name}" else name
