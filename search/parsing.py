"""Turn cleaned search text into a bounded Whoosh query.

The query language: words (stemmed), "phrases", AND/OR/NOT and +/-, brackets, field filters
(``title:``, ``keyword:``, ``field:``, ``owner:``, ``patent:`` and the public facet fields), and
trailing wildcards. Free words search title^3, keywords^2.5, summary^2, description, owner and
patent numbers, boosted at query time. Fields that are not public are refused, and a wildcard
expands to at most :data:`MAX_WILDCARD_TERMS` words.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from itertools import islice

from whoosh import qparser
from whoosh.query import AndNot, Every, Not, NullQuery, Or, PatternQuery, Prefix, Query, Term
from whoosh.reading import IndexReader

from search.schema import TEXT_FIELD_BOOSTS, build_schema

MAX_WILDCARD_TERMS = 50

#: the fields a query may name; the owner key, ids and bookkeeping fields are not public (and
#: the listing type is a filter of its own, so the progress document can never be found)
QUERY_FIELDS = frozenset(TEXT_FIELD_BOOSTS) | {
    "fields",
    "field_families",
    "status",
    "deal_types",
    "patent_status",
    "trl",
}
FIELD_ALIASES = {
    "keywords": ["keyword"],
    "field_families": ["field"],
    "patent_numbers": ["patent", "patents"],
}

_parser: qparser.QueryParser | None = None
_parser_lock = threading.Lock()
_NOT_WORD = re.compile(r"[^\w\s]+")
_EXCLUDED_WORD = re.compile(r"(^|\s)-(?=[\w\"(])")


@dataclass
class ParsedText:
    """The query for the text (None when there is nothing to search), with notices."""

    query: Query | None
    notices: list[str] = field(default_factory=list)


def query_parser() -> qparser.QueryParser:
    """Return the (shared, stateless) parser of the search language."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = _build_parser()
        return _parser


def _build_parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(TEXT_FIELD_BOOSTS), build_schema(), fieldboosts=TEXT_FIELD_BOOSTS
    )
    # ranges over text fields and "*:*" expand to every term of a field: not offered
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.EveryPlugin)
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def parse_text(text: str) -> ParsedText:
    """Parse cleaned text; an unreadable query is searched as its plain words."""
    notices: list[str] = []
    parsed = _parse(text)
    if parsed is None:
        notices.append("Your search could not be read as written, so its words were searched.")
        parsed = _parse(_NOT_WORD.sub(" ", text)) or NullQuery
    if parsed is NullQuery and _EXCLUDED_WORD.search(text):
        # only "-word"s: Whoosh drops them all; mean "everything without these words"
        parsed = _parse(_EXCLUDED_WORD.sub(r"\1NOT ", text)) or NullQuery
    if parsed is NullQuery:
        return ParsedText(None, notices)
    return ParsedText(parsed, notices)


def _parse(text: str) -> Query | None:
    """Return the normalised query of ``text``, or None if the parser fails on it."""
    try:
        return query_parser().parse(text).normalize()
    except Exception:  # the parser's failures (IndexError, ...) have no common class
        return None


def bound_query(query: Query, reader: IndexReader) -> tuple[Query, list[str]]:
    """Return ``query`` without non-public fields and with wildcards expanded to a few words."""
    notices: list[str] = []
    refused: set[str] = set()
    broad: set[str] = set()

    def visit(node: Query) -> Query:
        fieldname = getattr(node, "fieldname", None)
        if fieldname is not None and fieldname not in QUERY_FIELDS:
            refused.add(fieldname)
            return NullQuery
        if isinstance(node, Every):
            return Every()
        if isinstance(node, PatternQuery):
            return _expand(node, reader, broad)
        return node

    bounded = query.accept(visit).normalize()
    if refused:
        names = ", ".join(f'"{name}:"' for name in sorted(refused))
        notices.append(f"Searching by {names} is not possible, so that part was ignored.")
    if broad:
        words = ", ".join(f'"{word}"' for word in sorted(broad))
        notices.append(
            f"{words} matches many words; only the first {MAX_WILDCARD_TERMS} were searched."
        )
    return bounded, notices


def _expand(node: PatternQuery, reader: IndexReader, broad: set[str]) -> Query:
    """Replace a wildcard by an OR of the words it matches (at most the first fifty)."""
    words = list(islice(node._btexts(reader), MAX_WILDCARD_TERMS + 1))
    if len(words) > MAX_WILDCARD_TERMS:
        broad.add(f"{node.text}*" if isinstance(node, Prefix) else node.text)
        words = words[:MAX_WILDCARD_TERMS]
    if not words:
        return NullQuery
    field_type = reader.schema[node.fieldname]
    terms = [Term(node.fieldname, field_type.from_bytes(word)) for word in words]
    return Or(terms, boost=node.boost)


def positive_terms(query: Query | None) -> set[str]:
    """Return the words (as indexed) the query looks for, leaving out those under NOT."""
    found: set[str] = set()
    if query is not None:
        _collect(query, found)
    return found


def _collect(node: Query, found: set[str]) -> None:
    if isinstance(node, Not):
        return
    if isinstance(node, AndNot):
        _collect(node.a, found)
        return
    if isinstance(node, Term) and isinstance(node.text, str):
        found.add(node.text)
    words = getattr(node, "words", None)
    if words:
        found.update(word for word in words if isinstance(word, str))
    for child in node.children():
        _collect(child, found)
