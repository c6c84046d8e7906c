"""Family check-ins: the children of a facilitator's groups whose family would welcome a friendly
word. All the page knows is who and in which group: never a rule, a reason or any risk data."""

from __future__ import annotations

import streamlit as st

from parliament_app.core.i18n import _, format_date, format_number, ngettext
from parliament_app.monitoring.alerts import PromptView, family_prompts, mark_prompt_done
from parliament_app.monitoring.caseload import local_date
from parliament_app.ui.admin_widgets import plain
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("family_checks")


def render() -> None:
    st.title(_("Family check-ins"))
    st.caption(
        _(
            "A short, friendly conversation with a child's family: ask how things are going and "
            "whether the child can keep coming. Mark it done once you have talked with them."
        )
    )
    OUTCOME.show()
    show_done = st.checkbox(_("Also show the check-ins already done"), key="family_checks_done")
    prompts = _prompts(show_done)
    if prompts is None:
        st.stop()
    _how_many_waiting(prompts)
    for prompt in prompts:
        _check_in(prompt)


def _prompts(include_done: bool) -> list[PromptView] | None:
    """The facilitator's check-ins; None when refused (the refusal is shown)."""
    with shown_errors(), transaction() as session:
        return family_prompts(session, page_user(session), include_done=include_done)
    return None


def _how_many_waiting(prompts: list[PromptView]) -> None:
    waiting = [prompt for prompt in prompts if prompt.done_at is None]
    if not waiting:
        empty_state(_("Nothing to follow up."))
        return
    st.markdown(
        ngettext(
            "**{count}** family to check in with.",
            "**{count}** families to check in with.",
            len(waiting),
        ).format(count=format_number(len(waiting)))
    )


def _check_in(prompt: PromptView) -> None:
    with st.container(border=True):
        st.markdown(
            "🤝 **"
            + _("Please check in with {name}'s family").format(name=plain(prompt.child_given_name))
            + "**"
        )
        facts = [
            _("Group: {group}").format(group=plain(prompt.group_name)),
            _("Since {date}").format(date=format_date(local_date(prompt.created_at))),
        ]
        if prompt.done_at is not None:
            facts.append(
                "✅ " + _("Done on {date}").format(date=format_date(local_date(prompt.done_at)))
            )
        st.caption(" · ".join(facts))
        if prompt.done_at is None and st.button(
            _("Done"),
            key=f"family_check_done_{prompt.id}",
            icon="✅",
            help=_("You have talked with the family."),
        ):
            _mark_done(prompt)


def _mark_done(prompt: PromptView) -> None:
    with shown_errors():
        with transaction() as session:
            mark_prompt_done(session, page_user(session), prompt.id)
        OUTCOME.done(
            _("Thank you: the check-in with {name}'s family is marked as done.").format(
                name=plain(prompt.child_given_name)
            )
        )


if __name__ == "__main__":
    render()
