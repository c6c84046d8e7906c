"""The printable consent form: the guardian's language, escaped names, the three scopes, who may
print it, and the audit entry."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.children.consent_form import consent_form_html
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _, using_language
from parliament_app.core.labels import CONSENT_LABELS
from parliament_app.models import (
    AuditAction,
    AuditEntry,
    Child,
    ChildGuardian,
    ConsentScope,
    Guardian,
    Municipality,
)
from tests.factories import World, make_child


def _guardian_of(db: Session, child: Child) -> Guardian:
    link = db.scalar(select(ChildGuardian).where(ChildGuardian.child_id == child.id))
    return db.get(Guardian, link.guardian_id)


def _translated(language: str, message: str) -> str:
    with using_language(language):
        return html.escape(_(message))


def _exports(db: Session) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.EXPORT, AuditEntry.record_type == "consent_form"
            )
        )
    )


@pytest.mark.parametrize("language", ["sq", "sr"])
def test_form_is_in_the_guardians_language_with_names_escaped(
    db: Session, world: World, language: str
) -> None:
    child = world.own_pupil
    child.given_name = "Ana <b>"
    guardian = _guardian_of(db, child)
    guardian.given_name = "Mira<b>&"
    guardian.preferred_language = language
    db.flush()

    page = consent_form_html(db, world.coordinator, child.id, guardian.id)

    assert re.search(rf'<html lang="{language}">', page)
    assert "Ana &lt;b&gt; Petrović" in page
    assert "Mira&lt;b&gt;&amp; Petrović" in page
    assert "<b>" not in page
    for scope in ConsentScope:
        label = _translated(language, CONSENT_LABELS[scope])
        assert label in page
        assert label != html.escape(CONSENT_LABELS[scope])  # these labels are translated already
    assert _translated(language, "Children's Parliament") in page
    assert "NGO A" in page and "Test Municipality" in page
    assert "School A" in page


def test_an_explicit_language_wins_over_the_guardians(db: Session, world: World) -> None:
    guardian = _guardian_of(db, world.own_pupil)
    guardian.preferred_language = "sq"
    db.flush()
    page = consent_form_html(db, world.coordinator, world.own_pupil.id, guardian.id, "sr_Latn")
    assert '<html lang="sr-Latn">' in page
    unknown = consent_form_html(db, world.coordinator, world.own_pupil.id, guardian.id, "xx")
    assert '<html lang="en">' in unknown


def test_english_form_says_what_is_kept_and_how_to_withdraw(db: Session, world: World) -> None:
    guardian = _guardian_of(db, world.own_pupil)
    page = consent_form_html(db, world.coordinator, world.own_pupil.id, guardian.id, "en")
    assert "<!DOCTYPE html>" in page and "</html>" in page
    assert "size: A4" in page and "@media print" in page
    for text in (
        "Children&#x27;s Parliament is run by NGO A in the municipality of Test Municipality.",
        "Excursions need a separate consent",
        "date of birth",
        "attendance",
        "only if you choose to tell us. It is used only to keep the groups mixed",
        "centre for social work",
        "Who sees the data",
        "How long we keep the data",
        "tell the facilitator or your child&#x27;s school",
        "ends your child&#x27;s future participation",
        "Participation in the programme",
        "Photos",
        "Sharing participation with the centre for social work",
        "Signature",
        "Date",
        "060000000",  # the guardian's phone, to check it is right
    ):
        assert text in page, text
    assert page.count('class="box"') == 3


def test_organiser_falls_back_to_the_municipalitys_parliament(db: Session, world: World) -> None:
    child = make_child(db, "New", "Pupil", world.school, world.municipality)  # in no group
    page = consent_form_html(db, world.coordinator, child.id, _guardian_of(db, child).id, "en")
    assert "run by NGO A" in page
    world.group.active = False
    db.flush()
    page = consent_form_html(db, world.coordinator, child.id, _guardian_of(db, child).id, "en")
    assert "NGO A" not in page and "in the municipality of Test Municipality" in page


def test_form_for_a_chosen_group(db: Session, world: World) -> None:
    elsewhere = Municipality(country_code="RS", name="Other Town")
    db.add(elsewhere)
    db.flush()
    world.group.municipality_id = elsewhere.id
    db.flush()
    guardian = _guardian_of(db, world.own_pupil)
    page = consent_form_html(
        db, world.coordinator, world.own_pupil.id, guardian.id, "en", group_id=world.group.id
    )
    assert "municipality of Other Town" in page
    with pytest.raises(NotFound):
        consent_form_html(
            db, world.coordinator, world.own_pupil.id, guardian.id, "en", group_id=999_999
        )


def test_who_may_print_the_form(db: Session, world: World) -> None:
    child = world.followed_child  # at world.school, followed by world.csw
    guardian = _guardian_of(db, child)
    for user in (world.admin, world.coordinator, world.social_worker):
        assert "<html" in consent_form_html(db, user, child.id, guardian.id)
    for user in (world.other_coordinator, world.other_social_worker, world.other_facilitator):
        with pytest.raises(NotFound):
            consent_form_html(db, user, child.id, guardian.id)
    own_guardian = _guardian_of(db, world.own_pupil)
    with pytest.raises(PermissionDenied):  # a facilitator sees the child but records no consent
        consent_form_html(db, world.facilitator, world.own_pupil.id, own_guardian.id)
    with pytest.raises(NotFound):
        consent_form_html(db, world.admin, 999_999, guardian.id)


def test_guardian_must_be_linked_to_the_child(db: Session, world: World) -> None:
    strangers_guardian = _guardian_of(db, world.other_pupil)
    with pytest.raises(ValidationError) as error:
        consent_form_html(db, world.coordinator, world.own_pupil.id, strangers_guardian.id)
    assert error.value.field == "guardian"
    with pytest.raises(ValidationError):
        consent_form_html(db, world.coordinator, world.own_pupil.id, 999_999)


def test_printing_writes_an_export_audit_entry(db: Session, world: World) -> None:
    guardian = _guardian_of(db, world.own_pupil)
    guardian.preferred_language = "mk"
    db.flush()
    consent_form_html(db, world.coordinator, world.own_pupil.id, guardian.id)
    [entry] = _exports(db)
    assert entry.user_id == world.coordinator.id and entry.actor == "coordinator"
    assert entry.record_id == str(world.own_pupil.id)
    assert entry.detail == {"guardian_id": guardian.id, "language": "mk"}


def test_refusals_write_no_audit_entry(db: Session, world: World) -> None:
    guardian = _guardian_of(db, world.own_pupil)
    with pytest.raises(NotFound):
        consent_form_html(db, world.other_coordinator, world.own_pupil.id, guardian.id)
    with pytest.raises(PermissionDenied):
        consent_form_html(db, world.facilitator, world.own_pupil.id, guardian.id)
    assert _exports(db) == []


def test_rendering_leaves_the_callers_language_alone(db: Session, world: World) -> None:
    guardian = _guardian_of(db, world.own_pupil)
    guardian.preferred_language = "sq"
    db.flush()
    with using_language("sr"):
        consent_form_html(db, world.coordinator, world.own_pupil.id, guardian.id)
        assert _("Photos") == _translated("sr", "Photos")
    assert _("Photos") == "Photos"
