"""Signing in: sessions, throttling, lockout without username enumeration, and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core.config import Settings
from parliament_app.models import AuditAction, AuditEntry, LoginSession, LoginThrottle, utcnow
from parliament_app.people.accounts import update_user
from parliament_app.people.sign_in import (
    SLOWDOWN_AFTER,
    Outcome,
    end_session,
    sign_in,
    user_for_token,
)
from tests.factories import PASSWORD, World

WRONG = "not the password at all"


def _audit(db: Session, action: AuditAction) -> list[AuditEntry]:
    db.flush()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_success_returns_a_token_that_resolves_to_the_user(
    db: Session, settings: Settings, world: World
) -> None:
    now = utcnow()
    result = sign_in(db, settings, "coordinator", PASSWORD, now=now)
    assert result.outcome == Outcome.SIGNED_IN
    assert result.user is world.coordinator
    assert result.token
    assert result.expires_at == now + timedelta(hours=settings.session_hours)
    db.flush()
    assert user_for_token(db, result.token) is world.coordinator
    # Only the token's digest is stored, never the token itself.
    stored = db.scalars(select(LoginSession.token_hash)).all()
    assert stored and result.token not in stored
    assert world.coordinator.last_login_at == now


def test_each_sign_in_gets_its_own_token(db: Session, settings: Settings, world: World) -> None:
    first = sign_in(db, settings, "coordinator", PASSWORD)
    second = sign_in(db, settings, "coordinator", PASSWORD)
    assert first.token != second.token
    db.flush()
    assert user_for_token(db, first.token) is world.coordinator
    assert user_for_token(db, second.token) is world.coordinator


@pytest.mark.parametrize("token", [None, "", "made-up-token"])
def test_unknown_or_missing_tokens_resolve_to_nobody(
    db: Session, world: World, token: str | None
) -> None:
    assert user_for_token(db, token) is None


def test_wrong_password_and_unknown_username_look_the_same(
    db: Session, settings: Settings, world: World
) -> None:
    wrong = sign_in(db, settings, "coordinator", WRONG)
    unknown = sign_in(db, settings, "nobody-here", WRONG)
    assert wrong.outcome == unknown.outcome == Outcome.INVALID
    assert wrong == unknown  # same fields: no user, no token, same delay
    assert wrong.user is None and wrong.token is None


def test_inactive_user_with_the_right_password_is_refused_like_anyone(
    db: Session, settings: Settings, world: World
) -> None:
    world.coordinator.active = False
    db.flush()
    result = sign_in(db, settings, "coordinator", PASSWORD)
    assert result == sign_in(db, settings, "nobody-here", PASSWORD)
    assert result.outcome == Outcome.INVALID and result.token is None


def _fail_until_locked(db: Session, settings: Settings, username: str, now) -> list:
    return [
        sign_in(db, settings, username, WRONG, now=now + timedelta(seconds=i))
        for i in range(settings.max_failed_logins)
    ]


def test_lockout_is_identical_for_real_and_unknown_usernames(
    db: Session, settings: Settings, world: World
) -> None:
    now = utcnow()
    real = _fail_until_locked(db, settings, "coordinator", now)
    unknown = _fail_until_locked(db, settings, "nobody-here", now)

    assert [r.outcome for r in real] == [Outcome.INVALID] * (settings.max_failed_logins - 1) + [
        Outcome.LOCKED
    ]
    assert [(r.outcome, r.delay_seconds, r.locked_until) for r in real] == [
        (r.outcome, r.delay_seconds, r.locked_until) for r in unknown
    ]
    assert real[-1].locked_until == now + timedelta(
        seconds=settings.max_failed_logins - 1, minutes=settings.lockout_minutes
    )
    # While locked, both keep answering LOCKED, even to the right password for the real one.
    later = now + timedelta(minutes=1)
    assert sign_in(db, settings, "coordinator", PASSWORD, now=later).outcome == Outcome.LOCKED
    assert sign_in(db, settings, "nobody-here", PASSWORD, now=later).outcome == Outcome.LOCKED


def test_delay_grows_after_three_failures(db: Session, settings: Settings, world: World) -> None:
    assert SLOWDOWN_AFTER == 3
    settings = replace(settings, max_failed_logins=10)
    delays = [
        sign_in(db, settings, "coordinator", WRONG).delay_seconds
        for _ in range(settings.max_failed_logins - 1)
    ]
    assert delays[:2] == [0.0, 0.0]
    assert delays[2] > 0
    assert delays[2] < delays[3] < delays[4]
    assert delays == sorted(delays)


def test_a_locked_account_stays_locked_until_locked_until_passes(
    db: Session, settings: Settings, world: World
) -> None:
    now = utcnow()
    locked = _fail_until_locked(db, settings, "coordinator", now)[-1]
    assert locked.outcome == Outcome.LOCKED
    until = locked.locked_until

    just_before = sign_in(db, settings, "coordinator", PASSWORD, now=until - timedelta(seconds=1))
    assert just_before.outcome == Outcome.LOCKED
    assert just_before.token is None and just_before.user is None
    assert just_before.locked_until == until

    after = sign_in(db, settings, "coordinator", PASSWORD, now=until + timedelta(seconds=1))
    assert after.outcome == Outcome.SIGNED_IN
    assert after.user is world.coordinator


def test_lockout_counts_the_typed_username_case_insensitively(
    db: Session, settings: Settings, world: World
) -> None:
    now = utcnow()
    assert settings.max_failed_logins <= 5
    spellings = ["Coordinator", "COORDINATOR", " coordinator ", "coordinator", "CoOrDiNaToR"]
    results = [
        sign_in(db, settings, spelling, WRONG, now=now)
        for spelling in spellings[: settings.max_failed_logins]
    ]
    assert results[-1].outcome == Outcome.LOCKED
    assert sign_in(db, settings, "coordinator", PASSWORD, now=now).outcome == Outcome.LOCKED


def test_success_clears_the_throttle(db: Session, settings: Settings, world: World) -> None:
    now = utcnow()
    for i in range(settings.max_failed_logins - 1):
        assert sign_in(db, settings, "coordinator", WRONG, now=now).outcome == Outcome.INVALID, i
    assert sign_in(db, settings, "coordinator", PASSWORD, now=now).outcome == Outcome.SIGNED_IN
    db.flush()
    assert db.get(LoginThrottle, "coordinator") is None

    # The count starts again from zero: as many failures as before are still not a lockout,
    # and the first one is answered without delay.
    again = [
        sign_in(db, settings, "coordinator", WRONG, now=now)
        for _ in range(settings.max_failed_logins - 1)
    ]
    assert [r.outcome for r in again] == [Outcome.INVALID] * (settings.max_failed_logins - 1)
    assert again[0].delay_seconds == 0.0


def test_usernames_are_case_insensitive(db: Session, settings: Settings, world: World) -> None:
    result = sign_in(db, settings, "  CoOrdinator ", PASSWORD)
    assert result.outcome == Outcome.SIGNED_IN
    assert result.user is world.coordinator


def test_the_password_is_case_sensitive(db: Session, settings: Settings, world: World) -> None:
    assert sign_in(db, settings, "coordinator", PASSWORD.upper()).outcome == Outcome.INVALID


def test_an_expired_session_ends(db: Session, settings: Settings, world: World) -> None:
    result = sign_in(db, settings, "coordinator", PASSWORD)
    db.flush()
    expires_at = result.expires_at
    assert user_for_token(db, result.token, now=expires_at - timedelta(seconds=1)) is (
        world.coordinator
    )
    assert user_for_token(db, result.token, now=expires_at) is None
    assert user_for_token(db, result.token, now=expires_at + timedelta(minutes=1)) is None


def test_end_session_revokes_only_that_session(
    db: Session, settings: Settings, world: World
) -> None:
    mine = sign_in(db, settings, "coordinator", PASSWORD)
    other_browser = sign_in(db, settings, "coordinator", PASSWORD)
    db.flush()
    end_session(db, mine.token)
    db.flush()
    assert user_for_token(db, mine.token) is None
    assert user_for_token(db, other_browser.token) is world.coordinator
    # Signing out twice, or with no token, is harmless and audited once.
    end_session(db, mine.token)
    end_session(db, None)
    assert len(_audit(db, AuditAction.SIGN_OUT)) == 1


def test_deactivating_a_user_ends_their_sessions(
    db: Session, settings: Settings, world: World
) -> None:
    session_token = sign_in(db, settings, "coordinator", PASSWORD).token
    admin_token = sign_in(db, settings, "admin", PASSWORD).token
    db.flush()
    user = world.coordinator
    update_user(
        db,
        world.admin,
        user.id,
        display_name=user.display_name,
        email=user.email,
        role=user.role,
        organisation_id=user.organisation_id,
        preferred_language=user.preferred_language,
        active=False,
    )
    db.flush()
    assert user_for_token(db, session_token) is None
    revoked = db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert revoked and all(login.revoked_at is not None for login in revoked)
    # Reactivating does not bring the old session back.
    user.active = True
    db.flush()
    assert user_for_token(db, session_token) is None
    assert user_for_token(db, admin_token) is world.admin


def test_sign_in_failure_and_sign_out_are_audited(
    db: Session, settings: Settings, world: World
) -> None:
    result = sign_in(db, settings, "coordinator", PASSWORD)
    signed_in = _audit(db, AuditAction.SIGN_IN)
    assert [(e.user_id, e.actor, e.record_id) for e in signed_in] == [
        (world.coordinator.id, "coordinator", str(world.coordinator.id))
    ]

    sign_in(db, settings, "coordinator", WRONG)
    sign_in(db, settings, "nobody-here", WRONG)
    failed = _audit(db, AuditAction.SIGN_IN_FAILED)
    assert len(failed) == 2
    by_actor = {entry.actor: entry for entry in failed}
    assert by_actor["coordinator"].user_id == world.coordinator.id
    assert by_actor["anonymous"].user_id is None

    end_session(db, result.token)
    signed_out = _audit(db, AuditAction.SIGN_OUT)
    assert [(e.user_id, e.actor) for e in signed_out] == [(world.coordinator.id, "coordinator")]


def test_a_failed_sign_in_writes_no_session(db: Session, settings: Settings, world: World) -> None:
    sign_in(db, settings, "coordinator", WRONG)
    db.flush()
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 0
