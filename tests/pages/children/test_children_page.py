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
