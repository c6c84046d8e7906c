"""Every page opens for every role that has it (AppTest), in English and in a translated language,
and the shell enforces who sees which pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.models import Community, Role, User
from parliament_app.people.sign_in import start_session
from tests.factories import World

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "streamlit_app.py")
PAGES = "parliament_app/ui/pages/{}.py"
ROLE_PAGES = {
    Role.ADMINISTRATOR: [
        "home",
        "caseload",
        "alerts",
        "children",
        "groups",
        "enrolment",
        "pupil_import",
        "sessions",
        "clubs",
        "attendance",
        "scan",
        "badges",
        "calendar",
        "quiz_host",
        "quiz_results",
        "quiz_bank",
        "diversity",
        "involvement",
        "users",
        "organisations",
        "audit",
        "data_protection",
        "account",
    ],
    Role.SCHOOL_COORDINATOR: [
        "home",
        "children",
        "groups",
        "enrolment",
        "pupil_import",
        "calendar",
        "quiz_results",
        "diversity",
        "involvement",
        "account",
    ],
    Role.SOCIAL_WORKER: [
        "home",
        "caseload",
        "alerts",
        "children",
        "groups",
        "enrolment",
        "calendar",
        "account",
    ],
    Role.FACILITATOR: [
        "home",
        "family_checks",
        "children",
        "groups",
        "enrolment",
        "sessions",
        "clubs",
        "attendance",
        "scan",
        "badges",
        "calendar",
        "quiz_host",
        "quiz_results",
        "diversity",
        "involvement",
        "account",
    ],
}
ALL_PAGES = sorted({page for pages in ROLE_PAGES.values() for page in pages})
USER_FOR_ROLE = {
    Role.ADMINISTRATOR: "admin",
    Role.SCHOOL_COORDINATOR: "coordinator",
    Role.SOCIAL_WORKER: "social_worker",
    Role.FACILITATOR: "facilitator",
}


@pytest.fixture
def world(app_world: World) -> World:
    return app_world


def signed_in_app(db: Session, user: User, language: str | None = None) -> AppTest:
    token, _expires = start_session(db, get_settings(), user)
    db.commit()
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["login_token"] = token
    if language:
        app.query_params["lang"] = language
    return app.run()


MESSAGE_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
)


def texts(app: AppTest) -> str:
    parts = [element.value for kind in MESSAGE_KINDS for element in getattr(app, kind)]
    return "\n".join(str(part) for part in parts)


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
    "role,page", [(role, page) for role, pages in ROLE_PAGES.items() for page in pages]
)
def test_every_page_opens_for_its_roles(db: Session, world: World, role: Role, page: str) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    app = signed_in_app(db, user)
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception, app.exception
    assert app.title, f"{page} shows a title"


@pytest.mark.parametrize("language", ["sr", "sr_Latn", "sq", "mk", "bs"])
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_home_page_is_translated(db: Session, world: World, role: Role, language: str) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    english = signed_in_app(db, user)
    translated = signed_in_app(db, user, language)
    assert not translated.exception
    assert english.title[0].value != translated.title[0].value
    assert [m.label for m in english.metric] != [m.label for m in translated.metric]


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


def test_facilitator_never_sees_community_or_care(db: Session, world: World) -> None:
    app = signed_in_app(db, world.facilitator)
    app.switch_page(PAGES.format("children")).run()
    assert "Ana" in str(app.dataframe[0].value)
    assert "Elvis" not in str(app.dataframe[0].value)
    page = texts(app)
    assert "Community" not in page and "Care situation" not in page


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


def visible_strings(app: AppTest) -> set[str]:
    """Texts a person reads on the page: headings, messages, widget labels, table headers."""
    strings: set[str] = set()
    for kind in MESSAGE_KINDS:
        strings.update(str(element.value) for element in getattr(app, kind))
    for kind in (
        "text_input",
        "selectbox",
        "multiselect",
        "button",
        "checkbox",
        "date_input",
        "number_input",
        "text_area",
        "metric",
        "expander",
        "tabs",
    ):
        strings.update(str(element.label) for element in getattr(app, kind))
    for table in app.dataframe:
        strings.update(str(column) for column in table.value.columns)
    return strings


def english_sources(language: str) -> dict[str, str]:
    """Every English message that the language's catalog translates differently."""
    from babel.messages.pofile import read_po

    with open(ROOT / f"locales/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    return {
        message.id: message.string
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string != message.id
    }


@pytest.mark.parametrize("language", ["sr", "sr_Latn", "sq", "mk", "bs"])
@pytest.mark.parametrize(
    "role,page", [(role, page) for role, pages in ROLE_PAGES.items() for page in pages]
)
def test_no_english_is_left_on_a_translated_page(
    db: Session, world: World, role: Role, page: str, language: str
) -> None:
    user = world.users()[USER_FOR_ROLE[role]]
    app = signed_in_app(db, user, language)
    app.switch_page(PAGES.format(page)).run()
    assert not app.exception
    sources = english_sources(language)
    # People's names are data, never translated ("Facilitator" is also a test user's name).
    names = {person.display_name for person in world.users().values()}
    # Labels may carry an icon or bold markers around the translated message.
    leftovers = {
        text
        for text in visible_strings(app)
        if re.sub(r"^[^\w{]+|\*+$", "", text) in sources.keys() - names
    }
    assert not leftovers, f"untranslated on {page} in {language}: {sorted(leftovers)}"


@pytest.mark.parametrize("who", ["admin", "facilitator", "coordinator"])
def test_diversity_page_warns_about_a_ghetto(db: Session, world: World, who: str) -> None:
    from tests.test_diversity_report import add_group

    add_group(db, world, "Club R", [(f"R{i}", Community.ROMA) for i in range(10)])
    add_group(db, world, "Club S", [(f"S{i}", Community.SERBIAN) for i in range(30)])
    db.commit()
    app = signed_in_app(db, world.users()[who])
    app.switch_page(PAGES.format("diversity")).run()
    assert not app.exception
    warnings = [warning.value for warning in app.warning]
    assert any("Club R" in text and "Ghetto risk" in text for text in warnings)
    assert any("more separated than chance" in text for text in warnings)
    assert any("2,000 random allocations" in caption.value for caption in app.caption)
    assert not any("Club S" in text and "Ghetto risk" in text for text in warnings)
    assert any("Club S" in text and "one category" in text for text in warnings)


def test_a_programme_of_many_flagged_groups_warns_about_the_most_urgent(
    db: Session, world: World
) -> None:
    from tests.test_diversity_report import add_group

    for number in range(23):
        add_group(
            db, world, f"Club {number:02}", [(f"C{number}-{i}", Community.ROMA) for i in range(6)]
        )
    add_group(db, world, "Club S", [(f"S{i}", Community.SERBIAN) for i in range(30)])
    db.commit()
    app = signed_in_app(db, world.admin)
    app.switch_page(PAGES.format("diversity")).run()
    assert not app.exception
    warned = {warning.value.split("**")[1] for warning in app.warning if "**" in warning.value}
    assert len(warned) == 20
    assert all(
        name.startswith("Club 0") or name.startswith("Club 1") or name.startswith("Club 2")
        for name in warned
    )  # ghetto risks before the all-Serbian club's "one category"
    assert any("4 more flagged groups" in info.value for info in app.info)


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
