"""Render the certificate of acceptance of an NDA: a PDF a party can file or hand to counsel.

The certificate shows who accepted which text, for whom, when and from where, the SHA-256 of the
text, and the full text itself. It is deterministic: the same data always gives the same bytes
(no clock, no random document id), so a certificate downloaded twice is the same file.

Fonts: names and texts are Unicode, and the PDF standard fonts cover Latin-1 only, so the
DejaVu fonts are embedded when they are found in a system font folder or in a Python package
that ships them; otherwise the Bitstream Vera fonts bundled with reportlab are used.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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

logger = logging.getLogger(__name__)

CHANNEL_LABELS = {"page": "Web page (click-through)", "api": "API (authenticated client)"}
MARGIN = 20 * mm
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
INK = colors.HexColor("#1b2a3a")
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5b6673")
RULE = colors.HexColor("#c9d1da")
SHADE = colors.HexColor("#eef2f6")


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


@dataclass(frozen=True)
class _Fonts:
    sans: str
    bold: str
    serif: str
    serif_bold: str
    mono: str


_DEJAVU_FILES = {
    "sans": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif_bold": "DejaVuSerif-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
}
_SYSTEM_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/dejavu-serif-fonts",
    "/usr/share/fonts/dejavu-sans-mono-fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)


def _font_dirs() -> list[Path]:
    """Return the folders searched for DejaVu: the system's, then matplotlib's if installed."""
    folders = [Path(folder) for folder in _SYSTEM_FONT_DIRS]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin is not None:
        folders.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    return folders


def _find_font(file_name: str) -> Path | None:
    return next((d / file_name for d in _font_dirs() if (d / file_name).is_file()), None)


@functools.cache
def _fonts() -> _Fonts:
    """Register the embedded fonts once and return their names."""
    found = {role: _find_font(file_name) for role, file_name in _DEJAVU_FILES.items()}
    if all(path is not None for path in found.values()):
        paths = {role: path for role, path in found.items() if path is not None}
        names = {role: f"Certificate-{paths[role].stem}" for role in paths}
    else:
        # vera lacks some letters of central European names (such as ź): they show as boxes
        logger.warning("DejaVu fonts not found: certificates use the Vera fonts of reportlab")
        bundled = Path(reportlab.__file__).parent / "fonts"
        paths = {
            "sans": bundled / "Vera.ttf",
            "bold": bundled / "VeraBd.ttf",
            "serif": bundled / "Vera.ttf",
            "serif_bold": bundled / "VeraBd.ttf",
        }
        names = {role: f"Certificate-{path.stem}" for role, path in paths.items()}
        names["mono"] = "Courier"
    for role, path in paths.items():
        pdfmetrics.registerFont(TTFont(names[role], str(path)))
    pdfmetrics.registerFontFamily(names["sans"], normal=names["sans"], bold=names["bold"])
    pdfmetrics.registerFontFamily(names["serif"], normal=names["serif"], bold=names["serif_bold"])
    return _Fonts(**names)


def _styles(fonts: _Fonts) -> dict[str, ParagraphStyle]:
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


def _markup(text: str) -> str:
    """Return plain text as paragraph markup: escaped, with its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _long_time(moment: datetime) -> str:
    """Return ``3 December 2026, 10:04:05 UTC (2026-12-03T10:04:05Z)``, whatever the locale."""
    moment = _utc(moment)
    month = _MONTHS[moment.month - 1]
    return (
        f"{moment.day} {month} {moment.year}, {moment:%H:%M:%S} UTC ({moment:%Y-%m-%dT%H:%M:%SZ})"
    )


def _evidence_rows(data: CertificateData) -> list[tuple[str, str, str]]:
    """Return (label, value, style) rows of the acceptance evidence."""
    return [
        ("Accepted at", _long_time(data.accepted_at), "value"),
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
        [Paragraph(_markup(label), styles["label"]), Paragraph(_markup(value), styles[style])]
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
        Paragraph(_markup(block), styles["clause_heading" if _is_heading(block) else "clause"])
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
            _markup(
                f"Non-disclosure agreement {data.reference}, accepted on the Ideagora exchange"
            ),
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


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages back until the end, to print "Page n of m" on each."""

    def __init__(
        self,
        *args: Any,
        marks: Callable[[Canvas, int, int], None],
        created: datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._marks = marks
        self._held_pages: list[dict[str, Any]] = []
        # the document's date is the acceptance time, not the time of rendering
        self.setDateFormatter(_pdf_date(created))

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, page in enumerate(self._held_pages, start=1):
            self.__dict__.update(page)
            self._marks(self, number, total)
            super().showPage()
        super().save()


def _page_marks(data: CertificateData, fonts: _Fonts) -> Callable[[Canvas, int, int], None]:
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


def _pdf_date(moment: datetime) -> Callable[..., str]:
    """Return a date formatter that stamps the acceptance time instead of the clock's."""
    stamp = f"D:{_utc(moment):%Y%m%d%H%M%S}+00'00'"
    return lambda *_parts: stamp


def render_certificate(data: CertificateData) -> bytes:
    """Return the certificate of acceptance as an A4 PDF; the same data gives the same bytes."""
    fonts = _fonts()
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
        _NumberedCanvas, marks=_page_marks(data, fonts), created=data.accepted_at
    )
    document.build(_story(data, _styles(fonts)), canvasmaker=canvas_maker)
    return buffer.getvalue()
