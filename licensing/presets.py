"""Own the standard terms a deal can start from, modelled on universities' published licences.

Technology-transfer offices publish short standard licences so that a start-up or a researcher
need not negotiate from a blank page: "express" exclusive licences for spin-outs (a modest fee,
a low single-digit royalty, no equity, milestone payments and diligence), evaluation licences,
option agreements and royalty-free research licences. Each preset here is a partial set of terms
in the form ``parse_terms`` reads; the deal fills in what only it knows (the licensed patents,
the currency and the effective date, from which milestone due dates are counted) with
``start_from``. Amounts are figures in the deal's currency, to be negotiated from. Every preset
is worldwide and under the laws of England and Wales, as the platform's own NDAs are.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from licensing.terms import ALL_FIELDS, LIFE_OF_PATENTS, WORLDWIDE

_GOVERNING_LAW = "the laws of England and Wales"


@dataclass(frozen=True)
class PresetMilestone:
    """A milestone payment a preset proposes, due a number of months after the effective date."""

    event: str
    amount: str
    months_after: int


@dataclass(frozen=True)
class Preset:
    """A named starting point for licence terms, with a sentence saying when it fits."""

    key: str
    name: str
    summary: str
    terms: Mapping[str, Any]
    milestones: tuple[PresetMilestone, ...] = ()


def _terms(*bases: Mapping[str, Any], **values: Any) -> Mapping[str, Any]:
    """Return read-only terms: the bases, then the values, with patent costs read-only too."""
    merged = {key: value for base in bases for key, value in base.items()} | values
    merged["patent_costs"] = MappingProxyType(dict(merged["patent_costs"]))
    return MappingProxyType({"territory": WORLDWIDE, "governing_law": _GOVERNING_LAW, **merged})


# what a free, non-exclusive licence that the licensee may not pass on always says
_FREE_NON_EXCLUSIVE: Mapping[str, Any] = {
    "exclusivity": "non_exclusive",
    "sublicensing": False,
    "upfront_fee": "0",
    "royalty_rate_percent": "0",
    "patent_costs": {"paid_by": "licensor"},
    "diligence": "",
}


PRESETS: tuple[Preset, ...] = (
    Preset(
        key="express_startup",
        name="Express exclusive start-up licence",
        summary=(
            "An exclusive, worldwide licence for a new company built on the technology: a modest "
            "upfront fee, a 2% royalty, no equity, payments at financing and first sale, and "
            "diligence obligations."
        ),
        terms=_terms(
            field_of_use=ALL_FIELDS,
            exclusivity="exclusive",
            sublicensing=True,
            term=LIFE_OF_PATENTS,
            upfront_fee="5000",
            annual_fee="0",
            minimum_annual_royalty="2500",
            royalty_rate_percent="2",
            sublicense_income_percent="15",
            patent_costs={
                "paid_by": "licensee",
                "note": "From the effective date; costs incurred before it are waived.",
            },
            diligence=(
                "The licensee will use diligent efforts to develop and bring licensed products to "
                "market, will raise at least its first round of financing within 18 months, and "
                "will report its progress to the licensor every year."
            ),
        ),
        milestones=(
            PresetMilestone("First financing round closed", "10000", 18),
            PresetMilestone("First commercial sale of a licensed product", "25000", 60),
        ),
    ),
    Preset(
        key="evaluation",
        name="Non-exclusive evaluation licence",
        summary=(
            "A one-year, non-exclusive licence to test the technology in-house before deciding "
            "on a commercial licence: no royalty and no sublicensing."
        ),
        terms=_terms(
            _FREE_NON_EXCLUSIVE,
            field_of_use="Internal evaluation of the licensed technology, without commercial use",
            term_years=1,
        ),
    ),
    Preset(
        key="option",
        name="Option agreement",
        summary=(
            "An option fee buys the exclusive right, for a year, to evaluate the technology and "
            "to take an exclusive licence on terms to be agreed; no commercial use meanwhile."
        ),
        terms=_terms(
            field_of_use=ALL_FIELDS,
            exclusivity="exclusive",
            sublicensing=False,
            term_years=1,
            upfront_fee="2500",
            royalty_rate_percent="0",
            patent_costs={
                "paid_by": "licensee",
                "note": "Costs incurred during the option period are reimbursed by the licensee.",
            },
            diligence=(
                "During the option period the licensee will carry out its evaluation plan, share "
                "its results with the licensor, and say before the period ends whether it will "
                "exercise the option and take a licence."
            ),
        ),
    ),
    Preset(
        key="research",
        name="Royalty-free research licence",
        summary=(
            "A free, non-exclusive licence to use the technology in non-commercial research and "
            "teaching, for five years, without sublicensing."
        ),
        terms=_terms(
            _FREE_NON_EXCLUSIVE,
            field_of_use="Non-commercial research and teaching",
            term_years=5,
        ),
    ),
)
PRESET_KEYS = tuple(preset.key for preset in PRESETS)


def preset(key: str) -> Preset:
    """Return the preset with this key, or raise KeyError naming the ones there are."""
    for candidate in PRESETS:
        if candidate.key == key:
            return candidate
    raise KeyError(f"no preset {key!r}; presets are {', '.join(PRESET_KEYS)}")


def start_from(
    chosen: Preset, *, licensed_patents: Iterable[str], currency: str, effective_date: date
) -> dict[str, Any]:
    """Return the preset's terms completed for a deal, ready for ``parse_terms``."""
    terms = {key: _copy(value) for key, value in chosen.terms.items()}
    terms["licensed_patents"] = list(licensed_patents)
    terms["currency"] = currency
    terms["milestones"] = [
        {
            "event": milestone.event,
            "amount": milestone.amount,
            "due": add_months(effective_date, milestone.months_after).isoformat(),
        }
        for milestone in chosen.milestones
    ]
    return terms


def _copy(value: Any) -> Any:
    """Return a copy of a preset value that the caller may change without changing the preset."""
    return dict(value) if isinstance(value, Mapping) else value


def add_months(start: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
