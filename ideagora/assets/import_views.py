"""Pages for importing many IP offers from a file, with progress streamed as the rows go in.

The import runs inside the upload request and answers with a page streamed chunk by chunk:
the header first, then a progress line after every committed batch (a stylesheet shows
only the latest), then the summary. No script is needed, so the page works under the
site's content security policy and without JavaScript; committing batch by batch keeps
other writers waiting for seconds at most, and whatever was committed stays if the
connection drops.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    stream_template,
    stream_with_context,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from ideagora.assets import importing
from ideagora.assets.forms import AssetImportForm
from ideagora.assets.import_files import COLUMNS, template_csv
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import show_domain_error
from ideagora.listings.services import MANAGER_ROLES
from ideagora.requests import client_ip
from ideagora.storage import content_disposition

logger = logging.getLogger(__name__)

bp = Blueprint("asset_import", __name__, url_prefix="/offers/import")

TEMPLATE_NAME = "ip-offers-template.csv"


class CommittedBatches:
    """The import's batches as the streamed page shows them, each committed as it ends."""

    def __init__(self, job: importing.AssetImport) -> None:
        self.job = job
        self.stopped = False
        self.saved_rows = 0
        self.saved_ids: list[int] = []

    def __iter__(self) -> Iterator[int]:
        try:
            for done in self.job.run():
                db.session.commit()
                self.saved_rows, self.saved_ids = done, list(self.job.result.created)
                yield done
        except SQLAlchemyError as error:
            # the page is already on its way: say where it stopped rather than cut it off; the
            # error's text would carry the failed row's values, the confidential dossier too
            db.session.rollback()
            logger.error(
                "import stopped after %d of %d rows: %s",
                self.saved_rows,
                self.job.total,
                type(error).__name__,
            )
            self.stopped = True


@bp.route("", methods=["GET", "POST"])
@login_required
def upload():
    importing.check_importer(current_user, publish=False)
    form = AssetImportForm()
    if form.validate_on_submit():
        try:
            job = _start(form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            return _progress_page(job, form.file.data.filename or "the file")
    status = 422 if form.errors or form.form_errors else 200
    return _form_page(form), status


def _start(form: AssetImportForm) -> importing.AssetImport:
    upload = form.file.data
    return importing.start_import(
        db.session,
        current_user,
        upload.read(),
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        file_format=form.file_format.data or None,
        content_type=upload.mimetype,
        publish=form.publish.data,
        ip_address=client_ip(),
    )


def _form_page(form: AssetImportForm) -> str:
    return render_template(
        "assets/import.html",
        form=form,
        columns=COLUMNS,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        may_publish=current_user.membership.role in MANAGER_ROLES,
    )


def _progress_page(job: importing.AssetImport, filename: str) -> Response:
    batches = CommittedBatches(job)

    @stream_with_context
    def page() -> Iterator[str]:
        # the view's session closed when it returned; the page is written in a new one
        db.session.add(job.user)
        yield from stream_template(
            "assets/import_progress.html", job=job, batches=batches, name=filename
        )

    # a proxy that buffers the answer would hide the progress until the very end
    return Response(page(), headers={"X-Accel-Buffering": "no"})


@bp.get("/template.csv")
def template():
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(TEMPLATE_NAME)},
    )
