"""Pages for NDA templates: an organisation's list, writing one, reading its versions, editing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ideagora.database import db
from ideagora.disclosure import templates
from ideagora.disclosure.models import NdaTemplate
from ideagora.disclosure.template_forms import NdaTemplateForm
from ideagora.errors import DomainError, Forbidden, NotFound
from ideagora.forms import show_domain_error
from ideagora.organizations.models import Organization
from ideagora.requests import client_ip
from ideagora.urls import ID_MAX
from licensing import nda

bp = Blueprint("ndas", __name__)

SAMPLE_OWNER = "Example Owner Ltd"


def _organization(organization_id: int) -> Organization:
    """Return the user's own organisation; anyone else must not learn what it wrote."""
    membership = current_user.membership
    if membership is None or membership.organization_id != organization_id:
        abort(404)
    return db.get_or_404(Organization, organization_id)


def _template(template_id: int) -> NdaTemplate:
    try:
        return templates.get_template_for(db.session, current_user, template_id)
    except NotFound:
        abort(404)


def _owner_name(template: NdaTemplate | None) -> str:
    if template is not None and template.organization is not None:
        return template.organization.name
    membership = current_user.membership if current_user.is_authenticated else None
    return membership.organization.name if membership else SAMPLE_OWNER


@bp.get("/organizations/<int:organization_id>/ndas")
@login_required
def index(organization_id: int):
    organization = _organization(organization_id)
    choices = templates.templates_for(db.session, organization.id)
    db.session.commit()
    return render_template(
        "disclosure/nda_templates.html",
        organization=organization,
        templates=choices,
        may_write=templates.may_write_templates(current_user, organization.id),
    )


@bp.route("/organizations/<int:organization_id>/ndas/new", methods=["GET", "POST"])
@login_required
def create(organization_id: int):
    organization = _organization(organization_id)
    if not templates.may_write_templates(current_user, organization.id):
        raise Forbidden("Only an admin or a licensing officer can write NDA templates.")
    form = NdaTemplateForm()
    start_from = request.args.get("from", type=int)
    if start_from is not None and not 0 < start_from <= ID_MAX:
        raise NotFound("There is no such NDA template.")
    if request.method == "GET" and start_from is not None:
        form.fill_from(_template(start_from))
    return _save_or_preview(
        form,
        lambda data: templates.create_template(
            db.session, current_user, data, ip_address=client_ip()
        ),
        owner_name=organization.name,
        success="The NDA template is saved. Choose it on a listing's edit page.",
        organization=organization,
        template=None,
    )


@bp.get("/ndas/<int:template_id>")
def detail(template_id: int):
    template = _template(template_id)
    owner_name = _owner_name(template)
    return render_template(
        "disclosure/nda_templates_detail.html",
        template=template,
        versions=list(reversed(template.versions)),
        accepted=templates.accepted_versions(db.session, template),
        sample=templates.sample_text(template.current_version, owner_name),
        owner_name=owner_name,
        may_edit=templates.may_edit(current_user, template),
        variables=nda.VARIABLES,
    )


@bp.route("/ndas/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def edit(template_id: int):
    template = _template(template_id)
    if template.is_platform:
        raise Forbidden(templates.PLATFORM_READ_ONLY)
    if not templates.may_edit(current_user, template):
        raise Forbidden("Only an admin or a licensing officer can edit NDA templates.")
    form = NdaTemplateForm()
    if request.method == "GET":
        form.fill_from(template)
    return _save_or_preview(
        form,
        lambda data: (
            templates.update_template(
                db.session, current_user, template, data, ip_address=client_ip()
            ).template
        ),
        owner_name=_owner_name(template),
        success="Your changes are saved.",
        organization=template.organization,
        template=template,
        accepted=template.current_version.id in templates.accepted_versions(db.session, template),
    )


def _save_or_preview(
    form: NdaTemplateForm,
    save: Callable[[dict[str, Any]], NdaTemplate],
    *,
    owner_name: str,
    success: str,
    **context: Any,
) -> Any:
    """Show the text with sample values, or save through a service and go to the template.

    A refused save or preview comes back with the messages at their fields and status 422.
    """
    preview = None
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview = templates.preview(form.to_data(), owner_name)
            else:
                saved = save(form.to_data())
                db.session.commit()
                flash(success, "success")
                return redirect(url_for(".detail", template_id=saved.id))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
    status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "disclosure/nda_templates_form.html",
        form=form,
        preview=preview,
        owner_name=owner_name,
        variables=nda.VARIABLES,
        **context,
    )
    return page, status
