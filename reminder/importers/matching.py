"""Which stored recommendation each of a file's recommendations is, within one evaluation,
and which stored key action each row is, within one recommendation (PURE; the rules are in
docs/architecture.md, "Importers"): by number (recommendations) or text first, then by
position for what is left over, so a recommendation or row inserted, deleted or moved never
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

    Equal numbers pair first; then equal texts (text_key, in order); then what is left takes
    the stored recommendation left at its place. Two recommendations that both have a number
    and differ in it are never paired: they are two recommendations of the report."""
    if stored == given:
        return Matched(list(range(len(given))), [])  # the usual re-import: nothing moved
    if not stored:
        return Matched([None] * len(given), [])
    numbers = [number_key(n or "") for n, _ in stored]
    found: list[int | None] = [None] * len(given)
    by_number: dict[str, deque[int]] = {}
    for index, key in enumerate(numbers):
        if key:
            by_number.setdefault(key, deque()).append(index)
    for place, (number, _) in enumerate(given):
        queue = by_number.get(number_key(number or ""))
        found[place] = queue.popleft() if queue else None
    left = set(range(len(stored))) - {index for index in found if index is not None}
    by_text: dict[str, list[int]] = {}
    for index in sorted(left):
        by_text.setdefault(text_key(stored[index][1]), []).append(index)

    def may_pair(place: int, index: int) -> bool:
        return index in left and not (numbers[index] and number_key(given[place][0] or ""))

    for place, (_, text) in enumerate(given):
        if found[place] is None:
            candidates = by_text.get(text_key(text), [])
            paired = next((i for i in candidates if may_pair(place, i)), None)
            if paired is not None:
                found[place] = paired
                left.discard(paired)
    for place, paired in enumerate(found):
        if paired is None and may_pair(place, place):
            found[place] = place
            left.discard(place)
    return Matched(found, sorted(left))
