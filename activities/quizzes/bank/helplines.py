"""Helplines per country, in the reader's language: listing, the lines children are shown, and
administrators' edits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.quizzes.bank.content import (
    _PHONE,
    HELPLINE_CONFIDENCE,
    QUIZ_LANGUAGES,
    SOURCE_LANGUAGE,
    _filled,
)
from parliament_app.core import audit
from parliament_app.core.actors import Actor
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import AuditAction, Country
from parliament_app.models.quizzes import Helpline
from parliament_app.policy.quizzes import require_bank_editor


@dataclass(frozen=True)
class HelplineView:
    number: str
    name: str
    description: str
    free: bool | None
    hours: str | None


def list_helplines(
    session: Session, country_code: str | None = None, include_inactive: bool = True
) -> list[Helpline]:
    query = select(Helpline).order_by(Helpline.country_code, Helpline.sort_order, Helpline.id)
    if country_code:
        query = query.where(Helpline.country_code == country_code)
    if not include_inactive:
        query = query.where(Helpline.active)
    return list(session.scalars(query))


def _localised(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    if _filled(texts.get(language)):
        return texts[language]
    if language == "sr_Latn" and _filled(texts.get("sr")):
        return cyrillic_to_latin(texts["sr"])
    if _filled(texts.get(SOURCE_LANGUAGE)):
        return texts[SOURCE_LANGUAGE]
    return next((value for value in texts.values() if _filled(value)), "")


def helplines_for(session: Session, country_code: str, language: str) -> list[HelplineView]:
    """The country's active lines for the quiz end screen, in the child's language (English
    where a text is missing)."""
    return [
        HelplineView(
            number=line.number,
            name=_localised(line.names, language),
            description=_localised(line.descriptions, language),
            free=line.free,
            hours=line.hours,
        )
        for line in list_helplines(session, country_code, include_inactive=False)
    ]


def save_helpline(
    session: Session,
    user: Actor,
    country_code: str,
    number: str,
    names: dict[str, str],
    descriptions: dict[str, str],
    free: bool | None = None,
    hours: str | None = None,
    confidence: str = "high",
    sort_order: int | None = None,
    active: bool = True,
    helpline_id: int | None = None,
) -> Helpline:
    """Add a helpline (``helpline_id`` None) or change one. Needs at least the English name."""
    require_bank_editor(user)
    country_code = (country_code or "").strip().upper()
    if session.get(Country, country_code) is None:
        raise ValidationError(_("Please choose a country."), "country")
    number = " ".join((number or "").split())
    if not _PHONE.match(number) or sum(char.isdigit() for char in number) < 3:
        raise ValidationError(_("This phone number does not look right."), "number")
    if len(number) > 40:
        raise ValidationError(_("This phone number does not look right."), "number")
    names = {
        lang: text.strip()
        for lang, text in names.items()
        if lang in QUIZ_LANGUAGES and _filled(text)
    }
    descriptions = {
        lang: text.strip()
        for lang, text in descriptions.items()
        if lang in QUIZ_LANGUAGES and _filled(text)
    }
    if SOURCE_LANGUAGE not in names:
        raise ValidationError(_("Please enter the helpline's name in English."), "names")
    if confidence not in HELPLINE_CONFIDENCE:
        raise ValidationError(_("Please choose how sure we are of this number."), "confidence")
    hours = (hours or "").strip() or None
    if hours is not None and len(hours) > 40:
        raise ValidationError(_("Please shorten the opening hours."), "hours")
    if helpline_id is None:
        line = Helpline(country_code=country_code, number=number)
    else:
        line = session.get(Helpline, helpline_id)
        if line is None:
            raise NotFound(_("No such helpline."))
    clash = session.scalar(
        select(Helpline.id).where(
            Helpline.country_code == country_code,
            Helpline.number == number,
            Helpline.id != (line.id or -1),
        )
    )
    if clash is not None:
        raise ValidationError(_("This country already has a helpline with this number."), "number")
    if sort_order is None:
        sort_order = line.sort_order if line.id else _next_sort_order(session, country_code)
    line.country_code, line.number = country_code, number
    line.names, line.descriptions = names, descriptions
    line.free, line.hours, line.confidence = free, hours, confidence
    line.sort_order, line.active = sort_order, active
    created = line.id is None
    session.add(line)
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "helpline",
        line.id,
        country=country_code,
        number=number,
        active=active,
    )
    return line


def _next_sort_order(session: Session, country_code: str) -> int:
    orders = session.scalars(
        select(Helpline.sort_order).where(Helpline.country_code == country_code)
    ).all()
    return (max(orders) + 10) if orders else 10


def deactivate_helpline(session: Session, user: Actor, helpline_id: int) -> Helpline:
    """Stop showing a line; it stays in the list to be reactivated or corrected."""
    require_bank_editor(user)
    line = session.get(Helpline, helpline_id)
    if line is None:
        raise NotFound(_("No such helpline."))
    if line.active:
        line.active = False
        session.flush()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "helpline",
            line.id,
            country=line.country_code,
            number=line.number,
            active=False,
        )
    return line
