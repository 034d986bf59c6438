"""Attachment pages: uploading from a listing's page, downloading, removing, and who sees what."""

from __future__ import annotations

import hashlib
import html
import io
import re

import pytest
import sqlalchemy as sa

from ideagora.attachments.models import Attachment
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.organizations.models import Role
from ideagora.storage import MemoryStorage
from tests.uploads import (
    CANARY,
    EXE,
    FILE_LIMIT,
    HTML_PAGE,
    PAGE_PATHS,
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
    admin = driver.person(organization="Cupworks Ltd")
    return {
        "admin": admin,
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Solver University", kind="university"),
    }


def upload(driver, client, kind, listing_id, content, filename, *, confidential):
    page = f"{PAGE_PATHS[kind]}/{listing_id}"
    data = {"file": (io.BytesIO(content), filename)} if content is not None else {}
    if confidential:
        data["confidential"] = "y"
    return driver.submit(
        client, f"{page}/attachments", data, form_url=page, content_type="multipart/form-data"
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def without_csrf_token(page: str) -> str:
    """The page with its CSRF token blanked: the token carries the second it was signed."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


def attachment_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Attachment.id).order_by(Attachment.id)))


def downloads(app) -> list[AuditEvent]:
    with app.app_context():
        query = sa.select(AuditEvent).where(AuditEvent.action == "attachment.downloaded")
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.mark.parametrize("kind", ["challenge", "asset"])
def test_upload_from_the_page_and_download_the_same_bytes(app, driver, people, kind) -> None:
    listing_id = make_listing(app, people["admin"], kind, published=True)
    member = driver.logged_in_client(people["member"])
    content = pdf("Pilot-line results, batch 7")
    response = upload(
        driver, member, kind, listing_id, content, "Pilot results.pdf", confidential=True
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PAGE_PATHS[kind]}/{listing_id}#attachments")
    page = text_of(member.get(f"{PAGE_PATHS[kind]}/{listing_id}"))
    assert '"Pilot results.pdf" is attached as a confidential file.' in page
    assert "PDF document" in page
    assert "Confidential" in page
    assert hashlib.sha256(content).hexdigest() in page
    (attachment_id,) = attachment_ids(app)
    download = member.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == hashlib.sha256(content).hexdigest()
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="Pilot results.pdf"'
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (None, None, 422, "Choose a file to attach."),
        (b"", "empty.pdf", 422, '"empty.pdf" is empty.'),
        (bytes(FILE_LIMIT + 1), "big.pdf", 413, "A file can be at most 8 KiB."),
        (EXE, "report.pdf", 422, "its content looks like a Windows program."),
        (HTML_PAGE, "report.pdf", 422, "its content looks like an HTML page."),
        (png(), "photo.jpg", 422, '"photo.jpg" is not a JPEG image'),
        (EXE, "setup.exe", 422, '"setup.exe" is not a type we accept'),
    ],
)
def test_bad_uploads_show_the_page_again_with_the_reason(
    app, driver, people, content, filename, status, message
) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    admin = driver.logged_in_client(people["admin"])
    response = upload(driver, admin, "challenge", listing_id, content, filename, confidential=False)
    assert response.status_code == status
    page = text_of(response)
    assert message in page
    assert "Attach a file" in page
    assert 'aria-invalid="true"' in page
    assert attachment_ids(app) == []


def test_a_request_over_the_size_limit_gets_a_413_page(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    admin = driver.logged_in_client(people["admin"])
    response = upload(
        driver,
        admin,
        "challenge",
        listing_id,
        bytes(REQUEST_LIMIT + 1),
        "huge.pdf",
        confidential=True,
    )
    assert response.status_code == 413
    assert "<h1>Too large</h1>" in response.get_data(as_text=True)
    assert attachment_ids(app) == []


VIEWERS = ["anonymous", "outsider", "member", "admin"]


def expected_status(viewer: str, confidential: bool, published: bool) -> int:
    if viewer in ("member", "admin"):
        return 200
    return 200 if published and not confidential else 404


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("confidential", [False, True], ids=["public", "confidential"])
@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
def test_who_may_download_from_the_pages(
    app, driver, people, viewer, confidential, published
) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=published)
    admin = driver.logged_in_client(people["admin"])
    content = secret_text() if confidential else b"Public data sheet for the coating.\n"
    assert (
        upload(
            driver, admin, "challenge", listing_id, content, "file.txt", confidential=confidential
        ).status_code
        == 302
    )
    (attachment_id,) = attachment_ids(app)
    client = app.test_client() if viewer == "anonymous" else driver.logged_in_client(people[viewer])
    status = expected_status(viewer, confidential, published)
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == status
    assert (response.data == content) is (status == 200)
    page = client.get(f"/challenges/{listing_id}")
    if page.status_code == 200:
        assert ("file.txt" in page.get_data(as_text=True)) is (status == 200)
    if status == 404:
        assert CANARY.encode() not in response.data + page.data
    assert len(downloads(app)) == (1 if status == 200 else 0)


def test_guessed_ids_are_not_found_whether_or_not_the_file_exists(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    admin = driver.logged_in_client(people["admin"])
    upload(driver, admin, "challenge", listing_id, secret_text(), "plan.txt", confidential=True)
    (attachment_id,) = attachment_ids(app)
    outsider = driver.logged_in_client(people["outsider"])
    hidden = outsider.get(f"/attachments/{attachment_id}")
    absent = outsider.get(f"/attachments/{attachment_id + 1}")
    assert hidden.status_code == absent.status_code == 404
    assert without_csrf_token(text_of(hidden)) == without_csrf_token(text_of(absent))
    assert outsider.get("/attachments/0").status_code == 404
    assert outsider.get("/attachments/not-a-number").status_code == 404


def test_every_download_is_in_the_audit_trail(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "asset", published=True)
    admin = driver.logged_in_client(people["admin"])
    upload(driver, admin, "asset", listing_id, pdf(), "sheet.pdf", confidential=False)
    (attachment_id,) = attachment_ids(app)
    anonymous = app.test_client()
    for client in (anonymous, anonymous, admin):
        assert client.get(f"/attachments/{attachment_id}").status_code == 200
    events = downloads(app)
    assert [event.actor_user_id for event in events] == [None, None, people["admin"].id]
    assert {event.ip_address for event in events} == {"127.0.0.1"}
    assert {event.subject_id for event in events} == {str(attachment_id)}
    assert {event.details["channel"] for event in events} == {"page"}


def test_only_owner_members_see_the_upload_form(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    member_page = driver.logged_in_client(people["member"]).get(f"/challenges/{listing_id}")
    assert "Attach a file" in member_page.get_data(as_text=True)
    for client in (app.test_client(), driver.logged_in_client(people["outsider"])):
        page = client.get(f"/challenges/{listing_id}").get_data(as_text=True)
        assert "Attach a file" not in page
        assert "No files are attached that you can see." in page


@pytest.mark.parametrize(("published", "status"), [(True, 403), (False, 404)])
def test_outsiders_cannot_upload(app, driver, people, published, status) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=published)
    outsider = driver.logged_in_client(people["outsider"])
    response = driver.submit(
        outsider,
        f"/challenges/{listing_id}/attachments",
        {"file": (io.BytesIO(pdf()), "x.pdf")},
        form_url="/dashboard",
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert attachment_ids(app) == []


def test_anonymous_visitors_are_sent_to_log_in_before_uploading(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    response = driver.submit(
        app.test_client(),
        f"/challenges/{listing_id}/attachments",
        {"file": (io.BytesIO(pdf()), "x.pdf")},
        form_url="/login",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert attachment_ids(app) == []


@pytest.mark.parametrize(("confidential", "status"), [(False, 403), (True, 404)])
def test_outsiders_cannot_remove_files(app, driver, people, confidential, status) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    admin = driver.logged_in_client(people["admin"])
    upload(driver, admin, "challenge", listing_id, pdf(), "keep.pdf", confidential=confidential)
    (attachment_id,) = attachment_ids(app)
    outsider = driver.logged_in_client(people["outsider"])
    response = driver.submit(
        outsider, f"/attachments/{attachment_id}/delete", {}, form_url="/dashboard"
    )
    assert response.status_code == status
    assert attachment_ids(app) == [attachment_id]


def test_members_remove_files_from_the_page(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    admin = driver.logged_in_client(people["admin"])
    upload(driver, admin, "challenge", listing_id, pdf(), "old.pdf", confidential=False)
    (attachment_id,) = attachment_ids(app)
    member = driver.logged_in_client(people["member"])
    page = f"/challenges/{listing_id}"
    removed = driver.submit(
        member, f"/attachments/{attachment_id}/delete", {}, form_url=page, follow_redirects=True
    )
    assert '"old.pdf" is removed.' in text_of(removed)
    assert attachment_ids(app) == []
    assert app.extensions["storage"].files == {}
    assert member.get(f"/attachments/{attachment_id}").status_code == 404


class PresigningStorage(MemoryStorage):
    """Memory storage that hands out direct links, as the S3 backend does."""

    def download_url(self, key, *, filename, content_type, expires_in=None):
        return f"https://files.example.test/{key}?X-Amz-Expires=60"


def test_a_store_with_direct_links_redirects_after_the_check(app, driver, people) -> None:
    app.extensions["storage"] = PresigningStorage()
    listing_id = make_listing(app, people["admin"], "challenge", published=True)
    admin = driver.logged_in_client(people["admin"])
    upload(driver, admin, "challenge", listing_id, secret_text(), "plan.txt", confidential=True)
    (attachment_id,) = attachment_ids(app)
    response = admin.get(f"/attachments/{attachment_id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://files.example.test/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    outsider = driver.logged_in_client(people["outsider"])
    assert outsider.get(f"/attachments/{attachment_id}").status_code == 404
    assert len(downloads(app)) == 1


def test_a_text_field_named_file_is_no_file(app, driver, people) -> None:
    listing_id = make_listing(app, people["admin"], "challenge", published=False)
    admin = driver.logged_in_client(people["admin"])
    page = f"/challenges/{listing_id}"
    response = driver.submit(
        admin,
        f"{page}/attachments",
        {"file": "C:\\report.pdf"},
        form_url=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose a file to attach." in text_of(response)
    assert attachment_ids(app) == []
