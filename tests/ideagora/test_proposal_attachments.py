"""Files on proposals: attached by the proposer, seen by the proposer and the seeker only."""

from __future__ import annotations

import hashlib
import html
import io

import pytest
import sqlalchemy as sa

from ideagora.attachments import owners
from ideagora.attachments import services as attachments
from ideagora.attachments.models import Attachment, OwnerType
from ideagora.audit.models import AuditEvent
from ideagora.challenges.models import ChallengeStatus
from ideagora.database import db
from ideagora.proposals.models import Proposal
from tests.ideagora.proposal_world import (
    BODY_SECRET,
    FEEDBACK_TEXT,
    build_world,
    decide,
    set_challenge,
    submit,
    user,
)
from tests.uploads import (
    CANARY,
    EXE,
    FILE_LIMIT,
    HTML_PAGE,
    pdf,
    png,
    secret_text,
    with_small_limits,
)

PUBLIC_TEXT = b"Public datasheet of the chitosan spray head.\n"
# who sees a proposal's files, public or confidential: its two organisations and nobody else
SEES = {
    "anonymous": False,
    "unrelated": False,
    "rival_proposer": False,
    "proposer_member": True,
    "seeker_member": True,
    "seeker_admin": True,
}


@pytest.fixture
def app_config(app_config):
    return with_small_limits(app_config)


@pytest.fixture
def world(driver):
    return build_world(driver)


@pytest.fixture
def rival(driver, world):
    """Another organisation that proposed to the same challenge."""
    person = driver.person(organization="Rival Coatings SA")
    submit(driver, world, person, title="Starch-based barrier")
    return person


@pytest.fixture
def proposal_id(driver, world):
    return submit(driver, world)


def person_of(world, rival, role):
    return rival if role == "rival_proposer" else world.person(role)


def page_client(driver, world, rival, role):
    person = person_of(world, rival, role)
    return driver.logged_in_client(person) if person else driver.app.test_client()


def api_headers(driver, client, world, rival, role):
    person = person_of(world, rival, role)
    return driver.token(client, person) if person else {}


def attach(driver, person, proposal_id, content, filename, *, confidential) -> int:
    """Attach a file through the service, as the person, and return its id."""
    with driver.app.app_context():
        attachment = attachments.add_attachment(
            db.session,
            user(person),
            db.session.get(Proposal, proposal_id),
            io.BytesIO(content),
            filename,
            confidential=confidential,
            ip_address=None,
        )
        db.session.commit()
        return attachment.id


def page_upload(driver, client, proposal_id, content, filename, *, confidential=True):
    data = {"file": (io.BytesIO(content), filename)} if content is not None else {}
    if confidential:
        data["confidential"] = "y"
    # every signed-in page carries a CSRF token, so the login page serves for outsiders too
    return driver.submit(
        client,
        f"/proposals/{proposal_id}/attachments",
        data,
        form_url="/login",
        content_type="multipart/form-data",
    )


def api_upload(client, headers, proposal_id, content, filename, confidential="true"):
    data = {} if confidential is None else {"confidential": confidential}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post(
        f"/api/v1/proposals/{proposal_id}/attachments",
        headers=headers,
        data=data,
        content_type="multipart/form-data",
    )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def attachment_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Attachment.id).order_by(Attachment.id)))


def download_events(app) -> list[AuditEvent]:
    with app.app_context():
        query = sa.select(AuditEvent).where(AuditEvent.action == "attachment.downloaded")
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


# -- round trips -----------------------------------------------------------------------------


def test_attach_from_the_proposal_page_and_the_seeker_downloads_it(
    app, driver, world, proposal_id
) -> None:
    proposer = driver.logged_in_client(world.solver_member)
    page = text_of(proposer.get(f"/proposals/{proposal_id}"))
    assert "Attach a file" in page
    assert f'action="/proposals/{proposal_id}/attachments"' in page
    content = pdf("Hot-coffee test, 30 minutes, no leak")
    response = page_upload(driver, proposer, proposal_id, content, "Coffee test.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#attachments")
    page = text_of(proposer.get(response.headers["Location"]))
    assert '"Coffee test.pdf" is attached as a confidential file.' in page
    assert hashlib.sha256(content).hexdigest() in page
    assert "Remove Coffee test.pdf" in page
    (attachment_id,) = attachment_ids(app)
    seeker = driver.logged_in_client(world.seeker_member)
    seeker_page = text_of(seeker.get(f"/proposals/{proposal_id}"))
    assert "Coffee test.pdf" in seeker_page
    assert "Confidential" in seeker_page
    # the seeker reads the files but neither adds nor removes any
    assert "Attach a file" not in seeker_page
    assert "Remove Coffee test.pdf" not in seeker_page
    download = seeker.get(f"/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="Coffee test.pdf"'
    )
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.owner_type is OwnerType.PROPOSAL
        assert attachment.owner_id == proposal_id
        assert attachment.organization_id == world.solver_member.organization_id


def test_attach_over_the_api_and_both_organisations_see_it_in_the_proposal(
    app, client, driver, world, proposal_id
) -> None:
    proposer = driver.token(client, world.solver_member)
    content = png()
    response = api_upload(client, proposer, proposal_id, content, "spray head.png", "false")
    assert response.status_code == 201, response.json
    created = response.json
    assert created["filename"] == "spray head.png"
    assert created["sha256"] == hashlib.sha256(content).hexdigest()
    assert (created["size"], created["content_type"]) == (len(content), "image/png")
    assert created["confidential"] is False
    for person in (world.solver_member, world.seeker_member):
        shown = client.get(f"/api/v1/proposals/{proposal_id}", headers=driver.token(client, person))
        assert shown.status_code == 200
        assert [file["id"] for file in shown.json["attachments"]] == [created["id"]]
    download = client.get(created["url"], headers=driver.token(client, world.seeker_admin))
    assert download.status_code == 200
    assert download.data == content
    # the list of a challenge's proposals carries the files too
    listed = client.get(
        f"/api/v1/challenges/{world.challenge_id}/proposals",
        headers=driver.token(client, world.seeker_admin),
    )
    assert listed.json["items"][0]["attachments"][0]["sha256"] == created["sha256"]


# -- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize("confidential", [False, True], ids=["public", "confidential"])
@pytest.mark.parametrize("role", list(SEES))
def test_who_may_download_a_proposal_file(
    app, client, driver, world, rival, proposal_id, role, confidential, channel
) -> None:
    content = secret_text() if confidential else PUBLIC_TEXT + CANARY.encode()
    attachment_id = attach(
        driver, world.solver_member, proposal_id, content, "notes.txt", confidential=confidential
    )
    if channel == "page":
        viewer = page_client(driver, world, rival, role)
        response = viewer.get(f"/attachments/{attachment_id}")
    else:
        headers = api_headers(driver, client, world, rival, role)
        response = client.get(f"/api/v1/attachments/{attachment_id}", headers=headers)
    if SEES[role]:
        assert response.status_code == 200
        assert response.data == content
    else:
        assert response.status_code == 404
        assert CANARY.encode() not in response.data
        assert b"notes.txt" not in response.data
    assert len(download_events(app)) == (1 if SEES[role] else 0)


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize("role", list(SEES))
def test_who_sees_the_list_of_a_proposals_files(
    app, client, driver, world, rival, proposal_id, role, channel
) -> None:
    public = attach(
        driver, world.solver_member, proposal_id, PUBLIC_TEXT, "datasheet.txt", confidential=False
    )
    secret = attach(
        driver, world.solver_admin, proposal_id, secret_text(), "cost model.txt", confidential=True
    )
    if channel == "page":
        response = page_client(driver, world, rival, role).get(f"/proposals/{proposal_id}")
        seen = text_of(response)
        if role == "anonymous":
            assert response.status_code == 302
            assert "/login" in response.headers["Location"]
        elif SEES[role]:
            assert response.status_code == 200
            assert "datasheet.txt" in seen
            assert "cost model.txt" in seen
        else:
            assert response.status_code == 404
    else:
        headers = api_headers(driver, client, world, rival, role)
        response = client.get(f"/api/v1/proposals/{proposal_id}", headers=headers)
        seen = response.get_data(as_text=True)
        if SEES[role]:
            assert response.status_code == 200
            assert [file["id"] for file in response.json["attachments"]] == [public, secret]
        else:
            assert response.status_code == (401 if role == "anonymous" else 404)
    if not SEES[role]:
        for hidden in ("datasheet.txt", "cost model.txt", BODY_SECRET):
            assert hidden not in seen


def test_guessed_ids_of_proposal_files_are_not_found_like_missing_ones(
    client, driver, world, proposal_id
) -> None:
    secret = attach(
        driver, world.solver_member, proposal_id, secret_text(), "s.txt", confidential=True
    )
    outsider = driver.token(client, world.bystander)
    hidden = client.get(f"/api/v1/attachments/{secret}", headers=outsider)
    missing = client.get(f"/api/v1/attachments/{secret + 1000}", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json


# -- who may attach, and when ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page_status", "api_status"),
    [
        ("proposer_member", 302, 201),
        ("proposer_admin", 302, 201),
        ("seeker_member", 403, 403),
        ("seeker_admin", 403, 403),
        ("unrelated", 404, 404),
        ("rival_proposer", 404, 404),
        ("anonymous", 302, 401),
    ],
)
@pytest.mark.parametrize("channel", ["page", "api"])
def test_who_may_attach_a_file_to_a_proposal(
    app, client, driver, world, rival, proposal_id, role, page_status, api_status, channel
) -> None:
    if channel == "page":
        person = person_of(world, rival, role)
        viewer = driver.logged_in_client(person) if person else app.test_client()
        response = page_upload(driver, viewer, proposal_id, pdf(), "answer.pdf")
        assert response.status_code == page_status
        if role == "anonymous":
            assert "/login" in response.headers["Location"]
    else:
        headers = api_headers(driver, client, world, rival, role)
        response = api_upload(client, headers, proposal_id, pdf(), "answer.pdf")
        assert response.status_code == api_status
    allowed = role.startswith("proposer")
    assert len(attachment_ids(app)) == (1 if allowed else 0)
    if role.startswith("seeker"):
        message = "Only the organisation that submitted a proposal attaches files to it."
        assert message in text_of(response)


@pytest.mark.parametrize(
    ("action", "args", "decider", "status"),
    [
        ("decline", ("other", FEEDBACK_TEXT), "seeker_admin", "declined"),
        ("award", (), "seeker_admin", "awarded"),
        ("withdraw", (), "proposer_member", "withdrawn"),
    ],
)
def test_a_decided_proposal_takes_no_more_files(
    app, client, driver, world, proposal_id, action, args, decider, status
) -> None:
    kept = attach(driver, world.solver_member, proposal_id, pdf(), "before.pdf", confidential=True)
    decide(driver, proposal_id, action, world.person(decider), *args)
    message = f"This proposal is {status}; its files can no longer be changed."
    response = api_upload(
        client, driver.token(client, world.solver_member), proposal_id, pdf(), "late.pdf"
    )
    assert response.status_code == 409
    assert response.json["error"]["message"] == message
    proposer = driver.logged_in_client(world.solver_member)
    refused = page_upload(driver, proposer, proposal_id, pdf(), "late.pdf")
    assert refused.status_code == 302
    page = text_of(proposer.get(refused.headers["Location"]))
    assert message in page
    assert "Attach a file" not in page
    assert "Remove before.pdf" not in page
    # what the seeker decided on stays: the file is still there and nobody removes it
    removal = client.delete(
        f"/api/v1/attachments/{kept}", headers=driver.token(client, world.solver_member)
    )
    assert removal.status_code == 403
    assert attachment_ids(app) == [kept]
    assert "before.pdf" in page


def test_a_shortlisted_proposal_still_takes_files(app, client, driver, world, proposal_id) -> None:
    decide(driver, proposal_id, "shortlist", world.seeker_admin)
    response = api_upload(
        client, driver.token(client, world.solver_member), proposal_id, pdf(), "more.pdf"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("challenge_status", [ChallengeStatus.CLOSED, ChallengeStatus.WITHDRAWN])
def test_no_files_once_the_challenge_no_longer_decides(
    app, client, driver, world, proposal_id, challenge_status
) -> None:
    set_challenge(driver, world, status=challenge_status)
    response = api_upload(
        client, driver.token(client, world.solver_member), proposal_id, pdf(), "late.pdf"
    )
    assert response.status_code == 409
    assert response.json["error"]["message"] == (
        f"The challenge is {challenge_status.value}; "
        "the files of its proposals can no longer be changed."
    )
    assert attachment_ids(app) == []


# -- bad uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (None, None, "Choose a file to attach."),
        (b"", "empty.pdf", '"empty.pdf" is empty.'),
        (bytes(FILE_LIMIT + 1), "big.pdf", '"big.pdf" is too large: a file can be at most 8 KiB.'),
        (EXE, "report.pdf", "its content looks like a Windows program."),
        (HTML_PAGE, "report.pdf", "its content looks like an HTML page."),
        (EXE, "setup.exe", '"setup.exe" is not a type we accept'),
    ],
)
def test_bad_uploads_on_the_page_say_why_and_store_nothing(
    app, driver, world, proposal_id, content, filename, message
) -> None:
    proposer = driver.logged_in_client(world.solver_member)
    response = page_upload(driver, proposer, proposal_id, content, filename)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#attachments")
    assert message in text_of(proposer.get(response.headers["Location"]))
    assert attachment_ids(app) == []


@pytest.mark.parametrize(
    ("content", "filename", "confidential", "status", "field", "message"),
    [
        (None, None, "true", 422, "file", "Send the file as the multipart field 'file'"),
        (pdf(), "a.pdf", None, 422, "confidential", "Say whether the file is confidential"),
        (pdf(), "a.pdf", "maybe", 422, "confidential", "Say whether the file is confidential"),
        (bytes(FILE_LIMIT + 1), "big.pdf", "true", 413, "file", "A file can be at most 8 KiB."),
        (png(), "photo.jpg", "true", 422, "file", '"photo.jpg" is not a JPEG image'),
    ],
)
def test_bad_uploads_over_the_api_say_why_and_store_nothing(
    app, client, driver, world, proposal_id, content, filename, confidential, status, field, message
) -> None:
    headers = driver.token(client, world.solver_member)
    response = api_upload(client, headers, proposal_id, content, filename, confidential)
    assert response.status_code == status
    assert message in response.json["error"]["fields"][field]
    assert attachment_ids(app) == []


# -- removing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("proposer_member", 204),
        ("proposer_admin", 204),
        ("seeker_member", 403),
        ("seeker_admin", 403),
        ("unrelated", 404),
        ("rival_proposer", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_remove_a_proposal_file_over_the_api(
    app, client, driver, world, rival, proposal_id, role, status
) -> None:
    attachment_id = attach(
        driver, world.solver_member, proposal_id, pdf(), "a.pdf", confidential=False
    )
    headers = api_headers(driver, client, world, rival, role)
    response = client.delete(f"/api/v1/attachments/{attachment_id}", headers=headers)
    assert response.status_code == status
    assert attachment_ids(app) == ([] if status == 204 else [attachment_id])


def test_the_proposer_removes_a_file_from_the_page(app, driver, world, proposal_id) -> None:
    attachment_id = attach(
        driver, world.solver_admin, proposal_id, pdf(), "draft.pdf", confidential=True
    )
    seeker = driver.logged_in_client(world.seeker_admin)
    refused = driver.submit(seeker, f"/attachments/{attachment_id}/delete", {}, form_url="/login")
    assert refused.status_code == 403
    proposer = driver.logged_in_client(world.solver_member)
    response = driver.submit(
        proposer, f"/attachments/{attachment_id}/delete", {}, form_url=f"/proposals/{proposal_id}"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#attachments")
    page = text_of(proposer.get(response.headers["Location"]))
    assert '"draft.pdf" is removed.' in page
    assert "No files are attached." in page
    assert attachment_ids(app) == []
    assert proposer.get(f"/attachments/{attachment_id}").status_code == 404


# -- audit and registration ------------------------------------------------------------------


def test_every_download_of_a_proposal_file_is_audited(
    app, client, driver, world, proposal_id
) -> None:
    attachment_id = attach(
        driver, world.solver_member, proposal_id, secret_text(), "c.txt", confidential=True
    )
    seeker = driver.logged_in_client(world.seeker_member)
    assert seeker.get(f"/attachments/{attachment_id}").status_code == 200
    headers = driver.token(client, world.seeker_admin)
    assert client.get(f"/api/v1/attachments/{attachment_id}", headers=headers).status_code == 200
    outsider = driver.token(client, world.bystander)
    assert client.get(f"/api/v1/attachments/{attachment_id}", headers=outsider).status_code == 404
    events = download_events(app)
    assert [(event.actor_user_id, event.details["channel"]) for event in events] == [
        (world.seeker_member.id, "page"),
        (world.seeker_admin.id, "api"),
    ]
    for event in events:
        assert (event.subject_type, event.subject_id) == ("Attachment", str(attachment_id))
        assert event.details["owner_type"] == "proposal"
        assert event.details["owner_id"] == proposal_id
        assert event.details["actor_organization_id"] == world.seeker_admin.organization_id
        # filed with the seeker, who answers for the challenge: a proposer reading its own
        # trail must not learn who, at an anonymous seeker, read its files
        assert event.organization_id == world.seeker_admin.organization_id


def test_proposals_are_registered_once_as_owners_of_files(app) -> None:
    rule = owners.rule_for_kind(OwnerType.PROPOSAL)
    assert rule.model is Proposal
    with app.test_request_context():
        proposal = Proposal(id=12)
        assert owners.rule_for(proposal) is rule
        assert rule.page_url(proposal) == "/proposals/12"
        assert rule.upload_url(proposal) == "/proposals/12/attachments"


def test_the_openapi_document_describes_the_proposal_upload(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/api/v1/proposals/{proposal_id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "201" in upload["responses"]
