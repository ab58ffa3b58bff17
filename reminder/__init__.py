"""reminder: follow-up reminders for evaluation management responses."""

__version__ = "0.1.0"
