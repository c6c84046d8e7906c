"""All models, importable from one place (Alembic's autogenerate reads ``Base.metadata``)."""

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
    "utcnow",
]
