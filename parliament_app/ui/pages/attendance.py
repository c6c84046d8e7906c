# Not split: one page script whose tabs share the chosen occurrence and its roster.
"""Attendance: the roster of one session filled in within seconds (statuses with a note, "mark
all present", walk-ins), closing and reopening it, the printable sheet and typing it in
afterwards, the guardians who took part, and exports."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from parliament_app.children.services import get_child, list_children
from parliament_app.core.config import get_settings
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    _,
    current_language,
    format_datetime,
    format_number,
    ngettext,
)
from parliament_app.core.labels import label
from parliament_app.models import User
from parliament_app.models.attendance import AttendanceMethod, AttendanceStatus, InvolvementRole
from parliament_app.models.meetings import OccurrenceStatus
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state, family_first
from sessions.attendance.roster import (
    MAX_EXPORT_DAYS,
    METHOD_LABELS,
    NOTE_MAX_LENGTH,
    STATUS_LABELS,
    add_walk_in,
    bulk_entry,
    close_occurrence,
    export_csv,
    export_xlsx,
    mark,
    mark_all_present,
    reopen_occurrence,
    roster,
    takeable_occurrences,
    undo_check_in,
)
from sessions.attendance.sheet import attendance_sheet_html
from sessions.involvement import (
    ROLE_LABELS,
    family_timeline,
    record_involvement,
    remove_involvement,
)
from sessions.scheduling import list_occurrences
from sessions.times import local

# The translatable names of the statuses and roles are the services' (STATUS_LABELS,
# ROLE_LABELS, marked with N_()); a page script cannot be imported by another page, so
# involvement.py takes them from the services too. Every status is shown as text with an icon.
STATUS_ICONS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "🕒",
    AttendanceStatus.EXCUSED: "📝",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.LEFT_EARLY: "🚪",
}
ROLE_ICONS: dict[InvolvementRole, str] = {
    InvolvementRole.ACCOMPANIED: "🚶",
    InvolvementRole.FAMILY_WORKSHOP: "👪",
    InvolvementRole.VOLUNTEERED: "🙋",
    InvolvementRole.MET_SPECIALIST: "🗣️",
    InvolvementRole.OTHER: "➕",
}
STATUSES = list(STATUS_ICONS)

OUTCOME = PageOutcome("attendance")
GUARDIANS_KEY = "attendance_page_guardians"  # (user, child) -> guardians, read once per session
PAST_DAYS = 14
NEXT_DAYS = 7
EXPORT_DAYS = 30
WALK_IN_RESULTS = 20
UNMARKED = "—"


def status_text(status: AttendanceStatus | str | None) -> str:
    if not status:
        return UNMARKED
    status = AttendanceStatus(status)
    return f"{STATUS_ICONS[status]} {_(STATUS_LABELS[status])}"


def role_text(role: InvolvementRole | str) -> str:
    role = InvolvementRole(role)
    return f"{ROLE_ICONS[role]} {_(ROLE_LABELS[role])}"


done = OUTCOME.done


def cell(value: object) -> str:
    """A data editor's cell as text ("" for an empty cell)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def occurrence_title(row: dict) -> str:
    title = _("{when} · {group} · {topic}").format(
        when=format_datetime(row["starts_at"], "short"), group=row["group"], topic=row["topic"]
    )
    if row["status"] == OccurrenceStatus.CLOSED:
        return "🔒 " + _("{title} (closed)").format(title=title)
    return title


def child_name(row) -> str:
    name = family_first(row.family_name, row.given_name)
    return name + " " + _("(walk-in)") if row.walk_in else name


def guardians_of(child_id: int) -> list[tuple[int, str, object]] | None:
    """The child's guardians (id, name, relationship), read once per browser session: no
    service lists the guardians of a roster, so they come from the child's record."""
    known = st.session_state.setdefault(GUARDIANS_KEY, {})
    key = (user_id, child_id)
    if key not in known:
        with shown_errors(), transaction() as session:
            detail = get_child(session, page_user(session), child_id)
            known[key] = [
                (guardian.id, guardian.name, guardian.relationship) for guardian in detail.guardians
            ]
    return known.get(key)


def deferred(build):
    """A download built only when the person clicks, so only real downloads are audited."""

    def run() -> str | bytes:
        with transaction() as session:
            return build(session, session.get(User, user_id))

    return run


now = datetime.now(UTC)
today = local(now).date()
language = current_language()

# --- read --------------------------------------------------------------------------------------

with transaction() as session:
    user = page_user(session)
    user_id = user.id
    found = [
        {
            "id": occurrence.id,
            "group": occurrence.group.name,
            "topic": occurrence.topic,
            "starts_at": occurrence.starts_at,
            "day": local(occurrence.starts_at).date(),
            "status": occurrence.status,
            "started": occurrence.starts_at <= now,
        }
        for occurrence in takeable_occurrences(
            session,
            user,
            list_occurrences(
                session,
                user,
                today - timedelta(days=PAST_DAYS),
                today + timedelta(days=NEXT_DAYS),
                include_cancelled=False,
            ),
        )
    ]
# Today's sessions first, then the last two weeks (latest first), then the week ahead.
occurrences = {
    row["id"]: row
    for row in [row for row in found if row["day"] == today]
    + sorted(
        (row for row in found if row["day"] < today),
        key=lambda row: row["starts_at"],
        reverse=True,
    )
    + [row for row in found if row["day"] > today]
}
form_round = OUTCOME.form_round

# --- render ------------------------------------------------------------------------------------

st.title(_("Attendance"))
st.caption(
    _(
        "Take the roster of a session in seconds: choose a status for each child, or mark "
        "everyone present and correct the few who were not. Every correction is recorded."
    )
)
for warning in OUTCOME.show():
    st.warning(warning, icon="⚠️")

if not occurrences:
    empty_state(
        _(
            "You have no session between two weeks ago and a week from now whose attendance "
            "you take. Sessions are scheduled on the Sessions page."
        )
    )
    st.stop()

occurrence_id = st.selectbox(
    _("Session"),
    list(occurrences),
    format_func=lambda key: occurrence_title(occurrences[key]),
    key="attendance_occurrence",
    help=_("Today's sessions first, then the last two weeks, then the week ahead."),
)
occurrence = occurrences[occurrence_id]
closed = occurrence["status"] == OccurrenceStatus.CLOSED

rows = None
with shown_errors(), transaction() as session:
    rows = roster(session, page_user(session), occurrence_id)
if rows is None:
    st.stop()
names = {row.child_id: child_name(row) for row in rows}
unmarked = [row for row in rows if row.status is None]

counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
st.markdown(
    " · ".join(
        [f"{status_text(status)}: **{format_number(counts[status])}**" for status in STATUSES]
        + [_("Not marked yet: **{count}**").format(count=format_number(len(unmarked)))]
    )
)
if closed:
    st.info(
        _(
            "This session's attendance is closed. You can still correct a status: every "
            "correction is recorded in the audit log."
        ),
        icon="🔒",
    )

# --- the roster --------------------------------------------------------------------------------

st.subheader(_("Roster"))
if not rows:
    empty_state(
        _(
            "No child is enrolled in this group. Enrol children on the Groups page, or add a "
            "walk-in below."
        )
    )
else:
    if st.button(
        _("Mark all present"),
        icon="✅",
        type="primary",
        disabled=not unmarked,
        help=_("Every child without a status is marked present; statuses already set stay."),
        key=f"mark_all_{occurrence_id}",
    ):
        with shown_errors():
            with transaction() as session:
                count = mark_all_present(session, page_user(session), occurrence_id)
            done(
                ngettext(
                    "{count} child was marked present.",
                    "{count} children were marked present.",
                    count,
                ).format(count=count)
            )
    st.caption(
        _(
            "Choose a status in the Status column (present, late, excused, absent, left early), "
            "add a note if needed, then save once for the whole roster."
        )
    )
    before = {row.child_id: (row.status.value if row.status else "", row.note) for row in rows}
    frame = pd.DataFrame(
        {
            "name": [names[row.child_id] for row in rows],
            "status": [row.status.value if row.status else None for row in rows],
            "note": [row.note for row in rows],
            "how": [_(METHOD_LABELS[row.method]) if row.method else "" for row in rows],
        },
        index=[row.child_id for row in rows],
    )
    with st.form(f"roster_form_{occurrence_id}_{form_round}"):
        edited = st.data_editor(
            frame,
            key=f"roster_{occurrence_id}_{form_round}",
            hide_index=True,
            disabled=["name", "how"],
            column_order=["name", "status", "note", "how"],
            column_config={
                "name": st.column_config.TextColumn(_("Child"), width="medium"),
                "status": st.column_config.SelectboxColumn(
                    _("Status"),
                    options=[status.value for status in STATUSES],
                    format_func=status_text,
                    width="medium",
                ),
                "note": st.column_config.TextColumn(_("Note"), max_chars=NOTE_MAX_LENGTH),
                "how": st.column_config.TextColumn(_("Recorded how")),
            },
            width="stretch",
        )
        save = st.form_submit_button(_("Save"), type="primary", icon="💾")
    if save:
        changes: list[tuple[int, str, str]] = []
        cleared: list[str] = []
        note_only: list[str] = []
        for child_id, (old_status, old_note) in before.items():
            new_status = cell(edited.at[child_id, "status"])
            new_note = cell(edited.at[child_id, "note"])
            if (new_status, new_note) == (old_status, old_note):
                continue
            if not new_status:
                (cleared if old_status else note_only).append(names[child_id])
                continue
            changes.append((child_id, new_status, new_note))
        warnings = []
        if cleared:
            warnings.append(
                _("A status cannot be removed, only changed; kept as it was for: {names}.").format(
                    names=", ".join(cleared)
                )
            )
        if note_only:
            warnings.append(
                _("A note is saved with a status; choose a status for: {names}.").format(
                    names=", ".join(note_only)
                )
            )
        if changes:
            with shown_errors():
                with transaction() as session:
                    actor = page_user(session)
                    for child_id, status, note in changes:
                        mark(session, actor, occurrence_id, child_id, status, note)
                done(
                    ngettext(
                        "The attendance of {count} child was saved.",
                        "The attendance of {count} children was saved.",
                        len(changes),
                    ).format(count=len(changes)),
                    warnings,
                )
        else:
            for warning in warnings:
                st.warning(warning, icon="⚠️")
            if not warnings:
                st.info(_("Nothing was changed."), icon="ℹ️")

    self_check_ins = [row for row in rows if row.method == AttendanceMethod.SELF_CHECK_IN]
    if self_check_ins:
        with st.expander(_("Undo a self check-in")):
            st.caption(
                _(
                    "A child checked in with the session code but was not here (a forwarded "
                    "code, a wrong child)? Undo it; other statuses are corrected in the roster."
                )
            )
            undo_child = st.selectbox(
                _("Child who checked in"),
                [row.child_id for row in self_check_ins],
                format_func=names.__getitem__,
                key=f"undo_child_{occurrence_id}",
            )
            if st.button(_("Undo the check-in"), key=f"undo_{occurrence_id}"):
                with shown_errors():
                    with transaction() as session:
                        undo_check_in(session, page_user(session), occurrence_id, undo_child)
                    done(_("The check-in was undone."))

with st.expander(_("Add a walk-in (a child who is not enrolled)")):
    search = st.text_input(
        _("Search by name"),
        key=f"walk_in_search_{occurrence_id}_{form_round}",
        help=_("Among the children whose records you may see."),
    )
    candidates: dict[int, str] = {}
    if search.strip():
        with transaction() as session:
            found_children, _total = list_children(
                session, page_user(session), search, limit=WALK_IN_RESULTS
            )
        candidates = {
            child.id: family_first(child.family_name, child.given_name)
            + (f" · {child.school_name}" if child.school_name else "")
            for child in found_children
            if child.id not in names
        }
        if not candidates:
            empty_state(_("No child found who is not on the roster already."))
    if candidates:
        with st.form(f"walk_in_{occurrence_id}_{form_round}"):
            walk_in_child = st.selectbox(
                _("Child"), list(candidates), format_func=candidates.__getitem__
            )
            left, right = st.columns(2)
            walk_in_status = left.selectbox(
                _("Status"), STATUSES, format_func=status_text, key="walk_in_status"
            )
            walk_in_note = right.text_input(_("Note (optional)"), max_chars=NOTE_MAX_LENGTH)
            add = st.form_submit_button(_("Add the walk-in"), type="primary")
        if add:
            with shown_errors():
                with transaction() as session:
                    add_walk_in(
                        session,
                        page_user(session),
                        occurrence_id,
                        walk_in_child,
                        walk_in_status,
                        walk_in_note,
                    )
                done(_("{name} was added as a walk-in.").format(name=candidates[walk_in_child]))

# --- close or reopen ---------------------------------------------------------------------------

st.subheader(_("Close the attendance"))
absent_on_close = get_settings().absent_on_close
if not closed:
    if not occurrence["started"]:
        st.caption(_("The attendance can be closed once the session has started."))
    else:
        if absent_on_close:
            st.info(
                ngettext(
                    "Closing says the attendance is taken. The {count} child without a status "
                    "is then marked absent. You can still correct it afterwards.",
                    "Closing says the attendance is taken. The {count} children without a "
                    "status are then marked absent. You can still correct them afterwards.",
                    len(unmarked),
                ).format(count=len(unmarked)),
                icon="ℹ️",
            )
        else:
            st.info(
                _(
                    "Closing says the attendance is taken. Children without a status stay "
                    "unmarked (this installation does not mark them absent)."
                ),
                icon="ℹ️",
            )
        if st.button(_("Close the attendance"), icon="🔒", key=f"close_{occurrence_id}"):
            with shown_errors():
                with transaction() as session:
                    absent = close_occurrence(session, page_user(session), occurrence_id)
                done(
                    ngettext(
                        "The attendance was closed; {count} child without a status was marked "
                        "absent.",
                        "The attendance was closed; {count} children without a status were "
                        "marked absent.",
                        absent,
                    ).format(count=absent)
                )
else:
    st.caption(
        _(
            "Reopening removes the absences set automatically at closing; everything marked by "
            "a person stays. Closing again sets them anew."
        )
    )
    if st.button(_("Reopen the attendance"), icon="🔓", key=f"reopen_{occurrence_id}"):
        with shown_errors():
            with transaction() as session:
                removed = reopen_occurrence(session, page_user(session), occurrence_id)
            done(
                ngettext(
                    "The attendance was reopened; {count} automatic absence was removed.",
                    "The attendance was reopened; {count} automatic absences were removed.",
                    removed,
                ).format(count=removed)
            )

paper_tab, guardians_tab, export_tab = st.tabs(
    [_("Paper sheet"), _("Guardians at this session"), _("Exports")]
)

# --- the paper fallback ------------------------------------------------------------------------

with paper_tab:
    st.caption(
        _(
            "No connection at the venue? Print the sheet beforehand, tick one box per child, "
            "and type it in here afterwards. The sheet is in {language}."
        ).format(language=LANGUAGE_NAMES.get(language, language))
    )
    st.download_button(
        _("Print the attendance sheet"),
        deferred(
            lambda session, actor: attendance_sheet_html(session, actor, occurrence_id, language)
        ),
        file_name=f"attendance-sheet-{occurrence_id}.html",
        mime="text/html",
        icon="🖨️",
        on_click="ignore",
        help=_("Open the downloaded file in a browser and print it."),
    )
    with st.expander(_("Type in a paper sheet")):
        st.caption(
            _(
                "Choose the status ticked for each child; leave it empty if nothing was "
                "ticked. Walk-ins from the sheet's blank rows go in the second table, by the "
                "child's ID. All or nothing: if one line cannot be saved, nothing is saved."
            )
        )
        paper = pd.DataFrame(
            {
                "id": [row.child_id for row in rows],
                "name": [names[row.child_id] for row in rows],
                "status": pd.Series([None] * len(rows), dtype="object"),
                "note": pd.Series([""] * len(rows), dtype="object"),
            }
        )
        paper_walk_ins = pd.DataFrame(
            {
                "id": pd.Series([], dtype="Int64"),
                "status": pd.Series([], dtype="object"),
                "note": pd.Series([], dtype="object"),
            }
        )
        status_column = st.column_config.SelectboxColumn(
            _("Status"),
            options=[status.value for status in STATUSES],
            format_func=status_text,
            width="medium",
        )
        with st.form(f"paper_{occurrence_id}_{form_round}"):
            sheet = st.data_editor(
                paper,
                key=f"paper_sheet_{occurrence_id}_{form_round}",
                hide_index=True,
                disabled=["id", "name"],
                column_config={
                    "id": st.column_config.NumberColumn(_("ID"), format="%d"),
                    "name": st.column_config.TextColumn(_("Child")),
                    "status": status_column,
                    "note": st.column_config.TextColumn(_("Note"), max_chars=NOTE_MAX_LENGTH),
                },
                width="stretch",
            )
            st.markdown("**" + _("Walk-ins from the blank rows") + "**")
            extra = st.data_editor(
                paper_walk_ins,
                key=f"paper_walk_ins_{occurrence_id}_{form_round}",
                hide_index=True,
                num_rows="dynamic",
                column_config={
                    "id": st.column_config.NumberColumn(_("Child's ID"), min_value=1, format="%d"),
                    "status": status_column,
                    "note": st.column_config.TextColumn(_("Note"), max_chars=NOTE_MAX_LENGTH),
                },
                width="stretch",
            )
            type_in = st.form_submit_button(_("Save the sheet"), type="primary")
        if type_in:
            entries: dict[int, str] = {}
            notes: dict[int, str] = {}
            walk_in_ids: list[int] = []
            incomplete = False
            for table, walk_in in ((sheet, False), (extra, True)):
                for record in table.to_dict("records"):
                    status, note = cell(record.get("status")), cell(record.get("note"))
                    raw_id = record.get("id")
                    if raw_id is None or pd.isna(raw_id) or not status:
                        incomplete = incomplete or walk_in or bool(note)
                        continue
                    entries[int(raw_id)] = status
                    notes[int(raw_id)] = note
                    if walk_in:
                        walk_in_ids.append(int(raw_id))
            if incomplete:
                st.warning(
                    _(
                        "Every line needs a status (and a walk-in its child's ID); nothing was "
                        "saved."
                    ),
                    icon="⚠️",
                )
            elif not entries:
                st.info(_("No status was chosen; nothing was saved."), icon="ℹ️")
            else:
                with shown_errors():
                    with transaction() as session:
                        count = bulk_entry(
                            session,
                            page_user(session),
                            occurrence_id,
                            entries,
                            notes=notes,
                            walk_ins=walk_in_ids,
                        )
                    done(
                        ngettext(
                            "The sheet was typed in: {count} record was created or changed.",
                            "The sheet was typed in: {count} records were created or changed.",
                            count,
                        ).format(count=count)
                    )

# --- guardians ---------------------------------------------------------------------------------

with guardians_tab:
    st.caption(
        _(
            "Record the guardians who took part: who accompanied a child, joined a family "
            "workshop, volunteered or met a specialist."
        )
    )
    if not rows:
        empty_state(_("The roster is empty, so there is no guardian to record."))
    else:
        family_child = st.selectbox(
            _("Child whose guardian took part"),
            list(names),
            format_func=names.__getitem__,
            key=f"involvement_child_{occurrence_id}",
        )
        guardians = guardians_of(family_child)
        if guardians is not None and not guardians:
            empty_state(
                _(
                    "No guardian is linked to this child. The child's school or centre adds "
                    "guardians on the Children page."
                )
            )
        elif guardians:
            guardian_names = {
                guardian_id: _("{name} ({relationship})").format(
                    name=name, relationship=label(relationship)
                )
                for guardian_id, name, relationship in guardians
            }
            recorded = None
            with shown_errors(), transaction() as session:
                actor = page_user(session)
                recorded = [
                    (guardian_id, entry.role)
                    for guardian_id in guardian_names
                    for entry in family_timeline(session, actor, guardian_id)
                    if entry.kind == "involvement" and entry.occurrence_id == occurrence_id
                ]
            if recorded:
                st.markdown("**" + _("Recorded for this session") + "**")
                for guardian_id, role in recorded:
                    left, right = st.columns([4, 1])
                    left.write(
                        _("{guardian}: {role}").format(
                            guardian=guardian_names[guardian_id], role=role_text(role)
                        )
                    )
                    if right.button(
                        _("Remove"),
                        key=f"remove_involvement_{occurrence_id}_{guardian_id}_{role}",
                        help=_("Recorded by mistake? Remove it."),
                    ):
                        with shown_errors():
                            with transaction() as session:
                                remove_involvement(
                                    session, page_user(session), occurrence_id, guardian_id, role
                                )
                            done(_("The guardian's involvement was removed."))
            elif recorded is not None:
                st.caption(_("No guardian of this child is recorded for this session yet."))
            with st.form(f"involvement_{occurrence_id}_{family_child}_{form_round}"):
                left, right = st.columns(2)
                guardian_id = left.selectbox(
                    _("Guardian"), list(guardian_names), format_func=guardian_names.__getitem__
                )
                role = right.selectbox(
                    _("Took part as"), list(InvolvementRole), format_func=role_text
                )
                record = st.form_submit_button(
                    _("Record the guardian's involvement"), type="primary"
                )
            if record:
                with shown_errors():
                    with transaction() as session:
                        record_involvement(
                            session,
                            page_user(session),
                            occurrence_id,
                            guardian_id,
                            role,
                            child_id=family_child,
                        )
                    done(
                        _("Recorded: {guardian}, {role}.").format(
                            guardian=guardian_names[guardian_id], role=_(ROLE_LABELS[role])
                        )
                    )

# --- exports -----------------------------------------------------------------------------------

with export_tab:
    st.caption(
        _(
            "Every attendance record of the sessions of your groups in the period (an "
            "administrator's export covers every group). Downloads are recorded in the audit log."
        )
    )
    period = st.date_input(
        _("Period"),
        (today - timedelta(days=EXPORT_DAYS), today),
        format="DD.MM.YYYY",
        key="attendance_export_period",
    )
    if not isinstance(period, tuple) or len(period) != 2:
        st.caption(_("Choose the first and the last day of the period."))
    elif (period[1] - period[0]).days > MAX_EXPORT_DAYS:
        st.warning(_("Please choose a shorter period."), icon="⚠️")
    else:
        start, end = period
        left, right = st.columns(2)
        left.download_button(
            _("Download CSV"),
            deferred(lambda session, actor: export_csv(session, actor, start, end)),
            file_name=f"attendance-{start.isoformat()}-{end.isoformat()}.csv",
            mime="text/csv",
            on_click="ignore",
        )
        right.download_button(
            _("Download Excel"),
            deferred(lambda session, actor: export_xlsx(session, actor, start, end)),
            file_name=f"attendance-{start.isoformat()}-{end.isoformat()}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
        )
