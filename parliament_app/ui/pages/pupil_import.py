"""Import a school's pupil register: upload, map unknown columns, preview, import all or nothing."""

import streamlit as st

from parliament_app.children.register_import import (
    IGNORE,
    ImportRejected,
    commit_import,
    field_choices,
    plan_import,
    read_register,
)
from parliament_app.core.i18n import _, format_number
from parliament_app.models import OrganisationKind, Role
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction

st.title(_("Import a pupil register"))
st.caption(
    _(
        "Upload the register as the school keeps it (CSV or Excel, in any of the "
        "region's languages and encodings). Nothing is written until you confirm, and "
        "then all pupils are imported or none."
    )
)

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

school_id = st.selectbox(
    _("School"),
    list(school_names),
    format_func=school_names.__getitem__,
    disabled=len(school_names) == 1,
)
upload = st.file_uploader(_("Register file"), type=["csv", "xlsx", "txt"])
if upload is None:
    st.stop()

try:
    table = read_register(upload.getvalue(), upload.name)
except ImportRejected as refusal:
    st.error(refusal.message)
    st.stop()

choices = dict(field_choices())
overrides: dict[str, str] = st.session_state.setdefault("import_mapping", {})
plan = None
with shown_errors(), transaction() as session:
    plan = plan_import(session, page_user(session), school_id, table, overrides)
if plan is None:
    st.stop()

if plan.unknown_headers or plan.missing_fields:
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

st.subheader(_("Preview"))
left, middle, right = st.columns(3)
left.metric(_("Pupils to import"), format_number(len(plan.rows)))
middle.metric(_("Already registered or repeated"), format_number(len(plan.duplicates)))
right.metric(_("Rows with problems"), format_number(len({e.row for e in plan.errors})))
if plan.errors:
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
if plan.duplicates:
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
if plan.rows:
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

if plan.errors or not plan.rows:
    st.stop()

with st.form("commit_import"):
    confirmed = st.checkbox(
        _("The school holds a guardian's signed consent to participation for each of these pupils.")
    )
    submitted = st.form_submit_button(
        _("Import {count} pupils").format(count=format_number(len(plan.rows))), type="primary"
    )
if submitted:
    with shown_errors(), st.spinner(_("Importing…")), transaction() as session:
        result = commit_import(session, page_user(session), plan, consent_confirmed=confirmed)
        st.success(
            _("{imported} pupils imported; {duplicates} were already there.").format(
                imported=format_number(result.imported), duplicates=format_number(result.duplicates)
            )
        )
        st.session_state.pop("import_mapping", None)
