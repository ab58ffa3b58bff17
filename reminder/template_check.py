"""`reminder templates check`: every template in every locale (shipped catalogs, admin
catalogs and template folders, the default locale), rendered with sample data that reaches
every section and branch under StrictUndefined, and every message it uses translated."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.support import Translations
from jinja2 import TemplateError

from reminder import i18n
from reminder.config import Settings
from reminder.digest import Digest, DigestItem, build_sections
from reminder.errors import ReminderError
from reminder.render import STRINGS_TEMPLATE, TEMPLATE_NAMES, Renderer
from reminder.routing import Person
from reminder.rules import Finding
from reminder.snapshots import ActionSnapshot

SAMPLE_DAY = date(2027, 1, 15)
# The options babel.cfg gives the extractor, so msgids match what the renderer looks up.
JINJA_OPTIONS = {
    "trimmed": "true",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "extensions": "jinja2.ext.i18n",
}
MessageKey = tuple[str | None, str]  # (context, msgid)


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


def messages_in(path: Path) -> set[MessageKey]:
    """The messages a template (or a Python module) asks the catalogs for."""
    method = "python" if path.suffix == ".py" else "jinja2"
    options = {} if method == "python" else JINJA_OPTIONS
    with path.open("rb") as source:
        found = extract(method, source, DEFAULT_KEYWORDS, options=options)
        return {
            (context, message if isinstance(message, str) else message[0])
            for _line, message, _comments, context in found
        }


def template_files(renderer: Renderer, locale: str) -> list[Path]:
    """The files that render `locale`'s digests (an admin's where they override)."""
    env = renderer.environment(locale)
    files = [Path(i18n.__file__)]  # the status names
    for name in (*TEMPLATE_NAMES, STRINGS_TEMPLATE, "_layout.html"):
        template = env.select_template([f"{locale}/{name}", name])
        if template.filename:
            files.append(Path(template.filename))
    return files


def has_translation(translations: Translations, key: MessageKey) -> bool:
    """Whether the catalog (or one it falls back to) has the message, singular or plural."""
    context, msgid = key
    entry = f"{context}\x04{msgid}" if context else msgid
    catalog: Translations | None = translations
    while catalog is not None:
        entries = getattr(catalog, "_catalog", {})
        if entry in entries or (entry, 0) in entries:
            return True
        catalog = getattr(catalog, "_fallback", None)
    return False


def missing_translations(renderer: Renderer, locale: str) -> list[str]:
    """Messages the locale's templates use that its catalog does not translate (English is
    the source language and translates nothing)."""
    if i18n.language_of(locale) == i18n.SOURCE_LOCALE:
        return []
    translations = renderer.catalogs.translations(locale)
    used = set().union(*(messages_in(path) for path in template_files(renderer, locale)))
    return sorted({key[1] for key in used if not has_translation(translations, key)})


def check_all(settings: Settings) -> list[str]:
    """Problems found (empty when every locale renders all three templates, translated)."""
    try:
        renderer = Renderer(settings)
    except ReminderError as exc:
        return [str(exc)]
    problems = []
    for locale in renderer.locales:
        try:
            rendered = renderer.render(sample_digest(locale), SAMPLE_DAY)
            untranslated = missing_translations(renderer, locale)
        except ReminderError as exc:
            problems.append(str(exc))  # "template <locale>/<name>: ..."
            continue
        except TemplateError as exc:
            problems.append(f"{locale}: {exc}")
            continue
        if "Sample key action 6" not in rendered.text or "Sample key action 6" not in rendered.html:
            problems.append(f"{locale}: a body does not list every key action")
        if untranslated:
            problems.append(
                f"{locale}: {len(untranslated)} message(s) without a translation: "
                + "; ".join(repr(m) for m in untranslated)
            )
    return problems
