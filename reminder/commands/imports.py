"""`reminder import`: management responses and trackers, each file in one transaction."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import clock
from reminder.commands.common import App, counts
from reminder.db import refresh_statistics
from reminder.errors import ReminderError
from reminder.importers import read_file
from reminder.importers.load import load_batch, load_resolver
from reminder.output import print_json

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    imp = commands.add_parser("import", help="import management responses and trackers")
    imp.add_argument("files", nargs="+", metavar="FILE", help=".txt, .csv or .xlsx files")
    imp.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    imp.set_defaults(handler=cmd_import)


def cmd_import(app: App, args: argparse.Namespace) -> int:
    summaries: list[dict[str, Any]] = []
    failures = 0
    now = clock.now_utc()
    for name in args.files:
        with app.session() as session:
            try:
                batch = read_file(Path(name), load_resolver(session))
                summary = load_batch(session, batch, now)
            except ReminderError as exc:
                session.rollback()
                failures += 1
                print(f"Error: {exc}", file=sys.stderr)
                summaries.append({"file": name, "error": str(exc)})
                continue
            if args.dry_run:
                session.rollback()
            else:
                session.commit()
                refresh_statistics(session)
            summaries.append(summary.as_dict())
    if args.json:
        print_json(summaries)
    else:
        for item in summaries:
            if "error" not in item:
                _print_import_summary(item, args.dry_run)
    return 1 if failures else 0


def _print_import_summary(summary: dict[str, Any], dry_run: bool) -> None:
    prefix = "Would import" if dry_run else "Imported"
    print(f"{prefix} {summary['file']} ({summary['file_format']})")
    print("  " + counts(summary["evaluations"], "evaluations"))
    print("  " + counts(summary["recommendations"], "recommendations"))
    print("  " + counts(summary["key_actions"], "key actions"))
    if summary["unresolved"]:
        print("  responsible names not in the directory (routed to the catch-all party):")
        for item in summary["unresolved"]:
            print(f"    line {item['line']}: {item['name']}")
    if summary["guesses"]:
        print("  rows where the split between action and responsible was a guess:")
        for guess in summary["guesses"]:
            print(
                f"    line {guess['line']}: responsible {guess['responsible_text']!r}: "
                f"{guess['reason']}"
            )
