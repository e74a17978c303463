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

from confide.understand.catalog import SLOT_KINDS, Catalog, key
from confide.understand.slots import OUTSIDE

MIN_WORDS = 2
"""Least words, not counting a leading article, a name must have to be filled in."""
NEAR_SCORE = 0.9
"""Least likeness (`Catalog.link`'s score) of untagged words to a name for them to be taken as
it: well above the 0.8 that links a tagged value, since here nothing but the sound says that
these words are a name at all."""
MAX_HEARD_WORDS = 4
"""Longest run of untagged words compared with the catalog's names."""
MIN_LETTERS = 6
"""Fewest letters a run of words must have to be compared: short runs resemble too much."""
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


def fill_near_names(
    words: Sequence[str],
    labels: Sequence[str],
    allowed: Collection[str],
    catalog: Catalog,
    boundaries: tuple[Collection[int], Collection[int]],
) -> list[str]:
    """`labels` with, for each catalog slot the intent allows and the request lacks, the run of
    untagged words most like a catalog name of `MIN_WORDS` or more words, if at least
    `NEAR_SCORE` alike: a recogniser writes a name it does not know as the words it sounds like
    ("quiet can news" for The Quiet Canoes, "bandam andal" for Bunda Mandal), which no tagger
    takes for a name and no exact match finds."""
    firsts, lasts = boundaries
    filled = list(labels)
    present = {label[2:] for label in labels if label != OUTSIDE}
    for slot in sorted(set(allowed) - present):
        kind = SLOT_KINDS.get(slot)
        if kind is None:
            continue
        best: tuple[float, int, int] | None = None
        for start in sorted(firsts):
            for end in range(start + 1, min(start + MAX_HEARD_WORDS, len(words)) + 1):
                if filled[end - 1] != OUTSIDE:
                    break
                heard = " ".join(words[start:end])
                if end - 1 not in lasts or len(heard) - heard.count(" ") < MIN_LETTERS:
                    continue
                link = catalog.link(kind, heard)
                entry = catalog.get(link.id) if link else None
                if (
                    link is not None
                    and entry is not None
                    and link.score >= NEAR_SCORE
                    and len(key(entry.name).split()) >= MIN_WORDS
                    and (best is None or link.score > best[0])
                ):
                    best = (link.score, start, end)
        if best is not None:
            _, start, end = best
            filled[start:end] = [f"B-{slot}"] + [f"I-{slot}"] * (end - start - 1)
    return filled
