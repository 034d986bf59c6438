"""Attachment types: real files are told apart by content, and refusals say what went wrong.

Every sample is a real file made here: a PDF from reportlab, images from Pillow, Office Open XML
and OpenDocument files assembled with zipfile, and text in several encodings.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Callable

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from ideagora.attachments.content_types import (
    ALLOWED_TYPES,
    HEAD_SIZE,
    DetectedType,
    UnsupportedFileType,
    check_upload,
    detect,
    safe_filename,
)

ACCEPTED = "(PDF, images, office documents, plain text)"
OOXML_MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


# -- sample files ------------------------------------------------------------------------------


def pdf() -> bytes:
    """Draw a one-page PDF with reportlab."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 720, "Heat-resistant coatings for turbine blades")
    document.save()
    return buffer.getvalue()


def image(image_format: str) -> Callable[[], bytes]:
    """Return a maker of a small real image in a Pillow format."""

    def make() -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, image_format)
        return buffer.getvalue()

    return make


def ooxml(kind: str) -> Callable[[], bytes]:
    """Return a maker of an Office Open XML package with its content types and main part."""

    def make() -> bytes:
        part, content_type = OOXML_MAIN_PARTS[kind]
        types = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", types)
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr(part, "<document/>")
        return buffer.getvalue()

    return make


def opendocument(kind: str) -> Callable[[], bytes]:
    """Return a maker of an OpenDocument file whose first, stored entry is its mimetype."""

    def make() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}"
            )
            archive.writestr("content.xml", "<office:document-content/>")
            archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        return buffer.getvalue()

    return make


def plain_zip() -> bytes:
    """Zip two text files, as an archive that is no office document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "hello")
        archive.writestr("word/notes.txt", "a folder named like Word's is not enough")
    return buffer.getvalue()


def truncated_docx() -> bytes:
    """Cut a Word document short, losing the zip's central directory."""
    return ooxml("docx")()[:120]


def scrambled_docx() -> bytes:
    """Scramble the compressed bytes of a Word document's first part, keeping its directory."""
    data = bytearray(ooxml("docx")())
    start = data.index(b"[Content_Types].xml") + len("[Content_Types].xml") + 2
    data[start : start + 40] = bytes(b ^ 0x5A for b in data[start : start + 40])
    return bytes(data)


def inflating_docx() -> bytes:
    """Make a Word document whose content-types part inflates to 64 MiB, like a zip bomb."""
    _, content_type = OOXML_MAIN_PARTS["docx"]
    types = f'<Types><Override ContentType="{content_type}"/>'.encode() + b" " * (64 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def ole() -> bytes:
    """Return an OLE compound file header, as Office 97-2003 files begin."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff" + bytes(486)


def text(content: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    """Return a maker of text in an encoding."""
    return lambda: content.encode(encoding)


def raw(content: bytes) -> Callable[[], bytes]:
    """Return a maker of fixed bytes."""
    return lambda: content


ACCENTED = "Brevet déposé à Zürich — coût estimé 12 000 €.\n"
LATIN1 = "Brevet déposé à Zürich, coût estimé 12 000 francs.\n"
ELF = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00" + bytes(44)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50)
RAR = b"Rar!\x1a\x07\x00" + bytes(40)
HTML_PAGE = "<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"
# a euro sign's three bytes straddle the end of the first block read
STRADDLING = "a" * (HEAD_SIZE - 1) + "€ and more text\n"


# -- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make", "mime", "label"),
    [
        ("report.pdf", pdf, "application/pdf", "PDF document"),
        ("REPORT.PDF", pdf, "application/pdf", "PDF document"),
        ("figure.png", image("PNG"), "image/png", "PNG image"),
        ("photo.jpg", image("JPEG"), "image/jpeg", "JPEG image"),
        ("photo.jpeg", image("JPEG"), "image/jpeg", "JPEG image"),
        ("anim.gif", image("GIF"), "image/gif", "GIF image"),
        ("still.webp", image("WEBP"), "image/webp", "WebP image"),
        ("scan.tiff", image("TIFF"), "image/tiff", "TIFF image"),
        ("scan.tif", image("TIFF"), "image/tiff", "TIFF image"),
        (
            "brief.docx",
            ooxml("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document",
        ),
        (
            "costs.xlsx",
            ooxml("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel workbook",
        ),
        (
            "pitch.pptx",
            ooxml("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint presentation",
        ),
        (
            "brief.odt",
            opendocument("text"),
            "application/vnd.oasis.opendocument.text",
            "OpenDocument text document",
        ),
        (
            "costs.ods",
            opendocument("spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
            "OpenDocument spreadsheet",
        ),
        (
            "pitch.odp",
            opendocument("presentation"),
            "application/vnd.oasis.opendocument.presentation",
            "OpenDocument presentation",
        ),
        # only the start of a part is read, however far it inflates
        (
            "huge.docx",
            inflating_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document",
        ),
        ("old.doc", ole, "application/msword", "Word 97-2003 document"),
        ("old.xls", ole, "application/vnd.ms-excel", "Excel 97-2003 workbook"),
        ("old.ppt", ole, "application/vnd.ms-powerpoint", "PowerPoint 97-2003 presentation"),
        ("notes.txt", text(ACCENTED), "text/plain", "plain text file"),
        ("bom.txt", text(ACCENTED, "utf-8-sig"), "text/plain", "plain text file"),
        ("long.txt", text(STRADDLING), "text/plain", "plain text file"),
        # "BM" and "GIF" are magic numbers too short to outweigh text that begins with them
        ("cars.txt", text("BMW and GIF files are unrelated.\n"), "text/plain", "plain text file"),
        ("table.csv", text("name,cost\nvalve,12.50\n"), "text/csv", "CSV file"),
        ("README.md", text("# Ideagora\n\n*Open* innovation.\n"), "text/markdown", "Markdown file"),
        # markup in a file named as text is still text, and is served as such
        ("snippet.txt", text(HTML_PAGE), "text/plain", "plain text file"),
        ("scan", pdf, "application/pdf", "PDF document"),
        ("figure", image("PNG"), "image/png", "PNG image"),
        (
            "brief",
            ooxml("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document",
        ),
        ("LICENSE", text("Permission is hereby granted.\n"), "text/plain", "plain text file"),
    ],
)
def test_accepted_files_report_their_type(
    filename: str, make: Callable[[], bytes], mime: str, label: str
) -> None:
    detected = check_upload(io.BytesIO(make()), filename)
    assert (detected.mime, detected.label) == (mime, label)
    assert detected in ALLOWED_TYPES


# -- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("empty.pdf", raw(b""), '"empty.pdf" is empty.'),
        ("tool.exe", raw(EXE), f'"tool.exe" is not a type we accept {ACCEPTED}.'),
        ("page.html", text(HTML_PAGE), f'"page.html" is not a type we accept {ACCEPTED}.'),
        ("bundle.zip", plain_zip, f'"bundle.zip" is not a type we accept {ACCEPTED}.'),
        ("drawing.svg", text("<svg/>"), f'"drawing.svg" is not a type we accept {ACCEPTED}.'),
        ("installer", raw(EXE), f'"installer" is not a type we accept {ACCEPTED}.'),
        ("index", text(HTML_PAGE), f'"index" is not a type we accept {ACCEPTED}.'),
        ("bundle", plain_zip, f'"bundle" is not a type we accept {ACCEPTED}.'),
        (
            "report.pdf",
            image("PNG"),
            '"report.pdf" is not a PDF document: its content looks like a PNG image.',
        ),
        (
            "photo.jpg",
            image("PNG"),
            '"photo.jpg" is not a JPEG image: its content looks like a PNG image.',
        ),
        (
            "costs.xlsx",
            ooxml("docx"),
            '"costs.xlsx" is not an Excel workbook: its content looks like a Word document.',
        ),
        (
            "brief.docx",
            opendocument("text"),
            '"brief.docx" is not a Word document: '
            "its content looks like an OpenDocument text document.",
        ),
        (
            "brief.docx",
            ooxml("docm"),
            '"brief.docx" is not a Word document: '
            "its content looks like a macro-enabled Word document.",
        ),
        (
            "brief.docx",
            plain_zip,
            '"brief.docx" is not a Word document: its content looks like a ZIP archive.',
        ),
        (
            "brief.docx",
            truncated_docx,
            '"brief.docx" is not a Word document: its content looks like a damaged ZIP archive.',
        ),
        (
            "brief.docx",
            scrambled_docx,
            '"brief.docx" is not a Word document: its content looks like a damaged ZIP archive.',
        ),
        (
            "brief.docx",
            ole,
            '"brief.docx" is not a Word document: '
            "its content looks like an Office 97-2003 document.",
        ),
        (
            "report.pdf",
            raw(ELF),
            '"report.pdf" is not a PDF document: its content looks like a Linux program.',
        ),
        (
            "figure.png",
            raw(EXE),
            '"figure.png" is not a PNG image: its content looks like a Windows program.',
        ),
        (
            "slides.pdf",
            raw(RAR),
            '"slides.pdf" is not a PDF document: its content looks like a .rar file.',
        ),
        (
            "report.pdf",
            raw(bytes(range(256)) * 4),
            '"report.pdf" is not a PDF document: we could not recognise its content.',
        ),
        (
            "report.pdf",
            text(ACCENTED),
            '"report.pdf" is not a PDF document: its content looks like a plain text file.',
        ),
        (
            "notes.txt",
            pdf,
            '"notes.txt" is not a plain text file: its content looks like a PDF document.',
        ),
        (
            "notes.txt",
            text("first\0second\0"),
            '"notes.txt" does not look like plain text (it contains binary data).',
        ),
        (
            "table.csv",
            image("JPEG"),
            '"table.csv" is not a CSV file: its content looks like a JPEG image.',
        ),
        (
            "notes.txt",
            raw(("text " * 2000).encode() + bytes(64)),
            '"notes.txt" does not look like plain text (it contains binary data).',
        ),
        (
            "notes.txt",
            text(LATIN1, "latin-1"),
            '"notes.txt" is not UTF-8 text: save it with the UTF-8 encoding and upload it again.',
        ),
        (
            "notes.txt",
            text(ACCENTED, "utf-16"),
            '"notes.txt" is not UTF-8 text: save it with the UTF-8 encoding and upload it again.',
        ),
        (
            "notes",
            text(ACCENTED, "cp1252"),
            '"notes" is not UTF-8 text: save it with the UTF-8 encoding and upload it again.',
        ),
        (
            "minutes",
            ole,
            '"minutes" looks like an Office 97-2003 document: '
            "add its extension (.doc, .xls or .ppt) and upload it again.",
        ),
        (
            "C:\\Users\\ann\\report.pdf",
            image("GIF"),
            '"report.pdf" is not a PDF document: its content looks like a GIF image.',
        ),
    ],
)
def test_refused_files_say_why(filename: str, make: Callable[[], bytes], message: str) -> None:
    with pytest.raises(UnsupportedFileType) as refusal:
        check_upload(io.BytesIO(make()), filename)
    assert str(refusal.value) == message


def test_a_refusal_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="is empty"):
        check_upload(io.BytesIO(b""), "empty.pdf")


@pytest.mark.parametrize(
    ("filename", "make"), [("report.pdf", pdf), ("report.pdf", image("PNG")), ("tool.exe", pdf)]
)
def test_the_stream_is_left_at_its_start(filename: str, make: Callable[[], bytes]) -> None:
    stream = io.BytesIO(make())
    stream.seek(7)
    with contextlib.suppress(UnsupportedFileType):
        check_upload(stream, filename)
    assert stream.tell() == 0


def test_text_is_checked_to_its_end_not_only_its_first_block() -> None:
    content = b"plain words " * (3 * HEAD_SIZE) + bytes(range(32)) * 8
    with pytest.raises(UnsupportedFileType, match="contains binary data"):
        check_upload(io.BytesIO(content), "notes.txt")


# -- detect on its own -------------------------------------------------------------------------


def test_detect_reads_a_small_zip_container_from_its_head_alone() -> None:
    detected = detect(ooxml("pptx")(), filename="pitch")
    assert detected.label == "PowerPoint presentation"
    assert detected.extensions == (".pptx",)


def test_detect_puts_the_stream_back_where_it_was() -> None:
    stream = io.BytesIO(ooxml("xlsx")())
    stream.seek(5)
    detected = detect(stream.getvalue()[:HEAD_SIZE], filename="costs.xlsx", stream=stream)
    assert detected.label == "Excel workbook"
    assert stream.tell() == 5


def test_detected_types_are_frozen() -> None:
    detected = detect(pdf(), filename="report.pdf")
    assert detected == DetectedType("application/pdf", "PDF document", (".pdf",))
    with pytest.raises(AttributeError):
        detected.mime = "text/html"  # type: ignore[misc]


# -- file names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Desktop\\costs.xlsx", "costs.xlsx"),
        ("re\x00po\nrt\x7f.pdf", "report.pdf"),
        # a right-to-left override would show "invoice\u202egpj.exe" as "invoiceexe.jpg"
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("  quarterly   results .pdf ", "quarterly results .pdf"),
        ("", "attachment"),
        ("..", "attachment"),
        ("folder/", "attachment"),
        ("\x01\x02", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("b" * 300, "b" * 200),
        ("c" * 250 + ".not-an-extension-at-all", ("c" * 250 + ".not-an-extension-at-all")[:200]),
    ],
)
def test_safe_filename_shows_a_clean_bounded_name(name: str, shown: str) -> None:
    assert safe_filename(name) == shown
    assert 0 < len(safe_filename(name)) <= 200
