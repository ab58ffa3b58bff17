"""Real `run-once` processes stopped at known points, held there by an SMTP server the test
controls (no sleeps): SIGTERM/SIGINT finish the message in flight and exit 0; kill -9 at
random moments resends at most one message per connection, same Message-ID, `ambiguous`,
and loses nothing."""

from __future__ import annotations

import random
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select

from reminder.db import make_session_factory
from reminder.lock import lock_state
from reminder.models import Delivery, DeliveryMessage, ReminderLog, Run
from tests.smtp_server import Recorder, smtp_server
from tests.test_daemon_process import environment, ledger, recipients, reminder, wait_for

__all__ = ["recipients"]  # the fixture, shared with the daemon tests


@pytest.fixture
def held_relay() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as (recorder, port):
        recorder.hold = True
        yield recorder, port


def finish(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(reminder("run-once"), env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def by_recipient(engine: Engine) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        return {d.recipient: d.status for d in session.scalars(select(Delivery))}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_once_stops_on_a_signal_after_the_message_in_flight(
    engine: Engine,
    database_url: str,
    recipients: int,
    held_relay: tuple[Recorder, int],
    tmp_path: Path,
    signum: int,
) -> None:
    recorder, port = held_relay
    env = environment(database_url, port, tmp_path)
    env["REMINDER_SMTP_CONNECTIONS"] = "1"
    run = subprocess.Popen(reminder("run-once"), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        recorder.wait_arrival(process=run)  # the first message is at the relay, unanswered
        run.send_signal(signum)
        recorder.open_gate()
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert "finishing the message in flight" in err
    assert "Stopped on request" in out
    states = ledger(engine)
    assert states == Counter({"sent": 1, "pending": recipients - 1}), states
    assert lock_state(engine, _now()) is None  # released at once
    done = finish(env, tmp_path)
    assert done.returncode == 0, done.stderr
    ids = recorder.message_ids()
    assert len(ids) == len(set(ids)) == recipients  # the rest, and nothing twice
    assert ledger(engine) == Counter({"sent": recipients})


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _empty_ledger(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in (ReminderLog, DeliveryMessage, Delivery, Run):
            connection.execute(delete(table))


CONNECTIONS = 2
TRIALS = 5


def test_kill_9_at_random_moments_resends_at_most_one_message_per_connection(
    engine: Engine,
    database_url: str,
    recipients: int,
    held_relay: tuple[Recorder, int],
    tmp_path: Path,
) -> None:
    recorder, port = held_relay
    env = environment(database_url, port, tmp_path)
    env["REMINDER_SMTP_CONNECTIONS"] = str(CONNECTIONS)
    chance = random.Random(20270115)
    for trial in range(TRIALS):
        _empty_ledger(engine)
        with recorder.lock:
            recorder.received.clear()
        recorder.hold = True
        recorder.arrived = type(recorder.arrived)(0)
        recorder.permits = type(recorder.permits)(0)
        answered = chance.randrange(recipients)  # messages answered before the kill
        run = subprocess.Popen(reminder("run-once"), env=env, cwd=tmp_path, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        try:
            for _ in range(answered):
                recorder.wait_arrival(process=run)
                recorder.let_through()
            recorder.wait_arrival(process=run)  # one more is at the relay, unanswered: kill now
            run.kill()
            run.wait(timeout=30)
        finally:
            if run.poll() is None:
                run.kill()
        recorder.open_gate()
        wait_for(lambda: lock_state(engine, _now()) is None or "sqlite" in database_url)
        done = finish(env, tmp_path)
        assert done.returncode == 0, (trial, done.stderr)
        received = Counter(str(m["To"]) for m in recorder.received)
        states = by_recipient(engine)
        assert len(states) == recipients and set(states.values()) <= {"sent", "ambiguous"}
        duplicates = {to: n for to, n in received.items() if n > 1}
        assert sum(n - 1 for n in duplicates.values()) <= CONNECTIONS, (trial, received)
        assert len(received) == recipients, (trial, received)  # nobody lost
        for to in duplicates:
            ids = {str(m["Message-ID"]) for m in recorder.received if str(m["To"]) == to}
            assert len(ids) == 1, (trial, to, ids)
        ambiguous = {to for to, state in states.items() if state == "ambiguous"}
        assert all(any(a in to for a in ambiguous) for to in duplicates), (trial, states)
        assert len(ambiguous) <= CONNECTIONS, (trial, states)
