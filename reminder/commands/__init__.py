"""The command line's commands, one module per group. Each module declares its arguments beside
its handlers and adds them to the parser with `register(commands)`; `reminder.cli` assembles
them, in the order of GROUPS, which is the order `reminder --help` lists them."""

from __future__ import annotations

from reminder.commands import actions, admin, desk, directory, imports, ledger, report, runs

GROUPS = (imports, directory, actions, runs, ledger, report, desk, admin)
