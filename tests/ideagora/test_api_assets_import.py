"""POST /api/v1/assets/import: a CSV or JSON Lines body, checked row by row."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ideagora.assets.models import Asset, AssetStatus
from ideagora.database import db
from ideagora.organizations.models import Role
from tests.offer_files import HEADER, csv_cells, csv_file, jsonl_file, offer

URL = "/api/v1/assets/import"


@pytest.fixture
def tokens(driver, client):
    admin = driver.person(organization="Harbour University TTO", kind="university")
    member = driver.person(organization=admin.organization_id, role=Role.MEMBER)
    outsider = driver.person(organization="Other Labs")
    return {
        "admin": driver.token(client, admin),
        "member": driver.token(client, member),
        "outsider": driver.token(client, outsider),
        "organization_id": admin.organization_id,
    }


def post(client, headers, content: bytes, content_type: str, query: str = ""):
    return client.post(URL + query, data=content, headers={**headers, "Content-Type": content_type})


def assets(app) -> list[Asset]:
    with app.app_context():
        found = db.session.scalars(sa.select(Asset).order_by(Asset.id)).all()
        db.session.expunge_all()
        return found


def test_a_csv_portfolio_creates_drafts_and_reports_bad_rows(client, app, tokens) -> None:
    content = csv_file(csv_cells(1), csv_cells(2, trl="0"), csv_cells(3))
    response = post(client, tokens["member"], content, "text/csv")
    assert response.status_code == 201
    body = response.json
    assert body["created"] == 2
    assert body["rows"] == 3
    assert body["status"] == "draft"
    [error] = body["errors"]
    assert error["row"] == 3
    assert set(error["fields"]) == {"trl"}
    assert error["message"].startswith("trl: The technology readiness level")
    created = assets(app)
    assert [asset.id for asset in created] == body["ids"]
    assert {asset.organization_id for asset in created} == {tokens["organization_id"]}
    assert {asset.status for asset in created} == {AssetStatus.DRAFT}
    # the drafts are the organisation's own: an outsider cannot tell they exist
    assert (
        client.get(f"/api/v1/assets/{body['ids'][0]}", headers=tokens["outsider"]).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/assets/{body['ids'][0]}", headers=tokens["admin"])
        .json["title"]
        .endswith("variant 1")
    )


@pytest.mark.parametrize(
    "content_type",
    ["application/x-ndjson", "application/jsonl", "application/x-ndjson; charset=utf-8"],
)
def test_json_lines_bodies_are_accepted(client, app, tokens, content_type) -> None:
    content = jsonl_file(offer(1), offer(2, fields=["nowhere"]))
    response = post(client, tokens["member"], content, content_type)
    assert response.status_code == 201
    assert response.json["created"] == 1
    assert response.json["errors"][0]["row"] == 2
    assert "nowhere" in response.json["errors"][0]["fields"]["fields"]


def test_no_row_created_answers_200_with_every_reason(client, app, tokens) -> None:
    content = jsonl_file(offer(1, trl=0), offer(2, deal_types=[]))
    response = post(client, tokens["member"], content, "application/x-ndjson")
    assert response.status_code == 200
    assert response.json["created"] == 0
    assert response.json["ids"] == []
    assert [error["row"] for error in response.json["errors"]] == [1, 2]
    assert assets(app) == []


def test_publish_at_once_needs_an_admin_or_licensing_officer(client, app, tokens) -> None:
    content = jsonl_file(offer())
    refused = post(client, tokens["member"], content, "application/x-ndjson", "?publish=true")
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"
    assert assets(app) == []
    published = post(client, tokens["admin"], content, "application/x-ndjson", "?publish=true")
    assert published.status_code == 201
    assert published.json["status"] == "published"
    anonymous = client.get(f"/api/v1/assets/{published.json['ids'][0]}")
    assert anonymous.status_code == 200
    assert anonymous.json["status"] == "published"
    assert "confidential_dossier" not in anonymous.json


@pytest.mark.parametrize(
    ("content", "content_type", "query", "status", "code", "message"),
    [
        (b"", "text/csv", "", 422, "validation_failed", "The file is empty"),
        (b"", "", "", 422, "validation_failed", "The file is empty"),
        (b"title,summary", "application/xml", "", 415, "unsupported_media_type", "text/csv"),
        (json.dumps(offer()).encode(), "application/json", "", 415, "unsupported_media_type", ""),
        (b"\xff\xfe t\x00i\x00", "text/csv", "", 422, "validation_failed", "not UTF-8 text"),
        (
            csv_file(csv_cells(), header=[*HEADER, "price"]),
            "text/csv",
            "",
            422,
            "validation_failed",
            "unknown columns: 'price'",
        ),
        (b"title\nA\n", "text/csv", "", 422, "validation_failed", "lacks the required columns"),
        (csv_file(csv_cells()), "text/csv", "?format=xml", 422, "validation_failed", "format"),
        (csv_file(csv_cells()), "text/csv", "?publish=perhaps", 422, "validation_failed", ""),
    ],
)
def test_a_body_that_cannot_be_imported_is_refused_whole(
    client, app, tokens, content, content_type, query, status, code, message
) -> None:
    response = post(client, tokens["member"], content, content_type, query)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert message in json.dumps(response.json["error"], ensure_ascii=False)
    assert assets(app) == []


def test_a_plain_text_body_is_read_by_its_first_character_or_the_format_asked(
    client, app, tokens
) -> None:
    sniffed = post(client, tokens["member"], jsonl_file(offer(1)), "text/plain")
    assert sniffed.json["created"] == 1
    forced = post(
        client, tokens["member"], jsonl_file(offer(2)), "application/octet-stream", "?format=jsonl"
    )
    assert forced.json["created"] == 1


def test_the_row_limit_and_the_size_limit_hold(client, app, tokens) -> None:
    app.config["IMPORT_MAX_ROWS"] = 2
    content = jsonl_file(offer(1), offer(2), offer(3))
    too_many = post(client, tokens["member"], content, "application/x-ndjson")
    assert too_many.status_code == 422
    assert "at most 2" in too_many.json["error"]["message"]
    app.config["MAX_CONTENT_LENGTH"] = 1_000
    too_big = post(client, tokens["member"], content, "application/x-ndjson")
    assert too_big.status_code == 413
    assert too_big.json["error"]["code"] == "too_large"
    assert assets(app) == []


def test_a_token_is_needed(client, app) -> None:
    response = post(client, {}, jsonl_file(offer()), "application/x-ndjson")
    assert response.status_code == 401
    assert assets(app) == []


def test_only_this_route_takes_a_body_that_is_not_json(client, tokens) -> None:
    response = post(client, tokens["member"], csv_file(csv_cells()), "text/csv")
    assert response.status_code == 201
    elsewhere = client.post(
        "/api/v1/assets",
        data=csv_file(csv_cells()),
        headers={**tokens["member"], "Content-Type": "text/csv"},
    )
    assert elsewhere.status_code == 415


def test_the_openapi_document_describes_the_import(client) -> None:
    operation = client.get("/api/v1/openapi.json").json["paths"][URL]["post"]
    assert {"text/csv", "application/x-ndjson", "application/jsonl"} <= set(
        operation["requestBody"]["content"]
    )
    assert {"200", "201", "415", "422"} <= set(operation["responses"])
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"publish", "format"}
