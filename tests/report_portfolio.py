"""A small hand-checked portfolio for the report tests, written straight into the database.

Eight key actions in two evaluations, as of AS_OF = 2027-01-15 (UTC):

| id | evaluation | parties  | status               | due        | known since        |
|----|------------|----------|----------------------|------------|--------------------|
| 1  | E1         | UNW, IOM | completed            | 2026-06-30 | 2026-05-10         |
| 2  | E1         | UNW      | no_longer_applicable | 2026-03-31 | 2026-02-01         |
| 3  | E1         | IOM      | initiated            | 2026-12-31 | 2026-01-01 (15 d overdue) |
| 4  | E1         | ILO      | not_initiated        | 2026-10-31 | 2025-12-01 (76 d; reminded 3x, never updated) |
| 5  | E2         | UNW, ILO | initiated            | 2026-07-15 | 2026-01-10 (184 d; escalated) |
| 6  | E2         | UNW      | completed on the desk 2026-12-20 10:00 after two reminders | 2026-11-30 | imported 2026-09-01 |
| 7  | E2         | IOM      | open ("Ongoing")     | none       | 2026-08-01         |
| 8  | E2         | (none)   | not_initiated        | 2026-09-30 | 2026-06-01 (107 d) |
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from reminder.db import make_engine, make_session_factory
from reminder.models import (
    ActionUpdate,
    Delivery,
    Evaluation,
    FocalPoint,
    KeyAction,
    Party,
    Recommendation,
    ReminderLog,
    key_action_parties,
)
from reminder.report import Report, build_report

AS_OF = date(2027, 1, 15)
SINCE = date(2026, 12, 1)


def at(day: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


PARTIES = [  # code, name, focal point, address
    ("UNW", "UN Women", "Aida Bekova", "aida@unwomen.example.org"),
    ("IOM", "International Organization for Migration", "Iris Omurova", "iris@iom.example.org"),
    ("ILO", "International Labour Organization", "Ilya Petrov", "ilya@ilo.example.org"),
]
EVALUATIONS = [  # id, title, office, period
    (1, "Evaluation of safe migration", "Kyrgyzstan (CO)", "2023-2026"),
    (2, "Evaluation of gender budgeting", "Tajikistan (CO)", "2025"),
]
ACTIONS = [  # id, evaluation, parties, status, due, status_changed_at
    (1, 1, ["UNW", "IOM"], "completed", date(2026, 6, 30), at("2026-05-10")),
    (2, 1, ["UNW"], "no_longer_applicable", date(2026, 3, 31), at("2026-02-01")),
    (3, 1, ["IOM"], "initiated", date(2026, 12, 31), at("2026-01-01")),
    (4, 1, ["ILO"], "not_initiated", date(2026, 10, 31), at("2025-12-01")),
    (5, 2, ["UNW", "ILO"], "initiated", date(2026, 7, 15), at("2026-01-10")),
    (6, 2, ["UNW"], "initiated", date(2026, 11, 30), at("2026-09-01")),
    (7, 2, ["IOM"], "open", None, at("2026-08-01")),
    (8, 2, [], "not_initiated", date(2026, 9, 30), at("2026-06-01")),
]
# (recipient, digest day, status, [(action, reason)]): sent at 08:00 UTC on the day.
DIGESTS = [
    ("aida@unwomen.example.org", "2026-12-07", "sent", [(6, "overdue")]),
    ("aida@unwomen.example.org", "2026-12-14", "sent", [(6, "overdue")]),
    ("ilya@ilo.example.org", "2026-12-07", "sent", [(4, "overdue")]),
    ("ilya@ilo.example.org", "2026-12-14", "sent", [(4, "overdue")]),
    ("ilya@ilo.example.org", "2026-12-21", "sent", [(4, "overdue")]),
    ("ilya@ilo.example.org", "2026-12-28", "failed", [(4, "overdue")]),  # never arrived
    ("boss@ilo.example.org", "2026-12-21", "sent", [(5, "escalation")]),
    ("iris@iom.example.org", "2027-01-11", "sent", [(3, "overdue")]),
]


def desk_update(
    session: Session, action_id: int, new_status: str, when: datetime, who: str, comment: str
) -> None:
    """What the status desk does: append a `web` history row and set the action's status."""
    action = session.get(KeyAction, action_id)
    assert action is not None
    session.add(
        ActionUpdate(key_action_id=action_id, recorded_at=when, source="web", actor=who,
                     old_status=action.status, new_status=new_status, comment=comment)
    )  # fmt: skip
    action.status, action.status_label, action.status_changed_at = new_status, new_status, when


def _actions(session: Session, party_ids: dict[str, int]) -> None:
    for number, (action_id, evaluation, parties, status, due, changed) in enumerate(ACTIONS):
        session.add(Recommendation(id=action_id, evaluation_id=evaluation, position=number,
                                   text=f"Recommendation {action_id}"))  # fmt: skip
        session.flush()
        session.add(
            KeyAction(id=action_id, recommendation_id=action_id, position=1, text=f"Action {action_id}",
                      due_date=due, deadline_precision="day" if due else "none",
                      deadline_label=due.isoformat() if due else "Ongoing", status=status,
                      status_label=status, responsible_text=" and ".join(parties) or "Someone",
                      status_changed_at=changed)
        )  # fmt: skip
        session.flush()
        for code in parties:
            session.execute(
                insert(key_action_parties),
                {"key_action_id": action_id, "party_id": party_ids[code]},
            )


def _digests(session: Session) -> None:
    for number, (recipient, day, status, items) in enumerate(DIGESTS, start=1):
        sent = at(day, 8) if status == "sent" else None
        delivery = Delivery(recipient=recipient, recipient_name=None, digest_day=date.fromisoformat(day),
                     message_id=f"<d{number}@test>", subject="Digest", locale="en", counts={},
                     kind="digest", status=status, attempts=1, created_at=at(day, 7), updated_at=at(day, 8),
                     sent_at=sent)  # fmt: skip
        session.add(delivery)
        session.flush()
        for action_id, reason in items:
            session.add(ReminderLog(delivery_id=delivery.id, key_action_id=action_id, recipient=recipient,
                                    reason=reason, digest_day=date.fromisoformat(day)))  # fmt: skip


def build_portfolio(session: Session) -> None:
    party_ids: dict[str, int] = {}
    for number, (code, name, person, address) in enumerate(PARTIES, start=1):
        session.add(Party(id=number, code=code, name=name, aliases=[]))
        session.add(FocalPoint(party_id=number, name=person, email=address, role="primary"))
        party_ids[code] = number
    session.add(
        FocalPoint(party_id=3, name="Boss", email="boss@ilo.example.org", role="escalation")
    )
    for ev_id, title, office, period in EVALUATIONS:
        session.add(Evaluation(id=ev_id, identity=f"source:{ev_id}", title=title, office=office,
                               period=period))  # fmt: skip
    session.flush()
    _actions(session, party_ids)
    # Action 6: first seen by an import on 2026-09-01, completed on the desk after two reminders.
    session.add(ActionUpdate(key_action_id=6, recorded_at=at("2026-09-01"), source="import",
                             actor="tracker.csv", old_status=None, new_status="initiated"))  # fmt: skip
    _digests(session)
    session.flush()
    desk_update(session, 6, "completed", at("2026-12-20", 10), "aida@unwomen.example.org", "Done")
    session.commit()


def portfolio_report(folder: Path, sqlite_template: Path) -> Report:
    """The hand-checked portfolio in a fresh copy of the migrated SQLite template under
    `folder`, and its report as of AS_OF since SINCE (UTC days)."""
    path = folder / "reminder.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session:
        build_portfolio(session)
        built = build_report(engine, AS_OF, ZoneInfo("UTC"), SINCE)
    engine.dispose()
    return built
