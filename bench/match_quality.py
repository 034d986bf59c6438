"""Measure matching quality on a known-item task built from real patents, against plain BM25.

Run on demand, not part of the test suite:

    .venv/bin/python bench/match_quality.py [--distractors 0] [--seed 4]

Every patent of ``../shared/data/patents.jsonl`` becomes an IP offer (its title and abstract).
Every non-empty background, with the sentences that describe the invention itself removed
("the present invention", "embodiments", "is provided", "this disclosure", ...), becomes a
challenge: only the prior art and the problem remain. The challenge's own patent is the one
relevant offer. Optionally, generated offers (``bench/corpus.py``) are added as distractors.

Three rankers run in the same process over the same index:
- ``find_matches`` with text only (no fields, TRL or deal terms on either side);
- ``find_matches`` with technical fields, each patent filed under the field its topic maps to
  (as a seeker and a licensor would each file their listing);
- plain BM25: Whoosh's default BM25F, the whole challenge text as one OR query of its terms
  over the same fields (title, summary, description, keywords), offers only.
Reported: MRR@10, nDCG@10 (one relevant offer: 1/log2(rank+1)), recall@1 and recall@10, and
the mean time per challenge.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from corpus import PATENTS_PATH, Corpus, Patent, load_patents, problem_sentences
from report import print_header, print_load, print_table
from whoosh import query as whoosh_query

from ideagora import taxonomy
from search.documents import ASSET, CHALLENGE, ListingDocument
from search.index import SearchIndex
from search.matching import MatchSource, find_matches
from search.outbox import Progress
from search.schema import build_schema

TEXT_FIELDS = ("title", "summary", "description", "keywords")
ALL_DEALS = ("exclusive_license", "non_exclusive_license", "assignment", "collaboration", "option")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DEPTH = 10


def families(fields: Sequence[str]) -> tuple[str, ...]:
    """Return the fields followed by their parents, as the application files them."""
    parents = [taxonomy.get_field(slug).parent for slug in fields]
    return tuple(dict.fromkeys([*fields, *(parent for parent in parents if parent)]))


def offers_of(patents: Sequence[Patent], field_of_topic: dict[str, str]) -> list[ListingDocument]:
    """Return one published offer per patent (title and abstract), ids 1.. in file order."""
    return [
        ListingDocument(
            kind=ASSET,
            id=number,
            title=patent.title,
            summary=patent.abstract,
            fields=(field_of_topic[patent.topic],),
            field_families=families((field_of_topic[patent.topic],)),
            deal_types=ALL_DEALS,
            owner=f"Licensor {number}",
            owner_key=f"organization:licensor-{number}",
            status="published",
            matchable=True,
            published_at=NOW,
        )
        for number, patent in enumerate(patents, start=1)
    ]


def challenges_of(
    patents: Sequence[Patent], field_of_topic: dict[str, str]
) -> list[tuple[int, MatchSource]]:
    """Return (relevant offer id, challenge) for every patent with a usable background."""
    sources = []
    for number, patent in enumerate(patents, start=1):
        problem = problem_sentences(patent.background)
        if not problem:
            continue
        field = field_of_topic[patent.topic]
        sources.append(
            (
                number,
                MatchSource(
                    kind=CHALLENGE,
                    id=number,
                    title=problem[0][:200],
                    text=" ".join(problem),
                    keywords=(),
                    fields=(field,),
                    field_families=families((field,)),
                    trl=None,
                    deal_types=("non_exclusive_license",),
                    owner_key="organization:seeker",
                ),
            )
        )
    return sources


def text_only(source: MatchSource) -> MatchSource:
    """Return the challenge without technical fields."""
    return replace(source, fields=(), field_families=())


def bm25_ranker(index: SearchIndex) -> Callable[[MatchSource], list[int]]:
    """Return a ranker: the source text's terms OR-ed over the text fields, default BM25F."""
    schema = build_schema()

    def rank(source: MatchSource) -> list[int]:
        text = f"{source.title} {source.text}"
        terms = []
        for name in TEXT_FIELDS:
            words = dict.fromkeys(token.text for token in schema[name].analyzer(text))
            terms.extend(whoosh_query.Term(name, word) for word in words)
        # the kind goes in a filter: Whoosh mis-scores And(Or of more than ~15 terms, Term)
        offers = whoosh_query.Term("kind", ASSET)
        with index.searcher() as searcher:
            hits = searcher.search(whoosh_query.Or(terms), filter=offers, limit=DEPTH)
            return [hit["id"] for hit in hits]

    return rank


def matcher_ranker(
    index: SearchIndex, adapt: Callable[[MatchSource], MatchSource]
) -> Callable[[MatchSource], list[int]]:
    """Return a ranker by ``find_matches`` (offer ids, best first)."""

    def rank(source: MatchSource) -> list[int]:
        return [match.id for match in find_matches(index, adapt(source), NOW, limit=DEPTH)]

    return rank


def evaluate(rank: Callable[[MatchSource], list[int]], task: Sequence[tuple[int, MatchSource]]):
    """Return MRR@10, nDCG@10, recall@1, recall@10 and the mean seconds per challenge."""
    reciprocal = gain = first = found = 0.0
    started = time.perf_counter()
    for relevant, source in task:
        ranking = rank(source)[:DEPTH]
        if relevant in ranking:
            position = ranking.index(relevant) + 1
            reciprocal += 1 / position
            gain += 1 / math.log2(position + 1)
            found += 1
            first += position == 1
    seconds = (time.perf_counter() - started) / len(task)
    count = len(task)
    return reciprocal / count, gain / count, first / count, found / count, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--distractors", type=int, default=0, help="generated offers added to the real ones"
    )
    parser.add_argument("--seed", type=int, default=4, help="the seed of the distractors")
    parser.add_argument("--patents", type=Path, default=PATENTS_PATH, help="the seed patents")
    args = parser.parse_args()
    print_header("match_quality", args)
    patents = load_patents(args.patents)
    corpus = Corpus(patents, seed=args.seed)
    offers = offers_of(patents, corpus.field_of_topic)
    distractors = list(corpus.offers(args.distractors, first_id=len(offers) + 1))
    task = challenges_of(patents, corpus.field_of_topic)
    print(
        f"{len(offers)} real offers, {len(distractors):,} generated distractors, "
        f"{len(task)} challenges (backgrounds without the invention's own sentences)"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="ideagora-bench-") as work:
        index = SearchIndex(str(Path(work) / "index"))
        try:
            index.rebuild(iter([*offers, *distractors]), Progress())
            rankers = (
                ("find_matches, text only", matcher_ranker(index, text_only)),
                ("find_matches, with fields", matcher_ranker(index, lambda source: source)),
                ("plain BM25F, OR of all terms", bm25_ranker(index)),
            )
            for name, rank in rankers:
                mrr, ndcg, at_one, at_ten, seconds = evaluate(rank, task)
                rows.append(
                    (
                        name,
                        f"{mrr:.3f}",
                        f"{ndcg:.3f}",
                        f"{at_one:.3f}",
                        f"{at_ten:.3f}",
                        f"{seconds * 1000:.1f}",
                    )
                )
        finally:
            index.close()
    print_table(("ranker", "MRR@10", "nDCG@10", "recall@1", "recall@10", "ms/challenge"), rows)
    print_load()


if __name__ == "__main__":
    main()
