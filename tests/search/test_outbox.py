"""Planning what an index applies from the outbox: order, gaps, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from search.outbox import OutboxRow, Plan, Progress, plan

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(seconds=120)
YOUNG = NOW - timedelta(seconds=5)


def rows(*specs: tuple[int, str, datetime]) -> list[OutboxRow]:
    return [OutboxRow(id=row_id, key=key, created_at=moment) for row_id, key, moment in specs]


@pytest.mark.parametrize(
    ("progress", "batch", "expected"),
    [
        pytest.param(Progress(), [], Plan([], Progress()), id="empty outbox"),
        pytest.param(
            Progress(7),
            [],
            Plan([], Progress(7)),
            id="nothing new keeps the watermark",
        ),
        pytest.param(
            Progress(),
            rows((1, "asset:1", YOUNG), (2, "asset:2", YOUNG), (3, "challenge:1", YOUNG)),
            Plan(["asset:1", "asset:2", "challenge:1"], Progress(3)),
            id="in order",
        ),
        pytest.param(
            Progress(),
            rows((1, "asset:1", YOUNG), (2, "asset:1", YOUNG), (3, "asset:2", YOUNG)),
            Plan(["asset:1", "asset:2"], Progress(3)),
            id="a key changed twice is applied once",
        ),
        pytest.param(
            Progress(2),
            rows((3, "asset:5", YOUNG), (5, "asset:6", YOUNG)),
            Plan(["asset:5", "asset:6"], Progress(3, frozenset({5}))),
            id="young gap: watermark waits below it",
        ),
        pytest.param(
            Progress(2),
            rows((3, "asset:5", OLD), (5, "asset:6", OLD), (6, "asset:7", OLD)),
            Plan(["asset:5", "asset:6", "asset:7"], Progress(6)),
            id="gap older than the timeout is passed",
        ),
        pytest.param(
            Progress(3, frozenset({5})),
            rows((4, "asset:9", YOUNG), (5, "asset:6", YOUNG), (6, "asset:7", YOUNG)),
            Plan(["asset:9", "asset:7"], Progress(6)),
            id="out of order: the late row is applied, the early one not again",
        ),
        pytest.param(
            Progress(3, frozenset({5})),
            rows((5, "asset:6", YOUNG), (6, "asset:7", YOUNG)),
            Plan(["asset:7"], Progress(3, frozenset({5, 6}))),
            id="already applied rows are skipped",
        ),
        pytest.param(
            Progress(0),
            rows((40, "asset:1", OLD), (41, "asset:2", YOUNG)),
            Plan(["asset:1", "asset:2"], Progress(41)),
            id="old first row after pruned ids",
        ),
        pytest.param(
            Progress(1),
            rows((2, "asset:1", YOUNG), (2, "asset:1", YOUNG), (1, "asset:3", YOUNG)),
            Plan(["asset:1"], Progress(2)),
            id="duplicate rows and rows at or below the watermark",
        ),
        pytest.param(
            Progress(1),
            rows((5, "asset:1", OLD), (7, "asset:2", YOUNG)),
            Plan(["asset:1", "asset:2"], Progress(5, frozenset({7}))),
            id="old gap passed, younger gap after it waits",
        ),
    ],
)
def test_plan(progress: Progress, batch: list[OutboxRow], expected: Plan) -> None:
    assert plan(progress, batch, NOW, gap_timeout=60.0) == expected


def test_rows_given_out_of_order_are_planned_in_id_order() -> None:
    batch = rows((3, "asset:3", YOUNG), (1, "asset:1", YOUNG), (2, "asset:2", YOUNG))
    assert plan(Progress(), batch, NOW) == Plan(["asset:1", "asset:2", "asset:3"], Progress(3))


def test_gap_closes_once_its_next_row_ages() -> None:
    batch = rows((1, "asset:1", NOW), (3, "asset:3", NOW))
    first = plan(Progress(), batch, NOW)
    assert first.progress == Progress(1, frozenset({3}))
    later = plan(first.progress, batch[1:], NOW + timedelta(seconds=61))
    assert later == Plan([], Progress(3))


def test_row_of_an_applied_id_pruned_from_the_outbox_uses_the_next_row_age() -> None:
    batch = rows((9, "asset:9", OLD))
    assert plan(Progress(2, frozenset({5})), batch, NOW) == Plan(["asset:9"], Progress(9))


def test_is_applied() -> None:
    progress = Progress(4, frozenset({6}))
    assert [progress.is_applied(n) for n in (3, 4, 5, 6, 7)] == [True, True, False, True, False]
