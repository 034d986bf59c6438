"""Own the forms of the deal pages: opening a deal, proposing terms, commenting, signing, verifying.

The forms carry what a licensing officer types; whether the terms can be agreed is the rule of
``licensing.terms`` that the services apply, so the pages and the API give the same messages.
``TermsForm.to_data`` turns the form into what ``services.propose`` reads and ``fill`` shows a
revision's (or a preset's) terms in it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ideagora.deals.models import COMMENT_MAX, MESSAGE_MAX, SIGNER_NAME_MAX, SIGNER_TITLE_MAX
from licensing.terms import (
    CURRENCY_DIGITS,
    EXCLUSIVITY_LABELS,
    LIFE_OF_PATENTS,
    MILESTONES_MAX,
    PAYER_LABELS,
    TERM_YEARS_RANGE,
    TEXT_MAX,
)

# the rows the terms form offers; the terms themselves allow more, through the API
MILESTONE_ROWS = 10
# room for over-long input: the services say what is wrong with it
_ROOM = 4
TERM_IN_YEARS = "years"

# where the services' field names ("terms.<field>") are shown on the terms form
_FORM_FIELDS = {
    "terms.licensed_patents": "licensed_patents",
    "terms.field_of_use": "field_of_use",
    "terms.territory": "territory",
    "terms.exclusivity": "exclusivity",
    "terms.sublicensing": "sublicensing",
    "terms.term": "term_kind",
    "terms.term_years": "term_years",
    "terms.effective_date": "effective_date",
    "terms.currency": "currency",
    "terms.upfront_fee": "upfront_fee",
    "terms.annual_fee": "annual_fee",
    "terms.minimum_annual_royalty": "minimum_annual_royalty",
    "terms.royalty_rate_percent": "royalty_rate_percent",
    "terms.sublicense_income_percent": "sublicense_income_percent",
    "terms.milestones": "milestones",
    "terms.patent_costs": "patent_costs_paid_by",
    "terms.diligence": "diligence",
    "terms.governing_law": "governing_law",
    "effective_date": "effective_date",
    "message": "message",
    "open_until": "open_until",
    "preset": "preset",
}


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes; which of them may be chosen is the services' rule."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Leave the check of the chosen values to the services, which name the offer's ones."""


def _figure(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[Length(max=40)],
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class MilestoneForm(Form):
    """One milestone payment: the event, the amount, the due date; a blank row is no milestone."""

    event = StringField("Event", validators=[Length(max=TEXT_MAX["event"] * _ROOM)])
    amount = StringField("Amount", render_kw={"inputmode": "decimal"})
    due = StringField("Due by", render_kw={"type": "date"})

    def is_blank(self) -> bool:
        return not any((field.data or "").strip() for field in (self.event, self.amount, self.due))


class TermsForm(FlaskForm):
    """A revision of licence terms, grouped as a term sheet: scope, money, milestones, the rest."""

    preset = HiddenField()
    # scope
    licensed_patents = CheckboxesField(
        "Licensed patents",
        choices=[],
        description="Tick the offer's patents this licence covers.",
    )
    field_of_use = TextAreaField(
        "Field of use",
        validators=[Length(max=TEXT_MAX["field_of_use"] * _ROOM)],
        description='Where the licensee may use the technology, or "All fields of use".',
        render_kw={"rows": 2, "maxlength": TEXT_MAX["field_of_use"]},
    )
    territory = StringField(
        "Territory",
        validators=[Length(max=2_000)],
        description='"worldwide", or the ISO 3166 country codes, like DE, FR, US.',
    )
    exclusivity = SelectField(
        "Exclusivity",
        choices=[SelectChoice(key, label) for key, label in EXCLUSIVITY_LABELS.items()],
        validate_choice=False,
        description="An exclusive licence must state the licensee's diligence obligations.",
    )
    sublicensing = BooleanField(
        "The licensee may grant sublicences",
        description="Without sublicensing, no sublicence income is shared.",
    )
    term_kind = SelectField(
        "Term",
        choices=[
            SelectChoice(TERM_IN_YEARS, "A number of years"),
            SelectChoice(LIFE_OF_PATENTS, "Life of the patents"),
        ],
        validate_choice=False,
        description="A licence runs for some years or until the last licensed patent expires.",
    )
    term_years = StringField(
        "Years",
        validators=[Length(max=40)],
        description=(
            f"{TERM_YEARS_RANGE[0]} to {TERM_YEARS_RANGE[-1]} whole years, "
            "when the term is in years."
        ),
        render_kw={"inputmode": "numeric"},
    )
    effective_date = StringField(
        "Effective date",
        description="When the licence starts; milestones fall due after it. Today if left empty.",
        render_kw={"type": "date"},
    )
    # money
    currency = SelectField(
        "Currency",
        choices=[SelectChoice(code, code) for code in CURRENCY_DIGITS],
        validate_choice=False,
        description="Every amount is in this currency, at its precision (EUR 0.01, JPY 1).",
    )
    upfront_fee = _figure("Upfront fee", "Paid when the licence is signed; 0 for none.")
    annual_fee = _figure("Annual fee", "A licence maintenance fee paid every year; 0 for none.")
    minimum_annual_royalty = _figure(
        "Minimum annual royalty",
        "The least the licensee pays in royalties each year; needs a royalty rate.",
    )
    royalty_rate_percent = _figure(
        "Royalty rate (%)", "A percentage of net sales of licensed products, 0 to 100."
    )
    sublicense_income_percent = _figure(
        "Share of sublicence income (%)",
        "The licensor's share of what sublicensees pay, 0 to 100.",
    )
    # a revision proposed through the API may have more milestones: rows are added for them
    milestones = FieldList(
        FormField(MilestoneForm), min_entries=MILESTONE_ROWS, max_entries=MILESTONES_MAX
    )
    # obligations
    patent_costs_paid_by = SelectField(
        "Patent costs",
        choices=[SelectChoice(key, label) for key, label in PAYER_LABELS.items()],
        validate_choice=False,
        description="Who pays for prosecuting and maintaining the licensed patents.",
    )
    patent_costs_note = TextAreaField(
        "Note on patent costs",
        validators=[Length(max=TEXT_MAX["note"] * _ROOM)],
        description="Optional: from when, up to how much, past costs.",
        render_kw={"rows": 2, "maxlength": TEXT_MAX["note"]},
    )
    diligence = TextAreaField(
        "Diligence obligations",
        validators=[Length(max=TEXT_MAX["diligence"] * _ROOM)],
        description="What the licensee will do to develop and sell licensed products.",
        render_kw={"rows": 4, "maxlength": TEXT_MAX["diligence"]},
    )
    governing_law = StringField(
        "Governing law",
        validators=[Length(max=TEXT_MAX["governing_law"] * _ROOM)],
        description="Like: the laws of England and Wales.",
    )
    # the proposal
    message = TextAreaField(
        "Message to the other party",
        validators=[Length(max=MESSAGE_MAX * _ROOM)],
        description="Why you propose these terms; the other party reads it with the redline.",
        render_kw={"rows": 3, "maxlength": MESSAGE_MAX},
    )
    open_until = StringField(
        "Open for acceptance until",
        description="Optional: after the end of this day (UTC) the revision cannot be accepted.",
        render_kw={"type": "date"},
    )

    milestone_problem: str | None = None

    def offer_patents(self, numbers: list[str]) -> None:
        """Offer the offer's patent numbers as the checkboxes of the licensed patents."""
        self.licensed_patents.choices = [SelectChoice(number, number) for number in numbers]

    def fill(self, terms: Mapping[str, Any]) -> None:
        """Show terms (a revision's ``terms_json`` or a preset's) in the form."""
        self.licensed_patents.data = list(terms.get("licensed_patents") or [])
        self.field_of_use.data = terms.get("field_of_use") or ""
        territory = terms.get("territory") or ""
        self.territory.data = ", ".join(territory) if isinstance(territory, list) else territory
        self.exclusivity.data = terms.get("exclusivity") or "non_exclusive"
        self.sublicensing.data = terms.get("sublicensing") is True
        life = terms.get("term") == LIFE_OF_PATENTS
        self.term_kind.data = LIFE_OF_PATENTS if life else TERM_IN_YEARS
        years = terms.get("term_years")
        self.term_years.data = "" if life or years is None else str(years)
        self.currency.data = terms.get("currency") or "EUR"
        for name in (
            "upfront_fee",
            "annual_fee",
            "minimum_annual_royalty",
            "royalty_rate_percent",
            "sublicense_income_percent",
        ):
            value = terms.get(name)
            getattr(self, name).data = "" if value is None else str(value)
        self._fill_milestones(terms.get("milestones") or [])
        costs = terms.get("patent_costs") or {}
        costs = costs if isinstance(costs, Mapping) else {"paid_by": costs}
        self.patent_costs_paid_by.data = costs.get("paid_by") or "licensee"
        self.patent_costs_note.data = costs.get("note") or ""
        self.diligence.data = terms.get("diligence") or ""
        self.governing_law.data = terms.get("governing_law") or ""

    def _fill_milestones(self, milestones: list[Mapping[str, Any]]) -> None:
        while len(self.milestones) < min(len(milestones), MILESTONES_MAX):
            self.milestones.append_entry()
        for row, milestone in zip(self.milestones, milestones, strict=False):
            row.form.event.data = milestone.get("event") or ""
            row.form.amount.data = str(milestone.get("amount") or "")
            row.form.due.data = str(milestone.get("due") or "")

    def to_data(self) -> dict[str, Any]:
        """Return what ``services.propose`` takes: the terms, the message, the dates, the preset."""
        data: dict[str, Any] = {"terms": self._terms(), "message": self.message.data or ""}
        if (self.effective_date.data or "").strip():
            data["effective_date"] = self.effective_date.data.strip()
        if (self.open_until.data or "").strip():
            data["open_until"] = self.open_until.data.strip()
        if self.preset.data:
            data["preset"] = self.preset.data
        return data

    def _terms(self) -> dict[str, Any]:
        terms: dict[str, Any] = {
            "licensed_patents": list(self.licensed_patents.data or []),
            "field_of_use": self.field_of_use.data,
            "territory": self.territory.data,
            "exclusivity": self.exclusivity.data,
            "sublicensing": self.sublicensing.data is True,
            "currency": self.currency.data,
            "upfront_fee": self.upfront_fee.data,
            "annual_fee": self.annual_fee.data,
            "minimum_annual_royalty": self.minimum_annual_royalty.data,
            "royalty_rate_percent": self.royalty_rate_percent.data,
            "sublicense_income_percent": self.sublicense_income_percent.data,
            "milestones": [
                {
                    "event": row.form.event.data,
                    "amount": row.form.amount.data,
                    "due": row.form.due.data,
                }
                for row in self.milestones
                if not row.form.is_blank()
            ],
            "patent_costs": {
                "paid_by": self.patent_costs_paid_by.data,
                "note": self.patent_costs_note.data or "",
            },
            "diligence": self.diligence.data,
            "governing_law": self.governing_law.data,
        }
        if self.term_kind.data == LIFE_OF_PATENTS:
            terms["term"] = LIFE_OF_PATENTS
        else:
            terms["term_years"] = self.term_years.data
        return terms

    def show_problems(self, fields: Mapping[str, str], message: str) -> None:
        """Put the services' messages on the fields they name; the rest on the whole form."""
        unplaced = []
        for name, problem in fields.items():
            target = _FORM_FIELDS.get(name)
            if target == "milestones":
                self.milestone_problem = problem
            elif target is not None and target != "preset":
                field = getattr(self, target)
                field.errors = [*list(field.errors), problem]
            else:
                unplaced.append(problem)
        self.form_errors.extend([message, *unplaced])


class OpenDealForm(FlaskForm):
    """Open a licence deal on an offer, optionally for one of the parties' challenges."""

    challenge_id = SelectField(
        "For a challenge (optional)",
        choices=[],
        validate_choice=False,
        description="Link the deal to the challenge it answers, if there is one.",
    )

    def offer_challenges(self, challenges: list[Any]) -> None:
        """Offer the challenges the deal may be linked to."""
        self.challenge_id.choices = [SelectChoice("", "No challenge")] + [
            SelectChoice(str(challenge.id), challenge.title) for challenge in challenges
        ]

    def chosen_challenge(self) -> int | None:
        """Return the chosen challenge's id, or None; a value that is no id names none (0)."""
        value = (self.challenge_id.data or "").strip()
        if not value:
            return None
        return int(value) if value.isascii() and value.isdigit() else 0


class CommentForm(FlaskForm):
    """A comment on a deal that both parties read."""

    body = TextAreaField(
        "Comment",
        validators=[Length(max=COMMENT_MAX * _ROOM)],
        description="Both parties' members read comments; they are not part of the terms.",
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )


class SignForm(FlaskForm):
    """The signature of the agreement: typed name and title, the assent, a password if needed."""

    # the label is the assent wording for the signer's organisation
    assent = BooleanField("I sign this licence agreement.", default=False)
    signer_name = StringField(
        "Your full name",
        validators=[Length(max=SIGNER_NAME_MAX * _ROOM)],
        description="Type your name as you would sign it; it is printed on the signature page.",
        render_kw={"autocomplete": "name", "maxlength": SIGNER_NAME_MAX},
    )
    signer_title = StringField(
        "Your title",
        validators=[Length(max=SIGNER_TITLE_MAX * _ROOM)],
        description="Your position in the organisation, like Director of Technology Transfer.",
        render_kw={"autocomplete": "organization-title", "maxlength": SIGNER_TITLE_MAX},
    )
    password = PasswordField(
        "Your password",
        validators=[Optional(), Length(max=1024)],
        description="You logged in a while ago: enter your password to confirm it is you.",
        render_kw={"autocomplete": "current-password"},
    )


class VerifyForm(FlaskForm):
    """A PDF to check against the agreements this exchange issued."""

    document = FileField(
        "Agreement (PDF)",
        description="The file is checked and not kept.",
        render_kw={"accept": "application/pdf,.pdf"},
    )
