"""`reminder serve`: the desk on uvicorn, with our redacted access log instead of uvicorn's.

The socket is bound before anything else so the "listening on" line printed on stdout is
true the moment it appears (tests and supervisors wait for it, never for a delay).
"""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn

from reminder import logs
from reminder.config import Settings
from reminder.web.app import create_app


def serve(settings: Settings, host: str, port: int) -> int:
    logs.configure(settings.log_format)
    app = create_app(settings)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        access_log=False,  # it prints raw paths, which hold link tokens
        log_config=None,  # keep the project's logging set up above
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    print(f"reminder serve: listening on http://{host}:{bound}", flush=True)
    display = settings.web_base_url or f"http://{host}:{bound}"
    print(f"reminder serve: links in digests point to {display}", file=sys.stderr, flush=True)
    server.run(sockets=[sock])
    return 0
