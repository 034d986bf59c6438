"""Render the certificate of acceptance of an NDA: a PDF a party can file or hand to counsel.

The certificate shows who accepted which text, for whom, when and from where, the SHA-256 of the
text, and the full text itself. It is deterministic: the same data always gives the same bytes
(no clock, no random document id), so a certificate downloaded twice is the same file.
Its fonts, colours and page numbering are those of ``licensing.typesetting``.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

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

CHANNEL_LABELS = {"page": "Web page (click-through)", "api": "API (authenticated client)"}
MARGIN = 20 * mm


@dataclass(frozen=True)
class CertificateData:
    """Everything the certificate shows; the caller reads it from the acceptance and grant."""

    reference: str
    listing_reference: str
    listing_title: str
    owner_name: str
    recipient_name: str
    signer_name: str
    user_name: str
    user_email: str
    template_name: str
    template_version: int
    term_years: int
    text: str
    sha256: str
    assent_wording: str
    accepted_at: datetime
    ip_address: str | None
    user_agent: str
    channel: str
    status_lines: tuple[str, ...]


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=fonts.sans, fontSize=9.5, leading=13, textColor=INK)
    return {
        "title": ParagraphStyle("title", base, fontName=fonts.bold, fontSize=20, leading=25),
        "subtitle": ParagraphStyle("subtitle", base, textColor=MUTED, fontSize=10.5, leading=15),
        "section": ParagraphStyle(
            "section", base, fontName=fonts.bold, fontSize=11.5, leading=15, textColor=ACCENT,
            spaceBefore=12, spaceAfter=5, keepWithNext=1,
        ),
        "body": base,
        "label": ParagraphStyle("label", base, fontName=fonts.bold, fontSize=8.5, leading=11.5),
        "value": ParagraphStyle("value", base, fontSize=9, leading=12),
        "wrapped": ParagraphStyle("wrapped", base, fontSize=9, leading=12, wordWrap="CJK"),
        "note": ParagraphStyle("note", base, fontSize=8.5, leading=11.5, textColor=MUTED),
        "hash": ParagraphStyle(
            "hash", base, fontName=fonts.mono, fontSize=9.5, leading=13, wordWrap="CJK"
        ),
        "clause": ParagraphStyle(
            "clause", base, fontName=fonts.serif, fontSize=9.5, leading=13.5, spaceAfter=6
        ),
        "clause_heading": ParagraphStyle(
            "clause_heading", base, fontName=fonts.serif_bold, fontSize=9.5, leading=13.5,
            spaceBefore=6, spaceAfter=4, keepWithNext=1,
        ),
    }  # fmt: skip


def _evidence_rows(data: CertificateData) -> list[tuple[str, str, str]]:
    """Return (label, value, style) rows of the acceptance evidence."""
    return [
        ("Accepted at", long_time(data.accepted_at), "value"),
        ("Signed by", f"{data.signer_name} (name typed at acceptance)", "value"),
        ("Account", f"{data.user_name} <{data.user_email}>", "wrapped"),
        ("On behalf of", data.recipient_name, "value"),
        ("Assent given", f"\u201c{data.assent_wording}\u201d", "value"),
        ("Agreement", f"{data.template_name}, version {data.template_version}", "value"),
        ("Confidentiality term", f"{data.term_years} years from acceptance", "value"),
        ("Channel", CHANNEL_LABELS.get(data.channel, data.channel), "value"),
        ("IP address", data.ip_address or "not recorded", "wrapped"),
        ("User agent", data.user_agent or "not recorded", "wrapped"),
        ("Status", "\n".join(data.status_lines) or "No decision recorded", "value"),
    ]


def _table(rows: Sequence[tuple[str, str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    cells = [
        [Paragraph(markup(label), styles["label"]), Paragraph(markup(value), styles[style])]
        for label, value, style in rows
    ]
    table = Table(cells, colWidths=[42 * mm, A4[0] - 2 * MARGIN - 42 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _is_heading(paragraph: str) -> bool:
    """Return whether a paragraph of the agreement reads as a heading (short, in capitals)."""
    return len(paragraph) <= 80 and "\n" not in paragraph and paragraph.isupper()


def _agreement(text: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    paragraphs = [block.strip("\n") for block in text.split("\n\n") if block.strip()]
    return [
        Paragraph(markup(block), styles["clause_heading" if _is_heading(block) else "clause"])
        for block in paragraphs
    ]


def _story(data: CertificateData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    parties = [
        ("Owner of the listing", data.owner_name, "value"),
        ("Requesting party", f"{data.recipient_name} (bound by the acceptance)", "value"),
        ("Listing", f"{data.listing_reference}: {data.listing_title}", "value"),
    ]
    return [
        Paragraph("Certificate of acceptance", styles["title"]),
        Paragraph(
            markup(f"Non-disclosure agreement {data.reference}, accepted on the Ideagora exchange"),
            styles["subtitle"],
        ),
        Spacer(0, 4 * mm),
        Paragraph(
            "This certificate records that the agreement reproduced in full below was accepted "
            "electronically by the person, at the time and with the evidence shown. The SHA-256 "
            "fingerprint identifies the exact text that was shown before assent: any change to "
            "the text, however small, gives a different fingerprint.",
            styles["body"],
        ),
        Paragraph("Parties", styles["section"]),
        _table(parties, styles),
        Paragraph("Acceptance evidence", styles["section"]),
        _table(_evidence_rows(data), styles),
        Paragraph("SHA-256 fingerprint of the accepted text", styles["section"]),
        Paragraph(escape(data.sha256), styles["hash"]),
        Spacer(0, 2 * mm),
        Paragraph(
            "Computed over the text as shown to the signer, encoded as UTF-8 with lines ending "
            "in a line feed. The exchange keeps that text with the acceptance record.",
            styles["note"],
        ),
        PageBreak(),
        Paragraph("Full text of the agreement", styles["section"]),
        *_agreement(data.text, styles),
        Spacer(0, 4 * mm),
        Paragraph("End of the agreement text. Its SHA-256 fingerprint:", styles["note"]),
        Paragraph(escape(data.sha256), styles["hash"]),
    ]


def _page_marks(data: CertificateData, fonts: Fonts) -> Callable[[Canvas, int, int], None]:
    """Return the header and footer painter: reference and listing above, hash and page below."""
    width, height = A4

    def paint(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - 14 * mm, width - MARGIN, height - 14 * mm)
        canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(fonts.bold, 8)
        canvas.drawString(MARGIN, height - 12 * mm, "Ideagora · Certificate of acceptance")
        canvas.setFont(fonts.sans, 8)
        canvas.drawRightString(
            width - MARGIN, height - 12 * mm, f"{data.reference} · {data.listing_reference}"
        )
        canvas.drawString(MARGIN, 9 * mm, data.reference)
        canvas.drawRightString(width - MARGIN, 9 * mm, f"Page {number} of {total}")
        canvas.setFont(fonts.mono, 6.5)
        canvas.drawCentredString(width / 2, 9 * mm, f"SHA-256 {data.sha256}")
        canvas.restoreState()

    return paint


def render_certificate(data: CertificateData) -> bytes:
    """Return the certificate of acceptance as an A4 PDF; the same data gives the same bytes."""
    fonts = load_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Certificate of acceptance {data.reference}",
        author="Ideagora",
        subject=f"{data.template_name}, version {data.template_version}: {data.listing_reference}",
        creator="Ideagora",
        lang="en",
        invariant=1,
    )
    frame = Frame(
        MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, id="text",
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvas_maker = functools.partial(
        NumberedCanvas, marks=_page_marks(data, fonts), created=data.accepted_at
    )
    document.build(_story(data, _styles(fonts)), canvasmaker=canvas_maker)
    return buffer.getvalue()
