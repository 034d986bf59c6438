"""Files of IP offers for the import tests: good rows to start from, in CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json

from ideagora.assets.import_files import COLUMNS

HEADER = [column.name for column in COLUMNS]


def offer(number: int = 1, **changes) -> dict:
    """Return one good offer as a JSON Lines object."""
    row = {
        "title": f"Self-healing coating for offshore steel, variant {number}",
        "summary": "A polymer coating that closes scratches by itself within a day.",
        "description": "Microcapsules of a healing agent burst when the coating is scratched.",
        "confidential_dossier": "Capsule wall: 40 nm; agent ratio 3:1.",
        "keywords": ["coating", "corrosion"],
        "fields": ["materials"],
        "patent_numbers": ["EP 1234567"],
        "patent_status": "pending",
        "jurisdictions": ["EP", "US"],
        "trl": 4,
        "fields_of_use": ["offshore wind", "shipping"],
        "deal_types": ["exclusive_license"],
        "indicative_terms": "Royalty on net sales.",
        "nda_approval_required": False,
    }
    row.update(changes)
    return row


def csv_cells(number: int = 1, **changes) -> dict:
    """Return one good offer as CSV cells."""
    cells = {
        "title": f"Self-healing coating for offshore steel, variant {number}",
        "summary": "A polymer coating that closes scratches by itself within a day.",
        "description": "Microcapsules of a healing agent burst when the coating is scratched.",
        "confidential_dossier": "Capsule wall: 40 nm; agent ratio 3:1.",
        "keywords": "coating; corrosion",
        "fields": "materials",
        "patent_numbers": "US 10,123,456 B2; EP 1234567",
        "patent_status": "granted",
        "jurisdictions": "EP, US",
        "trl": "4",
        "fields_of_use": "offshore wind; shipping",
        "deal_types": "exclusive_license; option",
        "indicative_terms": "Royalty on net sales.",
        "nda_approval_required": "no",
    }
    cells.update(changes)
    return cells


def csv_file(*rows: dict, header: list[str] | None = None, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=header or HEADER, delimiter=delimiter, lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode()


def jsonl_file(*objects) -> bytes:
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in objects).encode()
