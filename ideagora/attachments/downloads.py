"""Answer a download: stream the stored bytes, or redirect to a short-lived direct URL.

Pages and the API both hand files over through ``logged_download``, so that no download
goes out without its audit event.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, redirect, request
from werkzeug.wsgi import wrap_file

from ideagora.assets.models import Asset
from ideagora.attachments import services
from ideagora.attachments.models import Attachment, OwnerType
from ideagora.attachments.services import NO_SUCH_FILE, StorageUnavailable
from ideagora.challenges.models import Challenge
from ideagora.database import db
from ideagora.disclosure import access_log
from ideagora.errors import NotFound
from ideagora.requests import client_ip, evidence
from ideagora.storage import StorageError, content_disposition, get_storage

logger = logging.getLogger(__name__)

LISTING_MODELS = {OwnerType.CHALLENGE: Challenge, OwnerType.ASSET: Asset}

# nothing a download holds may run as a page of this site, nor be kept by shared caches
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}


def logged_download(attachment: Attachment, user: Any, *, channel: str) -> Response:
    """Return the download of a file the user may see, once its audit event is committed."""
    response = download_response(attachment)
    try:
        services.record_download(
            db.session, user, attachment, ip_address=client_ip(), channel=channel
        )
        _log_confidential_download(attachment, user, channel)
        db.session.commit()
    except BaseException:
        response.close()
        raise
    return response


def _log_confidential_download(attachment: Attachment, user: Any, channel: str) -> None:
    # a confidential file of a listing is disclosed matter: its owner's access log shows it
    model = LISTING_MODELS.get(attachment.owner_type)
    if not attachment.confidential or model is None:
        return
    listing = db.session.get(model, attachment.owner_id)
    access_log.record_download(
        db.session,
        user,
        listing,
        attachment.filename,
        **evidence(channel),
    )


def download_response(attachment: Attachment) -> Response:
    """Return the response that hands the file over; call it only after the access check."""
    storage = get_storage()
    key = attachment.storage_key
    try:
        url = storage.download_url(
            key, filename=attachment.filename, content_type=attachment.content_type
        )
        response = redirect(url, 302) if url else _streamed(attachment, storage.open(key))
    except FileNotFoundError:
        logger.error("attachment %d has no stored object under its key", attachment.id)
        raise NotFound(NO_SUCH_FILE) from None
    except (StorageError, OSError) as error:
        logger.error("could not fetch attachment %d: %s", attachment.id, error)
        raise StorageUnavailable(
            "The file cannot be fetched just now. Try again in a few minutes."
        ) from error
    response.headers.update(DOWNLOAD_HEADERS)
    return response


def _streamed(attachment: Attachment, stream) -> Response:
    response = Response(
        wrap_file(request.environ, stream),
        mimetype=attachment.content_type,
        direct_passthrough=True,
    )
    response.content_length = attachment.size
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    return response
