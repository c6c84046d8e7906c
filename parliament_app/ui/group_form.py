"""The form that creates a group, shared by the Groups page (parliaments, workshop series) and the
Clubs page: the same fields and rules, in each page's own words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.i18n import _
from parliament_app.core.labels import label
from parliament_app.groups.services import NewGroup
from parliament_app.models import Group, GroupKind, User
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.ui.context import page_user, shown_errors, transaction


@dataclass(frozen=True)
class GroupFormWords:
    """What the form says, translated by the page: the Clubs page speaks of clubs."""

    kind: str
    organisation: str
    organisation_help: str | None
    run_by_you: str  # has a ``{name}`` placeholder for the user's own organisation
    submit: str
    created: str  # has a ``{name}`` placeholder for the new group's name


def create_group_form(
    form_key: str,
    words: GroupFormWords,
    kinds: Sequence[GroupKind],
    *,
    administrator: bool,
    organisations: dict[int, str],
    facilitators: dict[int, str],
    own_organisation: str,
    capacity: int,
    create: Callable[[Session, User, NewGroup], Group],
) -> str | None:
    """Draw the form; when it is sent, create the group with ``create(session, user, new)`` and
    return the success message (a refusal is shown on the page and returns ``None``)."""
    with st.form(form_key):
        left, right = st.columns(2)
        kind = left.selectbox(words.kind, list(kinds), format_func=label)
        name = right.text_input(_("Name"))
        description = st.text_area(_("Description (optional)"))
        organisation_id = None
        leaders: list[int] = []
        if administrator:
            organisation_id = left.selectbox(
                words.organisation,
                list(organisations),
                format_func=organisations.__getitem__,
                help=words.organisation_help,
            )
            leaders = right.multiselect(
                _("Leaders"), list(facilitators), format_func=facilitators.__getitem__
            )
        else:
            st.caption(words.run_by_you.format(name=own_organisation))
        first, second, third = st.columns(3)
        min_age = first.number_input(_("Youngest age"), MIN_AGE, MAX_AGE, 7)
        max_age = second.number_input(_("Oldest age"), MIN_AGE, MAX_AGE, 18)
        size = third.number_input(_("Capacity (children)"), 1, 500, capacity)
        sent = st.form_submit_button(words.submit, type="primary")
    if not sent:
        return None
    with shown_errors(), transaction() as session:
        group = create(
            session,
            page_user(session),
            NewGroup(
                kind=kind,
                name=name,
                description=description,
                organisation_id=organisation_id,
                min_age=int(min_age),
                max_age=int(max_age),
                capacity=int(size),
                leader_ids=tuple(leaders),
            ),
        )
        return words.created.format(name=group.name)
    return None
