"""Proposals through the services: submitting, deciding, receipts, conflicts, mail and changes."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import db, utcnow
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.listings import services as listings
from ideagora.proposals import services
from ideagora.proposals.models import Proposal, ProposalStatus
from ideagora.proposals.queries import changes_since_submission, shown
from licensing.disclosure import Access
from tests.ideagora.proposal_world import (
    BODY_SECRET,
    BRIEF_SECRET,
    FEEDBACK_TEXT,
    build_world,
    decide,
    set_challenge,
    submit,
    user,
)


@pytest.fixture
def world(driver):
    return build_world(driver)


def _proposal(proposal_id: int) -> Proposal:
    return db.session.get(Proposal, proposal_id)


def test_full_flow_submit_shortlist_award(app, driver, world, outbox) -> None:
    outbox.clear()
    proposal_id = submit(driver, world, asset_id=world.solver_asset_id)
    decide(driver, proposal_id, "shortlist", world.seeker_officer)
    decide(driver, proposal_id, "award", world.seeker_admin)
    with app.app_context():
        proposal = _proposal(proposal_id)
        assert proposal.status is ProposalStatus.AWARDED
        assert proposal.asset_id == world.solver_asset_id
        assert proposal.decided_by_id == world.seeker_admin.id
        assert proposal.decided_at is not None
        assert proposal.challenge.status is ChallengeStatus.AWARDED
        actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-4:] == [
        "proposal.submitted",
        "proposal.shortlisted",
        "challenge.awarded",
        "proposal.awarded",
    ]
    subjects = [message["Subject"] for message in outbox]
    assert "New proposal to your challenge “Recyclable barrier coating for paper cups”" in subjects
    assert any(subject.endswith("was shortlisted") for subject in subjects)
    assert any(subject.endswith("was awarded") for subject in subjects)


def test_the_receipt_is_recomputable_from_the_stored_fields(app, driver, world) -> None:
    proposal_id = submit(driver, world, asset_id=world.solver_asset_id, title="Grüne Schicht")
    with app.app_context():
        db.session.expire_all()
        proposal = _proposal(proposal_id)
        document = {
            "asset_id": proposal.asset_id,
            "body": proposal.body,
            "challenge_id": proposal.challenge_id,
            "organization_id": proposal.organization_id,
            "submitted_at": proposal.submitted_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "summary": proposal.summary,
            "title": proposal.title,
        }
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode()).hexdigest() == proposal.receipt_sha256
        assert services.receipt_document(proposal) == canonical.encode()
        assert abs(proposal.submitted_at - utcnow()) < timedelta(minutes=1)
        # any change to what was submitted gives another digest
        proposal.body += "."
        assert services.receipt_sha256(proposal) != proposal.receipt_sha256


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": None}, "title", "Enter a title."),
        ({"summary": "   "}, "summary", "Enter a summary."),
        ({"body": ""}, "body", "Enter the proposal."),
        ({"body": "x" * 20_001}, "body", "The proposal has at most 20,000 characters"),
        ({"title": "t" * 201}, "title", "A title has at most 200 characters"),
        ({"title": 42}, "title", "A title must be text."),
        ({"asset_id": "bystander"}, "asset_id", "Link one of your own organisation's IP offers"),
        ({"asset_id": "draft"}, "asset_id", "Publish this IP offer before linking it"),
        ({"asset_id": 999_999}, "asset_id", "There is no such IP offer."),
        ({"asset_id": "lots"}, "asset_id", "Give the number of one of your organisation's"),
        ({"colour": "blue"}, "colour", "This field does not exist on a proposal."),
    ],
)
def test_bad_proposals_are_refused_field_by_field(
    app, driver, world, changes, field, message
) -> None:
    named = {"bystander": world.bystander_asset_id, "draft": world.solver_draft_asset_id}
    changes = {**changes, "asset_id": named.get(changes.get("asset_id"), changes.get("asset_id"))}
    with pytest.raises(ValidationFailed) as raised:
        submit(driver, world, **changes)
    assert message in raised.value.fields[field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_another_organisations_draft_offer_is_not_revealed(app, driver, world) -> None:
    with pytest.raises(ValidationFailed) as raised:
        submit(driver, world, person=world.bystander, asset_id=world.solver_draft_asset_id)
    assert raised.value.fields["asset_id"] == "There is no such IP offer."


def _close(driver, world):
    with driver.app.app_context():
        challenge = db.session.get(Challenge, world.challenge_id)
        challenges.change_status(
            db.session, user(world.seeker_admin), challenge, "close", ip_address=None
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("setup", "error", "message"),
    [
        ("draft", NotFound, "There is no such challenge."),
        ("withdrawn", NotFound, "There is no such challenge."),
        ("closed", Conflict, "This challenge is closed; it no longer accepts proposals."),
        ("awarded", Conflict, "This challenge is awarded; it no longer accepts proposals."),
        ("past_deadline", Conflict, "The deadline passed on "),
        ("own", Conflict, "Your organisation posted this challenge; it cannot propose to it."),
    ],
)
def test_proposals_are_refused_where_the_challenge_does_not_take_them(
    app, driver, world, setup, error, message
) -> None:
    person = world.solver_member
    if setup in ("draft", "withdrawn", "closed", "awarded"):
        set_challenge(driver, world, status=ChallengeStatus(setup))
    if setup == "past_deadline":
        set_challenge(driver, world, deadline=utcnow() - timedelta(hours=1))
    if setup == "own":
        person = world.seeker_member
    with pytest.raises(error) as raised:
        submit(driver, world, person=person)
    assert raised.value.message.startswith(message)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0
    if setup == "past_deadline":
        assert raised.value.message.endswith("; this challenge no longer accepts proposals.")


@pytest.mark.parametrize(
    ("steps", "refused", "args", "message"),
    [
        (["shortlist"], "shortlist", (), "A proposal that is shortlisted cannot be shortlisted."),
        (
            ["award"],
            "decline",
            ("cost", "Too dear."),
            "A proposal that is awarded cannot be declined.",
        ),
        (["award"], "award", (), "A proposal that is awarded cannot be awarded."),
        (["withdraw"], "award", (), "A proposal that is withdrawn cannot be awarded."),
        (
            ["decline"],
            "shortlist",
            (),
            "A proposal that is declined cannot be shortlisted.",
        ),
        (["award"], "withdraw", (), "A proposal that is awarded cannot be withdrawn."),
        (
            ["close"],
            "award",
            (),
            "The challenge is closed; its proposals can no longer be decided.",
        ),
    ],
)
def test_wrong_transitions_are_conflicts(app, driver, world, steps, refused, args, message) -> None:
    proposal_id = submit(driver, world)
    for step in steps:
        if step == "close":
            _close(driver, world)
        elif step == "withdraw":
            decide(driver, proposal_id, "withdraw", world.solver_member)
        elif step == "decline":
            decide(driver, proposal_id, "decline", world.seeker_admin, "cost", FEEDBACK_TEXT)
        else:
            decide(driver, proposal_id, step, world.seeker_admin)
    actor = world.solver_admin if refused == "withdraw" else world.seeker_admin
    with app.app_context():
        before = _proposal(proposal_id).status
    with pytest.raises(Conflict) as raised:
        decide(driver, proposal_id, refused, actor, *args)
    assert raised.value.message == message
    with app.app_context():
        assert _proposal(proposal_id).status is before


@pytest.mark.parametrize("awards_allowed", [1, 2])
def test_awards_stop_at_the_number_the_challenge_allows(app, driver, awards_allowed) -> None:
    world = build_world(driver, awards_allowed=awards_allowed)
    proposal_ids = [submit(driver, world, title=f"Proposal {n}") for n in range(3)]
    for proposal_id in proposal_ids[:awards_allowed]:
        decide(driver, proposal_id, "award", world.seeker_admin)
    with pytest.raises(Conflict) as raised:
        decide(driver, proposal_ids[awards_allowed], "award", world.seeker_admin)
    expected = {
        1: "This challenge allows 1 award, and it has been given.",
        2: "This challenge allows 2 awards, and all 2 have been given.",
    }[awards_allowed]
    assert raised.value.message == expected
    with app.app_context():
        statuses = [_proposal(proposal_id).status for proposal_id in proposal_ids]
        assert statuses.count(ProposalStatus.AWARDED) == awards_allowed
        assert db.session.get(Challenge, world.challenge_id).status is ChallengeStatus.AWARDED
    # the rest can still be declined with feedback
    decide(driver, proposal_ids[-1], "decline", world.seeker_admin, "other", FEEDBACK_TEXT)


def test_a_challenge_in_evaluation_can_be_awarded(app, driver, world) -> None:
    proposal_id = submit(driver, world)
    set_challenge(driver, world, deadline=utcnow() - timedelta(minutes=1))
    decide(driver, proposal_id, "award", world.seeker_officer)
    with app.app_context():
        assert db.session.get(Challenge, world.challenge_id).status is ChallengeStatus.AWARDED


@pytest.mark.parametrize(
    ("reason", "feedback", "field", "message"),
    [
        ("rude", FEEDBACK_TEXT, "reason_code", "Choose a reason from: too_early_stage"),
        (None, FEEDBACK_TEXT, "reason_code", "Choose a reason from"),
        ("cost", "", "feedback", "Enter feedback for the proposer."),
        ("cost", "   ", "feedback", "Enter feedback for the proposer."),
        ("cost", "f" * 5001, "feedback", "Feedback for the proposer has at most 5,000"),
        ("cost", ["list"], "feedback", "Feedback for the proposer must be text."),
    ],
)
def test_a_decline_needs_a_reason_and_feedback(
    app, driver, world, reason, feedback, field, message
) -> None:
    proposal_id = submit(driver, world)
    with pytest.raises(ValidationFailed) as raised:
        decide(driver, proposal_id, "decline", world.seeker_admin, reason, feedback)
    assert message in raised.value.fields[field]
    with app.app_context():
        assert _proposal(proposal_id).status is ProposalStatus.SUBMITTED


def test_the_proposer_reads_the_reason_and_feedback(app, driver, world) -> None:
    proposal_id = submit(driver, world)
    decide(driver, proposal_id, "decline", world.seeker_officer, "too_early_stage", FEEDBACK_TEXT)
    with app.app_context():
        proposal = services.get_visible_proposal(db.session, user(world.solver_member), proposal_id)
        assert proposal.status is ProposalStatus.DECLINED
        assert proposal.decline_reason_code.label == "Too early-stage"
        assert proposal.feedback == FEEDBACK_TEXT


@pytest.mark.parametrize(
    ("role", "view", "shortlist", "withdraw"),
    [
        ("unrelated", NotFound, NotFound, NotFound),
        ("proposer_member", None, Forbidden, None),
        ("seeker_member", None, Forbidden, Forbidden),
        ("seeker_officer", None, None, Forbidden),
        ("seeker_admin", None, None, Forbidden),
    ],
)
def test_who_may_see_shortlist_and_withdraw(
    app, driver, world, role, view, shortlist, withdraw
) -> None:
    proposal_id = submit(driver, world)
    for action, error in (("shortlist", shortlist), ("withdraw", withdraw)):
        with app.app_context():
            actor = user(world.person(role))
            if view:
                with pytest.raises(view):
                    services.get_visible_proposal(db.session, actor, proposal_id)
            else:
                assert (
                    services.get_visible_proposal(db.session, actor, proposal_id).id == proposal_id
                )
            service = getattr(services, f"{action}_proposal")
            if error:
                with pytest.raises(error):
                    service(db.session, actor, _proposal(proposal_id), ip_address=None)
            else:
                service(db.session, actor, _proposal(proposal_id), ip_address=None)
            db.session.rollback()
    with app.app_context(), pytest.raises(NotFound):
        services.get_visible_proposal(db.session, None, proposal_id)


def test_the_seeker_lists_all_and_a_proposer_its_own(app, driver, world) -> None:
    ours = submit(driver, world)
    theirs = submit(driver, world, person=world.bystander, title="Bystander's idea")
    with app.app_context():
        challenge = db.session.get(Challenge, world.challenge_id)

        def listed(person):
            actor = user(person) if person else None
            return {p.id for p in services.proposals_for(db.session, actor, challenge)}

        assert listed(world.seeker_member) == {ours, theirs}
        assert listed(world.solver_admin) == {ours}
        assert listed(world.bystander) == {theirs}
        assert listed(None) == set()


def test_mail_goes_to_managers_and_never_carries_confidential_text(
    app, driver, world, outbox
) -> None:
    outbox.clear()  # the invitations of the set-up
    proposal_id = submit(driver, world)
    new_mail = {message["To"] for message in outbox}
    assert new_mail == {world.seeker_admin.email, world.seeker_officer.email}
    decide(driver, proposal_id, "decline", world.seeker_admin, "outside_scope", FEEDBACK_TEXT)
    decision_mail = {message["To"] for message in outbox} - new_mail
    # the proposer's admin and the member who submitted it
    assert decision_mail == {world.solver_admin.email, world.solver_member.email}
    assert len(outbox) == 4
    for message in outbox:
        text = message.get_content()
        for secret in (BRIEF_SECRET, BODY_SECRET, FEEDBACK_TEXT, "Chitosan coating sprayed"):
            assert secret not in text
            assert secret not in message["Subject"]
        assert f"/proposals/{proposal_id}" in text


def test_no_mail_leaves_when_the_submission_fails(app, driver, world, outbox) -> None:
    outbox.clear()
    with pytest.raises(ValidationFailed):
        submit(driver, world, title="")
    assert outbox == []


def _edit(driver, world, **changes):
    with driver.app.app_context():
        challenge = db.session.get(Challenge, world.challenge_id)
        challenges.update_challenge(
            db.session,
            user(world.seeker_admin),
            challenge,
            {**changes, "version": challenge.version},
            ip_address=None,
        )
        db.session.commit()


def test_proposers_see_the_material_changes_since_they_submitted(
    app, driver, world, monkeypatch
) -> None:
    _edit(driver, world, trl_sought=5)  # before the proposal: not shown
    proposal_id = submit(driver, world)
    later = (utcnow() + timedelta(days=45)).date().isoformat()
    _edit(driver, world, deadline=later, confidential_brief=f"New target. {BRIEF_SECRET}")
    _edit(driver, world, keywords=["cups"])  # not material
    with app.app_context():
        proposal = _proposal(proposal_id)
        seen = changes_since_submission(db.session, user(world.solver_member), proposal)
        assert [change.field for change in seen] == ["deadline"]
        assert seen[0].after.startswith(later)
        assert seen[0].before < seen[0].after
        # once the proposer's organisation may read the brief, it learns the brief changed
        monkeypatch.setattr(listings, "access_of", lambda *_: Access.GRANTED)
        seen = changes_since_submission(db.session, user(world.solver_member), proposal)
        assert sorted((change.field, change.confidential) for change in seen) == [
            ("confidential_brief", True),
            ("deadline", False),
        ]
        assert all(BRIEF_SECRET not in str(change) for change in seen)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "(none)"),
        ("", "(none)"),
        ([], "(none)"),
        (["a", "b"], "a, b"),
        ("2027-03-31T23:59:59+00:00", "31 March 2027, 23:59 UTC"),
        ("exclusive_license", "exclusive license"),
        ("40000.00", "40000.00"),
        (4, "4"),
    ],
)
def test_recorded_values_are_shown_as_people_write_them(value, text) -> None:
    assert shown(value) == text


def test_two_managers_awarding_at_once_give_only_the_allowed_award(app, driver, world) -> None:
    proposal_ids = [submit(driver, world, title=f"Rival {n}") for n in range(2)]
    managers = [world.seeker_admin, world.seeker_officer]
    start = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def award(proposal_id: int, manager) -> None:
        with app.app_context():
            start.wait()
            try:
                proposal = _proposal(proposal_id)
                services.award_proposal(db.session, user(manager), proposal, ip_address=None)
                db.session.commit()
                outcomes.append("awarded")
            except Conflict as error:
                db.session.rollback()
                outcomes.append(error.message)

    threads = [
        threading.Thread(target=award, args=pair)
        for pair in zip(proposal_ids, managers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [
        "This challenge allows 1 award, and it has been given.",
        "awarded",
    ]
    with app.app_context():
        statuses = [_proposal(proposal_id).status for proposal_id in proposal_ids]
        assert statuses.count(ProposalStatus.AWARDED) == 1
