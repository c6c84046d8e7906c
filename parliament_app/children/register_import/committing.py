"""Committing a planned import: every row or none, in one transaction, audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from parliament_app.children.register_import.fields import _GUARDIAN_LANGUAGE_BY_HOME
from parliament_app.children.register_import.planning import (
    _existing_keys,
    _school_for,
    _without_duplicates,
)
from parliament_app.children.register_import.results import (
    ImportPlan,
    ImportRejected,
    ImportResult,
    PlannedRow,
)
from parliament_app.core import audit
from parliament_app.core.actors import Actor, account_id
from parliament_app.core.i18n import _
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    Guardian,
    GuardianRelationship,
    Organisation,
    SocioEconomicBand,
    utcnow,
)

_FLUSH_EVERY = 1000  # rows written per flush at commit


def commit_import(
    session: Session, user: Actor, plan: ImportPlan, *, consent_confirmed: bool = False
) -> ImportResult:
    """Register every planned pupil with a guardian and the guardian's participation consent.

    ``consent_confirmed`` is the importer's statement that the school holds the guardians'
    signed consents to participation for these pupils; without it nothing is imported. All or
    nothing: the rows are written inside a SAVEPOINT, and any failure rolls all of them back
    and re-raises. Pupils registered since the plan was made are counted as duplicates.
    One audit entry (record type "register_import") records the counts.
    """
    school = _school_for(session, user, plan.school_id)
    if plan.errors:
        raise ImportRejected(
            _(
                "The register still has errors, so nothing was imported. Please correct them "
                "and try again."
            ),
            "errors",
        )
    if not consent_confirmed:
        raise ImportRejected(
            _(
                "Please confirm that the school holds the guardians' signed consents to "
                "participation for these pupils."
            ),
            "consent",
        )
    # One import per school at a time (PostgreSQL row lock; SQLite serialises writers anyway),
    # so a second click on "Import" finds the first one's pupils and reports them as duplicates.
    session.execute(select(Organisation.id).where(Organisation.id == school.id).with_for_update())
    rows, late_duplicates = _without_duplicates(plan.rows, _existing_keys(session, school.id))
    actor_id = account_id(user)
    now = utcnow()
    with session.begin_nested():  # rolled back, and the error re-raised, on any failure
        imported = 0
        for start in range(0, len(rows), _FLUSH_EVERY):
            pairs = [
                _register_row(actor_id, school, planned, plan.guardian_language)
                for planned in rows[start : start + _FLUSH_EVERY]
            ]
            child_ids = _insert(session, Child, [child for child, _guardian in pairs])
            guardian_ids = _insert(session, Guardian, [guardian for _child, guardian in pairs])
            links = list(zip(child_ids, guardian_ids, strict=True))
            session.execute(
                insert(ChildGuardian),
                [
                    {
                        "child_id": child_id,
                        "guardian_id": guardian_id,
                        "relationship_kind": GuardianRelationship.OTHER,
                    }
                    for child_id, guardian_id in links
                ],
            )
            session.execute(
                insert(Consent),
                [
                    {
                        "child_id": child_id,
                        "guardian_id": guardian_id,
                        "scope": ConsentScope.PARTICIPATION,
                        "given_at": now,
                        "withdrawn_at": None,
                        "recorded_by_id": actor_id,
                        "note": "register import",
                    }
                    for child_id, guardian_id in links
                ],
            )
            imported += len(pairs)
        duplicates = len(plan.duplicates) + len(late_duplicates)
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "register_import",
            school.id,
            imported=imported,
            duplicates=duplicates,
            rows=plan.data_rows,
            source=plan.source,
            consents=[ConsentScope.PARTICIPATION.value],
        )
        session.flush()
    return ImportResult(imported=imported, duplicates=duplicates)


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """One bulk INSERT; the new ids in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows).all())


def _guardian_language(home_languages: Sequence[str], default: str) -> str:
    for code in home_languages:
        if code in _GUARDIAN_LANGUAGE_BY_HOME:
            return _GUARDIAN_LANGUAGE_BY_HOME[code]
    return default


def _register_row(
    actor_id: int | None, school: Organisation, planned: PlannedRow, default_language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One pupil's child and guardian rows (register_child's rules, checked by the plan)."""
    values = planned.values
    languages = list(values["home_language"])
    now = utcnow()
    child = {
        "given_name": values["given_name"],
        "family_name": values["family_name"],
        "birth_date": values["birth_date"],
        "gender": values["gender"],
        "school_id": school.id,
        "school_class": values["school_class"],
        "municipality_id": school.municipality_id,
        "home_languages": languages,
        "residence_area": values["residence_area"],
        "community": None,  # special-category data never comes from a register
        "socio_economic_band": SocioEconomicBand.UNKNOWN,
        "care_situation": CareSituation.UNKNOWN,
        "created_at": now,
        "created_by_id": actor_id,
    }
    guardian = {
        "given_name": values["guardian_given_name"],
        "family_name": values["guardian_family_name"],
        "phone": values["guardian_phone"],
        "preferred_language": _guardian_language(languages, default_language),
        "created_at": now,
    }
    return child, guardian
