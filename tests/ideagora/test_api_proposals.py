"""Proposals over the API: submitting with a receipt, listing, deciding, and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from ideagora.challenges.models import ChallengeStatus
from ideagora.database import db, utcnow
from ideagora.proposals.models import Proposal
from tests.ideagora.proposal_world import (
    BODY_SECRET,
    BRIEF_SECRET,
    FEEDBACK_TEXT,
    build_world,
    challenge_data,
    proposal_data,
    set_challenge,
    submit,
)


@pytest.fixture
def world(driver):
    return build_world(driver)


@pytest.fixture
def tokens(driver, client, world):
    """API headers for every role of the access matrix."""
    return {
        role: driver.token(client, world.person(role)) if world.person(role) else {}
        for role in (
            "anonymous",
            "unrelated",
            "proposer_member",
            "proposer_admin",
            "seeker_member",
            "seeker_officer",
            "seeker_admin",
        )
    }


def _post(client, world, headers, **changes):
    return client.post(
        f"/api/v1/challenges/{world.challenge_id}/proposals",
        headers=headers,
        json=proposal_data(**changes),
    )


def test_submit_and_get_the_receipt(client, world, tokens) -> None:
    response = _post(client, world, tokens["proposer_member"], asset_id=world.solver_asset_id)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["status"] == "submitted"
    assert len(created["receipt_sha256"]) == 64
    submitted_at = datetime.fromisoformat(created["submitted_at"])
    assert abs(submitted_at - utcnow()) < timedelta(minutes=1)
    assert created["asset_id"] == world.solver_asset_id
    assert created["organization"]["name"] == "Solver University"
    seen = client.get(f"/api/v1/proposals/{created['id']}", headers=tokens["seeker_member"])
    assert seen.status_code == 200
    assert seen.json["receipt_sha256"] == created["receipt_sha256"]
    assert BODY_SECRET in seen.json["body"]


def test_full_flow_over_the_api(client, world, tokens) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    other_id = _post(client, world, tokens["unrelated"], title="Another idea").json["id"]
    base = "/api/v1/proposals"
    shortlisted = client.post(f"{base}/{proposal_id}/shortlist", headers=tokens["seeker_officer"])
    assert shortlisted.json["status"] == "shortlisted"
    declined = client.post(
        f"{base}/{other_id}/decline",
        headers=tokens["seeker_admin"],
        json={"reason_code": "benefit_unclear", "feedback": FEEDBACK_TEXT},
    )
    assert declined.status_code == 200
    awarded = client.post(f"{base}/{proposal_id}/award", headers=tokens["seeker_admin"])
    assert awarded.json["status"] == "awarded"
    challenge = client.get(f"/api/v1/challenges/{world.challenge_id}")
    assert challenge.json["status"] == "awarded"
    assert challenge.json["awards_allowed"] == 1
    # the declined proposer reads the reason and the feedback
    theirs = client.get(f"{base}/{other_id}", headers=tokens["unrelated"]).json
    assert theirs["status"] == "declined"
    assert theirs["decline_reason_code"] == "benefit_unclear"
    assert theirs["feedback"] == FEEDBACK_TEXT


def test_lists_are_paginated_the_seeker_sees_all_a_proposer_its_own(client, world, tokens) -> None:
    ours = [
        _post(client, world, tokens["proposer_member"], title=f"Ours {n}").json["id"]
        for n in range(2)
    ]
    theirs = _post(client, world, tokens["unrelated"], body="Enzymes instead.").json["id"]
    path = f"/api/v1/challenges/{world.challenge_id}/proposals"
    seeker = client.get(path + "?per_page=2", headers=tokens["seeker_member"]).json
    assert (seeker["total"], seeker["page"], seeker["per_page"]) == (3, 1, 2)
    assert len(seeker["items"]) == 2
    second = client.get(path + "?per_page=2&page=2", headers=tokens["seeker_member"]).json
    assert {item["id"] for item in seeker["items"] + second["items"]} == {*ours, theirs}
    proposer = client.get(path, headers=tokens["proposer_admin"]).json
    assert {item["id"] for item in proposer["items"]} == set(ours)
    unrelated = client.get(path, headers=tokens["unrelated"]).json
    assert [item["id"] for item in unrelated["items"]] == [theirs]
    assert BODY_SECRET not in client.get(path, headers=tokens["unrelated"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"summary": None}, "summary", "Enter a summary."),
        ({"body": "b" * 20_001}, "body", "The proposal has at most 20,000 characters"),
        ({"asset_id": "bystander"}, "asset_id", "Link one of your own organisation's IP offers"),
        ({"asset_id": True}, "asset_id", "Give the number of one of your organisation's"),
        ({"extra": 1}, "extra", "This field does not exist on a proposal."),
    ],
)
def test_bad_proposals_get_422_with_the_field(
    client, app, world, tokens, changes, field, message
) -> None:
    if changes.get("asset_id") == "bystander":
        changes = {**changes, "asset_id": world.bystander_asset_id}
    response = _post(client, world, tokens["proposer_member"], **changes)
    assert response.status_code == 422
    assert message in response.json["error"]["fields"][field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_a_body_that_is_not_json_is_refused(client, world, tokens) -> None:
    response = client.post(
        f"/api/v1/challenges/{world.challenge_id}/proposals",
        headers=tokens["proposer_member"],
        data="title=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("setup", "role", "status", "message"),
    [
        ("draft", "proposer_member", 404, "There is no such challenge."),
        ("closed", "proposer_member", 409, "This challenge is closed; it no longer accepts"),
        ("awarded", "proposer_member", 409, "This challenge is awarded; it no longer accepts"),
        ("past_deadline", "proposer_member", 409, "The deadline passed on "),
        (None, "seeker_member", 409, "Your organisation posted this challenge"),
        (None, "anonymous", 401, "Send a token"),
    ],
)
def test_proposing_where_it_is_not_allowed(
    driver, client, world, tokens, setup, role, status, message
) -> None:
    if setup == "past_deadline":
        set_challenge(driver, world, deadline=utcnow() - timedelta(minutes=5))
    elif setup:
        set_challenge(driver, world, status=ChallengeStatus(setup))
    response = _post(client, world, tokens[role])
    assert response.status_code == status
    assert response.json["error"]["message"].startswith(message)


@pytest.mark.parametrize(
    ("first", "then", "body", "message"),
    [
        (
            "award",
            "decline",
            {"reason_code": "cost", "feedback": "x"},
            "A proposal that is awarded cannot be declined.",
        ),
        ("shortlist", "shortlist", None, "A proposal that is shortlisted cannot be shortlisted."),
    ],
)
def test_wrong_transitions_are_409(client, world, tokens, first, then, body, message) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    base = f"/api/v1/proposals/{proposal_id}"
    assert client.post(f"{base}/{first}", headers=tokens["seeker_admin"]).status_code == 200
    response = client.post(f"{base}/{then}", headers=tokens["seeker_admin"], json=body)
    assert response.status_code == 409
    assert response.json["error"]["message"] == message


def test_a_second_award_beyond_the_allowed_number_is_409(client, world, tokens) -> None:
    first = _post(client, world, tokens["proposer_member"]).json["id"]
    second = _post(client, world, tokens["unrelated"]).json["id"]
    assert (
        client.post(f"/api/v1/proposals/{first}/award", headers=tokens["seeker_admin"]).status_code
        == 200
    )
    response = client.post(f"/api/v1/proposals/{second}/award", headers=tokens["seeker_admin"])
    assert response.status_code == 409
    assert (
        response.json["error"]["message"] == "This challenge allows 1 award, and it has been given."
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"reason_code": "rude", "feedback": FEEDBACK_TEXT}, "reason_code", "Choose a reason from"),
        ({"feedback": FEEDBACK_TEXT}, "reason_code", "Choose a reason from"),
        ({"reason_code": "cost", "feedback": ""}, "feedback", "Enter feedback for the proposer."),
        ({"reason_code": "cost"}, "feedback", "Enter feedback for the proposer."),
    ],
)
def test_a_decline_without_reason_or_feedback_is_422(
    client, world, tokens, body, field, message
) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/decline", headers=tokens["seeker_admin"], json=body
    )
    assert response.status_code == 422
    assert message in response.json["error"]["fields"][field]
    after = client.get(f"/api/v1/proposals/{proposal_id}", headers=tokens["seeker_admin"])
    assert after.json["status"] == "submitted"


DECISIONS = {
    "shortlist": None,
    "decline": {"reason_code": "cost", "feedback": FEEDBACK_TEXT},
    "award": None,
}


@pytest.mark.parametrize(
    ("role", "view", "listed", "decide"),
    [
        ("anonymous", 401, 401, 401),
        ("unrelated", 404, 0, 404),
        ("proposer_member", 200, 1, 403),
        ("seeker_member", 200, 1, 403),
        ("seeker_admin", 200, 1, 200),
    ],
)
@pytest.mark.parametrize("action", list(DECISIONS))
def test_access_matrix(driver, client, world, tokens, role, view, listed, decide, action) -> None:
    proposal_id = submit(driver, world)
    headers = tokens[role]
    seen = client.get(f"/api/v1/proposals/{proposal_id}", headers=headers)
    assert seen.status_code == view
    if view != 200:
        assert BODY_SECRET not in seen.get_data(as_text=True)
    listing = client.get(f"/api/v1/challenges/{world.challenge_id}/proposals", headers=headers)
    if listed == 401:
        assert listing.status_code == 401
    else:
        assert listing.json["total"] == listed
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/{action}", headers=headers, json=DECISIONS[action]
    )
    assert response.status_code == decide
    status = client.get(f"/api/v1/proposals/{proposal_id}", headers=tokens["seeker_admin"])
    expected = {"shortlist": "shortlisted", "decline": "declined", "award": "awarded"}[action]
    assert status.json["status"] == (expected if decide == 200 else "submitted")


def test_the_proposer_withdraws_and_the_seeker_cannot(client, world, tokens) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    path = f"/api/v1/proposals/{proposal_id}/withdraw"
    assert client.post(path, headers=tokens["seeker_admin"]).status_code == 403
    assert client.post(path, headers=tokens["unrelated"]).status_code == 404
    response = client.post(path, headers=tokens["proposer_member"])
    assert response.status_code == 200
    assert response.json["status"] == "withdrawn"


def test_no_api_answer_carries_the_confidential_brief(client, world, tokens) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    for role in ("proposer_member", "seeker_admin"):
        body = client.get(f"/api/v1/proposals/{proposal_id}", headers=tokens[role]).get_data(
            as_text=True
        )
        assert BRIEF_SECRET not in body


def test_the_openapi_document_describes_the_proposal_endpoints(client) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "post" in paths["/api/v1/challenges/{challenge_id}/proposals"]
    assert "get" in paths["/api/v1/challenges/{challenge_id}/proposals"]
    for action in ("shortlist", "decline", "award", "withdraw"):
        assert "post" in paths[f"/api/v1/proposals/{{proposal_id}}/{action}"]


@pytest.mark.parametrize(
    ("value", "status", "expected"),
    [
        (None, 201, 1),
        (3, 201, 3),
        ("50", 201, 50),
        (0, 422, "The number of awards is a whole number from 1 to 50."),
        (51, 422, "The number of awards is a whole number from 1 to 50."),
        ("many", 422, "The number of awards is a whole number from 1 to 50."),
        (True, 422, "The number of awards is a whole number from 1 to 50."),
    ],
)
def test_a_challenge_says_how_many_awards_it_allows(
    client, tokens, value, status, expected
) -> None:
    body = challenge_data(awards_allowed=value)
    response = client.post("/api/v1/challenges", headers=tokens["seeker_admin"], json=body)
    assert response.status_code == status
    if status == 201:
        assert response.json["awards_allowed"] == expected
    else:
        assert response.json["error"]["fields"]["awards_allowed"] == expected


def test_the_proposer_reads_material_changes_since_submission(client, world, tokens) -> None:
    proposal_id = _post(client, world, tokens["proposer_member"]).json["id"]
    challenge_path = f"/api/v1/challenges/{world.challenge_id}"
    version = client.get(challenge_path, headers=tokens["seeker_admin"]).json["version"]
    edited = client.patch(
        challenge_path,
        headers=tokens["seeker_admin"],
        json={"trl_sought": 6, "confidential_brief": "A new brief.", "version": version},
    )
    assert edited.status_code == 200, edited.json
    changes = client.get(f"/api/v1/proposals/{proposal_id}", headers=tokens["proposer_member"])
    by_field = {change["field"]: change for change in changes.json["challenge_changes"]}
    assert by_field["trl_sought"]["after"] == 6
    assert by_field["trl_sought"]["confidential"] is False
    # the proposer has no grant: it is not even told that the brief changed
    assert "confidential_brief" not in by_field
    seeker_view = client.get(f"/api/v1/proposals/{proposal_id}", headers=tokens["seeker_admin"])
    brief = next(
        c for c in seeker_view.json["challenge_changes"] if c["field"] == "confidential_brief"
    )
    assert brief == {
        "changed_at": brief["changed_at"],
        "field": "confidential_brief",
        "confidential": True,
    }
