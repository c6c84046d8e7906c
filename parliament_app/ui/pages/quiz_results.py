"""Quiz results: what children learned between the pre and post quizzes, and how each question
works (share correct, discrimination, differences between languages)."""

import pandas as pd
import streamlit as st

from activities.quizzes.gain import (
    AGE_BANDS,
    MIN_DISCRIMINATION_ANSWERS,
    SMALL,
    SMALL_CELL,
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
from parliament_app.models import Role, User
from parliament_app.policy.quizzes import LEVEL_MY_GROUPS, LEVEL_PROGRAMME
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.widgets import empty_state

TERMS = school_terms(local_today(), count=4)
WEAK_DISCRIMINATION = 0.2


def share(value: float | None) -> str:
    return SMALL if value is None else format_percent(value)


def children(value: int) -> str:
    return format_number(value) if value >= SMALL_CELL else SMALL


def points(value: float | None) -> str:
    """A gain in percentage points, with its sign."""
    if value is None:
        return SMALL
    rounded = round(value * 100)
    return ("+" if rounded > 0 else "") + format_number(rounded)


def topic_name(topic: str) -> str:
    return topic.replace("_", " ").capitalize()


st.title(_("Quiz results"))
st.caption(
    _(
        "What children learned between the quiz at the start and the quiz at the end, and how "
        "well each question works in every language."
    )
)

with transaction() as session:
    user = page_user(session)
    user_id, role = user.id, user.role
    groups = (
        [(group.id, group.name) for group in list_groups(session, user)]
        if role in (Role.ADMINISTRATOR, Role.FACILITATOR)
        else []
    )
group_names = dict(groups)

with st.form("quiz_results_filters"):
    left, middle, right = st.columns(3)
    term_labels = [label for label, _start, _end in TERMS]
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

if role == Role.SCHOOL_COORDINATOR:
    st.caption(_("School coordinators see figures for the whole programme, not single groups."))

start, end = next((first, last) for label, first, last in TERMS if label == term)
report = stats = None
with shown_errors(), transaction() as session:
    actor = page_user(session)
    report = knowledge_gain(session, actor, group_id=group_id, start=start, end=end)
    stats = question_stats(session, actor, start, end, age_band, group_id=group_id)
    texts = question_texts(session, [stat.question_id for stat in stats])
if report is None or stats is None:
    st.stop()

scope = {
    LEVEL_PROGRAMME: _("the whole programme"),
    LEVEL_MY_GROUPS: _("all your groups"),
}.get(report.level) or group_names.get(group_id, "")
st.caption(
    _("Term: {start} – {end} · Showing: {scope}").format(
        start=format_date(report.start), end=format_date(report.end), scope=scope
    )
)

if not report.rows and not report.waiting and not stats:
    empty_state(
        _(
            "No quiz was played in this term yet. To measure what children learn, run a quiz "
            "marked “pre” with a group at the start of the term and one marked “post” with the "
            "same group at the end. After each quiz, link the players' nicknames to the "
            "children in the register so their answers can be compared."
        )
    )
    st.stop()

# ----------------------------------------------------------------------------- knowledge gain

st.subheader(_("Knowledge gain"))
st.markdown(
    _(
        "**Paired gain** follows the same children: those whose nickname was linked to the "
        "register and who took both the pre and the post quiz. It is their average score after "
        "minus their average score before, and the most reliable figure.\n\n"
        "**Group-level gain** compares everyone who played, linked or not: the share of "
        "correct answers in the post quiz minus the share in the pre quiz. Different children "
        "may have played each time, so read it as an indication.\n\n"
        "Gains are in percentage points: +40 means, for example, from 40% to 80% correct."
    )
)

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
    st.info(message.format(topic=topic_name(waiting.topic), band=waiting.age_band), icon="⏳")

if not report.rows:
    empty_state(
        _(
            "No group took both a pre and a post quiz on the same topic in this term. Run a "
            "quiz marked “pre” at the start of the term and one marked “post” at the end."
        )
    )
else:
    before, after = _("Before (pre quiz)"), _("After (post quiz)")
    topic_label, share_label, quiz_label = _("Topic"), _("Correct answers (%)"), _("Quiz")
    bars = pd.DataFrame(
        [
            {
                topic_label: f"{topic_name(row.topic)} ({row.age_band})",
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

    st.dataframe(
        [
            {
                _("Age band"): row.age_band,
                _("Topic"): topic_name(row.topic),
                _("Groups"): format_number(row.groups),
                _("Paired: children"): children(row.n_paired),
                _("Paired: before"): share(row.paired_pre),
                _("Paired: after"): share(row.paired_post),
                _("Paired gain (points)"): points(row.paired_gain),
                _("Group-level: children before"): children(row.n_pre),
                _("Group-level: children after"): children(row.n_post),
                _("Group-level: before"): share(row.pre_share),
                _("Group-level: after"): share(row.post_share),
                _("Group-level gain (points)"): points(row.group_gain),
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

st.subheader(_("Questions"))
st.markdown(
    _(
        "**Share correct**: how many answers were right. **Discrimination** (from −1 to 1): "
        "whether children who did well on the rest of the quiz also got this question right. "
        "Above {good} the question separates well; near 0 or negative, it may be confusing or "
        "its answer key may be wrong. It needs at least {n} answers.\n\n"
        "A question much harder in one language than in the others suggests a translation "
        "problem."
    ).format(good=format_decimal(0.3, 1), n=MIN_DISCRIMINATION_ANSWERS)
)

if not stats:
    empty_state(_("No question was answered in this term with these filters."))
else:
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

    def discrimination_text(value: float | None) -> str:
        if value is None:
            return "—"
        text = format_decimal(value)
        if value < WEAK_DISCRIMINATION:
            return _("{value} (weak: check the question)").format(value=text)
        return text

    def languages_text(stat) -> str:
        return " · ".join(
            _("{language}: {share} of {answers}").format(
                language=entry.language,
                share=share(entry.share_correct),
                answers=children(entry.answers),
            )
            for entry in stat.languages
        )

    st.dataframe(
        [
            {
                _("Question"): texts.get(stat.question_id, stat.key),
                _("Key"): stat.key,
                _("Age band"): stat.age_band,
                _("Topic"): topic_name(stat.topic),
                _("Answers"): children(stat.answers),
                _("Share correct"): share(stat.share_correct),
                _("Discrimination"): discrimination_text(stat.discrimination),
                _("By language"): languages_text(stat),
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


def export(kind: str):
    """Built only when the person clicks, so only real downloads are audited as exports."""

    def build() -> str | bytes:
        with transaction() as session:
            actor = session.get(User, user_id)
            if kind == "gain_csv":
                return gain_csv(session, actor, report)
            if kind == "gain_xlsx":
                return gain_xlsx(session, actor, report)
            return question_stats_csv(session, actor, stats, start=start, end=end)

    return build


st.subheader(_("Downloads"))
first, second, third = st.columns(3)
first.download_button(
    _("Knowledge gain (CSV)"),
    export("gain_csv"),
    file_name=f"knowledge-gain-{start.isoformat()}.csv",
    mime="text/csv",
    disabled=not report.rows,
)
second.download_button(
    _("Knowledge gain (Excel)"),
    export("gain_xlsx"),
    file_name=f"knowledge-gain-{start.isoformat()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    disabled=not report.rows,
)
third.download_button(
    _("Question statistics (CSV)"),
    export("questions_csv"),
    file_name=f"quiz-questions-{start.isoformat()}.csv",
    mime="text/csv",
    disabled=not stats,
)
st.caption(_("Downloads hide every figure behind fewer than {n} children.").format(n=SMALL_CELL))
