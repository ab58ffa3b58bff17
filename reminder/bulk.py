"""Bulk inserts for the import and the ledger: COPY on PostgreSQL, one executemany elsewhere.

On PostgreSQL SQLAlchemy's executemany sends one INSERT per row (pipelined); at a million
key actions that was two thirds of an import. COPY streams the rows in one statement, in the
session's transaction, so a rejected file still leaves nothing behind. On SQLite the rows go
to the driver's executemany, each value converted by its column's type as SQLAlchemy would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from operator import itemgetter
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
    names = list(rows[0])
    if any(c.default is not None for c in table.columns if c.name not in names):
        session.execute(insert(table), list(rows))  # SQLAlchemy fills in what rows leave out
        return
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    insert_tuples(session, table, names, [values(row) for row in rows])


def insert_tuples(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Rows of values in `names` order, straight to the driver (COPY on PostgreSQL, one
    executemany elsewhere), values converted as SQLAlchemy's column types would: SQLAlchemy's
    own per-row parameter processing was a tenth of an import."""
    if not rows:
        return
    dialect, driver = _driver(session)
    if dialect == "postgresql":
        _copy(driver, table, names, rows)
        return
    converters = _converters(session, table, names)
    if converters:
        rows = [_converted(row, converters) for row in rows]
    placeholders = ", ".join("?" for _ in names)
    driver.executemany(
        f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({placeholders})', rows
    )


def _converters(
    session: Session, table: Table, names: Sequence[str]
) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, function) for the columns whose values SQLite keeps as SQLAlchemy's types
    write them: dates as ISO text (isoformat: the same text, faster), timestamps in UTC as
    text, JSON as text, booleans as 0 and 1. An insert's values repeat (the same few days
    and timestamps, empty lists), so each column's conversions are remembered for the call."""
    dialect = session.get_bind().dialect
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, Date):
            found.append((index, _remembered(date.isoformat)))
            continue
        processor = kind.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        if isinstance(kind, JSON):
            found.append((index, _json_of(processor)))
        else:
            found.append((index, _remembered(processor)))
    return found


def _remembered(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def converted(value: Any) -> Any:
        found = seen.get(value, seen)
        if found is seen:
            found = seen[value] = convert(value)
        return found

    return converted


def _json_of(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    empty_list, empty_dict = serialize([]), serialize({})

    def converted(value: Any) -> Any:
        if not value and type(value) is list:
            return empty_list
        if not value and type(value) is dict:
            return empty_dict
        return serialize(value)

    return converted


def _converted(row: Sequence[Any], converters: list[tuple[int, Callable[[Any], Any]]]) -> list[Any]:
    values = list(row)
    for index, convert in converters:
        if values[index] is not None:
            values[index] = convert(values[index])
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
