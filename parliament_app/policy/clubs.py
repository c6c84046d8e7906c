"""Who may record a guardian's consent to a club excursion."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parliament_app.core.errors import PermissionDenied
from parliament_app.core.i18n import _
from parliament_app.models import (
    Child,
    Group,
    User,
)
from parliament_app.policy.access import Action, may
from parliament_app.policy.groups import may_manage_group


def require_excursion_consent_recorder(
    session: Session, user: User, club: Group, child: Child
) -> None:
    """The club's managers record excursion consents, and so do those who record the child's
    other consents (the child's school, the centre that follows the child)."""
    if not (
        may_manage_group(session, user, club) or may(session, user, Action.RECORD_CONSENT, child)
    ):
        raise PermissionDenied(_("You do not have permission to do this."))
