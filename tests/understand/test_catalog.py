"""Linking heard names to catalog entries, misheard ones included, and growing the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from confide.errors import BadTrainingData
from confide.understand.catalog import ADDED_FILE, Catalog, Entry, load_catalog


@pytest.mark.parametrize(
    ("kind", "heard", "entry"),
    [
        ("artist", "beyonce", "artist:beyonce"),
        ("artist", "Beyoncé", "artist:beyonce"),
        ("artist", "beyonse", "artist:beyonce"),
        ("artist", "the beetles", "artist:the-beatles"),
        ("artist", "beatles", "artist:the-beatles"),
        ("artist", "led zepplin", "artist:led-zeppelin"),
        ("artist", "elvis pressly", "artist:elvis-presley"),
        ("artist", "ac dc", "artist:ac-dc"),
        ("artist", "acdc", "artist:ac-dc"),
        ("artist", "madona", "artist:madonna"),
        ("artist", "ed shearan", "artist:ed-sheeran"),
        ("song", "amazing grays", "song:amazing-grace"),
        ("city", "san fransisco", "city:san-francisco"),
        ("city", "new york", "city:new-york-city"),
        ("country", "the usa", "country:united-states"),
        ("state", "calefornia", "state:california"),
        ("playlist", "work out", "playlist:workout"),
    ],
)
def test_links_names_and_misheard_names(kind: str, heard: str, entry: str) -> None:
    link = load_catalog().link(kind, heard)
    assert link is not None and link.id == entry
    assert 0.8 <= link.score <= 1.0


@pytest.mark.parametrize(
    ("kind", "heard"),
    [("artist", "my cousin's garage band"), ("city", "beyonce"), ("moon", "paris"), ("artist", "")],
)
def test_no_link_when_nothing_is_close(kind: str, heard: str) -> None:
    assert load_catalog().link(kind, heard) is None


@pytest.mark.parametrize(
    ("name", "heard", "linked"),
    [
        ("Catherine Knight", "kathryn night", True),
        ("Stephen Phillips", "steven filips", True),
        ("Philippa Grant", "filipa grant", True),
        ("Mikhail Orlov", "michael orloff", False),
        ("Christophe Roux", "kristof roo", False),
        ("Nora Kelly", "laura kelly", False),
        ("Mark Lane", "mike line", False),
    ],
)
def test_names_spelt_as_they_sound_are_linked_and_others_are_not(
    name: str, heard: str, linked: bool
) -> None:
    """Sound lifts a near spelling over the bar; it never links names that differ in letters."""
    catalog = Catalog([*load_catalog(), Entry("artist:new", "artist", name)])
    link = catalog.link("artist", heard)
    assert (link is not None and link.id == "artist:new") is linked


def test_exact_names_score_one() -> None:
    link = load_catalog().link("city", "Paris")
    assert link is not None and (link.id, link.score) == ("city:paris", 1.0)


def test_added_entries_are_linked_and_kept(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path)
    assert catalog.link("artist", "the quiet harbours") is None
    catalog.add(Entry("artist:quiet-harbours", "artist", "The Quiet Harbours", ("Quiet Harbors",)))
    assert (tmp_path / ADDED_FILE).exists()
    for current in (catalog, load_catalog(tmp_path)):
        link = current.link("artist", "the quiet harbors")
        assert link is not None and link.id == "artist:quiet-harbours"
    assert load_catalog().get("artist:quiet-harbours") is None


def test_an_added_entry_replaces_one_with_its_id(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path)
    catalog.add(Entry("artist:beyonce", "artist", "Queen Bey"))
    reloaded = load_catalog(tmp_path)
    assert len(reloaded) == len(load_catalog())
    link = reloaded.link("artist", "queen bey")
    assert link is not None and link.id == "artist:beyonce"
    assert reloaded.link("artist", "beyonce") is None


def test_a_damaged_added_file_names_the_line(tmp_path: Path) -> None:
    (tmp_path / ADDED_FILE).write_text('{"id": "a", "kind": "artist", "name": "A"}\n{oops\n')
    with pytest.raises(BadTrainingData, match=f"{ADDED_FILE}: line 2: not JSON"):
        load_catalog(tmp_path)


def test_the_shipped_catalog_is_small_and_unique() -> None:
    entries = list(load_catalog())
    assert 300 <= len(entries) <= 1000
    assert len({e.id for e in entries}) == len(entries)
    assert {e.kind for e in entries} == {
        "artist",
        "song",
        "playlist",
        "genre",
        "city",
        "country",
        "state",
    }
