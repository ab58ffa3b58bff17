"""Jinja2 for the desk's pages: templates/web/, autoescaped, StrictUndefined, with the i18n
extension (every user-facing string goes through `_()` / `{% trans %}`, ready for catalogs)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from reminder.render import builtin_templates_dir


@lru_cache(maxsize=4096)
def long_date(day: date | None, locale: str = "en") -> str:
    return format_date(day, "long", locale=locale) if day else ""


def web_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(builtin_templates_dir() / "web")),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Catalogs are connected where gettext translations exist; until then, English as written.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["long_date"] = long_date
    return env


def page(env: Environment, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return HTMLResponse(env.get_template(name).render(context), status_code=status)


def static_css() -> str:
    return (builtin_templates_dir() / "web" / "desk.css").read_text(encoding="utf-8")
