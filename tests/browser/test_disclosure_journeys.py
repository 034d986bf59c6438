"""Disclosure under NDA in headless Chromium: reading and signing a listing's NDA, the owner's
approval or decline, the confidential brief read afterwards, the certificate of acceptance,
the access log, and an accessibility check of every page of the flow.

Each journey registers the organisations it needs and gives each person a browser of their
own, so both sides of a request are watched at once. The accessibility check reads the demo
data, where a request of Halden Institute for Energy Research waits for Tessel Mobility.
Every page of every browser is watched (``tests.browser.PageWatch``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pytest

from ideagora.demo import DEMO_PASSWORD
from licensing.nda import assent_wording
from tests.browser import PageWatch, unavailable
from tests.browser.test_journeys import (
    AccessibilityAudit,
    Visitor,
    arrive,
    flash,
    log_in,
    log_out,
    main_nav,
    new_visitor,
    register,
)
from tests.browser.test_marketplace_journeys import (
    DEADLINE,
    SHA256_HEX,
    challenge_text,
    current_path,
    landed,
    publish,
    term,
)
from tests.services.live_server import LiveServer

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs it
    unavailable(f"Playwright is not installed ({error})", module_level=True)

pytestmark = pytest.mark.browser

MUTUAL_NDA = "Platform NDA (mutual)"
MUTUAL_CHOICE = f"{MUTUAL_NDA}, version 1"  # as the challenge form offers it
DEFAULT_NDA = "Platform NDA (one-way)"
PENDING_MESSAGE = (
    "Your request is with the owner for approval. You will be told in the app and by "
    "e-mail when they decide."
)
NAME_MESSAGE = "Type your full name to sign."
WRONG_PASSWORD = "This is not your password: enter the one you log in with."
CERTIFICATE_NAME = re.compile(r"^NDA-\d+-certificate\.pdf$")
SESSION_COOKIE = "session"  # Flask's default name
# the demo's seeker, its challenge, and the organisation whose request waits for it
DEMO_OWNER_EMAIL = "sven@tessel.example"
DEMO_OWNER_ORGANIZATION = "Tessel Mobility"
DEMO_CHALLENGE = "Detecting thermal runaway in a lithium-ion battery pack before a cell vents"
DEMO_REQUESTER_ORGANIZATION = "Halden Institute for Energy Research"
# a member of the demo with no request for that challenge
DEMO_OUTSIDER_EMAIL = "dana@eastmoor.example"
DEMO_OUTSIDER_ORGANIZATION = "University of Eastmoor"


@pytest.fixture
def second_browser(
    browser: Browser, live_server: LiveServer, page_watch: PageWatch
) -> Iterator[Callable[[], Page]]:
    """Open, on demand, a tab in a browser profile of its own, watched like ``page``."""
    contexts = []

    def open_tab() -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        page_watch.attach(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def post_gated_challenge(page: Page, seeker: Visitor, brief: str, *, nda: str | None) -> str:
    """Post and publish a challenge whose requests need approval; return its page's path.

    ``nda`` is the label of the NDA chosen in the form, or None to keep the default.
    """
    text = replace(challenge_text(seeker), brief=brief)
    page.goto("/challenges/new")
    page.get_by_label("Title", exact=True).fill(text.title)
    page.get_by_label("Public summary").fill(text.summary)
    page.get_by_label("Public description").fill(text.description)
    page.get_by_label("Technical fields").select_option(label=["Polymers and plastics"])
    page.get_by_label("Type of challenge").select_option(label="Reduction to practice")
    page.get_by_label("Confidential brief").fill(brief)
    choice = page.get_by_label("NDA a request for the confidential part must accept")
    # without a choice a listing uses the platform's one-way NDA; the mutual one is offered too
    expect(choice.locator("option:checked")).to_have_text(f"{DEFAULT_NDA}, the default")
    expect(choice.locator("option", has_text=MUTUAL_CHOICE)).to_have_count(1)
    if nda is not None:
        choice.select_option(label=nda)
    approval = page.get_by_label("Approve each request for the confidential part myself")
    expect(approval).not_to_be_checked()
    approval.check()
    page.get_by_label("Deadline", exact=True).fill(DEADLINE.isoformat())
    page.get_by_role("button", name="Save as draft").click()
    landed(page, r"/challenges/\d+$")
    expect(flash(page)).to_have_text(
        "Your challenge is saved as a draft. Publish it when it is ready."
    )
    page.wait_for_load_state()
    publish(page, "The challenge is open.")
    expect(page.get_by_text(brief)).to_be_visible()  # the seeker's own brief
    return current_path(page)


def nda_text(page: Page) -> Locator:
    return page.locator("#nda-text")


def accept_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Accept the NDA and ask for access")


def open_the_nda(page: Page, challenge_path: str) -> str:
    """From the challenge's page, follow the way to its NDA; return the NDA page's path."""
    page.goto(challenge_path)
    panel = page.locator("#disclosure-panel")
    expect(panel).to_contain_text("once the seeker approves the request")
    panel.get_by_role("link", name="Read and accept the NDA").click()
    arrive(page, f"{challenge_path}/nda")
    expect(page.get_by_role("heading", level=1)).to_have_text("Non-disclosure agreement")
    return f"{challenge_path}/nda"


def submit_refused(page: Page, nda_path: str) -> None:
    """Press the accept button and wait for the page that says what is missing."""
    with page.expect_response(re.compile(rf"{re.escape(nda_path)}$")) as answer:
        accept_button(page).click()
    assert answer.value.status == 422, answer.value.status
    arrive(page, nda_path)


def sign(page: Page, signer: Visitor, *, password: str | None = None) -> None:
    """Tick the assent, type the signer's name (and password when asked), and accept."""
    page.get_by_label(assent_wording(signer.organization)).check()
    page.get_by_label("Your full name").fill(signer.name)
    if password is not None:
        page.get_by_label("Your password").fill(password)
    accept_button(page).click()


def download(page: Page, link: Locator, page_watch: PageWatch) -> tuple[str, bytes]:
    """Click a link to a file the browser saves; return its suggested name and its bytes."""
    url = urljoin(page.url, link.get_attribute("href") or "")
    with page.expect_download() as started:
        link.click()
    saved = started.value
    assert saved.failure() is None, saved.failure()
    # Chromium ends the navigation to a file it saves as aborted: that is no failed request
    aborted = f"GET {url}: net::ERR_ABORTED"
    if aborted in page_watch.failed_requests:
        page_watch.failed_requests.remove(aborted)
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def test_a_request_is_signed_approved_and_the_brief_is_read(
    page: Page, second_browser: Callable[[], Page], page_watch: PageWatch
) -> None:
    seeker = new_visitor("Nora")
    register(page, seeker)
    brief = f"Seal face pressure 0.8 MPa at 2900 rpm; supplier list for {seeker.organization}."
    challenge_path = post_gated_challenge(page, seeker, brief, nda=MUTUAL_CHOICE)

    requester = new_visitor("Emil")
    tab = second_browser()
    register(tab, requester)
    tab.goto(challenge_path)
    expect(tab.get_by_text(brief)).to_have_count(0)
    nda_path = open_the_nda(tab, challenge_path)

    # the whole text, naming both parties, with its version and hash, before any assent
    text = nda_text(tab)
    expect(text).to_contain_text(seeker.organization)
    expect(text).to_contain_text(requester.organization)
    expect(term(tab, "Agreement")).to_have_text(MUTUAL_NDA)
    expect(term(tab, "Version")).to_have_text("1")
    shown_sha = tab.locator("#nda-sha256")
    expect(shown_sha).to_have_text(SHA256_HEX)
    # the hash is the one of the text on the page: a signer can check it
    sha256 = shown_sha.inner_text()
    assert hashlib.sha256((text.text_content() or "").encode()).hexdigest() == sha256
    assent = tab.get_by_label(assent_wording(requester.organization))
    expect(assent).not_to_be_checked()
    # signing straight after registering needs no password again
    expect(tab.get_by_label("Your password")).to_have_count(0)

    # neither the box nor the name: a message at each, and the page stays
    submit_refused(tab, nda_path)
    expect(assent).to_have_attribute("aria-invalid", "true")
    expect(assent).to_have_accessible_description(
        re.compile(
            re.escape(
                "Tick the box to confirm that you have read and agree to the NDA on behalf "
                f"of {requester.organization}."
            )
        )
    )
    name = tab.get_by_label("Your full name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile(re.escape(NAME_MESSAGE)))
    expect(nda_text(tab)).to_contain_text(requester.organization)
    expect(assent).not_to_be_checked()

    sign(tab, requester)
    arrive(tab, challenge_path)
    expect(flash(tab)).to_have_text(PENDING_MESSAGE)
    expect(tab.locator("#disclosure-panel")).to_contain_text(
        "Your organisation's request is waiting for approval since"
    )
    expect(tab.get_by_text(brief)).to_have_count(0)
    expect(tab.get_by_role("link", name="Read and accept the NDA")).to_have_count(0)

    # the seeker's admin finds the request on the dashboard and approves it
    log_out(page)
    page.goto("/login")
    log_in(page, seeker.email, seeker.password)
    arrive(page, "/dashboard")
    waiting = page.get_by_role("listitem").filter(
        has_text=f"{requester.organization} accepted the NDA of"
    )
    expect(waiting).to_contain_text(challenge_text(seeker).title)
    waiting.get_by_role("link", name="approve or decline").click()
    access_path = f"{challenge_path}/access"
    arrive(page, access_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Access to the confidential brief")
    request = page.get_by_role("region", name=re.compile(re.escape(requester.organization)))
    expect(request).to_contain_text("Waiting for approval")
    expect(request).to_contain_text(f"by {requester.name}")
    expect(request).to_contain_text(f"{MUTUAL_NDA}, version 1")
    expect(request).to_contain_text(sha256)
    request.get_by_role("button", name=f"Approve: let {requester.organization} read it").click()
    arrive(page, access_path)
    expect(flash(page)).to_have_text(
        f"Approved: {requester.organization} can now read the confidential brief."
    )
    expect(request).to_contain_text("Active")
    page.wait_for_load_state()

    # the requester reloads the challenge and reads the brief
    tab.reload()
    tab.wait_for_load_state()
    expect(tab.get_by_text(brief)).to_be_visible()
    expect(tab.locator("#disclosure-panel")).to_have_count(0)
    certificate = tab.get_by_role("link", name="Download the certificate of acceptance (PDF)")
    filename, pdf = download(tab, certificate, page_watch)
    assert CERTIFICATE_NAME.match(filename), filename
    assert pdf.startswith(b"%PDF-"), pdf[:16]

    # the owner's log shows the request, the approval and the requester's reading
    page.reload()
    log = page.get_by_role("table").get_by_role("row")
    for event in ("NDA accepted, access requested", "Request approved"):
        expect(log.filter(has_text=event)).to_have_count(1)
    viewed = log.filter(has_text="Confidential text viewed").filter(has_text=requester.name)
    expect(viewed).to_have_count(1)
    expect(viewed).to_contain_text(requester.organization)
    expect(viewed).to_contain_text("page")
    expect(page.get_by_text(brief)).to_have_count(0)  # the log names the reading, not the text
    # the owner takes the log away as CSV, with the reader's browser as evidence
    filename, table = download(
        page, page.get_by_role("link", name="Download the access log (CSV)"), page_watch
    )
    assert filename == f"challenge-{challenge_path.rsplit('/', 1)[-1]}-access-log.csv"
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8"))))
    readings = [row for row in rows if row["event"] == "viewed" and row["email"] == requester.email]
    assert len(readings) == 1, rows
    assert readings[0]["organisation"] == requester.organization
    assert "Chrome" in readings[0]["user_agent"], readings[0]


def forget_the_session(page: Page) -> None:
    """Close the browser, as it were: only the "keep me logged in" cookie survives."""
    page.context.clear_cookies(name=SESSION_COOKIE)


def test_a_login_restored_from_the_cookie_signs_with_the_password(
    page: Page, second_browser: Callable[[], Page]
) -> None:
    seeker = new_visitor("Ingrid")
    register(page, seeker)
    brief = f"Shaft run-out below 20 µm; the seal supplier of {seeker.organization}."
    challenge_path = post_gated_challenge(page, seeker, brief, nda=None)

    requester = new_visitor("Bruno")
    tab = second_browser()
    register(tab, requester)
    log_out(tab)
    tab.goto("/login")
    log_in(tab, requester.email, requester.password, remember=True)
    arrive(tab, "/dashboard")
    # back the next day: logged in by the cookie, so signing asks for the password again
    forget_the_session(tab)
    nda_path = open_the_nda(tab, challenge_path)
    expect(main_nav(tab).get_by_role("link", name=requester.name)).to_be_visible()
    password = tab.get_by_label("Your password")
    expect(password).to_have_value("")
    sign(tab, requester, password="violet-harbour-lantern-43")
    arrive(tab, nda_path)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(re.escape(WRONG_PASSWORD)))
    tab.wait_for_load_state()
    audit = AccessibilityAudit()
    audit.check(tab, "NDA page with a wrong password")
    sign(tab, requester, password=requester.password)
    arrive(tab, challenge_path)
    expect(flash(tab)).to_have_text(PENDING_MESSAGE)
    audit.assert_no_blocking_violations()


def test_a_declined_request_shows_the_reason_to_the_requester(
    page: Page, second_browser: Callable[[], Page]
) -> None:
    audit = AccessibilityAudit()
    seeker = new_visitor("Ruth")
    register(page, seeker)
    brief = f"Dry-run rig data, 12 runs, for {seeker.organization}: read under NDA only."
    challenge_path = post_gated_challenge(page, seeker, brief, nda=None)

    requester = new_visitor("Olaf")
    tab = second_browser()
    register(tab, requester)
    open_the_nda(tab, challenge_path)
    expect(term(tab, "Agreement")).to_have_text(DEFAULT_NDA)
    sign(tab, requester)
    arrive(tab, challenge_path)
    expect(flash(tab)).to_have_text(PENDING_MESSAGE)
    audit.check(tab, "challenge page with a waiting request")

    # declining needs a reason, which the requester reads
    page.goto(f"{challenge_path}/access")
    request = page.get_by_role("region", name=re.compile(re.escape(requester.organization)))
    request.get_by_role("button", name="Decline the request").click()
    reason = request.get_by_label("Reason for declining")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("The decision was not saved")
    page.wait_for_load_state()
    audit.check(page, "access page, a decline without a reason")
    expect(request).to_contain_text("Waiting for approval")
    why = "We work only with food-grade suppliers certified to ISO 22000 for this pump."
    reason.fill(why)
    request.get_by_role("button", name="Decline the request").click()
    arrive(page, f"{challenge_path}/access")
    expect(flash(page)).to_have_text(
        f"Declined: {requester.organization} sees your reason on the listing's page."
    )
    expect(request).to_contain_text("Declined")
    expect(request).to_contain_text(why)
    expect(request.get_by_role("button")).to_have_count(0)
    audit.check(page, "access page with a declined request")

    tab.reload()
    tab.wait_for_load_state()
    panel = tab.locator("#disclosure-panel")
    expect(panel).to_contain_text("The seeker declined your organisation's request on")
    expect(panel).to_contain_text(f"“{why}”")
    expect(panel).to_contain_text("You may ask again after")
    expect(panel.get_by_role("link", name="Read and accept the NDA")).to_have_count(0)
    expect(tab.get_by_text(brief)).to_have_count(0)
    audit.check(tab, "challenge page after a decline")
    audit.assert_no_blocking_violations()


def test_disclosure_pages_have_no_serious_accessibility_violations(
    page: Page, demo_data: None
) -> None:
    audit = AccessibilityAudit()
    page.goto("/login")
    log_in(page, DEMO_OUTSIDER_EMAIL, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    page.goto("/challenges?q=thermal+runaway")
    page.get_by_role("link", name=DEMO_CHALLENGE).click()
    landed(page, r"/challenges/\d+$")
    challenge_path = current_path(page)
    # the demo challenge is posted anonymously: its NDA names the seeker by its pseudonym
    pseudonym = term(page, "Posted by").inner_text()
    audit.check(page, "challenge page with the request panel")
    nda_path = open_the_nda(page, challenge_path)
    expect(nda_text(page)).to_contain_text(pseudonym)
    expect(nda_text(page)).to_contain_text(DEMO_OUTSIDER_ORGANIZATION)
    expect(page.get_by_text(DEMO_OWNER_ORGANIZATION)).to_have_count(0)
    audit.check(page, "NDA page")
    submit_refused(page, nda_path)
    expect(page.get_by_label("Your full name")).to_have_attribute("aria-invalid", "true")
    audit.check(page, "NDA page after a refused submit")
    log_out(page)

    page.goto("/login")
    log_in(page, DEMO_OWNER_EMAIL, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    waiting = page.get_by_role("listitem").filter(
        has_text=f"{DEMO_REQUESTER_ORGANIZATION} accepted the NDA of “{DEMO_CHALLENGE}”"
    )
    expect(waiting).to_have_count(1)
    audit.check(page, "dashboard with a waiting request")
    page.goto(challenge_path)
    expect(page.locator("#access-log-link")).to_contain_text("waiting for your decision")
    audit.check(page, "owner's challenge page with the access log link")
    page.goto("/dashboard")
    waiting.get_by_role("link", name="approve or decline").click()
    arrive(page, f"{challenge_path}/access")
    request = page.get_by_role("region", name=re.compile(DEMO_REQUESTER_ORGANIZATION))
    expect(request).to_contain_text("Waiting for approval")
    audit.check(page, "access page with a waiting request")

    audit_nda_templates(page, audit)
    audit.assert_no_blocking_violations()


def audit_nda_templates(page: Page, audit: AccessibilityAudit) -> None:
    """Audit the organisation's NDA templates: the list, a new one, its page, its edit form."""
    main_nav(page).get_by_role("link", name=DEMO_OWNER_ORGANIZATION).click()
    landed(page, r"/organizations/\d+$")
    page.get_by_role("link", name=f"Manage the NDA templates of {DEMO_OWNER_ORGANIZATION}").click()
    landed(page, r"/organizations/\d+/ndas$")
    expect(page.get_by_role("link", name=DEFAULT_NDA, exact=True)).to_be_visible()
    audit.check(page, "NDA templates list")
    page.get_by_role("link", name=DEFAULT_NDA, exact=True).click()
    landed(page, r"/ndas/\d+$")
    expect(page.get_by_text("The platform's templates cannot be edited.")).to_be_visible()
    audit.check(page, "platform NDA template page")
    back_to_the_templates(page)

    page.get_by_role("link", name="Write a new template").click()
    landed(page, r"/organizations/\d+/ndas/new$")
    audit.check(page, "new NDA template form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()
    audit.check(page, "new NDA template form with errors")

    back_to_the_templates(page)
    page.get_by_role(
        "link", name=re.compile(rf"^Start yours from it ?: {re.escape(DEFAULT_NDA)}$")
    ).click()
    landed(page, r"/organizations/\d+/ndas/new\?from=\d+$")
    name = f"Tessel supplier NDA {new_visitor().name}"
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#nda-preview")).to_contain_text(DEMO_OWNER_ORGANIZATION)
    page.wait_for_load_state()
    audit.check(page, "new NDA template form with a preview")
    page.get_by_role("button", name="Save", exact=True).click()
    landed(page, r"/ndas/\d+$")
    expect(flash(page)).to_have_text(
        "The NDA template is saved. Choose it on a listing's edit page."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.wait_for_load_state()
    audit.check(page, "organisation's NDA template page")
    page.get_by_role("link", name="Edit this template").click()
    landed(page, r"/ndas/\d+/edit$")
    expect(page.get_by_label("Name", exact=True)).to_have_value(name)
    audit.check(page, "NDA template edit form")


def back_to_the_templates(page: Page) -> None:
    page.get_by_role("link", name=f"NDA templates of {DEMO_OWNER_ORGANIZATION}").click()
    landed(page, r"/organizations/\d+/ndas$")
