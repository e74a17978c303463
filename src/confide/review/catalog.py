"""The catalog as reviewers grow it: searching it while linking, adding a name it lacks, and a
lead's decision on each addition.

A reviewer who hears an artist the catalog does not know adds it while annotating; it links at
once under a new id ('artist:<slug>') and is `proposed`. A lead then merges it into an entry the
catalog already had (the added name becomes that entry's alias, so the linker finds that entry
under it, and labels linked to the addition's own id lead there: `merged_ids`) or rejects it.
Every addition not rejected is part of the catalog the models learn from (`added_entries`). A
name the catalog already knows, under any spelling that reads the same, is not added twice: it
links to the entry that has it.

Additions are public names (the catalog's kinds), so they are kept in plaintext; the audit chain
records who added, merged or rejected which addition by its id, never the name, since the chain
cannot forget a name proposed by mistake.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import AccessDenied, Conflict, Malformed, NotFound, OutOfRange, UnknownChoice
from confide.privacy.audit import Access, append
from confide.review.staff import roles_of
from confide.store.tables import CatalogAddition, StaffMember
from confide.understand.catalog import ADDED_FILE, SLOT_KINDS, Catalog, Entry, load_catalog
from confide.understand.catalog import key as spoken_key

KINDS = frozenset(SLOT_KINDS.values())
"""What an addition may be: the kinds slots link to."""
MAX_NAME = 200
"""The longest name an addition may have (the column's width)."""
MAX_QUERY = 100
"""The longest search text heard."""
MAX_RESULTS = 25
"""The most entries one search returns."""
MIN_SEARCH_SCORE = 0.5
"""Below this similarity (0 to 1) a search leaves an entry out."""
PROPOSED, MERGED, REJECTED = "proposed", "merged", "rejected"
_SLUG_CUT = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Found:
    """One search result."""

    entry: Entry
    """The entry, with the aliases added names gave it."""
    score: float
    """How close its nearest name is to the search text, 0 to 1."""
    proposed: bool
    """True for an addition no lead has decided on yet."""


@lru_cache(maxsize=16384)
def _key(name: str) -> str:
    """Names compare as the linker compares them; cached, as each search reads every name."""
    return spoken_key(name)


def added_entries(session: Session, base: Catalog | None = None) -> list[Entry]:
    """Every addition not rejected, as catalog entries (a merged one as an alias of its target).

    A merged name comes back as its whole target entry from `base` (the shipped catalog unless
    given) with the merged names among its aliases, so that adding the result to a catalog
    keeps the entry's own name and aliases."""
    known = base if base is not None else _shipped()
    additions = session.scalars(
        select(CatalogAddition)
        .where(CatalogAddition.status != REJECTED)
        .order_by(CatalogAddition.created_at, CatalogAddition.id)
    )
    entries: dict[str, Entry] = {}
    merged: dict[str, list[tuple[str, str]]] = {}
    for addition in additions:
        if addition.status == PROPOSED:
            entries[addition.entry_id] = Entry(addition.entry_id, addition.kind, addition.name)
        else:
            merged.setdefault(addition.entry_id, []).append((addition.kind, addition.name))
    for entry_id, names in merged.items():
        kind, first = names[0]
        target = entries.get(entry_id) or known.get(entry_id) or Entry(entry_id, kind, first)
        extra = [name for _, name in names if name not in (target.name, *target.aliases)]
        entries[entry_id] = replace(target, aliases=(*target.aliases, *extra))
    return list(entries.values())


def with_additions(session: Session, base: Catalog) -> Catalog:
    """`base` with every addition not rejected: proposed entries added, merged names as aliases
    of the entries they were merged into."""
    entries = {entry.id: entry for entry in base}
    entries.update((entry.id, entry) for entry in added_entries(session, base))
    return Catalog(list(entries.values()))


@lru_cache(maxsize=1)
def _shipped() -> Catalog:
    return load_catalog()


def search(
    session: Session,
    base: Catalog,
    text: str,
    *,
    kind: str | None = None,
    limit: int = 10,
) -> list[Found]:
    """The entries (of `kind`, if given) whose names are nearest `text`, best first."""
    if len(text) > MAX_QUERY:
        raise OutOfRange(f"a search is at most {MAX_QUERY} characters")
    if not 1 <= limit <= MAX_RESULTS:
        raise OutOfRange(f"a search returns 1 to {MAX_RESULTS} entries")
    if kind is not None and kind not in KINDS:
        raise UnknownChoice(f"kind must be one of {', '.join(sorted(KINDS))}")
    query = _key(text)
    if not query:
        return []
    catalog = with_additions(session, base)
    proposed = set(
        session.scalars(select(CatalogAddition.entry_id).where(CatalogAddition.status == PROPOSED))
    )
    names: list[str] = []
    owners: list[Entry] = []
    for entry in catalog:
        if kind is None or entry.kind == kind:
            for name in (entry.name, *entry.aliases):
                names.append(_key(name))
                owners.append(entry)
    best: dict[str, Found] = {}
    hits = process.extract(
        query, names, scorer=fuzz.WRatio, limit=None, score_cutoff=100 * MIN_SEARCH_SCORE
    )
    for _, score, index in hits:
        entry = owners[index]
        if entry.id not in best or best[entry.id].score < score / 100:
            best[entry.id] = Found(entry, round(score / 100, 3), entry.id in proposed)
    ranked = sorted(best.values(), key=lambda found: (-found.score, found.entry.name))
    return ranked[:limit]


def merged_ids(session: Session) -> dict[str, str]:
    """Where links to merged additions lead now: the id each was added under, to the id of the
    entry it was merged into. Labels keep the id a reviewer linked; read them through this."""
    rows = session.execute(
        select(CatalogAddition.proposed_id, CatalogAddition.entry_id).where(
            CatalogAddition.status == MERGED
        )
    )
    return {proposed: entry for proposed, entry in rows}


def in_data_dir(data_dir: Path) -> Catalog:
    """The catalog as the last learn run left it in the data folder, loaded again only when
    its file changed."""
    added = data_dir / ADDED_FILE
    return _loaded(data_dir, added.stat().st_mtime_ns if added.exists() else 0)


@lru_cache(maxsize=4)
def _loaded(data_dir: Path, _stamp: int) -> Catalog:
    return load_catalog(data_dir)


def resolve(session: Session, base: Catalog, entry_id: str) -> Entry:
    """The entry a link names, among the catalog and the additions not rejected (a merged
    addition's id names the entry it was merged into); UnknownChoice (refused as input) when
    there is none."""
    catalog = with_additions(session, base)
    entry = catalog.get(entry_id) or catalog.get(merged_ids(session).get(entry_id, ""))
    if entry is None:
        raise UnknownChoice(f"no catalog entry {entry_id!r}: search the catalog, or add it")
    return entry


def propose(
    session: Session,
    base: Catalog,
    member: StaffMember,
    kind: str,
    name: str,
    *,
    task_id: str | None,
    now: datetime,
) -> str:
    """The entry id `name` links to: the entry of `kind` that already has that name, or a new
    proposed addition's. Audited when an addition is made."""
    _require(member, {"reviewer", "lead"}, "label clips")
    if kind not in KINDS:
        raise UnknownChoice(f"kind must be one of {', '.join(sorted(KINDS))}")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or _CONTROL.search(name):
        raise Malformed(f"a catalog name is 1 to {MAX_NAME} printable characters")
    catalog = with_additions(session, base)
    known = catalog.link(kind, name)
    if known is not None and known.score >= 1.0:
        return known.id
    entry_id = _free_id(session, catalog, kind, name)
    addition = CatalogAddition(
        id=uuid.uuid4().hex,
        entry_id=entry_id,
        proposed_id=entry_id,
        kind=kind,
        name=name,
        status=PROPOSED,
        added_by=member.id,
        task_id=task_id,
        created_at=now,
    )
    session.add(addition)
    role = "reviewer" if "reviewer" in roles_of(member) else "lead"
    _audit(session, member, role, "catalog_propose", addition, f"added a {kind} to the catalog")
    session.flush()
    return addition.entry_id


def link_slot(
    session: Session,
    base: Catalog,
    member: StaffMember,
    slot_name: str,
    link: str | tuple[str, str],
    *,
    task_id: str | None,
    now: datetime,
) -> str:
    """The entry a labelled slot links to: `link` is an entry's id, which must exist, or a
    (kind, name) the catalog lacks, added first. The entry's kind must be the one the slot
    links to, so an artist slot never links to a city."""
    if isinstance(link, tuple):
        kind, name = link
        _same_kind(slot_name, kind)
        return propose(session, base, member, kind, name, task_id=task_id, now=now)
    entry = resolve(session, base, link)
    _same_kind(slot_name, entry.kind)
    return entry.id


def _same_kind(slot_name: str, kind: str) -> None:
    expected = SLOT_KINDS.get(slot_name)
    if expected is not None and kind != expected:
        raise UnknownChoice(f"the {slot_name} slot links to a {expected}, not a {kind}")


def pending(session: Session) -> list[CatalogAddition]:
    """The additions waiting for a lead, oldest first."""
    return list(
        session.scalars(
            select(CatalogAddition)
            .where(CatalogAddition.status == PROPOSED)
            .order_by(CatalogAddition.created_at, CatalogAddition.id)
        )
    )


def merge(
    session: Session,
    base: Catalog,
    member: StaffMember,
    addition_id: str,
    into: str,
    now: datetime,
) -> CatalogAddition:
    """A lead's decision that the addition is an entry the catalog had: its name becomes that
    entry's alias, as do the names merged into the addition before."""
    _require(member, {"lead"}, "merge catalog additions")
    addition = _undecided(session, addition_id)
    target = resolve(session, base, into)
    if target.id == addition.entry_id:
        raise Conflict("an addition cannot be merged into itself")
    if target.kind != addition.kind:
        raise Conflict(f"a {addition.kind} cannot be merged into a {target.kind}")
    merged_from = addition.entry_id
    for follower in session.scalars(
        select(CatalogAddition).where(CatalogAddition.entry_id == merged_from)
    ):
        follower.entry_id = target.id
    _decide(addition, MERGED, member, now)
    _audit(session, member, "lead", "catalog_merge", addition, f"merged an added {addition.kind}")
    session.flush()
    return addition


def reject(
    session: Session, member: StaffMember, addition_id: str, now: datetime
) -> CatalogAddition:
    """A lead's decision that the addition is not a catalog entry: it leaves the catalog."""
    _require(member, {"lead"}, "reject catalog additions")
    addition = _undecided(session, addition_id)
    _decide(addition, REJECTED, member, now)
    reason = f"rejected an added {addition.kind}"
    _audit(session, member, "lead", "catalog_reject", addition, reason)
    session.flush()
    return addition


def slug(name: str) -> str:
    """The id-safe form of a name: ASCII letters and digits joined by hyphens ('Sigur Rós' is
    'sigur-ros'); a name with no such letters gets a digest of itself."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return words[:_SLUG_CUT].rstrip("-") or hashlib.sha256(name.encode()).hexdigest()[:12]


def _free_id(session: Session, catalog: Catalog, kind: str, name: str) -> str:
    """'kind:slug', numbered when another entry, or any addition ever, has had it."""
    stem = f"{kind}:{slug(name)}"
    taken = set(
        session.scalars(
            select(CatalogAddition.proposed_id).where(
                CatalogAddition.proposed_id.startswith(stem, autoescape=True)
            )
        )
    )
    candidate, number = stem, 1
    while candidate in taken or catalog.get(candidate) is not None:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _undecided(session: Session, addition_id: str) -> CatalogAddition:
    addition = session.get(CatalogAddition, addition_id)
    if addition is None:
        raise NotFound("no such catalog addition")
    if addition.status != PROPOSED:
        raise Conflict(f"this addition was already {addition.status}")
    return addition


def _decide(addition: CatalogAddition, status: str, member: StaffMember, now: datetime) -> None:
    addition.status, addition.decided_by, addition.decided_at = status, member.id, now


def _require(member: StaffMember, roles: set[str], what: str) -> None:
    if not (roles_of(member) & roles) or not member.active:
        raise AccessDenied(f"only {' or '.join(sorted(roles))} staff may {what}")


def _audit(
    session: Session,
    member: StaffMember,
    role: str,
    action: str,
    addition: CatalogAddition,
    reason: str,
) -> None:
    subject = f"catalog_addition:{addition.id}"
    append(session, Access(member.pseudonym, role, action, subject, reason))
