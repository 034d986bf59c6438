"""Following the outbox: every committed change reaches search, lock or no lock, CLI included."""

from __future__ import annotations

import logging
import shutil

import pytest
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset, AssetStatus, PatentStatus
from ideagora.database import db, utcnow
from ideagora.organizations.models import Organization
from ideagora.searching import services, sync
from ideagora.searching.locks import DrainLock
from tests.browse_catalogue import asset_data
from tests.ideagora.search_world import (
    change_offer_status,
    edit_offer,
    found,
    make_challenge,
    make_offer,
    search,
)


@pytest.fixture
def owner(driver):
    return driver.person(organization="Halden Materials")


@pytest.fixture
def callbacks(monkeypatch):
    """Start each test with no callbacks registered, and leave none behind."""
    registered: list = []
    monkeypatch.setattr(sync, "_callbacks", registered)
    return registered


def titles(client, **args) -> list[str]:
    return [item["title"] for item in search(client, **args)["items"]]


def test_create_publish_edit_withdraw_and_delete_are_searchable_at_once(app, client, owner):
    asset_id = make_offer(app, owner, publish=False, title="Graphene heat spreader")
    assert found(client, q="graphene") == set()

    change_offer_status(app, owner, asset_id, "publish")
    assert found(client, q="graphene") == {("asset", asset_id)}

    edit_offer(app, owner, asset_id, title="Boron nitride heat spreader")
    assert found(client, q="graphene") == set()
    assert titles(client, q="boron nitride") == ["Boron nitride heat spreader"]

    change_offer_status(app, owner, asset_id, "withdraw")
    assert found(client, q="boron") == set()

    other_id = make_offer(app, owner, title="Boron carbide armour tiles")
    assert found(client, q="boron") == {("asset", other_id)}
    with app.app_context():
        db.session.delete(db.session.get(Asset, other_id))
        db.session.commit()
    assert found(client, q="boron") == set()


def test_a_renamed_organisation_is_found_by_its_new_name(app, client, owner) -> None:
    asset_id = make_offer(app, owner, title="Thermal interface paste")
    with app.app_context():
        db.session.get(Organization, owner.organization_id).name = "Kestrel Thermal"
        db.session.commit()
    assert found(client, q="owner:kestrel") == {("asset", asset_id)}
    assert search(client, q="thermal interface")["items"][0]["owner"] == "Kestrel Thermal"


def test_a_drain_while_another_holds_the_lock_returns_0_and_the_next_catches_up(
    app, client, owner
) -> None:
    lock = DrainLock(app.config["SEARCH_INDEX_DIR"])
    with lock.held() as held:
        assert held
        # the commit's own drain leaves the work to the holder, without an error
        asset_id = make_offer(app, owner, title="Perovskite tandem cell")
        assert sync.drain(app) == 0
        assert found(client, q="perovskite") == set()
    assert sync.drain(app) == 1
    assert found(client, q="perovskite") == {("asset", asset_id)}
    assert sync.drain(app) == 0


def test_a_change_committed_after_a_later_one_is_not_lost(app, client, owner, backend) -> None:
    if backend != "postgresql":
        pytest.skip("only PostgreSQL lets a transaction holding a smaller id commit later")
    with app.app_context():
        slow = Session(db.engine)
        try:
            asset = Asset(
                title="Slowpoke capacitor",
                summary="Committed last.",
                patent_status=PatentStatus.KNOW_HOW,
                organization_id=owner.organization_id,
                status=AssetStatus.PUBLISHED,
                published_at=utcnow(),
            )
            asset.fields = ["energy"]
            slow.add(asset)
            # its outbox row takes the smaller id, and stays uncommitted for now
            slow.flush()
            quick_id = make_offer(app, owner, title="Quickstep capacitor")
            assert found(client, q="quickstep") == {("asset", quick_id)}
            assert found(client, q="slowpoke") == set()
            slow.commit()
            slow_id = asset.id
        finally:
            slow.close()
    assert found(client, q="capacitor") == {("asset", quick_id), ("asset", slow_id)}
    with app.app_context():
        assert services.index_status().pending == 0


def test_callbacks_hear_the_keys_applied_and_a_failing_one_breaks_nothing(
    app, client, owner, callbacks, caplog
) -> None:
    heard: list[tuple[list[str], str]] = []

    def broken(_app, _keys):
        raise RuntimeError("this callback is broken")

    def listener(callback_app, keys):
        # inside an app context, with a session of its own
        asset = db.session.get(Asset, int(keys[0].split(":")[1]))
        heard.append((keys, asset.title))

    sync.on_applied(broken)
    sync.on_applied(listener)
    with caplog.at_level(logging.ERROR, logger="ideagora.searching.sync"):
        asset_id = make_offer(app, owner, title="Sodium sulphur cell")
    assert heard == [([f"asset:{asset_id}"], "Sodium sulphur cell")]
    assert "callback" in caplog.text
    assert found(client, q="sodium") == {("asset", asset_id)}


def test_cli_status_sync_and_reindex(app, client, runner, owner) -> None:
    first = make_offer(app, owner, title="Magnesium hydride tank")
    make_challenge(app, owner, title="Hydrogen storage at low pressure")
    make_offer(app, owner, publish=False, title="Draft hydride")

    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "Documents: 2" in result.output
    assert "Pending changes: 0" in result.output

    with DrainLock(app.config["SEARCH_INDEX_DIR"]).held():
        edit_offer(app, owner, first, title="Magnesium hydride tank, 700 bar")
        result = runner.invoke(args=["search", "sync", "--timeout", "0"])
        assert "Applied 0 changed listings; 1 changes still pending." in result.output
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "Applied 1 changed listings; 0 changes still pending." in result.output
    assert titles(client, q="magnesium") == ["Magnesium hydride tank, 700 bar"]

    # a lost index is rebuilt from the database
    with app.app_context():
        services.get_index().close()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 public listings; applied 0 changes made meanwhile." in result.output
    assert len(found(client, q="hydride OR hydrogen")) == 2
    result = runner.invoke(args=["search", "status"])
    assert "Documents: 2" in result.output


def test_a_change_committed_during_a_rebuild_is_not_lost(app, client, owner) -> None:
    first = make_offer(app, owner, title="Lithium metal anode")
    make_offer(app, owner, title="Silicon anode binder")
    edits = []

    def edit_once() -> None:
        if not edits:
            edits.append(True)
            edit_offer(app, owner, first, title="Lithium metal anode with a ceramic shield")

    count, caught_up = services.rebuild_index(app, on_document=edit_once)
    assert (count, caught_up) == (2, 1)
    assert titles(client, q="ceramic shield") == ["Lithium metal anode with a ceramic shield"]
    with app.app_context():
        assert services.index_status().pending == 0


def test_demo_load_leaves_a_searchable_index(app, client, runner) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    body = search(client)
    assert body["total"] > 0
    with app.app_context():
        assert services.index_status().pending == 0


def test_a_change_made_in_a_savepoint_is_searchable_once_the_outer_commit_lands(
    app, client, driver, caplog
) -> None:
    # bulk imports save each row in a savepoint: releasing one must neither drain the index
    # (the outer transaction still holds the database) nor forget that the index must follow
    owner = driver.person(organization="Savepoint Sensors")
    with app.app_context():
        user = db.session.get(User, owner.id)
        with db.session.begin_nested():
            asset = assets.create_asset(
                db.session, user, asset_data(title="Savepoint humidity sensor"), ip_address=None
            )
            assets.change_status(db.session, user, asset, "publish", ip_address=None)
        assert found(client, q="savepoint humidity") == set()
        db.session.commit()
        asset_id = asset.id
    assert found(client, q="savepoint humidity") == {("asset", asset_id)}
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
