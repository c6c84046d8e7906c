"""The administrators' helplines: what children do not see yet is listed, and checking a line
(who, when, against which source) is what makes children see it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from activities.quizzes.bank import helplines_for, save_helpline
from parliament_app.core.clock import local_today
from tests.factories import World
from tests.pages.app import PAGES, signed_in_app


def test_checking_a_line_on_the_page_shows_it_to_children(db: Session, world: World) -> None:
    line = save_helpline(
        db, world.admin, "RS", "0800 100 200", {"en": "Test line"}, {}, free=True, hours="24/7"
    )
    line_id = line.id
    db.commit()
    app = signed_in_app(db, world.admin)
    db.rollback()  # end the test session's read: SQLite lets one transaction at a time write
    app.switch_page(PAGES.format("quiz_bank")).run()
    assert not app.exception, app.exception
    assert any("RS 0800 100 200" in warning.value for warning in app.warning)

    app.selectbox(key="quiz_bank_helpline_RS").set_value(line_id).run()
    prefix = f"helpline_RS_{line_id}_0"
    app.selectbox(key=f"{prefix}_kind").set_value("child")
    app.date_input(key=f"{prefix}_verified_on").set_value(local_today())
    app.text_input(key=f"{prefix}_verified_by").input("Test team")
    app.text_input(key=f"{prefix}_source").input("https://example.org/line")
    next(button for button in app.button if button.label == "Save the helpline").click().run()
    assert not app.exception, app.exception
    assert any("0800 100 200 was saved" in message.value for message in app.success)
    db.expire_all()
    assert [view.number for view in helplines_for(db, "RS", "en")] == ["0800 100 200"]
    db.rollback()  # the app writes next
    assert not any("RS 0800 100 200" in warning.value for warning in app.warning)

    # Editing a checked line again keeps its check: children still see it.
    app.selectbox(key="quiz_bank_helpline_RS").set_value(line_id).run()
    prefix = f"helpline_RS_{line_id}_1"
    app.text_input(key=f"{prefix}_name_en").input("Renamed line")
    next(button for button in app.button if button.label == "Save the helpline").click().run()
    db.expire_all()
    assert [view.name for view in helplines_for(db, "RS", "en")] == ["Renamed line"]
