"""NDA templates as services: the platform's, an organisation's own, versions, rights and choice."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.assets import importing
from ideagora.assets.models import Asset
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.disclosure import templates
from ideagora.disclosure.models import NdaAcceptance, NdaTemplate, NdaTemplateVersion
from ideagora.errors import Forbidden, NotFound, ValidationFailed
from ideagora.organizations.models import Role
from licensing import nda
from tests.offer_files import csv_cells, csv_file

BODY = (
    "{{ owner }} discloses to {{ recipient }} the confidential part of {{ listing_reference }}, "
    '"{{ listing }}", for {{ purpose }}.\n\n'
    "The duty lasts {{ term_years }} years and {{ governing_law }} govern this agreement."
)


def template_data(**changes):
    data = {
        "name": "Acme standard NDA",
        "kind": "one_way",
        "body": BODY,
        "term_years": 5,
        "governing_law": "the laws of Scotland",
        "purpose": "evaluating a licence",
    }
    data.update(changes)
    return data


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Acme Materials")
    return {
        "admin": admin,
        "officer": driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Rival Labs"),
    }


def user_of(person) -> User:
    return db.session.get(User, person.id)


def create(person, **changes) -> int:
    template = templates.create_template(
        db.session, user_of(person), template_data(**changes), ip_address="192.0.2.7"
    )
    db.session.commit()
    return template.id


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def accept(version: NdaTemplateVersion, organization_id: int) -> None:
    """Record an acceptance of the version, as a signer's request would."""
    db.session.add(
        NdaAcceptance(
            listing_type="challenges",
            listing_id=1,
            listing_title="A listing",
            user_name="Signer",
            user_email="signer@example.org",
            organization_id=organization_id,
            organization_name="Rival Labs",
            owner_organization_name="Acme Materials",
            template_id=version.template_id,
            template_version_id=version.id,
            template_name="Acme standard NDA",
            template_version=version.number,
            term_years=version.term_years,
            text=version.body,
            sha256=nda.text_sha256(version.body),
            signer_name="Signer",
            assent_wording=nda.assent_wording("Rival Labs"),
            channel="page",
        )
    )
    db.session.commit()


def test_the_platform_templates_are_made_once_and_follow_the_code(app, monkeypatch) -> None:
    with app.app_context():
        assert templates.ensure_platform_templates(db.session) == len(nda.PLATFORM_TEMPLATES)
        db.session.commit()
        assert templates.ensure_platform_templates(db.session) == 0
        keys = [template.key for template in templates.templates_for(db.session, None)]
        assert keys == [platform.key for platform in nda.PLATFORM_TEMPLATES]
        original = nda.PLATFORM_TEMPLATES[0]
        assert original.key == nda.DEFAULT_TEMPLATE_KEY
        changed = dataclasses.replace(original, term_years=original.term_years % 10 + 1)
        monkeypatch.setattr(nda, "PLATFORM_TEMPLATES", (changed, *nda.PLATFORM_TEMPLATES[1:]))
        assert templates.ensure_platform_templates(db.session) == 1
        db.session.commit()
        default = templates.default_template(db.session)
        assert default.key == nda.DEFAULT_TEMPLATE_KEY
        assert [(v.number, v.term_years) for v in default.versions] == [
            (1, original.term_years),
            (2, changed.term_years),
        ]


def test_a_listing_without_a_choice_uses_the_platform_default(app) -> None:
    with app.app_context():
        listing = Asset(nda_template_id=None)
        assert templates.template_of(db.session, listing).key == nda.DEFAULT_TEMPLATE_KEY


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": ""}, "body", "The agreement text is empty."),
        ({"body": BODY + " {{ price }}"}, "body", "{{ price }}, which is not a variable"),
        ({"body": BODY.replace("{{ owner }}", "Acme")}, "body", "add {{ owner }}."),
        ({"body": BODY + " {{ owner"}, "body", "unbalanced braces"),
        ({"term_years": 0}, "term_years", templates.TERM_MESSAGE),
        ({"term_years": 11}, "term_years", templates.TERM_MESSAGE),
        ({"term_years": "five"}, "term_years", templates.TERM_MESSAGE),
        ({"term_years": None}, "term_years", templates.TERM_MESSAGE),
        ({"name": "N" * 121}, "name", "The name has at most 120 characters (this has 121)."),
        ({"name": "  "}, "name", "Enter the name."),
        ({"kind": "three_way"}, "kind", "Choose the kind of NDA from: one_way, mutual."),
        ({"governing_law": ""}, "governing_law", "Enter the governing law."),
        ({"purpose": "p" * 601}, "purpose", "The purpose has at most 600 characters"),
    ],
)
def test_bad_templates_are_refused_with_a_reason_and_nothing_saved(
    app, people, changes, field, message
) -> None:
    with app.app_context():
        before = count(AuditEvent)
        with pytest.raises(ValidationFailed) as caught:
            create(people["admin"], **changes)
        db.session.rollback()
        assert message in caught.value.fields[field]
        assert count(NdaTemplate) == 0
        assert count(AuditEvent) == before


@pytest.mark.parametrize(
    ("role", "allowed"), [("admin", True), ("officer", True), ("member", False)]
)
def test_only_admins_and_licensing_officers_write_templates(app, people, role, allowed) -> None:
    with app.app_context():
        if allowed:
            template = db.session.get(NdaTemplate, create(people[role]))
            assert template.organization_id == people["admin"].organization_id
            assert template.current_version.number == 1
            event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert (event.action, event.subject_id) == ("nda_template.created", str(template.id))
        else:
            with pytest.raises(Forbidden, match="admin or a licensing officer"):
                create(people[role])


@pytest.mark.parametrize(
    ("role", "error"),
    [("admin", None), ("officer", None), ("member", Forbidden), ("outsider", NotFound)],
)
def test_who_may_edit_an_organisations_template(app, people, role, error) -> None:
    with app.app_context():
        template = db.session.get(NdaTemplate, create(people["admin"]))
        data = template_data(name="Renamed NDA")
        if error is None:
            templates.update_template(
                db.session, user_of(people[role]), template, data, ip_address=None
            )
            db.session.commit()
            assert db.session.get(NdaTemplate, template.id).name == "Renamed NDA"
        else:
            with pytest.raises(error):
                templates.update_template(
                    db.session, user_of(people[role]), template, data, ip_address=None
                )


def test_the_platform_templates_cannot_be_edited_through_the_app(app, people) -> None:
    with app.app_context():
        default = templates.default_template(db.session)
        with pytest.raises(Forbidden, match="cannot be edited"):
            templates.update_template(
                db.session, user_of(people["admin"]), default, template_data(), ip_address=None
            )


@pytest.mark.parametrize(
    ("reader", "sees_own", "sees_platform"),
    [
        ("admin", True, True),
        ("member", True, True),
        ("outsider", False, True),
        (None, False, True),
    ],
)
def test_who_may_read_a_template(app, people, reader, sees_own, sees_platform) -> None:
    with app.app_context():
        own_id = create(people["admin"])
        platform_id = templates.default_template(db.session).id
        user = user_of(people[reader]) if reader else None
        for template_id, visible in ((own_id, sees_own), (platform_id, sees_platform)):
            if visible:
                assert templates.get_template_for(db.session, user, template_id).id == template_id
            else:
                with pytest.raises(NotFound):
                    templates.get_template_for(db.session, user, template_id)


def test_an_unaccepted_version_is_corrected_in_place(app, people) -> None:
    with app.app_context():
        template = db.session.get(NdaTemplate, create(people["admin"]))
        first_id = template.current_version.id
        version = templates.update_template(
            db.session,
            user_of(people["officer"]),
            template,
            template_data(body=BODY + "\n\nSigned in two copies."),
            ip_address=None,
        )
        db.session.commit()
        assert (version.id, version.number) == (first_id, 1)
        assert db.session.get(NdaTemplateVersion, first_id).body.endswith("two copies.")
        assert len(db.session.get(NdaTemplate, template.id).versions) == 1


def test_an_accepted_version_never_changes_and_an_edit_adds_a_version(app, people) -> None:
    with app.app_context():
        template = db.session.get(NdaTemplate, create(people["admin"]))
        first = template.current_version
        accept(first, people["outsider"].organization_id)
        version = templates.update_template(
            db.session,
            user_of(people["admin"]),
            template,
            template_data(body=BODY + "\n\nSigned in two copies.", term_years=3),
            ip_address=None,
        )
        db.session.commit()
        template = db.session.get(NdaTemplate, template.id)
        assert [v.number for v in template.versions] == [1, 2]
        assert version.number == 2
        assert template.current_version.term_years == 3
        assert template.versions[0].body == BODY
        assert template.versions[0].term_years == 5
        assert templates.accepted_versions(db.session, template) == {first.id}
        event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "nda_template.edited"
        assert event.details["version"] == 2
        assert event.details["new_version"] is True


def test_an_edit_that_changes_nothing_adds_no_version(app, people) -> None:
    with app.app_context():
        template = db.session.get(NdaTemplate, create(people["admin"]))
        accept(template.current_version, people["outsider"].organization_id)
        before = count(AuditEvent)
        templates.update_template(
            db.session, user_of(people["admin"]), template, template_data(), ip_address=None
        )
        db.session.commit()
        assert len(db.session.get(NdaTemplate, template.id).versions) == 1
        assert count(AuditEvent) == before


def test_the_choice_of_a_listing_is_the_platforms_or_the_organisations_own(app, people) -> None:
    with app.app_context():
        own_id = create(people["admin"])
        rival_id = create(people["outsider"], name="Rival NDA")
        organization_id = people["admin"].organization_id
        platform_ids = [t.id for t in templates.templates_for(db.session, None)]
        for allowed in (None, own_id, *platform_ids):
            templates.check_choice(db.session, organization_id, allowed)
        for refused in (rival_id, 9999):
            with pytest.raises(ValidationFailed) as caught:
                templates.check_choice(db.session, organization_id, refused)
            assert caught.value.fields == {"nda_template_id": templates.CHOICE_REFUSED}
        names = [t.name for t in templates.templates_for(db.session, organization_id)]
        assert names[len(platform_ids) :] == ["Acme standard NDA"]


def test_the_preview_fills_in_sample_values_and_saves_nothing(app, people) -> None:
    with app.app_context():
        text = templates.preview(template_data(), "Acme Materials")
        assert text.startswith("Acme Materials discloses to Example Recipient Ltd")
        assert "challenge C-12" in text
        assert "lasts 5 years and the laws of Scotland govern" in text
        assert count(NdaTemplate) == 0
        with pytest.raises(ValidationFailed):
            templates.preview(template_data(term_years=0), "Acme Materials")


def test_the_offer_import_takes_an_nda_template_column(app, people) -> None:
    with app.app_context():
        own_id = create(people["admin"])
        rival_id = create(people["outsider"], name="Rival NDA")
        content = csv_file(
            csv_cells(1, nda_template_id=str(own_id)), csv_cells(2, nda_template_id=str(rival_id))
        )
        result = importing.import_assets(db.session, user_of(people["admin"]), content, max_rows=10)
        db.session.commit()
        assert db.session.get(Asset, result.created[0]).nda_template_id == own_id
        assert [error.fields for error in result.errors] == [
            {"nda_template_id": templates.CHOICE_REFUSED}
        ]
