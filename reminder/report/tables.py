"""The report as titled tables of plain values, shared by the text and XLSX formats (the HTML
page lays out the same figures in its template). Shares stay numbers between 0 and 1 here;
each format writes them its own way. Titles, headers and notes are in the language of the
translations passed in (English when None)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from gettext import NullTranslations
from typing import Any

from reminder.report.counting import AGEING_BUCKETS, Counts, rate
from reminder.report.figures import Report
from reminder.report.implementation import Group
from reminder.report.responsiveness import SILENT_AFTER


def N_(message: str) -> str:
    """Marks a message for extraction (`make i18n`); it is translated where it is used."""
    return message


# People read at most this many parties or evaluations; the workbook and the JSON list all.
LISTED = 50

COUNT_HEADERS = (
    N_("total"),
    N_("completed"),
    N_("initiated"),
    N_("not initiated"),
    N_("no longer applicable"),
    N_("open"),
    N_("overdue"),
    N_("implementation rate"),
    N_("share overdue"),
)


@dataclass(frozen=True)
class Table:
    name: str  # a short name, also the XLSX sheet's
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)
    shares: frozenset[int] = frozenset()  # indexes of share columns
    empty: str = "(none)"  # what a table without rows says


def heading(report: Report, words: NullTranslations | None = None) -> str:
    words = words or NullTranslations()
    text = words.gettext(
        "Key-action report as of %(day)s (reminders and escalations from %(since)s)"
    )
    return text % {"day": report.as_of, "since": report.since}


def most_overdue(groups: Sequence[Group], limit: int | None = LISTED) -> list[Group]:
    """All the groups when there are at most `limit` (or no limit); else the `limit` with the
    most overdue key actions, most first (then the most actions, then by name): at 25,000
    parties a table is no longer read, and the reader's question is where the arrears are."""
    if limit is None or len(groups) <= limit:
        return list(groups)
    ranked = sorted(groups, key=lambda g: (-g.counts.overdue, -g.counts.total, g.name, g.key or ""))
    return ranked[:limit]


def cut_note(words: NullTranslations, ranked: bool, shown: int, total: int) -> str | None:
    """The note under a table cut to its first `shown` rows (None when it lists them all);
    `ranked`: the rows were chosen by `most_overdue`, not the table's own order."""
    if shown >= total:
        return None
    if ranked:
        text = words.ngettext(
            "Listed: the %(shown)s of %(num)s with the most overdue key actions, most first. "
            "The workbook (XLSX) and the JSON list all %(num)s.",
            "Listed: the %(shown)s of %(num)s with the most overdue key actions, most first. "
            "The workbook (XLSX) and the JSON list all %(num)s.",
            total,
        )
    else:
        text = words.ngettext(
            "Listed: the first %(shown)s of %(num)s. The workbook (XLSX) and the JSON list "
            "all %(num)s.",
            "Listed: the first %(shown)s of %(num)s. The workbook (XLSX) and the JSON list "
            "all %(num)s.",
            total,
        )
    return text % {"shown": shown, "num": total}


def _counts_row(counts: Counts) -> list[Any]:
    d = counts.as_dict()
    return [*(d[k] for k in list(d)[:7]), counts.implementation_rate, counts.overdue_share]


class _Writer:
    """Builds the tables with one language's words."""

    def __init__(self, report: Report, words: NullTranslations, limit: int | None) -> None:
        self.report = report
        self.words = words
        self.none = words.gettext("(none)")
        self.limit = limit

    def listed(self, groups: Sequence[Group]) -> tuple[list[Group], list[str]]:
        """The groups a reader gets (see `most_overdue`) and, when cut, the note saying so."""
        shown = most_overdue(groups, self.limit)
        note = cut_note(self.words, True, len(shown), len(groups))
        return shown, [note] if note else []

    def first(self, rows: list[list[Any]]) -> tuple[list[list[Any]], list[str]]:
        """The first rows a reader gets (all without a limit) and, when cut, the note."""
        shown = rows if self.limit is None else rows[: self.limit]
        note = cut_note(self.words, False, len(shown), len(rows))
        return shown, [note] if note else []

    def breakdown(
        self,
        names: tuple[str, str],
        keys: Sequence[str],
        groups: Sequence[Group],
        key_of: Any,
        notes: Sequence[str] = (),
    ) -> Table:
        """A table of counts per group; `names` is (sheet name, title)."""
        _ = self.words.gettext
        headers = [*keys, *(_(h) for h in COUNT_HEADERS)]
        rows = [[*key_of(g), *_counts_row(g.counts)] for g in groups]
        shares = frozenset({len(headers) - 2, len(headers) - 1})
        return Table(names[0], names[1], headers, rows, notes, shares, self.none)

    def implementation(self) -> list[Table]:
        impl, _ = self.report.implementation, self.words.gettext
        everything = _("all key actions")
        joint = _("A joint action counts once in the total and once for each of its parties here.")
        parties, party_notes = self.listed(impl.by_party)
        evaluations, evaluation_notes = self.listed(impl.by_evaluation)
        return [
            self.breakdown(
                (_("Overall"), _("Implementation, whole portfolio")),
                [_("portfolio")],
                [Group(None, "all", impl.overall)],
                lambda g: [everything],
            ),
            self.breakdown(
                (_("By party"), _("Implementation by responsible party")),
                [_("party"), _("name")],
                parties,
                lambda g: [g.key or "", g.name],
                [joint, *party_notes],
            ),
            self.breakdown(
                (_("By evaluation"), _("Implementation by evaluation")),
                [_("evaluation")],
                evaluations,
                lambda g: [g.name],
                evaluation_notes,
            ),
            self.breakdown(
                (_("By office"), _("Implementation by office")),
                [_("office")],
                impl.by_office,
                lambda g: [g.name],
            ),
            self.breakdown(
                (_("By year"), _("Implementation by evaluation year")),
                [_("year")],
                impl.by_year,
                lambda g: [g.name],
            ),
        ]

    def trend(self) -> list[Table]:
        impl, _ = self.report.implementation, self.words.gettext
        trend_rows = [[p.month, p.implementation_rate, p.overdue] for p in self.report.trend]
        return [
            Table(
                _("Ageing"),
                _("Ageing of overdue actions (days overdue)"),
                AGEING_BUCKETS,
                [list(impl.overall.ageing.values())],
                empty=self.none,
            ),
            Table(
                _("Trend"),
                _("Trend at the end of each month"),
                [_("month"), _("implementation rate"), _("overdue")],
                trend_rows,
                shares=frozenset({1}),
                empty=self.none,
            ),
        ]

    def responsiveness(self) -> Table:
        report, resp = self.report, self.report.responsiveness
        _, ngettext = self.words.gettext, self.words.ngettext
        within = [
            [_("within 14 days"), *resp.within_14, rate(*resp.within_14)],
            [_("within 30 days"), *resp.within_30, rate(*resp.within_30)],
        ]
        reminded = ngettext(
            "%(num)s action was reminded in the period; it counts from its first reminder "
            "there, once that reminder is old enough for the window.",
            "%(num)s actions were reminded in the period; each counts from its first reminder "
            "there, once that reminder is old enough for the window.",
            resp.reminded_actions,
        ) % {"num": resp.reminded_actions}
        completed = len(resp.days_to_completion)
        median = ngettext(
            "Median days from the first overdue reminder to completion: %(median)s "
            "(over %(num)s completed action).",
            "Median days from the first overdue reminder to completion: %(median)s "
            "(over %(num)s completed actions).",
            completed,
        ) % {"median": _or_dash(resp.median_days_to_completion), "num": completed}
        title = _("Updates after a reminder, %(since)s to %(day)s")
        return Table(
            _("Responsiveness"),
            title % {"since": report.since, "day": report.as_of},
            [_("updated"), _("updated actions"), _("reminded long enough ago"), _("share updated")],
            within,
            [reminded, median],
            frozenset({3}),
            self.none,
        )

    def people(self) -> list[Table]:
        resp, _ = self.report.responsiveness, self.words.gettext
        silent = self.words.ngettext(
            "Focal points reminded %(num)s+ time with no update since",
            "Focal points reminded %(num)s+ times with no update since",
            SILENT_AFTER,
        ) % {"num": SILENT_AFTER}
        people, people_notes = self.first(
            [[s.name or "", s.email, ", ".join(s.parties), s.reminders] for s in resp.silent]
        )
        sent, sent_notes = self.first(
            [[e.party or "", e.name, e.actions, e.notices] for e in resp.escalations]
        )
        return [
            Table(
                _("Silent focal points"),
                silent,
                [_("name"), _("email"), _("parties"), _("reminders")],
                people,
                people_notes,
                empty=self.none,
            ),
            Table(
                _("Escalations"),
                _("Escalations sent in the period, by party"),
                [_("party"), _("name"), _("actions escalated"), _("notices sent")],
                sent,
                [_("A joint action counts for each of its parties."), *sent_notes],
                empty=self.none,
            ),
        ]


def tables(
    report: Report, words: NullTranslations | None = None, limit: int | None = None
) -> list[Table]:
    """Every table of the report, in reading order, in the language of `words`; with a
    `limit`, the party and evaluation tables list at most that many (`most_overdue`)."""
    writer = _Writer(report, words or NullTranslations(), limit)
    return [
        *writer.implementation(),
        *writer.trend(),
        writer.responsiveness(),
        *writer.people(),
    ]


def _or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
