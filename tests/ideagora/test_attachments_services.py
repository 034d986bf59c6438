"""Attachment services: checks before storing, rows and stored objects kept in step, access."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.attachments import owners, services
from ideagora.attachments.models import Attachment, OwnerType
from ideagora.audit.models import AuditEvent
from ideagora.challenges.models import Challenge
from ideagora.database import db
from ideagora.errors import DomainError, Forbidden, NotFound
from ideagora.organizations.models import Role
from ideagora.storage import MemoryStorage, StorageError, get_storage
from tests.uploads import EXE, HTML_PAGE, load_listing, make_listing, pdf, png, secret_text

LIMIT = 4096


@pytest.fixture
def storage_backend() -> str:
    return "memory"


@pytest.fixture
def app_config(app_config, storage_backend):
    return {**app_config, "STORAGE_BACKEND": storage_backend, "ATTACHMENT_MAX_BYTES": LIMIT}


@pytest.fixture
def people(driver):
    owner = driver.person(organization="Cupworks Ltd")
    return {
        "owner": owner,
        "member": driver.person(organization=owner.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Solver University", kind="university"),
    }


@pytest.fixture
def challenge_id(app, people):
    return make_listing(app, people["owner"], "challenge", published=True)


def user(person) -> User:
    return db.session.get(User, person.id)


def attach(
    person, listing_id, content, filename="report.pdf", *, confidential=False, kind="challenge"
):
    attachment = services.add_attachment(
        db.session,
        user(person),
        load_listing(kind, listing_id),
        None if content is None else io.BytesIO(content),
        filename,
        confidential=confidential,
        ip_address="192.0.2.7",
    )
    db.session.commit()
    return attachment


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("kind", ["challenge", "asset"])
def test_an_upload_is_stored_with_its_size_type_and_checksum(app, people, kind) -> None:
    content = pdf()
    listing_id = make_listing(app, people["owner"], kind, published=False)
    with app.app_context():
        attachment = attach(
            people["member"], listing_id, content, "C:\\Reports\\Q3 results.pdf", kind=kind
        )
        assert attachment.filename == "Q3 results.pdf"
        assert attachment.content_type == "application/pdf"
        assert attachment.size == len(content)
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert attachment.owner_type is OwnerType(kind)
        assert attachment.organization_id == people["owner"].organization_id
        assert attachment.uploaded_by_id == people["member"].id
        assert "results" not in attachment.storage_key.lower()
        assert get_storage().read(attachment.storage_key) == content
        assert actions()[-1] == "attachment.added"
        assert repr(attachment).endswith(f"public {len(content)} bytes>")
        assert "Q3" not in repr(attachment)


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (None, None, 422, "Choose a file to attach."),
        (b"", "empty.pdf", 422, '"empty.pdf" is empty.'),
        (bytes(LIMIT + 1), "big.pdf", 413, '"big.pdf" is too large: a file can be at most 4 KiB.'),
        (
            EXE,
            "report.pdf",
            422,
            '"report.pdf" is not a PDF document: its content looks like a Windows program.',
        ),
        (
            HTML_PAGE,
            "report.pdf",
            422,
            '"report.pdf" is not a PDF document: its content looks like an HTML page.',
        ),
        (
            png(),
            "report.pdf",
            422,
            '"report.pdf" is not a PDF document: its content looks like a PNG image.',
        ),
        (EXE, "setup.exe", 422, '"setup.exe" is not a type we accept'),
        (HTML_PAGE, "page.html", 422, '"page.html" is not a type we accept'),
        (bytes(range(256)) * 4, "data", 422, '"data" is not a type we accept'),
        (bytes(range(256)) * 4, "data.bin", 422, '"data.bin" is not a type we accept'),
    ],
)
def test_bad_uploads_are_refused_before_anything_is_stored(
    app, people, challenge_id, content, filename, status, message
) -> None:
    with app.app_context():
        with pytest.raises(DomainError) as refusal:
            attach(people["owner"], challenge_id, content, filename)
        db.session.rollback()
        assert refusal.value.status == status
        assert refusal.value.message.startswith(message)
        assert refusal.value.fields["file"]
        assert count(Attachment) == 0
        assert get_storage().files == {}


def test_a_file_of_exactly_the_limit_is_accepted(app, people, challenge_id) -> None:
    content = b"a" * (LIMIT - 1) + b"\n"
    with app.app_context():
        attachment = attach(people["owner"], challenge_id, content, "notes.txt")
        assert attachment.size == LIMIT
        assert attachment.content_type == "text/plain"


def test_outsiders_cannot_attach_to_a_published_listing(app, people, challenge_id) -> None:
    with app.app_context():
        with pytest.raises(Forbidden, match="Only members of the organisation"):
            attach(people["outsider"], challenge_id, pdf())
        assert get_storage().files == {}


def test_a_failed_database_write_leaves_no_stored_object(
    app, people, challenge_id, monkeypatch
) -> None:
    def broken_record(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is gone"))

    monkeypatch.setattr(services.audit, "record", broken_record)
    with app.app_context():
        with pytest.raises(sa.exc.OperationalError):
            attach(people["owner"], challenge_id, pdf())
        db.session.rollback()
        assert get_storage().files == {}
        assert count(Attachment) == 0


def test_a_rolled_back_upload_deletes_its_object_and_a_committed_one_keeps_it(
    app, people, challenge_id
) -> None:
    with app.app_context():
        listing = load_listing("challenge", challenge_id)
        services.add_attachment(
            db.session,
            user(people["owner"]),
            listing,
            io.BytesIO(pdf()),
            "a.pdf",
            confidential=True,
            ip_address=None,
        )
        assert len(get_storage().files) == 1
        db.session.rollback()
        assert get_storage().files == {}
        kept = attach(people["owner"], challenge_id, pdf(), "b.pdf")
        assert list(get_storage().files) == [kept.storage_key]


def test_a_storage_outage_saves_nothing_and_says_so(app, people, challenge_id) -> None:
    class BrokenStorage(MemoryStorage):
        def save(self, data, *, content_type, key=None):
            raise StorageError("S3 upload failed: SlowDown (HTTP 503)")

    with app.app_context():
        with pytest.raises(services.StorageUnavailable, match="nothing was saved") as refusal:
            services.add_attachment(
                db.session,
                user(people["owner"]),
                load_listing("challenge", challenge_id),
                io.BytesIO(pdf()),
                "a.pdf",
                confidential=False,
                ip_address=None,
                storage=BrokenStorage(),
            )
        assert refusal.value.status == 503
        assert count(Attachment) == 0


def test_removing_deletes_the_object_only_once_the_removal_commits(
    app, people, challenge_id
) -> None:
    with app.app_context():
        attachment = attach(people["owner"], challenge_id, pdf())
        key = attachment.storage_key
        services.remove_attachment(db.session, user(people["member"]), attachment, ip_address=None)
        db.session.rollback()
        assert get_storage().exists(key)
        attachment = db.session.get(Attachment, attachment.id)
        services.remove_attachment(db.session, user(people["member"]), attachment, ip_address=None)
        db.session.commit()
        assert not get_storage().exists(key)
        assert count(Attachment) == 0
        assert actions()[-1] == "attachment.removed"


def test_a_removal_in_a_savepoint_keeps_the_object_until_the_outer_commit(
    app, people, challenge_id
) -> None:
    with app.app_context():
        attachment = attach(people["owner"], challenge_id, pdf())
        key = attachment.storage_key
        with db.session.begin_nested():
            services.remove_attachment(
                db.session, user(people["member"]), attachment, ip_address=None
            )
        # the savepoint is released, but the removal can still be rolled back
        assert get_storage().exists(key)
        db.session.rollback()
        assert get_storage().exists(key)
        assert count(Attachment) == 1


def test_an_upload_in_a_savepoint_is_deleted_when_the_outer_transaction_rolls_back(
    app, people, challenge_id
) -> None:
    with app.app_context():
        with db.session.begin_nested():
            services.add_attachment(
                db.session,
                user(people["owner"]),
                load_listing("challenge", challenge_id),
                io.BytesIO(pdf()),
                "a.pdf",
                confidential=False,
                ip_address=None,
            )
        db.session.rollback()
        assert get_storage().files == {}
        assert count(Attachment) == 0


@pytest.mark.parametrize(("confidential", "error"), [(False, Forbidden), (True, NotFound)])
def test_outsiders_cannot_remove_files(app, people, challenge_id, confidential, error) -> None:
    with app.app_context():
        attachment = attach(people["owner"], challenge_id, pdf(), confidential=confidential)
        with pytest.raises(error):
            services.remove_attachment(
                db.session, user(people["outsider"]), attachment, ip_address=None
            )
        assert get_storage().exists(attachment.storage_key)


def test_who_sees_which_files(app, people, challenge_id) -> None:
    with app.app_context():
        public = attach(people["owner"], challenge_id, pdf(), "public.pdf")
        secret = attach(
            people["owner"], challenge_id, secret_text(), "secret.txt", confidential=True
        )
        listing = load_listing("challenge", challenge_id)
        outsider, member = user(people["outsider"]), user(people["member"])
        assert services.visible_attachments(db.session, outsider, listing) == [public]
        assert services.visible_attachments(db.session, None, listing) == [public]
        assert services.visible_attachments(db.session, member, listing) == [public, secret]
        assert services.get_attachment_for(db.session, None, public.id) is public
        for viewer in (None, outsider):
            with pytest.raises(NotFound, match="There is no such file"):
                services.get_attachment_for(db.session, viewer, secret.id)
        with pytest.raises(NotFound, match="There is no such file"):
            services.get_attachment_for(db.session, member, secret.id + 1000)


def test_files_of_an_owner_kind_nobody_registered_are_not_found(
    app, people, challenge_id, monkeypatch
) -> None:
    monkeypatch.delitem(owners._RULES, OwnerType.PROPOSAL, raising=False)
    with app.app_context():
        stray = attach(people["owner"], challenge_id, pdf())
        stray.owner_type = OwnerType.PROPOSAL
        db.session.commit()
        with pytest.raises(NotFound):
            services.get_attachment_for(db.session, user(people["owner"]), stray.id)


def test_a_download_is_recorded_with_who_and_from_where(app, people, challenge_id) -> None:
    with app.app_context():
        attachment = attach(
            people["owner"], challenge_id, secret_text(), "s.txt", confidential=True
        )
        services.record_download(
            db.session, user(people["member"]), attachment, ip_address="198.51.100.4", channel="api"
        )
        db.session.commit()
        event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "attachment.downloaded"
        assert (event.actor_user_id, event.ip_address) == (people["member"].id, "198.51.100.4")
        assert (event.subject_type, event.subject_id) == ("Attachment", str(attachment.id))
        assert event.details["channel"] == "api"
        assert event.details["actor_organization_id"] == people["member"].organization_id


def test_an_owner_kind_cannot_be_registered_twice_for_another_model() -> None:
    with pytest.raises(ValueError, match="already owned"):
        owners.register_owner(
            OwnerType.CHALLENGE,
            User,
            load_visible=lambda session, user, owner_id: None,
            may_see_confidential=lambda user, owner: False,
            may_attach=lambda user, owner: False,
            page_url=lambda owner: "/",
        )
    assert owners.rule_for_kind(OwnerType.CHALLENGE).model is Challenge


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1536, "1.5 KiB"), (20 << 20, "20 MiB")],
)
def test_sizes_read_as_people_say_them(size, text) -> None:
    assert services.human_size(size) == text


@pytest.mark.parametrize("storage_backend", ["local"])
def test_files_live_on_disk_with_the_local_backend(
    app, people, challenge_id, tmp_path: Path
) -> None:
    content = pdf()
    with app.app_context():
        attachment = attach(people["owner"], challenge_id, content)
        stored = get_storage().path_for(attachment.storage_key)
        assert stored.is_relative_to(tmp_path / "uploads")
        assert stored.read_bytes() == content
        services.remove_attachment(db.session, user(people["owner"]), attachment, ip_address=None)
        db.session.commit()
        assert not stored.exists()


@dataclass
class Submission:
    """Something of another package that files can be attached to, seen by two organisations."""

    id: int
    organization_id: int
    reader_organization_id: int


def test_another_package_plugs_in_its_own_owner_rule(
    app, people, challenge_id, monkeypatch
) -> None:
    submission = Submission(7, people["outsider"].organization_id, people["owner"].organization_id)

    def readers(user):
        org = user.membership.organization_id if user is not None and user.membership else None
        return org in (submission.organization_id, submission.reader_organization_id)

    def load_visible(session, user, owner_id):
        if owner_id != submission.id or not readers(user):
            raise NotFound("There is no such submission.")
        return submission

    rule = owners.OwnerRule(
        OwnerType.PROPOSAL,
        Submission,
        load_visible,
        lambda user, owner: readers(user),
        owners.is_member_of_owner,
        lambda owner: f"/submissions/{owner.id}",
    )
    monkeypatch.setitem(owners._RULES, OwnerType.PROPOSAL, rule)
    solver = people["outsider"]
    with app.app_context():
        attachment = services.add_attachment(
            db.session,
            user(solver),
            submission,
            io.BytesIO(pdf()),
            "answer.pdf",
            confidential=True,
            ip_address=None,
        )
        db.session.commit()
        assert attachment.owner_type is OwnerType.PROPOSAL
        assert attachment.organization_id == solver.organization_id
        assert services.get_attachment_for(db.session, user(people["member"]), attachment.id)
        assert services.visible_attachments(db.session, user(solver), submission) == [attachment]
        with pytest.raises(NotFound):
            services.get_attachment_for(db.session, None, attachment.id)
        with pytest.raises(Forbidden):
            services.add_attachment(
                db.session,
                user(people["owner"]),
                submission,
                io.BytesIO(pdf()),
                "x.pdf",
                confidential=True,
                ip_address=None,
            )
