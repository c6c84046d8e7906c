"""Enrolment: who may sign a child up, capacity and the waiting list, history, withdrawal of
consent, and two cancellations at the same moment (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from parliament_app.children.services import give_consent, withdraw_consent
from parliament_app.core.clock import local_today
from parliament_app.core.db import session_factory
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.groups.enrolment import (
    cancel,
    end_for_withdrawn_consent,
    enrol,
    history,
    promote_waiting,
    roster,
)
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    EndReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Guardian,
    GuardianRelationship,
    User,
    utcnow,
)
from tests.factories import World, make_child

A, W, E = EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING, EnrolmentStatus.ENDED


def _group(
    db: Session,
    world: World,
    name: str = "Football club",
    capacity: int = 2,
    min_age: int = 7,
    max_age: int = 18,
    active: bool = True,
    leader: User | None = None,
) -> Group:
    group = Group(
        kind=GroupKind.SPORT_CLUB,
        name=name,
        organisation_id=world.ngo.id,
        municipality_id=world.municipality.id,
        capacity=capacity,
        min_age=min_age,
        max_age=max_age,
        active=active,
    )
    db.add(group)
    db.flush()
    db.add(GroupLeader(group_id=group.id, user_id=(leader or world.facilitator).id))
    db.flush()
    return group


def _pupils(db: Session, world: World, count: int) -> list[Child]:
    """Pupils of ``world.school``, each with a guardian's consent to participation."""
    return [
        make_child(db, f"Pupil{index}", f"Family{index}", world.school, world.municipality)
        for index in range(count)
    ]


def _statuses(db: Session, group: Group) -> dict[int, EnrolmentStatus]:
    db.expire_all()
    rows = db.scalars(select(Enrolment).where(Enrolment.group_id == group.id))
    return {enrolment.child_id: enrolment.status for enrolment in rows}


def _born_years_ago(years: int) -> date:
    """A birth date giving exactly ``years`` of age today."""
    return date(local_today().year - years, 1, 1)


def _turning_tomorrow(years: int) -> date:
    """A birth date of someone who turns ``years`` tomorrow."""
    tomorrow = local_today() + timedelta(days=1)
    try:
        return tomorrow.replace(year=tomorrow.year - years)
    except ValueError:  # 29 February
        return date(tomorrow.year - years, 3, 1)


# --- who may enrol whom ---------------------------------------------------------------------


def test_school_coordinator_signs_up_own_pupil(db: Session, world: World) -> None:
    group = _group(db, world)
    enrolment = enrol(db, world.coordinator, group.id, world.own_pupil.id)
    assert enrolment.status == A
    assert enrolment.source == EnrolmentSource.SCHOOL and enrolment.referred_by_id is None
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.record_type == "enrolment", AuditEntry.record_id == str(enrolment.id)
        )
    )
    assert entry.action == AuditAction.CREATE and entry.user_id == world.coordinator.id
    assert entry.detail["status"] == "active" and entry.detail["source"] == "school"


def test_school_coordinator_cannot_sign_up_another_schools_pupil(db: Session, world: World) -> None:
    group = _group(db, world)
    with pytest.raises(NotFound):
        enrol(db, world.coordinator, group.id, world.other_pupil.id)
    assert db.scalars(select(Enrolment).where(Enrolment.group_id == group.id)).all() == []


def test_social_worker_refers_a_child_their_centre_follows(db: Session, world: World) -> None:
    group = _group(db, world)
    enrolment = enrol(db, world.social_worker, group.id, world.followed_child.id)
    assert enrolment.source == EnrolmentSource.CSW
    assert enrolment.referred_by_id == world.csw.id


def test_social_worker_cannot_refer_a_child_not_followed(db: Session, world: World) -> None:
    group = _group(db, world)
    for child in (world.other_followed_child, world.own_pupil):
        with pytest.raises(NotFound):
            enrol(db, world.social_worker, group.id, child.id)
    assert db.scalars(select(Enrolment).where(Enrolment.group_id == group.id)).all() == []


def test_leading_facilitator_invites_a_child_they_see(db: Session, world: World) -> None:
    group = _group(db, world)  # led by world.facilitator, who sees own_pupil via world.group
    enrolment = enrol(db, world.facilitator, group.id, world.own_pupil.id)
    assert enrolment.status == A and enrolment.source == EnrolmentSource.FACILITATOR
    with pytest.raises(NotFound):  # a child they cannot see
        enrol(db, world.facilitator, group.id, world.other_pupil.id)


def test_facilitator_who_does_not_lead_the_group_is_refused(db: Session, world: World) -> None:
    group = _group(db, world)
    with pytest.raises(PermissionDenied):
        enrol(db, world.other_facilitator, group.id, world.own_pupil.id)
    assert db.scalars(select(Enrolment).where(Enrolment.group_id == group.id)).all() == []


def test_administrator_enrols_any_child(db: Session, world: World) -> None:
    group = _group(db, world)
    enrolment = enrol(db, world.admin, group.id, world.other_followed_child.id)
    assert enrolment.status == A and enrolment.source == EnrolmentSource.FACILITATOR


def test_school_in_another_municipality_does_not_see_the_group(db: Session, world: World) -> None:
    from parliament_app.models import Municipality

    elsewhere = Municipality(country_code="RS", name="Elsewhere")
    db.add(elsewhere)
    db.flush()
    group = _group(db, world)
    group.municipality_id = elsewhere.id
    db.flush()
    with pytest.raises(NotFound):
        enrol(db, world.coordinator, group.id, world.own_pupil.id)


def test_unknown_group_or_child_is_not_found(db: Session, world: World) -> None:
    group = _group(db, world)
    with pytest.raises(NotFound):
        enrol(db, world.admin, 999_999, world.own_pupil.id)
    with pytest.raises(NotFound):
        enrol(db, world.admin, group.id, 999_999)


# --- what an enrolment needs ----------------------------------------------------------------


def test_enrolment_needs_a_live_participation_consent(db: Session, world: World) -> None:
    group = _group(db, world)
    consent = db.scalar(select(Consent).where(Consent.child_id == world.own_pupil.id))
    consent.withdrawn_at = utcnow()
    db.flush()
    with pytest.raises(ValidationError) as error:
        enrol(db, world.coordinator, group.id, world.own_pupil.id)
    assert error.value.field == "consent"
    # Photos alone are not enough.
    db.add(
        Consent(
            child_id=world.own_pupil.id, guardian_id=consent.guardian_id, scope=ConsentScope.PHOTOS
        )
    )
    db.flush()
    with pytest.raises(ValidationError):
        enrol(db, world.coordinator, group.id, world.own_pupil.id)
    give_consent(
        db, world.coordinator, world.own_pupil.id, consent.guardian_id, ConsentScope.PARTICIPATION
    )
    assert enrol(db, world.coordinator, group.id, world.own_pupil.id).status == A


def test_consent_of_a_guardian_no_longer_linked_does_not_count(db: Session, world: World) -> None:
    group = _group(db, world)
    link = db.scalar(select(ChildGuardian).where(ChildGuardian.child_id == world.own_pupil.id))
    db.delete(link)
    db.flush()
    with pytest.raises(ValidationError):
        enrol(db, world.coordinator, group.id, world.own_pupil.id)


def test_age_outside_the_groups_band_is_refused_with_age_and_band(
    db: Session, world: World
) -> None:
    group = _group(db, world, min_age=15, max_age=17)
    child = make_child(
        db, "Young", "Pupil", world.school, world.municipality, birth_date=_born_years_ago(9)
    )
    with pytest.raises(ValidationError) as error:
        enrol(db, world.coordinator, group.id, child.id)
    assert error.value.field == "child"
    assert "9" in error.value.message
    assert "15" in error.value.message and "17" in error.value.message
    # Birthdays count: exactly 15 today fits, 14 turning 15 tomorrow does not.
    fifteen = make_child(
        db, "Old", "Enough", world.school, world.municipality, birth_date=_born_years_ago(15)
    )
    assert enrol(db, world.coordinator, group.id, fifteen.id).status == A
    almost = make_child(
        db, "Almost", "Fifteen", world.school, world.municipality, birth_date=_turning_tomorrow(15)
    )
    with pytest.raises(ValidationError):
        enrol(db, world.coordinator, group.id, almost.id)


def test_inactive_group_takes_no_enrolments(db: Session, world: World) -> None:
    group = _group(db, world, active=False)
    with pytest.raises(ValidationError) as error:
        enrol(db, world.coordinator, group.id, world.own_pupil.id)
    assert error.value.field == "group"


def test_enrolling_twice_is_refused(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second = _pupils(db, world, 2)
    enrol(db, world.coordinator, group.id, first.id)
    enrol(db, world.coordinator, group.id, second.id)  # waiting
    for child in (first, second):
        with pytest.raises(ValidationError):
            enrol(db, world.admin, group.id, child.id)
    assert _statuses(db, group) == {first.id: A, second.id: W}


# --- capacity, waiting list, promotion ------------------------------------------------------


def test_full_group_puts_children_on_the_waiting_list_in_order(db: Session, world: World) -> None:
    group = _group(db, world, capacity=2)
    children = _pupils(db, world, 4)
    statuses = [enrol(db, world.coordinator, group.id, child.id).status for child in children]
    assert statuses == [A, A, W, W]
    entries = roster(db, world.facilitator, group.id)
    assert [(entry.child_id, entry.status, entry.queue_position) for entry in entries] == [
        (children[0].id, A, None),
        (children[1].id, A, None),
        (children[2].id, W, 1),
        (children[3].id, W, 2),
    ]
    assert entries[0].given_name == "Pupil0" and entries[0].family_name == "Family0"
    assert {entry.source for entry in entries} == {EnrolmentSource.SCHOOL}


def test_cancelling_an_active_place_promotes_the_first_waiting(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second, third = _pupils(db, world, 3)
    held = enrol(db, world.coordinator, group.id, first.id)
    enrol(db, world.coordinator, group.id, second.id)
    enrol(db, world.coordinator, group.id, third.id)
    ended = cancel(db, world.facilitator, held.id)
    assert ended.status == E and ended.end_reason == EndReason.CANCELLED
    assert ended.ended_at is not None
    assert _statuses(db, group) == {first.id: E, second.id: A, third.id: W}
    entries = roster(db, world.facilitator, group.id)
    assert [(entry.child_id, entry.queue_position) for entry in entries] == [
        (second.id, None),
        (third.id, 1),
    ]


def test_waiting_order_follows_queued_at_not_id(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second, third = _pupils(db, world, 3)
    held = enrol(db, world.coordinator, group.id, first.id)
    later = enrol(db, world.coordinator, group.id, second.id)
    earlier = enrol(db, world.coordinator, group.id, third.id)
    earlier.queued_at = later.queued_at - timedelta(minutes=5)
    db.flush()
    assert [entry.child_id for entry in roster(db, world.admin, group.id)][1:] == [
        third.id,
        second.id,
    ]
    cancel(db, world.admin, held.id)
    assert _statuses(db, group) == {first.id: E, second.id: W, third.id: A}


def test_cancelling_a_waiting_place_promotes_nobody(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second, third = _pupils(db, world, 3)
    enrol(db, world.coordinator, group.id, first.id)
    waiting = enrol(db, world.coordinator, group.id, second.id)
    enrol(db, world.coordinator, group.id, third.id)
    cancel(db, world.coordinator, waiting.id)
    assert _statuses(db, group) == {first.id: A, second.id: E, third.id: W}
    assert [e.queue_position for e in roster(db, world.admin, group.id)] == [None, 1]
    with pytest.raises(ValidationError):  # already ended
        cancel(db, world.coordinator, waiting.id)


def test_promote_waiting_after_a_capacity_increase(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    children = _pupils(db, world, 4)
    for child in children:
        enrol(db, world.coordinator, group.id, child.id)
    group.capacity = 3
    db.flush()
    promoted = promote_waiting(db, group.id, world.facilitator)
    assert [enrolment.child_id for enrolment in promoted] == [children[1].id, children[2].id]
    assert _statuses(db, group) == {
        children[0].id: A,
        children[1].id: A,
        children[2].id: A,
        children[3].id: W,
    }
    assert promote_waiting(db, group.id) == []  # full again: nobody moves


def test_a_new_child_does_not_jump_the_queue_when_a_place_is_free(
    db: Session, world: World
) -> None:
    group = _group(db, world, capacity=1)
    first, second, newcomer = _pupils(db, world, 3)
    enrol(db, world.coordinator, group.id, first.id)
    enrol(db, world.coordinator, group.id, second.id)
    group.capacity = 2  # raised without promoting anyone
    db.flush()
    assert enrol(db, world.coordinator, group.id, newcomer.id).status == W
    assert _statuses(db, group) == {first.id: A, second.id: A, newcomer.id: W}


# --- who may cancel, and the history --------------------------------------------------------


def test_who_may_cancel(db: Session, world: World) -> None:
    group = _group(db, world)
    pupil = enrol(db, world.coordinator, group.id, world.own_pupil.id)
    referred = enrol(db, world.social_worker, group.id, world.followed_child.id)
    with pytest.raises(NotFound):
        cancel(db, world.other_coordinator, pupil.id)
    with pytest.raises(NotFound):
        cancel(db, world.other_social_worker, referred.id)
    with pytest.raises(PermissionDenied):  # sees the child (world.group) but does not lead this
        cancel(db, _leader_of_other_group(db, world), pupil.id)
    with pytest.raises(PermissionDenied):  # only managers remove a child
        cancel(db, world.coordinator, pupil.id, EndReason.REMOVED)
    with pytest.raises(NotFound):
        cancel(db, world.admin, 999_999)
    assert _statuses(db, group) == {world.own_pupil.id: A, world.followed_child.id: A}
    cancel(db, world.social_worker, referred.id)
    cancel(db, world.facilitator, pupil.id, EndReason.REMOVED)
    assert _statuses(db, group) == {world.own_pupil.id: E, world.followed_child.id: E}


def _leader_of_other_group(db: Session, world: World) -> User:
    """``other_facilitator``, now leading ``world.group`` (so seeing own_pupil) but no other."""
    db.add(GroupLeader(group_id=world.group.id, user_id=world.other_facilitator.id))
    db.flush()
    return world.other_facilitator


def test_status_history_records_who_and_when(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second = _pupils(db, world, 2)
    before = utcnow()
    held = enrol(db, world.coordinator, group.id, first.id)
    waiting = enrol(db, world.coordinator, group.id, second.id)
    cancel(db, world.facilitator, held.id)
    after = utcnow()

    events = history(db, world.coordinator, waiting.id)
    assert [(event.status, event.by_user_id, event.note) for event in events] == [
        (W, world.coordinator.id, "enrolled"),
        (A, world.facilitator.id, "promoted"),
    ]
    assert [event.by_name for event in events] == ["Coordinator", "Facilitator"]
    assert events[1].note_label == "Moved up from the waiting list"
    assert all(before <= event.at <= after for event in events)
    assert [(event.status, event.note) for event in history(db, world.admin, held.id)] == [
        (A, "enrolled"),
        (E, "cancelled"),
    ]
    with pytest.raises(NotFound):
        history(db, world.other_coordinator, held.id)
    rows = db.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == held.id)).all()
    assert len(rows) == 2


def test_an_ended_enrolment_is_reopened(db: Session, world: World) -> None:
    group = _group(db, world, capacity=1)
    first, second = _pupils(db, world, 2)
    enrolment = enrol(db, world.coordinator, group.id, first.id)
    cancel(db, world.coordinator, enrolment.id)
    enrol(db, world.coordinator, group.id, second.id)  # takes the free place
    again = enrol(db, world.admin, group.id, first.id)
    assert again.id == enrolment.id  # the same row: one per child and group
    assert again.status == W and again.ended_at is None and again.end_reason is None
    assert again.source == EnrolmentSource.FACILITATOR
    assert [(event.status, event.note) for event in history(db, world.admin, again.id)] == [
        (A, "enrolled"),
        (E, "cancelled"),
        (W, "reopened"),
    ]
    rows = db.scalars(
        select(Enrolment).where(Enrolment.child_id == first.id, Enrolment.group_id == group.id)
    ).all()
    assert rows == [enrolment]


# --- roster ---------------------------------------------------------------------------------


def test_roster_visibility(db: Session, world: World) -> None:
    group = _group(db, world)
    enrol(db, world.coordinator, group.id, world.own_pupil.id)
    enrol(db, world.other_coordinator, group.id, world.other_pupil.id)
    everyone = {world.own_pupil.id, world.other_pupil.id}
    assert {entry.child_id for entry in roster(db, world.admin, group.id)} == everyone
    assert {entry.child_id for entry in roster(db, world.facilitator, group.id)} == everyone
    assert [entry.child_id for entry in roster(db, world.coordinator, group.id)] == [
        world.own_pupil.id
    ]
    assert [entry.child_id for entry in roster(db, world.other_coordinator, group.id)] == [
        world.other_pupil.id
    ]
    for user in (world.other_facilitator, world.social_worker):
        with pytest.raises(PermissionDenied):
            roster(db, user, group.id)


def test_roster_can_include_ended_enrolments(db: Session, world: World) -> None:
    group = _group(db, world)
    enrolment = enrol(db, world.coordinator, group.id, world.own_pupil.id)
    cancel(db, world.coordinator, enrolment.id)
    assert roster(db, world.admin, group.id) == []
    assert [entry.status for entry in roster(db, world.admin, group.id, include_ended=True)] == [E]


# --- withdrawal of consent ------------------------------------------------------------------


def _participation(db: Session, child: Child) -> Consent:
    return db.scalar(
        select(Consent).where(
            Consent.child_id == child.id,
            Consent.scope == ConsentScope.PARTICIPATION,
            Consent.withdrawn_at.is_(None),
        )
    )


def test_withdrawing_participation_consent_ends_enrolments_and_promotes(
    db: Session, world: World
) -> None:
    club = _group(db, world, capacity=1)
    first, second = _pupils(db, world, 2)
    enrol(db, world.coordinator, club.id, first.id)
    enrol(db, world.coordinator, club.id, second.id)
    parliament = world.group
    in_parliament = enrol(db, world.coordinator, parliament.id, first.id)

    withdraw_consent(db, world.coordinator, _participation(db, first).id)

    assert _statuses(db, club) == {first.id: E, second.id: A}
    db.refresh(in_parliament)
    assert in_parliament.status == E
    assert in_parliament.end_reason == EndReason.CONSENT_WITHDRAWN
    events = history(db, world.admin, in_parliament.id)
    assert (events[-1].status, events[-1].by_user_id, events[-1].note) == (
        E,
        world.coordinator.id,
        "consent_withdrawn",
    )
    with pytest.raises(ValidationError):  # no consent, no new enrolment
        enrol(db, world.coordinator, club.id, first.id)


def test_withdrawing_other_consents_or_one_of_two_ends_nothing(db: Session, world: World) -> None:
    group = _group(db, world)
    child = world.own_pupil
    enrol(db, world.coordinator, group.id, child.id)
    guardian_id = _participation(db, child).guardian_id
    photos = give_consent(db, world.coordinator, child.id, guardian_id, ConsentScope.PHOTOS)
    withdraw_consent(db, world.coordinator, photos.id)
    assert _statuses(db, group)[child.id] == A

    second = Guardian(given_name="Second", family_name="Guardian")
    db.add(second)
    db.flush()
    db.add(
        ChildGuardian(
            child_id=child.id,
            guardian_id=second.id,
            relationship_kind=GuardianRelationship.FATHER,
        )
    )
    db.flush()
    give_consent(db, world.coordinator, child.id, second.id, ConsentScope.PARTICIPATION)
    withdraw_consent(db, world.coordinator, _participation_of(db, child, guardian_id).id)
    assert _statuses(db, group)[child.id] == A  # the other guardian's consent still holds
    withdraw_consent(db, world.coordinator, _participation_of(db, child, second.id).id)
    assert _statuses(db, group)[child.id] == E


def _participation_of(db: Session, child: Child, guardian_id: int) -> Consent:
    return db.scalar(
        select(Consent).where(
            Consent.child_id == child.id,
            Consent.guardian_id == guardian_id,
            Consent.scope == ConsentScope.PARTICIPATION,
            Consent.withdrawn_at.is_(None),
        )
    )


def test_end_for_withdrawn_consent_checks_permission_and_consent(db: Session, world: World) -> None:
    group = _group(db, world)
    enrol(db, world.coordinator, group.id, world.own_pupil.id)
    with pytest.raises(ValidationError):  # consent still in force
        end_for_withdrawn_consent(db, world.coordinator, world.own_pupil.id)
    _participation(db, world.own_pupil).withdrawn_at = utcnow()
    db.flush()
    with pytest.raises(PermissionDenied):  # facilitators do not record consents
        end_for_withdrawn_consent(db, world.facilitator, world.own_pupil.id)
    with pytest.raises(NotFound):
        end_for_withdrawn_consent(db, world.other_coordinator, world.own_pupil.id)
    ended = end_for_withdrawn_consent(db, world.coordinator, world.own_pupil.id)
    assert {enrolment.group_id for enrolment in ended} == {group.id, world.group.id}


# --- concurrency ----------------------------------------------------------------------------


def _full_group_with_queue(db: Session, world: World) -> tuple[Group, list[Enrolment]]:
    """Capacity 2, two active and three waiting (in that order); committed for other sessions."""
    group = _group(db, world, capacity=2)
    children = _pupils(db, world, 5)
    enrolments = [enrol(db, world.coordinator, group.id, child.id) for child in children]
    assert [enrolment.status for enrolment in enrolments] == [A, A, W, W, W]
    db.commit()
    return group, enrolments


def _cancel_in_own_session(
    engine: Engine, user_id: int, enrolment_id: int, barrier: threading.Barrier, errors: list
) -> None:
    try:
        barrier.wait(timeout=30)  # before touching the database: SQLite would queue us otherwise
        with session_factory(engine)() as session:
            cancel(session, session.get(User, user_id), enrolment_id)
            session.commit()
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def test_two_simultaneous_cancellations_promote_two_different_children_in_order(
    db: Session, world: World, engine: Engine
) -> None:
    group, enrolments = _full_group_with_queue(db, world)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_cancel_in_own_session,
            args=(engine, world.facilitator.id, enrolment.id, barrier, errors),
        )
        for enrolment in enrolments[:2]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    _assert_two_promoted_in_order(db, world, group, enrolments)


def test_a_cancellation_waiting_for_another_reads_its_result(
    db: Session, world: World, engine: Engine
) -> None:
    """One cancellation holds the group while a second one waits for it, then sees its result."""
    group, enrolments = _full_group_with_queue(db, world)
    factory = session_factory(engine)
    errors: list[BaseException] = []
    with factory() as first:
        cancel(first, first.get(User, world.facilitator.id), enrolments[0].id)
        started = threading.Barrier(2)
        second = threading.Thread(
            target=_cancel_in_own_session,
            args=(engine, world.facilitator.id, enrolments[1].id, started, errors),
        )
        second.start()
        started.wait(timeout=30)
        time.sleep(0.5)  # the second one is now waiting for the group (or the SQLite lock)
        assert second.is_alive()
        first.commit()
    second.join(timeout=60)
    assert not second.is_alive() and errors == []

    _assert_two_promoted_in_order(db, world, group, enrolments)


def _assert_two_promoted_in_order(
    db: Session, world: World, group: Group, enrolments: list[Enrolment]
) -> None:
    db.expire_all()
    rows = db.scalars(
        select(Enrolment).where(Enrolment.group_id == group.id).order_by(Enrolment.id)
    ).all()
    assert [row.status for row in rows] == [E, E, A, A, W]
    assert [row.id for row in rows] == [enrolment.id for enrolment in enrolments]
    promotions = db.scalars(
        select(EnrolmentEvent.enrolment_id).where(
            EnrolmentEvent.enrolment_id.in_([row.id for row in rows]),
            EnrolmentEvent.note == "promoted",
        )
    ).all()
    assert sorted(promotions) == [enrolments[2].id, enrolments[3].id]  # each exactly once
    entries = roster(db, world.facilitator, group.id)
    assert [(entry.status, entry.queue_position) for entry in entries] == [
        (A, None),
        (A, None),
        (W, 1),
    ]


def test_raising_the_capacity_gives_the_new_places_to_children_waiting(
    db: Session, world: World
) -> None:
    from parliament_app.groups.services import update_group

    group = world.group
    group.capacity = 1
    waiting = Enrolment(
        group_id=group.id, child_id=world.followed_child.id, status=EnrolmentStatus.WAITING
    )
    db.add(waiting)
    db.flush()
    update_group(
        db,
        world.facilitator,
        group.id,
        name=group.name,
        description="",
        min_age=group.min_age,
        max_age=group.max_age,
        capacity=2,
    )
    db.flush()
    db.refresh(waiting)
    assert waiting.status == EnrolmentStatus.ACTIVE
