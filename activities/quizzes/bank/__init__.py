"""The awareness quiz question bank and the helplines shown at the end of a quiz.

Every question is one linked item (``QuizQuestion``: key, age band, topic, type, correct options)
with its text in all six app languages (``QuizTranslation``), so results compare across languages.
The built-in content lives in ``activities/quizzes/content/*.json``; ``ensure_question_bank``
copies what the database lacks and never overwrites a row, so administrators' edits survive.
Outside translators work on gettext ``.po`` files (``export_po`` / ``import_po``).

Serbian Latin is generated from Serbian Cyrillic (as in the app's catalogs): saving a Cyrillic
translation also rewrites the Latin one.

No Streamlit here: pages, the command line and tests all call these functions.

Modules: ``content`` (the files and loading them), ``editing``, ``translations`` (``.po``
files) and ``helplines``.
"""

from __future__ import annotations

from activities.quizzes.bank.content import (
    AGE_BANDS,
    BAND_TOPICS,
    CONTENT_DIR,
    HELPLINE_CONFIDENCE,
    HELPLINE_KINDS,
    MIN_QUESTIONS_PER_BAND,
    QUESTION_TYPE_LABELS,
    QUIZ_LANGUAGES,
    TOPIC_LABELS,
    LoadResult,
    ensure_question_bank,
    load_content_files,
    validate_content,
)
from activities.quizzes.bank.editing import (
    bank_as_json,
    list_questions,
    missing_translations,
    question_with_translations,
    restore_question,
    retire_question,
    update_question,
    update_translation,
)
from activities.quizzes.bank.helplines import (
    AUDIENCES,
    HelplineView,
    cost_text,
    countries_without_trusted_line,
    deactivate_helpline,
    helplines_for,
    hours_text,
    lines_due_for_verification,
    list_helplines,
    save_helpline,
)
from activities.quizzes.bank.translations import ImportSummary, export_po, import_po

__all__ = [
    "AGE_BANDS",
    "AUDIENCES",
    "BAND_TOPICS",
    "CONTENT_DIR",
    "HELPLINE_CONFIDENCE",
    "HELPLINE_KINDS",
    "MIN_QUESTIONS_PER_BAND",
    "QUESTION_TYPE_LABELS",
    "QUIZ_LANGUAGES",
    "TOPIC_LABELS",
    "HelplineView",
    "ImportSummary",
    "LoadResult",
    "bank_as_json",
    "cost_text",
    "countries_without_trusted_line",
    "deactivate_helpline",
    "ensure_question_bank",
    "export_po",
    "helplines_for",
    "hours_text",
    "import_po",
    "lines_due_for_verification",
    "list_helplines",
    "list_questions",
    "load_content_files",
    "missing_translations",
    "question_with_translations",
    "restore_question",
    "retire_question",
    "save_helpline",
    "update_question",
    "update_translation",
    "validate_content",
]
