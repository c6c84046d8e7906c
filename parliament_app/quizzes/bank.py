"""The awareness quiz question bank and the helplines shown at the end of a quiz.

Every question is one linked item (``QuizQuestion``: key, age band, topic, type, correct options)
with its text in all six app languages (``QuizTranslation``), so results compare across languages.
The built-in content lives in ``parliament_app/quiz_content/*.json``; ``ensure_question_bank``
copies what the database lacks and never overwrites a row, so administrators' edits survive.
Outside translators work on gettext ``.po`` files (``export_po`` / ``import_po``).

Serbian Latin is generated from Serbian Cyrillic (as in the app's catalogs): saving a Cyrillic
translation also rewrites the Latin one.

No Streamlit here: pages, the command line and tests all call these functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from parliament_app import audit
from parliament_app.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.i18n import N_, _, ngettext
from parliament_app.models import AuditAction, Country, Role, User, utcnow
from parliament_app.models.quizzes import Helpline, QuestionType, QuizQuestion, QuizTranslation
from parliament_app.services.places import COUNTRY_NAMES, ensure_countries
from parliament_app.transliteration import cyrillic_to_latin

__all__ = [
    "AGE_BANDS",
    "BAND_TOPICS",
    "CONTENT_DIR",
    "HELPLINE_CONFIDENCE",
    "MIN_QUESTIONS_PER_BAND",
    "QUESTION_TYPE_LABELS",
    "QUIZ_LANGUAGES",
    "TOPIC_LABELS",
    "HelplineView",
    "ImportSummary",
    "LoadResult",
    "bank_as_json",
    "deactivate_helpline",
    "ensure_question_bank",
    "export_po",
    "helplines_for",
    "import_po",
    "list_helplines",
    "list_questions",
    "load_content_files",
    "missing_translations",
    "question_with_translations",
    "require_admin",
    "restore_question",
    "retire_question",
    "save_helpline",
    "update_question",
    "update_translation",
    "validate_content",
]

QUIZ_LANGUAGES: tuple[str, ...] = ("en", "sr", "sr_Latn", "sq", "mk", "bs")
SOURCE_LANGUAGE = "en"
CONTENT_DIR = Path(__file__).resolve().parent.parent / "quiz_content"
AGE_BANDS: tuple[str, ...] = ("7-10", "11-14", "15-18")
BAND_FILES: dict[str, str] = {
    "7-10": "band_7_10.json",
    "11-14": "band_11_14.json",
    "15-18": "band_15_18.json",
}
HELPLINES_FILE = "helplines.json"
MIN_QUESTIONS_PER_BAND = 20
HELPLINE_CONFIDENCE: tuple[str, ...] = ("high", "medium", "uncertain")

# The topics of each age band (shared/reference/quiz-content.md), in teaching order.
BAND_TOPICS: dict[str, tuple[str, ...]] = {
    "7-10": (
        "body_and_feelings",
        "secrets",
        "trusted_adults",
        "tricky_offers",
        "begging_and_work",
        "asking_for_help",
        "child_helpline",
    ),
    "11-14": (
        "online_safety",
        "lover_boy",
        "begging_and_labour",
        "forced_marriage",
        "manipulation",
        "helplines",
    ),
    "15-18": (
        "fake_offers",
        "checking_offers",
        "documents_and_debt",
        "safe_migration",
        "workers_rights",
        "online_recruitment",
        "reporting",
        "supporting_a_friend",
    ),
}
TOPIC_LABELS: dict[str, str] = {
    "body_and_feelings": N_("Body and feelings"),
    "secrets": N_("Good and bad secrets"),
    "trusted_adults": N_("Trusted adults"),
    "tricky_offers": N_("Tricky offers"),
    "begging_and_work": N_("Made to beg or work instead of school"),
    "asking_for_help": N_("How to ask for help"),
    "child_helpline": N_("The child helpline"),
    "online_safety": N_("Online safety"),
    "lover_boy": N_("“Lover boy” grooming"),
    "begging_and_labour": N_("Forced begging and child labour"),
    "forced_marriage": N_("Early and forced marriage"),
    "manipulation": N_("Recognising manipulation"),
    "helplines": N_("Helplines"),
    "fake_offers": N_("Fake job, modelling and scholarship offers"),
    "checking_offers": N_("How to check an offer"),
    "documents_and_debt": N_("Documents, debt bondage and control"),
    "safe_migration": N_("Safe migration"),
    "workers_rights": N_("Workers' rights"),
    "online_recruitment": N_("Online recruitment"),
    "reporting": N_("How to report"),
    "supporting_a_friend": N_("How to support a friend"),
}
QUESTION_TYPE_LABELS: dict[QuestionType, str] = {
    QuestionType.SINGLE: N_("Single choice"),
    QuestionType.TRUE_FALSE: N_("True or false"),
    QuestionType.MULTIPLE: N_("Multiple answers"),
}

_TEXT_FIELDS = ("question", "options", "explanation")  # the content files' per-language fields
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]*$")
_OPTION_CONTEXT = re.compile(r"^option:(\d+)$")


@dataclass(frozen=True)
class LoadResult:
    added_questions: int
    added_translations: int
    added_helplines: int


@dataclass(frozen=True)
class ImportSummary:
    updated: int  # strings that changed
    unchanged: int  # strings that were already the same
    errors: list[str] = field(default_factory=list)  # when not empty, nothing was written


@dataclass(frozen=True)
class HelplineView:
    number: str
    name: str
    description: str
    free: bool | None
    hours: str | None


# --- permission ----------------------------------------------------------------------------


def require_admin(user: User | None) -> None:
    """Only administrators edit the bank. ``None`` is the operator at the command line."""
    if user is None:
        return
    if not user.active or user.role != Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only administrators can edit the quiz questions and helplines."))


# --- content files -------------------------------------------------------------------------


def load_content_files(
    content_dir: Path = CONTENT_DIR,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read the built-in questions (all bands, in file order) and helplines.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for one that is not a JSON
    list (``json.JSONDecodeError`` is a ``ValueError``).
    """
    content_dir = Path(content_dir)
    questions: list[dict[str, Any]] = []
    for band in AGE_BANDS:
        questions += _read_list(content_dir / BAND_FILES[band])
    return questions, _read_list(content_dir / HELPLINES_FILE)


def _read_list(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError(f"{path.name}: expected a JSON list of objects")
    return data


def validate_content(
    questions: Sequence[dict[str, Any]], helplines: Sequence[dict[str, Any]]
) -> list[str]:
    """Problems with the content files, for developers (English, like ``i18n check``)."""
    problems: list[str] = []
    keys: set[str] = set()
    per_band: dict[str, int] = dict.fromkeys(AGE_BANDS, 0)
    topics_seen: dict[str, set[str]] = {band: set() for band in AGE_BANDS}
    for index, item in enumerate(questions):
        key = item.get("key")
        label = key if isinstance(key, str) and key else f"question #{index + 1}"
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{label}: missing key")
        elif key in keys:
            problems.append(f"{label}: duplicate key")
        elif len(key) > 80:
            problems.append(f"{label}: key longer than 80 characters")
        else:
            keys.add(key)
        band = item.get("age_band")
        if band not in per_band:
            problems.append(f"{label}: unknown age band {band!r}")
        else:
            per_band[band] += 1
            topic = item.get("topic")
            if topic not in BAND_TOPICS[band]:
                problems.append(f"{label}: topic {topic!r} is not a topic of the band {band}")
            else:
                topics_seen[band].add(topic)
        problems += _question_problems(label, item)
    for band in AGE_BANDS:
        if per_band[band] < MIN_QUESTIONS_PER_BAND:
            problems.append(
                f"band {band}: {per_band[band]} questions, at least {MIN_QUESTIONS_PER_BAND} needed"
            )
        for topic in BAND_TOPICS[band]:
            if topic not in topics_seen[band]:
                problems.append(f"band {band}: no question on the topic {topic!r}")
    problems += _helpline_problems(helplines)
    return problems


def _question_problems(label: str, item: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    texts = item.get("texts")
    if not isinstance(texts, dict):
        return [f"{label}: no texts"]
    for language in texts:
        if language not in QUIZ_LANGUAGES:
            problems.append(f"{label}: unknown locale {language!r}")
    english = texts.get(SOURCE_LANGUAGE)
    option_count = (
        len(english["options"])
        if isinstance(english, dict) and isinstance(english.get("options"), list)
        else None
    )
    for language in QUIZ_LANGUAGES:
        text = texts.get(language)
        if not isinstance(text, dict):
            problems.append(f"{label}: missing locale {language}")
            continue
        for name in ("question", "explanation"):
            if not _filled(text.get(name)):
                problems.append(f"{label}: {language}: empty {name}")
        options = text.get("options")
        if not isinstance(options, list):
            problems.append(f"{label}: {language}: options missing")
            continue
        if option_count is not None and len(options) != option_count:
            problems.append(
                f"{label}: {language}: {len(options)} options, English has {option_count}"
            )
        for position, option in enumerate(options):
            if not _filled(option):
                problems.append(f"{label}: {language}: empty option {position}")
    problems += _latin_problems(label, texts.get("sr"), texts.get("sr_Latn"), _TEXT_FIELDS)
    problems += _type_problems(label, item.get("type"), item.get("correct"), option_count)
    return problems


def _type_problems(label: str, kind: Any, correct: Any, option_count: int | None) -> list[str]:
    try:
        question_type = QuestionType(kind)
    except ValueError:
        return [f"{label}: unknown type {kind!r}"]
    problems = []
    if question_type == QuestionType.TRUE_FALSE and option_count not in (None, 2):
        problems.append(f"{label}: a true/false question needs exactly 2 options")
    if option_count is not None and option_count < 2:
        problems.append(f"{label}: at least 2 options needed")
    if not isinstance(correct, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in correct
    ):
        return [*problems, f"{label}: correct must be a list of option indices"]
    if option_count is not None:
        problems += [
            f"{label}: correct index {value} out of range 0–{option_count - 1}"
            for value in correct
            if not 0 <= value < option_count
        ]
    if len(set(correct)) != len(correct):
        problems.append(f"{label}: correct lists an option twice")
    if question_type == QuestionType.MULTIPLE:
        if not correct:
            problems.append(f"{label}: a multiple-answer question needs a correct option")
    elif len(correct) != 1:
        problems.append(f"{label}: a {question_type.value} question needs exactly 1 correct option")
    return problems


def _latin_problems(label: str, cyrillic: Any, latin: Any, fields: Iterable[str]) -> list[str]:
    if not isinstance(cyrillic, dict) or not isinstance(latin, dict):
        return []  # reported as a missing locale already
    problems = []
    for name in fields:
        value = cyrillic.get(name)
        expected = (
            [cyrillic_to_latin(item) for item in value if isinstance(item, str)]
            if isinstance(value, list)
            else cyrillic_to_latin(value)
            if isinstance(value, str)
            else None
        )
        if expected is not None and latin.get(name) != expected:
            problems.append(f"{label}: sr_Latn {name} is not the transliteration of sr")
    return problems


def _helpline_problems(helplines: Sequence[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(helplines):
        country, number = item.get("country"), item.get("number")
        label = f"helpline {country} {number}" if number else f"helpline #{index + 1}"
        if country not in COUNTRY_NAMES:
            problems.append(f"{label}: unknown country {country!r}")
        if not _filled(number):
            problems.append(f"{label}: missing number")
        elif (country, number) in seen:
            problems.append(f"{label}: listed twice")
        else:
            seen.add((country, number))
        for name in ("name", "description"):
            texts = item.get(name)
            if not isinstance(texts, dict):
                problems.append(f"{label}: no {name}")
                continue
            for language in QUIZ_LANGUAGES:
                if not _filled(texts.get(language)):
                    problems.append(f"{label}: {language}: empty {name}")
            expected = texts.get("sr")
            if isinstance(expected, str) and texts.get("sr_Latn") != cyrillic_to_latin(expected):
                problems.append(f"{label}: sr_Latn {name} is not the transliteration of sr")
        if item.get("confidence", "high") not in HELPLINE_CONFIDENCE:
            problems.append(f"{label}: unknown confidence {item.get('confidence')!r}")
        if item.get("free") not in (True, False, None):
            problems.append(f"{label}: free must be true, false or null")
    return problems


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --- loading into the database -------------------------------------------------------------


def ensure_question_bank(
    session: Session,
    content_dir: Path = CONTENT_DIR,
    enabled_countries: Iterable[str] | None = None,
    actor: User | None = None,
) -> LoadResult:
    """Add the built-in questions, translations and helplines the database lacks.

    Rows are matched by question key and language, helplines by (country, number); existing rows
    are never changed, so administrators' edits, retirements and deactivations survive. Missing
    countries are created (a helpline needs its country): existing ones keep their enabled flag,
    new ones are enabled if listed in ``enabled_countries`` (by default: all four on an empty
    table, none otherwise). Refuses content that does not validate.
    """
    require_admin(actor)
    questions, helplines = load_content_files(content_dir)
    problems = validate_content(questions, helplines)
    if problems:
        raise ValidationError(
            ngettext(
                "The quiz content files have {count} problem: {problem}",
                "The quiz content files have {count} problems, for example: {problem}",
                len(problems),
            ).format(count=len(problems), problem=problems[0])
        )
    existing = {
        question.key: question
        for question in session.scalars(
            select(QuizQuestion).options(selectinload(QuizQuestion.translations))
        )
    }
    added_questions = added_translations = 0
    for item in questions:
        english = item["texts"][SOURCE_LANGUAGE]
        question = existing.get(item["key"])
        if question is None:
            question = QuizQuestion(
                key=item["key"],
                age_band=item["age_band"],
                topic=item["topic"],
                type=QuestionType(item["type"]),
                correct=list(item["correct"]),
                option_count=len(english["options"]),
            )
            session.add(question)
            added_questions += 1
        present = {translation.language for translation in question.translations}
        for language in QUIZ_LANGUAGES:
            text = item["texts"][language]
            if language in present or len(text["options"]) != question.option_count:
                continue  # kept as it is, or the content no longer fits the edited question
            question.translations.append(
                QuizTranslation(
                    language=language,
                    text=text["question"],
                    options=list(text["options"]),
                    explanation=text["explanation"],
                )
            )
            added_translations += 1
    session.flush()
    added_helplines = _ensure_helplines(session, helplines, enabled_countries)
    if actor is not None and (added_questions or added_translations or added_helplines):
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            "quiz_bank",
            None,
            questions=added_questions,
            translations=added_translations,
            helplines=added_helplines,
        )
    return LoadResult(added_questions, added_translations, added_helplines)


def _ensure_helplines(
    session: Session, helplines: Sequence[dict[str, Any]], enabled: Iterable[str] | None
) -> int:
    countries = {country.code: country.enabled for country in session.scalars(select(Country))}
    if set(countries) != set(COUNTRY_NAMES):
        # Existing countries keep their flag; new ones are enabled when asked for (by default
        # all of them on an empty table, none once the deployment has chosen its countries).
        wanted = set(enabled) if enabled is not None else set() if countries else set(COUNTRY_NAMES)
        ensure_countries(
            session,
            [code for code in COUNTRY_NAMES if countries.get(code, code in wanted)],
        )
    existing = {
        (country, number)
        for country, number in session.execute(select(Helpline.country_code, Helpline.number))
    }
    added = 0
    position: dict[str, int] = {}
    for item in helplines:
        country, number = item["country"], item["number"]
        position[country] = position.get(country, 0) + 1
        if (country, number) in existing:
            continue
        session.add(
            Helpline(
                country_code=country,
                number=number,
                names=dict(item["name"]),
                descriptions=dict(item["description"]),
                free=item.get("free"),
                hours=item.get("hours"),
                confidence=item.get("confidence") or "high",
                sort_order=position[country] * 10,
                active=True,
            )
        )
        existing.add((country, number))
        added += 1
    session.flush()
    return added


# --- reading the bank ----------------------------------------------------------------------


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


# --- editing -------------------------------------------------------------------------------


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
    user: User | None,
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


def _sync_serbian_latin(session: Session, user: User | None, question: QuizQuestion) -> None:
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
    user: User | None,
    question_id: int,
    language: str,
    text: str,
    options: Sequence[str],
    explanation: str,
) -> QuizTranslation:
    """Save one language's question, options and explanation (created if missing). Saving
    Serbian Cyrillic also regenerates Serbian Latin."""
    require_admin(user)
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
    user: User | None,
    question_id: int,
    correct: Iterable[int],
    topic: str,
) -> QuizQuestion:
    """Change which options are correct and the question's topic (one of its band's)."""
    require_admin(user)
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


def retire_question(session: Session, user: User | None, question_id: int) -> QuizQuestion:
    """Take a question out of new quizzes; its translations and past answers are kept."""
    return _set_retired(session, user, question_id, retired=True)


def restore_question(session: Session, user: User | None, question_id: int) -> QuizQuestion:
    return _set_retired(session, user, question_id, retired=False)


def _set_retired(
    session: Session, user: User | None, question_id: int, retired: bool
) -> QuizQuestion:
    require_admin(user)
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


# --- .po files for outside translators -----------------------------------------------------


def _source_fields(question: QuizQuestion) -> list[tuple[str, str, str]]:
    """``(field, English, comment)`` for each translatable string of a question."""
    english = _translation(question, SOURCE_LANGUAGE)
    if english is None:
        return []
    band_topic = f"{question.age_band} · {question.topic} · {question.type.value}"
    fields = [("text", english.text, f"{band_topic}: the question")]
    for index, option in enumerate(english.options):
        mark = " (a correct answer)" if index in question.correct else ""
        fields.append(
            (
                f"option:{index}",
                option,
                f"answer option {index + 1} of {question.option_count}{mark}",
            )
        )
    fields.append(
        (
            "explanation",
            english.explanation,
            "shown after answering: one or two short, child-friendly sentences",
        )
    )
    return fields


def _field_value(translation: QuizTranslation | None, name: str) -> str:
    if translation is None:
        return ""
    if name == "text":
        return translation.text or ""
    if name == "explanation":
        return translation.explanation or ""
    index = int(name.split(":", 1)[1])
    options = translation.options or []
    return options[index] if index < len(options) else ""


def export_po(session: Session, language: str, include_retired: bool = False) -> bytes:
    """A gettext catalog of the bank: msgctxt ``<key>|text``, ``<key>|option:<i>`` (from 0) and
    ``<key>|explanation``; msgid is the English text, msgstr the language's (empty if missing)."""
    _check_language(language)
    catalog = Catalog(
        locale=language,
        domain="quiz",
        project="Children's Parliament quiz",
        fuzzy=False,
        header_comment=(
            f"# Children's Parliament: awareness quiz questions, language {language}.\n"
            "# Translate each msgstr; keep every msgctxt as it is. Child-friendly language;\n"
            "# no blaming, no frightening words (see the content guidance)."
        ),
    )
    for question in list_questions(session, include_retired=include_retired):
        translation = _translation(question, language)
        for name, english, comment in _source_fields(question):
            if not english:
                continue  # nothing to translate from
            catalog.add(
                english,
                _field_value(translation, name),
                auto_comments=[comment],
                context=f"{question.key}|{name}",
            )
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, sort_output=False)
    return buffer.getvalue()


def import_po(session: Session, user: User | None, language: str, data: bytes) -> ImportSummary:
    """Apply a translated ``.po`` file, all or nothing.

    Untranslated (empty) and fuzzy entries are skipped. An unknown key or field, an option index
    the question does not have, a source text that changed since the export, or a language with
    no translation yet that the file does not fully cover are errors, and then nothing is
    written. Importing Serbian Cyrillic also regenerates Serbian Latin.
    """
    require_admin(user)
    _check_language(language)
    errors: list[str] = []
    try:
        catalog = read_po(BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as error:
        return ImportSummary(
            0, 0, [_("The file is not a readable .po file: {error}").format(error=error)]
        )
    if catalog.locale is not None and not _same_language(str(catalog.locale), language):
        return ImportSummary(
            0,
            0,
            [
                _("The file is for the language {found}, not {language}.").format(
                    found=catalog.locale, language=language
                )
            ],
        )
    questions = {
        question.key: question for question in list_questions(session, include_retired=True)
    }
    pending: dict[str, dict[str, str]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        context = message.context or ""
        key, separator, name = context.rpartition("|")
        where = context or str(message.id)[:40]
        question = questions.get(key) if separator else None
        if question is None:
            errors.append(_("{where}: no question with this key.").format(where=where))
            continue
        option = _OPTION_CONTEXT.match(name)
        if name not in ("text", "explanation") and not (
            option and int(option.group(1)) < question.option_count
        ):
            errors.append(
                _(
                    "{where}: the question has no such field (it has {count} options, "
                    "numbered from 0)."
                ).format(where=where, count=question.option_count)
            )
            continue
        if message.fuzzy or not isinstance(message.string, str) or not message.string.strip():
            continue  # not translated (yet): left as it is
        if message.id != _field_value(_translation(question, SOURCE_LANGUAGE), name):
            errors.append(
                _(
                    "{where}: the English text has changed since the file was exported; "
                    "please export a new file."
                ).format(where=where)
            )
            continue
        pending.setdefault(key, {})[name] = message.string.strip()
    planned: list[tuple[QuizQuestion, tuple[str, list[str], str]]] = []
    updated = unchanged = 0
    for key, fields in pending.items():
        question = questions[key]
        current = _translation(question, language)
        names = ["text", *(f"option:{i}" for i in range(question.option_count)), "explanation"]
        values = {name: fields.get(name, _field_value(current, name)) for name in names}
        if not all(values.values()):
            errors.append(
                _(
                    "{key}: the file does not translate every part of this question, and "
                    "{language} has no complete translation of it yet."
                ).format(key=key, language=language)
            )
            continue
        changed = sum(1 for name, value in fields.items() if value != _field_value(current, name))
        updated += changed
        unchanged += len(fields) - changed
        if changed:
            options = [values[f"option:{i}"] for i in range(question.option_count)]
            planned.append((question, (values["text"], options, values["explanation"])))
    if errors:
        return ImportSummary(0, 0, errors)
    with session.begin_nested():  # a failure part-way leaves nothing behind
        for question, texts in planned:
            _write_translation(session, user, question, language, texts, source="po_import")
            if language == "sr":
                _sync_serbian_latin(session, user, question)
    return ImportSummary(updated, unchanged, [])


def _same_language(found: str, language: str) -> bool:
    if found == language:
        return True
    try:
        found_locale, wanted = Locale.parse(found), Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return False
    return (found_locale.language, found_locale.script or "") == (
        wanted.language,
        wanted.script or "",
    )


# --- helplines -----------------------------------------------------------------------------


def list_helplines(
    session: Session, country_code: str | None = None, include_inactive: bool = True
) -> list[Helpline]:
    query = select(Helpline).order_by(Helpline.country_code, Helpline.sort_order, Helpline.id)
    if country_code:
        query = query.where(Helpline.country_code == country_code)
    if not include_inactive:
        query = query.where(Helpline.active)
    return list(session.scalars(query))


def _localised(texts: dict[str, str] | None, language: str) -> str:
    texts = texts or {}
    if _filled(texts.get(language)):
        return texts[language]
    if language == "sr_Latn" and _filled(texts.get("sr")):
        return cyrillic_to_latin(texts["sr"])
    if _filled(texts.get(SOURCE_LANGUAGE)):
        return texts[SOURCE_LANGUAGE]
    return next((value for value in texts.values() if _filled(value)), "")


def helplines_for(session: Session, country_code: str, language: str) -> list[HelplineView]:
    """The country's active lines for the quiz end screen, in the child's language (English
    where a text is missing)."""
    return [
        HelplineView(
            number=line.number,
            name=_localised(line.names, language),
            description=_localised(line.descriptions, language),
            free=line.free,
            hours=line.hours,
        )
        for line in list_helplines(session, country_code, include_inactive=False)
    ]


def save_helpline(
    session: Session,
    user: User | None,
    country_code: str,
    number: str,
    names: dict[str, str],
    descriptions: dict[str, str],
    free: bool | None = None,
    hours: str | None = None,
    confidence: str = "high",
    sort_order: int | None = None,
    active: bool = True,
    helpline_id: int | None = None,
) -> Helpline:
    """Add a helpline (``helpline_id`` None) or change one. Needs at least the English name."""
    require_admin(user)
    country_code = (country_code or "").strip().upper()
    if session.get(Country, country_code) is None:
        raise ValidationError(_("Please choose a country."), "country")
    number = " ".join((number or "").split())
    if not _PHONE.match(number) or sum(char.isdigit() for char in number) < 3:
        raise ValidationError(_("This phone number does not look right."), "number")
    if len(number) > 40:
        raise ValidationError(_("This phone number does not look right."), "number")
    names = {
        lang: text.strip()
        for lang, text in names.items()
        if lang in QUIZ_LANGUAGES and _filled(text)
    }
    descriptions = {
        lang: text.strip()
        for lang, text in descriptions.items()
        if lang in QUIZ_LANGUAGES and _filled(text)
    }
    if SOURCE_LANGUAGE not in names:
        raise ValidationError(_("Please enter the helpline's name in English."), "names")
    if confidence not in HELPLINE_CONFIDENCE:
        raise ValidationError(_("Please choose how sure we are of this number."), "confidence")
    hours = (hours or "").strip() or None
    if hours is not None and len(hours) > 40:
        raise ValidationError(_("Please shorten the opening hours."), "hours")
    if helpline_id is None:
        line = Helpline(country_code=country_code, number=number)
    else:
        line = session.get(Helpline, helpline_id)
        if line is None:
            raise NotFound(_("No such helpline."))
    clash = session.scalar(
        select(Helpline.id).where(
            Helpline.country_code == country_code,
            Helpline.number == number,
            Helpline.id != (line.id or -1),
        )
    )
    if clash is not None:
        raise ValidationError(_("This country already has a helpline with this number."), "number")
    if sort_order is None:
        sort_order = line.sort_order if line.id else _next_sort_order(session, country_code)
    line.country_code, line.number = country_code, number
    line.names, line.descriptions = names, descriptions
    line.free, line.hours, line.confidence = free, hours, confidence
    line.sort_order, line.active = sort_order, active
    created = line.id is None
    session.add(line)
    session.flush()
    audit.record(
        session,
        user,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "helpline",
        line.id,
        country=country_code,
        number=number,
        active=active,
    )
    return line


def _next_sort_order(session: Session, country_code: str) -> int:
    orders = session.scalars(
        select(Helpline.sort_order).where(Helpline.country_code == country_code)
    ).all()
    return (max(orders) + 10) if orders else 10


def deactivate_helpline(session: Session, user: User | None, helpline_id: int) -> Helpline:
    """Stop showing a line; it stays in the list to be reactivated or corrected."""
    require_admin(user)
    line = session.get(Helpline, helpline_id)
    if line is None:
        raise NotFound(_("No such helpline."))
    if line.active:
        line.active = False
        session.flush()
        audit.record(
            session,
            user,
            AuditAction.UPDATE,
            "helpline",
            line.id,
            country=line.country_code,
            number=line.number,
            active=False,
        )
    return line
