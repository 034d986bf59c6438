"""Proposal pages: the button on a challenge, the form, the receipt, decisions, and access."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from ideagora.challenges.models import ChallengeStatus
from ideagora.database import utcnow
from tests.ideagora.proposal_world import (
    BODY_SECRET,
    BRIEF_SECRET,
    FEEDBACK_TEXT,
    build_world,
    proposal_data,
    set_challenge,
    submit,
)


@pytest.fixture
def world(driver):
    return build_world(driver)


def _client(driver, world, role):
    person = world.person(role)
    return driver.logged_in_client(person) if person else driver.app.test_client()


def _post(driver, client, url, data=None, **kwargs):
    # any signed-in page carries a CSRF token (the log-out button); the login page does too
    return driver.submit(client, url, data or {}, form_url="/login", **kwargs)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_submit_from_the_challenge_page_and_get_a_receipt(driver, world) -> None:
    proposer = _client(driver, world, "proposer_member")
    challenge_page = _text(proposer.get(f"/challenges/{world.challenge_id}"))
    new_url = f"/challenges/{world.challenge_id}/proposals/new"
    assert f'href="{new_url}"' in challenge_page
    assert "Submit a proposal" in challenge_page
    form = _text(proposer.get(new_url))
    assert "Chitosan barrier layers" in form  # the proposer's published offer can be linked
    response = driver.submit(
        proposer, new_url, {**proposal_data(), "asset_id": world.solver_asset_id}
    )
    assert response.status_code == 302
    path = response.headers["Location"]
    assert re.fullmatch(r"/proposals/\d+", path)
    page = _text(proposer.get(path))
    assert "Your proposal is submitted" in page
    assert re.search(r"<code[^>]*>[0-9a-f]{64}</code>", page)
    assert "(server time)" in page
    assert BODY_SECRET in page
    assert "The seeker has not decided yet." in page
    receipt = proposer.get(path + "/receipt.json")
    assert receipt.mimetype == "application/json"
    assert receipt.json["title"] == proposal_data()["title"]
    assert receipt.json["asset_id"] == world.solver_asset_id
    # the challenge page now lists the proposal for the proposer, with its status
    again = _text(proposer.get(f"/challenges/{world.challenge_id}"))
    assert proposal_data()["title"] in again
    assert "Submitted" in again


def test_an_organisation_without_offers_submits_without_the_offer_choice(driver, world) -> None:
    newcomer = driver.person(organization="Fresh Lab")
    client = driver.logged_in_client(newcomer)
    new_url = f"/challenges/{world.challenge_id}/proposals/new"
    assert 'name="asset_id"' not in _text(client.get(new_url))
    response = driver.submit(client, new_url, proposal_data())
    assert response.status_code == 302
    assert "Your proposal is submitted" in _text(client.get(response.headers["Location"]))


def test_the_seeker_decides_and_the_proposer_reads_the_feedback(driver, world) -> None:
    proposal_id = submit(driver, world)
    path = f"/proposals/{proposal_id}"
    seeker = _client(driver, world, "seeker_admin")
    challenge_page = _text(seeker.get(f"/challenges/{world.challenge_id}"))
    assert proposal_data()["title"] in challenge_page
    assert "Solver University" in challenge_page
    assert "Submit a proposal" not in challenge_page
    page = _text(seeker.get(path))
    for button in ("Shortlist", "Award", "Decline…"):
        assert button in page
    shortlisted = _post(driver, seeker, path + "/shortlist", follow_redirects=True)
    assert "The proposal is shortlisted." in _text(shortlisted)
    declined = driver.submit(
        seeker,
        path + "/decline",
        {"reason_code": "ip_position_unclear", "feedback": FEEDBACK_TEXT},
        follow_redirects=True,
    )
    assert "the proposer can read your feedback" in _text(declined)
    proposer_page = _text(_client(driver, world, "proposer_member").get(path))
    assert "Declined" in proposer_page
    assert "IP position unclear" in proposer_page
    assert FEEDBACK_TEXT.replace("'", "&#39;") in proposer_page
    received = _text(seeker.get(f"/challenges/{world.challenge_id}/proposals"))
    assert "Proposals received" in received
    assert "Declined" in received


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"summary": ""}, "This field is required."),
        ({"body": "b" * 20_001}, "Field cannot be longer than 20000 characters."),
        ({"asset_id": "bystander"}, "Not a valid choice."),
    ],
)
def test_bad_proposal_forms_say_what_is_wrong(driver, world, data, message) -> None:
    proposer = _client(driver, world, "proposer_member")
    if data.get("asset_id") == "bystander":
        data = {"asset_id": str(world.bystander_asset_id)}
    response = driver.submit(
        proposer, f"/challenges/{world.challenge_id}/proposals/new", {**proposal_data(), **data}
    )
    assert response.status_code == 422
    assert message in _text(response)
    assert _client(driver, world, "seeker_admin").get(f"/challenges/{world.challenge_id}/proposals")
    listed = _text(proposer.get(f"/challenges/{world.challenge_id}/proposals"))
    assert "has not submitted a proposal" in listed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason_code": "rude", "feedback": FEEDBACK_TEXT}, "Not a valid choice."),
        ({"reason_code": "", "feedback": FEEDBACK_TEXT}, "Choose a reason."),
        ({"reason_code": "cost", "feedback": ""}, "Write feedback for the proposer."),
        ({"reason_code": "cost", "feedback": "f" * 5001}, "Field cannot be longer than 5000"),
    ],
)
def test_bad_decline_forms_say_what_is_wrong(driver, world, data, message) -> None:
    proposal_id = submit(driver, world)
    seeker = _client(driver, world, "seeker_admin")
    response = driver.submit(seeker, f"/proposals/{proposal_id}/decline", data)
    assert response.status_code == 422
    assert message in _text(response)
    assert "The seeker has not decided yet." in _text(seeker.get(f"/proposals/{proposal_id}"))


@pytest.mark.parametrize(
    ("setup", "role", "message"),
    [
        ("closed", "proposer_member", "This challenge is closed; it no longer accepts proposals."),
        ("past_deadline", "proposer_member", "The deadline passed on "),
        (None, "seeker_admin", "Your organisation posted this challenge; it cannot propose to it."),
    ],
)
def test_where_proposals_are_not_taken_the_page_says_why(
    driver, world, setup, role, message
) -> None:
    if setup == "closed":
        set_challenge(driver, world, status=ChallengeStatus.CLOSED)
    elif setup == "past_deadline":
        set_challenge(driver, world, deadline=utcnow() - timedelta(minutes=5))
    client = _client(driver, world, role)
    challenge_url = f"/challenges/{world.challenge_id}"
    assert "Submit a proposal</a>" not in _text(client.get(challenge_url))
    new_url = f"{challenge_url}/proposals/new"
    opened = client.get(new_url, follow_redirects=True)
    assert message in _text(opened)
    assert opened.request.path == challenge_url
    # a form sent anyway is refused with the reason, and keeps what was typed
    sent = driver.submit(client, new_url, proposal_data(), form_url="/login")
    assert sent.status_code == 409
    assert message in _text(sent)
    assert proposal_data()["title"] in _text(sent)
    assert proposal_data()["title"] not in _text(client.get(f"{challenge_url}/proposals"))


def test_a_draft_challenge_takes_no_proposal_and_stays_hidden(driver, world) -> None:
    set_challenge(driver, world, status=ChallengeStatus.DRAFT)
    proposer = _client(driver, world, "proposer_member")
    assert proposer.get(f"/challenges/{world.challenge_id}/proposals/new").status_code == 404


def test_an_awarded_proposal_cannot_be_declined(driver, world) -> None:
    proposal_id = submit(driver, world)
    seeker = _client(driver, world, "seeker_admin")
    _post(driver, seeker, f"/proposals/{proposal_id}/award")
    response = driver.submit(
        seeker,
        f"/proposals/{proposal_id}/decline",
        {"reason_code": "cost", "feedback": FEEDBACK_TEXT},
        follow_redirects=True,
    )
    assert "A proposal that is awarded cannot be declined." in _text(response)
    assert "Awarded" in _text(response)


# (role) → (view proposal, list, shortlist, decline form, award) status codes
MATRIX = {
    "anonymous": (302, 302, 302, 302, 302),
    "unrelated": (404, 200, 404, 404, 404),
    "proposer_member": (200, 200, 403, 403, 403),
    "seeker_member": (200, 200, 403, 403, 403),
    "seeker_admin": (200, 200, 302, 200, 302),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_access_matrix(driver, world, role) -> None:
    proposal_id = submit(driver, world)
    view, listing, shortlist, decline, award = MATRIX[role]
    client = _client(driver, world, role)
    seen = client.get(f"/proposals/{proposal_id}")
    assert seen.status_code == view
    if view == 302:
        assert "/login" in seen.headers["Location"]
    if view != 200:
        assert BODY_SECRET not in _text(seen)
    listed = client.get(f"/challenges/{world.challenge_id}/proposals")
    assert listed.status_code == listing
    assert (proposal_data()["title"] in _text(listed)) is (view == 200)
    assert _post(driver, client, f"/proposals/{proposal_id}/shortlist").status_code == shortlist
    assert client.get(f"/proposals/{proposal_id}/decline").status_code == decline
    assert _post(driver, client, f"/proposals/{proposal_id}/award").status_code == award
    status = _text(_client(driver, world, "seeker_admin").get(f"/proposals/{proposal_id}"))
    assert ("Awarded" in status) is (role == "seeker_admin")
    challenge_page = _text(client.get(f"/challenges/{world.challenge_id}"))
    assert (proposal_data()["title"] in challenge_page) is (view == 200)


def test_the_proposer_sees_what_changed_since_submitting(driver, world) -> None:
    proposal_id = submit(driver, world)
    seeker = _client(driver, world, "seeker_admin")
    edit_url = f"/challenges/{world.challenge_id}/edit"
    form = _text(seeker.get(edit_url))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    later = (utcnow() + timedelta(days=50)).date().isoformat()
    response = driver.submit(
        seeker,
        edit_url,
        {
            "version": version,
            "title": "Recyclable barrier coating for paper cups",
            "summary": "A water-based coating that keeps coffee in and lets the cup be recycled.",
            "description": "Now also for lids.",
            "keywords": "barrier coating",
            "fields": ["materials"],
            "challenge_type": "reduction_to_practice",
            "confidential_brief": f"Changed target. {BRIEF_SECRET}",
            "award_amount": "40000",
            "currency": "EUR",
            "deadline": later,
            "ip_terms": "exclusive_license",
            "trl_sought": "4",
            "awards_allowed": "2",
        },
    )
    assert response.status_code == 302, _text(response)
    page = _text(_client(driver, world, "proposer_member").get(f"/proposals/{proposal_id}"))
    section = page.split("What changed since you submitted")[1].split("Receipt")[0]
    shown_later = datetime.fromisoformat(later).strftime("%d %B %Y, 23:59 UTC")
    for expected in ("Description", "Now also for lids.", "Awards allowed", "1 → 2", shown_later):
        assert expected in section
    # the proposer's organisation may not read the brief: it is not even told that it changed
    assert "confidential brief changed" not in section
    assert BRIEF_SECRET not in page


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (None, "anonymous", "to submit a proposal on behalf of your organisation."),
        (ChallengeStatus.CLOSED, "anonymous", "This challenge no longer accepts proposals."),
        (None, "proposer_member", "Submit a proposal</a>"),
        (None, "seeker_admin", "No proposals have arrived yet."),
        (ChallengeStatus.AWARDED, "unrelated", "This challenge is awarded; it no longer accepts"),
    ],
)
def test_the_challenge_page_says_who_may_propose(driver, world, status, role, expected) -> None:
    if status:
        set_challenge(driver, world, status=status)
    page = _text(_client(driver, world, role).get(f"/challenges/{world.challenge_id}"))
    assert expected in page.split('id="proposals-title"')[1]
