"""`reminder templates check`: every template, every locale, rendered with sample data that
reaches every section and branch, under StrictUndefined."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reminder.config import Settings
from reminder.digest import Digest, DigestItem, build_sections
from reminder.errors import ReminderError
from reminder.render import TEMPLATE_NAMES, Renderer
from reminder.routing import Person
from reminder.rules import Finding
from reminder.snapshots import ActionSnapshot

SAMPLE_DAY = date(2027, 1, 15)


def _action(ident: int, due: date | None, label: str) -> ActionSnapshot:
    return ActionSnapshot(
        id=ident,
        evaluation_id=1,
        evaluation="Sample <evaluation> & co",
        office="Sample office",
        source_url="https://example.org/evaluation/1",
        recommendation_position=1,
        recommendation_number="1",
        recommendation="A sample recommendation",
        number=f"1.{ident}",
        position=ident,
        text=f"Sample key action {ident}",
        due=due,
        deadline_precision="day" if due else "none",
        deadline_label=label,
        status="initiated",
        status_label="Initiated",
        comments="Line one\nLine two",
        responsible=("UNW", "IOM"),
        responsible_text="UN Women, IOM",
        unresolved=("Programme team",),
        status_changed_at=datetime(2026, 6, 1, tzinfo=UTC),
        updated_on=None,
    )


def sample_digest(locale: str) -> Digest:
    findings = [
        (Finding(_action(1, date(2026, 11, 30), "2026/11"), "escalation", 46, 1), "escalation"),
        (Finding(_action(2, date(2026, 12, 31), "December 2026"), "overdue", 15, 0), "alternate"),
        (Finding(_action(3, date(2027, 1, 22), "2027-01-22"), "due_soon", 7, 7), "responsible"),
        (Finding(_action(4, date(2027, 1, 15), "2027-01-15"), "due_soon", 0, 1), "catch-all"),
        (Finding(_action(5, date(2027, 12, 31), "2027"), "stale", 228), "office"),
        (Finding(_action(6, None, "No due date"), "no_deadline", 0), "responsible"),
    ]
    items = [
        DigestItem(f, ["UNW"], capacity, "Someone Away", ["IOM", "Programme team"])
        for f, capacity in findings
    ]
    person = Person("sample@example.org", "Sample <Person>", locale)
    # Some more due than listed, so the "and N more" branch is rendered too.
    omitted = {"overdue": 12, "no_deadline": 3}
    return Digest(person, locale, SAMPLE_DAY, ["UN Women"], build_sections(items), omitted)


def check_all(settings: Settings) -> list[str]:
    """Problems found (empty when every locale renders all three templates)."""
    try:
        renderer = Renderer(settings)
    except ReminderError as exc:
        return [str(exc)]
    problems = []
    for locale in renderer.locales:
        missing = [
            n
            for n in TEMPLATE_NAMES
            if not any((root / "email" / locale / n).is_file() for root in renderer.roots)
        ]
        if missing:
            problems.append(f"{locale}: missing {', '.join(missing)}")
            continue
        try:
            rendered = renderer.render(sample_digest(locale), SAMPLE_DAY)
        except ReminderError as exc:
            problems.append(str(exc))  # "template <locale>/<name>: ..."
            continue
        if "Sample key action 6" not in rendered.text or "Sample key action 6" not in rendered.html:
            problems.append(f"{locale}: a body does not list every key action")
    return problems
