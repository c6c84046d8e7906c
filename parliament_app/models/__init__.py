"""Every table of the application, one module per area, importable from one place.

Importing this package registers every table, so cross-area foreign keys always resolve and
``metadata`` is what Alembic migrates and what the tests compare against the migrations. The
areas' own enums and helpers stay in their modules (``parliament_app.models.meetings`` etc.).
"""

# The areas below are imported for their tables; their names are used from their own modules.
from parliament_app.models import (  # noqa: F401  (after the core tables they refer to)
    attendance,
    clubs,
    meetings,
    monitoring,
    quizzes,
)
from parliament_app.models.accounts import LoginSession, LoginThrottle, Role, User
from parliament_app.models.audit import AuditAction, AuditEntry
from parliament_app.models.base import Base, utcnow
from parliament_app.models.children import (
    CareSituation,
    Child,
    ChildGuardian,
    ChildInterest,
    Community,
    Consent,
    ConsentScope,
    Gender,
    Guardian,
    GuardianRelationship,
    InterestKind,
    SocioEconomicBand,
)
from parliament_app.models.groups import (
    EndReason,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
)
from parliament_app.models.places import (
    Country,
    Municipality,
    Organisation,
    OrganisationKind,
    Venue,
)
from parliament_app.models.risk import RiskCategory, RiskRecord

metadata = Base.metadata

__all__ = [
    "AuditAction",
    "AuditEntry",
    "Base",
    "CareSituation",
    "Child",
    "ChildGuardian",
    "ChildInterest",
    "Community",
    "Consent",
    "ConsentScope",
    "Country",
    "EndReason",
    "Enrolment",
    "EnrolmentEvent",
    "EnrolmentSource",
    "EnrolmentStatus",
    "Gender",
    "Group",
    "GroupKind",
    "GroupLeader",
    "Guardian",
    "GuardianRelationship",
    "InterestKind",
    "LoginSession",
    "LoginThrottle",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "RiskCategory",
    "RiskRecord",
    "Role",
    "SocioEconomicBand",
    "User",
    "Venue",
    "metadata",
    "utcnow",
]
