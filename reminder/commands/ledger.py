"""`reminder preview | history`: what one person receives, and what the ledger holds."""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

from reminder import clock, deliveries
from reminder.commands.common import App, iso_date
from reminder.digest import Digest
from reminder.directory import Standing, standing
from reminder.errors import ReminderError
from reminder.output import print_json, print_table
from reminder.planning import Planner
from reminder.render import Renderer, build_message, message_id_for

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
        stored = deliveries.stored_digest(session, address, as_of)
        if stored is not None:
            print(
                f"(today's digest for {address} is already in the ledger: {stored.status})",
                file=sys.stderr,
            )
            _print_stored(stored.payload, args.format)
            return 0
        _explain_standing(standing(session, address, as_of, app.settings.evaluation_office))
        digest = Planner(session, app.settings, as_of).digest_for(address)
    if digest is None:
        print(f"{args.email} has nothing due on {as_of}: no digest.")
        return 0
    _print_digest(app, digest, as_of, args.format)
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


def _print_digest(app: App, digest: Digest, as_of: date, form: str) -> None:
    rendered = Renderer(app.settings).render(digest, as_of, clock.now_utc())
    if form == "text":
        print(f"Subject: {rendered.subject}\n\n{rendered.text}", end="")
    elif form == "html":
        print(rendered.html, end="")
    else:
        message_id = message_id_for(digest.recipient.email, as_of, app.settings.sender)
        message = build_message(rendered, digest, app.settings, message_id, clock.now_utc())
        print(message.replace("\r\n", "\n"), end="")


def _print_stored(payload: str, form: str) -> None:
    message = email.message_from_string(payload, policy=email.policy.default)
    if form == "eml":
        print(payload.replace("\r\n", "\n"), end="")
        return
    part = message.get_body(("html",) if form == "html" else ("plain",))
    body = part.get_content() if part is not None else ""
    print(f"Subject: {message['Subject']}\n\n{body}" if form == "text" else body, end="")


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
