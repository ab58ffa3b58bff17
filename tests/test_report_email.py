"""The monthly report email: through a real SMTP server on loopback, once per recipient per
month via the ledger, with the charts as inline images and the workbook attached; when it is
due (the month's first sending day); and the daemon's report job under a frozen clock."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from reminder import ledger
from reminder.config import Settings, load_settings
from reminder.db import make_session_factory
from reminder.models import Delivery, FocalPoint, Party
from reminder.report.monthly import first_sending_day, send_monthly_report
from reminder.scheduler import Daemon, Runner
from tests.report_portfolio import build_portfolio
from tests.smtp_server import smtp_server

FIRST_OF_FEBRUARY = date(2027, 2, 1)  # a Monday
NOW = datetime(2027, 2, 1, 3, tzinfo=UTC)  # 09:00 in Bishkek


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def report_settings(database_url: str, tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url, "timezone": "Asia/Bishkek",
        "outbox_dir": tmp_path / "outbox", "heartbeat_file": tmp_path / "heartbeat",
        "evaluation_office": "Evaluation office <eo@kg.example.org>",
        "report_recipients": ["Head of office <head@kg.example.org>", "EO@kg.example.org"],
        "sender": "M&E reminders <reminders@kg.example.org>",
    }  # fmt: skip
    values.update(extra)
    return load_settings(**values)


def smtp(database_url: str, tmp_path: Path, port: int) -> Settings:
    return report_settings(database_url, tmp_path, transport="smtp", smtp_host="127.0.0.1",
                           smtp_port=port, smtp_tls="none")  # fmt: skip


@pytest.fixture
def portfolio(engine: Engine) -> Engine:
    with make_session_factory(engine)() as session:
        build_portfolio(session)
    return engine


def _ledger(engine: Engine) -> list[tuple[str, str, str, date]]:
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(Delivery.recipient, Delivery.status, Delivery.kind, Delivery.digest_day)
            .where(Delivery.kind == "report").order_by(Delivery.recipient)
        )  # fmt: skip
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_each_recipient_gets_the_report_once_with_charts_and_workbook(
    portfolio: Engine, database_url: str, tmp_path: Path
) -> None:
    with smtp_server() as (recorder, port):
        settings = smtp(database_url, tmp_path, port)
        outcome = send_monthly_report(settings, portfolio, FIRST_OF_FEBRUARY, Clock(NOW))
        assert (outcome.planned, outcome.states, outcome.ok) == (2, {"sent": 2}, True)
        again = send_monthly_report(
            settings, portfolio, date(2027, 2, 2), Clock(NOW + timedelta(days=1))
        )
        assert (again.planned, again.already, again.states) == (0, 2, {})  # nothing twice
        assert sorted(str(m["To"]) for m in recorder.received) == [
            "Evaluation office <eo@kg.example.org>", "Head of office <head@kg.example.org>"
        ]  # the office listed twice gets one  # fmt: skip
    assert _ledger(portfolio) == [
        ("eo@kg.example.org", "sent", "report", FIRST_OF_FEBRUARY),
        ("head@kg.example.org", "sent", "report", FIRST_OF_FEBRUARY),
    ]
    message = recorder.to("head@kg.example.org")[0]
    assert message["Subject"] == "Key-action report for 2027-02: 28.6% implemented, 4 overdue"
    assert message.get_content_type() == "multipart/mixed"
    related, attachment = message.get_payload()  # type: ignore[misc]
    assert related.get_content_type() == "multipart/related"
    alternative, *images = related.get_payload()
    text = alternative.get_payload()[0].get_content()
    html = alternative.get_payload()[1].get_content()
    assert "Implementation, whole portfolio" in text and "all key actions" in text
    ids = sorted(re.findall(r'src="cid:([^"]+)"', html))
    assert ids == ["ageing@report", "implementation@report", "trend@report"]
    assert sorted(str(image["Content-ID"]) for image in images) == [f"<{i}>" for i in ids]
    for image in images:
        assert image.get_content_type() == "image/png"
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert attachment.get_filename() == "key-action-report-2027-02-01.xlsx"
    book = load_workbook(io.BytesIO(attachment.get_content()))
    assert book["Overall"]["B3"].value == 8 and book["Overall"]["I3"].value == 0.2857
    # Reminders are counted from the first day of the previous month.
    assert "Updates after a reminder, 2027-01-01 to 2027-02-01" in text


def test_a_deferred_report_is_retried_with_the_same_message_id(
    portfolio: Engine, database_url: str, tmp_path: Path
) -> None:
    with smtp_server() as (recorder, port):
        recorder.rcpt_replies["head@kg.example.org"] = "451 4.3.0 try again later"
        settings = smtp(database_url, tmp_path, port)
        first = send_monthly_report(settings, portfolio, FIRST_OF_FEBRUARY, Clock(NOW))
        assert first.states == {"sent": 1, "deferred": 1}
        recorder.rcpt_replies.clear()
        later = send_monthly_report(
            settings, portfolio, FIRST_OF_FEBRUARY, Clock(NOW + timedelta(hours=1))
        )
        assert (later.planned, later.states) == (0, {"sent": 1})
    with make_session_factory(portfolio)() as session:
        stored = session.scalar(
            select(Delivery.message_id).where(Delivery.recipient == "head@kg.example.org")
        )
    assert [str(m["Message-ID"]) for m in recorder.to("head@kg.example.org")] == [stored]


def test_a_report_does_not_take_the_office_s_digest_day(portfolio: Engine, database_url: str,
                                                          tmp_path: Path) -> None:  # fmt: skip
    settings = report_settings(database_url, tmp_path)  # the outbox
    send_monthly_report(settings, portfolio, FIRST_OF_FEBRUARY, Clock(NOW))
    with make_session_factory(portfolio)() as session:
        assert ledger.recipients_with_digest(session, FIRST_OF_FEBRUARY) == set()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


@pytest.mark.parametrize(
    ("month", "holidays", "first"),
    [
        (date(2027, 2, 1), None, date(2027, 2, 1)),  # a Monday
        (date(2027, 5, 1), None, date(2027, 5, 3)),  # Saturday the 1st: Monday the 3rd
        (date(2027, 1, 1), "FR", date(2027, 1, 4)),  # New Year's Day is a holiday; then a weekend
        (
            date(2027, 1, 1),
            "KG",
            date(2027, 1, 8),
        ),  # New Year holidays to the 6th, Christmas the 7th
    ],
)
def test_first_sending_day(month: date, holidays: str | None, first: date) -> None:
    settings = load_settings(holiday_country=holidays)
    assert first_sending_day(settings, month) == first


def test_nothing_before_the_first_sending_day_and_nothing_without_recipients(
    portfolio: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = report_settings(database_url, tmp_path)
    early = send_monthly_report(settings, portfolio, date(2027, 5, 1), Clock(NOW))
    assert early.summary() == (
        "Monthly report for 2027-05: not due before 2027-05-03, the month's first sending day."
    )
    nobody = report_settings(database_url, tmp_path, evaluation_office=None, report_recipients=[])
    outcome = send_monthly_report(nobody, portfolio, FIRST_OF_FEBRUARY, Clock(NOW))
    assert outcome.skipped == "no recipients (set evaluation_office or report_recipients)"
    assert _ledger(portfolio) == []


def test_the_daemon_sends_the_report_on_the_first_sending_day_at_eight(
    portfolio: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = report_settings(database_url, tmp_path)
    bishkek = ZoneInfo("Asia/Bishkek")
    with freeze_time("2027-01-31 03:00:00+00:00"):  # Sunday 09:00 in Bishkek
        daemon = Daemon(Runner(settings, portfolio))
        daemon.scheduler.start(paused=True)
        try:
            job = daemon.scheduler.get_job("report")
            assert job.next_run_time == datetime(2027, 2, 1, 8, 0, tzinfo=bishkek)
        finally:
            daemon.scheduler.shutdown(wait=False)
        daemon.report()  # a check in January: January's report is due (and goes)
        assert [row[3] for row in _ledger(portfolio)] == [date(2027, 1, 1)] * 2
    with freeze_time("2027-02-01 02:00:00+00:00"):  # Monday 08:00: February's goes
        daemon.report()
        assert sorted({row[3] for row in _ledger(portfolio)}) == [
            date(2027, 1, 1),
            FIRST_OF_FEBRUARY,
        ]
    with freeze_time("2027-02-02 02:00:00+00:00"):  # the next day's check sends nothing new
        daemon.report()
        assert len(_ledger(portfolio)) == 4


def test_preview_does_not_take_the_report_for_a_digest(
    portfolio: Engine,
    use_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reminder.cli import main

    monkeypatch.setenv("REMINDER_EVALUATION_OFFICE", "eo@kg.example.org")  # a known address

    send_monthly_report(
        report_settings(use_database, tmp_path), portfolio, FIRST_OF_FEBRUARY, Clock(NOW)
    )
    # The office's report row of the day is not its digest: preview plans the digest afresh.
    assert main(["preview", "eo@kg.example.org", "--as-of", "2027-02-01"]) == 0
    shown = capsys.readouterr()
    assert "already in the ledger" not in shown.err  # the report row is not the digest
    assert shown.out.startswith("Subject: ") and "escalated" in shown.out  # planned afresh


def test_each_recipient_reads_the_report_in_the_directory_s_language(
    portfolio: Engine, database_url: str, tmp_path: Path
) -> None:
    with make_session_factory(portfolio)() as session:
        session.execute(update(Party).where(Party.id == 1).values(default_locale="ru"))
        session.add_all([
            # The head's own locale wins over the party's; the address matches in any case.
            FocalPoint(party_id=1, name="Head", email="Head@KG.example.org", role="escalation",
                       locale="fr"),
            # The office has no locale of its own: its party's.
            FocalPoint(party_id=1, name="Office", email="eo@kg.example.org", role="primary"),
        ])  # fmt: skip
        session.commit()
    settings = report_settings(database_url, tmp_path, default_locale="es",
                               report_recipients=["head@kg.example.org", "x@kg.example.org"])  # fmt: skip
    outcome = send_monthly_report(settings, portfolio, FIRST_OF_FEBRUARY, Clock(NOW))
    assert (outcome.planned, outcome.ok) == (3, True)
    with make_session_factory(portfolio)() as session:
        rows = session.execute(
            select(Delivery.recipient, Delivery.locale, Delivery.subject)
            .where(Delivery.kind == "report").order_by(Delivery.recipient)
        ).all()  # fmt: skip
    assert [(r, locale) for r, locale, _ in rows] == [
        ("eo@kg.example.org", "ru"),  # its party's
        ("head@kg.example.org", "fr"),  # its own
        ("x@kg.example.org", "es"),  # not in the directory: REMINDER_DEFAULT_LOCALE
    ]
    subjects = [subject for _, _, subject in rows]
    assert subjects[0].startswith("Отчёт по ключевым действиям за 2027-02")
    assert subjects[1].startswith("Rapport sur les actions clés, 2027-02")
    assert subjects[2].startswith("Informe de acciones clave")
