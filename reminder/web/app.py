"""Builds the desk's ASGI application: routes, error pages, security wrappers, shared state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from reminder import clock as wall_clock
from reminder import i18n
from reminder.config import Settings
from reminder.db import make_engine, make_session_factory, require_current_schema
from reminder.delivery import Transport, make_transport
from reminder.links import Links
from reminder.web import office, office_report, person
from reminder.web.app_state import Desk, error_page
from reminder.web.cards import CardCache
from reminder.web.rendering import N_, Pages, static_css
from reminder.web.security import AccessLog, SecurityHeaders, SignInLimits

log = logging.getLogger("reminder.web")


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return error_page(request, 405, N_("Not allowed"), N_("This address does not accept that."))
    return error_page(request, status, N_("Not found"), N_("There is no page at this address."))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error serving a request: %s: %s", type(exc).__name__, exc)
    return error_page(
        request,
        500,
        N_("Something went wrong"),
        N_("Nothing was recorded. Please try again later."),
    )


def _css(request: Request) -> Response:
    response = PlainTextResponse(static_css(), media_type="text/css")
    response.headers["cache-control"] = "public, max-age=3600"
    return response


def check_app(settings: Settings) -> None:
    """What `create_app` would fail on (the key, the schema), without keeping a connection."""
    Links.from_settings(settings)
    engine = make_engine(settings.database_url)
    try:
        require_current_schema(engine)
    finally:
        engine.dispose()


def create_app(
    settings: Settings,
    clock: Callable[[], datetime] = wall_clock.now_utc,
    transport: Callable[[], Transport] | None = None,
) -> ASGIApp:
    """The desk for these settings (a clear ConfigError when the key or schema is missing)."""
    links = Links.from_settings(settings, clock)
    engine = make_engine(settings.database_url)
    require_current_schema(engine)
    desk = Desk(
        settings=settings,
        sessions=make_session_factory(engine),
        links=links,
        pages=Pages(i18n.Catalogs(settings.locale_dir, settings.default_locale)),
        clock=clock,
        transport=transport or (lambda: make_transport(settings)),
        # On the desk's clock, so tests can move time.
        sign_in_limits=SignInLimits(lambda: clock().timestamp()),
        cards=CardCache(),
    )
    routes = [
        Route("/static/desk.css", _css),
        *person.routes(),
        *office.routes(),
        *office_report.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: _not_found, 405: _not_found, 500: _server_error},
    )
    app.state.desk = desk
    # Outside Starlette's own error middleware, so error pages get the headers and a log line.
    return SecurityHeaders(AccessLog(app))
