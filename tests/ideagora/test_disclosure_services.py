"""Requests for a listing's confidential part through the services: evidence, grants, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.models import User
from ideagora.alerts.models import Notification
from ideagora.assets import services as assets
from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.disclosure import acceptance, access_log, decisions, services, templates
from ideagora.disclosure.access_log import access_log_csv
from ideagora.disclosure.models import (
    DisclosureEvent,
    DisclosureGrant,
    EventKind,
    GrantStatus,
    NdaAcceptance,
)
from ideagora.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ValidationFailed,
    record_security_event,
)
from ideagora.listings.services import access_of
from ideagora.organizations.models import Role
from licensing.disclosure import Access
from licensing.nda import text_sha256
from tests.ideagora.proposal_world import asset_data, challenge_data

BRIEF = "CANARY-service-brief-77c1"


def _user(person: Any) -> User:
    return db.session.get(User, person.id)


@pytest.fixture
def world(driver, app):
    seeker = driver.person(organization="Tessel Foods")
    people = {
        "seeker": seeker,
        "seeker officer": driver.person(
            organization=seeker.organization_id, role=Role.LICENSING_OFFICER
        ),
        "seeker member": driver.person(organization=seeker.organization_id, role=Role.MEMBER),
        "solver": driver.person(organization="Westfield University", kind="university"),
        "solver colleague": None,
        "outsider": driver.person(organization="Unrelated Instruments"),
    }
    people["solver colleague"] = driver.person(
        organization=people["solver"].organization_id, role=Role.MEMBER
    )
    with app.app_context():
        owner = _user(seeker)
        challenge = challenges.create_challenge(
            db.session,
            owner,
            challenge_data(confidential_brief=f"Cost target. {BRIEF}"),
            ip_address=None,
        )
        challenges.change_status(db.session, owner, challenge, "publish", ip_address=None)
        challenge.nda_approval_required = True
        db.session.commit()
        people["challenge_id"] = challenge.id
    return people


def _challenge(world: dict) -> Challenge:
    return db.session.get(Challenge, world["challenge_id"])


def _accept(world: dict, who: str = "solver", **changes: Any) -> tuple[DisclosureGrant, bool]:
    user = _user(world[who])
    challenge = _challenge(world)
    shown = services.nda_for(db.session, user, challenge)
    arguments = {
        "sha256": shown.sha256,
        "signer_name": user.name,
        "assent": True,
        "fresh_login": True,
        "ip_address": "203.0.113.9",
        "user_agent": "Mozilla/5.0 (test)",
        "channel": "page",
        **changes,
    }
    return acceptance.accept_nda(db.session, user, challenge, **arguments)


def _decide(world: dict, grant_id: int, action: str, who: str = "seeker", **extra: Any):
    user = _user(world[who])
    grant = services.grant_for(db.session, user, grant_id)
    call = getattr(decisions, action)
    return call(
        db.session,
        user,
        grant,
        ip_address="198.51.100.4",
        user_agent="Mozilla/5.0 (owner)",
        channel="page",
        **extra,
    )


def test_the_acceptance_keeps_the_evidence_and_the_text_hashes_to_what_was_shown(
    app, world
) -> None:
    with app.app_context():
        shown = services.nda_for(db.session, _user(world["solver"]), _challenge(world))
        assert "Westfield University" in shown.text
        assert "Tessel Foods" in shown.text
        assert BRIEF not in shown.text
        assert shown.sha256 == text_sha256(shown.text)
        grant, created = _accept(world, signer_name="  Ada   Lovelace ")
        db.session.commit()
        acceptance = db.session.get(NdaAcceptance, grant.acceptance_id)
        assert created
        assert grant.status is GrantStatus.PENDING
        assert (acceptance.sha256, acceptance.text) == (shown.sha256, shown.text)
        assert acceptance.signer_name == "Ada Lovelace"
        assert acceptance.assent_wording == shown.assent
        assert "Westfield University" in acceptance.assent_wording
        assert acceptance.ip_address == "203.0.113.9"
        assert acceptance.user_agent == "Mozilla/5.0 (test)"
        assert acceptance.template_version == shown.version.number
        assert acceptance.organization_id == world["solver"].organization_id
        assert grant.expires_at.year - acceptance.accepted_at.year == shown.version.term_years
        audit = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "nda.accepted")
        ).one()
        assert audit.details["sha256"] == shown.sha256
        assert audit.details["grant_status"] == "pending"


def test_evidence_rows_cannot_be_changed_or_deleted(app, world) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        acceptance = db.session.get(NdaAcceptance, grant.acceptance_id)
        acceptance.signer_name = "Someone Else"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalars(sa.select(DisclosureEvent)).first()
        db.session.delete(event)
        with pytest.raises(PermissionError):
            db.session.flush()


def test_approval_gives_the_organisation_the_confidential_part(app, world, outbox) -> None:
    outbox.clear()
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        solver, colleague = _user(world["solver"]), _user(world["solver colleague"])
        assert access_of(solver, _challenge(world)) is Access.PENDING
        subjects = [message["Subject"] for message in outbox]
        assert (
            subjects
            == [
                "Westfield University asks to see the confidential part of "
                "“Recyclable barrier coating for paper cups”"
            ]
            * 2
        )  # the seeker's admin and licensing officer, not its member
        assert all(BRIEF not in message.get_content() for message in outbox)
        _decide(world, grant.id, "approve", who="seeker officer")
        db.session.commit()
        assert access_of(solver, _challenge(world)) is Access.GRANTED
        assert access_of(colleague, _challenge(world)) is Access.GRANTED
        assert access_of(_user(world["outsider"]), _challenge(world)) is Access.NONE
        notices = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == solver.id)
        ).all()
        assert [n.title for n in notices] == [
            "Your request for “Recyclable barrier coating for paper cups” was approved"
        ]
        assert notices[0].emailed_at is not None


def test_no_approval_needed_grants_at_once(app, world) -> None:
    with app.app_context():
        _challenge(world).nda_approval_required = False
        db.session.commit()
        grant, _ = _accept(world)
        db.session.commit()
        assert grant.status is GrantStatus.ACTIVE
        assert access_of(_user(world["solver"]), _challenge(world)) is Access.GRANTED
        kinds = [
            event.kind
            for event in services.access_log(db.session, _user(world["seeker"]), _challenge(world))
        ]
        assert kinds == [EventKind.GRANTED]


def test_accepting_twice_changes_nothing(app, world) -> None:
    with app.app_context():
        first, created = _accept(world)
        db.session.commit()
        again, created_again = _accept(world, sha256="0" * 64, assent=False)
        db.session.commit()
        assert (created, created_again) == (True, False)
        assert again.id == first.id
        assert db.session.scalar(sa.select(sa.func.count(NdaAcceptance.id))) == 1


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"assent": False}, ValidationFailed, "Tick the box"),
        ({"signer_name": ""}, ValidationFailed, "Type your full name"),
        ({"signer_name": " x "}, ValidationFailed, "Type your full name"),
        ({"signer_name": "A" * 121}, ValidationFailed, "at most 120 characters"),
        ({"sha256": "0" * 64}, acceptance.StaleNda, "not the current text"),
        ({"sha256": ""}, acceptance.StaleNda, "not the current text"),
        ({"sha256": None}, acceptance.StaleNda, "not the current text"),
        ({"fresh_login": False}, FreshLoginRequired, "enter your password again"),
        ({"organization_id": -1}, acceptance.WrongOrganization, "your own organisation"),
    ],
)
def test_refused_acceptances_write_nothing(app, world, changes, error, message) -> None:
    with app.app_context():
        with pytest.raises(error) as raised:
            _accept(world, **changes)
        db.session.rollback()
        assert message in raised.value.message
        assert (_count(NdaAcceptance), _count(DisclosureGrant), _count(DisclosureEvent)) == (
            0,
            0,
            0,
        )


def test_a_stale_hash_shows_the_current_text_and_is_a_security_event(app, world) -> None:
    with app.app_context():
        user = _user(world["solver"])
        with pytest.raises(acceptance.StaleNda) as raised:
            _accept(world, sha256="f" * 64)
        db.session.rollback()
        assert (
            raised.value.nda.sha256 == services.nda_for(db.session, user, _challenge(world)).sha256
        )
        with app.test_request_context("/challenges/1/nda", method="POST"):
            record_security_event(raised.value)
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "nda.hash_mismatch" in actions


@pytest.mark.parametrize(
    ("who", "setup", "error", "message"),
    [
        ("seeker", None, Conflict, "owns this listing"),
        ("solver", "draft", NotFound, "no such challenge"),
        ("solver", "closed", NotFound, "not open for requests"),
    ],
)
def test_who_and_what_may_be_requested(app, world, driver, who, setup, error, message) -> None:
    with app.app_context():
        challenge = _challenge(world)
        if setup == "draft":
            draft = challenges.create_challenge(
                db.session, _user(world["seeker"]), challenge_data(), ip_address=None
            )
            db.session.commit()
            world = {**world, "challenge_id": draft.id}
            with pytest.raises(error) as raised:
                services.listing_of(db.session, _user(world[who]), "challenges", draft.id)
        else:
            if setup == "closed":
                challenges.change_status(
                    db.session, _user(world["seeker"]), challenge, "close", ip_address=None
                )
                db.session.commit()
            with pytest.raises(error) as raised:
                _accept(world, who=who)
        assert message in raised.value.message.lower() or message in raised.value.message


def test_a_decline_needs_a_reason_and_a_new_request_waits_for_the_cooldown(app, world) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        with pytest.raises(ValidationFailed) as raised:
            _decide(world, grant.id, "decline", reason="   ")
        db.session.rollback()
        assert "reason" in raised.value.fields
        _decide(world, grant.id, "decline", reason="We work with a partner already.")
        db.session.commit()
        state = services.request_state(db.session, _user(world["solver"]), _challenge(world))
        assert state.grant.status is GrantStatus.DECLINED
        assert state.grant.decision_reason == "We work with a partner already."
        assert not state.may_request
        assert state.retry_at is not None
        with pytest.raises(RateLimited) as limited:
            _accept(world)
        db.session.rollback()
        assert limited.value.retry_after > 3600
        # a day later the organisation may ask again, under a new acceptance
        grant = db.session.get(DisclosureGrant, grant.id)
        db.session.execute(
            sa.update(DisclosureGrant)
            .where(DisclosureGrant.id == grant.id)
            .values(decided_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
        again, created = _accept(world)
        db.session.commit()
        assert created
        assert again.id != grant.id
        assert again.status is GrantStatus.PENDING


def test_revocation_and_expiry_end_access(app, world) -> None:
    with app.app_context():
        _challenge(world).nda_approval_required = False
        db.session.commit()
        grant, _ = _accept(world)
        db.session.commit()
        solver = _user(world["solver"])
        _decide(world, grant.id, "revoke", reason="The project ended.")
        db.session.commit()
        assert access_of(solver, _challenge(world)) is Access.NONE
        with pytest.raises(Conflict):
            _decide(world, grant.id, "revoke", reason="")
        db.session.rollback()
        # the cooldown also follows a revocation; once past it, a new grant can expire
        db.session.execute(
            sa.update(DisclosureGrant).values(revoked_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
        fresh, _ = _accept(world)
        db.session.commit()
        # after a revocation only the owner lets the organisation in again
        assert fresh.status is GrantStatus.PENDING
        assert access_of(solver, _challenge(world)) is Access.PENDING
        _decide(world, fresh.id, "approve")
        db.session.commit()
        assert access_of(solver, _challenge(world)) is Access.GRANTED
        db.session.execute(
            sa.update(DisclosureGrant)
            .where(DisclosureGrant.id == fresh.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert access_of(solver, _challenge(world)) is Access.NONE
        state = services.request_state(db.session, solver, _challenge(world))
        assert state.expired
        assert state.may_request


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("seeker member", Forbidden),
        ("solver", NotFound),
        ("solver colleague", NotFound),
        ("outsider", NotFound),
    ],
)
def test_only_the_owners_managers_decide(app, world, who, error) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        for action, extra in (("approve", {}), ("decline", {"reason": "No."})):
            with pytest.raises(error):
                _decide(world, grant.id, action, who=who, **extra)
            db.session.rollback()
        assert db.session.get(DisclosureGrant, grant.id).status is GrantStatus.PENDING


def test_an_outsider_guessing_a_grant_id_meets_a_security_event(app, world) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        outsider = _user(world["outsider"])
        with pytest.raises(NotFound) as raised:
            services.grant_for(db.session, outsider, grant.id)
        with pytest.raises(NotFound) as missing:
            services.grant_for(db.session, outsider, grant.id + 1000)
        assert raised.value.message == missing.value.message
        with app.test_request_context("/grants/1/approve", method="POST"):
            record_security_event(raised.value)
            record_security_event(missing.value)
            record_security_event(raised.value)  # recorded once
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("disclosure.foreign_grant") == 1


def test_the_access_log_csv_neutralises_formulas(app, world) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        _decide(world, grant.id, "decline", reason='=HYPERLINK("http://x")')
        db.session.commit()
        events = services.access_log(db.session, _user(world["seeker"]), _challenge(world))
        text = access_log_csv(events)
        lines = text.splitlines()
        assert lines[0] == (
            "time_utc,event,user,email,organisation,ip_address,user_agent,channel,detail"
        )
        assert [line.split(",")[1] for line in lines[1:]] == ["requested", "declined"]
        assert "'=HYPERLINK" not in text  # the detail starts with the organisation's name
        assert ",=" not in text
        with pytest.raises(NotFound):
            services.access_log(db.session, _user(world["seeker member"]), _challenge(world))


def test_offers_take_requests_like_challenges(app, driver, world) -> None:
    with app.app_context():
        licensor = _user(world["solver"])
        offer = assets.create_asset(db.session, licensor, asset_data(), ip_address=None)
        assets.change_status(db.session, licensor, offer, "publish", ip_address=None)
        db.session.commit()
        seeker = _user(world["seeker"])
        shown = services.nda_for(db.session, seeker, offer)
        grant, created = acceptance.accept_nda(
            db.session,
            seeker,
            offer,
            sha256=shown.sha256,
            signer_name=seeker.name,
            assent=True,
            fresh_login=True,
            ip_address=None,
            user_agent="",
            channel="api",
        )
        db.session.commit()
        assert created
        assert grant.listing_type == "assets"
        assert access_of(seeker, offer) is Access.GRANTED


def test_two_officers_deciding_at_once_get_a_conflict_not_an_error(app, world) -> None:
    with app.app_context():
        grant, _ = _accept(world)
        db.session.commit()
        officer = _user(world["seeker officer"])
        loaded = services.grant_for(db.session, officer, grant.id)
        # the other officer's decision lands between this one's read and write
        db.session.execute(
            sa.update(DisclosureGrant)
            .where(DisclosureGrant.id == grant.id)
            .values(version=DisclosureGrant.version + 1)
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(Conflict) as raised:
            decisions.approve(
                db.session, officer, loaded, ip_address=None, user_agent="", channel="page"
            )
        db.session.rollback()
        assert "at the same moment" in raised.value.message
        assert db.session.get(DisclosureGrant, grant.id).status is GrantStatus.PENDING


def test_the_hash_covers_the_period_and_the_law(app, world) -> None:
    with app.app_context():
        seeker = _user(world["seeker"])
        template = templates.create_template(
            db.session,
            seeker,
            {
                "name": "Tessel short NDA",
                "kind": "one_way",
                "body": "{{ owner }} discloses to {{ recipient }} in confidence.",
                "term_years": 1,
                "governing_law": "the laws of Sweden",
                "purpose": "evaluating the challenge",
            },
            ip_address=None,
        )
        _challenge(world).nda_template_id = template.id
        db.session.commit()
        shown = services.nda_for(db.session, _user(world["solver"]), _challenge(world))
        assert "Confidentiality period: 1 year from acceptance" in shown.text
        assert "Governing law: the laws of Sweden" in shown.text
        # nobody accepted it yet, so the owner may correct it in place: the hash moves with it
        templates.update_template(
            db.session,
            seeker,
            template,
            {
                "name": "Tessel short NDA",
                "kind": "one_way",
                "body": "{{ owner }} discloses to {{ recipient }} in confidence.",
                "term_years": 10,
                "governing_law": "the laws of Narnia",
                "purpose": "evaluating the challenge",
            },
            ip_address=None,
        )
        db.session.commit()
        with pytest.raises(acceptance.StaleNda) as raised:
            _accept(world, sha256=shown.sha256)
        db.session.rollback()
        assert "Governing law: the laws of Narnia" in raised.value.nda.text


def test_an_anonymous_seekers_own_template_goes_unnamed(app, world) -> None:
    with app.app_context():
        seeker = _user(world["seeker"])
        template = templates.create_template(
            db.session,
            seeker,
            {
                "name": "Tessel Foods standard NDA",
                "kind": "one_way",
                "body": "{{ owner }} discloses to {{ recipient }} in confidence.",
                "term_years": 3,
                "governing_law": "the laws of Sweden",
                "purpose": "evaluating the challenge",
            },
            ip_address=None,
        )
        challenge = _challenge(world)
        challenge.nda_template_id = template.id
        challenge.anonymous = True
        db.session.commit()
        shown = services.nda_for(db.session, _user(world["solver"]), challenge)
        assert shown.template_name == "The seeker's NDA"
        assert "Tessel Foods" not in shown.text
        assert challenge.pseudonym in shown.text


def test_the_owners_own_reading_is_not_a_disclosure(app, world) -> None:
    with app.app_context():
        _challenge(world).nda_approval_required = False
        db.session.commit()
        _accept(world)
        for who in ("seeker", "seeker member", "solver"):
            access_log.record_view(
                db.session,
                _user(world[who]),
                _challenge(world),
                ip_address=None,
                user_agent="",
                channel="page",
            )
        db.session.commit()
        views = db.session.scalars(
            sa.select(DisclosureEvent).where(DisclosureEvent.kind == EventKind.VIEWED)
        ).all()
        assert [view.user_id for view in views] == [world["solver"].id]


@pytest.mark.parametrize("value", [str(2**31), str(2**63), "1" * 30])
def test_template_ids_beyond_any_record_are_refused(value) -> None:
    with pytest.raises(ValueError, match="template id"):
        templates.template_id(value)
