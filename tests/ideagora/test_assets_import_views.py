"""The import page: who may use it, the streamed progress and summary, and refusals."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ideagora.accounts.models import User
from ideagora.assets import services
from ideagora.assets.models import Asset, AssetStatus
from ideagora.database import db
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Organization, Role
from tests.offer_files import HEADER, csv_cells, csv_file, jsonl_file, offer

PAGE = "/offers/import"


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Tidewater Institute", kind="institute")
    return {
        "admin": admin,
        "officer": driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Elsewhere GmbH"),
    }


def upload(driver, client, content: bytes, name: str = "offers.csv", **data):
    return driver.submit(
        client,
        PAGE,
        {"file": (io.BytesIO(content), name), "file_format": "", **data},
        content_type="multipart/form-data",
    )


def asset_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Asset))


def without_membership(driver, people, name: str):
    with driver.app.app_context():
        organization = db.session.get(Organization, people["admin"].organization_id)
        admin = db.session.get(User, people["admin"].id)
        organizations.remove_member(
            db.session, organization, admin, people[name].id, ip_address=None
        )
        db.session.commit()


def test_the_page_documents_the_columns_and_offers_the_template(driver, people) -> None:
    member = driver.logged_in_client(people["member"])
    page = member.get(PAGE).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page
    for column in HEADER:
        assert f"<code>{column}</code>" in page
    assert 'href="/offers/import/template.csv"' in page
    assert "up to 10,000 offers in one CSV or JSON Lines file of at most 25 MB" in page
    # only admins and licensing officers are offered to publish at once
    assert 'name="publish"' not in page
    admin = driver.logged_in_client(people["admin"])
    assert 'name="publish"' in admin.get(PAGE).get_data(as_text=True)


def test_the_template_is_a_csv_file_with_every_column(client) -> None:
    response = client.get("/offers/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == ",".join(HEADER)
    assert len(lines) == 2


def test_an_import_streams_progress_then_a_summary_with_links_and_bad_rows(
    driver, people, app
) -> None:
    rows = [csv_cells(number) for number in range(1, 251)]
    rows[9]["trl"] = "11"
    rows[199]["deal_types"] = "rental"
    member = driver.logged_in_client(people["member"])
    response = upload(driver, member, csv_file(*rows))
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    page = response.get_data(as_text=True)
    assert "<script>" not in page
    # a progress line per committed batch of 50 rows
    values = re.findall(r'<progress max="250" value="(\d+)"', page)
    assert values == ["0", "50", "100", "150", "200", "250"]
    assert "250 of 250 rows" in page
    assert "Done: 248 offers created, 2 rows refused" in page
    assert re.search(r"<th scope=\"row\">11</th><td>trl: The technology readiness", page)
    assert re.search(r"<th scope=\"row\">201</th><td>deal_types: Unknown deal type", page)
    links = re.findall(r'<li><a href="/offers/(\d+)">([^<]+)</a></li>', page)
    assert len(links) == 248
    assert links[0][1] == "Self-healing coating for offshore steel, variant 1"
    assert asset_count(app) == 248
    # the drafts are the importer's organisation's: colleagues see them, outsiders do not
    path = f"/offers/{links[0][0]}"
    assert driver.logged_in_client(people["admin"]).get(path).status_code == 200
    assert driver.logged_in_client(people["outsider"]).get(path).status_code == 404


def test_progress_arrives_while_the_import_runs_and_each_batch_is_committed(
    driver, people, app
) -> None:
    member = driver.logged_in_client(people["member"])
    content = csv_file(*(csv_cells(number) for number in range(1, 301)))
    response = upload(driver, member, content)
    page, committed_when_shown = "", {}
    for chunk in response.response:
        page += chunk.decode() if isinstance(chunk, bytes) else chunk
        # a batch's line goes out once the batch is committed, before the next one starts
        for done in re.findall(r'<progress max="300" value="([1-9]\d*)"', page):
            if int(done) not in committed_when_shown:
                committed_when_shown[int(done)] = asset_count(app)
    response.close()
    assert committed_when_shown == {done: done for done in range(50, 301, 50)}
    assert page.index("Importing IP offers</h1>") < page.index('value="0"')
    assert page.index('value="0"') < page.index('value="100"')
    assert page.index('value="300"') < page.index("Done: 300 offers created")


def test_json_lines_are_imported_and_the_format_can_be_forced(driver, people, app) -> None:
    member = driver.logged_in_client(people["member"])
    content = jsonl_file(offer(1), offer(2))
    response = upload(driver, member, content, name="offers.txt", file_format="jsonl")
    assert "Done: 2 offers created, 0 rows refused" in response.get_data(as_text=True)
    assert asset_count(app) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (
            csv_file(header=[*HEADER, "price"]),
            "The header row names unknown columns: &#39;price&#39;",
        ),
        ("title;summary\nÉcole;x\n".encode("cp1252"), "The file is not UTF-8 text"),
        (b"title,summary\nA,B\n", "The header row lacks the required columns"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_on_the_form(
    driver, people, app, content, message
) -> None:
    member = driver.logged_in_client(people["member"])
    response = upload(driver, member, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert asset_count(app) == 0


def test_a_missing_file_is_asked_for(driver, people) -> None:
    member = driver.logged_in_client(people["member"])
    response = driver.submit(member, PAGE, {"file_format": ""})
    assert response.status_code == 422
    assert "Choose the file of offers to import." in response.get_data(as_text=True)


def test_too_many_rows_are_refused_as_a_whole(driver, people, app) -> None:
    app.config["IMPORT_MAX_ROWS"] = 2
    member = driver.logged_in_client(people["member"])
    response = upload(driver, member, csv_file(csv_cells(1), csv_cells(2), csv_cells(3)))
    assert response.status_code == 422
    assert "The file has 3 offers; one import takes at most 2." in response.get_data(as_text=True)
    assert asset_count(app) == 0


def test_a_file_over_the_size_limit_is_refused(driver, people, app) -> None:
    member = driver.logged_in_client(people["member"])
    token = driver.get_csrf(member, PAGE)
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    content = csv_file(*(csv_cells(number) for number in range(1, 20)))
    response = member.post(
        PAGE,
        data={"csrf_token": token, "file": (io.BytesIO(content), "offers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert asset_count(app) == 0


def test_a_database_failure_mid_import_keeps_the_committed_batches_and_says_so(
    driver, people, app, monkeypatch
) -> None:
    real_create = services.create_asset
    calls = []

    def failing_create(*args, **kwargs):
        calls.append(1)
        if len(calls) == 60:
            raise OperationalError("INSERT INTO assets", {}, Exception("disk I/O error"))
        return real_create(*args, **kwargs)

    monkeypatch.setattr(services, "create_asset", failing_create)
    member = driver.logged_in_client(people["member"])
    response = upload(driver, member, csv_file(*(csv_cells(n) for n in range(1, 121))))
    page = response.get_data(as_text=True)
    assert "the database could not save the rows after the first 50 of 120" in page
    assert "Stopped: 50 offers created" in page
    assert len(re.findall(r'<li><a href="/offers/\d+">', page)) == 50
    assert asset_count(app) == 50


def test_the_upload_needs_its_csrf_token(driver, people, app) -> None:
    member = driver.logged_in_client(people["member"])
    response = member.post(
        PAGE,
        data={"file": (io.BytesIO(csv_file(csv_cells())), "offers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert asset_count(app) == 0


# who may open the page, import drafts, and publish at once
ACCESS = [
    ("anonymous", 302, 302, 302),
    ("no organisation", 409, 409, 409),
    ("member", 200, 200, 422),
    ("officer", 200, 200, 200),
    ("admin", 200, 200, 200),
]


@pytest.mark.parametrize(("who", "page", "drafts", "published"), ACCESS)
def test_who_may_import(driver, people, app, who, page, drafts, published) -> None:
    if who == "anonymous":
        client = app.test_client()
    else:
        name = "member" if who == "no organisation" else who
        client = driver.logged_in_client(people[name])
        if who == "no organisation":
            without_membership(driver, people, name)
    assert client.get(PAGE).status_code == page
    # a CSRF token from a page everyone sees, so the refusal tested is the import's own
    token_page = "/account" if who != "anonymous" else "/login"
    token = driver.get_csrf(client, token_page)
    for publish, expected, offers in ((False, drafts, 1), (True, published, 2)):
        data = {"csrf_token": token, "file": (io.BytesIO(jsonl_file(offer())), "o.jsonl")}
        if publish:
            data["publish"] = "y"
        response = client.post(PAGE, data=data, content_type="multipart/form-data")
        assert response.status_code == expected, who
        body = response.get_data(as_text=True)
        if expected == 200:
            assert "Done: 1 offer created" in body
            assert asset_count(app) == offers
        elif expected == 302:
            assert "/login" in response.headers["Location"]
        elif expected == 409:
            assert "Join or create an organisation" in body
        else:
            assert "Only an admin or a licensing officer can publish offers at once" in body
    if published == 200:
        with app.app_context():
            statuses = db.session.scalars(sa.select(Asset.status).order_by(Asset.id)).all()
            assert statuses == [AssetStatus.DRAFT, AssetStatus.PUBLISHED]
    if drafts != 200:
        assert asset_count(app) == 0
