"""`reminder db upgrade | templates check | config check`: the schema, the templates and the
settings."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from reminder import i18n, migrate, template_check
from reminder.commands.common import App
from reminder.db import connect_error_context
from reminder.output import print_json
from reminder.render import Renderer
from reminder.secret_settings import check_secret_files, public_settings, secret_key

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    templates = commands.add_parser("templates", help="email templates")
    template_commands = templates.add_subparsers(
        dest="templates_command", metavar="ACTION", required=True
    )
    template_check_cmd = template_commands.add_parser(
        "check", help="render every template in every locale with sample data"
    )
    template_check_cmd.set_defaults(handler=cmd_templates_check)

    config = commands.add_parser("config", help="configuration")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_commands.add_parser("check", help="validate and print the effective settings")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=cmd_config_check)


def cmd_db_upgrade(app: App, args: argparse.Namespace) -> int:
    with connect_error_context(app.settings.database_url):
        before, after = migrate.upgrade(app.engine)
    if before == after:
        print(f"Database already at the newest schema ({after}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0


def cmd_config_check(app: App, args: argparse.Namespace) -> int:
    warnings = i18n.settings_warnings(app.settings.locale_dir, app.settings.default_locale)
    if app.settings.web_base_url:
        secret_key(app.settings)  # readable and long enough, or a clear error
    check_secret_files(app.settings)
    data = public_settings(app.settings)  # passwords masked, in URLs too
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key} = {value!r}")
        print("\nConfiguration is valid.")
    for warning in warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    return 0


def cmd_templates_check(app: App, args: argparse.Namespace) -> int:
    problems = template_check.check_all(app.settings)
    for problem in problems:
        print(f"Error: {problem}", file=sys.stderr)
    if problems:
        return 1
    renderer = Renderer(app.settings)
    print(
        f"Templates render in every locale ({', '.join(renderer.locales)}) from: "
        + ", ".join(str(root / "email") for root in renderer.roots)
    )
    return 0
