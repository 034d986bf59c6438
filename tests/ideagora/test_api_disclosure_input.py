"""Bad acceptances over the API: each refused with a clear message, and nothing written."""

from __future__ import annotations

import pytest

from ideagora.accounts.models import User
from ideagora.database import db
from ideagora.disclosure.models import DisclosureGrant, NdaAcceptance
from tests.ideagora.test_api_disclosure import (
    OMITTED,
    accept,
    age_tokens,
    audit_actions,
    build_world,
    rows,
)


@pytest.fixture
def world(client, driver):
    return build_world(client, driver)


def test_a_text_changed_since_it_was_read_is_refused_with_the_current_text(app, world) -> None:
    path = f"/challenges/{world.challenge_id}"
    read = world.get("requester", f"{path}/nda").json
    version = world.get("owner_admin", path).json["version"]
    renamed = world.client.patch(
        f"/api/v1{path}",
        headers=world.headers("owner_admin"),
        json={"title": "Compostable barrier coating for paper cups", "version": version},
    )
    assert renamed.status_code == 200, renamed.json
    stale = accept(world, "requester", sha256=read["sha256"])
    assert stale.status_code == 409
    error = stale.json["error"]
    assert error["code"] == "stale_nda"
    assert error["nda"]["sha256"] != read["sha256"]
    assert "Compostable barrier coating" in error["nda"]["text"]
    assert rows(app, NdaAcceptance) == rows(app, DisclosureGrant) == 0
    assert "nda.hash_mismatch" in audit_actions(app)
    # the text sent back is the one to accept now
    accepted = accept(world, "requester", sha256=error["nda"]["sha256"])
    assert accepted.status_code == 201, accepted.json


FORGED = "ab" * 32
LONG_NAME = "N" * 121


@pytest.mark.parametrize(
    ("changes", "status", "code", "where", "message"),
    [
        ({"assent": OMITTED}, 422, "validation_failed", "assent", "Tick the box"),
        ({"assent": False}, 422, "validation_failed", "assent", "Tick the box"),
        ({"assent": "true"}, 422, "validation_failed", "assent", "Tick the box"),
        ({"signer_name": ""}, 422, "validation_failed", "signer_name", "Type your full name"),
        ({"signer_name": OMITTED}, 422, "validation_failed", "signer_name", "Type your full"),
        ({"signer_name": LONG_NAME}, 422, "validation_failed", "signer_name", "at most 120"),
        ({"signer_name": 7}, 422, "validation_failed", "signer_name", "Not a valid string"),
        ({"sha256": FORGED}, 409, "stale_nda", None, "not the current text"),
        ({"sha256": "not-a-hash"}, 409, "stale_nda", None, "not the current text"),
        ({"sha256": OMITTED}, 409, "stale_nda", None, "not the current text"),
        ({"organization_id": "other"}, 403, "forbidden", None, "your own organisation"),
        ({"organization_id": "x"}, 422, "validation_failed", "organization_id", "as a number"),
        ({"stale_token": True}, 403, "fresh_login_required", None, "recent login"),
        ({"stale_token": True}, 403, "fresh_login_required", "password", "send your password"),
        ({"password": "wrong-horse-1"}, 403, "fresh_login_required", "password", "not right"),
        ({"colour": "red"}, 422, "validation_failed", "colour", "Unknown field"),
    ],
)
def test_bad_acceptances_are_refused_and_write_nothing(
    app, world, changes, status, code, where, message
) -> None:
    changes = dict(changes)
    if changes.pop("stale_token", False) or "password" in changes:
        world.headers("requester")
        age_tokens(app)
    if changes.get("organization_id") == "other":
        changes["organization_id"] = world.people["outsider"].organization_id
    response = accept(world, "requester", **changes)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] == code
    assert message in (error["fields"][where] if where else error["message"])
    assert rows(app, NdaAcceptance) == rows(app, DisclosureGrant) == 0


def test_a_stale_token_signs_with_the_password_typed_again(app, world) -> None:
    world.headers("requester")
    age_tokens(app)
    response = accept(world, "requester", password=world.people["requester"].password)
    assert response.status_code == 201, response.json
    assert response.json["grant"]["status"] == "pending"


def test_a_wrong_password_counts_as_a_failed_login(app, world) -> None:
    world.headers("requester")
    age_tokens(app)
    accept(world, "requester", password="wrong-horse-1")
    assert audit_actions(app)[-1] == "login.failed"
    with app.app_context():
        user = db.session.get(User, world.people["requester"].id)
        assert user.failed_login_count == 1


def test_guessing_the_password_locks_the_account(app, world) -> None:
    world.headers("requester")
    age_tokens(app)
    statuses = [accept(world, "requester", password=f"guess-{n}").status_code for n in range(5)]
    assert statuses == [403, 403, 403, 403, 429]
    locked = accept(world, "requester", password=world.people["requester"].password)
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "account_locked"
    assert rows(app, NdaAcceptance) == 0


def test_accepting_for_another_organisation_is_a_security_event(app, world) -> None:
    other = world.people["outsider"].organization_id
    response = accept(world, "requester", organization_id=other)
    assert response.status_code == 403
    assert "nda.wrong_organization" in audit_actions(app)
