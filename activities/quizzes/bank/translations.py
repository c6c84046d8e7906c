"""The bank as gettext catalogs for outside translators: exporting a language to a ``.po`` file
and importing it back, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlalchemy.orm import Session

from activities.quizzes.bank.content import _OPTION_CONTEXT, SOURCE_LANGUAGE
from activities.quizzes.bank.editing import (
    _check_language,
    _sync_serbian_latin,
    _translation,
    _write_translation,
    list_questions,
)
from parliament_app.core.actors import Actor
from parliament_app.core.i18n import _
from parliament_app.models.quizzes import QuizQuestion, QuizTranslation
from parliament_app.policy.quizzes import require_bank_editor


@dataclass(frozen=True)
class ImportSummary:
    updated: int  # strings that changed
    unchanged: int  # strings that were already the same
    errors: list[str] = field(default_factory=list)  # when not empty, nothing was written


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


def import_po(session: Session, user: Actor, language: str, data: bytes) -> ImportSummary:
    """Apply a translated ``.po`` file, all or nothing.

    Untranslated (empty) and fuzzy entries are skipped. An unknown key or field, an option index
    the question does not have, a source text that changed since the export, or a language with
    no translation yet that the file does not fully cover are errors, and then nothing is
    written. Importing Serbian Cyrillic also regenerates Serbian Latin.
    """
    require_bank_editor(user)
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
