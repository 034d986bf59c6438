"""Read facts about the current request that services record as evidence."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request


def client_ip() -> str | None:
    """Return the client's address (made trustworthy behind a proxy by ``PROXY_FIX_HOPS``)."""
    return request.remote_addr


def evidence(channel: str) -> dict[str, Any]:
    """Return where this request comes from, as records of consent and access keep it."""
    return {
        "ip_address": client_ip(),
        "user_agent": request.user_agent.string,
        "channel": channel,
    }


def safe_next_url(target: str | None, default: str) -> str:
    """Return ``target`` when it is a path on this site, otherwise ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
