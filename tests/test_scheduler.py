"""The daemon's steps with a controlled clock: fire times in Bishkek and across Berlin's DST
changes, one digest per local day, and a missed fire made up at start."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import Engine, select

from reminder.config import Settings, load_settings
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Delivery
from reminder.schedule import just_after
from reminder.scheduler import MISFIRE_GRACE_SECONDS, Daemon, Runner
from tests.conftest import FIXTURES

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def overdue_every_day(engine: Engine, tmp_path: Path) -> Engine:
    """One action long overdue, reminded daily: every local day has exactly one digest due."""
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "Key action,Responsible,Deadline,Status\nFinish it,UN Women,2026-01-31,Initiated\n"
    )
    from reminder.db import make_session_factory

    with make_session_factory(engine)() as session:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        load_directory(session, read_directory(FIXTURES / "agencies.csv"), now)
        load_batch(session, read_file(tracker, load_resolver(session)), now)
        session.commit()
    return engine


def settings_for(database_url: str, tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "outbox_dir": tmp_path / "outbox",
        "heartbeat_file": tmp_path / "heartbeat",
        "workdays": EVERY_DAY,
    }
    values.update(extra)
    return load_settings(**values)


def fire_times(runner: Runner, start: datetime, end: datetime) -> list[datetime]:
    """The instants APScheduler's trigger yields between start and end."""
    times, previous = [], None
    moment = runner.trigger.get_next_fire_time(None, start)
    while moment is not None and moment < end:
        times.append(moment)
        previous = moment
        moment = runner.trigger.get_next_fire_time(previous, just_after(moment))
    return times


def test_scheduler_fires_weekdays_at_eight_in_bishkek(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path, timezone="Asia/Bishkek", schedule="0 8 * * 1-5")
    with freeze_time(
        "2027-01-15 03:00:00+00:00"
    ):  # Friday 09:00 in Bishkek: today's fire has passed
        daemon = Daemon(Runner(settings, engine))
        daemon.scheduler.start(paused=True)
        try:
            job = daemon.scheduler.get_job("digests")
            assert job.next_run_time == datetime(2027, 1, 18, 8, 0, tzinfo=ZoneInfo("Asia/Bishkek"))
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (
                True,
                1,
                MISFIRE_GRACE_SECONDS,
            )
            assert daemon.scheduler.get_job("retries") is not None
        finally:
            daemon.scheduler.shutdown(wait=False)
    week = fire_times(
        daemon.runner, datetime(2027, 1, 11, tzinfo=UTC), datetime(2027, 1, 18, tzinfo=UTC)
    )
    assert [t.astimezone(UTC).hour for t in week] == [2] * 5  # 08:00 at UTC+6
    assert [t.strftime("%a") for t in week] == ["Mon", "Tue", "Wed", "Thu", "Fri"]  # crontab 1-5


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (
            datetime(2026, 3, 27, tzinfo=UTC),
            ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"],
        ),  # 02:30 is skipped on the 29th
        (
            datetime(2026, 10, 23, tzinfo=UTC),
            ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"],
        ),  # 02:30 happens twice on the 25th
    ],
)
def test_one_digest_per_local_day_across_dst_in_berlin(
    overdue_every_day: Engine, database_url: str, tmp_path: Path, start: datetime, days: list[str]
) -> None:
    settings = settings_for(
        database_url,
        tmp_path,
        timezone="Europe/Berlin",
        schedule="30 2 * * *",
        policy={"overdue_repeat_days": 1},
    )
    runner = Runner(settings, overdue_every_day)
    fires = fire_times(runner, start, start + timedelta(days=4))
    for instant in fires:
        with freeze_time(instant):
            report = runner.run("schedule")
            assert report is not None and report.ok
    with runner.sessions() as session:
        per_day = Counter(d.digest_day.isoformat() for d in session.scalars(select(Delivery)))
    assert per_day == dict.fromkeys(days, 1)
    assert len(fires) >= len(days)  # the repeated hour may fire twice; the ledger sends once


def test_a_missed_fire_is_made_up_at_start(
    overdue_every_day: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, tmp_path, timezone="Asia/Bishkek", schedule="0 8 * * *")
    runner = Runner(settings, overdue_every_day)
    with freeze_time("2026-03-02 05:00:00+00:00"):  # 11:00 local: the 08:00 fire was missed
        missed = runner.missed_fire()
        assert missed == datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Bishkek"))
        daemon = Daemon(runner)
        daemon.fire("catch-up")
        assert runner.missed_fire() is None  # the catch-up run counts
    with freeze_time("2026-03-03 01:00:00+00:00"):  # 07:00 next day: nothing missed yet
        assert runner.missed_fire() is None
    with freeze_time("2026-03-04 03:00:00+00:00"):  # the daemon was down over the 3rd and 4th
        assert runner.missed_fire() == datetime(2026, 3, 4, 8, 0, tzinfo=ZoneInfo("Asia/Bishkek"))


def test_a_held_lock_skips_the_run(
    overdue_every_day: Engine, database_url: str, tmp_path: Path
) -> None:
    from reminder.lock import RunLockHandle

    runner = Runner(settings_for(database_url, tmp_path), overdue_every_day)
    other = RunLockHandle(overdue_every_day, runner.clock)
    assert other.acquire()
    try:
        assert runner.run("schedule") is None
    finally:
        other.release()
    assert runner.run("schedule") is not None


def test_postgresql_lock_is_per_schema(postgres_url: str | None) -> None:
    """Advisory locks are database-wide: a deployment in another schema of the same database
    must neither block this one nor show up as this one's holder."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from reminder import clock
    from reminder.db import make_engine
    from reminder.lock import RunLockHandle, lock_state

    if postgres_url is None:
        pytest.skip("PostgreSQL tests need REMINDER_TEST_DATABASE_URL (set by .ci/run)")
    ours = make_engine(postgres_url)
    other_schema = f"reminder_other_{uuid.uuid4().hex[:8]}"
    with ours.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other_schema}"'))
    other_url = make_url(postgres_url).update_query_dict(
        {"options": f"-csearch_path={other_schema}"}
    )
    theirs = make_engine(other_url.render_as_string(hide_password=False))
    try:
        held_elsewhere = RunLockHandle(theirs, clock.now_utc)
        assert held_elsewhere.acquire()
        assert lock_state(ours, clock.now_utc()) is None
        mine = RunLockHandle(ours, clock.now_utc)
        assert mine.acquire()
        assert lock_state(ours, clock.now_utc()) is not None
        assert not RunLockHandle(ours, clock.now_utc).acquire()  # but still one run per schema
        mine.release()
        held_elsewhere.release()
    finally:
        theirs.dispose()
        with ours.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other_schema}" CASCADE'))
        ours.dispose()


def test_heartbeat(database_url: str, engine: Engine, tmp_path: Path) -> None:
    from reminder.scheduler import heartbeat_problem

    settings = settings_for(database_url, tmp_path)
    now = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
    assert "no heartbeat file" in (heartbeat_problem(settings, now) or "")
    with freeze_time(now):
        Runner(settings, engine).write_heartbeat()
    assert heartbeat_problem(settings, now + timedelta(seconds=60)) is None
    assert "s old" in (heartbeat_problem(settings, now + timedelta(seconds=200)) or "")
