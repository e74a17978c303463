"""Who a web request comes from once their session is found: a customer or a staff member, and
which route groups a staff member's roles admit them to.

Each route of the workbench names its group in `ACCESS`; everyone else gets 403. The table is
the authorisation matrix the tests walk.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from confide.review.staff import roles_of
from confide.service.accounts import person_name
from confide.service.runtime import Runtime
from confide.store.tables import Person, SignInSession, StaffMember

ACCESS: dict[str, frozenset[str]] = {
    "home": frozenset({"reviewer", "lead", "safety", "privacy_officer", "admin"}),
    "review": frozenset({"reviewer", "lead"}),
    "quality": frozenset({"lead"}),
    "safety": frozenset({"safety"}),
    "break_glass_view": frozenset({"lead", "safety", "privacy_officer"}),
    "break_glass_request": frozenset({"lead", "safety"}),
    "break_glass_decide": frozenset({"privacy_officer"}),
    "staff": frozenset({"admin"}),
    "metrics": frozenset({"admin"}),
}
"""Route group → the roles that may use it; everyone else gets 403."""


@dataclass(frozen=True)
class Customer:
    """The person a privacy-centre request comes from, as their session cookie proves."""

    person_id: str
    """Their id."""
    household_id: str
    """Their household (devices are paired into it)."""
    name: str
    """Their name, unsealed for the page header."""
    csrf_token: str
    """What every POST form of this session must send back."""


@dataclass(frozen=True)
class Staff:
    """The staff member a workbench request comes from, as their session cookie proves."""

    member: StaffMember
    """Their account row."""
    roles: frozenset[str]
    """Their roles."""
    csrf_token: str
    """What every POST form of this session must send back."""

    @property
    def pseudonym(self) -> str:
        return self.member.pseudonym

    @property
    def name(self) -> str:
        """What the page header shows: their pseudonym, since real names are not stored."""
        return self.member.pseudonym

    @property
    def groups(self) -> frozenset[str]:
        """The route groups their roles admit them to (the menus show only those)."""
        return frozenset(group for group, roles in ACCESS.items() if self.roles & roles)

    def may(self, group: str) -> bool:
        """Whether their roles admit them to the routes of `group`."""
        return group in self.groups


def customer(session: Session, rt: Runtime, found: SignInSession) -> Customer | None:
    """The person a live session names, unless their account was erased since."""
    person = session.get(Person, found.principal_id)
    if person is None or person.erased_at is not None:
        return None
    name = person_name(session, rt.keyring, person)
    return Customer(person.id, person.household_id, name, found.csrf_token)


def staff(session: Session, _rt: Runtime, found: SignInSession) -> Staff | None:
    """The staff member a live session names, unless their account was deactivated since."""
    member = session.get(StaffMember, found.principal_id)
    if member is None or not member.active:
        return None
    return Staff(member, roles_of(member), found.csrf_token)
