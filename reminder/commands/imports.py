"""`reminder import`: management responses and trackers, each file in one transaction."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import clock, progress
from reminder.commands.common import App
from reminder.db import refresh_statistics
from reminder.deadlines import DATE_ORDERS
from reminder.errors import SourceError
from reminder.importers.load import import_file
from reminder.importers.summary import error_list, summary_lines
from reminder.output import print_json

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    imp = commands.add_parser("import", help="import management responses and trackers")
    imp.add_argument("files", nargs="+", metavar="FILE", help=".txt, .csv or .xlsx files")
    imp.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    imp.add_argument("--date-order", choices=DATE_ORDERS, default="dmy", help="numeric dates")
    imp.set_defaults(handler=cmd_import)


def cmd_import(app: App, args: argparse.Namespace) -> int:
    summaries: list[dict[str, Any]] = []
    failures = 0
    now = clock.now_utc()
    for name in args.files:
        with (
            app.session() as session,
            progress.bar(f"{Path(name).name}: read", "rows") as read,
            progress.bar(f"{Path(name).name}: written", "key actions") as written,
        ):
            try:
                summary = import_file(session, Path(name), now, args.date_order, (read, written))
            except SourceError as exc:
                session.rollback()
                failures += 1
                print(f"Error: {exc}", file=sys.stderr)
                summaries.append({"file": name, "errors": error_list(exc)})
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
            if "errors" not in item:
                print("\n".join(summary_lines(item, args.dry_run)))
    return 1 if failures else 0
