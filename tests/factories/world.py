"""A small synthetic world for tests: one municipality with schools, centres and an NGO, a user
of every role, and children placed so every permission rule has a case on each side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from parliament_app.models import (
    Child,
    Community,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupKind,
    GroupLeader,
    Municipality,
    Organisation,
    OrganisationKind,
    RiskRecord,
    Role,
    User,
)
from parliament_app.places.services import ensure_countries
from tests.factories.children import make_child
from tests.factories.people import make_user


@dataclass
class World:
    municipality: Municipality
    school: Organisation
    other_school: Organisation
    csw: Organisation
    other_csw: Organisation
    ngo: Organisation
    admin: User
    coordinator: User
    other_coordinator: User
    social_worker: User
    other_social_worker: User
    facilitator: User
    other_facilitator: User
    group: Group
    own_pupil: Child  # at ``school``, enrolled in the facilitator's group
    other_pupil: Child  # at ``other_school``, nowhere else
    followed_child: Child  # at ``school``, followed by ``csw``
    other_followed_child: Child  # at ``other_school``, followed by ``other_csw``
    risk_record: RiskRecord
    other_risk_record: RiskRecord

    def users(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "admin",
                "coordinator",
                "other_coordinator",
                "social_worker",
                "other_social_worker",
                "facilitator",
                "other_facilitator",
            )
        }


def build_world(session: Session) -> World:
    ensure_countries(session, ["RS", "XK", "MK", "BA"])
    municipality = Municipality(country_code="RS", name="Test Municipality")
    session.add(municipality)
    session.flush()

    def org(kind: OrganisationKind, name: str) -> Organisation:
        organisation = Organisation(kind=kind, name=name, municipality_id=municipality.id)
        session.add(organisation)
        session.flush()
        return organisation

    school, other_school = (
        org(OrganisationKind.SCHOOL, "School A"),
        org(OrganisationKind.SCHOOL, "School B"),
    )
    csw, other_csw = org(OrganisationKind.CSW, "CSW A"), org(OrganisationKind.CSW, "CSW B")
    ngo = org(OrganisationKind.NGO, "NGO A")
    admin = make_user(session, "admin", Role.ADMINISTRATOR, None, email="admin@example.org")
    coordinator = make_user(session, "coordinator", Role.SCHOOL_COORDINATOR, school)
    other_coordinator = make_user(
        session, "other_coordinator", Role.SCHOOL_COORDINATOR, other_school
    )
    social_worker = make_user(
        session, "social_worker", Role.SOCIAL_WORKER, csw, email="sw@example.org"
    )
    other_social_worker = make_user(session, "other_social_worker", Role.SOCIAL_WORKER, other_csw)
    facilitator = make_user(session, "facilitator", Role.FACILITATOR, ngo)
    other_facilitator = make_user(session, "other_facilitator", Role.FACILITATOR, ngo)

    own_pupil = make_child(session, "Ana", "Petrović", school, municipality)
    other_pupil = make_child(
        session, "Blerta", "Krasniqi", other_school, municipality, Community.ALBANIAN
    )
    followed_child = make_child(session, "Elvis", "Demiri", school, municipality, Community.ROMA)
    other_followed = make_child(session, "Dragana", "Jović", other_school, municipality)

    group = Group(
        kind=GroupKind.PARLIAMENT,
        name="Parliament A",
        organisation_id=ngo.id,
        municipality_id=municipality.id,
    )
    session.add(group)
    session.flush()
    session.add(GroupLeader(group_id=group.id, user_id=facilitator.id))
    session.add(Enrolment(group_id=group.id, child_id=own_pupil.id, status=EnrolmentStatus.ACTIVE))
    risk = RiskRecord(
        child_id=followed_child.id,
        csw_id=csw.id,
        caseworker_id=social_worker.id,
        categories=["social_aid"],
        opened_on=date(2025, 1, 10),
        legal_basis="Family law, art. 1",
    )
    other_risk = RiskRecord(
        child_id=other_followed.id,
        csw_id=other_csw.id,
        caseworker_id=other_social_worker.id,
        categories=["neglected"],
        opened_on=date(2025, 2, 1),
        legal_basis="Family law, art. 1",
    )
    session.add_all([risk, other_risk])
    session.flush()
    return World(
        municipality,
        school,
        other_school,
        csw,
        other_csw,
        ngo,
        admin,
        coordinator,
        other_coordinator,
        social_worker,
        other_social_worker,
        facilitator,
        other_facilitator,
        group,
        own_pupil,
        other_pupil,
        followed_child,
        other_followed,
        risk,
        other_risk,
    )
