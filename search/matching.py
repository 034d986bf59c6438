"""Rank the listings of the other kind that match a challenge or an IP offer, and say why.

A challenge is matched against IP offers and an offer against challenges. Candidates are only
listings that may be suggested (``matchable``), not past their deadline, not the source's own
organisation's, and only their public (indexed) text is read. The source side may carry its
owner's confidential text: it only shapes the query, and every word a reason shows is a word of
the candidate's own public text.

Ranking: the source's key terms (see :mod:`search.key_terms`) make a weighted BM25F query over
the candidates' title, keywords, summary and description; the best :data:`CANDIDATE_POOL` by
text score are then re-ranked by a weighted sum of four components, each between 0 and 1::

    score = TEXT_WEIGHT * text + FIELDS_WEIGHT * fields + TRL_WEIGHT * trl + TERMS_WEIGHT * terms

``text`` is the BM25F score over the score of a candidate holding every query term once
(:func:`search.key_terms.reference_score`), scaled by :data:`TEXT_FULL_RATIO` and capped at 1;
``fields``, ``trl`` and ``terms`` (deal compatibility) are scored in :mod:`search.reasons`.
A source with no usable text is matched on its fields alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from whoosh import query
from whoosh.searching import Hit, Searcher

from search.documents import ASSET, CHALLENGE, KINDS
from search.key_terms import (
    MAX_POSTINGS,
    SourceWords,
    WeightedTerm,
    read_source,
    reference_score,
    surface_words,
    text_query,
    weighted_terms,
)
from search.reasons import (
    MatchReasons,
    deal_fit,
    deal_score,
    field_overlap,
    trl_fit,
    trl_score,
)
from search.schema import to_index_time

if TYPE_CHECKING:
    from search.index import SearchIndex

TEXT_WEIGHT = 0.6
FIELDS_WEIGHT = 0.2
TRL_WEIGHT = 0.1
TERMS_WEIGHT = 0.1
# how many of the best text hits are re-ranked by all components
CANDIDATE_POOL = 50
# the share of the reference score at which the text component counts as a full match
TEXT_FULL_RATIO = 1.0


@dataclass(frozen=True)
class MatchSource:
    """The listing to find matches for, as plain values.

    ``text`` is the query side's text: its public fields, plus the owner's own confidential text
    when the owner asks. ``deal_types`` is a challenge's one IP term or an offer's deal types;
    ``trl`` is the TRL a challenge seeks or an offer's TRL. ``owner_key`` identifies the owner,
    whose own listings are never suggested.
    """

    kind: str
    id: int | None
    title: str
    text: str
    keywords: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    field_families: tuple[str, ...] = ()
    trl: int | None = None
    deal_types: tuple[str, ...] = ()
    owner_key: str = ""


@dataclass
class Match:
    """One suggested listing: what a page shows of it, its score (0..1), components and reasons."""

    kind: str
    id: int
    title: str
    summary: str
    owner: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reasons: MatchReasons = field(default_factory=MatchReasons)


def find_matches(
    index: SearchIndex,
    source: MatchSource,
    now: datetime,
    limit: int = 10,
    min_score: float = 0.0,
    keys: tuple[str, ...] | None = None,
) -> list[Match]:
    """Return up to ``limit`` listings of the other kind matching ``source``, best first.

    Only matches scoring at least ``min_score`` are returned. ``keys`` (index keys such as
    ``"asset:12"``) restricts the candidates to those listings (keys of the source's own kind
    are ignored); an empty tuple means none.
    """
    if source.kind not in KINDS:
        raise ValueError(f"Cannot match a listing of kind {source.kind!r}.")
    if limit < 1:
        raise ValueError("Ask for at least one match.")
    if keys is not None:
        other = ASSET if source.kind == CHALLENGE else CHALLENGE
        keys = tuple(key for key in keys if key.startswith(other + ":"))
        if not keys:
            return []
    with index.searcher() as searcher:
        return _rank(searcher, source, now, limit, min_score, keys)


def _rank(
    searcher: Searcher,
    source: MatchSource,
    now: datetime,
    limit: int,
    min_score: float,
    keys: tuple[str, ...] | None,
) -> list[Match]:
    """Return the ranked matches of ``source`` from one searcher."""
    words = read_source(searcher, source.title, source.text, source.keywords)
    terms = weighted_terms(searcher, words, source.title, source.keywords)
    pool = _pool(searcher, source, terms, now, keys, max(CANDIDATE_POOL, limit))
    reference = reference_score(searcher, terms)
    judged = [
        _judge(hit, source, hit.score / reference if by_text and reference else 0.0)
        for hit, by_text in pool
    ]
    chosen = sorted(
        (item for item in zip(judged, pool, strict=True) if item[0].score >= min_score),
        key=lambda item: -item[0].score,
    )[:limit]
    for match, (hit, by_text) in chosen:
        if by_text:
            match.reasons.terms = _shared_words(searcher, hit, terms, words)
    return [match for match, _ in chosen]


def _pool(
    searcher: Searcher,
    source: MatchSource,
    terms: Sequence[WeightedTerm],
    now: datetime,
    keys: tuple[str, ...] | None,
    size: int,
) -> list[tuple[Hit, bool]]:
    """Return up to ``size`` candidate hits, each with whether it came from the text query.

    The best text hits come first; when fewer than ``size`` candidates share any query term,
    candidates sharing a field family with the source fill the pool (with no text score).
    """
    limits = _restrictions(searcher, source, now, keys)
    pool: list[tuple[Hit, bool]] = []
    wanted = text_query(terms)
    if wanted is not None:
        pool = [(hit, True) for hit in searcher.search(wanted, limit=size, **limits)]
    by_fields = _fields_query(searcher, source)
    if by_fields is not None and len(pool) < size:
        seen = {hit.docnum for hit, _ in pool}
        extra = searcher.search(by_fields, limit=size, **limits)
        pool += [(hit, False) for hit in extra if hit.docnum not in seen][: size - len(pool)]
    return pool


def _restrictions(
    searcher: Searcher, source: MatchSource, now: datetime, keys: tuple[str, ...] | None
) -> dict[str, query.Query]:
    """Return the search's filter and mask: only matchable listings of the other kind, in
    ``keys`` if given, never the source owner's, never past their deadline.

    Whoosh reads every document of a filter or mask on each search, so the large sets (all
    matchable listings, all of one kind) are expressed through the smaller side: a kind is
    required or the source's kind masked, whichever holds fewer documents.
    """
    other = ASSET if source.kind == CHALLENGE else CHALLENGE
    masked: list[query.Query] = [
        query.Term("matchable", False),
        query.DateRange("open_until", None, to_index_time(now), endexcl=True),
    ]
    if source.owner_key:
        masked.append(query.Term("owner_key", source.owner_key))
    if keys is not None:
        required: query.Query = query.Or([query.Term("key", key) for key in keys])
    elif searcher.doc_frequency("kind", other) <= searcher.doc_frequency("kind", source.kind):
        required = query.Term("kind", other)
    else:
        masked.append(query.Term("kind", source.kind))
        return {"mask": query.Or(masked)}
    return {"filter": required, "mask": query.Or(masked)}


def _fields_query(searcher: Searcher, source: MatchSource) -> query.Query | None:
    """Return a query for candidates sharing a field family with the source, if it has fields.

    The source's own fields come before their parents, and a field is left out once the
    postings read would pass :data:`search.key_terms.MAX_POSTINGS`.
    """
    budget = MAX_POSTINGS
    clauses: list[query.Query] = []
    for slug in dict.fromkeys((*source.fields, *source.field_families)):
        postings = searcher.doc_frequency("field_families", slug)
        if 0 < postings <= budget:
            clauses.append(query.Term("field_families", slug))
            budget -= postings
    return query.Or(clauses) if clauses else None


def _split(stored: Any) -> tuple[str, ...]:
    """Return the items of a stored comma-separated keyword field."""
    return tuple(item for item in str(stored or "").split(",") if item)


def _judge(hit: Hit, source: MatchSource, text_ratio: float) -> Match:
    """Return the scored match of one hit (its shared words are filled in later, if chosen).

    ``text_ratio`` is the hit's text score over the reference score (0 for no shared term).
    """
    stored = hit.fields()
    candidate_fields = _split(stored.get("fields"))
    offered_or_wanted = _split(stored.get("deal_types"))
    fields_score, same, related = field_overlap(
        source.fields, source.field_families, candidate_fields
    )
    trl = trl_fit(source.kind, source.trl, stored.get("trl"))
    if source.kind == CHALLENGE:
        deal = deal_fit(source.deal_types, offered_or_wanted)
    else:
        deal = deal_fit(offered_or_wanted, source.deal_types)
    components = {
        "text": min(1.0, text_ratio / TEXT_FULL_RATIO),
        "fields": fields_score,
        "trl": trl_score(trl),
        "terms": deal_score(deal),
    }
    score = (
        TEXT_WEIGHT * components["text"]
        + FIELDS_WEIGHT * components["fields"]
        + TRL_WEIGHT * components["trl"]
        + TERMS_WEIGHT * components["terms"]
    )
    reasons = MatchReasons(same_fields=same, related_fields=related, trl=trl, deal=deal)
    return Match(
        kind=stored["kind"],
        id=int(stored["id"]),
        title=stored.get("title", ""),
        summary=stored.get("summary", ""),
        owner=stored.get("owner", ""),
        score=round(score, 4),
        components={name: round(value, 4) for name, value in components.items()},
        reasons=reasons,
    )


def _shared_words(
    searcher: Searcher, hit: Hit, terms: Sequence[WeightedTerm], source: SourceWords
) -> list[str]:
    """Return the query terms this hit's stored public text holds, strongest first, as words
    written in that text."""
    stored = hit.fields()
    candidate_text = "\n".join(
        str(stored.get(name) or "") for name in ("title", "summary", "description")
    )
    return surface_words(searcher, [term.text for term in terms], candidate_text, source)
