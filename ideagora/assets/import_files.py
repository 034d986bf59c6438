"""Read files of many IP offers (CSV or JSON Lines) into rows for the import to check.

Whole-file problems (not UTF-8, empty, a CSV header with missing or unknown columns, too
many rows) raise ``ValidationFailed`` before anything is created; a problem with one row
becomes that row's error and never stops the others.

Row numbers are the line numbers a person sees in their file: in a JSON Lines file, the
line of the object; in a CSV file, the line on which the record starts, so the header is
row 1 and the first offer is row 2 (the same as a spreadsheet's row numbers, as long as
no cell holds a line break).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from ideagora.errors import ValidationFailed

CSV, JSONL = "csv", "jsonl"
FORMATS = (CSV, JSONL)
CONTENT_TYPES = {
    "text/csv": CSV,
    "application/csv": CSV,
    "application/x-ndjson": JSONL,
    "application/ndjson": JSONL,
    "application/jsonl": JSONL,
    "application/x-jsonl": JSONL,
    "application/jsonlines": JSONL,
    "application/x-jsonlines": JSONL,
}
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "1"}, {"false", "no", "0"}
CSV_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    """A column of the CSV format: what it holds and how a cell is written."""

    name: str
    required: bool
    kind: str  # "text", "number", "flag", "list" (";" or ","), "semicolon_list" (";" only)
    help: str
    example: str


COLUMNS = (
    Column("title", True, "text", "Up to 200 characters.", "Low-temperature curing of bio-epoxy"),
    Column(
        "summary",
        True,
        "text",
        "The public teaser, up to 600 characters.",
        "A plant-oil epoxy that cures at 60 °C instead of 120 °C.",
    ),
    Column(
        "description",
        False,
        "text",
        "Public description, up to 20,000 characters.",
        "A catalyst system lets epoxidised vegetable oils cure at low heat.",
    ),
    Column(
        "confidential_dossier",
        False,
        "text",
        "Seen only by your organisation and those you disclose it to under an NDA.",
        "Best results with 2.5 % catalyst at 62 °C.",
    ),
    Column("keywords", False, "list", "Up to 20 keywords.", "epoxy; bio-based; curing"),
    Column(
        "fields",
        True,
        "list",
        "Technical-field slugs, as listed at /api/v1/fields.",
        "materials; chemistry",
    ),
    Column(
        "patent_numbers",
        False,
        "semicolon_list",
        "Needed when the patent status is granted or pending.",
        "US 10,123,456 B2; EP 1234567",
    ),
    Column(
        "patent_status",
        True,
        "text",
        "One of: granted, pending, provisional, know_how.",
        "granted",
    ),
    Column("jurisdictions", False, "list", "Two-letter codes.", "US; EP; JP"),
    Column("trl", True, "number", "Technology readiness level, 1 to 9.", "5"),
    Column(
        "fields_of_use",
        False,
        "semicolon_list",
        "Fields of use available for licensing.",
        "wind-turbine blades; sports goods",
    ),
    Column(
        "deal_types",
        True,
        "list",
        "One or more of: exclusive_license, non_exclusive_license, assignment, "
        "collaboration, option.",
        "exclusive_license; option",
    ),
    Column(
        "indicative_terms",
        False,
        "text",
        "Free text, up to 2,000 characters.",
        "Exclusive licence by field; royalty of 3–5 % on net sales.",
    ),
    Column(
        "nda_approval_required",
        False,
        "flag",
        "true/false, yes/no or 1/0; empty means no.",
        "no",
    ),
    Column(
        "nda_template_id",
        False,
        "number",
        "The id of one of your NDA templates or the platform's; empty means the platform default.",
        "",
    ),
)
_COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED_COLUMNS = tuple(column.name for column in COLUMNS if column.required)


@dataclass(frozen=True)
class RowError:
    """Why one row of a file was not imported: its row number, a sentence, and per-field reasons."""

    row: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferRow:
    """One offer read from a file: its row number and either its values or why it is unreadable."""

    row: int
    data: dict[str, Any] | None = None
    error: RowError | None = None


@dataclass(frozen=True)
class OfferFile:
    """A file of offers read and checked as a whole, ready to import row by row."""

    file_format: str
    rows: list[OfferRow]
    sha256: str
    size: int


def refuse(message: str) -> ValidationFailed:
    """Return the error for a file that cannot be imported at all."""
    return ValidationFailed(message, fields={"file": message})


def detect_format(content: bytes, content_type: str | None = None) -> str:
    """Return ``csv`` or ``jsonl`` from a known content type, else from the first character."""
    known = CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if known:
        return known
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return JSONL if start == b"{" else CSV


def read_offers(
    content: bytes,
    *,
    max_rows: int,
    file_format: str | None = None,
    content_type: str | None = None,
) -> OfferFile:
    """Decode and split a file of offers into rows; refuse a file that is unusable as a whole."""
    if file_format is not None and file_format not in FORMATS:
        raise refuse(f"Choose the file format from: {', '.join(FORMATS)}.")
    text = _decode(content)
    if not text.strip():
        raise refuse("The file is empty: it has no offers to import.")
    file_format = file_format or detect_format(content, content_type)
    rows = _csv_rows(text) if file_format == CSV else _jsonl_rows(text)
    if not rows:
        raise refuse("The file has a header row but no offers under it.")
    if len(rows) > max_rows:
        raise refuse(
            f"The file has {len(rows):,} offers; one import takes at most {max_rows:,}. "
            "Split it into smaller files."
        )
    return OfferFile(file_format, rows, hashlib.sha256(content).hexdigest(), len(content))


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(
            f"The file is not UTF-8 text (byte {error.start + 1:,} cannot be read). Save it "
            'as UTF-8 (in Excel: "CSV UTF-8") and upload it again.'
        ) from None


def _jsonl_rows(text: str) -> list[OfferRow]:
    rows = []
    # JSON strings may hold U+2028 and other characters splitlines() would break on
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            rows.append(_jsonl_row(number, line))
    return rows


def _jsonl_row(number: int, line: str) -> OfferRow:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        message = f"This line is not valid JSON: {error.msg} (at character {error.colno})."
        return OfferRow(number, error=RowError(number, message))
    if not isinstance(value, dict):
        message = 'Each line must be one JSON object, like {"title": "...", "summary": "..."}.'
        return OfferRow(number, error=RowError(number, message))
    return OfferRow(number, data=value)


def _csv_rows(text: str) -> list[OfferRow]:
    delimiter = _delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[OfferRow] = []
    start = 1
    try:
        header = _header(next((cells for cells in reader if any(c.strip() for c in cells)), []))
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(_csv_row(start, header, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise refuse(
            f"The CSV file cannot be read from line {start:,} on: {error}. Check that every "
            "cell holding quotes, the delimiter or line breaks is in double quotes."
        ) from None
    return rows


def _delimiter(first_line: str) -> str:
    # the header names hold no delimiter of their own, so the commonest one separates them
    return max(CSV_DELIMITERS, key=first_line.count)


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    # spreadsheets often save empty columns after the last one: a column without a name is
    # ignored as long as it stays empty
    unknown = [name for name in names if name and name not in _COLUMNS_BY_NAME]
    if unknown:
        raise refuse(
            f"The header row names unknown columns: {', '.join(repr(n) for n in unknown)}. "
            f"The columns are: {', '.join(_COLUMNS_BY_NAME)}."
        )
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        raise refuse(f"The header row names a column twice: {', '.join(doubled)}.")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise refuse(
            f"The header row lacks the required columns: {', '.join(missing)}. The first row "
            "of the file must name the columns (download the template to start from)."
        )
    return names


def _csv_row(number: int, header: list[str], cells: list[str]) -> OfferRow:
    if len(cells) > len(header):
        message = (
            f"This row has {len(cells)} cells but the header names {len(header)} columns; "
            "put text that holds the delimiter in double quotes."
        )
        return OfferRow(number, error=RowError(number, message))
    unnamed = [index for index, cell in enumerate(cells) if not header[index] and cell.strip()]
    if unnamed:
        message = (
            f"Cell {unnamed[0] + 1} of this row is under a column the header does not name; "
            "name the column or empty the cell."
        )
        return OfferRow(number, error=RowError(number, message))
    data = {
        name: _cell_value(_COLUMNS_BY_NAME[name], cell)
        for name, cell in zip(header, cells, strict=False)
        if name and cell.strip()
    }
    return OfferRow(number, data=data)


def _cell_value(column: Column, cell: str) -> Any:
    if column.kind == "list":
        return _split(cell.replace(",", ";"))
    if column.kind == "semicolon_list":
        return _split(cell)
    if column.kind == "flag":
        word = cell.strip().lower()
        # any other word goes on to the offer's own checks, which name the field at fault
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else cell
    return cell


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def template_csv() -> str:
    """Return a CSV file with the header row and one example offer, to start a portfolio from."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    writer.writerow([column.example for column in COLUMNS])
    return buffer.getvalue()
