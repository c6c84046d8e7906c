"""Where the programme runs: countries, municipalities, organisations and venues."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parliament_app.models.base import Base, str_enum


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    CSW = "csw"  # centre for social work
    NGO = "ngo"
    MUNICIPALITY = "municipality"


class Country(Base):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166 / XK for Kosovo
    name: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Municipality(Base):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("country_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    name: Mapped[str] = mapped_column(String(120))

    country: Mapped[Country] = relationship()


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind), index=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    municipality: Mapped[Municipality] = relationship()


class Venue(Base):
    __tablename__ = "venues"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    capacity: Mapped[int | None]

    municipality: Mapped[Municipality] = relationship()
