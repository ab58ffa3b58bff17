"""The evaluation office's view: sign-in by emailed one-time link, then the feed of updates,
pending deadline proposals (accept or decline), and portfolio downloads. A signed session
cookie (8 hours) carries the member's address; every POST carries its CSRF token."""

from __future__ import annotations

import io
import logging
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reminder import export, feed, signin, updates
from reminder.delivery import Envelope
from reminder.errors import ReminderError
from reminder.links import OFFICE_SESSION, LinkError
from reminder.mime import build_notice
from reminder.web import form_errors, languages
from reminder.web.app_state import Desk, desk_of, error_page, show
from reminder.web.languages import Language
from reminder.web.rendering import N_

COOKIE = "reminder_office"
SESSION_SECONDS = 8 * 3600
FORM_LIMITS = {"max_files": 0, "max_fields": 10}


def member_of(request: Request) -> tuple[Desk, str, str] | None:
    """(desk, cookie value, member address) for a signed-in office member, else None."""
    state = desk_of(request)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        email = state.links.open(cookie, OFFICE_SESSION, max_age=SESSION_SECONDS)
    except LinkError:
        return None
    if not signin.is_member(state.settings, email):
        return None
    return state, cookie, email


def member_language(request: Request, state: Desk, email: str) -> Language:
    """The switch's choice, else the member's locale in the directory, else the default."""
    with state.sessions() as session:
        own = languages.own_locale(session, email) or state.settings.default_locale
    return languages.for_person(request, state.pages.catalogs, own)


def _office_home(request: Request) -> str:
    """/office, keeping the language the switch chose, if any."""
    choice = languages.chosen(request, desk_of(request).pages.catalogs)
    return choice.keep("/office") if choice else "/office"


def _signed_out(request: Request) -> Response:
    return error_page(
        request, 403, N_("Please sign in"), N_("Your office session has ended."), None
    )


def office_home(request: Request) -> Response:
    member = member_of(request)
    state = desk_of(request)
    if member is None:
        language = languages.for_anyone(request, state.pages.catalogs)
        return show(request, language, "office_signin.html", {"sent": False})
    _, cookie, email = member
    language = member_language(request, state, email)
    with state.sessions() as session:
        context: dict[str, Any] = {
            "member": email,
            "csrf": state.links.csrf(cookie),
            "feed": feed.recent(session),
            "proposals": feed.pending_proposals(session),
        }
        return show(request, language, "office.html", context)


def sign_in_message(state: Desk, language: Language, link: str) -> tuple[str, str]:
    """The sign-in email's subject and text in `language`."""
    words = state.pages.translations(language.locale)
    subject = words.gettext("Your sign-in link to the office view")
    text = words.gettext(
        "Open this link within 15 minutes to sign in to the office view of the status desk. "
        "It works once."
    )
    ignore = words.gettext("If you did not ask for it, ignore this message.")
    return subject, f"{text}\n\n{link}\n\n{ignore}\n"


def _send_sign_in(state: Desk, email: str, token: str, asked_in: Language) -> None:
    with state.sessions() as session:
        own = languages.own_locale(session, email)
    language = Language(state.pages.catalogs.best(own)) if own else asked_in
    link = asked_in.keep(f"{state.settings.web_base_url}/office/signin/{token}")
    subject, text = sign_in_message(state, language, link)
    now = state.now()
    message = build_notice(
        state.settings, email, subject, text, f"<signin.{token[:16]}@reminder>", now
    )
    transport = state.transport()
    try:
        transport.send(
            Envelope(
                state.settings.sender_address, email, "", now.date().isoformat(), message.encode()
            )
        )
    except ReminderError as exc:
        logging.getLogger("reminder.web").warning("office sign-in mail not sent: %s", exc)
    finally:
        transport.close()


async def request_sign_in(request: Request) -> Response:
    form = await request.form(**FORM_LIMITS)
    email = str(form.get("email") or "").strip().lower()[:320]
    return await run_in_threadpool(_request_sign_in, request, email)


def _request_sign_in(request: Request, email: str) -> Response:
    state = desk_of(request)
    client = (request.client.host if request.client else "-") or "-"
    # The same page whatever happens: member or not, limited or not.
    language = languages.for_anyone(request, state.pages.catalogs)
    response = show(request, language, "office_signin.html", {"sent": True}, here="/office")
    if not state.sign_in_limits.allow(client, email):
        return response
    with state.sessions() as session:
        token = signin.start(session, state.settings, email, state.now())
        session.commit()
    if token is not None:
        response.background = BackgroundTask(_send_sign_in, state, email, token, language)
    return response


def confirm_sign_in(request: Request) -> Response:
    # A GET only shows a button: mail scanners open links, and the token is single use.
    state = desk_of(request)
    language = languages.for_anyone(request, state.pages.catalogs)
    path = language.keep(request.url.path)
    return show(request, language, "office_confirm.html", {"path": path})


def finish_sign_in(request: Request) -> Response:
    state = desk_of(request)
    with state.sessions() as session:
        email = signin.finish(session, state.settings, request.path_params["token"], state.now())
        session.commit()
    if email is None:
        return error_page(
            request,
            403,
            N_("This sign-in link no longer works"),
            N_("Sign-in links work once, for 15 minutes. Ask for a new one on the office page."),
        )
    response = RedirectResponse(_office_home(request), status_code=303)
    secure = (state.settings.web_base_url or "").startswith("https://")
    response.set_cookie(
        COOKIE,
        state.links.issue(email, OFFICE_SESSION),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/office",
    )
    return response


async def decide(request: Request) -> Response:
    form = await request.form(**FORM_LIMITS)
    return await run_in_threadpool(_decide, request, form)


def _decide(request: Request, form: Any) -> Response:
    member = member_of(request)
    if member is None:
        return _signed_out(request)
    state, cookie, email = member
    language = member_language(request, state, email)
    if not state.links.csrf_ok(cookie, form.get("csrf")):
        return error_page(
            request, 403, N_("This form cannot be accepted"), N_("Reload the page."), language
        )
    verdict = form.get("decision")
    if verdict not in ("accept", "decline"):
        return error_page(
            request, 400, N_("Choose accept or decline"), N_("Nothing was recorded."), language
        )
    actor = updates.Actor(email, None, "office")
    with state.sessions() as session:
        try:
            updates.decide(
                session,
                int(request.path_params["update_id"]),
                verdict == "accept",
                actor,
                str(form.get("note") or "")[:2000],
                state.now(),
            )
        except updates.UpdateError as exc:
            reason = form_errors.explain(exc, state.pages.translations(language.locale))
            return error_page(request, 409, N_("Not recorded"), reason, language)
        session.commit()
    return RedirectResponse(language.keep("/office"), status_code=303)


def download(request: Request) -> Response:
    member = member_of(request)
    if member is None:
        return _signed_out(request)
    state = member[0]
    file_format = request.path_params["format"]
    if file_format not in export.FORMATS:
        return error_page(request, 404, N_("Not found"), N_("Downloads are CSV or XLSX."))
    with state.sessions() as session:
        if file_format == "csv":
            text = io.StringIO()
            export.write_csv(session, text)
            body, media = ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8"
        else:
            binary = io.BytesIO()
            export.write_xlsx(session, binary)
            body = binary.getvalue()
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"content-disposition": f'attachment; filename="key-actions.{file_format}"'}
    return Response(body, media_type=media, headers=headers)


async def sign_out(request: Request) -> Response:
    form = await request.form(**FORM_LIMITS)
    return await run_in_threadpool(_sign_out, request, form)


def _sign_out(request: Request, form: Any) -> Response:
    """Ends the session, when the form carries its CSRF token: another site must not be able
    to sign a member out. Without a valid session there is nothing to protect."""
    member = member_of(request)
    if member is not None:
        state, cookie, email = member
        if not state.links.csrf_ok(cookie, form.get("csrf")):
            language = member_language(request, state, email)
            return error_page(
                request, 403, N_("This form cannot be accepted"), N_("Reload the page."), language
            )
    response = RedirectResponse(_office_home(request), status_code=303)
    response.delete_cookie(COOKIE, path="/office")
    return response


def routes() -> list[Route]:
    return [
        Route("/office", office_home, methods=["GET"]),
        Route("/office/signin", request_sign_in, methods=["POST"]),
        Route("/office/signin/{token}", confirm_sign_in, methods=["GET"]),
        Route("/office/signin/{token}", finish_sign_in, methods=["POST"]),
        Route("/office/proposals/{update_id:int}", decide, methods=["POST"]),
        Route("/office/export.{format:str}", download, methods=["GET"]),
        Route("/office/signout", sign_out, methods=["POST"]),
    ]
