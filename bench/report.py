"""Time `reminder report` on a generated dataset, and print the figures.

    python bench/report.py --data bench/data/1m --database sqlite
    python bench/report.py --data bench/data/1m --database postgresql \\
        --pg-url postgresql://postgres@127.0.0.1:5432/test

The first call builds the database once and keeps it (SQLite: DATA/report.sqlite;
PostgreSQL: schema `bench_report`): the directory and tracker imports (the import writes a
status-history row per action), a desk update for one action in twenty, and one `run-once` to
the outbox, so the reminder log is full.
`--rebuild` starts again. Then each format is timed as a whole process (`reminder report
--format F --out FILE`, Python start-up included), and the library call alone in this
process. Target: 10 s for 1M actions / 50k focal points.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "bench_report"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reminder(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `reminder ARGS`; (wall seconds, CPU seconds user+sys of the process)."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "reminder.cli", *args], env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"reminder {' '.join(args)} failed ({done.returncode})")
    return time.perf_counter() - start, _children_cpu() - cpu


def timed(call: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of this process and the worker processes it ended:
    SQLite runs in them, PostgreSQL not)."""
    start, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    result = call()
    return result, time.perf_counter() - start, time.process_time() + _children_cpu() - cpu


# The history the status desk adds to the one the import wrote (an `import` row per action
# when it was first seen): for every twentieth action a desk update after the reminder run.
HISTORY = [
    "INSERT INTO action_updates (key_action_id, recorded_at, source, actor, old_status,"
    " new_status, comment) SELECT id, :at, 'web', 'someone@example.org', status, 'completed',"
    " 'done' FROM key_actions WHERE id % 20 = 0 AND status NOT IN"
    " ('completed', 'no_longer_applicable')",
    "UPDATE key_actions SET status = 'completed', status_label = 'Completed',"
    " status_changed_at = :at WHERE id % 20 = 0 AND status NOT IN"
    " ('completed', 'no_longer_applicable')",
]


def build(data: Path, url: str, env: dict[str, str], as_of: str) -> None:
    print("building the database (once)...", flush=True)
    for step in (
        ["db", "upgrade"],
        ["directory", "import", str(data / "directory.csv")],
        ["import", str(data / "tracker.csv")],
        ["run-once", "--as-of", as_of, "--json"],
    ):
        print(f"  reminder {' '.join(step[:2])}: {reminder(step, env)[0]:.1f} s", flush=True)
    engine = create_engine(url)
    with engine.begin() as connection:
        at = f"{as_of} 09:00:00"
        for statement in HISTORY:
            connection.execute(text(statement), {"at": at})
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--as-of", default="2027-01-15")
    parser.add_argument("--report-as-of", default="2027-02-01", help="the day of the report")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.database == "sqlite":
        path = args.data / "report.sqlite"
        if args.rebuild:
            path.unlink(missing_ok=True)
        fresh = not path.exists()
        url = f"sqlite:///{path.resolve()}"
        engine_url = url
    else:
        base = make_url(args.pg_url).set(drivername="postgresql+psycopg")
        admin = create_engine(base)
        with admin.begin() as connection:
            if args.rebuild:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            fresh = not connection.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": SCHEMA}
            ).first()
            if fresh:
                connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        admin.dispose()
        with_path = base.update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        engine_url = with_path.render_as_string(hide_password=False)
        url = with_path.set(drivername="postgresql").render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="reminder-report-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_")}
    env.update(
        REMINDER_DATABASE_URL=url,
        REMINDER_TIMEZONE="UTC",
        REMINDER_OUTBOX_DIR=str(work / "outbox"),
        REMINDER_EVALUATION_OFFICE="evaluation.office@example.org",
    )
    if fresh:
        build(args.data, engine_url, env, args.as_of)
    rows = []
    for form in ("json", "text", "xlsx", "html"):
        out = work / f"report.{form}"
        wall, cpu = reminder(
            ["report", "--as-of", args.report_as_of, "--format", form, "--out", str(out)], env
        )
        rows.append((f"reminder report --format {form} (whole process)", wall, cpu, out))
    os.environ.update(env)
    rows[:0] = in_process(url, date.fromisoformat(args.report_as_of))
    load = os.getloadavg()
    print(
        f"\n{args.database}, {os.cpu_count()} cores, as of {args.report_as_of}, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end\n"
    )
    print("| what | wall s | CPU s | output |")
    print("|---|---|---|---|")
    for what, wall, cpu, out in rows:
        size = f"{out.stat().st_size / 1e6:.1f} MB" if out else "-"
        print(f"| {what} | {wall:.1f} | {cpu:.1f} | {size} |")


def in_process(url: str, as_of: date) -> list[tuple[str, float, float, Path | None]]:
    """build_report (its parts at once), then each part alone, timed in this process."""
    from reminder.db import make_engine, make_session_factory
    from reminder.report import build_report
    from reminder.report import implementation as impl
    from reminder.report import responsiveness as resp
    from reminder.report.figures import default_since
    from reminder.report.trend import trend

    zone = ZoneInfo("UTC")
    period = resp.Period(default_since(as_of), as_of, zone)
    engine = make_engine(url)
    _, wall, cpu = timed(lambda: build_report(engine, as_of, zone))
    rows: list[tuple[str, float, float, Path | None]] = [
        ("build_report (figures only, parts at once; CPU with its workers)", wall, cpu, None),
    ]
    with make_session_factory(engine)() as session:
        parts: list[tuple[str, Callable[[], object]]] = [
            ("- counts by evaluation", lambda: impl.evaluation_counts(session, as_of)),
            ("- counts by party", lambda: impl.party_counts(session, as_of)),
            ("- trend (all shards)", lambda: trend(session, as_of, zone)),
            ("- updated within 14/30 days", lambda: resp.updated_within(session, period)),
            ("- days to completion", lambda: resp.days_to_completion(session, period)),
            ("- silent focal points", lambda: resp.silent_focal_points(session, period)),
            ("- escalations", lambda: resp.escalations(session, period)),
        ]
        for what, call in parts:
            _, wall, cpu = timed(call)
            rows.append((what, wall, cpu, None))
            session.rollback()
    engine.dispose()
    return rows


if __name__ == "__main__":
    main()
