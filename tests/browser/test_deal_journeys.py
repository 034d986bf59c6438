"""Licence deals in headless Chromium: opening a deal on an IP offer, proposing terms from a
preset, a counter-revision and its redline, acceptance, both signatures, the sealed PDF and its
public verification, and an accessibility check of every page of the flow.

The journey registers both organisations and gives each a browser of its own; the
accessibility check also reads the demo data, where Tessel Mobility negotiates a licence of
Halden's sensor and Northwind has signed a research licence with Eastmoor. Every page of every
browser is watched (``tests.browser.PageWatch``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ideagora.deals.agreements import assent_wording
from ideagora.demo import DEMO_PASSWORD
from tests.browser import PageWatch, unavailable
from tests.browser.test_disclosure_journeys import download, second_browser
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
from tests.browser.test_marketplace_journeys import current_path, landed, post_offer, term

try:
    import pypdfium2
    from playwright.sync_api import Locator, Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs them
    unavailable(f"Playwright or pypdfium2 is not installed ({error})", module_level=True)

pytestmark = pytest.mark.browser
__all__ = ["second_browser"]  # the fixture, used by name

PRESET = "Express exclusive start-up licence"
FIELD_OF_USE = "Heat sinks for traction inverters of rail vehicles"
OPENING_MESSAGE = "Our opening terms: the express start-up licence, limited to rail traction."
COUNTER_MESSAGE = "We accept the field; the royalty and the upfront fee must reflect the patents."
# revision 1 keeps the preset's royalty and fee; revision 2 changes exactly these two
OPENING_ROYALTY, COUNTER_ROYALTY = "2", "3.5"
OPENING_FEE, COUNTER_FEE = "5000", "12500"
DEAL_REFERENCE = re.compile(r"LD-\d{6}")
AGREEMENT_NAME = re.compile(r"^LD-\d{6}.*\.pdf$")
VALID = "Valid: this is an unaltered agreement issued by"
NOT_VALID = "Not valid: this file is not an unaltered agreement issued by"
# the demo's licensing officers: one negotiating with Halden, one with a signed licence
DEMO_NEGOTIATOR_EMAIL = "tara@tessel.example"
DEMO_SENSOR_OFFER = (
    "Electrolyte-vapour sensor that warns of lithium-ion thermal runaway minutes ahead"
)
DEMO_SIGNER_EMAIL = "ben@northwind.example"
DEMO_SIGNED_PARTNER = "University of Eastmoor"


def status(page: Page) -> Locator:
    """The deal's status, shown as a badge under its heading."""
    return page.locator("h1 + p .badge")


def redline_row(page: Page, label: str) -> Locator:
    return page.locator("#redline tbody tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True)
    )


def open_deal_from_the_offer(page: Page, offer_path: str) -> str:
    """Open a licence deal from the offer's page; return the deal page's path."""
    page.goto(offer_path)
    page.locator("#deal-panel").get_by_role("button", name="Open a licence deal").click()
    landed(page, r"/deals/\d+$")
    expect(flash(page)).to_contain_text("is open. Propose the first terms, or wait for them.")
    return current_path(page)


def propose(page: Page, deal_path: str, message: str) -> None:
    """Send the terms form as it stands, with ``message``; the deal page confirms it."""
    page.get_by_label("Message to the other party").fill(message)
    page.get_by_role("button", name="Propose these terms").click()
    arrive(page, deal_path)


def sign(page: Page, signer: Visitor, title: str) -> None:
    """Type the name and title, tick the assent, give the password when asked, and sign."""
    page.get_by_label("Your full name").fill(signer.name)
    page.get_by_label("Your title").fill(title)
    assent = page.get_by_label(assent_wording(signer.organization))
    expect(assent).not_to_be_checked()
    assent.check()
    password = page.get_by_label("Your password")
    if password.count():
        password.fill(signer.password)
    page.get_by_role("button", name="Sign the agreement").click()


def upload_for_checking(page: Page, name: str, pdf: bytes) -> Locator:
    """Give a PDF to the public verification page; return the result it shows."""
    page.get_by_label("Agreement (PDF)").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_role("button", name="Check the file").click()
    arrive(page, "/agreements/verify")
    return page.locator("#verify-result")


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_a_licence_is_negotiated_agreed_signed_and_verified(
    page: Page,
    second_browser: Callable[[], Page],
    page_watch: PageWatch,
    tmp_path: Path,
) -> None:
    audit = AccessibilityAudit()
    licensor = new_visitor("Livia")
    register(page, licensor)
    offer_path = post_offer(page, licensor)
    log_out(page)

    # the licensee's admin opens a deal from the offer page and proposes from a preset
    licensee = new_visitor("Kasimir")
    tab = second_browser()
    register(tab, licensee)
    deal_path = open_deal_from_the_offer(tab, offer_path)
    reference = tab.get_by_role("heading", level=1).inner_text().split(":")[0].split()[-1]
    assert DEAL_REFERENCE.fullmatch(reference), reference
    expect(tab.get_by_text("No terms are proposed yet.")).to_be_visible()
    tab.get_by_role("link", name="Propose terms").click()
    arrive(tab, f"{deal_path}/revisions/new")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Propose the first terms")
    audit.check(tab, "empty revision form")
    tab.get_by_label("Preset", exact=True).select_option(label=PRESET)
    tab.get_by_role("button", name="Load these terms").click()
    arrive(tab, f"{deal_path}/revisions/new")
    expect(tab.get_by_label("Royalty rate (%)")).to_have_value(OPENING_ROYALTY)
    expect(tab.get_by_label("Upfront fee")).to_have_value(OPENING_FEE)
    expect(tab.get_by_label("Exclusivity")).to_have_value("exclusive")
    # the preset covers every patent of the offer
    patents = tab.get_by_role("group", name="Licensed patents").get_by_role("checkbox")
    expect(patents).to_have_count(2)
    for index in range(2):
        expect(patents.nth(index)).to_be_checked()
    tab.get_by_label("Field of use").fill(FIELD_OF_USE)
    propose(tab, deal_path, OPENING_MESSAGE)
    expect(flash(tab)).to_have_text("Revision 1 is proposed; the other party is told.")
    expect(tab.get_by_text(OPENING_MESSAGE)).to_be_visible()
    expect(tab.get_by_text("This is the first revision: every term is new.")).to_be_visible()
    expect(
        tab.get_by_text("Your organisation proposed this revision; it waits for the other")
    ).to_be_visible()
    expect(tab.get_by_role("button", name="Accept revision 1")).to_have_count(0)

    # the licensor finds the deal, reads revision 1 and counters
    page.goto("/login")
    log_in(page, licensor.email, licensor.password)
    arrive(page, "/dashboard")
    main_nav(page).get_by_role("link", name="Deals").click()
    arrive(page, "/deals")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(licensee.organization)
    expect(row).to_contain_text("Negotiating")
    row.get_by_role("link", name=reference).click()
    arrive(page, deal_path)
    expect(term(page, "Licensor")).to_have_text(f"{licensor.organization} (your organisation)")
    expect(term(page, "Licensee")).to_have_text(licensee.organization)
    expect(page.get_by_role("button", name="Accept revision 1")).to_be_visible()
    page.goto(f"{deal_path}/revisions/1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 1")
    expect(term(page, "Message")).to_have_text(OPENING_MESSAGE)
    expect(term(page, "Started from")).to_have_text(PRESET)
    expect(page.get_by_role("cell", name=FIELD_OF_USE).first).to_be_visible()
    page.goto(deal_path)
    page.get_by_role("link", name="Propose a counter-revision").click()
    arrive(page, f"{deal_path}/revisions/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose revision 2")
    expect(page.get_by_label("Field of use")).to_have_value(FIELD_OF_USE)
    page.get_by_label("Royalty rate (%)").fill(COUNTER_ROYALTY)
    page.get_by_label("Upfront fee").fill(COUNTER_FEE)
    propose(page, deal_path, COUNTER_MESSAGE)
    expect(flash(page)).to_have_text("Revision 2 is proposed; the other party is told.")
    audit.check(page, "deal page, negotiating, own revision waiting")

    # the licensee reads the redline of revision 2: exactly the two changed terms
    tab.goto(f"{deal_path}/revisions/2")
    expect(term(tab, "Message")).to_have_text(COUNTER_MESSAGE)
    changes = tab.locator("#redline tbody tr")
    expect(changes).to_have_count(2)
    royalty = redline_row(tab, "Royalty rate")
    expect(royalty.locator("del")).to_have_text(f"removed: {OPENING_ROYALTY}%")
    expect(royalty.locator("ins")).to_have_text(f"added: {COUNTER_ROYALTY}%")
    fee = redline_row(tab, "Upfront fee")
    expect(fee.locator("del")).to_have_text(re.compile(r"^removed: EUR 5,000(\.00)?$"))
    expect(fee.locator("ins")).to_have_text(re.compile(r"^added: EUR 12,500(\.00)?$"))
    audit.check(tab, "revision page with a redline")
    tab.get_by_role("link", name=re.compile(r"^Deal LD-")).click()
    arrive(tab, deal_path)
    expect(tab.locator("#redline tbody tr")).to_have_count(2)
    tab.get_by_role("button", name="Accept revision 2").click()
    arrive(tab, deal_path)
    expect(flash(tab)).to_have_text(
        "Both parties accept revision 2: the agreement is drafted for signature."
    )
    expect(status(tab)).to_have_text("Agreed")
    expect(term(tab, "Agreed")).to_contain_text("Revision 2")
    expect(tab.get_by_role("link", name="Propose a new revision")).to_have_count(0)
    audit.check(tab, "deal page, agreed, with the sign form")

    # both parties sign; the second signature seals the final agreement
    sign(tab, licensee, "Head of Technology Scouting")
    arrive(tab, deal_path)
    expect(flash(tab)).to_have_text(
        "You signed the agreement; the other party is asked to sign it too."
    )
    expect(tab.get_by_role("button", name="Sign the agreement")).to_have_count(0)
    page.reload()
    page.wait_for_load_state()
    expect(term(page, "Signed for the licensee")).to_contain_text(licensee.name)
    sign(page, licensor, "Director of Technology Transfer")
    arrive(page, deal_path)
    expect(flash(page)).to_have_text(
        "Both parties have signed: the final agreement is sealed and ready to download."
    )
    expect(status(page)).to_have_text("Signed")
    audit.check(page, "deal page, signed")
    link = page.get_by_role("link", name="Download the signed agreement (PDF)")
    filename, pdf = download(page, link, page_watch)
    assert pdf.startswith(b"%PDF"), pdf[:16]
    assert AGREEMENT_NAME.match(filename), filename
    (tmp_path / "agreement.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    for expected in (reference, licensor.organization, licensee.organization, licensor.name):
        assert expected in text, f"the agreement does not name {expected!r}"
    assert f"{COUNTER_ROYALTY}%" in text, "the agreement does not state the agreed royalty"

    # anyone may check the copy: the genuine one is valid, an altered one is not
    visitor = second_browser()
    visitor.goto("/agreements/verify")
    result = upload_for_checking(visitor, filename, pdf)
    expect(result).to_contain_text(VALID)
    expect(result.locator("dt:text-is('Deal') + dd")).to_have_text(reference)
    main = visitor.get_by_role("main")
    for secret in (FIELD_OF_USE, f"{COUNTER_ROYALTY}%", COUNTER_MESSAGE):
        expect(main).not_to_contain_text(secret)
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    result = upload_for_checking(visitor, filename, bytes(altered))
    expect(result).to_contain_text(NOT_VALID)
    expect(visitor.get_by_role("main")).not_to_contain_text(reference)
    audit.assert_no_blocking_violations()


def test_deal_pages_have_no_serious_accessibility_violations(
    page: Page, page_watch: PageWatch, demo_data: None
) -> None:
    audit = AccessibilityAudit()
    page.goto("/agreements/verify")
    audit.check(page, "verify page")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_label("Agreement (PDF)")).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()
    audit.check(page, "verify page without a file")

    page.goto("/login")
    log_in(page, DEMO_NEGOTIATOR_EMAIL, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    page.goto("/deals")
    audit.check(page, "deal list")
    page.get_by_role("row").filter(has_text=DEMO_SENSOR_OFFER).get_by_role("link").click()
    landed(page, r"/deals/\d+$")
    deal_path = current_path(page)
    expect(status(page)).to_have_text("Negotiating")
    audit.check(page, "deal page, negotiating")
    page.goto(f"{deal_path}/revisions/2")
    expect(page.locator("#redline")).to_be_visible()
    audit.check(page, "revision 2 with its redline")

    page.goto(deal_path)
    page.get_by_role(
        "link", name=re.compile(r"^Propose a (new revision|counter-revision)$")
    ).click()
    arrive(page, f"{deal_path}/revisions/new")
    audit.check(page, "revision form prefilled from the latest revision")
    page.get_by_label("Royalty rate (%)").fill("a lot")
    page.get_by_label("Upfront fee").fill("-5")
    with page.expect_response(re.compile(rf"{re.escape(deal_path)}/revisions/new$")) as answer:
        page.get_by_role("button", name="Propose these terms").click()
    assert answer.value.status == 422, answer.value.status
    arrive(page, f"{deal_path}/revisions/new")
    expect(page.get_by_label("Royalty rate (%)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Upfront fee")).to_have_attribute("aria-invalid", "true")
    audit.check(page, "revision form with errors")
    page.goto(f"{deal_path}/revisions/new?preset=evaluation")
    expect(page.get_by_label("Royalty rate (%)")).to_have_value("0")
    audit.check(page, "revision form with a preset")
    # nothing was proposed by the refused form
    page.goto(deal_path)
    expect(page.get_by_role("link", name="Revision 3")).to_have_count(0)
    log_out(page)

    page.goto("/login")
    log_in(page, DEMO_SIGNER_EMAIL, DEMO_PASSWORD)
    arrive(page, "/dashboard")
    page.goto("/deals")
    page.get_by_role("row").filter(has_text=DEMO_SIGNED_PARTNER).get_by_role("link").click()
    landed(page, r"/deals/\d+$")
    expect(status(page)).to_have_text("Signed")
    audit.check(page, "deal page, signed")
    link = page.get_by_role("link", name="Download the signed agreement (PDF)")
    _, pdf = download(page, link, page_watch)
    log_out(page)
    page.goto("/agreements/verify")
    expect(upload_for_checking(page, "agreement.pdf", pdf)).to_contain_text(VALID)
    audit.check(page, "verify page with a valid agreement")
    expect(upload_for_checking(page, "agreement.pdf", pdf[:-400])).to_contain_text(NOT_VALID)
    audit.check(page, "verify page with an invalid file")
    audit.assert_no_blocking_violations()
