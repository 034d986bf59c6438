"""Browsing challenges and IP offers in headless Chromium: the filter form by keyboard alone,
no serious accessibility violations, and deadlines shown in the viewer's time zone.

The listings are the small catalogue of the browse tests (``tests.browse_catalogue``), made
through the services against the live server's database. Other tests of the session may add
listings of their own, so each journey narrows the lists to the catalogue's organisations first.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser import unavailable
from tests.services.live_server import PROJECT_ROOT, LiveServer

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs both
    unavailable(
        f"Playwright or axe-playwright-python is not installed ({error})", module_level=True
    )

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS = PROJECT_ROOT / "test-results"
VIEWER_ZONE = "Asia/Tokyo"
TAB_LIMIT = 80
# the catalogue is made in a process of its own, as `flask` commands are, on the server's data
_MAKE_CATALOGUE = """
import json
from ideagora import create_app
from ideagora.database import db
from tests.browse_catalogue import build_catalogue
from tests.helpers import AppDriver

app = create_app()
with app.app_context():
    db.create_all()  # creates only the tables the database does not have yet
catalogue = build_catalogue(app, AppDriver(app))
print(json.dumps({
    "organizations": {name: person.organization_id for name, person in catalogue.people.items()},
    "challenges": catalogue.challenges,
    "assets": catalogue.assets,
}))
"""


@pytest.fixture(scope="module")
def catalogue(live_server: LiveServer) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _MAKE_CATALOGUE],
        cwd=PROJECT_ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture
def tokyo_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A tab of a viewer whose computer keeps Tokyo time."""
    context = browser.new_context(base_url=live_server.url, timezone_id=VIEWER_ZONE, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user does."""
    target = page.locator(selector)
    for _ in range(TAB_LIMIT):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{TAB_LIMIT} presses of Tab never reached {selector}", pytrace=False)


def result_count(page: Page):
    return page.locator("#result-count")


def audit(page: Page, what: str, failures: list[str]) -> None:
    """Run axe on the page; record its serious and critical violations."""
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
            failures.append(f"{what}: [{violation['impact']}] {violation['id']}: {targets}")


def test_filter_challenges_with_the_keyboard_only(page: Page, catalogue: dict) -> None:
    rotor = catalogue["organizations"]["rotor"]
    page.goto(f"/challenges?organization={rotor}")
    expect(result_count(page)).to_have_text("3 challenges")

    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    tab_to(page, "#filter-field")
    page.keyboard.type("Mechanical")
    expect(page.get_by_label("Technical field")).to_have_value("mechanical-engineering")
    tab_to(page, "#filter-trl_min")
    page.keyboard.type("6")
    tab_to(page, "button[type=submit]:text('Apply filters')")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"field=mechanical-engineering"))
    expect(page).to_have_url(re.compile(r"trl_min=6"))
    expect(result_count(page)).to_have_text("1 challenge")
    expect(page.get_by_role("link", name="Bearing wear prediction from vibration")).to_be_visible()
    # the form keeps what was chosen, and the filters show as removable links
    expect(page.get_by_label("Technical field")).to_have_value("mechanical-engineering")
    remove_trl = page.get_by_role("link", name=re.compile(r"^TRL from: 6"))
    expect(page.get_by_role("link", name=re.compile(r"^Organisation: Rotor Labs"))).to_be_visible()

    tab_to(page, "a:has-text('TRL from: 6')")
    expect(remove_trl).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"trl_min="))
    expect(result_count(page)).to_have_text("2 challenges")


def test_filter_offers_with_the_keyboard_only(page: Page, catalogue: dict) -> None:
    rotor = catalogue["organizations"]["rotor"]
    page.goto(f"/offers?organization={rotor}")
    expect(result_count(page)).to_have_text("2 IP offers")
    tab_to(page, "#filter-deal_type")
    page.keyboard.type("Collab")
    expect(page.get_by_label("Deal offered")).to_have_value("collaboration")
    tab_to(page, "#filter-sort")
    tab_to(page, "button[type=submit]:text('Apply filters')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"deal_type=collaboration"))
    expect(result_count(page)).to_have_text("1 IP offer")
    expect(page.get_by_role("link", name="Know-how for balancing grid batteries")).to_be_visible()


def test_a_bad_filter_is_explained_above_the_results(page: Page, catalogue: dict) -> None:
    rotor = catalogue["organizations"]["rotor"]
    response = page.goto(f"/challenges?organization={rotor}&trl_min=12")
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("The TRL is a whole number from 1 to 9")
    expect(page.get_by_label("TRL sought from")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("TRL sought from")).to_have_accessible_description(
        re.compile("The TRL is a whole number")
    )


def test_browse_pages_have_no_serious_accessibility_violations(page: Page, catalogue: dict) -> None:
    cupworks = catalogue["organizations"]["cupworks"]
    failures: list[str] = []
    for path in [
        "/challenges",
        f"/challenges?organization={cupworks}&sort=deadline",
        "/challenges?trl_min=12&award_min=-5",
        "/offers",
        "/offers?deal_type=rent",
        f"/challenges/{catalogue['challenges']['fan']}",
        f"/organizations/{cupworks}",
        "/search",
        "/search?q=fan&type=challenge",
        "/search?q=%22unbalanced+(quote",
        "/search?trl_min=12",
    ]:
        page.goto(path)
        page.wait_for_load_state()
        audit(page, path, failures)
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def test_deadlines_are_shown_in_the_viewers_time_zone(tokyo_page: Page, catalogue: dict) -> None:
    tokyo_page.goto(f"/challenges/{catalogue['challenges']['fan']}")
    deadline = tokyo_page.locator("time[data-local]").first
    expect(deadline).to_have_attribute("data-local", "shown")
    utc_text = deadline.get_attribute("title")
    assert utc_text is not None
    assert utc_text.endswith("UTC")
    moment = datetime.fromisoformat(deadline.get_attribute("datetime").replace("Z", "+00:00"))
    local = moment.astimezone(ZoneInfo(VIEWER_ZONE))
    shown = deadline.inner_text()
    assert "UTC" not in shown
    assert f"{local.day} {local.strftime('%B')} {local.year}" in shown
    assert f"{local:%H:%M}" in shown
    expect(tokyo_page.get_by_text("closes in 10 days")).to_be_visible()

    tokyo_page.goto(f"/challenges?organization={catalogue['organizations']['rotor']}")
    times = tokyo_page.locator("time[data-local]")
    expect(times).to_have_count(3)
    for index in range(3):
        expect(times.nth(index)).to_have_attribute("data-local", "shown")


def test_screenshots_of_the_browse_pages(page: Page, catalogue: dict) -> None:
    """Pictures for people to look at, in test-results/ (not kept in git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    rotor = catalogue["organizations"]["rotor"]
    shots = {
        "challenges-filtered.png": f"/challenges?organization={rotor}&sort=deadline",
        "challenges-bad-filter.png": "/challenges?trl_min=12&award_min=-5",
        "offers.png": f"/offers?organization={rotor}",
        "organisation-profile.png": f"/organizations/{rotor}",
    }
    for name, path in shots.items():
        page.goto(path)
        page.wait_for_load_state()
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
        assert (SCREENSHOTS / name).stat().st_size > 0
