"""The disclosure policy, as a matrix of viewer × grant state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.disclosure import Access, Grant, confidential_access

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OWNER, OTHER = 1, 2


@pytest.mark.parametrize(
    ("viewer", "grants", "expected"),
    [
        (None, [], Access.NONE),
        (OWNER, [], Access.OWNER),
        (OTHER, [], Access.NONE),
        (OTHER, [Grant(OTHER, approved=True)], Access.GRANTED),
        (OTHER, [Grant(OTHER, approved=True, expires_at=NOW + timedelta(days=1))], Access.GRANTED),
        (OTHER, [Grant(OTHER, approved=True, expires_at=NOW)], Access.NONE),
        (OTHER, [Grant(OTHER, approved=True, revoked_at=NOW - timedelta(hours=1))], Access.NONE),
        (OTHER, [Grant(OTHER, approved=False)], Access.PENDING),
        (OTHER, [Grant(OTHER, approved=False, revoked_at=NOW)], Access.NONE),
        (OTHER, [Grant(3, approved=True)], Access.NONE),
        (None, [Grant(OTHER, approved=True)], Access.NONE),
        (
            OTHER,
            [Grant(OTHER, approved=True, revoked_at=NOW), Grant(OTHER, approved=True)],
            Access.GRANTED,
        ),
    ],
)
def test_confidential_access(viewer, grants, expected) -> None:
    access = confidential_access(viewer, OWNER, grants, now=NOW)
    assert access is expected
    assert access.may_see_confidential is (expected in (Access.OWNER, Access.GRANTED))
