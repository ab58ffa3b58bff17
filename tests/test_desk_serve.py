"""`reminder serve --workers N`: forked worker processes sharing the port, stopped together.

The parent prints its "listening on" line only once the workers exist and a signal would
reach them, so the test reads the children from /proc at that moment, never after a delay."""

from __future__ import annotations

import signal
import subprocess
import urllib.request
from pathlib import Path

from sqlalchemy.orm import Session

from reminder.links import Links
from tests.desk_process import environment, reminder, served
from tests.desk_setup import AIDA, KEY, OFFICE, load_examples
from tests.smtp_server import free_port


def _settings(database_url: str, port: int) -> dict[str, str]:
    return {
        "database_url": database_url,
        "timezone": "Asia/Bishkek",
        "evaluation_office": OFFICE,
        "web_base_url": f"http://127.0.0.1:{port}",
        "secret_key": KEY,
    }


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_workers_serve_the_desk_and_stop_together_on_sigterm(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    port = free_port()
    env = environment(_settings(database_url, port))
    with served(env, tmp_path, port, workers=2) as server:
        workers = _children(server.pid)
        assert len(workers) == 2, workers
        token = Links(KEY, 45).issue(AIDA)
        for _ in range(4):  # whichever worker the kernel hands each connection to
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{token}", timeout=60) as page:
                assert page.status == 200
                assert "Key actions for Aida Bekova" in page.read().decode()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    for pid in workers:  # gone and reaped (a recycled pid would have another parent)
        assert not Path(f"/proc/{pid}").exists() or _parent(pid) != server.pid


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_workers_must_be_a_sensible_number(database_url: str, tmp_path: Path) -> None:
    env = environment(_settings(database_url, free_port()))
    done = subprocess.run(
        reminder("serve", "--workers", "0"), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "Error: --workers: give a number from 1 to 32, not 0" in done.stderr
