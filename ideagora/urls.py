"""Own the shape of the app's URLs: ids in routes, and absolute links for e-mails."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1  # the largest id an integer column holds


class RecordIdConverter(IntegerConverter):
    """Match ids an integer column can hold; a longer number is no record (404, never a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every ``<int:...>`` route argument a bounded record id; call before any route."""
    app.url_map.converters["int"] = RecordIdConverter


def external_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of an endpoint, preferring ``PUBLIC_BASE_URL`` when it is set."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return base.rstrip("/") + path
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return "http://127.0.0.1:8000" + path
