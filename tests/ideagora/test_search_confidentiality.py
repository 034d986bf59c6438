"""Search never finds nor shows confidential text, confidential files, or drafts."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from ideagora.accounts.models import User
from ideagora.attachments import services as attachments
from ideagora.database import db
from tests.ideagora.search_world import make_challenge, make_offer
from tests.uploads import load_listing, pdf

BRIEF_MARKER = "quokkabrief7731"
DOSSIER_MARKER = "wombatdossier4410"
FILE_MARKER = "numbatfile9902"
DRAFT_MARKER = "bilbydraft5523"
MARKERS = (BRIEF_MARKER, DOSSIER_MARKER, FILE_MARKER, DRAFT_MARKER)


@pytest.fixture
def world(app, driver):
    owner = driver.person(organization="Secretive Sensors")
    challenge_id = make_challenge(
        app,
        owner,
        title="Corrosion sensing for offshore wind",
        confidential_brief=f"Our budget code is {BRIEF_MARKER}; corrosion limit 0.1 mm.",
    )
    asset_id = make_offer(
        app,
        owner,
        title="Corrosion sensing coating",
        confidential_dossier=f"Recipe {DOSSIER_MARKER}: corrosion inhibitor at 2 %.",
    )
    with app.app_context():
        user = db.session.get(User, owner.id)
        attachments.add_attachment(
            db.session,
            user,
            load_listing("asset", asset_id),
            io.BytesIO(pdf(f"corrosion {FILE_MARKER}")),
            f"{FILE_MARKER}-corrosion-results.pdf",
            confidential=True,
            ip_address=None,
        )
        db.session.commit()
    make_offer(app, owner, publish=False, title=f"Corrosion {DRAFT_MARKER} probe")
    return {"owner": owner, "challenge": challenge_id, "asset": asset_id}


def searches(marker: str) -> list[str]:
    return [marker, f'"{marker}"', f"{marker[:8]}*", f"title:{marker}", f"corrosion {marker}"]


@pytest.mark.parametrize("marker", MARKERS)
def test_no_api_search_finds_or_shows_the_marker(client, world, marker) -> None:
    for q in searches(marker):
        for kind in ("all", "challenge", "asset"):
            response = client.get(f"/api/v1/search?{urlencode({'q': q, 'type': kind})}")
            assert response.status_code == 200
            body = response.json
            text = response.get_data(as_text=True)
            assert marker not in text
            if q != f"corrosion {marker}":
                assert body["total"] == 0, (q, body["items"])


@pytest.mark.parametrize("marker", MARKERS)
def test_no_search_page_finds_or_shows_the_marker(client, world, marker) -> None:
    for q in searches(marker):
        response = client.get(f"/search?{urlencode({'q': q})}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        # the page repeats the query in its search box: look only at the results
        results = html.split('id="result-count"', 1)[1]
        assert marker not in results
        if q != f"corrosion {marker}":
            assert ">0 results<" in html


def test_every_snippet_of_a_broad_search_is_public_text(client, world) -> None:
    body = client.get("/api/v1/search?q=corrosion&per_page=100").json
    assert {item["id"] for item in body["items"]} == {world["challenge"], world["asset"]}
    for marker in MARKERS:
        assert marker not in str(body)
    html = client.get("/search?q=corrosion").get_data(as_text=True)
    for marker in MARKERS:
        assert marker not in html


def test_even_the_owner_does_not_find_their_confidential_text(client, driver, world) -> None:
    owner_client = driver.logged_in_client(world["owner"])
    html = owner_client.get(f"/search?q={BRIEF_MARKER}").get_data(as_text=True)
    assert ">0 results<" in html
    headers = driver.token(client, world["owner"])
    assert client.get(f"/api/v1/search?q={DOSSIER_MARKER}", headers=headers).json["total"] == 0
