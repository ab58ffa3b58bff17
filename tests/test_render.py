"""Templates and messages: every locale renders, both bodies, escaping, header safety."""

import dataclasses
import shutil
from datetime import UTC, datetime
from email import message_from_string, policy
from pathlib import Path

import pytest

from reminder.config import load_settings
from reminder.errors import TemplateError
from reminder.mime import build_message, message_id_for
from reminder.render import Renderer, builtin_templates_dir
from reminder.routing import Person
from reminder.template_check import SAMPLE_DAY, check_all, sample_digest

NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)


def test_every_locale_renders_under_strict_undefined() -> None:
    settings = load_settings()
    assert check_all(settings) == []
    renderer = Renderer(settings)
    assert {"en", "es", "fr", "ru"} <= set(renderer.locales)
    for locale in renderer.locales:
        rendered = renderer.render(sample_digest(locale), SAMPLE_DAY)
        for ident in range(1, 7):
            assert f"Sample key action {ident}" in rendered.text
            assert f"Sample key action {ident}" in rendered.html
        assert "Sample &lt;evaluation&gt; &amp; co" in rendered.html  # HTML autoescaped
        assert "Sample <evaluation> & co" in rendered.text  # text is not
        assert "\n" not in rendered.subject


def test_russian_uses_russian_words_and_plurals() -> None:
    rendered = Renderer(load_settings()).render(sample_digest("ru"), SAMPLE_DAY)
    assert rendered.subject.startswith("1 эскалация, 13 просроченных, 2 скоро срок")
    # 6 listed + 15 not listed: "из 21" takes the singular genitive
    assert "перечислены 6 самых срочных из 21 ключевого действия. Ещё 15 действий" in rendered.text
    assert "просрочено на 46 дней" in rendered.text
    assert "осталось 7 дней" in rendered.text and "срок сегодня" in rendered.text
    assert "15 января 2027" in rendered.text


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        ("ru", "ru"),  # a shipped catalog
        ("ru_KG", "ru"),  # a country variant speaks its language
        ("fr", "fr"),
        ("es_CO", "es"),
        ("ar", "en"),  # a known locale without a catalog: English (config check warns)
        (None, "en"),  # nobody said: the default locale
    ],
)
def test_locale_fallback(wanted: str | None, chosen: str) -> None:
    assert Renderer(load_settings()).locale_for(wanted) == chosen


def test_default_locale_is_the_fallback_when_it_has_a_catalog() -> None:
    renderer = Renderer(load_settings(default_locale="fr"))
    assert renderer.locale_for(None) == "fr" and renderer.locale_for("ar") == "fr"


def test_header_values_from_data_cannot_add_headers() -> None:
    settings = load_settings(sender="Reminders <r@example.org>")
    digest = sample_digest("en")
    digest.recipient = Person("eve@example.org", "Eve\r\nBcc: victim@example.org", "en")
    digest.party_names = ["UN Women\nX-Injected: yes"]
    rendered = Renderer(settings).render(digest, SAMPLE_DAY)
    message = build_message(
        rendered,
        digest,
        settings,
        message_id_for("eve@example.org", SAMPLE_DAY, settings.sender),
        NOW,
    )
    parsed = message_from_string(message, policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert "X-Injected: yes" in parsed["Subject"] and "\n" not in parsed["Subject"]
    assert parsed["To"].addresses[0].addr_spec == "eve@example.org"
    assert parsed.get_content_type() == "multipart/alternative"
    assert message.isascii()  # 7-bit: any relay takes it as stored
    # The CR the data tried to slip in survives (base64); nothing else changed
    assert parsed.get_body(("plain",)).get_content() == rendered.text  # type: ignore[union-attr]
    assert parsed.get_body(("html",)).get_content() == rendered.html  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("locale", "encoding"), [("en", "7bit"), ("fr", "base64"), ("es", "base64"), ("ru", "base64")]
)
def test_bodies_go_as_they_are_when_they_can(locale: str, encoding: str) -> None:
    """ASCII bodies with short lines need no encoding (a quarter smaller than base64); others
    are base64. Either way the reader gets exactly the rendered text, line ends aside."""
    settings = load_settings()
    digest = sample_digest(locale)
    rendered = Renderer(settings).render(digest, SAMPLE_DAY)
    message = build_message(
        rendered, digest, settings, message_id_for("a@example.org", SAMPLE_DAY, "r@x.org"), NOW
    )
    assert message.isascii()
    parsed = message_from_string(message, policy=policy.default)
    for part, body in ((("plain",)), rendered.text), ((("html",)), rendered.html):
        found = parsed.get_body(part)
        assert found is not None and found["Content-Transfer-Encoding"] == encoding
        assert found.get_content().replace("\r\n", "\n") == body


def _admin_copy(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(builtin_templates_dir(), target)
    return target


def test_admin_templates_override_and_are_sandboxed(tmp_path: Path) -> None:
    folder = _admin_copy(tmp_path)
    subject = folder / "email" / "digest.subject.txt"
    subject.write_text("{% trans n=counts.overdue %}Custom: {{ n }} late{% endtrans %}")
    settings = load_settings(templates_dir=folder)
    # 1 listed + 12 due but not listed (the sample digest has an "and more")
    assert Renderer(settings).render(sample_digest("en"), SAMPLE_DAY).subject == "Custom: 13 late"
    # Every language uses the one override; its new words are English until translated.
    assert Renderer(settings).render(sample_digest("fr"), SAMPLE_DAY).subject == "Custom: 13 late"

    subject.write_text("{{ recipient.__class__.__mro__ }}")
    with pytest.raises(TemplateError, match=r"unsafe|not safely|access"):
        Renderer(settings).render(sample_digest("en"), SAMPLE_DAY)


def test_an_admin_template_in_a_locale_folder_serves_that_locale_only(tmp_path: Path) -> None:
    """The layout of the per-language copies (email/<locale>/) still overrides, per locale."""
    folder = _admin_copy(tmp_path)
    (folder / "email" / "ru").mkdir()
    (folder / "email" / "ru" / "digest.subject.txt").write_text("Сводка: {{ counts.overdue }}")
    renderer = Renderer(load_settings(templates_dir=folder))
    assert renderer.render(sample_digest("ru"), SAMPLE_DAY).subject == "Сводка: 13"
    assert renderer.render(sample_digest("fr"), SAMPLE_DAY).subject.startswith("1 remontée, ")


def test_admin_template_errors_are_reported_by_check(tmp_path: Path) -> None:
    folder = _admin_copy(tmp_path)
    (folder / "email" / "ru").mkdir()
    (folder / "email" / "ru" / "digest.txt").write_text("{{ no_such_value }}")
    html = folder / "email" / "digest.html"
    html.write_text(
        html.read_text().replace(
            "{% block footer %}", "{% block footer %}{{ _('A sentence nobody translated') }}"
        )
    )
    problems = check_all(load_settings(templates_dir=folder))
    assert any(
        p.startswith("template ru/") and "'no_such_value' is undefined" in p for p in problems
    ), problems
    for locale in ("es", "fr"):
        assert f"{locale}: 1 message(s) without a translation: 'A sentence nobody translated'" in (
            problems
        )
    assert not any(p.startswith("en:") for p in problems), problems  # English is the source


@pytest.mark.parametrize("locale", ["en", "fr", "es", "ru"])
def test_no_empty_why_you_for_escalation_contacts(locale: str) -> None:
    """An escalation item already says why in its section: no dangling separator or label."""
    rendered = Renderer(load_settings()).render(sample_digest(locale), SAMPLE_DAY)
    assert "&middot; </div>" not in rendered.html
    assert not any(line.rstrip().endswith(":") for line in rendered.text.splitlines()[6:]), (
        rendered.text
    )


def test_an_admin_strings_file_without_a_phrase_macro_is_named(tmp_path: Path) -> None:
    # The renderer asks _strings.txt's `when` and `recommendation` macros once per value
    # (rec.line, item.when); an admin copy written before `recommendation` existed is
    # refused with the macro's name, not a traceback.
    folder = _admin_copy(tmp_path)
    strings = folder / "email" / "_strings.txt"
    source = strings.read_text()
    start = source.index("{% macro recommendation")
    end = source.index("{%- endmacro %}", start) + len("{%- endmacro %}")
    strings.write_text(source[:start] + source[end:])
    with pytest.raises(TemplateError, match=r"_strings\.txt: no `recommendation` macro"):
        Renderer(load_settings(templates_dir=folder)).render(sample_digest("en"), SAMPLE_DAY)


def test_the_recommendation_line_is_translated_in_both_bodies() -> None:
    rendered = Renderer(load_settings()).render(sample_digest("fr"), SAMPLE_DAY)
    line = "Recommandation 1\xa0: A sample recommendation"  # French puts a space before ":"
    assert f"  {line}\n" in rendered.text
    assert f">{line}</div>" in rendered.html


def test_why_you_notes_escape_the_names_they_quote_in_html() -> None:
    # The `capacity` note quotes data: the unrecognised responsible text of a tracker row, the
    # away primary's name, other parties' names. Rendered through `{% import %}` the macro's
    # output counted as markup and reached the HTML body unescaped.
    digest = sample_digest("en")
    hostile = '<img src=x onerror=alert(1)> "Team"'
    for section in digest.sections:
        for evaluation in section.evaluations:
            for rec in evaluation.recommendations:
                for item in rec.items:
                    action = item.finding.action._replace(responsible_text=hostile)
                    item.finding = dataclasses.replace(item.finding, action=action)
                    item.stands_in_for = "Ana <b>Away</b>"
    rendered = Renderer(load_settings()).render(digest, SAMPLE_DAY)
    assert "<img" not in rendered.html and "<b>" not in rendered.html
    assert "no responsible party was recognised (&#34;&lt;img src=x" in rendered.html
    assert "standing in for Ana &lt;b&gt;Away&lt;/b&gt;" in rendered.html
    assert f'no responsible party was recognised ("{hostile}")' in rendered.text
