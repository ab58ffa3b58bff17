"""Progress bars for long commands: a steady tqdm bar on a terminal, nothing otherwise.

Every long-running step (planning, sending, importing) reports through `Progress`, so the
library never prints and a command decides whether a person is watching."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from tqdm import tqdm


class Progress(Protocol):
    """What a long step calls as it goes: `advance(n)` after n more units are done."""

    def advance(self, n: int = 1) -> None: ...

    def grow(self, total: int) -> None: ...


class _Silent:
    def advance(self, n: int = 1) -> None:
        pass

    def grow(self, total: int) -> None:
        pass


class _Bar:
    def __init__(self, bar: tqdm) -> None:
        self._bar = bar

    def advance(self, n: int = 1) -> None:
        self._bar.update(n)

    def grow(self, total: int) -> None:
        """Known totals only grow (planning finds more work as it goes); the bar keeps one line."""
        if total > (self._bar.total or 0):
            self._bar.total = total
            self._bar.refresh()


SILENT: Progress = _Silent()


@contextmanager
def bar(
    label: str, unit: str, total: int | None = None, stream: IO[str] | None = None
) -> Iterator[Progress]:
    """A bar on `stream` (stderr) when it is a terminal; a silent stand-in when it is not."""
    out = stream or sys.stderr
    if not out.isatty():
        yield SILENT
        return
    with tqdm(
        total=total, desc=label, unit=f" {unit}", file=out, leave=True, dynamic_ncols=True
    ) as t:
        yield _Bar(t)
