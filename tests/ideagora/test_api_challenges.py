"""Challenges over the API: posting, the lifecycle, editing safely, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.organizations.models import Role

SECRET = "CANARY-brief-7f3c"


def challenge_body(**changes):
    body = {
        "title": "Recyclable barrier coating for paper cups",
        "summary": "A water-based coating that keeps coffee in and lets the cup be recycled.",
        "description": "Paper cups are lined with polyethylene, which pulping cannot separate.",
        "confidential_brief": f"Target cost 0.4 cent per cup; 2 billion cups a year. {SECRET}",
        "keywords": ["Barrier coating", "recyclable", "paper", "barrier coating"],
        "fields": ["materials", "consumer-products"],
        "challenge_type": "reduction_to_practice",
        "award_amount": 40000,
        "currency": "eur",
        "deadline": (utcnow() + timedelta(days=60)).date().isoformat(),
        "ip_terms": "exclusive_license",
        "trl_sought": 4,
        "anonymous": False,
        "nda_approval_required": True,
    }
    body.update(changes)
    return body


@pytest.fixture
def seeker(driver, client):
    admin = driver.person(organization="Cupworks Ltd")
    member = driver.person(organization=admin.organization_id, role=Role.MEMBER)
    officer = driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER)
    return {
        "admin": driver.token(client, admin),
        "member": driver.token(client, member),
        "officer": driver.token(client, officer),
        "organization_id": admin.organization_id,
    }


@pytest.fixture
def outsider(driver, client):
    return driver.token(client, driver.person(organization="Solver University", kind="university"))


def post(client, headers, **changes):
    response = client.post("/api/v1/challenges", headers=headers, json=challenge_body(**changes))
    assert response.status_code == 201, response.json
    return response.json


def test_post_a_challenge_as_a_draft_and_publish_it(client, seeker) -> None:
    created = post(client, seeker["member"])
    assert created["status"] == "draft"
    assert created["access"] == "owner"
    assert created["confidential_brief"].endswith(SECRET)
    assert created["keywords"] == ["barrier coating", "recyclable", "paper"]
    assert created["currency"] == "EUR"
    assert created["award_amount"] == "40000.00"
    assert created["owner"]["name"] == "Cupworks Ltd"
    published = client.post(
        f"/api/v1/challenges/{created['id']}/publish", headers=seeker["officer"]
    )
    assert published.status_code == 200
    assert published.json["status"] == "open"
    assert published.json["published_at"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "t" * 201}, "title", "A title has at most 200 characters"),
        ({"summary": None}, "summary", "Enter a summary."),
        ({"fields": []}, "fields", "Choose at least one technical field."),
        ({"fields": ["quantum-baking"]}, "fields", "Unknown technical field"),
        ({"challenge_type": "contest"}, "challenge_type", "Choose the challenge type from"),
        ({"award_amount": -5}, "award_amount", "The award cannot be negative."),
        ({"award_amount": 10**12}, "award_amount", "is not plausible"),
        ({"award_amount": "lots"}, "award_amount", "is not an amount of money"),
        ({"award_amount": 10.005}, "award_amount", "at most two decimals"),
        ({"currency": "DOGE"}, "currency", "Choose the currency from"),
        ({"deadline": "2001-01-01"}, "deadline", "The deadline must be in the future."),
        ({"deadline": "next friday"}, "deadline", "is not a date"),
        ({"ip_terms": "everything"}, "ip_terms", "Choose the IP terms from"),
        ({"trl_sought": 0}, "trl_sought", "from 1 to 9"),
        ({"trl_sought": 10}, "trl_sought", "from 1 to 9"),
        ({"trl_sought": "high"}, "trl_sought", "from 1 to 9"),
        ({"anonymous": "yes"}, "anonymous", "must be true or false"),
        ({"keywords": "a" * 61}, "keywords", "A keyword has at most 60 characters"),
        ({"colour": "blue"}, "colour", "This field does not exist on a challenge."),
        ({"title": "Barrier\x00coating"}, "title", "holds control characters"),
        ({"deadline": "9999-12-31T23:00:00-05:00"}, "deadline", "is not a date we can use"),
        ({"deadline": "2999-01-01"}, "deadline", "more than 10 years ahead is not plausible"),
    ],
)
def test_bad_challenges_are_refused_field_by_field(
    client, seeker, app, changes, field, message
) -> None:
    response = client.post(
        "/api/v1/challenges", headers=seeker["admin"], json=challenge_body(**changes)
    )
    assert response.status_code == 422
    assert message in response.json["error"]["fields"][field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)) == 0


def test_drafts_are_invisible_to_others(client, seeker, outsider) -> None:
    created = post(client, seeker["admin"])
    assert client.get(f"/api/v1/challenges/{created['id']}", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/challenges/{created['id']}").status_code == 404
    assert client.get("/api/v1/challenges").json["total"] == 0


def test_the_brief_is_for_the_owner_only(client, seeker, outsider) -> None:
    created = post(client, seeker["admin"])
    client.post(f"/api/v1/challenges/{created['id']}/publish", headers=seeker["admin"])
    for headers in (outsider, {}):
        seen = client.get(f"/api/v1/challenges/{created['id']}", headers=headers)
        assert seen.json["access"] == "none"
        assert "confidential_brief" not in seen.json
        assert SECRET not in seen.get_data(as_text=True)
        listed = client.get("/api/v1/challenges", headers=headers)
        assert listed.json["total"] == 1
        assert SECRET not in listed.get_data(as_text=True)
    owner = client.get(f"/api/v1/challenges/{created['id']}", headers=seeker["member"])
    assert SECRET in owner.json["confidential_brief"]


def test_anonymous_seekers_show_a_stable_pseudonym(client, seeker, outsider) -> None:
    created = post(client, seeker["admin"], anonymous=True)
    client.post(f"/api/v1/challenges/{created['id']}/publish", headers=seeker["admin"])
    first = client.get(f"/api/v1/challenges/{created['id']}", headers=outsider).json["owner"]
    second = client.get(f"/api/v1/challenges/{created['id']}").json["owner"]
    assert first == second
    assert first["anonymous"] is True
    assert first["id"] is None
    assert first["name"].startswith("Anonymous seeker")
    listed = client.get("/api/v1/challenges").get_data(as_text=True)
    assert "Cupworks" not in listed


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("member", 403),
        ("officer", 200),
        ("admin", 200),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_publish(client, seeker, outsider, actor, status) -> None:
    created = post(client, seeker["member"])
    headers = (
        {"outsider": outsider, "anonymous": {}}[actor]
        if actor in ("outsider", "anonymous")
        else seeker[actor]
    )
    response = client.post(f"/api/v1/challenges/{created['id']}/publish", headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("actions", "refused", "message"),
    [
        (["publish"], "publish", "A challenge that is open cannot be published."),
        (["withdraw"], "publish", "A challenge that is withdrawn cannot be published."),
        ([], "close", "A challenge that is draft cannot be closed."),
        (["publish", "close"], "withdraw", "A challenge that is closed cannot be withdrawn."),
    ],
)
def test_wrong_state_transitions_are_conflicts(client, seeker, actions, refused, message) -> None:
    created = post(client, seeker["admin"])
    for action in actions:
        response = client.post(
            f"/api/v1/challenges/{created['id']}/{action}", headers=seeker["admin"]
        )
        assert response.status_code == 200
    response = client.post(f"/api/v1/challenges/{created['id']}/{refused}", headers=seeker["admin"])
    assert response.status_code == 409
    assert response.json["error"]["message"] == message


def test_an_open_challenge_moves_to_evaluation_when_its_deadline_passes(
    client, seeker, app
) -> None:
    created = post(client, seeker["admin"])
    client.post(f"/api/v1/challenges/{created['id']}/publish", headers=seeker["admin"])
    with app.app_context():
        challenge = db.session.get(Challenge, created["id"])
        challenge.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"/api/v1/challenges/{created['id']}").json["status"] == "evaluating"


def test_two_people_editing_at_once_cannot_overwrite_each_other(client, seeker) -> None:
    created = post(client, seeker["admin"])
    path = f"/api/v1/challenges/{created['id']}"
    first = client.patch(
        path, headers=seeker["admin"], json={"title": "First title", "version": created["version"]}
    )
    assert first.status_code == 200
    second = client.patch(
        path,
        headers=seeker["member"],
        json={"title": "Second title", "version": created["version"]},
    )
    assert second.status_code == 409
    assert "Someone else saved this listing" in second.json["error"]["message"]
    assert client.get(path, headers=seeker["admin"]).json["title"] == "First title"


def test_outsiders_cannot_edit(client, seeker, outsider) -> None:
    created = post(client, seeker["admin"])
    client.post(f"/api/v1/challenges/{created['id']}/publish", headers=seeker["admin"])
    response = client.patch(
        f"/api/v1/challenges/{created['id']}", headers=outsider, json={"title": "Hijacked"}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/challenges/{created['id']}").json["title"] != "Hijacked"


def test_browse_filters_by_field_and_paginates(client, seeker) -> None:
    for number in range(3):
        created = post(
            client,
            seeker["admin"],
            title=f"Challenge {number}",
            fields=["energy"] if number else ["materials"],
        )
        client.post(f"/api/v1/challenges/{created['id']}/publish", headers=seeker["admin"])
    energy = client.get("/api/v1/challenges?field=energy&per_page=1")
    assert energy.json["total"] == 2
    assert energy.json["per_page"] == 1
    assert len(energy.json["items"]) == 1
    assert client.get("/api/v1/challenges?per_page=1000").json["per_page"] == 100
    assert client.get("/api/v1/challenges?page=0").status_code == 422


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "Send the version of the listing you edited"),
        ("abc", "The version is the whole number"),
        (True, "The version is the whole number"),
        ("²", "The version is the whole number"),
    ],
)
def test_an_edit_must_say_which_version_it_was_made_from(client, seeker, version, message) -> None:
    created = post(client, seeker["admin"])
    path = f"/api/v1/challenges/{created['id']}"
    body = {"title": "A title nobody checked"}
    if version is not None:
        body["version"] = version
    response = client.patch(path, headers=seeker["admin"], json=body)
    assert response.status_code == 422
    assert message in response.json["error"]["fields"]["version"]
    assert client.get(path, headers=seeker["admin"]).json["title"] == created["title"]


def test_an_edit_naming_only_the_same_day_keeps_the_deadline_time(client, seeker) -> None:
    noon = (utcnow() + timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)
    created = post(client, seeker["admin"], deadline=noon.isoformat())
    path = f"/api/v1/challenges/{created['id']}"
    edited = client.patch(
        path,
        headers=seeker["admin"],
        json={"deadline": noon.date().isoformat(), "version": created["version"]},
    )
    assert edited.status_code == 200
    assert edited.json["deadline"] == created["deadline"]
    assert edited.json["version"] == created["version"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/challenges/99999999999999999999",
        "/challenges/99999999999999999999",
        "/offers/99999999999999999999/edit",
    ],
)
def test_an_id_no_record_can_have_is_not_found(client, seeker, path) -> None:
    assert client.get(path, headers=seeker["admin"]).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["page=99999999999999999999", "page=-3", "page=two", "deadline_before=9999-12-31"],
)
def test_absurd_list_arguments_never_fail(client, query) -> None:
    page = client.get(f"/challenges?{query}")
    assert page.status_code in (200, 400)
    api = client.get(f"/api/v1/challenges?{query}")
    assert api.status_code in (200, 422)
    assert page.status_code == 200 or "not a date" in page.get_data(as_text=True)
