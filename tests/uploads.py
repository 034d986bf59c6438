"""Files and listings for the attachment tests: real sample files, challenges and IP offers."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import Flask
from PIL import Image
from reportlab.pdfgen import canvas

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from tests.helpers import Person

CANARY = "CANARY-confidential-file-3d9e"
# small limits keep the size tests fast: one for a file, a larger one for a whole request
FILE_LIMIT = 8 * 1024
REQUEST_LIMIT = 64 * 1024
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
HTML_PAGE = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"


def with_small_limits(config: dict[str, Any]) -> dict[str, Any]:
    """Return the app configuration with the small file and request size limits."""
    return {**config, "ATTACHMENT_MAX_BYTES": FILE_LIMIT, "MAX_CONTENT_LENGTH": REQUEST_LIMIT}


def pdf(text: str = "Heat-resistant coatings for turbine blades") -> bytes:
    """Draw a one-page PDF with reportlab."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 720, text)
    document.save()
    return buffer.getvalue()


def png() -> bytes:
    """Make a small real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def secret_text() -> bytes:
    """Return the content of a confidential text file, marked with the canary."""
    return f"Cost model: 0.4 cent per unit. {CANARY}\n".encode()


CHALLENGE = {
    "title": "Recyclable barrier coating for paper cups",
    "summary": "A water-based coating that keeps coffee in and lets the cup be recycled.",
    "description": "Paper cups are lined with polyethylene, which pulping cannot separate.",
    "confidential_brief": "Target cost 0.4 cent per cup.",
    "keywords": ["barrier coating"],
    "fields": ["materials"],
    "challenge_type": "reduction_to_practice",
    "award_amount": 40000,
    "currency": "EUR",
    "ip_terms": "exclusive_license",
    "trl_sought": 4,
}
ASSET = {
    "title": "Low-temperature curing of bio-based epoxy",
    "summary": "An epoxy from plant oils that cures at 60 °C instead of 120 °C.",
    "description": "A catalyst system lets epoxidised vegetable oils cure at low heat.",
    "confidential_dossier": "Best results with 2.5 % catalyst at 62 °C.",
    "keywords": ["epoxy"],
    "fields": ["materials", "chemistry"],
    "patent_numbers": ["EP1234567"],
    "patent_status": "granted",
    "jurisdictions": ["EP"],
    "trl": 5,
    "deal_types": ["exclusive_license"],
}


def make_listing(app: Flask, person: Person, kind: str, *, published: bool) -> int:
    """Create a challenge or IP offer of the person's organisation; return its id."""
    with app.app_context():
        user = db.session.get(User, person.id)
        if kind == "challenge":
            deadline = (utcnow() + timedelta(days=60)).date().isoformat()
            data: dict[str, Any] = {**CHALLENGE, "deadline": deadline}
            listing = challenges.create_challenge(db.session, user, data, ip_address=None)
            if published:
                challenges.change_status(db.session, user, listing, "publish", ip_address=None)
        else:
            listing = assets.create_asset(db.session, user, dict(ASSET), ip_address=None)
            if published:
                assets.change_status(db.session, user, listing, "publish", ip_address=None)
        db.session.commit()
        return listing.id


def load_listing(kind: str, listing_id: int) -> Challenge | Asset:
    """Return a listing inside an app context."""
    return db.session.get(Challenge if kind == "challenge" else Asset, listing_id)


# the paths of a listing's page, its page upload route and its API upload route
PAGE_PATHS = {"challenge": "/challenges", "asset": "/offers"}
API_PATHS = {"challenge": "/api/v1/challenges", "asset": "/api/v1/assets"}
