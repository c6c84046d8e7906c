"""A social worker's caseload: the children their centre follows, with their open records."""

from datetime import date

import streamlit as st

from parliament_app.i18n import _, format_date
from parliament_app.models import RiskCategory
from parliament_app.services.risk import RISK_CATEGORY_LABELS, close_risk_record, followed_children
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.widgets import empty_state


def categories_text(codes: list[str]) -> str:
    return ", ".join(_(RISK_CATEGORY_LABELS[RiskCategory(code)]) for code in codes)


with transaction() as session:
    user = page_user(session)
    with shown_errors():
        caseload = followed_children(session, user)

st.title(_("Caseload"))
st.caption(_("Special-category data: every view of this page is recorded in the audit log."))
if not caseload:
    empty_state(
        _(
            "Your centre follows no children yet. Register a referred child on the "
            "Children page, with the reason your centre follows them."
        )
    )
    st.stop()

st.dataframe(
    [
        {
            _("Child"): f"{row.given_name} {row.family_name}",
            _("Born"): format_date(row.birth_date),
            _("Risk categories"): categories_text(row.categories),
            _("Followed since"): format_date(row.opened_on),
        }
        for row in caseload
    ],
    hide_index=True,
    use_container_width=True,
)

st.subheader(_("Close a record"))
with st.form("close_record"):
    chosen = st.selectbox(
        _("Child"),
        caseload,
        format_func=lambda row: (
            f"{row.given_name} {row.family_name} ({format_date(row.opened_on)})"
        ),
    )
    closed_on = st.date_input(
        _("Closed on"), value=date.today(), max_value=date.today(), format="DD.MM.YYYY"
    )
    if st.form_submit_button(_("Close the record")):
        with shown_errors(), transaction() as session:
            close_risk_record(session, page_user(session), chosen.record_id, closed_on)
            st.success(_("The record is closed."))
