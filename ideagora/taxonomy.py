"""Name the fixed, browsable taxonomy of technical R&D fields that listings are filed under.

The taxonomy has two levels. Sixteen top-level fields (``materials``, ``energy``, …) each hold
three to six second-level fields. Every slug is lower-case kebab-case, and a second-level slug is
its parent's slug, a hyphen and its own part: ``materials-polymers`` sits under ``materials``,
``agriculture-food-crop-protection`` under ``agriculture-food``. Slugs are therefore globally
unique, readable in a URL such as ``?field=energy-storage``, and never change once published,
because listings store them.

A listing may be filed under a top-level field or under a second-level one. Browsing by a
top-level field also finds listings filed under its children (see :func:`expand`), and two
listings are related when they share a field or when one names a field and the other its parent
(see :func:`shared_fields`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

FIELDS_URL = "GET /api/v1/fields"


@dataclass(frozen=True)
class TechnicalField:
    """A technical field: its slug, display name, parent slug (None at the top) and scope."""

    slug: str
    name: str
    parent: str | None
    description: str


class SharedField(NamedTuple):
    """A field two listings have in common, and how.

    ``how`` is ``"same"`` when both listings name ``slug``. It is ``"related"`` when one listing
    names ``slug``, a second-level field, and the other names its parent, which is
    ``get_field(slug).parent``.
    """

    slug: str
    how: Literal["same", "related"]


# (top-level slug, name, description): ((child part, name, description), ...)
_TREE: dict[tuple[str, str, str], tuple[tuple[str, str, str], ...]] = {
    ("materials", "Materials", "New materials, their processing and their properties."): (
        ("polymers", "Polymers and plastics", "Polymers, resins, elastomers and bioplastics."),
        ("metals", "Metals and alloys", "Metallurgy, alloys and metal processing."),
        ("ceramics-glass", "Ceramics and glass", "Technical ceramics, glass and refractories."),
        ("composites", "Composites", "Fibre-reinforced and other composite materials."),
        ("nanomaterials", "Nanomaterials", "Nanoparticles, nanotubes, graphene and 2D materials."),
        ("coatings", "Coatings and surfaces", "Coatings, thin films and surface treatments."),
    ),
    ("chemistry", "Chemistry", "Chemical synthesis, processes and analysis."): (
        ("catalysis", "Catalysis", "Homogeneous, heterogeneous and enzymatic catalysts."),
        ("specialty", "Specialty chemicals", "Fine chemicals, additives and formulations."),
        ("process", "Chemical process engineering", "Reactors, separation and scale-up."),
        ("analytical", "Analytical chemistry", "Methods and instruments for chemical analysis."),
        ("green", "Green chemistry", "Bio-based feedstocks, solvents and cleaner routes."),
    ),
    ("life-sciences", "Life sciences", "Biology and biotechnology outside drug products."): (
        ("genomics", "Genomics and gene editing", "Sequencing, genetic analysis and editing."),
        ("synthetic-biology", "Synthetic biology", "Engineered organisms and biomanufacturing."),
        ("cell-biology", "Cell and tissue engineering", "Cell culture, organoids and tissues."),
        ("microbiology", "Microbiology", "Microorganisms, microbiomes and fermentation."),
        ("research-tools", "Research tools and assays", "Reagents, assays and lab methods."),
    ),
    ("pharmaceuticals", "Pharmaceuticals", "Medicines from discovery to formulation."): (
        ("small-molecules", "Small-molecule drugs", "Drug candidates and medicinal chemistry."),
        ("biologics", "Biologics and antibodies", "Therapeutic proteins, peptides, antibodies."),
        ("vaccines", "Vaccines", "Vaccines, adjuvants and immunotherapies."),
        ("drug-delivery", "Drug delivery and formulation", "Formulations, carriers, devices."),
        ("cell-gene-therapy", "Cell and gene therapy", "Cell, gene and RNA-based therapies."),
    ),
    ("medical-devices", "Medical devices", "Devices and software for diagnosis and care."): (
        ("diagnostics", "Diagnostics", "In-vitro diagnostics, biosensors and point of care."),
        ("imaging", "Medical imaging", "Imaging hardware, contrast agents and image analysis."),
        ("implants", "Implants and prosthetics", "Implants, prostheses and orthopaedics."),
        ("surgical", "Surgical instruments", "Surgical tools, robotics, minimally invasive care."),
        ("digital-health", "Digital health", "Wearables, remote monitoring and medical software."),
    ),
    ("energy", "Energy", "Generating, storing and distributing energy."): (
        ("solar", "Solar energy", "Photovoltaics and solar thermal."),
        ("wind", "Wind energy", "Wind turbines, blades and wind farms."),
        ("storage", "Batteries and energy storage", "Batteries, supercapacitors, storage."),
        ("hydrogen", "Hydrogen and fuel cells", "Electrolysis, hydrogen storage and fuel cells."),
        ("grid", "Power grids", "Transmission, distribution and grid management."),
        ("nuclear", "Nuclear energy", "Fission, fusion and nuclear safety."),
    ),
    ("environment", "Environment", "Protecting air, water and soil."): (
        ("water", "Water treatment", "Drinking water, wastewater and desalination."),
        ("air", "Air quality and emissions", "Emission control and air purification."),
        ("waste-recycling", "Waste and recycling", "Sorting, recycling and waste-to-value."),
        ("carbon-capture", "Carbon capture and use", "Capturing, storing and using CO2."),
        ("monitoring", "Environmental monitoring", "Sensing and modelling of ecosystems."),
    ),
    ("agriculture-food", "Agriculture and food", "Farming, food and feed."): (
        ("crops", "Crop science and breeding", "Plant breeding, seeds and crop traits."),
        ("crop-protection", "Crop protection", "Pesticides, biocontrol and plant health."),
        ("precision-farming", "Precision agriculture", "Farm sensing, robotics and data."),
        ("animal-health", "Animal health and husbandry", "Livestock, aquaculture and feed."),
        ("processing", "Food processing", "Processing, preservation and food safety."),
        ("ingredients", "Food ingredients and nutrition", "Ingredients, proteins, nutrition."),
    ),
    ("electronics", "Electronics", "Electronic components, circuits and systems."): (
        ("semiconductors", "Semiconductors", "Chips, devices and semiconductor fabrication."),
        ("sensors", "Sensors and MEMS", "Physical and chemical sensors, microsystems."),
        ("photonics", "Photonics and optics", "Lasers, optical components and imaging optics."),
        ("power", "Power electronics", "Converters, drives and power semiconductors."),
        ("displays", "Displays and lighting", "Display technologies and solid-state lighting."),
    ),
    ("computing", "Computing", "Software, data and computer systems."): (
        ("ai", "Artificial intelligence", "Machine learning, vision and language processing."),
        ("software", "Software and algorithms", "Software engineering and algorithms."),
        ("security", "Cybersecurity", "Cryptography, security and privacy."),
        ("data", "Data management and analytics", "Databases, analytics and visualisation."),
        ("quantum", "Quantum computing", "Quantum hardware, algorithms and sensing."),
        ("hpc", "High-performance computing", "Supercomputing, cloud and edge computing."),
    ),
    ("communications", "Communications", "Moving information between people and machines."): (
        ("wireless", "Wireless and mobile", "Cellular, Wi-Fi and radio technologies."),
        ("optical", "Optical communications", "Fibre-optic and free-space optical links."),
        ("networking", "Networking", "Network protocols, routing and architectures."),
        ("satellite", "Satellite communications", "Satellite links and ground stations."),
        ("iot", "Internet of things", "Connected devices and low-power networks."),
    ),
    ("mechanical-engineering", "Mechanical engineering", "Machines, motion and heat."): (
        ("robotics", "Robotics and automation", "Robots, actuators and motion control."),
        ("thermal-fluids", "Thermal and fluid systems", "Heat transfer, pumps and HVAC."),
        ("machine-design", "Machine design", "Mechanisms, bearings, gears and seals."),
        ("acoustics", "Acoustics and vibration", "Noise and vibration control."),
    ),
    ("manufacturing", "Manufacturing", "Making things at scale."): (
        ("additive", "Additive manufacturing", "3D printing of polymers, metals and more."),
        ("machining", "Machining and forming", "Cutting, moulding, casting and forming."),
        ("joining", "Joining and assembly", "Welding, bonding and automated assembly."),
        ("quality", "Process control and quality", "Inspection, metrology and control."),
        ("packaging", "Packaging", "Packaging materials, machinery and design."),
    ),
    ("transport", "Transport", "Vehicles and the movement of people and goods."): (
        ("automotive", "Automotive", "Cars, trucks and their components."),
        ("electric-vehicles", "Electric vehicles", "Electric drivetrains and charging."),
        ("aerospace", "Aerospace", "Aircraft, drones and spacecraft."),
        ("rail", "Rail", "Rolling stock, track and signalling."),
        ("maritime", "Maritime", "Ships, propulsion and port technology."),
        ("logistics", "Logistics", "Freight handling, routing and supply chains."),
    ),
    ("construction", "Construction", "Buildings and civil infrastructure."): (
        ("materials", "Building materials", "Cement, concrete, timber and insulation."),
        ("structural", "Structural engineering", "Structures, foundations and safety."),
        ("building-services", "Building services", "Heating, ventilation and building energy."),
        ("methods", "Construction methods", "Prefabrication, equipment and site processes."),
        ("infrastructure", "Civil infrastructure", "Roads, bridges, tunnels and pipelines."),
    ),
    ("consumer-products", "Consumer products", "Products people buy for themselves."): (
        ("personal-care", "Personal care and cosmetics", "Cosmetics, hygiene and skin care."),
        ("household", "Household products", "Cleaning, laundry and home care."),
        ("appliances", "Domestic appliances", "Kitchen and household appliances."),
        ("textiles", "Textiles and apparel", "Fibres, fabrics, clothing and footwear."),
        ("sports-leisure", "Sports and leisure", "Sports equipment, toys and leisure goods."),
    ),
}


def _build(tree: dict) -> tuple[TechnicalField, ...]:
    """Return the fields of the tree, each top-level field followed by its children."""
    fields: list[TechnicalField] = []
    for (slug, name, description), kids in tree.items():
        fields.append(TechnicalField(slug, name, None, description))
        fields.extend(
            TechnicalField(f"{slug}-{part}", kid_name, slug, kid_description)
            for part, kid_name, kid_description in kids
        )
    return tuple(fields)


# each top-level field comes just before its children, so forms can group them in this order
FIELDS: tuple[TechnicalField, ...] = _build(_TREE)
_BY_SLUG: dict[str, TechnicalField] = {field.slug: field for field in FIELDS}
_ORDER: dict[str, int] = {field.slug: index for index, field in enumerate(FIELDS)}


def all_fields() -> tuple[TechnicalField, ...]:
    """Return every field, each top-level field followed by its children."""
    return FIELDS


def top_level_fields() -> tuple[TechnicalField, ...]:
    """Return the top-level fields in display order."""
    return tuple(field for field in FIELDS if field.parent is None)


def children(slug: str) -> tuple[TechnicalField, ...]:
    """Return the second-level fields under a field; none for a child or an unknown slug."""
    return tuple(field for field in FIELDS if field.parent == slug)


def get_field(slug: str) -> TechnicalField | None:
    """Return the field with exactly this slug, or None."""
    return _BY_SLUG.get(slug)


def field_name(slug: str) -> str:
    """Return a field's display name, or the slug itself when the taxonomy does not know it."""
    field = _BY_SLUG.get(slug)
    # stored listings may outlive a slug; showing it beats failing the page
    return field.name if field else slug


def _normalise(slug: str) -> str:
    """Return a typed slug trimmed, lower-cased and with spaces or underscores as hyphens."""
    return "-".join(slug.strip().lower().replace("_", " ").split())


def check_field_slugs(slugs: Iterable[object]) -> list[str]:
    """Return the slugs normalised and de-duplicated in order, or name every unknown one."""
    known: list[str] = []
    unknown: list[str] = []
    for item in slugs:
        slug = _normalise(item) if isinstance(item, str) else None
        if slug in _BY_SLUG:
            known.append(slug)
        else:
            unknown.append(repr(item))
    unknown = list(dict.fromkeys(unknown))
    if unknown:
        noun = "field" if len(unknown) == 1 else "fields"
        raise ValueError(
            f"Unknown technical {noun}: {', '.join(unknown)}. Choose from {FIELDS_URL}."
        )
    return list(dict.fromkeys(known))


def expand(slug: str) -> list[str]:
    """Return the slug followed by its children's slugs, to filter by a top-level field.

    An unknown slug expands to itself alone, so filtering by it finds nothing.
    """
    return [slug, *(field.slug for field in children(slug))]


def shared_fields(a: Iterable[str], b: Iterable[str]) -> list[SharedField]:
    """Return what two listings' fields have in common, same fields first, in taxonomy order.

    A field both name is ``"same"``. A second-level field one names whose parent the other
    names is ``"related"``, unless that parent is itself a same field, since it then adds
    nothing. Unknown slugs are ignored.
    """
    first = {slug for slug in a if slug in _BY_SLUG}
    second = {slug for slug in b if slug in _BY_SLUG}
    same = first & second
    related = {
        slug
        for slug in _children_of_either(first, second) - same
        if _BY_SLUG[slug].parent not in same
    }
    shared = [SharedField(slug, "same") for slug in same]
    shared += [SharedField(slug, "related") for slug in related]
    return sorted(shared, key=lambda item: (item.how != "same", _ORDER[item.slug]))


def _children_of_either(first: set[str], second: set[str]) -> set[str]:
    """Return the slugs one set names whose parent the other set names."""
    return {slug for slug in first if _BY_SLUG[slug].parent in second} | {
        slug for slug in second if _BY_SLUG[slug].parent in first
    }
