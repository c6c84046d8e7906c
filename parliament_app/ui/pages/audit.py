"""Administrators read the audit log: who did what, when, to which record; and export it."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from parliament_app.core.clock import local_today
from parliament_app.core.i18n import _, current_language, format_datetime, format_number, ngettext
from parliament_app.core.labels import label
from parliament_app.models import AuditAction
from parliament_app.people.audit_log import (
    DEFAULT_LIMIT,
    audit_record_types,
    export_audit_csv,
    search_audit,
)
from parliament_app.policy.access import Action, may
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.widgets import empty_state

EXPORT_KEY = "audit_page_export"  # (filters, CSV text) of the last prepared export
ACTIONS = [None, *AuditAction]


def action_name(action: AuditAction | None) -> str:
    return _("All actions") if action is None else label(action)


def record_type_name(record_type: str) -> str:
    return record_type or _("All record types")


def render() -> None:
    record_types = _record_types()
    st.title("📜 " + _("Audit log"))
    st.caption(
        _(
            "Every change, sign-in, export and view of special-category data is recorded here. "
            "Entries cannot be edited or deleted."
        )
    )
    filters = _filters(record_types)
    _entries(_search(filters))
    _export(filters)


def _record_types() -> list[str]:
    """The record types to filter by; the page stops for anyone but an administrator."""
    with transaction() as session:
        actor = page_user(session)
        if not may(session, actor, Action.VIEW_AUDIT):
            st.error(_("Only administrators can read the audit log."), icon="🔒")
            st.stop()
        return audit_record_types(session, actor)


def _filters(record_types: list[str]) -> dict[str, Any]:
    """The search's filters, as keyword arguments of the services."""
    date_format = "DD/MM/YYYY" if current_language() == "en" else "DD.MM.YYYY"
    with st.form("audit_filters"):
        left, middle, right = st.columns(3)
        username = left.text_input(
            _("Username"),
            help=_("The exact username of the person who acted, for example a facilitator."),
        )
        action = middle.selectbox(_("Action"), ACTIONS, format_func=action_name)
        record_type = right.selectbox(
            _("Record type"), ["", *record_types], format_func=record_type_name
        )
        since = left.date_input(_("From (optional)"), value=None, format=date_format)
        until = middle.date_input(_("Until (optional)"), value=None, format=date_format)
        st.form_submit_button(_("Show entries"), type="primary")
    return {
        "username": username,
        "action": action,
        "record_type": record_type,
        "since": since,
        "until": until,
    }


def _search(filters: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The matching entries as table rows; None when the filters are refused (shown)."""
    with shown_errors(), transaction() as session:
        return [
            {
                _("Time"): format_datetime(entry.at),
                _("User"): entry.actor,
                _("Action"): label(entry.action),
                _("Record type"): entry.record_type,
                _("Record"): entry.record_id or "—",
                _("Details"): json.dumps(
                    entry.detail or {}, ensure_ascii=False, sort_keys=True, default=str
                )
                if entry.detail
                else "—",
            }
            for entry in search_audit(session, page_user(session), **filters)
        ]
    return None


def _entries(entries: list[dict[str, Any]] | None) -> None:
    if entries == []:
        empty_state(
            _("No entries match these filters. Clear some of them and press Show entries again.")
        )
        return
    if not entries:
        return
    count = len(entries)
    st.caption(
        ngettext("{count} entry, newest first.", "{count} entries, newest first.", count).format(
            count=format_number(count)
        )
    )
    if count >= DEFAULT_LIMIT:
        st.caption(
            _(
                "Only the newest {count} entries are shown. Narrow the filters, or export "
                "them all below."
            ).format(count=format_number(DEFAULT_LIMIT))
        )
    st.dataframe(entries, hide_index=True)


def _export(filters: dict[str, Any]) -> None:
    st.subheader(_("Export"))
    st.caption(
        _(
            "A CSV file of every entry matching the filters above. Preparing it is itself "
            "recorded in the audit log."
        )
    )
    filters_key = tuple(filters.values())
    if st.button(_("Prepare the export"), icon="📦"):
        with shown_errors():
            with transaction() as session:
                text = export_audit_csv(session, page_user(session), **filters)
            st.session_state[EXPORT_KEY] = (filters_key, text)
            st.rerun()
    prepared = st.session_state.get(EXPORT_KEY)
    if prepared and prepared[0] == filters_key:
        st.download_button(
            _("Download the CSV file"),
            data=prepared[1],
            file_name=f"audit-log-{local_today().isoformat()}.csv",
            mime="text/csv",
            on_click="ignore",
            type="primary",
            icon="⬇️",
        )
    elif prepared:
        st.caption(_("The filters changed since the last export: prepare it again."))


if __name__ == "__main__":
    render()
