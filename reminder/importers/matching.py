"""Which stored recommendation each of a file's recommendations is, within one evaluation,
and which stored key action each row is, within one recommendation (PURE; the rules are in
docs/architecture.md, "Importers"): by text first (then, for recommendations, by number), then
by position for what is left over, so a recommendation or row inserted, deleted or moved never
hands one action's status, desk updates and reminder history to another."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from reminder.responsible import normalise_name


def text_key(text: str) -> str:
    """How two action texts are compared: case, spacing and punctuation ignored."""
    return normalise_name(text)


def number_key(number: str) -> str:
    """How two recommendation numbers are compared: case and spacing ignored, a leading
    "Recommendation"/"Rec." and dots or brackets around it dropped ("Rec. 1.2." is "1.2"),
    inner dots kept ("1.2" is not "12"). "" for no number."""
    key = "".join(number.casefold().split())
    key = re.sub(r"^(recommendation|rec)\.?", "", key)
    return key.strip(".:;)(#-")


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


Identity = tuple[str | None, str]  # a recommendation's number (or None) and text


def match_recommendations(stored: list[Identity], given: list[Identity]) -> Matched:
    """Pair the file's recommendations (in file order) with the stored ones (by position).

    Equal texts pair first (text_key, in order), so a report that renumbers its
    recommendations around a new one keeps each with its history; then equal numbers among
    those left (a text edited, its number kept); then what is left takes the stored
    recommendation left at its place, unless both carry numbers (then they differ, and are
    two recommendations of the report)."""
    if stored == given:
        return Matched(list(range(len(given))), [])  # the usual re-import: nothing moved
    if not stored:
        return Matched([None] * len(given), [])
    numbers = [number_key(n or "") for n, _ in stored]
    given_numbers = [number_key(n or "") for n, _ in given]
    found: list[int | None] = [None] * len(given)
    left = set(range(len(stored)))

    def pair_by(keys: list[str], given_keys: list[str]) -> None:
        queues: dict[str, deque[int]] = {}
        for index in sorted(left):
            if keys[index]:
                queues.setdefault(keys[index], deque()).append(index)
        for place, key in enumerate(given_keys):
            queue = queues.get(key) if found[place] is None and key else None
            if queue:
                found[place] = index = queue.popleft()
                left.discard(index)

    pair_by([text_key(t) for _, t in stored], [text_key(t) for _, t in given])
    pair_by(numbers, given_numbers)
    for place in range(len(given)):
        if found[place] is None and place in left and not (numbers[place] and given_numbers[place]):
            found[place] = place
            left.discard(place)
    return Matched(found, sorted(left))
