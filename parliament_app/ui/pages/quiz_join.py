"""Join a quiz: an anonymous page, opened from the QR code or by typing the code
(deep link ``quiz_join?code=ABC234``).

Each child picks their own language, joins with a nickname (no account) and follows the
facilitator's questions; a fragment polls the run every two seconds, so the screen changes without
a full reload. The device's secret token lives only in this browser session's ``st.session_state``.
No staff sign-in is used or shown here. "I would like to talk to someone" is on every screen and
tells the facilitator only.
"""

from __future__ import annotations

import streamlit as st

from activities.quizzes import play
from activities.quizzes.play.views import PlayerView
from parliament_app.core.errors import NotFound, ServiceError
from parliament_app.core.i18n import _, current_language
from parliament_app.models.quizzes import RunMode, RunStatus
from parliament_app.ui.activities_widgets import (
    TalkKeys,
    ask_to_talk,
    feedback_screen,
    talk_section,
)
from parliament_app.ui.context import apply_language, fragment, shown_errors, transaction
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
TALK_KEYS = TalkKeys(token=TOKEN_KEY, guest=GUEST_KEY, talk=TALK_KEY)


def render() -> None:
    apply_language()  # the child's own choice, ?lang= or the browser; never a staff preference
    child_style(button_rem=3.6, text_rem=1.3, heading_rem=1.7)
    st.title("🧩 " + _("Quiz"))
    language_picker(key="quiz_join_language")
    if _joined_token():
        _live_screen()
    else:
        _join_form()
    talk_section("quiz_join_talk_button", _ask_to_talk, TALK_KEY)


# ----------------------------------------------------------------------------- callbacks


def _flash(kind: str, text: str, question_id: int | None = None) -> None:
    st.session_state[FLASH_KEY] = {"kind": kind, "text": text, "question_id": question_id}


def _show_flash(question_id: int | None) -> None:
    message = st.session_state.get(FLASH_KEY)
    if not message:
        return
    if message["question_id"] != question_id:  # the screen moved on
        st.session_state.pop(FLASH_KEY, None)
        return
    getattr(st, message["kind"])(message["text"])


def _submit(question: play.QuestionView, chosen: list[int]) -> None:
    apply_language()  # callbacks run before the script sets this run's language
    try:
        with transaction() as session:
            result = play.answer(session, st.session_state.get(TOKEN_KEY), question.id, chosen)
    except ServiceError as error:
        _flash("warning", error.message, question.id)
        return
    if result.already_answered:
        _flash("info", result.message, question.id)
    elif result.correct is not None:  # a self-paced run: feedback at once
        st.session_state[FEEDBACK_KEY] = {
            "text": question.text,
            "options": list(question.options),
            "correct": result.correct,
            "correct_options": list(result.correct_options),
            "chosen": chosen,
            "explanation": result.explanation,
        }


def _widget_key(name: str) -> str:
    return f"quiz_join_{name}"


def _submit_multiple(question: play.QuestionView) -> None:
    _submit(question, chosen_options(question, _widget_key))


def _next_question() -> None:
    st.session_state.pop(FEEDBACK_KEY, None)


def _ask_to_talk() -> None:
    apply_language()
    ask_to_talk(TALK_KEYS, st.query_params.get("code") or st.session_state.get("quiz_join_code"))


def _leave() -> None:
    for key in (TOKEN_KEY, FLASH_KEY, FEEDBACK_KEY, TALK_KEY):
        st.session_state.pop(key, None)


# ----------------------------------------------------------------------------- screens


def _joined_token() -> str | None:
    """This browser's player token, forgotten when its player is gone; the player's language
    follows the one chosen on this page."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        with transaction() as session:
            if play.player_for_token(session, token) is None:
                _leave()
                return None
            play.set_player_language(session, token, current_language())
    return token


def _join_form() -> None:
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


@fragment(run_every=2)
def _live_screen() -> None:
    view, summary = _player_state(st.session_state.get(TOKEN_KEY))
    question = view.question
    feedback = st.session_state.get(FEEDBACK_KEY)
    if feedback and view.mode == RunMode.KIOSK:
        feedback_screen(feedback, question is not None, "quiz_join_next", _next_question)
        return
    if view.status == RunStatus.FINISHED and summary is not None:
        _end_screen(summary)
        return
    st.caption(_("You play as {nickname}").format(nickname=view.nickname))
    if question is None:
        st.subheader(_("Hello, {nickname}!").format(nickname=view.nickname))
        st.info(_("Wait a moment: your facilitator will start the first question."), icon="⏳")
        return
    _question_screen(view, question)


def _player_state(token: str | None) -> tuple[PlayerView, play.PlayerSummary | None]:
    """The run as this player sees it, and their result once it is finished; a player who is
    gone starts over."""
    try:
        with transaction() as session:
            view = play.state_for_player(session, token)
            summary = (
                play.player_summary(session, token) if view.status == RunStatus.FINISHED else None
            )
    except NotFound:
        _leave()
        st.rerun()
    return view, summary


def _question_screen(view: PlayerView, question: play.QuestionView) -> None:
    st.caption(
        _("Question {number} of {total}").format(number=question.number, total=question.total)
    )
    st.subheader(question.text)
    _show_flash(question.id)
    if view.status == RunStatus.REVEAL:
        _revealed(view, question)
    elif view.answered:
        st.success(_("Thank you! Your answer is saved."), icon="✅")
        st.caption(
            _("You chose: {options}").format(
                options=", ".join(LETTERS[index] for index in view.chosen)
            )
        )
    else:
        answer_buttons(question, _widget_key, _submit, _submit_multiple)


def _revealed(view: PlayerView, question: play.QuestionView) -> None:
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


def _end_screen(summary: play.PlayerSummary) -> None:
    st.subheader("🎉 " + _("Well done, {nickname}!").format(nickname=summary.nickname))
    result_and_helplines(summary)
    st.button(_("Leave the quiz"), key="quiz_join_leave", on_click=_leave)


if __name__ == "__main__":
    render()
