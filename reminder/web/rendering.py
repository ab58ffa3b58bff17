"""Jinja2 for the desk's pages: templates/web/, autoescaped, StrictUndefined, one environment
per locale whose words come from the message catalogs through reminder.i18n (`_()`,
`{% trans %}`, `ngettext`, and the `long_date` and `status_name` filters)."""

from __future__ import annotations

from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from reminder import i18n
from reminder.render import builtin_templates_dir
from reminder.web.cards import Words


def N_(message: str) -> str:
    """Marks a message for `make i18n` where it is defined; it is translated where shown."""
    return message


class Pages:
    """The desk's templates in every language we have a catalog for, each environment made
    once (they are the translations' globals, so one per locale)."""

    def __init__(self, catalogs: i18n.Catalogs) -> None:
        self.catalogs = catalogs
        self._envs: dict[str, Environment] = {}
        self._words: dict[str, Words] = {}

    def environment(self, locale: str) -> Environment:
        env = self._envs.get(locale)
        if env is None:
            env = Environment(
                loader=FileSystemLoader(str(builtin_templates_dir() / "web")),
                autoescape=True,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            i18n.install(env, locale, self.catalogs)
            self._envs[locale] = env
        return env

    def words(self, locale: str) -> Words:
        """The action cards' words in `locale`, looked up once."""
        found = self._words.get(locale)
        if found is None:
            found = self._words[locale] = Words(locale, self.translations(locale))
        return found

    def translations(self, locale: str) -> Translations:
        return self.catalogs.translations(locale)

    def render(
        self, locale: str, name: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        html = self.environment(locale).get_template(name).render(context)
        return HTMLResponse(html, status_code=status)


def static_css() -> str:
    return (builtin_templates_dir() / "web" / "desk.css").read_text(encoding="utf-8")
