"""The demo organisations and their people, created through the registration services."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts import services as accounts
from ideagora.accounts.models import User
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Organization, OrganizationKind, Role
from ideagora.passwords import hash_password

# every demo account shares this password; the README says so
DEMO_PASSWORD = "ideagora-demo-2026"  # noqa: S105 - published in the README


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: Role


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    kind: OrganizationKind
    people: tuple[DemoPerson, ...]


def _person(name: str, email: str, role: Role = Role.MEMBER) -> DemoPerson:
    return DemoPerson(name, email, role)


ADMIN, OFFICER = Role.ADMIN, Role.LICENSING_OFFICER
DEMO_ORGANIZATIONS = (
    DemoOrganization(
        "Northwind Polymers",
        OrganizationKind.COMPANY,
        (
            _person("Ada Okafor", "ada@northwind.example", ADMIN),
            _person("Ben Lindqvist", "ben@northwind.example", OFFICER),
            _person("Chen Wei", "chen@northwind.example"),
        ),
    ),
    DemoOrganization(
        "University of Eastmoor",
        OrganizationKind.UNIVERSITY,
        (
            _person("Dr Dana Ferreira", "dana@eastmoor.example", ADMIN),
            _person("Elif Kaya", "elif@eastmoor.example", OFFICER),
            _person("Prof. Tomasz Zielinski", "tomasz@eastmoor.example"),
        ),
    ),
    DemoOrganization(
        "Halden Institute for Energy Research",
        OrganizationKind.INSTITUTE,
        (
            _person("Farid Haddad", "farid@halden.example", ADMIN),
            _person("Greta Novak", "greta@halden.example"),
            _person("Hanne Solberg", "hanne@halden.example", OFFICER),
        ),
    ),
    DemoOrganization(
        "Ines Duarte",
        OrganizationKind.INDIVIDUAL,
        (_person("Ines Duarte", "ines@duarte.example", ADMIN),),
    ),
    DemoOrganization(
        "Valdra Technical University",
        OrganizationKind.UNIVERSITY,
        (
            _person("Dr Jonas Brenner", "jonas@valdra.example", ADMIN),
            _person("Karin Aalto", "karin@valdra.example", OFFICER),
            _person("Dr Luca Moretti", "luca@valdra.example"),
        ),
    ),
    DemoOrganization(
        "Corvane Medical",
        OrganizationKind.COMPANY,
        (
            _person("Maya Richter", "maya@corvane.example", ADMIN),
            _person("Nikhil Rao", "nikhil@corvane.example", OFFICER),
            _person("Olivia Grant", "olivia@corvane.example"),
        ),
    ),
    DemoOrganization(
        "Aldergrove Foods",
        OrganizationKind.COMPANY,
        (
            _person("Pieter de Vries", "pieter@aldergrove.example", ADMIN),
            _person("Rosa Jimenez", "rosa@aldergrove.example"),
        ),
    ),
    DemoOrganization(
        "Tessel Mobility",
        OrganizationKind.COMPANY,
        (
            _person("Sven Holm", "sven@tessel.example", ADMIN),
            _person("Tara Quinn", "tara@tessel.example", OFFICER),
            _person("Umar Siddiqui", "umar@tessel.example"),
        ),
    ),
    DemoOrganization(
        "Kestrel Microsystems",
        OrganizationKind.COMPANY,
        (
            _person("Vera Lund", "vera@kestrel.example", ADMIN),
            _person("Wen Zhou", "wen@kestrel.example"),
        ),
    ),
)


class SharedHash:
    """Hash the demo password once, on first use: argon2 is slow on purpose."""

    def __init__(self) -> None:
        self._value: str | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = hash_password(DEMO_PASSWORD)
        return self._value


def load_organizations(session: Session, password_hash: SharedHash) -> dict[str, int]:
    """Create the demo organisations that do not exist yet, with their people."""
    added = {"organizations": 0, "users": 0}
    for spec in DEMO_ORGANIZATIONS:
        exists = session.scalar(
            sa.select(Organization.id).where(
                Organization.name_key == organizations.name_key(spec.name)
            )
        )
        if exists is None:
            added["users"] += _create_organization(session, spec, password_hash)
            added["organizations"] += 1
    return added


def _create_organization(
    session: Session, spec: DemoOrganization, password_hash: SharedHash
) -> int:
    founder, *others = spec.people
    created = 0
    admin = accounts.find_user_by_email(session, founder.email)
    if admin is None:
        admin = _user(session, founder, password_hash)
        created += 1
    organization = organizations.create_organization(
        session, admin, spec.name, spec.kind, ip_address=None
    )
    for person in others:
        if accounts.find_user_by_email(session, person.email) is not None:
            continue
        invitation = organizations.invite(
            session, organization, admin, person.email, person.role, ip_address=None
        )
        organizations.join_by_invitation(
            session, invitation, _user(session, person, password_hash), ip_address=None
        )
        created += 1
    return created


def demo_member(session: Session, email: str) -> User | None:
    """Return the demo person with this address if they still belong to their demo organisation."""
    user = accounts.find_user_by_email(session, email)
    home = next(
        (
            spec.name
            for spec in DEMO_ORGANIZATIONS
            for person in spec.people
            if person.email == email
        ),
        None,
    )
    if user is None or user.membership is None or home is None:
        return None
    # someone who left, or moved to another organisation, no longer posts for this one
    if user.membership.organization.name_key != organizations.name_key(home):
        return None
    return user


def _user(session: Session, person: DemoPerson, password_hash: SharedHash) -> User:
    # registration would hash the shared password again for every person
    user = User(name=person.name, email=person.email, password_hash=password_hash())
    session.add(user)
    session.flush()
    return user
