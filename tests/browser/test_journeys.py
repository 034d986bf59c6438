"""People's journeys through the real pages, in headless Chromium against gunicorn.

Every test's page is watched (``tests.browser.PageWatch``): a console error, a CSP violation,
a failed request or a request to another host fails the test.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest

from ideagora.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD
from ideagora.organizations.models import Role
from tests.browser import PageWatch, unavailable
from tests.services.live_server import PROJECT_ROOT, LiveServer

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Locator, Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs both
    unavailable(
        f"Playwright or axe-playwright-python is not installed ({error})", module_level=True
    )

pytestmark = pytest.mark.browser

PASSWORD = "violet-harbour-lantern-42"
WRONG_PASSWORD_MESSAGE = "The e-mail address or password is not right."
REMEMBER_COOKIE = "remember_token"  # Flask-Login's default name
SCREENSHOTS = PROJECT_ROOT / "test-results"
ANONYMOUS_PAGES = ["/", "/register", "/login", "/password/forgot", "/challenges", "/offers"]
ANONYMOUS_PAGES += ["/search"]
ADMIN_PAGES = ["/", "/dashboard", "/account", "/account/password", "/challenges", "/offers"]
ADMIN_PAGES += ["/search", "/notifications", "/searches"]
BLOCKING_IMPACTS = {"serious", "critical"}
DEMO_ORGANIZATION = DEMO_ORGANIZATIONS[0]
DEMO_ADMIN = next(person for person in DEMO_ORGANIZATION.people if person.role is Role.ADMIN)
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Visitor:
    """Someone who registers through the pages; every visitor is new to the exchange."""

    name: str
    email: str
    organization: str
    password: str = PASSWORD


def new_visitor(first_name: str = "Ada") -> Visitor:
    number = next(_numbers)
    return Visitor(
        name=f"{first_name} Browser{number}",
        email=f"{first_name.lower()}.browser{number}@example.org",
        organization=f"{first_name} Browser Laboratories {number}",
    )


def url_path(path: str) -> re.Pattern[str]:
    """Match a page URL by its path, ignoring scheme, host and query."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def arrive(page: Page, path: str) -> None:
    """Wait until the browser shows the page at ``path``, with everything it loads."""
    expect(page).to_have_url(url_path(path))
    page.wait_for_load_state()


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def flash(page: Page) -> Locator:
    return page.get_by_role("status")


def fill_registration(page: Page, visitor: Visitor, kind: str = "university") -> None:
    page.get_by_label("Your full name").fill(visitor.name)
    page.get_by_label("E-mail address").fill(visitor.email)
    page.get_by_label("Password", exact=True).fill(visitor.password)
    page.get_by_label("Repeat the password").fill(visitor.password)
    page.get_by_label("Organisation name").fill(visitor.organization)
    page.get_by_label("Kind of organisation").select_option(kind)


def register(page: Page, visitor: Visitor) -> None:
    page.goto("/register")
    fill_registration(page, visitor)
    page.get_by_role("button", name="Register").click()
    arrive(page, "/dashboard")


def log_in(page: Page, email: str, password: str, *, remember: bool = False) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Keep me logged in on this device").check()
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    main_nav(page).get_by_role("button", name="Log out").click()
    arrive(page, "/")
    expect(flash(page)).to_have_text("You are logged out.")


def test_register_log_out_and_log_in_again(page: Page) -> None:
    visitor = new_visitor()
    page.goto("/")
    page.get_by_role("link", name="Register your organisation").click()
    expect(page).to_have_url(url_path("/register"))
    fill_registration(page, visitor)
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_url(url_path("/dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {visitor.name}")
    expect(flash(page)).to_have_text(
        f"Welcome, {visitor.name}. Your organisation {visitor.organization} is ready."
    )
    expect(page.get_by_text("You are admin of")).to_contain_text(visitor.organization)
    nav = main_nav(page)
    expect(nav.get_by_role("link", name=visitor.organization)).to_be_visible()
    expect(nav.get_by_role("link", name=visitor.name)).to_be_visible()
    expect(nav.get_by_role("link", name="Log in")).to_have_count(0)
    expect(nav.get_by_role("link", name="Register")).to_have_count(0)

    log_out(page)
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(nav.get_by_role("link", name="Register")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_have_count(0)
    expect(nav.get_by_role("link", name=visitor.name)).to_have_count(0)

    # the dashboard is closed to a logged-out visitor: it sends them to log in, and back
    page.goto("/dashboard")
    expect(page).to_have_url(url_path("/login"))
    expect(flash(page)).to_have_text("Please log in to see this page.")

    log_in(page, visitor.email, "not-the-password-at-all")
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
    expect(nav.get_by_role("button", name="Log out")).to_have_count(0)
    # the refused page keeps the same address: let its scripts finish before leaving it
    page.wait_for_load_state()

    log_in(page, visitor.email, visitor.password, remember=True)
    expect(page).to_have_url(url_path("/dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {visitor.name}")
    expect(nav.get_by_role("link", name="Log in")).to_have_count(0)
    assert REMEMBER_COOKIE in _cookie_names(page), "'Keep me logged in' set no cookie"

    log_out(page)
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    assert REMEMBER_COOKIE not in _cookie_names(page), "logging out kept the remember cookie"
    page.goto("/account")
    expect(page).to_have_url(url_path("/login"))


def _cookie_names(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def test_wrong_password_is_refused_with_a_message(page: Page) -> None:
    visitor = new_visitor("Hedy")
    register(page, visitor)
    log_out(page)

    page.goto("/login")
    log_in(page, visitor.email, "violet-harbour-lantern-43")
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
    expect(page.get_by_label("E-mail address")).to_have_value(visitor.email)
    expect(page.get_by_label("Password")).to_have_value("")
    page.goto("/dashboard")
    expect(page).to_have_url(url_path("/login"))


@pytest.mark.parametrize("path", ["/", "/challenges"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(
    page: Page, path: str
) -> None:
    page.goto(path)
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert _width(skip_link) <= 1, "the skip link shows before it has the focus"

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    assert _width(skip_link) > 1, "the focused skip link is not visible"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    expect(page.get_by_role("main")).to_be_focused()
    # the next Tab goes on inside the content, not back into the navigation
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), (
        "after the skip link, Tab left the main content"
    )


def _width(locator: Locator) -> float:
    box = locator.bounding_box()
    return 0 if box is None else box["width"]


def test_register_with_the_keyboard_only(page: Page) -> None:
    visitor = new_visitor("Grace")
    keyboard = page.keyboard
    page.goto("/register")
    steps = [
        ("Your full name", visitor.name),
        ("E-mail address", visitor.email),
        ("Password", visitor.password),
        ("Repeat the password", visitor.password),
        ("Organisation name", visitor.organization),
    ]
    # the first field has the focus as the page opens
    for label, text in steps:
        expect(page.get_by_label(label, exact=True)).to_be_focused()
        keyboard.type(text)
        keyboard.press("Tab")
    kind = page.get_by_label("Kind of organisation")
    expect(kind).to_be_focused()
    expect(kind).to_have_value("company")
    keyboard.press("ArrowDown")
    expect(kind).to_have_value("university")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Register")).to_be_focused()
    keyboard.press("Enter")

    expect(page).to_have_url(url_path("/dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {visitor.name}")
    main_nav(page).get_by_role("link", name=visitor.organization).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(visitor.organization)
    expect(page.get_by_text("University · on")).to_be_visible()


def test_pages_load_cleanly_from_the_server_alone(
    page: Page, page_watch: PageWatch, live_server: LiveServer
) -> None:
    """No console errors or CSP violations, every request answered, and all of it local."""
    for path in ANONYMOUS_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
    register(page, new_visitor("Lise"))
    organization_path = _organization_path(page)
    for path in [*ADMIN_PAGES, organization_path, "/organization"]:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
    log_out(page)

    page_watch.assert_clean()
    # Bootstrap's styles and scripts come from the app itself, and its styles apply
    local = [(kind, url) for kind, url in page_watch.requested if url.startswith(live_server.url)]
    assert any(kind == "stylesheet" and "bootstrap" in url for kind, url in local)
    assert any(kind == "script" and "bootstrap" in url for kind, url in local)
    button = page.get_by_role("link", name="Browse challenges")
    assert button.evaluate("element => getComputedStyle(element).borderRadius") != "0px"


def test_bootstrap_scripts_run_under_the_content_security_policy(page: Page) -> None:
    """On a narrow screen the navigation folds away behind a button that Bootstrap's JS opens."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    log_in_link = main_nav(page).get_by_role("link", name="Log in")
    expect(log_in_link).to_be_hidden()
    toggle = page.get_by_role("button", name="Show navigation")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(log_in_link).to_be_visible()


def test_the_page_watch_sees_a_content_security_policy_violation(
    page: Page, page_watch: PageWatch
) -> None:
    """Guard the guard: an inline script is refused by the CSP, and the watch reports it."""
    page.goto("/")
    with page.expect_console_message(lambda message: message.type == "error") as message:
        page.evaluate("""() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineScriptRan = true";
            document.body.append(script);
        }""")
    assert "Content Security Policy" in message.value.text
    assert page.evaluate("window.inlineScriptRan") is None
    assert any("Content Security Policy" in problem for problem in page_watch.problems())
    page_watch.clear()


class AccessibilityAudit:
    """Run axe on pages; collect the serious and critical violations to fail on once."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.failures: list[str] = []
        self.audited: list[str] = []

    def check(self, page: Page, what: str) -> None:
        # audit the page as it is shown once its stylesheets are in: a streamed page's heading
        # can be visible before they have loaded, and colours are then the browser's defaults
        page.wait_for_load_state()
        results = self.axe.run(page)
        self.audited.append(what)
        for violation in results.response["violations"]:
            report = _describe(violation, what)
            if violation["impact"] in BLOCKING_IMPACTS:
                self.failures.append(report)
            else:
                print(f"(not failing) {report}")

    def assert_no_blocking_violations(self) -> None:
        if self.failures:
            pytest.fail(
                f"axe found serious or critical accessibility violations "
                f"(pages checked: {', '.join(self.audited)}):\n" + "\n".join(self.failures),
                pytrace=False,
            )


def _describe(violation: dict, what: str) -> str:
    """The rule, its help, and each failing node's target with axe's summary of what is wrong."""
    lines = [
        f"{what}: [{violation['impact']}] {violation['id']}: {violation['help']} "
        f"({violation['helpUrl']})"
    ]
    for node in violation["nodes"]:
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}  {summary}".rstrip())
    return "\n".join(lines)


def _organization_path(page: Page) -> str:
    """The path of the logged-in person's organisation page, from the navigation."""
    page.goto("/organization")
    expect(page).to_have_url(re.compile(r"/organizations/\d+$"))
    page.wait_for_load_state()
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_pages_have_no_serious_accessibility_violations(page: Page, demo_data: None) -> None:
    audit = AccessibilityAudit()
    for path in ANONYMOUS_PAGES:
        page.goto(path)
        audit.check(page, f"anonymous {path}")

    # forms showing their errors
    page.goto("/register")
    page.get_by_label("Your full name").fill("Rosalind")
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("shorter")
    with page.expect_response(url_path("/register")) as answer:
        page.get_by_role("button", name="Register").click()
    assert answer.value.status == 422
    expect(page.get_by_label("Repeat the password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Repeat the password")).to_have_accessible_description(
        re.compile("The passwords do not match")
    )
    audit.check(page, "anonymous /register with errors")

    page.goto("/login")
    log_in(page, "nobody@example.org", "violet-harbour-lantern-42")
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD_MESSAGE)
    audit.check(page, "anonymous /login with a wrong password")

    log_in(page, DEMO_ADMIN.email, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    organization_path = _organization_path(page)
    for path in ADMIN_PAGES:
        page.goto(path)
        audit.check(page, f"admin {path}")
    page.goto(organization_path)
    expect(page.get_by_role("table")).to_contain_text(DEMO_ORGANIZATION.people[-1].name)
    audit.check(page, f"admin {organization_path}")

    # the organisation page after an invitation: a message, and the open invitations
    page.get_by_label("E-mail address").fill("colleague@example.org")
    page.get_by_label("Role", exact=True).select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(flash(page)).to_have_text("An invitation is on its way to colleague@example.org.")
    expect(page.get_by_role("heading", name="Open invitations")).to_be_visible()
    audit.check(page, f"admin {organization_path} with an open invitation")

    # removing a member asks first
    member = DEMO_ORGANIZATION.people[-1]
    page.get_by_role("link", name=f"Remove {member.name}").click()
    expect(page.get_by_role("heading", name=f"Remove {member.name}?")).to_be_visible()
    audit.check(page, "admin confirming a member's removal")
    page.get_by_role("link", name="Keep them").click()
    expect(page.get_by_role("table")).to_contain_text(member.name)

    log_out(page)
    page.goto(organization_path)
    audit.check(page, f"anonymous {organization_path}")

    audit.assert_no_blocking_violations()


def test_screenshots_of_the_home_and_organisation_pages(page: Page, demo_data: None) -> None:
    """Pictures for people to look at, in test-results/ (not kept in git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto("/")
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    page.goto("/login")
    log_in(page, DEMO_ADMIN.email, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    _organization_path(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_ORGANIZATION.name)
    page.screenshot(path=SCREENSHOTS / "organisation.png", full_page=True)

    for name in ("home.png", "organisation.png"):
        assert (SCREENSHOTS / name).stat().st_size > 0
