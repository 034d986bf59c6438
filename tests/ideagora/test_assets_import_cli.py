"""``flask assets import``: a portfolio file loaded from the command line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora.assets.models import Asset, AssetStatus
from ideagora.database import db
from ideagora.organizations.models import Role
from tests.offer_files import csv_cells, csv_file, jsonl_file, offer


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Lakeside Polytechnic", kind="university")
    return {
        "admin": admin,
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
    }


def statuses(app) -> list[AssetStatus]:
    with app.app_context():
        return db.session.scalars(sa.select(Asset.status).order_by(Asset.id)).all()


def test_a_good_file_is_imported_as_drafts(runner, app, people, tmp_path) -> None:
    path = tmp_path / "portfolio.csv"
    path.write_bytes(csv_file(*(csv_cells(number) for number in range(1, 151))))
    result = runner.invoke(args=["assets", "import", str(path), "--as", people["member"].email])
    assert result.exit_code == 0, result.output
    assert "Importing offers" in result.output
    assert "150 of 150 rows imported as drafts of Lakeside Polytechnic; 0 refused." in result.output
    assert statuses(app) == [AssetStatus.DRAFT] * 150


def test_bad_rows_are_listed_and_the_exit_status_is_1(runner, app, people, tmp_path) -> None:
    path = tmp_path / "portfolio.jsonl"
    path.write_bytes(jsonl_file(offer(1), offer(2, trl=0), offer(3, fields=["alchemy"])))
    result = runner.invoke(args=["assets", "import", str(path), "--as", people["member"].email])
    assert result.exit_code == 1
    assert "1 of 3 rows imported as drafts" in result.output
    assert "row 2: trl: The technology readiness level (TRL) is a whole number" in result.stderr
    assert "row 3: fields: Unknown technical field: 'alchemy'." in result.stderr
    assert statuses(app) == [AssetStatus.DRAFT]


def test_publish_and_format_options(runner, app, people, tmp_path) -> None:
    path = tmp_path / "portfolio.txt"
    path.write_bytes(jsonl_file(offer(1)))
    args = ["assets", "import", str(path), "--as", people["admin"].email, "--publish"]
    result = runner.invoke(args=[*args, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 rows imported as published offers" in result.output
    assert statuses(app) == [AssetStatus.PUBLISHED]


@pytest.mark.parametrize(
    ("content", "extra", "who", "message"),
    [
        (b"", [], "member", "The file is empty"),
        (b"title,colour\n", [], "member", "The header row names unknown columns: 'colour'."),
        (jsonl_file(offer()), ["--publish"], "member", "Only an admin or a licensing officer"),
        (jsonl_file(offer()), [], "nobody@example.org", "There is no account with the e-mail"),
        (jsonl_file(offer()), ["--format", "xml"], "member", "Invalid value for '--format'"),
    ],
)
def test_refusals_explain_and_create_nothing(
    runner, app, people, tmp_path, content, extra, who, message
) -> None:
    path = tmp_path / "portfolio.csv"
    path.write_bytes(content)
    email = people[who].email if who in people else who
    result = runner.invoke(args=["assets", "import", str(path), "--as", email, *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert statuses(app) == []
