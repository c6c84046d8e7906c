"""What the two children's quiz pages (``quiz_join`` on a phone, ``quiz_kiosk`` on a shared
tablet) both draw and do around the questions: the right answer after a self-paced answer, and
"I would like to talk to someone" with what it sends. Each page passes its own widget and
session-state keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from activities.quizzes import play
from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import _, current_language
from parliament_app.ui.context import transaction
from parliament_app.ui.quiz_screens import option_lines


@dataclass(frozen=True)
class TalkKeys:
    """Where a page keeps the child's token, a guest's token and the talk request's outcome."""

    token: str
    guest: str
    talk: str


def feedback_screen(
    feedback: dict[str, Any], has_next: bool, key: str, on_next: Callable[[], None]
) -> None:
    """The question just answered in a self-paced run, whether it was right, and why."""
    st.subheader(feedback["text"])
    if feedback["correct"]:
        st.success(_("That is right!"), icon="🎉")
    else:
        st.info(_("Good try! Here is the answer."), icon="🌱")
    option_lines(feedback["options"], feedback["correct_options"], feedback["chosen"])
    if feedback["explanation"]:
        st.info(feedback["explanation"], icon="💡")
    st.button(
        _("Next question") if has_next else _("See my result"),
        key=key,
        type="primary",
        width="stretch",
        on_click=on_next,
    )


def ask_to_talk(keys: TalkKeys, code: str | None) -> None:
    """Tell the facilitator (only) that this child would like to talk: as the player, or as a
    guest of the run with this code when the child has not joined."""
    token = st.session_state.get(keys.token) or st.session_state.get(keys.guest)
    try:
        with transaction() as session:
            if token and play.player_for_token(session, token) is not None:
                play.talk_request(session, token)
            else:
                _guest, guest_token = play.guest_talk_request(session, code, current_language())
                st.session_state[keys.guest] = guest_token
    except ServiceError:
        st.session_state[keys.talk] = "no_run"
        return
    st.session_state[keys.talk] = "sent"


def talk_section(button_key: str, on_click: Callable[[], None], talk_key: str) -> None:
    """The button on every screen, and what happened to the last request."""
    st.divider()
    st.button(
        "🙋 " + _("I would like to talk to someone"),
        key=button_key,
        width="stretch",
        on_click=on_click,
        help=_("Only your facilitator will know."),
    )
    talk = st.session_state.get(talk_key)
    if talk == "sent":
        st.success(_("Thank you for telling us. Your facilitator will come to you."), icon="🤝")
    elif talk == "no_run":
        st.info(
            _(
                "Please tell your facilitator or another adult you trust that you would like to "
                "talk. They will listen."
            ),
            icon="🤝",
        )
