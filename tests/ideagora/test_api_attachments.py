"""Attachments over the API: multipart uploads, downloads after the access check, removal."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from ideagora.attachments.models import Attachment
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.organizations.models import Role
from tests.uploads import (
    API_PATHS,
    CANARY,
    EXE,
    FILE_LIMIT,
    HTML_PAGE,
    REQUEST_LIMIT,
    make_listing,
    pdf,
    png,
    secret_text,
    with_small_limits,
)


@pytest.fixture
def app_config(app_config):
    return with_small_limits(app_config)


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Eastmoor University", kind="university")
    return {
        "admin": admin,
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Cupworks Ltd"),
    }


@pytest.fixture
def tokens(client, driver, people):
    return {name: driver.token(client, person) for name, person in people.items()} | {
        "anonymous": {}
    }


def post_file(client, headers, kind, listing_id, content, filename, confidential="true"):
    data = {} if confidential is None else {"confidential": confidential}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post(
        f"{API_PATHS[kind]}/{listing_id}/attachments",
        headers=headers,
        data=data,
        content_type="multipart/form-data",
    )


def attachment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))


@pytest.mark.parametrize("kind", ["challenge", "asset"])
def test_upload_and_download_round_trip(app, client, people, tokens, kind) -> None:
    listing_id = make_listing(app, people["admin"], kind, published=True)
    content = pdf("Dossier: curing curves at 60 °C")
    created = post_file(client, tokens["member"], kind, listing_id, content, "curves.pdf")
    assert created.status_code == 201, created.json
    body = created.json
    assert body["filename"] == "curves.pdf"
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["confidential"] is True
    assert body["created_at"]
    download = client.get(f"/api/v1/attachments/{body['id']}", headers=tokens["admin"])
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == body["sha256"]
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    listing = client.get(f"{API_PATHS[kind]}/{listing_id}", headers=tokens["member"]).json
    assert [item["sha256"] for item in listing["attachments"]] == [body["sha256"]]
    assert listing["attachments"][0]["url"] == f"/api/v1/attachments/{body['id']}"


@pytest.mark.parametrize(
    ("content", "filename", "confidential", "status", "field", "message"),
    [
        (None, None, "true", 422, "file", "Send the file as the multipart field 'file'"),
        (pdf(), "", "true", 422, "file", "Send the file as the multipart field 'file'"),
        (pdf(), "a.pdf", None, 422, "confidential", "true or false"),
        (pdf(), "a.pdf", "maybe", 422, "confidential", "true or false"),
        (b"", "empty.pdf", "false", 422, "file", '"empty.pdf" is empty.'),
        (bytes(FILE_LIMIT + 1), "big.pdf", "false", 413, "file", "at most 8 KiB"),
        (EXE, "report.pdf", "false", 422, "file", "looks like a Windows program"),
        (HTML_PAGE, "report.pdf", "false", 422, "file", "looks like an HTML page"),
        (png(), "scan.tiff", "false", 422, "file", "is not a TIFF image"),
        (EXE, "tool.exe", "false", 422, "file", "is not a type we accept"),
        (bytes(range(256)) * 4, "blob", "false", 422, "file", "is not a type we accept"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(
    app, client, people, tokens, content, filename, confidential, status, field, message
) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    response = post_file(
        client, tokens["admin"], "challenge", listing_id, content, filename, confidential
    )
    assert response.status_code == status
    error = response.json["error"]
    assert error["code"] == ("too_large" if status == 413 else "validation_failed")
    assert message in error["fields"][field]
    assert attachment_count(app) == 0
    assert app.extensions["storage"].files == {}


def test_a_request_over_the_size_limit_is_a_413_json_error(app, client, people, tokens) -> None:
    listing_id = make_listing(app, people["admin"], "asset", published=False)
    response = post_file(
        client, tokens["admin"], "asset", listing_id, bytes(REQUEST_LIMIT + 1), "huge.pdf"
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert attachment_count(app) == 0


@pytest.mark.parametrize(
    ("content_type", "status"), [("text/plain", 415), ("application/x-www-form-urlencoded", 415)]
)
def test_only_multipart_or_json_bodies_reach_the_upload(
    app, client, people, tokens, content_type, status
) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    response = client.post(
        f"/api/v1/challenges/{listing_id}/attachments",
        headers=tokens["admin"],
        data="file=x",
        content_type=content_type,
    )
    assert response.status_code == status
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_other_endpoints_still_refuse_multipart_bodies(app, client, tokens) -> None:
    response = client.post(
        "/api/v1/challenges",
        headers=tokens["admin"],
        data={"title": "x", "file": (io.BytesIO(pdf()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415


VIEWERS = ["anonymous", "outsider", "member", "admin"]


@pytest.mark.parametrize("kind", ["challenge", "asset"])
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("confidential", [False, True], ids=["public", "confidential"])
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
def test_who_may_download_over_the_api(
    app, client, people, tokens, kind, viewer, confidential, published
) -> None:
    listing_id = make_listing(app, people["admin"], kind, published=published)
    content = secret_text() if confidential else b"Public data sheet.\n"
    created = post_file(
        client, tokens["admin"], kind, listing_id, content, "file.txt", str(confidential).lower()
    )
    assert created.status_code == 201
    owner_side = viewer in ("member", "admin")
    status = 200 if owner_side or (published and not confidential) else 404
    response = client.get(f"/api/v1/attachments/{created.json['id']}", headers=tokens[viewer])
    assert response.status_code == status
    assert (response.data == content) is (status == 200)
    listing = client.get(f"{API_PATHS[kind]}/{listing_id}", headers=tokens[viewer])
    if listing.status_code == 200:
        assert len(listing.json["attachments"]) == (1 if status == 200 else 0)
    browse = client.get(API_PATHS[kind], headers=tokens[viewer])
    for payload in (response, listing, browse):
        if status == 404:
            assert CANARY.encode() not in payload.data
            assert b"file.txt" not in payload.data


def test_guessed_ids_are_not_found(app, client, people, tokens) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    created = post_file(client, tokens["admin"], "challenge", listing_id, secret_text(), "p.txt")
    hidden = client.get(f"/api/v1/attachments/{created.json['id']}", headers=tokens["outsider"])
    absent = client.get(f"/api/v1/attachments/{created.json['id'] + 1}", headers=tokens["outsider"])
    assert hidden.status_code == absent.status_code == 404
    assert (
        hidden.json
        == absent.json
        == {"error": {"code": "not_found", "message": "There is no such file."}}
    )


def test_every_api_download_is_audited(app, client, people, tokens) -> None:
    listing_id = make_listing(app, people["admin"], "asset", published=True)
    created = post_file(client, tokens["admin"], "asset", listing_id, pdf(), "a.pdf", "false")
    for headers in (tokens["anonymous"], tokens["outsider"], tokens["member"]):
        assert (
            client.get(f"/api/v1/attachments/{created.json['id']}", headers=headers).status_code
            == 200
        )
    with app.app_context():
        events = list(
            db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "attachment.downloaded")
                .order_by(AuditEvent.id)
            )
        )
    assert [event.actor_user_id for event in events] == [
        None,
        people["outsider"].id,
        people["member"].id,
    ]
    assert [event.details["actor_organization_id"] for event in events] == [
        None,
        people["outsider"].organization_id,
        people["admin"].organization_id,
    ]
    assert {event.details["channel"] for event in events} == {"api"}


@pytest.mark.parametrize(
    ("viewer", "published", "status"),
    [
        ("anonymous", True, 401),
        ("outsider", True, 403),
        ("outsider", False, 404),
        ("member", False, 201),
        ("admin", True, 201),
    ],
)
def test_who_may_upload(app, client, people, tokens, viewer, published, status) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=published)
    response = post_file(client, tokens[viewer], "challenge", listing_id, pdf(), "a.pdf")
    assert response.status_code == status
    assert attachment_count(app) == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("viewer", "confidential", "status"),
    [
        ("anonymous", "false", 401),
        ("outsider", "false", 403),
        ("outsider", "true", 404),
        ("member", "true", 204),
        ("admin", "false", 204),
    ],
)
def test_who_may_delete(app, client, people, tokens, viewer, confidential, status) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    created = post_file(
        client, tokens["admin"], "challenge", listing_id, pdf(), "a.pdf", confidential
    )
    response = client.delete(f"/api/v1/attachments/{created.json['id']}", headers=tokens[viewer])
    assert response.status_code == status
    assert attachment_count(app) == (0 if status == 204 else 1)
    again = client.get(f"/api/v1/attachments/{created.json['id']}", headers=tokens["admin"])
    assert again.status_code == (404 if status == 204 else 200)


def test_the_openapi_document_describes_the_multipart_upload(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/api/v1/challenges/{challenge_id}/attachments"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["required"]) == {"file", "confidential"}
    assert "201" in upload["responses"]
    download = spec["paths"]["/api/v1/attachments/{attachment_id}"]["get"]
    assert {"200", "302", "404"} <= set(download["responses"])


def test_a_text_field_named_file_is_no_file(app, client, people, tokens) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    response = client.post(
        f"/api/v1/challenges/{listing_id}/attachments",
        headers=tokens["admin"],
        data={"file": "report.pdf", "confidential": "true"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "multipart field 'file'" in response.json["error"]["fields"]["file"]
    assert attachment_count(app) == 0
