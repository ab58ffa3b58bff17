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
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "bench_report"


def reminder(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reminder.cli", *args], env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"reminder {' '.join(args)} failed ({done.returncode})")
    return time.perf_counter() - start


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
        print(f"  reminder {' '.join(step[:2])}: {reminder(step, env):.1f} s", flush=True)
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
        seconds = reminder(
            ["report", "--as-of", args.report_as_of, "--format", form, "--out", str(out)], env
        )
        rows.append((form, seconds, out.stat().st_size))
    os.environ.update(env)
    from reminder.db import make_engine, make_session_factory
    from reminder.report import build_report

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        start = time.perf_counter()
        report = build_report(session, date.fromisoformat(args.report_as_of), ZoneInfo("UTC"))
        library = time.perf_counter() - start
    actions = report.implementation.overall.total
    print(
        f"\n{actions:,} key actions, {args.database}, {os.cpu_count()} cores, as of "
        f"{args.report_as_of}\n"
    )
    print("| what | seconds | output |")
    print("|---|---|---|")
    print(f"| build_report (figures only, in process) | {library:.1f} | - |")
    for form, seconds, size in rows:
        print(
            f"| reminder report --format {form} (whole process) | {seconds:.1f} | "
            f"{size / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()
