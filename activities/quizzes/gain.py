# Not split: one report (paired gain and per-question statistics) over one run scope and one
#   set of suppression rules.
"""What children learned: knowledge gain between a group's "pre" and "post" quizzes, and how well
each question works (share correct, discrimination, differences between languages).

Knowledge gain compares the pre and post runs of the same group whose runs started in the period,
per age band and topic (of the questions). Two figures, each with the number of children behind it:

- paired gain: children linked to the register (``QuizPlayer.child_id``, set by facilitators) who
  answered questions on the topic in both a pre and a post run of the same group. A child's score
  in a phase is their share of correct answers on the topic (over all runs of that phase); the
  gain is the mean of post score minus pre score. This is the stronger figure: the same children
  before and after.
- group-level gain: share of correct answers in the post runs minus share in the pre runs, over
  every player (linked or not) of the groups that had both. Different children may have played
  each time, so it is only indicative. Children are counted once per group: linked players by
  child, unlinked nicknames each as one child.

Topics that had only a pre (or only a post) quiz are listed as waiting. Answers count as soon as
they are given, whatever the run's status. Runs without a group cannot be compared and count only
in the question statistics.

Privacy: these are children's scores, so every figure behind fewer than ``SMALL_CELL`` children is
suppressed (``None`` with a reason) for everyone, administrators included, and exports show such
cells as "<5".

Who sees what (one rule, ``quiz_result_scope``):

- administrators: any group, or the whole programme when no group is chosen;
- facilitators: only the groups they lead (asking for another group is refused); without a group,
  all their groups together (question statistics add the group-less runs they started);
- school coordinators: programme-level figures only (they lead no group, so any group filter is
  refused);
- everyone else: refused.

All counting is done by a few GROUP BY queries; Python only combines the small aggregate tables.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import _, current_language
from parliament_app.groups.diversity.report import SMALL_CELL
from parliament_app.models import AuditAction, User
from parliament_app.models.quizzes import (
    QuizAnswer,
    QuizPlayer,
    QuizQuestion,
    QuizRun,
    QuizTranslation,
    RunPhase,
)
from parliament_app.policy.quizzes import (  # noqa: F401
    LEVEL_GROUP,
    LEVEL_MY_GROUPS,
    LEVEL_PROGRAMME,
    quiz_result_scope,
)

AGE_BANDS = ("7-10", "11-14", "15-18")
MIN_DISCRIMINATION_ANSWERS = 10
MIN_LANGUAGE_ANSWERS = 10  # a language is compared with the others from this many answers on
TRANSLATION_GAP = 0.25  # ...when its share correct is at least this much lower
TRANSLATION_ALPHA = 0.05  # ...and the two-proportion z-test says it is not chance
SMALL = f"<{SMALL_CELL}"


@dataclass
class GainRow:
    age_band: str
    topic: str
    groups: int  # groups with both a pre and a post quiz on the topic
    n_paired: int  # linked children with answers in both
    paired_pre: float | None  # their mean score before (None: suppressed)
    paired_post: float | None
    paired_gain: float | None
    paired_reason: str | None  # why the paired figures are hidden
    n_pre: int  # children (players) in the pre runs of those groups
    n_post: int
    pre_share: float | None  # share of correct answers (None: suppressed)
    post_share: float | None
    group_gain: float | None
    group_reason: str | None  # why the group-level gain is hidden


@dataclass
class WaitingTopic:
    """A topic with quizzes of one phase only: the comparison appears after the other."""

    age_band: str
    topic: str
    phases: tuple[str, ...]  # the phases played so far ("pre" or "post")
    groups: int


@dataclass
class GainReport:
    start: date
    end: date
    group_id: int | None
    level: str  # LEVEL_GROUP, LEVEL_MY_GROUPS or LEVEL_PROGRAMME
    rows: list[GainRow] = field(default_factory=list)
    waiting: list[WaitingTopic] = field(default_factory=list)


@dataclass
class LanguageShare:
    language: str
    answers: int
    share_correct: float | None  # None: fewer than SMALL_CELL answers


@dataclass
class TranslationWarning:
    """The question is much harder in ``language`` than in the other languages pooled."""

    language: str
    share_correct: float
    others_share_correct: float
    answers: int
    others_answers: int
    p_value: float


@dataclass
class QuestionStat:
    question_id: int
    key: str
    age_band: str
    topic: str
    answers: int
    share_correct: float | None  # None: fewer than SMALL_CELL answers
    discrimination: float | None  # None: fewer than 10 answers, or no spread to correlate
    languages: list[LanguageShare]
    translation_warning: TranslationWarning | None = None


# ----------------------------------------------------------------------------- knowledge gain


def knowledge_gain(
    session: Session,
    user: User,
    *,
    group_id: int | None = None,
    start: date,
    end: date,
) -> GainReport:
    """Pre/post knowledge gain per age band and topic for one group, or for everything the user
    may see when ``group_id`` is None (see the module docstring for the rule)."""
    _check_period(start, end)
    level, scope = quiz_result_scope(session, user, group_id)
    report = GainReport(start=start, end=end, group_id=group_id, level=level)
    where = and_(
        scope,
        _in_period(start, end),
        QuizRun.group_id.is_not(None),
        QuizRun.phase.in_([RunPhase.PRE, RunPhase.POST]),
    )
    per_group = _phase_totals(session, where)
    paired = _paired_scores(session, where, _groups_with_both_phases(per_group))

    topics: dict[tuple[str, str], dict[int, dict[RunPhase, tuple[int, int, int]]]] = defaultdict(
        dict
    )
    for (band, topic, group, phase), totals in per_group.items():
        topics[band, topic].setdefault(group, {})[phase] = totals
    for (band, topic), groups in sorted(topics.items(), key=lambda item: _topic_order(item[0])):
        both = [phases for phases in groups.values() if len(phases) == 2]
        if not both:
            played = {phase for phases in groups.values() for phase in phases}
            seen = tuple(phase.value for phase in (RunPhase.PRE, RunPhase.POST) if phase in played)
            report.waiting.append(WaitingTopic(band, topic, seen, len(groups)))
            continue
        report.rows.append(_gain_row(band, topic, both, paired.get((band, topic))))
    return report


def _phase_totals(
    session: Session, where: ColumnElement[bool]
) -> dict[tuple[str, str, int, RunPhase], tuple[int, int, int]]:
    """``{(band, topic, group, phase): (correct, answers, children)}`` from one GROUP BY."""
    person = func.coalesce(QuizPlayer.child_id, -QuizPlayer.id)  # unlinked: one child each
    query = (
        select(
            QuizQuestion.age_band,
            QuizQuestion.topic,
            QuizRun.group_id,
            QuizRun.phase,
            func.sum(_correct()),
            func.count(),
            func.count(func.distinct(person)),
        )
        .select_from(QuizAnswer)
        .join(QuizRun, QuizRun.id == QuizAnswer.run_id)
        .join(QuizPlayer, QuizPlayer.id == QuizAnswer.player_id)
        .join(QuizQuestion, QuizQuestion.id == QuizAnswer.question_id)
        .where(where)
        .group_by(QuizQuestion.age_band, QuizQuestion.topic, QuizRun.group_id, QuizRun.phase)
    )
    return {
        (band, topic, group, RunPhase(phase)): (int(correct or 0), int(answers), int(children))
        for band, topic, group, phase, correct, answers, children in session.execute(query)
    }


def _groups_with_both_phases(
    per_group: Mapping[tuple[str, str, int, RunPhase], object],
) -> set[int]:
    phases: dict[tuple[str, str, int], set[RunPhase]] = defaultdict(set)
    for band, topic, group, phase in per_group:
        phases[band, topic, group].add(phase)
    return {group for (_band, _topic, group), seen in phases.items() if len(seen) == 2}


def _paired_scores(
    session: Session, where: ColumnElement[bool], groups: set[int]
) -> dict[tuple[str, str], tuple[int, float, float, float]]:
    """``{(band, topic): (children, mean pre score, mean post score, mean gain)}`` over linked
    children with answers in both phases of the same group: one query (a CTE joined to itself),
    over the ``groups`` that played both phases of some topic (none early in a term: no query).
    """
    if not groups:
        return {}
    where = and_(where, QuizRun.group_id.in_(sorted(groups)))
    scores = (
        select(
            QuizRun.group_id.label("group_id"),
            QuizPlayer.child_id.label("child_id"),
            QuizQuestion.age_band.label("age_band"),
            QuizQuestion.topic.label("topic"),
            QuizRun.phase.label("phase"),
            func.avg(cast(_correct(), Float)).label("score"),
        )
        .select_from(QuizAnswer)
        .join(QuizRun, QuizRun.id == QuizAnswer.run_id)
        .join(QuizPlayer, QuizPlayer.id == QuizAnswer.player_id)
        .join(QuizQuestion, QuizQuestion.id == QuizAnswer.question_id)
        .where(where, QuizPlayer.child_id.is_not(None))
        .group_by(
            QuizRun.group_id,
            QuizPlayer.child_id,
            QuizQuestion.age_band,
            QuizQuestion.topic,
            QuizRun.phase,
        )
        .cte("child_scores")
    )
    pre, post = scores.alias("pre"), scores.alias("post")
    query = (
        select(
            pre.c.age_band,
            pre.c.topic,
            func.count(),
            func.avg(pre.c.score),
            func.avg(post.c.score),
            func.avg(post.c.score - pre.c.score),
        )
        .select_from(pre)
        .join(
            post,
            and_(
                post.c.group_id == pre.c.group_id,
                post.c.child_id == pre.c.child_id,
                post.c.age_band == pre.c.age_band,
                post.c.topic == pre.c.topic,
            ),
        )
        .where(pre.c.phase == RunPhase.PRE, post.c.phase == RunPhase.POST)
        .group_by(pre.c.age_band, pre.c.topic)
    )
    return {
        (band, topic): (int(children), float(before), float(after), float(gain))
        for band, topic, children, before, after, gain in session.execute(query)
    }


def _gain_row(
    band: str,
    topic: str,
    both: list[dict[RunPhase, tuple[int, int, int]]],
    paired: tuple[int, float, float, float] | None,
) -> GainRow:
    def summed(phase: RunPhase) -> tuple[int, int, int]:
        correct = sum(phases[phase][0] for phases in both)
        answers = sum(phases[phase][1] for phases in both)
        children = sum(phases[phase][2] for phases in both)
        return correct, answers, children

    pre_correct, pre_answers, n_pre = summed(RunPhase.PRE)
    post_correct, post_answers, n_post = summed(RunPhase.POST)
    pre_share = pre_correct / pre_answers if n_pre >= SMALL_CELL else None
    post_share = post_correct / post_answers if n_post >= SMALL_CELL else None
    group_gain = (
        post_share - pre_share if pre_share is not None and post_share is not None else None
    )
    group_reason = None
    if group_gain is None:
        group_reason = _(
            "Fewer than {n} children took the pre or the post quiz: hidden to protect them."
        ).format(n=SMALL_CELL)

    n_paired, paired_pre, paired_post, paired_gain = paired or (0, None, None, None)
    paired_reason = None
    if n_paired == 0:
        paired_pre = paired_post = paired_gain = None
        paired_reason = _(
            "No child took both quizzes under a nickname linked to the register. Link the "
            "players to children after each quiz to see paired gain."
        )
    elif n_paired < SMALL_CELL:
        paired_pre = paired_post = paired_gain = None
        paired_reason = _(
            "Fewer than {n} linked children took both quizzes: hidden to protect them."
        ).format(n=SMALL_CELL)
    return GainRow(
        age_band=band,
        topic=topic,
        groups=len(both),
        n_paired=n_paired,
        paired_pre=paired_pre,
        paired_post=paired_post,
        paired_gain=paired_gain,
        paired_reason=paired_reason,
        n_pre=n_pre,
        n_post=n_post,
        pre_share=pre_share,
        post_share=post_share,
        group_gain=group_gain,
        group_reason=group_reason,
    )


# ----------------------------------------------------------------------------- questions


def question_stats(
    session: Session,
    user: User,
    start: date,
    end: date,
    age_band: str | None = None,
    *,
    group_id: int | None = None,
) -> list[QuestionStat]:
    """How each question worked in the runs (pre, post and practice) started in the period.

    Discrimination is the point-biserial correlation between answering the question correctly
    and the number of the run's other questions the player got right (the corrected item-total
    correlation); it is computed from sums gathered in one GROUP BY question and language.
    """
    _check_period(start, end)
    if age_band is not None and age_band not in AGE_BANDS:
        raise ValidationError(_("Unknown age band."), "age_band")
    _level, scope = quiz_result_scope(session, user, group_id)
    where = and_(scope, _in_period(start, end))
    totals = (
        select(QuizAnswer.player_id.label("player_id"), func.sum(_correct()).label("total"))
        .join(QuizRun, QuizRun.id == QuizAnswer.run_id)
        .where(where)
        .group_by(QuizAnswer.player_id)
        .subquery("totals")
    )
    item = _correct()
    rest = totals.c.total - item  # the player's score on the run's other questions
    query = (
        select(
            QuizQuestion.id,
            QuizQuestion.key,
            QuizQuestion.age_band,
            QuizQuestion.topic,
            QuizAnswer.language,
            func.count(),
            func.sum(item),
            func.sum(rest),
            func.sum(rest * rest),
            func.sum(item * rest),
        )
        .select_from(QuizAnswer)
        .join(QuizRun, QuizRun.id == QuizAnswer.run_id)
        .join(QuizQuestion, QuizQuestion.id == QuizAnswer.question_id)
        .join(totals, totals.c.player_id == QuizAnswer.player_id)
        .where(where)
        .group_by(
            QuizQuestion.id,
            QuizQuestion.key,
            QuizQuestion.age_band,
            QuizQuestion.topic,
            QuizAnswer.language,
        )
    )
    if age_band is not None:
        query = query.where(QuizQuestion.age_band == age_band)

    questions: dict[int, tuple[str, str, str]] = {}
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0] * 5)
    languages: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for question_id, key, band, topic, language, *row in session.execute(query):
        values = [float(value or 0) for value in row]
        questions[question_id] = (key, band, topic)
        sums[question_id] = [
            total + value for total, value in zip(sums[question_id], values, strict=True)
        ]
        languages[question_id][language] = (int(values[0]), int(values[1]))

    stats = []
    for question_id, (key, band, topic) in questions.items():
        n, correct, sum_rest, sum_rest2, sum_item_rest = sums[question_id]
        answers = int(n)
        stats.append(
            QuestionStat(
                question_id=question_id,
                key=key,
                age_band=band,
                topic=topic,
                answers=answers,
                share_correct=correct / n if answers >= SMALL_CELL else None,
                discrimination=_point_biserial(n, correct, sum_rest, sum_rest2, sum_item_rest),
                languages=[
                    LanguageShare(
                        language,
                        count,
                        right / count if count >= SMALL_CELL else None,
                    )
                    for language, (count, right) in sorted(languages[question_id].items())
                ],
                translation_warning=translation_warning(languages[question_id]),
            )
        )
    stats.sort(key=lambda stat: (_topic_order((stat.age_band, stat.topic)), stat.key))
    return stats


def _point_biserial(
    n: float, correct: float, sum_rest: float, sum_rest2: float, sum_item_rest: float
) -> float | None:
    """Pearson's r between a 0/1 item and the rest score, from sums (the item's x² is x)."""
    if n < MIN_DISCRIMINATION_ANSWERS:
        return None
    spread = (n * correct - correct**2) * (n * sum_rest2 - sum_rest**2)
    if spread <= 0:
        return None  # everyone right (or wrong), or the same rest score for all
    return (n * sum_item_rest - correct * sum_rest) / math.sqrt(spread)


def translation_warning(by_language: dict[str, tuple[int, int]]) -> TranslationWarning | None:
    """The language (``{language: (answers, correct)}``) that is most clearly harder than the
    others pooled: at least 10 answers, a share correct lower by 0.25 or more, and a two-sided
    two-proportion z-test with p < 0.05. None when no language stands out."""
    total_answers = sum(answers for answers, _correct in by_language.values())
    total_correct = sum(correct for _answers, correct in by_language.values())
    worst: TranslationWarning | None = None
    for language, (answers, correct) in by_language.items():
        others_answers = total_answers - answers
        others_correct = total_correct - correct
        if answers < MIN_LANGUAGE_ANSWERS or others_answers < SMALL_CELL:
            continue
        share, others_share = correct / answers, others_correct / others_answers
        if others_share - share < TRANSLATION_GAP - 1e-9:
            continue
        p_value = two_proportion_p_value(correct, answers, others_correct, others_answers)
        if p_value >= TRANSLATION_ALPHA:
            continue
        if worst is None or others_share - share > worst.others_share_correct - worst.share_correct:
            worst = TranslationWarning(
                language, share, others_share, answers, others_answers, p_value
            )
    return worst


def two_proportion_p_value(correct_a: int, answers_a: int, correct_b: int, answers_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (normal CDF through ``math.erf``)."""
    pooled = (correct_a + correct_b) / (answers_a + answers_b)
    variance = pooled * (1 - pooled) * (1 / answers_a + 1 / answers_b)
    if variance <= 0:
        return 1.0
    z = (correct_a / answers_a - correct_b / answers_b) / math.sqrt(variance)
    return 2 * (1 - _normal_cdf(abs(z)))


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def question_texts(
    session: Session, question_ids: list[int], language: str | None = None
) -> dict[int, str]:
    """Each question's text in ``language`` (default: the current one), else English, else any."""
    if not question_ids:
        return {}
    language = language or current_language()
    preference = {language: 0, "en": 1}
    texts: dict[int, tuple[int, str]] = {}
    rows = session.execute(
        select(QuizTranslation.question_id, QuizTranslation.language, QuizTranslation.text).where(
            QuizTranslation.question_id.in_(question_ids)
        )
    )
    for question_id, text_language, text in rows:
        rank = preference.get(text_language, 2)
        if question_id not in texts or rank < texts[question_id][0]:
            texts[question_id] = (rank, text)
    return {question_id: text for question_id, (_rank, text) in texts.items()}


# ----------------------------------------------------------------------------- exports


def gain_export_rows(report: GainReport) -> list[dict[str, object]]:
    """One row per age band and topic; small cells always shown as "<5"."""
    return [
        {
            "age_band": row.age_band,
            "topic": row.topic,
            "groups": row.groups,
            "children_paired": _small(row.n_paired),
            "paired_pre_score": _figure(row.paired_pre),
            "paired_post_score": _figure(row.paired_post),
            "paired_gain": _figure(row.paired_gain),
            "children_pre": _small(row.n_pre),
            "children_post": _small(row.n_post),
            "pre_share_correct": _figure(row.pre_share),
            "post_share_correct": _figure(row.post_share),
            "group_level_gain": _figure(row.group_gain),
        }
        for row in report.rows
    ]


GAIN_COLUMNS = [
    "age_band",
    "topic",
    "groups",
    "children_paired",
    "paired_pre_score",
    "paired_post_score",
    "paired_gain",
    "children_pre",
    "children_post",
    "pre_share_correct",
    "post_share_correct",
    "group_level_gain",
]


def gain_csv(session: Session, user: User, report: GainReport) -> str:
    rows = gain_export_rows(report)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GAIN_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    _audit_export(session, user, "quiz_gain", "csv", len(rows), report)
    return buffer.getvalue()


def gain_xlsx(session: Session, user: User, report: GainReport) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "knowledge_gain"
    rows = gain_export_rows(report)
    sheet.append(GAIN_COLUMNS)
    for row in rows:
        sheet.append([row[column] for column in GAIN_COLUMNS])
    waiting = workbook.create_sheet("waiting")
    waiting.append(["age_band", "topic", "phases_played", "groups"])
    for topic in report.waiting:
        waiting.append([topic.age_band, topic.topic, " ".join(topic.phases), topic.groups])
    about = workbook.create_sheet("about")
    about.append(["start", report.start.isoformat()])
    about.append(["end", report.end.isoformat()])
    about.append(["level", report.level])
    about.append(["group_id", report.group_id])
    about.append(["suppressed", f"figures behind fewer than {SMALL_CELL} children: {SMALL}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _audit_export(session, user, "quiz_gain", "xlsx", len(rows), report)
    return buffer.getvalue()


def question_stats_export_rows(stats: list[QuestionStat]) -> list[dict[str, object]]:
    languages = sorted({share.language for stat in stats for share in stat.languages})
    rows = []
    for stat in stats:
        by_language = {share.language: share for share in stat.languages}
        warning = stat.translation_warning
        row: dict[str, object] = {
            "question_id": stat.question_id,
            "key": stat.key,
            "age_band": stat.age_band,
            "topic": stat.topic,
            "answers": _small(stat.answers),
            "share_correct": _figure(stat.share_correct),
            "discrimination": "" if stat.discrimination is None else round(stat.discrimination, 3),
        }
        for language in languages:
            share = by_language.get(language)
            row[f"answers_{language}"] = _small(share.answers) if share else 0
            row[f"share_correct_{language}"] = _figure(share.share_correct) if share else ""
        row["translation_warning_language"] = warning.language if warning else ""
        row["translation_warning_p"] = round(warning.p_value, 4) if warning else ""
        rows.append(row)
    return rows


def question_stats_csv(
    session: Session,
    user: User,
    stats: list[QuestionStat],
    *,
    start: date | None = None,
    end: date | None = None,
) -> str:
    rows = question_stats_export_rows(stats)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["question_id"])
    writer.writeheader()
    writer.writerows(rows)
    detail: dict[str, object] = {"format": "csv", "rows": len(rows)}
    if start and end:
        detail.update(start=start.isoformat(), end=end.isoformat())
    audit.record(session, user, AuditAction.EXPORT, "quiz_question_stats", None, **detail)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- internals


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError(_("The period ends before it starts."), "period")


def _in_period(start: date, end: date) -> ColumnElement[bool]:
    return and_(
        QuizRun.created_at >= datetime.combine(start, time.min, LOCAL_TIMEZONE),
        QuizRun.created_at <= datetime.combine(end, time.max, LOCAL_TIMEZONE),
    )


def _correct():
    return case((QuizAnswer.correct.is_(True), 1), else_=0)


def _topic_order(key: tuple[str, str]) -> tuple[int, str]:
    band, topic = key
    return (AGE_BANDS.index(band) if band in AGE_BANDS else len(AGE_BANDS), topic)


def _small(value: int) -> int | str:
    return value if value >= SMALL_CELL else SMALL


def _figure(value: float | None) -> float | str:
    return SMALL if value is None else round(value, 3)


def _audit_export(
    session: Session, user: User, record_type: str, kind: str, rows: int, report: GainReport
) -> None:
    audit.record(
        session,
        user,
        AuditAction.EXPORT,
        record_type,
        report.group_id,
        format=kind,
        rows=rows,
        level=report.level,
        start=report.start.isoformat(),
        end=report.end.isoformat(),
    )
