"""Catalog names the slot tagger missed or mistook, put right: "play the latest song the hollow
tigers", "turn on my hollow tigers playlist".

The tagger learns where names stand from the phrasings it was trained on; people use others
("turn on my X playlist", "time to hear me some X"), and there a name the catalog knows word for
word may go untagged, or be tagged as another kind of catalog name, so the request is understood
but never linked. A known name of at least `MIN_WORDS` words (a leading article not counted), of
a kind the intent has a slot for, is taken as that slot where the tagger found nothing, or where
it found exactly that span as a catalog slot the catalog does not know the name as, or as an
album (a playlist or an album named like an artist it knows). One-word names are left to the
tagger: too many are also ordinary words ("yes", "nice", "home"). A span the catalog knows as
two kinds the intent could take (an artist and a song) is left alone: the tagger did not
decide, and neither does this. Other slots (a date, a service) are never changed, nor one kind
of place for another (`PLACE_KINDS`). Names a recogniser misheard are found by how they sound
(`fill_near_names`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

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
MISTAKABLE = frozenset(SLOT_KINDS) | {"album"}
"""Slots the catalog may overrule: those of its own kinds, and an album, which it lists none of
to confirm and which the tagger gives an unknown name after "by" ("play crazy by the amber
light houses")."""
PLACE_KINDS = frozenset({"city", "state", "country"})
"""Kinds the catalog does not decide between for the tagger: a territory is rightly called a state
or a country (Puerto Rico, American Samoa), and the catalog lists it as one."""
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
        if all(label == OUTSIDE for label in filled[start:end]) or (
            tagged is not None and tagged != slot and _overrules(slot, tagged)
        ):
            filled[start:end] = [f"B-{slot}"] + [f"I-{slot}"] * (end - start - 1)
    return filled


def _catalog_slot_spanning(labels: Sequence[str], start: int, end: int) -> str | None:
    """The slot the catalog may overrule tagged on exactly the words start..end, if one is."""
    name = labels[start][2:]
    whole = [f"B-{name}"] + [f"I-{name}"] * (end - start - 1)
    if name not in MISTAKABLE or list(labels[start:end]) != whole:
        return None
    return None if end < len(labels) and labels[end] == f"I-{name}" else name


def fill_near_names(
    words: Sequence[str],
    labels: Sequence[str],
    allowed: Collection[str],
    catalog: Catalog,
    boundaries: tuple[Collection[int], Collection[int]],
) -> list[str]:
    """`labels` with the catalog names a recogniser misheard put right: a recogniser writes a
    name it does not know as the words it sounds like ("quiet can news" for The Quiet Canoes,
    "bandam andal" for Bunda Mandal), which no exact match finds. For each catalog slot the
    intent allows and the request lacks, a catalog slot tagged on words that link to nothing
    of its own kind but are at least `NEAR_SCORE` like a name of that slot's kind ("my amber
    mirror's playlist", The Amber Mirrors) becomes that slot; failing that, so does the run of
    untagged words most like such a name. Names of fewer than `MIN_WORDS` words are left out."""
    filled = list(labels)
    present = {label[2:] for label in labels if label != OUTSIDE}
    tagged = [
        (start, end, slot)
        for start, end, slot in _tagged_spans(labels)
        if slot in MISTAKABLE
        and (
            slot not in SLOT_KINDS or not catalog.link(SLOT_KINDS[slot], " ".join(words[start:end]))
        )
    ]
    for slot in sorted(set(allowed) - present):
        kind = SLOT_KINDS.get(slot)
        if kind is None:
            continue
        mistaken = [(start, end) for start, end, other in tagged if _overrules(slot, other)]
        best = _likeliest(words, mistaken, kind, catalog) or _likeliest(
            words, _untagged_runs(filled, boundaries), kind, catalog
        )
        if best is not None:
            start, end = best
            filled[start:end] = [f"B-{slot}"] + [f"I-{slot}"] * (end - start - 1)
            tagged = [span for span in tagged if span[:2] != best]
    return filled


def _likeliest(
    words: Sequence[str], spans: Iterable[tuple[int, int]], kind: str, catalog: Catalog
) -> tuple[int, int] | None:
    """The span of `words` most like a name of `kind` of `MIN_WORDS` or more words, if any is
    at least `NEAR_SCORE` alike."""
    best: tuple[float, int, int] | None = None
    for start, end in spans:
        heard = " ".join(words[start:end])
        if len(heard) - heard.count(" ") < MIN_LETTERS:
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
    return best[1:] if best else None


def _untagged_runs(
    labels: Sequence[str], boundaries: tuple[Collection[int], Collection[int]]
) -> Iterator[tuple[int, int]]:
    """Every run of up to `MAX_HEARD_WORDS` untagged words in whole tokens."""
    firsts, lasts = boundaries
    for start in sorted(firsts):
        for end in range(start + 1, min(start + MAX_HEARD_WORDS, len(labels)) + 1):
            if labels[end - 1] != OUTSIDE:
                break
            if end - 1 in lasts:
                yield start, end


def _tagged_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, slot) of each slot the labels hold."""
    spans: list[tuple[int, int, str]] = []
    for position, label in enumerate(labels):
        if label.startswith("I-") and spans and spans[-1][1:] == (position, label[2:]):
            spans[-1] = (spans[-1][0], position + 1, label[2:])
        elif label != OUTSIDE:
            spans.append((position, position + 1, label[2:]))
    return spans


def _overrules(slot: str, tagged: str) -> bool:
    """Whether the catalog's kind may replace the slot the tagger chose: not between places."""
    return not {SLOT_KINDS[slot], SLOT_KINDS.get(tagged)} <= PLACE_KINDS
