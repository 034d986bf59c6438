"""Word the alerts, from public fields only: titles, summaries, public owner names, reasons.

An anonymous seeker is named by its pseudonym alone; no confidential brief or dossier, and no
text derived from one, is ever used here.
"""

from __future__ import annotations

from collections.abc import Sequence

from ideagora.alerts.models import TITLE_MAX
from ideagora.challenges.models import Challenge
from ideagora.matching.services import Listing


def public_owner(listing: Listing) -> str:
    """Return the owner as the public knows it: the organisation, or a seeker's pseudonym."""
    if isinstance(listing, Challenge) and listing.anonymous:
        return listing.pseudonym
    return listing.organization.name


def _noun(listing: Listing) -> str:
    return "challenge" if isinstance(listing, Challenge) else "IP offer"


def _fit(text: str) -> str:
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def match_alert(new: Listing, own: Listing, phrases: Sequence[str]) -> tuple[str, str]:
    """Return the title and body telling an owner that a new listing matches one of theirs."""
    if isinstance(new, Challenge):
        title = f"New challenge may suit your IP offer “{own.title}”"
    else:
        title = f"New IP offer may solve your challenge “{own.title}”"
    lines = [
        f"The {_noun(new)} “{new.title}” by {public_owner(new)} was just published.",
        new.summary,
    ]
    if phrases:
        lines.append("Why it may fit: " + "; ".join(phrases) + ".")
    return _fit(title), "\n\n".join(lines)


def saved_search_alert(new: Listing, search_name: str) -> tuple[str, str]:
    """Return the title and body telling a user that a new listing fits a saved search."""
    title = f"New {_noun(new)} for your saved search “{search_name}”: “{new.title}”"
    body = f"“{new.title}” by {public_owner(new)} was just published.\n\n{new.summary}"
    return _fit(title), body
