"""Quiz results: what children learned between the pre and post quizzes, and how each question
works (share correct, discrimination, differences between languages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from activities.quizzes.gain import (
    AGE_BANDS,
    MIN_DISCRIMINATION_ANSWERS,
    SMALL,
    SMALL_CELL,
    GainReport,
    QuestionStat,
    gain_csv,
    gain_xlsx,
    knowledge_gain,
    question_stats,
    question_stats_csv,
    question_texts,
)
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import _, format_date, format_decimal, format_number, format_percent
from parliament_app.groups.diversity.report import school_terms
from parliament_app.groups.services import list_groups
from parliament_app.models import Role
from parliament_app.policy.quizzes import LEVEL_MY_GROUPS, LEVEL_PROGRAMME
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.widgets import empty_state

WEAK_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    group_id: int | None
    age_band: str | None


@dataclass(frozen=True)
class Results:
    report: GainReport
    stats: list[QuestionStat]
    texts: dict[int, str]


def render() -> None:
    terms = school_terms(local_today(), count=4)
    st.title(_("Quiz results"))
    st.caption(
        _(
            "What children learned between the quiz at the start and the quiz at the end, and "
            "how well each question works in every language."
        )
    )
    role, group_names = _viewer()
    filters = _filters(terms, role, group_names)
    if role == Role.SCHOOL_COORDINATOR:
        st.caption(_("School coordinators see figures for the whole programme, not single groups."))
    results = _results(filters)
    _what_is_shown(results.report, group_names, filters.group_id)
    if not results.report.rows and not results.report.waiting and not results.stats:
        _nothing_played()
        st.stop()
    _knowledge_gain(results.report)
    _questions(results.stats, results.texts)
    _downloads(results, filters)


# ----------------------------------------------------------------------------- formatting


def _share(value: float | None) -> str:
    return SMALL if value is None else format_percent(value)


def _children(value: int) -> str:
    return format_number(value) if value >= SMALL_CELL else SMALL


def _points(value: float | None) -> str:
    """A gain in percentage points, with its sign."""
    if value is None:
        return SMALL
    rounded = round(value * 100)
    return ("+" if rounded > 0 else "") + format_number(rounded)


def _topic_name(topic: str) -> str:
    return topic.replace("_", " ").capitalize()


# ----------------------------------------------------------------------------- filters


def _viewer() -> tuple[Role, dict[int, str]]:
    """The signed-in user's role and the groups they may choose (administrators and
    facilitators only)."""
    with transaction() as session:
        user = page_user(session)
        role = user.role
        groups = (
            [(group.id, group.name) for group in list_groups(session, user)]
            if role in (Role.ADMINISTRATOR, Role.FACILITATOR)
            else []
        )
    return role, dict(groups)


def _filters(
    terms: list[tuple[str, date, date]], role: Role, group_names: dict[int, str]
) -> Filters:
    with st.form("quiz_results_filters"):
        left, middle, right = st.columns(3)
        term_labels = [label for label, _start, _end in terms]
        term = left.selectbox(_("School term"), term_labels, index=len(term_labels) - 1)
        group_id = None
        if role in (Role.ADMINISTRATOR, Role.FACILITATOR):
            everything = _("Whole programme") if role == Role.ADMINISTRATOR else _("All my groups")
            group_id = middle.selectbox(
                _("Group"),
                [None, *group_names],
                format_func=lambda key: everything if key is None else group_names[key],
            )
        age_band = right.selectbox(
            _("Age band (questions)"),
            [None, *AGE_BANDS],
            format_func=lambda band: _("All age bands") if band is None else band,
        )
        st.form_submit_button(_("Show the results"), type="primary")
    start, end = next((first, last) for label, first, last in terms if label == term)
    return Filters(start=start, end=end, group_id=group_id, age_band=age_band)


def _results(filters: Filters) -> Results:
    """The knowledge gain and the question statistics; a refusal is shown and stops the page."""
    report = stats = texts = None
    with shown_errors(), transaction() as session:
        actor = page_user(session)
        report = knowledge_gain(
            session, actor, group_id=filters.group_id, start=filters.start, end=filters.end
        )
        stats = question_stats(
            session, actor, filters.start, filters.end, filters.age_band, group_id=filters.group_id
        )
        texts = question_texts(session, [stat.question_id for stat in stats])
    if report is None or stats is None:
        st.stop()
    return Results(report=report, stats=stats, texts=texts)


def _what_is_shown(report: GainReport, group_names: dict[int, str], group_id: int | None) -> None:
    scope = {
        LEVEL_PROGRAMME: _("the whole programme"),
        LEVEL_MY_GROUPS: _("all your groups"),
    }.get(report.level) or group_names.get(group_id, "")
    st.caption(
        _("Term: {start} – {end} · Showing: {scope}").format(
            start=format_date(report.start), end=format_date(report.end), scope=scope
        )
    )


def _nothing_played() -> None:
    empty_state(
        _(
            "No quiz was played in this term yet. To measure what children learn, run a quiz "
            "marked “pre” with a group at the start of the term and one marked “post” with the "
            "same group at the end. After each quiz, link the players' nicknames to the "
            "children in the register so their answers can be compared."
        )
    )


# ----------------------------------------------------------------------------- knowledge gain


def _knowledge_gain(report: GainReport) -> None:
    st.subheader(_("Knowledge gain"))
    st.markdown(
        _(
            "**Paired gain** follows the same children: those whose nickname was linked to the "
            "register and who took both the pre and the post quiz. It is their average score "
            "after minus their average score before, and the most reliable figure.\n\n"
            "**Group-level gain** compares everyone who played, linked or not: the share of "
            "correct answers in the post quiz minus the share in the pre quiz. Different "
            "children may have played each time, so read it as an indication.\n\n"
            "Gains are in percentage points: +40 means, for example, from 40% to 80% correct."
        )
    )
    _waiting_topics(report)
    if not report.rows:
        empty_state(
            _(
                "No group took both a pre and a post quiz on the same topic in this term. Run a "
                "quiz marked “pre” at the start of the term and one marked “post” at the end."
            )
        )
        return
    _gain_chart(report)
    _gain_table(report)


def _waiting_topics(report: GainReport) -> None:
    for waiting in report.waiting:
        message = (
            _("{topic} ({band}): the pre quiz was played; the gain appears after the post quiz.")
            if waiting.phases == ("pre",)
            else _("{topic} ({band}): only a post quiz was played; the gain needs a pre quiz too.")
            if waiting.phases == ("post",)
            else _(
                "{topic} ({band}): no group has played both the pre and the post quiz yet; the "
                "gain compares the same group before and after."
            )
        )
        st.info(message.format(topic=_topic_name(waiting.topic), band=waiting.age_band), icon="⏳")


def _gain_chart(report: GainReport) -> None:
    before, after = _("Before (pre quiz)"), _("After (post quiz)")
    topic_label, share_label, quiz_label = _("Topic"), _("Correct answers (%)"), _("Quiz")
    bars = pd.DataFrame(
        [
            {
                topic_label: f"{_topic_name(row.topic)} ({row.age_band})",
                quiz_label: label,
                share_label: round(value * 100, 1),
            }
            for row in report.rows
            for label, value in ((before, row.pre_share), (after, row.post_share))
            if row.pre_share is not None and row.post_share is not None
        ]
    )
    if not bars.empty:
        st.bar_chart(bars, x=topic_label, y=share_label, color=quiz_label, stack=False)
        st.caption(_("Share of correct answers of everyone who played, before and after."))


def _gain_table(report: GainReport) -> None:
    st.dataframe(
        [
            {
                _("Age band"): row.age_band,
                _("Topic"): _topic_name(row.topic),
                _("Groups"): format_number(row.groups),
                _("Paired: children"): _children(row.n_paired),
                _("Paired: before"): _share(row.paired_pre),
                _("Paired: after"): _share(row.paired_post),
                _("Paired gain (points)"): _points(row.paired_gain),
                _("Group-level: children before"): _children(row.n_pre),
                _("Group-level: children after"): _children(row.n_post),
                _("Group-level: before"): _share(row.pre_share),
                _("Group-level: after"): _share(row.post_share),
                _("Group-level gain (points)"): _points(row.group_gain),
                _("Notes"): " ".join(
                    reason for reason in (row.paired_reason, row.group_reason) if reason
                )
                or "—",
            }
            for row in report.rows
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _(
            "{small}: fewer than {n} children: hidden to protect them. The number of children "
            "behind each figure is shown next to it."
        ).format(small=SMALL, n=SMALL_CELL)
    )


# ----------------------------------------------------------------------------- questions


def _questions(stats: list[QuestionStat], texts: dict[int, str]) -> None:
    st.subheader(_("Questions"))
    st.markdown(
        _(
            "**Share correct**: how many answers were right. **Discrimination** (from −1 to 1): "
            "whether children who did well on the rest of the quiz also got this question "
            "right. Above {good} the question separates well; near 0 or negative, it may be "
            "confusing or its answer key may be wrong. It needs at least {n} answers.\n\n"
            "A question much harder in one language than in the others suggests a translation "
            "problem."
        ).format(good=format_decimal(0.3, 1), n=MIN_DISCRIMINATION_ANSWERS)
    )
    if not stats:
        empty_state(_("No question was answered in this term with these filters."))
        return
    _translation_warnings(stats, texts)
    _question_table(stats, texts)


def _translation_warnings(stats: list[QuestionStat], texts: dict[int, str]) -> None:
    for stat in stats:
        warning = stat.translation_warning
        if warning is not None:
            st.warning(
                _(
                    "Check the translation of “{question}” ({key}) in {language}: "
                    "{share} correct in {language} ({answers} answers) against {others} in the "
                    "other languages ({others_answers} answers)."
                ).format(
                    question=texts.get(stat.question_id, stat.key),
                    key=stat.key,
                    language=warning.language,
                    share=format_percent(warning.share_correct),
                    answers=format_number(warning.answers),
                    others=format_percent(warning.others_share_correct),
                    others_answers=format_number(warning.others_answers),
                ),
                icon="⚠️",
            )


def _discrimination_text(value: float | None) -> str:
    if value is None:
        return "—"
    text = format_decimal(value)
    if value < WEAK_DISCRIMINATION:
        return _("{value} (weak: check the question)").format(value=text)
    return text


def _languages_text(stat: QuestionStat) -> str:
    return " · ".join(
        _("{language}: {share} of {answers}").format(
            language=entry.language,
            share=_share(entry.share_correct),
            answers=_children(entry.answers),
        )
        for entry in stat.languages
    )


def _question_table(stats: list[QuestionStat], texts: dict[int, str]) -> None:
    st.dataframe(
        [
            {
                _("Question"): texts.get(stat.question_id, stat.key),
                _("Key"): stat.key,
                _("Age band"): stat.age_band,
                _("Topic"): _topic_name(stat.topic),
                _("Answers"): _children(stat.answers),
                _("Share correct"): _share(stat.share_correct),
                _("Discrimination"): _discrimination_text(stat.discrimination),
                _("By language"): _languages_text(stat),
                _("Translation check"): (
                    _("⚠️ Much harder in {language}: check the translation").format(
                        language=stat.translation_warning.language
                    )
                    if stat.translation_warning
                    else _("No difference found")
                ),
            }
            for stat in stats
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _("{small}: fewer than {n} answers: hidden to protect the children.").format(
            small=SMALL, n=SMALL_CELL
        )
    )


# ----------------------------------------------------------------------------- downloads


def _downloads(results: Results, filters: Filters) -> None:
    """Each file is built only when the person clicks, so only real downloads are audited as
    exports."""
    report, stats, start = results.report, results.stats, filters.start
    st.subheader(_("Downloads"))
    first, second, third = st.columns(3)
    first.download_button(
        _("Knowledge gain (CSV)"),
        deferred(lambda session, actor: gain_csv(session, actor, report)),
        file_name=f"knowledge-gain-{start.isoformat()}.csv",
        mime="text/csv",
        disabled=not report.rows,
    )
    second.download_button(
        _("Knowledge gain (Excel)"),
        deferred(lambda session, actor: gain_xlsx(session, actor, report)),
        file_name=f"knowledge-gain-{start.isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        disabled=not report.rows,
    )
    third.download_button(
        _("Question statistics (CSV)"),
        deferred(
            lambda session, actor: question_stats_csv(
                session, actor, stats, start=start, end=filters.end
            )
        ),
        file_name=f"quiz-questions-{start.isoformat()}.csv",
        mime="text/csv",
        disabled=not stats,
    )
    st.caption(
        _("Downloads hide every figure behind fewer than {n} children.").format(n=SMALL_CELL)
    )


if __name__ == "__main__":
    render()
