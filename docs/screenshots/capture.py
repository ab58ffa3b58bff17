"""Take the README's status desk screenshots in headless Chromium (Debian's chromium and
chromedriver), against a real `reminder serve` on the example data.

    .venv/bin/python docs/screenshots/capture.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reminder import clock, migrate, updates  # noqa: E402
from reminder.db import make_engine, make_session_factory  # noqa: E402
from reminder.links import Links  # noqa: E402
from tests.desk_setup import AIDA, KEY, OFFICE, load_examples, only_of  # noqa: E402
from tests.smtp_server import free_port  # noqa: E402

OUT = Path(__file__).resolve().parent


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(argument)
    if width < 500:  # headless windows are at least 500 px wide: emulate a phone instead
        options.add_experimental_option(
            "mobileEmulation",
            {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1}},
        )
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.implicitly_wait(30)
    return driver


def main() -> None:
    work = Path(tempfile.mkdtemp())
    port = free_port()
    settings = {
        "REMINDER_DATABASE_URL": f"sqlite:///{work}/desk.sqlite",
        "REMINDER_TRANSPORT": "outbox",
        "REMINDER_OUTBOX_DIR": str(work / "outbox"),
        "REMINDER_TIMEZONE": "Asia/Bishkek",
        "REMINDER_WEB_BASE_URL": f"http://127.0.0.1:{port}",
        "REMINDER_SECRET_KEY": KEY,
        "REMINDER_OFFICE_MEMBERS": f'["{OFFICE}"]',
    }
    engine = make_engine(settings["REMINDER_DATABASE_URL"])
    migrate.upgrade(engine)
    now = clock.now_utc()
    with make_session_factory(engine)() as session:
        load_examples(session)
        action = only_of(session, "UNW", ("ILO", "IOM"))
        aida = updates.Actor(AIDA, "Aida Bekova", "web")
        change = updates.Change(
            status="initiated",
            comment="Terms of reference drafted; consultant starts in March.",
            proposed_deadline="2027-06-30",
            proposal_reason="Funding for the mapping arrives in May.",
        )
        updates.record(session, action, aida, change, now, now.date())
        session.commit()
    env = {**settings, "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen([sys.executable, "-m", "reminder.cli", "serve", "--port", str(port)],
                              env=env, cwd=work, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert "listening on" in (server.stdout.readline() if server.stdout else "")
        token = Links(KEY, 45).issue(AIDA)
        page = f"http://127.0.0.1:{port}/p/{token}"
        for width, height, name in (
            (1280, 900, "desk-person.png"),
            (390, 844, "desk-person-390.png"),
        ):
            driver = browser(width, height)
            driver.get(page)
            driver.save_screenshot(str(OUT / name))
            driver.quit()
        # The same page in French and Russian (the language switch, ?lang=), the words that
        # run longest: wide and phone-sized.
        for locale in ("fr", "ru"):
            for width, height, name in (
                (1280, 900, f"desk-person-{locale}.png"),
                (390, 1400, f"desk-person-{locale}-390.png"),
            ):
                driver = browser(width, height)
                driver.get(f"{page}?lang={locale}")
                driver.save_screenshot(str(OUT / name))
                driver.quit()
        driver = browser(1280, 900)
        driver.get(f"{page}/actions/{action}")
        driver.save_screenshot(str(OUT / "desk-action.png"))
        driver.get(f"http://127.0.0.1:{port}/office")
        driver.find_element(By.NAME, "email").send_keys(OFFICE)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(driver, 30).until(
            expected_conditions.text_to_be_present_in_element((By.ID, "main"), "on its way")
        )
        mail = next((work / "outbox").rglob("*.eml")).read_text()
        link = re.search(r"(http://\S+/office/signin/\S+)", mail)
        assert link is not None
        driver.get(link.group(1))
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(driver, 30).until(expected_conditions.title_contains("Office view"))
        driver.save_screenshot(str(OUT / "desk-office.png"))
        driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
