"""Load a generated corpus into a real database through the app, index it, and serve it.

The HTTP benchmarks share this: :func:`deploy` migrates an SQLite database in a work
directory, creates and publishes a first part of the offers through the asset services (to
time that path; each commit also feeds the search outbox), bulk-inserts the rest with
SQLAlchemy Core (far faster at 100,000 offers, and it writes no outbox rows), posts and
publishes the challenges through the challenge services, and builds the index with
``flask search reindex``. :func:`serve` then
starts ``gunicorn -c gunicorn.conf.py wsgi:app`` on that database with ``IDEAGORA_*`` settings,
through the same launcher the live-server tests use.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ideagora import create_app
from ideagora.accounts import services as accounts
from ideagora.assets import services as assets
from ideagora.assets.models import Asset, AssetField, AssetStatus, DealType, PatentStatus
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.organizations.models import Organization, OrganizationKind
from search.documents import ListingDocument

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))  # the test suite's live-server launcher lives in tests/

from tests.services.live_server import LiveServer, server_env, start_gunicorn  # noqa: E402

PASSWORD = "bench-password-4821"  # noqa: S105 - a throw-away account of the benchmark
LICENSOR = "licensor@bench.example"
SEEKER = "seeker@bench.example"
BATCH = 2_000
SERVICE_BATCH = 250
DOSSIER = "Process window and yields: see the data room."
FLASK = str(Path(sys.executable).parent / "flask")


@dataclass
class Deployment:
    """A loaded database and index in ``work_dir``, and how long each step took."""

    work_dir: Path
    settings: dict[str, str]
    challenge_ids: list[int] = field(default_factory=list)
    licensor_offer_ids: list[int] = field(default_factory=list)
    timings: list[tuple[str, int, float]] = field(default_factory=list)

    def flask(self, *args: str, timeout: float = 3_600) -> str:
        """Run ``flask --app ideagora ARGS`` on this deployment; return its output."""
        env = server_env(self.work_dir, self.settings)
        completed = subprocess.run(
            [FLASK, "--app", "ideagora", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(
                f"`flask {' '.join(args)}` exited with {completed.returncode}:\n"
                f"{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
            )
        return completed.stdout


def settings_for(work_dir: Path, search_sync: str) -> dict[str, str]:
    """Return the ``IDEAGORA_*`` settings of the benchmark's database and index."""
    return {
        "IDEAGORA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{work_dir / 'bench.sqlite3'}",
        "IDEAGORA_SEARCH_INDEX_DIR": str(work_dir / "search"),
        "IDEAGORA_SEARCH_SYNC": search_sync,
        "IDEAGORA_LOGIN_RATE_LIMIT": "1000 per minute",
        "IDEAGORA_LOG_LEVEL": "warning",
    }


def deploy(
    work_dir: Path,
    offers: Sequence[ListingDocument],
    challenge_documents: Sequence[ListingDocument],
    *,
    through_service: int = 1_000,
    search_sync: str = "background",
) -> Deployment:
    """Create, fill and index a database in ``work_dir``; print each step's rate."""
    deployment = Deployment(work_dir, settings_for(work_dir, search_sync))
    started = time.perf_counter()
    deployment.flask("db", "upgrade")
    deployment.timings.append(("migrate the database", 1, time.perf_counter() - started))
    app = create_app(
        {
            "SECRET_KEY": "bench-loader",
            "SQLALCHEMY_DATABASE_URI": deployment.settings["IDEAGORA_SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": deployment.settings["IDEAGORA_SEARCH_INDEX_DIR"],
            "SEARCH_SYNC": "inline",
            "MAIL_BACKEND": "memory",
            "STORAGE_BACKEND": "memory",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with app.app_context():
        # tables the migrations do not know yet (a new feature's) are created as the tests do
        db.create_all()
        licensor = _register(LICENSOR, "Bench Licensing Office", "university")
        seeker = _register(SEEKER, "Bench Seeker Labs", "company")
        head, rest = offers[:through_service], offers[through_service:]
        _timed(deployment, "offers via asset services", len(head), lambda: _create(licensor, head))
        _timed(deployment, "offers via SQLAlchemy Core", len(rest), lambda: _insert(rest))
        deployment.licensor_offer_ids = list(
            db.session.scalars(
                sa.select(Asset.id).where(
                    Asset.organization_id == licensor.membership.organization_id
                )
            )
        )
        _timed(
            deployment,
            "challenges via services",
            len(challenge_documents),
            lambda: deployment.challenge_ids.extend(_post(seeker, challenge_documents)),
        )
        db.session.remove()
        db.engine.dispose()
    total = len(offers) + len(challenge_documents)
    _timed(deployment, "flask search reindex", total, lambda: deployment.flask("search", "reindex"))
    return deployment


def serve(deployment: Deployment, workers: int) -> LiveServer:
    """Start gunicorn with ``workers`` sync workers on the deployment; stop it with ``.stop()``."""
    return start_gunicorn(deployment.work_dir, workers=workers, extra_env=deployment.settings)


def token(server: LiveServer, email: str) -> str:
    """Return an API token for a benchmark account."""
    credentials = {"email": email, "password": PASSWORD}
    status, body = call("POST", f"{server.url}/api/v1/tokens", json_body=credentials)
    if status not in (200, 201):
        raise SystemExit(f"POST /api/v1/tokens answered {status}: {body[:300]!r}")
    return json.loads(body)["token"]


def get(url: str, token_value: str | None = None, timeout: float = 60) -> tuple[int, bytes]:
    """GET a URL; return its status and body (errors included, never raised)."""
    return call("GET", url, token_value, timeout=timeout)


def call(
    method: str,
    url: str,
    token_value: str | None = None,
    json_body: object = None,
    timeout: float = 60,
) -> tuple[int, bytes]:
    """Send one request on a new connection; return its status and body (errors included)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"the benchmarks only talk to their own server, not {url}")
    headers = {"Authorization": f"Bearer {token_value}"} if token_value else {}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310 - checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def print_timings(deployment: Deployment) -> None:
    """Print how long loading and indexing took, with rates."""
    from report import print_table

    rows = [
        (step, f"{count:,}", f"{seconds:.1f}", f"{count / seconds:,.0f}" if seconds else "-")
        for step, count, seconds in deployment.timings
    ]
    print_table(("loading step", "listings", "seconds", "per second"), rows)


def _timed(deployment: Deployment, step: str, count: int, action) -> None:
    started = time.perf_counter()
    action()
    deployment.timings.append((step, count, time.perf_counter() - started))


def _register(email: str, organisation: str, kind: str):
    registration = accounts.Registration("Bench Officer", email, PASSWORD, organisation, kind)
    user = accounts.register(db.session, registration, ip_address=None)
    db.session.commit()
    return user


def _create(user, offers: Sequence[ListingDocument]) -> None:
    """Create and publish offers through the asset services, committing batch by batch."""
    for start in range(0, len(offers), SERVICE_BATCH):
        for offer in offers[start : start + SERVICE_BATCH]:
            data = {
                "title": offer.title,
                "summary": offer.summary,
                "description": offer.description,
                "confidential_dossier": DOSSIER,
                "keywords": list(offer.keywords),
                "fields": list(offer.fields),
                "patent_numbers": list(offer.patent_numbers),
                "patent_status": offer.patent_status,
                "jurisdictions": ["US", "EP"],
                "trl": offer.trl,
                "deal_types": list(offer.deal_types),
            }
            asset = assets.create_asset(db.session, user, data, ip_address=None, record=False)
            assets.change_status(db.session, user, asset, "publish", ip_address=None, record=False)
        db.session.commit()


def _insert(offers: Sequence[ListingDocument]) -> None:
    """Insert published offers and their fields in batches, one organisation per owner."""
    owners: dict[str, int] = {}
    next_id = (db.session.scalar(sa.select(sa.func.max(Asset.id))) or 0) + 1
    now = datetime.now(UTC)
    for start in range(0, len(offers), BATCH):
        batch = offers[start : start + BATCH]
        for offer in batch:
            if offer.owner_key not in owners:
                owners[offer.owner_key] = _organisation(offer.owner, now)
        rows, links = [], []
        for number, offer in enumerate(batch, start=next_id + start):
            rows.append(_asset_row(number, offer, owners[offer.owner_key], now))
            links.extend({"asset_id": number, "slug": slug} for slug in offer.fields)
        db.session.execute(sa.insert(Asset.__table__), rows)
        db.session.execute(sa.insert(AssetField.__table__), links)
        db.session.commit()


def _organisation(name: str, now: datetime) -> int:
    key = " ".join(name.lower().split())
    return db.session.execute(
        sa.insert(Organization.__table__).returning(Organization.__table__.c.id),
        {
            "name": name,
            "name_key": key,
            "kind": OrganizationKind.UNIVERSITY,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()


def _asset_row(number: int, offer: ListingDocument, organisation_id: int, now: datetime) -> dict:
    return {
        "id": number,
        "title": offer.title,
        "summary": offer.summary,
        "description": offer.description,
        "keywords": list(offer.keywords),
        "nda_approval_required": False,
        "published_at": offer.published_at,
        "version": 1,
        "organization_id": organisation_id,
        "created_by_id": None,
        "created_at": offer.published_at,
        "updated_at": now,
        "confidential_dossier": DOSSIER,
        "patent_numbers": list(offer.patent_numbers),
        "patent_status": PatentStatus(offer.patent_status),
        "jurisdictions": ["US", "EP"],
        "trl": offer.trl,
        "fields_of_use": [],
        "deal_types": [DealType(value).value for value in offer.deal_types],
        "indicative_terms": "",
        "status": AssetStatus.PUBLISHED,
    }


def _post(user, documents: Sequence[ListingDocument]) -> list[int]:
    ids = []
    for document in documents:
        data = {
            "title": document.title,
            "summary": document.summary,
            "description": document.description,
            "confidential_brief": "Our target cost and volumes are in the data room.",
            "keywords": list(document.keywords),
            "fields": list(document.fields),
            "challenge_type": "technology_scouting",
            "deadline": document.open_until.date().isoformat(),
            "ip_terms": document.deal_types[0],
            "trl_sought": document.trl,
            "award_amount": "25000",
            "currency": "EUR",
        }
        challenge = challenges.create_challenge(db.session, user, data, ip_address=None)
        challenges.change_status(db.session, user, challenge, "publish", ip_address=None)
        ids.append(challenge.id)
    db.session.commit()
    return ids
