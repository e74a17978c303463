"""Catalog additions: a reviewer adds a name while labelling, it links at once, a lead merges it
into an entry the catalog had or rejects it, and every step is audited without the name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from confide.errors import AccessDenied, Conflict, Malformed, NotFound, OutOfRange, UnknownChoice
from confide.privacy.audit import events
from confide.review.catalog import (
    added_entries,
    merge,
    merged_ids,
    pending,
    propose,
    reject,
    resolve,
    search,
    slug,
    with_additions,
)
from confide.store.tables import CatalogAddition, StaffMember
from confide.understand.catalog import Catalog, Entry, load_catalog

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BASE = Catalog(
    [
        Entry("artist:the-beatles", "artist", "The Beatles"),
        Entry("artist:beyonce", "artist", "Beyoncé", ("Beyonce Knowles",)),
        Entry("city:paris", "city", "Paris"),
    ]
)


def staff(session, team, login) -> StaffMember:
    return session.get(StaffMember, team[login].id)


def add(session, team, name, kind="artist", login="rhea") -> str:
    return propose(
        session, BASE, staff(session, team, login), kind, name, task_id="t" * 32, now=NOW
    )


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(CatalogAddition))


def test_an_added_name_links_at_once_and_waits_for_a_lead(session, team):
    entry_id = add(session, team, "  Phoebe   Bridgers ")
    assert entry_id == "artist:phoebe-bridgers"
    assert added_entries(session) == [Entry(entry_id, "artist", "Phoebe Bridgers")]
    assert resolve(session, BASE, entry_id).name == "Phoebe Bridgers"
    assert with_additions(session, BASE).link("artist", "phoebe bridgers").id == entry_id
    (waiting,) = pending(session)
    assert (waiting.status, waiting.added_by, waiting.task_id) == (
        "proposed",
        team["rhea"].id,
        "t" * 32,
    )


@pytest.mark.parametrize(
    ("name", "kind", "links_to"),
    [
        ("the beatles", "artist", "artist:the-beatles"),
        ("BEATLES", "artist", "artist:the-beatles"),
        ("Beyonce Knowles", "artist", "artist:beyonce"),
        ("Paris", "city", "city:paris"),
    ],
)
def test_a_name_the_catalog_has_is_not_added_again(session, team, name, kind, links_to):
    assert add(session, team, name, kind) == links_to
    assert count(session) == 0


def test_the_same_new_name_twice_is_one_addition(session, team):
    first = add(session, team, "Phoebe Bridgers")
    assert add(session, team, "phoebe bridgers", login="lena") == first
    assert count(session) == 1


def test_paris_the_artist_is_not_paris_the_city(session, team):
    assert add(session, team, "Paris", "artist") == "artist:paris"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sigur Rós", "sigur-ros"),
        ("AC/DC", "ac-dc"),
        ("  --Blink 182--  ", "blink-182"),
        ("x" * 300, "x" * 100),
    ],
)
def test_slugs(name, expected):
    assert slug(name) == expected


def test_a_name_of_no_latin_letters_gets_a_digest_id(session, team):
    entry_id = add(session, team, "坂本龍一")
    assert entry_id.startswith("artist:") and len(entry_id) == len("artist:") + 12
    assert add(session, team, "坂本龍一") == entry_id


def test_an_id_taken_by_a_rejected_addition_is_not_reused(session, team):
    lena = staff(session, team, "lena")
    first = add(session, team, "Fontaines DC")
    reject(session, lena, pending(session)[0].id, NOW)
    assert add(session, team, "fontaines dc") == f"{first}-2"


@pytest.mark.parametrize(
    ("login", "kind", "name", "error"),
    [
        ("rhea", "person", "Maria Lopez", UnknownChoice),
        ("rhea", "artist", "   ", Malformed),
        ("rhea", "artist", "x" * 201, Malformed),
        ("rhea", "artist", "bad\x00name", Malformed),
        ("sol", "artist", "Phoebe Bridgers", AccessDenied),
        ("ada", "artist", "Phoebe Bridgers", AccessDenied),
    ],
)
def test_bad_additions_are_refused(session, team, login, kind, name, error):
    with pytest.raises(error):
        add(session, team, name, kind, login)
    assert count(session) == 0


def test_a_merged_addition_becomes_an_alias_of_its_target(session, team):
    lena = staff(session, team, "lena")
    added = add(session, team, "Beyonse")  # a misspelling the linker would not reach
    earlier = add(session, team, "Queen Bey", login="remy")
    ids = {a.entry_id: a.id for a in pending(session)}
    merge(session, BASE, lena, ids[earlier], added, NOW)  # an addition into an addition
    merge(session, BASE, lena, ids[added], "artist:beyonce", NOW)
    assert pending(session) == []
    rows = session.scalars(select(CatalogAddition)).all()
    assert {(row.entry_id, row.status, row.decided_by) for row in rows} == {
        ("artist:beyonce", "merged", lena.id)
    }
    (entry,) = added_entries(session, BASE)
    assert (entry.id, entry.name) == ("artist:beyonce", "Beyoncé")
    assert set(entry.aliases) == {"Beyonce Knowles", "Beyonse", "Queen Bey"}
    (shipped,) = added_entries(session)  # against the shipped catalog's entry by default
    assert shipped.id == "artist:beyonce" and {"Beyonse", "Queen Bey"} <= set(shipped.aliases)
    catalog = with_additions(session, BASE)
    beyonce = catalog.get("artist:beyonce")
    assert beyonce.name == "Beyoncé" and "Beyonce Knowles" in beyonce.aliases
    assert catalog.link("artist", "queen bey").id == "artist:beyonce"
    assert search(session, BASE, "queen bey")[0].entry.id == "artist:beyonce"
    assert merged_ids(session) == {added: "artist:beyonce", earlier: "artist:beyonce"}
    assert resolve(session, BASE, added).id == "artist:beyonce"  # labels linked to it follow
    assert add(session, team, "beyonse") == "artist:beyonce"  # now an alias: no new addition


@pytest.mark.parametrize(
    ("login", "addition", "into", "error"),
    [
        ("rhea", "mine", "artist:beyonce", AccessDenied),
        ("lena", "unknown", "artist:beyonce", NotFound),
        ("lena", "mine", "artist:nobody", UnknownChoice),
        ("lena", "mine", "city:paris", Conflict),
        ("lena", "mine", "self", Conflict),
        ("lena", "decided", "artist:beyonce", Conflict),
    ],
)
def test_merges_refused(session, team, login, addition, into, error):
    entry_id = add(session, team, "Beyonse")
    (mine,) = pending(session)
    if addition == "decided":
        reject(session, staff(session, team, "lena"), mine.id, NOW)
    target = entry_id if into == "self" else into
    addition_id = "0" * 32 if addition == "unknown" else mine.id
    with pytest.raises(error):
        merge(session, BASE, staff(session, team, login), addition_id, target, NOW)


def test_a_rejected_addition_leaves_the_catalog(session, team):
    entry_id = add(session, team, "Not An Artist")
    (waiting,) = pending(session)
    with pytest.raises(AccessDenied):
        reject(session, staff(session, team, "remy"), waiting.id, NOW)
    reject(session, staff(session, team, "lena"), waiting.id, NOW)
    assert added_entries(session) == [] and pending(session) == []
    with pytest.raises(UnknownChoice):
        resolve(session, BASE, entry_id)
    assert search(session, BASE, "not an artist", kind="artist") == []
    with pytest.raises(Conflict):
        reject(session, staff(session, team, "lena"), waiting.id, NOW)


def test_every_step_is_audited_without_the_name(session, team):
    add(session, team, "Phoebe Bridgers")
    add(session, team, "Boygenius", login="lena")
    lena = staff(session, team, "lena")
    first, second = sorted(pending(session), key=lambda a: a.added_by != team["rhea"].id)
    reject(session, lena, first.id, NOW)
    merge(session, BASE, lena, second.id, "artist:the-beatles", NOW)
    written = [
        (e.actor, e.role, e.action, e.subject, e.owner_id)
        for e in events(session)
        if e.action.startswith("catalog_")
    ]
    assert written == [
        (
            team["rhea"].pseudonym,
            "reviewer",
            "catalog_propose",
            f"catalog_addition:{first.id}",
            None,
        ),
        (
            team["lena"].pseudonym,
            "reviewer",
            "catalog_propose",
            f"catalog_addition:{second.id}",
            None,
        ),
        (team["lena"].pseudonym, "lead", "catalog_reject", f"catalog_addition:{first.id}", None),
        (team["lena"].pseudonym, "lead", "catalog_merge", f"catalog_addition:{second.id}", None),
    ]
    chain = " ".join(f"{e.subject} {e.reason}" for e in events(session)).lower()
    assert "phoebe" not in chain and "boygenius" not in chain


@pytest.mark.parametrize(
    ("text", "kind", "first"),
    [
        ("beatles", None, "artist:the-beatles"),
        ("the beetles", None, "artist:the-beatles"),
        ("beyonce", None, "artist:beyonce"),
        ("beyon", "artist", "artist:beyonce"),
        ("pari", "city", "city:paris"),
        ("phoebe", None, "artist:phoebe-bridgers"),
    ],
)
def test_search_finds_entries_and_additions(session, team, text, kind, first):
    add(session, team, "Phoebe Bridgers")
    found = search(session, BASE, text, kind=kind)
    assert found[0].entry.id == first
    assert found[0].proposed == (first == "artist:phoebe-bridgers")
    assert all(kind is None or hit.entry.kind == kind for hit in found)
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)


def test_search_of_the_shipped_catalog_is_bounded(session):
    shipped = load_catalog()
    found = search(session, shipped, "taylor swift", limit=3)
    assert len(found) <= 3 and found[0].entry.id == "artist:taylor-swift"
    assert search(session, shipped, "   ") == []


@pytest.mark.parametrize(
    ("text", "kind", "limit"),
    [("x" * 101, None, 10), ("x", None, 0), ("x", None, 26), ("x", "person", 10)],
)
def test_search_refuses_what_it_cannot_bound(session, text, kind, limit):
    with pytest.raises((OutOfRange, UnknownChoice)):
        search(session, BASE, text, kind=kind, limit=limit)
