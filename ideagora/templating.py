"""Add the helpers templates share: field names and query-string editing."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ideagora.taxonomy import field_name


def without_key(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """Return the mapping without one key, e.g. a query string without its page number."""
    return {name: value for name, value in mapping.items() if name != key}


def init_app(app: Flask) -> None:
    """Register the template helpers and the ``do`` statement."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["field_label"] = field_name
    app.jinja_env.filters["reject_key"] = without_key
