"""The report's parts at once (reminder.report.parallel), on SQLite and PostgreSQL: the same
figures as one session computing them in turn, shards that hold every action once, one
snapshot for every part on PostgreSQL, and a failing part failing the report."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from reminder.db import make_session_factory
from reminder.errors import ReminderError
from reminder.models import KeyAction, Party
from reminder.report import build_report
from reminder.report.implementation import implementation
from reminder.report.parallel import (
    EVERY_ACTION,
    Shard,
    action_ids,
    run_parts,
    shards,
    snapshot,
)
from reminder.report.responsiveness import Period, responsiveness
from reminder.report.trend import trend, trend_points, trend_spans
from tests.report_portfolio import AS_OF, SINCE, build_portfolio

UTC_ZONE = ZoneInfo("UTC")


def test_parts_at_once_give_the_figures_of_one_session(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
        one_session = (
            implementation(session, AS_OF),
            trend(session, AS_OF, UTC_ZONE),
            responsiveness(session, Period(SINCE, AS_OF, UTC_ZONE)),
        )
    report = build_report(engine, AS_OF, UTC_ZONE, SINCE, workers=2)  # worker processes on SQLite
    assert (report.implementation, report.trend, report.responsiveness) == one_session


@pytest.mark.parametrize("count", [2, 3, 8])
def test_the_trend_in_shards_adds_up_to_the_whole(engine: Engine, count: int) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
        with engine.connect() as connection:
            pieces = shards(action_ids(connection), count)
        spans = [span for s in pieces for span in trend_spans(session, AS_OF, UTC_ZONE, s)]
        assert trend_points(AS_OF, spans) == trend(session, AS_OF, UTC_ZONE)


def _ids_in(session: Session, shard: Shard) -> list[int]:
    return list(
        session.scalars(
            select(KeyAction.id).where(shard.holds(KeyAction.id)).order_by(KeyAction.id)
        )
    )


def test_shards_hold_every_action_once_and_the_outer_ones_are_open(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)  # actions 1 to 8
        with engine.connect() as connection:
            pieces = shards(action_ids(connection), 3)
            assert shards(action_ids(connection), 8) == [EVERY_ACTION]  # fewer ids than shards: one
        assert pieces == [Shard(None, 3), Shard(3, 6), Shard(6, None)]
        held = [_ids_in(session, shard) for shard in pieces]
    assert held == [[1, 2], [3, 4, 5], [6, 7, 8]]


def _parties(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Party)) or 0


def test_on_postgresql_every_part_reads_the_snapshot_taken_before_them(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        build_portfolio(session)  # three parties
    with snapshot(engine) as (_, snapshot_id):
        with engine.begin() as connection:  # committed after the snapshot, before the parts
            connection.execute(insert(Party).values(id=99, code="NEW", name="New party"))
        seen = run_parts(engine, snapshot_id, {"a": _parties, "b": _parties}, 2)
    if engine.dialect.name == "postgresql":
        assert seen == {"a": 3, "b": 3}
    else:  # SQLite exports no snapshot: each part reads what is committed when it starts
        assert snapshot_id is None and seen == {"a": 4, "b": 4}


def _fails(_: Session) -> int:
    raise ReminderError("this part failed")


def test_a_failing_part_fails_the_whole_report(engine: Engine) -> None:
    with pytest.raises(ReminderError, match="this part failed"):
        run_parts(engine, None, {"fine": _parties, "fails": _fails, "later": _parties}, 2)
