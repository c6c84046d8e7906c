"""The policy of each area, cell by cell: actor x question, against tables written out here.

Like ``test_permissions.py`` (children and records), the expected tables are typed in by hand from
the rules in ``parliament_app.policy``'s modules, not derived from the code, so a change that
breaks a rule fails as a named cell. ``facilitator`` leads ``world.group``; ``retired`` led it too
but the account is deactivated; ``none`` is a missing user and ``operator`` the command line.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import local_now
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.models import Group, GroupLeader, Role
from parliament_app.models.meetings import Occurrence, SessionKind
from parliament_app.policy.access import require_data_protection_administrator
from parliament_app.policy.clubs import require_excursion_consent_recorder
from parliament_app.policy.groups import group_scope, may_manage_group, require_planner
from parliament_app.policy.meetings import (
    attendance_export_scope,
    calendar_scope,
    may_check_in,
    may_issue_badge,
    may_take_attendance,
)
from parliament_app.policy.monitoring import require_centre_member
from parliament_app.policy.quizzes import quiz_result_scope, require_bank_editor
from parliament_app.policy.reports import may_view_reports
from tests.factories import World, build_world, make_user

ACTORS = (
    "admin",
    "coordinator",
    "social_worker",
    "facilitator",
    "other_facilitator",
    "retired",
    "none",
    "operator",
)

Question = Callable[[Session, object, World, Occurrence], object]

# X = allowed, - = refused; one column per question, in the order of the area's questions.
GROUPS: dict[str, Question] = {
    "sees the group": lambda db, who, world, _o: (
        world.group.id in set(db.scalars(select(Group.id).where(group_scope(who))))
    ),
    "manages it": lambda db, who, world, _o: may_manage_group(db, who, world.group),
    "plans (specialists, demand)": lambda _db, who, _w, _o: require_planner(who),
    "records an excursion consent": lambda db, who, world, _o: require_excursion_consent_recorder(
        db, who, world.group, world.own_pupil
    ),
}
EXPECTED_GROUPS = {
    "admin": "X X X X",
    "coordinator": "X - - X",  # the group meets in its municipality; own_pupil is its pupil
    "social_worker": "X - - -",  # sees its municipality's groups; own_pupil is not followed
    "facilitator": "X X X X",
    "other_facilitator": "- - X -",
    "retired": "- - - -",
    "none": "- - - -",
    "operator": "- - - -",  # the command line never goes through a page's group rules
}

MEETINGS: dict[str, Question] = {
    "sees it in the calendar": lambda db, who, _w, occurrence: (
        occurrence.id in set(db.scalars(select(Occurrence.id).where(calendar_scope(who))))
    ),
    "takes attendance": lambda db, who, _w, occurrence: may_take_attendance(db, who, occurrence),
    "scans badges": lambda db, who, _w, occurrence: may_check_in(db, who, occurrence),
    "issues own_pupil's badge": lambda db, who, world, _o: may_issue_badge(
        db, who, world.own_pupil.id
    ),
    "exports attendance": lambda db, who, _w, _o: attendance_export_scope(db, who, None),
}
EXPECTED_MEETINGS = {
    "admin": "X X X X X",
    "coordinator": "X - - - -",  # its pupil is on the roster
    "social_worker": "- - - - -",
    "facilitator": "X X X X X",
    "other_facilitator": "- - - - X",  # may export, and sees only its own (no) groups
    "retired": "- - - - -",
    "none": "- - - - -",
    "operator": "- - X X X",  # the offline scanner, badge sheets and exports at the command line
}

OTHERS: dict[str, Question] = {
    "edits the quiz bank": lambda _db, who, _w, _o: require_bank_editor(who),
    "reads the reports": lambda _db, who, _w, _o: may_view_reports(who),
    "counts quiz results": lambda db, who, _w, _o: quiz_result_scope(db, who, None),
    "sees csw's caseload": lambda db, who, world, _o: require_centre_member(db, who, world.csw.id),
    "handles data protection": lambda _db, who, _w, _o: require_data_protection_administrator(who),
}
EXPECTED_OTHERS = {
    "admin": "X X X X X",
    "coordinator": "- X X - -",
    "social_worker": "- - - X -",
    "facilitator": "- X X - -",
    "other_facilitator": "- X X - -",
    "retired": "- - - - -",
    "none": "- - - - -",
    "operator": "X - - - -",
}

AREAS = {
    "groups": (GROUPS, EXPECTED_GROUPS),
    "meetings": (MEETINGS, EXPECTED_MEETINGS),
    "quizzes, reports, monitoring, data protection": (OTHERS, EXPECTED_OTHERS),
}


def _actor(db: Session, world: World, name: str) -> object:
    if name == "none":
        return None
    if name == "operator":
        return OPERATOR
    if name == "retired":
        retired = make_user(db, "retired", Role.FACILITATOR, world.ngo)
        db.add(GroupLeader(group_id=world.group.id, user_id=retired.id))
        retired.active = False
        db.flush()
        return retired
    return getattr(world, name)


def _allowed(answer: Callable[[], object]) -> bool:
    """A question is answered yes by True, or by returning without refusing."""
    try:
        result = answer()
    except (PermissionDenied, NotFound):
        return False
    return result is not False


@pytest.mark.parametrize("area", list(AREAS))
def test_each_area_answers_as_its_table_says(db: Session, area: str) -> None:
    questions, expected = AREAS[area]
    world = build_world(db)
    occurrence = Occurrence(
        group_id=world.group.id,
        kind=SessionKind.PARLIAMENT_SITTING,
        topic="Our rights",
        starts_at=local_now(),
        duration_minutes=90,
    )
    db.add(occurrence)
    db.flush()
    wrong = []
    for name in ACTORS:
        actor = _actor(db, world, name)
        got = [
            _allowed(lambda ask=question, who=actor: ask(db, who, world, occurrence))
            for question in questions.values()
        ]
        want = [cell == "X" for cell in expected[name].split()]
        wrong += [
            f"{name} / {question}: expected {'allowed' if w else 'refused'}"
            for question, g, w in zip(questions, got, want, strict=True)
            if g != w
        ]
    assert wrong == []
