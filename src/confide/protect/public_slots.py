"""Names that are public because of what was asked: the artist in "play something by Taylor
Swift", the city in a weather request (invariant 5).

A reviewer links such names to the catalog, so hiding them blinds the review to its job; and they
say nothing about who spoke, since anyone may ask for Taylor Swift. Whether a name is public is
decided from the understanding of the request (its intent and the slot the name fills), never
from a list of famous people: a name the catalog has never heard of is as public in an artist
slot, and a famous name said anywhere else ("call Taylor") stays private.

Three things keep a name in a public slot private all the same: a household's own name there
(Confide knows them; a household member is never public), words private by the intent, and an
intent the classifier is not sure of, since a misread request ("add call Maria to my list" read
as adding an artist to a playlist) would otherwise show a contact's name. Only the types a name
may take are kept: a PERSON span over an artist, a PERSON or ADDRESS span over a city; a phone
number in a track slot is still hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confide.protect.spans import PiiSpan

NAME = frozenset({"PERSON"})
"""What a detector may take a work's or a performer's name for."""
PLACE = frozenset({"PERSON", "ADDRESS"})
"""What a detector may take a place's name for ("Austin", "Springfield, Illinois")."""
PUBLIC_SLOTS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "PlayMusic": {"artist": NAME, "album": NAME, "track": NAME, "playlist": NAME, "genre": NAME},
    "AddToPlaylist": {"artist": NAME, "entity_name": NAME, "playlist": NAME},
    "GetWeather": {"city": PLACE, "state": PLACE, "country": PLACE},
    "BookRestaurant": {"restaurant_name": NAME, "city": PLACE, "state": PLACE, "country": PLACE},
    "RateBook": {"object_name": NAME},
    "SearchCreativeWork": {"object_name": NAME},
    "SearchScreeningEvent": {"movie_name": NAME, "location_name": NAME},
}
"""Per intent, its catalog slots (names of works, performers, places and businesses anyone may
ask for) and the span types that are public there. Left out on purpose: whose playlist it is
(`playlist_owner`), who is coming to dinner (`party_size_description`), a point of interest
("at grandma's"), and every slot of Confide's own private intents (lists, timers)."""
MIN_CONFIDENCE = 0.5
"""An intent less likely than this (the classifier's probability) makes no name public: the
request may be another one, where the same words are private."""


@dataclass(frozen=True)
class PublicName:
    """A stretch of a text that names something public."""

    start: int
    """Offset of its first character."""
    end: int
    """Offset one past its last character."""
    value: str
    """Its words as said in the transcript, to be found again in other texts about the clip."""
    types: frozenset[str]
    """The span types a detector may give it that are dropped over it."""


def public_names(
    text: str, understood: Mapping[str, Any], private: Iterable[PiiSpan] = ()
) -> tuple[PublicName, ...]:
    """The public slots of `understood` (`confide understand`'s shape) over `text`, the text it
    was understood from; a slot that overlaps one of the `private` spans (a household's names,
    words private by the intent) is not public."""
    slots = PUBLIC_SLOTS.get(str(understood.get("intent")), {})
    confidence = understood.get("confidence")
    if not slots or not isinstance(confidence, int | float) or confidence < MIN_CONFIDENCE:
        return ()
    hidden = list(private)
    names = []
    for slot in understood.get("slots", ()):
        start, end = slot.get("start"), slot.get("end")
        types = slots.get(str(slot.get("name")))
        if types is None or not isinstance(start, int) or not isinstance(end, int):
            continue
        if not 0 <= start < end <= len(text) or text[start:end] != slot.get("value"):
            continue
        if any(span.start < end and start < span.end for span in hidden):
            continue
        names.append(PublicName(start, end, text[start:end], types))
    return tuple(names)


def recurring(text: str, names: Sequence[PublicName]) -> tuple[PublicName, ...]:
    """Where each public name occurs whole in another text about the same clip (the answer, a
    slot's value, the bleeped clip heard again), whatever its case and punctuation."""
    found = []
    for name in names:
        words = re.findall(r"\w+", name.value)
        if not words:
            continue
        pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
        found += [
            PublicName(m.start(), m.end(), name.value, name.types) for m in pattern.finditer(text)
        ]
    return tuple(found)


def hidden(spans: Iterable[PiiSpan], names: Sequence[PublicName]) -> list[PiiSpan]:
    """The spans still to hide: all but those lying wholly inside a public name that their type
    may take. A span reaching beyond the name is hidden whole."""
    return [
        span
        for span in spans
        if not any(
            name.start <= span.start and span.end <= name.end and span.type in name.types
            for name in names
        )
    ]
