"""Each role's landing page: their numbers and what to do next."""

from __future__ import annotations

import streamlit as st

from parliament_app.core.i18n import _
from parliament_app.core.labels import label
from parliament_app.models import Group, Role
from parliament_app.monitoring.home import home_figures, led_groups
from parliament_app.ui.context import page_user, transaction
from parliament_app.ui.widgets import empty_state, figures

NEXT_STEPS = {
    Role.ADMINISTRATOR: lambda: _(
        "Add organisations and places, then create accounts for "
        "facilitators, school coordinators and social workers."
    ),
    Role.SCHOOL_COORDINATOR: lambda: _(
        "Sign up your pupils on the Children page, each with a guardian's consent."
    ),
    Role.SOCIAL_WORKER: lambda: _("Your caseload shows the children your centre follows."),
    Role.FACILITATOR: lambda: _("The Children page lists the children enrolled in your groups."),
}


def render() -> None:
    with transaction() as session:
        user = page_user(session)
        numbers = [(_(text), value) for text, value in home_figures(session, user)]
        groups = led_groups(session, user) if user.role == Role.FACILITATOR else []
    st.title(_("Hello, {name}").format(name=user.display_name))
    st.caption(NEXT_STEPS[user.role]())
    figures(numbers)
    if user.role == Role.FACILITATOR:
        _led_groups(groups)


def _led_groups(groups: list[tuple[Group, int, int]]) -> None:
    st.subheader(_("Your groups"))
    if not groups:
        empty_state(
            _("You do not lead any group yet. An administrator can add you as a group's leader.")
        )
        return
    st.dataframe(
        [
            {
                _("Group"): group.name,
                _("Kind"): label(group.kind),
                _("Members"): members,
                _("Waiting"): waiting,
                _("Capacity"): group.capacity,
            }
            for group, members, waiting in groups
        ],
        hide_index=True,
        width="stretch",
    )


if __name__ == "__main__":
    render()
