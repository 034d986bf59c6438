"""The technical-field taxonomy: its shape, slug checks, browsing and shared fields."""

from __future__ import annotations

import re

import pytest

from ideagora.taxonomy import (
    FIELDS,
    SharedField,
    all_fields,
    check_field_slugs,
    children,
    expand,
    field_name,
    get_field,
    shared_fields,
    top_level_fields,
)

TOP_LEVEL = {
    "materials": "Materials",
    "chemistry": "Chemistry",
    "life-sciences": "Life sciences",
    "pharmaceuticals": "Pharmaceuticals",
    "medical-devices": "Medical devices",
    "energy": "Energy",
    "environment": "Environment",
    "agriculture-food": "Agriculture and food",
    "electronics": "Electronics",
    "computing": "Computing",
    "communications": "Communications",
    "mechanical-engineering": "Mechanical engineering",
    "manufacturing": "Manufacturing",
    "transport": "Transport",
    "construction": "Construction",
    "consumer-products": "Consumer products",
}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def test_the_documented_top_level_fields_are_offered_by_name() -> None:
    assert {field.slug: field.name for field in top_level_fields()} == TOP_LEVEL


def test_slugs_are_unique_kebab_case_and_fit_the_database_column() -> None:
    slugs = [field.slug for field in all_fields()]
    assert len(slugs) == len(set(slugs))
    assert all(SLUG.fullmatch(slug) and len(slug) <= 64 for slug in slugs)


def test_every_child_names_an_existing_top_level_parent_in_its_slug() -> None:
    for field in all_fields():
        if field.parent is not None:
            parent = get_field(field.parent)
            assert parent is not None
            assert parent.parent is None
            assert field.slug.startswith(f"{field.parent}-")


def test_every_top_level_field_has_three_to_six_children_listed_right_after_it() -> None:
    for top in top_level_fields():
        kids = children(top.slug)
        assert 3 <= len(kids) <= 6
        start = FIELDS.index(top) + 1
        assert FIELDS[start : start + len(kids)] == kids


def test_every_field_has_a_name_and_a_description() -> None:
    assert all(field.name and field.description.endswith(".") for field in all_fields())


def test_fields_are_looked_up_and_named_by_slug() -> None:
    polymers = get_field("materials-polymers")
    assert polymers is not None
    assert (polymers.name, polymers.parent) == ("Polymers and plastics", "materials")
    assert field_name("energy") == "Energy"
    assert get_field("quantum-baking") is None
    assert field_name("quantum-baking") == "quantum-baking"


def test_a_child_or_unknown_field_has_no_children() -> None:
    assert children("materials-polymers") == ()
    assert children("quantum-baking") == ()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["materials"], ["materials"]),
        ([" Energy-Storage ", "energy"], ["energy-storage", "energy"]),
        (["life sciences", "life_sciences"], ["life-sciences"]),
        (["materials", "materials", "chemistry"], ["materials", "chemistry"]),
        ([], []),
    ],
)
def test_known_slugs_are_normalised_and_de_duplicated_in_order(given, expected) -> None:
    assert check_field_slugs(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            ["quantum-baking"],
            "Unknown technical field: 'quantum-baking'. Choose from GET /api/v1/fields.",
        ),
        (
            ["materials", "nonsense", "quantum-baking", "nonsense"],
            "Unknown technical fields: 'nonsense', 'quantum-baking'. "
            "Choose from GET /api/v1/fields.",
        ),
        ([""], "Unknown technical field: ''. Choose from GET /api/v1/fields."),
        ([7], "Unknown technical field: 7. Choose from GET /api/v1/fields."),
    ],
)
def test_unknown_slugs_are_all_named(given, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check_field_slugs(given)


def test_a_top_level_field_expands_to_itself_and_its_children() -> None:
    assert expand("energy") == [
        "energy",
        "energy-solar",
        "energy-wind",
        "energy-storage",
        "energy-hydrogen",
        "energy-grid",
        "energy-nuclear",
    ]


@pytest.mark.parametrize("slug", ["energy-storage", "quantum-baking"])
def test_a_child_or_unknown_field_expands_to_itself(slug) -> None:
    assert expand(slug) == [slug]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["materials"], ["materials"], [("materials", "same")]),
        (["materials"], ["materials-polymers"], [("materials-polymers", "related")]),
        (["materials-polymers"], ["materials"], [("materials-polymers", "related")]),
        (
            ["energy", "materials-polymers"],
            ["materials-polymers", "energy-solar", "energy-wind"],
            [
                ("materials-polymers", "same"),
                ("energy-solar", "related"),
                ("energy-wind", "related"),
            ],
        ),
        (["materials", "materials-polymers"], ["materials"], [("materials", "same")]),
        (["materials-polymers"], ["materials-metals"], []),
        (["materials"], ["chemistry"], []),
        (["quantum-baking"], ["quantum-baking"], []),
        ([], ["materials"], []),
    ],
)
def test_shared_fields_explain_what_two_listings_have_in_common(a, b, expected) -> None:
    assert shared_fields(a, b) == expected
    assert [item.how for item in shared_fields(b, a)] == [how for _, how in expected]


def test_a_shared_field_names_its_parent_for_the_explanation() -> None:
    (shared,) = shared_fields(["materials"], ["materials-composites"])
    assert shared == SharedField("materials-composites", "related")
    field = get_field(shared.slug)
    assert field is not None
    assert f"{field.name}, within {field_name(field.parent)}" == "Composites, within Materials"
