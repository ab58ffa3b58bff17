"""Every way the transport can fail to start is systemic: nothing is sent, the rows go back to
`pending` (never left `sending`, never `ambiguous`), the attempt does not count, and the run
says why; a later run with the fault fixed sends each digest once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reminder import pipeline
from reminder.config import Settings
from reminder.models import Delivery
from tests.smtp_server import free_port, smtp_server
from tests.test_delivery_e2e import AS_OF, EXPECTED, NOW, Clock, sessions, smtp_settings

__all__ = ["sessions"]  # the fixture


def unreadable_password(url: str, port: int, tmp_path: Path) -> Settings:
    return smtp_settings(url, port, smtp_username="reminder",
                         smtp_password_file=tmp_path / "no-such-secret")  # fmt: skip


def starttls_not_offered(url: str, port: int, tmp_path: Path) -> Settings:
    settings = smtp_settings(url, port)
    return settings.model_copy(update={"smtp_tls": "starttls"})


def nobody_listening(url: str, port: int, tmp_path: Path) -> Settings:
    return smtp_settings(url, free_port())


def login_refused(url: str, port: int, tmp_path: Path) -> Settings:
    return smtp_settings(url, port, smtp_username="reminder", smtp_password="wrong")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (unreadable_password, "smtp_password_file (REMINDER_SMTP_PASSWORD_FILE): cannot read"),
        (starttls_not_offered, "does not offer STARTTLS"),
        (nobody_listening, "cannot connect to 127.0.0.1"),
        (login_refused, "refused the login"),
    ],
)
def test_a_transport_that_cannot_start_leaves_every_row_pending(
    sessions: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    fault: Callable[[str, int, Path], Settings],
    reason: str,
) -> None:
    with smtp_server(refuse_login=fault is login_refused) as (recorder, port):
        report = pipeline.run_once(fault(database_url, port, tmp_path), sessions, AS_OF, Clock(NOW))
        assert reason in (report.systemic_error or ""), report.systemic_error
        assert not report.ok and report.sent == report.ambiguous == report.failed == 0
        assert recorder.received == []
        with sessions() as session:
            rows = session.scalars(select(Delivery)).all()
            assert len(rows) == len(EXPECTED)
            assert {(d.status, d.attempts, d.maybe_delivered) for d in rows} == {
                ("pending", 0, False)
            }
        fixed = pipeline.run_once(smtp_settings(database_url, port), sessions, AS_OF, Clock(NOW))
    assert fixed.ok and fixed.sent == len(EXPECTED) and fixed.ambiguous == 0
    assert len(recorder.message_ids()) == len(set(recorder.message_ids())) == len(EXPECTED)
