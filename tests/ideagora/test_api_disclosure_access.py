"""Who may call each disclosure endpoint of the API, and what a guessed grant id reveals."""

from __future__ import annotations

import pytest

from tests.ideagora.test_api_disclosure import (
    accept,
    audit_actions,
    build_world,
    challenge_body,
)

ROLES = ("owner_admin", "owner_officer", "owner_member", "requester", "outsider", "anonymous")
OWNER_MANAGERS = {"owner_admin": 200, "owner_officer": 200}
# anonymous callers have no token: 401 everywhere
MATRIX = {
    "read the NDA": (
        {"owner_admin": 409, "owner_officer": 409, "owner_member": 409},
        {"requester": 200, "outsider": 200},
    ),
    "accept the NDA": (
        {"owner_admin": 409, "owner_officer": 409, "owner_member": 409},
        {"requester": 200, "outsider": 201},
    ),
    "read the grant": (
        {"owner_admin": 200, "owner_officer": 200, "owner_member": 200},
        {"requester": 200, "outsider": 404},
    ),
    "approve": (
        {**OWNER_MANAGERS, "owner_member": 403},
        {"requester": 404, "outsider": 404},
    ),
    "decline": (
        {**OWNER_MANAGERS, "owner_member": 403},
        {"requester": 404, "outsider": 404},
    ),
    "revoke": (
        {**OWNER_MANAGERS, "owner_member": 403},
        {"requester": 404, "outsider": 404},
    ),
    "certificate": (
        {"owner_admin": 200, "owner_officer": 200, "owner_member": 200},
        {"requester": 200, "outsider": 404},
    ),
    "access log": (
        {**OWNER_MANAGERS, "owner_member": 404},
        {"requester": 404, "outsider": 404},
    ),
    "list grants": (
        {**OWNER_MANAGERS, "owner_member": 404},
        {"requester": 404, "outsider": 404},
    ),
}


def _expected(action: str, role: str) -> int:
    owners, others = MATRIX[action]
    return {**owners, **others, "anonymous": 401}[role]


def _call(world, action: str, role: str, grant_id: int):
    challenge = f"/challenges/{world.challenge_id}"
    grant = f"/grants/{grant_id}"
    calls = {
        "read the NDA": lambda: world.get(role, f"{challenge}/nda"),
        "accept the NDA": lambda: _accept_as(world, role),
        "read the grant": lambda: world.get(role, grant),
        "approve": lambda: world.post(role, f"{grant}/approve"),
        "decline": lambda: world.post(role, f"{grant}/decline", {"reason": "Not now."}),
        "revoke": lambda: world.post(role, f"{grant}/revoke", {"reason": "Project over."}),
        "certificate": lambda: world.get(role, f"{grant}/certificate"),
        "access log": lambda: world.get(role, f"{challenge}/access-log"),
        "list grants": lambda: world.get(role, f"{challenge}/grants"),
    }
    return calls[action]()


def _accept_as(world, role: str):
    if role in ("anonymous",) or role.startswith("owner"):
        # they cannot read the NDA either; send a well-formed body anyway
        body = {"sha256": "ab" * 32, "signer_name": "Ana Ruiz", "assent": True}
        return world.post(role, f"/challenges/{world.challenge_id}/nda/accept", body)
    return accept(world, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_who_may_call_each_disclosure_endpoint(client, driver, action, role) -> None:
    world = build_world(client, driver)
    grant_id = accept(world, "requester").json["grant"]["id"]
    if action == "revoke":
        assert world.post("owner_admin", f"/grants/{grant_id}/approve").status_code == 200
    response = _call(world, action, role, grant_id)
    assert response.status_code == _expected(action, role), response.get_data(as_text=True)
    if response.status_code == 404:
        assert response.json["error"]["code"] == "not_found"


@pytest.fixture
def world(client, driver):
    return build_world(client, driver)


def test_a_guessed_grant_id_looks_exactly_like_a_missing_one(world) -> None:
    grant_id = accept(world, "requester").json["grant"]["id"]
    for path in ("", "/certificate"):
        real = world.get("outsider", f"/grants/{grant_id}{path}")
        missing = world.get("outsider", f"/grants/{grant_id + 1000}{path}")
        assert real.status_code == missing.status_code == 404
        assert real.json == missing.json
    for action in ("approve", "decline", "revoke"):
        real = world.post("outsider", f"/grants/{grant_id}/{action}", {"reason": "x"})
        missing = world.post("outsider", f"/grants/{grant_id + 1000}/{action}", {"reason": "x"})
        assert real.status_code == missing.status_code == 404
        assert real.json == missing.json


def test_approving_a_grant_of_another_organisations_listing_is_refused(app, world) -> None:
    # the outsider's organisation owns a listing of its own, with its own request
    own = world.post("outsider", "/challenges", challenge_body())
    world.post("outsider", f"/challenges/{own.json['id']}/publish")
    theirs = world.post(
        "requester",
        f"/challenges/{own.json['id']}/nda/accept",
        {
            "sha256": world.get("requester", f"/challenges/{own.json['id']}/nda").json["sha256"],
            "signer_name": "Ana Ruiz",
            "assent": True,
        },
    )
    assert theirs.status_code == 201, theirs.json
    foreign_id = theirs.json["grant"]["id"]
    refused = world.post("owner_admin", f"/grants/{foreign_id}/approve")
    missing = world.post("owner_admin", f"/grants/{foreign_id + 1000}/approve")
    assert refused.status_code == 404
    assert refused.json == missing.json
    assert world.get("outsider", f"/grants/{foreign_id}").json["grant"]["status"] == "pending"
    assert "disclosure.foreign_grant" in audit_actions(app)


def test_the_requester_cannot_approve_its_own_request(app, world) -> None:
    grant_id = accept(world, "requester").json["grant"]["id"]
    refused = world.post("requester", f"/grants/{grant_id}/approve")
    assert refused.status_code == 404
    assert world.get("requester", f"/grants/{grant_id}").json["grant"]["status"] == "pending"
