"""End to end against a real SMTP server on loopback: what arrives, and what the ledger says.
Runs on SQLite and, in CI, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from reminder import pipeline
from reminder.config import Settings, load_settings
from reminder.db import make_session_factory
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Delivery
from tests.conftest import EXAMPLES
from tests.smtp_server import Recorder, smtp_server

AS_OF = date(2027, 1, 15)  # the example data is dated around this Friday
NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)  # 09:00 in Bishkek
EXPECTED = {  # recipient -> number of key actions in their digest, per the example data
    "aida.bekova@unwomen.example.org": 4,
    "gulnara.toktosunova@unwomen.example.org": 1,
    "marat.dzhumabaev@ilo.example.org": 3,
    "timur.ismailov@iom.example.org": 3,
    "nurlan.osmonov@unwomen.example.org": 1,
    "sara.lindqvist@ilo.example.org": 1,
    "evaluation.office@kg.example.org": 1,
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sessions(engine) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine)
    with factory() as session:
        load_directory(session, read_directory(EXAMPLES / "directory.csv"), NOW)
        path = EXAMPLES / "fergana-valley-management-response.txt"
        load_batch(session, read_file(path, load_resolver(session)), NOW)
        session.commit()
    return factory


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as running:
        yield running


def smtp_settings(database_url: str, port: int, **extra: object) -> Settings:
    return load_settings(database_url=database_url, transport="smtp", smtp_host="127.0.0.1",
                         smtp_port=port, smtp_tls="none", timezone="Asia/Bishkek",
                         evaluation_office="evaluation.office@kg.example.org",
                         sender="M&E reminders <reminders@kg.example.org>", **extra)  # fmt: skip


def run(settings: Settings, sessions: sessionmaker[Session], clock: Clock,
        as_of: date = AS_OF) -> pipeline.RunReport:  # fmt: skip
    return pipeline.run_once(settings, sessions, as_of, clock)


def statuses(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        return {d.recipient: d.status for d in session.scalars(select(Delivery))}


@pytest.mark.parametrize("write_chunk", [pipeline.WRITE_CHUNK, 1])
def test_each_recipient_gets_one_digest_and_a_rerun_sends_nothing(
    sessions: sessionmaker[Session], server: tuple[Recorder, int], database_url: str,
    write_chunk: int, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # With 1, SQLite writes each planned digest in a transaction of its own (see _write_parts).
    monkeypatch.setattr(pipeline, "WRITE_CHUNK", write_chunk)
    recorder, port = server
    settings = smtp_settings(database_url, port)
    report = run(settings, sessions, Clock(NOW))
    assert report.ok and report.sent == len(EXPECTED)
    for address, count in EXPECTED.items():
        [message] = recorder.to(address)
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert text.count("\n  * ") == count, address
        assert html.count('<tr><td style="padding:10px 12px;') == count, address
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Id"] == "<key-action-reminders.reminder.localhost>"
        assert message["Message-ID"].startswith("<digest.20270115.")
    aida = recorder.to("aida.bekova@unwomen.example.org")[0]
    assert aida["Subject"] == "2 overdue, 2 due soon: key actions for UN Women"
    assert (
        "Shared with: International Organization for Migration"
        in aida.get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]
    assert (
        "Здравствуйте"
        in recorder.to("nurlan.osmonov@unwomen.example.org")[0].get_body(("plain",)).get_content()
    )  # type: ignore[union-attr]

    again = run(settings, sessions, Clock(NOW + timedelta(hours=5)))
    assert (again.planned, again.sent) == (0, 0)
    assert len(recorder.received) == len(EXPECTED)


def test_a_550_fails_only_that_recipient(sessions: sessionmaker[Session],
                                         server: tuple[Recorder, int], database_url: str) -> None:  # fmt: skip
    recorder, port = server
    recorder.rcpt_replies["marat.dzhumabaev@ilo.example.org"] = "550 5.1.1 No such user"
    report = run(smtp_settings(database_url, port), sessions, Clock(NOW))
    assert not report.ok and report.failed == 1 and report.sent == len(EXPECTED) - 1
    assert statuses(sessions)["marat.dzhumabaev@ilo.example.org"] == "failed"
    assert "550 5.1.1 No such user" in report.failures[0]["error"]
    assert recorder.to("marat.dzhumabaev@ilo.example.org") == []


def test_a_451_is_deferred_and_delivered_by_a_later_run(sessions: sessionmaker[Session],
                                                        server: tuple[Recorder, int],
                                                        database_url: str) -> None:  # fmt: skip
    recorder, port = server
    settings = smtp_settings(database_url, port)
    recorder.rcpt_replies["timur.ismailov@iom.example.org"] = "451 4.3.0 Try again later"
    report = run(settings, sessions, Clock(NOW))
    assert report.ok and report.deferred == 1
    with sessions() as session:
        row = session.scalars(select(Delivery).where(
            Delivery.recipient == "timur.ismailov@iom.example.org")).one()  # fmt: skip
        assert row.status == "deferred" and row.next_attempt_at == NOW + timedelta(minutes=5)
    del recorder.rcpt_replies["timur.ismailov@iom.example.org"]
    too_soon = run(settings, sessions, Clock(NOW + timedelta(minutes=1)))
    assert too_soon.sent == 0  # backoff respected
    later = run(settings, sessions, Clock(NOW + timedelta(minutes=6)))
    assert later.sent == 1 and later.planned == 0
    assert len(recorder.to("timur.ismailov@iom.example.org")) == 1
    assert statuses(sessions)["timur.ismailov@iom.example.org"] == "sent"


def test_dropped_connection_after_data_resends_with_the_same_message_id(
    sessions: sessionmaker[Session], server: tuple[Recorder, int], database_url: str
) -> None:
    recorder, port = server
    settings = smtp_settings(database_url, port)
    recorder.drop_after_data.add("aida.bekova@unwomen.example.org")
    report = run(settings, sessions, Clock(NOW))
    assert report.deferred == 1 and report.sent == len(EXPECTED) - 1
    recorder.drop_after_data.clear()
    later = run(settings, sessions, Clock(NOW + timedelta(minutes=10)))
    assert later.ambiguous == 1
    first, second = recorder.to("aida.bekova@unwomen.example.org")
    assert first["Message-ID"] == second["Message-ID"]
    assert statuses(sessions)["aida.bekova@unwomen.example.org"] == "ambiguous"


def test_a_refused_login_sends_nothing_and_fails_nothing(sessions: sessionmaker[Session],
                                                         database_url: str) -> None:  # fmt: skip
    with smtp_server(refuse_login=True) as (recorder, port):
        settings = smtp_settings(database_url, port, smtp_username="reminder",
                                 smtp_password="wrong")  # fmt: skip
        report = run(settings, sessions, Clock(NOW))
    assert not report.ok and "refused the login" in (report.systemic_error or "")
    assert recorder.received == []
    assert set(statuses(sessions).values()) == {"pending"}
    with sessions() as session:
        assert {d.attempts for d in session.scalars(select(Delivery))} == {0}


def test_a_run_that_died_while_sending_is_resent_once_and_marked_ambiguous(
    sessions: sessionmaker[Session], server: tuple[Recorder, int], database_url: str
) -> None:
    recorder, port = server
    settings = smtp_settings(database_url, port)
    report = run(settings, sessions, Clock(NOW))
    assert report.sent == len(EXPECTED)
    with sessions() as session:  # as if the process died after DATA, before recording it
        session.execute(update(Delivery).where(Delivery.recipient == "sara.lindqvist@ilo.example.org")
                        .values(status="sending", updated_at=NOW))  # fmt: skip
        session.commit()
    # The next run holds the lock, so no other run is sending that row: resend it at once.
    later = run(settings, sessions, Clock(NOW + timedelta(minutes=1)))
    assert (later.recovered, later.ambiguous, later.sent) == (1, 1, 0)
    first, second = recorder.to("sara.lindqvist@ilo.example.org")
    assert first["Message-ID"] == second["Message-ID"]
    assert statuses(sessions)["sara.lindqvist@ilo.example.org"] == "ambiguous"


def test_html_in_action_text_is_escaped_in_the_html_part(engine, server: tuple[Recorder, int],  # type: ignore[no-untyped-def]
                                                         database_url: str, tmp_path: Path) -> None:  # fmt: skip
    recorder, port = server
    factory = make_session_factory(engine)
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("Key action,Responsible,Deadline,Status\n"
                       "\"<script>alert(1)</script> & <b>bold</b>\",UN Women,2027-01-10,Initiated\n")  # fmt: skip
    with factory() as session:
        load_directory(session, read_directory(EXAMPLES / "directory.csv"), NOW)
        load_batch(session, read_file(tracker, load_resolver(session)), NOW)
        session.commit()
    run(smtp_settings(database_url, port), factory, Clock(NOW))
    [message] = recorder.to("aida.bekova@unwomen.example.org")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>bold" not in html
    assert "<script>alert(1)</script> & <b>bold</b>" in text


def test_many_batches_render_in_worker_processes_with_the_same_result(
    sessions: sessionmaker[Session],
    server: tuple[Recorder, int],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reminder import planning

    monkeypatch.setattr(planning, "BATCH_RECIPIENTS", 2)  # 7 recipients: 4 batches, 2 workers
    recorder, port = server
    report = run(smtp_settings(database_url, port), sessions, Clock(NOW))
    assert report.ok and report.planned == report.sent == len(EXPECTED)
    for address, count in EXPECTED.items():
        [message] = recorder.to(address)
        assert message.get_body(("plain",)).get_content().count("\n  * ") == count  # type: ignore[union-attr]


def test_the_first_batch_is_planned_in_the_run_s_process_while_the_workers_start(
    sessions: sessionmaker[Session],
    server: tuple[Recorder, int],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers are new interpreters (spawned): what this process plans is what it records."""
    from reminder import planning, planning_workers

    monkeypatch.setattr(planning, "BATCH_RECIPIENTS", 2)  # 7 recipients: 4 batches
    planned_here: list[set[str]] = []
    plan_batch = planning_workers.plan_batch

    def recorded(finder, renderer, batch, now):  # type: ignore[no-untyped-def]
        planned_here.append(set(batch.emails))
        return plan_batch(finder, renderer, batch, now)

    monkeypatch.setattr(planning_workers, "plan_batch", recorded)
    recorder, port = server
    report = run(smtp_settings(database_url, port), sessions, Clock(NOW))
    assert report.ok and report.sent == len(EXPECTED) == len(recorder.received)
    [first] = planned_here  # one batch here; the other three in the workers
    assert len(first) == 2 and first < set(EXPECTED)


def test_each_batch_goes_to_the_senders_as_soon_as_it_is_planned(
    sessions: sessionmaker[Session],
    server: tuple[Recorder, int],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without depending on machine speed: the senders are handed every planned batch on its
    own (their total grows batch by batch), not everything once planning is over."""
    from reminder import planning

    monkeypatch.setattr(planning, "BATCH_RECIPIENTS", 2)
    totals: list[int] = []

    class Watch:  # a Progress: what the sending bar was told
        def advance(self, n: int = 1) -> None:
            pass

        def grow(self, total: int) -> None:
            totals.append(total)

    hooks = pipeline.Hooks(sending=Watch())
    recorder, port = server
    settings = smtp_settings(database_url, port)
    report = pipeline.run_once(settings, sessions, AS_OF, Clock(NOW), hooks=hooks)
    assert report.ok and report.sent == len(EXPECTED) == len(recorder.received)
    handed = [total for total in totals if total]
    assert len(handed) >= 3 and handed == sorted(handed) and handed[-1] == len(EXPECTED)


def test_a_systemic_failure_mid_plan_still_plans_everyone_and_sends_nothing_more(
    sessions: sessionmaker[Session], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reminder import planning

    monkeypatch.setattr(planning, "BATCH_RECIPIENTS", 2)
    with smtp_server(refuse_login=True) as (recorder, port):
        settings = smtp_settings(database_url, port, smtp_username="reminder",
                                 smtp_password="wrong")  # fmt: skip
        report = run(settings, sessions, Clock(NOW))
    assert report.planned == len(EXPECTED) and "refused the login" in (report.systemic_error or "")
    assert recorder.received == []
    assert list(statuses(sessions).values()).count("pending") == len(EXPECTED)
    with sessions() as session:
        assert {d.attempts for d in session.scalars(select(Delivery))} == {0}


def test_actions_over_the_digest_limit_follow_on_the_next_sending_day(
    sessions: sessionmaker[Session], server: tuple[Recorder, int], database_url: str
) -> None:
    recorder, port = server
    settings = smtp_settings(database_url, port, policy={"max_actions_per_digest": 1})
    friday = run(settings, sessions, Clock(NOW))
    assert friday.ok and friday.by_reason.total() == len(EXPECTED)  # one listed per digest
    [first] = recorder.to("aida.bekova@unwomen.example.org")
    text = first.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("\n  * ") == 1
    assert "lists the 1 most urgent of 4 key actions. The other 3 are not listed" in text
    assert first["Subject"] == "2 overdue, 2 due soon: key actions for UN Women"  # all due
    html = first.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "The other 3 are not listed here" in html

    monday = run(settings, sessions, Clock(NOW + timedelta(days=3)), as_of=date(2027, 1, 18))
    assert monday.ok
    _, second = recorder.to("aida.bekova@unwomen.example.org")
    listed = [
        line
        for line in second.get_body(("plain",)).get_content().splitlines()  # type: ignore[union-attr]
        if line.startswith("  * ")
    ]
    assert len(listed) == 1 and listed[0] not in text  # the next one, not Friday's again
