"""How the enrolment and involvement pages name the children and guardians they offer to choose:
"Petrović, Ana · School A" and "Jelena Petrović (Mother)"."""

from __future__ import annotations

from collections.abc import Iterable

from parliament_app.children.services import ChildSummary, GuardianView
from parliament_app.core.i18n import _
from parliament_app.core.labels import label
from parliament_app.ui.widgets import family_first


def child_choices(children: Iterable[ChildSummary]) -> dict[int, str]:
    """Each child's id and name as rosters sort it, with the school when there is one."""
    return {
        child.id: family_first(child.family_name, child.given_name)
        + (f" · {child.school_name}" if child.school_name else "")
        for child in children
    }


def guardian_choices(guardians: Iterable[GuardianView]) -> dict[int, str]:
    """Each guardian's id and name, with how they are related to the child."""
    return {
        guardian.id: _("{name} ({relationship})").format(
            name=guardian.name, relationship=label(guardian.relationship)
        )
        for guardian in guardians
    }
