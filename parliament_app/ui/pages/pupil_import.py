"""Import a school's pupil register: upload, map unknown columns, preview, import all or nothing."""

from __future__ import annotations

import streamlit as st

from parliament_app.children.register_import import (
    IGNORE,
    ImportPlan,
    ImportRejected,
    RawTable,
    commit_import,
    field_choices,
    plan_import,
    read_register,
)
from parliament_app.core.i18n import _, format_number
from parliament_app.models import OrganisationKind, Role
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction

MAPPING_KEY = "import_mapping"  # register header -> field, chosen for the columns not recognised


def render() -> None:
    _introduction()
    school_id = _school_choice()
    table = _uploaded_register()
    choices = dict(field_choices())
    overrides: dict[str, str] = st.session_state.setdefault(MAPPING_KEY, {})
    plan = _plan(school_id, table, overrides)
    if plan.unknown_headers or plan.missing_fields:
        _column_mapping(plan, choices, overrides)
    _preview(plan, choices)
    if plan.errors or not plan.rows:
        st.stop()
    _import(plan)


def _introduction() -> None:
    st.title(_("Import a pupil register"))
    st.caption(
        _(
            "Upload the register as the school keeps it (CSV or Excel, in any of the "
            "region's languages and encodings). Nothing is written until you confirm, and "
            "then all pupils are imported or none."
        )
    )


def _school_choice() -> int:
    """The school whose register it is (a coordinator's own); the page ends without one."""
    with transaction() as session:
        user = page_user(session)
        if user.role == Role.SCHOOL_COORDINATOR:
            schools = [user.organisation] if user.organisation else []
        else:
            schools = list_organisations(session, OrganisationKind.SCHOOL)
        school_names = {school.id: school.name for school in schools}
    if not school_names:
        st.info(_("No school is registered yet. An administrator adds schools first."))
        st.stop()
    return st.selectbox(
        _("School"),
        list(school_names),
        format_func=school_names.__getitem__,
        disabled=len(school_names) == 1,
    )


def _uploaded_register() -> RawTable:
    """The uploaded file, read; the page ends until there is one it can read."""
    upload = st.file_uploader(_("Register file"), type=["csv", "xlsx", "txt"])
    if upload is None:
        st.stop()
    try:
        return read_register(upload.getvalue(), upload.name)
    except ImportRejected as refusal:
        st.error(refusal.message)
        st.stop()


def _plan(school_id: int, table: RawTable, overrides: dict[str, str]) -> ImportPlan:
    """What the import would do; the page ends on a refusal."""
    plan = None
    with shown_errors(), transaction() as session:
        plan = plan_import(session, page_user(session), school_id, table, overrides)
    if plan is None:
        st.stop()
    return plan


def _column_mapping(plan: ImportPlan, choices: dict[str, str], overrides: dict[str, str]) -> None:
    """Ask what each unrecognised column holds; say which fields are still missing."""
    st.subheader(_("Which column is which?"))
    st.write(_("Some column names were not recognised. Tell us what each one holds, or ignore it."))
    with st.form("mapping"):
        chosen = {}
        for header in plan.unknown_headers:
            options = [IGNORE, *[key for key in choices if key != IGNORE]]
            chosen[header] = st.selectbox(
                header or _("(column without a name)"),
                options,
                format_func=lambda key: choices.get(key, key),
                key=f"map_{header}",
            )
        if st.form_submit_button(_("Use these columns")):
            overrides.update(chosen)
            st.rerun()
    if plan.missing_fields:
        st.warning(
            _("Still missing: {fields}").format(
                fields=", ".join(choices.get(name, name) for name in plan.missing_fields)
            )
        )


def _preview(plan: ImportPlan, choices: dict[str, str]) -> None:
    st.subheader(_("Preview"))
    left, middle, right = st.columns(3)
    left.metric(_("Pupils to import"), format_number(len(plan.rows)))
    middle.metric(_("Already registered or repeated"), format_number(len(plan.duplicates)))
    right.metric(_("Rows with problems"), format_number(len({e.row for e in plan.errors})))
    if plan.errors:
        _problems(plan, choices)
    if plan.duplicates:
        _duplicates(plan)
    if plan.rows:
        _first_pupils(plan, choices)


def _problems(plan: ImportPlan, choices: dict[str, str]) -> None:
    st.error(_("Fix these rows in the file and upload it again; nothing has been imported."))
    st.dataframe(
        [
            {
                _("Row"): error.row if error.row is not None else "—",
                _("Column"): choices.get(error.field, error.field),
                _("Problem"): error.message,
            }
            for error in plan.errors
        ],
        hide_index=True,
        width="stretch",
    )


def _duplicates(plan: ImportPlan) -> None:
    with st.expander(_("Repeated or already registered pupils (not imported twice)")):
        st.dataframe(
            [
                {
                    _("Row"): duplicate.row,
                    _("Same as row"): duplicate.first_row or "—",
                    _("Already registered"): _("yes") if duplicate.existing_child_id else _("no"),
                }
                for duplicate in plan.duplicates
            ],
            hide_index=True,
            width="stretch",
        )


def _first_pupils(plan: ImportPlan, choices: dict[str, str]) -> None:
    shown = [choices.get(field, field) for field in plan.mapped]
    st.dataframe(
        [
            {
                label: row.values.get(field, "")
                for field, label in zip(plan.mapped, shown, strict=True)
            }
            for row in plan.rows[:20]
        ],
        hide_index=True,
        width="stretch",
    )
    if len(plan.rows) > 20:
        st.caption(_("The first 20 of {count} pupils.").format(count=format_number(len(plan.rows))))


def _import(plan: ImportPlan) -> None:
    """The coordinator confirms the consents; then every pupil is imported, or none."""
    with st.form("commit_import"):
        confirmed = st.checkbox(
            _(
                "The school holds a guardian's signed consent to participation for each of these "
                "pupils."
            )
        )
        submitted = st.form_submit_button(
            _("Import {count} pupils").format(count=format_number(len(plan.rows))), type="primary"
        )
    if not submitted:
        return
    with shown_errors(), st.spinner(_("Importing…")), transaction() as session:
        result = commit_import(session, page_user(session), plan, consent_confirmed=confirmed)
        st.success(
            _("{imported} pupils imported; {duplicates} were already there.").format(
                imported=format_number(result.imported),
                duplicates=format_number(result.duplicates),
            )
        )
        st.session_state.pop(MAPPING_KEY, None)


if __name__ == "__main__":
    render()
