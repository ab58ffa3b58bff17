"""`reminder report | report-send`: the evaluation office's portfolio report, printed or
written to a file, and the monthly report email (for cron; the daemon sends it on its own
schedule)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reminder import clock
from reminder.commands.common import App, iso_date
from reminder.commands.runs import EXIT_LOCK_HELD
from reminder.db import require_current_schema
from reminder.errors import ReminderError

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    report = commands.add_parser("report", help="implementation rates, ageing, trend, reminders")
    report.add_argument("--as-of", type=iso_date, metavar="DATE", help="judge states on this date")
    report.add_argument(
        "--since",
        type=iso_date,
        metavar="DATE",
        help="count reminders from this day (default: 90 days before --as-of)",
    )
    report.add_argument("--format", choices=["text", "html", "xlsx", "json"], default="text")
    report.add_argument("--out", metavar="FILE", help="write to FILE (needed for xlsx)")
    report.add_argument(
        "--lang",
        metavar="LOCALE",
        help="write the report in this language: en, fr, es, ru (default: REMINDER_DEFAULT_LOCALE)",
    )
    report.set_defaults(handler=cmd_report)

    send = commands.add_parser(
        "report-send", help="email this month's report if due and not yet sent (for cron)"
    )
    send.add_argument("--as-of", type=iso_date, metavar="DATE", help="as if it were this day")
    send.set_defaults(handler=cmd_report_send)


def cmd_report(app: App, args: argparse.Namespace) -> int:
    from reminder.report import build_report  # matplotlib loads only for this command
    from reminder.report.formats import render_report, write_atomically

    if args.format == "xlsx" and not args.out:
        raise ReminderError("--format xlsx writes a workbook: give --out FILE")
    locale_dir = app.settings.locale_dir
    locale = _language(args.lang or app.settings.default_locale, locale_dir)
    require_current_schema(app.engine)
    report = build_report(app.engine, args.as_of or app.today(), app.settings.zone, args.since)
    data = render_report(report, args.format, locale, locale_dir)
    if args.out:
        write_atomically(Path(args.out), data)
        print(f"Wrote the {args.format} report as of {report.as_of} to {args.out}.")
    else:
        sys.stdout.write(data.decode())
    return 0


def _language(wanted: str, locale_dir: Path | None) -> str:
    """The catalog to write in; an unknown locale is an error, a known one without a catalog
    falls back (as digests do) with a warning on stderr."""
    from reminder.i18n import is_known_locale, language_of
    from reminder.report.language import catalogs, spoken

    if not is_known_locale(wanted):
        raise ReminderError(f"--lang {wanted}: not a known locale (e.g. en, fr, es, ru)")
    locale = spoken(wanted, locale_dir)
    if language_of(locale) != language_of(wanted):
        print(
            f"Warning: no message catalog for {wanted!r}; the report is written in {locale!r} "
            f"(catalogs: {', '.join(catalogs(locale_dir).locales)}).",
            file=sys.stderr,
        )
    return locale


def cmd_report_send(app: App, args: argparse.Namespace) -> int:
    from reminder.report.monthly import send_monthly_report

    require_current_schema(app.engine)
    outcome = send_monthly_report(
        app.settings, app.engine, args.as_of or app.today(), clock.now_utc
    )
    print(outcome.summary())
    if outcome.lock_held:
        return EXIT_LOCK_HELD
    return 0 if outcome.ok else 1
