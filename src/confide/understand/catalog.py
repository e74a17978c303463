"""The names Confide knows (artists, songs, playlists, cities...) and linking heard names to them.

A slot value is what the recogniser heard, so it may be misspelt ("beyonse", "the beetles", or
"raphael source" for "Rafael Soares"): linking compares spoken forms (`asr_text`) by their
letters and, where the letters are near, by their sound (metaphone codes, as the household's
names are found in `confide.protect.known_names`), and gives the best entry with its score, or no
link when nothing is close enough. The catalog ships small (see resources/README.md) and grows at
run time: entries added through `add` are kept in `catalog.jsonl` in the data folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jellyfish
from rapidfuzz import fuzz, process

from confide.errors import BadTrainingData
from confide.understand.normalise import asr_text

ADDED_FILE = "catalog.jsonl"
"""Where entries added at run time are kept, inside the data folder."""
SLOT_KINDS = {
    "artist": "artist",
    "track": "song",
    "playlist": "playlist",
    "genre": "genre",
    "city": "city",
    "country": "country",
    "state": "state",
}
"""Which catalog kind a slot's value is linked to; other slots are not linked."""
MIN_SCORE = 0.8
"""Below this similarity (0 to 1) a value is left unlinked."""
SOUND_FLOOR = 0.7
"""Letter similarity below which how a value sounds is not weighed: sounding alike rescues a
misspelt name, never a different one ("paris" and "perez" share their metaphone code)."""
CANDIDATES = 5
"""Names nearest in letters whose sound is compared."""
_ARTICLE = re.compile(r"^(?:the|a) ")


@dataclass(frozen=True)
class Entry:
    """One thing the catalog knows."""

    id: str
    """Stable identifier, e.g. "artist:beyonce"."""
    kind: str
    """What it is: artist, song, playlist, genre, city, country or state."""
    name: str
    """Its usual written name."""
    aliases: tuple[str, ...] = ()
    """Other names it goes by ("USA" for the United States)."""


@dataclass(frozen=True)
class Link:
    """A slot value tied to a catalog entry."""

    id: str
    """The entry's identifier."""
    score: float
    """Similarity of the heard value to the entry's closest name, 0 to 1."""


def key(name: str) -> str:
    """The form names are compared in: spoken, without a leading article."""
    return _ARTICLE.sub("", asr_text(name))


def likeness(heard: str, name: str, letters: float) -> float:
    """How alike a heard value and a name are, 0 to 1: their `letters` similarity, raised
    halfway towards how alike they sound."""
    sounds = fuzz.ratio(jellyfish.metaphone(heard), jellyfish.metaphone(name)) / 100
    return max(letters, (letters + sounds) / 2)


class Catalog:
    """Entries by kind, with a fuzzy index over every name and alias."""

    def __init__(self, entries: list[Entry], added_file: Path | None = None) -> None:
        self._entries: dict[str, Entry] = {}
        self._keys: dict[str, dict[str, str]] = {}
        """kind -> spoken name -> entry id."""
        self._joined: dict[str, dict[str, str]] = {}
        """The same with spaces removed, since recognisers split and join words ("ac dc")."""
        self._added_file = added_file
        for entry in entries:
            self._index(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def get(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)

    def add(self, entry: Entry) -> None:
        """Add (or replace) an entry, and keep it in the data folder when there is one."""
        self._index(entry)
        if self._added_file is not None:
            self._added_file.parent.mkdir(parents=True, exist_ok=True)
            with self._added_file.open("a", encoding="utf-8") as file:
                file.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")

    def link(self, kind: str, value: str) -> Link | None:
        """The entry of `kind` whose name is closest to `value`, if close enough."""
        heard = key(value)
        best: Link | None = None
        for names, query in ((self._keys, heard), (self._joined, heard.replace(" ", ""))):
            choices = names.get(kind)
            if not choices or not query:
                continue
            nearest = process.extract(
                query,
                choices.keys(),
                scorer=fuzz.ratio,
                score_cutoff=100 * SOUND_FLOOR,
                limit=CANDIDATES,
            )
            for name, letters, _ in nearest:
                score = round(likeness(query, name, letters / 100), 3)
                if score >= MIN_SCORE and (best is None or score > best.score):
                    best = Link(choices[name], score)
        return best

    def _index(self, entry: Entry) -> None:
        previous = self._entries.get(entry.id)
        for index in (self._keys, self._joined):
            if previous is not None:
                names = index[previous.kind]
                for name in [name for name, owner in names.items() if owner == entry.id]:
                    del names[name]
        self._entries[entry.id] = entry
        for name in (entry.name, *entry.aliases):
            if spoken := key(name):
                self._keys.setdefault(entry.kind, {}).setdefault(spoken, entry.id)
                self._joined.setdefault(entry.kind, {}).setdefault(
                    spoken.replace(" ", ""), entry.id
                )


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """The shipped catalog, plus the entries added in `data_dir` (kept there from now on)."""
    shipped = resources.files("confide.understand") / "resources" / "catalog.json"
    entries = [_entry(item, "catalog.json") for item in json.loads(shipped.read_text())["entries"]]
    added_file = data_dir / ADDED_FILE if data_dir is not None else None
    if added_file is not None and added_file.exists():
        for number, line in enumerate(added_file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                entries.append(_entry(_json_line(line, added_file, number), str(added_file)))
    return Catalog(entries, added_file)


def _json_line(line: str, path: Path, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadTrainingData(f"{path}: line {number}: not JSON: {exc.msg}") from exc


def _entry(item: Any, source: str) -> Entry:
    try:
        return Entry(
            id=str(item["id"]),
            kind=str(item["kind"]),
            name=str(item["name"]),
            aliases=tuple(str(alias) for alias in item.get("aliases", ())),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise BadTrainingData(f"{source}: not a catalog entry: {item!r}") from exc
