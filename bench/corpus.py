"""Generate a repeatable corpus of IP offers and challenges of realistic technical text.

Run on demand (it prints a few generated listings and the generation rate):

    .venv/bin/python bench/corpus.py [--offers 1000] [--challenges 100] [--seed 4]

The seed vocabulary is the file of real patents that lives beside the project
(``../shared/data/patents.jsonl``, see its README); it is read at run time and never copied
into the repository. Each patent's technology area is filed under the technical field whose
name and description share the most words with it, and a word-level Markov chain of order two
is trained per top-level field: on the abstracts for offers, on the backgrounds (with the
sentences describing the invention removed) for challenges, and on the titles for titles. The
generated text recombines those words and sentences; a sprinkling of invented compound terms
gives the vocabulary the long tail of a real corpus (part numbers, trade names, chemicals).
The same seed always gives the same documents, in the same order.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from report import print_header, print_table

from ideagora import taxonomy
from search.documents import ASSET, CHALLENGE, ListingDocument

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PATENTS_PATH = PROJECT_ROOT.parent / "shared" / "data" / "patents.jsonl"

PATENT_STATUSES = ("granted", "pending", "provisional", "know_how")
DEAL_TYPES = ("exclusive_license", "non_exclusive_license", "assignment", "collaboration", "option")
IP_TERMS = ("solver_retains", "non_exclusive_license", "exclusive_license", "assignment")
ORGANISATION_KINDS = ("University", "Institute of Technology", "Research Centre", "Labs", "GmbH")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

# sentences of a background that describe the invention rather than the problem it solves
INVENTION_SENTENCE = re.compile(
    r"present (invention|disclosure|application|technology|subject matter)|this (invention|"
    r"disclosure|application)|embodiments?\b|is provided|are provided|herein|the invention|"
    r"disclosed (is|are|here)|according to (an|one|the) aspect|summary",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
WORD = re.compile(r"[a-z][a-z-]+")
_STOP_WORDS_TEXT = (
    "a an and are as at be by for from has have in into is it its of on or such that the their "
    "then there these this to was were which with within without can may more one two each "
    "other than also being been used using between"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
START = ("<s>", "<s>")


class PatentsMissing(SystemExit):
    """The seed file is not where the benchmarks expect it."""


@dataclass(frozen=True)
class Patent:
    """One real patent of the seed file: the parts the generator learns from."""

    number: str
    title: str
    abstract: str
    background: str
    topic: str


def load_patents(path: Path = PATENTS_PATH) -> list[Patent]:
    """Return the seed patents, or exit with a sentence saying where the file should be."""
    if not path.is_file():
        raise PatentsMissing(
            f"The seed patents are missing: {path} does not exist. The benchmarks read the real "
            "patent texts from ../shared/data/patents.jsonl beside the project (see its README)."
        )
    patents = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                patents.append(
                    Patent(
                        number=str(row["patent_number"]),
                        title=row["title"].strip(),
                        abstract=row["abstract"].strip(),
                        background=(row.get("background") or "").strip(),
                        topic=row.get("topic") or "",
                    )
                )
    return patents


def sentences(text: str) -> list[str]:
    """Split prose into sentences (a period followed by a capital starts a new one)."""
    return [part.strip() for part in SENTENCE_END.split(" ".join(text.split())) if part.strip()]


def problem_sentences(background: str) -> list[str]:
    """Return a background's sentences without those that describe the invention itself."""
    return [
        sentence
        for sentence in sentences(background)
        if not INVENTION_SENTENCE.search(sentence) and len(sentence.split()) >= 4
    ]


def content_words(text: str) -> list[str]:
    """Return the lower-case words of ``text`` that carry meaning (no stop words)."""
    return [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2]


class MarkovChain:
    """A word-level Markov chain of order two, trained on whole sentences."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str], list[str]] = defaultdict(list)

    def train(self, sentence: str) -> None:
        """Learn the word transitions of one sentence."""
        state = START
        for word in [*sentence.split(), "</s>"]:
            self._next[state].append(word)
            state = (state[1], word)

    def __bool__(self) -> bool:
        return bool(self._next)

    def sentence(self, rng: random.Random, max_words: int = 60) -> list[str]:
        """Return the words of one new sentence, ending with a full stop."""
        words: list[str] = []
        state = START
        while len(words) < max_words:
            word = rng.choice(self._next[state])
            if word == "</s>":
                break
            words.append(word)
            state = (state[1], word)
        if words and not words[-1].endswith((".", "!", "?")):
            words[-1] = words[-1].rstrip(",;:") + "."
        return words


@dataclass
class FieldText:
    """The chains and seed facts of one top-level field."""

    slug: str
    titles: MarkovChain
    abstracts: MarkovChain
    problems: MarkovChain
    words: list[str]
    sub_fields: list[str]


def field_of(patents: Sequence[Patent]) -> str:
    """Return the technical-field slug whose name and description best match these patents."""
    text = Counter(content_words(" ".join(f"{p.topic} {p.topic} {p.title}" for p in patents)))
    best, best_score = taxonomy.top_level_fields()[0].slug, -1.0
    for field in taxonomy.all_fields():
        vocabulary = set(content_words(f"{field.name} {field.description}"))
        score = sum(
            count for word, count in text.items() if any(_related(word, v) for v in vocabulary)
        )
        # a sub-field wins a tie over its parent: it names the technology more precisely
        score += 0.5 if field.parent else 0.0
        if score > best_score:
            best, best_score = field.slug, score
    return best


def _related(word: str, other: str) -> bool:
    """Tell whether two words share a stem of at least five letters (plural, -ing, -ion...)."""
    stem = min(len(word), len(other), max(5, min(len(word), len(other)) - 2))
    return word[:stem] == other[:stem]


class Corpus:
    """Generate offers and challenges as :class:`ListingDocument`, the same for the same seed."""

    def __init__(self, patents: Sequence[Patent], seed: int = 4, organisations: int = 400) -> None:
        self.seed = seed
        self.patents = list(patents)
        self.field_of_topic = self._file_topics()
        self.fields = self._train()
        self.organisations = organisations
        self._coin = self._compound_terms(random.Random(seed), 6_000)  # noqa: S311

    def _file_topics(self) -> dict[str, str]:
        by_topic: dict[str, list[Patent]] = defaultdict(list)
        for patent in self.patents:
            by_topic[patent.topic].append(patent)
        return {topic: field_of(group) for topic, group in by_topic.items()}

    def _train(self) -> list[FieldText]:
        fields: dict[str, FieldText] = {}
        for patent in self.patents:
            slug = self.field_of_topic[patent.topic]
            top = taxonomy.get_field(slug).parent or slug
            text = fields.get(top)
            if text is None:
                subs = [f.slug for f in taxonomy.children(top)] or [top]
                text = FieldText(top, MarkovChain(), MarkovChain(), MarkovChain(), [], subs)
                fields[top] = text
            if slug != top and slug not in text.sub_fields[:1]:
                text.sub_fields.insert(0, slug)
            text.titles.train(patent.title)
            for sentence in sentences(patent.abstract):
                text.abstracts.train(sentence)
            for sentence in problem_sentences(patent.background):
                # the seed backgrounds are cut off mid-sentence: learn only whole sentences
                if sentence.endswith((".", "!", "?")):
                    text.problems.train(sentence)
            text.words.extend(content_words(f"{patent.title} {patent.abstract}"))
        for text in fields.values():
            if not text.problems:
                text.problems = text.abstracts
        return list(fields.values())

    @staticmethod
    def _compound_terms(rng: random.Random, count: int) -> list[str]:
        """Return invented technical terms (the long tail of a real vocabulary)."""
        heads = ("poly", "nano", "thermo", "electro", "hydro", "micro", "bio", "photo", "ferro")
        tails = ("lyte", "mer", "phase", "sorb", "gel", "film", "clad", "cell", "flux", "tex")
        terms = set()
        while len(terms) < count:
            middle = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in "xy")
            terms.add(rng.choice(heads) + middle + rng.choice(tails))
        return sorted(terms)

    def _prose(self, rng: random.Random, chain: MarkovChain, low: int, high: int) -> list[str]:
        """Return sentences of ``low`` to ``high`` words in all, with rare invented terms."""
        target = rng.randint(low, high)
        words: list[str] = []
        paragraph: list[str] = []
        while len(words) < target:
            sentence = chain.sentence(rng, max_words=min(60, target - len(words) + 12))
            for index, word in enumerate(sentence):
                if len(word) > 7 and rng.random() < 0.03:
                    # a Zipf-like pick: a few invented terms are common, most are rare
                    sentence[index] = self._coin[int(len(self._coin) * rng.random() ** 3)]
            words.extend(sentence)
            paragraph.append(" ".join(sentence))
        return paragraph

    def offers(self, count: int, first_id: int = 1) -> Iterator[ListingDocument]:
        """Yield ``count`` published IP offers with ids from ``first_id``."""
        rng = random.Random(f"offers-{self.seed}")  # noqa: S311 - repeatable
        for number in range(first_id, first_id + count):
            yield self._offer(rng, number)

    def challenges(self, count: int, first_id: int = 1) -> Iterator[ListingDocument]:
        """Yield ``count`` open challenges with ids from ``first_id``."""
        rng = random.Random(f"challenges-{self.seed}")  # noqa: S311 - repeatable
        for number in range(first_id, first_id + count):
            yield self._challenge(rng, number)

    def _common(self, rng: random.Random, text: FieldText) -> dict:
        fields = [rng.choice(text.sub_fields)]
        if rng.random() < 0.3:
            fields.append(rng.choice(self.fields).slug)
        fields = list(dict.fromkeys(fields))
        families = list(dict.fromkeys([*fields, *(self._parent(slug) for slug in fields)]))
        organisation = rng.randrange(1, self.organisations + 1)
        published = EPOCH + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
        return {
            "fields": tuple(fields),
            "field_families": tuple(families),
            "owner": f"{text.words[organisation % len(text.words)].capitalize()} "
            f"{ORGANISATION_KINDS[organisation % len(ORGANISATION_KINDS)]} {organisation}",
            "owner_key": f"organization:{organisation}",
            "published_at": published,
            "updated_at": published + timedelta(days=rng.randrange(0, 30)),
        }

    @staticmethod
    def _parent(slug: str) -> str:
        return taxonomy.get_field(slug).parent or slug

    def _title(self, rng: random.Random, text: FieldText) -> str:
        words = text.titles.sentence(rng, max_words=14)
        return " ".join(words).rstrip(".")[:200]

    def _keywords(self, rng: random.Random, body: str) -> tuple[str, ...]:
        counts = Counter(w for w in content_words(body) if len(w) > 4)
        common = [word for word, _ in counts.most_common(8)]
        return tuple(rng.sample(common, min(len(common), rng.randint(3, 6))))

    def _offer(self, rng: random.Random, number: int) -> ListingDocument:
        text = rng.choice(self.fields)
        paragraph = self._prose(rng, text.abstracts, 120, 250)
        summary = paragraph[0][:600]
        description = " ".join(paragraph[1:])
        status = rng.choice(PATENT_STATUSES)
        return ListingDocument(
            kind=ASSET,
            id=number,
            title=self._title(rng, text),
            summary=summary,
            description=description,
            keywords=self._keywords(rng, " ".join(paragraph)),
            patent_numbers=self._patent_numbers(rng, status),
            patent_status=status,
            deal_types=tuple(rng.sample(DEAL_TYPES, rng.randint(1, 3))),
            trl=rng.randint(2, 9),
            status="published",
            matchable=True,
            **self._common(rng, text),
        )

    def _challenge(self, rng: random.Random, number: int) -> ListingDocument:
        text = rng.choice(self.fields)
        paragraph = self._prose(rng, text.problems, 80, 200)
        common = self._common(rng, text)
        return ListingDocument(
            kind=CHALLENGE,
            id=number,
            title=f"Seeking: {self._title(rng, text)}"[:200],
            summary=paragraph[0][:600],
            description=" ".join(paragraph[1:]),
            keywords=self._keywords(rng, " ".join(paragraph)),
            deal_types=(rng.choice(IP_TERMS),),
            trl=rng.choice((None, *range(3, 9))),
            status="open",
            matchable=True,
            open_until=datetime(2027, 6, 30, tzinfo=UTC) + timedelta(days=rng.randrange(0, 365)),
            **common,
        )

    @staticmethod
    def _patent_numbers(rng: random.Random, status: str) -> tuple[str, ...]:
        if status not in ("granted", "pending"):
            return ()
        numbers = [f"US {rng.randint(9, 11)},{rng.randint(100, 999)},{rng.randint(100, 999)} B2"]
        if rng.random() < 0.5:
            numbers.append(f"EP {rng.randint(1_000_000, 3_999_999)}")
        return tuple(numbers)


def words_of(document: ListingDocument) -> int:
    """Return how many words of text a document holds (title, summary, description)."""
    return len(f"{document.title} {document.summary} {document.description}".split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1_000, help="offers to generate")
    parser.add_argument("--challenges", type=int, default=100, help="challenges to generate")
    parser.add_argument("--seed", type=int, default=4, help="the corpus seed")
    parser.add_argument("--show", type=int, default=2, help="listings of each kind to print")
    parser.add_argument("--patents", type=Path, default=PATENTS_PATH, help="the seed patents")
    args = parser.parse_args()
    print_header("corpus", args)
    corpus = Corpus(load_patents(args.patents), seed=args.seed)
    print(f"seed fields: {', '.join(f'{t.slug} ({len(t.words):,} words)' for t in corpus.fields)}")
    started = time.perf_counter()
    offers = list(corpus.offers(args.offers))
    challenges = list(corpus.challenges(args.challenges))
    seconds = time.perf_counter() - started
    rows = []
    for kind, documents in (("offers", offers), ("challenges", challenges)):
        lengths = sorted(words_of(document) for document in documents) or [0]
        vocabulary = {w for d in documents for w in content_words(f"{d.summary} {d.description}")}
        rows.append(
            (
                kind,
                f"{len(documents):,}",
                lengths[0],
                lengths[len(lengths) // 2],
                lengths[-1],
                f"{len(vocabulary):,}",
            )
        )
    print_table(("kind", "documents", "min words", "median", "max", "distinct words"), rows)
    total = len(offers) + len(challenges)
    print(f"generated {total:,} documents in {seconds:.1f} s ({total / seconds:,.0f} docs/s)")
    for document in offers[: args.show] + challenges[: args.show]:
        print(
            f"\n[{document.key}] {document.title}\n  fields={document.fields} trl={document.trl} "
            f"deals={document.deal_types} patents={document.patent_numbers}\n"
            f"  keywords={document.keywords}\n  {document.summary}\n  {document.description}"
        )


if __name__ == "__main__":
    main()
