"""Every table that holds a row about one child, and what an erasure does to it.

The areas' tables are declared here, in one list grouped by area, rather than by each area
registering itself: every table is in ``parliament_app.models``, so the list needs no import of a
higher room and is complete whatever was imported first.
``tests/services/children/test_rights.py`` fails when a table with a ``child_id`` column is
missing from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast

from parliament_app.models import (
    ChildGuardian,
    ChildInterest,
    Consent,
    Enrolment,
    RiskRecord,
)
from parliament_app.models.attendance import Attendance, Badge, GuardianInvolvement
from parliament_app.models.clubs import ExcursionConsent
from parliament_app.models.monitoring import Alert, FamilyCheckPrompt
from parliament_app.models.quizzes import QuizPlayer


class Erasure(enum.Enum):
    DELETE = "delete"  # the rows go
    ANONYMISE = "anonymise"  # the rows stay (counts do not change); what identifies is cleared
    KEEP = "keep"  # the rows stay as they are: they identify nobody once the child is erased


@dataclass(frozen=True)
class ChildTable:
    model: type[Any]
    area: str
    erasure: Erasure
    why: str
    # The name under which the erasure's audit entry counts the rows (None: not counted).
    counted_as: str | None = None
    # For ANONYMISE: the columns set, as ``values()`` takes them.
    cleared: dict[str, Any] = field(default_factory=dict)


# In the order an erasure handles them (family-check prompts after the alerts they belong to).
CHILD_TABLES: tuple[ChildTable, ...] = (
    ChildTable(Consent, "children", Erasure.DELETE, "a guardian's consents", "consents"),
    ChildTable(
        ExcursionConsent, "activities", Erasure.DELETE, "excursion consents", "excursion_consents"
    ),
    ChildTable(Badge, "sessions", Erasure.DELETE, "badge tokens identify the child", "badges"),
    ChildTable(ChildInterest, "children", Erasure.DELETE, "what the child likes", "interests"),
    ChildTable(RiskRecord, "children", Erasure.DELETE, "special-category data", "risk_records"),
    ChildTable(Alert, "monitoring", Erasure.DELETE, "alerts and their notes", "alerts"),
    ChildTable(ChildGuardian, "children", Erasure.DELETE, "links to the family", "guardian_links"),
    ChildTable(FamilyCheckPrompt, "monitoring", Erasure.DELETE, "normally gone with the alerts"),
    ChildTable(
        QuizPlayer,
        "activities",
        Erasure.ANONYMISE,
        "answers stay in the quiz statistics; the player is unlinked and renamed",
        "quiz_players_unlinked",
        {"child_id": None, "nickname": "~" + cast(QuizPlayer.id, String)},
    ),
    ChildTable(
        Attendance,
        "sessions",
        Erasure.ANONYMISE,
        "attendance counts stay; a facilitator's note may name the child",
        cleared={"note": ""},
    ),
    ChildTable(
        Enrolment,
        "groups",
        Erasure.KEEP,
        "group composition stays; active places end as removed and waiting places are given up",
    ),
    ChildTable(
        GuardianInvolvement,
        "sessions",
        Erasure.KEEP,
        "involvement counts stay; a guardian linked to no other child is deleted with it",
    ),
)
