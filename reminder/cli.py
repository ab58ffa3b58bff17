"""The command line: a thin skin over the library. Domain errors become `Error: ...`, exit 1."""

from __future__ import annotations

import argparse
import email
import email.policy
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from reminder import __version__, clock, ledger, logs, migrate, pipeline, store, template_check
from reminder.config import Settings, load_settings
from reminder.db import (
    connect_error_context,
    make_engine,
    make_session_factory,
    refresh_statistics,
    require_current_schema,
)
from reminder.errors import ReminderError
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.lock import lock_state
from reminder.models import Delivery, Party, Run
from reminder.output import print_json, print_table
from reminder.planning import Planner
from reminder.render import Renderer, build_message, message_id_for
from reminder.rules import action_state, days_overdue
from reminder.scheduler import Daemon, Runner, heartbeat_problem


@dataclass
class App:
    """What every command needs: settings, and a database on demand."""

    settings: Settings
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def session(self) -> Session:
        """A session on a database whose schema is current (or a clear error)."""
        require_current_schema(self.engine)
        return make_session_factory(self.engine)()

    def today(self) -> date:
        return clock.local_today(self.settings.zone)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-31") from None


# -- commands ---------------------------------------------------------------------------------


def cmd_db_upgrade(app: App, args: argparse.Namespace) -> int:
    with connect_error_context(app.settings.database_url):
        before, after = migrate.upgrade(app.engine)
    if before == after:
        print(f"Database already at the newest schema ({after}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0


def cmd_import(app: App, args: argparse.Namespace) -> int:
    summaries: list[dict[str, Any]] = []
    failures = 0
    now = clock.now_utc()
    for name in args.files:
        with app.session() as session:
            try:
                batch = read_file(Path(name), load_resolver(session))
                summary = load_batch(session, batch, now)
            except ReminderError as exc:
                session.rollback()
                failures += 1
                print(f"Error: {exc}", file=sys.stderr)
                summaries.append({"file": name, "error": str(exc)})
                continue
            if args.dry_run:
                session.rollback()
            else:
                session.commit()
                refresh_statistics(session)
            summaries.append(summary.as_dict())
    if args.json:
        print_json(summaries)
    else:
        for item in summaries:
            if "error" not in item:
                _print_import_summary(item, args.dry_run)
    return 1 if failures else 0


def _counts(counter: dict[str, int], noun: str) -> str:
    parts = [f"{count} {key}" for key, count in counter.items() if count]
    return f"{noun}: " + (", ".join(parts) if parts else "none")


def _print_import_summary(summary: dict[str, Any], dry_run: bool) -> None:
    prefix = "Would import" if dry_run else "Imported"
    print(f"{prefix} {summary['file']} ({summary['file_format']})")
    print("  " + _counts(summary["evaluations"], "evaluations"))
    print("  " + _counts(summary["recommendations"], "recommendations"))
    print("  " + _counts(summary["key_actions"], "key actions"))
    if summary["unresolved"]:
        print("  responsible names not in the directory (routed to the catch-all party):")
        for item in summary["unresolved"]:
            print(f"    line {item['line']}: {item['name']}")
    if summary["guesses"]:
        print("  rows where the split between action and responsible was a guess:")
        for guess in summary["guesses"]:
            print(
                f"    line {guess['line']}: responsible {guess['responsible_text']!r}: "
                f"{guess['reason']}"
            )


def cmd_directory_import(app: App, args: argparse.Namespace) -> int:
    directory = read_directory(Path(args.file))
    with app.session() as session:
        summary = load_directory(session, directory, clock.now_utc())
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
            refresh_statistics(session)
    data: dict[str, Any] = {
        "file": summary.file,
        "parties": dict(summary.parties),
        "focal_points": dict(summary.focal_points),
        "actions_reresolved": summary.actions_reresolved,
    }
    if args.json:
        print_json(data)
        return 0
    print(f"{'Would import' if args.dry_run else 'Imported'} directory {summary.file}")
    print("  " + _counts(data["parties"], "parties"))
    print("  " + _counts(data["focal_points"], "focal points"))
    print(f"  key actions whose responsible parties changed: {summary.actions_reresolved}")
    return 0


def cmd_directory_list(app: App, args: argparse.Namespace) -> int:
    with app.session() as session:
        parties = session.scalars(
            select(Party).options(selectinload(Party.focal_points)).order_by(Party.code)
        ).all()
        rows: list[dict[str, Any]] = [
            {
                "party": p.code,
                "party_name": p.name,
                "aliases": p.aliases,
                "catch_all": p.catch_all,
                "name": fp.name,
                "email": fp.email,
                "role": fp.role,
                "locale": fp.locale,
                "active": fp.active,
                "away_until": fp.away_until,
                "alternate": fp.alternate_email,
            }
            for p in parties
            for fp in p.focal_points
        ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("The directory is empty: run `reminder directory import FILE`.")
        return 0
    print_table(
        ["PARTY", "ROLE", "NAME", "EMAIL", "NOTES"],
        [
            [
                r["party"] + (" (catch-all)" if r["catch_all"] else ""),
                r["role"],
                r["name"],
                r["email"],
                ", ".join(
                    filter(
                        None,
                        [
                            "inactive" if not r["active"] else "",
                            f"away until {r['away_until']}" if r["away_until"] else "",
                            f"alternate {r['alternate']}" if r["alternate"] else "",
                            r["locale"] or "",
                        ],
                    )
                ),
            ]
            for r in rows
        ],
    )
    return 0


def cmd_actions(app: App, args: argparse.Namespace) -> int:
    as_of = args.as_of or app.today()
    policy = app.settings.policy
    with app.session() as session:
        if args.party and not store.party_exists(session, args.party):
            raise ReminderError(f"--party: no party with code {args.party!r} in the directory")
        items: list[dict[str, Any]] = []
        for action in store.actions(
            session, open_only=args.state not in ("all", "closed"), party=args.party
        ):
            state = action_state(action, as_of, policy)
            if args.state not in ("all", "open") and state != args.state:
                continue
            items.append(
                {
                    "id": action.id,
                    "evaluation": action.evaluation,
                    "recommendation": action.recommendation_number
                    or str(action.recommendation_position),
                    "recommendation_text": action.recommendation,
                    "number": action.number,
                    "text": action.text,
                    "responsible": list(action.responsible),
                    "responsible_text": action.responsible_text,
                    "unresolved": list(action.unresolved),
                    "deadline": action.due,
                    "deadline_label": action.deadline_label,
                    "deadline_precision": action.deadline_precision,
                    "status": action.status,
                    "status_label": action.status_label,
                    "state": state,
                    "days_overdue": days_overdue(action, as_of),
                    "comments": action.comments,
                    "last_update": action.last_update,
                }
            )
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(f"No key actions match (state {args.state}, as of {as_of}).")
        return 0
    print_table(
        ["ID", "STATE", "DEADLINE", "STATUS", "RESPONSIBLE", "KEY ACTION"],
        [
            [
                i["id"],
                i["state"] + (f" {i['days_overdue']}d" if i["state"] == "overdue" else ""),
                i["deadline_label"] or "-",
                i["status_label"],
                ", ".join(i["responsible"] + [f"?{n}" for n in i["unresolved"]]) or "-",
                i["text"],
            ]
            for i in items
        ],
    )
    print(f"\n{len(items)} key action(s), as of {as_of}.")
    return 0


def cmd_config_check(app: App, args: argparse.Namespace) -> int:
    data = app.settings.model_dump(mode="json")
    for key in ("smtp_password",):
        if data.get(key):
            data[key] = "**********"
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key} = {value!r}")
        print("\nConfiguration is valid.")
    return 0


# Exit code when another run holds the single-flight lock (EX_TEMPFAIL: try again later).
EXIT_LOCK_HELD = 75

REASON_WORDS = {
    "escalation": "escalated",
    "overdue": "overdue",
    "due_soon": "due soon",
    "stale": "to confirm",
    "no_deadline": "without a deadline",
}


def _progress(done: int, total: int) -> None:
    """A progress line on a terminal, for long runs only."""
    if total >= 50 and sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rsending {done}/{total}", end=end, file=sys.stderr, flush=True)


def cmd_run_once(app: App, args: argparse.Namespace) -> int:
    require_current_schema(app.engine)
    runner = Runner(app.settings, app.engine)
    as_of = args.as_of or runner.today()
    if args.dry_run:  # writes nothing, so it needs no lock
        report: pipeline.RunReport | None = pipeline.run_once(
            app.settings,
            runner.sessions,
            as_of,
            clock.now_utc,
            dry_run=True,
        )
    else:
        report = runner.run("run-once", as_of=as_of, progress=_progress)
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


def cmd_status(app: App, args: argparse.Namespace) -> int:
    now = clock.now_utc()
    runner = Runner(app.settings, app.engine)
    with app.session() as session:
        last = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one_or_none()
        oldest = session.scalars(
            select(Delivery)
            .where(Delivery.status == "deferred")
            .order_by(Delivery.created_at)
            .limit(1)
        ).one_or_none()
        counts = ledger.counts_by_state(session)
    upcoming = runner.next_fire()
    data: dict[str, Any] = {
        "last_run": None
        if last is None
        else {
            "started_at": last.started_at,
            "finished_at": last.finished_at,
            "trigger": last.trigger,
            "as_of": last.as_of,
            "outcome": last.outcome,
            "report": last.report,
        },
        "next_fire": upcoming,
        "schedule": app.settings.schedule,
        "timezone": app.settings.timezone,
        "ledger": counts,
        "oldest_deferred": None
        if oldest is None
        else {
            "recipient": oldest.recipient,
            "digest_day": oldest.digest_day,
            "attempts": oldest.attempts,
            "next_attempt_at": oldest.next_attempt_at,
            "last_error": oldest.last_error,
        },
        "lock": lock_state(app.engine, now),
        "daemon": heartbeat_problem(app.settings, now) or "alive",
    }
    if args.json:
        print_json(data)
        return 0
    if last is None:
        print("Last run: none yet")
    else:
        report = last.report or {}
        outcome = last.outcome or ("running" if data["lock"] else "did not finish")
        print(
            f"Last run: {last.trigger} for {last.as_of}, "
            f"started {last.started_at:%Y-%m-%d %H:%M} UTC, {outcome}: "
            f"planned {report.get('planned', 0)}, sent {report.get('sent', 0)}, "
            f"deferred {report.get('deferred', 0)}, failed {report.get('failed', 0)}"
        )
    print(
        f"Next scheduled run: {upcoming.isoformat() if upcoming else 'never'} "
        f"({app.settings.schedule!r} in {app.settings.timezone})"
    )
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
    return 0


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
    if report.systemic_error:
        print(
            f"Error: the run stopped: {report.systemic_error}; unsent digests stay queued.",
            file=sys.stderr,
        )


def cmd_preview(app: App, args: argparse.Namespace) -> int:
    as_of = args.as_of or app.today()
    address = args.email.strip().lower()
    with app.session() as session:
        stored = session.scalars(
            select(Delivery).where(
                Delivery.recipient == address,
                Delivery.digest_day == as_of,
                Delivery.kind == "digest",
            )
        ).one_or_none()
        if stored is not None:
            print(
                f"(today's digest for {address} is already in the ledger: {stored.status})",
                file=sys.stderr,
            )
            _print_stored(ledger.message_payloads(session, [stored.id])[stored.id], args.format)
            return 0
        digest = Planner(session, app.settings, as_of).digest_for(address)
    if digest is None:
        print(f"{args.email} has nothing due on {as_of}: no digest.")
        return 0
    renderer = Renderer(app.settings)
    rendered = renderer.render(digest, as_of)
    if args.format == "text":
        print(f"Subject: {rendered.subject}\n\n{rendered.text}", end="")
    elif args.format == "html":
        print(rendered.html, end="")
    else:
        message_id = message_id_for(digest.recipient.email, as_of, app.settings.sender)
        message = build_message(rendered, digest, app.settings, message_id, clock.now_utc())
        print(message.replace("\r\n", "\n"), end="")
    return 0


def _print_stored(payload: str, form: str) -> None:
    message = email.message_from_string(payload, policy=email.policy.default)
    if form == "eml":
        print(payload.replace("\r\n", "\n"), end="")
        return
    part = message.get_body(("html",) if form == "html" else ("plain",))
    body = part.get_content() if part is not None else ""
    print(f"Subject: {message['Subject']}\n\n{body}" if form == "text" else body, end="")


def cmd_history(app: App, args: argparse.Namespace) -> int:
    with app.session() as session:
        query = select(Delivery).order_by(Delivery.digest_day.desc(), Delivery.recipient)
        if args.since:
            query = query.where(Delivery.digest_day >= args.since)
        if args.recipient:
            query = query.where(Delivery.recipient == args.recipient.strip().lower())
        rows: list[dict[str, Any]] = [
            {
                "digest_day": d.digest_day,
                "recipient": d.recipient,
                "status": d.status,
                "attempts": d.attempts,
                "subject": d.subject,
                "counts": d.counts,
                "message_id": d.message_id,
                "sent_at": d.sent_at,
                "next_attempt_at": d.next_attempt_at,
                "last_error": d.last_error,
            }
            for d in session.scalars(query)
        ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No digests in the ledger yet.")
        return 0
    print_table(
        ["DAY", "STATUS", "TRIES", "RECIPIENT", "SUBJECT"],
        [
            [
                r["digest_day"],
                r["status"],
                r["attempts"],
                r["recipient"],
                r["subject"] + (f"  [{r['last_error']}]" if r["last_error"] else ""),
            ]
            for r in rows
        ],
    )
    return 0


def cmd_report(app: App, args: argparse.Namespace) -> int:
    from reminder.report import build_report
    from reminder.report.formats import render_report, write_atomically

    if args.format == "xlsx" and not args.out:
        raise ReminderError("--format xlsx writes a workbook: give --out FILE")
    with app.session() as session:
        report = build_report(session, args.as_of or app.today(), app.settings.zone, args.since)
    data = render_report(report, args.format)
    if args.out:
        write_atomically(Path(args.out), data)
        print(f"Wrote the {args.format} report as of {report.as_of} to {args.out}.")
    else:
        sys.stdout.write(data.decode())
    return 0


def cmd_report_send(app: App, args: argparse.Namespace) -> int:
    from reminder.report.monthly import send_monthly_report

    require_current_schema(app.engine)
    outcome = send_monthly_report(
        app.settings, app.engine, args.as_of or app.today(), clock.now_utc
    )
    print(outcome.summary())
    if outcome.lock_held:
        return EXIT_LOCK_HELD
    return 0 if outcome.ok else 1


def cmd_templates_check(app: App, args: argparse.Namespace) -> int:
    problems = template_check.check_all(app.settings)
    for problem in problems:
        print(f"Error: {problem}", file=sys.stderr)
    if problems:
        return 1
    renderer = Renderer(app.settings)
    print(
        f"Templates render in every locale ({', '.join(renderer.locales)}) from: "
        + ", ".join(str(root / "email") for root in renderer.roots)
    )
    return 0


# -- parser -----------------------------------------------------------------------------------

Handler = Callable[[App, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reminder",
        description="Follow-up reminders for evaluation management responses.",
    )
    parser.add_argument("--version", action="version", version=f"reminder {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (or REMINDER_CONFIG)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="create or upgrade the schema to the newest")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    imp = commands.add_parser("import", help="import management responses and trackers")
    imp.add_argument("files", nargs="+", metavar="FILE", help=".txt, .csv or .xlsx files")
    imp.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    imp.set_defaults(handler=cmd_import)

    directory = commands.add_parser("directory", help="parties and focal points")
    dir_commands = directory.add_subparsers(
        dest="directory_command", metavar="ACTION", required=True
    )
    dir_import = dir_commands.add_parser("import", help="import a directory CSV or TOML file")
    dir_import.add_argument("file", metavar="FILE")
    dir_import.add_argument("--dry-run", action="store_true", help="read and report only")
    dir_import.add_argument("--json", action="store_true", help="print the summary as JSON")
    dir_import.set_defaults(handler=cmd_directory_import)
    dir_list = dir_commands.add_parser("list", help="list parties and focal points")
    dir_list.add_argument("--json", action="store_true", help="print JSON")
    dir_list.set_defaults(handler=cmd_directory_list)

    actions = commands.add_parser("actions", help="list key actions and their state")
    actions.add_argument("--json", action="store_true", help="print a JSON array")
    actions.add_argument("--as-of", type=_date, metavar="DATE", help="judge states on this date")
    actions.add_argument("--party", metavar="CODE", help="only this party's actions")
    actions.add_argument(
        "--state",
        default="open",
        choices=["open", "overdue", "due-soon", "no-deadline", "closed", "all"],
        help="which actions (default: open)",
    )
    actions.set_defaults(handler=cmd_actions)

    run = commands.add_parser("run-once", help="send today's digests (for cron or a person)")
    run.add_argument("--as-of", type=_date, metavar="DATE", help="run as if it were this day")
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

    preview = commands.add_parser("preview", help="show exactly what one person would receive")
    preview.add_argument("email", metavar="EMAIL")
    preview.add_argument("--as-of", type=_date, metavar="DATE", help="as if it were this day")
    preview.add_argument("--format", choices=["text", "html", "eml"], default="text")
    preview.set_defaults(handler=cmd_preview)

    history = commands.add_parser("history", help="the delivery ledger: who got what, when")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument("--since", type=_date, metavar="DATE", help="digests from this day on")
    history.add_argument("--recipient", metavar="EMAIL", help="one recipient only")
    history.set_defaults(handler=cmd_history)

    report = commands.add_parser("report", help="implementation rates, ageing, trend, reminders")
    report.add_argument("--as-of", type=_date, metavar="DATE", help="judge states on this date")
    report.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help="count reminders from this day (default: 90 days before --as-of)",
    )
    report.add_argument("--format", choices=["text", "html", "xlsx", "json"], default="text")
    report.add_argument("--out", metavar="FILE", help="write to FILE (needed for xlsx)")
    report.set_defaults(handler=cmd_report)
    report_send = commands.add_parser(
        "report-send", help="email this month's report if due and not yet sent (for cron)"
    )
    report_send.add_argument("--as-of", type=_date, metavar="DATE", help="as if it were this day")
    report_send.set_defaults(handler=cmd_report_send)

    templates = commands.add_parser("templates", help="email templates")
    template_commands = templates.add_subparsers(
        dest="templates_command", metavar="ACTION", required=True
    )
    template_check_cmd = template_commands.add_parser(
        "check", help="render every template in every locale with sample data"
    )
    template_check_cmd.set_defaults(handler=cmd_templates_check)

    config = commands.add_parser("config", help="configuration")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_commands.add_parser("check", help="validate and print the effective settings")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=cmd_config_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        app = App(load_settings(args.config))
        return int(args.handler(app, args))
    except ReminderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`reminder actions | head`): not an error worth a traceback.
        # Point stdout at nothing so the interpreter's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
