"""A missing user is refused, never taken for the operator: only the command line passes
``OPERATOR``, and services that used to read ``None`` as "the operator" now refuse it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from parliament_app.children.register_import import plan_import, read_register
from parliament_app.core.actors import OPERATOR
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.groups.diversity.report import diversity_report
from parliament_app.models import OrganisationKind, Role
from parliament_app.people.accounts import NewUser, create_user
from parliament_app.places.services import create_organisation
from parliament_app.policy.meetings import may_check_in, may_issue_badge
from parliament_app.policy.quizzes import require_bank_editor
from sessions.attendance.roster import attendance_rows
from sessions.checkin.badges import issue_badge
from tests.factories import build_world

SECRET = "actor-test-secret-actor-test-secret-actor-test-secret-actor-test"
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
REGISTER = "Prezime;Ime;Datum rođenja\nTestić;Ana;2014-03-02\n".encode()


def _refusals(db: Session, actor: object) -> dict[str, type[Exception] | None]:
    """What each operator-capable service does for ``actor``: the error it raises, or None."""
    world = build_world(db)
    calls = {
        "create a user": lambda: create_user(
            db,
            actor,
            NewUser(
                "new",
                "New",
                Role.FACILITATOR,
                "Long-enough-pass-1",
                organisation_id=world.ngo.id,
            ),
        ),
        "create an organisation": lambda: create_organisation(
            db, actor, OrganisationKind.NGO, "Another NGO", world.municipality.id
        ),
        "read the diversity report": lambda: diversity_report(
            db, actor, "community", *PERIOD, permutations=0
        ),
        "export attendance": lambda: attendance_rows(db, actor, *PERIOD),
        "plan a register import": lambda: plan_import(
            db, actor, world.school.id, read_register(REGISTER, "register.csv")
        ),
        "issue a badge": lambda: issue_badge(db, actor, world.own_pupil.id, secret=SECRET),
        "edit the quiz bank": lambda: require_bank_editor(actor),
    }
    outcome: dict[str, type[Exception] | None] = {}
    for name, call in calls.items():
        with db.begin_nested():
            try:
                call()
            except (PermissionDenied, NotFound) as error:
                outcome[name] = type(error)
            else:
                outcome[name] = None
    return outcome


def test_none_is_refused_everywhere_the_operator_is_allowed(db: Session) -> None:
    refused = _refusals(db, None)
    assert {name: error is not None for name, error in refused.items()} == dict.fromkeys(
        refused, True
    )


def test_the_operator_is_allowed_there(db: Session) -> None:
    allowed = _refusals(db, OPERATOR)
    assert allowed == dict.fromkeys(allowed, None)


def test_policy_questions_answer_no_for_none(db: Session) -> None:
    world = build_world(db)
    assert may_issue_badge(db, None, world.own_pupil.id) is False
    assert may_issue_badge(db, OPERATOR, world.own_pupil.id) is True
    occurrence = type("Occurrence", (), {"id": 0, "group": world.group})()
    assert may_check_in(db, None, occurrence) is False
    assert may_check_in(db, OPERATOR, occurrence) is True


@pytest.mark.parametrize("role", ["admin", "facilitator", "coordinator"])
def test_a_deactivated_user_is_refused_like_none(db: Session, role: str) -> None:
    world = build_world(db)
    user = getattr(world, role)
    user.active = False
    db.flush()
    assert may_issue_badge(db, user, world.own_pupil.id) is False
    with pytest.raises(PermissionDenied):
        require_bank_editor(user)
