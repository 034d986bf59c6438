"""Turn a listing's text into a short weighted query, and stems back into readable words.

A matching query is not a bag of every word of the source: that is slow (an OR of forty words
scores most of the index) and noisy. It is the source's key terms — the words frequent in its
text and rare in the candidates' collection, scored by the Bo1 model against the candidate
index (Whoosh's key-term expander) — with the source's own title words and keywords weighted
up, capped at :data:`MAX_QUERY_TERMS` terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import classify, query
from whoosh.searching import Searcher

from search.schema import TEXT_FIELD_BOOSTS

# the candidate fields a matching query searches, with the search's query-time boosts
MATCH_FIELDS: tuple[str, ...] = ("title", "keywords", "summary", "description")
FIELD_BOOSTS: dict[str, float] = {name: TEXT_FIELD_BOOSTS[name] for name in MATCH_FIELDS}
# key terms are scored against these fields' collection statistics
KEY_TERM_FIELDS: tuple[str, ...] = ("title", "summary", "description")
KEY_TERM_COUNT = 15
MAX_QUERY_TERMS = 15
MAX_SOURCE_CHARS = 6_000
# Whoosh scores each posting a query reads in Python (6 to 17 µs each on two busy cores), so
# the postings bound a match's time however large the index grows; common terms go first
MAX_POSTINGS = 6_000
# a title word or keyword adds this to its key-term weight (key-term weights run 0..1)
TITLE_TERM_BONUS = 0.5
KEYWORD_TERM_BONUS = 0.8
# every field shares one analyser; stems and written words are read with this one
_TEXT_FIELD = "summary"


@dataclass(frozen=True)
class WeightedTerm:
    """One analysed (stemmed) query term, its weight, and the candidate fields that hold it."""

    text: str
    weight: float
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SourceWords:
    """The analysed source text: each stem's count, and how the source writes each stem."""

    counts: Counter[str]
    spellings: dict[str, Counter[str]]


def read_source(searcher: Searcher, title: str, text: str, keywords: Sequence[str]) -> SourceWords:
    """Analyse the source's title, keywords and text (cut to :data:`MAX_SOURCE_CHARS`) once."""
    body = "\n".join(part for part in (title, ", ".join(keywords), text) if part)
    spellings = written_words(searcher, body[:MAX_SOURCE_CHARS])
    counts = Counter({stem: sum(words.values()) for stem, words in spellings.items()})
    return SourceWords(counts, spellings)


def _analyse(searcher: Searcher, text: str) -> list[str]:
    """Return the analyser's terms (stems, stop words removed) for ``text``."""
    analyzer = searcher.schema[_TEXT_FIELD].analyzer
    return [token.text for token in analyzer(text, mode="query")]


def _key_terms(searcher: Searcher, counts: Counter[str]) -> dict[str, float]:
    """Return the Bo1 key terms of the counted stems over the key-term fields, best weight each."""
    weights: dict[str, float] = {}
    reader = searcher.reader()
    for fieldname in KEY_TERM_FIELDS:
        expander = classify.Expander(reader, fieldname, model=classify.Bo1Model)
        expander.add(counts.items())
        for term, weight in expander.expanded_terms(KEY_TERM_COUNT, normalize=True):
            weights[term] = max(weights.get(term, 0.0), float(weight))
    return weights


def weighted_terms(
    searcher: Searcher, source: SourceWords, title: str, keywords: Sequence[str]
) -> list[WeightedTerm]:
    """Return the source's query terms, strongest first, at most :data:`MAX_QUERY_TERMS`.

    Title words and keywords count even when they are not key terms of the text. Only terms
    some candidate field holds are kept.
    """
    if not source.counts:
        return []
    weights = _key_terms(searcher, source.counts)
    key_terms = sorted(weights, key=lambda term: (-weights[term], term))[:KEY_TERM_COUNT]
    weights = {term: weights[term] for term in key_terms}
    for bonus, words in (
        (TITLE_TERM_BONUS, _analyse(searcher, title)),
        (KEYWORD_TERM_BONUS, _analyse(searcher, ", ".join(keywords))),
    ):
        for term in dict.fromkeys(words):
            weights[term] = weights.get(term, 0.0) + bonus
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return _within_budget(searcher, ranked)[:MAX_QUERY_TERMS]


def _within_budget(searcher: Searcher, ranked: list[tuple[str, float]]) -> list[WeightedTerm]:
    """Return the terms with the fields each is searched in, within :data:`MAX_POSTINGS`.

    Strongest terms first, and within a term its most boosted fields first, each (field, term)
    clause is kept while the postings of the kept clauses stay within the budget; a term no
    candidate field holds, or none within the budget, is dropped.
    """
    budget = MAX_POSTINGS
    by_boost = sorted(MATCH_FIELDS, key=lambda name: -FIELD_BOOSTS[name])
    terms: list[WeightedTerm] = []
    for term, weight in ranked:
        fields: list[str] = []
        for fieldname in by_boost:
            postings = searcher.doc_frequency(fieldname, term)
            if 0 < postings <= budget:
                fields.append(fieldname)
                budget -= postings
        if fields:
            terms.append(WeightedTerm(term, weight, tuple(fields)))
    return terms


def text_query(terms: Iterable[WeightedTerm]) -> query.Query | None:
    """Return an OR of boosted term queries over the candidate fields that hold each term."""
    clauses = [
        query.Term(fieldname, term.text, boost=FIELD_BOOSTS[fieldname] * term.weight)
        for term in terms
        for fieldname in term.fields
    ]
    if not clauses:
        return None
    # pre-scoring every posting into an array measured 2.7 times faster than Whoosh's default
    # binary tree of union matchers for a query of this shape
    union = query.Or(clauses)
    union.matcher_type = query.Or.ARRAY_MATCHER
    return union


def reference_score(searcher: Searcher, terms: Iterable[WeightedTerm]) -> float:
    """Return the BM25F score of a candidate holding every term once, in its best field.

    A candidate's score divided by this is a query-independent measure of how much of the
    source it shares, so a threshold means the same for a long brief and a short one.
    """
    return sum(
        term.weight
        * max(FIELD_BOOSTS[name] * searcher.idf(name, term.text) for name in term.fields)
        for term in terms
        if term.fields
    )


def _display(word: str) -> str:
    """Return a word as shown in reasons: lower case, unless written as an acronym."""
    return word if len(word) > 1 and word.isupper() else word.lower()


def written_words(
    searcher: Searcher, text: str, stems: set[str] | None = None
) -> dict[str, Counter[str]]:
    """Return how often each written word of ``text`` occurs, by the stem it analyses to.

    With ``stems``, only words analysing to one of them are counted.
    """
    analyzer = searcher.schema[_TEXT_FIELD].analyzer
    found: dict[str, Counter[str]] = {}
    for token in analyzer(text, chars=True, mode="index"):
        if stems is None or token.text in stems:
            word = _display(text[token.startchar : token.endchar])
            found.setdefault(token.text, Counter())[word] += 1
    return found


def surface_words(
    searcher: Searcher, stems: Iterable[str], candidate_text: str, source: SourceWords
) -> list[str]:
    """Return, for each stem, a word of the candidate's text that the analyser turns into it.

    Only words written in ``candidate_text`` are ever returned; among them the spelling the
    source also uses is preferred, then the candidate's most frequent one. A stem the
    candidate's text does not hold is left out.
    """
    wanted = list(dict.fromkeys(stems))
    spellings = written_words(searcher, candidate_text, set(wanted))
    words: list[str] = []
    for stem in wanted:
        if stem not in spellings:
            continue
        theirs = [word for word, _ in spellings[stem].most_common()]
        ours = source.spellings.get(stem, Counter())
        words.append(next((word for word in theirs if word in ours), theirs[0]))
    return list(dict.fromkeys(words))
