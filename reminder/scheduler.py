"""The daemon: APScheduler 3.x around steps that tests and `run-once` call directly.

In-memory job store with jobs built from settings (never pickled into the database); the
digest job is coalesced, never overlaps, and has a generous misfire grace, because 3.x skips
a fire more than a second late by default. Deferred deliveries are retried on their own
shorter interval. A missed scheduled fire is made up at start. Every run, in every process on
every host, first takes the single-flight lock. SIGTERM/SIGINT finish the message in flight and
exit 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, func, select

from reminder import clock as wall_clock
from reminder import pipeline
from reminder.config import Settings
from reminder.db import make_session_factory
from reminder.lock import RunLockHandle
from reminder.models import Run
from reminder.progress import SILENT, Progress
from reminder.schedule import cron_trigger, next_fire, previous_fire

log = logging.getLogger("reminder.daemon")
HEARTBEAT_SECONDS = 30
MISFIRE_GRACE_SECONDS = 6 * 3600
CATCH_UP_LOOK_BACK = timedelta(days=7)
SCHEDULED_TRIGGERS = ("schedule", "catch-up", "run-once")
Job = Callable[..., pipeline.RunReport]  # pipeline.run_once or pipeline.send_waiting


class Runner:
    """One run under the lock; the daemon's jobs and `reminder run-once` both use it."""

    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], datetime] = wall_clock.now_utc
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.sessions = make_session_factory(engine)
        self.stop = threading.Event()
        self.trigger = cron_trigger(settings.schedule, settings.zone)

    def today(self) -> date:
        return wall_clock.local_today(self.settings.zone, self.clock())

    def run(
        self,
        trigger: str,
        *,
        as_of: date | None = None,
        job: Job = pipeline.run_once,
        planning: Progress = SILENT,
        sending: Progress = SILENT,
    ) -> pipeline.RunReport | None:
        """A run (`pipeline.run_once` or `send_waiting`) under the lock, or None when another
        run holds it."""
        lock = RunLockHandle(self.engine, self.clock)
        if not lock.acquire():
            log.warning("%s skipped: another run holds the lock", trigger)
            return None
        try:
            hooks = pipeline.Hooks(
                planning=planning,
                sending=sending,
                keepalive=lock.renew,
                should_stop=self.stop.is_set,
            )
            report = job(
                self.settings,
                self.sessions,
                as_of or self.today(),
                self.clock,
                trigger=trigger,
                hooks=hooks,
            )
        finally:
            lock.release()
        log.info(
            "%s for %s: planned %d, sent %d, deferred %d, failed %d%s%s",
            trigger,
            report.as_of,
            report.planned,
            report.sent + report.ambiguous,
            report.deferred,
            report.failed,
            f"; stopped: {report.systemic_error}" if report.systemic_error else "",
            f"; {report.skipped_day}" if report.skipped_day else "",
        )
        return report

    def missed_fire(self) -> datetime | None:
        """The last scheduled time, if no run has started since it (made up at start)."""
        now = self.clock()
        previous = previous_fire(self.trigger, now, CATCH_UP_LOOK_BACK)
        if previous is None:
            return None
        with self.sessions() as session:
            last = session.scalar(
                select(func.max(Run.started_at)).where(Run.trigger.in_(SCHEDULED_TRIGGERS))
            )
        return previous if last is None or last < previous else None

    def next_fire(self) -> datetime | None:
        return next_fire(self.trigger, self.clock())

    def write_heartbeat(self, state: str = "idle") -> None:
        """Rewrite the heartbeat file atomically (read by `reminder health`)."""
        path = self.settings.heartbeat_file
        upcoming = self.next_fire()
        data = {
            "pid": os.getpid(),
            "written_at": self.clock().isoformat(),
            "state": state,
            "next_fire": upcoming.isoformat() if upcoming else None,
            # The schedule this daemon runs on, for `reminder status` in another process,
            # whose own settings may differ.
            "schedule": self.settings.schedule,
            "timezone": self.settings.timezone,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)


class Daemon:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.scheduler = self.build_scheduler()

    def build_scheduler(self) -> BackgroundScheduler:
        settings = self.runner.settings
        scheduler = BackgroundScheduler(
            timezone=settings.zone,
            # One worker for runs (they serialise in this process), one for the heartbeat,
            # so the heartbeat keeps beating during a long run.
            executors={"default": ThreadPoolExecutor(1), "heartbeat": ThreadPoolExecutor(1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        scheduler.add_job(
            self.fire, self.runner.trigger, id="digests", name="digests", args=["schedule"]
        )
        scheduler.add_job(
            self.report,
            cron_trigger(settings.report_schedule, settings.zone),
            id="report",
            name="monthly report",
        )
        scheduler.add_job(
            self.retry,
            IntervalTrigger(minutes=settings.retry_interval_minutes, timezone=settings.zone),
            id="retries",
            name="retries",
        )
        scheduler.add_job(
            self.runner.write_heartbeat,
            IntervalTrigger(seconds=HEARTBEAT_SECONDS),
            id="heartbeat",
            name="heartbeat",
            executor="heartbeat",
        )
        return scheduler

    def fire(self, trigger: str) -> None:
        self.runner.write_heartbeat("running")
        try:
            self.runner.run(trigger)
        except Exception:  # a bad day must not kill the daemon; the next fire tries again
            log.exception("%s failed", trigger)
        finally:
            self.runner.write_heartbeat("idle")
            log.info("next scheduled run: %s", self._next())

    def report(self) -> None:
        """The monthly report: sends only when due and not yet sent (reminder.report.monthly)."""
        from reminder.report.monthly import send_monthly_report

        runner = self.runner
        try:
            outcome = send_monthly_report(
                runner.settings, runner.engine, runner.today(), runner.clock
            )
            log.info("%s", outcome.summary())
        except Exception:
            log.exception("monthly report failed")

    def retry(self) -> None:
        try:
            self.runner.run("retry", job=pipeline.send_waiting)
        except Exception:
            log.exception("retry failed")

    def _next(self) -> str:
        upcoming = self.runner.next_fire()
        return upcoming.isoformat() if upcoming else "never"

    def serve(self) -> int:
        stop_on_signals(self.runner.stop)
        missed = self.runner.missed_fire()
        self.runner.write_heartbeat("starting")
        self.scheduler.start()
        log.info(
            "daemon started: schedule %r in %s; next scheduled run: %s",
            self.runner.settings.schedule,
            self.runner.settings.timezone,
            self._next(),
        )
        if missed is not None:
            log.info("the run scheduled for %s was missed: running now", missed.isoformat())
            self.scheduler.add_job(
                self.fire, args=["catch-up"], id="catch-up", next_run_time=self.runner.clock()
            )
        self.runner.stop.wait()
        self.scheduler.shutdown(wait=True)
        self.runner.write_heartbeat("stopped")
        log.info("daemon stopped")
        return 0


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT (Kubernetes, systemd, Ctrl-C) set `stop`: the run stops claiming,
    finishes and records the messages in flight, releases the lock, and the process exits 0."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        log.warning("%s received: finishing the message in flight, then stopping", name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)


def heartbeat_problem(settings: Settings, now: datetime) -> str | None:
    """Why the daemon does not look alive, or None when its heartbeat is fresh."""
    path = settings.heartbeat_file
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        written = datetime.fromisoformat(data["written_at"])
    except FileNotFoundError:
        return f"no heartbeat file at {path} (is the daemon running?)"
    except (OSError, ValueError, KeyError) as exc:
        return f"unreadable heartbeat file {path}: {exc}"
    if data.get("state") == "stopped":
        return f"the daemon stopped at {written.isoformat()}"
    age = (now - written).total_seconds()
    if age > 3 * HEARTBEAT_SECONDS:
        return f"the last heartbeat is {int(age)} s old (written {written.isoformat()})"
    return None


@dataclass(frozen=True)
class EffectiveSchedule:
    """When runs happen: the running daemon's schedule (from its heartbeat), or, with no
    daemon alive, what these settings would give."""

    schedule: str
    timezone: str
    next_fire: datetime | None
    source: str  # "daemon" or "settings"


def effective_schedule(settings: Settings, now: datetime) -> EffectiveSchedule:
    if heartbeat_problem(settings, now) is None:
        data = json.loads(settings.heartbeat_file.read_text())
        if data.get("schedule"):
            upcoming = data.get("next_fire")
            return EffectiveSchedule(
                data["schedule"],
                data["timezone"],
                datetime.fromisoformat(upcoming) if upcoming else None,
                "daemon",
            )
    trigger = cron_trigger(settings.schedule, settings.zone)
    return EffectiveSchedule(
        settings.schedule, settings.timezone, next_fire(trigger, now), "settings"
    )
