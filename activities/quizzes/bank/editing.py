"""Reading and editing the question bank: lists, one question in every language, missing
translations, the bank as JSON, and administrators' edits (audited)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from activities.quizzes.bank.content import AGE_BANDS, BAND_TOPICS, QUIZ_LANGUAGES, _filled
from parliament_app.core import audit
from parliament_app.core.actors import Actor
from parliament_app.core.errors import NotFound, ValidationError
from parliament_app.core.i18n import _, ngettext
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import AuditAction, utcnow
from parliament_app.models.quizzes import QuestionType, QuizQuestion, QuizTranslation
from parliament_app.policy.quizzes import require_bank_editor


def _band_order(question: QuizQuestion) -> tuple[int, int, str]:
    """Youngest band first, then the band's topics in teaching order, then by key."""
    band = AGE_BANDS.index(question.age_band) if question.age_band in AGE_BANDS else len(AGE_BANDS)
    topics = BAND_TOPICS.get(question.age_band, ())
    topic = topics.index(question.topic) if question.topic in topics else len(topics)
    return band, topic, question.key


def list_questions(
    session: Session,
    age_band: str | None = None,
    topic: str | None = None,
    include_retired: bool = False,
) -> list[QuizQuestion]:
    """Questions with their translations loaded: by band, topic (teaching order) and key."""
    query = select(QuizQuestion).options(selectinload(QuizQuestion.translations))
    if age_band:
        query = query.where(QuizQuestion.age_band == age_band)
    if topic:
        query = query.where(QuizQuestion.topic == topic)
    if not include_retired:
        query = query.where(QuizQuestion.retired_at.is_(None))
    return sorted(session.scalars(query), key=_band_order)


def question_with_translations(session: Session, question_id: int) -> QuizQuestion:
    question = session.scalar(
        select(QuizQuestion)
        .where(QuizQuestion.id == question_id)
        .options(selectinload(QuizQuestion.translations))
    )
    if question is None:
        raise NotFound(_("No such quiz question."))
    return question


def _translation(question: QuizQuestion, language: str) -> QuizTranslation | None:
    return next((t for t in question.translations if t.language == language), None)


def missing_translations(
    session: Session, include_retired: bool = False
) -> list[tuple[str, str, str]]:
    """``(question key, language, what)`` for every gap. ``what`` is ``"translation"`` (no text
    at all in that language), ``"text"``, ``"explanation"``, ``"options"`` (a different number of
    options than the question has) or ``"option:<i>"`` (that option is empty)."""
    missing: list[tuple[str, str, str]] = []
    for question in list_questions(session, include_retired=include_retired):
        for language in QUIZ_LANGUAGES:
            translation = _translation(question, language)
            if translation is None:
                missing.append((question.key, language, "translation"))
                continue
            if not _filled(translation.text):
                missing.append((question.key, language, "text"))
            options = translation.options if isinstance(translation.options, list) else []
            if len(options) != question.option_count:
                missing.append((question.key, language, "options"))
            missing += [
                (question.key, language, f"option:{index}")
                for index, option in enumerate(options)
                if not _filled(option)
            ]
            if not _filled(translation.explanation):
                missing.append((question.key, language, "explanation"))
    return missing


def bank_as_json(session: Session) -> list[dict[str, Any]]:
    """The whole bank, retired questions included (flagged), as plain JSON-ready data."""
    return [
        {
            "id": question.id,
            "key": question.key,
            "age_band": question.age_band,
            "topic": question.topic,
            "type": question.type.value,
            "correct": list(question.correct),
            "retired": question.retired_at is not None,
            "locales": {
                translation.language: {
                    "text": translation.text,
                    "options": list(translation.options),
                    "explanation": translation.explanation,
                }
                for translation in sorted(
                    question.translations, key=lambda t: _language_order(t.language)
                )
            },
        }
        for question in list_questions(session, include_retired=True)
    ]


def _language_order(language: str) -> int:
    return QUIZ_LANGUAGES.index(language) if language in QUIZ_LANGUAGES else len(QUIZ_LANGUAGES)


def _check_language(language: str) -> None:
    if language not in QUIZ_LANGUAGES:
        raise ValidationError(
            _("Unknown language {language}.").format(language=language), "language"
        )


def _clean_texts(
    question: QuizQuestion, text: str, options: Sequence[str], explanation: str
) -> tuple[str, list[str], str]:
    text, explanation = (text or "").strip(), (explanation or "").strip()
    cleaned = [(option or "").strip() for option in options]
    if not text:
        raise ValidationError(_("Please enter the question."), "text")
    if len(cleaned) != question.option_count:
        raise ValidationError(
            ngettext(
                "The question has {count} answer option; please give exactly {count}.",
                "The question has {count} answer options; please give exactly {count}.",
                question.option_count,
            ).format(count=question.option_count),
            "options",
        )
    if not all(cleaned):
        raise ValidationError(_("Please fill in every answer option."), "options")
    if not explanation:
        raise ValidationError(
            _("Please enter the explanation shown after answering."), "explanation"
        )
    return text, cleaned, explanation


def _write_translation(
    session: Session,
    user: Actor,
    question: QuizQuestion,
    language: str,
    values: tuple[str, list[str], str],
    **detail: Any,
) -> list[str]:
    """Store one language's texts; return the names of the fields that changed (audited)."""
    text, options, explanation = values
    translation = _translation(question, language)
    created = translation is None
    if translation is None:
        translation = QuizTranslation(language=language, text="", options=[], explanation="")
        question.translations.append(translation)
    changed = [
        name
        for name, old, new in (
            ("text", translation.text, text),
            ("options", list(translation.options or []), options),
            ("explanation", translation.explanation, explanation),
        )
        if old != new
    ]
    if not changed and not created:
        return []
    translation.text, translation.options, translation.explanation = text, options, explanation
    translation.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "quiz_translation",
        f"{question.id}:{language}",
        key=question.key,
        language=language,
        fields=changed,
        **detail,
    )
    return changed


def _sync_serbian_latin(session: Session, user: Actor, question: QuizQuestion) -> None:
    cyrillic = _translation(question, "sr")
    if cyrillic is None:
        return
    _write_translation(
        session,
        user,
        question,
        "sr_Latn",
        (
            cyrillic_to_latin(cyrillic.text),
            [cyrillic_to_latin(option) for option in cyrillic.options],
            cyrillic_to_latin(cyrillic.explanation),
        ),
        generated_from="sr",
    )


def update_translation(
    session: Session,
    user: Actor,
    question_id: int,
    language: str,
    text: str,
    options: Sequence[str],
    explanation: str,
) -> QuizTranslation:
    """Save one language's question, options and explanation (created if missing). Saving
    Serbian Cyrillic also regenerates Serbian Latin."""
    require_bank_editor(user)
    _check_language(language)
    question = question_with_translations(session, question_id)
    _write_translation(
        session, user, question, language, _clean_texts(question, text, options, explanation)
    )
    if language == "sr":
        _sync_serbian_latin(session, user, question)
    translation = _translation(question, language)
    assert translation is not None
    return translation


def _clean_correct(question: QuizQuestion, correct: Iterable[int]) -> list[int]:
    values = sorted(set(int(value) for value in correct))
    if any(not 0 <= value < question.option_count for value in values):
        raise ValidationError(
            ngettext(
                "A correct answer must be one of the question's {count} option.",
                "A correct answer must be one of the question's {count} options.",
                question.option_count,
            ).format(count=question.option_count),
            "correct",
        )
    if question.type == QuestionType.MULTIPLE:
        if not values:
            raise ValidationError(_("Please mark at least one correct answer."), "correct")
    elif len(values) != 1:
        raise ValidationError(_("Please mark exactly one correct answer."), "correct")
    return values


def update_question(
    session: Session,
    user: Actor,
    question_id: int,
    correct: Iterable[int],
    topic: str,
) -> QuizQuestion:
    """Change which options are correct and the question's topic (one of its band's)."""
    require_bank_editor(user)
    question = question_with_translations(session, question_id)
    values = _clean_correct(question, correct)
    if topic not in BAND_TOPICS.get(question.age_band, ()):
        raise ValidationError(_("Please choose a topic of this age band."), "topic")
    changes: dict[str, Any] = {}
    if values != list(question.correct):
        changes["correct"] = {"old": list(question.correct), "new": values}
        question.correct = values
    if topic != question.topic:
        changes["topic"] = {"old": question.topic, "new": topic}
        question.topic = topic
    if changes:
        session.flush()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "quiz_question",
            question.id,
            key=question.key,
            **changes,
        )
    return question


def retire_question(session: Session, user: Actor, question_id: int) -> QuizQuestion:
    """Take a question out of new quizzes; its translations and past answers are kept."""
    return _set_retired(session, user, question_id, retired=True)


def restore_question(session: Session, user: Actor, question_id: int) -> QuizQuestion:
    return _set_retired(session, user, question_id, retired=False)


def _set_retired(session: Session, user: Actor, question_id: int, retired: bool) -> QuizQuestion:
    require_bank_editor(user)
    question = question_with_translations(session, question_id)
    if (question.retired_at is not None) == retired:
        return question  # already so: nothing to record
    question.retired_at = utcnow() if retired else None
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.UPDATE,
        "quiz_question",
        question.id,
        key=question.key,
        retired=retired,
    )
    return question
