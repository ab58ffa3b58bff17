"""The command line's commands, one module per group. Each module declares its arguments beside
its handlers and adds them to the parser with `register(commands)`; `reminder.cli` assembles
them, in the order of GROUPS, which is the order `reminder --help` lists them.

GROUPS also names the commands each module registers, so that running one command imports
only its own group: `reminder run-once` need not load the importers, the directory's email
checks or the templates' checker. tests/test_cli.py holds this table to what the modules
register."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

GROUPS: dict[str, tuple[str, ...]] = {
    "imports": ("import",),
    "directory": ("directory",),
    "actions": ("actions",),
    "runs": ("run-once", "daemon", "status", "health"),
    "ledger": ("preview", "history"),
    "report": ("report", "report-send"),
    "desk": ("serve", "export"),
    "admin": ("db", "templates", "config"),
}


def group_modules(command: str | None = None) -> list[ModuleType]:
    """The modules to register: the one that holds `command`, or every one when `command` is
    None or unknown (for `--help`, and so that a mistyped command lists the right choices)."""
    names = [group for group, commands in GROUPS.items() if command in commands] or list(GROUPS)
    return [import_module(f"{__name__}.{name}") for name in names]
