"""One-time set-up: create the first administrator, optionally load demo data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, _, current_language
from parliament_app.core.labels import label
from parliament_app.demo.municipality import DemoCredentials, generate_demo_data
from parliament_app.models import Role
from parliament_app.people.accounts import NewUser, create_first_administrator
from parliament_app.ui.context import shown_errors, transaction
from parliament_app.ui.widgets import language_picker


@dataclass(frozen=True)
class SetUp:
    """What the set-up form asked for."""

    display_name: str
    username: str
    email: str
    password: str
    repeated: str
    language: str
    demo: bool


def render() -> None:
    st.title("🛠️ " + _("Welcome! Let us set up the Children's Parliament"))
    language_picker(key="first_run_language")
    st.write(
        _(
            "No one has an account yet. Create the administrator's account first: the "
            "administrator then adds organisations and the other users."
        )
    )
    set_up, submitted = _set_up_form()
    if submitted:
        _set_up(set_up)


def _set_up_form() -> tuple[SetUp, bool]:
    with st.form("first_run"):
        display_name = st.text_input(_("Your name"))
        username = st.text_input(_("Username"), help=_("Lowercase letters, digits, dot or dash."))
        email = st.text_input(
            _("Email (optional, for signing in with your organisation's account)")
        )
        password = st.text_input(_("Password"), type="password")
        repeated = st.text_input(_("Repeat the password"), type="password")
        languages = list(LANGUAGE_NAMES)
        language = st.selectbox(
            _("Preferred language"),
            languages,
            index=languages.index(current_language()),
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        demo = st.checkbox(
            _(
                "Also load a demo municipality with synthetic children (for trying the "
                "app out; never on a real deployment)"
            )
        )
        submitted = st.form_submit_button(_("Create the administrator"), type="primary")
    set_up = SetUp(display_name, username, email, password, repeated, language, demo)
    return set_up, submitted


def _set_up(set_up: SetUp) -> None:
    with shown_errors():
        if set_up.password != set_up.repeated:
            raise ValidationError(_("The two passwords are not the same."))
        progress = st.progress(0.0, text=_("Creating the administrator…"))
        with transaction() as session:
            create_first_administrator(
                session,
                NewUser(
                    username=set_up.username,
                    display_name=set_up.display_name,
                    role=Role.ADMINISTRATOR,
                    password=set_up.password,
                    email=set_up.email or None,
                    preferred_language=set_up.language,
                ),
            )
            credentials = []
            if set_up.demo:
                credentials = generate_demo_data(session, progress=_reporter(progress)).users
        progress.progress(1.0, text=_("Done."))
        st.success(_("The administrator is ready. You can now sign in."))
        if credentials:
            _demo_accounts(credentials)
        st.link_button(_("Go to sign-in"), f"/?lang={current_language()}", type="primary")


def _reporter(progress: DeltaGenerator) -> Callable[[str, int, int], None]:
    """The demo data's stages shown on the progress bar."""

    def report(stage: str, done: int, total: int) -> None:
        progress.progress(
            min(done / max(total, 1), 1.0),
            text=_("Demo data: {stage}").format(stage=_(stage)),
        )

    return report


def _demo_accounts(credentials: list[DemoCredentials]) -> None:
    st.warning(_("Demo accounts (shown only once, write them down):"))
    st.table(
        [
            {
                _("Username"): c.username,
                _("Role"): label(Role(c.role)),
                _("Password"): c.password,
            }
            for c in credentials
        ]
    )


if __name__ == "__main__":
    render()
