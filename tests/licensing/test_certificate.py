"""The certificate of acceptance: deterministic bytes, and everything a party must find in it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from licensing import typesetting
from licensing.certificate import CertificateData, render_certificate
from licensing.nda import PLATFORM_TEMPLATES, assent_wording, render, text_sha256
from tests.licensing.pdf_text import flat, pdf_pages, pdf_reader

TEMPLATE = PLATFORM_TEMPLATES[0]
OWNER = "Zoë Ångström Labs Ltd"
RECIPIENT = "Politechnika Łódź"
TEXT = render(
    TEMPLATE.body,
    {
        "owner": OWNER,
        "recipient": RECIPIENT,
        "listing": "Low-cost electrolysis",
        "listing_reference": "challenge C-12",
        "purpose": TEMPLATE.purpose,
        "term_years": "5",
        "governing_law": TEMPLATE.governing_law,
    },
)
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DATA = CertificateData(
    reference="NDA-000012",
    listing_reference="challenge C-12",
    listing_title="Low-cost electrolysis",
    owner_name=OWNER,
    recipient_name=RECIPIENT,
    signer_name="Zoë Ångström",
    user_name="Zoë Ångström",
    user_email="zoe@lodz.example.org",
    template_name=TEMPLATE.name,
    template_version=3,
    term_years=5,
    text=TEXT,
    sha256=text_sha256(TEXT),
    assent_wording=assent_wording(RECIPIENT),
    accepted_at=datetime(2026, 12, 3, 10, 4, 5, tzinfo=UTC),
    ip_address="2001:db8:85a3::8a2e:370:7334",
    user_agent=USER_AGENT,
    channel="page",
    status_lines=("Approved by Ana Ruiz on 3 December 2026, 10:04 UTC",),
)


def body_text(pages: list[str], data: CertificateData) -> str:
    """Return the pages' text without the header and footer lines, as one flat string."""
    marks = {
        "Ideagora · Certificate of acceptance",
        f"{data.reference} · {data.listing_reference}",
        data.reference,
        f"SHA-256 {data.sha256}",
    }
    lines = [line for page in pages for line in page.splitlines()]
    kept = [line for line in lines if line.strip() not in marks and not line.startswith("Page ")]
    return flat(" ".join(kept))


def test_the_same_data_gives_the_same_bytes() -> None:
    first, second = render_certificate(DATA), render_certificate(DATA)
    assert first.startswith(b"%PDF-")
    assert first == second
    # the document's date is the acceptance time, not the time of rendering
    assert b"D:20261203100405+00'00'" in first


def test_different_evidence_gives_a_different_file() -> None:
    later = dataclasses.replace(DATA, accepted_at=DATA.accepted_at + timedelta(seconds=1))
    assert render_certificate(later) != render_certificate(DATA)


def test_the_certificate_shows_parties_evidence_and_hash() -> None:
    pages = pdf_pages(render_certificate(DATA))
    first = flat(pages[0])
    for expected in [
        "Certificate of acceptance",
        "Owner of the listing Zoë Ångström Labs Ltd",
        "Requesting party Politechnika Łódź (bound by the acceptance)",
        "challenge C-12: Low-cost electrolysis",
        "Accepted at 3 December 2026, 10:04:05 UTC (2026-12-03T10:04:05Z)",
        "Signed by Zoë Ångström (name typed at acceptance)",
        "Zoë Ångström <zoe@lodz.example.org>",
        "“I have read and agree to this agreement, on behalf of Politechnika Łódź, "
        "which I am authorised to bind.”",
        "Agreement Platform NDA (one-way), version 3",
        "Confidentiality term 5 years from acceptance",
        "Channel Web page (click-through)",
        "IP address 2001:db8:85a3::8a2e:370:7334",
        "Status Approved by Ana Ruiz on 3 December 2026, 10:04 UTC",
        DATA.sha256,
    ]:
        assert expected in first
    assert "".join(USER_AGENT.split()) in "".join(pages[0].split())
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_every_page_carries_reference_hash_and_page_number() -> None:
    pages = pdf_pages(render_certificate(DATA))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "NDA-000012 · challenge C-12" in page
        assert f"SHA-256 {DATA.sha256}" in page
        assert f"Page {number} of {len(pages)}" in page


def test_the_full_text_is_in_the_certificate() -> None:
    body = body_text(pdf_pages(render_certificate(DATA)), DATA)
    for paragraph in TEXT.split("\n\n"):
        assert flat(paragraph) in body


def test_a_long_text_spans_several_pages_and_ends_complete() -> None:
    clauses = [
        f"{n}. Clause number {n} of a long agreement. " + "Words follow. " * 60
        for n in range(1, 61)
    ]
    text = "\n\n".join(["LONG AGREEMENT", *clauses, "The final sentence of the agreement."])
    data = dataclasses.replace(DATA, text=text, sha256=text_sha256(text))
    short_pages = pdf_pages(render_certificate(DATA))
    pages = pdf_pages(render_certificate(data))
    assert len(pages) >= len(short_pages) + 5
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    body = body_text(pages, data)
    for clause in clauses:
        assert flat(clause) in body
    assert "The final sentence of the agreement." in body
    assert body.endswith(f"End of the agreement text. Its SHA-256 fingerprint: {data.sha256}")


def test_the_text_is_shown_literally_with_its_line_breaks() -> None:
    text = "1. TERMS\n\nPrices are <b>net</b> & final.\nSecond line ]]> of the clause."
    data = dataclasses.replace(DATA, text=text, sha256=text_sha256(text))
    body = pdf_pages(render_certificate(data))[1]
    assert "Prices are <b>net</b> & final.\nSecond line ]]> of the clause." in body


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"user_agent": ""}, "User agent not recorded"),
        ({"ip_address": None}, "IP address not recorded"),
        ({"channel": "api"}, "Channel API (authenticated client)"),
        ({"status_lines": ()}, "Status No decision recorded"),
        (
            {"status_lines": ("Granted at once: no approval required", "Revoked on 4 May 2027")},
            "Status Granted at once: no approval required Revoked on 4 May 2027",
        ),
        (
            {"owner_name": "Smith & <Partners>"},
            "Owner of the listing Smith & <Partners> Requesting",
        ),
        ({"signer_name": "José Ñúñez-Øre"}, "Signed by José Ñúñez-Øre (name typed"),
        (
            {"accepted_at": datetime(2026, 12, 3, 11, 4, 5, tzinfo=timezone(timedelta(hours=1)))},
            "Accepted at 3 December 2026, 10:04:05 UTC",
        ),
        (
            {"accepted_at": datetime(2026, 7, 9, 8, 0, 1)},
            "Accepted at 9 July 2026, 08:00:01 UTC (2026-07-09T08:00:01Z)",
        ),
    ],
)
def test_evidence_is_shown_as_given(changes, expected) -> None:
    first_page = pdf_pages(render_certificate(dataclasses.replace(DATA, **changes)))[0]
    assert expected in flat(first_page)


def test_a_user_agent_without_spaces_wraps_inside_the_table() -> None:
    user_agent = "Bot/1.0+" + "abcdefghij" * 49
    pages = pdf_pages(render_certificate(dataclasses.replace(DATA, user_agent=user_agent)))
    assert user_agent in "".join(pages[0].split())
    assert "Status Approved by Ana Ruiz" in flat(pages[0])


def test_the_title_of_the_document_names_the_reference() -> None:
    reader = pdf_reader(render_certificate(DATA))
    assert reader.metadata.title == "Certificate of acceptance NDA-000012"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)


@pytest.fixture
def without_dejavu(monkeypatch):
    monkeypatch.setattr(typesetting, "_font_dirs", list)
    typesetting.load_fonts.cache_clear()
    yield
    typesetting.load_fonts.cache_clear()


@pytest.mark.usefixtures("without_dejavu")
def test_without_dejavu_the_bundled_fonts_still_give_a_complete_certificate(caplog) -> None:
    pdf = render_certificate(DATA)
    assert pdf == render_certificate(DATA)
    assert "DejaVu fonts not found" in caplog.text
    pages = pdf_pages(pdf)
    assert "Zoë Ångström <zoe@lodz.example.org>" in flat(pages[0])
    assert DATA.sha256 in pages[0]
