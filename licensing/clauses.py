"""Own the wording of the licence agreement: the clauses the agreed terms call for, and their text.

The library drafts from the terms alone. A clause whose term is absent is left out (no milestones,
no diligence duties under a non-exclusive licence without any); others adapt (royalty-free
consideration, non-exclusive grant, sublicensing refused). Clause numbers, and the references
between clauses, follow the clauses that remain. The text is paragraph markup: every value taken
from the terms is escaped here, and the only tag added is ``<b>`` for defined terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from licensing.typesetting import MONTHS

KINDS = ("licence", "option", "evaluation", "research")
KIND_TITLES = {
    "option": "Option Agreement",
    "evaluation": "Evaluation Licence Agreement",
    "research": "Research Licence Agreement",
}
# the recital saying why the licensee wants the agreement, after the one on what the licensor owns
PURPOSES = {
    "licence": "The Licensee wishes to develop and commercialise products under those patents, "
    "and the Licensor is willing to grant it a licence on the terms of this Agreement.",
    "option": "The Licensee wishes to evaluate the inventions of those patents before deciding "
    "whether to take an exclusive licence under them, and the Licensor is willing to grant it an "
    "option on the terms of this Agreement.",
    "evaluation": "The Licensee wishes to evaluate the inventions of those patents in-house, and "
    "the Licensor is willing to grant it a licence for that purpose only, on the terms of this "
    "Agreement.",
    "research": "The Licensee wishes to use the inventions of those patents in non-commercial "
    "research and teaching, and the Licensor is willing to grant it a licence for that purpose "
    "only, on the terms of this Agreement.",
}
EXCLUSIVITY_TITLES = {
    "exclusive": "Exclusive Patent Licence Agreement",
    "exclusive_in_field": "Field-Exclusive Patent Licence Agreement",
    "non_exclusive": "Non-Exclusive Patent Licence Agreement",
}
_PROSECUTION = "filing, prosecuting and maintaining the Licensed Patents"
_PATENT_COSTS = {
    "licensee": f"The Licensee shall reimburse the Licensor, within 30 days of each invoice, for "
    f"the reasonable costs of {_PROSECUTION} in the Territory incurred after the Effective Date.",
    "licensor": f"The Licensor shall bear the costs of {_PROSECUTION}.",
    "shared": f"The Parties shall share equally the reasonable costs of {_PROSECUTION} in the "
    f"Territory incurred after the Effective Date; the Licensee shall pay its half within 30 days "
    f"of each invoice.",
}


@dataclass(frozen=True)
class Milestone:
    """One milestone of Schedule 2: the event, the payment it triggers and its target date."""

    event: str
    amount: Decimal
    due: date | None


@dataclass(frozen=True)
class SubClause:
    """A numbered sub-clause: markup text and the points it lists, lettered or not."""

    text: str
    points: tuple[str, ...] = ()
    lettered: bool = True


@dataclass(frozen=True)
class Clause:
    """A numbered clause of the agreement: its heading and sub-clauses, in order."""

    key: str
    heading: str
    subclauses: tuple[SubClause, ...]


@dataclass(frozen=True)
class Draft:
    """What the clause library reads: the terms, the deal’s identity, and the clause numbers."""

    terms: Mapping[str, Any]
    effective_date: date
    revision: int
    reference: str
    numbers: Mapping[str, int]
    kind: str = "licence"

    @property
    def exclusivity(self) -> str:
        value = self.terms.get("exclusivity", "non_exclusive")
        if value not in EXCLUSIVITY_TITLES:
            raise ValueError(f"exclusivity must be one of {', '.join(EXCLUSIVITY_TITLES)}")
        return value

    @property
    def exclusive(self) -> bool:
        return self.exclusivity != "non_exclusive"

    def text(self, name: str, default: str = "") -> str:
        """Return a text term, stripped and escaped; the default when absent."""
        value = self.terms.get(name)
        return escape(value.strip() if isinstance(value, str) and value.strip() else default)

    def amount(self, name: str) -> Decimal:
        """Return a money or percentage term as a decimal, zero when absent."""
        return decimal_of(name, self.terms.get(name))

    def money(self, name: str) -> str:
        return f"{self.text('currency', 'EUR')}\u00a0{self.amount(name):,f}"

    def percent(self, name: str) -> str:
        return f"{self.amount(name).normalize():f}%"

    def ref(self, key: str) -> str:
        return f"clause\u00a0{self.numbers[key]}"

    @property
    def commercial(self) -> bool:
        """Say whether the licensee may sell: under a licence, or any deal bearing royalties."""
        return self.kind == "licence" or self.royalty_bearing

    @property
    def accounts_for_sales(self) -> bool:
        """Say whether sums fall due on sales, so that quarterly statements are needed."""
        return self.royalty_bearing or self.shares_sublicence_income

    @property
    def royalty_bearing(self) -> bool:
        return self.amount("royalty_rate_percent") > 0 or self.amount("minimum_annual_royalty") > 0

    @property
    def shares_sublicence_income(self) -> bool:
        sublicensing = self.terms.get("sublicensing") is True
        return sublicensing and self.amount("sublicense_income_percent") > 0

    @property
    def milestones(self) -> list[Milestone]:
        return read_milestones(self.terms.get("milestones") or [])

    @property
    def diligence(self) -> list[str]:
        """Return the diligence obligations, one for each line of the agreed text."""
        value = self.terms.get("diligence")
        lines = value.splitlines() if isinstance(value, str) else value or []
        return [line.strip() for line in lines if isinstance(line, str) and line.strip()]

    @property
    def field(self) -> str:
        field = self.text("field_of_use", "all fields of use")
        return field.lower() if field.casefold() == "all fields of use" else field

    @property
    def patent_costs(self) -> tuple[str, str]:
        """Return who pays the patent costs (a payer or the agreed words) and the note on them."""
        value = self.terms.get("patent_costs")
        if not isinstance(value, Mapping):
            value = {"paid_by": value}
        paid_by, note = value.get("paid_by"), value.get("note")
        paid_by = paid_by.strip() if isinstance(paid_by, str) and paid_by.strip() else "licensor"
        return paid_by, note.strip() if isinstance(note, str) else ""


def decimal_of(name: str, value: Any) -> Decimal:
    """Return a decimal string (or number) of the terms as a Decimal, zero when absent."""
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"{name} must be a decimal number, not {value!r}") from error


def read_milestones(items: Sequence[Mapping[str, Any]]) -> list[Milestone]:
    """Return the milestones of the terms, with their target dates parsed."""
    return [
        Milestone(
            event=str(item.get("event", "")).strip(),
            amount=decimal_of("milestone amount", item.get("amount")),
            due=_date_of(item.get("due")),
        )
        for item in items
    ]


def _date_of(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def counted(number: int, noun: str) -> str:
    """Return ``1 year`` or ``5 years``: the number with its noun in the right number."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def long_date(day: date) -> str:
    """Return ``3 December 2026``, whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def territory_text(terms: Mapping[str, Any]) -> str:
    """Return the territory in words (escaped): the whole world, or the places listed."""
    territory = terms.get("territory") or "worldwide"
    if territory in ("worldwide", ["worldwide"]):
        return "the whole world"
    places = [escape(str(place)) for place in territory]
    listed = places[0] if len(places) == 1 else f"{', '.join(places[:-1])} and {places[-1]}"
    if all(re.fullmatch(r"[A-Z]{2}", place) for place in places):
        return f"the countries with the ISO 3166 codes {listed}"
    return f"the following countries and regions: {listed}"


def _definitions(d: Draft) -> tuple[str | SubClause, ...]:
    entries = {
        "Affiliate": "any entity that controls, is controlled by or is under common control "
        "with a Party, control meaning ownership of more than half of the voting rights",
        "Confidential Information": "all information, in any form, disclosed by one Party to the "
        "other under this Agreement and marked or reasonably understood to be confidential",
        "Effective Date": long_date(d.effective_date),
        "Field": d.field,
        "Licensed Patents": "the patents and patent applications listed in Schedule\u00a01, the "
        "patents granted on them, and their divisionals, continuations, reissues, extensions and "
        "supplementary protection certificates",
        "Licensed Product": "any product or process whose manufacture, use, sale or import "
        "would, but for the licence granted by this Agreement, infringe a Valid Claim",
        "Territory": territory_text(d.terms),
        "Valid Claim": "a claim of an issued and unexpired Licensed Patent that has not been held "
        "invalid or unenforceable by a final decision, or a claim of a pending application "
        "that is being prosecuted in good faith",
    }
    if d.royalty_bearing:
        entries["Net Sales"] = (
            "the gross amounts invoiced for Licensed Products sold by the Licensee and its "
            "Affiliates to third parties, less trade discounts allowed, returns credited, and "
            "sales taxes and duties included in the amounts invoiced"
        )
    if d.shares_sublicence_income:
        entries["Sublicence Income"] = (
            "all payments and the fair market value of any other consideration that the Licensee "
            "or its Affiliates receive for the grant of a sublicence, other than royalties on "
            "sales of Licensed Products"
        )
    if d.accounts_for_sales:
        entries["Quarter"] = (
            "each period of three months ending on 31 March, 30 June, 30 September or 31 December"
        )
    if d.milestones:
        entries["Milestone"] = "each event listed in Schedule\u00a02"
    if d.kind == "option":
        entries["Option Period"] = f"the Term, as {d.ref('term')} sets out"
    meanings = tuple(f"“<b>{word}</b>” means {entries[word]};" for word in sorted(entries))
    return (
        SubClause("In this Agreement:", meanings, lettered=False),
        "Headings do not affect interpretation; “including” and “in particular” "
        "do not limit the words before them; the Schedules form part of this Agreement.",
    )


_PURPOSE_GRANTS = {
    "evaluation": "to make and use Licensed Products in the Field in the Territory for the Term, "
    "for the sole purpose of evaluating the inventions of the Licensed Patents in-house",
    "research": "to make and use Licensed Products, and to teach and to publish the results of "
    "its research with them, in the Field in the Territory for the Term, for non-commercial "
    "research and teaching only",
}
_RESERVATION = (
    "The Licensor reserves the right, for itself and its academic collaborators, to use the "
    "Licensed Patents for non-commercial research and teaching."
)
_NOTHING_IMPLIED = (
    "No licence is granted by implication or otherwise, except as this clause sets out."
)


def _option(d: Draft) -> tuple[str | SubClause, ...]:
    licence = {
        "exclusive": "an exclusive licence",
        "exclusive_in_field": "a licence exclusive within the Field",
        "non_exclusive": "a non-exclusive licence",
    }[d.exclusivity]
    fee = "the option fee" if d.amount("upfront_fee") > 0 else "the obligations of the Licensee"
    return (
        f"In consideration of {fee}, the Licensor grants to the Licensee, for the Option Period, "
        f"an option to take {licence} under the Licensed Patents in the Field in the Territory, "
        f"which the Licensee may exercise as {d.ref('exercise')} sets out.",
        "During the Option Period the Licensee may make and use Licensed Products in the Field "
        "for evaluation only. It shall make no commercial use of the Licensed Patents: no sale, "
        "no offer for sale and no supply of Licensed Products to any third party.",
        "During the Option Period the Licensor shall not grant any third party a licence or an "
        "option under the Licensed Patents in the Field in the Territory.",
        _RESERVATION,
        _NOTHING_IMPLIED,
    )


def _exercise(d: Draft) -> tuple[str | SubClause, ...]:
    return (
        "The Licensee may exercise the option at any time during the Option Period by written "
        "notice to the Licensor.",
        "The terms of the licence are not set by this Agreement. Once the option is exercised, "
        "the Parties shall negotiate those terms in good faith for 90 days from the notice; the "
        "licence is granted only by a separate written agreement signed by both Parties.",
        "The option lapses if the Licensee does not exercise it before the Option Period ends, "
        "or if no licence agreement is signed within those 90 days. On lapse, the rights of the "
        "Licensee under this Agreement end, it shall stop all use of the Licensed Patents, and "
        "the Licensor is free to license them to others. No sum paid under this Agreement is "
        "refunded.",
    )


def _grant(d: Draft) -> tuple[str | SubClause, ...]:
    if d.kind == "option":
        return _option(d)
    kind, scope = {
        "exclusive": (
            "an exclusive licence (exclusive also as against the Licensor)",
            "The Licensor shall not itself exploit, nor license any third party to exploit, the "
            "Licensed Patents in the Field in the Territory during the Term, save as this clause "
            "reserves.",
        ),
        "exclusive_in_field": (
            "a licence, exclusive within the Field only,",
            "The Licensor shall not license any third party under the Licensed Patents in the "
            "Field in the Territory during the Term, and remains free to exploit and license the "
            "Licensed Patents outside the Field.",
        ),
        "non_exclusive": (
            "a non-exclusive licence",
            "Nothing in this Agreement restricts the Licensor from exploiting the Licensed "
            "Patents itself or from granting licences under them to others.",
        ),
    }[d.exclusivity]
    rights = _PURPOSE_GRANTS.get(d.kind) or (
        "to make, have made, use, sell, offer for sale and import Licensed Products in the Field "
        "in the Territory for the Term"
    )
    return (
        f"In consideration of the obligations of the Licensee under this Agreement, the Licensor "
        f"grants to the Licensee {kind} under the Licensed Patents {rights}.",
        scope,
        _RESERVATION,
        _NOTHING_IMPLIED,
    )


def _field_and_territory(d: Draft) -> tuple[str | SubClause, ...]:
    option = d.kind == "option"
    rights = "option and the rights of evaluation" if option else "licence"
    return (
        f"The {rights} {'are' if option else 'is'} limited to the Field, namely: {d.field}.",
        f"The {rights} {'extend' if option else 'extends'} to the Territory, namely "
        f"{territory_text(d.terms)}.",
        "The Licensee shall not exploit the Licensed Patents outside the Field or the Territory, "
        "save as far as the law applicable to it requires the Parties to permit.",
    )


def _sublicensing(d: Draft) -> tuple[str | SubClause, ...]:
    if d.terms.get("sublicensing") is not True:
        return (
            "The Licensee may not grant sublicences under the Licensed Patents without the prior "
            "written consent of the Licensor. Having Licensed Products made for the Licensee by "
            "a subcontractor is not a sublicence.",
        )
    return (
        "The Licensee may grant sublicences under the licence, in writing and on terms consistent "
        "with this Agreement, and shall send the Licensor a copy of each sublicence within 30 "
        "days of its signature.",
        "The Licensee remains liable to the Licensor for the acts and omissions of its "
        "sublicensees as if they were its own. Each sublicence ends with this Agreement, unless "
        "the Licensor agrees in writing to grant the sublicensee a direct licence.",
    )


def _consideration(d: Draft) -> tuple[str | SubClause, ...]:
    rate = d.amount("royalty_rate_percent") > 0
    fee = "an option fee" if d.kind == "option" else "a licence issue fee"
    free = {
        "licence": "The licence is royalty-free: no royalty is payable on the sale or use of "
        "Licensed Products.",
        "option": "No royalty is payable under this Agreement.",
    }.get(d.kind, "The licence is royalty-free.")
    parts = (
        d.amount("upfront_fee") > 0
        and f"The Licensee shall pay the Licensor {fee} of {d.money('upfront_fee')} "
        f"within 30 days of the Effective Date. The fee is non-refundable and is not creditable "
        f"against any other payment.",
        d.amount("annual_fee") > 0
        and f"The Licensee shall pay the Licensor an annual licence fee of {d.money('annual_fee')} "
        f"on each anniversary of the Effective Date.",
        f"The Licensee shall pay the Licensor a royalty of {d.percent('royalty_rate_percent')} of "
        f"the Net Sales of every Licensed Product, payable for each Quarter with the statement "
        f"required by {d.ref('reports')}."
        if rate
        else free,
        d.amount("minimum_annual_royalty") > 0
        and f"If the royalties paid for a year from an anniversary of the Effective Date come to "
        f"less than {d.money('minimum_annual_royalty')}, the Licensee shall pay the difference "
        f"within 30 days after the end of that year.",
        d.shares_sublicence_income
        and f"The Licensee shall pay the Licensor {d.percent('sublicense_income_percent')} of all "
        f"Sublicence Income, within 30 days of its receipt.",
    )
    kept = tuple(part for part in parts if part)
    if not rate and len(kept) == 1:
        return kept
    currency = d.text("currency", "EUR")
    return (
        *kept,
        f"All sums are stated and payable in {currency}, exclusive of value added tax, by "
        f"transfer to the account the Licensor names. Late payments bear interest at 4% a year "
        f"above the central bank base rate for {currency}, from the due date until payment.",
    )


def _milestones(d: Draft) -> tuple[str | SubClause, ...]:
    return (
        "The Licensee shall notify the Licensor within 14 days of the first achievement of each "
        "Milestone, by the Licensee, an Affiliate or a sublicensee, and shall pay the amount set "
        "against it in Schedule\u00a02 within 30 days of that achievement.",
        "Each milestone payment is due once only, is non-refundable and is not creditable against "
        "royalties.",
        f"Where Schedule 2 gives a target date for a Milestone that is not achieved by that date, "
        f"the Parties shall discuss a revised date in good faith; failing agreement within 60 "
        f"days, the Licensor may treat the delay as a material breach under {d.ref('term')}.",
    )


_EFFORTS = {
    "licence": "The Licensee shall use commercially reasonable efforts, itself or through its "
    "Affiliates and sublicensees, to develop Licensed Products and to make them available "
    "throughout the Territory.",
    "option": "The Licensee shall carry out its evaluation diligently during the Option Period "
    "and tell the Licensor, before the Option Period ends, whether it will exercise the option.",
    "evaluation": "The Licensee shall carry out its evaluation diligently during the Term.",
    "research": "The Licensee shall carry out its research under this Agreement diligently.",
}


def _diligence(d: Draft) -> tuple[str | SubClause, ...]:
    effort = _EFFORTS[d.kind]
    if not d.diligence:
        return (effort,)
    # the officers' own words, set apart as written rather than made into a list of duties
    paragraphs = tuple(escape(item) for item in d.diligence)
    also = SubClause("The Licensee shall also meet these diligence obligations:", paragraphs, False)
    return (effort, also)


_PROGRESS = {
    "licence": "its progress in developing and commercialising Licensed Products",
    "option": "its evaluation of the inventions of the Licensed Patents and its results",
    "evaluation": "its evaluation of the inventions of the Licensed Patents and its results",
    "research": "its research under this Agreement and the results it has published",
}


def _reports(d: Draft) -> tuple[str | SubClause, ...]:
    when = "each anniversary of the Effective Date"
    if d.kind != "licence":
        when = f"{when} and after the end of this Agreement"
    progress = (
        f"Within 60 days after {when}, the Licensee shall send the Licensor a written report on "
        f"{_PROGRESS[d.kind]}."
    )
    if not d.accounts_for_sales:
        return (progress,)
    income = ("the Sublicence Income received, and the share of it due.",)
    points = (
        "the quantity of each Licensed Product sold, by country;",
        "the gross amounts invoiced and the Net Sales;",
        "the royalties due" + (";" if d.shares_sublicence_income else "."),
        *(income if d.shares_sublicence_income else ()),
    )
    return (
        SubClause(
            "Within 30 days after the end of each Quarter, the Licensee shall send the Licensor a "
            "written statement showing, for that Quarter:",
            points,
        ),
        progress,
        "The Licensee shall keep complete and accurate records of its sales and of the sums due "
        "under this Agreement for six years after the Quarter they relate to.",
        "Once a year, on 30 days’ notice, an independent accountant appointed by the Licensor may "
        "inspect those records. Any underpayment found shall be paid with interest within 30 "
        "days; if it exceeds 5% of the sum due for the period inspected, the Licensee shall also "
        "pay the cost of the inspection.",
    )


def _patents(d: Draft) -> tuple[str | SubClause, ...]:
    paid_by, note = d.patent_costs
    # Only an exclusive licensee steps into the Licensor's shoes; an optionee holds no licence yet.
    steps_in = d.exclusive and d.kind == "licence"
    costs = _PATENT_COSTS.get(paid_by.lower()) or (
        f"The costs of {_PROSECUTION} are borne as the Parties agreed: {escape(paid_by)}"
    )
    if note:
        costs = f"{costs} The Parties also agreed: {escape(note)}"
    return (
        "The Licensor controls the filing, prosecution and maintenance of the Licensed Patents "
        "through patent attorneys of its choice. It shall keep the Licensee informed and consider "
        "its comments in good time.",
        costs,
        "If the Licensor decides to abandon a Licensed Patent in any country of the Territory, it "
        "shall tell the Licensee at least 60 days in advance."
        + (" The Licensee may then take it over at its own cost." if steps_in else ""),
        "Each Party shall promptly tell the other of any infringement of the Licensed Patents it "
        "learns of. The Licensor decides whether to bring proceedings"
        + ("; if it declines within 60 days, the Licensee may bring them." if steps_in else "."),
    )


_FIXED: dict[str, tuple[str, ...]] = {
    "confidentiality": (
        "Each Party shall keep the other’s Confidential Information confidential, use it only to "
        "perform this Agreement or exercise its rights under it, and disclose it only to its "
        "officers, employees, advisers, Affiliates and sublicensees who need to know it and are "
        "bound by like obligations.",
        "These obligations do not apply to information that is or becomes public other than "
        "through a breach of this Agreement, that the recipient already had or developed "
        "independently, or that the law or a court requires to be disclosed.",
        "This clause survives the end of this Agreement for five years.",
    ),
    "warranties": (
        "The Licensor warrants that it has the right to grant the rights of this Agreement.",
        "Save for that warranty, the Licensed Patents are licensed as they are. The Licensor "
        "gives no warranty that any Licensed Patent is valid or will be granted, that Licensed "
        "Products can be exploited without infringing the rights of third parties, or that they "
        "are of satisfactory quality or fit for any purpose; all warranties implied by law are "
        "excluded to the extent the law allows.",
    ),
    "liability": (
        "Neither Party is liable to the other for loss of profit or for any indirect or "
        "consequential loss. The Licensor’s total liability under this Agreement is limited to "
        "the sums it received under it in the twelve months before the claim arose.",
        "Nothing in this Agreement limits liability for death or personal injury caused by "
        "negligence, or for fraud.",
    ),
}


def _fixed(key: str) -> Callable[[Draft], tuple[str | SubClause, ...]]:
    return lambda _draft: _FIXED[key]


def _liability(d: Draft) -> tuple[str | SubClause, ...]:
    if d.commercial:
        indemnity = (
            "The Licensee shall indemnify the Licensor against all claims, losses and costs "
            "arising from the development, manufacture, use or sale of Licensed Products by or "
            "for the Licensee, its Affiliates or sublicensees, and shall hold adequate product "
            "liability insurance from the first sale of a Licensed Product."
        )
    else:
        indemnity = (
            "The Licensee shall indemnify the Licensor against all claims, losses and costs "
            "arising from the making or use of Licensed Products by or for the Licensee."
        )
    return (indemnity, *_FIXED["liability"])


def _term(d: Draft) -> tuple[str | SubClause, ...]:
    years = d.terms.get("term_years")
    if years in (None, "life_of_patents") or d.terms.get("term") == "life_of_patents":
        length = "until the last Valid Claim in the Territory expires or ends (the “Term”)"
    else:
        also = ", which is also the “Option Period”" if d.kind == "option" else ""
        length = f"for {counted(int(years), 'year')} (the “Term”{also}), unless ended earlier"
    numbers = [str(d.numbers[key]) for key in ("reports", "confidentiality", "liability", "law")]
    surviving = f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    if d.commercial:
        ending = (
            "When this Agreement ends, the licence ends with it, save that the Licensee and its "
            "sublicensees may sell off their stock of Licensed Products for six months against "
            "payment."
        )
    else:
        ending = (
            "When this Agreement ends, the rights it grants end with it, and the Licensee shall "
            "stop all use of the Licensed Patents."
        )
    return (
        f"This Agreement starts on the Effective Date and continues {length}.",
        "The Licensee may end this Agreement at any time by three months’ written notice.",
        "Either Party may end this Agreement by written notice if the other commits a material "
        "breach that is not remedied within 60 days of a notice describing it, or becomes "
        "insolvent or ceases to carry on business.",
        "The Licensor may end this Agreement by written notice if the Licensee challenges the "
        "validity of a Licensed Patent, or helps a third party to do so.",
        f"{ending} Sums accrued remain payable, and clauses {surviving} survive.",
    )


def _law(d: Draft) -> tuple[str | SubClause, ...]:
    law = d.text("governing_law", "the laws of England and Wales")
    if not law.lower().startswith(("the law", "law")):
        law = f"the laws of {law}"
    return (
        f"This Agreement and any dispute arising from it are governed by {law}.",
        "The Parties shall first try to settle any dispute through their senior officers within "
        "30 days of a written request by either of them. Failing that, the courts of the country "
        "whose law governs this Agreement have exclusive jurisdiction, without prejudice to "
        "either Party’s right to seek urgent interim relief elsewhere.",
    )


def _general(d: Draft) -> tuple[str | SubClause, ...]:
    return (
        f"This Agreement records the whole agreement of the Parties on its subject. It was "
        f"drafted from revision {d.revision} of the term sheet of deal {escape(d.reference)}, "
        f"as accepted by both Parties on the Ideagora exchange, and supersedes all earlier term "
        f"sheets and negotiations.",
        "Neither Party may assign this Agreement without the other’s written consent, which "
        "shall not be unreasonably withheld, save to a successor to the whole of the business to "
        "which it relates.",
        "Notices shall be in writing and sent by e-mail to the licensing officers of the Party "
        "concerned, or through the exchange; they take effect on receipt.",
        "A change to this Agreement is valid only if made in writing and signed by both Parties. "
        "If a provision is held invalid, the rest of this Agreement remains in force. Nothing in "
        "it creates a partnership or agency between the Parties or gives any right to a third "
        "party.",
        "This Agreement may be signed electronically; an electronic signature recorded by the "
        "exchange has the same effect as a handwritten one.",
    )


_Builder = Callable[[Draft], tuple[str | SubClause, ...]]
_ALWAYS: Callable[[Draft], bool] = lambda _draft: True  # noqa: E731
_LIBRARY: tuple[tuple[str, str, Callable[[Draft], bool], _Builder], ...] = (
    ("definitions", "Definitions and interpretation", _ALWAYS, _definitions),
    ("grant", "Grant of licence", _ALWAYS, _grant),
    ("exercise", "Exercise and lapse of the option", lambda d: d.kind == "option", _exercise),
    ("field", "Field and territory", _ALWAYS, _field_and_territory),
    ("sublicensing", "Sublicensing", _ALWAYS, _sublicensing),
    ("consideration", "Consideration", _ALWAYS, _consideration),
    ("milestones", "Milestone payments", lambda d: bool(d.milestones), _milestones),
    ("diligence", "Diligence", lambda d: bool(d.diligence) or d.exclusive, _diligence),
    ("reports", "Reports and audit", _ALWAYS, _reports),
    ("patents", "Patent prosecution and costs", _ALWAYS, _patents),
    ("confidentiality", "Confidentiality", _ALWAYS, _fixed("confidentiality")),
    ("warranties", "Warranties and disclaimer", _ALWAYS, _fixed("warranties")),
    ("liability", "Indemnity and limitation of liability", _ALWAYS, _liability),
    ("term", "Term and termination", _ALWAYS, _term),
    ("law", "Governing law and disputes", _ALWAYS, _law),
    ("general", "General", _ALWAYS, _general),
)


def _sub_clause(part: str | SubClause) -> SubClause:
    return part if isinstance(part, SubClause) else SubClause(part)


def draft_clauses(
    terms: Mapping[str, Any],
    *,
    effective_date: date,
    revision: int,
    reference: str,
    kind: str = "licence",
) -> list[Clause]:
    """Return the clauses the terms call for, in order, with their cross-references resolved.

    ``kind`` is the kind of agreement the terms were started from (one of ``KINDS``): a
    licence, an option, an evaluation licence or a research licence.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    probe = Draft(terms, effective_date, revision, reference, numbers={}, kind=kind)
    kept = [entry for entry in _LIBRARY if entry[2](probe)]
    numbers = {key: number for number, (key, *_rest) in enumerate(kept, start=1)}
    draft = Draft(terms, effective_date, revision, reference, numbers=numbers, kind=kind)
    headings = {
        "reports": "Reports and audit" if draft.accounts_for_sales else "Progress reports",
        "grant": "Grant of option" if kind == "option" else "Grant of licence",
    }
    return [
        Clause(
            key,
            headings.get(key, heading),
            tuple(_sub_clause(part) for part in build(draft)),
        )
        for key, heading, _applies, build in kept
    ]
