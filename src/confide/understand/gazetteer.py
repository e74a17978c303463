"""Known names, found in a word sequence: which words could be an artist, a city, a playlist.

Names seen as slot values in training and the catalog's entries both go in; the tagger and the
intent classifier learn how far to trust a match from where each kind of match occurs, so a
gazetteer helps without deciding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MAX_WORDS = 8
"""Longest name, in words, that is looked up."""


class Gazetteer:
    """Word sequences, each with the kinds of thing it names."""

    def __init__(self, names: Iterable[tuple[str, Sequence[str]]] = ()) -> None:
        self._kinds: dict[tuple[str, ...], set[str]] = {}
        self._lengths: dict[str, set[int]] = {}
        for kind, words in names:
            self.add(kind, words)

    def add(self, kind: str, words: Sequence[str]) -> None:
        if not words or len(words) > MAX_WORDS:
            return
        key = tuple(words)
        self._kinds.setdefault(key, set()).add(kind)
        self._lengths.setdefault(key[0], set()).add(len(key))

    def __len__(self) -> int:
        return len(self._kinds)

    def kinds(self, words: Sequence[str]) -> set[str]:
        """The kinds of every known name inside `words`."""
        return {kind for _, _, kind in self.matches(words)}

    def matches(self, words: Sequence[str]) -> list[tuple[int, int, str]]:
        """(start, end, kind) for every known name inside `words`, overlaps included."""
        found = []
        for start, word in enumerate(words):
            for length in self._lengths.get(word, ()):
                kinds = self._kinds.get(tuple(words[start : start + length]))
                if kinds and start + length <= len(words):
                    found += [(start, start + length, kind) for kind in kinds]
        return found
