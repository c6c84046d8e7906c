"""The children page: who sees special-category data, and consents recorded on the page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import World
from tests.pages.app import (
    PAGES,
    signed_in_app,
    texts,
)


def test_facilitator_never_sees_community_or_care(db: Session, world: World) -> None:
    app = signed_in_app(db, world.facilitator)
    app.switch_page(PAGES.format("children")).run()
    assert "Ana" in str(app.dataframe[0].value)
    assert "Elvis" not in str(app.dataframe[0].value)
    page = texts(app)
    assert "Community" not in page and "Care situation" not in page


def test_withdrawing_and_recording_a_consent_on_the_children_page(
    db: Session, world: World
) -> None:
    from parliament_app.models import Consent, ConsentScope

    app = signed_in_app(db, world.coordinator)
    app.switch_page(PAGES.format("children")).run()
    child_names = list(app.dataframe[0].value[app.dataframe[0].value.columns[0]])
    row = child_names.index("Ana")
    app.session_state[f"children_table_{1}"] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    assert not app.exception, app.exception
    withdraw = next(button for button in app.button if button.label == "Withdraw")
    withdraw.click().run()
    db.rollback()
    consent = db.query(Consent).filter_by(child_id=world.own_pupil.id).one()
    assert consent.withdrawn_at is not None  # committed, not rolled back by the rerun
    db.rollback()  # end the test's read: SQLite lets one transaction at a time write
    record = next(b for b in app.button if b.label == "Record the consent")
    record.click().run()
    db.rollback()
    live = db.query(Consent).filter_by(child_id=world.own_pupil.id, withdrawn_at=None).all()
    assert [c.scope for c in live] == [ConsentScope.PARTICIPATION]


def test_the_sign_up_form_keeps_what_was_typed_and_never_ticks_a_consent(
    db: Session, world: World
) -> None:
    from datetime import date

    from parliament_app.models import Child, Consent, ConsentScope

    app = signed_in_app(db, world.coordinator)
    db.rollback()
    app.switch_page(PAGES.format("children")).run()
    consents = [box for box in app.checkbox if box.key and box.key.startswith("consent_")]
    assert consents and not any(box.value for box in consents)  # the guardian ticks, not us

    def field(label: str):
        return next(box for box in app.text_input if box.label == label)

    field("Given name").input("Mila")
    field("Family name").input("Lukić")
    field("Guardian's given name").input("Vesna")
    field("Guardian's family name").input("Lukić")
    next(button for button in app.button if button.label == "Sign up").click().run()
    assert not app.exception, app.exception
    assert any("birth date" in error.value for error in app.error)
    assert field("Given name").value == "Mila" and field("Guardian's given name").value == "Vesna"

    next(box for box in app.date_input if box.label == "Birth date").set_value(date(2014, 5, 1))
    next(box for box in app.checkbox if box.key.startswith("consent_participation")).check()
    next(button for button in app.button if button.label == "Sign up").click().run()
    assert not app.exception, app.exception
    assert any(message.value == "Signed up." for message in app.success)
    assert field("Given name").value == ""  # ready for the next pupil
    db.rollback()
    child = db.query(Child).filter_by(given_name="Mila").one()
    scopes = {consent.scope for consent in db.query(Consent).filter_by(child_id=child.id)}
    assert scopes == {ConsentScope.PARTICIPATION}
