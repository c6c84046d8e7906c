"""Self-paced quiz on a shared tablet: an anonymous page (deep link ``quiz_kiosk?code=ABC234``).

Each child chooses a language with one big button, answers one question per screen (touch or
keyboard: Tab and Enter), sees why an answer is right, and ends on a friendly screen with their
score as encouragement and the helplines. "Next child" wipes the turn from ``st.session_state``
(token, answers, feedback, language, talk request), so nothing carries over; an idle turn is
wiped after a few minutes too. No staff sign-in is used or shown here.
"""

import time

import streamlit as st

from activities.quizzes import play
from parliament_app.core.errors import NotFound, ServiceError
from parliament_app.core.i18n import LANGUAGE_NAMES, _, current_language
from parliament_app.models.quizzes import RunMode, RunStatus
from parliament_app.ui.context import LANGUAGE_KEY, apply_language, transaction
from parliament_app.ui.quiz_screens import (
    answer_buttons,
    child_style,
    chosen_options,
    option_lines,
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

if DEVICE_LANGUAGE_KEY not in st.session_state:
    st.session_state[DEVICE_LANGUAGE_KEY] = st.session_state.get(LANGUAGE_KEY)
apply_language()  # the child's choice, else the tablet's ?lang= or browser; never a staff one
child_style(button_rem=4, text_rem=1.4, heading_rem=1.8)


def device_code() -> str:
    return st.query_params.get("code") or st.session_state.get(CODE_KEY) or ""


def turn_key(name: str) -> str:
    """A widget key of this turn: the next child gets fresh widgets (Streamlit drops the old
    ones' state once they are no longer drawn)."""
    return f"quiz_kiosk_w{st.session_state.get(TURN_NUMBER_KEY, 0)}_{name}"


def touch() -> None:
    st.session_state[ACTIVE_KEY] = time.monotonic()


def end_turn() -> None:
    """Forget everything about this child; the tablet returns to its start screen."""
    for key in [key for key in st.session_state if str(key).startswith(TURN_PREFIX)]:
        del st.session_state[key]
    device_language = st.session_state.get(DEVICE_LANGUAGE_KEY)
    if device_language:
        st.session_state[LANGUAGE_KEY] = device_language
    else:
        st.session_state.pop(LANGUAGE_KEY, None)
    st.session_state[TURN_NUMBER_KEY] = st.session_state.get(TURN_NUMBER_KEY, 0) + 1


def start_turn(language: str) -> None:
    st.session_state[LANGUAGE_KEY] = language
    apply_language()
    try:
        with transaction() as session:
            _player, token = play.start_kiosk_turn(session, device_code(), language)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = error.message
        return
    st.session_state.pop(ERROR_KEY, None)
    st.session_state[TOKEN_KEY] = token
    touch()


def submit(question: play.QuestionView, chosen: list[int]) -> None:
    apply_language()
    touch()
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


def submit_multiple(question: play.QuestionView) -> None:
    submit(question, chosen_options(question, turn_key))


def next_question() -> None:
    touch()
    st.session_state.pop(FEEDBACK_KEY, None)


def ask_to_talk() -> None:
    apply_language()
    touch()
    token = st.session_state.get(TOKEN_KEY) or st.session_state.get(GUEST_KEY)
    try:
        with transaction() as session:
            if token and play.player_for_token(session, token) is not None:
                play.talk_request(session, token)
            else:
                _guest, guest_token = play.guest_talk_request(
                    session, device_code(), current_language()
                )
                st.session_state[GUEST_KEY] = guest_token
    except ServiceError:
        st.session_state[TALK_KEY] = "no_run"
        return
    st.session_state[TALK_KEY] = "sent"


def set_code() -> None:
    code = play.normalise_code(st.session_state.get("quiz_kiosk_code_input"))
    st.session_state[CODE_KEY] = code
    st.query_params["code"] = code


def setup_screen(problem: str | None = None) -> None:
    """The facilitator types the code once per tablet."""
    st.title("🧩 " + _("Quiz"))
    if problem:
        st.warning(problem, icon="⚠️")
    st.caption(_("Type the code of the tablet quiz from the facilitator's screen."))
    with st.form("quiz_kiosk_setup"):
        st.text_input(_("Code"), max_chars=12, key="quiz_kiosk_code_input")
        st.form_submit_button(
            _("Use this code"), type="primary", width="stretch", on_click=set_code
        )


def start_screen() -> None:
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
            on_click=start_turn,
            args=(language,),
        )


def feedback_screen(feedback: dict, has_next: bool) -> None:
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
        key=turn_key("next"),
        type="primary",
        width="stretch",
        on_click=next_question,
    )


def question_screen(question: play.QuestionView) -> None:
    st.caption(
        _("Question {number} of {total}").format(number=question.number, total=question.total)
    )
    st.subheader(question.text)
    if message := st.session_state.get(ERROR_KEY):
        st.warning(message, icon="⚠️")
    answer_buttons(question, turn_key, submit, submit_multiple)


def end_screen(summary: play.PlayerSummary) -> None:
    st.subheader("🎉 " + _("Well done!"))
    result_and_helplines(summary)
    st.button(
        "➡️ " + _("Next child"),
        key=turn_key("done"),
        type="primary",
        width="stretch",
        on_click=end_turn,
    )


@st.fragment(run_every=30)
def idle_watch() -> None:
    """A child walked away mid-turn: after a few idle minutes the tablet starts over."""
    active_at = st.session_state.get(ACTIVE_KEY)
    if active_at is not None and time.monotonic() - active_at > IDLE_SECONDS:
        end_turn()
        st.rerun()


def talk_section() -> None:
    st.divider()
    st.button(
        "🙋 " + _("I would like to talk to someone"),
        key=turn_key("talk"),
        width="stretch",
        on_click=ask_to_talk,
        help=_("Only your facilitator will know."),
    )
    talk = st.session_state.get(TALK_KEY)
    if talk == "sent":
        st.success(_("Thank you for telling us. Your facilitator will come to you."), icon="🤝")
    elif talk == "no_run":
        st.info(
            _(
                "Please tell your facilitator or another adult you trust that you would like "
                "to talk. They will listen."
            ),
            icon="🤝",
        )


code = device_code()
if not code:
    setup_screen()
    st.stop()

token = st.session_state.get(TOKEN_KEY)
if not token:
    try:
        with transaction() as session:
            info = play.check_code(session, code)
    except ServiceError as error:
        setup_screen(error.message)
        st.stop()
    if info.mode != RunMode.KIOSK:
        setup_screen(
            _("This code is for a quiz your facilitator leads. Open the join page instead.")
        )
        st.stop()
    start_screen()
    talk_section()
    st.stop()

try:
    with transaction() as session:
        view = play.kiosk_state(session, token)
        summary = play.player_summary(session, token) if view.status == RunStatus.FINISHED else None
except NotFound:
    end_turn()
    st.rerun()

feedback = st.session_state.get(FEEDBACK_KEY)
if feedback:
    feedback_screen(feedback, has_next=view.question is not None)
elif summary is not None:
    end_screen(summary)
elif view.question is not None:
    question_screen(view.question)
talk_section()
idle_watch()
