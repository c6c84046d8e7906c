# Not split: badge scans and self check-ins share the outcome messages, the roster check and
#   the audited attendance write.
"""Check-in: badge scans at the facilitator's station and self check-in with a rotating code.

Badge scans (``scan``): the facilitator's device reads a child's badge (camera, decoded on the
server, or a USB/Bluetooth scanner typing into a field). Each scan answers with one of the
``ScanResult`` outcomes and a short translated message; it never raises for a bad token, so the
scan's log row is committed with the caller's transaction whatever the result.

Self check-in: the facilitator's screen shows a QR code for ``check_in?o=<occurrence>&c=<code>``.
The code is an HMAC of the occurrence id and the 30-second time step (``session_code``); the
current and the previous step are accepted, nothing is pre-generated or stored. The anonymous
page lists the occurrence's roster by first name (``self_check_in_roster``), and the person picks
themselves or types their badge code (``self_check_in``). Only while the occurrence is open
(not cancelled or closed, from an hour before its start to an hour after its end). The facilitator
sees every self check-in (``recent_self_check_ins``) and can undo it (``undo_self_check_in``).

Privacy: messages and log rows never hold a name; the log keeps an 8-character fingerprint of
what was scanned. Anonymous pages show first names only (a family initial when two children share
one), of an open occurrence's roster, and are rate-limited per device and per occurrence (a shared
tablet is fine: nothing is keyed on the network address).

Attendance rows themselves are written by ``sessions.attendance.roster.record_check_in`` (one
row per child and occurrence, enforced by the database).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, account_id
from parliament_app.core.config import Settings, get_settings
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import (
    AuditAction,
    Child,
    ChildGuardian,
    Enrolment,
    Guardian,
    User,
    utcnow,
)
from parliament_app.models.attendance import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    Badge,
    GuardianInvolvement,
    InvolvementRole,
    ScanLog,
    ScanResult,
)
from parliament_app.models.meetings import Occurrence, OccurrenceStatus, SessionKind
from parliament_app.policy.access import exclude_erased
from parliament_app.policy.meetings import (
    may_check_in,
)
from sessions.attendance.roster import (
    CORRECTED_BY_A_SCAN,
    STATUS_LABELS,
    NotOnRoster,
    enrolled_child_ids,
    is_on_roster,
    record_check_in,
    undo_check_in,
)
from sessions.checkin import ratelimit
from sessions.checkin.badges import display_names, parse_badge_token, token_fingerprint
from sessions.involvement import remove_involvement

CHECK_IN_WINDOW = timedelta(minutes=60)  # before the start and after the end
CODE_STEP_SECONDS = 30
CODE_LENGTH = 10  # base64url characters: 60 bits, for a code that lives a minute
SELF_CHECK_IN_PAGE = "check_in"
DEVICE_LIMIT = 30  # attempts per device and minute
OCCURRENCE_LIMIT = 300  # attempts per occurrence and minute, all devices together
RATE_WINDOW_SECONDS = 60
DEVICE_MAX_LENGTH = 64
REASON_MAX_LENGTH = 120
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

ACCEPTED = frozenset({ScanResult.CHECKED_IN, ScanResult.ALREADY_CHECKED_IN})


@dataclass(frozen=True)
class ScanOutcome:
    """What a scan or a self check-in did, for the screen. ``message`` is translated and holds
    no name; ``given_name`` is the child's first name for the facilitator's screen."""

    result: ScanResult
    message: str
    child_id: int | None = None
    given_name: str | None = None
    can_add_walk_in: bool = False
    reason: str = ""  # a stable code for logs and the command line, e.g. "invalid_token"
    status: AttendanceStatus | None = None  # the attendance status when checked in (late?)
    attendance_id: int | None = None
    corrected_from: AttendanceStatus | None = None  # an absence or excuse the scan corrected

    @property
    def accepted(self) -> bool:
        return self.result in ACCEPTED


@dataclass(frozen=True)
class SessionCode:
    code: str
    url: str  # relative: ``check_in?o=<id>&c=<code>``
    valid_until: datetime  # the current and the next step; rotate the screen every step


@dataclass(frozen=True)
class SelfCheckIn:
    """One self check-in for the facilitator's live list."""

    kind: str  # "child" or "guardian"
    record_id: int  # Attendance.id or GuardianInvolvement.id: what undo takes
    child_id: int | None
    given_name: str | None  # the child's first name (for a guardian: their child's)
    guardian_id: int | None
    role: InvolvementRole | None
    status: AttendanceStatus | None
    at: datetime


# --- messages --------------------------------------------------------------------------------


def _message(result: ScanResult, status: AttendanceStatus | None = None) -> str:
    if result == ScanResult.CHECKED_IN:
        return _("Checked in (late)") if status == AttendanceStatus.LATE else _("Checked in")
    if result == ScanResult.ALREADY_CHECKED_IN:
        return _("Already checked in")
    if result == ScanResult.NOT_ENROLLED:
        return _("Not enrolled in this group. Add as a walk-in?")
    if result == ScanResult.BADGE_REPLACED:
        return _("This badge was replaced by a new one. Please use the new badge.")
    if result == ScanResult.WRONG_OCCURRENCE:
        return _("This code is for another session.")
    if result == ScanResult.RATE_LIMITED:
        return _("Too many attempts. Please wait a minute and try again.")
    return _("This code is not recognised.")


def _outcome(result: ScanResult, reason: str = "", **fields) -> ScanOutcome:
    return ScanOutcome(result, _message(result, fields.get("status")), reason=reason, **fields)


# --- helpers ---------------------------------------------------------------------------------


def _secret(secret: str | None, settings: Settings | None = None) -> str:
    if secret is not None:
        return secret
    return (settings or get_settings()).secret_key


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is None:
        raise ValueError("naive datetime given where an aware UTC one is required")
    return at


def _clean_device(device: str) -> str:
    return "".join(ch for ch in (device or "") if ch.isprintable())[:DEVICE_MAX_LENGTH]


def closed_reason(occurrence: Occurrence, at: datetime, *, closed_ok: bool = False) -> str | None:
    """Why check-in is not open for ``occurrence`` at ``at`` (None when it is open).
    ``closed_ok``: a closed occurrence still takes scans made while it was open (an offline
    scanner's log typed in after closing)."""
    if occurrence.status == OccurrenceStatus.CANCELLED:
        return "occurrence_cancelled"
    closed = occurrence.status == OccurrenceStatus.CLOSED or occurrence.closed_at is not None
    if closed and not closed_ok:
        return "occurrence_closed"
    if at < occurrence.starts_at - CHECK_IN_WINDOW:
        return "occurrence_not_started"
    end = occurrence.starts_at + timedelta(minutes=occurrence.duration_minutes)
    if at > end + CHECK_IN_WINDOW:
        return "occurrence_over"
    return None


def _require_check_in(session: Session, user: Actor, occurrence_id: int) -> Occurrence:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound(_("No such session."))
    if not may_check_in(session, user, occurrence):
        raise PermissionDenied(_("You may not check children in for this session."))
    return occurrence


def _enrolled(session: Session, occurrence: Occurrence, child_id: int) -> bool:
    """Enrolled (active) in the occurrence's group: its roster, walk-ins not included."""
    query = enrolled_child_ids(occurrence).where(Enrolment.child_id == child_id)
    return bool(session.scalar(select(query.exists())))


def _on_roster(session: Session, occurrence: Occurrence, child_id: int) -> bool:
    """Enrolled, or already recorded for the occurrence (a walk-in the facilitator added)."""
    return is_on_roster(session, occurrence, child_id)


def _log(
    session: Session,
    *,
    at: datetime,
    occurrence_id: int | None,
    user: Actor,
    device: str,
    method: AttendanceMethod,
    outcome: ScanOutcome,
    fingerprint: str,
) -> ScanOutcome:
    session.add(
        ScanLog(
            at=at,
            occurrence_id=occurrence_id,
            user_id=account_id(user),
            device=device,
            method=method,
            result=outcome.result,
            reason=outcome.reason[:REASON_MAX_LENGTH],
            token_fingerprint=fingerprint,
        )
    )
    return outcome


def _record(
    session: Session,
    occurrence: Occurrence,
    child: Child,
    *,
    method: AttendanceMethod,
    at: datetime,
    actor: User | None,
    device: str,
    settings: Settings | None,
) -> ScanOutcome:
    before = session.scalar(
        select(Attendance.status).where(
            Attendance.occurrence_id == occurrence.id, Attendance.child_id == child.id
        )
    )
    try:
        word, row = record_check_in(
            session,
            occurrence,
            child.id,
            method=method,
            at=at,
            actor=actor,
            device=device,
            settings=settings,
        )
    except NotOnRoster:  # the enrolment ended a moment ago
        return _outcome(
            ScanResult.NOT_ENROLLED,
            "not_enrolled",
            child_id=child.id,
            given_name=child.given_name,
            can_add_walk_in=isinstance(actor, User),
        )
    except ValidationError:  # cancelled or closed a moment ago
        return _outcome(ScanResult.WRONG_OCCURRENCE, "occurrence_closed")
    result = ScanResult.CHECKED_IN if word == "checked_in" else ScanResult.ALREADY_CHECKED_IN
    outcome = _outcome(
        result,
        child_id=child.id,
        given_name=child.given_name,
        status=row.status,
        attendance_id=row.id,
    )
    if result == ScanResult.CHECKED_IN and before in CORRECTED_BY_A_SCAN:
        message = _("Checked in: “{before}” is corrected to “{after}”.").format(
            before=_(STATUS_LABELS[before]), after=_(STATUS_LABELS[row.status])
        )
        outcome = dataclasses.replace(outcome, message=message, corrected_from=before)
    return outcome


# --- badge scans -----------------------------------------------------------------------------


def scan(
    session: Session,
    user: Actor,
    occurrence_id: int,
    text: str,
    *,
    at: datetime | None = None,
    device: str = "",
    method: AttendanceMethod = AttendanceMethod.BADGE_SCAN,
    secret: str | None = None,
    settings: Settings | None = None,
) -> ScanOutcome:
    """Check a child in from a scanned badge. Every call writes a scan-log row (in the caller's
    transaction) and returns the outcome; nothing is raised for a bad token.

    A child not actively enrolled in the occurrence's group is never checked in here: the
    outcome is NOT_ENROLLED with ``can_add_walk_in`` for the facilitator to decide
    (``sessions.attendance.roster.add_walk_in``).

    ``method`` is ``badge_scan``, or ``offline_scan`` for a scanner's log typed in later (then
    ``at`` is when the badge was scanned, and a closed occurrence still takes it). The secret
    and the late threshold come from ``settings`` (default: the deployment's)."""
    at = _aware(at)
    device = _clean_device(device)
    number = _occurrence_id(occurrence_id)
    occurrence = session.get(Occurrence, number) if number is not None else None

    def done(outcome: ScanOutcome) -> ScanOutcome:
        return _log(
            session,
            at=at,
            occurrence_id=occurrence.id if occurrence else None,
            user=user,
            device=device,
            method=method,
            outcome=outcome,
            fingerprint=token_fingerprint(text),
        )

    if occurrence is None:
        return done(_outcome(ScanResult.REJECTED, "unknown_occurrence"))
    if not may_check_in(session, user, occurrence):
        return done(
            ScanOutcome(
                ScanResult.REJECTED,
                _("You may not check children in for this session."),
                reason="not_permitted",
            )
        )
    token_id = parse_badge_token(_secret(secret, settings), text)
    if token_id is None:
        return done(_outcome(ScanResult.REJECTED, "invalid_token"))
    badge = session.scalar(select(Badge).where(Badge.token_id == token_id))
    child = session.get(Child, badge.child_id) if badge else None
    if badge is None or child is None:
        return done(_outcome(ScanResult.REJECTED, "unknown_badge"))
    if badge.revoked_at is not None:
        return done(
            _outcome(
                ScanResult.BADGE_REPLACED,
                "badge_replaced",
                child_id=child.id,
                given_name=child.given_name,
            )
        )
    reason = closed_reason(occurrence, at, closed_ok=method == AttendanceMethod.OFFLINE_SCAN)
    if reason:
        return done(_outcome(ScanResult.WRONG_OCCURRENCE, reason))
    if not _on_roster(session, occurrence, child.id):
        return done(
            _outcome(
                ScanResult.NOT_ENROLLED,
                "not_enrolled",
                child_id=child.id,
                given_name=child.given_name,
                can_add_walk_in=True,
            )
        )
    return done(
        _record(
            session,
            occurrence,
            child,
            method=method,
            at=at,
            actor=user,
            device=device,
            settings=settings,
        )
    )


# --- the rotating session code ---------------------------------------------------------------


def _step(at: datetime) -> int:
    return int(at.timestamp() // CODE_STEP_SECONDS)


def _code_for_step(secret: str, occurrence_id: int, step: int) -> str:
    digest = hmac.new(secret.encode(), f"{occurrence_id}:{step}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode()[:CODE_LENGTH]


def session_code(secret: str, occurrence_id: int, at: datetime) -> str:
    """The self check-in code of ``occurrence_id`` for the 30-second step of ``at``."""
    return _code_for_step(secret, occurrence_id, _step(_aware(at)))


def self_check_in_url(occurrence_id: int, code: str) -> str:
    """The page the facilitator's QR code opens (relative to the app's address)."""
    return f"{SELF_CHECK_IN_PAGE}?{urlencode({'o': occurrence_id, 'c': code})}"


def code_matches(secret: str, occurrence_id: int, code: str | None, at: datetime) -> bool:
    """True when ``code`` is the current or the previous step's code (constant time)."""
    code = "".join((code or "").split())
    if len(code) != CODE_LENGTH:
        return False
    step = _step(_aware(at))
    matches = [
        hmac.compare_digest(code.encode(), _code_for_step(secret, occurrence_id, s).encode())
        for s in (step, step - 1)
    ]
    return any(matches)


def _occurrence_id(value: int | str | None) -> int | None:
    """An id from a URL or a form, or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if not isinstance(value, int):
        text = str(value or "").strip()
        if not text.isdigit() or len(text) > 10:
            return None
        value = int(text)
    return value if 0 < value <= MAX_ID else None


def _invalid_code() -> ValidationError:
    return ValidationError(
        _(
            "This check-in code has expired or is not valid. Please scan the code on the "
            "facilitator's screen again."
        ),
        "code",
    )


def _not_open() -> ValidationError:
    return ValidationError(_("Check-in for this session is not open right now."), "code")


def verify_session_code(
    session: Session,
    occurrence_id: int | str,
    code: str | None,
    at: datetime,
    *,
    secret: str | None = None,
) -> Occurrence:
    """The occurrence, when ``code`` is its current or previous code and check-in is open now;
    else a ValidationError with a friendly message (that tells nothing about the occurrence
    unless the code was right)."""
    at = _aware(at)
    number = _occurrence_id(occurrence_id)
    if number is None or not code_matches(_secret(secret), number, code, at):
        raise _invalid_code()
    occurrence = session.get(Occurrence, number)
    if occurrence is None:
        raise _invalid_code()
    if closed_reason(occurrence, at):
        raise _not_open()
    return occurrence


def facilitator_session_code(
    session: Session,
    user: Actor,
    occurrence_id: int,
    at: datetime | None = None,
    *,
    secret: str | None = None,
) -> SessionCode:
    """The code (and link) to show as a QR code on the facilitator's screen right now."""
    at = _aware(at)
    occurrence = _require_check_in(session, user, occurrence_id)
    if closed_reason(occurrence, at):
        raise _not_open()
    code = session_code(_secret(secret), occurrence.id, at)
    next_step = (_step(at) + 1) * CODE_STEP_SECONDS
    valid_until = datetime.fromtimestamp(next_step + CODE_STEP_SECONDS, at.tzinfo)
    return SessionCode(code, self_check_in_url(occurrence.id, code), valid_until)


def _rate_limited(
    session: Session, occurrence_id: int | None, device: str, at: datetime
) -> tuple[bool, bool]:
    """Count one anonymous attempt; (blocked, first time blocked in this window)."""
    device_key = f"self_check_in:device:{ratelimit.key_part(device or 'unknown')}"
    counts = [(ratelimit.hit_count(session, device_key, RATE_WINDOW_SECONDS, at), DEVICE_LIMIT)]
    if occurrence_id is not None:
        key = f"self_check_in:occurrence:{occurrence_id}"
        counts.append(
            (ratelimit.hit_count(session, key, RATE_WINDOW_SECONDS, at), OCCURRENCE_LIMIT)
        )
    blocked = any(count > limit for count, limit in counts)
    first = any(count == limit + 1 for count, limit in counts)
    return blocked, first


def _roster_rows(session: Session, occurrence: Occurrence) -> list[tuple[int, str, str]]:
    """The occurrence's enrolled children (erased ones left out): id, given and family name."""
    rows = session.execute(
        select(Child.id, Child.given_name, Child.family_name).where(
            Child.id.in_(enrolled_child_ids(occurrence)), exclude_erased()
        )
    )
    return [(row.id, row.given_name, row.family_name) for row in rows]


def _roster(session: Session, occurrence: Occurrence) -> list[tuple[int, str]]:
    names = display_names(_roster_rows(session, occurrence))
    return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


def self_check_in_roster(
    session: Session,
    occurrence_id: int | str,
    code: str | None,
    at: datetime,
    *,
    device: str = "",
    secret: str | None = None,
) -> list[tuple[int, str]]:
    """The anonymous page's list: (child id, first name) of the occurrence's actively enrolled
    children, while the code is valid and the occurrence open; else a ValidationError.

    Counts as an attempt for the rate limit, in the caller's transaction: commit it even when
    this raises (catch the error inside the transaction), or the attempt is not counted."""
    at = _aware(at)
    number = _occurrence_id(occurrence_id)
    blocked, _first = _rate_limited(session, number, _clean_device(device), at)
    if blocked:
        raise ValidationError(_message(ScanResult.RATE_LIMITED), "code")
    occurrence = verify_session_code(session, occurrence_id, code, at, secret=secret)
    return _roster(session, occurrence)


def self_check_in_guardians(
    session: Session,
    occurrence_id: int | str,
    code: str | None,
    child_id: int,
    at: datetime,
    *,
    device: str = "",
    secret: str | None = None,
) -> list[tuple[int, str]]:
    """For a guardian checking in: (guardian id, the guardian's first name) of the picked
    child's guardians, to pick themselves. Neither family names nor the relationship (which could
    hint at a child's care situation) are shown on the anonymous page.

    Counts as an attempt for the rate limit, like the roster (commit even when this raises)."""
    at = _aware(at)
    blocked, _first = _rate_limited(
        session, _occurrence_id(occurrence_id), _clean_device(device), at
    )
    if blocked:
        raise ValidationError(_message(ScanResult.RATE_LIMITED), "code")
    occurrence = verify_session_code(session, occurrence_id, code, at, secret=secret)
    if not _enrolled(session, occurrence, child_id):
        return []
    rows = session.execute(
        select(Guardian.id, Guardian.given_name)
        .join(ChildGuardian, ChildGuardian.guardian_id == Guardian.id)
        .where(ChildGuardian.child_id == child_id)
        .order_by(Guardian.given_name, Guardian.id)
    )
    return [(row.id, " ".join(row.given_name.split())) for row in rows]


def _guardian_linked(
    session: Session, guardian_id: int, occurrence: Occurrence, child_id: int | None
) -> bool:
    """Is this a guardian of ``child_id`` (or, without one, of any child on the roster)?"""
    condition = [
        ChildGuardian.guardian_id == guardian_id,
        ChildGuardian.child_id.in_(enrolled_child_ids(occurrence)),
    ]
    if child_id is not None:
        condition.append(ChildGuardian.child_id == child_id)
    return bool(session.scalar(select(exists().where(*condition))))


def _record_involvement(
    session: Session,
    occurrence: Occurrence,
    guardian_id: int,
    role: InvolvementRole,
    child_id: int | None,
    at: datetime,
) -> bool:
    """Record an anonymous guardian's involvement once; True when it is new.

    ``sessions.involvement.record_involvement`` is for signed-in staff (it checks who may take
    the occurrence's attendance), so the anonymous page writes the row here, the same way: a
    SAVEPOINT, and the database's unique constraint keeps a retry or a second device from adding
    another row."""
    try:
        with session.begin_nested():
            row = GuardianInvolvement(
                guardian_id=guardian_id,
                occurrence_id=occurrence.id,
                role=role,
                child_id=child_id,
                method=AttendanceMethod.SELF_CHECK_IN,
                recorded_at=at,
                recorded_by_id=None,
            )
            session.add(row)
            session.flush()
    except IntegrityError:  # recorded before (a retry, or another device at the same moment)
        return False
    audit.record(
        session,
        None,
        AuditAction.CREATE,
        "guardian_involvement",
        row.id,
        occurrence_id=occurrence.id,
        guardian_id=guardian_id,
        role=role.value,
        child_id=child_id,
        method=AttendanceMethod.SELF_CHECK_IN.value,
    )
    return True


def self_check_in(
    session: Session,
    occurrence_id: int | str,
    code: str | None,
    *,
    child_id: int | None = None,
    badge_text: str | None = None,
    guardian_id: int | None = None,
    involvement_role: InvolvementRole | None = None,
    at: datetime,
    device: str,
    secret: str | None = None,
    settings: Settings | None = None,
) -> ScanOutcome:
    """An anonymous check-in from the page the rotating code opens.

    The person picks themselves from the roster (``child_id``) or types their badge code
    (``badge_text``). A guardian gives ``guardian_id``: with ``child_id`` (or a badge) the child
    is checked in too; without, only the guardian's involvement is recorded. Returns the outcome
    and never raises for a refusal, so the attempt's log row and rate-limit count are committed
    with the caller's transaction."""
    at = _aware(at)
    device = _clean_device(device)
    number = _occurrence_id(occurrence_id)
    key = _secret(secret, settings)
    fingerprint = token_fingerprint(badge_text if badge_text else code)
    occurrence: Occurrence | None = None

    def done(outcome: ScanOutcome, log: bool = True) -> ScanOutcome:
        if log:
            _log(
                session,
                at=at,
                occurrence_id=occurrence.id if occurrence else None,
                user=None,
                device=device,
                method=AttendanceMethod.SELF_CHECK_IN,
                outcome=outcome,
                fingerprint=fingerprint,
            )
        return outcome

    blocked, first_block = _rate_limited(session, number, device, at)
    if blocked:  # logged once per window, so a flood cannot flood the log too
        return done(_outcome(ScanResult.RATE_LIMITED, "rate_limited"), log=first_block)
    if number is None or not code_matches(key, number, code, at):
        return done(_outcome(ScanResult.REJECTED, "invalid_code"))
    occurrence = session.get(Occurrence, number)
    if occurrence is None:
        return done(_outcome(ScanResult.REJECTED, "invalid_code"))
    reason = closed_reason(occurrence, at)
    if reason:
        return done(_outcome(ScanResult.WRONG_OCCURRENCE, reason))

    child: Child | None = None
    if badge_text:
        token_id = parse_badge_token(key, badge_text)
        badge = (
            session.scalar(select(Badge).where(Badge.token_id == token_id)) if token_id else None
        )
        if badge is None:
            return done(_outcome(ScanResult.REJECTED, "invalid_token"))
        if badge.revoked_at is not None:
            return done(_outcome(ScanResult.BADGE_REPLACED, "badge_replaced"))
        if child_id is not None and child_id != badge.child_id:
            return done(_outcome(ScanResult.REJECTED, "badge_mismatch"))
        child_id = badge.child_id
    if child_id is not None:
        if not _enrolled(session, occurrence, child_id):
            return done(_not_on_roster())
        child = session.get(Child, child_id)
    if guardian_id is not None and not _guardian_linked(session, guardian_id, occurrence, child_id):
        return done(_not_on_roster())
    if child is None and guardian_id is None:
        return done(
            ScanOutcome(
                ScanResult.REJECTED,
                _("Please choose your name or enter your badge code."),
                reason="nothing_chosen",
            )
        )

    outcome: ScanOutcome | None = None
    if child is not None:
        outcome = _record(
            session,
            occurrence,
            child,
            method=AttendanceMethod.SELF_CHECK_IN,
            at=at,
            actor=None,
            device=device,
            settings=settings,
        )
    if guardian_id is not None:
        role = involvement_role or (
            InvolvementRole.FAMILY_WORKSHOP
            if occurrence.kind == SessionKind.FAMILY_WORKSHOP
            else InvolvementRole.ACCOMPANIED
        )
        created = _record_involvement(session, occurrence, guardian_id, role, child_id, at)
        if outcome is None:
            outcome = _outcome(
                ScanResult.CHECKED_IN if created else ScanResult.ALREADY_CHECKED_IN,
                "guardian",
            )
        elif created and outcome.result == ScanResult.ALREADY_CHECKED_IN:
            outcome = _outcome(
                ScanResult.CHECKED_IN,
                "guardian",
                child_id=outcome.child_id,
                given_name=outcome.given_name,
                status=outcome.status,
                attendance_id=outcome.attendance_id,
            )
    assert outcome is not None
    return done(outcome)


def _not_on_roster() -> ScanOutcome:
    return ScanOutcome(
        ScanResult.REJECTED,
        _("You are not on this session's list. Please ask the facilitator."),
        reason="not_on_roster",
    )


# --- the facilitator's live list -------------------------------------------------------------


def recent_self_check_ins(
    session: Session, user: Actor, occurrence_id: int, *, limit: int = 200
) -> list[SelfCheckIn]:
    """The occurrence's self check-ins, newest first: children and guardians."""
    occurrence = _require_check_in(session, user, occurrence_id)
    names = display_names(_roster_rows(session, occurrence))
    entries: list[SelfCheckIn] = []
    rows = session.execute(
        select(Attendance, Child.given_name)
        .join(Child, Child.id == Attendance.child_id)
        .where(
            Attendance.occurrence_id == occurrence.id,
            Attendance.method == AttendanceMethod.SELF_CHECK_IN,
        )
        .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc())
        .limit(limit)
    )
    for row, given in rows:
        entries.append(
            SelfCheckIn(
                "child",
                row.id,
                row.child_id,
                names.get(row.child_id, given),
                None,
                None,
                row.status,
                row.checked_in_at or row.updated_at,
            )
        )
    involvements = session.scalars(
        select(GuardianInvolvement)
        .where(
            GuardianInvolvement.occurrence_id == occurrence.id,
            GuardianInvolvement.method == AttendanceMethod.SELF_CHECK_IN,
        )
        .order_by(GuardianInvolvement.recorded_at.desc(), GuardianInvolvement.id.desc())
        .limit(limit)
    )
    for involvement in involvements:
        given = None
        if involvement.child_id is not None:
            child = session.get(Child, involvement.child_id)
            given = names.get(involvement.child_id, child.given_name if child else None)
        entries.append(
            SelfCheckIn(
                "guardian",
                involvement.id,
                involvement.child_id,
                given,
                involvement.guardian_id,
                involvement.role,
                None,
                involvement.recorded_at,
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.record_id), reverse=True)
    return entries[:limit]


def undo_self_check_in(
    session: Session, user: User, occurrence_id: int, kind: str, record_id: int
) -> None:
    """The facilitator takes back a self check-in (a photo of the code sent to an absent friend,
    a wrong pick): the child's attendance record (through
    ``sessions.attendance.roster.undo_check_in``), or the guardian's involvement, is removed and
    audited. ``kind`` and ``record_id`` come from ``recent_self_check_ins``."""
    occurrence = _require_check_in(session, user, occurrence_id)
    model = {"child": Attendance, "guardian": GuardianInvolvement}.get(kind)
    record = session.get(model, record_id) if model is not None else None
    if (
        record is None
        or record.occurrence_id != occurrence.id
        or record.method != AttendanceMethod.SELF_CHECK_IN
    ):
        raise NotFound(_("This check-in does not exist or was already undone."))
    if isinstance(record, Attendance):
        undo_check_in(session, user, occurrence.id, record.child_id)
    else:
        remove_involvement(session, user, occurrence.id, record.guardian_id, record.role)
