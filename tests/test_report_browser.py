"""The report page and the report email's HTML in a real browser engine (Debian's chromium
through chromedriver): the three charts draw, their tables sit beside them, the email's
inline images load, and a 390 px phone screen needs no sideways scrolling of the page."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from reminder.report import Report
from reminder.report.message import report_content
from reminder.report.page import render_report_page
from tests.report_portfolio import portfolio_report

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs chromium and chromedriver"
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Report:
    return portfolio_report(tmp_path_factory.mktemp("report"), sqlite_template)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser: webdriver.Chrome, path: Path, width: int) -> None:
    browser.set_window_size(width, 1800)
    browser.get(path.as_uri())


def test_the_page_draws_three_charts_with_their_tables(
    report: Report, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report_page(report))
    _open(browser, page, 1280)
    assert (
        browser.find_element(By.TAG_NAME, "h1").text == "Key-action report as of January 15, 2027"
    )
    for section in ("implementation-chart", "ageing-chart", "trend-chart"):
        chart = browser.find_element(By.CSS_SELECTOR, f"#{section} figure svg")
        table = browser.find_element(By.CSS_SELECTOR, f"#{section} .beside table")
        assert chart.size["width"] > 300 and chart.size["height"] > 150, section
        # Beside, not below, on a wide screen.
        assert table.location["x"] > chart.location["x"] + chart.size["width"] - 1, section
    trend_rows = browser.find_elements(By.CSS_SELECTOR, "#trend-chart .beside tbody tr")
    assert [r.text for r in trend_rows][-1] == "2026-12 28.6% 3"
    overall = browser.find_element(By.CSS_SELECTOR, "#overall tbody tr").text
    assert overall == "8 2 2 2 1 5 4 28.6% 80.0%"


def test_a_phone_screen_scrolls_only_inside_tables(
    report: Report, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report_page(report))
    _open(browser, page, 390)
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width


def test_the_email_shows_its_inline_images(
    report: Report, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    content = report_content(report, date(2027, 1, 1))
    html = content.html
    for content_id, _, png in content.images:
        # What a mail client does with cid: links, done by hand for a file the browser opens.
        data = "data:image/png;base64," + base64.b64encode(png).decode()
        html = html.replace(f"cid:{content_id}", data)
    assert not re.search(r'src="cid:', html)
    page = tmp_path / "email.html"
    page.write_text(html)
    _open(browser, page, 1024)
    images = browser.find_elements(By.CSS_SELECTOR, "figure img")
    assert len(images) == 3
    for image in images:
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 300
