"""Saved searches: keep a user's search, check it with the search page's own parsers, run it.

A saved search holds the query arguments the search page takes (``q``, ``type`` and the
filters), checked by :func:`ideagora.searching.queries.parse_search` when saved, so a search
that the page would refuse is never kept. A new listing satisfies a saved search when the same
search, restricted to that one listing, finds it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.alerts.models import SEARCH_NAME_MAX, SavedSearch
from ideagora.errors import Conflict, NotFound, ValidationFailed
from ideagora.listings import services as listings
from ideagora.searching.queries import parse_search
from ideagora.searching.services import get_index
from ideagora.taxonomy import field_name
from search.query import run_search

SEARCHES_MAX = 20
# the arguments of the search page a saved search keeps (the page number is not one)
ARGUMENTS = ("q", "type", "field", "trl_min", "trl_max", "status", "deal_type", "patent_status")
FORM_PREFIX = "search-"
SEARCH_ENDPOINT = "searching.search"
_LABELS = {
    "type": "type",
    "field": "field",
    "trl_min": "TRL from",
    "trl_max": "TRL up to",
    "status": "status",
    "deal_type": "deal",
    "patent_status": "protection",
}


def arguments_from_form(form: Mapping[str, Any]) -> dict[str, str]:
    """Return the search arguments a "Save this search" form carries in its hidden fields."""
    return {
        key.removeprefix(FORM_PREFIX): value
        for key, value in form.items()
        if key.startswith(FORM_PREFIX) and isinstance(value, str)
    }


def clean_arguments(arguments: Mapping[str, Any]) -> dict[str, str]:
    """Return the search's own non-empty arguments, or refuse them as the search page does."""
    kept = {
        key: value.strip()
        for key, value in arguments.items()
        if key in ARGUMENTS and isinstance(value, str) and value.strip()
    }
    parsed, problems = parse_search(kept)
    if parsed is None:
        raise ValidationFailed("This search cannot be saved: " + " ".join(problems.values()))
    if parsed.notice:
        raise ValidationFailed(f"This search cannot be saved: {parsed.notice}")
    if not kept:
        raise ValidationFailed("Search for some words or choose a filter before saving a search.")
    return kept


def save_search(
    session: Session, user: User, name: Any, arguments: Mapping[str, Any]
) -> SavedSearch:
    """Keep a search for the user under a name of their own (at most ``SEARCHES_MAX``)."""
    errors = listings.FieldErrors()
    name = errors.check(
        "name", lambda: listings.text(name, "A name", SEARCH_NAME_MAX, required=True)
    )
    errors.raise_if_any("Give the search a name.")
    kept = clean_arguments(arguments)
    searches = searches_of(session, user)
    if any(saved.name == name for saved in searches):
        raise Conflict(f"You already have a saved search called “{name}”; choose another name.")
    if len(searches) >= SEARCHES_MAX:
        raise Conflict(
            f"You can keep at most {SEARCHES_MAX} saved searches; delete one to save another."
        )
    saved = SavedSearch(user_id=user.id, name=name, arguments=kept)
    session.add(saved)
    session.flush()
    return saved


def searches_of(session: Session, user: User) -> list[SavedSearch]:
    """Return the user's saved searches, oldest first."""
    return list(
        session.scalars(
            sa.select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    )


def delete_search(session: Session, user: User, search_id: int) -> None:
    """Delete one of the user's saved searches; anyone else's is as good as missing."""
    saved = session.get(SavedSearch, search_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("There is no such saved search.")
    session.delete(saved)
    session.flush()


def finds(saved: SavedSearch, key: str) -> bool:
    """Return whether the saved search, run now, finds the listing the index key names."""
    parsed, _problems = parse_search(saved.arguments, per_page=1)
    if parsed is None:
        # a search valid when saved that the parsers refuse today alerts nobody
        return False
    request = dataclasses.replace(parsed.request, keys=(key,))
    return run_search(get_index(), request).total > 0


def search_url(arguments: Mapping[str, Any]) -> str:
    """Return the search page's URL with the saved arguments."""
    return url_for(
        SEARCH_ENDPOINT, **{key: arguments[key] for key in ARGUMENTS if key in arguments}
    )


def describe(arguments: Mapping[str, Any]) -> str:
    """Return a saved search's words and filters in one line for people."""
    parts = [f"“{arguments['q']}”"] if arguments.get("q") else []
    for key, label in _LABELS.items():
        if key in arguments:
            value = arguments[key]
            shown = field_name(value) if key == "field" else value.replace("_", " ")
            parts.append(f"{label}: {shown}")
    return "; ".join(parts)
