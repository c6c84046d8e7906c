"""Children: registering them with a guardian and consent, listing, reading, editing.

Lists never carry special-category data. The detail view carries community and care situation
only for those the policy allows, and every such read is written to the audit log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from parliament_app.children.risk import NewRiskRecord, add_risk_record, check_risk_record
from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.groups.enrolment import (
    end_for_withdrawn_consent,
    has_participation_consent,
)
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    ChildGuardian,
    ChildInterest,
    Community,
    Consent,
    ConsentScope,
    Gender,
    Guardian,
    GuardianRelationship,
    InterestKind,
    Organisation,
    OrganisationKind,
    RiskRecord,
    Role,
    SocioEconomicBand,
    User,
    utcnow,
)
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.policy.access import Action, child_scope, may, require


class Unchanged(enum.Enum):
    """Marks an optional field the caller leaves as it is (None is a value: "not stated")."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class NewChild:
    given_name: str
    family_name: str
    birth_date: date
    gender: Gender
    municipality_id: int
    school_id: int | None = None
    school_class: str = ""
    home_languages: tuple[str, ...] = ()
    residence_area: str = ""
    community: Community | None = None
    socio_economic_band: SocioEconomicBand = SocioEconomicBand.UNKNOWN
    care_situation: CareSituation = CareSituation.UNKNOWN
    interests: tuple[tuple[InterestKind, str], ...] = ()


@dataclass(frozen=True)
class NewGuardian:
    given_name: str
    family_name: str
    relationship: GuardianRelationship
    phone: str = ""
    preferred_language: str = "sr"


@dataclass(frozen=True)
class ChildSummary:
    id: int
    given_name: str
    family_name: str
    birth_date: date
    gender: Gender
    school_name: str | None
    school_class: str


@dataclass(frozen=True)
class GuardianView:
    id: int
    name: str
    relationship: GuardianRelationship
    phone: str
    preferred_language: str


@dataclass(frozen=True)
class ConsentView:
    id: int
    guardian_name: str
    scope: ConsentScope
    given_at: object
    withdrawn_at: object | None


@dataclass(frozen=True)
class ChildDetail:
    summary: ChildSummary
    municipality_name: str
    home_languages: list[str]
    residence_area: str
    socio_economic_band: SocioEconomicBand
    interests: list[tuple[InterestKind, str]]
    guardians: list[GuardianView]
    consents: list[ConsentView]
    may_edit: bool
    # Special-category fields: None when this user may not see them.
    community: Community | None = None
    community_visible: bool = False
    care_situation: CareSituation | None = None
    risk_records: list[RiskRecord] = field(default_factory=list)


def list_children(
    session: Session, user: User, search: str = "", limit: int = 100, offset: int = 0
) -> tuple[list[ChildSummary], int]:
    """The children this user may see, by family name; and how many there are in all.
    Erased children are never listed (``child_scope`` leaves them out)."""
    condition = child_scope(user)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        condition = condition & or_(
            func.lower(Child.given_name).like(pattern), func.lower(Child.family_name).like(pattern)
        )
    total = session.scalar(select(func.count()).select_from(Child).where(condition)) or 0
    rows = session.execute(
        select(Child, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Child.school_id)
        .where(condition)
        .order_by(Child.family_name, Child.given_name, Child.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_summary(child, school) for child, school in rows], total


def get_child(session: Session, user: User, child_id: int) -> ChildDetail:
    child = session.scalar(
        select(Child)
        .where(Child.id == child_id)
        .options(
            selectinload(Child.interests),
            selectinload(Child.guardian_links).selectinload(ChildGuardian.guardian),
        )
    )
    # An erased child is gone for everyone, administrators included (``may`` lets them see all).
    if (
        child is None
        or child.erased_at is not None
        or not may(session, user, Action.VIEW_CHILD, child)
    ):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    sees_community = may(session, user, Action.VIEW_COMMUNITY, child)
    sees_care = may(session, user, Action.VIEW_CARE_SITUATION, child)
    risk_records = _visible_risk_records(session, user, child.id)
    special = [
        name
        for name, shown in (
            ("community", sees_community),
            ("care_situation", sees_care),
            ("risk_records", bool(risk_records)),
        )
        if shown
    ]
    if special:
        audit.record(session, user, AuditAction.READ_SPECIAL, "child", child.id, fields=special)
    consents = session.execute(
        select(Consent, Guardian)
        .join(Guardian, Guardian.id == Consent.guardian_id)
        .where(Consent.child_id == child.id)
        .order_by(Consent.given_at.desc())
    ).all()
    return ChildDetail(
        summary=_summary(child, child.school.name if child.school else None),
        municipality_name=child.municipality.name,
        home_languages=list(child.home_languages or []),
        residence_area=child.residence_area,
        socio_economic_band=child.socio_economic_band,
        interests=[(interest.kind, interest.label) for interest in child.interests],
        guardians=[
            GuardianView(
                link.guardian.id,
                f"{link.guardian.given_name} {link.guardian.family_name}",
                link.relationship_kind,
                link.guardian.phone,
                link.guardian.preferred_language,
            )
            for link in child.guardian_links
        ],
        consents=[
            ConsentView(
                consent.id,
                f"{guardian.given_name} {guardian.family_name}",
                consent.scope,
                consent.given_at,
                consent.withdrawn_at,
            )
            for consent, guardian in consents
        ],
        may_edit=may(session, user, Action.EDIT_CHILD, child),
        community=child.community if sees_community else None,
        community_visible=sees_community,
        care_situation=child.care_situation if sees_care else None,
        risk_records=risk_records,
    )


def register_child(
    session: Session,
    user: User,
    new: NewChild,
    guardian: NewGuardian,
    consents: set[ConsentScope],
    risk: NewRiskRecord | None = None,
) -> Child:
    """Sign a child up with one guardian and that guardian's consents, in one transaction.

    Schools register their own pupils; a centre for social work registers a child it refers, with
    the at-risk record that makes the child theirs to follow.
    """
    if user.role == Role.SCHOOL_COORDINATOR:
        new = _with_school(new, user.organisation_id)
    child = Child(
        given_name=new.given_name.strip(),
        family_name=new.family_name.strip(),
        birth_date=new.birth_date,
        gender=new.gender,
        municipality_id=new.municipality_id,
        school_id=new.school_id,
        school_class=new.school_class.strip(),
        home_languages=list(new.home_languages),
        residence_area=new.residence_area.strip(),
        community=new.community,
        socio_economic_band=new.socio_economic_band,
        care_situation=new.care_situation,
        created_by_id=user.id,
    )
    require(session, user, Action.CREATE_CHILD, child)
    _validate_child(session, new)
    if ConsentScope.PARTICIPATION not in consents:
        raise ValidationError(
            _("A guardian's consent to participation is needed to sign a child up."), "consent"
        )
    if user.role == Role.SOCIAL_WORKER and risk is None:
        raise ValidationError(_("Please record why your centre follows this child."), "risk")
    if risk is not None:
        check_risk_record(user, risk)  # before anything is written, like every other check
    if user.role != Role.SOCIAL_WORKER:
        child.care_situation = CareSituation.UNKNOWN  # only social work records care situation
    _validate_guardian(guardian)
    child.interests = [
        ChildInterest(kind=kind, label=label.strip())
        for kind, label in dict.fromkeys(new.interests)
        if label.strip()
    ]
    session.add(child)
    guardian_row = Guardian(
        given_name=guardian.given_name.strip(),
        family_name=guardian.family_name.strip(),
        phone=guardian.phone.strip(),
        preferred_language=guardian.preferred_language,
    )
    session.add(guardian_row)
    session.flush()
    session.add(
        ChildGuardian(
            child_id=child.id, guardian_id=guardian_row.id, relationship_kind=guardian.relationship
        )
    )
    for scope in sorted(consents):
        session.add(
            Consent(
                child_id=child.id, guardian_id=guardian_row.id, scope=scope, recorded_by_id=user.id
            )
        )
    if risk is not None:
        add_risk_record(session, user, child, risk)
    audit.record(
        session,
        user,
        AuditAction.CREATE,
        "child",
        child.id,
        consents=sorted(scope.value for scope in consents),
    )
    return child


def update_child(
    session: Session,
    user: User,
    child_id: int,
    *,
    given_name: str,
    family_name: str,
    birth_date: date,
    gender: Gender,
    school_class: str,
    residence_area: str,
    socio_economic_band: SocioEconomicBand,
    home_languages: list[str],
    community: Community | Unchanged | None = UNCHANGED,
    care_situation: CareSituation | Unchanged = UNCHANGED,
) -> Child:
    """Edit a child's record. Community and care situation change only when given and only
    for those who may see them; left out, they keep their value."""
    child = session.get(Child, child_id)
    if child is None or not may(session, user, Action.VIEW_CHILD, child):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    require(session, user, Action.EDIT_CHILD, child)
    _validate_names_and_age(given_name, family_name, birth_date)
    before = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "birth_date": child.birth_date,
        "gender": child.gender,
        "school_class": child.school_class,
        "residence_area": child.residence_area,
        "socio_economic_band": child.socio_economic_band,
        "home_languages": child.home_languages,
        "community": child.community,
        "care_situation": child.care_situation,
    }
    child.given_name, child.family_name = given_name.strip(), family_name.strip()
    child.birth_date, child.gender = birth_date, gender
    child.school_class, child.residence_area = school_class.strip(), residence_area.strip()
    child.socio_economic_band, child.home_languages = socio_economic_band, list(home_languages)
    if community is not UNCHANGED and may(session, user, Action.VIEW_COMMUNITY, child):
        child.community = community
    if care_situation is not UNCHANGED and may(session, user, Action.VIEW_CARE_SITUATION, child):
        child.care_situation = care_situation
    changed = sorted(name for name, value in before.items() if getattr(child, name) != value)
    audit.record(session, user, AuditAction.UPDATE, "child", child.id, changed=changed)
    return child


def withdraw_consent(session: Session, user: User, consent_id: int) -> Consent:
    consent = session.get(Consent, consent_id)
    child = session.get(Child, consent.child_id) if consent else None
    if consent is None or child is None or not may(session, user, Action.VIEW_CHILD, child):
        raise NotFound(_("No such consent."))
    require(session, user, Action.RECORD_CONSENT, child)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "consent",
            consent.id,
            scope=consent.scope.value,
            withdrawn=True,
        )
        if consent.scope == ConsentScope.PARTICIPATION:
            # Imported here: sessions builds on this package, not the other way round.

            session.flush()
            if not has_participation_consent(session, child.id):
                end_for_withdrawn_consent(session, user, child.id)  # and promotes who waits
    return consent


def give_consent(
    session: Session, user: User, child_id: int, guardian_id: int, scope: ConsentScope
) -> Consent:
    child = session.get(Child, child_id)
    if child is None or not may(session, user, Action.VIEW_CHILD, child):
        raise NotFound(_("This child's record does not exist or is not visible to you."))
    require(session, user, Action.RECORD_CONSENT, child)
    linked = session.get(ChildGuardian, (child_id, guardian_id))
    if linked is None:
        raise ValidationError(_("This guardian is not linked to the child."), "guardian")
    live = session.scalar(
        select(Consent).where(
            Consent.child_id == child_id,
            Consent.guardian_id == guardian_id,
            Consent.scope == scope,
            Consent.withdrawn_at.is_(None),
        )
    )
    if live:
        return live
    consent = Consent(
        child_id=child_id, guardian_id=guardian_id, scope=scope, recorded_by_id=user.id
    )
    session.add(consent)
    session.flush()
    audit.record(session, user, AuditAction.CREATE, "consent", consent.id, scope=scope.value)
    return consent


def _visible_risk_records(session: Session, user: User, child_id: int) -> list[RiskRecord]:
    records = session.scalars(
        select(RiskRecord)
        .where(RiskRecord.child_id == child_id)
        .order_by(RiskRecord.opened_on.desc())
    )
    return [record for record in records if may(session, user, Action.VIEW_RISK, record)]


def _with_school(new: NewChild, school_id: int | None) -> NewChild:
    from dataclasses import replace

    return replace(new, school_id=school_id)


def _validate_child(session: Session, new: NewChild) -> None:
    _validate_names_and_age(new.given_name, new.family_name, new.birth_date)
    if new.school_id is not None:
        school = session.get(Organisation, new.school_id)
        if school is None or school.kind != OrganisationKind.SCHOOL:
            raise ValidationError(_("Please choose a school."), "school")


def _validate_names_and_age(given_name: str, family_name: str, birth_date: date) -> None:
    if not given_name.strip() or not family_name.strip():
        raise ValidationError(_("Please enter the child's given and family name."), "name")
    today = local_today()
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValidationError(
            _(
                "The birth date gives an age of {age}; the programme is for children aged "
                "{low} to {high}."
            ).format(age=age, low=MIN_AGE, high=MAX_AGE),
            "birth_date",
        )


def _validate_guardian(guardian: NewGuardian) -> None:
    if not guardian.given_name.strip() or not guardian.family_name.strip():
        raise ValidationError(_("Please enter the guardian's name."), "guardian")


def _summary(child: Child, school_name: str | None) -> ChildSummary:
    return ChildSummary(
        child.id,
        child.given_name,
        child.family_name,
        child.birth_date,
        child.gender,
        school_name,
        child.school_class,
    )
