"""The state every desk request handler shares, and the error page they all use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from jinja2 import Environment
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from reminder import clock as wall_clock
from reminder.config import Settings
from reminder.delivery import Transport
from reminder.links import Links
from reminder.web.rendering import page
from reminder.web.security import RateLimit


@dataclass
class Desk:
    """What every request handler needs."""

    settings: Settings
    sessions: sessionmaker[Session]
    links: Links
    env: Environment
    clock: Callable[[], datetime]
    transport: Callable[[], Transport]
    sign_in_limit: RateLimit

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return wall_clock.local_today(self.settings.zone, self.clock())


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return page(
        desk_of(request).env,
        "error.html",
        {"title": title, "message": message, "status": status},
        status,
    )
