"""Who may edit the awareness quiz bank and the helplines; whose quiz results a user may count."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true
from sqlalchemy.orm import Session

from parliament_app.core.actors import Actor, is_active_user, is_operator
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.core.i18n import _
from parliament_app.models import Group, Role, User
from parliament_app.models.quizzes import QuizRun
from parliament_app.policy.groups import led_group_ids, may_manage_group
from parliament_app.policy.reports import may_view_reports


def require_bank_editor(user: Actor) -> None:
    """Only administrators (and the operator at the command line) edit the bank."""
    if is_operator(user):
        return
    if not is_active_user(user) or user.role != Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only administrators can edit the quiz questions and helplines."))


# The level a quiz-results report is counted at, decided by ``quiz_result_scope``.
LEVEL_GROUP = "group"
LEVEL_MY_GROUPS = "my_groups"
LEVEL_PROGRAMME = "programme"


def quiz_result_scope(
    session: Session, user: User, group_id: int | None
) -> tuple[str, ColumnElement[bool]]:
    """The report level and the SQL predicate on ``QuizRun`` this user may count."""
    if not may_view_reports(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    if group_id is not None:
        group = session.get(Group, group_id)
        if group is None:
            raise NotFound(_("This group does not exist or is not visible to you."))
        if not may_manage_group(session, user, group):
            raise PermissionDenied(
                _("Only the group's leaders and administrators see its quiz results.")
            )
        return LEVEL_GROUP, QuizRun.group_id == group_id
    if user.role == Role.FACILITATOR:
        led = led_group_ids(user)
        return LEVEL_MY_GROUPS, or_(
            QuizRun.group_id.in_(led),
            and_(QuizRun.group_id.is_(None), QuizRun.started_by_id == user.id),
        )
    return LEVEL_PROGRAMME, true()
