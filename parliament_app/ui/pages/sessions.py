"""Sessions: schedule a group's sittings and workshops (once or repeating), check for clashes
before saving, and change or cancel the sessions coming up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core.clock import local_today
from parliament_app.core.i18n import LANGUAGE_NAMES, N_, _, format_date, format_datetime, ngettext
from parliament_app.groups.services import list_groups, managed_group_leaders
from parliament_app.models import Role, User
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.models.meetings import OccurrenceStatus, Profession, Recurrence, SessionKind
from parliament_app.people.accounts import list_users
from parliament_app.places.services import list_organisations, list_venues
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.sessions_widgets import occurrence_title
from parliament_app.ui.widgets import empty_state
from sessions.calendar import OCCURRENCE_STATUS_LABELS, SESSION_KIND_LABELS
from sessions.conflicts import conflicts_for
from sessions.scheduling import (
    NewOccurrence,
    NewSeries,
    NewSpecialist,
    OccurrenceChange,
    cancel_occurrence,
    cancel_series_from,
    candidate_for,
    change_occurrence,
    check_span,
    create_series,
    create_specialist,
    list_occurrences,
    list_specialists,
)
from sessions.times import MAX_OCCURRENCES, local, series_dates

OUTCOME = PageOutcome("sessions")
UPCOMING_WEEKS = 8
MAX_WARNINGS = 12  # a long series can clash every week: show the first ones and a count

KINDS = [
    kind for kind in SessionKind if kind not in (SessionKind.CLUB_PRACTICE, SessionKind.EXCURSION)
]
REPEAT_LABELS: dict[Recurrence | None, str] = {
    None: N_("Does not repeat"),
    Recurrence.WEEKLY: N_("Every week"),
    Recurrence.BIWEEKLY: N_("Every two weeks"),
    Recurrence.MONTHLY: N_("Every month"),
}
PROFESSION_LABELS: dict[Profession, str] = {
    Profession.PSYCHOLOGIST: N_("Psychologist"),
    Profession.SOCIAL_WORKER: N_("Social worker"),
    Profession.TEACHER: N_("Teacher"),
    Profession.PEDAGOGUE: N_("Pedagogue"),
    Profession.OTHER: N_("Other profession"),
}
# Each language's own name, never translated (as in the language picker); Romani added.
SESSION_LANGUAGES = {**LANGUAGE_NAMES, "rom": "Romani"}


done = OUTCOME.done


@dataclass(frozen=True)
class Choices:
    """What the scheduling forms offer this user, read once per run."""

    user_id: int
    role: Role
    groups: dict[int, dict]  # the active groups the user manages
    facilitators: dict[int, str]
    venues: dict[int, str]
    specialists: dict[int, str]
    organisations: dict[int, str]


@dataclass(frozen=True)
class Plan:
    """The schedule form as filled in: the dates, and what every planned session shares."""

    first_date: date
    last_date: date
    repeat: Recurrence | None
    shared: dict[str, Any]  # NewOccurrence's and NewSeries' other fields


def render() -> None:
    today = local_today()
    choices, upcoming = _read(today)
    form_round = OUTCOME.form_round
    st.title(_("Sessions"))
    st.caption(
        _(
            "Schedule the sittings and workshops of your groups. Clashes never block saving: "
            "check them first and decide."
        )
    )
    if warnings := OUTCOME.show():
        st.markdown("**" + _("Clashes to look at:") + "**")
        show_conflicts(warnings)
    _schedule(choices, today, form_round)
    _coming_up(upcoming, managing=bool(choices.groups))
    _change_or_cancel(upcoming, choices.venues, today, form_round)


def show_conflicts(messages: list[str]) -> None:
    for message in messages[:MAX_WARNINGS]:
        st.warning(message, icon="⚠️")
    if len(messages) > MAX_WARNINGS:
        st.warning(
            ngettext(
                "…and {count} more clash.",
                "…and {count} more clashes.",
                len(messages) - MAX_WARNINGS,
            ).format(count=len(messages) - MAX_WARNINGS),
            icon="⚠️",
        )


def session_title(row: dict) -> str:
    """A session coming up (a scheduled one: never closed)."""
    return occurrence_title(row["starts_at"], row["group"], row["topic"], closed=False)


# --- read --------------------------------------------------------------------------------------


def _read(today: date) -> tuple[Choices, list[dict]]:
    with transaction() as session:
        user = page_user(session)
        choices = _choices(session, user)
        upcoming = _upcoming(session, user, today, choices.groups)
    return choices, upcoming


def _choices(session: Session, user: User) -> Choices:
    group_leaders = managed_group_leaders(session, user)
    groups = {
        group.id: {
            "name": group.name,
            "min_age": group.min_age,
            "max_age": group.max_age,
            "capacity": group.capacity,
            "leaders": list(group_leaders[group.id]),
        }
        for group in list_groups(session, user)
        if group.active and group.id in group_leaders
    }
    if user.role == Role.ADMINISTRATOR:
        facilitators = {
            person.id: person.display_name
            for person in list_users(session, user)
            if person.active and person.role == Role.FACILITATOR
        }
    else:  # no service lists facilitators to others: offer the leaders of the user's groups
        facilitators = {
            leader: name for group_id in groups for leader, name in group_leaders[group_id].items()
        }
    venues = {
        venue.id: _("{venue}, {municipality}").format(
            venue=venue.name, municipality=venue.municipality.name
        )
        for venue in list_venues(session)
    }
    specialists = {
        specialist.id: _("{name} · {profession}").format(
            name=specialist.name, profession=_(PROFESSION_LABELS[specialist.profession])
        )
        for specialist in list_specialists(session, user)
    }
    organisations = {
        organisation.id: organisation.name for organisation in list_organisations(session)
    }
    return Choices(user.id, user.role, groups, facilitators, venues, specialists, organisations)


def _upcoming(session: Session, user: User, today: date, groups: dict[int, dict]) -> list[dict]:
    """The sessions of the next weeks; those of the user's groups still scheduled can change."""
    return [
        {
            "id": occurrence.id,
            "series_id": occurrence.series_id,
            "group": occurrence.group.name,
            "kind": occurrence.kind,
            "topic": occurrence.topic or "—",
            "starts_at": occurrence.starts_at,
            "duration": occurrence.duration_minutes,
            "venue_id": occurrence.venue_id,
            "venue": occurrence.venue.name if occurrence.venue else "—",
            "status": occurrence.status,
            "reason": occurrence.cancel_reason,
            "manageable": occurrence.status == OccurrenceStatus.SCHEDULED
            and occurrence.group_id in groups,
        }
        for occurrence in list_occurrences(
            session, user, today, today + timedelta(weeks=UPCOMING_WEEKS)
        )
    ]


# --- schedule ----------------------------------------------------------------------------------


def _schedule(choices: Choices, today: date, form_round: int) -> None:
    st.subheader(_("Schedule a session"))
    if not choices.groups:
        empty_state(
            _(
                "You manage no active group yet. Create one on the Groups page (or ask an "
                "administrator to make you a leader); then schedule its sessions here."
            )
        )
        return
    _add_specialist(choices.organisations, form_round)
    group_id = st.selectbox(
        _("Group"),
        list(choices.groups),
        format_func=lambda key: choices.groups[key]["name"],
        key="sessions_group",
    )
    if choices.role != Role.ADMINISTRATOR:
        st.caption(_("You can choose among the group's leaders as facilitators."))
    with st.form(f"schedule_{group_id}_{form_round}"):
        plan = _schedule_fields(choices, group_id, today)
        buttons = st.columns([1, 1, 3])
        check = buttons[0].form_submit_button(_("Check for clashes"))
        save = buttons[1].form_submit_button(_("Schedule"), type="primary")
    if check:
        _check_clashes(plan)
    if save:
        _schedule_sessions(plan)


def _add_specialist(organisations: dict[int, str], form_round: int) -> None:
    with st.expander(_("Add a specialist")):
        st.caption(
            _(
                "Psychologists, social workers, teachers and pedagogues who run workshops. "
                "They need no account in the app."
            )
        )
        with st.form(f"add_specialist_{form_round}"):
            left, right = st.columns(2)
            specialist_name = left.text_input(_("Specialist's name"))
            profession = right.selectbox(
                _("Profession"),
                list(Profession),
                format_func=lambda value: _(PROFESSION_LABELS[value]),
            )
            phone = left.text_input(_("Phone (optional)"))
            specialist_organisation = right.selectbox(
                _("Organisation (optional)"),
                [None, *organisations],
                format_func=lambda key: organisations[key] if key else _("None"),
            )
            add_specialist = st.form_submit_button(_("Add the specialist"))
        if add_specialist:
            with shown_errors():
                with transaction() as session:
                    added = create_specialist(
                        session,
                        page_user(session),
                        NewSpecialist(
                            name=specialist_name,
                            profession=profession,
                            organisation_id=specialist_organisation,
                            phone=phone,
                        ),
                    )
                    added_name = added.name
                done(_("{name} was added to the specialists.").format(name=added_name))


def _schedule_fields(choices: Choices, group_id: int, today: date) -> Plan:
    """The schedule form's fields, in the form the caller opened."""
    left, right = st.columns(2)
    kind = left.selectbox(
        _("Kind of session"), KINDS, format_func=lambda value: _(SESSION_KIND_LABELS[value])
    )
    topic = right.text_input(_("Topic"))
    description = st.text_area(_("Description (optional)"))
    first, second, third = st.columns(3)
    first_date = first.date_input(
        _("Date"), today + timedelta(days=1), min_value=today, format="DD.MM.YYYY"
    )
    start_time = second.time_input(_("Start time"), time(17, 0), step=timedelta(minutes=15))
    duration = third.number_input(_("Duration (minutes)"), 15, 600, 90, step=15)
    repeat = first.selectbox(
        _("Repeats"), list(REPEAT_LABELS), format_func=lambda value: _(REPEAT_LABELS[value])
    )
    last_date = second.date_input(
        _("Last date (for a repeating session)"),
        today + timedelta(weeks=12),
        min_value=today,
        format="DD.MM.YYYY",
    )
    venue_id = third.selectbox(
        _("Venue"),
        [None, *choices.venues],
        format_func=lambda key: choices.venues[key] if key else _("No venue yet"),
    )
    shared = {
        "group_id": group_id,
        "kind": kind,
        "topic": topic,
        "description": description,
        "start_time": start_time,
        "duration_minutes": int(duration),
        "venue_id": venue_id,
    }
    shared |= _people_fields(choices, group_id)
    shared |= _age_fields(choices.groups[group_id])
    return Plan(first_date, last_date, repeat, shared)


def _people_fields(choices: Choices, group_id: int) -> dict[str, Any]:
    """Who runs the sessions (the group's leaders unless an administrator plans) and in which
    languages."""
    options = (
        list(choices.facilitators)
        if choices.role == Role.ADMINISTRATOR
        else choices.groups[group_id]["leaders"]
    )
    left, right = st.columns(2)
    chosen_facilitators = left.multiselect(
        _("Facilitators"),
        options,
        default=[choices.user_id] if choices.user_id in options else [],
        format_func=lambda key: choices.facilitators.get(key, "—"),
    )
    chosen_specialists = right.multiselect(
        _("Specialists"),
        list(choices.specialists),
        format_func=choices.specialists.__getitem__,
        help=_("Not on the list? Add them above."),
    )
    languages = st.multiselect(
        _("Languages of the session"),
        list(SESSION_LANGUAGES),
        format_func=SESSION_LANGUAGES.__getitem__,
    )
    return {
        "languages": tuple(languages),
        "facilitator_ids": tuple(chosen_facilitators),
        "specialist_ids": tuple(chosen_specialists),
    }


def _age_fields(group: dict) -> dict[str, Any]:
    first, second, third = st.columns(3)
    min_age = first.number_input(_("Youngest age"), MIN_AGE, MAX_AGE, group["min_age"])
    max_age = second.number_input(_("Oldest age"), MIN_AGE, MAX_AGE, group["max_age"])
    capacity = third.number_input(_("Capacity (children)"), 1, 500, group["capacity"])
    return {"capacity": int(capacity), "min_age": int(min_age), "max_age": int(max_age)}


def _check_clashes(plan: Plan) -> None:
    found = None
    with shown_errors(), transaction() as session:
        if plan.repeat is None:
            days = [plan.first_date]
        else:
            check_span(plan.first_date, plan.last_date)
            days = series_dates(plan.repeat, plan.first_date, plan.last_date)[:MAX_OCCURRENCES]
        candidates = [
            candidate_for(session, NewOccurrence(on_date=day, **plan.shared)) for day in days
        ]
        found = [conflict.message for conflict in conflicts_for(session, candidates)]
    if found == []:
        st.success(
            ngettext(
                "No clashes on the {count} planned date: the venue and the people are free "
                "and every member fits the age band.",
                "No clashes on the {count} planned dates: the venue and the people are free "
                "and every member fits the age band.",
                len(days),
            ).format(count=len(days)),
            icon="✅",
        )
    elif found:
        show_conflicts(found)


def _schedule_sessions(plan: Plan) -> None:
    with shown_errors():
        with transaction() as session:
            created, found = create_series(
                session,
                page_user(session),
                NewSeries(
                    first_date=plan.first_date,
                    recurrence=plan.repeat,
                    last_date=plan.last_date if plan.repeat is not None else None,
                    **plan.shared,
                ),
            )
            count = len(created)
            warnings = [conflict.message for conflict in found]
        done(
            ngettext(
                "{count} session was scheduled.", "{count} sessions were scheduled.", count
            ).format(count=count),
            warnings,
        )


# --- coming up ---------------------------------------------------------------------------------


def _coming_up(upcoming: list[dict], *, managing: bool) -> None:
    """The next weeks' sessions as a table; the page ends here when there are none."""
    st.subheader(_("Coming up in the next eight weeks"))
    if not upcoming:
        empty_state(
            _("Nothing is scheduled for the next eight weeks. Schedule a session above.")
            if managing
            else _("Nothing is scheduled for the next eight weeks.")
        )
        st.stop()
    st.dataframe(
        [
            {
                _("When"): format_datetime(row["starts_at"], "short"),
                _("Minutes"): row["duration"],
                _("Group"): row["group"],
                _("Kind"): _(SESSION_KIND_LABELS[row["kind"]]),
                _("Topic"): row["topic"],
                _("Venue"): row["venue"],
                _("Status"): _(OCCURRENCE_STATUS_LABELS[row["status"]]),
                _("Repeats"): _("Part of a series") if row["series_id"] else "—",
            }
            for row in upcoming
        ],
        hide_index=True,
        width="stretch",
    )


# --- change or cancel --------------------------------------------------------------------------


def _change_or_cancel(
    upcoming: list[dict], venues: dict[int, str], today: date, form_round: int
) -> None:
    changeable = {row["id"]: row for row in upcoming if row["manageable"]}
    if not changeable:
        st.caption(
            _("Only the leaders of a group and administrators change or cancel its sessions.")
        )
        st.stop()
    st.subheader(_("Change or cancel a session"))
    occurrence_id = st.selectbox(
        _("Session"),
        list(changeable),
        format_func=lambda key: session_title(changeable[key]),
        key="sessions_change_choice",
    )
    row = changeable[occurrence_id]
    change_tab, cancel_tab, series_tab = st.tabs(
        [_("Change"), _("Cancel this session"), _("Cancel the rest of the series")]
    )
    with change_tab:
        change = _change_form(row, venues, today, form_round)
    if change is not None:
        _save_change(occurrence_id, change)
    with cancel_tab:
        cancel, reason = _cancel_form(occurrence_id, form_round)
    if cancel:
        _cancel(occurrence_id, reason)
    with series_tab:
        _cancel_the_rest(row, form_round)


def _change_form(
    row: dict, venues: dict[int, str], today: date, form_round: int
) -> OccurrenceChange | None:
    """The session's date, time, length, venue and topic to change; the change once saved."""
    starts_local = local(row["starts_at"])
    with st.form(f"change_{row['id']}_{form_round}"):
        left, right = st.columns(2)
        new_date = left.date_input(
            _("Date"),
            starts_local.date(),
            min_value=min(today, starts_local.date()),
            format="DD.MM.YYYY",
        )
        new_time = right.time_input(
            _("Start time"), starts_local.time().replace(tzinfo=None), step=timedelta(minutes=15)
        )
        new_duration = left.number_input(_("Duration (minutes)"), 15, 600, row["duration"], step=15)
        venue_options = [None, *venues]
        new_venue = right.selectbox(
            _("Venue"),
            venue_options,
            index=venue_options.index(row["venue_id"]) if row["venue_id"] in venue_options else 0,
            format_func=lambda key: venues[key] if key else _("No venue yet"),
        )
        new_topic = st.text_input(_("Topic"), row["topic"] if row["topic"] != "—" else "")
        change = st.form_submit_button(_("Save the change"), type="primary")
    if not change:
        return None
    return OccurrenceChange(
        on_date=new_date,
        start_time=new_time,
        duration_minutes=int(new_duration),
        venue_id=new_venue,
        topic=new_topic,
    )


def _save_change(occurrence_id: int, change: OccurrenceChange) -> None:
    with shown_errors():
        with transaction() as session:
            _changed, found = change_occurrence(session, page_user(session), occurrence_id, change)
            warnings = [conflict.message for conflict in found]
        done(_("The session was changed."), warnings)


def _cancel_form(occurrence_id: int, form_round: int) -> tuple[bool, str]:
    with st.form(f"cancel_{occurrence_id}_{form_round}"):
        st.caption(_("The group's calendar keeps it, marked as cancelled."))
        reason = st.text_input(_("Reason for the cancellation"))
        cancel = st.form_submit_button(_("Cancel this session"))
    return cancel, reason


def _cancel(occurrence_id: int, reason: str) -> None:
    with shown_errors():
        with transaction() as session:
            cancel_occurrence(session, page_user(session), occurrence_id, reason)
        done(_("The session was cancelled."))


def _cancel_the_rest(row: dict, form_round: int) -> None:
    """Cancel this session and the series' later ones (for a session of a series)."""
    if not row["series_id"]:
        st.info(_("This session does not repeat: cancel it on its own."), icon="ℹ️")
        return
    from_date = local(row["starts_at"]).date()
    with st.form(f"cancel_series_{row['id']}_{form_round}"):
        st.caption(
            _(
                "This session and every later one of the series are cancelled, and the "
                "series ends before {date}. Sessions already held stay as they were."
            ).format(date=format_date(from_date))
        )
        series_reason = st.text_input(_("Reason for cancelling the rest of the series"))
        cancel_rest = st.form_submit_button(_("Cancel the rest of the series"))
    if cancel_rest:
        with shown_errors():
            with transaction() as session:
                cancelled = cancel_series_from(
                    session, page_user(session), row["series_id"], from_date, series_reason
                )
                count = len(cancelled)
            done(
                ngettext(
                    "{count} session was cancelled.", "{count} sessions were cancelled.", count
                ).format(count=count)
            )


if __name__ == "__main__":
    render()
