"""The report's SQL at its edges, on SQLite and PostgreSQL: the ageing buckets at each boundary
day, the trend through a history with ties, comment-only rows and actions without history, and
the tables a reader gets when a breakdown is longer than tables.LISTED."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from reminder.db import make_session_factory
from reminder.models import ActionUpdate, Evaluation, KeyAction, Recommendation
from reminder.report import build_report
from reminder.report.counting import Counts
from reminder.report.figures import Report
from reminder.report.formats import render_report
from reminder.report.implementation import Group, Implementation, implementation
from reminder.report.responsiveness import Escalations, Responsiveness
from reminder.report.tables import LISTED, most_overdue, tables
from reminder.report.trend import trend

AS_OF = date(2027, 1, 15)
UTC_ZONE = ZoneInfo("UTC")


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _actions(session: Session, rows: list[tuple[str, date | None, datetime]]) -> None:
    """One evaluation, one recommendation, an action per (status, due, status_changed_at)."""
    session.add(Evaluation(id=1, identity="source:1", title="E", office=None, period=None))
    session.add(Recommendation(id=1, evaluation_id=1, position=1, text="R"))
    session.flush()
    for number, (status, due, changed) in enumerate(rows, start=1):
        session.add(
            KeyAction(id=number, recommendation_id=1, position=number, text=f"A{number}",
                      due_date=due, deadline_precision="day" if due else "none",
                      deadline_label=str(due), status=status, status_label=status,
                      responsible_text="X", status_changed_at=changed)
        )  # fmt: skip
    session.flush()


def test_ageing_buckets_at_their_boundary_days(engine: Engine) -> None:
    days_overdue = [0, 1, 30, 31, 90, 91, 180, 181, 365, -5]  # 0: due today, not overdue yet
    with make_session_factory(engine)() as session:
        rows = [("initiated", AS_OF - timedelta(days=d), at("2026-01-01")) for d in days_overdue]
        rows.append(("completed", AS_OF - timedelta(days=200), at("2026-01-01")))  # closed
        rows.append(("open", None, at("2026-01-01")))  # no deadline: never overdue
        _actions(session, rows)
        overall = implementation(session, AS_OF).overall
    assert (overall.total, overall.open, overall.overdue) == (12, 11, 8)
    assert overall.ageing == {"1-30": 2, "31-90": 2, "91-180": 2, "180+": 2}


def test_trend_through_ties_comments_and_actions_without_history(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        _actions(
            session,
            [
                ("completed", date(2026, 10, 31), at("2026-11-20")),  # 1: history below
                ("initiated", date(2026, 12, 20), at("2026-09-10")),  # 2: no history
                ("initiated", None, at("2026-10-05")),  # 3: known before its first change
            ],
        )
        u = ActionUpdate
        session.add_all([
            # 1: imported, then two changes at the same instant (the later id wins), a
            # comment-only row that changes nothing, then completed.
            u(id=1, key_action_id=1, recorded_at=at("2026-08-15"), source="import", actor="f",
              old_status=None, new_status="not_initiated"),
            u(id=2, key_action_id=1, recorded_at=at("2026-10-10"), source="web", actor="p",
              old_status="not_initiated", new_status="no_longer_applicable"),
            u(id=3, key_action_id=1, recorded_at=at("2026-10-10"), source="web", actor="p",
              old_status="no_longer_applicable", new_status="initiated"),
            u(id=4, key_action_id=1, recorded_at=at("2026-11-02"), source="web", actor="p",
              old_status=None, new_status=None, comment="still on it"),
            u(id=5, key_action_id=1, recorded_at=at("2026-11-20"), source="web", actor="p",
              old_status="initiated", new_status="completed"),
            # 3: its first recorded change says what it was before: not initiated, always.
            u(id=6, key_action_id=3, recorded_at=at("2026-10-05"), source="office", actor="o",
              old_status="not_initiated", new_status="initiated"),
        ])  # fmt: skip
        session.commit()
        points = {p.month: p for p in trend(session, AS_OF, UTC_ZONE)}
    # (total, completed, no longer applicable, overdue) at each month end.
    expected = {
        "2026-07": (1, 0, 0, 0),  # 3 only (before its first change)
        "2026-08": (2, 0, 0, 0),  # + 1 imported 08-15
        "2026-09": (3, 0, 0, 0),  # + 2 known from 09-10
        "2026-10": (3, 0, 0, 0),  # 1 initiated (the tie's later row); not due until 10-31
        "2026-11": (3, 1, 0, 0),  # 1 completed 11-20; its 11-02 comment changed nothing
        "2026-12": (3, 1, 0, 1),  # 2 due 12-20 and still initiated
    }
    got = {m: (p.total, p.completed, p.no_longer_applicable, p.overdue) for m, p in points.items()}
    assert {m: got[m] for m in expected} == expected
    assert got["2026-01"] == (1, 0, 0, 0)  # 3 existed before any of its history


def _group(number: int, overdue: int) -> Group:
    counts = Counts(total=10, initiated=10, open=10, overdue=overdue, aged_1_30=overdue)
    return Group(f"P{number:03d}", f"Party {number:03d}", counts)


def _long_report() -> Report:
    """A report with LISTED + 10 parties (party n has n % 7 overdue) and as many
    escalation rows, built in Python: only the presentation is under test."""
    groups = [_group(n, n % 7) for n in range(LISTED + 10)]
    evaluations = [Group(str(n), g.name, g.counts) for n, g in enumerate(groups)]
    counts = Counts(total=10 * len(groups))
    impl = Implementation(counts, evaluations, groups, [], [])
    escalations = [Escalations(g.key, g.name, 1, 1) for g in groups]
    resp = Responsiveness(0, (0, 0), (0, 0), [], [], escalations)
    return Report(AS_OF, AS_OF, impl, [], resp)


def test_a_reader_gets_the_most_overdue_and_the_workbook_gets_all() -> None:
    report = _long_report()
    shown = most_overdue(report.implementation.by_party)
    assert len(shown) == LISTED
    assert [g.counts.overdue for g in shown[:2]] == [6, 6]  # the most overdue first
    assert min(g.counts.overdue for g in shown) >= max(
        g.counts.overdue for g in report.implementation.by_party if g not in shown
    )
    text = render_report(report, "text").decode()
    cut = f"Listed: the {LISTED} of {LISTED + 10} with the most overdue key actions, most first."
    assert text.count(cut) == 2  # by party and by evaluation
    assert f"Listed: the first {LISTED} of {LISTED + 10}." in text  # escalations
    html = render_report(report, "html").decode()
    assert html.count(cut) == 2 and html.count('<th scope="row">Party 006</th>') >= 1
    assert (
        '<th scope="row">Party 007</th>'
        not in html.split('id="by-party"')[1].split("</section>")[0]
    )
    sheets = {t.name: t for t in tables(report)}  # the workbook's tables: no limit
    assert len(sheets["By party"].rows) == LISTED + 10
    assert len(json.loads(render_report(report, "json"))["by_party"]) == LISTED + 10


def test_an_uncut_breakdown_keeps_its_order_and_has_no_note(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        _actions(session, [("initiated", date(2026, 1, 1), at("2026-01-01"))])
        session.commit()
        report = build_report(engine, AS_OF, UTC_ZONE)
    assert "Listed:" not in render_report(report, "text").decode()
