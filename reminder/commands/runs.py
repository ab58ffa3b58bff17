"""`reminder run-once | daemon | status | health`: the reminder run, by hand or on schedule,
and how it is going."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from reminder import clock, deliveries, ledger, logs, migrate, pipeline
from reminder.commands.common import App, iso_date
from reminder.config import Settings
from reminder.db import connect_error_context, require_current_schema
from reminder.lock import lock_state
from reminder.output import print_json
from reminder.progress import bar
from reminder.scheduler import (
    Daemon,
    Runner,
    effective_schedule,
    heartbeat_problem,
    stop_on_signals,
)

if TYPE_CHECKING:
    from reminder.commands.common import Commands


def register(commands: Commands) -> None:
    run = commands.add_parser("run-once", help="send today's digests (for cron or a person)")
    run.add_argument("--as-of", type=iso_date, metavar="DATE", help="run as if it were this day")
    run.add_argument("--dry-run", action="store_true", help="show who would get what; send nothing")
    run.add_argument("--json", action="store_true", help="print the run report as JSON")
    run.set_defaults(handler=cmd_run_once)

    daemon = commands.add_parser("daemon", help="run on the schedule until stopped (SIGTERM)")
    daemon.set_defaults(handler=cmd_daemon)

    status = commands.add_parser("status", help="last run, next run, ledger and daemon health")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=cmd_status)

    health = commands.add_parser("health", help="exit 0 if the daemon's heartbeat is fresh")
    health.set_defaults(handler=cmd_health)


# Exit code when another run holds the single-flight lock (EX_TEMPFAIL: try again later).
EXIT_LOCK_HELD = 75

REASON_WORDS = {
    "escalation": "escalated",
    "overdue": "overdue",
    "due_soon": "due soon",
    "stale": "to confirm",
    "no_deadline": "without a deadline",
}


def cmd_run_once(app: App, args: argparse.Namespace) -> int:
    require_current_schema(app.engine)
    runner = Runner(app.settings, app.engine)
    as_of = args.as_of or runner.today()
    if args.dry_run:  # writes nothing, so it needs no lock
        report: pipeline.RunReport | None = pipeline.dry_run(app.settings, runner.sessions, as_of)
    else:
        stop_on_signals(runner.stop)  # SIGTERM/SIGINT: finish what is in flight, exit 0
        with bar("planning", "recipients") as planning, bar("sending", "digests") as sending:
            report = runner.run("run-once", as_of=as_of, planning=planning, sending=sending)
    if report is None:
        holder = lock_state(app.engine, clock.now_utc())
        who = f" ({holder['holder']}, since {holder['since']:%Y-%m-%d %H:%M} UTC)" if holder else ""
        print(
            f"Another run holds the lock{who}; this one did nothing. Try again when it ends.",
            file=sys.stderr,
        )
        return EXIT_LOCK_HELD
    if args.json:
        print_json(report.as_dict())
    else:
        _print_report(report, app.settings)
    return 0 if report.ok else 1


def cmd_daemon(app: App, args: argparse.Namespace) -> int:
    logs.configure(app.settings.log_format)
    if app.settings.auto_migrate:
        with connect_error_context(app.settings.database_url):
            before, after = migrate.upgrade(app.engine)
        if before != after:
            logging.getLogger("reminder.daemon").info("database upgraded to %s", after)
    require_current_schema(app.engine)  # fail now, clearly, not at the first fire
    return Daemon(Runner(app.settings, app.engine)).serve()


SCHEDULE_FROM = {"daemon": "the running daemon's", "settings": "these settings'"}


def cmd_status(app: App, args: argparse.Namespace) -> int:
    now = clock.now_utc()
    with app.session() as session:
        last = deliveries.last_run(session)
        oldest = deliveries.oldest_deferred(session)
        counts = ledger.counts_by_state(session)
    schedule = effective_schedule(app.settings, now)
    data: dict[str, Any] = {
        "last_run": None if last is None else asdict(last),
        "next_fire": schedule.next_fire,
        "schedule": schedule.schedule,
        "timezone": schedule.timezone,
        "schedule_from": schedule.source,
        "ledger": counts,
        "oldest_deferred": None if oldest is None else asdict(oldest),
        "lock": lock_state(app.engine, now),
        "daemon": heartbeat_problem(app.settings, now) or "alive",
    }
    if args.json:
        print_json(data)
    else:
        _print_status(data, last, oldest)
    return 0


def _print_status(
    data: dict[str, Any], last: deliveries.LastRun | None, oldest: deliveries.Sent | None
) -> None:
    if last is None:
        print("Last run: none yet")
    else:
        report = last.report
        outcome = last.outcome or ("running" if data["lock"] else "did not finish")
        print(
            f"Last run: {last.trigger} for {last.as_of}, "
            f"started {last.started_at:%Y-%m-%d %H:%M} UTC, {outcome}: "
            f"planned {report.get('planned', 0)}, sent {report.get('sent', 0)}, "
            f"deferred {report.get('deferred', 0)}, failed {report.get('failed', 0)}"
        )
    upcoming = data["next_fire"]
    source = SCHEDULE_FROM[data["schedule_from"]]
    print(
        f"Next scheduled run: {upcoming.isoformat() if upcoming else 'never'} "
        f"({data['schedule']!r} in {data['timezone']}, {source} schedule)"
    )
    counts = data["ledger"]
    print(
        "Ledger: " + (", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "empty")
    )
    if oldest is not None:
        print(
            f"Oldest deferred: {oldest.recipient} for {oldest.digest_day}, {oldest.attempts} "
            f"attempt(s), next at {oldest.next_attempt_at}: {oldest.last_error}"
        )
    if data["lock"]:
        print(f"Lock: held by {data['lock']['holder']} since {data['lock']['since']}")
    print(f"Daemon: {data['daemon']}")


def cmd_health(app: App, args: argparse.Namespace) -> int:
    problem = heartbeat_problem(app.settings, clock.now_utc())
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


def _print_report(report: pipeline.RunReport, settings: Settings) -> None:
    if report.skipped_day:
        print(f"{report.as_of}: not a sending day ({report.skipped_day}); nothing sent.")
        return
    if report.dry_run:
        print(f"Dry run for {report.as_of}: {len(report.would_send)} digest(s) would be sent.")
        for item in report.would_send:
            counts = ", ".join(f"{n} {REASON_WORDS[r]}" for r, n in item["counts"].items())
            print(f"  {item['recipient']} ({item['locale']}): {counts}")
        return
    where = {
        "outbox": f" to {settings.outbox_dir}/",
        "smtp": f" via {settings.smtp_host}",
        "console": "",
    }[settings.transport]
    print(
        f"Run for {report.as_of}: {report.planned} digest(s) planned"
        + (
            f", {report.already_planned} recipient(s) already had today's digest"
            if report.already_planned
            else ""
        )
        + ("" if report.planned or report.already_planned else " (nothing new is due)")
        + "."
    )
    print(
        f"  sent {report.sent}{where}, deferred {report.deferred}, failed {report.failed}"
        + (f", resent after an interruption {report.ambiguous}" if report.ambiguous else "")
    )
    if report.by_reason:
        print(
            "  key actions by reason: "
            + ", ".join(f"{n} {REASON_WORDS[r]}" for r, n in report.by_reason.items())
        )
    for failure in report.failures:
        print(f"  failed: {failure['recipient']}: {failure['error']}")
    if report.interrupted:
        print("Stopped on request: digests not yet sent stay queued for the next run.")
    for reason in sorted(
        {f["error"] for f in report.failures if f["error"].startswith("template ")}
    ):
        print(f"Error: {reason}", file=sys.stderr)
    if report.systemic_error:
        print(
            f"Error: the run stopped: {report.systemic_error}; unsent digests stay queued.",
            file=sys.stderr,
        )
