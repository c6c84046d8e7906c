"""Who may read the programme's reports (diversity, involvement, quiz results)."""

from __future__ import annotations

from parliament_app.core.actors import is_active_user
from parliament_app.models import (
    Role,
    User,
)


def may_view_reports(user: User) -> bool:
    return is_active_user(user) and user.role in (
        Role.ADMINISTRATOR,
        Role.FACILITATOR,
        Role.SCHOOL_COORDINATOR,
    )
