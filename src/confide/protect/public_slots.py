"""Names that are public because of what was asked: the artist in "play something by Taylor
Swift", the city in a weather request (invariant 5).

A reviewer links such names to the catalog, so hiding them blinds the review to its job; and they
say nothing about who spoke, since anyone may ask for Taylor Swift. Whether a name is public is
decided from the understanding of the request (its intent and the slot the name fills), never
from a list of famous people: a name the catalog has never heard of is as public in an artist
slot, and a famous name said anywhere else ("call Taylor") stays private.

Several things keep a name in a public slot private all the same: a household's own name there
(Confide knows them; a household member is never public), words private by the intent, an
intent the classifier is not sure of, and a request that does not show what its intent is about
(music: a playlist, a song, a catalog name, a genre in the playlist's name), since a misread
request ("add call Maria to my to-do list" read as adding an artist to a playlist) would
otherwise show a contact's name. Only the types a name may take are kept: a PERSON span over an
artist, a PERSON or ADDRESS span over a city; a phone number in a track slot is still hidden, and
so is whatever a span holds beyond the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from confide.protect.spans import PiiSpan
from confide.understand.catalog import load_catalog
from confide.understand.gazetteer import Gazetteer
from confide.understand.normalise import asr_text

NAME = frozenset({"PERSON"})
"""What a detector may take a work's or a performer's name for."""
PLACE = frozenset({"PERSON", "ADDRESS"})
"""What a detector may take a place's name for ("Austin", "Springfield, Illinois")."""
PUBLIC_SLOTS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "PlayMusic": {"artist": NAME, "album": NAME, "track": NAME, "playlist": NAME, "genre": NAME},
    "AddToPlaylist": {"artist": NAME, "entity_name": NAME, "playlist": NAME},
    "GetWeather": {"city": PLACE, "state": PLACE, "country": PLACE},
    "BookRestaurant": {"restaurant_name": NAME, "city": PLACE, "state": PLACE, "country": PLACE},
}
"""Per intent, its catalog slots (names of works, performers, places and businesses anyone may
ask for) and the span types that are public there. Left out on purpose: whose playlist it is
(`playlist_owner`), who is coming to dinner (`party_size_description`), a point of interest
("at grandma's"), every slot of Confide's own private intents (lists, timers), and the Snips
intents no skill answers (books, creative works, screenings): the NLU reads requests it has no
intent for as those ("call Maria Lopez" as a creative work named "Maria Lopez")."""
MIN_CONFIDENCE = 0.7
"""An intent less likely than this (the classifier's probability) makes no name public: the
request may be another one, where the same words are private. Of the held-out Snips music
requests, 98.5% are understood at least this surely."""


@dataclass(frozen=True)
class Subject:
    """What shows that a request is about what its intent says: a word it says, a slot it
    fills, a name in it that links to a catalog entry of a kind, or a slot whose value holds
    a name of a catalog kind ("women of jazz": a genre in a playlist's name)."""

    words: frozenset[str]
    slots: frozenset[str]
    linked: frozenset[str]
    holding: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Slot name -> catalog kinds whose names, inside that slot's value, show the subject."""

    def shown_by(self, text: str, understood: Mapping[str, Any]) -> bool:
        if self.words & set(re.findall(r"\w+", text.lower())):
            return True
        for slot in understood.get("slots", ()):
            link = slot.get("link")
            entry = str(link.get("id", "")) if isinstance(link, Mapping) else ""
            if slot.get("name") in self.slots or entry.split(":")[0] in self.linked:
                return True
            kinds = self.holding.get(str(slot.get("name")), frozenset())
            if kinds & _shipped_names().kinds(asr_text(str(slot.get("value", ""))).split()):
                return True
        return False


@cache
def _shipped_names() -> Gazetteer:
    """Every name of the shipped catalog, by kind, as a recogniser writes it."""
    return Gazetteer(
        (entry.kind, asr_text(name).split())
        for entry in load_catalog()
        for name in (entry.name, *entry.aliases)
    )


SUBJECTS: Mapping[str, Subject] = {
    "AddToPlaylist": Subject(
        words=frozenset({"playlist", "playlists"}),
        slots=frozenset({"music_item"}),
        linked=frozenset({"artist", "song", "playlist"}),
        holding={"playlist": frozenset({"genre"})},
    ),
}
"""Intents whose names are public only in a request that shows it is about music: "Add Maria
Lopez to my contacts" read as adding an artist to a playlist (before Confide knew contacts)
says none of "playlist", "song" or a catalog name; "add tina turner to rock hits" names a
catalog artist, "add this song to my road trip" a music item, "add eric moo to women of jazz" a
genre in the playlist's name (in that slot only: a genre word elsewhere, "add maria to my
country club list", shows nothing)."""


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
    subject = SUBJECTS.get(str(understood.get("intent")))
    if subject is not None and not subject.shown_by(text, understood):
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


def hidden(text: str, spans: Iterable[PiiSpan], names: Sequence[PublicName]) -> list[PiiSpan]:
    """The spans found in `text` still to hide, less the public names that their type may take.

    What a span holds beyond a public name stays hidden: a detector that reads "james moody
    ballad" as one name still hides "ballad", and "for maria" after an artist stays. A span that
    holds nothing but public names and what lies between them ("Clontarf, KY") goes.
    """
    left = []
    for span in spans:
        pieces = [(span.start, span.end)]
        for name in names:
            if span.type in name.types:
                pieces = [part for piece in pieces for part in _without(piece, name)]
        for start, end in pieces:
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and not text[end - 1].isalnum():
                end -= 1
            if end > start:
                left.append(PiiSpan(start, end, span.type, span.score))
    return left


def _without(piece: tuple[int, int], name: PublicName) -> list[tuple[int, int]]:
    """`piece` less the characters of `name`: no, one or two pieces."""
    start, end = piece
    if name.end <= start or end <= name.start:
        return [piece]
    return [part for part in ((start, name.start), (name.end, end)) if part[1] > part[0]]
