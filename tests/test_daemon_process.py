"""Real processes: SIGTERM mid-batch, two `run-once` at once, and `run-once` during a daemon
run, each leaving every digest sent exactly once (counted on a real SMTP server).

The relay holds every DATA until the test opens its gate, so a process is held inside its run
at a known point for as long as the test needs: no sleeps, nothing depends on machine speed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
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
def held_relay() -> Iterator[tuple[Recorder, int]]:
    """A relay that answers no DATA until the test calls `recorder.gate.set()`."""
    with smtp_server() as (recorder, port):
        recorder.gate.clear()
        yield recorder, port


class Log:
    """A process's stderr, read as it comes (so the test can wait for a line)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def environment(database_url: str, port: int, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_")}
    env.update(REMINDER_DATABASE_URL=database_url, REMINDER_TRANSPORT="smtp",
               REMINDER_SMTP_HOST="127.0.0.1", REMINDER_SMTP_PORT=str(port),
               REMINDER_SMTP_TLS="none", REMINDER_WORKDAYS=EVERY_DAY,
               # The relay answers when the test says so, however long that takes on a busy
               # machine; the client's timeout must not decide first.
               REMINDER_SMTP_TIMEOUT="900",
               REMINDER_SCHEDULE="* * * * *", REMINDER_TIMEZONE="UTC",
               REMINDER_HEARTBEAT_FILE=str(tmp_path / "heartbeat"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    return env


def reminder(*args: str) -> list[str]:
    return [sys.executable, "-m", "reminder.cli", *args]


# Bounds for a hung process only: nothing waits for time to pass.
HUNG = 300.0


def wait_for(condition, timeout: float = HUNG) -> None:  # type: ignore[no-untyped-def]
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
    held_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = held_relay
    env = environment(database_url, port, tmp_path)
    env["REMINDER_SMTP_CONNECTIONS"] = "1"  # one message in flight when SIGTERM lands
    daemon = subprocess.Popen(reminder("daemon"), env=env, cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    log = Log(daemon)
    try:
        wait_for(recorder.in_data.is_set)  # the first message is in flight, its reply held
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: "finishing the message in flight" in log.text())
        recorder.gate.set()
        code = daemon.wait(timeout=HUNG)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    log.reader.join(timeout=10)
    assert code == 0, log.text()
    assert "alembic" not in log.text()  # no migration ran, so no Alembic chatter
    states = ledger(engine)
    assert states["sending"] == 0 and states["sent"] == len(recorder.received) < recipients, (
        log.text()
    )
    assert states["sent"] + states["pending"] == recipients
    finish = subprocess.run(reminder("run-once"), env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=HUNG)  # fmt: skip
    assert finish.returncode == 0, finish.stderr
    assert_each_sent_once(recorder, recipients)
    assert ledger(engine) == Counter({"sent": recipients})


def test_two_run_once_at_the_same_time_send_each_digest_once(
    engine: Engine,
    database_url: str,
    recipients: int,
    held_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = held_relay
    env = environment(database_url, port, tmp_path)
    runs = [subprocess.Popen(reminder("run-once"), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    # Whichever takes the lock is held at DATA; the other must find the lock taken and stop.
    wait_for(lambda: any(run.poll() is not None for run in runs))
    recorder.gate.set()
    outputs = [run.communicate(timeout=HUNG) for run in runs]
    results = [(run.returncode, err) for run, (_, err) in zip(runs, outputs, strict=True)]
    assert sorted(code for code, _ in results) == [0, 75], results
    assert any("Another run holds the lock" in err for _, err in results)
    assert_each_sent_once(recorder, recipients)
    assert ledger(engine) == Counter({"sent": recipients})


def test_run_once_during_a_daemon_run(
    engine: Engine,
    database_url: str,
    recipients: int,
    held_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = held_relay
    env = environment(database_url, port, tmp_path)
    daemon = subprocess.Popen(reminder("daemon"), env=env, cwd=tmp_path, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    log = Log(daemon)
    try:
        wait_for(recorder.in_data.is_set)  # the daemon is inside its run, holding the lock
        during = subprocess.run(reminder("run-once"), env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=HUNG)  # fmt: skip
        assert during.returncode == 75 and "Another run holds the lock" in during.stderr
        recorder.gate.set()
        wait_for(lambda: ledger(engine)["sent"] == recipients)
        health = subprocess.run(reminder("health"), env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=HUNG)  # fmt: skip
        assert health.returncode == 0, health.stderr
    finally:
        recorder.gate.set()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=HUNG) == 0, log.text()
    assert_each_sent_once(recorder, recipients)
