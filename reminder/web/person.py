"""The focal point's pages, opened from a signed link: their actions, one action's form and
history, recording an update, and "I am away until". GET never changes anything; every POST
carries the CSRF token bound to the link, and every action id is checked against the person's
scope on the server."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reminder import access, desk, ics, updates
from reminder.links import CALENDAR, PAGE, LinkError, action_url, calendar_url, page_url
from reminder.web import cards, form_errors, languages
from reminder.web.app_state import Desk, desk_of, error_page, show
from reminder.web.languages import Language
from reminder.web.rendering import N_

LINK_PROBLEMS = {
    "expired": (
        N_("This link has expired"),
        N_(
            "Links in digests work for a limited time. Open the link in your most recent "
            "digest; the next digest brings a fresh one. The evaluation office can help if you "
            "have none."
        ),
    ),
    "tampered": (
        N_("This link is not valid"),
        N_(
            "The link is incomplete or was changed, or it was signed with a key that has since "
            "been replaced. Open the link in your most recent digest, copying it whole."
        ),
    ),
    "unknown": (
        N_("This link opens nothing"),
        N_(
            "The address this link was sent to is no longer a focal point in the directory. "
            "Please contact the evaluation office."
        ),
    ),
}
FORM_LIMITS = {"max_files": 0, "max_fields": 20}


def _person(request: Request) -> tuple[Desk, str, access.Scope, Language] | Response:
    """The desk, the link token, the person's scope and language, or the 403 page saying why
    not."""
    state = desk_of(request)
    token = request.path_params["token"]
    try:
        email = state.links.open(token, PAGE)
    except LinkError as exc:
        return error_page(request, 403, *LINK_PROBLEMS[exc.reason])
    with state.sessions() as session:
        scope = access.scope_of(session, email, state.today())
        own = languages.own_locale(session, email) or state.settings.default_locale
    if not scope.known:
        return error_page(request, 403, *LINK_PROBLEMS["unknown"])
    return state, token, scope, languages.for_person(request, state.pages.catalogs, own)


def _person_posting(
    request: Request, form: Any
) -> tuple[Desk, str, access.Scope, Language] | Response:
    """As `_person`, for a POST: the form must carry the CSRF token bound to the link."""
    found = _person(request)
    if isinstance(found, Response):
        return found
    state, token, _, language = found
    if not state.links.csrf_ok(token, _text(form, "csrf")):
        return _bad_form(request, language)
    return found


def _common(state: Desk, token: str, scope: access.Scope, language: Language) -> dict[str, Any]:
    base = state.settings.web_base_url or ""
    return {
        "person": scope,
        "token": token,
        "csrf": state.links.csrf(token),
        "page_url": page_url(base, token),
        "calendar_url": calendar_url(
            base, state.links.issue_at(scope.email, state.links.issued(token), CALENDAR)
        ),
        "statuses": updates.DESK_STATUSES,
        "today": state.today(),
        "action_path": lambda action_id: language.keep(action_url("", token, action_id)),
        "page_path": language.keep(page_url("", token)),
        "away_path": language.keep(page_url("", token) + "/away"),
    }


def person_page(request: Request) -> Response:
    found = _person(request)
    if isinstance(found, Response):
        return found
    state, token, scope, language = found
    with state.sessions() as session:
        page = desk.person_page(
            session, scope, state.today(), state.settings.policy, _start(request)
        )
        sections = page.sections
        items = [
            i for s in sections for e in s.evaluations for r in e.recommendations for i in r.actions
        ]
        words = state.pages.words(language.locale)
        html = cards.cards(
            items,
            words,
            state.cards,
            lambda action_id: language.keep(action_url("", token, action_id)),
            lambda missing: desk.load_history(session, missing),
        )
    body = cards.sections_html(sections, words, html)
    here = page_url("", token)
    context = {
        **_common(state, token, scope, language),
        "sections": sections,
        "body": body,
        "page": page,
        "previous_path": _page_path(language, here, page.start - desk.PAGE_SIZE, page.start),
        "next_path": _page_path(language, here, page.end, page.total - page.end),
    }
    return show(request, language, "person.html", context)


def _start(request: Request) -> int:
    """The `from` of the address (which open action the page starts at); 0 if none or bad."""
    given = request.query_params.get("from", "")
    return int(given) if given.isascii() and given.isdigit() and len(given) < 10 else 0


def _page_path(language: Language, here: str, start: int, remaining: int) -> str | None:
    """The address of the page starting at `start`, or None when there is no such page."""
    if remaining <= 0:
        return None
    return language.keep(here if start <= 0 else f"{here}?from={start}")


def action_page(request: Request) -> Response:
    found = _person(request)
    if isinstance(found, Response):
        return found
    state, token, scope, language = found
    action_id = int(request.path_params["action_id"])
    with state.sessions() as session:
        item = desk.one_action(session, scope, action_id, state.today(), state.settings.policy)
        if item is None:
            return _not_yours(request, language)
        context = {
            **_common(state, token, scope, language),
            "item": item,
            "errors": {},
            "values": {},
        }
        return show(request, language, "action.html", context)


def _not_yours(request: Request, language: Language) -> Response:
    return error_page(
        request,
        403,
        N_("This action is not among yours"),
        N_("You can update only the key actions your digests remind you of. Nothing was recorded."),
        language,
    )


def _bad_form(request: Request, language: Language) -> Response:
    return error_page(
        request,
        403,
        N_("This form cannot be accepted"),
        N_(
            "The form did not come from your page or is out of date. Open your link again and "
            "resend the form. Nothing was recorded."
        ),
        language,
    )


async def record_update(request: Request) -> Response:
    form = await request.form(**FORM_LIMITS)
    return await run_in_threadpool(_store_update, request, form)


def _store_update(request: Request, form: Any) -> Response:
    found = _person_posting(request, form)
    if isinstance(found, Response):
        return found
    state, token, scope, language = found
    action_id = int(request.path_params["action_id"])
    change = updates.Change(
        status=_text(form, "status"),
        comment=_text(form, "comment"),
        evidence_url=_text(form, "evidence_url"),
        proposed_deadline=_text(form, "proposed_deadline"),
        proposal_reason=_text(form, "proposal_reason"),
    )
    actor = updates.Actor(scope.email, scope.name, "web")
    words = state.pages.translations(language.locale)
    here = action_url("", token, action_id)
    with state.sessions() as session:
        if not access.may_update(session, scope, action_id):
            return _not_yours(request, language)
        try:
            row = updates.record(session, action_id, actor, change, state.now(), state.today())
        except updates.UpdateError as exc:
            session.rollback()
            item = desk.one_action(session, scope, action_id, state.today(), state.settings.policy)
            context = {
                **_common(state, token, scope, language),
                "item": item,
                "errors": {exc.field: form_errors.explain(exc, words)},
                "values": change.__dict__,
            }
            return show(request, language, "action.html", context, 400, here=here)
        session.commit()
    # POST/redirect/GET: refreshing the confirmation shows it again and records nothing.
    return RedirectResponse(language.keep(f"{here}/recorded/{row.id}"), status_code=303)


def recorded_page(request: Request) -> Response:
    """The confirmation of one update: exactly what was recorded, shown only to the person
    who recorded it, under their link."""
    found = _person(request)
    if isinstance(found, Response):
        return found
    state, token, scope, language = found
    action_id = int(request.path_params["action_id"])
    with state.sessions() as session:
        row = updates.recorded_by(session, int(request.path_params["update_id"]), scope.email)
        item = desk.one_action(session, scope, action_id, state.today(), state.settings.policy)
        if row is None or item is None or row.key_action_id != action_id:
            return error_page(
                request, 404, N_("Not found"), N_("There is no page at this address."), language
            )
        context = {**_common(state, token, scope, language), "item": item, "update": row}
        return show(request, language, "recorded.html", context)


async def record_away(request: Request) -> Response:
    form = await request.form(**FORM_LIMITS)
    return await run_in_threadpool(_store_away, request, form)


def _store_away(request: Request, form: Any) -> Response:
    found = _person_posting(request, form)
    if isinstance(found, Response):
        return found
    state, token, scope, language = found
    raw = _text(form, "away_until")
    context = _common(state, token, scope, language)
    home = page_url("", token)
    until: date | None = None
    problem: str | None = None
    try:
        until = date.fromisoformat(raw) if raw else None
    except ValueError:
        problem = "give a date like 2027-03-31"  # form_errors translates it
    with state.sessions() as session:
        try:
            if problem:
                raise updates.UpdateError("away_until", problem)
            updates.set_away(session, scope.email, until, state.today())
        except updates.UpdateError as exc:
            session.rollback()
            message = form_errors.explain(exc, state.pages.translations(language.locale))
            context.update(message=message, until=None, alternates=[])
            return show(request, language, "away.html", {**context, "ok": False}, 400, here=home)
        alternates = updates.alternates_of(session, scope.email)
        session.commit()
    context.update(ok=True, until=until, alternates=alternates)
    return show(request, language, "away.html", context, here=home)


def calendar(request: Request) -> Response:
    state = desk_of(request)
    try:
        token = request.path_params["token"]
        email = state.links.open(token, CALENDAR)
        issued = state.links.issued(token, CALENDAR)
    except LinkError as exc:
        return error_page(request, 403, *LINK_PROBLEMS[exc.reason])
    with state.sessions() as session:
        scope = access.scope_of(session, email, state.today())
        actions = list(access.open_actions(session, scope))
        own = languages.own_locale(session, email) or state.settings.default_locale
    # A calendar client sends no useful Accept-Language: the feed speaks the person's own.
    language = languages.for_person(request, state.pages.catalogs, own)
    body = ics.calendar(
        actions,
        page_url(state.settings.web_base_url or "", state.links.issue_at(email, issued, PAGE)),
        state.pages.translations(language.locale),
    )
    return Response(body, media_type="text/calendar; charset=utf-8")


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def routes() -> list[Route]:
    return [
        Route("/p/{token}", person_page, methods=["GET"]),
        Route("/p/{token}/actions/{action_id:int}", action_page, methods=["GET"]),
        Route("/p/{token}/actions/{action_id:int}", record_update, methods=["POST"]),
        Route(
            "/p/{token}/actions/{action_id:int}/recorded/{update_id:int}",
            recorded_page,
            methods=["GET"],
        ),
        Route("/p/{token}/away", record_away, methods=["POST"]),
        Route("/c/{token}/actions.ics", calendar, methods=["GET"]),
    ]
