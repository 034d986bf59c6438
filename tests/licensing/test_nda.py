"""NDA templates: checks, rendering and hashing, terms, and the platform's own agreements."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from licensing.nda import (
    DEFAULT_TEMPLATE_KEY,
    PLATFORM_TEMPLATES,
    REQUIRED_VARIABLES,
    TERM_YEARS_RANGE,
    VARIABLES,
    TemplateProblem,
    assent_wording,
    check_template,
    listing_reference,
    render,
    term_end,
    text_sha256,
)

PARTIES = "Between {{ owner }} and {{ recipient }}."
ALL_NAMES = (
    "{{ owner }}, {{ recipient }}, {{ listing }}, {{ listing_reference }}, {{ purpose }}, "
    "{{ term_years }} and {{ governing_law }}"
)
VALUES = {
    "owner": "Zoë Ångström Labs",
    "recipient": "Politechnika Łódź",
    "listing": "Low-cost electrolysis",
    "listing_reference": "challenge C-12",
    "purpose": "evaluating a licence",
    "term_years": "5",
    "governing_law": "the laws of England and Wales",
}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "The agreement text is empty."),
        ("  \n\t\n ", "The agreement text is empty."),
        (
            PARTIES + "x" * 60_000,
            f"The agreement text is too long: {len(PARTIES) + 60_000:,} characters, "
            "at most 60,000 are allowed.",
        ),
        (
            "Between {{ owner } and {{ recipient }}.",
            "Line 1 has unbalanced braces: write a variable as {{ owner }}, "
            "with two braces on each side of one of the names.",
        ),
        (
            PARTIES + "\nThe term is {{ term_years years.",
            "Line 2 has unbalanced braces: write a variable as {{ owner }}, "
            "with two braces on each side of one of the names.",
        ),
        (
            PARTIES + "\n\nSigned by }} the parties.",
            "Line 3 has unbalanced braces: write a variable as {{ owner }}, "
            "with two braces on each side of one of the names.",
        ),
        (
            PARTIES + " {{ }}",
            "Line 1 has unbalanced braces: write a variable as {{ owner }}, "
            "with two braces on each side of one of the names.",
        ),
        (
            PARTIES + " {{ governing law }}",
            "Line 1 has unbalanced braces: write a variable as {{ owner }}, "
            "with two braces on each side of one of the names.",
        ),
        (
            PARTIES + " Signed for {{ partner }} and {{ date }}.",
            f"The text uses {{{{ partner }}}}, which is not a variable: use only {ALL_NAMES}.",
        ),
        (
            PARTIES + " {{Owner}}",
            f"The text uses {{{{ Owner }}}}, which is not a variable: use only {ALL_NAMES}.",
        ),
        ("Confidential to {{ owner }}.", "The text must name both parties: add {{ recipient }}."),
        (
            "Confidential to {{ recipient }}.",
            "The text must name both parties: add {{ owner }}.",
        ),
        (
            "A confidentiality agreement about {{ listing }}.",
            "The text must name both parties: add {{ owner }} and {{ recipient }}.",
        ),
    ],
)
def test_check_template_refuses_bad_bodies(body, message) -> None:
    with pytest.raises(TemplateProblem) as refused:
        check_template(body)
    assert refused.value.message == message
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "body",
    [
        PARTIES,
        "Between {{owner}} and {{    recipient    }}.",
        PARTIES + "\nAbout " + ALL_NAMES + ".",
        PARTIES + " Single braces {like these} are ordinary text.",
        PARTIES + "x" * (60_000 - len(PARTIES)),
    ],
)
def test_check_template_accepts_good_bodies(body) -> None:
    check_template(body)


def test_the_variables_are_exactly_the_documented_ones() -> None:
    assert list(VARIABLES) == [
        "owner",
        "recipient",
        "listing",
        "listing_reference",
        "purpose",
        "term_years",
        "governing_law",
    ]
    assert set(REQUIRED_VARIABLES) <= set(VARIABLES)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (PARTIES, "Between Zoë Ångström Labs and Politechnika Łódź."),
        ("{{owner}}|{{  owner  }}|{{ owner}}", "Zoë Ångström Labs|" * 2 + "Zoë Ångström Labs"),
        (
            "Term: {{ term_years }} years under {{ governing_law }}.",
            "Term: 5 years under the laws of England and Wales.",
        ),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        (
            "trailing spaces   \nand tabs\t\t\nstay inside  words",
            "trailing spaces\nand tabs\nstay inside  words",
        ),
        ("\n\n\nBody\n\n\n", "Body"),
        ("  indented first line", "  indented first line"),
    ],
)
def test_render_fills_and_normalises(body, text) -> None:
    assert render(body, VALUES) == text


def test_values_are_inserted_verbatim() -> None:
    values = {**VALUES, "owner": "Acme {{ recipient }} & <b>Co</b>\r\nLtd"}
    assert (
        render(PARTIES, values)
        == "Between Acme {{ recipient }} & <b>Co</b>\nLtd and Politechnika Łódź."
    )


def test_a_variable_without_a_value_is_refused() -> None:
    with pytest.raises(TemplateProblem, match=r"No value was given for \{\{ listing \}\}\."):
        render(PARTIES + " {{ listing }}", {"owner": "A", "recipient": "B"})


def test_render_and_hash_are_deterministic() -> None:
    body = PLATFORM_TEMPLATES[0].body
    texts = {render(body, dict(VALUES)) for _ in range(3)}
    assert len(texts) == 1
    assert text_sha256(texts.pop()) == text_sha256(render(body.replace("\n", "\r\n"), VALUES))


@pytest.mark.parametrize(
    ("text", "sha256"),
    [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("é", "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"),
    ],
)
def test_text_sha256_is_the_hex_digest_of_utf8(text, sha256) -> None:
    assert text_sha256(text) == sha256


def test_one_changed_character_changes_the_hash() -> None:
    text = render(PARTIES, VALUES)
    assert text_sha256(text) != text_sha256(text.replace("Łódź", "Lodz"))
    assert re.fullmatch(r"[0-9a-f]{64}", text_sha256(text))


def test_assent_wording_names_the_organisation() -> None:
    assert assent_wording("Politechnika Łódź") == (
        "I have read and agree to this agreement, on behalf of Politechnika Łódź, "
        "which I am authorised to bind."
    )


@pytest.mark.parametrize(
    ("listing_type", "listing_id", "reference"),
    [
        ("challenges", 12, "challenge C-12"),
        ("assets", 34, "IP offer O-34"),
        ("assets", 1, "IP offer O-1"),
    ],
)
def test_listing_reference(listing_type, listing_id, reference) -> None:
    assert listing_reference(listing_type, listing_id) == reference


def test_an_unknown_listing_type_has_no_reference() -> None:
    with pytest.raises(ValueError, match="proposals"):
        listing_reference("proposals", 3)


CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (datetime(2026, 12, 1, 16, 30, tzinfo=UTC), 5, datetime(2031, 12, 1, 16, 30, tzinfo=UTC)),
        (
            datetime(2028, 2, 29, 9, 15, 7, tzinfo=UTC),
            1,
            datetime(2029, 2, 28, 9, 15, 7, tzinfo=UTC),
        ),
        (datetime(2028, 2, 29, 9, 15, tzinfo=UTC), 4, datetime(2032, 2, 29, 9, 15, tzinfo=UTC)),
        (datetime(2028, 2, 28, 23, 59, tzinfo=UTC), 1, datetime(2029, 2, 28, 23, 59, tzinfo=UTC)),
        (
            datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            10,
            datetime(2036, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        ),
        (datetime(2026, 3, 1, tzinfo=CET), 2, datetime(2028, 3, 1, tzinfo=CET)),
        (datetime(2026, 6, 15, 12, tzinfo=UTC), 0, datetime(2026, 6, 15, 12, tzinfo=UTC)),
    ],
)
def test_term_end_is_the_same_day_and_time_years_later(start, years, end) -> None:
    assert term_end(start, years) == end
    assert term_end(start, years).tzinfo is start.tzinfo


def test_a_negative_term_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        term_end(datetime(2026, 1, 1, tzinfo=UTC), -1)


def test_term_years_range_is_one_to_ten() -> None:
    assert list(TERM_YEARS_RANGE) == list(range(1, 11))


def rendered(template) -> str:
    return render(
        template.body,
        {
            **VALUES,
            "purpose": template.purpose,
            "term_years": str(template.term_years),
            "governing_law": template.governing_law,
        },
    )


def test_platform_templates_are_one_way_and_mutual() -> None:
    assert [(t.key, t.kind) for t in PLATFORM_TEMPLATES] == [
        ("platform-one-way", "one_way"),
        ("platform-mutual", "mutual"),
    ]
    assert DEFAULT_TEMPLATE_KEY == "platform-one-way"


HEADINGS = [
    "DEFINITIONS",
    '"Confidential Information" means',
    "EXCLUSIONS",
    "OBLIGATIONS OF THE RECEIVING PARTY",
    "DISCLOSURE TO REPRESENTATIVES",
    "DISCLOSURE REQUIRED BY LAW",
    "RETURN AND DESTRUCTION",
    "NO LICENCE",
    "NO WARRANTY",
    "TERM AND SURVIVAL",
    "REMEDIES",
    "ELECTRONIC ACCEPTANCE AND EVIDENCE",
    "Entire agreement.",
    "GOVERNING LAW AND JURISDICTION",
]


@pytest.mark.parametrize("template", PLATFORM_TEMPLATES, ids=lambda t: t.key)
def test_platform_templates_are_complete_agreements(template) -> None:
    check_template(template.body)
    text = rendered(template)
    assert "{{" not in text
    assert "}}" not in text
    for heading in HEADINGS:
        assert heading in text
    assert "Zoë Ångström Labs" in text
    assert "Politechnika Łódź" in text
    assert '"Purpose" means evaluating the subject of the Listing' in text
    assert "continues for 5 years from it" in text
    assert "is governed by the laws of England and Wales." in text
    assert 'challenge C-12, "Low-cost electrolysis"' in text
    assert template.term_years in TERM_YEARS_RANGE
    assert not template.purpose.endswith(".")


@pytest.mark.parametrize("template", PLATFORM_TEMPLATES, ids=lambda t: t.key)
def test_platform_templates_carry_no_date(template) -> None:
    text = rendered(template)
    assert not re.search(r"\b(19|20)\d\d\b", text)
    assert not re.search(
        r"\b(January|February|March|April|June|July|August|September|October|November|December)\b",
        text,
    )


def test_the_mutual_agreement_binds_each_party_in_each_role() -> None:
    one_way, mutual = (rendered(template) for template in PLATFORM_TEMPLATES)
    assert "MUTUAL CONFIDENTIALITY AGREEMENT" in mutual
    assert "each provision applies to each party in each of those roles" in mutual
    assert "CONFIDENTIALITY AGREEMENT (ONE-WAY)" in one_way
    assert 'Politechnika Łódź (the "Receiving Party")' in one_way


def test_platform_texts_are_one_paragraph_per_line() -> None:
    for template in PLATFORM_TEMPLATES:
        for paragraph in template.body.split("\n\n"):
            assert "\n" not in paragraph
            assert paragraph == paragraph.strip()
