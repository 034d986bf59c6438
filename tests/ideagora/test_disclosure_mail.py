"""Access-request notices travel by e-mail through a real SMTP server, with no confidential text."""

from __future__ import annotations

from typing import Any

import pytest

from ideagora import create_app
from ideagora.accounts.models import User
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.disclosure import acceptance, decisions, services
from ideagora.organizations.models import Role
from tests.ideagora.proposal_world import challenge_data
from tests.services.smtp import start_smtp_server

BRIEF = "CANARY-mailed-brief-5b20"


@pytest.fixture
def smtp_server():
    server = start_smtp_server()
    yield server
    server.stop()


@pytest.fixture
def mailing_app(app_config, smtp_server, driver):
    app_config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER="Ideagora <exchange@example.org>",
        PUBLIC_BASE_URL="https://exchange.example.org",
    )
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    driver.app = app
    yield app
    with app.app_context():
        db.engine.dispose()


def _user(person: Any) -> User:
    return db.session.get(User, person.id)


def _world(driver, app, *, anonymous: bool) -> dict[str, Any]:
    seeker = driver.person(organization="Capsule Foods")
    world = {
        "seeker": seeker,
        "officer": driver.person(organization=seeker.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=seeker.organization_id, role=Role.MEMBER),
        "solver admin": driver.person(organization="Westfield University", kind="university"),
    }
    world["signer"] = driver.person(
        organization=world["solver admin"].organization_id, role=Role.MEMBER
    )
    with app.app_context():
        owner = _user(seeker)
        challenge = challenges.create_challenge(
            db.session,
            owner,
            challenge_data(confidential_brief=f"Target cost. {BRIEF}", anonymous=anonymous),
            ip_address=None,
        )
        challenges.change_status(db.session, owner, challenge, "publish", ip_address=None)
        challenge.nda_approval_required = True
        db.session.commit()
        world["challenge_id"] = challenge.id
        world["pseudonym"] = challenge.pseudonym
    return world


def _request(world: dict[str, Any]) -> int:
    signer = _user(world["signer"])
    challenge = services.listing_of(db.session, signer, "challenges", world["challenge_id"])
    shown = services.nda_for(db.session, signer, challenge)
    grant, _ = acceptance.accept_nda(
        db.session,
        signer,
        challenge,
        sha256=shown.sha256,
        signer_name=signer.name,
        assent=True,
        fresh_login=True,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0",
        channel="page",
    )
    db.session.commit()
    return grant.id


def _decide(world: dict[str, Any], grant_id: int, action: str, **extra: Any) -> None:
    officer = _user(world["officer"])
    grant = services.grant_for(db.session, officer, grant_id)
    getattr(decisions, action)(
        db.session, officer, grant, ip_address=None, user_agent="", channel="page", **extra
    )
    db.session.commit()


def _sent(smtp_server) -> list[tuple[str, str, str]]:
    return [
        (message["To"], message["Subject"], message.get_content())
        for message in smtp_server.mailbox.messages
        if "Join " not in message["Subject"]
    ]


# the mail path is the same on every database; one is enough for the real SMTP server
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_request_and_decisions_are_mailed_to_the_right_people(
    mailing_app, driver, smtp_server
) -> None:
    app = mailing_app
    world = _world(driver, app, anonymous=False)
    with app.app_context():
        grant_id = _request(world)
        owners_mail = _sent(smtp_server)
        assert sorted(to for to, _, _ in owners_mail) == sorted(
            [world["seeker"].email, world["officer"].email]
        )
        _, subject, body = owners_mail[0]
        assert subject == (
            "Westfield University asks to see the confidential part of "
            "“Recyclable barrier coating for paper cups”"
        )
        assert f"https://exchange.example.org/challenges/{world['challenge_id']}/access" in body
        smtp_server.mailbox.messages.clear()

        _decide(world, grant_id, "decline", reason="We already work with a coating partner.")
        requester_mail = _sent(smtp_server)
        assert sorted(to for to, _, _ in requester_mail) == sorted(
            [world["solver admin"].email, world["signer"].email]
        )
        _, subject, body = requester_mail[0]
        assert (
            subject == "Your request for “Recyclable barrier coating for paper cups” was declined"
        )
        assert "The owner's reason: We already work with a coating partner." in body
        assert f"https://exchange.example.org/challenges/{world['challenge_id']}" in body
        for _, _, text in owners_mail + requester_mail:
            assert BRIEF not in text
            assert "Confidential Information" not in text  # the NDA's text stays on the site


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_anonymous_seeker_stays_anonymous_in_the_requesters_mail(
    mailing_app, driver, smtp_server
) -> None:
    app = mailing_app
    world = _world(driver, app, anonymous=True)
    with app.app_context():
        grant_id = _request(world)
        smtp_server.mailbox.messages.clear()
        _decide(world, grant_id, "approve")
        mails = _sent(smtp_server)
        assert mails
        for _, subject, body in mails:
            assert "Capsule Foods" not in subject + body
            assert BRIEF not in body
        assert world["pseudonym"] in mails[0][2]
        assert "can now read its confidential part" in mails[0][2]
