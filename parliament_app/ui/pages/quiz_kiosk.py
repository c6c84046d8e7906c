"""Self-paced quiz on a shared tablet: an anonymous page (deep link ``quiz_kiosk?code=ABC234``).

Each child chooses a language with one big button, answers one question per screen (touch or
keyboard: Tab and Enter), sees why an answer is right, and ends on a friendly screen with their
score as encouragement and the helplines. "Next child" wipes the turn from ``st.session_state``
(token, answers, feedback, language, talk request), so nothing carries over; an idle turn is
wiped after a few minutes too. No staff sign-in is used or shown here.
"""

from __future__ import annotations

import time
from typing import NoReturn

import streamlit as st

from activities.quizzes import play
from parliament_app.core.errors import NotFound, ServiceError
from parliament_app.core.i18n import LANGUAGE_NAMES, _
from parliament_app.models.quizzes import RunMode, RunStatus
from parliament_app.ui.activities_widgets import (
    TalkKeys,
    ask_to_talk,
    feedback_screen,
    talk_section,
)
from parliament_app.ui.context import LANGUAGE_KEY, apply_language, fragment, transaction
from parliament_app.ui.quiz_screens import (
    answer_buttons,
    child_style,
    chosen_options,
    result_and_helplines,
)

CODE_KEY = "quiz_kiosk_code"  # the device's run, kept from one child to the next
DEVICE_LANGUAGE_KEY = "quiz_kiosk_device_language"  # the language the tablet starts in
TURN_NUMBER_KEY = "quiz_kiosk_turn_number"  # fresh widget keys for every child
TURN_PREFIX = "quiz_kiosk_turn_"  # everything that belongs to one child's turn
TOKEN_KEY = TURN_PREFIX + "token"
FEEDBACK_KEY = TURN_PREFIX + "feedback"
TALK_KEY = TURN_PREFIX + "talk"
GUEST_KEY = TURN_PREFIX + "guest_token"
ERROR_KEY = TURN_PREFIX + "error"
ACTIVE_KEY = TURN_PREFIX + "active_at"
IDLE_SECONDS = 5 * 60
TALK_KEYS = TalkKeys(token=TOKEN_KEY, guest=GUEST_KEY, talk=TALK_KEY)


def render() -> None:
    if DEVICE_LANGUAGE_KEY not in st.session_state:
        st.session_state[DEVICE_LANGUAGE_KEY] = st.session_state.get(LANGUAGE_KEY)
    apply_language()  # the child's choice, else the tablet's ?lang= or browser; never a staff one
    child_style(button_rem=4, text_rem=1.4, heading_rem=1.8)
    code = _device_code()
    if not code:
        _setup_screen()
        st.stop()
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        _before_a_turn(code)
    _turn_screen(token)
    _talk_section()
    _idle_watch()


# ----------------------------------------------------------------------------- the turn's state


def _device_code() -> str:
    return st.query_params.get("code") or st.session_state.get(CODE_KEY) or ""


def _turn_key(name: str) -> str:
    """A widget key of this turn: the next child gets fresh widgets (Streamlit drops the old
    ones' state once they are no longer drawn)."""
    return f"quiz_kiosk_w{st.session_state.get(TURN_NUMBER_KEY, 0)}_{name}"


def _touch() -> None:
    st.session_state[ACTIVE_KEY] = time.monotonic()


def _end_turn() -> None:
    """Forget everything about this child; the tablet returns to its start screen."""
    for key in [key for key in st.session_state if str(key).startswith(TURN_PREFIX)]:
        del st.session_state[key]
    device_language = st.session_state.get(DEVICE_LANGUAGE_KEY)
    if device_language:
        st.session_state[LANGUAGE_KEY] = device_language
    else:
        st.session_state.pop(LANGUAGE_KEY, None)
    st.session_state[TURN_NUMBER_KEY] = st.session_state.get(TURN_NUMBER_KEY, 0) + 1


# ----------------------------------------------------------------------------- callbacks


def _start_turn(language: str) -> None:
    st.session_state[LANGUAGE_KEY] = language
    apply_language()
    try:
        with transaction() as session:
            _player, token = play.start_kiosk_turn(session, _device_code(), language)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = error.message
        return
    st.session_state.pop(ERROR_KEY, None)
    st.session_state[TOKEN_KEY] = token
    _touch()


def _submit(question: play.QuestionView, chosen: list[int]) -> None:
    apply_language()
    _touch()
    try:
        with transaction() as session:
            result = play.answer(session, st.session_state.get(TOKEN_KEY), question.id, chosen)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = error.message
        return
    st.session_state.pop(ERROR_KEY, None)
    if result.accepted:
        st.session_state[FEEDBACK_KEY] = {
            "text": question.text,
            "options": list(question.options),
            "correct": bool(result.correct),
            "correct_options": list(result.correct_options),
            "chosen": chosen,
            "explanation": result.explanation,
        }


def _submit_multiple(question: play.QuestionView) -> None:
    _submit(question, chosen_options(question, _turn_key))


def _next_question() -> None:
    _touch()
    st.session_state.pop(FEEDBACK_KEY, None)


def _ask_to_talk() -> None:
    apply_language()
    _touch()
    ask_to_talk(TALK_KEYS, _device_code())


def _set_code() -> None:
    code = play.normalise_code(st.session_state.get("quiz_kiosk_code_input"))
    st.session_state[CODE_KEY] = code
    st.query_params["code"] = code


# ----------------------------------------------------------------------------- screens


def _setup_screen(problem: str | None = None) -> None:
    """The facilitator types the code once per tablet."""
    st.title("🧩 " + _("Quiz"))
    if problem:
        st.warning(problem, icon="⚠️")
    st.caption(_("Type the code of the tablet quiz from the facilitator's screen."))
    with st.form("quiz_kiosk_setup"):
        st.text_input(_("Code"), max_chars=12, key="quiz_kiosk_code_input")
        st.form_submit_button(
            _("Use this code"), type="primary", width="stretch", on_click=_set_code
        )


def _before_a_turn(code: str) -> NoReturn:
    """No child is playing: the language buttons, or the setup screen when the code is not a
    tablet quiz's."""
    try:
        with transaction() as session:
            info = play.check_code(session, code)
    except ServiceError as error:
        _setup_screen(error.message)
        st.stop()
    if info.mode != RunMode.KIOSK:
        _setup_screen(
            _("This code is for a quiz your facilitator leads. Open the join page instead.")
        )
        st.stop()
    _start_screen()
    _talk_section()
    st.stop()


def _start_screen() -> None:
    st.title("🧩 " + _("Quiz"))
    st.subheader(_("Hello! Choose your language to start."))
    if message := st.session_state.get(ERROR_KEY):
        st.warning(message, icon="⚠️")
    columns = st.columns(2)
    for index, (language, name) in enumerate(LANGUAGE_NAMES.items()):
        columns[index % 2].button(
            name,
            key=f"quiz_kiosk_start_{language}",
            type="primary",
            width="stretch",
            on_click=_start_turn,
            args=(language,),
        )


def _turn_screen(token: str) -> None:
    """The child's turn: the last answer explained, the end screen, or the next question."""
    try:
        with transaction() as session:
            view = play.kiosk_state(session, token)
            summary = (
                play.player_summary(session, token) if view.status == RunStatus.FINISHED else None
            )
    except NotFound:
        _end_turn()
        st.rerun()
    feedback = st.session_state.get(FEEDBACK_KEY)
    if feedback:
        feedback_screen(feedback, view.question is not None, _turn_key("next"), _next_question)
    elif summary is not None:
        _end_screen(summary)
    elif view.question is not None:
        _question_screen(view.question)


def _question_screen(question: play.QuestionView) -> None:
    st.caption(
        _("Question {number} of {total}").format(number=question.number, total=question.total)
    )
    st.subheader(question.text)
    if message := st.session_state.get(ERROR_KEY):
        st.warning(message, icon="⚠️")
    answer_buttons(question, _turn_key, _submit, _submit_multiple)


def _end_screen(summary: play.PlayerSummary) -> None:
    st.subheader("🎉 " + _("Well done!"))
    result_and_helplines(summary)
    st.button(
        "➡️ " + _("Next child"),
        key=_turn_key("done"),
        type="primary",
        width="stretch",
        on_click=_end_turn,
    )


@fragment(run_every=30)
def _idle_watch() -> None:
    """A child walked away mid-turn: after a few idle minutes the tablet starts over."""
    active_at = st.session_state.get(ACTIVE_KEY)
    if active_at is not None and time.monotonic() - active_at > IDLE_SECONDS:
        _end_turn()
        st.rerun()


def _talk_section() -> None:
    talk_section(_turn_key("talk"), _ask_to_talk, TALK_KEY)


if __name__ == "__main__":
    render()
