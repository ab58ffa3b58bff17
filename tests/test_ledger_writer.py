"""The ledger writer: the senders' claims and outcomes are committed on a connection of their
own, several at once, so a sender goes on while the run's thread is busy elsewhere, and the
crash window stays one row per connection. Runs on SQLite and, in CI, PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reminder import db, ledger, migrate
from reminder.db import make_engine, make_session_factory
from reminder.delivery import make_transport
from reminder.ledger_writer import LedgerWriter
from reminder.models import Delivery
from reminder.sending import Sender
from tests.smtp_server import smtp_server
from tests.test_delivery_e2e import AS_OF, NOW, Clock, smtp_settings


def planned(n: int) -> ledger.PlannedDigest:
    payload = f"Subject: digest {n}\r\nMessage-ID: <{n}@example.org>\r\n\r\nBody {n}.\r\n"
    return ledger.PlannedDigest(
        f"person{n}@example.org", None, AS_OF, f"<{n}@example.org>", f"digest {n}", "en",
        {"overdue": 1}, payload, [],
    )  # fmt: skip


def states(session: Session) -> dict[str, str]:
    session.rollback()  # a fresh read
    return {d.recipient: d.status for d in session.scalars(select(Delivery).order_by(Delivery.id))}


def test_the_sender_goes_on_while_the_runs_thread_does_nothing(
    engine: Engine, database_url: str
) -> None:
    with smtp_server() as (recorder, port), make_session_factory(engine)() as session:
        recorder.hold = True  # each message waits for the test's permit
        rows = ledger.enqueue(session, [planned(n) for n in range(3)], NOW, None)
        session.commit()
        outcomes: list[str] = []
        settings = smtp_settings(database_url, port, smtp_connections=1)
        sender = Sender(session, settings, Clock(NOW), make_transport,
                        lambda _, state: outcomes.append(state))  # fmt: skip
        sender.send(rows)  # fewer than QUEUE_AHEAD: returns at once, serving nothing
        for n in range(3):
            recorder.wait_arrival()
            # The message in flight is the only row `sending`: its claim and the previous
            # message's outcome were committed together, before its body left.
            expected = ["sent"] * n + ["sending"] + ["pending"] * (2 - n)
            assert list(states(session).values()) == expected
            recorder.let_through()
        sender.finish()
        assert outcomes == ["sent"] * 3  # handed to the run's thread, in order
        assert Counter(states(session).values()) == {"sent": 3}


def test_outcomes_recorded_together_each_get_their_own_state(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        rows = ledger.enqueue(session, [planned(n) for n in range(4)], NOW, None)
        session.commit()
        old = ledger.Queued(*[getattr(rows[2], f) for f in ("id", "recipient", "message_id",
                            "digest_day", "payload", "attempts", "maybe_delivered")],
                            created_at=NOW - timedelta(hours=100))  # fmt: skip
        outcomes = [
            ledger.Outcome(rows[0], "sent"),
            ledger.Outcome(rows[1], "deferred", "451 try later"),
            ledger.Outcome(old, "deferred", "451 still later"),
            ledger.Outcome(rows[3], "released", "cannot connect"),
        ]
        statements = ledger.SenderStatements(engine.dialect)
        with engine.connect() as connection, connection.begin():
            cursor = connection.connection.cursor()
            for row in rows:
                assert statements.claim(cursor, row, NOW)
            found = statements.record_many(cursor, outcomes, NOW, timedelta(hours=72))
        assert found == ["sent", "deferred", "failed", "pending"]
        session.rollback()
        by_id = {d.id: d for d in session.scalars(select(Delivery).order_by(Delivery.id))}
        assert [by_id[row.id].status for row in rows] == found
        assert by_id[rows[1].id].next_attempt_at is not None
        assert by_id[rows[2].id].last_error == "gave up after 1 attempts: 451 still later"
        assert by_id[rows[3].id].attempts == 0  # a released attempt does not count


def test_a_writer_that_cannot_reach_the_database_still_answers_every_turn(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"  # the database's folder is a file: every connect fails
    blocker.write_text("")
    writer = LedgerWriter(make_engine(f"sqlite:///{blocker / 'reminder.sqlite'}"), Clock(NOW),
                          timedelta(hours=72), lambda: True)  # fmt: skip
    row = ledger.Queued(1, "a@example.org", "<1@example.org>", AS_OF, "x", 0, False, NOW)
    assert writer.turn(None, row) is False  # answered, not claimed: the sender stops
    writer.close()
    assert isinstance(writer.failure, Exception)  # for the run's thread to raise


def test_a_claim_whose_commit_fails_is_not_won(engine: Engine) -> None:
    """The claim's UPDATE succeeds but its commit does not: the sender must not send, and the
    row stays pending for the next run (a systemic failure leaves rows pending)."""
    from sqlalchemy import event

    with make_session_factory(engine)() as session:
        rows = ledger.enqueue(session, [planned(0)], NOW, None)
        session.commit()
        writer = LedgerWriter(engine, Clock(NOW), timedelta(hours=72), lambda: True)

        def refuse(connection: object) -> None:
            raise RuntimeError("disk full")  # as a failing COMMIT would

        event.listen(engine, "commit", refuse)
        try:
            assert writer.turn(None, rows[0]) is False
        finally:
            event.remove(engine, "commit", refuse)
            writer.close()
        assert isinstance(writer.failure, RuntimeError)
        assert list(states(session).values()) == ["pending"]


def test_during_a_run_the_wal_is_checkpointed_by_the_run_not_by_a_commit(tmp_path: Path) -> None:
    """SQLite: while a ledger writer is open, this process's commits leave the WAL alone
    (a checkpoint inside a commit held up every sender); `checkpoint()` copies all of it,
    and closing the writer gives the WAL back to SQLite's own checkpoints."""
    database = tmp_path / "reminder.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)

    def autocheckpoint() -> int:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    def wal_frames() -> tuple[int, int]:  # (frames in the WAL, frames copied to the database)
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return int(row[1]), int(row[2])

    assert autocheckpoint() == 1000
    writer = LedgerWriter(engine, Clock(NOW), timedelta(hours=72), lambda: True)
    try:
        assert autocheckpoint() == 0
        wal_frames()
        size_before = database.stat().st_size
        with make_session_factory(engine)() as session:
            big = [replace(planned(n), payload="x" * 20_000) for n in range(300)]
            rows = ledger.enqueue(session, big, NOW, None)
            session.commit()  # about 1,500 pages: a commit would have checkpointed them
            assert database.stat().st_size == size_before  # all of it still in the WAL
        assert writer.turn(None, rows[0])
        writer.checkpoint()
        written, copied = wal_frames()
        assert written == copied  # everything in the database, the WAL can start over
        assert database.stat().st_size > size_before + 5_000_000
    finally:
        writer.close()
    assert autocheckpoint() == 1000
    engine.dispose()


def test_a_checkpoint_a_reader_held_back_is_finished_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planner reading an older snapshot keeps part of the WAL from being copied; the run's
    thread tries again while it waits (`checkpoint_due`), so the WAL can start over."""
    monkeypatch.setattr("reminder.ledger_writer.CHECKPOINT_RETRY", 0.0)
    database = tmp_path / "reminder.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    writer = LedgerWriter(engine, Clock(NOW), timedelta(hours=72), lambda: True)
    sessions = make_session_factory(engine)
    reader = sqlite3.connect(database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM deliveries").fetchall()  # a snapshot, held
        with sessions() as session:
            ledger.enqueue(session, [replace(planned(n), payload="x" * 20_000) for n in range(50)],
                           NOW, None)  # fmt: skip
            session.commit()
            writer.checkpoint()
            assert writer.held_back  # the reader's snapshot held the batch's pages back
            writer.checkpoint_due()
            assert writer.held_back  # still reading
            reader.execute("COMMIT")
            writer.checkpoint_due()
            assert not writer.held_back
    finally:
        reader.close()
        writer.close()
    engine.dispose()


def test_a_planned_batch_is_written_in_parts_only_for_smtp_senders_on_sqlite() -> None:
    from reminder.pipeline import WRITE_CHUNK, _write_parts

    batch = [planned(n) for n in range(2 * WRITE_CHUNK + 3)]
    parts = _write_parts(batch, in_parts=True)
    assert [len(part) for part in parts] == [WRITE_CHUNK, WRITE_CHUNK, 3]
    assert [d for part in parts for d in part] == batch  # in order, nothing left out
    assert _write_parts(batch, in_parts=False) == [batch]
    assert _write_parts([], in_parts=True) == [[]]


def test_while_only_the_senders_write_the_run_checkpoints_every_few_hundred_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the last batch (a slow relay still sending) no batch triggers a checkpoint: the
    run's thread makes one after CHECKPOINT_TURNS of the senders' commits."""
    monkeypatch.setattr("reminder.ledger_writer.CHECKPOINT_TURNS", 3)
    made: list[bool] = []
    checkpoint = db.checkpoint

    def counted(engine: Engine) -> bool:
        made.append(checkpoint(engine))
        return made[-1]

    database = tmp_path / "reminder.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    writer = LedgerWriter(engine, Clock(NOW), timedelta(hours=72), lambda: True)
    try:
        with make_session_factory(engine)() as session:
            rows = ledger.enqueue(session, [planned(n) for n in range(4)], NOW, None)
            session.commit()
        writer.checkpoint()
        monkeypatch.setattr(db, "checkpoint", counted)
        assert writer.turn(None, rows[0]) and writer.turn(None, rows[1])
        writer.checkpoint_due()
        assert made == []  # two turns: not yet
        assert writer.turn(None, rows[2])
        writer.checkpoint_due()
        assert made == [True, True]  # beside the senders, then in the writer's turn
        writer.checkpoint_due()
        assert made == [True, True]  # and not again until three more turns
    finally:
        writer.close()
    engine.dispose()
