"""What a child sees of a quiz, on a phone (``quiz_join``) or a shared tablet (``quiz_kiosk``): the
large-button style, the answer buttons, the right answer explained, and the end screen with the
helplines. Both pages draw these, so a child sees the same thing on either."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import streamlit as st

from activities.quizzes import play
from activities.quizzes.bank import cost_text, hours_text
from parliament_app.core.i18n import _
from parliament_app.models.quizzes import QuestionType

LETTERS = "ABCDEFGHIJ"


def child_style(button_rem: float, text_rem: float, heading_rem: float) -> None:
    """Hide every staff control and make the buttons big enough for a child's thumb."""
    st.html(
        f"""
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stSidebarNav"], header [data-testid="stToolbar"] {{ display: none !important; }}
  .stButton button, .stFormSubmitButton button {{
      min-height: {button_rem}rem; border-radius: .9rem; }}
  .stButton button p, .stFormSubmitButton button p {{
      font-size: {text_rem}rem; line-height: 1.35; }}
  /* A calm blue, not the theme's red: an answer option must not look like a warning. */
  [data-testid="stBaseButton-primary"], [data-testid="stBaseButton-primaryFormSubmit"] {{
      background-color: #1f5fbf !important; border-color: #1f5fbf !important;
      color: #fff !important; }}
  [data-testid="stBaseButton-primary"]:hover,
  [data-testid="stBaseButton-primaryFormSubmit"]:hover {{
      background-color: #174a96 !important; border-color: #174a96 !important; }}
  .stButton button:focus-visible, .stFormSubmitButton button:focus-visible,
  input:focus-visible {{ outline: 4px solid #f2b705 !important; outline-offset: 2px; }}
  [data-testid="stCheckbox"] label p {{ font-size: {text_rem - 0.05:.2f}rem; }}
  [data-testid="stCheckbox"] label {{ padding: .5rem 0; }}
  .stTextInput input {{ font-size: {text_rem}rem; padding: .7rem; }}
  h3 {{ font-size: {heading_rem}rem !important; line-height: 1.35 !important; }}
</style>
"""
    )


def answer_buttons(
    question: play.QuestionView,
    key: Callable[[str], str],
    on_answer: Callable[[play.QuestionView, list[int]], None],
    on_send_multiple: Callable[[play.QuestionView], None],
) -> None:
    """One big button per option; for "choose every answer that fits", checkboxes and a send
    button. ``key`` names each widget (the kiosk gives every child's turn fresh keys)."""
    if question.type == QuestionType.MULTIPLE:
        st.caption(_("Choose every answer that fits, then send."))
        for index, option in enumerate(question.options):
            st.checkbox(f"{LETTERS[index]}. {option}", key=key(f"multi_{question.id}_{index}"))
        st.button(
            _("Send my answer"),
            key=key(f"answer_send_{question.id}"),
            type="primary",
            width="stretch",
            on_click=on_send_multiple,
            args=(question,),
        )
        return
    for index, option in enumerate(question.options):
        st.button(
            f"{LETTERS[index]}. {option}",
            key=key(f"answer_{question.id}_{index}"),
            type="primary",
            width="stretch",
            on_click=on_answer,
            args=(question, [index]),
        )


def chosen_options(question: play.QuestionView, key: Callable[[str], str]) -> list[int]:
    """The options ticked under ``answer_buttons`` for a "choose every answer" question."""
    return [
        index
        for index in range(len(question.options))
        if st.session_state.get(key(f"multi_{question.id}_{index}"))
    ]


def option_lines(options: list[str], correct: list[int], chosen: list[int]) -> None:
    """The options with the right ones ticked and the child's own choice marked."""
    for index, option in enumerate(options):
        right = index in correct
        line = f"{'✅' if right else '▫️'} **{LETTERS[index]}.** {option}"
        if right:
            line += " — " + _("right answer")
        if index in chosen:
            line += " (" + _("your choice") + ")"
        st.markdown(line)


def result_and_helplines(summary: play.PlayerSummary) -> None:
    """The score as encouragement, never a ranking, then whom to turn to."""
    st.success(summary.message)
    if summary.correct:
        st.markdown(
            _("You knew {correct} of {total} answers.").format(
                correct=summary.correct, total=summary.total
            )
        )
    if summary.speed_bonus and summary.points:
        st.caption(_("Points: {points}").format(points=summary.points))
    st.markdown(
        "**"
        + _("It is never your fault. If something worries you, you can always ask for help:")
        + "**"
    )
    if not summary.helplines:
        st.markdown(_("Talk to your facilitator, a teacher or another adult you trust."))
    elif not any(line.kind == "child" for line in summary.helplines):
        # No children's line could be verified in this country (Kosovo today): say whom to tell
        # rather than promise a line that is not there.
        st.markdown(
            _(
                "We could not confirm a helpline for children in your country. Tell your "
                "facilitator, a teacher or another adult you trust."
            )
        )
    for line in summary.helplines:
        number = line.number.replace(" ", "")
        text = f"📞 [{escape(line.number)}](tel:{number}) — {line.name}"
        if line.description:
            text += f": {line.description}"
        st.markdown(text)
        st.caption(f"{hours_text(line.hours)} · {cost_text(line.free)}")
