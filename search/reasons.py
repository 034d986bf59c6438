"""Judge, score and phrase the non-text reasons two listings match: fields, TRL and deal terms.

Everything here is pure: it takes the two listings' slugs, TRLs and deal terms as plain values
and returns a verdict, a component score between 0 and 1, and plain-words phrases for people.

Deal-term compatibility (what a challenge wants of the solver's IP, against what an offer is
open to) follows :data:`COMPATIBLE_DEALS`:

=======================  =====================================================================
wanted (challenge)       offered deal types that satisfy it
=======================  =====================================================================
exclusive_license        exclusive_license, option (an option is the road to an exclusive one)
non_exclusive_license    non_exclusive_license, exclusive_license (an exclusive licensor can
                         grant less)
assignment               assignment
solver_retains           exclusive_license, non_exclusive_license, option, collaboration (any
                         deal that leaves the IP with its owner; not an assignment)
=======================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

COMPATIBLE_DEALS: dict[str, frozenset[str]] = {
    "exclusive_license": frozenset({"exclusive_license", "option"}),
    "non_exclusive_license": frozenset({"non_exclusive_license", "exclusive_license"}),
    "assignment": frozenset({"assignment"}),
    "solver_retains": frozenset(
        {"exclusive_license", "non_exclusive_license", "option", "collaboration"}
    ),
}

# component scores: 1.0 is the best fit, 0.0 the worst; "unknown" sits in between so that a
# listing which does not say is neither rewarded nor ruled out
FIELD_SAME = 1.0
FIELD_PARENT_OR_CHILD = 0.6
FIELD_SIBLING = 0.3
FIELD_UNKNOWN = 0.2
TRL_UNKNOWN = 0.5
DEAL_COMPATIBLE = 1.0
DEAL_INCOMPATIBLE = 0.0
DEAL_UNKNOWN = 0.5
MAX_TERMS_SHOWN = 6

_WANTED_WORDS = {
    "exclusive_license": "exclusive licence wanted",
    "non_exclusive_license": "non-exclusive licence wanted",
    "assignment": "assignment wanted",
    "solver_retains": "solver keeps the IP",
}
_OFFERED_WORDS = {
    "exclusive_license": "exclusive licence",
    "non_exclusive_license": "non-exclusive licence",
    "assignment": "assignment",
    "collaboration": "collaboration",
    "option": "option",
}


@dataclass(frozen=True)
class TRLFit:
    """How an offer's technology readiness level compares with the level a challenge seeks.

    ``source_trl`` and ``candidate_trl`` are as the two listings state them; ``sought_trl`` and
    ``offered_trl`` are the same two numbers seen from the challenge and the offer. ``verdict``
    is ``"meets"`` (offered ≥ sought), ``"below"``, or ``"unknown"`` when either is missing.
    """

    source_trl: int | None
    candidate_trl: int | None
    sought_trl: int | None
    offered_trl: int | None
    verdict: Literal["meets", "below", "unknown"]


@dataclass(frozen=True)
class DealFit:
    """Whether the IP term a challenge wants is among the deals an offer is open to."""

    wanted: str
    offered: tuple[str, ...]
    compatible: bool


@dataclass
class MatchReasons:
    """Why a candidate matches: shared words, shared fields, TRL fit and deal fit.

    ``terms`` are the source's key terms that the candidate's public text also holds, spelt as
    the candidate spells them. ``same_fields`` are slugs both name; ``related_fields`` are slugs
    of a field one names whose parent (or sibling) the other names.
    """

    terms: list[str] = field(default_factory=list)
    same_fields: list[str] = field(default_factory=list)
    related_fields: list[str] = field(default_factory=list)
    trl: TRLFit | None = None
    deal: DealFit | None = None


def _parent_in(slug: str, slugs: Iterable[str]) -> str | None:
    """Return the slug among ``slugs`` that is ``slug``'s parent (a child extends its parent)."""
    parents = [other for other in slugs if slug.startswith(other + "-")]
    return max(parents, key=len) if parents else None


def field_overlap(
    source_fields: Iterable[str],
    source_families: Iterable[str],
    candidate_fields: Iterable[str],
) -> tuple[float, list[str], list[str]]:
    """Return (component score, same slugs, related slugs) for two listings' technical fields.

    A field both name is the same field. A candidate field that is the parent or a child of a
    source field is related, and so is one that shares a parent with a source field (a sibling),
    which counts for less. A related pair is reported by its second-level slug.
    """
    own = list(dict.fromkeys(source_fields))
    families = set(source_families) | set(own)
    theirs = list(dict.fromkeys(candidate_fields))
    if not own or not theirs:
        return FIELD_UNKNOWN, [], []
    same = [slug for slug in theirs if slug in own]
    related: list[str] = []
    best = FIELD_SAME if same else 0.0
    for slug in theirs:
        if slug in same:
            continue
        children = [mine for mine in own if mine.startswith(slug + "-")]
        if children or _parent_in(slug, own):
            related.extend(children or [slug])
            best = max(best, FIELD_PARENT_OR_CHILD)
        elif _parent_in(slug, families):
            related.append(slug)
            best = max(best, FIELD_SIBLING)
    related = [slug for slug in dict.fromkeys(related) if slug not in same]
    return best, same, related


def trl_fit(source_kind: str, source_trl: int | None, candidate_trl: int | None) -> TRLFit:
    """Return how the offer's TRL meets the challenge's, whichever of the two is the source."""
    if source_kind == "challenge":
        sought, offered = source_trl, candidate_trl
    else:
        sought, offered = candidate_trl, source_trl
    if sought is None or offered is None:
        verdict: Literal["meets", "below", "unknown"] = "unknown"
    else:
        verdict = "meets" if offered >= sought else "below"
    return TRLFit(source_trl, candidate_trl, sought, offered, verdict)


def trl_score(fit: TRLFit) -> float:
    """Return 1.0 when the offer meets the TRL sought, falling smoothly the further below it is."""
    if fit.verdict == "unknown" or fit.sought_trl is None or fit.offered_trl is None:
        return TRL_UNKNOWN
    gap = fit.sought_trl - fit.offered_trl
    if gap <= 0:
        return 1.0
    # one level short keeps two thirds, two levels a third, four levels a ninth
    return 1.0 / (1.0 + gap * gap / 2.0)


def deal_fit(wanted: Iterable[str], offered: Iterable[str]) -> DealFit | None:
    """Return whether the challenge's IP term is among the offer's deal types; None if unsaid."""
    wanted_terms = [term for term in wanted if term in COMPATIBLE_DEALS]
    offered_terms = tuple(term for term in dict.fromkeys(offered) if term in _OFFERED_WORDS)
    if not wanted_terms or not offered_terms:
        return None
    term = wanted_terms[0]
    return DealFit(term, offered_terms, bool(COMPATIBLE_DEALS[term] & set(offered_terms)))


def deal_score(fit: DealFit | None) -> float:
    """Return the deal-compatibility component: 1 compatible, 0 not, in between when unsaid."""
    if fit is None:
        return DEAL_UNKNOWN
    return DEAL_COMPATIBLE if fit.compatible else DEAL_INCOMPATIBLE


def _names(slugs: Iterable[str], field_name: Callable[[str], str]) -> str:
    return ", ".join(field_name(slug) for slug in slugs)


def _trl_phrase(fit: TRLFit) -> str | None:
    if fit.verdict == "meets":
        return f"TRL {fit.offered_trl} ≥ {fit.sought_trl} sought"
    if fit.verdict == "below":
        return f"TRL {fit.offered_trl}, below the {fit.sought_trl} sought"
    return None


def _deal_phrase(fit: DealFit) -> str:
    wanted = _WANTED_WORDS[fit.wanted]
    if fit.wanted in fit.offered:
        return f"deal: {wanted}, offered"
    if fit.compatible:
        fitting = [term for term in fit.offered if term in COMPATIBLE_DEALS[fit.wanted]]
        return f"deal: {wanted}; offered: {', '.join(_OFFERED_WORDS[t] for t in fitting)}"
    return f"deal: {wanted}, but offered: {', '.join(_OFFERED_WORDS[t] for t in fit.offered)}"


def describe(reasons: MatchReasons, field_name: Callable[[str], str]) -> list[str]:
    """Return the reasons as short phrases for people, strongest first.

    ``field_name`` turns a field slug into its display name. A reason with nothing to say (no
    shared words, an unknown TRL, deal terms unsaid) gives no phrase.
    """
    phrases: list[str] = []
    if reasons.terms:
        shown = reasons.terms[:MAX_TERMS_SHOWN]
        phrases.append("shares: " + ", ".join(f"'{term}'" for term in shown))
    if reasons.same_fields:
        noun = "field" if len(reasons.same_fields) == 1 else "fields"
        phrases.append(f"same {noun}: {_names(reasons.same_fields, field_name)}")
    if reasons.related_fields:
        noun = "field" if len(reasons.related_fields) == 1 else "fields"
        phrases.append(f"related {noun}: {_names(reasons.related_fields, field_name)}")
    trl = _trl_phrase(reasons.trl) if reasons.trl else None
    if trl:
        phrases.append(trl)
    if reasons.deal:
        phrases.append(_deal_phrase(reasons.deal))
    return phrases
