"""bulk: rows written straight to the driver are stored exactly as SQLAlchemy stores them
(the columns' own types convert the values) on SQLite; PostgreSQL's go by COPY."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from reminder import migrate
from reminder.bulk import insert_rows
from reminder.db import make_engine, make_session_factory
from reminder.models import Delivery, table

AT = datetime(2027, 1, 15, 9, 30, 5, 123456, tzinfo=timezone(timedelta(hours=3)))


def delivery(n: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "recipient": f"person{n}@example.org", "recipient_name": None if n % 2 else "Ana",
        "digest_day": date(2027, 1, 15) + timedelta(days=n % 3), "kind": "digest",
        "message_id": f"<{n}@example.org>", "subject": "ß — Überfällig", "locale": "de",
        "counts": [{}, {"overdue": n}, {"due_soon": 1, "overdue": 2}][n % 3],
        "status": "pending", "last_error": None, "attempts": n % 2, "maybe_delivered": n % 2 == 0,
        "created_at": AT + timedelta(minutes=n % 2), "updated_at": AT.astimezone(UTC),
        "run_id": None,
    }  # fmt: skip
    return {**row, **values}


def stored(url: str, rows: list[dict[str, Any]], through_driver: bool) -> list[dict[str, Any]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        if through_driver:
            insert_rows(session, table(Delivery), rows)
        else:
            session.execute(insert(table(Delivery)), rows)
        session.commit()
        found = session.execute(text("SELECT * FROM deliveries ORDER BY id")).mappings().all()
    engine.dispose()
    return [dict(row) for row in found]


def test_rows_through_the_driver_are_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    rows = [delivery(n) for n in range(6)]
    by_sqlalchemy = stored(f"sqlite:///{tmp_path / 'a.sqlite'}", rows, through_driver=False)
    by_driver = stored(f"sqlite:///{tmp_path / 'b.sqlite'}", rows, through_driver=True)
    assert by_driver == by_sqlalchemy
    first = by_driver[0]
    assert first["counts"] == "{}"  # an empty mapping, through the shortcut
    assert first["created_at"] == "2027-01-15 06:30:05.123456"  # UTC, as text
    assert first["digest_day"] == "2027-01-15"
    assert first["maybe_delivered"] == 1
