"""`reminder serve`: the desk on uvicorn, with our redacted access log instead of uvicorn's,
in one process or `--workers N` forked processes sharing one listening socket.

The socket is bound before anything else so the "listening on" line printed on stdout is
true the moment it appears (tests and supervisors wait for it, never for a delay). With
workers, the parent checks the settings and the schema, binds, forks, and only supervises:
each worker builds its own application (database connections never cross a fork) and the
parent passes SIGTERM/SIGINT on to them and exits when they have. What a worker keeps in
memory is its own: the card cache (correct in any process, as it is keyed by what it shows)
and the office sign-in rate limit (README.md, "Status desk": per worker process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

import uvicorn

from reminder import logs
from reminder.config import Settings
from reminder.errors import ConfigError
from reminder.web.app import check_app, create_app

MAX_WORKERS = 32


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"--workers: give a number from 1 to {MAX_WORKERS}, not {workers}")
    logs.configure(settings.log_format)
    check_app(settings)  # a missing key or schema fails here, before anything listens
    sock = _bind(host, port)

    def announce() -> None:
        bound = sock.getsockname()[1]
        print(f"reminder serve: listening on http://{host}:{bound}", flush=True)
        display = settings.web_base_url or f"http://{host}:{bound}"
        print(f"reminder serve: links in digests point to {display}", file=sys.stderr, flush=True)

    if workers == 1:
        announce()
        _run(settings, sock)
        return 0
    return _supervise([_fork(settings, sock) for _ in range(workers)], announce)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _run(settings: Settings, sock: socket.socket) -> None:
    config = uvicorn.Config(
        create_app(settings),
        access_log=False,  # it prints raw paths, which hold link tokens
        log_config=None,  # keep the project's logging set up above
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=10,
    )
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    uvicorn.Server(config).run(sockets=[sock])


def _fork(settings: Settings, sock: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:  # the worker: serve until told to stop, then leave without the parent's exit
        code = 0
        try:
            _run(settings, sock)
        except BaseException:
            logging.getLogger("reminder.web").exception("worker %d failed", os.getpid())
            code = 1
        finally:
            os._exit(code)
    return pid


def _supervise(children: list[int], announce: Callable[[], None]) -> int:
    """Pass SIGTERM/SIGINT on to the workers and exit when all have: 0 when they stopped
    because they were told to, 1 when one ended by itself (the others are then stopped).
    Announces itself once the workers exist and a signal would reach them."""
    told: list[int] = []

    def tell(signum: int, _frame: FrameType | None = None) -> None:
        told.append(signum)
        for pid in remaining:
            with contextlib.suppress(ProcessLookupError):  # it has just ended
                os.kill(pid, signum)

    remaining = set(children)
    signal.signal(signal.SIGTERM, tell)
    signal.signal(signal.SIGINT, tell)
    announce()
    failed = False
    while remaining:
        pid, status = os.wait()
        remaining.discard(pid)
        # uvicorn ends by raising the signal it was stopped with again: dying of it is normal.
        if not told or os.waitstatus_to_exitcode(status) not in (0, *(-s for s in told)):
            failed = True
            tell(signal.SIGTERM)
    return 1 if failed else 0
