"""Children: registering, reading (with audited special-category fields), editing, consents."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.children.risk import NewRiskRecord
from parliament_app.children.services import (
    NewChild,
    NewGuardian,
    get_child,
    give_consent,
    list_children,
    register_child,
    update_child,
    withdraw_consent,
)
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    CareSituation,
    Child,
    ChildGuardian,
    Community,
    Consent,
    ConsentScope,
    Gender,
    Guardian,
    GuardianRelationship,
    InterestKind,
    RiskCategory,
    RiskRecord,
    SocioEconomicBand,
    User,
    utcnow,
)
from tests.factories import World

TABLES = (Child, Guardian, ChildGuardian, Consent, RiskRecord, AuditEntry)
PARTICIPATION = {ConsentScope.PARTICIPATION}


def _born_years_ago(years: int) -> date:
    """A birth date giving exactly ``years`` of age today."""
    return date(local_today().year - years, 1, 1)


def _new_child(world: World, **changes) -> NewChild:
    fields = {
        "given_name": "Mila",
        "family_name": "Nikolić",
        "birth_date": _born_years_ago(11),
        "gender": Gender.FEMALE,
        "municipality_id": world.municipality.id,
        "school_id": world.school.id,
        "school_class": "5/2",
        "home_languages": ("sr", "rom"),
        "community": Community.ROMA,
        "care_situation": CareSituation.FOSTER_CARE,
        "interests": ((InterestKind.SPORT, "football"), (InterestKind.MUSIC, " drums ")),
    }
    return NewChild(**{**fields, **changes})


def _guardian(**changes) -> NewGuardian:
    fields = {
        "given_name": "Jelena",
        "family_name": "Nikolić",
        "relationship": GuardianRelationship.FOSTER_PARENT,
        "phone": "060 123 4567",
    }
    return NewGuardian(**{**fields, **changes})


def _risk(**changes) -> NewRiskRecord:
    fields = {
        "categories": (RiskCategory.SOCIAL_AID,),
        "opened_on": local_today() - timedelta(days=30),
        "legal_basis": "Law on social protection, art. 41",
    }
    return NewRiskRecord(**{**fields, **changes})


def _counts(db: Session) -> dict[str, int]:
    db.flush()
    return {
        model.__tablename__: db.scalar(select(func.count()).select_from(model)) for model in TABLES
    }


def _audit(db: Session, action: AuditAction, record_type: str) -> list[AuditEntry]:
    db.flush()
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.record_type == record_type)
            .order_by(AuditEntry.id)
        )
    )


def _guardian_id(db: Session, child: Child) -> int:
    return db.scalar(select(ChildGuardian.guardian_id).where(ChildGuardian.child_id == child.id))


# --- registering ---------------------------------------------------------


def test_coordinator_registers_a_pupil_of_their_own_school(db: Session, world: World) -> None:
    child = register_child(
        db,
        world.coordinator,
        _new_child(world, school_id=world.other_school.id),
        _guardian(),
        {ConsentScope.PARTICIPATION, ConsentScope.PHOTOS},
    )
    db.flush()
    assert child.school_id == world.school.id  # forced, whatever the form said
    assert child.community == Community.ROMA
    # Only social work records care situation.
    assert child.care_situation == CareSituation.UNKNOWN
    assert sorted(i.label for i in child.interests) == ["drums", "football"]

    guardian = db.get(Guardian, _guardian_id(db, child))
    assert (guardian.given_name, guardian.family_name) == ("Jelena", "Nikolić")
    scopes = db.scalars(select(Consent.scope).where(Consent.child_id == child.id)).all()
    assert sorted(scopes) == [ConsentScope.PARTICIPATION, ConsentScope.PHOTOS]

    [entry] = _audit(db, AuditAction.CREATE, "child")
    assert entry.user_id == world.coordinator.id and entry.record_id == str(child.id)
    assert entry.detail["consents"] == ["participation", "photos"]
    summaries, _ = list_children(db, world.coordinator, search="mila")
    assert [s.id for s in summaries] == [child.id]


def test_coordinator_without_school_given_still_gets_their_school(
    db: Session, world: World
) -> None:
    child = register_child(
        db, world.coordinator, _new_child(world, school_id=None), _guardian(), PARTICIPATION
    )
    assert child.school_id == world.school.id


def test_participation_consent_is_required(db: Session, world: World) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(db, world.coordinator, _new_child(world), _guardian(), {ConsentScope.PHOTOS})
    assert caught.value.field == "consent"
    assert _counts(db) == before


@pytest.mark.parametrize(
    "guardian",
    [
        {"given_name": ""},
        {"family_name": "   "},
        {"given_name": " ", "family_name": ""},
    ],
)
def test_guardian_name_is_required(db: Session, world: World, guardian: dict) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(
            db, world.coordinator, _new_child(world), _guardian(**guardian), PARTICIPATION
        )
    assert caught.value.field == "guardian"
    assert _counts(db) == before


@pytest.mark.parametrize("names", [{"given_name": " "}, {"family_name": ""}])
def test_child_name_is_required(db: Session, world: World, names: dict) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(
            db, world.coordinator, _new_child(world, **names), _guardian(), PARTICIPATION
        )
    assert caught.value.field == "name"
    assert _counts(db) == before


@pytest.mark.parametrize("age", [0, 4, 20, 30])
def test_age_outside_five_to_nineteen_refused(db: Session, world: World, age: int) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(
            db,
            world.coordinator,
            _new_child(world, birth_date=_born_years_ago(age)),
            _guardian(),
            PARTICIPATION,
        )
    assert caught.value.field == "birth_date"
    assert str(age) in caught.value.message
    assert _counts(db) == before


@pytest.mark.parametrize("age", [5, 19])
def test_ages_five_and_nineteen_accepted(db: Session, world: World, age: int) -> None:
    child = register_child(
        db,
        world.coordinator,
        _new_child(world, birth_date=_born_years_ago(age)),
        _guardian(),
        PARTICIPATION,
    )
    assert child.id is not None


def test_a_school_must_be_a_school(db: Session, world: World) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(
            db,
            world.social_worker,
            _new_child(world, school_id=world.csw.id),
            _guardian(),
            PARTICIPATION,
            _risk(),
        )
    assert caught.value.field == "school"
    assert _counts(db) == before


def test_social_worker_must_say_why_the_centre_follows_the_child(db: Session, world: World) -> None:
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        register_child(db, world.social_worker, _new_child(world), _guardian(), PARTICIPATION)
    assert caught.value.field == "risk"
    assert _counts(db) == before


def test_social_worker_registers_and_then_follows_the_child(db: Session, world: World) -> None:
    child = register_child(
        db,
        world.social_worker,
        _new_child(world, school_id=world.other_school.id),
        _guardian(),
        {ConsentScope.PARTICIPATION, ConsentScope.CSW_SHARING},
        _risk(),
    )
    db.flush()
    assert child.school_id == world.other_school.id  # a centre refers children of any school
    detail = get_child(db, world.social_worker, child.id)
    assert detail.care_situation == CareSituation.FOSTER_CARE
    assert detail.community == Community.ROMA
    assert [(r.csw_id, r.categories) for r in detail.risk_records] == [
        (world.csw.id, ["social_aid"])
    ]
    summaries, _ = list_children(db, world.social_worker)
    assert child.id in {s.id for s in summaries}
    # The other centre does not see it.
    with pytest.raises(NotFound):
        get_child(db, world.other_social_worker, child.id)


@pytest.mark.parametrize(
    "risk",
    [
        pytest.param({"categories": ()}, id="no-categories"),
        pytest.param({"legal_basis": "  "}, id="no-legal-basis"),
        # a callable, so "tomorrow" is computed when the test runs, not at collection
        pytest.param({"opened_on": lambda: local_today() + timedelta(days=1)}, id="future-date"),
    ],
)
def test_a_bad_risk_record_writes_nothing(db: Session, world: World, risk: dict) -> None:
    risk = {key: value() if callable(value) else value for key, value in risk.items()}
    before = _counts(db)
    with pytest.raises(ValidationError):
        register_child(
            db, world.social_worker, _new_child(world), _guardian(), PARTICIPATION, _risk(**risk)
        )
    assert _counts(db) == before


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_only_social_work_attaches_a_risk_record(db: Session, world: World, role: str) -> None:
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        register_child(
            db, getattr(world, role), _new_child(world), _guardian(), PARTICIPATION, _risk()
        )
    assert _counts(db) == before


@pytest.mark.parametrize("role", ["facilitator", "other_facilitator"])
def test_facilitators_cannot_register_children(db: Session, world: World, role: str) -> None:
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        register_child(db, getattr(world, role), _new_child(world), _guardian(), PARTICIPATION)
    assert _counts(db) == before


def test_an_inactive_coordinator_cannot_register(db: Session, world: World) -> None:
    world.coordinator.active = False
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        register_child(db, world.coordinator, _new_child(world), _guardian(), PARTICIPATION)
    assert _counts(db) == before


# --- reading -------------------------------------------------------------


def test_coordinator_sees_community_but_not_care_or_risk(db: Session, world: World) -> None:
    world.followed_child.care_situation = CareSituation.INSTITUTION
    db.flush()
    detail = get_child(db, world.coordinator, world.followed_child.id)
    assert detail.community == Community.ROMA and detail.community_visible
    assert detail.care_situation is None
    assert detail.risk_records == []
    assert detail.may_edit
    assert detail.summary.school_name == "School A"
    assert [g.name for g in detail.guardians] == ["Guardian Demiri"]
    assert [c.scope for c in detail.consents] == [ConsentScope.PARTICIPATION]


def test_social_worker_sees_community_care_and_own_risk_records(db: Session, world: World) -> None:
    world.followed_child.care_situation = CareSituation.INSTITUTION
    db.flush()
    detail = get_child(db, world.social_worker, world.followed_child.id)
    assert detail.community == Community.ROMA and detail.community_visible
    assert detail.care_situation == CareSituation.INSTITUTION
    assert [r.id for r in detail.risk_records] == [world.risk_record.id]
    assert detail.may_edit


def test_facilitator_sees_no_special_fields(db: Session, world: World) -> None:
    world.own_pupil.care_situation = CareSituation.FOSTER_CARE
    db.flush()
    detail = get_child(db, world.facilitator, world.own_pupil.id)
    assert detail.summary.given_name == "Ana"
    assert detail.community is None and detail.community_visible is False
    assert detail.care_situation is None
    assert detail.risk_records == []
    assert detail.may_edit is False


def test_risk_records_only_for_the_right_centre_and_admin(db: Session, world: World) -> None:
    second = RiskRecord(
        child_id=world.followed_child.id,
        csw_id=world.other_csw.id,
        caseworker_id=world.other_social_worker.id,
        categories=["out_of_school"],
        opened_on=date(2025, 4, 1),
        legal_basis="Family law, art. 2",
    )
    db.add(second)
    db.flush()
    child_id = world.followed_child.id
    assert [r.id for r in get_child(db, world.social_worker, child_id).risk_records] == [
        world.risk_record.id
    ]
    assert [r.id for r in get_child(db, world.other_social_worker, child_id).risk_records] == [
        second.id
    ]
    assert {r.id for r in get_child(db, world.admin, child_id).risk_records} == {
        world.risk_record.id,
        second.id,
    }
    assert get_child(db, world.coordinator, child_id).risk_records == []


SPECIAL_READS = [
    ("admin", "own_pupil", ["community", "care_situation"]),
    ("admin", "followed_child", ["community", "care_situation", "risk_records"]),
    ("coordinator", "own_pupil", ["community"]),
    ("coordinator", "followed_child", ["community"]),
    ("other_coordinator", "other_pupil", ["community"]),
    ("social_worker", "followed_child", ["community", "care_situation", "risk_records"]),
    (
        "other_social_worker",
        "other_followed_child",
        ["community", "care_situation", "risk_records"],
    ),
    ("facilitator", "own_pupil", None),
]


@pytest.mark.parametrize(
    ("role", "child", "fields"), SPECIAL_READS, ids=[f"{r}-{c}" for r, c, _ in SPECIAL_READS]
)
def test_each_special_read_is_audited_once(
    db: Session, world: World, role: str, child: str, fields: list[str] | None
) -> None:
    user: User = getattr(world, role)
    record: Child = getattr(world, child)
    before = _audit(db, AuditAction.READ_SPECIAL, "child")
    assert before == []
    get_child(db, user, record.id)
    entries = _audit(db, AuditAction.READ_SPECIAL, "child")
    if fields is None:
        assert entries == []
        assert _counts(db)["audit_log"] == 0
        return
    [entry] = entries
    assert (entry.user_id, entry.actor, entry.record_id) == (
        user.id,
        user.username,
        str(record.id),
    )
    assert entry.detail["fields"] == fields
    # A second read is a second entry.
    get_child(db, user, record.id)
    assert len(_audit(db, AuditAction.READ_SPECIAL, "child")) == 2


INVISIBLE = [
    ("coordinator", "other_pupil"),
    ("coordinator", "other_followed_child"),
    ("other_coordinator", "own_pupil"),
    ("social_worker", "own_pupil"),
    ("social_worker", "other_followed_child"),
    ("other_social_worker", "followed_child"),
    ("facilitator", "other_pupil"),
    ("facilitator", "followed_child"),
    ("other_facilitator", "own_pupil"),
]


@pytest.mark.parametrize(("role", "child"), INVISIBLE, ids=[f"{r}-{c}" for r, c in INVISIBLE])
def test_an_invisible_child_is_not_found_and_not_named(
    db: Session, world: World, role: str, child: str
) -> None:
    record: Child = getattr(world, child)
    with pytest.raises(NotFound) as caught:
        get_child(db, getattr(world, role), record.id)
    assert record.given_name not in caught.value.message
    assert record.family_name not in caught.value.message
    assert caught.value.message.strip()
    assert _audit(db, AuditAction.READ_SPECIAL, "child") == []


def test_a_missing_child_looks_like_an_invisible_one(db: Session, world: World) -> None:
    with pytest.raises(NotFound) as missing:
        get_child(db, world.coordinator, 999_999)
    with pytest.raises(NotFound) as hidden:
        get_child(db, world.coordinator, world.other_pupil.id)
    assert missing.value.message == hidden.value.message


def test_an_inactive_user_sees_nothing(db: Session, world: World) -> None:
    world.admin.active = False
    db.flush()
    with pytest.raises(NotFound):
        get_child(db, world.admin, world.own_pupil.id)


# --- editing -------------------------------------------------------------


def _edit(db: Session, user: User, child: Child, **changes) -> Child:
    fields = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "birth_date": child.birth_date,
        "gender": child.gender,
        "school_class": child.school_class,
        "residence_area": child.residence_area,
        "socio_economic_band": child.socio_economic_band,
        "home_languages": list(child.home_languages or []),
        "community": child.community,
    }
    return update_child(db, user, child.id, **{**fields, **changes})


def test_update_child_audits_the_changed_fields(db: Session, world: World) -> None:
    _edit(
        db,
        world.coordinator,
        world.own_pupil,
        school_class=" 6/1 ",
        residence_area="Centre",
        home_languages=["sr", "hu"],
    )
    db.flush()
    db.expire_all()
    child = db.get(Child, world.own_pupil.id)
    assert (child.school_class, child.residence_area, child.home_languages) == (
        "6/1",
        "Centre",
        ["sr", "hu"],
    )
    [entry] = _audit(db, AuditAction.UPDATE, "child")
    assert entry.user_id == world.coordinator.id and entry.record_id == str(child.id)
    assert entry.detail["changed"] == ["home_languages", "residence_area", "school_class"]


def test_an_edit_that_changes_nothing_lists_nothing(db: Session, world: World) -> None:
    _edit(db, world.coordinator, world.own_pupil)
    [entry] = _audit(db, AuditAction.UPDATE, "child")
    assert entry.detail["changed"] == []


def test_coordinator_cannot_change_care_situation(db: Session, world: World) -> None:
    world.own_pupil.care_situation = CareSituation.PARENTS
    db.flush()
    _edit(
        db,
        world.coordinator,
        world.own_pupil,
        socio_economic_band=SocioEconomicBand.LOW,
        care_situation=CareSituation.INSTITUTION,
    )
    db.flush()
    db.expire_all()
    child = db.get(Child, world.own_pupil.id)
    assert child.care_situation == CareSituation.PARENTS
    assert child.socio_economic_band == SocioEconomicBand.LOW
    [entry] = _audit(db, AuditAction.UPDATE, "child")
    assert entry.detail["changed"] == ["socio_economic_band"]


def test_coordinator_can_change_community(db: Session, world: World) -> None:
    _edit(db, world.coordinator, world.own_pupil, community=Community.PREFER_NOT_TO_SAY)
    assert world.own_pupil.community == Community.PREFER_NOT_TO_SAY
    [entry] = _audit(db, AuditAction.UPDATE, "child")
    assert entry.detail["changed"] == ["community"]


def test_social_worker_changes_care_situation(db: Session, world: World) -> None:
    _edit(db, world.social_worker, world.followed_child, care_situation=CareSituation.RELATIVES)
    db.flush()
    db.expire_all()
    assert db.get(Child, world.followed_child.id).care_situation == CareSituation.RELATIVES
    [entry] = _audit(db, AuditAction.UPDATE, "child")
    assert entry.detail["changed"] == ["care_situation"]


def test_facilitator_cannot_edit(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        _edit(db, world.facilitator, world.own_pupil, given_name="Changed")
    db.expire_all()
    assert db.get(Child, world.own_pupil.id).given_name == "Ana"
    assert _audit(db, AuditAction.UPDATE, "child") == []


def test_nobody_edits_an_invisible_child(db: Session, world: World) -> None:
    with pytest.raises(NotFound) as caught:
        _edit(db, world.coordinator, world.other_pupil, given_name="Changed")
    assert "Blerta" not in caught.value.message
    db.expire_all()
    assert db.get(Child, world.other_pupil.id).given_name == "Blerta"


def test_an_edit_with_a_bad_age_changes_nothing(db: Session, world: World) -> None:
    with pytest.raises(ValidationError):
        _edit(
            db,
            world.coordinator,
            world.own_pupil,
            school_class="9/9",
            birth_date=_born_years_ago(3),
        )
    db.expire_all()
    child = db.get(Child, world.own_pupil.id)
    assert child.school_class == "" and child.birth_date == date(2014, 3, 15)


# --- consents ------------------------------------------------------------


def test_give_and_withdraw_consent(db: Session, world: World) -> None:
    child = world.own_pupil
    guardian_id = _guardian_id(db, child)

    photos = give_consent(db, world.coordinator, child.id, guardian_id, ConsentScope.PHOTOS)
    assert photos.withdrawn_at is None and photos.recorded_by_id == world.coordinator.id
    # Giving it again is the same live consent, not a second row.
    assert give_consent(db, world.coordinator, child.id, guardian_id, ConsentScope.PHOTOS) is photos
    assert len(_audit(db, AuditAction.CREATE, "consent")) == 1

    withdraw_consent(db, world.coordinator, photos.id)
    assert photos.withdrawn_at is not None
    withdraw_consent(db, world.coordinator, photos.id)  # again: no change, no second entry
    assert len(_audit(db, AuditAction.UPDATE, "consent")) == 1

    renewed = give_consent(db, world.coordinator, child.id, guardian_id, ConsentScope.PHOTOS)
    assert renewed.id != photos.id and renewed.withdrawn_at is None
    detail = get_child(db, world.coordinator, child.id)
    photo_consents = [c for c in detail.consents if c.scope == ConsentScope.PHOTOS]
    assert sorted(c.withdrawn_at is None for c in photo_consents) == [False, True]


def test_social_worker_records_consent_for_a_followed_child(db: Session, world: World) -> None:
    child = world.followed_child
    consent = give_consent(
        db, world.social_worker, child.id, _guardian_id(db, child), ConsentScope.CSW_SHARING
    )
    assert consent.scope == ConsentScope.CSW_SHARING


def test_consent_needs_a_linked_guardian(db: Session, world: World) -> None:
    stranger = _guardian_id(db, world.followed_child)
    with pytest.raises(ValidationError) as caught:
        give_consent(db, world.coordinator, world.own_pupil.id, stranger, ConsentScope.PHOTOS)
    assert caught.value.field == "guardian"


def test_facilitator_cannot_record_consent(db: Session, world: World) -> None:
    child = world.own_pupil
    guardian_id = _guardian_id(db, child)
    with pytest.raises(PermissionDenied):
        give_consent(db, world.facilitator, child.id, guardian_id, ConsentScope.PHOTOS)
    participation = db.scalar(select(Consent).where(Consent.child_id == child.id))
    with pytest.raises(PermissionDenied):
        withdraw_consent(db, world.facilitator, participation.id)
    assert participation.withdrawn_at is None


def test_consents_of_invisible_children_are_not_found(db: Session, world: World) -> None:
    child = world.other_pupil
    guardian_id = _guardian_id(db, child)
    with pytest.raises(NotFound):
        give_consent(db, world.coordinator, child.id, guardian_id, ConsentScope.PHOTOS)
    participation = db.scalar(select(Consent).where(Consent.child_id == child.id))
    with pytest.raises(NotFound):
        withdraw_consent(db, world.coordinator, participation.id)
    assert participation.withdrawn_at is None
    with pytest.raises(NotFound):
        withdraw_consent(db, world.coordinator, 999_999)


def test_database_allows_one_live_consent_per_child_guardian_scope(
    db: Session, world: World
) -> None:
    child = world.own_pupil
    guardian_id = _guardian_id(db, child)

    def consent() -> Consent:
        return Consent(child_id=child.id, guardian_id=guardian_id, scope=ConsentScope.PARTICIPATION)

    # The factory already recorded a live participation consent.
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(consent())
        db.flush()

    live = db.scalar(
        select(Consent).where(Consent.child_id == child.id, Consent.withdrawn_at.is_(None))
    )
    live.withdrawn_at = utcnow()
    db.flush()
    db.add(consent())  # a new live one after withdrawal is fine
    db.flush()
    # A different scope is independent.
    db.add(Consent(child_id=child.id, guardian_id=guardian_id, scope=ConsentScope.PHOTOS))
    db.flush()
    rows = db.scalars(select(Consent).where(Consent.child_id == child.id)).all()
    assert sorted((c.scope, c.withdrawn_at is None) for c in rows) == [
        (ConsentScope.PARTICIPATION, False),
        (ConsentScope.PARTICIPATION, True),
        (ConsentScope.PHOTOS, True),
    ]
    # And still only one live participation consent is allowed.
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(consent())
        db.flush()


def test_leaving_community_out_keeps_it(db: Session, world: World) -> None:
    child = world.followed_child
    update_child(
        db,
        world.social_worker,
        child.id,
        given_name=child.given_name,
        family_name=child.family_name,
        birth_date=child.birth_date,
        gender=child.gender,
        school_class="7-1",
        residence_area=child.residence_area,
        socio_economic_band=child.socio_economic_band,
        home_languages=["rom"],
    )
    db.flush()
    db.expire_all()
    assert db.get(Child, child.id).community == Community.ROMA


def test_community_can_be_cleared_to_not_stated(db: Session, world: World) -> None:
    _edit(db, world.coordinator, world.own_pupil, community=None)
    db.flush()
    db.expire_all()
    assert db.get(Child, world.own_pupil.id).community is None
