"""The marketplace in headless Chromium: posting challenges and IP offers, proposals and their
decisions, confidential files, and an accessibility check of every marketplace page.

Each journey registers the organisations it needs, so the journeys do not depend on each
other; the accessibility check also reads the demo data, for pages as full as real ones.
Every test's page is watched (``tests.browser.PageWatch``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from ideagora.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD
from tests.browser import unavailable
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
    url_path,
)

try:
    from playwright.sync_api import Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs it
    unavailable(f"Playwright is not installed ({error})", module_level=True)

pytestmark = pytest.mark.browser

DEADLINE = date.today() + timedelta(days=75)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# a seeker of the demo data, whose challenge has proposals awaiting a decision
DEMO_SEEKER_ORGANIZATION = next(
    organization for organization in DEMO_ORGANIZATIONS if organization.name == "Tessel Mobility"
)
DEMO_SEEKER = DEMO_SEEKER_ORGANIZATION.people[0]
LOGIN_ONLY_PAGES = [
    "/challenges/new",
    "/offers/new",
    "/offers/import",
    "/dashboard",
]
OFFER_TITLE = "Cold-spray copper coating for aluminium heat sinks"
OFFER_DOSSIER = "Spray parameters: nozzle 6 mm, helium at 3.2 MPa, 450 °C; bond tests attached."


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text``, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(document)


@dataclass(frozen=True)
class ChallengeText:
    title: str
    summary: str
    description: str
    keywords: str
    brief: str


def challenge_text(seeker: Visitor) -> ChallengeText:
    return ChallengeText(
        title=f"Dry-running shaft seal for food pumps ({seeker.organization})",
        summary="We look for a shaft seal that runs dry for ten minutes without damage, "
        "for pumps that move sauces and dairy products.",
        description="Our pumps run dry when a tank empties. Today's carbon seals crack "
        "after two minutes. The seal must be food-safe and last 8000 hours.",
        keywords="seals, tribology, food pumps",
        brief="The pump runs at 2900 rpm with a 35 mm shaft; drawings follow under NDA.",
    )


def post_challenge(page: Page, text: ChallengeText) -> None:
    """Fill in the whole challenge form, by keyboard where a person types, and save it."""
    page.goto("/dashboard")
    page.get_by_role("link", name="Post a challenge").click()
    arrive(page, "/challenges/new")
    keyboard = page.keyboard
    # the title has the focus as the page opens; Tab goes on through the public texts
    for label, typed in [
        ("Title", text.title),
        ("Public summary", text.summary),
        ("Public description", text.description),
        ("Keywords", text.keywords),
    ]:
        expect(page.get_by_label(label, exact=True)).to_be_focused()
        keyboard.type(typed)
        keyboard.press("Tab")
    fields = page.get_by_label("Technical fields")
    expect(fields).to_be_focused()
    fields.select_option(label=["Polymers and plastics", "Coatings and surfaces"])
    page.get_by_label("Type of challenge").select_option(label="Reduction to practice")
    page.get_by_label("Confidential brief").fill(text.brief)
    page.get_by_label("Approve each request for the confidential part myself").check()
    page.get_by_label("Award", exact=True).fill("25000")
    page.get_by_label("Currency").select_option("CHF")
    page.get_by_label("Number of proposals you may award").fill("2")
    page.get_by_label("Deadline", exact=True).fill(DEADLINE.isoformat())
    page.get_by_label("IP terms wanted").select_option(label="Exclusive licence")
    page.get_by_label("Technology readiness level sought (1–9)").fill("5")
    save = page.get_by_role("button", name="Save as draft")
    save.focus()
    keyboard.press("Enter")
    landed(page, r"/challenges/\d+$")
    expect(flash(page)).to_have_text(
        "Your challenge is saved as a draft. Publish it when it is ready."
    )
    page.wait_for_load_state()


def publish(page: Page, message: str) -> None:
    """Press the page's Publish button with the keyboard; the page says ``message``."""
    page.get_by_role("button", name="Publish").focus()
    page.keyboard.press("Enter")
    expect(flash(page)).to_have_text(message)
    page.wait_for_load_state()


def landed(page: Page, path_pattern: str) -> None:
    """Wait until the browser shows a page whose path matches, with everything it loads."""
    expect(page).to_have_url(re.compile(path_pattern))
    page.wait_for_load_state()


def current_path(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def term(page: Page, name: str):
    """The description of ``name`` in the page's list of facts."""
    return page.locator(f"dt:text-is('{name}') + dd")


def test_a_seeker_posts_a_challenge_drafts_and_publishes_it(page: Page) -> None:
    seeker = new_visitor("Marie")
    register(page, seeker)
    text = challenge_text(seeker)
    post_challenge(page, text)

    expect(page.get_by_role("heading", level=1)).to_have_text(text.title)
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    expect(page.get_by_text(text.summary)).to_be_visible()
    expect(page.get_by_text("Polymers and plastics", exact=True)).to_be_visible()
    expect(page.get_by_text("Coatings and surfaces", exact=True)).to_be_visible()
    expect(term(page, "Type")).to_have_text("Reduction to practice")
    expect(term(page, "Award")).to_have_text("25,000.00 CHF")
    # proposals are accepted until the end of the chosen day, in UTC
    expect(term(page, "Deadline").locator("time")).to_have_attribute(
        "datetime", re.compile(rf"^{DEADLINE.isoformat()}T23:59")
    )
    expect(term(page, "IP terms wanted")).to_have_text("Exclusive licence")
    expect(term(page, "TRL sought")).to_have_text("5")
    expect(term(page, "Keywords")).to_have_text(text.keywords)
    expect(page.get_by_text(text.brief)).to_be_visible()  # the owner sees the brief
    # a draft is the seeker's own: the public list does not have it yet
    challenge_path = current_path(page)
    page.goto("/challenges")
    expect(page.get_by_role("link", name=text.title)).to_have_count(0)
    page.goto("/dashboard")
    expect(page.get_by_role("listitem").filter(has_text="Draft to publish")).to_contain_text(
        text.title
    )

    page.goto(challenge_path)
    publish(page, "The challenge is open.")
    expect(page.get_by_text("Open", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    page.goto("/challenges")
    page.get_by_role("link", name=text.title).click()
    arrive(page, challenge_path)
    log_out(page)
    page.goto(challenge_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(text.title)
    expect(page.get_by_text(text.brief)).to_have_count(0)
    expect(
        page.get_by_text("The seeker keeps the details of this challenge confidential.")
    ).to_be_visible()


def post_offer(page: Page, licensor: Visitor) -> str:
    """Offer IP through the form and publish it; return the offer page's path."""
    title = f"{OFFER_TITLE} ({licensor.organization})"
    page.goto("/offers/new")
    expect(page.get_by_label("Title", exact=True)).to_be_focused()
    page.keyboard.type(title)
    page.get_by_label("Public summary").fill(
        "A cold-spray process that bonds a dense copper layer to aluminium fins "
        "without melting either metal."
    )
    page.get_by_label("Technical fields").select_option(label=["Coatings and surfaces"])
    page.get_by_label("Protection", exact=True).select_option(label="Granted patent")
    page.get_by_label("Patent and application numbers").fill("US 10,123,456 B2; EP 1234567")
    page.get_by_label("Jurisdictions").fill("US, EP")
    page.get_by_label("Technology readiness level (1–9)").fill("6")
    page.get_by_label("Deals you are open to").select_option(
        label=["Exclusive licence", "Collaboration"]
    )
    page.get_by_label("Confidential dossier").fill(OFFER_DOSSIER)
    page.get_by_role("button", name="Save as draft").click()
    landed(page, r"/offers/\d+$")
    expect(flash(page)).to_have_text(
        "Your IP offer is saved as a draft. Publish it when it is ready."
    )
    page.wait_for_load_state()
    publish(page, "The IP offer is published.")
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    return current_path(page)


def test_a_licensor_offers_ip_and_an_outsider_sees_only_the_public_part(page: Page) -> None:
    licensor = new_visitor("Lena")
    register(page, licensor)
    offer_path = post_offer(page, licensor)
    expect(term(page, "Protection")).to_have_text("Granted patent: US 10,123,456 B2; EP 1 234 567")
    expect(term(page, "Jurisdictions")).to_have_text("US, EP")
    expect(term(page, "Deals")).to_have_text("exclusive licence, collaboration")
    expect(page.get_by_text(OFFER_DOSSIER)).to_be_visible()
    log_out(page)

    register(page, new_visitor("Otto"))
    page.goto("/offers")
    page.get_by_role("link", name=f"{OFFER_TITLE} ({licensor.organization})").click()
    arrive(page, offer_path)
    expect(term(page, "Protection")).to_have_text("Granted patent: US 10,123,456 B2; EP 1 234 567")
    expect(page.get_by_role("link", name=licensor.organization)).to_be_visible()
    expect(page.get_by_text(OFFER_DOSSIER)).to_have_count(0)
    expect(
        page.get_by_text("The licensor keeps further details of this technology confidential.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    response = page.goto(f"{offer_path}/edit")
    assert response is not None
    assert response.status == 404, "an outsider reached the offer's edit page"


def submit_proposal(page: Page, challenge_path: str, title: str) -> str:
    """Submit a proposal from the challenge's page; return the proposal page's path."""
    page.goto(challenge_path)
    page.get_by_role("link", name="Submit a proposal").click()
    landed(page, r"/challenges/\d+/proposals/new$")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a proposal")
    expect(page.get_by_label("Title")).to_be_focused()
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type("A seal face of laser-textured silicon carbide keeps a film of product.")
    page.keyboard.press("Tab")
    page.keyboard.type(
        "We texture the seal face with micro-pockets that hold product, so the seal "
        "survives dry running for twelve minutes in our rig. We propose a rig test first."
    )
    page.get_by_role("button", name="Submit the proposal").click()
    landed(page, r"/proposals/\d+$")
    expect(flash(page)).to_have_text("Your proposal is submitted. Its receipt is below: keep it.")
    page.wait_for_load_state()
    return current_path(page)


def test_proposals_are_submitted_declined_with_feedback_and_awarded(page: Page) -> None:
    seeker = new_visitor("Sofia")
    register(page, seeker)
    text = challenge_text(seeker)
    post_challenge(page, text)
    publish(page, "The challenge is open.")
    challenge_path = current_path(page)
    log_out(page)

    solver = new_visitor("Pavel")
    register(page, solver)
    before = datetime.now(UTC).replace(microsecond=0)
    winning_path = submit_proposal(page, challenge_path, "Laser-textured silicon carbide faces")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Laser-textured silicon carbide faces"
    )
    expect(page.get_by_text("The seeker has not decided yet.")).to_be_visible()
    receipt_sha = term(page, "SHA-256")
    expect(receipt_sha).to_have_text(SHA256_HEX)
    submitted = term(page, "Submitted").locator("time")
    moment = datetime.fromisoformat(submitted.get_attribute("datetime") or "")
    moment = moment.replace(tzinfo=moment.tzinfo or UTC)
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC), moment
    expect(submitted).to_have_text(moment.strftime("%d %B %Y, %H:%M:%S UTC"))
    # the receipt's JSON, downloaded from the page, has the SHA-256 shown
    receipt_url = page.get_by_role("link", name="Download that JSON").get_attribute("href")
    receipt = page.request.get(receipt_url or "")
    assert receipt.ok, receipt.status
    assert hashlib.sha256(receipt.body()).hexdigest() == receipt_sha.inner_text()
    assert json.loads(receipt.body())["title"] == "Laser-textured silicon carbide faces"
    log_out(page)

    declined_solver = new_visitor("Quentin")
    register(page, declined_solver)
    declined_path = submit_proposal(page, challenge_path, "A graphite seal with a cooling jacket")
    log_out(page)

    page.goto("/login")
    log_in(page, seeker.email, seeker.password)
    arrive(page, "/dashboard")
    waiting = page.get_by_role("listitem").filter(has_text="Proposal awaiting your decision")
    expect(waiting).to_have_count(2)
    waiting.get_by_role("link", name="A graphite seal with a cooling jacket").click()
    arrive(page, declined_path)
    expect(term(page, "From")).to_contain_text(declined_solver.organization)
    page.get_by_role("link", name="Decline…").click()
    arrive(page, f"{declined_path}/decline")
    # declining without a reason or feedback is refused with a message at each field
    page.get_by_role("button", name="Decline the proposal").click()
    expect(page.get_by_label("Reason", exact=True)).to_have_accessible_description(
        re.compile("Choose a reason.")
    )
    expect(page.get_by_label("Feedback for the proposer")).to_have_accessible_description(
        re.compile("Write feedback for the proposer.")
    )
    page.wait_for_load_state()
    reason = page.get_by_label("Reason", exact=True)
    reason.focus()
    page.keyboard.type("Too")
    expect(reason).to_have_value("too_early_stage")
    page.keyboard.press("Tab")
    feedback = "A cooling jacket needs water we do not have at the pump; we need a dry seal."
    page.keyboard.type(feedback)
    page.get_by_role("button", name="Decline the proposal").click()
    arrive(page, declined_path)
    expect(flash(page)).to_have_text(
        "The proposal is declined; the proposer can read your feedback."
    )
    page.wait_for_load_state()

    page.goto(winning_path)
    page.get_by_role("button", name="Award").click()
    expect(flash(page)).to_have_text("The proposal is awarded.")
    page.wait_for_load_state()
    expect(term(page, "Decision")).to_contain_text("Awarded")
    log_out(page)

    page.goto("/login")
    log_in(page, declined_solver.email, declined_solver.password)
    arrive(page, "/dashboard")
    sent = page.get_by_role("table", name="Proposals your organisation sent")
    expect(sent.get_by_role("row").filter(has_text="A graphite seal")).to_contain_text("Declined")
    sent.get_by_role("link", name="A graphite seal with a cooling jacket").click()
    arrive(page, declined_path)
    expect(term(page, "Decision")).to_contain_text("Declined")
    expect(term(page, "Reason")).to_have_text("Too early-stage")
    expect(term(page, "Feedback")).to_have_text(feedback)
    expect(page.get_by_role("button", name="Withdraw this proposal")).to_have_count(0)
    log_out(page)

    page.goto("/login")
    log_in(page, solver.email, solver.password)
    arrive(page, "/dashboard")
    page.goto(winning_path)
    expect(term(page, "Decision")).to_contain_text("Awarded")
    expect(term(page, "SHA-256")).to_have_text(receipt_sha.inner_text())


def test_a_confidential_file_is_listed_only_for_those_who_may_see_it(page: Page) -> None:
    licensor = new_visitor("Carla")
    register(page, licensor)
    offer_path = post_offer(page, licensor)
    files = page.locator("#attachments")
    expect(files).to_contain_text("No files are attached.")

    file_input = page.get_by_label("File", exact=True)
    confidential = page.get_by_label("Confidential: only for organisations that may see")
    expect(confidential).to_be_checked()  # a file is confidential unless its owner says not
    file_input.set_input_files(
        files=[
            {
                "name": "bond-tests.pdf",
                "mimeType": "application/pdf",
                "buffer": tiny_pdf("Bond tests"),
            }
        ]
    )
    page.get_by_role("button", name="Attach").click()
    expect(flash(page)).to_have_text('"bond-tests.pdf" is attached as a confidential file.')
    page.wait_for_load_state()
    page.get_by_label("File", exact=True).set_input_files(
        files=[
            {"name": "brochure.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Brochure")}
        ]
    )
    page.get_by_label("Confidential: only for organisations that may see").uncheck()
    page.get_by_role("button", name="Attach").click()
    expect(flash(page)).to_have_text('"brochure.pdf" is attached as a public file.')
    page.wait_for_load_state()
    listed = files.get_by_role("listitem")
    expect(listed).to_have_count(2)
    expect(listed.filter(has_text="bond-tests.pdf")).to_contain_text("Confidential")
    expect(listed.filter(has_text="bond-tests.pdf")).to_contain_text("PDF document")
    expect(listed.filter(has_text="brochure.pdf")).to_contain_text("Public")
    confidential_url = page.get_by_role("link", name="bond-tests.pdf").get_attribute("href")
    assert confidential_url is not None
    download = page.request.get(confidential_url)
    assert download.ok, download.status
    assert download.body() == tiny_pdf("Bond tests"), "the owner got another file back"
    log_out(page)

    for outsider in ("anonymous", "another organisation"):
        if outsider == "another organisation":
            register(page, new_visitor("Ivo"))
        page.goto(offer_path)
        listed = page.locator("#attachments").get_by_role("listitem")
        expect(listed).to_have_count(1)
        expect(page.get_by_role("link", name="brochure.pdf")).to_be_visible()
        expect(page.get_by_text("bond-tests.pdf")).to_have_count(0)
        expect(page.get_by_role("button", name="Attach")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
        refused = page.request.get(confidential_url)
        assert refused.status == 404, f"{outsider} fetched the confidential file: {refused.status}"


def test_marketplace_pages_have_no_serious_accessibility_violations(
    page: Page, demo_data: None
) -> None:
    """Every marketplace page, as the demo seeker sees it and then as an anonymous visitor."""
    audit = AccessibilityAudit()
    page.goto("/login")
    log_in(page, DEMO_SEEKER.email, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    audit.check(page, "member /dashboard")
    for path in ["/challenges", "/offers", "/challenges/new", "/offers/new", "/offers/import"]:
        page.goto(path)
        audit.check(page, f"member {path}")

    page.goto("/challenges/new")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_label("Title", exact=True)).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()
    audit.check(page, "member /challenges/new with errors")

    page.goto("/dashboard")
    waiting = page.get_by_role("listitem").filter(has_text="Proposal awaiting your decision")
    waiting.first.get_by_role("link").first.click()
    landed(page, r"/proposals/\d+$")
    proposal_path = current_path(page)
    audit.check(page, "member proposal page")
    page.get_by_role("link", name="Decline…").click()
    landed(page, r"/proposals/\d+/decline$")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline this proposal")
    decline_path = current_path(page)
    audit.check(page, "member decline form")
    page.get_by_role("button", name="Decline the proposal").click()
    expect(page.get_by_label("Reason", exact=True)).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()
    audit.check(page, "member decline form with errors")

    page.get_by_role("link", name="Cancel").click()
    arrive(page, proposal_path)
    page.get_by_text("Proposal to").get_by_role("link").click()
    landed(page, r"/challenges/\d+$")
    challenge_path = current_path(page)
    audit.check(page, "member's own challenge page, with its proposals")
    page.get_by_role("link", name="Edit", exact=True).click()
    landed(page, r"/challenges/\d+/edit$")
    challenge_edit_path = current_path(page)
    audit.check(page, "member challenge edit page")

    page.goto("/dashboard")
    own_offers = page.get_by_role("region", name="Our IP offers").get_by_role("listitem")
    own_offers.first.get_by_role("link").click()
    landed(page, r"/offers/\d+$")
    offer_path = current_path(page)
    audit.check(page, "member's own offer page, with the upload form")
    page.get_by_role("link", name="Edit", exact=True).click()
    landed(page, r"/offers/\d+/edit$")
    offer_edit_path = current_path(page)
    audit.check(page, "member offer edit page")

    main_nav(page).get_by_role("link", name=DEMO_SEEKER_ORGANIZATION.name).click()
    landed(page, r"/organizations/\d+$")
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_SEEKER_ORGANIZATION.name)
    organization_path = current_path(page)
    audit.check(page, "member organisation profile")
    log_out(page)

    for path in ["/challenges", "/offers", challenge_path, offer_path, organization_path]:
        page.goto(path)
        audit.check(page, f"anonymous {path}")
    # the other pages are for members: they send an anonymous visitor to log in
    for path in [
        *LOGIN_ONLY_PAGES,
        challenge_edit_path,
        offer_edit_path,
        proposal_path,
        decline_path,
    ]:
        page.goto(path)
        expect(page).to_have_url(url_path("/login"))
        expect(flash(page)).to_have_text("Please log in to see this page.")
    audit.assert_no_blocking_violations()


def test_a_seeker_finds_their_challenge_and_sees_offers_that_may_solve_it(
    page: Page, demo_data: None
) -> None:
    """Search from the navigation bar, open one's own challenge, and read why offers match."""
    audit = AccessibilityAudit()
    page.goto("/login")
    log_in(page, DEMO_SEEKER.email, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    search_box = page.get_by_role("search", name="Site search").get_by_role("searchbox")
    search_box.fill('"battery enclosure" recycled')
    search_box.press("Enter")
    landed(page, r"/search\?")
    results = page.locator(".search-results > li")
    expect(results.first).to_contain_text("fire-resistant battery enclosure")
    # the words searched for are marked in the snippet of public text
    expect(results.first.locator("mark").first).to_be_visible()
    audit.check(page, "member /search")

    results.first.get_by_role("link").first.click()
    landed(page, r"/challenges/\d+$")
    page.get_by_role("link", name="See all matches").click()
    landed(page, r"/challenges/\d+/matches$")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IP offers that may solve this")
    matches = page.locator(".match-list > li")
    expect(matches.first).to_contain_text("Why:")
    expect(matches.first.get_by_label("Match score")).to_be_visible()
    audit.check(page, "member matches page")
    audit.assert_no_blocking_violations()
