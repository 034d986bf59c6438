"""Load demonstration data: a few organisations and people to explore the exchange with."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts import services as accounts
from ideagora.accounts.models import User
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Organization, OrganizationKind, Role
from ideagora.passwords import hash_password

logger = logging.getLogger(__name__)

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


DEMO_ORGANIZATIONS = (
    DemoOrganization(
        "Northwind Polymers",
        OrganizationKind.COMPANY,
        (
            DemoPerson("Ada Okafor", "ada@northwind.example", Role.ADMIN),
            DemoPerson("Ben Lindqvist", "ben@northwind.example", Role.LICENSING_OFFICER),
            DemoPerson("Chen Wei", "chen@northwind.example", Role.MEMBER),
        ),
    ),
    DemoOrganization(
        "University of Eastmoor",
        OrganizationKind.UNIVERSITY,
        (
            DemoPerson("Dr Dana Ferreira", "dana@eastmoor.example", Role.ADMIN),
            DemoPerson("Elif Kaya", "elif@eastmoor.example", Role.LICENSING_OFFICER),
        ),
    ),
    DemoOrganization(
        "Halden Institute for Energy Research",
        OrganizationKind.INSTITUTE,
        (
            DemoPerson("Farid Haddad", "farid@halden.example", Role.ADMIN),
            DemoPerson("Greta Novak", "greta@halden.example", Role.MEMBER),
        ),
    ),
    DemoOrganization(
        "Ines Duarte",
        OrganizationKind.INDIVIDUAL,
        (DemoPerson("Ines Duarte", "ines@duarte.example", Role.ADMIN),),
    ),
)


def load(session: Session) -> dict[str, int]:
    """Create the demo organisations and people that do not exist yet; return what was added."""
    added = {"organizations": 0, "users": 0}
    for spec in DEMO_ORGANIZATIONS:
        exists = session.scalar(
            sa.select(Organization.id).where(
                Organization.name_key == organizations.name_key(spec.name)
            )
        )
        if exists is not None:
            continue
        _create_organization(session, spec)
        added["organizations"] += 1
        added["users"] += len(spec.people)
    logger.info(
        "demo data: %d organisations and %d users added", added["organizations"], added["users"]
    )
    return added


def _create_organization(session: Session, spec: DemoOrganization) -> None:
    founder, *others = spec.people
    user = accounts.find_user_by_email(session, founder.email) or accounts.register(
        session,
        accounts.Registration(
            founder.name, founder.email, DEMO_PASSWORD, spec.name, spec.kind.value
        ),
        ip_address=None,
    )
    organization = user.organization
    for person in others:
        if accounts.find_user_by_email(session, person.email) is not None:
            continue
        invitation = organizations.invite(
            session, organization, user, person.email, person.role, ip_address=None
        )
        member = User(
            name=person.name, email=person.email, password_hash=hash_password(DEMO_PASSWORD)
        )
        session.add(member)
        session.flush()
        organizations.join_by_invitation(session, invitation, member, ip_address=None)
