"""Tell what an uploaded attachment really is from its content, and refuse what we do not accept.

A file's name only says what its sender claims. Its type is read from its first bytes (magic
numbers, via the ``filetype`` library), from the parts inside zip containers (Office Open XML and
OpenDocument) and, for text, from how it decodes. The name's extension must agree with the
content: a PNG named ``photo.jpg`` is refused even though both types are allowed, so that what
users download is what its name says.
"""

from __future__ import annotations

import codecs
import io
import os
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import filetype

HEAD_SIZE = 8 * 1024
TEXT_CHUNK_SIZE = 64 * 1024
FILENAME_MAX_LENGTH = 200
FALLBACK_FILENAME = "attachment"
# longer suffixes are part of the name rather than an extension worth keeping
EXTENSION_MAX_LENGTH = 16
# the most bytes read from one member of a zip container, whatever it claims to hold
ZIP_MEMBER_READ_LIMIT = 256 * 1024
# text may hold a few control characters (form feeds, escapes), binary data holds many
TEXT_MAX_CONTROL_RATIO = 0.01
ACCEPTED_SUMMARY = "PDF, images, office documents, plain text"

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# tab, line feed, form feed and carriage return are ordinary in text
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


@dataclass(frozen=True)
class DetectedType:
    """A file type: its MIME type, the label people read and its usual extensions."""

    mime: str
    label: str
    extensions: tuple[str, ...] = ()


class UnsupportedFileType(ValueError):
    """An upload whose content is not a type we accept, or does not match its name."""


PDF = DetectedType("application/pdf", "PDF document", (".pdf",))
PNG = DetectedType("image/png", "PNG image", (".png",))
JPEG = DetectedType("image/jpeg", "JPEG image", (".jpg", ".jpeg"))
GIF = DetectedType("image/gif", "GIF image", (".gif",))
WEBP = DetectedType("image/webp", "WebP image", (".webp",))
TIFF = DetectedType("image/tiff", "TIFF image", (".tif", ".tiff"))
DOCX = DetectedType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document",
    (".docx",),
)
XLSX = DetectedType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel workbook",
    (".xlsx",),
)
PPTX = DetectedType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint presentation",
    (".pptx",),
)
ODT = DetectedType(
    "application/vnd.oasis.opendocument.text", "OpenDocument text document", (".odt",)
)
ODS = DetectedType(
    "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", (".ods",)
)
ODP = DetectedType(
    "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation", (".odp",)
)
DOC = DetectedType("application/msword", "Word 97-2003 document", (".doc",))
XLS = DetectedType("application/vnd.ms-excel", "Excel 97-2003 workbook", (".xls",))
PPT = DetectedType("application/vnd.ms-powerpoint", "PowerPoint 97-2003 presentation", (".ppt",))
TEXT = DetectedType("text/plain", "plain text file", (".txt",))
CSV = DetectedType("text/csv", "CSV file", (".csv",))
MARKDOWN = DetectedType("text/markdown", "Markdown file", (".md", ".markdown"))

ALLOWED_TYPES: tuple[DetectedType, ...] = (
    PDF,
    PNG,
    JPEG,
    GIF,
    WEBP,
    TIFF,
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    ODP,
    DOC,
    XLS,
    PPT,
    TEXT,
    CSV,
    MARKDOWN,
)
TEXT_TYPES = (TEXT, CSV, MARKDOWN)

# types we recognise but refuse; the label is what the refusal message says the content looks like
EMPTY = DetectedType("application/x-empty", "empty file")
BINARY = DetectedType("application/octet-stream", "file we do not recognise")
NON_UTF8_TEXT = DetectedType("text/plain", "text that is not UTF-8")
ZIP = DetectedType("application/zip", "ZIP archive", (".zip",))
DAMAGED_ZIP = DetectedType("application/zip", "damaged ZIP archive")
OLE_STORAGE = DetectedType(
    "application/x-ole-storage", "Office 97-2003 document", (".doc", ".xls", ".ppt")
)
HTML = DetectedType("text/html", "HTML page", (".html", ".htm"))
XML = DetectedType("application/xml", "XML document", (".xml", ".svg"))
DOCM = DetectedType(
    "application/vnd.ms-word.document.macroEnabled.12", "macro-enabled Word document", (".docm",)
)
XLSM = DetectedType(
    "application/vnd.ms-excel.sheet.macroEnabled.12", "macro-enabled Excel workbook", (".xlsm",)
)
PPTM = DetectedType(
    "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    "macro-enabled PowerPoint presentation",
    (".pptm",),
)

EXPECTED_BY_EXTENSION = {ext: kind for kind in ALLOWED_TYPES for ext in kind.extensions}
LEGACY_OFFICE_BY_EXTENSION = {".doc": DOC, ".xls": XLS, ".ppt": PPT}
# filetype's names for the types we accept, and friendlier labels for some we refuse
KNOWN_BY_MIME = {kind.mime: kind for kind in (PDF, PNG, JPEG, GIF, WEBP, TIFF)} | {
    "application/x-msdownload": DetectedType(
        "application/x-msdownload", "Windows program", (".exe",)
    ),
    "application/x-executable": DetectedType("application/x-executable", "Linux program"),
}
# the main part's content type, searched as bytes so that no XML parser sees untrusted input;
# macro-enabled variants come first so that a renamed .docm is never taken for a .docx
OOXML_MAIN_PARTS = (
    (b"ms-word.document.macroEnabled.main+xml", "word/", DOCM),
    (b"ms-excel.sheet.macroEnabled.main+xml", "xl/", XLSM),
    (b"ms-powerpoint.slideshow.macroEnabled.main+xml", "ppt/", PPTM),
    (b"ms-powerpoint.presentation.macroEnabled.main+xml", "ppt/", PPTM),
    (b"wordprocessingml.document.main+xml", "word/", DOCX),
    (b"spreadsheetml.sheet.main+xml", "xl/", XLSX),
    (b"presentationml.presentation.main+xml", "ppt/", PPTX),
)
OPENDOCUMENT_BY_MIMETYPE = {kind.mime.encode(): kind for kind in (ODT, ODS, ODP)}
MARKUP_STARTS = (
    ("<!doctype html", HTML),
    ("<html", HTML),
    ("<head", HTML),
    ("<body", HTML),
    ("<script", HTML),
    ("<iframe", HTML),
    ("<?xml", XML),
    ("<svg", XML),
)
# errors that a damaged, truncated or hostile zip raises while its directory or a member is read
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)


# -- the public API ----------------------------------------------------------------------------


def detect(head: bytes, *, filename: str, stream: BinaryIO | None = None) -> DetectedType:
    """Return the type of a file from its first bytes and, for containers and text, its stream.

    ``head`` holds the file's first bytes (``HEAD_SIZE`` is enough). The seekable ``stream``, when
    given, lets zip containers be opened and text be checked to its end; it is left where it was.
    The file name only chooses among types that content alone cannot tell apart (CSV or Markdown
    among texts, Word, Excel or PowerPoint among Office 97-2003 files).
    """
    if not head:
        return EMPTY
    extension = file_extension(filename)
    if head.startswith(ZIP_MAGICS):
        if stream is None:
            return _zip_of(head)
        return _with_position_kept(stream, _detect_zip_container)
    if head.startswith(OLE_MAGIC):
        return LEGACY_OFFICE_BY_EXTENSION.get(extension, OLE_STORAGE)
    if head.startswith(UTF16_BOMS):
        return NON_UTF8_TEXT
    if _looks_like_text(head) and not head.startswith(PDF_MAGIC):
        # short magic numbers ("BM", "GIF") also begin ordinary sentences, so text wins over them
        return _detect_text(head, extension, stream)
    kind = filetype.guess(head)
    if kind is None:
        return BINARY
    return KNOWN_BY_MIME.get(kind.mime) or DetectedType(
        kind.mime, f".{kind.extension} file", (f".{kind.extension}",)
    )


def check_upload(stream: BinaryIO, filename: str) -> DetectedType:
    """Return the type of an upload, or raise ``UnsupportedFileType`` saying why it is refused.

    The content decides the type; the extension, when there is one, must name that same type.
    The seekable ``stream`` is left at position 0 whatever the outcome.
    """
    name = safe_filename(filename)
    extension = file_extension(name)
    try:
        if extension and extension not in EXPECTED_BY_EXTENSION:
            raise UnsupportedFileType(_not_accepted(name))
        stream.seek(0)
        head = stream.read(HEAD_SIZE)
        if not head:
            raise UnsupportedFileType(f'"{name}" is empty.')
        detected = detect(head, filename=name, stream=stream)
        if extension:
            _check_matches(name, EXPECTED_BY_EXTENSION[extension], detected)
        else:
            _check_allowed(name, detected)
        return detected
    finally:
        stream.seek(0)


def safe_filename(name: str | None) -> str:
    """Return the name users see for an upload: no folders, no control characters, never empty.

    Names longer than ``FILENAME_MAX_LENGTH`` characters are shortened, keeping the extension.
    """
    name = unicodedata.normalize("NFC", name or "")
    # browsers on Windows may send the whole path, with either separator
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # format characters include right-to-left overrides that disguise "gpj.exe" as "exe.jpg"
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX_LENGTH:
        name = _shorten(name)
    return name or FALLBACK_FILENAME


def file_extension(filename: str) -> str:
    """Return the lower-case extension of a file name with its dot, or "" when it has none."""
    extension = os.path.splitext(filename)[1].lower()
    return extension if 1 < len(extension) <= EXTENSION_MAX_LENGTH else ""


# -- refusals ----------------------------------------------------------------------------------


def _check_matches(name: str, expected: DetectedType, detected: DetectedType) -> None:
    """Raise ``UnsupportedFileType`` unless the content is the type the extension names."""
    if detected == expected:
        return
    if expected in TEXT_TYPES and detected == BINARY:
        raise UnsupportedFileType(
            f'"{name}" does not look like plain text (it contains binary data).'
        )
    if expected in TEXT_TYPES and detected == NON_UTF8_TEXT:
        raise UnsupportedFileType(_not_utf8(name))
    claim = f'"{name}" is not {_with_article(expected.label)}'
    if detected == BINARY:
        raise UnsupportedFileType(f"{claim}: we could not recognise its content.")
    raise UnsupportedFileType(f"{claim}: its content looks like {_with_article(detected.label)}.")


def _check_allowed(name: str, detected: DetectedType) -> None:
    """Raise ``UnsupportedFileType`` unless content without an extension is a type we accept."""
    if detected in ALLOWED_TYPES:
        return
    if detected == NON_UTF8_TEXT:
        raise UnsupportedFileType(_not_utf8(name))
    if detected == OLE_STORAGE:
        raise UnsupportedFileType(
            f'"{name}" looks like an Office 97-2003 document: add its extension '
            "(.doc, .xls or .ppt) and upload it again."
        )
    raise UnsupportedFileType(_not_accepted(name))


def _not_accepted(name: str) -> str:
    """Return the message for a file whose type we do not accept at all."""
    return f'"{name}" is not a type we accept ({ACCEPTED_SUMMARY}).'


def _not_utf8(name: str) -> str:
    """Return the message for text in another encoding than UTF-8."""
    return f'"{name}" is not UTF-8 text: save it with the UTF-8 encoding and upload it again.'


def _with_article(label: str) -> str:
    """Return the label behind "a" or "an", as it is spoken."""
    # "HTML" and "XML" are spelled out, so they take "an" although they begin with a consonant
    spoken_vowel = label[0].lower() in "aeiou" or label.startswith(("HTML", "XML"))
    return f"{'an' if spoken_vowel else 'a'} {label}"


# -- zip containers ----------------------------------------------------------------------------


def _zip_of(head: bytes) -> DetectedType:
    """Return the type of a zip container that is whole within ``head``."""
    return _detect_zip_container(io.BytesIO(head))


def _detect_zip_container(stream: BinaryIO) -> DetectedType:
    """Return which office document a zip container holds, or that it is a (damaged) archive."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return _office_type(archive) or ZIP
    except ZIP_ERRORS:
        return DAMAGED_ZIP


def _office_type(archive: zipfile.ZipFile) -> DetectedType | None:
    """Return the Office Open XML or OpenDocument type of an open archive, if it is one."""
    names = set(archive.namelist())
    if "mimetype" in names:
        kind = OPENDOCUMENT_BY_MIMETYPE.get(_read_member(archive, "mimetype").strip())
        if kind:
            return kind
    if "[Content_Types].xml" not in names:
        return None
    content_types = _read_member(archive, "[Content_Types].xml")
    for marker, folder, kind in OOXML_MAIN_PARTS:
        if marker in content_types and any(name.startswith(folder) for name in names):
            return kind
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """Return at most ``ZIP_MEMBER_READ_LIMIT`` bytes of a member, decompressing no more."""
    with archive.open(name) as member:
        return member.read(ZIP_MEMBER_READ_LIMIT)


# -- text --------------------------------------------------------------------------------------


def _looks_like_text(data: bytes) -> bool:
    """Tell whether bytes have no NUL and few enough control characters to be text."""
    return b"\0" not in data and _control_count(data) <= len(data) * TEXT_MAX_CONTROL_RATIO


def _control_count(data: bytes) -> int:
    """Return how many bytes of ``data`` are control characters unusual in text."""
    return len(data) - len(data.translate(None, CONTROL_BYTES))


def _detect_text(head: bytes, extension: str, stream: BinaryIO | None) -> DetectedType:
    """Return the text type of content whose head looks like text, reading the stream through."""
    if stream is None:
        # the head may end inside a multi-byte character when it is not the whole file
        verdict = _text_verdict(iter([head]), complete=len(head) < HEAD_SIZE)
    else:
        verdict = _with_position_kept(stream, lambda s: _text_verdict(_chunks(s), complete=True))
    if verdict != TEXT:
        return verdict
    by_extension = EXPECTED_BY_EXTENSION.get(extension)
    if by_extension in TEXT_TYPES:
        return by_extension
    return _markup_type(head) or TEXT


def _text_verdict(chunks: Iterator[bytes], *, complete: bool) -> DetectedType:
    """Return ``TEXT`` for UTF-8 text, ``NON_UTF8_TEXT`` for other text, else ``BINARY``."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    is_utf8 = True
    size = controls = 0
    for chunk in chunks:
        if b"\0" in chunk:
            return BINARY
        size += len(chunk)
        controls += _control_count(chunk)
        is_utf8 = is_utf8 and _decodes(decoder, chunk, final=False)
    is_utf8 = is_utf8 and (not complete or _decodes(decoder, b"", final=True))
    if controls > size * TEXT_MAX_CONTROL_RATIO:
        return BINARY
    return TEXT if is_utf8 else NON_UTF8_TEXT


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, *, final: bool) -> bool:
    """Tell whether the next chunk continues valid UTF-8."""
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _markup_type(head: bytes) -> DetectedType | None:
    """Return HTML or XML when text opens like markup, which browsers would render."""
    opening = head[:1024].decode("utf-8-sig", errors="ignore").lstrip().lower()
    return next((kind for start, kind in MARKUP_STARTS if opening.startswith(start)), None)


# -- streams -----------------------------------------------------------------------------------


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """Yield a stream's content from its start in ``TEXT_CHUNK_SIZE`` pieces."""
    stream.seek(0)
    while chunk := stream.read(TEXT_CHUNK_SIZE):
        yield chunk


def _with_position_kept(stream: BinaryIO, read: Callable[[BinaryIO], DetectedType]) -> DetectedType:
    """Return ``read(stream)`` and put the stream back where it was."""
    position = stream.tell()
    try:
        stream.seek(0)
        return read(stream)
    finally:
        stream.seek(position)


def _shorten(name: str) -> str:
    """Return a long name cut to ``FILENAME_MAX_LENGTH`` characters, keeping its extension."""
    stem, extension = os.path.splitext(name)
    if not file_extension(name):
        stem, extension = name, ""
    return stem[: FILENAME_MAX_LENGTH - len(extension)].rstrip(" .") + extension
