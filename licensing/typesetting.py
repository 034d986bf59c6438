"""Typeset the exchange's PDF documents alike: embedded fonts, colours, dates, page numbers.

Names and texts are Unicode, and the PDF standard fonts cover Latin-1 only, so the DejaVu fonts
are embedded when they are found in a system font folder or in a Python package that ships them;
otherwise the Bitstream Vera fonts bundled with reportlab are used. Nothing here reads a clock:
documents built with it are deterministic.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
INK = colors.HexColor("#1b2a3a")
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5b6673")
RULE = colors.HexColor("#c9d1da")
SHADE = colors.HexColor("#eef2f6")


@dataclass(frozen=True)
class Fonts:
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
def load_fonts() -> Fonts:
    """Register the embedded fonts once and return their names."""
    found = {role: _find_font(file_name) for role, file_name in _DEJAVU_FILES.items()}
    if all(path is not None for path in found.values()):
        paths = {role: path for role, path in found.items() if path is not None}
        names = {role: f"Ideagora-{paths[role].stem}" for role in paths}
    else:
        # vera lacks some letters of central European names (such as ź): they show as boxes
        logger.warning("DejaVu fonts not found: documents use the Vera fonts of reportlab")
        bundled = Path(reportlab.__file__).parent / "fonts"
        paths = {
            "sans": bundled / "Vera.ttf",
            "bold": bundled / "VeraBd.ttf",
            "serif": bundled / "Vera.ttf",
            "serif_bold": bundled / "VeraBd.ttf",
        }
        names = {role: f"Ideagora-{path.stem}" for role, path in paths.items()}
        names["mono"] = "Courier"
    for role, path in paths.items():
        pdfmetrics.registerFont(TTFont(names[role], str(path)))
    pdfmetrics.registerFontFamily(names["sans"], normal=names["sans"], bold=names["bold"])
    pdfmetrics.registerFontFamily(names["serif"], normal=names["serif"], bold=names["serif_bold"])
    return Fonts(**names)


def markup(text: str) -> str:
    """Return plain text as paragraph markup: escaped, with its line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def long_time(moment: datetime) -> str:
    """Return ``3 December 2026, 10:04:05 UTC (2026-12-03T10:04:05Z)``, whatever the locale."""
    moment = utc(moment)
    month = MONTHS[moment.month - 1]
    return (
        f"{moment.day} {month} {moment.year}, {moment:%H:%M:%S} UTC ({moment:%Y-%m-%dT%H:%M:%SZ})"
    )


class NumberedCanvas(Canvas):
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
        # the document's date comes from its data, not from the time of rendering
        self.setDateFormatter(pdf_date(created))

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


def pdf_date(moment: datetime) -> Callable[..., str]:
    """Return a date formatter that stamps this moment instead of the clock's."""
    stamp = f"D:{utc(moment):%Y%m%d%H%M%S}+00'00'"
    return lambda *_parts: stamp
