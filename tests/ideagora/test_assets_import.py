"""The bulk import of IP offers: CSV and JSON Lines, checks row by row, and what is saved."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.assets import importing
from ideagora.assets.import_files import detect_format, template_csv
from ideagora.assets.models import Asset, AssetField, AssetStatus
from ideagora.audit import services as audit
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.errors import Conflict, Forbidden, ValidationFailed
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Organization, Role
from tests.offer_files import HEADER, csv_cells, csv_file, jsonl_file, offer


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Northsea Coatings Ltd")
    return {
        "admin": admin,
        "officer": driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
    }


def run(app, person, content: bytes, **options):
    """Import as the person, commit, and return the result."""
    with app.app_context():
        user = db.session.get(User, person.id)
        options.setdefault("max_rows", app.config["IMPORT_MAX_ROWS"])
        result = importing.import_assets(db.session, user, content, **options)
        db.session.commit()
        return result


def refusal(app, person, content: bytes, **options) -> str:
    with app.app_context():
        user = db.session.get(User, person.id)
        options.setdefault("max_rows", app.config["IMPORT_MAX_ROWS"])
        with pytest.raises(ValidationFailed) as caught:
            importing.import_assets(db.session, user, content, **options)
        db.session.rollback()
        return caught.value.message


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Asset, AssetField, AuditEvent)
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"summary": ""}, "summary", "Enter a summary."),
        ({"title": "x" * 201}, "title", "A title has at most 200 characters (this has 201)."),
        ({"fields": ""}, "fields", "Choose at least one technical field."),
        ({"fields": "materials; alchemy"}, "fields", "Unknown technical field: 'alchemy'."),
        ({"trl": "12"}, "trl", "whole number from 1 to 9"),
        ({"trl": "five"}, "trl", "whole number from 1 to 9"),
        ({"trl": ""}, "trl", "Give the technology readiness level (TRL), from 1 to 9."),
        ({"patent_status": "secret"}, "patent_status", "Choose the patent status from: granted"),
        ({"patent_numbers": ""}, "patent_numbers", "Give the patent or application number"),
        ({"patent_numbers": "US 12"}, "patent_numbers", "'US 12'"),
        ({"jurisdictions": "Europe"}, "jurisdictions", "two-letter codes"),
        ({"deal_types": ""}, "deal_types", "Choose at least one deal type."),
        ({"deal_types": "rental"}, "deal_types", "Unknown deal type 'rental'"),
        ({"nda_approval_required": "maybe"}, "nda_approval_required", "must be true or false"),
        ({"keywords": "k" * 61}, "keywords", "A keyword has at most 60 characters"),
    ],
)
def test_a_bad_csv_row_is_refused_with_its_reason(app, people, changes, field, message) -> None:
    result = run(app, people["member"], csv_file(csv_cells(**changes)))
    assert result.created == []
    [error] = result.errors
    assert error.row == 2
    assert message in error.fields[field]
    assert error.message.startswith(f"{field}: ")
    assert counts(app)[0] == 0


@pytest.mark.parametrize(
    ("line", "message", "field"),
    [
        ('{"title": "Broken', "This line is not valid JSON: Unterminated string", None),
        ("[1, 2, 3]", "Each line must be one JSON object", None),
        ('"just text"', "Each line must be one JSON object", None),
        (json.dumps(offer(colour="blue")), "This field does not exist on an IP offer.", "colour"),
        (json.dumps(offer(trl=True)), "whole number from 1 to 9", "trl"),
        (json.dumps(offer(keywords={"a": 1})), "Keywords must be a list", "keywords"),
        (json.dumps(offer(fields=[{"slug": "materials"}])), "Unknown technical field", "fields"),
        (json.dumps(offer(title=["a", "list"])), "A title must be text.", "title"),
        (json.dumps(offer(nda_approval_required="yes")), "must be true or false", None),
        (json.dumps(offer(deal_types=[1])), "Deal types must be a list of text.", "deal_types"),
        (json.dumps(offer(patent_numbers=[None])), "Patent numbers must be a list", None),
    ],
)
def test_a_bad_json_line_is_refused_with_its_reason(app, people, line, message, field) -> None:
    content = b"\n".join([json.dumps(offer(1)).encode(), line.encode(), b""])
    result = run(app, people["member"], content)
    assert len(result.created) == 1
    [error] = result.errors
    assert error.row == 2
    assert message in error.message
    if field:
        assert field in error.fields


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (b"", {}, "The file is empty"),
        (b"  \n\r\n\t\n", {}, "The file is empty"),
        (b"\xef\xbb\xbf", {}, "The file is empty"),
        ("title,summary\nÉcole,x\n".encode("latin-1"), {}, "The file is not UTF-8 text (byte 15"),
        (csv_file(header=HEADER), {}, "The file has a header row but no offers under it."),
        (
            csv_file(csv_cells(), header=[*HEADER, "colour"]),
            {},
            "The header row names unknown columns: 'colour'.",
        ),
        (
            b"title,summary,trl\nA,B,3\n",
            {},
            "The header row lacks the required columns: fields, patent_status, deal_types.",
        ),
        (b"title,title,summary\n", {}, "The header row names a column twice: title."),
        (
            b'title,summary,fields,patent_status,trl,deal_types\n"A,B,materials,know_how,3,option\n',
            {},
            "The CSV file cannot be read from line 2 on",
        ),
        (csv_file(csv_cells()), {"file_format": "xml"}, "Choose the file format from: csv"),
        (
            csv_file(*(csv_cells(n) for n in range(4))),
            {"max_rows": 3},
            "The file has 4 offers; one import takes at most 3.",
        ),
    ],
)
def test_a_file_unusable_as_a_whole_is_refused_before_anything_is_created(
    app, people, content, options, message
) -> None:
    before = counts(app)
    assert message in refusal(app, people["member"], content, **options)
    assert counts(app) == before


def test_good_and_bad_rows_mixed_create_only_the_good_and_number_the_bad(app, people) -> None:
    # row numbers are the lines a person sees: header on line 1, a blank line skipped,
    # and a cell holding a line break moves the next record one line further down
    content = csv_file(
        csv_cells(1),
        csv_cells(2, trl="0"),
        csv_cells(3, description="First paragraph.\nSecond paragraph."),
        csv_cells(4, fields="astrology"),
        csv_cells(5),
    )
    lines = content.split(b"\n")
    content = b"\n".join([*lines[:2], b"", *lines[2:]])
    result = run(app, people["member"], content)
    assert [error.row for error in result.errors] == [4, 7]
    assert "trl" in result.errors[0].fields
    assert "astrology" in result.errors[1].fields["fields"]
    with app.app_context():
        titles = db.session.scalars(sa.select(Asset.title).order_by(Asset.id)).all()
        created = db.session.scalars(sa.select(Asset).where(Asset.id.in_(result.created))).all()
        assert {asset.status for asset in created} == {AssetStatus.DRAFT}
        assert {asset.organization_id for asset in created} == {people["member"].organization_id}
        third = next(asset for asset in created if asset.title.endswith("variant 3"))
        assert third.description == "First paragraph.\nSecond paragraph."
    assert [title[-9:] for title in titles] == ["variant 1", "variant 3", "variant 5"]


def test_csv_cells_become_the_values_an_offer_form_would_give(app, people) -> None:
    result = run(app, people["member"], csv_file(csv_cells(nda_approval_required="Yes")))
    with app.app_context():
        asset = db.session.get(Asset, result.created[0])
        assert asset.keywords == ["coating", "corrosion"]
        assert list(asset.fields) == ["materials"]
        assert asset.patent_numbers == ["US 10,123,456 B2", "EP 1 234 567"]
        assert asset.jurisdictions == ["EP", "US"]
        assert asset.trl == 4
        assert asset.fields_of_use == ["offshore wind", "shipping"]
        assert asset.deal_types == ["exclusive_license", "option"]
        assert asset.nda_approval_required is True
        assert asset.confidential_dossier == "Capsule wall: 40 nm; agent ratio 3:1."


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_columns_may_be_separated_by_commas_semicolons_or_tabs(app, people, delimiter) -> None:
    content = csv_file(csv_cells(1), csv_cells(2), delimiter=delimiter)
    result = run(app, people["member"], content)
    assert len(result.created) == 2, result.errors


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_a_byte_order_mark_is_ignored(app, people, file_format) -> None:
    content = csv_file(csv_cells()) if file_format == "csv" else jsonl_file(offer())
    result = run(app, people["member"], b"\xef\xbb\xbf" + content)
    assert len(result.created) == 1, result.errors
    assert result.errors == []


def test_json_lines_skip_blank_lines_and_number_rows_by_line(app, people) -> None:
    content = b"\r\n".join(
        [
            json.dumps(offer(1)).encode(),
            b"",
            json.dumps(offer(2, trl=10)).encode(),
            b"   ",
            json.dumps(offer(3, title="Line\u2028separator kept")).encode(),
            b"",
        ]
    )
    result = run(app, people["member"], content)
    assert [error.row for error in result.errors] == [3]
    assert len(result.created) == 2


def test_nothing_of_a_bad_row_is_written(app, people) -> None:
    before = counts(app)
    result = run(
        app,
        people["member"],
        jsonl_file(offer(1, trl=0), offer(2, fields=["nowhere"]), offer(3, patent_numbers=[])),
    )
    assert result.created == []
    assert len(result.errors) == 3
    # only the import's own audit event is added
    assert counts(app) == (before[0], before[1], before[2] + 1)


def test_each_committed_batch_has_one_audit_event_and_the_chain_stays_intact(app, people) -> None:
    rows = [offer(number) for number in range(1, 121)]
    rows[59]["trl"] = 0
    content = jsonl_file(*rows)
    result = run(app, people["member"], content)
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("asset%")).order_by(AuditEvent.id)
        ).all()
        # no event per offer: one per batch of 50 rows
        assert [event.action for event in events] == ["assets.imported"] * 3
        assert {event.actor_user_id for event in events} == {people["member"].id}
        assert {event.organization_id for event in events} == {people["member"].organization_id}
        assert {event.details["sha256"] for event in events} == {
            hashlib.sha256(content).hexdigest()
        }
        assert [
            (e.details["from_row"], e.details["to_row"], e.details["done"]) for e in events
        ] == [(1, 50, 50), (51, 100, 100), (101, 120, 120)]
        assert [e.details["created"] for e in events] == [50, 49, 20]
        assert [e.details["failed"] for e in events] == [0, 1, 0]
        assert [i for e in events for i in e.details["ids"]] == result.created
        assert {e.details["format"] for e in events} == {"jsonl"}
        assert audit.verify(db.session).intact


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_may_publish_at_once(app, people, role) -> None:
    result = run(app, people[role], jsonl_file(offer(1), offer(2)), publish=True)
    with app.app_context():
        statuses = db.session.scalars(
            sa.select(Asset.status).where(Asset.id.in_(result.created))
        ).all()
        assert statuses == [AssetStatus.PUBLISHED] * 2
        assert all(
            db.session.get(Asset, asset_id).published_at is not None for asset_id in result.created
        )


def test_a_member_may_not_publish_at_once_and_nothing_is_created(app, people) -> None:
    with app.app_context():
        user = db.session.get(User, people["member"].id)
        with pytest.raises(Forbidden, match="Only an admin or a licensing officer"):
            importing.import_assets(
                db.session, user, jsonl_file(offer()), max_rows=10, publish=True
            )
    assert counts(app)[0] == 0


def test_someone_without_an_organisation_cannot_import(app, people) -> None:
    with app.app_context():
        organization = db.session.get(Organization, people["admin"].organization_id)
        admin = db.session.get(User, people["admin"].id)
        organizations.remove_member(
            db.session, organization, admin, people["member"].id, ip_address=None
        )
        db.session.commit()
        user = db.session.get(User, people["member"].id)
        with pytest.raises(Conflict, match="Join or create an organisation"):
            importing.import_assets(db.session, user, jsonl_file(offer()), max_rows=10)


def test_a_few_hundred_rows_import_in_batches_with_progress(app, people) -> None:
    assert importing.BATCH_SIZE == 50
    rows = [csv_cells(number) for number in range(1, 301)]
    rows[149]["trl"] = "ten"
    seen = []
    result = run(
        app,
        people["officer"],
        csv_file(*rows),
        on_progress=lambda done, total: seen.append((done, total)),
    )
    # one report per batch of 50 rows (BATCH_SIZE)
    assert seen == [(done, 300) for done in range(50, 301, 50)]
    assert len(result.created) == 299
    assert [error.row for error in result.errors] == [151]
    assert counts(app)[0] == 299


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"title,summary", "text/csv", "csv"),
        (b'{"title": 1}', "text/csv; charset=utf-8", "csv"),
        (b"title,summary", "application/x-ndjson", "jsonl"),
        (b"title", "application/jsonl", "jsonl"),
        (b'\xef\xbb\xbf\n  {"title": 1}', None, "jsonl"),
        (b'{"title": 1}', "application/octet-stream", "jsonl"),
        (b"title,summary", None, "csv"),
        (b"\n\ntitle", "text/plain", "csv"),
    ],
)
def test_the_format_is_told_by_content_type_then_by_first_character(
    content, content_type, expected
) -> None:
    assert detect_format(content, content_type) == expected


def test_the_caller_may_force_the_format(app, people) -> None:
    # a JSON Lines body declared as CSV is read as CSV unless the format is forced
    content = jsonl_file(offer())
    assert "header row" in refusal(app, people["member"], content, content_type="text/csv")
    result = run(app, people["member"], content, content_type="text/csv", file_format="jsonl")
    assert len(result.created) == 1


def test_the_template_imports_as_one_offer(app, people) -> None:
    result = run(app, people["member"], template_csv().encode())
    assert result.errors == []
    assert len(result.created) == 1
