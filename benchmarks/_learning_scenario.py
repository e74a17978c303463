"""The learning benchmark's scenario: new artist names, how they are asked for, and who says it.

The names are ones no Confide model has met: neither the shipped catalog nor any training text
(Confide's domain files, the Snips 2017 files) holds them, and the shipped catalog links none of
them, even loosely. Two sources, so that both kinds of artist name are tried:

- person-like names: a first name and a last name of one country, drawn (seeded) from
  `names-dataset`'s commonest names of each of its 104 countries (the `heldout` extra; the same
  draw `_heldout_corpus.names` caches), one name per country, so the set is not one language's;
- band-like names: "The <word> <words>", invented here by a seeded draw from the two word lists
  below (written for this benchmark, and checked against the catalog and the training text like
  the others).

Each name is asked for in phrasings of its own: the training utterances (the ones reviewed) use
`TRAIN_PHRASINGS`; the held-out test utterances use phrasings real people wrote for music
requests naming an artist (`heldout_phrasings`: the HWU64 corpus, see heldout/hwu64/README.md),
never one of the training phrasings; and the held-out ones are said by the other voice, at other
speeds.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from confide.demo.voices import VOICES
from confide.understand.catalog import load_catalog
from confide.understand.default import training_files

TRAIN_PHRASINGS = ("play something by {}", "play music by {}", "i want to hear {}")
"""How a name is asked for in the utterances that are reviewed and learned from."""
HELDOUT_FILE = Path(__file__).parent / "heldout" / "hwu64" / "music_artist_phrasings.txt"
TRAIN_SPEEDS = (1.0, 0.92, 1.08)
HELDOUT_SPEEDS = (0.96, 1.04)

BAND_FIRST = (
    *("amber", "cobalt", "copper", "crooked", "hollow", "lunar", "marble", "midnight"),
    *("paper", "quiet", "rusty", "salt", "velvet", "woolen", "static", "tidal"),
)
BAND_SECOND = (
    *("anchors", "bicycles", "comets", "harbours", "herons", "kettles", "lanterns", "mirrors"),
    *("orchards", "pilots", "ravens", "sparrows", "tigers", "violets", "lighthouses", "canoes"),
)


@dataclass(frozen=True)
class NewName:
    """One artist the models have never seen."""

    name: str
    """As a reviewer writes it in the catalog ("Aigerim Bekova")."""
    source: str
    """Where it comes from: "names-dataset:<country>" or "invented"."""

    @property
    def spoken(self) -> str:
        """As a recogniser writes it (and a reviewer transcribes it): lowercase words."""
        return " ".join(re.findall(r"[a-z']+", self.name.lower()))


@dataclass(frozen=True)
class Utterance:
    """One request for a new name, and who says it how."""

    name: NewName
    command: str
    """What is said after the wake word, as a recogniser writes it."""
    voice: str
    speed: float
    phrasing: str

    @property
    def written(self) -> str:
        """The command as the synthesiser reads it: the name written as it is written."""
        return said(self.phrasing, self.name.name)


def seen_text() -> str:
    """Every training text of the shipped models, lowercased, to check names against."""
    return "\n".join(path.read_text(encoding="latin-1").lower() for path in training_files())


def unseen(name: str, training_text: str) -> bool:
    """Neither trained on nor in the shipped catalog, nor close enough to link to an entry."""
    spoken = " ".join(re.findall(r"[a-z']+", name.lower()))
    if re.search(rf"\b{re.escape(spoken)}\b", training_text):
        return False
    return load_catalog(None).link("artist", spoken) is None


def person_names(table: dict[str, dict[str, list[str]]], count: int, seed: int) -> list[NewName]:
    """`count` first-and-last names, each of a different country, seeded."""
    rng = random.Random(seed)
    text = seen_text()
    countries = sorted(table)
    rng.shuffle(countries)
    drawn: list[NewName] = []
    for country in countries:
        names = table[country]
        gender = rng.choice("MF")
        firsts = [n for n in names[f"first_{gender}"] if re.fullmatch(r"[A-Z][a-z]{2,}", n)]
        lasts = [n for n in names["last"] if re.fullmatch(r"[A-Z][a-z]{2,}", n)]
        if not firsts or not lasts:
            continue
        first, last = rng.choice(firsts), rng.choice(lasts)
        if first == last or not unseen(f"{first} {last}", text):
            continue
        drawn.append(NewName(f"{first} {last}", f"names-dataset:{country}"))
        if len(drawn) == count:
            break
    return drawn


def band_names(count: int, seed: int) -> list[NewName]:
    """`count` invented band names, seeded, no word used twice."""
    rng = random.Random(seed)
    text = seen_text()
    firsts, seconds = list(BAND_FIRST), list(BAND_SECOND)
    rng.shuffle(firsts)
    rng.shuffle(seconds)
    drawn = []
    for first, second in zip(firsts, seconds, strict=True):
        name = f"The {first.title()} {second.title()}"
        if unseen(name, text):
            drawn.append(NewName(name, "invented"))
        if len(drawn) == count:
            break
    return drawn


def new_names(count: int, seed: int, names_cache: Path | None = None) -> list[NewName]:
    """Three in five person-like, the rest band-like, interleaved so any prefix has both."""
    import _heldout_corpus

    people = person_names(
        _heldout_corpus.names(names_cache) if names_cache else _heldout_corpus.names(),
        count - count * 2 // 5,
        seed,
    )
    bands = band_names(count * 2 // 5, seed)
    mixed = [*people, *bands]
    random.Random(seed).shuffle(mixed)
    return mixed


def training_utterances(names: list[NewName], per_name: int) -> list[Utterance]:
    """Each name in `per_name` training phrasings, in its training voice (alternating by name)."""
    return [
        Utterance(
            name,
            phrasing.format(name.spoken),
            VOICES[index % len(VOICES)],
            TRAIN_SPEEDS[turn % len(TRAIN_SPEEDS)],
            phrasing,
        )
        for index, name in enumerate(names)
        for turn, phrasing in enumerate(TRAIN_PHRASINGS[:per_name])
    ]


def heldout_phrasings() -> list[str]:
    """How people asked for an artist in HWU64, less any phrasing the training utterances use."""
    lines = HELDOUT_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and line not in TRAIN_PHRASINGS]


def heldout_utterances(names: list[NewName], per_name: int, seed: int) -> list[Utterance]:
    """Each name in `per_name` held-out phrasings (a seeded draw), in the other voice."""
    rng = random.Random(seed)
    phrasings = heldout_phrasings()
    utterances = []
    for index, name in enumerate(names):
        voice = VOICES[(index + 1) % len(VOICES)]
        for turn, phrasing in enumerate(rng.sample(phrasings, per_name)):
            speed = HELDOUT_SPEEDS[turn % len(HELDOUT_SPEEDS)]
            utterances.append(Utterance(name, said(phrasing, name.spoken), voice, speed, phrasing))
    return utterances


def said(phrasing: str, name: str) -> str:
    """The phrasing with the name in it, as a person would say it: a band's "The" is dropped
    after a word that already determines it ("by the the ...", "my the ...", "some the ...")."""
    determiners = r"\b(the|my|some|any|your) the\b"
    return re.sub(determiners, r"\1", phrasing.format(name), flags=re.IGNORECASE)


def describe(names: list[NewName]) -> str:
    return json.dumps([{"name": n.name, "source": n.source} for n in names])
