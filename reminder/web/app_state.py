"""The state every desk request handler shares, and the error page they all use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from reminder import clock as wall_clock
from reminder.config import Settings
from reminder.delivery import Transport
from reminder.links import Links
from reminder.web import languages
from reminder.web.cards import CardCache
from reminder.web.languages import Language
from reminder.web.rendering import Pages
from reminder.web.security import SignInLimits


@dataclass
class Desk:
    """What every request handler needs."""

    settings: Settings
    sessions: sessionmaker[Session]
    links: Links
    pages: Pages
    clock: Callable[[], datetime]
    transport: Callable[[], Transport]
    sign_in_limits: SignInLimits
    cards: CardCache

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return wall_clock.local_today(self.settings.zone, self.clock())


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def show(
    request: Request,
    language: Language,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    here: str | None = None,
) -> Response:
    """A page in `language`, with the language switch pointing at `here` (by default the
    page itself when a GET showed it; a page answering a POST names a page a GET may show)."""
    if here is None and request.method == "GET":
        here = request.url.path
    catalogs = desk_of(request).pages.catalogs
    words = {"lang": language, "switch": languages.switch(language, catalogs, here)}
    return desk_of(request).pages.render(language.locale, name, {**context, **words}, status)


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    language: Language | None = None,
) -> Response:
    """An error page; `title` and `message` are messages marked with N_ (translated here)."""
    if language is None:
        language = languages.for_anyone(request, desk_of(request).pages.catalogs)
    context = {"title": title, "message": message, "status": status}
    return show(request, language, "error.html", context, status)
