"""Confidential files under a grant: downloaded and logged while it lasts, refused after."""

from __future__ import annotations

import io

import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.attachments import services as attachments
from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.disclosure import acceptance, decisions, services
from ideagora.disclosure.models import DisclosureEvent, EventKind
from tests.helpers import without_csrf_tokens
from tests.ideagora.proposal_world import challenge_data

SECRET = b"CANARY-granted-file-0d3e"


def _world(driver, app) -> dict:
    seeker = driver.person(organization="Capsule Foods")
    grantee = driver.person(organization="Westfield University", kind="university")
    with app.app_context():
        owner = db.session.get(User, seeker.id)
        challenge = challenges.create_challenge(
            db.session, owner, challenge_data(), ip_address=None
        )
        challenges.change_status(db.session, owner, challenge, "publish", ip_address=None)
        attachment = attachments.add_attachment(
            db.session,
            owner,
            challenge,
            io.BytesIO(b"Cost model. " + SECRET + b"\n"),
            "cost-model.txt",
            confidential=True,
            ip_address=None,
        )
        signer = db.session.get(User, grantee.id)
        shown = services.nda_for(db.session, signer, challenge)
        grant, _ = acceptance.accept_nda(
            db.session,
            signer,
            challenge,
            sha256=shown.sha256,
            signer_name=signer.name,
            assent=True,
            fresh_login=True,
            ip_address=None,
            user_agent="",
            channel="page",
        )
        db.session.commit()
        return {
            "seeker": seeker,
            "grantee": grantee,
            "challenge_id": challenge.id,
            "attachment_id": attachment.id,
            "grant_id": grant.id,
        }


def test_a_grantee_downloads_until_the_grant_is_revoked(app, driver) -> None:
    world = _world(driver, app)
    client = driver.logged_in_client(world["grantee"])
    url = f"/attachments/{world['attachment_id']}"

    granted = client.get(url)
    assert granted.status_code == 200
    assert SECRET in granted.data
    with app.app_context():
        downloads = db.session.scalars(
            sa.select(DisclosureEvent).where(DisclosureEvent.kind == EventKind.DOWNLOADED)
        ).all()
        assert [(d.detail, d.channel, d.user_id) for d in downloads] == [
            ("cost-model.txt", "page", world["grantee"].id)
        ]
        owner = db.session.get(User, world["seeker"].id)
        grant = services.grant_for(db.session, owner, world["grant_id"])
        decisions.revoke(
            db.session, owner, grant, reason="", ip_address=None, user_agent="", channel="page"
        )
        db.session.commit()

    refused = client.get(url)
    missing = client.get("/attachments/999999")
    assert refused.status_code == missing.status_code == 404
    assert SECRET not in refused.data
    assert without_csrf_tokens(refused.data) == without_csrf_tokens(missing.data)
    api = driver.token(driver.app.test_client(), world["grantee"])
    assert driver.app.test_client().get(f"/api/v1{url}", headers=api).status_code == 404
    with app.app_context():
        refusals = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "attachment.access_refused")
        ).all()
        assert len(refusals) == 2  # the page and the API; the missing id is no security event
        assert {event.actor_user_id for event in refusals} == {world["grantee"].id}
