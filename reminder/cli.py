"""The command line's entry point: builds the parser from `reminder.commands`, runs the chosen
command, and turns failures into exit codes (domain errors: `Error: ...` and 1).

Importing this module must stay cheap: the run's and the report's worker processes are spawned,
and a spawned process first runs the parent's main script (the `reminder` console script, which
imports this module). So the commands, and everything they import, load inside `main`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from reminder import __version__


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reminder",
        description="Follow-up reminders for evaluation management responses.",
    )
    parser.add_argument("--version", action="version", version=f"reminder {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (or REMINDER_CONFIG)")
    return parser


def _command_word(argv: Sequence[str] | None) -> str | None:
    """The command named on the line (`run-once` in `reminder --config x run-once`), if any;
    anything it cannot read is left to the full parser to report."""
    words = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    words.add_argument("--config")
    words.add_argument("command", nargs="?")
    try:
        return words.parse_known_args(argv)[0].command
    except argparse.ArgumentError:
        return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with `command`'s group only (loads less)."""
    from reminder.commands import group_modules

    parser = _top_parser()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in group_modules(command):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from reminder.commands.common import App
    from reminder.config import load_settings
    from reminder.errors import ReminderError

    args = build_parser(_command_word(argv)).parse_args(argv)
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
