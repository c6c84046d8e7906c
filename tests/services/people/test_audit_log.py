"""Searching and exporting the audit log: filters, order, permissions, the export's own entry."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from parliament_app.core import audit
from parliament_app.core.errors import PermissionDenied, ValidationError
from parliament_app.models import AuditAction, AuditEntry
from parliament_app.people import audit_log
from parliament_app.people.audit_log import export_audit_csv, search_audit
from tests.factories import build_world


def _entry(db, actor, action, record_type, record_id, at, **detail):
    entry = audit.record(db, actor, action, record_type, record_id, **detail)
    entry.at = at
    db.flush()
    return entry


@pytest.fixture
def logged(db):
    """A world and five entries on three days (times in UTC; Belgrade is UTC+1 in winter)."""
    world = build_world(db)
    entries = [
        _entry(
            db,
            world.admin,
            AuditAction.CREATE,
            "user",
            world.coordinator.id,
            datetime(2025, 1, 10, 9, 0, tzinfo=UTC),
            role="school_coordinator",
        ),
        _entry(
            db,
            world.coordinator,
            AuditAction.CREATE,
            "child",
            world.own_pupil.id,
            datetime(2025, 1, 11, 10, 0, tzinfo=UTC),
        ),
        _entry(
            db,
            world.social_worker,
            AuditAction.READ_SPECIAL,
            "child",
            world.followed_child.id,
            datetime(2025, 1, 11, 22, 30, tzinfo=UTC),
            fields=["care_situation"],
        ),
        _entry(
            db,
            world.admin,
            AuditAction.UPDATE,
            "user",
            world.coordinator.id,
            datetime(2025, 1, 12, 8, 0, tzinfo=UTC),
            changed=["email"],
        ),
        _entry(
            db,
            None,
            AuditAction.SIGN_IN_FAILED,
            "user",
            None,
            datetime(2025, 1, 12, 9, 0, tzinfo=UTC),
            failures=1,
        ),
    ]
    return world, entries


def test_newest_first(db, logged):
    world, entries = logged
    assert search_audit(db, world.admin) == list(reversed(entries))


def test_filter_by_username_ignores_case_and_spaces(db, logged):
    world, entries = logged
    found = search_audit(db, world.admin, username="  ADMIN ")
    assert found == [entries[3], entries[0]]
    assert search_audit(db, world.admin, username="coordinator") == [entries[1]]
    assert search_audit(db, world.admin, username="nobody") == []


def test_filter_by_action_and_record_type(db, logged):
    world, entries = logged
    assert search_audit(db, world.admin, action=AuditAction.CREATE) == [entries[1], entries[0]]
    assert search_audit(db, world.admin, record_type="child") == [entries[2], entries[1]]
    assert search_audit(
        db, world.admin, action=AuditAction.CREATE, record_type="user", username="admin"
    ) == [entries[0]]


def test_filter_by_date_range_uses_local_calendar_days(db, logged):
    world, entries = logged
    # 22:30 UTC on 11 January is 23:30 in Belgrade: still the 11th.
    assert search_audit(db, world.admin, since=date(2025, 1, 11), until=date(2025, 1, 11)) == [
        entries[2],
        entries[1],
    ]
    assert search_audit(db, world.admin, since=date(2025, 1, 12)) == [entries[4], entries[3]]
    assert search_audit(db, world.admin, until=date(2025, 1, 10)) == [entries[0]]
    with pytest.raises(ValidationError):
        search_audit(db, world.admin, since=date(2025, 1, 12), until=date(2025, 1, 11))


def test_limit_keeps_the_newest(db, logged):
    world, entries = logged
    assert search_audit(db, world.admin, limit=2) == [entries[4], entries[3]]


def test_record_types(db, logged):
    world, _ = logged
    assert audit_log.audit_record_types(db, world.admin) == ["child", "user"]


@pytest.mark.parametrize(
    "role",
    ["coordinator", "social_worker", "facilitator"],
)
def test_only_administrators_read_or_export(db, logged, role):
    world, _ = logged
    user = getattr(world, role)
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(PermissionDenied):
        search_audit(db, user)
    with pytest.raises(PermissionDenied):
        export_audit_csv(db, user)
    with pytest.raises(PermissionDenied):
        audit_log.audit_record_types(db, user)
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_inactive_administrator_is_refused(db, logged):
    world, _ = logged
    world.admin.active = False
    with pytest.raises(PermissionDenied):
        search_audit(db, world.admin)


def test_export_is_parseable_csv_of_the_matching_rows(db, logged):
    world, entries = logged
    text = export_audit_csv(db, world.admin, record_type="user")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["at", "actor", "action", "record_type", "record_id", "detail"]
    assert [row["actor"] for row in rows] == ["anonymous", "admin", "admin"]
    assert [row["action"] for row in rows] == ["sign_in_failed", "update", "create"]
    assert rows[1]["record_id"] == str(world.coordinator.id)
    assert rows[0]["record_id"] == ""
    assert json.loads(rows[1]["detail"]) == {"changed": ["email"]}
    assert datetime.fromisoformat(rows[2]["at"]) == entries[0].at


def test_export_records_itself(db, logged):
    world, _ = logged
    export_audit_csv(db, world.admin, action=AuditAction.CREATE, since=date(2025, 1, 1))
    newest = search_audit(db, world.admin, limit=1)[0]
    assert newest.action == AuditAction.EXPORT
    assert newest.actor == "admin"
    assert newest.user_id == world.admin.id
    assert newest.record_type == "audit_log"
    assert newest.detail["rows"] == 2
    assert newest.detail["filters"] == {"action": "create", "since": "2025-01-01"}
    # A later export lists the earlier one.
    again = list(csv.DictReader(io.StringIO(export_audit_csv(db, world.admin, username="admin"))))
    assert again[0]["action"] == "export"
    assert json.loads(again[0]["detail"])["rows"] == 2


def test_export_keeps_text_and_defuses_formulas(db, logged):
    world, _ = logged
    audit.record(db, world.admin, AuditAction.UPDATE, "venue", "=1+1", note="Čačak, „quoted“")
    db.flush()
    rows = list(csv.DictReader(io.StringIO(export_audit_csv(db, world.admin, record_type="venue"))))
    assert len(rows) == 1
    assert rows[0]["record_id"] == "'=1+1"
    assert json.loads(rows[0]["detail"]) == {"note": "Čačak, „quoted“"}


def test_empty_log_exports_only_the_header(db):
    world = build_world(db)
    text = export_audit_csv(db, world.admin)
    assert text.splitlines() == ["at,actor,action,record_type,record_id,detail"]


def test_no_way_to_change_the_log():
    public = {name for name in dir(audit_log) if not name.startswith("_")}
    assert not {name for name in public if name.startswith(("update", "delete", "remove", "edit"))}
