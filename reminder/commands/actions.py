"""`reminder actions`: key actions and their state on a day."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from reminder import store
from reminder.commands.common import App, iso_date
from reminder.errors import ReminderError
from reminder.output import print_json, print_table
from reminder.rules import action_state, days_overdue

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
        choices=["open", "overdue", "due-soon", "no-deadline", "closed", "all"],
        help="which actions (default: open)",
    )
    actions.set_defaults(handler=cmd_actions)


def cmd_actions(app: App, args: argparse.Namespace) -> int:
    as_of = args.as_of or app.today()
    policy = app.settings.policy
    with app.session() as session:
        if args.party and not store.party_exists(session, args.party):
            raise ReminderError(f"--party: no party with code {args.party!r} in the directory")
        items: list[dict[str, Any]] = []
        for action in store.actions(
            session, open_only=args.state not in ("all", "closed"), party=args.party
        ):
            state = action_state(action, as_of, policy)
            if args.state not in ("all", "open") and state != args.state:
                continue
            items.append(
                {
                    "id": action.id,
                    "evaluation": action.evaluation,
                    "recommendation": action.recommendation_number
                    or str(action.recommendation_position),
                    "recommendation_text": action.recommendation,
                    "number": action.number,
                    "text": action.text,
                    "responsible": list(action.responsible),
                    "responsible_text": action.responsible_text,
                    "unresolved": list(action.unresolved),
                    "deadline": action.due,
                    "deadline_label": action.deadline_label,
                    "deadline_precision": action.deadline_precision,
                    "status": action.status,
                    "status_label": action.status_label,
                    "state": state,
                    "days_overdue": days_overdue(action, as_of),
                    "comments": action.comments,
                    "last_update": action.last_update,
                }
            )
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(f"No key actions match (state {args.state}, as of {as_of}).")
        return 0
    print_table(
        ["ID", "STATE", "DEADLINE", "STATUS", "RESPONSIBLE", "KEY ACTION"],
        [
            [
                i["id"],
                i["state"] + (f" {i['days_overdue']}d" if i["state"] == "overdue" else ""),
                i["deadline_label"] or "-",
                i["status_label"],
                ", ".join(i["responsible"] + [f"?{n}" for n in i["unresolved"]]) or "-",
                i["text"],
            ]
            for i in items
        ],
    )
    print(f"\n{len(items)} key action(s), as of {as_of}.")
    return 0
