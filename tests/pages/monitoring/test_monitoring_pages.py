"""The monitoring pages (AppTest): the social worker's caseload dashboard lists the children its
centre follows (never another centre's) and opens a child's timeline; an alert raised by the
evaluation appears in the inbox and is acknowledged, annotated and resolved; the facilitator's
family check-ins show the neutral prompt and never the rule; the task-force pack and the centre's
rules; and the administrator's data-protection page exports, erases and reviews retention."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from parliament_app.models import AuditAction, AuditEntry, Child, utcnow
from parliament_app.models.monitoring import Alert, AlertNote, AlertStatus, FamilyCheckPrompt
from parliament_app.monitoring import ALERT_STATUS_LABELS, RULE_LABELS
from parliament_app.monitoring.alerts import evaluate, settings_for
from parliament_app.monitoring.caseload import local_today
from tests.factories import World, make_child
from tests.factories.groups import make_group
from tests.factories.meetings import (
    UNMARKED,
    A,
    P,
    sessions_with,
)
from tests.factories.monitoring import follow
from tests.pages.app import PAGES, signed_in_app, texts


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """The data of every download button the pages offer, by label: a deferred download is a
    callable the browser triggers, so the test calls it the way a click would."""
    captured: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        captured[label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return captured


def ago(days: int) -> date:
    return local_today() - timedelta(days=days)


@pytest.fixture
def drifting(db: Session, world: World):
    """A child followed by the social worker's centre (with the guardian's sharing consent) who
    was there nine days ago and missed the two sessions since; and a child of the other centre,
    in the other facilitator's group, who missed two sessions too."""
    group = make_group(db, world, "Workshops Vračar")
    child = follow(db, world, "Ivana", "Ilić", group=group)
    sessions_with(db, group, child, [(ago(16), P), (ago(9), P), (ago(5), A), (ago(2), UNMARKED)])
    other_group = make_group(db, world, "Workshops Zemun", leader=world.other_facilitator)
    other = follow(db, world, "Zoran", "Zorić", csw=world.other_csw, group=other_group)
    sessions_with(db, other_group, other, [(ago(9), P), (ago(5), A), (ago(2), A)])
    db.commit()
    return child, other, group


def open_page(db: Session, user, page: str) -> AppTest:
    app = signed_in_app(db, user)
    db.rollback()  # end the test session's read: SQLite serialises transactions
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception
    return app


def run(db: Session, app: AppTest) -> AppTest:
    db.rollback()
    app.run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    found = [item for item in app.button if item.label == label]
    assert found, f"no button {label!r}: {[item.label for item in app.button]}"
    return found[0]


def labelled(widgets, label: str):
    found = [item for item in widgets if item.label.startswith(label)]
    assert found, f"no widget {label!r}: {[item.label for item in widgets]}"
    return found[0]


def tables(app: AppTest) -> str:
    return "\n".join(table.value.to_string() for table in app.dataframe)


def fresh(db: Session, model, row_id: int):
    """The row as the app left it (the test session's objects may hold older values)."""
    db.rollback()
    db.expire_all()
    return db.get(model, row_id)


def raise_alerts(db: Session) -> None:
    evaluate(db, today=local_today())
    db.commit()


# --- the caseload dashboard ----------------------------------------------------------------


def test_dashboard_lists_the_followed_child_and_not_another_centres(
    db: Session, world: World, drifting
) -> None:
    app = open_page(db, world.social_worker, "caseload")
    shown = tables(app)
    assert "Ivana Ilić" in shown
    assert "Zoran" not in shown and "Zoran" not in texts(app)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Children followed"] == "1"
    assert metrics["Children with 2 or more absences in a row"] == "1"
    assert any("Drifting away" in warning.value for warning in app.warning)
    assert "2 absences in a row" in shown  # the first-glance status, in words and an icon
    assert "audit log" in texts(app)

    other = open_page(db, world.other_social_worker, "caseload")
    assert "Zoran Zorić" in tables(other)
    assert "Ivana" not in tables(other)


def test_dashboard_filters_by_name(db: Session, world: World, drifting) -> None:
    child, _other, group = drifting
    second = follow(db, world, "Marko", "Marić", group=group)
    db.commit()
    app = open_page(db, world.social_worker, "caseload")
    assert "Marko Marić" in tables(app) and "Ivana Ilić" in tables(app)
    app.text_input(key="caseload_search").input("mar")
    run(db, app)
    assert "Marko Marić" in tables(app) and "Ivana" not in tables(app)
    assert second.id != child.id


def test_a_childs_timeline_renders(db: Session, world: World, drifting) -> None:
    child, _other, _group = drifting
    app = open_page(db, world.social_worker, "caseload")
    app.selectbox(key="caseload_timeline_None").set_value(child.id)
    run(db, app)
    timeline = "\n".join(item.value for item in app.markdown)
    assert "Ivana" in timeline
    assert "✅" in timeline and "Present" in timeline
    assert "❌" in timeline and "Absent" in timeline
    assert "Not marked (counted as absent)" in timeline
    assert ago(9).isoformat() in timeline.replace("\\", "")  # the session's topic


def test_empty_caseload_explains_how_children_get_in(db: Session, world: World) -> None:
    app = open_page(db, world.social_worker, "caseload")
    assert "at-risk record" in texts(app)
    assert not app.dataframe


def test_social_worker_closes_a_record(db: Session, world: World, drifting) -> None:
    app = open_page(db, world.social_worker, "caseload")
    app.toggle(key="caseload_close_records").set_value(True)
    run(db, app)
    record = labelled(app.selectbox, "Record")
    record.select_index(next(i for i, text in enumerate(record.options) if "Ivana" in text))
    button(app, "Close the record").click()
    run(db, app)
    assert any("closed" in message.value for message in app.success)
    assert "Ivana" not in tables(app)  # no open record: out of the caseload


# --- the alerts inbox ----------------------------------------------------------------------


def test_an_alert_is_acknowledged_and_resolved(db: Session, world: World, drifting) -> None:
    child, _other, _group = drifting
    raise_alerts(db)
    alert = db.scalars(select(Alert).where(Alert.child_id == child.id)).one()
    app = open_page(db, world.social_worker, "alerts")
    page = texts(app)
    assert "Ivana" in page and "Consecutive absences" in page
    assert "2 absences in a row" in page

    button(app, "Acknowledge").click()
    run(db, app)
    assert fresh(db, Alert, alert.id).status == AlertStatus.ACKNOWLEDGED
    assert any("acknowledged" in message.value for message in app.success)

    labelled(app.text_area, "Note").input("Called the mother; she will come on Friday.")
    button(app, "Add the note").click()
    run(db, app)
    assert "Called the mother" in texts(app)

    button(app, "Resolve").click()
    run(db, app)
    assert fresh(db, Alert, alert.id).status == AlertStatus.RESOLVED
    assert db.scalars(select(AlertNote.text).where(AlertNote.alert_id == alert.id)).all() == [
        "Called the mother; she will come on Friday."
    ]
    assert "Ivana" not in texts(app)  # the inbox shows what still needs action
    assert any("No alert needs action" in message.value for message in app.info)


def test_another_centres_social_worker_sees_no_alert(db: Session, world: World, drifting) -> None:
    child, other, _group = drifting
    raise_alerts(db)
    own = set(db.scalars(select(Alert.id).where(Alert.child_id == other.id)))
    assert own and db.scalars(select(Alert.id).where(Alert.child_id == child.id)).all()
    app = open_page(db, world.other_social_worker, "alerts")
    assert "Ivana" not in texts(app)
    assert "Zoran Zorić" in texts(app)  # their own centre's child
    offered = {item.key for item in app.button if item.label == "Acknowledge"}
    assert offered == {f"alert_ack_{alert_id}" for alert_id in own}


def test_the_centre_changes_its_rules(db: Session, world: World) -> None:
    app = open_page(db, world.social_worker, "alerts")
    labelled(app.number_input, "Consecutive absences").set_value(3)
    labelled(app.number_input, "Low attendance over 4 weeks").set_value(40)
    button(app, "Save the rules").click()
    run(db, app)
    db.rollback()
    db.expire_all()
    rules = settings_for(db, world.csw.id)
    assert rules.consecutive_absences == 3 and rules.low_attendance_share == pytest.approx(0.4)
    assert settings_for(db, world.other_csw.id).consecutive_absences == 2


def test_task_force_pack_preview_and_download(
    db: Session, world: World, drifting, downloads
) -> None:
    from openpyxl import load_workbook

    raise_alerts(db)
    app = open_page(db, world.social_worker, "alerts")
    app.selectbox(key="alerts_pack_month").select_index(0)  # this month
    app.toggle(key="alerts_pack_preview").set_value(True)
    run(db, app)
    assert "Ivana Ilić" in tables(app)
    assert "Consecutive absences" in tables(app)
    assert "Zoran" not in tables(app)

    before = db.scalar(
        select(AuditEntry.id).where(AuditEntry.action == AuditAction.EXPORT).limit(1)
    )
    assert before is None, "nothing is exported before a click"
    db.rollback()
    workbook = load_workbook(io.BytesIO(downloads["Download Excel"]()))
    cells = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert "Ivana Ilić" in cells
    assert downloads["Download PDF"]().startswith(b"%PDF")
    db.rollback()
    assert db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT, AuditEntry.record_type == "taskforce_pack"
        )
    ).all()


# --- family check-ins ----------------------------------------------------------------------


def test_facilitator_gets_a_neutral_prompt(db: Session, world: World, drifting) -> None:
    child, _other, _group = drifting
    raise_alerts(db)
    app = open_page(db, world.facilitator, "family_checks")
    page = texts(app)
    assert "Please check in with Ivana's family" in page
    assert "Workshops Vračar" in page
    for label in [*RULE_LABELS.values(), *ALERT_STATUS_LABELS.values()]:
        assert label not in page, label
    for word in ("absence", "attendance", "alert", "risk", "reason"):
        assert word not in page.casefold(), word
    assert "Ilić" not in page  # the given name only

    button(app, "Done").click()
    run(db, app)
    db.rollback()
    db.expire_all()
    prompts = db.scalars(select(FamilyCheckPrompt).where(FamilyCheckPrompt.child_id == child.id))
    assert all(prompt.done_at is not None for prompt in prompts)
    assert any("Nothing to follow up" in message.value for message in app.info)


def test_a_facilitator_sees_only_the_prompts_of_their_groups(
    db: Session, world: World, drifting
) -> None:
    raise_alerts(db)
    app = open_page(db, world.other_facilitator, "family_checks")
    assert "Ivana" not in texts(app)
    assert "Please check in with Zoran's family" in texts(app)


def test_nothing_to_follow_up(db: Session, world: World) -> None:
    app = open_page(db, world.facilitator, "family_checks")
    assert any("Nothing to follow up" in message.value for message in app.info)
    assert not app.button


# --- data protection -----------------------------------------------------------------------


def choose_child(db: Session, app: AppTest, name: str, child_id: int) -> AppTest:
    app.text_input(key="data_protection_search").input(name)
    run(db, app)
    labelled(app.selectbox, "Child").set_value(child_id)
    return run(db, app)


def test_administrator_exports_and_erases_a_child(db: Session, world: World, downloads) -> None:
    child_id = world.own_pupil.id
    app = open_page(db, world.admin, "data_protection")
    choose_child(db, app, "Petrov", child_id)

    exported = json.loads(downloads["Download the data (JSON)"]())
    assert exported["child"]["given_name"] == "Ana"
    assert exported["guardians"] and exported["consents"]
    page = downloads["Download the readable page (HTML)"]().decode()
    assert "Ana" in page and "<html" in page
    db.rollback()
    assert db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT, AuditEntry.record_id == str(child_id)
        )
    ).all()

    # A wrong confirmation erases nothing.
    labelled(app.text_area, "Reason for the erasure").input("Guardian's request of 3 March")
    labelled(app.text_input, "To confirm, type the child's first name").input("Ann")
    button(app, "Erase this child").click()
    run(db, app)
    assert any("nothing was erased" in message.value for message in app.error)
    assert fresh(db, Child, child_id).erased_at is None

    labelled(app.text_input, "To confirm, type the child's first name").input("ana")
    button(app, "Erase this child").click()
    run(db, app)
    assert any("erased" in message.value for message in app.success)
    erased = fresh(db, Child, child_id)
    assert erased.erased_at is not None and erased.given_name == ""

    children = open_page(db, world.admin, "children")
    assert "Petrović" not in tables(children) and "Ana" not in tables(children)


def test_retention_review_erases_in_bulk(db: Session, world: World) -> None:
    old = utcnow() - timedelta(days=1000)
    quiet = [
        make_child(db, given, "Stari", world.school, world.municipality)
        for given in ("Olga", "Petar")
    ]
    for child in quiet:
        child.created_at = old
    db.commit()
    app = open_page(db, world.admin, "data_protection")
    assert "Stari, Olga" in tables(app) and "Stari, Petar" in tables(app)
    assert "Ana" not in tables(app)  # enrolled: not a candidate

    labelled(app.checkbox, "All 2 children listed").check()
    labelled(app.text_input, "To confirm, type how many").input("3")
    button(app, "Erase the chosen children").click()
    run(db, app)
    assert any("nothing was erased" in message.value for message in app.error)
    assert fresh(db, Child, quiet[0].id).erased_at is None

    labelled(app.checkbox, "All 2 children listed").check()
    labelled(app.text_input, "To confirm, type how many").input("2")
    button(app, "Erase the chosen children").click()
    run(db, app)
    assert any("2 children's records were erased" in message.value for message in app.success)
    assert all(fresh(db, Child, child.id).erased_at is not None for child in quiet)
    assert any("No child has been inactive" in message.value for message in app.info)
