"""Children, their guardians and the consents guardians give.

``community`` and ``care_situation`` are special-category data: services decide who may read them
and audit every read (see parliament_app.policy.access and parliament_app.core.audit).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, UTCDateTime, str_enum, utcnow
from parliament_app.models.places import Municipality, Organisation

MIN_AGE, MAX_AGE = 5, 19  # the ages the programme serves


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSPECIFIED = "unspecified"


class Community(enum.StrEnum):
    """Self-declared community; asking is optional and "prefer not to say" is always offered."""

    SERBIAN = "serbian"
    ALBANIAN = "albanian"
    BOSNIAK = "bosniak"
    MACEDONIAN = "macedonian"
    ROMA = "roma"
    EGYPTIAN = "egyptian"
    ASHKALI = "ashkali"
    CROATIAN = "croatian"
    MONTENEGRIN = "montenegrin"
    TURKISH = "turkish"
    GORANI = "gorani"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class SocioEconomicBand(enum.StrEnum):
    LOW = "low"
    MIDDLE = "middle"
    HIGH = "high"
    UNKNOWN = "unknown"


class CareSituation(enum.StrEnum):
    PARENTS = "parents"
    SINGLE_PARENT = "single_parent"
    RELATIVES = "relatives"
    FOSTER_CARE = "foster_care"
    INSTITUTION = "institution"
    OTHER = "other"
    UNKNOWN = "unknown"


class InterestKind(enum.StrEnum):
    SPORT = "sport"
    MUSIC = "music"
    TOPIC = "topic"
    OTHER = "other"


class GuardianRelationship(enum.StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    FOSTER_PARENT = "foster_parent"
    LEGAL_GUARDIAN = "legal_guardian"
    OTHER = "other"


class ConsentScope(enum.StrEnum):
    PARTICIPATION = "participation"
    PHOTOS = "photos"
    CSW_SHARING = "csw_sharing"  # sharing participation data with the centre for social work


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[date] = mapped_column(Date)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    school_class: Mapped[str] = mapped_column(String(20), default="")
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    home_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    residence_area: Mapped[str] = mapped_column(String(120), default="")
    community: Mapped[Community | None] = mapped_column(str_enum(Community))
    socio_economic_band: Mapped[SocioEconomicBand] = mapped_column(
        str_enum(SocioEconomicBand), default=SocioEconomicBand.UNKNOWN
    )
    care_situation: Mapped[CareSituation] = mapped_column(
        str_enum(CareSituation), default=CareSituation.UNKNOWN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Erasure removes the identity and keeps the anonymous background for past counts.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[Organisation | None] = relationship()
    municipality: Mapped[Municipality] = relationship()
    interests: Mapped[list[ChildInterest]] = relationship(
        back_populates="child", cascade="all, delete-orphan"
    )
    guardian_links: Mapped[list[ChildGuardian]] = relationship(
        back_populates="child", cascade="all, delete-orphan"
    )


class ChildInterest(Base):
    __tablename__ = "child_interests"
    __table_args__ = (UniqueConstraint("child_id", "kind", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    kind: Mapped[InterestKind] = mapped_column(str_enum(InterestKind))
    label: Mapped[str] = mapped_column(String(80))

    child: Mapped[Child] = relationship(back_populates="interests")


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(40), default="")
    preferred_language: Mapped[str] = mapped_column(String(10), default="sr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChildGuardian(Base):
    __tablename__ = "child_guardians"

    child_id: Mapped[int] = mapped_column(
        ForeignKey("children.id", ondelete="CASCADE"), primary_key=True
    )
    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("guardians.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relationship_kind: Mapped[GuardianRelationship] = mapped_column(str_enum(GuardianRelationship))

    child: Mapped[Child] = relationship(back_populates="guardian_links")
    guardian: Mapped[Guardian] = relationship()


class Consent(Base):
    """A guardian's consent for one scope; withdrawal sets ``withdrawn_at``, rows stay."""

    __tablename__ = "consents"
    __table_args__ = (
        # At most one live consent per guardian, child and scope, enforced by the database.
        Index(
            "uq_consents_live",
            "child_id",
            "guardian_id",
            "scope",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        # Live consents of one scope (permissions.sharing_consented): a range of this index.
        Index("ix_consents_scope_live", "scope", "withdrawn_at", "child_id", "guardian_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("guardians.id", ondelete="CASCADE"))
    scope: Mapped[ConsentScope] = mapped_column(str_enum(ConsentScope))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    guardian: Mapped[Guardian] = relationship()
