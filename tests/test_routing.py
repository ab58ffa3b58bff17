"""Routing: primaries, alternates while away, catch-all, joint actions, escalation ladder."""

from datetime import date

from reminder.routing import PartyInfo, escalation_recipients, responsible_recipients
from tests.builders import directory, person

AS_OF = date(2027, 1, 15)
AIDA, BOSS = person("aida"), person("boss")
CHYNARA = person("chynara", away_until=date(2027, 1, 31), alternate="timur@example.org")
TIMUR = person("timur")
GULNARA = person("gulnara")
DIRECTORY = directory(
    PartyInfo("UNW", "UN Women", None, primaries=(AIDA,), escalations=(BOSS,)),
    PartyInfo("IOM", "IOM", "ru", primaries=(CHYNARA,)),
    PartyInfo("MEU", "M&E Unit", None, catch_all=True, primaries=(GULNARA,)),
    PartyInfo("EMPTY", "Nobody home", None),
)
DIRECTORY.people[TIMUR.email] = TIMUR


def who(codes: tuple[str, ...], as_of: date = AS_OF) -> list[tuple[str, str, str]]:
    return [(r.person.email.split("@")[0], r.party, r.capacity)
            for r in responsible_recipients(DIRECTORY, codes, as_of)]  # fmt: skip


def test_primary_receives() -> None:
    assert who(("UNW",)) == [("aida", "UNW", "responsible")]


def test_alternate_stands_in_only_while_the_primary_is_away() -> None:
    assert who(("IOM",)) == [("timur", "IOM", "alternate")]
    assert who(("IOM",), date(2027, 2, 1)) == [("chynara", "IOM", "responsible")]


def test_joint_action_reaches_every_party() -> None:
    assert who(("UNW", "IOM")) == [("aida", "UNW", "responsible"), ("timur", "IOM", "alternate")]


def test_unresolved_and_unstaffed_go_to_the_catch_all() -> None:
    assert who(()) == [("gulnara", "MEU", "catch-all")]
    assert who(("EMPTY",)) == [("gulnara", "MEU", "catch-all")]
    assert who(("UNW", "EMPTY")) == [
        ("aida", "UNW", "responsible"),
        ("gulnara", "MEU", "catch-all"),
    ]


def test_escalation_ladder() -> None:
    office = "evaluation.office@example.org"
    assert escalation_recipients(DIRECTORY, ("UNW",), 0, office) == []
    level1 = escalation_recipients(DIRECTORY, ("UNW",), 1, office)
    assert [(r.person.email, r.capacity) for r in level1] == [(BOSS.email, "escalation")]
    level2 = escalation_recipients(DIRECTORY, ("UNW",), 2, office)
    assert [(r.person.email, r.capacity) for r in level2] == [(BOSS.email, "escalation"),
                                                              (office, "office")]  # fmt: skip
    assert escalation_recipients(DIRECTORY, ("UNW",), 2, None) == level1  # no office configured
