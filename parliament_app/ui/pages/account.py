"""My account: who I am, my preferred language, my password."""

from __future__ import annotations

import streamlit as st

from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, _, format_datetime
from parliament_app.core.labels import label
from parliament_app.models import User
from parliament_app.people.accounts import change_own_password, set_preferred_language
from parliament_app.ui.context import LANGUAGE_KEY, page_user, shown_errors, transaction


def render() -> None:
    with transaction() as session:
        user = page_user(session)
        organisation = user.organisation.name if user.organisation else "—"
    _who_i_am(user, organisation)
    _preferred_language(user.preferred_language)
    if user.password_hash:
        _change_password()


def _who_i_am(user: User, organisation: str) -> None:
    st.title(_("My account"))
    st.write(_("Username: {username}").format(username=user.username))
    st.write(_("Role: {role}").format(role=label(user.role)))
    st.write(_("Organisation: {organisation}").format(organisation=organisation))
    if user.last_login_at:
        st.caption(_("Last sign-in: {when}").format(when=format_datetime(user.last_login_at)))


def _preferred_language(preferred: str | None) -> None:
    st.subheader(_("Preferred language"))
    languages = list(LANGUAGE_NAMES)
    with st.form("preferred_language"):  # not "language": that is the session key it sets
        chosen = st.selectbox(
            _("Language used when you sign in"),
            languages,
            index=languages.index(preferred) if preferred in languages else 0,
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        if st.form_submit_button(_("Save")):
            with transaction() as session:
                set_preferred_language(session, page_user(session), chosen)
            st.session_state[LANGUAGE_KEY] = chosen
            st.query_params["lang"] = chosen
            st.rerun()


def _change_password() -> None:
    st.subheader(_("Change password"))
    with st.form("password", clear_on_submit=True):
        current = st.text_input(_("Current password"), type="password")
        new = st.text_input(_("New password"), type="password")
        repeated = st.text_input(_("Repeat the new password"), type="password")
        if st.form_submit_button(_("Change password")):
            with shown_errors():
                if new != repeated:
                    raise ValidationError(_("The two passwords are not the same."))
                with transaction() as session:
                    change_own_password(session, page_user(session), current, new)
                st.success(_("Your password is changed."))


if __name__ == "__main__":
    render()
