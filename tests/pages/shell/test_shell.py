"""The shell: first run, sign-in, languages before and after sign-in, who reaches which pages,
and database problems explained rather than thrown."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.models import Role, User
from parliament_app.people.sign_in import start_session
from tests.factories import World
from tests.pages.app import (
    ALL_PAGES,
    ENTRY,
    PAGES,
    ROLE_PAGES,
    USER_FOR_ROLE,
    signed_in_app,
    texts,
)


def test_first_run_offers_only_set_up(db: Session, app_env) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30).run()
    assert not app.exception
    assert "Let us set up" in app.title[0].value


def test_first_run_creates_administrator_and_then_sign_in_is_shown(db: Session, app_env) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30).run()
    app.text_input[0].input("Ana Admin")
    app.text_input[1].input("ana")
    app.text_input[3].input("a long password 1")
    app.text_input[4].input("a long password 1")
    app.button[0].click().run()
    assert not app.exception
    assert any("ready" in message.value for message in app.success)
    again = AppTest.from_file(ENTRY, default_timeout=30).run()
    assert "Children's Parliament" in again.title[0].value
    assert db.query(User).filter_by(username="ana", role=Role.ADMINISTRATOR).one()


def test_first_run_refuses_mismatched_passwords(db: Session, app_env) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30).run()
    app.text_input[0].input("Ana Admin")
    app.text_input[1].input("ana")
    app.text_input[3].input("a long password 1")
    app.text_input[4].input("a long password 2")
    app.button[0].click().run()
    assert "not the same" in app.error[0].value
    assert db.query(User).count() == 0


def test_anonymous_visitor_gets_the_sign_in_page(world: World) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30).run()
    assert not app.exception
    assert app.title[0].value.endswith("Children's Parliament")
    assert app.get("html"), "the sign-in form is rendered"
    form = app.get("html")[0].proto.body
    assert 'action="/session/login"' in form and 'name="form_token"' in form


@pytest.mark.parametrize(
    "status,expected",
    [
        ("invalid", "Wrong username or password"),
        ("locked", "Too many failed attempts"),
        ("signed_out", "You are signed out"),
    ],
)
def test_sign_in_page_explains_the_outcome(world: World, status: str, expected: str) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.query_params["sign_in"] = status
    assert expected in texts(app.run())


def test_sign_in_page_in_albanian(world: World) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.query_params["lang"] = "sq"
    app.run()
    assert "Username" not in app.get("html")[0].proto.body
    assert app.selectbox[0].value == "sq"


@pytest.mark.parametrize(
    "role,page",
    [(role, page) for role in ROLE_PAGES for page in ALL_PAGES if page not in ROLE_PAGES[role]],
)
def test_pages_of_other_roles_are_not_reachable(
    db: Session, world: World, role: Role, page: str
) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    app = signed_in_app(db, user)
    with pytest.raises(ValueError):
        app.switch_page(PAGES.format(page)).run()


def test_deactivated_user_is_signed_out_on_next_run(db: Session, world: World) -> None:
    app = signed_in_app(db, world.coordinator)
    assert "Hello" in app.title[0].value
    world.coordinator.active = False
    db.commit()
    app.run()
    assert "Children's Parliament" in app.title[0].value  # back on the sign-in page


def test_identity_provider_sign_in_maps_to_an_existing_user(db: Session, world: World) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.user = {"is_logged_in": True, "email": "SW@example.org", "email_verified": True}
    app.run()
    assert not app.exception
    assert "Hello, Social Worker" in app.title[0].value


def test_identity_provider_sign_in_refused_for_unknown_email(db: Session, world: World) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.user = {"is_logged_in": True, "email": "stranger@example.org", "email_verified": True}
    app.run()
    assert not app.exception
    assert "no active account here uses that email" in texts(app)
    assert db.query(User).filter_by(email="stranger@example.org").count() == 0


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgresql://nobody@127.0.0.1:1/none", "cannot be reached"),
        ("sqlite:///{tmp}/empty.db", "needs to be upgraded"),
    ],
)
def test_database_problems_are_explained_not_thrown(
    tmp_path, monkeypatch, url: str, expected: str
) -> None:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", url.format(tmp=tmp_path))
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path))
    runtime.reset()
    try:
        app = AppTest.from_file(ENTRY, default_timeout=30).run()
    finally:
        runtime.reset()
    assert not app.exception
    assert expected in app.error[0].value


def test_browser_language_is_the_default_before_sign_in(world: World) -> None:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.context = {"locale": "mk-MK"}
    app.run()
    assert app.selectbox[0].value == "mk"
    assert "Најава" in app.get("html")[0].proto.body


def test_users_preferred_language_beats_the_browser_but_not_an_explicit_choice(
    db: Session, world: World
) -> None:
    world.coordinator.preferred_language = "sq"
    db.commit()
    token, _expires = start_session(db, get_settings(), world.coordinator)
    db.commit()
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["login_token"] = token
    app.context = {"locale": "sr-RS"}
    app.run()
    albanian_title = app.title[0].value
    assert albanian_title.startswith("Përshëndetje")
    app.query_params["lang"] = "bs"
    app.run()
    assert app.title[0].value != albanian_title
