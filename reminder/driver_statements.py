"""Core statements compiled once for a database and run on the driver's cursor.

For a statement executed once per message, SQLAlchemy's per-execution work (parameter
processing, execution context, result set-up) cost about twice what SQLite itself did
(docs/architecture.md, "Decisions"). A `DriverStatement` keeps the SQL text SQLAlchemy
compiled for the dialect, the order of its parameters and their types' bind processors
(dates as text on SQLite, UTC for timestamps), so the values stored are the ones SQLAlchemy
would have stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


class DriverStatement:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        # Values written into the statement (`status = 'sending'`) are parameters too.
        self._fixed = {name: value for name, value in compiled.params.items() if value is not None}
        self._order = list(compiled.positiontup) if compiled.positiontup is not None else None
        self._processors: dict[str, Callable[[Any], Any]] = {}
        for name in compiled.params:
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._processors[name] = processor

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """The driver's parameters for `values` (named as the statement's bind parameters)."""
        merged = {**self._fixed, **values}
        for name, processor in self._processors.items():
            merged[name] = processor(merged[name])
        if self._order is None:  # a named paramstyle (psycopg)
            return merged
        return tuple(merged[name] for name in self._order)
