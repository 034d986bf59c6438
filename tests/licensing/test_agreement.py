"""The licence agreement: deterministic bytes, the clauses the terms call for, the schedules."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from licensing.agreement import AgreementData, Party, Signature, render_agreement
from licensing.presets import preset, start_from
from tests.licensing.pdf_text import flat, pdf_pages, pdf_reader

TERMS = {
    "licensed_patents": [
        "EP 3 456 789 B1",
        "US 10,123,456 B2",
        {"number": "WO 2020/123456 A1", "title": "Membrane for low-cost electrolysis"},
    ],
    "field_of_use": "hydrogen production by water electrolysis",
    "territory": ["DE", "GB", "NO"],
    "exclusivity": "exclusive",
    "sublicensing": True,
    "term_years": None,
    "term": "life_of_patents",
    "upfront_fee": "25000.00",
    "annual_fee": "5000.00",
    "minimum_annual_royalty": "10000.00",
    "royalty_rate_percent": "3.5",
    "sublicense_income_percent": "20",
    "milestones": [
        {"event": "First commercial sale", "amount": "50000.00", "due": "2028-06-30"},
        {"event": "Net Sales exceed EUR 5,000,000", "amount": "100000.00", "due": "2030-12-31"},
    ],
    "patent_costs": {"paid_by": "licensee", "note": ""},
    "diligence": "build a 100 kW pilot stack by 31 December 2027;\nsell in two countries.",
    "governing_law": "the laws of England and Wales",
    "currency": "EUR",
}
LICENSOR = Party("Politechnika Łódź", "university", "ul. Żeromskiego 116, 90-924 Łódź, Poland")
LICENSEE = Party("Zoë Ångström Hydrogen GmbH", "company")
DATA = AgreementData(
    reference="LD-000012",
    effective_date=date(2026, 12, 3),
    licensor=LICENSOR,
    licensee=LICENSEE,
    revision=3,
    terms=TERMS,
    subject="low-cost membrane electrolysis",
)
HEADINGS = [
    "1. Definitions and interpretation",
    "2. Grant of licence",
    "3. Field and territory",
    "4. Sublicensing",
    "5. Consideration",
    "6. Milestone payments",
    "7. Diligence",
    "8. Reports and audit",
    "9. Patent prosecution and costs",
    "10. Confidentiality",
    "11. Warranties and disclaimer",
    "12. Indemnity and limitation of liability",
    "13. Term and termination",
    "14. Governing law and disputes",
    "15. General",
]
SIGNATURES = (
    Signature(
        party="licensor",
        signer_name="Zbigniew Źdźbło",
        title="Head of Technology Transfer",
        assent_wording="I agree to this agreement on behalf of Politechnika Łódź.",
        signed_at=datetime(2026, 12, 4, 9, 30, 1, tzinfo=UTC),
        ip_address="2001:db8::1",
        document_sha256="ab" * 32,
    ),
    Signature(
        party="licensee",
        signer_name="Zoë Ångström",
        title="Chief Executive Officer",
        assent_wording="I agree to this agreement on behalf of Zoë Ångström Hydrogen GmbH.",
        signed_at=datetime(2026, 12, 4, 11, 2, 3, tzinfo=UTC),
        ip_address=None,
        document_sha256="ab" * 32,
    ),
)


def with_terms(**changes) -> AgreementData:
    return dataclasses.replace(DATA, terms={**TERMS, **changes})


def text_of(data: AgreementData) -> str:
    return flat(" ".join(pdf_pages(render_agreement(data))))


def test_the_same_data_gives_the_same_bytes() -> None:
    first, second = render_agreement(DATA), render_agreement(DATA)
    assert first.startswith(b"%PDF-")
    assert first == second
    # the document's date is the effective date, not the time of rendering
    assert b"D:20261203000000+00'00'" in first


def test_free_text_patent_costs_are_written_as_agreed() -> None:
    text = text_of(with_terms(patent_costs="half each up to grant, then the licensee"))
    assert "are borne as the Parties agreed: half each up to grant, then the licensee" in text


def test_another_process_renders_the_same_bytes() -> None:
    script = (
        "import hashlib; from tests.licensing.test_agreement import DATA; "
        "from licensing.agreement import render_agreement; "
        "print(hashlib.sha256(render_agreement(DATA)).hexdigest())"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parents[2],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == hashlib.sha256(render_agreement(DATA)).hexdigest()


@pytest.mark.parametrize(
    "changed",
    [
        with_terms(royalty_rate_percent="3.6"),
        dataclasses.replace(DATA, revision=4),
        dataclasses.replace(DATA, effective_date=date(2026, 12, 4)),
        dataclasses.replace(DATA, signatures=SIGNATURES),
    ],
)
def test_any_change_gives_a_different_file(changed) -> None:
    assert render_agreement(changed) != render_agreement(DATA)


def test_page_one_opens_with_title_parties_and_background() -> None:
    first = flat(pdf_pages(render_agreement(DATA))[0])
    for expected in [
        "Exclusive Patent Licence Agreement between Politechnika Łódź and Zoë Ångström Hydrogen",
        "Reference LD-000012 · Agreed terms, revision 3 · Effective date 3 December 2026",
        "THIS AGREEMENT is dated 3 December 2026 and made between:",
        "(1) Politechnika Łódź, a university, whose address is ul. Żeromskiego 116, 90-924 Łódź, "
        "Poland (the “Licensor”); and",
        "(2) Zoë Ångström Hydrogen GmbH, a company (the “Licensee”),",
        "listed in Schedule 1, which relate to low-cost membrane electrolysis.",
        "as deal LD-000012, and both accepted revision 3 of the term sheet.",
        "IT IS AGREED as follows: 1. Definitions and interpretation",
    ]:
        assert expected in first


def test_every_clause_heading_appears_in_order() -> None:
    text = text_of(DATA)
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert text.index("Execution") > positions[-1]


def test_the_agreed_terms_are_written_into_the_clauses() -> None:
    text = text_of(DATA)
    for expected in [
        "“Field” means hydrogen production by water electrolysis;",
        "“Territory” means the countries with the ISO 3166 codes DE, GB and NO;",
        "grants to the Licensee an exclusive licence (exclusive also as against the Licensor)",
        "a licence issue fee of EUR 25,000.00 within 30 days of the Effective Date",
        "an annual licence fee of EUR 5,000.00",
        "a royalty of 3.5% of the Net Sales",
        "the statement required by clause 8.",
        "less than EUR 10,000.00, the Licensee shall pay the difference",
        "20% of all Sublicence Income",
        "material breach under clause 13.",
        "7.2 The Licensee shall also meet these diligence obligations: build a 100 kW pilot "
        "stack by 31 December 2027; sell in two countries. 8. Reports and audit",
        "The Licensee shall reimburse the Licensor, within 30 days of each invoice",
        "continues until the last Valid Claim in the Territory expires",
        "Sums accrued remain payable, and clauses 8, 10, 12 and 14 survive.",
        "governed by the laws of England and Wales.",
        "drafted from revision 3 of the term sheet of deal LD-000012",
    ]:
        assert expected in text


def test_schedules_list_the_patents_and_milestones() -> None:
    pages = [flat(page) for page in pdf_pages(render_agreement(DATA))]
    patents = next(page for page in pages if page.startswith("Schedule 1 Licensed Patents"))
    for row in [
        "1 EP 3 456 789 B1 European Patent Office Granted patent",
        "2 US 10,123,456 B2 United States Granted patent",
        "3 WO 2020/123456 A1 Membrane for low-cost electrolysis WIPO (PCT) Published application",
    ]:
        assert row in patents
    milestones = next(page for page in pages if page.startswith("Schedule 2 Milestones"))
    for row in [
        "No. Milestone event Target date Payment (EUR)",
        "1 First commercial sale 30 June 2028 50,000.00",
        "2 Net Sales exceed EUR 5,000,000 31 December 2030 100,000.00",
        "Total of the milestone payments 150,000.00",
    ]:
        assert row in milestones


@pytest.mark.parametrize(
    ("changes", "present", "absent"),
    [
        (
            {"milestones": []},
            ["6. Diligence", "7. Reports and audit", "clauses 7, 9, 11 and 13 survive"],
            ["Milestone payments", "Schedule 2", "“Milestone”"],
        ),
        (
            {"royalty_rate_percent": "0", "minimum_annual_royalty": "0"},
            ["The licence is royalty-free", "8. Reports and audit", "Sublicence Income"],
            ["a royalty of", "“Net Sales”", "the difference"],
        ),
        (
            {
                "royalty_rate_percent": "0",
                "minimum_annual_royalty": "0",
                "sublicensing": False,
                "upfront_fee": "0",
                "annual_fee": None,
            },
            [
                "5.1 The licence is royalty-free: no royalty is payable on the sale or use of "
                "Licensed Products. 6. Milestone payments",
                "8. Progress reports",
                "may not grant sublicences",
            ],
            ["Reports and audit", "independent accountant", "Sublicence Income", "EUR 0"],
        ),
        (
            {"exclusivity": "non_exclusive", "diligence": None},
            ["Non-Exclusive Patent Licence Agreement", "grants to the Licensee a non-exclusive"],
            ["Diligence", "take it over", "the Licensee may bring them"],
        ),
        (
            {"exclusivity": "exclusive_in_field"},
            ["Field-Exclusive Patent Licence", "exclusive within the Field only", "7. Diligence"],
            ["exclusive also as against the Licensor"],
        ),
        (
            {"exclusivity": "exclusive", "diligence": ""},
            ["7. Diligence", "commercially reasonable efforts"],
            ["diligence obligations:", "7.2"],
        ),
        (
            {"sublicensing": False},
            ["may not grant sublicences under the Licensed Patents without the prior written"],
            ["Sublicence Income", "copy of each sublicence"],
        ),
        (
            {"territory": "worldwide", "term_years": 10, "term": None, "patent_costs": "shared"},
            ["“Territory” means the whole world", "for 10 years", "share equally"],
            ["ISO 3166", "until the last Valid Claim"],
        ),
        (
            {
                "governing_law": "Poland",
                "territory": ["European Union", "Switzerland"],
                "field_of_use": "All fields of use",
                "patent_costs": {"paid_by": "licensor", "note": "Capped at EUR 8,000 a year."},
            },
            [
                "governed by the laws of Poland.",
                "“Territory” means the following countries and regions: European Union and "
                "Switzerland;",
                "“Field” means all fields of use;",
                "The Licensor shall bear the costs of filing, prosecuting and maintaining the "
                "Licensed Patents. The Parties also agreed: Capped at EUR 8,000 a year.",
            ],
            ["England and Wales", "reimburse"],
        ),
    ],
)
def test_absent_or_changed_terms_adapt_the_clauses(changes, present, absent) -> None:
    text = text_of(with_terms(**changes))
    for expected in present:
        assert expected in text
    for missing in absent:
        assert missing not in text


def test_every_page_carries_header_footer_and_page_number() -> None:
    pages = [flat(page) for page in pdf_pages(render_agreement(DATA))]
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert "Exclusive Patent Licence Agreement · LD-000012" in page
        assert f"Agreed terms, revision 3 Confidential Page {number} of {len(pages)}" in page
        assert "Deal LD-000012" not in page


def test_the_running_header_names_the_reference_once() -> None:
    pages = [flat(page) for page in pdf_pages(render_agreement(DATA))]
    schedules = [page for page in pages if page.startswith("Schedule")]
    assert len(schedules) == 2
    assert all(page.count("LD-000012") == 1 for page in schedules)


def test_a_long_milestone_list_spans_pages_with_its_header_repeated() -> None:
    milestones = [
        {"event": f"Milestone event number {n} reached", "amount": "1000.00", "due": "2030-01-31"}
        for n in range(1, 121)
    ]
    pages = pdf_pages(render_agreement(with_terms(milestones=milestones)))
    schedule = [flat(page) for page in pages if "Milestone event number" in page]
    assert len(schedule) >= 3
    assert all("No. Milestone event Target date Payment (EUR)" in page for page in schedule)
    assert "120 Milestone event number 120 reached 31 January 2030 1,000.00" in schedule[-1]
    assert "Total of the milestone payments 120,000.00" in schedule[-1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_signature_page_records_each_signature() -> None:
    signed = dataclasses.replace(DATA, signatures=SIGNATURES)
    pdf = render_agreement(signed)
    # the document's date is the last signature's time
    assert b"D:20261204110203+00'00'" in pdf
    pages = pdf_pages(pdf)
    last = flat(pages[-1])
    for expected in [
        "Signature page Exclusive Patent Licence Agreement LD-000012",
        "Signed for Politechnika Łódź, the Licensor",
        "Signed by Zbigniew Źdźbło (name typed at signature)",
        "Title Head of Technology Transfer",
        "“I agree to this agreement on behalf of Politechnika Łódź.”",
        "Signed at 4 December 2026, 09:30:01 UTC (2026-12-04T09:30:01Z)",
        "IP address 2001:db8::1",
        "Signed for Zoë Ångström Hydrogen GmbH, the Licensee",
        "IP address not recorded",
    ]:
        assert expected in last
    assert last.count("ab" * 32) == 2
    assert "through the authorised officers named on the signature page" in text_of(signed)
    assert "Signature page" not in text_of(DATA)


def test_names_and_terms_are_shown_literally() -> None:
    data = dataclasses.replace(
        DATA,
        licensor=Party("Smith & <Partners> Ltd", "company"),
        terms={**TERMS, "field_of_use": "sensors <b>only</b> & controls"},
    )
    text = text_of(data)
    assert "Smith & <Partners> Ltd, a company (the “Licensor”)" in text
    assert "the Field, namely: sensors <b>only</b> & controls." in text


def test_a_patent_number_not_recognised_is_listed_as_written() -> None:
    text = text_of(with_terms(licensed_patents=["FR 2 345 678"]))
    assert "1 FR 2 345 678 — —" in text


def test_the_document_metadata_names_the_agreement() -> None:
    reader = pdf_reader(render_agreement(DATA))
    assert reader.metadata.title == "Exclusive Patent Licence Agreement LD-000012"
    assert reader.metadata.subject == "Deal LD-000012, agreed terms revision 3"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (with_terms(exclusivity="sole"), "exclusivity must be one of exclusive"),
        (with_terms(upfront_fee="25k"), "upfront_fee must be a decimal number, not '25k'"),
        (
            dataclasses.replace(
                DATA, signatures=(dataclasses.replace(SIGNATURES[0], party="witness"),)
            ),
            "a signature must be the licensor's or the licensee's",
        ),
    ],
)
def test_data_that_cannot_be_drafted_is_refused(data, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render_agreement(data)


def test_signature_times_are_shown_in_utc() -> None:
    in_warsaw = datetime(2026, 12, 4, 11, 30, 1, tzinfo=timezone(timedelta(hours=1)))
    signature = dataclasses.replace(SIGNATURES[0], signed_at=in_warsaw)
    text = text_of(dataclasses.replace(DATA, signatures=(signature,)))
    assert "Signed at 4 December 2026, 10:30:01 UTC" in text


def preset_data(kind: str, key: str | None = None, **changes) -> AgreementData:
    """Return the agreement of a deal whose terms were started from a preset, of its kind."""
    terms = start_from(
        preset(key or kind),
        licensed_patents=["EP 3 456 789 B1"],
        currency="EUR",
        effective_date=DATA.effective_date,
    )
    return dataclasses.replace(DATA, kind=kind, terms={**terms, **changes})


def clause_text(text: str, heading: str, following: str) -> str:
    """Return the text of a clause: from its heading to the next clause's heading."""
    return text[text.index(heading) : text.index(following)]


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("option", "Option Agreement"),
        ("evaluation", "Evaluation Licence Agreement"),
        ("research", "Research Licence Agreement"),
    ],
)
def test_each_kind_of_agreement_is_titled_for_what_it_is(kind, title) -> None:
    pdf = render_agreement(preset_data(kind))
    pages = [flat(page) for page in pdf_pages(pdf)]
    assert pages[0].startswith(f"{title} between Politechnika Łódź and Zoë Ångström")
    assert all(f"{title} · LD-000012" in page for page in pages)
    assert pdf_reader(pdf).metadata.title == f"{title} LD-000012"
    assert "Patent Licence Agreement" not in " ".join(pages)


@pytest.mark.parametrize(
    ("kind", "heading", "following", "grant"),
    [
        (
            "evaluation",
            "2. Grant of licence",
            "3. Field and territory",
            "a non-exclusive licence under the Licensed Patents to make and use Licensed "
            "Products in the Field in the Territory for the Term, for the sole purpose of "
            "evaluating the inventions of the Licensed Patents in-house.",
        ),
        (
            "research",
            "2. Grant of licence",
            "3. Field and territory",
            "a non-exclusive licence under the Licensed Patents to make and use Licensed "
            "Products, and to teach and to publish the results of its research with them, in the "
            "Field in the Territory for the Term, for non-commercial research and teaching only.",
        ),
        (
            "option",
            "2. Grant of option",
            "3. Exercise and lapse of the option",
            "an option to take an exclusive licence under the Licensed Patents in the Field in "
            "the Territory, which the Licensee may exercise as clause 3 sets out.",
        ),
    ],
)
def test_a_non_commercial_grant_never_lets_the_licensee_sell(
    kind, heading, following, grant
) -> None:
    text = text_of(preset_data(kind))
    clause = clause_text(text, heading, following)
    assert grant in clause
    assert "sell" not in clause
    assert "import" not in clause


def test_an_option_agreement_gives_a_fee_a_period_and_a_right_to_negotiate() -> None:
    text = text_of(preset_data("option"))
    for expected in [
        "“Option Period” means the Term, as clause 13 sets out;",
        "may make and use Licensed Products in the Field for evaluation only. It shall make no "
        "commercial use of the Licensed Patents",
        "3.1 The Licensee may exercise the option at any time during the Option Period by "
        "written notice to the Licensor.",
        "3.2 The terms of the licence are not set by this Agreement.",
        "negotiate those terms in good faith",
        "3.3 The option lapses if the Licensee does not exercise it before the Option Period ends",
        "an option fee of EUR 2,500 within 30 days of the Effective Date",
        "No royalty is payable under this Agreement.",
        "continues for 1 year (the “Term”, which is also the “Option Period”)",
        "7. Diligence 7.1 The Licensee shall carry out its evaluation diligently during the "
        "Option Period",
        "7.2 The Licensee shall also meet these diligence obligations: During the option period "
        "the licensee will carry out its evaluation plan",
        "8. Progress reports",
    ]:
        assert expected in text
    for absent in [
        "licence issue fee",
        "Milestone",
        "Net Sales",
        "“Quarter”",
        "Sublicence Income",
        "commercialising",
        "against payment",
        "first sale",
        "sell, offer for sale",
        "take it over",
        "the Licensee may bring them",
    ]:
        assert absent not in text


@pytest.mark.parametrize("kind", ["evaluation", "research"])
def test_a_royalty_free_licence_carries_no_commercial_wording(kind) -> None:
    text = text_of(preset_data(kind))
    assert "5. Consideration 5.1 The licence is royalty-free. 6. Progress reports" in text
    assert "the rights it grants end with it, and the Licensee shall stop all use" in text
    assert "arising from the making or use of Licensed Products by or for the Licensee." in text
    for absent in [
        "“Net Sales”",
        "“Quarter”",
        "“Sublicence Income”",
        "commercialising",
        "sell off",
        "against payment",
        "product liability insurance",
        "first sale",
        "Diligence",
    ]:
        assert absent not in text


def test_a_royalty_bearing_option_keeps_the_clauses_its_terms_call_for() -> None:
    milestone = {"event": "Pilot plant built", "amount": "5000", "due": "2027-06-30"}
    text = text_of(preset_data("option", royalty_rate_percent="2", milestones=[milestone]))
    for expected in [
        "“Net Sales” means",
        "“Quarter” means",
        "a royalty of 2% of the Net Sales",
        "Milestone payments",
        "Reports and audit",
    ]:
        assert expected in text


@pytest.mark.parametrize(
    ("kind", "term"),
    [
        ("option", "continues for 1 year (the “Term”"),
        ("evaluation", "continues for 1 year (the “Term”)"),
        ("research", "continues for 5 years (the “Term”)"),
    ],
)
def test_the_term_is_counted_in_years_with_the_right_number(kind, term) -> None:
    text = text_of(preset_data(kind))
    assert term in text
    assert "1 years" not in text


def test_the_diligence_text_stands_as_its_own_paragraph() -> None:
    text = text_of(preset_data("licence", "express_startup"))
    assert (
        "7.1 The Licensee shall use commercially reasonable efforts, itself or through its "
        "Affiliates and sublicensees, to develop Licensed Products and to make them available "
        "throughout the Territory. 7.2 The Licensee shall also meet these diligence "
        "obligations: The licensee will use diligent efforts"
    ) in text
    assert "(a) The licensee will" not in text
    assert "In particular" not in text


def test_an_unknown_kind_of_agreement_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("kind must be one of licence, option")):
        render_agreement(dataclasses.replace(DATA, kind="assignment"))
