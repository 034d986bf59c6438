"""Own the form that attaches a file to a listing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from ideagora.attachments.content_types import ACCEPTED_SUMMARY

FILE_HELP = f"{ACCEPTED_SUMMARY}. Its type is checked from its content."


class AttachmentForm(FlaskForm):
    """Upload one file, public or confidential."""

    file = FileField("File", description=FILE_HELP)
    confidential = BooleanField(
        "Confidential: only for organisations that may see the confidential part",
        default=True,
    )
