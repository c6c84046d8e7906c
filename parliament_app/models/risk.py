"""At-risk records: a centre for social work's follow-up of a child. Special-category data."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, UTCDateTime, utcnow
from parliament_app.models.children import Child


class RiskCategory(enum.StrEnum):
    """The categories of children at risk named in the founding report."""

    WITHOUT_PARENTAL_CARE = "without_parental_care"
    INSTITUTION_OR_FOSTER_CARE = "institution_or_foster_care"
    NEGLECTED = "neglected"
    FAMILY_AT_RISK = "family_at_risk"
    SOCIAL_AID = "social_aid"
    BEHAVIOUR_PROBLEMS = "behaviour_problems"
    OUT_OF_SCHOOL = "out_of_school"
    DISABILITY = "disability"
    DOMESTIC_VIOLENCE = "domestic_violence"
    STREET_INVOLVED = "street_involved"


class RiskRecord(Base):
    __tablename__ = "risk_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    csw_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Child] = relationship()
