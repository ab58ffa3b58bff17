"""`reminder serve | export`: the status desk's web application and the portfolio as a tracker
file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reminder.commands.common import App

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the status desk web application")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default 1; one per core is a good start)",
    )
    serve.set_defaults(handler=cmd_serve)

    export = commands.add_parser("export", help="write all key actions as a tracker file")
    export.add_argument("file", metavar="FILE", help="the .csv or .xlsx file to write")
    export.add_argument("--format", choices=["csv", "xlsx"], help="default: from FILE")
    export.set_defaults(handler=cmd_export)


def cmd_serve(app: App, args: argparse.Namespace) -> int:
    from reminder.web.server import serve  # only this command needs the web stack

    return serve(app.settings, args.host, args.port, args.workers)


def cmd_export(app: App, args: argparse.Namespace) -> int:
    from reminder.export import export

    path = Path(args.file)
    with app.session() as session:
        count = export(session, path, args.format)
    print(f"Exported {count} key action(s) to {path}.")
    return 0
