"""The built-in quiz content: the question files per age band and the helplines file, their
validation (every language, plausible answers and numbers), and loading them into the database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from parliament_app.core import audit
from parliament_app.core.actors import Actor
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import N_, ngettext
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import AuditAction, Country, User
from parliament_app.models.quizzes import Helpline, QuestionType, QuizQuestion, QuizTranslation
from parliament_app.places.services import COUNTRY_NAMES, ensure_countries
from parliament_app.policy.quizzes import require_bank_editor

QUIZ_LANGUAGES: tuple[str, ...] = ("en", "sr", "sr_Latn", "sq", "mk", "bs")


SOURCE_LANGUAGE = "en"


CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"


AGE_BANDS: tuple[str, ...] = ("7-10", "11-14", "15-18")


BAND_FILES: dict[str, str] = {
    "7-10": "band_7_10.json",
    "11-14": "band_11_14.json",
    "15-18": "band_15_18.json",
}


HELPLINES_FILE = "helplines.json"


MIN_QUESTIONS_PER_BAND = 20


HELPLINE_CONFIDENCE: tuple[str, ...] = ("high", "medium", "uncertain")
# What a line is for. A country's children should have a "child" line; "police" is who a child
# is told to call when there is none.
HELPLINE_KINDS: tuple[str, ...] = (
    "child",
    "trafficking",
    "violence",
    "missing",
    "police",
    "ambulance",
    "emergency",
    "other",
)
# Opening hours as data, so every language can say them: "24/7", "daily 08:00-20:00" or
# "weekdays 09:00-22:00" (Monday to Friday).
HELPLINE_HOURS = re.compile(
    r"^(?:24/7|(?P<days>daily|weekdays) (?P<opens>(?:[01]\d|2[0-3]):[0-5]\d)"
    r"-(?P<closes>(?:[01]\d|2[0-3]):[0-5]\d|24:00))$"
)


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
        if item.get("kind", "other") not in HELPLINE_KINDS:
            problems.append(f"{label}: unknown kind {item.get('kind')!r}")
        if item.get("hours") is not None and not HELPLINE_HOURS.match(str(item["hours"])):
            problems.append(f"{label}: hours must read 24/7, daily HH:MM-HH:MM or weekdays ...")
        problems += _verification_problems(label, item)
    return problems


def _verification_problems(label: str, item: dict[str, Any]) -> list[str]:
    """A line marked verified says when, by whom and against which public address."""
    verified_on = item.get("verified_on")
    if verified_on is None:
        return []
    problems = []
    try:
        date.fromisoformat(verified_on)
    except (TypeError, ValueError):
        problems.append(f"{label}: verified_on must be a date (YYYY-MM-DD)")
    if not _filled(item.get("verified_by")):
        problems.append(f"{label}: verified_on without verified_by")
    if not str(item.get("source") or "").startswith(("https://", "http://")):
        problems.append(f"{label}: verified_on without a source address")
    return problems


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def ensure_question_bank(
    session: Session,
    content_dir: Path = CONTENT_DIR,
    enabled_countries: Iterable[str] | None = None,
    *,
    actor: Actor,
) -> LoadResult:
    """Add the built-in questions, translations and helplines the database lacks.

    Rows are matched by question key and language, helplines by (country, number); existing rows
    are never changed, so administrators' edits, retirements and deactivations survive. Missing
    countries are created (a helpline needs its country): existing ones keep their enabled flag,
    new ones are enabled if listed in ``enabled_countries`` (by default: all four on an empty
    table, none otherwise). Refuses content that does not validate. ``actor`` is an administrator
    (audited) or the operator (``parliament db upgrade``, ``parliament quiz load``).
    """
    require_bank_editor(actor)
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
    if isinstance(actor, User) and (added_questions or added_translations or added_helplines):
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
                active=item.get("active", True),
                kind=item.get("kind") or "other",
                verified_on=date.fromisoformat(item["verified_on"])
                if item.get("verified_on")
                else None,
                verified_by=item.get("verified_by"),
                source=item.get("source"),
            )
        )
        existing.add((country, number))
        added += 1
    session.flush()
    return added
