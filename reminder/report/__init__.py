"""The evaluation office's report: implementation rates, ageing, the 12-month trend and
whether the reminders work, computed in SQL and presented as text, JSON, XLSX, HTML or a
monthly email.

figures (the data) <- implementation, trend, responsiveness (the queries);
text, workbook, charts, page (the formats); message, monthly (the email and its schedule).
"""

from reminder.report.figures import Report, build_report

__all__ = ["Report", "build_report"]
