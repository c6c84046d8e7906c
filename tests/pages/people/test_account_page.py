"""My account: saving the preferred language switches the page and is kept for the next
sign-in (it used to stop with a traceback, every time)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parliament_app.models import User
from tests.factories import World
from tests.pages.app import PAGES, signed_in_app


def test_saving_the_preferred_language_switches_the_page(db: Session, world: World) -> None:
    app = signed_in_app(db, world.coordinator)
    app.switch_page(PAGES.format("account")).run()
    assert app.title[0].value == "My account"
    [picker] = [box for box in app.selectbox if box.label == "Language used when you sign in"]
    picker.set_value("sq")
    next(button for button in app.button if button.label == "Save").click().run()
    assert not app.exception, app.exception
    assert app.title[0].value != "My account"  # now in Albanian
    db.expire_all()
    assert db.get(User, world.coordinator.id).preferred_language == "sq"
