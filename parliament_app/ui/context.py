"""What every page needs: the signed-in user, a database transaction, the session's language,
and service errors turned into messages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core import runtime
from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import _, negotiate, set_language
from parliament_app.models import User

USER_KEY = "current_user_id"
LANGUAGE_KEY = "language"
TOKEN_KEY = "login_token"
SHOWN_LANGUAGE_KEY = "shown_language"  # the language the last full run drew in
P = ParamSpec("P")


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
    st.session_state[SHOWN_LANGUAGE_KEY] = language
    return language


def fragment(run_every: float | None = None) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.fragment`` that draws in the language of the page around it.

    A fragment's own reruns (``run_every``) skip the script that set the language, so without
    this a child's phone turned English every two seconds during a live quiz."""

    def wrap(function: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(function)
        def in_language(*args: P.args, **kwargs: P.kwargs) -> None:
            set_language(st.session_state.get(SHOWN_LANGUAGE_KEY) or apply_language())
            function(*args, **kwargs)

        return st.fragment(in_language, run_every=run_every)

    return wrap


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
