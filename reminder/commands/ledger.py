"""`reminder preview | history`: what one person receives, and what the ledger holds."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from reminder import clock, deliveries
from reminder.commands.common import App, iso_date
from reminder.compose import message_part, preview_message
from reminder.directory import Standing, standing
from reminder.errors import ReminderError
from reminder.output import print_json, print_table

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    preview = commands.add_parser("preview", help="show exactly what one person would receive")
    preview.add_argument("email", metavar="EMAIL")
    preview.add_argument("--as-of", type=iso_date, metavar="DATE", help="as if it were this day")
    preview.add_argument("--format", choices=["text", "html", "eml"], default="text")
    preview.set_defaults(handler=cmd_preview)

    history = commands.add_parser("history", help="the delivery ledger: who got what, when")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument("--since", type=iso_date, metavar="DATE", help="digests from this day on")
    history.add_argument("--recipient", metavar="EMAIL", help="one recipient only")
    history.set_defaults(handler=cmd_history)


def cmd_preview(app: App, args: argparse.Namespace) -> int:
    as_of = args.as_of or app.today()
    address = args.email.strip().lower()
    with app.session() as session:
        found = preview_message(session, app.settings, address, as_of, clock.now_utc())
        if found is None or found.stored_status is None:
            _explain_standing(standing(session, address, as_of, app.settings.evaluation_office))
    if found is None:
        print(f"{args.email} has nothing due on {as_of}: no digest.")
        return 0
    if found.stored_status is not None:
        print(
            f"(today's digest for {address} is already in the ledger: {found.stored_status})",
            file=sys.stderr,
        )
    print(message_part(found.message, args.format), end="")
    return 0


def _explain_standing(found: Standing) -> None:
    """Refuse an address nobody sends to; say who receives in place of an away primary."""
    if not found.listed:
        why = "is inactive in the directory" if found.inactive else "is not in the directory"
        raise ReminderError(
            f"{found.address} {why}: no digest goes to it (see `reminder directory list`)"
        )
    if found.stand_ins:
        others = ", ".join(found.stand_ins)
        print(
            f"({found.address} is away until {found.away_until}: {others} receives their "
            f"actions instead; `reminder preview {found.stand_ins[0]}` shows that digest)",
            file=sys.stderr,
        )


def cmd_history(app: App, args: argparse.Namespace) -> int:
    with app.session() as session:
        rows = deliveries.sent(session, since=args.since, recipient=args.recipient)
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("No digests in the ledger yet.")
        return 0
    print_table(
        ["DAY", "STATUS", "TRIES", "RECIPIENT", "SUBJECT"],
        [
            [
                r.digest_day,
                r.status,
                r.attempts,
                r.recipient,
                r.subject + (f"  [{r.last_error}]" if r.last_error else ""),
            ]
            for r in rows
        ],
    )
    return 0
