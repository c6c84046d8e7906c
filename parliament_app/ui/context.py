"""What every page needs: the signed-in user, a database transaction, the session's language,
and service errors turned into messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core import runtime
from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import _, negotiate, set_language
from parliament_app.models import User

USER_KEY = "current_user_id"
LANGUAGE_KEY = "language"
TOKEN_KEY = "login_token"


@contextmanager
def transaction() -> Iterator[Session]:
    with runtime.transaction() as session:
        yield session


def apply_language(user_preference: str | None = None) -> str:
    """Set this run's language: the picker's choice, ?lang=, the user's preference, the browser."""
    language = negotiate(
        chosen=st.session_state.get(LANGUAGE_KEY),
        url_param=st.query_params.get("lang"),
        user_preference=user_preference,
        browser=st.context.locale,
    )
    set_language(language)
    return language


def page_user(session: Session) -> User:
    """The signed-in user for this run (the shell has checked the sign-in already)."""
    user_id = st.session_state.get(USER_KEY)
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        st.warning(_("Please sign in."))
        st.stop()
    return user


@contextmanager
def shown_errors() -> Iterator[None]:
    """Show a service's refusal as a message instead of a traceback; nothing was changed."""
    try:
        yield
    except ServiceError as error:
        st.error(error.message, icon="⚠️")
