"""Which stored key action each of a file's rows is, within one recommendation (PURE; the rule
is in docs/architecture.md, "Importers"): by text first, compared without case, spacing or
punctuation, then by position for the rows left over, so a row inserted, deleted or moved
never hands one action's status, desk updates and reminder history to another."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from reminder.responsible import normalise_name


def text_key(text: str) -> str:
    """How two action texts are compared: case, spacing and punctuation ignored."""
    return normalise_name(text)


@dataclass(frozen=True)
class Matched:
    """`found[i]`: the index in `stored` of the file's row i, or None for a new action;
    `missing`: indexes in `stored` of the actions the file no longer has, in stored order."""

    found: list[int | None]
    missing: list[int]


def match(stored: list[str], texts: list[str]) -> Matched:
    """Pair the file's action texts (in file order) with the stored ones (in position order).

    Equal texts pair first, in order, so two identical texts keep their order. A row left
    over then takes the stored action left over at its place (position i in both), which is
    an action edited in place; anything else is new, or missing from the file."""
    if stored == texts:
        return Matched(list(range(len(texts))), [])  # the usual re-import: nothing moved
    if not stored:
        return Matched([None] * len(texts), [])  # a first import: nothing to compare
    by_key: dict[str, deque[int]] = {}
    for index, text in enumerate(stored):
        by_key.setdefault(text_key(text), deque()).append(index)
    found: list[int | None] = []
    for text in texts:
        queue = by_key.get(text_key(text))
        found.append(queue.popleft() if queue else None)
    left = {index for queue in by_key.values() for index in queue}
    for place, paired in enumerate(found):
        if paired is None and place in left:
            found[place] = place
            left.discard(place)
    return Matched(found, sorted(left))
