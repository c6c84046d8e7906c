"""At-risk records: a centre's caseload, opening and closing records, and who may do either."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.children.risk import (
    NewRiskRecord,
    close_risk_record,
    count_followed,
    followed_children,
    open_risk_record,
)
from parliament_app.children.services import list_children
from parliament_app.core import clock
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.models import AuditAction, AuditEntry, RiskCategory, RiskRecord
from tests.factories import World


def _risk(**changes) -> NewRiskRecord:
    fields = {
        "categories": (RiskCategory.OUT_OF_SCHOOL, RiskCategory.FAMILY_AT_RISK),
        "opened_on": local_today() - timedelta(days=7),
        "legal_basis": "Law on social protection, art. 41",
        "note": " referred by the school ",
    }
    return NewRiskRecord(**{**fields, **changes})


def _counts(db: Session) -> tuple[int, int]:
    db.flush()
    return (
        db.scalar(select(func.count()).select_from(RiskRecord)),
        db.scalar(select(func.count()).select_from(AuditEntry)),
    )


def _audit(db: Session, action: AuditAction) -> list[AuditEntry]:
    db.flush()
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.record_type == "risk_record")
            .order_by(AuditEntry.id)
        )
    )


def _visible_ids(db: Session, world: World, role: str) -> set[int]:
    summaries, _ = list_children(db, getattr(world, role))
    return {summary.id for summary in summaries}


# --- the caseload --------------------------------------------------------


def test_followed_children_lists_only_own_centres_open_records(db: Session, world: World) -> None:
    # Another centre also follows followed_child, and a closed record of our centre exists.
    db.add_all(
        [
            RiskRecord(
                child_id=world.followed_child.id,
                csw_id=world.other_csw.id,
                categories=["neglected"],
                opened_on=date(2025, 3, 1),
                legal_basis="x",
            ),
            RiskRecord(
                child_id=world.other_pupil.id,
                csw_id=world.csw.id,
                categories=["disability"],
                opened_on=date(2024, 1, 1),
                closed_on=date(2024, 6, 1),
                legal_basis="x",
            ),
        ]
    )
    db.flush()
    caseload = followed_children(db, world.social_worker)
    assert [
        (c.child_id, c.given_name, c.family_name, c.categories, c.opened_on) for c in caseload
    ] == [(world.followed_child.id, "Elvis", "Demiri", ["social_aid"], date(2025, 1, 10))]
    assert count_followed(db, world.social_worker) == 1

    other = followed_children(db, world.other_social_worker)
    assert sorted(c.child_id for c in other) == sorted(
        [world.followed_child.id, world.other_followed_child.id]
    )


def test_reading_the_caseload_is_audited(db: Session, world: World) -> None:
    assert _audit(db, AuditAction.READ_SPECIAL) == []
    followed_children(db, world.social_worker)
    [entry] = _audit(db, AuditAction.READ_SPECIAL)
    assert (entry.user_id, entry.actor) == (world.social_worker.id, "social_worker")
    assert entry.detail["caseload"] == 1


def test_administrators_see_every_centres_caseload(db: Session, world: World) -> None:
    caseload = followed_children(db, world.admin)
    assert {c.child_id for c in caseload} == {
        world.followed_child.id,
        world.other_followed_child.id,
    }
    assert len(_audit(db, AuditAction.READ_SPECIAL)) == 1


@pytest.mark.parametrize(
    "role", ["coordinator", "other_coordinator", "facilitator", "other_facilitator"]
)
def test_others_may_not_read_a_caseload(db: Session, world: World, role: str) -> None:
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        followed_children(db, getattr(world, role))
    assert _counts(db) == before


def test_an_inactive_social_worker_may_not_read_the_caseload(db: Session, world: World) -> None:
    world.social_worker.active = False
    with pytest.raises(PermissionDenied):
        followed_children(db, world.social_worker)
    assert _audit(db, AuditAction.READ_SPECIAL) == []


# --- opening -------------------------------------------------------------


def test_opening_a_record_makes_the_centre_follow_the_child(db: Session, world: World) -> None:
    assert world.own_pupil.id not in _visible_ids(db, world, "social_worker")
    record = open_risk_record(db, world.social_worker, world.own_pupil.id, _risk())
    db.flush()
    assert (record.csw_id, record.caseworker_id) == (world.csw.id, world.social_worker.id)
    assert record.categories == ["family_at_risk", "out_of_school"]
    assert record.note == "referred by the school" and record.closed_on is None
    assert world.own_pupil.id in _visible_ids(db, world, "social_worker")
    assert world.own_pupil.id not in _visible_ids(db, world, "other_social_worker")
    [entry] = _audit(db, AuditAction.CREATE)
    assert entry.record_id == str(record.id) and entry.detail["child_id"] == world.own_pupil.id


@pytest.mark.parametrize(
    ("risk", "field"),
    [
        pytest.param({"categories": ()}, "categories", id="no-categories"),
        pytest.param({"legal_basis": " \n "}, "legal_basis", id="no-legal-basis"),
        pytest.param(
            # a callable, so "tomorrow" is computed when the test runs, not at collection
            {"opened_on": lambda: local_today() + timedelta(days=1)},
            "opened_on",
            id="future-date",
        ),
    ],
)
def test_an_incomplete_record_writes_nothing(
    db: Session, world: World, risk: dict, field: str
) -> None:
    risk = {key: value() if callable(value) else value for key, value in risk.items()}
    before = _counts(db)
    with pytest.raises(ValidationError) as caught:
        open_risk_record(db, world.social_worker, world.own_pupil.id, _risk(**risk))
    assert caught.value.field == field
    assert caught.value.message.strip()
    assert _counts(db) == before
    assert world.own_pupil.id not in _visible_ids(db, world, "social_worker")


def test_a_record_opened_today_is_fine(db: Session, world: World) -> None:
    record = open_risk_record(
        db, world.social_worker, world.own_pupil.id, _risk(opened_on=local_today())
    )
    assert record.opened_on == local_today()


def test_just_after_midnight_in_belgrade_today_is_not_the_future(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 00:30 in Belgrade the server's UTC clock still shows yesterday; a record opened on
    the caseworker's today must not be refused as dated in the future."""
    from tests.factories.clock import HalfPastMidnightInBelgrade

    monkeypatch.setattr(clock, "datetime", HalfPastMidnightInBelgrade)
    record = open_risk_record(
        db, world.social_worker, world.own_pupil.id, _risk(opened_on=date(2026, 11, 29))
    )
    assert record.opened_on == date(2026, 11, 29)
    with pytest.raises(ValidationError) as caught:
        open_risk_record(
            db, world.social_worker, world.own_pupil.id, _risk(opened_on=date(2026, 11, 30))
        )
    assert caught.value.field == "opened_on"


@pytest.mark.parametrize("role", ["admin", "coordinator", "facilitator"])
def test_only_social_workers_open_records(db: Session, world: World, role: str) -> None:
    before = _counts(db)
    with pytest.raises(PermissionDenied):
        open_risk_record(db, getattr(world, role), world.own_pupil.id, _risk())
    assert _counts(db) == before


def test_opening_a_record_for_a_missing_child(db: Session, world: World) -> None:
    before = _counts(db)
    with pytest.raises(NotFound):
        open_risk_record(db, world.social_worker, 999_999, _risk())
    assert _counts(db) == before


# --- closing -------------------------------------------------------------


def test_closing_a_record_ends_the_follow_up(db: Session, world: World) -> None:
    record = close_risk_record(db, world.social_worker, world.risk_record.id, date(2025, 6, 30))
    db.flush()
    assert record.closed_on == date(2025, 6, 30)
    assert followed_children(db, world.social_worker) == []
    assert count_followed(db, world.social_worker) == 0
    assert world.followed_child.id not in _visible_ids(db, world, "social_worker")
    [entry] = _audit(db, AuditAction.UPDATE)
    assert entry.record_id == str(record.id) and entry.detail["changed"] == ["closed_on"]


def test_closing_on_the_opening_day_is_fine(db: Session, world: World) -> None:
    opened = world.risk_record.opened_on
    assert close_risk_record(db, world.social_worker, world.risk_record.id, opened).closed_on == (
        opened
    )


def test_a_record_cannot_close_before_it_opened(db: Session, world: World) -> None:
    before = _counts(db)
    day_before = world.risk_record.opened_on - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        close_risk_record(db, world.social_worker, world.risk_record.id, day_before)
    assert caught.value.field == "closed_on"
    db.expire_all()
    assert db.get(RiskRecord, world.risk_record.id).closed_on is None
    assert _counts(db) == before
    assert world.followed_child.id in _visible_ids(db, world, "social_worker")


@pytest.mark.parametrize("role", ["other_social_worker", "coordinator", "facilitator"])
def test_another_centres_record_is_not_found(db: Session, world: World, role: str) -> None:
    before = _counts(db)
    with pytest.raises(NotFound) as caught:
        close_risk_record(db, getattr(world, role), world.risk_record.id, date(2025, 6, 30))
    assert "Demiri" not in caught.value.message and "Elvis" not in caught.value.message
    db.expire_all()
    assert db.get(RiskRecord, world.risk_record.id).closed_on is None
    assert _counts(db) == before


def test_a_missing_record_is_not_found(db: Session, world: World) -> None:
    with pytest.raises(NotFound):
        close_risk_record(db, world.social_worker, 999_999, date(2025, 6, 30))


def test_an_administrator_may_close_any_record(db: Session, world: World) -> None:
    record = close_risk_record(db, world.admin, world.other_risk_record.id, date(2025, 6, 30))
    assert record.closed_on == date(2025, 6, 30)
    assert followed_children(db, world.other_social_worker) == []
