"""Own the text of non-disclosure agreements: variables, checks, rendering, hashing and terms.

A template body is plain text with variables written ``{{ name }}`` (spaces optional). Rendering
fills them with plain text and normalises the result so that the same template and values always
give the same text, and so the same SHA-256: the fingerprint the signer is shown and that is
stored with the acceptance. The platform's own one-way and mutual agreements live here too.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

VARIABLES: dict[str, str] = {
    "owner": "the name of the organisation that owns the listing (the discloser)",
    "recipient": "the name of the organisation asking for the confidential part",
    "listing": "the public title of the listing",
    "listing_reference": "the listing's reference, e.g. challenge C-12 or IP offer O-34",
    "purpose": "the purpose of the disclosure set on the template",
    "term_years": "the confidentiality period in years, in digits",
    "governing_law": "the governing law set on the template, e.g. the laws of England and Wales",
}
REQUIRED_VARIABLES = ("owner", "recipient")
BODY_MAX = 60_000
TERM_YEARS_RANGE = range(1, 11)
DEFAULT_TEMPLATE_KEY = "platform-one-way"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_LISTING_PREFIXES = {"challenges": ("challenge", "C"), "assets": ("IP offer", "O")}


class TemplateProblem(ValueError):
    """A template body that cannot be used, with a sentence a licensing officer understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_template(body: str) -> None:
    """Raise TemplateProblem unless the body is a usable NDA template."""
    if not body.strip():
        raise TemplateProblem("The agreement text is empty.")
    if len(body) > BODY_MAX:
        raise TemplateProblem(
            f"The agreement text is too long: {len(body):,} characters, "
            f"at most {BODY_MAX:,} are allowed."
        )
    _check_braces(body)
    used = _PLACEHOLDER.findall(body)
    unknown = sorted(set(used) - set(VARIABLES), key=used.index)
    if unknown:
        raise TemplateProblem(
            f"The text uses {{{{ {unknown[0]} }}}}, which is not a variable: "
            f"use only {_variable_list()}."
        )
    missing = [name for name in REQUIRED_VARIABLES if name not in used]
    if missing:
        raise TemplateProblem(
            "The text must name both parties: add "
            + " and ".join(f"{{{{ {name} }}}}" for name in missing)
            + "."
        )


def _check_braces(body: str) -> None:
    """Raise TemplateProblem where double braces are left over once the variables are removed."""
    for line_number, line in enumerate(body.splitlines(), start=1):
        rest = _PLACEHOLDER.sub("", line)
        if "{{" in rest or "}}" in rest:
            raise TemplateProblem(
                f"Line {line_number} has unbalanced braces: write a variable as {{{{ owner }}}}, "
                "with two braces on each side of one of the names."
            )


def _variable_list() -> str:
    names = [f"{{{{ {name} }}}}" for name in VARIABLES]
    return ", ".join(names[:-1]) + " and " + names[-1]


def render(body: str, values: Mapping[str, str]) -> str:
    """Return the body with its variables filled in, normalised for hashing.

    Values are plain text and inserted verbatim (a value that looks like a variable stays as it
    is). Line endings become ``\\n``, spaces at the ends of lines and blank lines at the start and
    end of the text are removed. A variable without a value raises TemplateProblem.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateProblem(f"No value was given for {{{{ {name} }}}}.")
        return str(values[name])

    filled = _PLACEHOLDER.sub(value_of, body)
    lines = filled.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip(" \t") for line in lines).strip("\n")


def text_sha256(text: str) -> str:
    """Return the hex SHA-256 of the UTF-8 encoding of the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_key_terms(
    text: str, *, agreement: str, version: int, term_years: int, governing_law: str, purpose: str
) -> str:
    """Return the rendered text with its key terms set out at the end.

    The hash is taken over this whole text, so the period, the law and the purpose the signer
    is shown are bound by it even where a template's wording leaves them out.
    """
    years = f"{term_years} year" + ("" if term_years == 1 else "s")
    block = (
        "KEY TERMS\n"
        f"Agreement: {agreement}, version {version}\n"
        f"Confidentiality period: {years} from acceptance\n"
        f"Governing law: {governing_law}\n"
        f"Purpose: {purpose}"
    )
    return f"{text}\n\n{block}"


def assent_wording(organization_name: str) -> str:
    """Return the sentence the signer ticks, naming the organisation they bind."""
    return (
        f"I have read and agree to this agreement, on behalf of {organization_name}, "
        "which I am authorised to bind."
    )


def listing_reference(listing_type: str, listing_id: int) -> str:
    """Return how an agreement names a listing: ``challenge C-12`` or ``IP offer O-34``."""
    if listing_type not in _LISTING_PREFIXES:
        raise ValueError(f"unknown listing type {listing_type!r}")
    noun, prefix = _LISTING_PREFIXES[listing_type]
    return f"{noun} {prefix}-{listing_id}"


def term_end(start: datetime, years: int) -> datetime:
    """Return the same day and time ``years`` later; a term from 29 February ends on 28 February."""
    if years < 0:
        raise ValueError("a term cannot be negative")
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True)
class PlatformTemplate:
    """An agreement the platform offers every organisation, with its default terms."""

    key: str
    name: str
    kind: str
    body: str
    term_years: int
    governing_law: str
    purpose: str


def _paragraphs(text: str) -> str:
    """Return the text with each paragraph on one line: source wrapping is not the agreement's."""
    blocks = textwrap.dedent(text).strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in block.splitlines()) for block in blocks)


_ONE_WAY_OPENING = _paragraphs(
    """
    CONFIDENTIALITY AGREEMENT (ONE-WAY)

    This agreement is made between (1) {{ owner }}, the owner of the Listing (the "Disclosing
    Party"), and (2) {{ recipient }} (the "Receiving Party"), each a "party" and together the
    "parties".

    BACKGROUND. The Disclosing Party has published {{ listing_reference }}, "{{ listing }}" (the
    "Listing"), on the Ideagora exchange (the "Platform"). The Receiving Party wishes to receive
    the confidential part of the Listing and related information for the Purpose, and the
    Disclosing Party is willing to make it available on the terms of this agreement.

    1. DEFINITIONS

    1.1 "Confidential Information" means all information relating to the Listing or to the
    Disclosing Party's technology, research or business that is made available by or on behalf of
    the Disclosing Party to the Receiving Party or its Representatives, through the Platform or
    otherwise, on or after the Effective Date and in whatever form (written, oral, visual or
    electronic), including the confidential brief, dossier and confidential files of the Listing,
    technical data, know-how, inventions (whether or not patentable), unpublished patent
    applications, research results, specifications, samples and materials, formulae, software and
    business information, together with all notes, analyses, compilations and other documents
    prepared by or for the Receiving Party to the extent that they contain or reflect any of it.
    """
)

_MUTUAL_OPENING = _paragraphs(
    """
    MUTUAL CONFIDENTIALITY AGREEMENT

    This agreement is made between (1) {{ owner }}, the owner of the Listing, and
    (2) {{ recipient }}, each a "party" and together the "parties". Each party may disclose
    Confidential Information to the other. In this agreement the "Disclosing Party" is the party
    whose Confidential Information is concerned and the "Receiving Party" is the party that
    receives it; each provision applies to each party in each of those roles.

    BACKGROUND. {{ owner }} has published {{ listing_reference }}, "{{ listing }}" (the
    "Listing"), on the Ideagora exchange (the "Platform"). The parties wish to exchange
    confidential information for the Purpose, on the terms of this agreement.

    1. DEFINITIONS

    1.1 "Confidential Information" means all information relating to the Listing, to the Purpose
    or to a party's technology, research or business that is made available by or on behalf of
    the Disclosing Party to the Receiving Party or its Representatives, through the Platform or
    otherwise, on or after the Effective Date and in whatever form (written, oral, visual or
    electronic), including, in the case of {{ owner }}, the confidential brief, dossier and
    confidential files of the Listing, and in the case of either party technical data, know-how,
    inventions (whether or not patentable), unpublished patent applications, research results,
    specifications, samples and materials, formulae, software and business information, together
    with all notes, analyses, compilations and other documents prepared by or for the Receiving
    Party to the extent that they contain or reflect any of it.
    """
)

_COMMON_CLAUSES = _paragraphs(
    """
    1.2 The fact that Confidential Information has been made available, and the existence and
    content of the discussions between the parties about the Purpose, are also Confidential
    Information.

    1.3 "Effective Date" means the time at which this agreement is accepted on the Platform on
    behalf of {{ recipient }}, as recorded in the Platform's certificate of acceptance.

    1.4 "Purpose" means {{ purpose }}.

    1.5 "Representatives" means, in relation to a party, its affiliates, its and their directors,
    officers and employees, and its professional advisers (including lawyers, patent attorneys
    and accountants), in each case only those who need to know the Confidential Information for
    the Purpose. An "affiliate" of a party is any entity that controls, is controlled by or is
    under common control with it.

    1.6 In this agreement "including" means including without limitation, and headings do not
    affect its interpretation.

    2. EXCLUSIONS

    2.1 The obligations in this agreement do not apply to information that the Receiving Party
    can show by its written records: (a) is or becomes generally available to the public other
    than through a breach of this agreement; (b) was lawfully in its possession, free of any
    obligation of confidence, before it was made available by the Disclosing Party; (c) is
    lawfully received from a third party that is free to disclose it without restriction; or
    (d) is developed independently by or for the Receiving Party by persons who had no access to
    the Confidential Information.

    2.2 Information is not within these exclusions merely because parts of it are public or in
    the Receiving Party's possession, nor is a combination of items excluded merely because each
    item separately is.

    3. OBLIGATIONS OF THE RECEIVING PARTY

    3.1 The Receiving Party shall: (a) keep the Confidential Information confidential; (b) use
    it only for the Purpose; (c) not disclose it to any person except as permitted by clauses 4
    and 5; (d) protect it with at least the degree of care it applies to its own confidential
    information of a similar nature, and in any case with reasonable care and appropriate
    technical and organisational security measures; (e) not copy or record it except as
    reasonably necessary for the Purpose, and keep any copy marked as confidential; (f) not
    analyse, reverse engineer or decompile any sample, material or software made available to
    it, except with the Disclosing Party's prior written consent; (g) not file any patent
    application, or claim any right, based on or using the Confidential Information; and (h)
    notify the Disclosing Party promptly on becoming aware of any unauthorised use or disclosure
    of it, and take all reasonable steps to stop it.

    4. DISCLOSURE TO REPRESENTATIVES

    4.1 The Receiving Party may disclose Confidential Information to those of its
    Representatives who need to know it for the Purpose, provided that before doing so it
    informs them of its confidential nature and ensures that they are bound by obligations of
    confidence no less protective than those of this agreement. The Receiving Party is
    responsible for any act or omission of its Representatives in relation to the Confidential
    Information as if it were its own.

    5. DISCLOSURE REQUIRED BY LAW

    5.1 If the Receiving Party or any of its Representatives is required by law, by a court or
    other competent authority, or by the rules of a stock exchange, to disclose any Confidential
    Information, the Receiving Party shall, to the extent it is lawfully able to: (a) give the
    Disclosing Party prompt written notice, so that it may seek a protective order or other
    remedy; (b) cooperate reasonably with the Disclosing Party in doing so; (c) disclose only the
    part of the Confidential Information that it is legally required to disclose; and (d) use
    reasonable endeavours to obtain confidential treatment for what is disclosed.

    6. RETURN AND DESTRUCTION

    6.1 At the Disclosing Party's written request at any time, and in any case when the Purpose
    has been fulfilled or abandoned, the Receiving Party shall within fourteen days return or
    destroy, as the Disclosing Party directs, all documents and materials containing Confidential
    Information, erase it from its systems as far as technically practicable, and confirm in
    writing, signed by an authorised person, that it has done so.

    6.2 The Receiving Party may keep copies that it is required by law or regulation to keep,
    and copies held in routine electronic back-ups that are not readily accessible, provided that
    they remain subject to this agreement for as long as they are kept.

    7. NO LICENCE AND NO OBLIGATION TO PROCEED

    7.1 All Confidential Information remains the property of the Disclosing Party. Nothing in
    this agreement grants the Receiving Party any licence or other right under any patent,
    copyright, design, know-how, trade secret or other intellectual property right, except the
    limited right to use the Confidential Information for the Purpose in accordance with this
    agreement.

    7.2 Neither party is obliged to continue discussions or to enter into any further agreement
    or transaction. Any such agreement will be made only in a separate written agreement signed
    by both parties.

    8. NO WARRANTY

    8.1 Confidential Information is provided "as is". The Disclosing Party gives no
    representation or warranty, express or implied, as to its accuracy, completeness or fitness
    for any purpose, or that its use will not infringe the rights of any third party, and has no
    liability arising from its use by the Receiving Party, except as may be agreed in a
    definitive written agreement. Nothing in this clause limits liability for fraud.

    9. TERM AND SURVIVAL

    9.1 This agreement takes effect on the Effective Date and continues for {{ term_years }}
    years from it (the "Term"). The obligations in clauses 3 to 6 apply throughout the Term and,
    for any Confidential Information that is a trade secret, for as long after it as the
    information remains a trade secret under applicable law.

    9.2 Access to the confidential part of the Listing through the Platform ends when the Term
    ends, or earlier if {{ owner }} withdraws it. Withdrawal of access, or the end of the
    discussions, does not release the Receiving Party from its obligations in respect of
    Confidential Information already made available.

    9.3 Clauses 6 to 8 and 10 to 13 survive the end of the Term, which does not affect any right
    or remedy that has accrued before it.

    10. REMEDIES

    10.1 The Receiving Party acknowledges that damages alone may not be an adequate remedy for a
    breach of this agreement, and that the Disclosing Party is entitled to seek an injunction,
    specific performance or other equitable relief for any threatened or actual breach, without
    proof of special damage and in addition to any other remedy available to it.

    11. ELECTRONIC ACCEPTANCE AND EVIDENCE

    11.1 {{ owner }} offers this agreement by publishing the Listing subject to it, and
    {{ recipient }} accepts it when a person who confirms that they are authorised to bind
    {{ recipient }} assents to it on the Platform. The parties agree that this agreement is
    validly concluded in that way, and will not contest its validity or enforceability on the
    ground that it was concluded electronically.

    11.2 The Platform's record of the acceptance, including the time, the person accepting and
    the SHA-256 fingerprint of this text, is evidence of the terms of this agreement and of its
    acceptance.

    12. GENERAL

    12.1 Entire agreement. This agreement is the entire agreement between the parties about its
    subject matter and supersedes any earlier agreement, understanding or arrangement about the
    confidentiality of the Confidential Information. Neither party relies on any statement or
    assurance not set out in it.

    12.2 Variation and waiver. No variation of this agreement is effective unless it is in
    writing and signed on behalf of both parties. A failure or delay in exercising any right or
    remedy is not a waiver of it.

    12.3 Severance. If any provision of this agreement is found invalid or unenforceable, it
    applies with the least modification needed to make it valid and enforceable, and the other
    provisions are not affected.

    12.4 Assignment. Neither party may assign or transfer any of its rights or obligations under
    this agreement without the prior written consent of the other.

    12.5 Relationship. Nothing in this agreement creates a partnership, joint venture or agency
    between the parties.

    12.6 Notices. A notice under this agreement must be in writing and may be given by e-mail to
    a person the other party has designated for the purpose, or through the Platform.

    13. GOVERNING LAW AND JURISDICTION

    13.1 This agreement, and any dispute or claim arising out of or in connection with it or its
    subject matter (including non-contractual disputes and claims), is governed by
    {{ governing_law }}.

    13.2 The courts of the jurisdiction whose law governs this agreement have exclusive
    jurisdiction over any such dispute or claim, except that the Disclosing Party may seek
    interim or injunctive relief in any court of competent jurisdiction.
    """
)

_PURPOSE = (
    "evaluating the subject of the Listing in order to decide whether to enter into a licence, "
    "a research collaboration, a development or supply agreement or another business "
    "relationship between the parties in connection with it"
)
_GOVERNING_LAW = "the laws of England and Wales"

PLATFORM_TEMPLATES: tuple[PlatformTemplate, ...] = (
    PlatformTemplate(
        key="platform-one-way",
        name="Platform NDA (one-way)",
        kind="one_way",
        body=_ONE_WAY_OPENING + "\n\n" + _COMMON_CLAUSES,
        term_years=5,
        governing_law=_GOVERNING_LAW,
        purpose=_PURPOSE,
    ),
    PlatformTemplate(
        key="platform-mutual",
        name="Platform NDA (mutual)",
        kind="mutual",
        body=_MUTUAL_OPENING + "\n\n" + _COMMON_CLAUSES,
        term_years=5,
        governing_law=_GOVERNING_LAW,
        purpose=_PURPOSE,
    ),
)
