"""Signed desk links: who a link is for, when it was issued, and nothing else.

A person link names one focal point's address and carries its issue time; it is signed with
the configured secret key (itsdangerous, a salt per purpose, so a calendar link cannot be
replayed as a page link), expires after `links_valid_days`, and stops working the moment the
key changes. The CSRF token of a form is an HMAC of the link it was served under, so a form
posted with another person's link, or none, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from reminder.config import Settings
from reminder.secret_settings import secret_key

Clock = Callable[[], datetime]

PAGE = "reminder.desk.page"
CALENDAR = "reminder.desk.calendar"
OFFICE_SESSION = "reminder.office.session"


class LinkError(Exception):
    """A link that opens nothing; `reason` is one of: tampered, expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class Links:
    """Issues and checks the tokens of one secret key, on an injected clock."""

    def __init__(self, key: str, valid_days: int, clock: Clock = _wall_clock) -> None:
        self.key = key.encode()
        self.max_age = valid_days * 86400
        self.clock = clock

        # itsdangerous reads time.time() for both issuing and checking: give it our clock.
        class ClockedSigner(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock().timestamp())

        self._signer_class = ClockedSigner

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = _wall_clock) -> Links:
        return cls(secret_key(settings), settings.links_valid_days, clock)

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt=purpose, signer=self._signer_class)

    def issue(self, email: str, purpose: str = PAGE) -> str:
        """A token naming `email`, issued now."""
        return str(self._serializer(purpose).dumps(email.strip().lower()))

    def issue_at(self, email: str, issued: datetime, purpose: str = PAGE) -> str:
        """A token issued at `issued` (the run's clock, not this object's)."""
        return Links(self.key.decode(), self.max_age // 86400, lambda: issued).issue(email, purpose)

    def open(self, token: str, purpose: str = PAGE, max_age: int | None = None) -> str:
        """The address a token was issued to, or LinkError."""
        try:
            email = self._serializer(purpose).loads(token, max_age=max_age or self.max_age)
        except SignatureExpired:
            raise LinkError("expired") from None
        except BadSignature:
            raise LinkError("tampered") from None
        if not isinstance(email, str) or "@" not in email:
            raise LinkError("tampered")
        return email

    def issued(self, token: str, purpose: str = PAGE) -> datetime:
        """When a valid token was issued: a link derived from it (the calendar's, the page
        link inside the calendar) is issued at the same moment, so it expires with it and a
        chain of derived links never outlives the first one."""
        try:
            _, stamp = self._serializer(purpose).loads(
                token, max_age=self.max_age, return_timestamp=True
            )
        except SignatureExpired:
            raise LinkError("expired") from None
        except BadSignature:
            raise LinkError("tampered") from None
        return stamp.astimezone(UTC)

    def csrf(self, token: str) -> str:
        """The form token bound to one link (or one office session)."""
        return hmac.new(self.key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf(token), submitted or "")


def page_url(base_url: str, token: str) -> str:
    return f"{base_url}/p/{token}"


def action_url(base_url: str, token: str, action_id: int) -> str:
    return f"{base_url}/p/{token}/actions/{action_id}"


def calendar_url(base_url: str, token: str) -> str:
    return f"{base_url}/c/{token}/actions.ics"
