"""Importing a portfolio of IP offers through the upload page, in headless Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser import unavailable
from tests.browser.test_journeys import AccessibilityAudit, arrive, new_visitor, register
from tests.offer_files import csv_cells, csv_file

try:
    from playwright.sync_api import Page, expect
except ImportError as error:  # pragma: no cover - the test extra installs it
    unavailable(f"Playwright is not installed ({error})", module_level=True)

pytestmark = pytest.mark.browser


def test_a_portfolio_uploads_with_progress_and_a_summary(page: Page) -> None:
    register(page, new_visitor("Imogen"))
    page.goto("/offers")
    page.get_by_role("link", name="Import from a file").click()
    arrive(page, "/offers/import")
    audit = AccessibilityAudit()
    audit.check(page, "the import page")
    rows = [csv_cells(number) for number in range(1, 301)]
    rows[4]["trl"] = "12"
    rows[249]["fields"] = "astrology"
    page.get_by_label("CSV or JSON Lines file").set_input_files(
        files=[{"name": "portfolio.csv", "mimeType": "text/csv", "buffer": csv_file(*rows)}]
    )
    page.get_by_role("button", name="Import").click()
    summary = page.get_by_role("heading", name="Done: 298 offers created, 2 rows refused")
    expect(summary).to_be_visible(timeout=60_000)
    # every batch streamed a progress line; the stylesheet shows only the latest
    progress = page.locator(".import-progress p")
    assert progress.count() == 7
    expect(progress.filter(visible=True)).to_have_count(1)
    expect(progress.filter(visible=True)).to_have_text(re.compile(r"300 of 300 rows"))
    refused = page.get_by_role("table", name="Rows that were not imported")
    expect(refused.get_by_role("row")).to_have_count(3)
    expect(refused).to_contain_text("trl: The technology readiness level")
    expect(refused).to_contain_text("'astrology'")
    audit.check(page, "the import summary")
    audit.assert_no_blocking_violations()
    page.get_by_text("The drafts created").click()
    page.get_by_role(
        "link", name="Self-healing coating for offshore steel, variant 1", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Self-healing coating for offshore steel, variant 1"
    )
