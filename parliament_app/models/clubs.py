"""Clubs' own data: the specific guardian consent each excursion needs.

Clubs themselves are groups (``GroupKind.SPORT_CLUB`` / ``MUSIC_CLUB`` / ``OTHER_CLUB``); their
practice schedule is a weekly series and their excursions are occurrences
(``parliament_app.models.meetings``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from parliament_app.models.base import Base, UTCDateTime, utcnow


class ExcursionConsent(Base):
    __tablename__ = "excursion_consents"
    __table_args__ = (
        Index(
            "uq_excursion_consents_live",
            "occurrence_id",
            "child_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("occurrences.id", ondelete="CASCADE"), index=True
    )
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("guardians.id", ondelete="CASCADE"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
