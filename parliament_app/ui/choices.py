"""What administrators choose from in forms: organisations and facilitators, labelled the same
way on every page (the Groups, Clubs and Users pages)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parliament_app.core.i18n import _
from parliament_app.core.labels import label
from parliament_app.models import Role, User
from parliament_app.people.accounts import list_users
from parliament_app.places.services import list_organisations


def organisation_choices(session: Session) -> dict[int, str]:
    """Every organisation by id: "name · kind, municipality"."""
    return {
        organisation.id: _("{name} · {kind}, {municipality}").format(
            name=organisation.name,
            kind=label(organisation.kind),
            municipality=organisation.municipality.name,
        )
        for organisation in list_organisations(session)
    }


def facilitator_choices(session: Session, user: User) -> dict[int, str]:
    """The active facilitators ``user`` may see, by id."""
    return {
        person.id: person.display_name
        for person in list_users(session, user)
        if person.active and person.role == Role.FACILITATOR
    }
