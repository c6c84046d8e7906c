"""Subject access: everything held about one child, as JSON-ready data and as a readable page,
for a guardian's request. Audited as an export."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.errors import NotFound
from parliament_app.core.i18n import N_, _, format_date
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    ChildInterest,
    Consent,
    Enrolment,
    EnrolmentEvent,
    Group,
    Guardian,
    Municipality,
    Organisation,
    RiskRecord,
    Role,
    User,
    utcnow,
)
from parliament_app.models.attendance import Attendance, Badge, GuardianInvolvement
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.meetings import Occurrence
from parliament_app.models.monitoring import Alert, AlertNote, FamilyCheckPrompt
from parliament_app.models.quizzes import QuizAnswer, QuizPlayer, QuizRun, TalkRequest
from parliament_app.policy.access import (
    Action,
    may,
    require_data_protection_administrator,
)

EXPORT_FORMAT = "parliament-subject-access/1"


def subject_access_export(session: Session, user: User, child_id: int) -> dict[str, Any]:
    """Everything held about the child (JSON-ready: dates as ISO strings). Audited."""
    data = _collect(session, user, child_id)
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "child",
        child_id,
        purpose="subject_access",
        format="json",
        sections={key: len(value) for key, value in data.items() if isinstance(value, list)},
    )
    return data


def subject_access_html(session: Session, user: User, child_id: int) -> str:
    """The same, as a readable page (a standalone HTML document). Audited."""
    data = _collect(session, user, child_id)
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        "child",
        child_id,
        purpose="subject_access",
        format="html",
    )
    return _render_html(data)


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    return value.isoformat()


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _code(value: object) -> object:
    return getattr(value, "value", value)


def _collect(session: Session, user: User, child_id: int) -> dict[str, Any]:
    require_data_protection_administrator(user)
    child = session.get(Child, child_id)
    if child is None:
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    school = session.get(Organisation, child.school_id) if child.school_id else None
    municipality = session.get(Municipality, child.municipality_id)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(utcnow()),
        "child": {
            "id": child.id,
            "given_name": child.given_name,
            "family_name": child.family_name,
            "birth_date": _iso(child.birth_date),
            "gender": _code(child.gender),
            "school_id": child.school_id,
            "school": school.name if school else None,
            "school_class": child.school_class,
            "municipality": municipality.name if municipality else None,
            "home_languages": list(child.home_languages or []),
            "residence_area": child.residence_area,
            "community": _code(child.community),
            "socio_economic_band": _code(child.socio_economic_band),
            "care_situation": _code(child.care_situation),
            "created_at": _iso(child.created_at),
            "erased_at": _iso(child.erased_at),
            "interests": [
                {"kind": _code(kind), "label": label}
                for kind, label in session.execute(
                    select(ChildInterest.kind, ChildInterest.label)
                    .where(ChildInterest.child_id == child.id)
                    .order_by(ChildInterest.id)
                )
            ],
        },
    }
    data["guardians"] = [
        {
            "id": guardian.id,
            "given_name": guardian.given_name,
            "family_name": guardian.family_name,
            "phone": guardian.phone,
            "preferred_language": guardian.preferred_language,
            "relationship": _code(relationship),
        }
        for guardian, relationship in session.execute(
            select(Guardian, ChildGuardian.relationship_kind)
            .join(ChildGuardian, ChildGuardian.guardian_id == Guardian.id)
            .where(ChildGuardian.child_id == child.id)
            .order_by(Guardian.id)
        )
    ]
    consents = list(
        session.scalars(select(Consent).where(Consent.child_id == child.id).order_by(Consent.id))
    )
    data["consents"] = [
        {
            "id": consent.id,
            "guardian_id": consent.guardian_id,
            "scope": _code(consent.scope),
            "given_at": _iso(consent.given_at),
            "withdrawn_at": _iso(consent.withdrawn_at),
            "note": consent.note,
        }
        for consent in consents
    ]
    data["excursion_consents"] = [
        {
            "occurrence_id": row.occurrence_id,
            "guardian_id": row.guardian_id,
            "given_at": _iso(row.given_at),
            "withdrawn_at": _iso(row.withdrawn_at),
        }
        for row in session.scalars(
            select(ExcursionConsent)
            .where(ExcursionConsent.child_id == child.id)
            .order_by(ExcursionConsent.id)
        )
    ]
    enrolments = session.execute(
        select(Enrolment, Group.name, Organisation.name)
        .join(Group, Group.id == Enrolment.group_id)
        .outerjoin(Organisation, Organisation.id == Enrolment.referred_by_id)
        .where(Enrolment.child_id == child.id)
        .order_by(Enrolment.created_at, Enrolment.id)
    ).all()
    history: dict[int, list[dict[str, Any]]] = {}
    for event in session.scalars(
        select(EnrolmentEvent)
        .join(Enrolment, Enrolment.id == EnrolmentEvent.enrolment_id)
        .where(Enrolment.child_id == child.id)
        .order_by(EnrolmentEvent.at, EnrolmentEvent.id)
    ):
        history.setdefault(event.enrolment_id, []).append(
            {"status": _code(event.status), "at": _iso(event.at), "note": event.note}
        )
    data["enrolments"] = [
        {
            "id": enrolment.id,
            "group_id": enrolment.group_id,
            "group": group,
            "status": _code(enrolment.status),
            "source": _code(enrolment.source),
            "referred_by": referred_by,
            "created_at": _iso(enrolment.created_at),
            "ended_at": _iso(enrolment.ended_at),
            "end_reason": _code(enrolment.end_reason),
            "history": history.get(enrolment.id, []),
        }
        for enrolment, group, referred_by in enrolments
    ]
    attendance = session.execute(
        select(Attendance, Occurrence.starts_at, Occurrence.topic, Group.name)
        .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
        .join(Group, Group.id == Occurrence.group_id)
        .where(Attendance.child_id == child.id)
        .order_by(Occurrence.starts_at, Occurrence.id)
    ).all()
    data["attendance"] = [
        {
            "occurrence_id": record.occurrence_id,
            "starts_at": _iso(starts_at),
            "group": group,
            "topic": topic,
            "status": _code(record.status),
            "method": _code(record.method),
            "walk_in": record.walk_in,
            "checked_in_at": _iso(record.checked_in_at),
            "note": record.note,
        }
        for record, starts_at, topic, group in attendance
    ]
    guardian_ids = [guardian["id"] for guardian in data["guardians"]]
    data["guardian_involvement"] = [
        {
            "guardian_id": row.guardian_id,
            "occurrence_id": row.occurrence_id,
            "starts_at": _iso(starts_at),
            "group": group,
            "role": _code(row.role),
            "for_this_child": row.child_id == child.id,
        }
        for row, starts_at, group in session.execute(
            select(GuardianInvolvement, Occurrence.starts_at, Group.name)
            .join(Occurrence, Occurrence.id == GuardianInvolvement.occurrence_id)
            .join(Group, Group.id == Occurrence.group_id)
            .where(
                or_(
                    GuardianInvolvement.child_id == child.id,
                    GuardianInvolvement.guardian_id.in_(guardian_ids),
                )
            )
            .order_by(Occurrence.starts_at, GuardianInvolvement.id)
        )
    ]
    answers = (
        select(func.count(QuizAnswer.id))
        .where(QuizAnswer.player_id == QuizPlayer.id)
        .correlate(QuizPlayer)
        .scalar_subquery()
    )
    talks = (
        select(func.count(TalkRequest.id))
        .where(TalkRequest.player_id == QuizPlayer.id)
        .correlate(QuizPlayer)
        .scalar_subquery()
    )
    players = session.execute(
        select(QuizPlayer, QuizRun.phase, QuizRun.created_at, answers, talks)
        .join(QuizRun, QuizRun.id == QuizPlayer.run_id)
        .where(QuizPlayer.child_id == child.id)
        .order_by(QuizPlayer.joined_at, QuizPlayer.id)
    ).all()
    data["quiz_participation"] = [
        {
            "run_id": player.run_id,
            "run_phase": _code(phase),
            "run_created_at": _iso(run_created),
            "nickname": player.nickname,
            "language": player.language,
            "joined_at": _iso(player.joined_at),
            "finished_at": _iso(player.finished_at),
            "answers": int(answer_count or 0),
            "talk_requests": int(talk_count or 0),
        }
        for player, phase, run_created, answer_count, talk_count in players
    ]
    data["badges"] = [
        {"issued_at": _iso(issued), "revoked_at": _iso(revoked)}
        for issued, revoked in session.execute(
            select(Badge.issued_at, Badge.revoked_at)
            .where(Badge.child_id == child.id)
            .order_by(Badge.issued_at, Badge.id)
        )
    ]
    risk_records = [
        record
        for record in session.scalars(
            select(RiskRecord).where(RiskRecord.child_id == child.id).order_by(RiskRecord.id)
        )
        if may(session, user, Action.VIEW_RISK, record)
    ]
    data["risk_records"] = [
        {
            "id": record.id,
            "csw_id": record.csw_id,
            "categories": list(record.categories or []),
            "opened_on": _iso(record.opened_on),
            "closed_on": _iso(record.closed_on),
            "legal_basis": record.legal_basis,
            "note": record.note,
        }
        for record in risk_records
    ]
    visible_centres = {record.csw_id for record in risk_records}
    alerts = [
        alert
        for alert in session.scalars(
            select(Alert).where(Alert.child_id == child.id).order_by(Alert.raised_at, Alert.id)
        )
        if user.role == Role.ADMINISTRATOR or alert.csw_id in visible_centres
    ]
    notes: dict[int, list[dict[str, Any]]] = {}
    for note in session.scalars(
        select(AlertNote)
        .where(AlertNote.alert_id.in_([alert.id for alert in alerts]))
        .order_by(AlertNote.at, AlertNote.id)
    ):
        notes.setdefault(note.alert_id, []).append({"at": _iso(note.at), "text": note.text})
    data["alerts"] = [
        {
            "id": alert.id,
            "csw_id": alert.csw_id,
            "rule": _code(alert.rule),
            "episode": alert.episode,
            "status": _code(alert.status),
            "raised_at": _iso(alert.raised_at),
            "acknowledged_at": _iso(alert.acknowledged_at),
            "resolved_at": _iso(alert.resolved_at),
            "detail": dict(alert.detail or {}),
            "notes": notes.get(alert.id, []),
        }
        for alert in alerts
    ]
    data["family_check_prompts"] = [
        {"group": group, "created_at": _iso(created), "done_at": _iso(done)}
        for group, created, done in session.execute(
            select(Group.name, FamilyCheckPrompt.created_at, FamilyCheckPrompt.done_at)
            .join(Group, Group.id == FamilyCheckPrompt.group_id)
            .where(FamilyCheckPrompt.child_id == child.id)
            .order_by(FamilyCheckPrompt.created_at, FamilyCheckPrompt.id)
        )
    ]
    data["audit_entries"] = _audit_entries(
        session,
        child.id,
        {
            "enrolment": [row["id"] for row in data["enrolments"]],
            "consent": [row["id"] for row in data["consents"]],
            "risk_record": [row["id"] for row in data["risk_records"]],
            "alert": [row["id"] for row in data["alerts"]],
            "quiz_player": [player.id for player, *_rest in players],
            "attendance": [record.id for record, *_rest in attendance],
        },
    )
    return data


def _audit_entries(
    session: Session, child_id: int, related: dict[str, list[int]]
) -> list[dict[str, Any]]:
    """Entries about the child: on the child's own record or a record of theirs, or naming the
    child's id in their detail."""
    direct = [and_(AuditEntry.record_type == "child", AuditEntry.record_id == str(child_id))]
    direct += [
        and_(AuditEntry.record_type == kind, AuditEntry.record_id.in_([str(i) for i in ids]))
        for kind, ids in related.items()
        if ids
    ]
    mention = cast(AuditEntry.detail, Text).like(f"%{child_id}%")
    entries = session.scalars(
        select(AuditEntry).where(or_(*direct, mention)).order_by(AuditEntry.at, AuditEntry.id)
    )
    related_keys = {(kind, str(i)) for kind, ids in related.items() for i in ids}
    return [
        {
            "at": _iso(entry.at),
            "actor": entry.actor,
            "action": _code(entry.action),
            "record_type": entry.record_type,
            "record_id": entry.record_id,
            "detail": entry.detail or {},
        }
        for entry in entries
        if (entry.record_type == "child" and entry.record_id == str(child_id))
        or (entry.record_type, entry.record_id) in related_keys
        or _mentions(entry.detail or {}, child_id)
    ]


def _mentions(detail: dict[str, Any], child_id: int) -> bool:
    if detail.get("child_id") == child_id:
        return True
    ids = detail.get("child_ids")
    if isinstance(ids, list) and child_id in ids:
        return True
    bases = detail.get("bases")
    return isinstance(bases, dict) and str(child_id) in bases


SECTION_TITLES = (
    ("guardians", N_("Guardians")),
    ("consents", N_("Consents")),
    ("excursion_consents", N_("Excursion consents")),
    ("enrolments", N_("Enrolments")),
    ("attendance", N_("Attendance")),
    ("guardian_involvement", N_("Guardians' involvement")),
    ("quiz_participation", N_("Quiz participation")),
    ("badges", N_("Badges")),
    ("risk_records", N_("At-risk records")),
    ("alerts", N_("Alerts")),
    ("family_check_prompts", N_("Family check-in prompts")),
    ("audit_entries", N_("Audit log entries")),
)


def _render_html(data: dict[str, Any]) -> str:
    def cell(value: object) -> str:
        if isinstance(value, list | dict):
            if not value:
                return ""
            if isinstance(value, dict):
                return "<br>".join(
                    f"{html.escape(str(key))}: {html.escape(str(item))}"
                    for key, item in value.items()
                )
            return "<br>".join(cell(item) for item in value)
        return "" if value is None else html.escape(str(value))

    def table(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return f"<p>{html.escape(_('Nothing held.'))}</p>"
        columns = list(rows[0])
        head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{cell(row.get(column))}</td>" for column in columns) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    child = data["child"]
    title = _("Everything held about this child")
    generated = format_date(datetime.fromisoformat(data["generated_at"]).date())
    prepared = _("Prepared on {date} for a guardian’s request.").format(date=generated)
    fields = "".join(
        f"<tr><th>{html.escape(key)}</th><td>{cell(value)}</td></tr>"
        for key, value in child.items()
    )
    sections = "".join(
        f"<h2>{html.escape(_(heading))}</h2>{table(data[key])}"
        for key, heading in SECTION_TITLES
        if key in data
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;"
        "vertical-align:top;font-size:.9em}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(prepared)}</p>"
        f"<h2>{html.escape(_('The child'))}</h2><table>{fields}</table>"
        f"{sections}</body></html>\n"
    )
