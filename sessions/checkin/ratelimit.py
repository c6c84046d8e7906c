"""A fixed-window rate limit kept in the database, so every app process shares the same counts.

Used by the anonymous self check-in pages. Keys name what is limited (a device, an occurrence);
they must not hold personal data, and callers should hash client-supplied parts (see ``key_part``).

Counting happens in the caller's transaction: commit it even when the request is refused, or the
refused attempt is not counted (the check-in services return outcomes rather than raising for
exactly this reason).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from parliament_app.models.attendance import RateLimitHit

MAX_WINDOW_SECONDS = 24 * 60 * 60  # longer windows would be pruned while still running
KEY_MAX_LENGTH = 96
PRUNE_BATCH = 500


def key_part(value: str) -> str:
    """A short, stable stand-in for a client-supplied value (a device id) inside a key."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def window_start(now: datetime, window_seconds: int) -> datetime:
    """The start of the fixed window ``now`` falls in (windows are aligned to the epoch)."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, UTC)


def hit_count(session: Session, key: str, window_seconds: int, now: datetime) -> int:
    """Count one request for ``key`` in the window of ``now``; return the window's count so far,
    this request included. Safe when several processes count the same key at once."""
    _check(key, window_seconds, now)
    start = window_start(now, window_seconds)
    where = (RateLimitHit.key == key, RateLimitHit.window_start == start)
    increment = update(RateLimitHit).where(*where).values(hits=RateLimitHit.hits + 1)
    if session.execute(increment).rowcount == 0:
        try:
            with session.begin_nested():
                session.execute(insert(RateLimitHit).values(key=key, window_start=start, hits=1))
        except IntegrityError:  # another process opened this window first
            session.execute(increment)
        else:
            _prune(session, now)  # once per key and window: cheap, and keeps the table small
    return session.scalar(select(RateLimitHit.hits).where(*where)) or 0


def hit(session: Session, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
    """Count one request for ``key``; True while the window holds at most ``limit`` requests,
    False once this request goes over it. The next window starts from zero."""
    return hit_count(session, key, window_seconds, now) <= limit


def _check(key: str, window_seconds: int, now: datetime) -> None:
    if not key or len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"a rate-limit key has 1 to {KEY_MAX_LENGTH} characters")
    if not 1 <= window_seconds <= MAX_WINDOW_SECONDS:
        raise ValueError(f"a rate-limit window lasts 1 to {MAX_WINDOW_SECONDS} seconds")
    if now.tzinfo is None:
        raise ValueError("naive datetime given where an aware UTC one is required")


def _prune(session: Session, now: datetime) -> None:
    """Delete windows that ended long ago. Best effort: never waits on rows another transaction
    holds (PostgreSQL skips them) and never fails the request."""
    cutoff = now - timedelta(seconds=MAX_WINDOW_SECONDS)
    old = select(RateLimitHit.key, RateLimitHit.window_start).where(
        RateLimitHit.window_start < cutoff
    )
    try:
        with session.begin_nested():
            if session.get_bind().dialect.name == "postgresql":
                locked = old.limit(PRUNE_BATCH).with_for_update(skip_locked=True)
                statement = delete(RateLimitHit).where(
                    tuple_(RateLimitHit.key, RateLimitHit.window_start).in_(locked)
                )
            else:
                statement = delete(RateLimitHit).where(RateLimitHit.window_start < cutoff)
            session.execute(statement)
    except DBAPIError:
        pass
