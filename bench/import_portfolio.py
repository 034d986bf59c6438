"""Time the bulk import of a 5,000-offer portfolio on SQLite (and PostgreSQL when configured).

Run on demand, not part of the test suite:

    .venv/bin/python bench/import_portfolio.py [--rows 5000] [--publish]

Set IDEAGORA_BENCH_DATABASE_URL (e.g. postgresql+psycopg://user@127.0.0.1/ideagora_bench,
an empty database that the benchmark may fill and empty) to time PostgreSQL too. The
portfolio is generated here from word lists, with a fixed seed, so every run imports the
same file. It is imported three times per database: through the service (as the CLI does),
through POST /api/v1/assets/import and through the upload page (reading the whole streamed
page), each committing batch by batch. Each must stay well inside gunicorn's 60 s timeout.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import tempfile
import time
from pathlib import Path

from ideagora import create_app
from ideagora.accounts import services as accounts
from ideagora.assets import importing
from ideagora.assets.import_files import COLUMNS
from ideagora.database import db

MATERIALS = [
    ("graphene oxide", "materials"),
    ("lignin", "materials"),
    ("perovskite", "energy"),
    ("silicon carbide", "electronics"),
    ("chitosan", "life-sciences"),
    ("cellulose nanofibre", "materials"),
    ("titanium alloy", "mechanical-engineering"),
    ("zeolite", "chemistry"),
    ("hydrogel", "medical-devices"),
    ("polylactic acid", "materials"),
    ("sodium-ion cathode", "energy"),
    ("metal-organic framework", "chemistry"),
    ("ceramic membrane", "environment"),
    ("peptide", "pharmaceuticals"),
    ("gallium nitride", "electronics"),
    ("recycled concrete aggregate", "construction"),
]
PROCESSES = [
    "low-temperature sintering",
    "solvent-free extrusion",
    "roll-to-roll printing",
    "enzymatic hydrolysis",
    "plasma surface treatment",
    "microwave-assisted synthesis",
    "additive manufacturing",
    "electrospinning",
    "supercritical CO2 extraction",
    "atomic layer deposition",
    "cold spraying",
    "continuous-flow crystallisation",
]
BENEFITS = [
    "halves the energy needed",
    "cuts processing time from hours to minutes",
    "removes the need for toxic solvents",
    "doubles the service life",
    "reaches 40 % lower cost per part",
    "works at ambient pressure",
    "raises the yield above 90 %",
    "uses only food-grade reagents",
    "survives 10,000 load cycles",
    "keeps its properties up to 300 °C",
]
USES = [
    "packaging",
    "wind-turbine blades",
    "wound dressings",
    "battery electrodes",
    "water treatment",
    "aircraft interiors",
    "sports goods",
    "precision agriculture",
    "orthopaedic implants",
    "power converters",
    "cosmetics",
    "building insulation",
]
PATENT_STATUSES = ["granted", "pending", "provisional", "know_how"]
DEALS = ["exclusive_license", "non_exclusive_license", "assignment", "collaboration", "option"]
JURISDICTIONS = ["US", "EP", "DE", "GB", "JP", "CN", "KR", "CA", "AU", "FR"]


def offer(number: int, rng: random.Random) -> dict[str, str]:
    """Return one varied offer as CSV cells."""
    material, field = rng.choice(MATERIALS)
    process, benefit = rng.choice(PROCESSES), rng.choice(BENEFITS)
    uses = rng.sample(USES, rng.randint(1, 3))
    status = rng.choice(PATENT_STATUSES)
    numbers = []
    if status in ("granted", "pending"):
        numbers = [f"US {rng.randint(10, 11)},{rng.randint(100, 999)},{rng.randint(100, 999)} B2"]
        if rng.random() < 0.5:
            numbers.append(f"EP {rng.randint(1_000_000, 3_999_999)}")
    return {
        "title": f"{process.capitalize()} of {material} for {uses[0]} (ref. {number:05d})",
        "summary": f"A route to {material} by {process} that {benefit}.",
        "description": (
            f"Our group developed {process} for {material}. Compared with the usual route it "
            f"{benefit}, and pilot batches of {rng.randint(2, 200)} kg have been made. "
            f"Suited to {', '.join(uses)}."
        ),
        "confidential_dossier": (
            f"Process window: {rng.randint(40, 400)} °C, {rng.randint(1, 60)} min; "
            f"precursor ratio {rng.randint(1, 9)}:{rng.randint(1, 9)}."
        ),
        "keywords": "; ".join([material, process, *uses[:2]]),
        "fields": field if rng.random() < 0.7 else f"{field}; manufacturing",
        "patent_numbers": "; ".join(numbers),
        "patent_status": status,
        "jurisdictions": "; ".join(rng.sample(JURISDICTIONS, rng.randint(1, 4))),
        "trl": str(rng.randint(2, 8)),
        "fields_of_use": "; ".join(uses),
        "deal_types": "; ".join(rng.sample(DEALS, rng.randint(1, 3))),
        "indicative_terms": rng.choice(
            ["", "Royalty of 2–4 % on net sales.", "Upfront fee plus milestones; open to talks."]
        ),
        "nda_approval_required": rng.choice(["yes", "no", ""]),
    }


def portfolio_csv(rows: int) -> bytes:
    """Return a CSV portfolio of ``rows`` offers, the same every time."""
    rng = random.Random(20_261_201)  # noqa: S311 - a repeatable portfolio, not a secret
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[column.name for column in COLUMNS])
    writer.writeheader()
    for number in range(1, rows + 1):
        writer.writerow(offer(number, rng))
    return buffer.getvalue().encode("utf-8")


PASSWORD = "bench-password-4821"  # noqa: S105 - a throw-away account of the benchmark


def run(database_url: str, content: bytes, *, publish: bool, empty_first: bool) -> None:
    """Import the portfolio through the service, the API and the upload page; print the rates."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_BACKEND": "memory",
            "STORAGE_BACKEND": "memory",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
            "RATELIMIT_ENABLED": False,
            # the page's form is posted by this script, not by a browser holding a token
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if empty_first:
            db.drop_all()
        db.create_all()
        registration = accounts.Registration(
            "Bench Officer", "bench@tto.example", PASSWORD, "Bench TTO", "university"
        )
        accounts.register(db.session, registration, ip_address=None)
        db.session.commit()
        backend = db.engine.dialect.name
    for path, importer in (("service", _service), ("api", _api), ("web page", _page)):
        started = time.perf_counter()
        created = importer(app, content, publish)
        seconds = time.perf_counter() - started
        print(
            f"{backend:>10} {path:>9}: {created:,} created, {seconds:5.1f} s, "
            f"{created / seconds:,.0f} rows/s"
        )
    with app.app_context():
        if empty_first:
            db.session.remove()
            db.drop_all()
        db.engine.dispose()


def _service(app, content: bytes, publish: bool) -> int:
    with app.app_context():
        user = accounts.find_user_by_email(db.session, "bench@tto.example")
        result = importing.import_assets(
            db.session,
            user,
            content,
            max_rows=app.config["IMPORT_MAX_ROWS"],
            content_type="text/csv",
            publish=publish,
            on_progress=lambda done, total: db.session.commit(),
        )
        db.session.commit()
        return len(result.created)


def _api(app, content: bytes, publish: bool) -> int:
    client = app.test_client()
    token = client.post(
        "/api/v1/tokens", json={"email": "bench@tto.example", "password": PASSWORD}
    ).json["token"]
    response = client.post(
        "/api/v1/assets/import" + ("?publish=true" if publish else ""),
        data=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    return response.json["created"]


def _page(app, content: bytes, publish: bool) -> int:
    client = app.test_client()
    client.post("/login", data={"email": "bench@tto.example", "password": PASSWORD})
    data = {"file": (io.BytesIO(content), "portfolio.csv"), "file_format": "csv"}
    if publish:
        data["publish"] = "y"
    response = client.post("/offers/import", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    return int(re.search(r"Done: ([\d,]+) offer", page).group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--publish", action="store_true", help="publish every offer at once")
    args = parser.parse_args()
    content = portfolio_csv(args.rows)
    print(f"portfolio: {args.rows:,} offers, {len(content) / 1e6:.1f} MB of CSV")
    with tempfile.TemporaryDirectory() as directory:
        sqlite_url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        run(sqlite_url, content, publish=args.publish, empty_first=False)
    postgres_url = os.environ.get("IDEAGORA_BENCH_DATABASE_URL")
    if postgres_url:
        run(postgres_url, content, publish=args.publish, empty_first=True)
    else:
        print("postgresql: skipped (set IDEAGORA_BENCH_DATABASE_URL to time it)")


if __name__ == "__main__":
    main()
