"""Quizzes for facilitators: start a run for a group, show its join code and QR code, and lead it
question by question. The live panel refreshes itself every two seconds (a fragment, no page
flicker). This screen is often projected: it shows counts and anonymous distributions only;
who asked to talk and the links between nicknames and children stay hidden until opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from activities.quizzes import play
from activities.quizzes.play.views import HostView, PlayerRow, RunResults, TalkRequestView
from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    N_,
    _,
    format_datetime,
    format_percent,
    ngettext,
)
from parliament_app.core.qr import qr_png
from parliament_app.models import Group
from parliament_app.models.quizzes import QuizRun, RunMode, RunPhase, RunStatus
from parliament_app.ui.context import fragment, page_user, shown_errors, transaction
from parliament_app.ui.quiz_screens import LETTERS
from parliament_app.ui.widgets import choice, empty_state, figures

RUN_KEY = "quiz_host_run"
FLASH_KEY = "quiz_host_flash"

MODE_LABELS = {
    RunMode.LIVE: N_("Live: I lead the group question by question"),
    RunMode.KIOSK: N_("Tablet: children play one after another at their own pace"),
}
PHASE_LABELS = {
    RunPhase.PRACTICE: N_("Practice"),
    RunPhase.PRE: N_("Before the workshop"),
    RunPhase.POST: N_("After the workshop"),
}
STATUS_LABELS = {
    RunStatus.LOBBY: N_("Waiting for children to join"),
    RunStatus.QUESTION: N_("Question open"),
    RunStatus.REVEAL: N_("Answers shown"),
    RunStatus.FINISHED: N_("Finished"),
}
STYLE = """
<style>
  .quiz-code { font: 700 4.5rem/1.1 ui-monospace, "DejaVu Sans Mono", monospace;
               letter-spacing: .35em; padding: .3em .2em; }
  .stButton button p { font-size: 1.1rem; }
  .stButton button { min-height: 3rem; }
  .stButton button:focus-visible { outline: 4px solid #f2b705 !important; }
</style>
"""


@dataclass(frozen=True)
class NewRun:
    """What the start form asks for."""

    group_id: int
    age_band: str
    topics: list[str]
    question_count: int
    mode: RunMode
    phase: RunPhase
    speed_bonus: bool


def render() -> None:
    st.html(STYLE)
    groups, run_labels = _groups_and_runs()
    st.title("🧩 " + _("Run a quiz"))
    st.caption(
        _(
            "Start a quiz for your group. Children join on a phone or a shared tablet with a "
            "nickname; their results stay anonymous."
        )
    )
    _flash()
    with st.expander("➕ " + _("Start a quiz"), expanded=not run_labels):
        _start_a_quiz(groups)
    if not run_labels:
        st.stop()
    run_id = _chosen_run(run_labels)
    _join_details(run_id)
    _live_panel(run_id)
    with st.expander("🔗 " + _("Link nicknames to children (keep this off the projector)")):
        _nicknames_and_children(run_id)


def _band_label(band: str) -> str:
    low, high = band.split("-")
    return _("Ages {low}–{high}").format(low=low, high=high)


def _page_address(page: str, code: str) -> str:
    """The link children open: absolute when the browser told us where the app runs."""
    relative = f"{page}?code={code}"
    url = st.context.url
    if not url:
        return relative
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return relative
    base_path = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{base_path}/{page}", f"code={code}", ""))


def _act(action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a facilitator action from a button; a refusal becomes a message."""
    try:
        with transaction() as session:
            action(session, page_user(session), *args, **kwargs)
    except ServiceError as error:
        st.session_state[FLASH_KEY] = ("warning", error.message)


def _flash() -> None:
    if message := st.session_state.pop(FLASH_KEY, None):
        kind, text = message
        getattr(st, kind)(text)


# ----------------------------------------------------------------------------- start a run


def _groups_and_runs() -> tuple[dict[int, str], dict[int, str]]:
    """The groups the user may start a quiz for, and their recent runs (newest first) as
    "code · group · started · status"."""
    with transaction() as session:
        user = page_user(session)
        groups = {group.id: group.name for group in play.startable_groups(session, user)}
        run_labels = {run.id: _run_label(session, run) for run in play.host_runs(session, user)}
    return groups, run_labels


def _run_label(session: Session, run: QuizRun) -> str:
    group = session.get(Group, run.group_id) if run.group_id else None
    return "{code} · {group} · {started} · {status}".format(
        code=run.join_code,
        group=group.name if group else "—",
        started=format_datetime(run.created_at, "short"),
        status=_(STATUS_LABELS[run.status]),
    )


def _start_a_quiz(groups: dict[int, str]) -> None:
    if not groups:
        empty_state(_("You can start a quiz for a group you lead."))
        return
    band = st.selectbox(
        _("Age band"), play.AGE_BANDS, format_func=_band_label, key="quiz_host_band"
    )
    with transaction() as session:
        topics = play.available_topics(session, band)
    if not topics:
        empty_state(
            _(
                "There are no questions for this age band yet. An administrator can load "
                "the question bank."
            )
        )
        return
    new_run = _start_form(groups, band, topics)
    if new_run is not None:
        _start_run(new_run)


def _start_form(groups: dict[int, str], band: str, topics: list[str]) -> NewRun | None:
    """The start form; what it asks for once it is sent."""
    with st.form("quiz_host_start"):
        group_id = choice(_("Group"), list(groups), groups.__getitem__, key="quiz_host_group")
        chosen_topics = st.multiselect(
            _("Topics"),
            topics,
            format_func=play.topic_label,
            placeholder=_("All topics"),
            key="quiz_host_topics",
        )
        question_count = st.number_input(
            _("Number of questions"),
            min_value=1,
            max_value=play.MAX_QUESTIONS,
            value=8,
            key="quiz_host_count",
        )
        mode = st.radio(
            _("How do the children play?"),
            list(RunMode),
            format_func=lambda value: _(MODE_LABELS[value]),
            key="quiz_host_mode",
        )
        phase = choice(
            _("When"),
            list(PHASE_LABELS),
            lambda value: _(PHASE_LABELS[value]),
            key="quiz_host_phase",
        )
        speed_bonus = False
        if band in play.SPEED_BONUS_BANDS:
            speed_bonus = st.checkbox(
                _("Speed bonus: faster right answers earn more points"),
                key="quiz_host_speed",
                help=_("Only for ages 15–18. Without it, every right answer is one point."),
            )
        start = st.form_submit_button(
            _("Start the quiz"), type="primary", key="quiz_host_start_submit"
        )
    if not start:
        return None
    return NewRun(group_id, band, chosen_topics, int(question_count), mode, phase, speed_bonus)


def _start_run(new: NewRun) -> None:
    with shown_errors():
        with transaction() as session:
            new_run = play.start_run(
                session,
                page_user(session),
                group_id=new.group_id,
                age_band=new.age_band,
                topics=new.topics,
                question_count=new.question_count,
                mode=new.mode,
                phase=new.phase,
                speed_bonus=new.speed_bonus,
            )
            new_id, new_code = new_run.id, new_run.join_code
        st.session_state[RUN_KEY] = new_id
        st.session_state[FLASH_KEY] = (
            "success",
            _("The quiz is ready. Join code: {code}").format(code=new_code),
        )
        st.rerun()


# ----------------------------------------------------------------------------- the chosen run


def _chosen_run(run_labels: dict[int, str]) -> int:
    if st.session_state.get(RUN_KEY) not in run_labels:
        st.session_state[RUN_KEY] = next(iter(run_labels))
    return st.selectbox(
        _("Quiz"), list(run_labels), format_func=run_labels.__getitem__, key=RUN_KEY
    )


def _join_details(run_id: int) -> None:
    """The join code, the link and its QR code."""
    with transaction() as session:
        view = play.host_view(session, page_user(session), run_id)
    join_page = "quiz_kiosk" if view.mode == RunMode.KIOSK else "quiz_join"
    address = _page_address(join_page, view.join_code)
    code_column, qr_column = st.columns([3, 2])
    with code_column:
        _join_code(view, address)
    with qr_column:
        if address.startswith("http"):
            # Only the public link goes into the QR code: never a name or a token.
            st.image(
                qr_png(address),
                caption=_("Scan to open it on the tablet")
                if view.mode == RunMode.KIOSK
                else _("Scan to join"),
                width=260,
            )


def _join_code(view: HostView, address: str) -> None:
    st.subheader(_("Join code"))
    st.html(f'<div class="quiz-code">{view.join_code}</div>')
    if view.mode == RunMode.KIOSK:
        st.markdown(_("Open this link on the tablet: {address}").format(address=f"`{address}`"))
        st.caption(
            _("Open it in a browser where nobody is signed in, so children never see staff pages.")
        )
    else:
        st.markdown(
            _("Scan the QR code, or open {address} and type the code.").format(
                address=f"`{address}`"
            )
        )
    st.caption(
        _("{phase} · {band} · the code works until {time}").format(
            phase=_(PHASE_LABELS[view.phase]),
            band=_band_label(view.age_band),
            time=format_datetime(view.expires_at, "short"),
        )
    )
    if view.expired:
        st.warning(_("This code has expired: nobody new can join."), icon="⏰")


# ----------------------------------------------------------------------------- the live panel


@fragment(run_every=2)
def _live_panel(run_id: int) -> None:
    with transaction() as session:
        user = page_user(session)
        view = play.host_view(session, user, run_id)
        requests = play.open_talk_requests(session, user, run_id) if view.open_talk_requests else []
        results = (
            play.run_results(session, user, run_id)
            if view.status == RunStatus.FINISHED or view.mode == RunMode.KIOSK
            else None
        )
    if requests:
        _talk_requests(requests)
    _progress(view)
    question = view.question
    if view.mode == RunMode.LIVE and question is not None and view.status != RunStatus.FINISHED:
        _live_question(view, question)
    if view.status != RunStatus.FINISHED:
        _controls(view, run_id)
    if results is not None and results.questions:
        _results(results)


def _talk_requests(requests: list[TalkRequestView]) -> None:
    count = len(requests)
    st.warning(
        "🙋 "
        + ngettext(
            "Someone would like to talk to you.",
            "{count} children would like to talk to you.",
            count,
        ).format(count=count)
        + " "
        + _("Go to them when you can, then press Seen."),
        icon="🔔",
    )
    show = st.toggle(_("Show who (keep this off the projector)"), key="quiz_host_show_talk")
    for request in requests:
        name_column, button_column = st.columns([4, 1])
        name_column.markdown(
            "**{who}** · {time}".format(
                who=request.nickname if show else "•••",
                time=format_datetime(request.created_at, "short"),
            )
        )
        button_column.button(
            _("Seen"),
            key=f"quiz_host_seen_{request.id}",
            on_click=_act,
            args=(play.mark_talk_request_seen, request.id),
        )


def _progress(view: HostView) -> None:
    st.markdown("**" + _(STATUS_LABELS[view.status]) + "**")
    if view.mode == RunMode.KIOSK:
        figures(
            [
                (_("Children who started"), view.players),
                (_("Children who finished"), view.finished_players),
                (_("Answers"), view.answered),
            ]
        )
    else:
        figures([(_("Players"), view.players), (_("Answered"), view.answered)])


def _live_question(view: HostView, question: play.QuestionView) -> None:
    st.caption(
        _("Question {number} of {total}").format(number=question.number, total=question.total)
    )
    st.subheader(question.text)
    for index, option in enumerate(question.options):
        right = view.status == RunStatus.REVEAL and index in view.correct_options
        st.markdown(
            f"{'✅' if right else '▫️'} **{LETTERS[index]}.** {option}"
            + (" — " + _("right answer") if right else "")
        )
    if view.status == RunStatus.REVEAL:
        _answer_chart(view)
        if view.explanation:
            st.info(view.explanation, icon="💡")


def _answer_chart(view: HostView) -> None:
    """How many children chose each option, anonymously; by language on request."""
    split = st.toggle(_("Split by language"), key="quiz_host_split")
    labels = [
        LETTERS[index] + (" ✓" if index in view.correct_options else "")
        for index in range(len(view.distribution))
    ]
    if split and view.distribution_by_language:
        data = pd.DataFrame(
            {
                LANGUAGE_NAMES.get(language, language): list(counts)
                for language, counts in view.distribution_by_language.items()
            },
            index=labels,
        )
    else:
        data = pd.DataFrame({_("Answers"): list(view.distribution)}, index=labels)
    st.bar_chart(data, x_label=_("Answer"), y_label=_("Children"))


def _controls(view: HostView, run_id: int) -> None:
    columns = st.columns(3)
    if view.mode == RunMode.LIVE:
        if view.status in (RunStatus.LOBBY, RunStatus.REVEAL) and not view.is_last_question:
            columns[0].button(
                _("Open the first question")
                if view.status == RunStatus.LOBBY
                else _("Open next question"),
                key="quiz_host_next",
                type="primary",
                width="stretch",
                on_click=_act,
                args=(play.open_next_question, run_id),
                kwargs={"after_index": view.index},
            )
        if view.status == RunStatus.QUESTION:
            columns[1].button(
                _("Show answers"),
                key="quiz_host_reveal",
                type="primary",
                width="stretch",
                on_click=_act,
                args=(play.reveal, run_id),
            )
    columns[2].button(
        _("Finish the quiz"),
        key="quiz_host_finish",
        width="stretch",
        on_click=_act,
        args=(play.finish, run_id),
    )


def _results(results: RunResults) -> None:
    st.subheader(_("Results"))
    st.caption(_("Anonymous: how many children answered each question, and how many right."))
    st.dataframe(
        [
            {
                _("Question"): result.index + 1,
                _("Text"): result.text,
                _("Answered"): result.answered,
                _("Right"): format_percent(result.share_correct)
                if result.share_correct is not None
                else "—",
            }
            for result in results.questions
        ],
        hide_index=True,
        width="stretch",
    )


# ----------------------------------------------------------------------------- nicknames


def _nicknames_and_children(run_id: int) -> None:
    with transaction() as session:
        user = page_user(session)
        players = play.host_players(session, user, run_id)
        children = dict(play.enrolled_children(session, user, run_id))
    st.caption(
        _(
            "Link a nickname to the child's attendance record. Children never see these "
            "links, and other children never see anyone's answers."
        )
    )
    if not players:
        empty_state(_("Nobody has joined yet."))
    elif not children:
        empty_state(_("No children are enrolled in this group."))
    else:
        _players_table(players, children)
        _link_form(run_id, players, children)


def _players_table(players: list[PlayerRow], children: dict[int, str]) -> None:
    st.dataframe(
        [
            {
                _("Nickname"): player.nickname,
                _("Language"): LANGUAGE_NAMES.get(player.language, player.language),
                _("Child"): children.get(player.child_id, "—") if player.child_id else "—",
            }
            for player in players
        ],
        hide_index=True,
        width="stretch",
    )


def _link_form(run_id: int, players: list[PlayerRow], children: dict[int, str]) -> None:
    nicknames = {player.id: player.nickname for player in players}
    with st.form("quiz_host_link"):
        player_id = choice(
            _("Nickname"), list(nicknames), nicknames.__getitem__, key="quiz_host_link_player"
        )
        child_id = choice(
            _("Child"),
            [None, *children],
            lambda value: _("— not linked —") if value is None else children[value],
            key="quiz_host_link_child",
        )
        link = st.form_submit_button(_("Save the link"), key="quiz_host_link_submit")
    if link:
        with shown_errors():
            with transaction() as session:
                play.link_player_to_child(session, page_user(session), run_id, player_id, child_id)
            st.session_state[FLASH_KEY] = ("success", _("The link is saved."))
            st.rerun()


if __name__ == "__main__":
    render()
