"""Read the demo listings and proposals that ship with the package in ``ideagora/data``."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from ideagora.database import utcnow

# keys of a demo entry that say how to load it; every other key is what a user would type
LOADER_KEYS = frozenset(
    {"organization", "author", "status", "deadline_weeks", "edits", "challenge", "offer"}
    | {"outcome", "reason", "feedback"}
)


@cache
def entries(name: str) -> tuple[dict[str, Any], ...]:
    """Return the entries of one demo file: ``challenges``, ``offers`` or ``proposals``."""
    text = files("ideagora").joinpath("data", f"demo-{name}.json").read_text(encoding="utf-8")
    return tuple(json.loads(text))


def paragraphs(value: Any) -> Any:
    """Return a list of paragraphs as one text, blank lines between them."""
    return "\n\n".join(value) if isinstance(value, list) else value


def form_data(entry: dict[str, Any], text_fields: tuple[str, ...]) -> dict[str, Any]:
    """Return what a person would have typed into the form for this entry."""
    data = {key: value for key, value in entry.items() if key not in LOADER_KEYS}
    for field in text_fields:
        if field in data:
            data[field] = paragraphs(data[field])
    if "deadline_weeks" in entry:
        data["deadline"] = (utcnow() + timedelta(weeks=entry["deadline_weeks"])).date().isoformat()
    return data
