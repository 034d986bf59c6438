"""Render the licence agreement of an agreed deal to PDF: parties, clauses, schedules, signatures.

The wording comes from the clause library (``licensing.clauses``); this module sets it as an
A4 document a licensing officer recognises: a title block, the parties and background, numbered
clauses with hanging numbers, Schedule 1 (the licensed patents) and Schedule 2 (the milestones),
and, once the parties have signed, a signature page with the evidence of each signature. Every
page carries the deal reference and "Page n of m".

Rendering is deterministic: the same data gives the same bytes (no clock, no random document
id; the document's date is the last signature's time, or else the effective date), so the
SHA-256 of an agreement identifies its text. The embedded fonts are those of the certificates.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from licensing.clauses import (
    EXCLUSIVITY_TITLES,
    KIND_TITLES,
    PURPOSES,
    Clause,
    draft_clauses,
    long_date,
    read_milestones,
)
from licensing.patents import parse_patent_number
from licensing.typesetting import (
    ACCENT,
    INK,
    MUTED,
    RULE,
    SHADE,
    Fonts,
    NumberedCanvas,
    load_fonts,
    long_time,
    markup,
)

SIDE = 24 * mm
TOP = 26 * mm
BOTTOM = 24 * mm
WIDTH = A4[0] - 2 * SIDE
PARTY_KINDS = {
    "company": "a company", "university": "a university",
    "institute": "a research institute", "individual": "an individual",
}  # fmt: skip
OFFICES = {
    "US": "United States", "EP": "European Patent Office", "WO": "WIPO (PCT)",
    "GB": "United Kingdom", "DE": "Germany", "JP": "Japan", "CN": "China",
}  # fmt: skip
DOCUMENTS = {
    "grant": "Granted patent", "publication": "Published application",
    "application": "Application",
}  # fmt: skip
PartyRole = Literal["licensor", "licensee"]


@dataclass(frozen=True)
class Party:
    """A party to the agreement as the agreement names it."""

    name: str
    kind: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Signature:
    """One party's electronic signature, as recorded when its officer signed."""

    party: PartyRole
    signer_name: str
    title: str
    assent_wording: str
    signed_at: datetime
    ip_address: str | None
    document_sha256: str


@dataclass(frozen=True)
class AgreementData:
    """Everything the agreement shows; ``terms`` holds the agreed revision's canonical values.

    ``kind`` is the key of the preset the agreed terms were started from: ``"licence"`` (the
    default), ``"option"``, ``"evaluation"`` or ``"research"``; it sets the title and the
    clauses a document of that kind has.
    """

    reference: str
    effective_date: date
    licensor: Party
    licensee: Party
    revision: int
    terms: Mapping[str, Any]
    signatures: tuple[Signature, ...] = ()
    subject: str = ""
    kind: str = "licence"

    @property
    def title(self) -> str:
        if self.kind in KIND_TITLES:
            return KIND_TITLES[self.kind]
        return EXCLUSIVITY_TITLES.get(self.terms.get("exclusivity"), "Patent Licence Agreement")


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=fonts.serif, fontSize=9.8, leading=14, textColor=INK,
        alignment=TA_JUSTIFY, spaceAfter=5,
    )  # fmt: skip
    cell = ParagraphStyle("cell", fontName=fonts.sans, fontSize=8.6, leading=11.5, textColor=INK)
    cell_bold = ParagraphStyle("cell_bold", cell, fontName=fonts.bold)
    part = ParagraphStyle(
        "part", body, fontName=fonts.serif_bold, fontSize=10.5, spaceBefore=10, spaceAfter=6,
        keepWithNext=1, alignment=0,
    )  # fmt: skip
    return {
        "title": ParagraphStyle(
            "title", part, fontSize=19, leading=24, alignment=TA_CENTER, spaceBefore=0,
            spaceAfter=4,
        ),
        "between": ParagraphStyle("between", body, fontSize=11, leading=15, alignment=TA_CENTER),
        "meta": ParagraphStyle(
            "meta", cell, textColor=MUTED, alignment=TA_CENTER, spaceBefore=6, spaceAfter=8
        ),
        "body": body,
        "part": part,
        "heading": ParagraphStyle(
            "heading", part, textColor=ACCENT, spaceBefore=9, spaceAfter=5, leftIndent=10 * mm,
            bulletIndent=0, bulletFontName=fonts.serif_bold, bulletFontSize=10.5,
        ),
        "clause": ParagraphStyle(
            "clause", body, leftIndent=10 * mm, bulletIndent=0, bulletFontName=fonts.serif
        ),
        "point": ParagraphStyle(
            "point", body, leftIndent=18 * mm, bulletIndent=10 * mm, bulletFontName=fonts.serif,
            spaceAfter=3,
        ),
        "meaning": ParagraphStyle("meaning", body, leftIndent=14 * mm, spaceAfter=3),
        "schedule": ParagraphStyle(
            "schedule", part, fontSize=13, leading=17, alignment=TA_CENTER, spaceAfter=2
        ),
        "schedule_title": ParagraphStyle(
            "schedule_title", body, fontSize=10.5, alignment=TA_CENTER, spaceAfter=10
        ),
        "cell": cell,
        "cell_bold": cell_bold,
        "cell_right": ParagraphStyle("cell_right", cell, alignment=TA_RIGHT),
        "cell_bold_right": ParagraphStyle("bold_right", cell_bold, alignment=TA_RIGHT),
        "hash": ParagraphStyle("hash", cell, fontName=fonts.mono, fontSize=8, wordWrap="CJK"),
    }  # fmt: skip


def _party_line(party: Party, role: str) -> str:
    described = [f"<b>{escape(party.name)}</b>"]
    if party.kind in PARTY_KINDS:
        described.append(PARTY_KINDS[party.kind])
    if party.address and party.address.strip():
        described.append(f"whose address is {escape(' '.join(party.address.split()))}")
    return f"{', '.join(described)} (the “<b>{role}</b>”)"


def _opening(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    subject = f", which relate to {escape(data.subject)}" if data.subject.strip() else ""
    recitals = [
        f"The Licensor owns or controls the patents and patent applications listed in "
        f"Schedule\u00a01{subject}.",
        PURPOSES.get(data.kind, PURPOSES["licence"]),
        f"The Parties negotiated these terms on the Ideagora exchange as deal "
        f"{escape(data.reference)}, and both accepted revision {data.revision} of the term sheet.",
    ]
    return [
        Paragraph(escape(data.title), styles["title"]),
        Paragraph(
            f"between {escape(data.licensor.name)} and {escape(data.licensee.name)}",
            styles["between"],
        ),
        Paragraph(
            f"Reference {escape(data.reference)} · Agreed terms, revision {data.revision} · "
            f"Effective date {long_date(data.effective_date)}",
            styles["meta"],
        ),
        HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=2, spaceAfter=10),
        Paragraph(
            f"<b>THIS AGREEMENT</b> is dated {long_date(data.effective_date)} and made between:",
            styles["body"],
        ),
        Paragraph(_party_line(data.licensor, "Licensor") + "; and", styles["clause"], "(1)"),
        Paragraph(_party_line(data.licensee, "Licensee") + ",", styles["clause"], "(2)"),
        Paragraph("each a “<b>Party</b>” and together the “<b>Parties</b>”.", styles["body"]),
        Paragraph("Background", styles["part"]),
        *(
            Paragraph(text, styles["clause"], f"({letter})")
            for letter, text in zip("ABC", recitals, strict=True)
        ),
        Paragraph("<b>IT IS AGREED</b> as follows:", styles["body"]),
    ]


def _clause(number: int, clause: Clause, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(escape(clause.heading), styles["heading"], bulletText=f"{number}.")
    ]
    for index, sub in enumerate(clause.subclauses, start=1):
        story.append(Paragraph(sub.text, styles["clause"], f"{number}.{index}"))
        for letter, point in zip("abcdefghijklmnopqrstuvwxyz", sub.points, strict=False):
            bullet = f"({letter})" if sub.lettered else None
            story.append(Paragraph(point, styles["point" if sub.lettered else "meaning"], bullet))
        if sub.points:
            story.append(Spacer(0, 2))
    return story


def _execution(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    text = (
        "The Parties signed this Agreement electronically on the Ideagora exchange, through the "
        "authorised officers named on the signature page, which forms part of it."
        if data.signatures
        else "This Agreement binds the Parties once the authorised officer of each of them has "
        "signed it electronically on the Ideagora exchange. The exchange then attaches a "
        "signature page recording each signature."
    )
    return [Paragraph("Execution", styles["part"]), Paragraph(text, styles["body"])]


def _grid(rows: list[list[Flowable]], widths: Sequence[float], *extra: Any) -> Table:
    """Return a ruled table: a shaded header row repeated on each page, or the extra styles."""
    shading = [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    table = Table(rows, colWidths=list(widths), repeatRows=0 if extra else 1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        *(extra or shading),
    ]))  # fmt: skip
    return table


def _patent_row(number: int, item: Any, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    text = str(item.get("number", "")) if isinstance(item, Mapping) else str(item)
    title = str(item.get("title") or "") if isinstance(item, Mapping) else ""
    try:
        patent = parse_patent_number(text)
        shown, office, kind = patent.display, OFFICES[patent.country], patent.kind_of_document
        document = DOCUMENTS[kind]
    except (ValueError, KeyError):
        shown, office, document = text, "—", "—"
    label = f"<b>{escape(shown)}</b>" + (f"<br/>{escape(title)}" if title else "")
    return [
        Paragraph(str(number), styles["cell"]),
        Paragraph(label, styles["cell"]),
        Paragraph(escape(office), styles["cell"]),
        Paragraph(document, styles["cell"]),
    ]


def _schedule(number: int, title: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        PageBreak(),
        Paragraph(f"Schedule {number}", styles["schedule"]),
        Paragraph(title, styles["schedule_title"]),
    ]


def _patents_schedule(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    patents = data.terms.get("licensed_patents") or []
    header = ["No.", "Patent or application", "Office", "Document"]
    rows = [[Paragraph(label, styles["cell_bold"]) for label in header]]
    rows += [_patent_row(n, item, styles) for n, item in enumerate(patents, start=1)]
    if not patents:
        none = ("—", "No patent is listed: the licence covers no patent rights.", "", "")
        rows.append([Paragraph(text, styles["cell"]) for text in none])
    widths = (12 * mm, WIDTH - 12 * mm - 90 * mm, 50 * mm, 40 * mm)
    return [*_schedule(1, "Licensed Patents", styles), _grid(rows, widths)]


def _milestones_schedule(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    milestones = read_milestones(data.terms.get("milestones") or [])
    if not milestones:
        return []
    currency = escape(str(data.terms.get("currency") or "EUR"))
    header = ["No.", "Milestone event", "Target date"]
    rows = [[Paragraph(label, styles["cell_bold"]) for label in header]]
    rows[0].append(Paragraph(f"Payment ({currency})", styles["cell_bold_right"]))
    for number, milestone in enumerate(milestones, start=1):
        due = long_date(milestone.due) if milestone.due else "—"
        rows.append([
            Paragraph(str(number), styles["cell"]),
            Paragraph(escape(milestone.event), styles["cell"]),
            Paragraph(due, styles["cell"]),
            Paragraph(f"{milestone.amount:,f}", styles["cell_right"]),
        ])  # fmt: skip
    total = sum((milestone.amount for milestone in milestones), start=Decimal(0))
    rows.append([
        Paragraph("", styles["cell"]),
        Paragraph("Total of the milestone payments", styles["cell_bold"]),
        Paragraph("", styles["cell"]),
        Paragraph(f"<b>{total:,f}</b>", styles["cell_right"]),
    ])  # fmt: skip
    widths = (12 * mm, WIDTH - 12 * mm - 72 * mm, 36 * mm, 36 * mm)
    table = _grid(rows, widths)
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]))
    return [*_schedule(2, "Milestones", styles), table]


def _signature_block(data: AgreementData, signature: Signature, styles: dict[str, Any]) -> Table:
    party = data.licensor if signature.party == "licensor" else data.licensee
    rows = [
        ("Signed for", f"{party.name}, the {signature.party.capitalize()}", "cell_bold"),
        ("Signed by", f"{signature.signer_name} (name typed at signature)", "cell"),
        ("Title", signature.title, "cell"),
        ("Assent given", f"“{signature.assent_wording}”", "cell"),
        ("Signed at", long_time(signature.signed_at), "cell"),
        ("IP address", signature.ip_address or "not recorded", "cell"),
        ("Document signed (SHA-256)", signature.document_sha256, "hash"),
    ]
    cells = [
        [Paragraph(label, styles["cell_bold"]), Paragraph(markup(value), styles[style])]
        for label, value, style in rows
    ]
    return _grid(cells, (36 * mm, WIDTH - 36 * mm), ("BACKGROUND", (0, 0), (0, -1), SHADE))


def _signature_page(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not data.signatures:
        return []
    intro = (
        "Each signatory below logged in to the Ideagora exchange afresh, typed their name and "
        "gave the assent quoted, to the document whose SHA-256 fingerprint is shown: the "
        "agreement as drafted and sealed by the exchange, without this page."
    )
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("Signature page", styles["schedule"]),
        Paragraph(f"{escape(data.title)} {escape(data.reference)}", styles["schedule_title"]),
        Paragraph(intro, styles["body"]),
    ]
    for signature in data.signatures:
        block = _signature_block(data, signature, styles)
        story += [CondPageBreak(60 * mm), Spacer(0, 4 * mm), KeepTogether([block])]
    return story


def _story(data: AgreementData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    clauses = draft_clauses(
        data.terms,
        effective_date=data.effective_date,
        revision=data.revision,
        reference=data.reference,
        kind=data.kind,
    )
    story = _opening(data, styles)
    for number, clause in enumerate(clauses, start=1):
        story += _clause(number, clause, styles)
    return [
        *story,
        *_execution(data, styles),
        *_patents_schedule(data, styles),
        *_milestones_schedule(data, styles),
        *_signature_page(data, styles),
    ]


def _page_marks(data: AgreementData, fonts: Fonts) -> Callable[[Canvas, int, int], None]:
    """Return the painter of the running header (title and reference) and footer (page n of m)."""
    width, height = A4

    def paint(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(SIDE, height - 17 * mm, width - SIDE, height - 17 * mm)
        canvas.line(SIDE, 16 * mm, width - SIDE, 16 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(fonts.sans, 7.8)
        canvas.drawString(SIDE, height - 15 * mm, f"{data.title} · {data.reference}")
        canvas.drawString(SIDE, 11.5 * mm, f"Agreed terms, revision {data.revision}")
        canvas.drawCentredString(width / 2, 11.5 * mm, "Confidential")
        canvas.drawRightString(width - SIDE, 11.5 * mm, f"Page {number} of {total}")
        canvas.restoreState()

    return paint


def _document_time(data: AgreementData) -> datetime:
    """Return the document's date: the last signature's time, or the effective date."""
    times = [signature.signed_at for signature in data.signatures]
    return max(times, default=datetime.combine(data.effective_date, time(), tzinfo=UTC))


def render_agreement(data: AgreementData) -> bytes:
    """Return the licence agreement as an A4 PDF; the same data gives the same bytes."""
    unknown = {signature.party for signature in data.signatures} - {"licensor", "licensee"}
    if unknown:
        raise ValueError(f"a signature must be the licensor's or the licensee's, not {unknown}")
    fonts = load_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=SIDE, rightMargin=SIDE, topMargin=TOP,
        bottomMargin=BOTTOM, title=f"{data.title} {data.reference}", author="Ideagora",
        subject=f"Deal {data.reference}, agreed terms revision {data.revision}",
        creator="Ideagora", lang="en", invariant=1,
    )  # fmt: skip
    frame = Frame(
        SIDE, BOTTOM, WIDTH, A4[1] - TOP - BOTTOM, id="text",
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvas_maker = functools.partial(
        NumberedCanvas, marks=_page_marks(data, fonts), created=_document_time(data)
    )
    document.build(_story(data, _styles(fonts)), canvasmaker=canvas_maker)
    return buffer.getvalue()
