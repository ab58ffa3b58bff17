"""A digest -> the values its templates see: recipient, counts, and the sections of
evaluations, recommendations and actions, with the words worked out once per locale (`Words`)
and the desk links of the recipient. No Jinja2 here: `render` finds the templates and renders
them with this context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from babel import Locale

from reminder import i18n
from reminder.digest import Digest, DigestItem, Section

# Template values are attribute objects, not dicts: Jinja reaches `item.text` on an object
# directly, while on a dict it first fails getattr (an exception per lookup).
View = SimpleNamespace

COUNTED = ("escalation", "overdue", "due_soon", "stale", "no_deadline")


@dataclass(frozen=True)
class DeskLinks:
    page: str
    action: Callable[[int], str]


# Capacities whose items say why the reader gets them (the `capacity` macro of _strings.txt).
NOTED_CAPACITIES = ("alternate", "catch-all", "office")


@dataclass(frozen=True)
class Phrases:
    """The phrase macros of a locale's _strings.txt, each worked out once per distinct value."""

    when: Callable[[str, int], str]  # ("overdue", 3) -> "overdue by 3 days"
    recommendation: Callable[[str, str], str]  # ("2", "Strengthen …") -> "Recommendation 2: …"
    # (capacity, stands in for, responsible text, shared with) -> "standing in for Ana"
    capacity: Callable[[str, str | None, str, tuple[str, ...]], str]
    omitted_note: Callable[[int, int], str]  # (listed, omitted) -> "This digest lists …"


@dataclass(frozen=True)
class Words:
    """What the context takes from the locale's templates and catalog."""

    locale: str
    phrases: Phrases
    status_name: Callable[[str], str]
    sections: dict[str, View]  # reason -> heading and why


def digest_context(
    digest: Digest, as_of: date, words: Words, links: DeskLinks | None
) -> dict[str, Any]:
    """The digest's own values (the renderer adds those every digest shares)."""
    # Counts are of everything due (the subject and summary say how much needs attention);
    # the sections list what fits, and `omitted` says how many more there are.
    counts = Counter(digest.counts) + Counter(digest.omitted)
    listed, omitted = sum(digest.counts.values()), sum(digest.omitted.values())
    return {
        "recipient": View(name=digest.recipient.name, email=digest.recipient.email),
        "party_names": digest.party_names,
        "counts": View(**{reason: counts.get(reason, 0) for reason in COUNTED}),
        "listed": listed,
        "omitted": omitted,
        "omitted_note": words.phrases.omitted_note(listed, omitted) if omitted else "",
        "sections": [_section(section, words, links) for section in digest.sections],
        "as_of": i18n.long_date(as_of, words.locale),
        "page_url": links.page if links else None,
        # Kept for admin templates written before the catalogs; ngettext is the way now.
        "plural": plural_for(words.locale),
    }


def _section(section: Section, words: Words, links: DeskLinks | None) -> View:
    return View(
        reason=section.reason,
        heading=words.sections[section.reason].heading,
        why=words.sections[section.reason].why,
        count=len(section.items),
        evaluations=[
            View(
                title=ev.title,
                office=ev.office,
                source_url=ev.source_url,
                recommendations=[
                    View(
                        label=rec.label,
                        text=rec.text,
                        line=words.phrases.recommendation(rec.label, rec.text),
                        actions=[_item(item, words, links) for item in rec.items],
                    )
                    for rec in ev.recommendations
                ],
            )
            for ev in section.evaluations
        ],
    )


def _item(item: DigestItem, words: Words, links: DeskLinks | None) -> View:
    action = item.finding.action
    locale = words.locale
    return View(
        id=action.id,
        when=words.phrases.when(item.finding.reason, item.finding.days),
        number=action.number,
        text=action.text,
        deadline_label=action.deadline_label,
        due=i18n.long_date(action.due, locale) if action.due else None,
        days=item.finding.days,
        level=item.finding.milestone or 0,
        status=words.status_name(action.status),
        status_code=action.status,
        status_label=action.status_label,
        last_update=i18n.long_date(action.last_update, locale),
        comments=action.comments or "",
        responsible_text=action.responsible_text,
        parties=item.parties,
        shared_with=item.shared_with,
        capacity=item.capacity,
        stands_in_for=item.stands_in_for,
        capacity_note=(
            words.phrases.capacity(
                item.capacity, item.stands_in_for, action.responsible_text, tuple(item.shared_with)
            )
            if item.capacity in NOTED_CAPACITIES
            else ""
        ),
        chase=[
            View(
                name=c.name,
                email=c.email,
                last=i18n.long_date(c.last_reminded, locale) if c.last_reminded else None,
            )
            for c in item.chase
        ],
        revised_from=action.original_deadline_label,
        update_url=links.action(action.id) if links else None,
    )


@lru_cache(maxsize=64)
def plural_for(locale: str) -> Callable[..., str]:
    rule = lru_cache(maxsize=1024)(Locale.parse(locale).plural_form)

    def plural(number: int, *forms: str) -> str:
        """plural(n, one, few, many, other) or plural(n, one, other), by the locale's rules."""
        category = rule(abs(number))
        order = ["one", "few", "many", "other"] if len(forms) == 4 else ["one", "other"]
        if category not in order:
            category = "other" if "other" in order else order[-1]
        return forms[order.index(category)]

    return plural
