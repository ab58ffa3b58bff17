"""Bulk inserts for the import and the ledger: COPY on PostgreSQL, one executemany elsewhere.

On PostgreSQL SQLAlchemy's executemany sends one INSERT per row (pipelined); at a million
key actions that was two thirds of an import. COPY streams the rows in one statement, in the
session's transaction, so a rejected file still leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (each naming every column it sets, all rows alike) into `table`."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in names]
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(f'"{name}"' for name in names)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    Json(row[name]) if json else row[name]
                    for name, json in zip(names, as_json, strict=True)
                ]
            )
