"""Admin templates have bounded output and work: each breach is a clean `Error: template …`
with exit 1, from `templates check` and from `run-once` (that digest failed, the run ends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from reminder.cli import main
from reminder.db import make_session_factory
from reminder.models import Delivery
from tests.conftest import EXAMPLES
from tests.test_render import _admin_copy

HOSTILE = [
    ("digest.txt", "{{ 'x' * 300000000 }}", "multiplying makes 300,000,000 items"),
    ("digest.txt", "{% for i in range(10**9) %}x{% endfor %}", "range of 1,000,000,000 items"),
    ("digest.txt", "{% for i in range(9000) %}{% for j in range(9000) %}{% endfor %}{% endfor %}",
     "more than 100,000 range items in one rendering"),
    ("digest.html", "{% for i in range(3000) %}{{ 'y' * 1000 }}{% endfor %}",
     "output over max_message_bytes (2,000,000)"),
    ("digest.subject.txt", "{{ 'S' * 2000 }}", "subject of 2,000 bytes: the limit is 1,024"),
    ("digest.txt", "{{ 7 ** 100000000 }}", "exponent 100000000 is over 64"),
]  # fmt: skip


def hostile_folder(tmp_path: Path, name: str, source: str) -> Path:
    folder = _admin_copy(tmp_path)
    (folder / "email" / "en").mkdir()  # an admin's English-only copy
    (folder / "email" / "en" / name).write_text(source)
    return folder


@pytest.mark.parametrize(("name", "source", "message"), HOSTILE)
def test_templates_check_reports_a_hostile_template(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    source: str,
    message: str,
) -> None:
    monkeypatch.setenv("REMINDER_TEMPLATES_DIR", str(hostile_folder(tmp_path, name, source)))
    assert main(["templates", "check"]) == 1
    err = capsys.readouterr().err
    assert f"Error: template en/{name}: {message}" in err, err


@pytest.mark.parametrize(("name", "source", "message"), [HOSTILE[0], HOSTILE[1], HOSTILE[3]])
def test_run_once_fails_those_digests_and_ends(
    engine: Engine,
    use_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    source: str,
    message: str,
) -> None:
    monkeypatch.setenv("REMINDER_TIMEZONE", "Asia/Bishkek")
    assert main(["directory", "import", str(EXAMPLES / "directory.csv")]) == 0
    assert main(["import", str(EXAMPLES / "fergana-valley-management-response.txt")]) == 0
    capsys.readouterr()
    monkeypatch.setenv("REMINDER_TEMPLATES_DIR", str(hostile_folder(tmp_path, name, source)))
    assert main(["run-once", "--as-of", "2027-01-15"]) == 1
    err = capsys.readouterr().err
    assert f"Error: template en/{name}: {message}" in err, err
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(Delivery)).all()
    english = [d for d in rows if d.locale == "en"]
    assert english and all(d.status == "failed" for d in english)
    assert all(message in (d.last_error or "") for d in english)
    # Russian-language digests use other templates: they still go out.
    assert {d.status for d in rows if d.locale == "ru"} == {"sent"}
    assert len(list((tmp_path / "outbox").iterdir())) == len(rows) - len(english)
