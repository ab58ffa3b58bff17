"""Bulk inserts for the import and the ledger: COPY on PostgreSQL, one executemany elsewhere.

On PostgreSQL SQLAlchemy's executemany sends one INSERT per row (pipelined); at a million
key actions that was two thirds of an import. COPY streams the rows in one statement, in the
session's transaction, so a rejected file still leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Date, Table, insert, update
from sqlalchemy.orm import Session

PARK_CHUNK = 5000  # ids per statement (SQLite's limit on bound parameters is 32,766)


def _driver(session: Session) -> tuple[str, Any]:
    connection = session.connection()  # the session's transaction
    driver = connection.connection.driver_connection
    assert driver is not None
    return connection.dialect.name, driver


def _copy(driver: Any, table: Table, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    as_json = [isinstance(table.c[name].type, JSON) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if not any(as_json):
            for row in rows:
                copy.write_row(row)
            return
        from psycopg.types.json import Json  # psycopg loads only on PostgreSQL

        for row in rows:
            copy.write_row([Json(v) if json else v for v, json in zip(row, as_json, strict=True)])


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (each naming every column it sets, all rows alike) into `table`."""
    if not rows:
        return
    dialect, driver = _driver(session)
    if dialect != "postgresql":
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    _copy(driver, table, names, ([row[name] for name in names] for row in rows))


def insert_tuples(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """insert_rows for very many narrow rows (values in `names` order): straight to the
    driver on every database, skipping SQLAlchemy's per-row parameter processing."""
    if not rows:
        return
    dialect, driver = _driver(session)
    if dialect == "postgresql":
        _copy(driver, table, names, rows)
        return
    # SQLite keeps dates as ISO text, as SQLAlchemy's Date type writes them.
    dates = [i for i, name in enumerate(names) if isinstance(table.c[name].type, Date)]
    if dates:
        rows = [_iso_dates(row, dates) for row in rows]
    placeholders = ", ".join("?" for _ in names)
    driver.executemany(
        f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({placeholders})', rows
    )


def _iso_dates(row: Sequence[Any], dates: Sequence[int]) -> list[Any]:
    values = list(row)
    for index in dates:
        if values[index] is not None:
            values[index] = values[index].isoformat()
    return values


def park(session: Session, model: Any, ids: Sequence[int]) -> None:
    """Free the places of rows that move (key actions, recommendations). A place is unique
    per parent and checked row by row, so a swap would collide: each moving row first goes
    to minus its old place (unique, and no place is negative), one statement per chunk; the
    caller then sets the new places, and inserts new rows into free ones."""
    for start in range(0, len(ids), PARK_CHUNK):
        session.execute(
            update(model)
            .where(model.id.in_(ids[start : start + PARK_CHUNK]))
            .values(position=-model.position)
            .execution_options(synchronize_session=False)
        )
