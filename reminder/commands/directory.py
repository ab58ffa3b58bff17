"""`reminder directory import|list`: parties and their focal points."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import clock
from reminder.commands.common import App, counts
from reminder.db import refresh_statistics
from reminder.directory import Entry, entries
from reminder.importers.directory import read_directory
from reminder.importers.load import load_directory
from reminder.output import print_json, print_table

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    directory = commands.add_parser("directory", help="parties and focal points")
    dir_commands = directory.add_subparsers(
        dest="directory_command", metavar="ACTION", required=True
    )
    dir_import = dir_commands.add_parser("import", help="import a directory CSV or TOML file")
    dir_import.add_argument("file", metavar="FILE")
    dir_import.add_argument("--dry-run", action="store_true", help="read and report only")
    dir_import.add_argument("--json", action="store_true", help="print the summary as JSON")
    dir_import.set_defaults(handler=cmd_directory_import)
    dir_list = dir_commands.add_parser("list", help="list parties and focal points")
    dir_list.add_argument("--json", action="store_true", help="print JSON")
    dir_list.set_defaults(handler=cmd_directory_list)


def cmd_directory_import(app: App, args: argparse.Namespace) -> int:
    directory = read_directory(Path(args.file))
    with app.session() as session:
        summary = load_directory(session, directory, clock.now_utc())
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
            refresh_statistics(session)
    data: dict[str, Any] = {
        "file": summary.file,
        "parties": dict(summary.parties),
        "focal_points": dict(summary.focal_points),
        "actions_reresolved": summary.actions_reresolved,
        "warnings": directory.warnings,
    }
    if args.json:
        print_json(data)
        return 0
    print(f"{'Would import' if args.dry_run else 'Imported'} directory {summary.file}")
    print("  " + counts(data["parties"], "parties"))
    print("  " + counts(data["focal_points"], "focal points"))
    print(f"  key actions whose responsible parties changed: {summary.actions_reresolved}")
    for warning in directory.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_directory_list(app: App, args: argparse.Namespace) -> int:
    with app.session() as session:
        rows = entries(session)
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("The directory is empty: run `reminder directory import FILE`.")
        return 0
    print_table(
        ["PARTY", "ROLE", "NAME", "EMAIL", "NOTES"],
        [
            [
                r.party + (" (catch-all)" if r.catch_all else ""),
                r.role,
                r.name,
                r.email,
                ", ".join(_notes(r)),
            ]
            for r in rows
        ],
    )
    return 0


def _notes(entry: Entry) -> list[str]:
    notes = [
        "inactive" if not entry.active else "",
        f"away until {entry.away_until}" if entry.away_until else "",
        f"alternate {entry.alternate}" if entry.alternate else "",
        entry.locale or "",
    ]
    return [note for note in notes if note]
