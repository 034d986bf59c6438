"""Pages for attachments: upload to a listing, download after the access check, remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from ideagora.accounts.forms import ConfirmForm
from ideagora.attachments import owners, services
from ideagora.attachments.content_types import ALLOWED_TYPES
from ideagora.attachments.downloads import logged_download
from ideagora.attachments.forms import FILE_HELP, AttachmentForm
from ideagora.attachments.models import Attachment, OwnerType
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.requests import client_ip

bp = Blueprint("attachments", __name__)

# the listing pages that carry an upload form: their upload route and their own detail view
PAGES = {
    OwnerType.CHALLENGE: ("attachments.upload_to_challenge", "challenges.detail", "challenge_id"),
    OwnerType.ASSET: ("attachments.upload_to_offer", "assets.detail", "asset_id"),
}
TYPE_LABELS = {kind.mime: kind.label for kind in ALLOWED_TYPES}


@dataclass
class Panel:
    """What the attachments section of a page shows to its viewer."""

    attachments: list[Attachment]
    may_manage: bool
    form: AttachmentForm
    upload_url: str | None

    @staticmethod
    def type_label(attachment: Attachment) -> str:
        return TYPE_LABELS.get(attachment.content_type, attachment.content_type)


@bp.app_template_global()
def attachment_panel(owner: Any) -> Panel:
    """Return the files of ``owner`` the viewer may see, and the form to add more."""
    rule = owners.rule_for(owner)
    kind = rule.kind
    manage = services.may_manage(current_user, owner)
    form = g.get("attachment_form") or AttachmentForm(formdata=None)
    limit = services.human_size(current_app.config["ATTACHMENT_MAX_BYTES"])
    form.file.description = f"{FILE_HELP} At most {limit}."
    upload_url = None
    if manage and kind in PAGES:
        upload_url = url_for(PAGES[kind][0], owner_id=owner.id)
    elif manage and rule.upload_url is not None:
        upload_url = rule.upload_url(owner)
    return Panel(
        services.visible_attachments(db.session, current_user, owner),
        manage,
        form,
        upload_url,
    )


@bp.post("/challenges/<int:owner_id>/attachments")
@login_required
def upload_to_challenge(owner_id: int):
    return upload_view(OwnerType.CHALLENGE, owner_id)


@bp.post("/offers/<int:owner_id>/attachments")
@login_required
def upload_to_offer(owner_id: int):
    return upload_view(OwnerType.ASSET, owner_id)


@login_required
def upload_view(kind: OwnerType, owner_id: int):
    """Attach the posted file to an owner of any registered kind, then go back to its page."""
    try:
        rule = owners.rule_for_kind(kind)
    except LookupError:
        abort(404)
    owner = rule.load_visible(db.session, current_user, owner_id)
    services.check_may_attach(current_user, owner)
    form = AttachmentForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    # a text field named "file", or a file input left empty, is no file
    if not isinstance(upload, FileStorage) or not upload.filename:
        upload = None
    try:
        attachment = services.add_attachment(
            db.session,
            current_user,
            owner,
            upload.stream if upload else None,
            upload.filename if upload else None,
            confidential=form.confidential.data,
            ip_address=client_ip(),
        )
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        if kind not in PAGES:
            flash(domain_error_text(error), "danger")
            return redirect(rule.page_url(owner) + "#attachments")
        return _page_with_errors(kind, owner_id, form, error)
    db.session.commit()
    scope = "confidential" if attachment.confidential else "public"
    flash(f'"{attachment.filename}" is attached as a {scope} file.', "success")
    return redirect(rule.page_url(owner) + "#attachments")


def _page_with_errors(kind: OwnerType, owner_id: int, form: AttachmentForm, error: DomainError):
    """Show the listing's page again, with the refusal next to the file field."""
    show_domain_error(form, error)
    g.attachment_form = form
    _, detail_endpoint, id_argument = PAGES[kind]
    page = current_app.view_functions[detail_endpoint](**{id_argument: owner_id})
    response = make_response(page)
    response.status_code = error.status
    return response


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    attachment = services.get_attachment_for(db.session, current_user, attachment_id)
    return logged_download(attachment, current_user, channel="page")


@bp.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attachment = services.get_attachment_for(db.session, current_user, attachment_id)
    owner = services.owner_of(db.session, current_user, attachment)
    name = attachment.filename
    services.remove_attachment(db.session, current_user, attachment, ip_address=client_ip())
    db.session.commit()
    flash(f'"{name}" is removed.', "success")
    return redirect(owners.rule_for(owner).page_url(owner) + "#attachments")
