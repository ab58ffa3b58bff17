"""A real `reminder serve` on loopback and a real headless Chromium, for end-to-end tests.

The server is ready when it prints its "listening on" line (the socket is bound before the
line is printed), so the tests wait on that line, never on a delay."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def reminder(*args: str) -> list[str]:
    return [sys.executable, "-m", "reminder.cli", *args]


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(reminder(*args), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def served(
    env: dict[str, str], cwd: Path, port: int, workers: int = 1
) -> Iterator[subprocess.Popen[str]]:
    server = subprocess.Popen(
        reminder("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # blocks until the socket is bound (or the process ends)
        assert "listening on" in line, (
            line,
            server.stderr.read() if server.poll() is not None else "",
        )  # type: ignore[union-attr]
        yield server
    finally:
        server.terminate()
        server.wait(timeout=60)


@contextmanager
def chromium() -> Iterator[object]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options
    )
    try:
        yield driver
    finally:
        driver.quit()


def environment(settings: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMINDER_")}
    env.update({f"REMINDER_{key.upper()}": value for key, value in settings.items()})
    return env
