"""Join a quiz: an anonymous page, opened from the QR code or by typing the code
(deep link ``quiz_join?code=ABC234``).

Each child picks their own language, joins with a nickname (no account) and follows the
facilitator's questions; a fragment polls the run every two seconds, so the screen changes without
a full reload. The device's secret token lives only in this browser session's ``st.session_state``.
No staff sign-in is used or shown here. "I would like to talk to someone" is on every screen and
tells the facilitator only.
"""

import streamlit as st

from activities.quizzes import play
from parliament_app.core.errors import NotFound, ServiceError
from parliament_app.core.i18n import _, current_language
from parliament_app.models.quizzes import RunMode, RunStatus
from parliament_app.ui.context import apply_language, shown_errors, transaction
from parliament_app.ui.quiz_screens import (
    LETTERS,
    answer_buttons,
    child_style,
    chosen_options,
    option_lines,
    result_and_helplines,
)
from parliament_app.ui.widgets import language_picker

TOKEN_KEY = "quiz_join_token"
GUEST_KEY = "quiz_join_guest_token"  # a child who asked to talk before joining
TALK_KEY = "quiz_join_talk"
FLASH_KEY = "quiz_join_flash"
FEEDBACK_KEY = "quiz_join_feedback"  # self-paced runs: feedback on the last answer

apply_language()  # the child's own choice, ?lang= or the browser; never a staff preference
child_style(button_rem=3.6, text_rem=1.3, heading_rem=1.7)


def flash(kind: str, text: str, question_id: int | None = None) -> None:
    st.session_state[FLASH_KEY] = {"kind": kind, "text": text, "question_id": question_id}


def show_flash(question_id: int | None) -> None:
    message = st.session_state.get(FLASH_KEY)
    if not message:
        return
    if message["question_id"] != question_id:  # the screen moved on
        st.session_state.pop(FLASH_KEY, None)
        return
    getattr(st, message["kind"])(message["text"])


def submit(question: play.QuestionView, chosen: list[int]) -> None:
    apply_language()  # callbacks run before the script sets this run's language
    try:
        with transaction() as session:
            result = play.answer(session, st.session_state.get(TOKEN_KEY), question.id, chosen)
    except ServiceError as error:
        flash("warning", error.message, question.id)
        return
    if result.already_answered:
        flash("info", result.message, question.id)
    elif result.correct is not None:  # a self-paced run: feedback at once
        st.session_state[FEEDBACK_KEY] = {
            "text": question.text,
            "options": list(question.options),
            "correct": result.correct,
            "correct_options": list(result.correct_options),
            "chosen": chosen,
            "explanation": result.explanation,
        }


def widget_key(name: str) -> str:
    return f"quiz_join_{name}"


def submit_multiple(question: play.QuestionView) -> None:
    submit(question, chosen_options(question, widget_key))


def next_question() -> None:
    st.session_state.pop(FEEDBACK_KEY, None)


def ask_to_talk() -> None:
    apply_language()
    token = st.session_state.get(TOKEN_KEY) or st.session_state.get(GUEST_KEY)
    try:
        with transaction() as session:
            if token and play.player_for_token(session, token) is not None:
                play.talk_request(session, token)
            else:
                code = st.query_params.get("code") or st.session_state.get("quiz_join_code")
                _guest, guest_token = play.guest_talk_request(session, code, current_language())
                st.session_state[GUEST_KEY] = guest_token
    except ServiceError:
        st.session_state[TALK_KEY] = "no_run"
        return
    st.session_state[TALK_KEY] = "sent"


def leave() -> None:
    for key in (TOKEN_KEY, FLASH_KEY, FEEDBACK_KEY, TALK_KEY):
        st.session_state.pop(key, None)


def end_screen(summary: play.PlayerSummary) -> None:
    st.subheader("🎉 " + _("Well done, {nickname}!").format(nickname=summary.nickname))
    result_and_helplines(summary)
    st.button(_("Leave the quiz"), key="quiz_join_leave", on_click=leave)


st.title("🧩 " + _("Quiz"))
language_picker(key="quiz_join_language")

token = st.session_state.get(TOKEN_KEY)
if token:
    with transaction() as session:
        if play.player_for_token(session, token) is None:
            leave()
            token = None
        else:
            play.set_player_language(session, token, current_language())

if not token:
    st.caption(_("Type the code from your facilitator's screen and choose a nickname."))
    with st.form("quiz_join_form"):
        code = st.text_input(
            _("Code"), value=st.query_params.get("code", ""), max_chars=12, key="quiz_join_code"
        )
        nickname = st.text_input(
            _("Your nickname"),
            max_chars=play.NICKNAME_MAX_LENGTH,
            key="quiz_join_nickname",
            help=_("Not your real name: any fun name you like."),
        )
        joined = st.form_submit_button(
            _("Join"), type="primary", width="stretch", key="quiz_join_submit"
        )
    if joined:
        with shown_errors():
            with transaction() as session:
                _player, new_token = play.join(session, code, nickname, current_language())
            st.session_state[TOKEN_KEY] = new_token
            st.session_state.pop(FLASH_KEY, None)
            st.rerun()
else:

    @st.fragment(run_every=2)
    def live_screen() -> None:
        token = st.session_state.get(TOKEN_KEY)
        try:
            with transaction() as session:
                view = play.state_for_player(session, token)
                summary = (
                    play.player_summary(session, token)
                    if view.status == RunStatus.FINISHED
                    else None
                )
        except NotFound:
            leave()
            st.rerun()
        question = view.question
        feedback = st.session_state.get(FEEDBACK_KEY)
        if feedback and view.mode == RunMode.KIOSK:
            st.subheader(feedback["text"])
            if feedback["correct"]:
                st.success(_("That is right!"), icon="🎉")
            else:
                st.info(_("Good try! Here is the answer."), icon="🌱")
            option_lines(feedback["options"], feedback["correct_options"], feedback["chosen"])
            if feedback["explanation"]:
                st.info(feedback["explanation"], icon="💡")
            st.button(
                _("Next question") if question is not None else _("See my result"),
                key="quiz_join_next",
                type="primary",
                width="stretch",
                on_click=next_question,
            )
            return
        if view.status == RunStatus.FINISHED and summary is not None:
            end_screen(summary)
            return
        st.caption(_("You play as {nickname}").format(nickname=view.nickname))
        if question is None:
            st.subheader(_("Hello, {nickname}!").format(nickname=view.nickname))
            st.info(_("Wait a moment: your facilitator will start the first question."), icon="⏳")
            return
        st.caption(
            _("Question {number} of {total}").format(number=question.number, total=question.total)
        )
        st.subheader(question.text)
        show_flash(question.id)
        if view.status == RunStatus.REVEAL:
            option_lines(question.options, list(view.correct_options), list(view.chosen))
            if view.own_correct is True:
                st.success(_("You got it right!"), icon="🎉")
            elif view.own_correct is False:
                st.info(_("Not this time, but now you know!"), icon="🌱")
            else:
                st.info(_("You did not answer this one. That is all right."), icon="🌱")
            if view.explanation:
                st.info(view.explanation, icon="💡")
            st.caption(_("Wait for the next question."))
        elif view.answered:
            st.success(_("Thank you! Your answer is saved."), icon="✅")
            st.caption(
                _("You chose: {options}").format(
                    options=", ".join(LETTERS[index] for index in view.chosen)
                )
            )
        else:
            answer_buttons(question, widget_key, submit, submit_multiple)

    live_screen()

st.divider()
st.button(
    "🙋 " + _("I would like to talk to someone"),
    key="quiz_join_talk_button",
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
            "Please tell your facilitator or another adult you trust that you would like to "
            "talk. They will listen."
        ),
        icon="🤝",
    )
