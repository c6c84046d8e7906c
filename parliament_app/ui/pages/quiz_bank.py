# Not split: one page whose sections (questions, their texts, .po files, helplines) share the
# bank read in one transaction (``Bank``), the page's outcome and its form round.
"""Administrators keep the awareness quiz's question bank: questions and their six translations,
the correct answers, retiring questions, missing translations, .po files for outside translators,
and the helplines shown at the end of a quiz."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from activities.quizzes.bank import (
    AGE_BANDS,
    BAND_TOPICS,
    HELPLINE_CONFIDENCE,
    HELPLINE_KINDS,
    QUESTION_TYPE_LABELS,
    QUIZ_LANGUAGES,
    TOPIC_LABELS,
    deactivate_helpline,
    ensure_question_bank,
    export_po,
    import_po,
    lines_due_for_verification,
    list_helplines,
    list_questions,
    missing_translations,
    restore_question,
    retire_question,
    save_helpline,
    update_question,
    update_translation,
)
from activities.quizzes.bank.helplines import shown_to_children, verified_since
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    N_,
    _,
    current_language,
    format_date,
    ngettext,
    pgettext,
)
from parliament_app.models import Role
from parliament_app.models.quizzes import Helpline, QuestionType, QuizQuestion
from parliament_app.places.services import COUNTRY_NAMES, enabled_countries
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("quiz_bank")

MISSING_LABELS = {
    "translation": N_("No translation at all"),
    "text": N_("The question is empty"),
    "explanation": N_("The explanation is empty"),
    "options": N_("Wrong number of answer options"),
}
CONFIDENCE_LABELS = {
    "high": N_("Checked (high confidence)"),
    "medium": N_("Medium confidence: check again"),
    "uncertain": N_("Uncertain: verify before use"),
}
FREE_CHOICES = [None, True, False]
KIND_LABELS = {
    "child": N_("Children's helpline"),
    "trafficking": N_("Anti-trafficking line"),
    "violence": N_("Line for victims of violence"),
    "missing": N_("Missing children line"),
    "police": N_("Police"),
    "ambulance": N_("Ambulance"),
    "emergency": N_("Single emergency number"),
    "other": N_("Other"),
}
NEW_HELPLINE: dict[str, Any] = {
    "number": "",
    "names": {},
    "descriptions": {},
    "free": None,
    "hours": "",
    "confidence": "high",
    "sort_order": None,
    "active": True,
    "kind": "other",
    "verified_on": None,
    "verified_by": "",
    "source": "",
    "shown_to_children": False,
}

Record = dict[str, Any]  # a question or a helpline as plain values, read in one transaction


@dataclass(frozen=True)
class Bank:
    questions: dict[int, Record]  # by id, retired ones too
    gaps: list[tuple[str, str, str]]  # (question key, language, what is missing)
    helplines: list[Record]
    country_codes: list[str]
    due: list[str]  # "XK 0800 11112": active lines children do not see until checked


@dataclass(frozen=True)
class HelplineFields:
    number: str
    hours: str
    free: bool | None
    confidence: str
    sort_order: int
    active: bool
    names: dict[str, str]
    descriptions: dict[str, str]
    kind: str
    verification: Verification


@dataclass(frozen=True)
class Verification:
    """Who checked that a line works, when, against which public source."""

    on: date | None
    by: str
    source: str


def render() -> None:
    bank = _bank()
    form_round = OUTCOME.form_round
    language = current_language()
    gap_languages: dict[str, set[str]] = {}
    for key, gap_language, _what in bank.gaps:
        gap_languages.setdefault(key, set()).add(gap_language)
    st.title("🧩 " + _("Quiz questions"))
    st.caption(
        _(
            "The awareness quiz's question bank. Every question exists in all six languages as "
            "one linked item, so results compare across languages. Retired questions are no "
            "longer asked, but their answers and history are kept."
        )
    )
    OUTCOME.show()
    _built_in_content(not bank.questions, form_round)
    shown = _question_list(bank.questions, gap_languages)
    if shown:
        _edit_question(bank.questions, shown, gap_languages, form_round)
    _missing_translations(bank.questions, bank.gaps)
    _translator_files(language, form_round)
    _helplines(bank, language, form_round)


# ----------------------------------------------------------------------------- labels


def _band_label(band: str | None) -> str:
    if band is None:
        return _("All age bands")
    return _("Ages {band}").format(band=band.replace("-", "–"))


def _topic_label(topic: str | None) -> str:
    if topic is None:
        return _("All topics")
    return _(TOPIC_LABELS[topic]) if topic in TOPIC_LABELS else topic


def _missing_label(what: str) -> str:
    if what.startswith("option:"):
        return _("Answer option {number} is empty").format(number=int(what.split(":")[1]) + 1)
    return _(MISSING_LABELS[what]) if what in MISSING_LABELS else what


def _free_label(free: bool | None) -> str:
    if free is None:
        return _("Not known")
    return _("Free of charge") if free else _("Not free")


def _localised(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def _shorten(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# ----------------------------------------------------------------------------- reading


def _bank() -> Bank:
    """Everything the page shows, read once; only administrators get further."""
    with transaction() as session:
        actor = page_user(session)
        if actor.role != Role.ADMINISTRATOR:
            st.error(_("Only administrators can edit the quiz questions and helplines."), icon="🔒")
            st.stop()
        questions = {
            question.id: _question_record(question)
            for question in list_questions(session, include_retired=True)
        }
        gaps = missing_translations(session, include_retired=True)
        since = verified_since()
        helplines = [_helpline_record(line, since) for line in list_helplines(session)]
        country_codes = sorted(
            {country.code for country in enabled_countries(session)}
            | {line["country_code"] for line in helplines},
            key=lambda code: list(COUNTRY_NAMES).index(code) if code in COUNTRY_NAMES else 99,
        )
        due = [f"{line.country_code} {line.number}" for line in lines_due_for_verification(session)]
    return Bank(questions, gaps, helplines, country_codes, due)


def _question_record(question: QuizQuestion) -> Record:
    return {
        "id": question.id,
        "key": question.key,
        "age_band": question.age_band,
        "topic": question.topic,
        "type": question.type,
        "correct": list(question.correct),
        "option_count": question.option_count,
        "retired": question.retired_at is not None,
        "texts": {
            translation.language: {
                "text": translation.text,
                "options": list(translation.options),
                "explanation": translation.explanation,
            }
            for translation in question.translations
        },
    }


def _helpline_record(line: Helpline, since: date) -> Record:
    return {
        "id": line.id,
        "country_code": line.country_code,
        "number": line.number,
        "names": dict(line.names or {}),
        "descriptions": dict(line.descriptions or {}),
        "free": line.free,
        "hours": line.hours or "",
        "confidence": line.confidence,
        "sort_order": line.sort_order,
        "active": line.active,
        "kind": line.kind,
        "verified_on": line.verified_on,
        "verified_by": line.verified_by or "",
        "source": line.source or "",
        "shown_to_children": shown_to_children(line, since),
    }


# ----------------------------------------------------------------------------- built-in content


def _built_in_content(expanded: bool, form_round: int) -> None:
    with st.expander(_("Built-in questions and helplines"), expanded=expanded):
        st.write(
            _(
                "Adds the built-in questions, translations and helplines that are not in the "
                "database yet. Nothing that exists is changed, so your edits are kept."
            )
        )
        if st.button(_("Add the built-in content"), key=f"load_bank_{form_round}"):
            with shown_errors():
                with transaction() as session:
                    loaded = ensure_question_bank(session, actor=page_user(session))
                OUTCOME.done(
                    _(
                        "Built-in content added. Questions: {questions}; translations: "
                        "{translations}; helplines: {helplines}."
                    ).format(
                        questions=loaded.added_questions,
                        translations=loaded.added_translations,
                        helplines=loaded.added_helplines,
                    )
                )


# ----------------------------------------------------------------------------- the list


def _question_list(
    questions: dict[int, Record], gap_languages: dict[str, set[str]]
) -> list[Record]:
    """The filters and the questions they leave; returns those."""
    st.subheader(_("Questions"))
    chosen_band, chosen_topic, show_retired = _question_filters()
    shown = [
        question
        for question in questions.values()
        if (chosen_band is None or question["age_band"] == chosen_band)
        and (chosen_topic is None or question["topic"] == chosen_topic)
        and (show_retired or not question["retired"])
    ]
    if not shown:
        empty_state(
            _("No questions match. Add the built-in content above, or change the filters.")
            if not questions
            else _("No questions match these filters.")
        )
        return shown
    st.dataframe(
        [
            {
                _("Key"): question["key"],
                _("Age band"): _band_label(question["age_band"]),
                _("Topic"): _topic_label(question["topic"]),
                _("Type"): _(QUESTION_TYPE_LABELS[question["type"]]),
                _("Retired"): question["retired"],
                _("Languages missing"): len(gap_languages.get(question["key"], ())),
            }
            for question in shown
        ],
        hide_index=True,
    )
    return shown


def _question_filters() -> tuple[str | None, str | None, bool]:
    left, middle, right = st.columns(3)
    chosen_band = left.selectbox(
        _("Age band"), [None, *AGE_BANDS], format_func=_band_label, key="quiz_bank_band"
    )
    topics = list(BAND_TOPICS[chosen_band]) if chosen_band else list(TOPIC_LABELS)
    chosen_topic = middle.selectbox(
        _("Topic"), [None, *topics], format_func=_topic_label, key="quiz_bank_topic"
    )
    show_retired = right.checkbox(_("Show retired questions"), key="quiz_bank_retired")
    return chosen_band, chosen_topic, show_retired


# ----------------------------------------------------------------------------- one question


def _edit_question(
    questions: dict[int, Record],
    shown: list[Record],
    gap_languages: dict[str, set[str]],
    form_round: int,
) -> None:
    st.subheader(_("Edit a question"))
    chosen_id = st.selectbox(
        _("Question"),
        [question["id"] for question in shown],
        format_func=lambda question_id: "{key} · {text}".format(
            key=questions[question_id]["key"],
            text=_shorten(
                questions[question_id]["texts"].get("en", {}).get("text", "")
                or questions[question_id]["key"]
            ),
        ),
        key="quiz_bank_question",
    )
    question = questions[chosen_id]
    english = question["texts"].get("en", {})
    st.caption(
        _("{band} · {topic} · {type}").format(
            band=_band_label(question["age_band"]),
            topic=_topic_label(question["topic"]),
            type=_(QUESTION_TYPE_LABELS[question["type"]]),
        )
    )
    if question["retired"]:
        st.warning(_("This question is retired: new quizzes do not ask it."), icon="📦")
    _answers_and_topic(question, english.get("options", []), form_round)
    _retire_or_restore(question, form_round)
    _texts_in_each_language(
        question, english, gap_languages.get(question["key"], set()), form_round
    )


def _option_label(english_options: list[str], index: int) -> str:
    text = english_options[index] if index < len(english_options) else ""
    return _("Option {number}: {text}").format(number=index + 1, text=text)


def _answers_and_topic(question: Record, english_options: list[str], form_round: int) -> None:
    chosen_id = question["id"]
    with st.form(f"quiz_question_{chosen_id}_{form_round}"):
        band_topics = list(BAND_TOPICS.get(question["age_band"], ()))
        new_topic = st.selectbox(
            _("Topic"),
            band_topics,
            index=band_topics.index(question["topic"]) if question["topic"] in band_topics else 0,
            format_func=_topic_label,
            key=f"quiz_topic_{chosen_id}_{form_round}",
        )
        indices = list(range(question["option_count"]))
        if question["type"] == QuestionType.MULTIPLE:
            new_correct = st.multiselect(
                _("Correct answers"),
                indices,
                default=[index for index in question["correct"] if index in indices],
                format_func=lambda index: _option_label(english_options, index),
                key=f"quiz_correct_{chosen_id}_{form_round}",
            )
        else:
            picked = st.radio(
                _("Correct answer"),
                indices,
                index=question["correct"][0] if question["correct"] else 0,
                format_func=lambda index: _option_label(english_options, index),
                key=f"quiz_correct_{chosen_id}_{form_round}",
            )
            new_correct = [picked]
        save_settings = st.form_submit_button(_("Save the answers and topic"), type="primary")
    if save_settings:
        with shown_errors():
            with transaction() as session:
                update_question(session, page_user(session), chosen_id, new_correct, new_topic)
            OUTCOME.done(_("The question {key} was saved.").format(key=question["key"]))


def _retire_or_restore(question: Record, form_round: int) -> None:
    chosen_id = question["id"]
    if question["retired"]:
        if st.button(_("Restore the question"), key=f"quiz_restore_{chosen_id}_{form_round}"):
            with shown_errors():
                with transaction() as session:
                    restore_question(session, page_user(session), chosen_id)
                OUTCOME.done(_("The question {key} is asked again.").format(key=question["key"]))
    elif st.button(
        _("Retire the question"),
        key=f"quiz_retire_{chosen_id}_{form_round}",
        help=_("New quizzes no longer ask it; its translations and past answers are kept."),
    ):
        with shown_errors():
            with transaction() as session:
                retire_question(session, page_user(session), chosen_id)
            OUTCOME.done(_("The question {key} was retired.").format(key=question["key"]))


def _texts_in_each_language(
    question: Record, english: dict[str, Any], missing_here: set[str], form_round: int
) -> None:
    st.markdown("**" + _("Texts in each language") + "**")
    tabs = st.tabs(
        [LANGUAGE_NAMES[code] + (" ⚠️" if code in missing_here else "") for code in QUIZ_LANGUAGES]
    )
    for tab, code in zip(tabs, QUIZ_LANGUAGES, strict=True):
        texts = question["texts"].get(code, {"text": "", "options": [], "explanation": ""})
        with tab:
            if code == "sr":
                st.caption(_("Saving the Serbian Cyrillic text also updates Serbian Latin."))
            elif code == "sr_Latn":
                st.caption(
                    _(
                        "Serbian Latin is generated from Serbian Cyrillic whenever that is "
                        "saved; correct the Cyrillic text where you can."
                    )
                )
            elif code != "en" and english:
                st.caption(_("English: {text}").format(text=english.get("text", "")))
            _translation_form(question, code, texts, form_round)


def _translation_form(question: Record, code: str, texts: dict[str, Any], form_round: int) -> None:
    chosen_id = question["id"]
    prefix = f"quiz_{chosen_id}_{code}_{form_round}"
    with st.form(f"{prefix}_form"):
        new_text = st.text_area(_("Question"), value=texts["text"], key=f"{prefix}_text")
        new_options = []
        for index in range(question["option_count"]):
            old = texts["options"][index] if index < len(texts["options"]) else ""
            label = _("Answer option {number}").format(number=index + 1)
            if index in question["correct"]:
                label += " ✓"
            new_options.append(st.text_input(label, value=old, key=f"{prefix}_o{index}"))
        new_explanation = st.text_area(
            _("Explanation shown after answering (one or two short sentences)"),
            value=texts["explanation"],
            key=f"{prefix}_explanation",
        )
        save_text = st.form_submit_button(
            _("Save {language}").format(language=LANGUAGE_NAMES[code])
        )
    if save_text:
        with shown_errors():
            with transaction() as session:
                update_translation(
                    session,
                    page_user(session),
                    chosen_id,
                    code,
                    new_text,
                    new_options,
                    new_explanation,
                )
            OUTCOME.done(
                _("The {language} text of {key} was saved.").format(
                    language=LANGUAGE_NAMES[code], key=question["key"]
                )
            )


# ----------------------------------------------------------------------------- missing translations


def _missing_translations(questions: dict[int, Record], gaps: list[tuple[str, str, str]]) -> None:
    st.subheader(_("Missing translations"))
    active_keys = {question["key"] for question in questions.values() if not question["retired"]}
    open_gaps = [gap for gap in gaps if gap[0] in active_keys]
    if not questions:
        empty_state(_("There are no questions yet."))
    elif not open_gaps:
        st.success(_("Every question that is in use has all its translations."), icon="✅")
    else:
        st.caption(
            _(
                "Gaps in questions that are in use: {count}. Retired questions are not listed."
            ).format(count=len(open_gaps))
        )
        st.dataframe(
            [
                {
                    _("Key"): key,
                    _("Language"): LANGUAGE_NAMES.get(gap_language, gap_language),
                    _("What is missing"): _missing_label(what),
                }
                for key, gap_language, what in open_gaps
            ],
            hide_index=True,
        )


# ----------------------------------------------------------------------------- .po files


def _translator_files(language: str, form_round: int) -> None:
    st.subheader(_("Files for translators"))
    st.caption(
        _(
            "Download a gettext .po file for a language, have it translated (for example in "
            "Poedit or Weblate) and upload it again. An upload is applied completely or not at "
            "all."
        )
    )
    download_column, upload_column = st.columns(2)
    export_language = _po_download(download_column, language)
    _po_upload(upload_column, export_language, form_round)


def _po_download(column: Any, language: str) -> str:
    """The language chooser and the file's download; returns the chosen language."""
    export_language = column.selectbox(
        _("Language of the file"),
        list(QUIZ_LANGUAGES),
        index=QUIZ_LANGUAGES.index(language) if language in QUIZ_LANGUAGES else 0,
        format_func=LANGUAGE_NAMES.__getitem__,
        key="quiz_bank_export_language",
    )
    with transaction() as session:
        po_data = export_po(session, export_language)
    column.download_button(
        _("Download the .po file"),
        data=po_data,
        file_name=f"quiz-{export_language}.po",
        mime="text/x-gettext-translation",
        key="quiz_bank_download",
    )
    return export_language


def _po_upload(column: Any, export_language: str, form_round: int) -> None:
    with column.form(f"quiz_po_upload_{form_round}"):
        import_language = st.selectbox(
            _("Language of the translated file"),
            list(QUIZ_LANGUAGES),
            index=QUIZ_LANGUAGES.index(export_language),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=f"quiz_bank_import_language_{form_round}",
        )
        uploaded = st.file_uploader(
            _("Translated .po file"), type=["po"], key=f"quiz_bank_upload_{form_round}"
        )
        start_import = st.form_submit_button(_("Import the translations"))
    if start_import:
        _import_translations(import_language, uploaded)


def _import_translations(import_language: str, uploaded: UploadedFile | None) -> None:
    if uploaded is None:
        st.warning(_("Please choose a .po file first."), icon="⚠️")
        return
    summary = None
    with shown_errors(), transaction() as session:
        summary = import_po(session, page_user(session), import_language, uploaded.getvalue())
    if summary is not None and summary.errors:
        st.error(
            ngettext(
                "Nothing was imported: the file has {count} problem.",
                "Nothing was imported: the file has {count} problems.",
                len(summary.errors),
            ).format(count=len(summary.errors)),
            icon="⚠️",
        )
        for error in summary.errors[:50]:
            st.markdown("- " + error)
    elif summary is not None:
        OUTCOME.done(
            _("Imported {language}. Texts changed: {updated}; unchanged: {unchanged}.").format(
                language=LANGUAGE_NAMES[import_language],
                updated=summary.updated,
                unchanged=summary.unchanged,
            )
        )


# ----------------------------------------------------------------------------- helplines


def _helplines(bank: Bank, language: str, form_round: int) -> None:
    st.subheader(_("Helplines"))
    st.caption(
        _(
            "Shown at the end of a quiz in the child's language, for the country of the "
            "session. Check the numbers before use; a line that no longer works can be "
            "deactivated."
        )
    )
    if not bank.country_codes:
        empty_state(_("No country is enabled in this deployment."))
        return
    _due_for_verification(bank.due)
    country = st.selectbox(
        _("Country"),
        bank.country_codes,
        format_func=lambda code: _(COUNTRY_NAMES[code]) if code in COUNTRY_NAMES else code,
        key="quiz_bank_country",
    )
    lines = [line for line in bank.helplines if line["country_code"] == country]
    _helpline_table(lines, language)
    by_id = {line["id"]: line for line in lines}
    edit_id = st.selectbox(
        _("Helpline to edit"),
        [None, *by_id],
        format_func=lambda line_id: (
            _("A new helpline")
            if line_id is None
            else "{number} · {name}".format(
                number=by_id[line_id]["number"],
                name=_localised(by_id[line_id]["names"], language),
            )
        ),
        key=f"quiz_bank_helpline_{country}",
    )
    line = by_id.get(edit_id) or NEW_HELPLINE
    prefix = f"helpline_{country}_{edit_id}_{form_round}"
    _helpline_form(country, edit_id, line, prefix)
    if (
        edit_id is not None
        and line["active"]
        and st.button(_("Deactivate this helpline"), key=f"{prefix}_deactivate")
    ):
        with shown_errors():
            with transaction() as session:
                deactivate_helpline(session, page_user(session), edit_id)
            OUTCOME.done(
                _("The helpline {number} is no longer shown.").format(number=line["number"])
            )


def _due_for_verification(due: list[str]) -> None:
    """Active lines children do not see because nobody verified them recently enough."""
    if not due:
        return
    st.warning(
        ngettext(
            "{count} line is not shown to children until someone checks that it works: {lines}.",
            "{count} lines are not shown to children until someone checks that they work: {lines}.",
            len(due),
        ).format(
            count=len(due),
            lines=", ".join(due),
        ),
        icon="⚠️",
    )


def _helpline_table(lines: list[Record], language: str) -> None:
    if not lines:
        empty_state(_("This country has no helplines yet."))
        return
    st.dataframe(
        [
            {
                _("Number"): line["number"],
                pgettext("helpline", "Name"): _localised(line["names"], language),
                _("What the line is for"): _(KIND_LABELS.get(line["kind"], KIND_LABELS["other"])),
                _("Free"): _free_label(line["free"]),
                _("Hours"): line["hours"],
                _("Checked on"): format_date(line["verified_on"]) if line["verified_on"] else "—",
                _("Children see it"): _("Yes") if line["shown_to_children"] else _("No"),
                _("Confidence"): _(CONFIDENCE_LABELS.get(line["confidence"], "")),
                _("Order"): line["sort_order"],
                _("Active"): line["active"],
            }
            for line in lines
        ],
        hide_index=True,
    )


def _helpline_form(country: str, edit_id: int | None, line: Record, prefix: str) -> None:
    with st.form(f"{prefix}_form"):
        fields = _helpline_fields(line, prefix)
        save_line = st.form_submit_button(_("Save the helpline"), type="primary")
    if save_line:
        with shown_errors():
            with transaction() as session:
                saved = save_helpline(
                    session,
                    page_user(session),
                    country,
                    fields.number,
                    fields.names,
                    fields.descriptions,
                    free=fields.free,
                    hours=fields.hours,
                    confidence=fields.confidence,
                    sort_order=int(fields.sort_order)
                    if edit_id is not None or fields.sort_order
                    else None,
                    active=fields.active,
                    helpline_id=edit_id,
                    kind=fields.kind,
                    verified_on=fields.verification.on,
                    verified_by=fields.verification.by,
                    source=fields.verification.source,
                )
                saved_number = saved.number
            OUTCOME.done(_("The helpline {number} was saved.").format(number=saved_number))


def _helpline_fields(line: Record, prefix: str) -> HelplineFields:
    left, right = st.columns(2)
    number = left.text_input(_("Number"), value=line["number"], key=f"{prefix}_number")
    hours = right.text_input(
        _("Hours (for example 24/7)"),
        value=line["hours"],
        help=_("24/7, daily 08:00-20:00 or weekdays 09:00-22:00."),
        key=f"{prefix}_hours",
    )
    free = left.selectbox(
        _("Free of charge"),
        FREE_CHOICES,
        index=FREE_CHOICES.index(line["free"]),
        format_func=_free_label,
        key=f"{prefix}_free",
    )
    confidence = right.selectbox(
        _("Confidence"),
        list(HELPLINE_CONFIDENCE),
        index=HELPLINE_CONFIDENCE.index(line["confidence"])
        if line["confidence"] in HELPLINE_CONFIDENCE
        else 0,
        format_func=lambda value: _(CONFIDENCE_LABELS[value]),
        key=f"{prefix}_confidence",
    )
    sort_order = left.number_input(
        _("Order on the screen"),
        min_value=0,
        value=line["sort_order"] if line["sort_order"] is not None else 0,
        step=10,
        help=_("Smaller numbers come first. 0 for a new line puts it last."),
        key=f"{prefix}_order",
    )
    active = right.checkbox(_("Shown to children"), value=line["active"], key=f"{prefix}_on")
    kind = left.selectbox(
        _("What the line is for"),
        list(HELPLINE_KINDS),
        index=list(HELPLINE_KINDS).index(line["kind"]) if line["kind"] in HELPLINE_KINDS else 0,
        format_func=lambda value: _(KIND_LABELS[value]),
        key=f"{prefix}_kind",
    )
    verification = _verification_fields(line, prefix)
    names, descriptions = _helpline_names(line, prefix)
    return HelplineFields(
        number,
        hours,
        free,
        confidence,
        sort_order,
        active,
        names,
        descriptions,
        kind,
        verification,
    )


def _verification_fields(line: Record, prefix: str) -> Verification:
    """Children see a line only once someone has checked it works (and again every year)."""
    st.caption(
        _(
            "Children are shown a line only after someone has checked, within the last year, "
            "that it works: call it or find it on the service's own public page."
        )
    )
    left, middle, right = st.columns(3)
    on = left.date_input(
        _("Checked on"),
        value=line["verified_on"],
        max_value=local_today(),
        format="DD.MM.YYYY" if current_language() != "en" else "DD/MM/YYYY",
        key=f"{prefix}_verified_on",
    )
    by = middle.text_input(_("Checked by"), value=line["verified_by"], key=f"{prefix}_verified_by")
    source = right.text_input(
        _("Source (web address)"), value=line["source"], key=f"{prefix}_source"
    )
    return Verification(on, by, source)


def _helpline_names(line: Record, prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """The helpline's name and purpose in each quiz language."""
    names: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for code in QUIZ_LANGUAGES:
        st.markdown("**" + LANGUAGE_NAMES[code] + "**")
        name_column, description_column = st.columns([1, 2])
        names[code] = name_column.text_input(
            pgettext("helpline", "Name"),
            value=line["names"].get(code, ""),
            key=f"{prefix}_name_{code}",
        )
        descriptions[code] = description_column.text_input(
            _("What it is for"),
            value=line["descriptions"].get(code, ""),
            key=f"{prefix}_description_{code}",
        )
    return names, descriptions


if __name__ == "__main__":
    render()
