"""The Whoosh schema of the listing index, and how a :class:`ListingDocument` becomes index fields.

Only what a hit displays is stored (key, kind, id, title, summary, description, owner, status,
TRL, dates, fields, deal types, patent status, owner key, matchable); everything else is indexed
for searching only. Field weights are applied at query time, not baked into the schema. Besides
the listings' own fields the schema has sortable numbers for the date orders (a listing without
a deadline sorts last), an unstemmed ``spell`` field for "did you mean", a ``facets`` column for
counting, and the ``progress`` of the one document that records how far the outbox is applied.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import BOOLEAN, COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.documents import KINDS, ListingDocument

#: the kind of the one document that records the outbox progress; never a listing kind
META_KIND = "_meta"
#: the key of the progress document
META_KEY = "_meta:progress"
#: the deadline order of a listing without a deadline: after every real date
NO_DEADLINE = 2**62

#: text fields a free-text query searches, with their query-time boosts
TEXT_FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "keywords": 2.5,
    "summary": 2.0,
    "description": 1.0,
    "owner": 1.0,
    "patent_numbers": 1.0,
}

#: the facets, in the order their values are kept in the ``facets`` column
FACET_NAMES = ("kind", "fields", "status", "deal_types", "patent_status", "trl")
#: separates the facets in the ``facets`` column (values within a facet are comma-separated):
#: counting facets then reads one column value per hit
FACET_SEPARATOR = "\x1f"

_PATENT_JUNK = re.compile(r"[^0-9a-z]")
_PATENT_KIND_CODE = re.compile(r"^([a-z]{2}\d+)[a-z]\d?$")


def build_schema() -> Schema:
    """Return the schema of a listing index."""
    stemming = StemmingAnalyzer(cachesize=-1)
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True),
        id=STORED(),
        title=TEXT(analyzer=stemming, stored=True),
        summary=TEXT(analyzer=stemming, stored=True),
        description=TEXT(analyzer=stemming, stored=True),
        keywords=TEXT(analyzer=stemming),
        owner=TEXT(analyzer=stemming, stored=True),
        owner_key=ID(stored=True),
        status=ID(stored=True),
        patent_numbers=KEYWORD(analyzer=_patent_analyzer(), scorable=True),
        patent_status=ID(stored=True),
        fields=KEYWORD(commas=True, lowercase=True, stored=True),
        field_families=KEYWORD(commas=True, lowercase=True),
        deal_types=KEYWORD(commas=True, lowercase=True, stored=True),
        trl=NUMERIC(int, stored=True),
        matchable=BOOLEAN(stored=True),
        published_at=DATETIME(stored=True),
        updated_at=DATETIME(stored=True),
        open_until=DATETIME(stored=True),
        published_order=NUMERIC(int, bits=64, sortable=True),
        deadline_order=NUMERIC(int, bits=64, sortable=True),
        spell=TEXT(analyzer=StandardAnalyzer(), phrase=False),
        progress=STORED(),
        facets=COLUMN(),
    )


def _patent_analyzer() -> Any:
    """Keep only words with a digit: a query's other words never match a patent number."""
    return RegexTokenizer(r"\w*\d\w*") | LowercaseFilter()


def normalise_patent_number(number: str) -> list[str]:
    """Return the index terms of a patent number: without spaces or punctuation, with and
    without its kind code ("EP 1 234 567 B1" gives "ep1234567b1" and "ep1234567")."""
    compact = _PATENT_JUNK.sub("", number.lower())
    if not compact:
        return []
    terms = [compact]
    bare = _PATENT_KIND_CODE.match(compact)
    if bare:
        terms.append(bare.group(1))
    return terms


def to_index_time(moment: datetime | None) -> datetime | None:
    """Return ``moment`` as a naive UTC datetime (aware datetimes are converted, naive ones are
    taken to be UTC already), as Whoosh stores it."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_index_time(moment: datetime | None) -> datetime | None:
    """Return a stored naive UTC datetime as an aware UTC datetime."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def _order(moment: datetime | None, missing: int) -> int:
    naive = to_index_time(moment)
    if naive is None:
        return missing
    return int((naive - datetime(1970, 1, 1)).total_seconds())


def deadline_order(moment: datetime | None) -> int:
    """Return the sortable deadline number of ``open_until`` (no deadline sorts last)."""
    return _order(moment, NO_DEADLINE)


def document_fields(document: ListingDocument) -> dict[str, Any]:
    """Return the index fields of one listing document."""
    if document.kind not in KINDS:
        raise ValueError(f"unknown listing kind {document.kind!r}")
    patent_terms = [term for n in document.patent_numbers for term in normalise_patent_number(n)]
    fields: dict[str, Any] = {
        "key": document.key,
        "kind": document.kind,
        "id": document.id,
        "title": document.title,
        "summary": document.summary,
        "description": document.description,
        "keywords": ", ".join(document.keywords),
        "owner": document.owner,
        "owner_key": document.owner_key,
        "status": document.status,
        "patent_numbers": " ".join(patent_terms),
        "fields": ",".join(document.fields),
        "field_families": ",".join(document.field_families or document.fields),
        "deal_types": ",".join(document.deal_types),
        "matchable": document.matchable,
        "published_order": _order(document.published_at, 0),
        "deadline_order": deadline_order(document.open_until),
        "spell": " ".join((document.title, " ".join(document.keywords), document.summary)),
    }
    fields["facets"] = _facet_values(document)
    if document.patent_status:
        fields["patent_status"] = document.patent_status
    if document.trl is not None:
        fields["trl"] = document.trl
    for name in ("published_at", "updated_at", "open_until"):
        moment = to_index_time(getattr(document, name))
        if moment is not None:
            fields[name] = moment
    return fields


def _facet_values(document: ListingDocument) -> bytes:
    values = {
        "kind": (document.kind,),
        "fields": document.field_families or document.fields,
        "status": (document.status,),
        "deal_types": document.deal_types,
        "patent_status": (document.patent_status or "",),
        "trl": (str(document.trl) if document.trl is not None else "",),
    }
    joined = (",".join(value for value in values[name] if value) for name in FACET_NAMES)
    return FACET_SEPARATOR.join(joined).encode()


def meta_fields(progress_value: str) -> dict[str, Any]:
    """Return the index fields of the progress document (no text, so no query finds it)."""
    return {"key": META_KEY, "kind": META_KIND, "progress": progress_value}
