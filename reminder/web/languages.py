"""Which language a desk page speaks, and the language switch on every page.

The switch (`?lang=fr`, kept in the page's links and forms) wins; otherwise a person's page
speaks their own language as the digests do (the focal point's locale, else their party's,
else REMINDER_DEFAULT_LOCALE), the office view its member's, and pages for nobody in
particular (errors, office sign-in) the browser's Accept-Language, else the default.
Choosing a language is a plain GET that changes nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from babel import Locale
from babel.core import negotiate_locale
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from reminder import i18n
from reminder.models import FocalPoint, Party

PARAM = "lang"
# The role whose locale speaks for a person listed several times (as in the digests).
ROLE_ORDER = {"primary": 0, "escalation": 1, "alternate": 2}


@dataclass(frozen=True)
class Language:
    """The locale a page speaks; `chosen` when the switch set it, so links keep it."""

    locale: str
    chosen: bool = False

    def keep(self, path: str) -> str:
        """`path` with the switch's choice carried on (unchanged when nothing was chosen)."""
        if not self.chosen:
            return path
        joiner = "&" if "?" in path else "?"
        return f"{path}{joiner}{PARAM}={quote(self.locale)}"


def chosen(request: Request, catalogs: i18n.Catalogs) -> Language | None:
    wanted = request.query_params.get(PARAM)
    if wanted and wanted in catalogs.locales:
        return Language(wanted, chosen=True)
    return None


# Built once: every page asks (building a statement costs more than running it).
_LOCALES = (
    select(FocalPoint.role, FocalPoint.locale, Party.default_locale)
    .join(Party, Party.id == FocalPoint.party_id)
    .where(FocalPoint.email == bindparam("email"), FocalPoint.active.is_(True))
    .order_by(FocalPoint.id)
)


def own_locale(session: Session, email: str) -> str | None:
    """The person's locale in the directory: their own, else their party's; None if neither."""
    found = session.execute(_LOCALES, {"email": email.strip().lower()}).all()
    rows = sorted(found, key=lambda row: ROLE_ORDER.get(row.role, len(ROLE_ORDER)))
    for row in rows:
        if row.locale:
            return str(row.locale)
    return next((str(row.default_locale) for row in rows if row.default_locale), None)


def for_person(request: Request, catalogs: i18n.Catalogs, own: str | None) -> Language:
    """The switch's choice, else the person's own locale, else the default locale."""
    return chosen(request, catalogs) or Language(catalogs.best(own))


def for_anyone(request: Request, catalogs: i18n.Catalogs) -> Language:
    """The switch's choice, else the browser's preferred language we speak, else the default."""
    found = chosen(request, catalogs)
    if found is not None:
        return found
    preferred = browser_languages(request.headers.get("accept-language", ""))
    spoken = negotiate_locale(preferred, catalogs.locales) if preferred else None
    return Language(spoken or catalogs.best(None))


def browser_languages(header: str) -> list[str]:
    """Accept-Language as locale names, most preferred first ("fr-CH, en;q=0.5")."""
    weighted = []
    for position, part in enumerate(header.split(",")[:20]):
        name, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if name and name != "*" and weight > 0:
            weighted.append((-weight, position, name.replace("-", "_")))
    named = [name for _, _, name in sorted(weighted)]
    # "fr_CH" should also find "fr": each language after its regional forms.
    return list(dict.fromkeys([*named, *(i18n.language_of(n) for n in named)]))


@lru_cache(maxsize=64)
def native_name(locale: str) -> str:
    """The language's name in itself ("Français", "Русский"), as language menus show it."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def switch(
    language: Language, catalogs: i18n.Catalogs, here: str | None
) -> list[dict[str, object]]:
    """The switch's links: `here` (a page a GET may show) in each language we speak."""
    if here is None:
        return []
    return [
        {
            "locale": locale,
            "name": native_name(locale),
            "href": Language(locale, chosen=True).keep(here),
            "current": locale == language.locale,
            "html_lang": locale.replace("_", "-"),
        }
        for locale in catalogs.locales
    ]
