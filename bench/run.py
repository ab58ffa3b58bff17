"""Time reminder on a generated dataset, as whole processes, and print one row per case.

    python bench/run.py --data bench/data/100k --database sqlite
    python bench/run.py --data bench/data/1m --database postgresql \\
        --pg-url postgresql://postgres@127.0.0.1:5432/test

Cases: import of the tracker; re-imports of it (`reimport`: the same file again; `shifted`:
a copy with the last key action of every recommendation moved to its top, so the importer
matches every stored action by text and moves it; neither is in the default list);
`run-once` to the outbox; `run-once` to a loopback SMTP sink;
`run-once` to a sink that answers after 20 ms (a relay elsewhere); and a second `run-once`
the same day (nothing to send). The ledger is emptied between sending cases. Each row gives
wall seconds, CPU seconds (user + system of the process and its workers, from wait4), digests
per second and the process's peak RSS (from wait4).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    case: str
    seconds: float
    cpu: float
    peak_mb: float
    tree_mb: float
    digests: int | None = None
    note: str = ""

    def row(self) -> str:
        rate = f"{self.digests / self.seconds:,.0f}" if self.digests and self.seconds else "-"
        count = f"{self.digests:,}" if self.digests is not None else "-"
        cells = [
            self.case,
            f"{self.seconds:.1f}",
            f"{self.cpu:.1f}",
            count,
            rate,
            f"{self.peak_mb:.0f}",
            f"{self.tree_mb:.0f}",
            self.note,
        ]
        return "| " + " | ".join(cells) + " |"


def shifted_tracker(source: Path, target: Path) -> Path:
    """A copy of a generated tracker with the last key action of every recommendation moved
    to its top: every stored action changes place (the file keeps its size, under the
    importer's 200 MiB limit at 1M)."""
    with (
        source.open(newline="", encoding="utf-8") as inp,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        rows, writer = csv.reader(inp), csv.writer(out)
        header = next(rows)
        writer.writerow(header)
        keys = [header.index("Evaluation ID"), header.index("Recommendation number")]
        group: list[list[str]] = []
        for row in rows:
            if group and [row[k] for k in keys] != [group[0][k] for k in keys]:
                writer.writerows([group[-1], *group[:-1]])
                group = []
            group.append(row)
        writer.writerows([group[-1], *group[:-1]])
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (worker processes), from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(
                    (int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0
                )
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, float, str]:
    """Run a whole process; wall seconds, CPU seconds (user + system, its waited-for
    children included), the peak RSS of its largest process in MB (wait4
    reports the maximum over the process and the children it waited for), the peak of the
    whole process tree's RSS in MB (sampled every 50 ms), and its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        tree_peak = [0]
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(0.05):
                tree_peak[0] = max(tree_peak[0], _tree_rss_kb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        finished.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(
                f"{' '.join(argv)} failed ({process.returncode}):\n" + err.read().decode()[-2000:]
            )
        peak = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, peak, max(tree_peak[0] / 1024, peak), out.read().decode()


class Sink:
    def __init__(self, delay_ms: float) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "smtp_sink.py"),
                "--port",
                str(self.port),
                "--delay-ms",
                str(delay_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> str:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=30)
        return out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--as-of", default="2027-01-15")
    parser.add_argument("--cases", default="import,outbox,smtp,relay,second")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    # A plain SIGTERM would skip the clean-up below (and leave a PostgreSQL schema behind).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cases = args.cases.split(",")
    work = Path(tempfile.mkdtemp(prefix="reminder-bench-"))
    schema = None
    if args.database == "sqlite":
        url = f"sqlite:///{work / 'reminder.sqlite'}"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(args.pg_url).set(drivername="postgresql+psycopg"))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = (
            make_url(args.pg_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_")}
    env.update(
        REMINDER_DATABASE_URL=url,
        REMINDER_TIMEZONE="UTC",
        REMINDER_OUTBOX_DIR=str(work / "outbox"),
        REMINDER_HEARTBEAT_FILE=str(work / "heartbeat"),
        REMINDER_SMTP_TLS="none",
        REMINDER_SMTP_HOST="127.0.0.1",
        REMINDER_SMTP_CONNECTIONS=str(args.connections),
        REMINDER_EVALUATION_OFFICE="evaluation.office@example.org",
    )
    reminder = [sys.executable, "-m", "reminder.cli"]
    results: list[Result] = []
    load_before = os.getloadavg()
    try:
        timed([*reminder, "db", "upgrade"], env)
        *measured, _ = timed(
            [*reminder, "directory", "import", str(args.data / "directory.csv")], env
        )
        results.append(Result("directory import", *measured))
        *measured, _ = timed([*reminder, "import", str(args.data / "tracker.csv")], env)
        if "import" in cases:
            results.append(Result("import tracker.csv", *measured))
        if "reimport" in cases:
            *measured, _ = timed([*reminder, "import", str(args.data / "tracker.csv")], env)
            results.append(Result("re-import, same file", *measured))
        if "shifted" in cases:
            shifted = shifted_tracker(args.data / "tracker.csv", work / "tracker.csv")
            *measured, _ = timed([*reminder, "import", str(shifted)], env)
            results.append(Result("re-import, each recommendation rotated", *measured))
        engine = create_engine(
            make_url(url).set(drivername="postgresql+psycopg") if schema else url
        )

        def empty_ledger() -> None:
            with engine.begin() as connection:
                for table in ("reminder_log", "delivery_messages", "deliveries", "runs"):
                    connection.execute(text(f"DELETE FROM {table}"))

        def run_once(case: str, transport: str, port: int | None = None) -> None:
            case_env = dict(env, REMINDER_TRANSPORT=transport)
            if port:
                case_env["REMINDER_SMTP_PORT"] = str(port)
            seconds, cpu, peak, tree, out = timed(
                [*reminder, "run-once", "--as-of", args.as_of, "--json"], case_env
            )
            report = json.loads(out)
            results.append(
                Result(
                    case,
                    seconds,
                    cpu,
                    peak,
                    tree,
                    report["sent"] + report["ambiguous"],
                    f"planned {report['planned']}, deferred {report['deferred']}, "
                    f"failed {report['failed']}",
                )
            )

        if "outbox" in cases:
            run_once("run-once → outbox", "outbox")
            empty_ledger()
            shutil.rmtree(work / "outbox", ignore_errors=True)
        if "smtp" in cases:
            sink = Sink(0)
            run_once("run-once → loopback SMTP", "smtp", sink.port)
            results[-1].note += f"; sink {sink.stop()}"
            empty_ledger()
        if "relay" in cases:
            sink = Sink(20)
            run_once("run-once → SMTP relay, 20 ms replies", "smtp", sink.port)
            results[-1].note += f"; sink {sink.stop()}"
        if "second" in cases:
            if not ({"relay", "smtp", "outbox"} & set(cases)) or "relay" not in cases:
                run_once("(first run, to the outbox)", "outbox")
            run_once("second run-once, same day", "outbox")
    finally:
        if schema:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(work, ignore_errors=True)
    lines = sum(1 for _ in (args.data / "tracker.csv").open()) - 1
    load = " → ".join(f"{figures[0]:.2f}" for figures in (load_before, os.getloadavg()))
    print(
        f"\nload average (1 min) {load}; "
        f"{lines:,} key actions, {args.database}, {os.cpu_count()} cores, "
        f"{args.connections} SMTP connections, as of {args.as_of}\n"
    )
    print(
        "| case | wall s | CPU s | digests | digests/s | peak RSS MB, largest process "
        "| peak RSS MB, all processes | notes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
