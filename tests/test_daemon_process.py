"""Real processes: SIGTERM mid-batch, two `run-once` at once, and `run-once` during a daemon
run, each leaving every digest sent exactly once (counted on a real SMTP server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from reminder.db import make_session_factory
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Delivery
from tests.conftest import EXAMPLES, ROOT
from tests.smtp_server import Recorder, smtp_server

EVERY_DAY = '["mon","tue","wed","thu","fri","sat","sun"]'


@pytest.fixture
def recipients(engine: Engine, tmp_path: Path) -> int:
    """Actions due relative to the real today, so the daemon (which reads the clock) has work."""
    today = datetime.now(UTC).date()
    rows = [("Overdue long", "UN Women", today - timedelta(days=40)),
            ("Overdue", "IOM", today - timedelta(days=10)),
            ("Overdue too", "ILO", today - timedelta(days=5)),
            ("Soon", "ILO and UN Women", today + timedelta(days=6))]  # fmt: skip
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("Key action,Responsible,Deadline,Status\n"
                       + "".join(f"{a},{r},{d.isoformat()},Initiated\n" for a, r, d in rows))  # fmt: skip
    with make_session_factory(engine)() as session:
        now = datetime.now(UTC)
        load_directory(session, read_directory(EXAMPLES / "directory.csv"), now)
        load_batch(session, read_file(tracker, load_resolver(session)), now)
        session.commit()
    return 4  # UN Women, IOM (or its alternate), ILO, and UN Women's escalation contact


@pytest.fixture
def slow_relay() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as (recorder, port):
        recorder.delay = 0.7
        yield recorder, port


def environment(database_url: str, port: int, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_")}
    env.update(REMINDER_DATABASE_URL=database_url, REMINDER_TRANSPORT="smtp",
               REMINDER_SMTP_HOST="127.0.0.1", REMINDER_SMTP_PORT=str(port),
               REMINDER_SMTP_TLS="none", REMINDER_WORKDAYS=EVERY_DAY,
               REMINDER_SCHEDULE="* * * * *", REMINDER_TIMEZONE="UTC",
               REMINDER_HEARTBEAT_FILE=str(tmp_path / "heartbeat"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    return env


def reminder(*args: str) -> list[str]:
    return [sys.executable, "-m", "reminder.cli", *args]


def wait_for(condition, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def ledger(engine: Engine) -> Counter[str]:
    with make_session_factory(engine)() as session:
        return Counter(d.status for d in session.scalars(select(Delivery)))


def assert_each_sent_once(recorder: Recorder, expected: int) -> None:
    ids = recorder.message_ids()
    assert len(ids) == expected and len(set(ids)) == expected


def test_sigterm_mid_batch_exits_0_and_loses_nothing(
    engine: Engine,
    database_url: str,
    recipients: int,
    slow_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = slow_relay
    recorder.delay, recorder.hold = 0.0, True  # the first message waits for the test
    env = environment(database_url, port, tmp_path)
    env["REMINDER_SMTP_CONNECTIONS"] = "1"  # one message at a time, so SIGTERM lands mid-batch
    daemon = subprocess.Popen(reminder("daemon"), env=env, cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        recorder.wait_arrival(timeout=120)
        daemon.send_signal(signal.SIGTERM)
        recorder.open_gate()
        code = daemon.wait(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    log = daemon.stderr.read() if daemon.stderr else ""
    assert code == 0, log
    assert "finishing the message in flight" in log
    states = ledger(engine)
    assert states["sending"] == 0 and states["sent"] == len(recorder.received) < recipients, log
    assert states["sent"] + states["pending"] == recipients
    finish = subprocess.run(reminder("run-once"), env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert finish.returncode == 0, finish.stderr
    assert_each_sent_once(recorder, recipients)
    assert ledger(engine) == Counter({"sent": recipients})


def test_two_run_once_at_the_same_time_send_each_digest_once(
    engine: Engine,
    database_url: str,
    recipients: int,
    slow_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = slow_relay
    env = environment(database_url, port, tmp_path)
    runs = [subprocess.Popen(reminder("run-once"), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    results = [(run.wait(timeout=60), run.stderr.read() if run.stderr else "") for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 75]), results
    if codes == [0, 75]:
        assert any("Another run holds the lock" in err for _, err in results)
    assert_each_sent_once(recorder, recipients)
    assert ledger(engine) == Counter({"sent": recipients})


def test_run_once_during_a_daemon_run(
    engine: Engine,
    database_url: str,
    recipients: int,
    slow_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = slow_relay
    recorder.delay, recorder.hold = 0.0, True  # the daemon's run waits inside its first message
    env = environment(database_url, port, tmp_path)
    env["REMINDER_SMTP_CONNECTIONS"] = "1"
    daemon = subprocess.Popen(reminder("daemon"), env=env, cwd=tmp_path, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        recorder.wait_arrival(timeout=120)
        during = subprocess.run(reminder("run-once"), env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        recorder.open_gate()
        assert during.returncode == 75 and "Another run holds the lock" in during.stderr
        wait_for(lambda: ledger(engine)["sent"] == recipients)
        health = subprocess.run(reminder("health"), env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=30)  # fmt: skip
        assert health.returncode == 0, health.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
    assert_each_sent_once(recorder, recipients)
