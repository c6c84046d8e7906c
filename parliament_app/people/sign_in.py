"""Signing in with a local account: throttling, lockout and server-side sign-in sessions.

The browser holds only a random token (in an HttpOnly cookie); the database keeps its SHA-256,
the user and the expiry, so signing out or deactivating a user ends the session everywhere.
Failed attempts are counted per typed username whether or not that user exists, so neither the
message nor the lockout reveals which usernames are real.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.config import Settings
from parliament_app.models import AuditAction, LoginSession, LoginThrottle, User, utcnow
from parliament_app.people.passwords import hash_password, needs_rehash, verify_password

SLOWDOWN_AFTER = 3  # failures before each further attempt is answered more slowly


class Outcome(enum.StrEnum):
    SIGNED_IN = "signed_in"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    user: User | None = None
    token: str | None = None
    expires_at: datetime | None = None
    locked_until: datetime | None = None
    delay_seconds: float = 0.0


def normalise_username(username: str) -> str:
    return username.strip().lower()[:80]


def sign_in(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    now: datetime | None = None,
) -> SignInResult:
    now = now or utcnow()
    key = normalise_username(username)
    throttle = session.get(LoginThrottle, key, with_for_update=True)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return SignInResult(Outcome.LOCKED, locked_until=throttle.locked_until)

    user = session.scalar(select(User).where(func.lower(User.username) == key))
    password_ok = verify_password(user.password_hash if user else None, password)
    if not (user and user.active and password_ok):
        return _failed(session, settings, key, throttle, user, now)

    if throttle:
        session.delete(throttle)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    token, expires_at = start_session(session, settings, user, now)
    audit.record(session, user, AuditAction.SIGN_IN, "user", user.id, method="password")
    return SignInResult(Outcome.SIGNED_IN, user=user, token=token, expires_at=expires_at)


def _failed(
    session: Session,
    settings: Settings,
    key: str,
    throttle: LoginThrottle | None,
    user: User | None,
    now: datetime,
) -> SignInResult:
    if throttle is None:
        throttle = LoginThrottle(username_key=key, failures=0)
        session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = now
    audit.record(
        session,
        user,
        AuditAction.SIGN_IN_FAILED,
        "user",
        user.id if user else None,
        failures=throttle.failures,
    )
    if throttle.failures >= settings.max_failed_logins:
        throttle.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        throttle.failures = 0
        return SignInResult(Outcome.LOCKED, locked_until=throttle.locked_until)
    delay = 0.0
    if throttle.failures >= SLOWDOWN_AFTER:
        delay = min(2.0 ** (throttle.failures - SLOWDOWN_AFTER), 8.0)
    return SignInResult(Outcome.INVALID, delay_seconds=delay)


def start_session(
    session: Session, settings: Settings, user: User, now: datetime | None = None
) -> tuple[str, datetime]:
    """Create a sign-in session; returns the token for the cookie (shown only once)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=settings.session_hours)
    session.add(
        LoginSession(
            token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=expires_at
        )
    )
    return token, expires_at


def user_for_token(session: Session, token: str | None, now: datetime | None = None) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    if not token:
        return None
    now = now or utcnow()
    return session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == _digest(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
            User.active.is_(True),
        )
    )


def end_session(session: Session, token: str | None) -> None:
    if not token:
        return
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(token)))
    if login and login.revoked_at is None:
        login.revoked_at = utcnow()
        audit.record(session, login.user, AuditAction.SIGN_OUT, "user", login.user_id)


def end_all_sessions(session: Session, user: User) -> None:
    for login in session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    ):
        login.revoked_at = utcnow()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
