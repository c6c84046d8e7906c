"""Countries, municipalities, organisations and venues."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, is_operator
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import N_, _
from parliament_app.models import (
    AuditAction,
    Country,
    Municipality,
    Organisation,
    OrganisationKind,
    User,
    Venue,
)
from parliament_app.policy.access import Action, require

# Neutral names, in English as the source; shown translated.
COUNTRY_NAMES: dict[str, str] = {
    "RS": N_("Serbia"),
    "XK": N_("Kosovo"),
    "MK": N_("North Macedonia"),
    "BA": N_("Bosnia and Herzegovina"),
}


def ensure_countries(session: Session, enabled: Iterable[str]) -> None:
    """Create the four countries once; enable the deployment's subset."""
    enabled = set(enabled)
    existing = {country.code: country for country in session.scalars(select(Country))}
    for code, name in COUNTRY_NAMES.items():
        country = existing.get(code) or Country(code=code, name=name)
        country.enabled = code in enabled
        session.add(country)
    session.flush()


def enabled_countries(session: Session) -> list[Country]:
    return list(session.scalars(select(Country).where(Country.enabled).order_by(Country.code)))


def countries_for_municipalities(
    session: Session, actor: User, configured: Iterable[str]
) -> list[Country]:
    """The enabled countries an administrator may add municipalities in. On a new database the
    country rows do not exist yet: they are created from the deployment's ``configured`` list."""
    require(session, actor, Action.MANAGE_ORGANISATIONS)
    if not session.scalar(select(func.count()).select_from(Country)):
        ensure_countries(session, configured)
    return enabled_countries(session)


def list_municipalities(session: Session, country_code: str | None = None) -> list[Municipality]:
    query = select(Municipality).order_by(Municipality.name)
    if country_code:
        query = query.where(Municipality.country_code == country_code)
    return list(session.scalars(query))


def get_or_create_municipality(
    session: Session, actor: Actor, country_code: str, name: str
) -> Municipality:
    if not is_operator(actor):
        require(session, actor, Action.MANAGE_ORGANISATIONS)
    name = name.strip()
    if not name:
        raise ValidationError(_("Please enter the municipality's name."), "municipality")
    country = session.get(Country, country_code.upper())
    if country is None or not country.enabled:
        raise ValidationError(_("This country is not enabled in this deployment."), "country")
    existing = session.scalar(
        select(Municipality).where(
            Municipality.country_code == country.code, Municipality.name == name
        )
    )
    if existing:
        return existing
    municipality = Municipality(country_code=country.code, name=name)
    session.add(municipality)
    session.flush()
    audit.record(session, actor, AuditAction.CREATE, "municipality", municipality.id)
    return municipality


def list_organisations(
    session: Session, kind: OrganisationKind | None = None, municipality_id: int | None = None
) -> list[Organisation]:
    query = select(Organisation).where(Organisation.active).order_by(Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if municipality_id:
        query = query.where(Organisation.municipality_id == municipality_id)
    return list(session.scalars(query))


def create_organisation(
    session: Session, actor: Actor, kind: OrganisationKind, name: str, municipality_id: int
) -> Organisation:
    if not is_operator(actor):
        require(session, actor, Action.MANAGE_ORGANISATIONS)
    name = name.strip()
    if not name:
        raise ValidationError(_("Please enter the organisation's name."), "name")
    if session.get(Municipality, municipality_id) is None:
        raise ValidationError(_("Please choose a municipality."), "municipality")
    if session.scalar(
        select(Organisation.id).where(
            Organisation.municipality_id == municipality_id, Organisation.name == name
        )
    ):
        raise ValidationError(
            _("An organisation with this name already exists in this municipality."), "name"
        )
    organisation = Organisation(kind=kind, name=name, municipality_id=municipality_id)
    session.add(organisation)
    session.flush()
    audit.record(
        session, actor, AuditAction.CREATE, "organisation", organisation.id, kind=kind.value
    )
    return organisation


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(_("No such organisation."))
    return organisation


def list_venues(session: Session, municipality_id: int | None = None) -> list[Venue]:
    query = select(Venue).order_by(Venue.name)
    if municipality_id:
        query = query.where(Venue.municipality_id == municipality_id)
    return list(session.scalars(query))


def create_venue(
    session: Session,
    actor: Actor,
    name: str,
    municipality_id: int,
    address: str = "",
    capacity: int | None = None,
    organisation_id: int | None = None,
) -> Venue:
    if not is_operator(actor):
        require(session, actor, Action.MANAGE_ORGANISATIONS)
    name = name.strip()
    if not name:
        raise ValidationError(_("Please enter the venue's name."), "name")
    if capacity is not None and capacity < 1:
        raise ValidationError(_("Capacity must be at least 1."), "capacity")
    if session.get(Municipality, municipality_id) is None:
        raise ValidationError(_("Please choose a municipality."), "municipality")
    if session.scalar(
        select(Venue.id).where(Venue.municipality_id == municipality_id, Venue.name == name)
    ):
        raise ValidationError(_("A venue with this name already exists here."), "name")
    venue = Venue(
        name=name,
        municipality_id=municipality_id,
        address=address.strip(),
        capacity=capacity,
        organisation_id=organisation_id,
    )
    session.add(venue)
    session.flush()
    audit.record(session, actor, AuditAction.CREATE, "venue", venue.id)
    return venue
