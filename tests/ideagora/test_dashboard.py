"""The dashboard: my organisation's challenges, offers and proposals, and what needs my action."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ideagora.challenges import services as challenges
from ideagora.database import db, utcnow
from ideagora.main.queries import dashboard_for
from ideagora.organizations.models import Membership
from tests.ideagora.proposal_world import (
    BODY_SECRET,
    build_world,
    challenge_data,
    decide,
    proposal_data,
    set_challenge,
    submit,
    user,
)

DRAFT_TITLE = "Self-healing asphalt binder"


@pytest.fixture
def world(driver):
    world = build_world(driver)
    with driver.app.app_context():
        challenges.create_challenge(
            db.session,
            user(world.seeker_member),
            challenge_data(title=DRAFT_TITLE),
            ip_address=None,
        )
        db.session.commit()
    return world


def _dashboard(driver, person) -> str:
    response = driver.logged_in_client(person).get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("</section>", 1)[0]


def test_a_seeker_manager_sees_what_needs_their_action(driver, world) -> None:
    submit(driver, world)
    page = _dashboard(driver, world.seeker_officer)
    actions = _section(page, "Needs your action")
    assert "Draft to publish:" in actions
    assert DRAFT_TITLE in actions
    assert "Proposal awaiting your decision:" in actions
    assert proposal_data()["title"] in actions
    assert "Solver University" in actions
    challenges_card = _section(page, "Our challenges")
    assert "Draft" in challenges_card
    assert "Open" in challenges_card
    assert "Recyclable barrier coating for paper cups" in challenges_card
    received = _section(page, "Proposals we received")
    assert proposal_data()["title"] in received
    assert "Submitted" in received
    assert BODY_SECRET not in page


def test_a_plain_member_is_not_asked_to_publish_or_decide(driver, world) -> None:
    submit(driver, world)
    page = _dashboard(driver, world.seeker_member)
    assert "Nothing is waiting for you." in _section(page, "Needs your action")
    # but the member still sees what the organisation received
    assert proposal_data()["title"] in _section(page, "Proposals we received")


def test_the_proposer_sees_what_it_sent_with_the_decision(driver, world) -> None:
    proposal_id = submit(driver, world)
    decide(driver, proposal_id, "shortlist", world.seeker_admin)
    page = _dashboard(driver, world.solver_admin)
    sent = _section(page, "Proposals we sent")
    assert proposal_data()["title"] in sent
    assert "Shortlisted" in sent
    assert "Recyclable barrier coating for paper cups" in sent
    offers = _section(page, "Our IP offers")
    assert "Published" in offers
    assert "Draft" in offers
    # the solver's own draft offer waits to be published
    assert "Draft to publish:" in _section(page, "Needs your action")
    assert "No proposals to your challenges yet." in _section(page, "Proposals we received")


def test_a_challenge_in_evaluation_without_an_award_needs_action_until_awarded(
    driver, world
) -> None:
    proposal_id = submit(driver, world)
    set_challenge(driver, world, deadline=utcnow() - timedelta(minutes=1))
    page = _dashboard(driver, world.seeker_member)
    actions = _section(page, "Needs your action")
    assert "In evaluation without an award:" in actions
    assert f"/challenges/{world.challenge_id}/proposals" in actions
    decide(driver, proposal_id, "award", world.seeker_admin)
    page = _dashboard(driver, world.seeker_member)
    assert "In evaluation without an award" not in page
    assert "Awarded" in _section(page, "Our challenges")


def test_other_organisations_proposals_never_appear(driver, world) -> None:
    submit(driver, world)
    page = _dashboard(driver, world.bystander)
    assert proposal_data()["title"] not in page
    assert "has not submitted a proposal yet" in page


def test_a_person_without_an_organisation_is_told_how_to_get_one(driver, app) -> None:
    loner = driver.person(organization="Temporary")
    with app.app_context():
        db.session.execute(sa.delete(Membership).where(Membership.user_id == loner.id))
        db.session.commit()
        assert dashboard_for(db.session, user(loner)).action_count == 0
    page = _dashboard(driver, loner)
    assert "You do not belong to an organisation." in page


def test_the_dashboard_query_groups_by_status(app, driver, world) -> None:
    submit(driver, world)
    with app.app_context():
        board = dashboard_for(db.session, user(world.seeker_admin))
        assert {status.value: len(items) for status, items in board.challenges.items()} == {
            "draft": 1,
            "open": 1,
        }
        assert len(board.proposals_received) == 1
        assert board.proposals_sent == []
        assert board.action_count == 2


def test_the_dashboard_needs_a_login(client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
