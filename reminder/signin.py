"""Office sign-in by emailed one-time link: single use, 15 minutes, stored only as a hash.

`start` makes a token for an office member (None for anyone else: the caller answers the same
either way); `finish` spends it with one conditional UPDATE, so two clicks cannot both win.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from reminder.config import Settings
from reminder.models import OfficeSignIn

VALID_FOR = timedelta(minutes=15)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_member(settings: Settings, email: str) -> bool:
    return email.strip().lower() in settings.office_members


def start(session: Session, settings: Settings, email: str, now: datetime) -> str | None:
    """A fresh one-time token for a member (the caller commits and emails it), else None.
    Spent and expired tokens are cleared on the way."""
    session.execute(delete(OfficeSignIn).where(OfficeSignIn.expires_at < now - VALID_FOR))
    email = email.strip().lower()
    if not is_member(settings, email):
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        OfficeSignIn(
            email=email, token_hash=_hash(token), created_at=now, expires_at=now + VALID_FOR
        )
    )
    return token


def finish(session: Session, settings: Settings, token: str, now: datetime) -> str | None:
    """The member's address if the token is unspent, unexpired and they are still a member;
    the token is spent either way (the caller commits)."""
    spent = session.execute(
        update(OfficeSignIn)
        .where(
            OfficeSignIn.token_hash == _hash(token),
            OfficeSignIn.used_at.is_(None),
            OfficeSignIn.expires_at > now,
        )
        .values(used_at=now)
        .returning(OfficeSignIn.email)
    ).scalar_one_or_none()
    if spent is None or not is_member(settings, spent):
        return None
    return str(spent)
