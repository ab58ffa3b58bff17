"""How recipients are cut into planning batches: whole parties, the first few smaller."""

from __future__ import annotations

import pytest

from reminder import planning
from reminder.planning import Audience, recipient_batches


def audience(parties: int) -> Audience:
    """Two people per party (a primary and an alternate), plus the office."""
    who = Audience(office="office@example.org")
    for n in range(parties):
        for role in ("primary", "alternate"):
            who.parties[f"{role}.{n:02}@example.org"] = {f"P{n:02}"}
    return who


def sizes(who: Audience, skip: set[str], size: int, small: int = 0) -> list[int]:
    return [len(batch.emails) for batch in recipient_batches(who, skip, size, small)]


def test_batches_keep_a_party_s_people_together_and_cover_everyone_once() -> None:
    who = audience(10)
    batches = list(recipient_batches(who, set(), size=5))
    assert [len(batch.emails) for batch in batches] == [6, 6, 6, 3]
    everyone = [email for batch in batches for email in batch.emails]
    assert sorted(everyone) == sorted(who.emails)
    for batch in batches:
        assert {f"P{email.split('.')[1][:2]}" for email in batch.emails if "office" not in email} \
            == batch.party_codes  # fmt: skip
    assert batches[-1].office and not any(batch.office for batch in batches[:-1])


def test_the_first_batches_are_smaller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planning, "FIRST_BATCH_RECIPIENTS", 2)
    assert sizes(audience(10), set(), size=6, small=3) == [2, 2, 2, 6, 6, 3]
    assert sizes(audience(10), set(), size=6) == [6, 6, 6, 3]
    # Never larger than the batches that follow.
    monkeypatch.setattr(planning, "FIRST_BATCH_RECIPIENTS", 10)
    assert sizes(audience(10), set(), size=4, small=2) == [4, 4, 4, 4, 4, 1]


def test_people_already_planned_today_are_skipped() -> None:
    who = audience(3)
    skip = {"primary.00@example.org", "alternate.00@example.org", "primary.01@example.org"}
    [batch] = list(recipient_batches(who, skip, size=10))
    assert batch.emails == who.emails - skip and batch.party_codes == {"P01", "P02"}
