"""`reminder actions`: key actions and their state on a day."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import TYPE_CHECKING

from reminder import store
from reminder.action_list import STATE_CHOICES, list_actions
from reminder.commands.common import App, iso_date
from reminder.errors import ReminderError
from reminder.output import print_json, print_table

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    actions = commands.add_parser("actions", help="list key actions and their state")
    actions.add_argument("--json", action="store_true", help="print a JSON array")
    actions.add_argument("--as-of", type=iso_date, metavar="DATE", help="judge states on this date")
    actions.add_argument("--party", metavar="CODE", help="only this party's actions")
    actions.add_argument(
        "--state",
        default="open",
        choices=STATE_CHOICES,
        help="which actions (default: open)",
    )
    actions.set_defaults(handler=cmd_actions)


def cmd_actions(app: App, args: argparse.Namespace) -> int:
    as_of = args.as_of or app.today()
    with app.session() as session:
        if args.party and not store.party_exists(session, args.party):
            raise ReminderError(f"--party: no party with code {args.party!r} in the directory")
        items = list(
            list_actions(
                session, as_of=as_of, policy=app.settings.policy, state=args.state, party=args.party
            )
        )
    if args.json:
        print_json([asdict(item) for item in items])
        return 0
    if not items:
        print(f"No key actions match (state {args.state}, as of {as_of}).")
        return 0
    print_table(
        ["ID", "STATE", "DEADLINE", "STATUS", "RESPONSIBLE", "KEY ACTION"],
        [
            [
                i.id,
                i.state + (f" {i.days_overdue}d" if i.state == "overdue" else ""),
                i.deadline_label or "-",
                i.status_label,
                ", ".join(i.responsible + [f"?{n}" for n in i.unresolved]) or "-",
                i.text,
            ]
            for i in items
        ],
    )
    print(f"\n{len(items)} key action(s), as of {as_of}.")
    return 0
