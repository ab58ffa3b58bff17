"""The office view's report page (`/office/report`): the portfolio report of
`reminder.report`, for a signed-in office member, inside the desk's layout."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reminder.web.app_state import error_page, show
from reminder.web.office import member_language, member_of
from reminder.web.rendering import N_
from reminder.web.security import REPORT_CSP


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    # Only days the report can count back twelve months from.
    return day if day is None or day.year >= 1900 else None


def report_page(request: Request) -> Response:
    member = member_of(request)
    if member is None:
        return error_page(request, 403, N_("Please sign in"), N_("Your office session has ended."))
    from reminder.report import build_report  # matplotlib loads only for this page
    from reminder.report.page import render_report_body

    state, _, email = member
    language = member_language(request, state, email)
    as_of = _day(request.query_params.get("as_of")) or state.today()
    since = _day(request.query_params.get("since"))
    if since is not None and since > as_of:
        since = None  # a period that ends before it starts: the default period instead
    with state.sessions() as session:  # only names the database: the parts read apart
        report = build_report(session.get_bind().engine, as_of, state.settings.zone, since)
    body = render_report_body(report, language.locale, state.settings.locale_dir)
    response = show(request, language, "office_report.html", {"member": email, "body": body})
    response.headers["content-security-policy"] = REPORT_CSP  # inline SVG styles (security.py)
    return response


def report_css(request: Request) -> Response:
    from reminder.report.page import report_stylesheet

    return Response(report_stylesheet(), media_type="text/css")


def routes() -> list[Route]:
    return [
        Route("/office/report", report_page, methods=["GET"]),
        Route("/static/report.css", report_css, methods=["GET"]),
    ]
