"""The awareness quiz question bank: content files, loading, editing, translations (.po), the
helplines, the ``quiz`` command line, the quiz part of ``i18n check`` and the admin page."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from activities.quizzes.bank import (
    AGE_BANDS,
    BAND_TOPICS,
    CONTENT_DIR,
    MIN_QUESTIONS_PER_BAND,
    QUIZ_LANGUAGES,
    HelplineView,
    bank_as_json,
    deactivate_helpline,
    ensure_question_bank,
    export_po,
    helplines_for,
    import_po,
    list_helplines,
    list_questions,
    load_content_files,
    missing_translations,
    question_with_translations,
    restore_question,
    retire_question,
    save_helpline,
    update_question,
    update_translation,
    validate_content,
)
from parliament_app.cli.i18n import check_quiz_content, i18n
from parliament_app.cli.quiz import quiz
from parliament_app.core import migrate, runtime
from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import get_settings
from parliament_app.core.db import make_engine, session_factory
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import SUPPORTED_LANGUAGES
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.devtools.catalogs import LANGUAGES, catalog_path
from parliament_app.models import AuditAction, AuditEntry, Country, Role, User
from parliament_app.models.quizzes import Helpline, QuestionType, QuizQuestion, QuizTranslation
from parliament_app.places.services import ensure_countries
from parliament_app.ui.context import USER_KEY
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[3]
PAGE = str(ROOT / "parliament_app" / "ui" / "pages" / "quiz_bank.py")

# The topics of each band in shared/reference/quiz-content.md, as the content files name them.
GUIDANCE_TOPICS = {
    "7-10": {
        "body_and_feelings",  # body and feelings safety
        "secrets",  # good and bad secrets
        "trusted_adults",
        "tricky_offers",  # gifts, games, "come and help me"
        "begging_and_work",  # being made to beg or work instead of going to school
        "asking_for_help",
        "child_helpline",
    },
    "11-14": {
        "online_safety",  # grooming in games and social media, photos, pressure and threats
        "lover_boy",
        "begging_and_labour",  # forced begging and child labour
        "forced_marriage",  # early and forced marriage as a rights issue
        "manipulation",
        "helplines",
    },
    "15-18": {
        "fake_offers",  # fake job, modelling and scholarship offers
        "checking_offers",
        "documents_and_debt",  # documents, debt bondage and control
        "safe_migration",
        "workers_rights",
        "online_recruitment",
        "reporting",
        "supporting_a_friend",
    },
}
CONTENT_QUESTIONS, CONTENT_HELPLINES = load_content_files()


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def users(db: Session) -> dict[str, User]:
    ensure_countries(db, ["RS", "XK", "MK", "BA"])
    return {
        "admin": make_user(db, "admin", Role.ADMINISTRATOR, None),
        "facilitator": make_user(db, "facilitator", Role.FACILITATOR, None),
        "coordinator": make_user(db, "coordinator", Role.SCHOOL_COORDINATOR, None),
        "inactive_admin": make_user(db, "old_admin", Role.ADMINISTRATOR, None, active=False),
    }


@pytest.fixture
def bank(db: Session, users: dict[str, User]) -> list[QuizQuestion]:
    ensure_question_bank(db, actor=OPERATOR)
    db.flush()
    return list_questions(db)


def by_key(db: Session, key: str) -> QuizQuestion:
    return db.scalar(select(QuizQuestion).where(QuizQuestion.key == key))


def texts_of(db: Session, question: QuizQuestion, language: str) -> QuizTranslation:
    db.expire_all()
    return db.get(QuizTranslation, (question.id, language))


def audit_entries(db: Session, record_type: str) -> list[AuditEntry]:
    db.flush()
    return list(
        db.scalars(
            select(AuditEntry).where(AuditEntry.record_type == record_type).order_by(AuditEntry.id)
        )
    )


def edit_po(data: bytes, changes: dict[str, str], extra: list[tuple[str, str, str]] = ()) -> bytes:
    """Change msgstrs by msgctxt, add (context, msgid, msgstr) entries; return the new file."""
    catalog = read_po(BytesIO(data))
    for message in catalog:
        if message.context in changes:
            message.string = changes[message.context]
    for context, msgid, msgstr in extra:
        catalog.add(msgid, msgstr, context=context)
    buffer = BytesIO()
    write_po(buffer, catalog, width=0)
    return buffer.getvalue()


def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "quiz_content"
    shutil.copytree(CONTENT_DIR, target)
    return target


# --- the content files -----------------------------------------------------------------------


def test_quiz_languages_are_the_app_languages() -> None:
    assert set(QUIZ_LANGUAGES) == set(SUPPORTED_LANGUAGES)
    assert QUIZ_LANGUAGES == ("en", "sr", "sr_Latn", "sq", "mk", "bs")


def test_content_files_validate_clean() -> None:
    assert validate_content(CONTENT_QUESTIONS, CONTENT_HELPLINES) == []


@pytest.mark.parametrize("band", AGE_BANDS)
def test_each_band_has_enough_questions_on_all_its_topics(band: str) -> None:
    questions = [item for item in CONTENT_QUESTIONS if item["age_band"] == band]
    assert len(questions) >= MIN_QUESTIONS_PER_BAND == 20
    assert {item["topic"] for item in questions} == GUIDANCE_TOPICS[band] == set(BAND_TOPICS[band])
    assert {item["type"] for item in questions} == {t.value for t in QuestionType}
    for item in questions:
        assert set(item["texts"]) == set(QUIZ_LANGUAGES), item["key"]


def test_helpline_content_covers_every_country_in_every_language() -> None:
    assert {line["country"] for line in CONTENT_HELPLINES} == {"RS", "XK", "MK", "BA"}
    numbers = {(line["country"], line["number"]) for line in CONTENT_HELPLINES}
    assert {("RS", "116 111"), ("MK", "0800 11111"), ("BA", "080 05 03 05")} <= numbers


def _broken(key: str, change) -> list[dict]:
    questions = copy.deepcopy(CONTENT_QUESTIONS)
    change(next(item for item in questions if item["key"] == key))
    return questions


FIRST = CONTENT_QUESTIONS[0]["key"]  # a single-choice question with three options


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda q: q["texts"].pop("bs"), f"{FIRST}: missing locale bs"),
        (lambda q: q["texts"]["sq"].update(question=" "), f"{FIRST}: sq: empty question"),
        (lambda q: q["texts"]["mk"].update(explanation=""), f"{FIRST}: mk: empty explanation"),
        (
            lambda q: q["texts"]["mk"]["options"].pop(),
            f"{FIRST}: mk: 2 options, English has 3",
        ),
        (lambda q: q["texts"]["sq"]["options"].__setitem__(1, ""), f"{FIRST}: sq: empty option 1"),
        (lambda q: q.update(correct=[3]), f"{FIRST}: correct index 3 out of range 0–2"),
        (
            lambda q: q.update(correct=[0, 1]),
            f"{FIRST}: a single question needs exactly 1 correct option",
        ),
        (
            lambda q: q["texts"]["sr_Latn"].update(question="Nešto drugo"),
            f"{FIRST}: sr_Latn question is not the transliteration of sr",
        ),
        (lambda q: q.update(type="essay"), f"{FIRST}: unknown type 'essay'"),
        (
            lambda q: q.update(topic="online_safety"),
            f"{FIRST}: topic 'online_safety' is not a topic of the band 7-10",
        ),
    ],
)
def test_validate_content_reports_each_problem(change, expected: str) -> None:
    assert expected in validate_content(_broken(FIRST, change), CONTENT_HELPLINES)


def test_validate_content_reports_duplicates_and_too_few_questions() -> None:
    questions = copy.deepcopy(CONTENT_QUESTIONS)
    questions.append(copy.deepcopy(questions[0]))
    assert f"{FIRST}: duplicate key" in validate_content(questions, CONTENT_HELPLINES)
    young = [item for item in CONTENT_QUESTIONS if item["age_band"] == "7-10"]
    others = [item for item in CONTENT_QUESTIONS if item["age_band"] != "7-10"]
    problems = validate_content(others + young[:19], CONTENT_HELPLINES)
    assert "band 7-10: 19 questions, at least 20 needed" in problems


def test_validate_content_checks_helplines() -> None:
    helplines = copy.deepcopy(CONTENT_HELPLINES)
    helplines[0]["name"].pop("sq")
    helplines[1]["description"]["sr_Latn"] = "nešto"
    helplines.append(copy.deepcopy(helplines[2]))
    helplines.append({**copy.deepcopy(helplines[3]), "country": "DE"})
    problems = validate_content(CONTENT_QUESTIONS, helplines)
    first, second, third = (f"helpline RS {helplines[i]['number']}" for i in range(3))
    assert f"{first}: sq: empty name" in problems
    assert f"{second}: sr_Latn description is not the transliteration of sr" in problems
    assert f"{third}: listed twice" in problems
    assert any("unknown country 'DE'" in problem for problem in problems)


# --- loading into the database ---------------------------------------------------------------


def test_ensure_question_bank_loads_everything_once(db: Session, users) -> None:
    result = ensure_question_bank(db, actor=OPERATOR)
    assert result.added_questions == len(CONTENT_QUESTIONS) >= 60
    assert result.added_translations == len(CONTENT_QUESTIONS) * 6
    assert result.added_helplines == len(CONTENT_HELPLINES)
    db.flush()
    again = ensure_question_bank(db, actor=OPERATOR)
    assert (again.added_questions, again.added_translations, again.added_helplines) == (0, 0, 0)
    assert db.scalar(select(func.count()).select_from(QuizTranslation)) == result.added_translations


def test_loading_creates_missing_countries_and_keeps_enabled_flags(db: Session) -> None:
    ensure_countries(db, ["RS"])
    db.execute(delete(Country).where(Country.code == "BA"))
    ensure_question_bank(db, actor=OPERATOR)
    flags = {country.code: country.enabled for country in db.scalars(select(Country))}
    assert flags == {"RS": True, "XK": False, "MK": False, "BA": False}
    assert {line.country_code for line in list_helplines(db)} == {"RS", "XK", "MK", "BA"}


def test_loading_an_empty_database_creates_all_countries(db: Session) -> None:
    ensure_question_bank(db, enabled_countries=["XK"], actor=OPERATOR)
    flags = {country.code: country.enabled for country in db.scalars(select(Country))}
    assert flags == {"RS": False, "XK": True, "MK": False, "BA": False}


def test_edits_retirements_and_deactivations_survive_a_reload(db: Session, users, bank) -> None:
    admin = users["admin"]
    question = bank[0]
    options = [f"Opsioni {i}" for i in range(question.option_count)]
    update_translation(db, admin, question.id, "sq", "Pyetje e re?", options, "Shpjegim i ri.")
    retire_question(db, admin, bank[1].id)
    line = list_helplines(db, "XK")[0]
    deactivate_helpline(db, admin, line.id)
    db.execute(
        delete(QuizTranslation).where(
            QuizTranslation.question_id == bank[2].id, QuizTranslation.language == "mk"
        )
    )
    db.flush()
    db.expire_all()

    result = ensure_question_bank(db, actor=OPERATOR)

    assert (result.added_questions, result.added_translations, result.added_helplines) == (0, 1, 0)
    assert texts_of(db, question, "sq").text == "Pyetje e re?"
    assert by_key(db, bank[1].key).retired_at is not None
    assert db.get(Helpline, line.id).active is False
    assert texts_of(db, bank[2], "mk") is not None  # the deleted translation came back


def test_broken_content_is_refused(db: Session, users, tmp_path: Path) -> None:
    content = content_copy(tmp_path)
    path = content / "band_11_14.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    del items[0]["texts"]["sq"]
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError, match="missing locale sq"):
        ensure_question_bank(db, content_dir=content, actor=OPERATOR)
    assert db.scalar(select(func.count()).select_from(QuizQuestion)) == 0


# --- reading ---------------------------------------------------------------------------------


def test_bank_as_json_shape(db: Session, bank) -> None:
    data = bank_as_json(db)
    assert len(data) == len(CONTENT_QUESTIONS)
    assert [item["age_band"] for item in data] == sorted(
        (item["age_band"] for item in data), key=AGE_BANDS.index
    )
    for item in data:
        assert set(item) == {
            "id", "key", "age_band", "topic", "type", "correct", "retired", "locales"
        }  # fmt: skip
        assert item["type"] in {"single", "true_false", "multiple"}
        assert item["retired"] is False
        assert list(item["locales"]) == list(QUIZ_LANGUAGES)
        option_count = len(item["locales"]["en"]["options"])
        assert item["correct"] and all(0 <= index < option_count for index in item["correct"])
        if item["type"] != "multiple":
            assert len(item["correct"]) == 1
        for texts in item["locales"].values():
            assert set(texts) == {"text", "options", "explanation"}
            assert texts["text"] and texts["explanation"]
            assert len(texts["options"]) == option_count
    json.dumps(data)  # JSON-ready as it is


def test_list_questions_filters(db: Session, users, bank) -> None:
    teen = list_questions(db, age_band="15-18", topic="safe_migration")
    assert teen and {(q.age_band, q.topic) for q in teen} == {("15-18", "safe_migration")}
    retire_question(db, users["admin"], teen[0].id)
    assert teen[0].id not in {q.id for q in list_questions(db, age_band="15-18")}
    assert teen[0].id in {q.id for q in list_questions(db, include_retired=True)}
    assert bank_as_json(db)[[q.id for q in bank].index(teen[0].id)]["retired"] is True
    with pytest.raises(NotFound):
        question_with_translations(db, 999_999)


def test_missing_translations(db: Session, users, bank) -> None:
    assert missing_translations(db) == []
    first, second = bank[0], bank[1]
    db.execute(
        delete(QuizTranslation).where(
            QuizTranslation.question_id == first.id, QuizTranslation.language == "sq"
        )
    )
    latin = db.get(QuizTranslation, (second.id, "bs"))
    latin.options = [*latin.options[:-1], ""]
    latin.explanation = " "
    db.flush()
    db.expire_all()
    assert missing_translations(db) == [
        (first.key, "sq", "translation"),
        (second.key, "bs", f"option:{second.option_count - 1}"),
        (second.key, "bs", "explanation"),
    ]
    retire_question(db, users["admin"], first.id)
    assert (first.key, "sq", "translation") not in missing_translations(db)
    assert (first.key, "sq", "translation") in missing_translations(db, include_retired=True)


# --- editing and permissions -----------------------------------------------------------------


def test_update_translation_by_an_administrator_is_audited(db: Session, users, bank) -> None:
    question = bank[0]
    options = [f" Opsioni {i} " for i in range(question.option_count)]
    saved = update_translation(
        db, users["admin"], question.id, "sq", " Pyetje? ", options, " Shpjegim. "
    )
    assert (saved.text, saved.explanation) == ("Pyetje?", "Shpjegim.")
    assert saved.options == [f"Opsioni {i}" for i in range(question.option_count)]
    [entry] = audit_entries(db, "quiz_translation")
    assert entry.action == AuditAction.UPDATE and entry.actor == "admin"
    assert entry.record_id == f"{question.id}:sq"
    assert entry.detail["fields"] == ["text", "options", "explanation"]
    update_translation(db, users["admin"], question.id, "sq", "Pyetje?", saved.options, "Shpjegim.")
    assert len(audit_entries(db, "quiz_translation")) == 1  # nothing changed, nothing recorded


@pytest.mark.parametrize("who", ["facilitator", "coordinator", "inactive_admin"])
def test_only_active_administrators_edit(db: Session, users, bank, who: str) -> None:
    user, question = users[who], bank[0]
    before = bank_as_json(db)
    lines_before = [(line.number, line.active) for line in list_helplines(db)]
    options = ["a"] * question.option_count
    attempts = [
        lambda: update_translation(db, user, question.id, "sq", "x", options, "y"),
        lambda: update_question(db, user, question.id, [0], question.topic),
        lambda: retire_question(db, user, question.id),
        lambda: restore_question(db, user, question.id),
        lambda: import_po(db, user, "sq", export_po(db, "sq")),
        lambda: save_helpline(db, user, "RS", "116 123", {"en": "Line"}, {}),
        lambda: deactivate_helpline(db, user, list_helplines(db)[0].id),
        lambda: ensure_question_bank(db, actor=user),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert bank_as_json(db) == before
    assert [(line.number, line.active) for line in list_helplines(db)] == lines_before
    assert audit_entries(db, "quiz_translation") == []


def test_update_translation_checks_its_input(db: Session, users, bank) -> None:
    admin, question = users["admin"], bank[0]
    good = ["a"] * question.option_count
    with pytest.raises(ValidationError) as wrong_count:
        update_translation(db, admin, question.id, "sq", "x", good[:-1], "y")
    assert wrong_count.value.field == "options"
    assert str(question.option_count) in wrong_count.value.message
    for text, options, explanation, field in [
        (" ", good, "y", "text"),
        ("x", good, "", "explanation"),
        ("x", [*good[:-1], " "], "y", "options"),
    ]:
        with pytest.raises(ValidationError) as refused:
            update_translation(db, admin, question.id, "sq", text, options, explanation)
        assert refused.value.field == field
    with pytest.raises(ValidationError):
        update_translation(db, admin, question.id, "de", "x", good, "y")
    with pytest.raises(NotFound):
        update_translation(db, admin, 999_999, "sq", "x", good, "y")


def test_saving_serbian_cyrillic_regenerates_serbian_latin(db: Session, users, bank) -> None:
    question = bank[0]
    options = [f"Одговор {i} – љубав" for i in range(question.option_count)]
    update_translation(db, users["admin"], question.id, "sr", "Шта ћеш урадити?", options, "Џеп.")
    latin = texts_of(db, question, "sr_Latn")
    assert latin.text == "Šta ćeš uraditi?" and latin.explanation == "Džep."
    assert latin.options == [cyrillic_to_latin(option) for option in options]
    entries = audit_entries(db, "quiz_translation")
    assert [entry.record_id for entry in entries] == [f"{question.id}:sr", f"{question.id}:sr_Latn"]
    assert entries[1].detail["generated_from"] == "sr"


def test_update_question_answers_and_topic(db: Session, users, bank) -> None:
    admin = users["admin"]
    single = next(q for q in bank if q.type == QuestionType.SINGLE and q.age_band == "7-10")
    multiple = next(q for q in bank if q.type == QuestionType.MULTIPLE)
    update_question(db, admin, single.id, [2], "secrets")
    db.expire_all()
    assert (by_key(db, single.key).correct, by_key(db, single.key).topic) == ([2], "secrets")
    [entry] = audit_entries(db, "quiz_question")
    assert entry.action == AuditAction.UPDATE and entry.detail["topic"]["new"] == "secrets"
    update_question(db, admin, multiple.id, [1, 0], multiple.topic)
    assert by_key(db, multiple.key).correct == [0, 1]
    for question, correct, topic in [
        (single, [0, 1], single.topic),  # single choice: exactly one
        (single, [], single.topic),
        (single, [9], single.topic),  # no such option
        (multiple, [], multiple.topic),
        (single, [0], "safe_migration"),  # a topic of another band
    ]:
        with pytest.raises(ValidationError):
            update_question(db, admin, question.id, correct, topic)


def test_retire_and_restore_keep_the_history(db: Session, users, bank) -> None:
    admin, question = users["admin"], bank[0]
    retired = retire_question(db, admin, question.id)
    assert retired.retired_at is not None
    assert len(question_with_translations(db, question.id).translations) == 6
    retire_question(db, admin, question.id)  # already retired: nothing more recorded
    restore_question(db, admin, question.id)
    assert by_key(db, question.key).retired_at is None
    assert [entry.detail["retired"] for entry in audit_entries(db, "quiz_question")] == [
        True,
        False,
    ]


# --- .po files -------------------------------------------------------------------------------


def test_export_po_layout(db: Session, bank) -> None:
    question = bank[0]
    catalog = read_po(BytesIO(export_po(db, "sq")))
    assert str(catalog.locale) == "sq"
    english = texts_of(db, question, "en")
    albanian = texts_of(db, question, "sq")
    text = catalog.get(english.text, f"{question.key}|text")
    assert text is not None and text.string == albanian.text
    option = catalog.get(english.options[1], f"{question.key}|option:1")
    assert option.string == albanian.options[1]
    explanation = catalog.get(english.explanation, f"{question.key}|explanation")
    assert explanation.string == albanian.explanation
    per_question = {q.key: 2 + q.option_count for q in bank}  # text, explanation and each option
    assert len([m for m in catalog if m.id]) == sum(per_question.values())


@pytest.mark.parametrize("language", QUIZ_LANGUAGES)
def test_po_round_trip_changes_nothing(db: Session, users, bank, language: str) -> None:
    before = bank_as_json(db)
    summary = import_po(db, users["admin"], language, export_po(db, language))
    assert summary.errors == [] and summary.updated == 0
    assert summary.unchanged == sum(2 + q.option_count for q in bank)
    db.expire_all()
    assert bank_as_json(db) == before
    assert audit_entries(db, "quiz_translation") == []


def test_importing_a_modified_po_updates_exactly_those_strings(db: Session, users, bank) -> None:
    first, second = bank[0], bank[5]
    before = bank_as_json(db)
    data = edit_po(
        export_po(db, "sq"),
        {f"{first.key}|text": "Pyetje e përmirësuar?", f"{second.key}|option:1": "Opsion i ri"},
    )
    summary = import_po(db, users["admin"], "sq", data)
    assert (summary.updated, summary.errors) == (2, [])
    db.expire_all()
    after = bank_as_json(db)
    expected = copy.deepcopy(before)
    expected[0]["locales"]["sq"]["text"] = "Pyetje e përmirësuar?"
    expected[5]["locales"]["sq"]["options"][1] = "Opsion i ri"
    assert after == expected
    entries = audit_entries(db, "quiz_translation")
    assert {entry.record_id for entry in entries} == {f"{first.id}:sq", f"{second.id}:sq"}
    assert all(entry.detail["source"] == "po_import" for entry in entries)


def test_importing_serbian_cyrillic_regenerates_latin(db: Session, users, bank) -> None:
    question = bank[0]
    data = edit_po(export_po(db, "sr"), {f"{question.key}|text": "Шта је најбоље?"})
    assert import_po(db, users["admin"], "sr", data).updated == 1
    assert texts_of(db, question, "sr_Latn").text == "Šta je najbolje?"


def test_untranslated_and_fuzzy_entries_are_skipped(db: Session, users, bank) -> None:
    question = bank[0]
    catalog = read_po(BytesIO(export_po(db, "mk")))
    for message in catalog:
        if message.context == f"{question.key}|text":
            message.string = ""
        if message.context == f"{question.key}|explanation":
            message.string, message.flags = "Нагодено?", {"fuzzy"}
    buffer = BytesIO()
    write_po(buffer, catalog)
    before = bank_as_json(db)
    summary = import_po(db, users["admin"], "mk", buffer.getvalue())
    assert summary.errors == [] and summary.updated == 0
    assert bank_as_json(db) == before


def test_import_fills_a_missing_translation(db: Session, users, bank) -> None:
    question = bank[0]
    data = export_po(db, "bs")
    db.execute(
        delete(QuizTranslation).where(
            QuizTranslation.question_id == question.id, QuizTranslation.language == "bs"
        )
    )
    db.flush()
    db.expire_all()
    summary = import_po(db, users["admin"], "bs", data)
    assert summary.errors == [] and summary.updated == 2 + question.option_count
    assert missing_translations(db) == []
    [entry] = audit_entries(db, "quiz_translation")
    assert entry.action == AuditAction.CREATE


@pytest.mark.parametrize(
    "extra,expected",
    [
        (("no-such-question|text", "Hello", "Tung"), "no-such-question|text: no question"),
        (("{key}|option:9", "Nine", "Nëntë"), "{key}|option:9: the question has no such field"),
        (("{key}|colour", "Red", "E kuqe"), "{key}|colour: the question has no such field"),
        (("{key}", "Text", "Tekst"), "{key}: no question"),
    ],
)
def test_a_broken_po_writes_nothing(db: Session, users, bank, extra, expected: str) -> None:
    key = bank[0].key
    context, msgid, msgstr = extra
    data = edit_po(
        export_po(db, "sq"),
        {f"{bank[1].key}|text": "Një ndryshim i vlefshëm?"},  # valid, but must not be written
        [(context.format(key=key), msgid, msgstr)],
    )
    before = bank_as_json(db)
    summary = import_po(db, users["admin"], "sq", data)
    assert summary.updated == 0
    assert any(error.startswith(expected.format(key=key)) for error in summary.errors), summary
    db.expire_all()
    assert bank_as_json(db) == before
    assert audit_entries(db, "quiz_translation") == []


def test_po_for_stale_english_wrong_language_or_garbage_is_refused(
    db: Session, users, bank
) -> None:
    admin, question = users["admin"], bank[0]
    data = export_po(db, "sq")
    before = bank_as_json(db)
    wrong_language = import_po(db, admin, "mk", data)
    assert wrong_language.errors == ["The file is for the language sq, not mk."]
    assert import_po(db, admin, "sq", b'msgid "unterminated\nmsgstr').errors
    assert import_po(db, admin, "sq", b"\xff\xfe\x00garbage").errors
    english = texts_of(db, question, "en")
    options = list(english.options)
    update_translation(db, admin, question.id, "en", "A changed question?", options, "Why.")
    stale = import_po(db, admin, "sq", edit_po(data, {f"{question.key}|text": "Ndryshuar?"}))
    assert any("English text has changed" in error for error in stale.errors)
    db.expire_all()
    after = bank_as_json(db)
    assert after[0]["locales"]["sq"] == before[0]["locales"]["sq"]


# --- helplines -------------------------------------------------------------------------------


def test_helplines_for_a_country_in_albanian(db: Session, bank) -> None:
    lines = helplines_for(db, "XK", "sq")
    content = [
        line
        for line in CONTENT_HELPLINES
        if line["country"] == "XK" and line["active"] and line["verified_on"]
    ]
    assert "0800 11112" not in [line.number for line in lines]  # no source since about 2012
    assert [line.number for line in lines] == [line["number"] for line in content]
    assert [line.name for line in lines] == [line["name"]["sq"] for line in content]
    assert [line.description for line in lines] == [line["description"]["sq"] for line in content]
    police = next(line for line in lines if line.number == "192")
    assert (police.free, police.hours) == (True, "24/7")


def test_helplines_fall_back_to_english_and_hide_inactive_lines(db: Session, users, bank) -> None:
    line = list_helplines(db, "MK")[0]
    line.names = {"en": "SOS line", "sr": "СОС линија"}
    line.descriptions = {"en": "Free and confidential."}
    db.flush()
    [albanian] = [view for view in helplines_for(db, "MK", "sq") if view.number == line.number]
    assert (albanian.name, albanian.description) == ("SOS line", "Free and confidential.")
    [latin] = [view for view in helplines_for(db, "MK", "sr_Latn") if view.number == line.number]
    assert latin.name == "SOS linija"  # generated from Cyrillic before falling back to English
    deactivate_helpline(db, users["admin"], line.id)
    assert line.number not in {view.number for view in helplines_for(db, "MK", "sq")}
    assert helplines_for(db, "DE", "sq") == []


def test_save_helpline(db: Session, users, bank) -> None:
    admin = users["admin"]
    created = save_helpline(
        db,
        admin,
        "rs",
        " 0800  100 600 ",
        {"en": "Test line", "sq": "Linjë prove", "xx": "ignored"},
        {"en": "For testing.", "mk": " "},
        free=True,
        hours="daily 08:00-20:00",
        confidence="medium",
    )
    assert (created.country_code, created.number) == ("RS", "0800 100 600")
    assert created.names == {"en": "Test line", "sq": "Linjë prove"}
    assert created.descriptions == {"en": "For testing."}
    assert created.sort_order > max(line.sort_order for line in list_helplines(db, "RS")[:-1])
    assert helplines_for(db, "RS", "sq", "staff")[-1].name == "Linjë prove"
    assert "0800 100 600" not in [line.number for line in helplines_for(db, "RS", "sq")]
    changed = save_helpline(
        db, admin, "RS", "0800 100 601", {"en": "Renamed"}, {}, helpline_id=created.id
    )
    assert changed.id == created.id and changed.number == "0800 100 601"
    actions = [entry.action for entry in audit_entries(db, "helpline")]
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]
    for country, number, names, confidence in [
        ("RS", "116 111", {"en": "Duplicate"}, "high"),  # the country has this number already
        ("RS", "call us", {"en": "Words"}, "high"),
        ("RS", "12", {"en": "Too short"}, "high"),
        ("RS", "0800 1", {"sq": "No English"}, "high"),
        ("DE", "0800 1", {"en": "Unknown country"}, "high"),
        ("RS", "0800 1", {"en": "Unsure"}, "maybe"),
    ]:
        with pytest.raises(ValidationError):
            save_helpline(db, admin, country, number, names, {}, confidence=confidence)
    with pytest.raises(NotFound):
        deactivate_helpline(db, admin, 999_999)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as session:
        ensure_countries(session, ["RS", "XK", "MK", "BA"])
        session.commit()
    engine.dispose()
    get_settings.cache_clear()
    yield {
        "PARLIAMENT_DATABASE_URL": url,
        "PARLIAMENT_DATA_DIR": str(tmp_path / "data"),
        "PARLIAMENT_SECRET_KEY": "quiz-bank-test-secret-" * 3,
    }
    get_settings.cache_clear()


def run(env: dict[str, str], *args: str):
    get_settings.cache_clear()
    try:
        return CliRunner(env=env).invoke(quiz, list(args))
    finally:
        get_settings.cache_clear()


def test_cli_load_then_bank_as_json(cli_env: dict[str, str]) -> None:
    empty = run(cli_env, "bank", "--format", "json")
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.output) == []
    loaded = run(cli_env, "load")
    assert loaded.exit_code == 0, loaded.output
    assert f"added {len(CONTENT_QUESTIONS)} questions" in loaded.output
    again = run(cli_env, "load")
    assert "added 0 questions, 0 translations, 0 helplines" in again.output
    result = run(cli_env, "bank", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data) >= 60
    assert {item["age_band"] for item in data} == set(AGE_BANDS)
    for item in data:
        assert set(item["locales"]) == set(QUIZ_LANGUAGES)
        assert all(
            set(texts) == {"text", "options", "explanation"} for texts in item["locales"].values()
        )
    text = run(cli_env, "bank", "--format", "text", "--language", "sq")
    assert text.exit_code == 0 and f"{len(data)} questions" in text.output
    assert data[0]["locales"]["sq"]["text"] in text.output


def test_cli_po_export_and_import(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert run(cli_env, "load").exit_code == 0
    po_file = tmp_path / "sq.po"
    exported = run(cli_env, "export-po", "--language", "sq", "--out", str(po_file))
    assert exported.exit_code == 0, exported.output
    key = json.loads(run(cli_env, "bank").output)[0]["key"]
    po_file.write_bytes(edit_po(po_file.read_bytes(), {f"{key}|text": "Pyetje nga CLI?"}))
    imported = run(cli_env, "import-po", "--language", "sq", str(po_file))
    assert imported.exit_code == 0, imported.output
    assert "1 strings updated" in imported.output
    assert json.loads(run(cli_env, "bank").output)[0]["locales"]["sq"]["text"] == "Pyetje nga CLI?"
    broken = tmp_path / "broken.po"
    broken.write_bytes(edit_po(po_file.read_bytes(), {}, [("nobody|text", "Hi", "Tung")]))
    refused = run(cli_env, "import-po", "--language", "sq", str(broken))
    assert refused.exit_code == 1
    assert "nothing imported" in refused.output


def test_cli_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {"PARLIAMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = run(env, "bank")
    assert result.exit_code == 2
    assert "db upgrade" in result.output


# --- i18n check -----------------------------------------------------------------------------


def test_check_quiz_content_on_the_real_files() -> None:
    result = check_quiz_content(CONTENT_DIR)
    assert (result.questions, result.problems) == (len(CONTENT_QUESTIONS), [])


@pytest.fixture
def clean_root(tmp_path: Path) -> Path:
    """A source tree with no messages and complete (empty) catalogs, plus the quiz content."""
    root = tmp_path / "root"
    (root / "parliament_app").mkdir(parents=True)
    for language in LANGUAGES:
        path = catalog_path(root, language)
        path.parent.mkdir(parents=True)
        with path.open("wb") as file:
            write_po(file, Catalog(locale=language, domain="messages", fuzzy=False))
    shutil.copytree(CONTENT_DIR, root / "activities" / "quizzes" / "content")
    return root


def test_i18n_check_counts_the_quiz_content(clean_root: Path) -> None:
    result = CliRunner().invoke(i18n, ["check", "--root", str(clean_root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"quiz content: {len(CONTENT_QUESTIONS)} questions, 0 problems",
        "i18n check: 5 catalogs, 0 messages, 0 problems",
    ]


def test_i18n_check_fails_on_a_missing_quiz_locale(clean_root: Path, tmp_path: Path) -> None:
    content = clean_root / "activities" / "quizzes" / "content"
    path = content / "band_15_18.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    del items[3]["texts"]["mk"]
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    assert check_quiz_content(content).problems == [f"quiz: {items[3]['key']}: missing locale mk"]
    result = CliRunner().invoke(i18n, ["check", "--root", str(clean_root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"quiz: {items[3]['key']}: missing locale mk",
        f"quiz content: {len(CONTENT_QUESTIONS)} questions, 1 problems",
        "i18n check: 5 catalogs, 0 messages, 1 problems",
    ]
    # --quiz-content points the check at another copy, e.g. a translator's
    other = content_copy(tmp_path)
    (other / "helplines.json").unlink()
    elsewhere = CliRunner().invoke(
        i18n, ["check", "--root", str(clean_root), "--quiz-content", str(other)]
    )
    assert elsewhere.exit_code == 1
    assert "quiz: cannot read the content files" in elsewhere.output


# --- the administrators' page ----------------------------------------------------------------


@pytest.fixture
def page_env(db: Session, database_url: str, tmp_path: Path, monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "quiz-page-test-secret-" * 3)
    runtime.reset()
    yield
    runtime.reset()


def open_page(db: Session, user: User) -> AppTest:
    db.commit()
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.session_state[USER_KEY] = user.id
    return app.run()


def test_page_is_for_administrators_only(db: Session, users, bank, page_env) -> None:
    app = open_page(db, users["facilitator"])
    assert not app.exception
    assert "Only administrators" in app.error[0].value
    assert not app.title


def test_page_lists_and_edits_questions(db: Session, users, bank, page_env) -> None:
    app = open_page(db, users["admin"])
    assert not app.exception, app.exception
    assert "Quiz questions" in app.title[0].value
    question = bank[0]
    assert app.selectbox(key="quiz_bank_question").value == question.id
    prefix = f"quiz_{question.id}_sq_0"
    app.text_area(key=f"{prefix}_text").input("Pyetje nga faqja?")
    next(button for button in app.button if button.label == "Save Shqip").click()
    app.run()
    assert not app.exception, app.exception
    assert any("was saved" in message.value for message in app.success)
    assert texts_of(db, question, "sq").text == "Pyetje nga faqja?"


def test_page_shows_missing_translations(db: Session, users, bank, page_env) -> None:
    db.execute(
        delete(QuizTranslation).where(
            QuizTranslation.question_id == bank[0].id, QuizTranslation.language == "mk"
        )
    )
    app = open_page(db, users["admin"])
    assert not app.exception, app.exception
    assert any("in use: 1." in caption.value for caption in app.caption)


def test_page_loads_the_built_in_content_and_saves_a_helpline(db: Session, users, page_env) -> None:
    app = open_page(db, users["admin"])
    assert not app.exception, app.exception
    next(button for button in app.button if button.label == "Add the built-in content").click()
    app.run()
    assert not app.exception, app.exception
    assert any("Questions: 78;" in message.value for message in app.success)
    prefix = "helpline_RS_None_1"  # a new line, in the second round of forms
    app.text_input(key=f"{prefix}_number").input("0800 123 456")
    app.text_input(key=f"{prefix}_name_en").input("A new line")
    app.text_input(key=f"{prefix}_name_sq").input("Një linjë e re")
    next(button for button in app.button if button.label == "Save the helpline").click()
    app.run()
    assert not app.exception, app.exception
    assert any("0800 123 456 was saved" in message.value for message in app.success)
    db.expire_all()
    assert helplines_for(db, "RS", "sq", "staff")[-1] == HelplineView(
        "0800 123 456", "Një linjë e re", "", None, None, shown_to_children=False
    )
