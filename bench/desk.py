"""The status desk under load: a focal point's page and the POST of an update, driven by `wrk`
on loopback against a real `reminder serve`, printing p50/p95/p99 and requests per second.

    .venv/bin/python bench/desk.py --data bench/data/1m [--database postgresql]

The database is built from the generated data once (directory and tracker imports) and kept
in `--data` for the next run (`--fresh` rebuilds it). Each run serves a copy of it, so the
updates a run posts do not pile up in the histories the next run's pages show. Links are
issued here with the server's key for a sample of primaries, so every request opens a
different person's page; updates post a status and comment, with the page's CSRF token, to
one of that person's actions.
Targets (2-core machine): page p95 <= 50 ms at >= 300 req/s; update p95 <= 100 ms.

Besides wrk's figures it prints the CPU per request of the server processes and of wrk
(user + system, from /proc and getrusage) and the load average: on a shared machine the
rate says how much CPU the others left, the CPU per request what the desk costs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from reminder.db import make_engine, make_session_factory  # noqa: E402
from reminder.links import Links  # noqa: E402
from reminder.models import FocalPoint, KeyAction, key_action_parties  # noqa: E402

KEY = "bench-" + "k" * 40
LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %.2f %.2f %.2f %d\\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def reminder(*args: str) -> list[str]:
    return [sys.executable, "-m", "reminder.cli", *args]


def build(env: dict[str, str], data: Path) -> None:
    for args in (
        ("db", "upgrade"),
        ("directory", "import", str(data / "directory.csv")),
        ("import", str(data / "tracker.csv")),
    ):
        print("$ reminder " + " ".join(args), flush=True)
        subprocess.run(reminder(*args), env=env, check=True, stdout=subprocess.DEVNULL)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy (WAL included) through SQLite's backup API."""
    for stale in (target, target.with_name(target.name + "-wal")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    original.close()
    copy.close()


def sample(database_url: str, people: int, seed: int) -> list[tuple[str, int]]:
    """(primary's address, one of their open actions) for a random sample of primaries."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(FocalPoint.email, FocalPoint.party_id).where(FocalPoint.role == "primary")
        ).all()
        chosen = random.Random(seed).sample(rows, min(people, len(rows)))
        result = []
        for email, party_id in chosen:
            action = session.scalar(
                select(key_action_parties.c.key_action_id)
                .join(KeyAction, KeyAction.id == key_action_parties.c.key_action_id)
                .where(
                    key_action_parties.c.party_id == party_id,
                    KeyAction.status.not_in(("completed", "no_longer_applicable")),
                )
                .limit(1)
            )
            if action is not None:
                result.append((email, action))
    engine.dispose()
    return result


def lua_script(
    path: Path, people: list[tuple[str, int]], links: Links, post: bool, close: bool
) -> None:
    lines = ["local paths = {}", "local bodies = {}"]
    # With --close each request comes on a connection of its own, as visitors clicking their
    # own links do; without it wrk's few connections are kept alive, each held by one worker.
    headers = '["Connection"] = "close"' if close else ""
    for n, (email, action) in enumerate(people, start=1):
        token = links.issue(email)
        if post:
            lines.append(f'paths[{n}] = "/p/{token}/actions/{action}"')
            body = f"csrf={links.csrf(token)}&status=initiated&comment=bench+update"
            lines.append(f'bodies[{n}] = "{body}"')
        else:
            lines.append(f'paths[{n}] = "/p/{token}"')
    lines.append("math.randomseed(7)")
    lines.append("request = function()")
    lines.append("  local n = math.random(#paths)")
    if post:
        lines.append(
            '  return wrk.format("POST", paths[n], '
            '{["Content-Type"] = "application/x-www-form-urlencoded"'
            f"{', ' + headers if headers else ''}}}, bodies[n])"
        )
    else:
        lines.append(f'  return wrk.format("GET", paths[n], {{{headers}}})')
    lines.append("end")
    path.write_text("\n".join(lines) + LUA_DONE)


def load(port: int, script: Path, args: argparse.Namespace) -> tuple[str, ...]:
    done = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^RESULT (.*)$", done.stdout, re.MULTILINE)
    if not found:
        raise SystemExit(done.stdout + done.stderr)
    return tuple(found.group(1).split())


def server_cpu(pid: int) -> list[float]:
    """User + system CPU seconds so far of the server's process and of each of its workers."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    seconds = []
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        seconds.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return seconds


def wrk_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--workers", type=int, default=2, help="reminder serve --workers")
    parser.add_argument(
        "--close", action="store_true", help="a new connection per request (no keep-alive)"
    )
    args = parser.parse_args()
    kept = args.data.resolve() / "desk.sqlite"
    database_url = f"sqlite:///{kept}" if args.database == "sqlite" else args.pg_url
    env = {
        **os.environ,
        "REMINDER_DATABASE_URL": database_url,
        "REMINDER_SECRET_KEY": KEY,
        "REMINDER_WEB_BASE_URL": f"http://127.0.0.1:{args.port}",
        "REMINDER_TIMEZONE": "UTC",
    }
    if args.fresh or args.database == "postgresql" or not (args.data / "desk.sqlite").exists():
        if args.database == "sqlite":
            (args.data / "desk.sqlite").unlink(missing_ok=True)
        build(env, args.data)
    else:  # a database kept from an older version: bring its schema up to date first
        subprocess.run(reminder("db", "upgrade"), env=env, check=True, stdout=subprocess.DEVNULL)
    if args.database == "sqlite":
        served = kept.with_name("desk-run.sqlite")
        copy_database(kept, served)
        database_url = env["REMINDER_DATABASE_URL"] = f"sqlite:///{served}"
    people = sample(database_url, args.people, seed=2027)
    links = Links(KEY, 45)
    # Without the option for one process, so the script also drives older code (PYTHONPATH).
    workers = ("--workers", str(args.workers)) if args.workers != 1 else ()
    server_log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        reminder("serve", "--port", str(args.port), *workers),
        env=env,
        stdout=subprocess.PIPE,
        stderr=server_log,  # a file: a pipe nobody reads would stall the server's log lines
        text=True,
    )
    try:
        assert server.stdout is not None
        if "listening on" not in server.stdout.readline():  # say why, not an empty assertion
            server.wait()
            server_log.seek(0)
            raise SystemExit(f"reminder serve did not start: {server_log.read()}")
        with tempfile.TemporaryDirectory() as work:
            print(
                f"{len(people)} people, {args.workers} server processes, "
                f"{args.connections} connections"
                f"{' (a new one per request)' if args.close else ' (kept alive)'}, "
                f"{args.duration} s each"
            )
            print(
                f"{'case':<16}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}"
                f"{'p99 ms':>10}{'errors':>8}{'server CPU ms/req':>19}{'wrk CPU ms/req':>16}"
                f"{'load avg':>10}  CPU share of each worker"
            )
            for name, post in (("person page", False), ("update POST", True)):
                script = Path(work) / f"{name.split()[0]}.lua"
                lua_script(script, people, links, post, args.close)
                before, driven = server_cpu(server.pid), wrk_cpu()
                requests, rate, p50, p95, p99, errors = load(args.port, script, args)
                used = [b - a for a, b in zip(before, server_cpu(server.pid), strict=True)]
                served = sum(used) * 1000 / int(requests)
                driven = (wrk_cpu() - driven) * 1000 / int(requests)
                # Keep-alive connections stay with the worker that accepted them: an uneven
                # share here means one worker queued while the other idled.
                shares = " / ".join(f"{100 * u / max(sum(used), 1e-9):.0f}%" for u in used[1:])
                print(
                    f"{name:<16}{requests:>10}{rate:>10}{p50:>10}{p95:>10}{p99:>10}{errors:>8}"
                    f"{served:>19.2f}{driven:>16.2f}{os.getloadavg()[0]:>10.1f}  {shares}"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.database == "sqlite":
            for name in ("desk-run.sqlite", "desk-run.sqlite-wal", "desk-run.sqlite-shm"):
                (args.data / name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
