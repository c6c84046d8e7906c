# Not split: one page whose sections all work on the chosen session's roster (``Roll``).
"""Attendance: the roster of one session filled in within seconds (statuses with a note, "mark
all present", walk-ins), closing and reopening it, the printable sheet and typing it in
afterwards, the guardians who took part, and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from parliament_app.children.services import list_children
from parliament_app.core.config import get_settings
from parliament_app.core.i18n import (
    LANGUAGE_NAMES,
    _,
    current_language,
    format_number,
    ngettext,
)
from parliament_app.core.labels import label
from parliament_app.models.attendance import AttendanceMethod, AttendanceStatus, InvolvementRole
from parliament_app.models.meetings import OccurrenceStatus
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.lookups import deferred, guardians_of
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.sessions_widgets import STATUS_ICONS, occurrence_title
from parliament_app.ui.widgets import empty_state, family_first
from sessions.attendance.roster import (
    MAX_EXPORT_DAYS,
    METHOD_LABELS,
    NOTE_MAX_LENGTH,
    STATUS_LABELS,
    RosterRow,
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
ROLE_ICONS: dict[InvolvementRole, str] = {
    InvolvementRole.ACCOMPANIED: "🚶",
    InvolvementRole.FAMILY_WORKSHOP: "👪",
    InvolvementRole.VOLUNTEERED: "🙋",
    InvolvementRole.MET_SPECIALIST: "🗣️",
    InvolvementRole.OTHER: "➕",
}
STATUSES = list(STATUS_ICONS)

OUTCOME = PageOutcome("attendance")
PAST_DAYS = 14
NEXT_DAYS = 7
EXPORT_DAYS = 30
WALK_IN_RESULTS = 20
UNMARKED = "—"

done = OUTCOME.done


@dataclass(frozen=True)
class Roll:
    """The chosen session's roster, as every section of the page shows it."""

    occurrence_id: int
    rows: list[RosterRow]
    names: dict[int, str]  # child id -> the name shown (walk-ins marked)
    form_round: int

    @property
    def unmarked(self) -> list[RosterRow]:
        return [row for row in self.rows if row.status is None]


def render() -> None:
    now = datetime.now(UTC)
    today = local(now).date()
    occurrences = _takeable_sessions(now, today)
    form_round = OUTCOME.form_round
    _introduction()
    if not occurrences:
        empty_state(
            _(
                "You have no session between two weeks ago and a week from now whose attendance "
                "you take. Sessions are scheduled on the Sessions page."
            )
        )
        st.stop()
    occurrence = _chosen_session(occurrences)
    roll = _roll(occurrence["id"], form_round)
    _counts(roll, closed=occurrence["status"] == OccurrenceStatus.CLOSED)
    _roster(roll)
    _walk_in(roll)
    _close_or_reopen(occurrence, roll)
    paper_tab, guardians_tab, export_tab = st.tabs(
        [_("Paper sheet"), _("Guardians at this session"), _("Exports")]
    )
    with paper_tab:
        _paper_sheet(roll, current_language())
    with guardians_tab:
        _guardians(roll)
    with export_tab:
        _exports(today)


# --- helpers -----------------------------------------------------------------------------------


def status_text(status: AttendanceStatus | str | None) -> str:
    if not status:
        return UNMARKED
    status = AttendanceStatus(status)
    return f"{STATUS_ICONS[status]} {_(STATUS_LABELS[status])}"


def role_text(role: InvolvementRole | str) -> str:
    role = InvolvementRole(role)
    return f"{ROLE_ICONS[role]} {_(ROLE_LABELS[role])}"


def cell(value: object) -> str:
    """A data editor's cell as text ("" for an empty cell)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def child_name(row: RosterRow) -> str:
    name = family_first(row.family_name, row.given_name)
    return name + " " + _("(walk-in)") if row.walk_in else name


def _status_column() -> st.column_config.SelectboxColumn:
    return st.column_config.SelectboxColumn(
        _("Status"),
        options=[status.value for status in STATUSES],
        format_func=status_text,
        width="medium",
    )


# --- the session -------------------------------------------------------------------------------


def _takeable_sessions(now: datetime, today: date) -> dict[int, dict]:
    """The sessions whose attendance this user takes: today's first, then the last two weeks
    (latest first), then the week ahead."""
    with transaction() as session:
        user = page_user(session)
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
    return {
        row["id"]: row
        for row in [row for row in found if row["day"] == today]
        + sorted(
            (row for row in found if row["day"] < today),
            key=lambda row: row["starts_at"],
            reverse=True,
        )
        + [row for row in found if row["day"] > today]
    }


def _introduction() -> None:
    st.title(_("Attendance"))
    st.caption(
        _(
            "Take the roster of a session in seconds: choose a status for each child, or mark "
            "everyone present and correct the few who were not. Every correction is recorded."
        )
    )
    for warning in OUTCOME.show():
        st.warning(warning, icon="⚠️")


def _chosen_session(occurrences: dict[int, dict]) -> dict:
    occurrence_id = st.selectbox(
        _("Session"),
        list(occurrences),
        format_func=lambda key: _session_title(occurrences[key]),
        key="attendance_occurrence",
        help=_("Today's sessions first, then the last two weeks, then the week ahead."),
    )
    return occurrences[occurrence_id]


def _session_title(row: dict) -> str:
    return occurrence_title(
        row["starts_at"],
        row["group"],
        row["topic"],
        closed=row["status"] == OccurrenceStatus.CLOSED,
    )


def _roll(occurrence_id: int, form_round: int) -> Roll:
    """The session's roster; the page stops here when it may not be read (the refusal shows)."""
    rows = None
    with shown_errors(), transaction() as session:
        rows = roster(session, page_user(session), occurrence_id)
    if rows is None:
        st.stop()
    names = {row.child_id: child_name(row) for row in rows}
    return Roll(occurrence_id, rows, names, form_round)


def _counts(roll: Roll, *, closed: bool) -> None:
    counts = {status: sum(row.status == status for row in roll.rows) for status in STATUSES}
    st.markdown(
        " · ".join(
            [f"{status_text(status)}: **{format_number(counts[status])}**" for status in STATUSES]
            + [_("Not marked yet: **{count}**").format(count=format_number(len(roll.unmarked)))]
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


def _roster(roll: Roll) -> None:
    st.subheader(_("Roster"))
    if not roll.rows:
        empty_state(
            _(
                "No child is enrolled in this group. Enrol children on the Groups page, or add a "
                "walk-in below."
            )
        )
        return
    _mark_all_present(roll)
    st.caption(
        _(
            "Choose a status in the Status column (present, late, excused, absent, left early), "
            "add a note if needed, then save once for the whole roster."
        )
    )
    edited, save = _roster_table(roll)
    if save:
        _save_roster(roll, edited)
    _undo_self_check_in(roll)


def _mark_all_present(roll: Roll) -> None:
    if st.button(
        _("Mark all present"),
        icon="✅",
        type="primary",
        disabled=not roll.unmarked,
        help=_("Every child without a status is marked present; statuses already set stay."),
        key=f"mark_all_{roll.occurrence_id}",
    ):
        with shown_errors():
            with transaction() as session:
                count = mark_all_present(session, page_user(session), roll.occurrence_id)
            done(
                ngettext(
                    "{count} child was marked present.",
                    "{count} children were marked present.",
                    count,
                ).format(count=count)
            )


def _roster_table(roll: Roll) -> tuple[pd.DataFrame, bool]:
    """The roster as an editable table in a form: what was edited, and whether it was saved."""
    rows = roll.rows
    frame = pd.DataFrame(
        {
            "name": [roll.names[row.child_id] for row in rows],
            "status": [row.status.value if row.status else None for row in rows],
            "note": [row.note for row in rows],
            "how": [_(METHOD_LABELS[row.method]) if row.method else "" for row in rows],
        },
        index=[row.child_id for row in rows],
    )
    with st.form(f"roster_form_{roll.occurrence_id}_{roll.form_round}"):
        edited = st.data_editor(
            frame,
            key=f"roster_{roll.occurrence_id}_{roll.form_round}",
            hide_index=True,
            disabled=["name", "how"],
            column_order=["name", "status", "note", "how"],
            column_config={
                "name": st.column_config.TextColumn(_("Child"), width="medium"),
                "status": _status_column(),
                "note": st.column_config.TextColumn(_("Note"), max_chars=NOTE_MAX_LENGTH),
                "how": st.column_config.TextColumn(_("Recorded how")),
            },
            width="stretch",
        )
        save = st.form_submit_button(_("Save"), type="primary", icon="💾")
    return edited, save


def _roster_changes(
    roll: Roll, edited: pd.DataFrame
) -> tuple[list[tuple[int, str, str]], list[str], list[str]]:
    """The statuses to save (child, status, note), and the names whose status was emptied or
    whose note came without a status."""
    changes: list[tuple[int, str, str]] = []
    cleared: list[str] = []
    note_only: list[str] = []
    before = {row.child_id: (row.status.value if row.status else "", row.note) for row in roll.rows}
    for child_id, (old_status, old_note) in before.items():
        new_status = cell(edited.at[child_id, "status"])
        new_note = cell(edited.at[child_id, "note"])
        if (new_status, new_note) == (old_status, old_note):
            continue
        if not new_status:
            (cleared if old_status else note_only).append(roll.names[child_id])
            continue
        changes.append((child_id, new_status, new_note))
    return changes, cleared, note_only


def _save_roster(roll: Roll, edited: pd.DataFrame) -> None:
    changes, cleared, note_only = _roster_changes(roll, edited)
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
    if not changes:
        for warning in warnings:
            st.warning(warning, icon="⚠️")
        if not warnings:
            st.info(_("Nothing was changed."), icon="ℹ️")
        return
    with shown_errors():
        with transaction() as session:
            actor = page_user(session)
            for child_id, status, note in changes:
                mark(session, actor, roll.occurrence_id, child_id, status, note)
        done(
            ngettext(
                "The attendance of {count} child was saved.",
                "The attendance of {count} children was saved.",
                len(changes),
            ).format(count=len(changes)),
            warnings,
        )


def _undo_self_check_in(roll: Roll) -> None:
    self_check_ins = [row for row in roll.rows if row.method == AttendanceMethod.SELF_CHECK_IN]
    if not self_check_ins:
        return
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
            format_func=roll.names.__getitem__,
            key=f"undo_child_{roll.occurrence_id}",
        )
        if st.button(_("Undo the check-in"), key=f"undo_{roll.occurrence_id}"):
            with shown_errors():
                with transaction() as session:
                    undo_check_in(session, page_user(session), roll.occurrence_id, undo_child)
                done(_("The check-in was undone."))


# --- walk-ins ----------------------------------------------------------------------------------


def _walk_in(roll: Roll) -> None:
    with st.expander(_("Add a walk-in (a child who is not enrolled)")):
        candidates = _walk_in_candidates(roll)
        if candidates:
            _walk_in_form(roll, candidates)


def _walk_in_candidates(roll: Roll) -> dict[int, str]:
    """The children found by name who are not on the roster yet (child id -> name and school)."""
    search = st.text_input(
        _("Search by name"),
        key=f"walk_in_search_{roll.occurrence_id}_{roll.form_round}",
        help=_("Among the children whose records you may see."),
    )
    if not search.strip():
        return {}
    with transaction() as session:
        found_children, _total = list_children(
            session, page_user(session), search, limit=WALK_IN_RESULTS
        )
    candidates = {
        child.id: family_first(child.family_name, child.given_name)
        + (f" · {child.school_name}" if child.school_name else "")
        for child in found_children
        if child.id not in roll.names
    }
    if not candidates:
        empty_state(_("No child found who is not on the roster already."))
    return candidates


def _walk_in_form(roll: Roll, candidates: dict[int, str]) -> None:
    with st.form(f"walk_in_{roll.occurrence_id}_{roll.form_round}"):
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
                    roll.occurrence_id,
                    walk_in_child,
                    walk_in_status,
                    walk_in_note,
                )
            done(_("{name} was added as a walk-in.").format(name=candidates[walk_in_child]))


# --- close or reopen ---------------------------------------------------------------------------


def _close_or_reopen(occurrence: dict, roll: Roll) -> None:
    st.subheader(_("Close the attendance"))
    if occurrence["status"] == OccurrenceStatus.CLOSED:
        _reopen(roll.occurrence_id)
    elif not occurrence["started"]:
        st.caption(_("The attendance can be closed once the session has started."))
    else:
        _close(roll)


def _close(roll: Roll) -> None:
    unmarked = len(roll.unmarked)
    if get_settings().absent_on_close:
        st.info(
            ngettext(
                "Closing says the attendance is taken. The {count} child without a status "
                "is then marked absent. You can still correct it afterwards.",
                "Closing says the attendance is taken. The {count} children without a "
                "status are then marked absent. You can still correct them afterwards.",
                unmarked,
            ).format(count=unmarked),
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
    if st.button(_("Close the attendance"), icon="🔒", key=f"close_{roll.occurrence_id}"):
        with shown_errors():
            with transaction() as session:
                absent = close_occurrence(session, page_user(session), roll.occurrence_id)
            done(
                ngettext(
                    "The attendance was closed; {count} child without a status was marked absent.",
                    "The attendance was closed; {count} children without a status were "
                    "marked absent.",
                    absent,
                ).format(count=absent)
            )


def _reopen(occurrence_id: int) -> None:
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


# --- the paper fallback ------------------------------------------------------------------------


def _paper_sheet(roll: Roll, language: str) -> None:
    st.caption(
        _(
            "No connection at the venue? Print the sheet beforehand, tick one box per child, "
            "and type it in here afterwards. The sheet is in {language}."
        ).format(language=LANGUAGE_NAMES.get(language, language))
    )
    occurrence_id = roll.occurrence_id
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
        sheet, extra, type_in = _paper_form(roll)
        if type_in:
            _save_paper(roll.occurrence_id, sheet, extra)


def _paper_form(roll: Roll) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The roster's lines and the walk-ins' blank rows to type in: both tables, and whether the
    sheet was saved."""
    rows = roll.rows
    paper = pd.DataFrame(
        {
            "id": [row.child_id for row in rows],
            "name": [roll.names[row.child_id] for row in rows],
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
    status_column = _status_column()
    with st.form(f"paper_{roll.occurrence_id}_{roll.form_round}"):
        sheet = st.data_editor(
            paper,
            key=f"paper_sheet_{roll.occurrence_id}_{roll.form_round}",
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
            key=f"paper_walk_ins_{roll.occurrence_id}_{roll.form_round}",
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
    return sheet, extra, type_in


@dataclass
class PaperEntries:
    """What a typed-in sheet says: a status (and note) per child, which of them are walk-ins, and
    whether a line was left half done."""

    statuses: dict[int, str]
    notes: dict[int, str]
    walk_ins: list[int]
    incomplete: bool


def _paper_entries(sheet: pd.DataFrame, extra: pd.DataFrame) -> PaperEntries:
    entries = PaperEntries({}, {}, [], incomplete=False)
    for table, walk_in in ((sheet, False), (extra, True)):
        for record in table.to_dict("records"):
            status, note = cell(record.get("status")), cell(record.get("note"))
            raw_id = record.get("id")
            if raw_id is None or pd.isna(raw_id) or not status:
                entries.incomplete = entries.incomplete or walk_in or bool(note)
                continue
            entries.statuses[int(raw_id)] = status
            entries.notes[int(raw_id)] = note
            if walk_in:
                entries.walk_ins.append(int(raw_id))
    return entries


def _save_paper(occurrence_id: int, sheet: pd.DataFrame, extra: pd.DataFrame) -> None:
    entries = _paper_entries(sheet, extra)
    if entries.incomplete:
        st.warning(
            _("Every line needs a status (and a walk-in its child's ID); nothing was saved."),
            icon="⚠️",
        )
    elif not entries.statuses:
        st.info(_("No status was chosen; nothing was saved."), icon="ℹ️")
    else:
        with shown_errors():
            with transaction() as session:
                count = bulk_entry(
                    session,
                    page_user(session),
                    occurrence_id,
                    entries.statuses,
                    notes=entries.notes,
                    walk_ins=entries.walk_ins,
                )
            done(
                ngettext(
                    "The sheet was typed in: {count} record was created or changed.",
                    "The sheet was typed in: {count} records were created or changed.",
                    count,
                ).format(count=count)
            )


# --- guardians ---------------------------------------------------------------------------------


def _guardians(roll: Roll) -> None:
    st.caption(
        _(
            "Record the guardians who took part: who accompanied a child, joined a family "
            "workshop, volunteered or met a specialist."
        )
    )
    if not roll.rows:
        empty_state(_("The roster is empty, so there is no guardian to record."))
        return
    family_child = st.selectbox(
        _("Child whose guardian took part"),
        list(roll.names),
        format_func=roll.names.__getitem__,
        key=f"involvement_child_{roll.occurrence_id}",
    )
    guardians = guardians_of(family_child)
    if guardians is None:
        return
    if not guardians:
        empty_state(
            _(
                "No guardian is linked to this child. The child's school or centre adds "
                "guardians on the Children page."
            )
        )
        return
    guardian_names = {
        guardian.id: _("{name} ({relationship})").format(
            name=guardian.name, relationship=label(guardian.relationship)
        )
        for guardian in guardians
    }
    _recorded_involvement(roll.occurrence_id, guardian_names)
    _involvement_form(roll, family_child, guardian_names)


def _recorded_involvement(occurrence_id: int, guardian_names: dict[int, str]) -> None:
    """What the child's guardians are recorded as at this session, each with a remove button."""
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
            _recorded_line(occurrence_id, guardian_names[guardian_id], guardian_id, role)
    elif recorded is not None:
        st.caption(_("No guardian of this child is recorded for this session yet."))


def _recorded_line(
    occurrence_id: int, guardian: str, guardian_id: int, role: InvolvementRole
) -> None:
    left, right = st.columns([4, 1])
    left.write(_("{guardian}: {role}").format(guardian=guardian, role=role_text(role)))
    if right.button(
        _("Remove"),
        key=f"remove_involvement_{occurrence_id}_{guardian_id}_{role}",
        help=_("Recorded by mistake? Remove it."),
    ):
        with shown_errors():
            with transaction() as session:
                remove_involvement(session, page_user(session), occurrence_id, guardian_id, role)
            done(_("The guardian's involvement was removed."))


def _involvement_form(roll: Roll, child_id: int, guardian_names: dict[int, str]) -> None:
    with st.form(f"involvement_{roll.occurrence_id}_{child_id}_{roll.form_round}"):
        left, right = st.columns(2)
        guardian_id = left.selectbox(
            _("Guardian"), list(guardian_names), format_func=guardian_names.__getitem__
        )
        role = right.selectbox(_("Took part as"), list(InvolvementRole), format_func=role_text)
        record = st.form_submit_button(_("Record the guardian's involvement"), type="primary")
    if record:
        with shown_errors():
            with transaction() as session:
                record_involvement(
                    session,
                    page_user(session),
                    roll.occurrence_id,
                    guardian_id,
                    role,
                    child_id=child_id,
                )
            done(
                _("Recorded: {guardian}, {role}.").format(
                    guardian=guardian_names[guardian_id], role=_(ROLE_LABELS[role])
                )
            )


# --- exports -----------------------------------------------------------------------------------


def _exports(today: date) -> None:
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
        _export_downloads(*period)


def _export_downloads(start: date, end: date) -> None:
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


if __name__ == "__main__":
    render()
