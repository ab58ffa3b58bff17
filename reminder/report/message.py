"""The report email for one recipient: the HTML page's tables with the charts as inline PNG
images (Content-ID), a plain-text part, and the XLSX workbook attached. Rendered once per
month and addressed per recipient."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from reminder.config import Settings
from reminder.mime import ReportMail, build_report_message, header_safe
from reminder.report.charts import png
from reminder.report.figures import Report
from reminder.report.page import render_email_parts
from reminder.report.workbook import render_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportContent:
    """Everything of the message that does not depend on its recipient."""

    subject: str
    text: str
    html: str
    images: list[tuple[str, str, bytes]]
    attachment: tuple[str, str, bytes]


def report_content(
    report: Report, month: date, locale: str = "en", locale_dir: Path | None = None
) -> ReportContent:
    """The message in `locale` (the settings' default_locale for the monthly send), with the
    catalogs of `locale_dir` (REMINDER_LOCALE_DIR) on top of the shipped ones."""
    subject, text, html, drawn = render_email_parts(report, f"{month:%Y-%m}", locale, locale_dir)
    images = [(f"{chart.name}@report", f"{chart.name}.png", png(chart)) for chart in drawn]
    xlsx = render_xlsx(report, locale, locale_dir)
    workbook = (f"key-action-report-{report.as_of}.xlsx", XLSX_TYPE, xlsx)
    return ReportContent(subject, text, html, images, workbook)


def report_message_id(recipient: str, month: date, sender: str) -> str:
    """Stable for a (recipient, month): a retry carries the same Message-ID."""
    domain = sender.rpartition("@")[2].strip("> ") or "reminder.localhost"
    token = hashlib.sha256(f"report|{recipient}|{month:%Y-%m}".encode()).hexdigest()[:20]
    return f"<report.{month:%Y%m}.{token}@{header_safe(domain)}>"


def report_message(
    content: ReportContent,
    recipient: str,
    name: str,
    settings: Settings,
    message_id: str,
    now: datetime,
) -> str:
    mail = ReportMail(
        recipient_name=name,
        recipient=recipient,
        subject=content.subject,
        text=content.text,
        html=content.html,
        images=content.images,
        attachment=content.attachment,
    )
    return build_report_message(mail, settings, message_id, now)
