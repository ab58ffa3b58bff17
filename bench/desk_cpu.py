"""CPU per request of the status desk, in process: the person's page and the POST of an
update, called through the ASGI application as uvicorn would (no sockets, no load generator),
timed with `time.process_time`. Run `bench/desk.py` once first: it builds DATA/desk.sqlite.

    .venv/bin/python bench/desk_cpu.py --data bench/data/100k [--people 200] [--profile]

Prints milliseconds of CPU per request (mean, p50, p95) for a cold and a warm pass over the
same people (the warm pass shows what the card cache saves), and with --profile the top of
cProfile's cumulative list for the warm pages.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from desk import KEY, sample  # noqa: E402

from reminder.config import load_settings  # noqa: E402
from reminder.links import Links  # noqa: E402
from reminder.web.app import create_app  # noqa: E402


async def call(app, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    sent = [False]
    status, chunks = [0], []

    async def receive() -> dict:
        if sent[0]:
            await asyncio.sleep(3600)
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(chunks)


def measure(app, requests: list[tuple[str, str, bytes]]) -> list[float]:
    async def run() -> list[float]:
        spent = []
        for method, path, body in requests:
            started = time.process_time()
            status, _ = await call(app, method, path, body)
            spent.append((time.process_time() - started) * 1000)
            if status not in (200, 303):
                raise SystemExit(f"{method} {path}: HTTP {status}")
        return spent

    return asyncio.run(run())


def show(name: str, spent: list[float]) -> None:
    ordered = sorted(spent)
    p95 = ordered[int(len(ordered) * 0.95)]
    print(
        f"{name:<24}{len(spent):>6}{statistics.mean(spent):>10.2f}"
        f"{statistics.median(spent):>10.2f}{p95:>10.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = f"sqlite:///{args.data.resolve()}/desk.sqlite"
    settings = load_settings(
        database_url=url, secret_key=KEY, web_base_url="http://127.0.0.1", timezone="UTC"
    )
    app = create_app(settings)
    links = Links(KEY, 45)
    people = sample(url, args.people, seed=2027)
    pages = [("GET", f"/p/{links.issue(email)}", b"") for email, _ in people]
    posts = []
    for email, action in people:
        token = links.issue(email)
        form = {"csrf": links.csrf(token), "status": "initiated", "comment": "bench update"}
        posts.append(("POST", f"/p/{token}/actions/{action}", urlencode(form).encode()))
    print(f"{'ms CPU per request':<24}{'n':>6}{'mean':>10}{'p50':>10}{'p95':>10}")
    show("person page, cold", measure(app, pages))
    show("person page, warm", measure(app, pages))
    show("update POST", measure(app, posts))
    show("person page, after POST", measure(app, pages))
    if args.profile:
        profile_pages(app, pages)


def profile_pages(app, pages: list[tuple[str, str, bytes]]) -> None:
    """cProfile of the page handler itself on an empty card cache, called in this thread (the
    server runs it in a worker thread, which cProfile would not see)."""
    from starlette.requests import Request

    from reminder.web import person
    from reminder.web.cards import CardCache

    app.app.app.state.desk.cards = CardCache()

    profile = cProfile.Profile()
    for _, path, _ in pages:
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": [],
            "app": app.app.app,
            "path_params": {"token": path[3:]},
        }
        scope["app"].state  # noqa: B018
        profile.enable()
        person.person_page(Request(scope))
        profile.disable()
    stats = pstats.Stats(profile).sort_stats("tottime")
    stats.print_stats(40)
    if os.environ.get("DESK_CPU_CALLERS"):
        stats.print_callers(os.environ["DESK_CPU_CALLERS"])


if __name__ == "__main__":
    main()
