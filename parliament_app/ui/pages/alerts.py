"""Alerts: the caseworker's early-warning inbox (acknowledge, add a note, resolve), the centre's
rule settings, and the monthly task-force pack for the multi-agency meeting."""

import re
from datetime import date

import pandas as pd
import streamlit as st

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
from parliament_app.models import OrganisationKind, Role, User
from parliament_app.models.monitoring import AlertRule, AlertStatus
from parliament_app.monitoring import ALERT_STATUS_LABELS, RULE_LABELS, TREND_LABELS
from parliament_app.monitoring.alerts import (
    NOTE_MAX_LENGTH,
    AlertView,
    acknowledge,
    add_note,
    inbox,
    resolve,
    settings_for,
    update_settings,
)
from parliament_app.monitoring.caseload import local_today
from parliament_app.monitoring.taskforce import (
    taskforce_pack,
    taskforce_pack_pdf,
    taskforce_pack_xlsx,
)
from parliament_app.places.services import list_organisations
from parliament_app.ui.context import page_user, shown_errors, transaction
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
TREND_ICONS = {"up": "↗️", "down": "↘️", "steady": "➡️"}


done = OUTCOME.done


def plain(text: str) -> str:
    """Text from the database shown literally inside Markdown."""
    return re.sub(r"([\\`*_\[\]{}()#+\-.!|<>~$:])", r"\\\1", text or "")


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


def pack_file(kind: str, month: date, centre_id: int):
    """The pack's file, built only when the person clicks (so only real downloads are audited).
    The services write it in the caseworker's own language."""
    acting_id = user_id
    build = taskforce_pack_pdf if kind == "pdf" else taskforce_pack_xlsx

    def run() -> bytes:
        with transaction() as session:
            return build(session, session.get(User, acting_id), month, csw_id=centre_id)

    return run


# --- read ----------------------------------------------------------------------------------

with transaction() as session:
    user = page_user(session)
    user_id, role = user.id, user.role
    pack_language = user.preferred_language or "en"
    centres = (
        {centre.id: centre.name for centre in list_organisations(session, OrganisationKind.CSW)}
        if role == Role.ADMINISTRATOR
        else {}
    )
    own_centre = user.organisation_id if role == Role.SOCIAL_WORKER else None
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

csw_id = own_centre
if role == Role.ADMINISTRATOR:
    if not centres:
        empty_state(_("There is no centre for social work yet. Add one on the Organisations page."))
        st.stop()
    csw_id = st.selectbox(
        _("Centre for social work"),
        list(centres),
        format_func=centres.__getitem__,
        key="alerts_centre",
    )
if csw_id is None:
    empty_state(_("Your account belongs to no centre for social work."))
    st.stop()

inbox_tab, settings_tab, pack_tab = st.tabs([_("Inbox"), _("Rule settings"), _("Task-force pack")])

# --- the inbox -----------------------------------------------------------------------------

with inbox_tab:
    status_filter = st.radio(
        _("Show"),
        list(STATUS_FILTER_LABELS),
        format_func=lambda key: _(STATUS_FILTER_LABELS[key]),
        horizontal=True,
        key="alerts_status",
    )
    alerts = None
    with shown_errors(), transaction() as session:
        alerts = inbox(session, page_user(session), status_filter, csw_id=csw_id)
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
            st.markdown(
                f"**{plain(alert.given_name)} {plain(alert.family_name)}** · "
                f"{rule_text(alert.rule)} · {status_text(alert.status)}"
            )
            facts = [_("Raised on {date}").format(date=format_datetime(alert.raised_at, "short"))]
            if alert.acknowledged_at:
                facts.append(
                    _("acknowledged on {date}").format(
                        date=format_datetime(alert.acknowledged_at, "short")
                    )
                )
            if alert.resolved_at:
                facts.append(
                    _("resolved on {date}").format(date=format_datetime(alert.resolved_at, "short"))
                )
            st.caption(" · ".join(facts))
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
                continue
            if alert.status == AlertStatus.OPEN and st.button(
                _("Acknowledge"),
                key=f"alert_ack_{alert.id}",
                icon="👀",
                help=_("You have seen the alert and are on it."),
            ):
                with shown_errors():
                    with transaction() as session:
                        acknowledge(session, page_user(session), alert.id)
                    done(_("The alert is acknowledged."))
            with (
                st.expander(_("Add a note or resolve"), icon="🗒️"),
                st.form(f"alert_note_{alert.id}_{form_round}", border=False),
            ):
                note = st.text_area(
                    _("Note"),
                    max_chars=NOTE_MAX_LENGTH,
                    height=90,
                    help=_("What was done, who was called. A note is kept with the alert."),
                    key=f"alert_note_text_{alert.id}_{form_round}",
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
                        add_note(session, page_user(session), alert.id, note)
                    done(_("The note is saved."))
            if close:
                with shown_errors():
                    with transaction() as session:
                        resolve(session, page_user(session), alert.id, note)
                    done(_("The alert is resolved."))

# --- the centre's rules --------------------------------------------------------------------

with settings_tab:
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
    if save_rules:
        with shown_errors():
            with transaction() as session:
                update_settings(
                    session,
                    page_user(session),
                    csw_id,
                    consecutive_absences=int(absences),
                    low_attendance_share=round(int(share) / 100, 2),
                    days_without_attendance=int(days),
                    wants_to_talk=wants_to_talk,
                    consent_withdrawn=consent_withdrawn,
                )
            done(_("The rules are saved."))

# --- the task-force pack -------------------------------------------------------------------

with pack_tab:
    st.caption(
        _(
            "The monthly pack for the multi-agency child-protection meeting: the caseload's "
            "participation in the month and the alerts still open. It never holds risk "
            "categories. The files are written in your language ({language}); every download "
            "is recorded in the audit log."
        ).format(language=LANGUAGE_NAMES.get(pack_language, pack_language))
    )
    months = month_options(local_today())
    month = st.selectbox(
        _("Month"),
        months,
        index=1,
        format_func=lambda day: format_date(day, "LLLL y"),
        key="alerts_pack_month",
        help=_("For a month that has not ended, participation is counted up to today."),
    )
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
    if st.toggle(_("Show the pack on screen"), key="alerts_pack_preview"):
        pack = None
        with shown_errors(), transaction() as session:
            pack = taskforce_pack(session, page_user(session), month, csw_id=csw_id)
        if pack is not None:
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
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                _("Child"): row.name,
                                _("Groups"): ", ".join(row.groups) or "—",
                                _("This month"): (
                                    f"{row.attended_month} / {row.scheduled_month}"
                                    if row.scheduled_month
                                    else "—"
                                ),
                                _("4 weeks"): (
                                    format_percent(row.rate_4w) if row.rate_4w is not None else "—"
                                ),
                                _("12 weeks"): (
                                    format_percent(row.rate_12w)
                                    if row.rate_12w is not None
                                    else "—"
                                ),
                                _("Last attended"): (
                                    format_date(row.last_attended) if row.last_attended else "—"
                                ),
                                _("Absences in a row"): row.consecutive_absences,
                                _(
                                    "Trend"
                                ): f"{TREND_ICONS[row.trend]} {_(TREND_LABELS[row.trend])}",
                                _("Open alerts"): row.open_alerts,
                            }
                            for row in pack.rows
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
            st.markdown("**" + _("Open alerts") + "**")
            if not pack.alerts:
                empty_state(_("No open alerts."))
            else:
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                _("Child"): alert.child_name,
                                _("Alert"): rule_text(alert.rule),
                                _("Raised"): format_datetime(alert.raised_at, "short"),
                                _("Status"): status_text(alert.status),
                                _("Notes"): alert.notes,
                            }
                            for alert in pack.alerts
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
