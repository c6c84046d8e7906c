"""What pages read for the signed-in user only when it is needed: a child's guardians, once per
browser session, and downloads built when the person clicks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.children.services import GuardianView, get_child
from parliament_app.models import User
from parliament_app.ui.context import USER_KEY, page_user, shown_errors, transaction

GUARDIANS_KEY = "guardians_seen"  # (user id, child id) -> the child's guardians
Built = TypeVar("Built")


def guardians_of(child_id: int) -> list[GuardianView] | None:
    """The child's guardians, read once per browser session (no service lists the guardians of
    a roster, so they come from the child's record). None when the record may not be read: the
    refusal is shown."""
    known = st.session_state.setdefault(GUARDIANS_KEY, {})
    key = (st.session_state.get(USER_KEY), child_id)
    if key not in known:
        with shown_errors(), transaction() as session:
            known[key] = list(get_child(session, page_user(session), child_id).guardians)
    return known.get(key)


def deferred(build: Callable[[Session, User], Built]) -> Callable[[], Built]:
    """A download's data, built only when the person clicks (``st.download_button`` calls it
    outside the page's run, so the user is taken now), so only real downloads are audited."""
    user_id = st.session_state.get(USER_KEY)

    def run() -> Built:
        with transaction() as session:
            return build(session, session.get(User, user_id))

    return run
