"""A small catalogue of realistic public listings for the search engine's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from search.documents import ASSET, CHALLENGE, ListingDocument

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: int) -> datetime:
    """Return the moment ``days`` days before the corpus's now."""
    return NOW - timedelta(days=days)


MEMBRANE = ListingDocument(
    kind=ASSET,
    id=1,
    title="Electrospun nanofibre membrane for water filtration",
    summary="A polyacrylonitrile nanofibre membrane made by needleless electrospinning that "
    "removes 99.9 % of bacteria at low pressure.",
    description="The membrane combines a nonwoven support with a 20 micrometre layer of "
    "electrospun fibres. Flux stays high after 500 hours of river water.",
    keywords=("electrospinning", "nanofibre", "water treatment"),
    fields=("materials-polymers",),
    field_families=("materials", "materials-polymers"),
    patent_numbers=("EP 3 456 789 B1",),
    patent_status="granted",
    deal_types=("exclusive_license", "non_exclusive_license"),
    trl=6,
    owner="Aquafil Research",
    owner_key="org:1",
    status="published",
    published_at=days_ago(10),
)

BATTERY = ListingDocument(
    kind=ASSET,
    id=2,
    title="Silicon anode with a self-healing polymer binder",
    summary="Lithium-ion anodes whose binder repairs cracks during cycling, keeping 90 % "
    "capacity after 1,000 cycles.",
    description="A supramolecular binder based on hydrogen bonding surrounds silicon "
    "particles. Compatible with existing slurry coating lines.",
    keywords=("battery", "silicon anode", "binder"),
    fields=("energy-storage", "materials-polymers"),
    field_families=("energy", "energy-storage", "materials", "materials-polymers"),
    patent_numbers=("US 11,234,567 B2",),
    patent_status="pending",
    deal_types=("option", "collaboration"),
    trl=4,
    owner="Voltaic Labs",
    owner_key="org:2",
    status="published",
    published_at=days_ago(3),
)

CATALYST = ListingDocument(
    kind=ASSET,
    id=3,
    title="Copper catalyst for electrochemical CO2 reduction",
    summary="A nanostructured copper catalyst converting carbon dioxide to ethylene at 60 % "
    "faradaic efficiency.",
    description="Oxide-derived copper on a gas diffusion electrode; stable for 200 hours "
    "at industrial current densities.",
    keywords=("catalysis", "carbon capture"),
    fields=("chemistry-catalysis",),
    field_families=("chemistry", "chemistry-catalysis"),
    patent_status="granted",
    deal_types=("assignment",),
    trl=3,
    owner="Carbonix",
    owner_key="org:3",
    status="under_negotiation",
    published_at=days_ago(30),
)

FILTER_CHALLENGE = ListingDocument(
    kind=CHALLENGE,
    id=1,
    title="Low-cost filtration of microplastics from laundry water",
    summary="We seek a filter that captures microfibres shed by washing machines without "
    "clogging within a year.",
    description="The filter must fit a domestic washing machine and be cleaned by the user.",
    keywords=("filtration", "microplastics"),
    fields=("materials-polymers",),
    field_families=("materials", "materials-polymers"),
    deal_types=("non_exclusive_license",),
    trl=5,
    owner="Anonymous seeker 7F3A",
    owner_key="org:4",
    status="open",
    published_at=days_ago(5),
    open_until=NOW + timedelta(days=40),
)

STORAGE_CHALLENGE = ListingDocument(
    kind=CHALLENGE,
    id=2,
    title="Battery storage for off-grid clinics",
    summary="Storage that survives 45 degree heat and needs no maintenance for five years.",
    description="Clinics run on solar panels; batteries must tolerate deep discharge.",
    keywords=("battery", "off-grid"),
    fields=("energy-storage",),
    field_families=("energy", "energy-storage"),
    deal_types=("exclusive_license",),
    trl=7,
    owner="Health Without Borders",
    owner_key="org:5",
    status="open",
    published_at=days_ago(1),
    open_until=NOW + timedelta(days=10),
)

ALL_DOCUMENTS = (MEMBRANE, BATTERY, CATALYST, FILTER_CHALLENGE, STORAGE_CHALLENGE)
