"""End to end with real parts: `run-once` sends through a loopback SMTP server, the Update link
from the received digest opens in headless Chromium against a real `reminder serve`, the action
is marked completed, and the next digest no longer lists it; the office signs in by emailed
link and its feed shows who did it and when."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reminder.models import ActionUpdate
from tests.desk_process import chromium, environment, run, served
from tests.desk_setup import AIDA, KEY, OFFICE, load_examples
from tests.smtp_server import Recorder, free_port, smtp_server


def body_of(message) -> str:  # type: ignore[no-untyped-def]
    return str(message.get_body(("plain",)).get_content())


def update_links(text: str) -> dict[int, str]:
    return {int(m.group(2)): m.group(1) for m in re.finditer(r"Update: (\S+/actions/(\d+))", text)}


def digest_to(recorder: Recorder, address: str, index: int = -1) -> str:
    return body_of(recorder.to(address)[index])


def test_an_action_completed_from_the_digest_link_is_not_reminded_again(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    load_examples(session)
    web_port = free_port()
    with smtp_server() as (recorder, smtp_port):
        env = environment({
            "database_url": database_url, "transport": "smtp", "smtp_host": "127.0.0.1",
            "smtp_port": str(smtp_port), "smtp_tls": "none", "timezone": "Asia/Bishkek",
            "evaluation_office": OFFICE, "from": "M&E reminders <reminders@kg.example.org>",
            "web_base_url": f"http://127.0.0.1:{web_port}", "secret_key": KEY,
            "office_members": f'["{OFFICE}"]',
        })  # fmt: skip
        run(env, tmp_path, "run-once", "--as-of", "2027-01-15")
        first = digest_to(recorder, AIDA)
        links = update_links(first)
        assert len(links) >= 2, first
        chosen, link = next(iter(links.items()))
        before = datetime.now(UTC)
        with served(env, tmp_path, web_port), chromium() as browser:
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support import expected_conditions
            from selenium.webdriver.support.ui import WebDriverWait

            # Element look-ups wait for the page the last click loads (a condition, not a delay).
            browser.implicitly_wait(60)  # type: ignore[attr-defined]

            browser.get(link)  # type: ignore[attr-defined]
            assert "Update a key action" in browser.title  # type: ignore[attr-defined]
            browser.find_element(By.CSS_SELECTOR, "input[name=status][value=completed]").click()  # type: ignore[attr-defined]
            browser.find_element(By.NAME, "comment").send_keys("Finished; report shared")  # type: ignore[attr-defined]
            browser.find_element(By.CSS_SELECTOR, "form.update button[type=submit]").click()  # type: ignore[attr-defined]
            WebDriverWait(browser, 60).until(expected_conditions.title_contains("Update recorded"))
            recorded = browser.find_element(By.ID, "recorded").text  # type: ignore[attr-defined]
            assert "Completed" in recorded and "Finished; report shared" in recorded

            # The office signs in by emailed one-time link and sees who did it.
            browser.get(f"http://127.0.0.1:{web_port}/office")  # type: ignore[attr-defined]
            browser.find_element(By.NAME, "email").send_keys(OFFICE)  # type: ignore[attr-defined]
            browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()  # type: ignore[attr-defined]
            WebDriverWait(browser, 60).until(
                expected_conditions.text_to_be_present_in_element((By.ID, "main"), "on its way")
            )
            sign_in = _wait_for_sign_in_mail(recorder)
            browser.get(sign_in)  # type: ignore[attr-defined]
            WebDriverWait(browser, 60).until(expected_conditions.title_contains("Office sign-in"))
            browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()  # type: ignore[attr-defined]
            WebDriverWait(browser, 60).until(expected_conditions.title_contains("Office view"))
            feed = browser.find_element(By.ID, "feed-h").find_element(By.XPATH, "..").text  # type: ignore[attr-defined]
            assert "Aida Bekova" in feed and "→ Completed" in feed and "Finished" in feed

        session.expire_all()
        row = session.scalars(select(ActionUpdate).where(ActionUpdate.source == "web")).one()
        assert (row.key_action_id, row.actor, row.source, row.new_status) == (
            chosen,
            AIDA,
            "web",
            "completed",
        )
        assert row.recorded_at >= before.replace(microsecond=0)

        # A week on, overdue actions are repeated: the completed one is not among them.
        run(env, tmp_path, "run-once", "--as-of", "2027-01-22")
        later = digest_to(recorder, AIDA)
        assert later != first
        assert chosen not in update_links(later)
        assert set(update_links(later)) & (set(links) - {chosen})  # the others are repeated


def _wait_for_sign_in_mail(recorder: Recorder) -> str:
    """The sign-in mail is sent after the response (a background task): poll the recorder
    the SMTP server fills, bounded by the message arriving, not by a delay."""
    import threading

    arrived = threading.Event()
    for _ in range(600):
        with recorder.lock:
            found = [m for m in recorder.received if "sign-in link" in str(m["Subject"])]
        if found:
            text = body_of(found[-1])
            return re.search(r"(http://\S+/office/signin/\S+)", text).group(1)  # type: ignore[union-attr]
        arrived.wait(0.1)
    raise AssertionError("no sign-in mail arrived")
