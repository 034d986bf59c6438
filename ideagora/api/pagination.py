"""Paginate API lists the way the contract says: items, page, per_page, total."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app
from marshmallow import fields, validate

from ideagora.database import db


class PageArgsSchema(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1))


def paginate(query: sa.Select[Any], args: dict[str, Any]) -> dict[str, Any]:
    """Return one page of a query's results with the page facts."""
    per_page = min(args.get("per_page", 20), current_app.config["API_PAGE_SIZE_MAX"])
    page = db.paginate(
        query, page=args.get("page", 1), per_page=per_page, error_out=False, count=True
    )
    return {"items": list(page.items), "page": page.page, "per_page": per_page, "total": page.total}
