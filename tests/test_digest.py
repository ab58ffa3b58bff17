"""Digests: one per recipient, never empty, in a fixed order, joint actions shown once."""

from datetime import date

from reminder.config import Policy
from reminder.digest import Chase, DigestCollector
from reminder.routing import PartyInfo, Recipient
from reminder.rules import Told, condition
from tests.builders import action, directory, person

AS_OF = date(2027, 1, 15)
AIDA = person("aida")
DIRECTORY = directory(
    PartyInfo("UNW", "UN Women", "ru", primaries=(AIDA,)),
    PartyInfo("IOM", "IOM", None, primaries=(AIDA,)),
)


def finding(ident: int, deadline: str, rec: int = 1, evaluation: str = "Evaluation A", **kw):  # type: ignore[no-untyped-def]
    snapshot = action(deadline, id=ident, position=ident, recommendation_position=rec,
                      recommendation_number=str(rec), evaluation=evaluation, **kw)  # fmt: skip
    result = condition(snapshot, AS_OF, Policy())
    assert result is not None
    return result


def test_sections_order_and_grouping() -> None:
    collector = DigestCollector(DIRECTORY, "en", AS_OF)
    aida = Recipient(AIDA, "UNW", "responsible")
    for f in [finding(1, "", rec=2), finding(2, "2027-01-20", rec=1),
              finding(3, "2026-12-01", rec=2, evaluation="B"), finding(4, "2026-12-31", rec=1)]:  # fmt: skip
        collector.add(aida, f)
    [digest] = collector.digests()
    assert [s.reason for s in digest.sections] == ["overdue", "due_soon", "no_deadline"]
    overdue = digest.sections[0]
    assert [e.title for e in overdue.evaluations] == ["B", "Evaluation A"]
    assert digest.counts == {"overdue": 2, "due_soon": 1, "no_deadline": 1}
    assert digest.locale == "ru"  # the party's default, as the person names none


def test_joint_action_shown_once_naming_both_parties() -> None:
    collector = DigestCollector(DIRECTORY, "en", AS_OF)
    joint = finding(1, "2026-12-01", responsible=("IOM", "UNW"))
    collector.add(Recipient(AIDA, "UNW", "responsible"), joint)
    collector.add(Recipient(AIDA, "IOM", "responsible"), joint)
    [digest] = collector.digests()
    [item] = digest.items
    assert item.parties == ["UNW", "IOM"] and item.shared_with == []
    assert digest.party_names == ["IOM", "UN Women"]


def test_others_sharing_an_action_are_named_with_their_focal_points() -> None:
    collector = DigestCollector(DIRECTORY, "en", AS_OF)
    joint = finding(1, "2026-12-01", responsible=("IOM", "UNW"), unresolved=("PBF secretariat",))
    collector.add(Recipient(AIDA, "UNW", "responsible"), joint)
    assert collector.digests()[0].items[0].shared_with == [
        "IOM (Aida <aida@example.org>)",
        "PBF secretariat",
    ]


def test_an_escalation_names_the_people_to_chase() -> None:
    boss = person("boss")
    directory_ = directory(
        PartyInfo("UNW", "UN Women", None, primaries=(AIDA,), escalations=(boss,))
    )
    collector = DigestCollector(directory_, "en", AS_OF)
    late = finding(1, "2026-11-01", responsible=("UNW",))
    collector.add(Recipient(boss, "UNW", "escalation"), late)
    collector.add(Recipient(AIDA, "UNW", "responsible"), late)
    by_person = {d.recipient.email: d.items[0] for d in collector.digests()}
    assert by_person["boss@example.org"].chase == [Chase("Aida", "aida@example.org", None)]
    told = {(1, "aida@example.org"): Told(last={"overdue": date(2027, 1, 8)})}
    with_history = DigestCollector(directory_, "en", AS_OF, told=told)
    with_history.add(Recipient(boss, "UNW", "escalation"), late)
    [digest] = with_history.digests()
    assert digest.items[0].chase == [Chase("Aida", "aida@example.org", date(2027, 1, 8))]
    assert (
        by_person["aida@example.org"].chase == []
    )  # the responsible person is not told to chase themselves


def test_no_findings_no_digest() -> None:
    assert DigestCollector(DIRECTORY, "en", AS_OF).digests() == []


def test_a_long_digest_lists_the_most_urgent_and_counts_the_rest() -> None:
    collector = DigestCollector(DIRECTORY, "en", AS_OF, limit=2)
    aida = Recipient(AIDA, "UNW", "responsible")
    for f in [finding(1, ""), finding(2, "2027-01-20"), finding(3, "2026-12-01"),
              finding(4, "2026-12-31"), finding(5, "2027-01-16")]:  # fmt: skip
        collector.add(aida, f)
    [digest] = collector.digests()
    # overdue longest first, then due soonest, then the undated
    assert [item.action_id for item in digest.items] == [3, 4]
    assert digest.counts == {"overdue": 2}
    assert digest.omitted == {"due_soon": 2, "no_deadline": 1}
