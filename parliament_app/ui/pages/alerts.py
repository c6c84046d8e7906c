"""Alerts: the caseworker's early-warning inbox (acknowledge, add a note, resolve), the centre's
rule settings, and the monthly task-force pack for the multi-agency meeting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    N_,
    _,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    ngettext,
)
from parliament_app.models import Role, User
from parliament_app.models.monitoring import AlertRule, AlertStatus
from parliament_app.monitoring import ALERT_STATUS_LABELS, RULE_LABELS
from parliament_app.monitoring.alerts import (
    NOTE_MAX_LENGTH,
    AlertView,
    RuleSettings,
    acknowledge,
    add_note,
    inbox,
    resolve,
    settings_for,
    update_settings,
)
from parliament_app.monitoring.caseload import local_today
from parliament_app.monitoring.taskforce import (
    PackAlert,
    TaskforcePack,
    taskforce_pack,
    taskforce_pack_pdf,
    taskforce_pack_xlsx,
)
from parliament_app.ui.admin_widgets import centre_choice, centres_to_choose, plain, trend_text
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("alerts")
PACK_MONTHS = 12
STATUS_FILTER_LABELS = {
    "open": N_("Not resolved yet"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
    "all": N_("All"),
}
STATUS_ICONS = {
    AlertStatus.OPEN: "🆕",
    AlertStatus.ACKNOWLEDGED: "👀",
    AlertStatus.RESOLVED: "✅",
}
RULE_ICONS = {
    AlertRule.CONSECUTIVE_ABSENCES: "❌",
    AlertRule.LOW_ATTENDANCE: "📉",
    AlertRule.NO_ATTENDANCE: "⏳",
    AlertRule.WANTS_TO_TALK: "💬",
    AlertRule.CONSENT_WITHDRAWN: "✋",
}


@dataclass(frozen=True)
class Viewer:
    """Who opened the page: their role, the language of their packs, and their centres."""

    role: Role
    pack_language: str
    centres: dict[int, str]  # an administrator's choice of centre (id -> name)
    own_centre: int | None  # a social worker's centre


def status_text(status: AlertStatus) -> str:
    return f"{STATUS_ICONS[status]} {_(ALERT_STATUS_LABELS[status])}"


def rule_text(rule: AlertRule) -> str:
    return f"{RULE_ICONS[rule]} {_(RULE_LABELS[rule])}"


def detail_text(alert: AlertView) -> str:
    """The alert's numbers in words (the detail holds numbers only, never a name)."""
    detail = alert.detail
    if alert.rule == AlertRule.CONSECUTIVE_ABSENCES and "absences" in detail:
        count = int(detail["absences"])
        return ngettext(
            "{count} absence in a row since the last attendance.",
            "{count} absences in a row since the last attendance.",
            count,
        ).format(count=format_number(count))
    if alert.rule == AlertRule.LOW_ATTENDANCE and "counted" in detail:
        return _("Attended {attended} of {counted} sessions in 4 weeks ({rate}).").format(
            attended=format_number(int(detail.get("attended", 0))),
            counted=format_number(int(detail["counted"])),
            rate=format_percent(float(detail.get("rate_4w", 0.0))),
        )
    if alert.rule == AlertRule.NO_ATTENDANCE and "days" in detail:
        count = int(detail["days"])
        return ngettext(
            "{count} day without attending, while the group met.",
            "{count} days without attending, while the group met.",
            count,
        ).format(count=format_number(count))
    if alert.rule == AlertRule.WANTS_TO_TALK:
        return _("The child chose \u201cI would like to talk to someone\u201d in a quiz.")
    if alert.rule == AlertRule.CONSENT_WITHDRAWN:
        return _("A guardian withdrew consent and the enrolment ended.")
    return ""


def month_options(today: date) -> list[date]:
    """The first days of this month and the months before it, newest first."""
    months, year, month = [], today.year, today.month
    for _index in range(PACK_MONTHS):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def pack_file(kind: str, month: date, centre_id: int) -> Callable[[], bytes]:
    """The pack's file, built only when the person clicks (so only real downloads are audited).
    The services write it in the caseworker's own language."""
    build = taskforce_pack_pdf if kind == "pdf" else taskforce_pack_xlsx

    def run(session: Session, actor: User) -> bytes:
        return build(session, actor, month, csw_id=centre_id)

    return deferred(run)


def render() -> None:
    viewer = _viewer()
    form_round = OUTCOME.form_round
    st.title(_("Alerts"))
    st.caption(
        _(
            "Early warning for the children your centre follows. An alert is raised once per "
            "episode (a run of absences, a stretch of low attendance); the facilitators of the "
            "child's groups only get a neutral request to check in with the family, never the "
            "reason. Every view is recorded in the audit log."
        )
    )
    OUTCOME.show()
    csw_id = _centre(viewer)
    inbox_tab, settings_tab, pack_tab = st.tabs(
        [_("Inbox"), _("Rule settings"), _("Task-force pack")]
    )
    with inbox_tab:
        _inbox(csw_id, form_round)
    with settings_tab:
        _rule_settings(csw_id, form_round)
    with pack_tab:
        _taskforce_pack(csw_id, viewer.pack_language)


def _viewer() -> Viewer:
    with transaction() as session:
        user = page_user(session)
        return Viewer(
            role=user.role,
            pack_language=user.preferred_language or "en",
            centres=centres_to_choose(session, user),
            own_centre=user.organisation_id if user.role == Role.SOCIAL_WORKER else None,
        )


def _centre(viewer: Viewer) -> int:
    """The centre whose alerts are shown: an administrator's choice or the social worker's own;
    the page stops without one."""
    csw_id = viewer.own_centre
    if viewer.role == Role.ADMINISTRATOR:
        csw_id = centre_choice(viewer.centres, key="alerts_centre")
    if csw_id is None:
        empty_state(_("Your account belongs to no centre for social work."))
        st.stop()
    return csw_id


# --- the inbox -----------------------------------------------------------------------------


def _inbox(csw_id: int, form_round: int) -> None:
    status_filter = st.radio(
        _("Show"),
        list(STATUS_FILTER_LABELS),
        format_func=lambda key: _(STATUS_FILTER_LABELS[key]),
        horizontal=True,
        key="alerts_status",
    )
    alerts = _alerts(csw_id, status_filter)
    if alerts == []:
        empty_state(
            _("No alert needs action. Alerts appear here after the nightly evaluation.")
            if status_filter == "open"
            else _("No alert with this status.")
        )
    if alerts:
        st.caption(
            ngettext("{count} alert", "{count} alerts", len(alerts)).format(
                count=format_number(len(alerts))
            )
            + " · "
            + _("newest first")
        )
    for alert in alerts or []:
        with st.container(border=True):
            _alert_card(alert, form_round)


def _alerts(csw_id: int, status_filter: str) -> list[AlertView] | None:
    """The centre's alerts with that status; None when refused (the refusal is shown)."""
    with shown_errors(), transaction() as session:
        return inbox(session, page_user(session), status_filter, csw_id=csw_id)
    return None


def _alert_card(alert: AlertView, form_round: int) -> None:
    st.markdown(
        f"**{plain(alert.given_name)} {plain(alert.family_name)}** · "
        f"{rule_text(alert.rule)} · {status_text(alert.status)}"
    )
    st.caption(" · ".join(_alert_facts(alert)))
    if text := detail_text(alert):
        st.markdown(text)
    if alert.notes:
        st.markdown(
            "\n".join(
                "- 🗒️ "
                + _("{date}, {author}: {text}").format(
                    date=format_datetime(note.at, "short"),
                    author=plain(note.author) or "—",
                    text=plain(note.text),
                )
                for note in alert.notes
            )
        )
    if alert.status == AlertStatus.RESOLVED:
        return
    if alert.status == AlertStatus.OPEN and st.button(
        _("Acknowledge"),
        key=f"alert_ack_{alert.id}",
        icon="👀",
        help=_("You have seen the alert and are on it."),
    ):
        with shown_errors():
            with transaction() as session:
                acknowledge(session, page_user(session), alert.id)
            OUTCOME.done(_("The alert is acknowledged."))
    _note_or_resolve(alert.id, form_round)


def _alert_facts(alert: AlertView) -> list[str]:
    facts = [_("Raised on {date}").format(date=format_datetime(alert.raised_at, "short"))]
    if alert.acknowledged_at:
        facts.append(
            _("acknowledged on {date}").format(date=format_datetime(alert.acknowledged_at, "short"))
        )
    if alert.resolved_at:
        facts.append(
            _("resolved on {date}").format(date=format_datetime(alert.resolved_at, "short"))
        )
    return facts


def _note_or_resolve(alert_id: int, form_round: int) -> None:
    with (
        st.expander(_("Add a note or resolve"), icon="🗒️"),
        st.form(f"alert_note_{alert_id}_{form_round}", border=False),
    ):
        note = st.text_area(
            _("Note"),
            max_chars=NOTE_MAX_LENGTH,
            height=90,
            help=_("What was done, who was called. A note is kept with the alert."),
            key=f"alert_note_text_{alert_id}_{form_round}",
        )
        left, right = st.columns(2)
        save_note = left.form_submit_button(_("Add the note"), icon="🗒️")
        close = right.form_submit_button(
            _("Resolve"),
            icon="✅",
            type="primary",
            help=_("Close the alert; a note written above is kept as the closing note."),
        )
    if save_note:
        with shown_errors():
            with transaction() as session:
                add_note(session, page_user(session), alert_id, note)
            OUTCOME.done(_("The note is saved."))
    if close:
        with shown_errors():
            with transaction() as session:
                resolve(session, page_user(session), alert_id, note)
            OUTCOME.done(_("The alert is resolved."))


# --- the centre's rules --------------------------------------------------------------------


def _rule_settings(csw_id: int, form_round: int) -> None:
    with transaction() as session:
        rules = settings_for(session, csw_id)
    st.caption(
        _(
            "These thresholds apply to every child your centre follows; the evaluation runs "
            "every night. Changes apply from the next evaluation and are recorded in the audit "
            "log."
        )
    )
    st.caption(
        _("Last changed on {date}.").format(date=format_datetime(rules.updated_at, "short"))
        if rules.updated_at
        else _("The centre uses the default thresholds.")
    )
    changes, save_rules = _rules_form(rules, csw_id, form_round)
    if save_rules:
        with shown_errors():
            with transaction() as session:
                update_settings(session, page_user(session), csw_id, **changes)
            OUTCOME.done(_("The rules are saved."))


def _rules_form(rules: RuleSettings, csw_id: int, form_round: int) -> tuple[dict[str, Any], bool]:
    """The new thresholds (as the service's keyword arguments) and whether to save them."""
    with st.form(f"alert_rules_{csw_id}_{form_round}"):
        absences = st.number_input(
            _("Consecutive absences"),
            min_value=1,
            max_value=20,
            value=rules.consecutive_absences,
            help=_(
                "Raise an alert after this many absences in a row (unmarked sessions count as "
                "absent; an excused absence neither counts nor breaks the run)."
            ),
        )
        share = st.number_input(
            _("Low attendance over 4 weeks (%)"),
            min_value=0,
            max_value=100,
            value=round(rules.low_attendance_share * 100),
            step=5,
            help=_(
                "Raise an alert when a child attended less than this share of the sessions of "
                "the last 4 weeks (at least 3 sessions held). 0 turns the rule off."
            ),
        )
        days = st.number_input(
            _("Days without attendance"),
            min_value=7,
            max_value=365,
            value=rules.days_without_attendance,
            help=_(
                "Raise an alert when a child enrolled in a group has not attended for this many "
                "days while the group met."
            ),
        )
        wants_to_talk = st.checkbox(
            _("Alert when a child asks in a quiz to talk to someone"),
            value=rules.wants_to_talk,
        )
        consent_withdrawn = st.checkbox(
            _("Alert when an enrolment ends because consent was withdrawn"),
            value=rules.consent_withdrawn,
        )
        save_rules = st.form_submit_button(_("Save the rules"), type="primary")
    changes = {
        "consecutive_absences": int(absences),
        "low_attendance_share": round(int(share) / 100, 2),
        "days_without_attendance": int(days),
        "wants_to_talk": wants_to_talk,
        "consent_withdrawn": consent_withdrawn,
    }
    return changes, save_rules


# --- the task-force pack -------------------------------------------------------------------


def _taskforce_pack(csw_id: int, pack_language: str) -> None:
    st.caption(
        _(
            "The monthly pack for the multi-agency child-protection meeting: the caseload's "
            "participation in the month and the alerts still open. It never holds risk "
            "categories. The files are written in your language ({language}); every download "
            "is recorded in the audit log."
        ).format(language=LANGUAGE_NAMES.get(pack_language, pack_language))
    )
    month = st.selectbox(
        _("Month"),
        month_options(local_today()),
        index=1,
        format_func=lambda day: format_date(day, "LLLL y"),
        key="alerts_pack_month",
        help=_("For a month that has not ended, participation is counted up to today."),
    )
    _pack_downloads(csw_id, month)
    if st.toggle(_("Show the pack on screen"), key="alerts_pack_preview"):
        pack = _pack(csw_id, month)
        if pack is not None:
            _pack_preview(pack)


def _pack_downloads(csw_id: int, month: date) -> None:
    stem = f"task-force-pack-{month:%Y-%m}"
    left, right = st.columns(2)
    left.download_button(
        _("Download PDF"),
        pack_file("pdf", month, csw_id),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        icon="📄",
        key=f"alerts_pack_pdf_{csw_id}_{month:%Y%m}",
    )
    right.download_button(
        _("Download Excel"),
        pack_file("xlsx", month, csw_id),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon="📊",
        key=f"alerts_pack_xlsx_{csw_id}_{month:%Y%m}",
    )


def _pack(csw_id: int, month: date) -> TaskforcePack | None:
    """The month's pack; None when refused (the refusal is shown)."""
    with shown_errors(), transaction() as session:
        return taskforce_pack(session, page_user(session), month, csw_id=csw_id)
    return None


def _pack_preview(pack: TaskforcePack) -> None:
    st.markdown(
        "**"
        + _("Task-force pack: {centre}").format(centre=plain(pack.centre))
        + "**  \n"
        + _("Month: {month}").format(month=format_date(pack.month_start, "LLLL y"))
        + " · "
        + _("Participation as of {date}").format(date=format_date(pack.as_of))
    )
    st.markdown("**" + _("Participation") + "**")
    if not pack.rows:
        empty_state(_("No children in the caseload."))
    else:
        st.dataframe(_participation_table(pack), hide_index=True, width="stretch")
    st.markdown("**" + _("Open alerts") + "**")
    if not pack.alerts:
        empty_state(_("No open alerts."))
    else:
        st.dataframe(_open_alerts_table(pack.alerts), hide_index=True, width="stretch")


def _participation_table(pack: TaskforcePack) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                _("Child"): row.name,
                _("Groups"): ", ".join(row.groups) or "—",
                _("This month"): (
                    f"{row.attended_month} / {row.scheduled_month}" if row.scheduled_month else "—"
                ),
                _("4 weeks"): format_percent(row.rate_4w) if row.rate_4w is not None else "—",
                _("12 weeks"): format_percent(row.rate_12w) if row.rate_12w is not None else "—",
                _("Last attended"): (format_date(row.last_attended) if row.last_attended else "—"),
                _("Absences in a row"): row.consecutive_absences,
                _("Trend"): trend_text(row.trend),
                _("Open alerts"): row.open_alerts,
            }
            for row in pack.rows
        ]
    )


def _open_alerts_table(alerts: list[PackAlert]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                _("Child"): alert.child_name,
                _("Alert"): rule_text(alert.rule),
                _("Raised"): format_datetime(alert.raised_at, "short"),
                _("Status"): status_text(alert.status),
                _("Notes"): alert.notes,
            }
            for alert in alerts
        ]
    )


if __name__ == "__main__":
    render()
