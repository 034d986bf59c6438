"""A repeatable mix of realistic searches and match requests over a generated corpus.

Each :class:`Search` has the request the engine runs in-process and the query string and
parameters the same search sends to ``GET /api/v1/search``, so both measure the same work.
Words are drawn from the corpus's own seed vocabulary in proportion to their frequency (as
people search for what is common in a field), phrases are word pairs that occur in generated
offers, and two-word searches pair words of the same technical field.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus import Corpus, content_words

from search.documents import ASSET, CHALLENGE, ListingDocument
from search.matching import MatchSource
from search.query import SearchRequest


@dataclass(frozen=True)
class Search:
    """One search: its class, the in-process request, and the API query parameters."""

    kind: str
    request: SearchRequest
    params: dict[str, str] = field(default_factory=dict)


def searches(corpus: Corpus, sample: Sequence[ListingDocument], per_kind: int, seed: int):
    """Return ``per_kind`` searches of each class, in a shuffled, repeatable order."""
    rng = random.Random(f"searches-{seed}")  # noqa: S311 - repeatable
    mix: list[Search] = []
    for _ in range(per_kind):
        text = rng.choice(corpus.fields)
        one, two = rng.choice(text.words), rng.choice(text.words)
        phrase = _phrase(rng, sample)
        top = text.slug
        mix += [
            Search("one word", SearchRequest(text=one), {"q": one}),
            Search("two words (AND)", SearchRequest(text=f"{one} {two}"), {"q": f"{one} {two}"}),
            Search("phrase", SearchRequest(text=f'"{phrase}"'), {"q": f'"{phrase}"'}),
            Search(
                "OR / NOT",
                SearchRequest(text=f"({one} OR {two}) NOT {rng.choice(text.words)}"),
                {"q": f"({one} OR {two}) NOT {rng.choice(text.words)}"},
            ),
            Search(
                "field filter in query",
                SearchRequest(text=f"field:{top} title:{one}"),
                {"q": f"field:{top} title:{one}"},
            ),
            Search(
                "offers, field + TRL filter",
                SearchRequest(text=one, kinds=(ASSET,), fields=(top,), trl_min=5),
                {"q": one, "type": ASSET, "field": top, "trl_min": "5"},
            ),
            Search(
                "facets page (no text)",
                SearchRequest(kinds=(ASSET,), sort="newest"),
                {"type": ASSET, "sort": "newest"},
            ),
            Search(
                "one word, page 5, newest",
                SearchRequest(text=one, sort="newest", page=5),
                {"q": one, "sort": "newest", "page": "5"},
            ),
        ]
    rng.shuffle(mix)
    return mix


def _phrase(rng: random.Random, sample: Sequence[ListingDocument]) -> str:
    """Return two consecutive meaningful words of a generated offer's summary."""
    for _ in range(50):
        words = rng.choice(sample).summary.split()
        start = rng.randrange(max(1, len(words) - 1))
        pair = [word.strip(".,;:()").lower() for word in words[start : start + 2]]
        if len(pair) == 2 and all(content_words(word) == [word] for word in pair):
            return " ".join(pair)
    return "control system"


def match_source(document: ListingDocument) -> MatchSource:
    """Return the match source of a listing, as its owner would ask for matches."""
    return MatchSource(
        kind=document.kind,
        id=document.id,
        title=document.title,
        text=f"{document.summary}\n{document.description}",
        keywords=document.keywords,
        fields=document.fields,
        field_families=document.field_families,
        trl=document.trl,
        deal_types=document.deal_types,
        owner_key=document.owner_key,
    )


def sample(documents: Sequence[ListingDocument], count: int, seed: int, kind: str = CHALLENGE):
    """Return ``count`` documents of ``kind`` chosen repeatably."""
    chosen = [document for document in documents if document.kind == kind]
    rng = random.Random(f"sample-{seed}")  # noqa: S311 - repeatable, not a secret
    return rng.sample(chosen, min(count, len(chosen)))
