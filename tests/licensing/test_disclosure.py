"""The disclosure policy as a matrix of viewer × grant status × expiry, and the re-request rule."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from licensing.disclosure import Access, Grant, GrantStatus, confidential_access, rerequest_after

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OWNER, REQUESTER, THIRD = 1, 2, 3

EXPIRIES = {
    "no end": None,
    "ends tomorrow": NOW + timedelta(days=1),
    "ends in a second": NOW + timedelta(seconds=1),
    "ends now": NOW,
    "ended yesterday": NOW - timedelta(days=1),
}

# what the requesting organisation sees under its one grant, by status and end of term
REQUESTER_ACCESS = {
    (GrantStatus.ACTIVE, "no end"): Access.GRANTED,
    (GrantStatus.ACTIVE, "ends tomorrow"): Access.GRANTED,
    (GrantStatus.ACTIVE, "ends in a second"): Access.GRANTED,
    (GrantStatus.ACTIVE, "ends now"): Access.NONE,
    (GrantStatus.ACTIVE, "ended yesterday"): Access.NONE,
    (GrantStatus.PENDING, "no end"): Access.PENDING,
    (GrantStatus.PENDING, "ends tomorrow"): Access.PENDING,
    (GrantStatus.PENDING, "ends in a second"): Access.PENDING,
    (GrantStatus.PENDING, "ends now"): Access.NONE,
    (GrantStatus.PENDING, "ended yesterday"): Access.NONE,
    (GrantStatus.DECLINED, "no end"): Access.NONE,
    (GrantStatus.DECLINED, "ends tomorrow"): Access.NONE,
    (GrantStatus.DECLINED, "ends in a second"): Access.NONE,
    (GrantStatus.DECLINED, "ends now"): Access.NONE,
    (GrantStatus.DECLINED, "ended yesterday"): Access.NONE,
    (GrantStatus.REVOKED, "no end"): Access.NONE,
    (GrantStatus.REVOKED, "ends tomorrow"): Access.NONE,
    (GrantStatus.REVOKED, "ends in a second"): Access.NONE,
    (GrantStatus.REVOKED, "ends now"): Access.NONE,
    (GrantStatus.REVOKED, "ended yesterday"): Access.NONE,
}


def expected_access(viewer: int | None, status: GrantStatus | None, expiry: str) -> Access:
    if viewer is None:
        return Access.NONE
    if viewer == OWNER:
        return Access.OWNER
    if viewer == THIRD or status is None:
        return Access.NONE
    return REQUESTER_ACCESS[(status, expiry)]


@pytest.mark.parametrize(
    ("viewer", "status", "expiry"),
    list(itertools.product([None, OWNER, REQUESTER, THIRD], [None, *GrantStatus], EXPIRIES)),
)
def test_confidential_access_matrix(viewer, status, expiry) -> None:
    grants = [] if status is None else [Grant(REQUESTER, status, EXPIRIES[expiry])]
    access = confidential_access(viewer, OWNER, grants, now=NOW)
    assert access is expected_access(viewer, status, expiry)
    assert access.may_see_confidential is (access in (Access.OWNER, Access.GRANTED))


def test_the_matrix_covers_every_status_and_expiry() -> None:
    assert set(REQUESTER_ACCESS) == set(itertools.product(GrantStatus, EXPIRIES))


@pytest.mark.parametrize(
    ("grants", "expected"),
    [
        # a new grant after a revoked one opens the text again
        ([Grant(REQUESTER, GrantStatus.REVOKED), Grant(REQUESTER, GrantStatus.ACTIVE)], "granted"),
        # a new request after a decline waits
        (
            [Grant(REQUESTER, GrantStatus.DECLINED), Grant(REQUESTER, GrantStatus.PENDING)],
            "pending",
        ),
        # an expired grant and a new request: waiting, not granted
        (
            [
                Grant(REQUESTER, GrantStatus.ACTIVE, NOW - timedelta(days=1)),
                Grant(REQUESTER, GrantStatus.PENDING),
            ],
            "pending",
        ),
        # an active grant wins over a request still open
        ([Grant(REQUESTER, GrantStatus.PENDING), Grant(REQUESTER, GrantStatus.ACTIVE)], "granted"),
        # another organisation's active grant does nothing for the viewer
        ([Grant(THIRD, GrantStatus.ACTIVE), Grant(REQUESTER, GrantStatus.DECLINED)], "none"),
    ],
)
def test_several_grants_of_one_listing(grants, expected) -> None:
    assert confidential_access(REQUESTER, OWNER, grants, now=NOW) is Access(expected)


class StoredStatus(enum.Enum):
    """A status enum with the same values, as the stored grant rows have."""

    ACTIVE = "active"
    REVOKED = "revoked"


@pytest.mark.parametrize(
    ("status", "expected"),
    [(StoredStatus.ACTIVE, Access.GRANTED), (StoredStatus.REVOKED, Access.NONE)],
)
def test_a_status_is_read_by_value(status, expected) -> None:
    grant = Grant(REQUESTER, status)
    assert grant.status is GrantStatus(status.value)
    assert confidential_access(REQUESTER, OWNER, [grant], now=NOW) is expected


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="approved"):
        Grant(REQUESTER, "approved")


@dataclass(frozen=True)
class Row:
    """A grant as the re-request rule reads it."""

    status: GrantStatus
    decided_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class RowWithoutRevocation:
    status: GrantStatus
    decided_at: datetime | None = None


DAY = timedelta(days=1)
WEEK = timedelta(days=7)


@pytest.mark.parametrize(
    ("grants", "expected"),
    [
        ([], None),
        ([Row(GrantStatus.DECLINED, NOW - DAY)], NOW + 6 * DAY),
        ([Row(GrantStatus.DECLINED, NOW)], NOW + WEEK),
        ([Row(GrantStatus.DECLINED, NOW - WEEK)], None),
        (
            [Row(GrantStatus.DECLINED, NOW - WEEK + timedelta(seconds=1))],
            NOW + timedelta(seconds=1),
        ),
        ([Row(GrantStatus.DECLINED, NOW - 30 * DAY)], None),
        # a revocation counts from when it happened, not from the approval before it
        ([Row(GrantStatus.REVOKED, NOW - 60 * DAY, NOW - 2 * DAY)], NOW + 5 * DAY),
        ([Row(GrantStatus.REVOKED, NOW - 60 * DAY, NOW - 8 * DAY)], None),
        ([RowWithoutRevocation(GrantStatus.REVOKED, NOW - 3 * DAY)], NOW + 4 * DAY),
        # the latest refusal counts, whatever the order given
        (
            [Row(GrantStatus.DECLINED, NOW - 2 * DAY), Row(GrantStatus.DECLINED, NOW - 20 * DAY)],
            NOW + 5 * DAY,
        ),
        (
            [Row(GrantStatus.DECLINED, NOW - 20 * DAY), Row(GrantStatus.REVOKED, None, NOW - DAY)],
            NOW + 6 * DAY,
        ),
        # open or expired grants are no refusal
        ([Row(GrantStatus.PENDING)], None),
        ([Row(GrantStatus.ACTIVE, NOW - DAY)], None),
        ([Row(GrantStatus.DECLINED, None)], None),
        ([Row(StoredStatus.REVOKED, NOW - 60 * DAY, NOW - DAY)], NOW + 6 * DAY),
    ],
)
def test_rerequest_after_a_refusal(grants, expected) -> None:
    assert rerequest_after(grants, cooldown=WEEK, now=NOW) == expected


def test_no_cooldown_lets_an_organisation_ask_again_at_once() -> None:
    grants = [Row(GrantStatus.DECLINED, NOW)]
    assert rerequest_after(grants, cooldown=timedelta(0), now=NOW) is None
