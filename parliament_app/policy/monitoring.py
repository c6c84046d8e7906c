"""Who may see and act on a centre for social work's caseload and alerts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parliament_app.core.actors import is_active_user
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.core.i18n import _
from parliament_app.models import (
    Organisation,
    OrganisationKind,
    Role,
    User,
)


def require_centre_member(session: Session, user: User, csw_id: int) -> None:
    centre = session.get(Organisation, csw_id)
    if centre is None or centre.kind != OrganisationKind.CSW:
        raise NotFound(_("No such centre for social work."))
    if not is_active_user(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    if user.role == Role.ADMINISTRATOR:
        return
    if user.role == Role.SOCIAL_WORKER and user.organisation_id == csw_id:
        return
    raise PermissionDenied(_("You do not have permission to do this."))
