"""Opening pages in Streamlit's AppTest as a signed-in user, and reading what they show."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from parliament_app.core.config import get_settings
from parliament_app.models import Role, User
from parliament_app.people.sign_in import start_session

ROOT = Path(__file__).resolve().parents[2]


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


@cache
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
