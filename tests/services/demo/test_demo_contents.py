"""What the demo generator makes: one municipality, generated once per engine for this module
(in a transaction rolled back at the end); each test reads it inside a savepoint of its own."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from parliament_app.core.clock import local_today
from parliament_app.demo.municipality import (
    DEMO_MUNICIPALITY,
    STAGES,
    DemoSummary,
    generate_demo_data,
)
from parliament_app.demo.names import (
    COMMUNITIES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    SCHOOL_NAMES,
    SETTLEMENTS,
)
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    Community,
    Consent,
    ConsentScope,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Guardian,
    Municipality,
    Organisation,
    OrganisationKind,
    RiskCategory,
    RiskRecord,
    Role,
    User,
)
from parliament_app.people.passwords import MIN_PASSWORD_LENGTH, verify_password
from parliament_app.people.sign_in import Outcome, sign_in
from parliament_app.policy.access import ROLE_ORGANISATION_KINDS
from tests.probes import count

Progress = list[tuple[str, int, int]]


MARGINALISED = (Community.ROMA, Community.EGYPTIAN, Community.ASHKALI)


@pytest.fixture(scope="module")
def generated(engine: Engine) -> Iterator[tuple[Connection, DemoSummary, Progress]]:
    """The demo municipality, generated once per engine and rolled back after the module."""
    calls: Progress = []
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        summary = generate_demo_data(
            session, seed=1, progress=lambda stage, done, total: calls.append((stage, done, total))
        )
        session.commit()  # releases the savepoint: the data stays in the module's transaction
        session.close()
        try:
            yield connection, summary, calls
        finally:
            outer.rollback()


@pytest.fixture
def db(generated) -> Iterator[Session]:
    """This module's session: a savepoint inside the generated data, rolled back after each test."""
    connection, _summary, _calls = generated
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def demo(generated) -> tuple[DemoSummary, Progress]:
    _connection, summary, calls = generated
    return summary, calls


def age(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def test_counts_match_the_database(db: Session, demo) -> None:
    summary, _calls = demo
    assert summary.municipality == DEMO_MUNICIPALITY
    assert summary.children == count(db, Child) == 600
    assert summary.guardians == count(db, Guardian)
    assert summary.consents == count(db, Consent)
    assert summary.risk_records == count(db, RiskRecord) >= 30
    assert summary.groups == count(db, Group) == 5
    assert summary.enrolments == count(db, Enrolment)
    assert summary.organisations == count(db, Organisation) == len(SCHOOL_NAMES) + 3
    kinds = Counter(db.scalars(select(Organisation.kind)))
    assert kinds == {
        OrganisationKind.SCHOOL: 6,
        OrganisationKind.CSW: 1,
        OrganisationKind.NGO: 1,
        OrganisationKind.MUNICIPALITY: 1,
    }
    municipality = db.scalar(select(Municipality))
    assert (municipality.country_code, municipality.name) == ("RS", DEMO_MUNICIPALITY)


def test_every_child_has_a_guardian_and_consent_to_participate(db: Session, demo) -> None:
    without_guardian = select(ChildGuardian.child_id).where(ChildGuardian.child_id == Child.id)
    assert count(db, Child, ~without_guardian.exists()) == 0
    participation = select(Consent.id).where(
        Consent.child_id == Child.id,
        Consent.scope == ConsentScope.PARTICIPATION,
        Consent.withdrawn_at.is_(None),
    )
    assert count(db, Child, ~participation.exists()) == 0
    guardians_per_child = Counter(db.scalars(select(ChildGuardian.child_id)))
    assert set(guardians_per_child.values()) <= {1, 2}
    photos = count(db, Consent, Consent.scope == ConsentScope.PHOTOS)
    assert 0.5 * 600 <= photos <= 0.7 * 600


def test_children_look_plausible(db: Session, demo) -> None:
    today = local_today()
    children = list(db.scalars(select(Child)))
    schools = set(
        db.scalars(select(Organisation.id).where(Organisation.kind == OrganisationKind.SCHOOL))
    )
    given_names = {
        name for lists in GIVEN_NAMES.values() for names in lists.values() for name in names
    }
    for child in children:
        assert 7 <= age(child.birth_date, today) <= 18
        assert child.school_id in schools
        assert child.school_class
        assert child.residence_area in SETTLEMENTS
        assert child.given_name in given_names
        assert child.home_languages
        if child.community == Community.SERBIAN:
            assert child.home_languages == ["sr"]
        elif child.community == Community.ALBANIAN:
            assert "sq" in child.home_languages
        elif child.community == Community.ROMA:
            assert set(child.home_languages) <= {"rom", "sr"}
    # Family names come from the demo lists (Macedonian feminine forms derive from them).
    family_names = {name for names in FAMILY_NAMES.values() for name in names}
    unknown = {c.family_name for c in children} - family_names
    assert all(name.endswith(("ska", "cka", "ova", "eva")) for name in unknown)
    shares = Counter(child.community for child in children)
    assert 0.6 <= shares[Community.SERBIAN] / 600 <= 0.7
    assert 0.1 <= shares[Community.ROMA] / 600 <= 0.14
    # Roma families live clustered in a few settlements.
    roma_areas = Counter(c.residence_area for c in children if c.community == Community.ROMA)
    assert sum(n for _area, n in roma_areas.most_common(3)) >= 0.75 * shares[Community.ROMA]


def test_every_community_in_the_region_appears(db: Session, demo) -> None:
    seen = set(db.scalars(select(Child.community).distinct()))
    assert {Community(name) for name in COMMUNITIES} <= seen
    assert set(Community) <= seen  # Egyptian, Ashkali, other and "prefer not to say" too
    assert None in seen  # some families were not asked


def test_one_school_has_a_marginalised_community_of_at_least_40_percent(db: Session, demo) -> None:
    pupils: dict[int, Counter] = defaultdict(Counter)
    for school_id, community in db.execute(select(Child.school_id, Child.community)):
        pupils[school_id][community] += 1
    best = max(
        counts[community] / counts.total()
        for counts in pupils.values()
        for community in MARGINALISED
    )
    assert best >= 0.4


def test_risk_records_belong_to_the_centre_and_its_social_worker(db: Session, demo) -> None:
    csw = db.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.CSW))
    social_worker = db.scalar(select(User).where(User.role == Role.SOCIAL_WORKER))
    records = list(db.scalars(select(RiskRecord)))
    assert len(records) >= 30
    assert len({record.child_id for record in records}) == len(records)
    today = local_today()
    for record in records:
        assert record.csw_id == csw.id
        assert record.caseworker_id == social_worker.id
        assert 1 <= len(record.categories) <= 2
        assert {RiskCategory(value) for value in record.categories}
        assert (today - record.opened_on).days < 2 * 366
        assert record.legal_basis
    # Children the centre follows (an open record) have agreed to sharing with it.
    followed = {record.child_id for record in records if record.closed_on is None}
    sharing = set(
        db.scalars(select(Consent.child_id).where(Consent.scope == ConsentScope.CSW_SHARING))
    )
    assert followed and followed == sharing


def test_groups_are_led_by_the_facilitator_and_mixed(db: Session, demo) -> None:
    facilitator = db.scalar(select(User).where(User.role == Role.FACILITATOR))
    groups = list(db.scalars(select(Group)))
    assert {group.kind for group in groups} == {
        GroupKind.PARLIAMENT,
        GroupKind.SPORT_CLUB,
        GroupKind.MUSIC_CLUB,
        GroupKind.WORKSHOP_SERIES,
        GroupKind.OTHER_CLUB,
    }
    for group in groups:
        leaders = set(
            db.scalars(select(GroupLeader.user_id).where(GroupLeader.group_id == group.id))
        )
        assert leaders == {facilitator.id}
        communities = list(
            db.scalars(
                select(Child.community)
                .join(Enrolment, Enrolment.child_id == Child.id)
                .where(Enrolment.group_id == group.id, Enrolment.status == EnrolmentStatus.ACTIVE)
            )
        )
        if group.kind == GroupKind.OTHER_CLUB:
            # The one deliberately segregated group, for the diversity report to find.
            assert set(communities) == {Community.ROMA} and len(communities) >= 8
            continue
        assert 20 <= len(communities) <= 30
        assert len(set(communities)) >= 3
        assert sum(c not in (Community.SERBIAN, None) for c in communities) >= 5


def test_audit_entry(db: Session, demo) -> None:
    entry = db.scalar(select(AuditEntry).where(AuditEntry.record_type == "demo_data"))
    assert entry.action == AuditAction.CREATE
    assert entry.user_id is None
    assert entry.detail["children"] == 600
    assert entry.detail["seed"] == 1


def test_progress_ends_each_stage_complete(demo) -> None:
    _summary, calls = demo
    assert [stage for stage in dict.fromkeys(stage for stage, _d, _t in calls)] == list(STAGES)
    for stage in STAGES:
        reported = [(done, total) for name, done, total in calls if name == stage]
        assert all(0 <= done <= total for done, total in reported)
        done, total = reported[-1]
        assert done == total > 0


def test_one_user_per_role_at_the_right_kind_of_organisation(db: Session, demo) -> None:
    summary, _calls = demo
    assert [(c.username, c.role) for c in summary.users] == [
        ("admin", Role.ADMINISTRATOR),
        ("facilitator", Role.FACILITATOR),
        ("school", Role.SCHOOL_COORDINATOR),
        ("socialworker", Role.SOCIAL_WORKER),
    ]
    expected_kind = {
        Role.SCHOOL_COORDINATOR: OrganisationKind.SCHOOL,
        Role.SOCIAL_WORKER: OrganisationKind.CSW,
        Role.FACILITATOR: OrganisationKind.NGO,
    }
    for credentials in summary.users:
        user = db.scalar(select(User).where(User.username == credentials.username))
        assert user.role == credentials.role
        if user.role == Role.ADMINISTRATOR:
            assert user.organisation_id is None and credentials.organisation is None
            continue
        assert user.organisation.kind == expected_kind[user.role]
        assert user.organisation.kind in ROLE_ORGANISATION_KINDS[user.role]
        assert credentials.organisation == user.organisation.name
    coordinator = db.scalar(select(User).where(User.role == Role.SCHOOL_COORDINATOR))
    assert coordinator.organisation.name == SCHOOL_NAMES[0]


def test_passwords_work_and_are_long_enough(db: Session, demo) -> None:
    summary, _calls = demo
    assert len({c.password for c in summary.users}) == len(summary.users)
    for credentials in summary.users:
        assert len(credentials.password) >= MIN_PASSWORD_LENGTH
        user = db.scalar(select(User).where(User.username == credentials.username))
        assert verify_password(user.password_hash, credentials.password)
        assert not verify_password(user.password_hash, credentials.password + "x")


def test_generated_users_can_sign_in(db: Session, demo, settings) -> None:
    summary, _calls = demo
    for credentials in summary.users:
        result = sign_in(db, settings, credentials.username, credentials.password)
        assert result.outcome == Outcome.SIGNED_IN, credentials.username
        assert result.user.username == credentials.username
