"""A small exchange of challenges and IP offers for the matching tests, and how to index it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from search.documents import ASSET, CHALLENGE, ListingDocument
from search.index import SearchIndex
from search.matching import MatchSource
from search.outbox import Progress

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEEKER = "org:seeker"
SEEKER_TWO = "org:seeker-two"
LAB = "org:lab"
UNI = "org:uni"


def offer(number: int, title: str, summary: str, **values: object) -> ListingDocument:
    """Return a published, matchable IP offer owned by the lab unless told otherwise."""
    base = ListingDocument(
        kind=ASSET,
        id=number,
        title=title,
        summary=summary,
        owner="Northfield Materials Lab",
        owner_key=LAB,
        status="published",
        published_at=NOW - timedelta(days=30),
    )
    return replace(base, **values)


def challenge(number: int, title: str, summary: str, **values: object) -> ListingDocument:
    """Return an open challenge owned by the seeker, with a deadline a month away."""
    base = ListingDocument(
        kind=CHALLENGE,
        id=number,
        title=title,
        summary=summary,
        owner="Harbour Filtration Ltd",
        owner_key=SEEKER,
        status="open",
        published_at=NOW - timedelta(days=10),
        open_until=NOW + timedelta(days=30),
    )
    return replace(base, **values)


FILTER_OFFER = offer(
    1,
    "Electrospun nanofibre membranes for fine-particle air filtration",
    "A needle-free electrospinning process lays polyamide nanofibres onto a nonwoven "
    "carrier. The nanofibre layer captures fine particles with a low pressure drop and "
    "survives washing, so the filter media can be cleaned and reused.",
    description="Pilot line running at 2 metres per minute; tested on PM2.5 dust.",
    keywords=("electrospinning", "nanofibre", "filtration"),
    fields=("materials-nanomaterials",),
    field_families=("materials-nanomaterials", "materials"),
    trl=6,
    deal_types=("exclusive_license", "option"),
)
BATTERY_OFFER = offer(
    2,
    "Sulfide solid electrolyte for lithium metal batteries",
    "A sulfide glass-ceramic electrolyte conducts lithium ions at room temperature and "
    "suppresses dendrites, enabling solid-state cells with a lithium metal anode.",
    keywords=("solid-state battery", "electrolyte"),
    fields=("energy-storage",),
    field_families=("energy-storage", "energy"),
    trl=4,
    deal_types=("non_exclusive_license",),
    owner="Eastgate University",
    owner_key=UNI,
)
PET_OFFER = offer(
    3,
    "Enzymatic depolymerisation of PET packaging waste",
    "An engineered cutinase enzyme breaks polyethylene terephthalate bottles and trays "
    "down to monomers at 65 °C, so the monomers can be repolymerised into food-grade PET.",
    keywords=("recycling", "enzyme", "PET"),
    fields=("environment-waste-recycling",),
    field_families=("environment-waste-recycling", "environment"),
    trl=5,
    deal_types=("assignment",),
    owner="Eastgate University",
    owner_key=UNI,
)
CATALYST_OFFER = offer(
    4,
    "Ruthenium catalyst for low-temperature ammonia synthesis",
    "A ruthenium catalyst on an electride support makes ammonia from nitrogen and hydrogen "
    "at 300 °C and modest pressure, cutting the energy of the Haber-Bosch process.",
    fields=("chemistry-catalysis",),
    field_families=("chemistry-catalysis", "chemistry"),
    trl=3,
    deal_types=("collaboration",),
)
GLASS_FILTER_OFFER = offer(
    7,
    "Glass microfibre filter paper for cleanrooms",
    "Borosilicate glass microfibres are wet-laid into a filter paper that captures "
    "particles of 0.3 micrometres for cleanroom ceilings and fume cupboards.",
    fields=("materials-ceramics-glass",),
    field_families=("materials-ceramics-glass", "materials"),
    trl=8,
    deal_types=("non_exclusive_license",),
    owner="Eastgate University",
    owner_key=UNI,
)
WITHDRAWN_FILTER_OFFER = replace(
    FILTER_OFFER,
    id=5,
    title="Washable electrospun nanofibre filter media",
    status="withdrawn",
    matchable=False,
)
SEEKERS_OWN_FILTER_OFFER = replace(
    FILTER_OFFER,
    id=6,
    title="Electrospun nanofibre filter layers made in-house",
    owner="Harbour Filtration Ltd",
    owner_key=SEEKER,
)

FILTER_CHALLENGE = challenge(
    11,
    "Washable filter media that capture fine particles",
    "We make air purifiers and need a filter layer that captures fine dust particles at a "
    "low pressure drop and can be washed and reused. Nanofibre layers made by "
    "electrospinning look promising.",
    keywords=("air filtration", "nanofibre"),
    fields=("materials-nanomaterials",),
    field_families=("materials-nanomaterials", "materials"),
    trl=4,
    deal_types=("exclusive_license",),
)
BATTERY_CHALLENGE = challenge(
    12,
    "Solid electrolyte for safer lithium cells",
    "We are looking for a solid electrolyte with high lithium-ion conductivity at room "
    "temperature that stops dendrites growing from a lithium metal anode.",
    keywords=("battery", "solid electrolyte"),
    fields=("energy-storage",),
    field_families=("energy-storage", "energy"),
    trl=3,
    deal_types=("non_exclusive_license",),
    owner="Cellworks GmbH",
    owner_key=SEEKER_TWO,
)
EXPIRED_PET_CHALLENGE = challenge(
    13,
    "Recycling PET trays back into food-grade PET",
    "We want to recycle PET trays by breaking polyethylene terephthalate down with an enzyme.",
    fields=("environment-waste-recycling",),
    field_families=("environment-waste-recycling", "environment"),
    deal_types=("assignment",),
    open_until=NOW - timedelta(days=1),
)
CLOSED_PET_CHALLENGE = replace(
    EXPIRED_PET_CHALLENGE, id=14, status="closed", matchable=False, open_until=None
)

WORLD = (
    FILTER_OFFER,
    BATTERY_OFFER,
    PET_OFFER,
    CATALYST_OFFER,
    GLASS_FILTER_OFFER,
    WITHDRAWN_FILTER_OFFER,
    SEEKERS_OWN_FILTER_OFFER,
    FILTER_CHALLENGE,
    BATTERY_CHALLENGE,
    EXPIRED_PET_CHALLENGE,
    CLOSED_PET_CHALLENGE,
)


def build_index(directory: str, documents: tuple[ListingDocument, ...] = WORLD) -> SearchIndex:
    """Return an index in ``directory`` holding ``documents``."""
    index = SearchIndex(directory)
    index.ensure()
    assert index.try_apply(list(documents), [], Progress(watermark=1), timeout=5.0)
    return index


def source_of(document: ListingDocument, extra_text: str = "") -> MatchSource:
    """Return the matching source of a listing, its public text plus any of the owner's own."""
    text = "\n".join(part for part in (document.summary, document.description, extra_text) if part)
    return MatchSource(
        kind=document.kind,
        id=document.id,
        title=document.title,
        text=text,
        keywords=document.keywords,
        fields=document.fields,
        field_families=document.field_families,
        trl=document.trl,
        deal_types=document.deal_types,
        owner_key=document.owner_key,
    )


def public_words(document: ListingDocument) -> set[str]:
    """Return the lower-cased words of a listing's stored public text."""
    text = " ".join((document.title, document.summary, document.description))
    return {word.lower() for word in re.findall(r"\w+", text)}
