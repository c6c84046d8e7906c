"""What the follow-up and administration pages share: database text shown literally in
Markdown, a trend in words, and an administrator's choice of centre for social work."""

from __future__ import annotations

import re

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.i18n import _
from parliament_app.models import OrganisationKind, Role, User
from parliament_app.monitoring import TREND_LABELS
from parliament_app.places.services import list_organisations
from parliament_app.ui.widgets import empty_state

TREND_ICONS = {"up": "↗️", "down": "↘️", "steady": "➡️"}


def plain(text: str) -> str:
    """Text from the database shown literally inside Markdown."""
    return re.sub(r"([\\`*_\[\]{}()#+\-.!|<>~$:])", r"\\\1", text or "")


def trend_text(trend: str) -> str:
    """A trend as an icon and words, never colour alone."""
    return f"{TREND_ICONS[trend]} {_(TREND_LABELS[trend])}"


def centres_to_choose(session: Session, user: User) -> dict[int, str]:
    """The centres for social work an administrator chooses between (id -> name); none for the
    other roles, who see their own centre."""
    if user.role != Role.ADMINISTRATOR:
        return {}
    return {centre.id: centre.name for centre in list_organisations(session, OrganisationKind.CSW)}


def centre_choice(centres: dict[int, str], key: str) -> int:
    """An administrator's choice of centre; the page stops when there is none yet."""
    if not centres:
        empty_state(_("There is no centre for social work yet. Add one on the Organisations page."))
        st.stop()
    return st.selectbox(
        _("Centre for social work"),
        list(centres),
        format_func=centres.__getitem__,
        key=key,
    )
