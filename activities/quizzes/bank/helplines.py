"""Helplines per country, in the reader's language: listing, the lines children are shown, and
administrators' edits.

A child is shown a line only when it is active and someone verified it works within the last
``Settings.helpline_verified_months`` (default 12), against a public source; administrators see
every line, with what is due for verification. Hours and cost are data, said in the reader's
language (``hours_text``, ``cost_text``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.quizzes.bank.content import (
    _PHONE,
    HELPLINE_CONFIDENCE,
    HELPLINE_HOURS,
    HELPLINE_KINDS,
    QUIZ_LANGUAGES,
    SOURCE_LANGUAGE,
    _filled,
)
from parliament_app.core import audit
from parliament_app.core.actors import Actor
from parliament_app.core.clock import local_today
from parliament_app.core.config import get_settings
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import AuditAction, Country
from parliament_app.models.quizzes import Helpline
from parliament_app.policy.quizzes import require_bank_editor

CHILD = "child"
STAFF = "staff"
AUDIENCES = (CHILD, STAFF)
# Kinds that count as "somewhere a child can turn to" when checking a country's lines.
TRUSTED_KINDS = ("child", "trafficking")


@dataclass(frozen=True)
class HelplineView:
    number: str
    name: str
    description: str
    free: bool | None
    hours: str | None
    kind: str = "other"
    verified_on: date | None = None
    source: str | None = None
    shown_to_children: bool = True  # False: staff only (unverified, overdue or switched off)


def verified_since(today: date | None = None, months: int | None = None) -> date:
    """The oldest verification date that still counts."""
    today = today or local_today()
    months = get_settings().helpline_verified_months if months is None else months
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(today.day, 28)
    return date(year, month + 1, day)


def shown_to_children(line: Helpline, since: date) -> bool:
    return bool(line.active and line.verified_on is not None and line.verified_on >= since)


def hours_text(hours: str | None) -> str:
    """The opening hours in the reader's language; a line without them says so."""
    if not hours:
        return _("hours not known")
    match = HELPLINE_HOURS.match(hours)
    if match is None:
        return hours  # entered before hours became data: shown as written
    if match["days"] is None:
        return _("every day, day and night")
    if match["days"] == "daily":
        return _("every day {opens}–{closes}").format(opens=match["opens"], closes=match["closes"])
    return _("Monday to Friday {opens}–{closes}").format(
        opens=match["opens"], closes=match["closes"]
    )


def cost_text(free: bool | None) -> str:
    if free is None:
        return _("cost not known")
    return _("free call") if free else _("calls may cost money")


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


def helplines_for(
    session: Session,
    country_code: str,
    language: str,
    audience: str = CHILD,
    today: date | None = None,
) -> list[HelplineView]:
    """The country's lines in ``language`` (English where a text is missing): for children only
    the active lines verified recently (the quiz end screen), for staff every line, each saying
    whether children see it."""
    if audience not in AUDIENCES:
        raise ValidationError(_("Please choose who the list is for."), "audience")
    since = verified_since(today)
    views = [
        HelplineView(
            number=line.number,
            name=_localised(line.names, language),
            description=_localised(line.descriptions, language),
            free=line.free,
            hours=line.hours,
            kind=line.kind,
            verified_on=line.verified_on,
            source=line.source,
            shown_to_children=shown_to_children(line, since),
        )
        for line in list_helplines(session, country_code, include_inactive=audience == STAFF)
    ]
    return [view for view in views if audience == STAFF or view.shown_to_children]


def lines_due_for_verification(session: Session, today: date | None = None) -> list[Helpline]:
    """Active lines children cannot be shown because nobody verified them recently enough."""
    since = verified_since(today)
    return [
        line
        for line in list_helplines(session, include_inactive=False)
        if not shown_to_children(line, since)
    ]


def countries_without_trusted_line(
    session: Session, countries: list[str], today: date | None = None
) -> list[str]:
    """Countries where children would see no verified child or anti-trafficking line."""
    since = verified_since(today)
    covered = {
        line.country_code
        for line in list_helplines(session, include_inactive=False)
        if line.kind in TRUSTED_KINDS and shown_to_children(line, since)
    }
    return [country for country in countries if country not in covered]


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
    kind: str = "other",
    verified_on: date | None = None,
    verified_by: str | None = None,
    source: str | None = None,
) -> Helpline:
    """Add a helpline (``helpline_id`` None) or change one. Needs at least the English name; a
    line counts as verified (and children see it) only with a date, who checked it and the
    public address it was checked against."""
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
    if hours is not None and not HELPLINE_HOURS.match(hours):
        raise ValidationError(
            _("Write the opening hours as 24/7, daily 08:00-20:00 or weekdays 09:00-22:00."),
            "hours",
        )
    if kind not in HELPLINE_KINDS:
        raise ValidationError(_("Please choose what this line is for."), "kind")
    verified_by, source = _checked_verification(verified_on, verified_by, source)
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
    line.kind, line.source = kind, source
    line.verified_on, line.verified_by = verified_on, verified_by
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
        verified_on=verified_on.isoformat() if verified_on else None,
    )
    return line


def _checked_verification(
    verified_on: date | None, verified_by: str | None, source: str | None
) -> tuple[str | None, str | None]:
    """Who verified the line and against what, tidied; a verified line needs both."""
    verified_by = (verified_by or "").strip() or None
    source = (source or "").strip() or None
    if verified_on is None:
        return verified_by, source
    if verified_by is None:
        raise ValidationError(_("Please say who checked that this line works."), "verified_by")
    if source is None or not source.startswith(("https://", "http://")) or len(source) > 500:
        raise ValidationError(
            _("Please give the web address of the public source the line was checked against."),
            "source",
        )
    if verified_on > local_today():
        raise ValidationError(_("The date it was checked cannot be in the future."), "verified_on")
    return verified_by, source


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
