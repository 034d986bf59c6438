"""Add the helpers templates share: field names and query-string editing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask

from ideagora.database import utcnow
from ideagora.taxonomy import field_name


def without_key(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """Return the mapping without one key, e.g. a query string without its page number."""
    return {name: value for name, value in mapping.items() if name != key}


def utc_iso(moment: datetime) -> str:
    """Return a moment as an ISO 8601 UTC time, e.g. for ``<time datetime="...">``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deadline_phrase(deadline: datetime, now: datetime | None = None) -> str:
    """Return how far away a deadline is: "closes in 12 days", "closed 3 days ago"."""
    seconds = (deadline - (now or utcnow())).total_seconds()
    span = _span(abs(seconds))
    return f"closed {span} ago" if seconds < 0 else f"closes in {span}"


def _span(seconds: float) -> str:
    for unit, length, up_to in (
        ("minute", 60, 60),
        ("hour", 3600, 48),
        ("day", 86400, 100),
        ("month", 30 * 86400, 24),
    ):
        count = max(1, round(seconds / length))
        if count < up_to:
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{round(seconds / (365 * 86400))} years"


def init_app(app: Flask) -> None:
    """Register the template helpers and the ``do`` statement."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["field_label"] = field_name
    app.jinja_env.filters["reject_key"] = without_key
    app.jinja_env.filters["utc_iso"] = utc_iso
    app.jinja_env.filters["deadline_phrase"] = deadline_phrase
