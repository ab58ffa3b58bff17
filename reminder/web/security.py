"""Web safety that wraps every response: security headers, the project's own access log with
link tokens redacted (uvicorn's access log is turned off: it prints raw paths), and a small
in-memory rate limiter for the office sign-in request."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reminder import signin

log = logging.getLogger("reminder.web")

HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    # Pages carry a person's data and their link: no cache keeps them.
    (b"cache-control", b"no-store"),
]
# The report page only: matplotlib's inline SVG charts style every element inline, which the
# strict policy above blanks out. Scripts, frames and foreign sources stay forbidden.
REPORT_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_TOKEN_PATH = re.compile(r"^/(p|c|office/signin)/[^/]+")


def redact(path: str) -> str:
    """The path with any link token replaced, fit for a log line."""
    return _TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/[link]", path)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class AccessLog:
    """One line per request: client, method, redacted path, status, milliseconds."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = self.clock(), [500]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            client = (scope.get("client") or ("-", 0))[0]
            elapsed = (self.clock() - started) * 1000
            log.info(
                '%s "%s %s" %d %.1fms',
                client,
                scope["method"],
                redact(scope["path"]),
                status[0],
                elapsed,
            )


class RateLimit:
    """At most `limit` events per key in a sliding `window` of seconds (per process)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10000:  # forget idle keys so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v}
            return True


class SignInLimits:
    """The office sign-in request's limits, counted per server process (README.md, "Status
    desk"): a client may ask at most CLIENT times in 15 minutes whatever the addresses, and
    at most PAIR times for one address; an address is sent at most ADDRESS links in 15
    minutes whoever asks. An attacker cannot lock a member out: their own requests count
    only against themselves, and once the address's cap is reached the member has links
    sent within the last 15 minutes, the time a link works."""

    CLIENT, PAIR, ADDRESS = 10, 3, 20
    WINDOW = signin.VALID_FOR.total_seconds()  # the life of a sign-in link

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clients = RateLimit(self.CLIENT, self.WINDOW, clock)
        self.pairs = RateLimit(self.PAIR, self.WINDOW, clock)
        self.addresses = RateLimit(self.ADDRESS, self.WINDOW, clock)

    def allow(self, client: str, email: str) -> bool:
        """Whether to send a link for this request (counted only up to the first refusal)."""
        return (
            self.clients.allow(client)
            and self.pairs.allow(f"{client} {email}")
            and self.addresses.allow(email)
        )
