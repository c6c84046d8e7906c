"""Children with a guardian and consent to participate."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    ChildGuardian,
    Community,
    Consent,
    ConsentScope,
    Gender,
    Guardian,
    GuardianRelationship,
    Municipality,
    Organisation,
)


def make_child(
    session: Session,
    given: str,
    family: str,
    school: Organisation | None,
    municipality: Municipality,
    community: Community | None = Community.SERBIAN,
    birth_date: date = date(2014, 3, 15),
) -> Child:
    child = Child(
        given_name=given,
        family_name=family,
        birth_date=birth_date,
        gender=Gender.FEMALE,
        school_id=school.id if school else None,
        municipality_id=municipality.id,
        community=community,
    )
    session.add(child)
    session.flush()
    guardian = Guardian(given_name="Guardian", family_name=family, phone="060000000")
    session.add(guardian)
    session.flush()
    session.add(
        ChildGuardian(
            child_id=child.id,
            guardian_id=guardian.id,
            relationship_kind=GuardianRelationship.MOTHER,
        )
    )
    session.add(
        Consent(child_id=child.id, guardian_id=guardian.id, scope=ConsentScope.PARTICIPATION)
    )
    session.flush()
    return child
