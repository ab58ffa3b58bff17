"""The command line's entry point: builds the parser from `reminder.commands`, runs the chosen
command, and turns failures into exit codes (domain errors: `Error: ...` and 1)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from reminder import __version__
from reminder.commands import GROUPS
from reminder.commands.common import App
from reminder.config import load_settings
from reminder.errors import ReminderError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reminder",
        description="Follow-up reminders for evaluation management responses.",
    )
    parser.add_argument("--version", action="version", version=f"reminder {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (or REMINDER_CONFIG)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        app = App(load_settings(args.config))
        return int(args.handler(app, args))
    except ReminderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`reminder actions | head`): not an error worth a traceback.
        # Point stdout at nothing so the interpreter's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
