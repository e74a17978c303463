"""The names a household has told Confide, gathered for protecting one of its clips.

Its people's names, the household's own name, and the name words on its lists and timers ("call
Maria Lopez"): all sealed, opened here by the server only, held in memory for one clip's
protection and never written anywhere. Erased people are left out: their keys are gone.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.privacy.contexts import (
    household_name_context,
    person_name_context,
    skill_item_context,
)
from confide.privacy.keys import KeyRing
from confide.protect.known_names import KnownNames, name_words, namelike
from confide.store.tables import Household, Person, SkillItem


def household_names(session: Session, keyring: KeyRing, owner_id: str) -> KnownNames:
    """Every name known to the household of `owner_id`."""
    owner = session.get(Person, owner_id)
    if owner is None:
        return KnownNames(frozenset())
    people = session.scalars(
        select(Person).where(Person.household_id == owner.household_id, Person.erased_at.is_(None))
    ).all()
    words: set[str] = set()
    for person in people:
        name = keyring.open(session, person.id, person.name_sealed, person_name_context(person.id))
        words.update(name_words(name.decode()))
        words.update(_namelike_in(_item_texts(session, keyring, person.id)))
    home = session.get(Household, owner.household_id)
    if home is not None:
        sealed = keyring.open(session, home.id, home.name_sealed, household_name_context(home.id))
        words.update(_namelike_in([sealed.decode()]))
    return KnownNames(frozenset(words))


def _item_texts(session: Session, keyring: KeyRing, person_id: str) -> list[str]:
    """The words a person's list entries and timers hold."""
    texts: list[str] = []
    for item in session.scalars(select(SkillItem).where(SkillItem.owner_id == person_id)):
        payload = keyring.open_json(
            session, person_id, item.payload_sealed, skill_item_context(item.id)
        )
        texts += [value for value in payload.values() if isinstance(value, str)]
    return texts


def _namelike_in(texts: Iterable[str]) -> set[str]:
    """The words of `texts` that may be names: "call maria lopez" -> {"maria", "lopez"}."""
    return {word for text in texts for word in name_words(text) if namelike(word)}
