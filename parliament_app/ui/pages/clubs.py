# Not split: one page whose sections share the clubs read once (``Clubs``), the chosen club's
# plan (``Planning``) and the page's outcome.
"""Sport, music and other clubs: the list, a new club, its weekly practices, its excursions with
their guardian consents, and what children ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from activities.clubs import (
    CLUB_KINDS,
    SUPPRESS_BELOW,
    InterestDemand,
    NewExcursion,
    PracticeSlot,
    RosterEntry,
    create_club,
    excursion_roster,
    interest_demand,
    list_clubs,
    record_excursion_consent,
    schedule_excursion,
    set_practice_schedule,
    withdraw_excursion_consent,
)
from parliament_app.children.services import GuardianView
from parliament_app.core.i18n import N_, _, format_date, format_datetime, format_number, ngettext
from parliament_app.core.labels import label
from parliament_app.groups.services import active_member_count
from parliament_app.models import Group, GroupKind, Role
from parliament_app.models.meetings import ExcursionKind, OccurrenceStatus, SessionKind
from parliament_app.places.services import list_municipalities, list_venues
from parliament_app.policy.groups import may_manage_group
from parliament_app.ui.choices import facilitator_choices, organisation_choices
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.group_form import GroupFormWords, create_group_form
from parliament_app.ui.lookups import guardians_of
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state
from sessions.calendar import OCCURRENCE_STATUS_LABELS
from sessions.scheduling import list_occurrences
from sessions.times import local

OUTCOME = PageOutcome("clubs")
SLOTS = 3
UPCOMING_WEEKS = 8
EXCURSION_DAYS = 365
A_MONDAY = date(2024, 1, 1)

KINDS = [kind for kind in GroupKind if kind in CLUB_KINDS]
EXCURSION_KIND_LABELS: dict[ExcursionKind, str] = {
    ExcursionKind.RADIO_TV: N_("Visit to a radio or TV station"),
    ExcursionKind.TEAM_TRAINING: N_("Watching a team's training"),
    ExcursionKind.MEET_ATHLETE_OR_MUSICIAN: N_("Meeting an athlete or musician"),
    ExcursionKind.OTHER: N_("Other excursion"),
}

Row = dict[str, Any]  # a coming practice or excursion as plain values


@dataclass(frozen=True)
class Clubs:
    """What the page reads in its first transaction."""

    role: Role
    rows: list[dict[str, str]]  # the table of clubs
    managed: dict[int, str]  # open clubs the user may plan
    venues: dict[int, str]
    facilitators: dict[int, str]  # administrators only
    organisations: dict[int, str]  # administrators only
    municipalities: dict[int, str]
    own_organisation: str


@dataclass(frozen=True)
class Planning:
    """The club being planned and what its forms need."""

    club_id: int
    venues: dict[int, str]
    today: date
    form_round: int


def render() -> None:
    today = local(datetime.now(UTC)).date()
    clubs = _clubs()
    form_round = OUTCOME.form_round
    _header()
    _club_list(clubs.rows)
    with st.expander(_("Create a club"), expanded=not clubs.rows):
        _create_club(clubs, form_round)
    _practice_and_excursions(clubs.managed, clubs.venues, today, form_round)
    _demand(clubs.municipalities)


# ----------------------------------------------------------------------------- labels


def _weekday_name(weekday: int | None) -> str:
    if weekday is None:
        return _("No practice")
    return format_date(A_MONDAY + timedelta(days=weekday), "EEEE")


def _venue_name(venues: dict[int, str], key: int | None) -> str:
    return venues[key] if key else _("No venue")


def _excursion_title(row: Row) -> str:
    return _("{when} · {kind} · {what}").format(
        when=format_datetime(row["starts_at"], "short"),
        kind=_(EXCURSION_KIND_LABELS[row["excursion_kind"]])
        if row["excursion_kind"]
        else _("Excursion"),
        what=row["topic"] or (row["venue"] if row["venue"] != "—" else row["where"][:60]),
    )


# ----------------------------------------------------------------------------- the clubs


def _clubs() -> Clubs:
    with transaction() as session:
        user = page_user(session)
        clubs = list_clubs(session, user)
        rows = [_club_row(session, club) for club in clubs]
        managed = {
            club.id: club.name
            for club in clubs
            if club.active and may_manage_group(session, user, club)
        }
        venues = {
            venue.id: _("{venue}, {municipality}").format(
                venue=venue.name, municipality=venue.municipality.name
            )
            for venue in list_venues(session)
        }
        facilitators, organisations = (
            (facilitator_choices(session, user), organisation_choices(session))
            if user.role == Role.ADMINISTRATOR
            else ({}, {})
        )
        return Clubs(
            role=user.role,
            rows=rows,
            managed=managed,
            venues=venues,
            facilitators=facilitators,
            organisations=organisations,
            municipalities={place.id: place.name for place in list_municipalities(session)},
            own_organisation=user.organisation.name if user.organisation else "",
        )


def _club_row(session: Session, club: Group) -> dict[str, str]:
    return {
        _("Club"): club.name if club.active else _("{name} (closed)").format(name=club.name),
        _("Kind"): label(club.kind),
        _("Municipality"): club.municipality.name,
        _("Ages"): _("{low}–{high}").format(low=club.min_age, high=club.max_age),
        _("Capacity"): format_number(club.capacity),
        _("Members"): format_number(active_member_count(session, club.id)),
    }


def _header() -> None:
    st.title(_("Clubs"))
    st.caption(
        _(
            "Sport, music and other clubs: their weekly practice, excursions with the "
            "guardians' consent, and what the children ask for."
        )
    )
    if warnings := OUTCOME.show():
        st.markdown("**" + _("Clashes to look at:") + "**")
        for warning in warnings:
            st.warning(warning, icon="⚠️")


def _club_list(rows: list[dict[str, str]]) -> None:
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
        return
    empty_state(
        _(
            "There are no clubs yet. Create one below; “What children ask for” at the end "
            "of this page shows which sports and music are wanted most."
        )
    )


def _create_club(clubs: Clubs, form_round: int) -> None:
    administrator = clubs.role == Role.ADMINISTRATOR
    if administrator and not (clubs.organisations and clubs.facilitators):
        empty_state(
            _(
                "A club is run by an organisation and led by a facilitator. Add them on the "
                "Organisations and places and Users pages first."
            )
        )
        return
    created = create_group_form(
        f"create_club_{form_round}",
        GroupFormWords(
            kind=_("Kind of club"),
            organisation=_("Organisation running the club"),
            organisation_help=None,
            run_by_you=_("The club is run by your organisation, {name}, and you lead it."),
            submit=_("Create the club"),
            created=_("The club {name} was created."),
        ),
        KINDS,
        administrator=administrator,
        organisations=clubs.organisations,
        facilitators=clubs.facilitators,
        own_organisation=clubs.own_organisation,
        capacity=20,
        create=create_club,
    )
    if created:
        OUTCOME.done(created)


# ----------------------------------------------------------------------------- one club


def _practice_and_excursions(
    managed: dict[int, str], venues: dict[int, str], today: date, form_round: int
) -> None:
    st.subheader(_("Practice and excursions"))
    if not managed:
        empty_state(
            _(
                "You manage no club yet. Create one above; its practice schedule and "
                "excursions are planned here."
            )
        )
        return
    club_id = st.selectbox(
        _("Club"), list(managed), format_func=managed.__getitem__, key="clubs_choice"
    )
    plan = Planning(club_id, venues, today, form_round)
    coming = _coming(plan)
    practices = [
        row
        for row in coming
        if row["kind"] == SessionKind.CLUB_PRACTICE
        and local(row["starts_at"]).date() < today + timedelta(weeks=UPCOMING_WEEKS)
    ]
    excursions = [row for row in coming if row["kind"] == SessionKind.EXCURSION]
    practice_tab, excursion_tab = st.tabs([_("Practice schedule"), _("Excursions")])
    with practice_tab:
        _practice_schedule(practices)
        _practice_form(plan)
    with excursion_tab:
        with st.expander(_("Schedule an excursion"), expanded=not excursions):
            _excursion_form(plan)
        _consents(plan, excursions)


def _coming(plan: Planning) -> list[Row]:
    """The club's practices and excursions of the coming year."""
    with transaction() as session:
        return [
            {
                "id": occurrence.id,
                "kind": occurrence.kind,
                "excursion_kind": occurrence.excursion_kind,
                "starts_at": occurrence.starts_at,
                "duration": occurrence.duration_minutes,
                "venue": occurrence.venue.name if occurrence.venue else "—",
                "where": occurrence.description,
                "topic": occurrence.topic,
                "status": occurrence.status,
            }
            for occurrence in list_occurrences(
                session,
                page_user(session),
                plan.today,
                plan.today + timedelta(days=EXCURSION_DAYS),
                plan.club_id,
            )
            if occurrence.kind in (SessionKind.CLUB_PRACTICE, SessionKind.EXCURSION)
        ]


# ----------------------------------------------------------------------------- practice


def _practice_schedule(practices: list[Row]) -> None:
    if practices:
        st.dataframe(
            [
                {
                    _("When"): format_datetime(row["starts_at"], "short"),
                    _("Minutes"): row["duration"],
                    _("Venue"): row["venue"],
                    _("Status"): _(OCCURRENCE_STATUS_LABELS[row["status"]]),
                }
                for row in practices
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        empty_state(_("No practice in the next eight weeks. Set the weekly practice times below."))
    st.caption(
        _(
            "Saving replaces the practices from the first date on; practices already held "
            "stay as they were. Set every day to “No practice” to stop practising from the "
            "first date."
        )
    )


def _practice_form(plan: Planning) -> None:
    today = plan.today
    with st.form(f"practice_{plan.club_id}_{plan.form_round}"):
        slots = [_practice_slot(plan, number) for number in range(1, SLOTS + 1)]
        left, right = st.columns(2)
        from_date = left.date_input(_("First date"), today, min_value=today, format="DD.MM.YYYY")
        to_date = right.date_input(
            _("Last date"), today + timedelta(weeks=16), min_value=today, format="DD.MM.YYYY"
        )
        save_practice = st.form_submit_button(_("Save the practice schedule"), type="primary")
    if save_practice:
        _save_practice(plan.club_id, slots, from_date, to_date)


def _practice_slot(plan: Planning, number: int) -> tuple[int | None, time, int, int | None]:
    """One row of the weekly schedule: day, start, minutes, venue."""
    suffix = f"{number}_{plan.club_id}_{plan.form_round}"
    st.markdown("**" + _("Practice {number}").format(number=number) + "**")
    first, second, third, fourth = st.columns(4)
    weekday = first.selectbox(
        _("Day of the week (practice {number})").format(number=number),
        [None, *range(7)],
        format_func=_weekday_name,
        key=f"slot_day_{suffix}",
    )
    start = second.time_input(
        _("Start time (practice {number})").format(number=number),
        time(17, 0),
        step=timedelta(minutes=15),
        key=f"slot_time_{suffix}",
    )
    minutes = third.number_input(
        _("Minutes (practice {number})").format(number=number),
        15,
        600,
        90,
        step=15,
        key=f"slot_minutes_{suffix}",
    )
    venue = fourth.selectbox(
        _("Venue (practice {number})").format(number=number),
        [None, *plan.venues],
        format_func=lambda key: _venue_name(plan.venues, key),
        key=f"slot_venue_{suffix}",
    )
    return weekday, start, minutes, venue


def _save_practice(
    club_id: int,
    slots: list[tuple[int | None, time, int, int | None]],
    from_date: date,
    to_date: date,
) -> None:
    chosen_slots = [
        PracticeSlot(weekday, start, int(minutes), venue)
        for weekday, start, minutes, venue in slots
        if weekday is not None
    ]
    with shown_errors():
        with transaction() as session:
            created, found = set_practice_schedule(
                session, page_user(session), club_id, chosen_slots, from_date, to_date
            )
            count = len(created)
            warnings = [conflict.message for conflict in found]
        OUTCOME.done(
            ngettext(
                "The practice schedule was saved: {count} practice is planned.",
                "The practice schedule was saved: {count} practices are planned.",
                count,
            ).format(count=count),
            warnings,
        )


# ----------------------------------------------------------------------------- excursions


def _excursion_form(plan: Planning) -> None:
    today = plan.today
    with st.form(f"excursion_{plan.club_id}_{plan.form_round}"):
        left, right = st.columns(2)
        excursion_kind = left.selectbox(
            _("Kind of excursion"),
            list(ExcursionKind),
            format_func=lambda value: _(EXCURSION_KIND_LABELS[value]),
        )
        topic = right.text_input(_("Title (optional)"))
        first, second, third = st.columns(3)
        on_date = first.date_input(
            _("Date"), today + timedelta(days=7), min_value=today, format="DD.MM.YYYY"
        )
        start_time = second.time_input(_("Start time"), time(10, 0), step=timedelta(minutes=15))
        duration = third.number_input(_("Duration (minutes)"), 15, 600, 180, step=15)
        excursion_venue = st.selectbox(
            _("Venue"),
            [None, *plan.venues],
            format_func=lambda key: _venue_name(plan.venues, key),
        )
        where = st.text_area(
            _("Where and what (if the place is not one of the venues)"),
            help=_("For example the radio station's address and whom the children meet."),
        )
        add_excursion = st.form_submit_button(_("Schedule the excursion"), type="primary")
    if add_excursion:
        _schedule_excursion(
            plan.club_id,
            NewExcursion(
                excursion_kind=excursion_kind,
                on_date=on_date,
                start_time=start_time,
                duration_minutes=int(duration),
                venue_id=excursion_venue,
                description=where,
                topic=topic,
            ),
        )


def _schedule_excursion(club_id: int, excursion: NewExcursion) -> None:
    with shown_errors():
        with transaction() as session:
            _excursion, found = schedule_excursion(session, page_user(session), club_id, excursion)
            warnings = [conflict.message for conflict in found]
        OUTCOME.done(_("The excursion was scheduled."), warnings)


def _consents(plan: Planning, excursions: list[Row]) -> None:
    """Who may go on a coming excursion, and a guardian's consent recorded or withdrawn."""
    scheduled = {
        row["id"]: row for row in excursions if row["status"] == OccurrenceStatus.SCHEDULED
    }
    if not scheduled:
        empty_state(_("No excursion is coming up. Schedule one above, then record the consents."))
        return
    excursion_id = st.selectbox(
        _("Excursion"),
        list(scheduled),
        format_func=lambda key: _excursion_title(scheduled[key]),
        key=f"clubs_excursion_{plan.club_id}",
    )
    roster = None
    with shown_errors(), transaction() as session:
        roster = excursion_roster(session, page_user(session), excursion_id)
    if roster is None:
        return
    st.markdown("**" + _("Who may go") + "**")
    st.caption(
        _("Each child needs a guardian's consent for this excursion. Only first names are shown.")
    )
    if not roster:
        empty_state(_("The club has no active members yet. Enrol children in it first."))
        return
    names = _first_names(roster)
    _roster_table(roster, names)
    consented = {entry.child_id: entry.has_consent for entry in roster}
    child_id = st.selectbox(
        _("Child whose consent to record or withdraw"),
        list(names),
        format_func=names.__getitem__,
        key=f"clubs_consent_child_{excursion_id}",
    )
    _consent_of(excursion_id, child_id, consented[child_id], plan.form_round)


def _first_names(roster: list[RosterEntry]) -> dict[int, str]:
    """First names repeat: number them so each row can be told apart."""
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for entry in roster:
        seen[entry.given_name] = seen.get(entry.given_name, 0) + 1
        names[entry.child_id] = (
            entry.given_name
            if seen[entry.given_name] == 1
            else f"{entry.given_name} ({seen[entry.given_name]})"
        )
    return names


def _roster_table(roster: list[RosterEntry], names: dict[int, str]) -> None:
    given = sum(entry.has_consent for entry in roster)
    st.write(
        ngettext(
            "{given} of {total} child has a guardian's consent.",
            "{given} of {total} children have a guardian's consent.",
            len(roster),
        ).format(given=format_number(given), total=format_number(len(roster)))
    )
    st.dataframe(
        [
            {
                _("Child"): names[entry.child_id],
                _("Consent"): _("✅ Consent given")
                if entry.has_consent
                else _("❌ No consent yet"),
            }
            for entry in roster
        ],
        hide_index=True,
        width="stretch",
    )


def _consent_of(excursion_id: int, child_id: int, has_consent: bool, form_round: int) -> None:
    guardians = guardians_of(child_id)
    if guardians is not None and not guardians:
        empty_state(
            _(
                "No guardian is linked to this child. The child's school or centre "
                "adds guardians on the Children page."
            )
        )
    elif guardians and not has_consent:
        _record_consent(excursion_id, child_id, guardians, form_round)
    elif guardians:
        _withdraw_consent(excursion_id, child_id, guardians[0].id, form_round)


def _record_consent(
    excursion_id: int, child_id: int, guardians: list[GuardianView], form_round: int
) -> None:
    with st.form(f"consent_{excursion_id}_{child_id}_{form_round}"):
        guardian_id = st.selectbox(
            _("Guardian who consents"),
            [guardian.id for guardian in guardians],
            format_func=lambda key: next(
                _("{name} ({relationship})").format(
                    name=guardian.name, relationship=label(guardian.relationship)
                )
                for guardian in guardians
                if guardian.id == key
            ),
        )
        record = st.form_submit_button(_("Record the guardian's consent"), type="primary")
    if record:
        with shown_errors():
            with transaction() as session:
                record_excursion_consent(
                    session, page_user(session), excursion_id, child_id, guardian_id
                )
            OUTCOME.done(_("The consent was recorded."))


def _withdraw_consent(excursion_id: int, child_id: int, guardian_id: int, form_round: int) -> None:
    """The roster gives no consent id; recording again (as the first guardian) returns the live
    consent, which is then withdrawn."""
    with st.form(f"withdraw_{excursion_id}_{child_id}_{form_round}"):
        st.caption(_("A guardian has consented. Withdraw it if they change their mind."))
        withdraw = st.form_submit_button(_("Withdraw the consent"))
    if withdraw:
        with shown_errors():
            with transaction() as session:
                actor = page_user(session)
                still = {
                    entry.child_id
                    for entry in excursion_roster(session, actor, excursion_id)
                    if entry.has_consent
                }
                if child_id in still:
                    live = record_excursion_consent(
                        session, actor, excursion_id, child_id, guardian_id
                    )
                    withdraw_excursion_consent(session, actor, live.id)
            OUTCOME.done(_("The consent was withdrawn."))


# ----------------------------------------------------------------------------- demand


def _demand(municipalities: dict[int, str]) -> None:
    st.subheader(_("What children ask for"))
    st.caption(
        _(
            "The sports, music and topics children named when they signed up: how many "
            "children asked for each. Fewer than {count} are shown as “<{count}” so no child "
            "can be singled out."
        ).format(count=SUPPRESS_BELOW)
    )
    municipality_id = st.selectbox(
        _("Municipality"),
        [None, *municipalities],
        format_func=lambda key: municipalities[key] if key else _("All municipalities"),
        key="clubs_demand_municipality",
    )
    demand = None
    with shown_errors(), transaction() as session:
        demand = interest_demand(session, page_user(session), municipality_id)
    if demand is None:
        return
    if not demand:
        empty_state(
            _(
                "No child has named an interest yet. Interests are entered when a child is "
                "signed up on the Children page."
            )
        )
        return
    _demand_chart(demand)
    st.dataframe(
        [
            {
                _("Interest"): item.label,
                _("Kind"): label(item.kind),
                _("Children"): item.shown,
            }
            for item in demand
        ],
        hide_index=True,
        width="stretch",
    )


def _demand_chart(demand: list[InterestDemand]) -> None:
    counted = [item for item in demand if item.count is not None]
    if not counted:
        st.caption(
            _(
                "Every interest was named by fewer than {count} children, so there is no chart."
            ).format(count=SUPPRESS_BELOW)
        )
        return
    st.bar_chart(
        pd.DataFrame(
            [
                {
                    _("Interest"): item.label,
                    _("Children"): item.count,
                    _("Kind"): label(item.kind),
                }
                for item in counted
            ]
        ),
        x=_("Interest"),
        y=_("Children"),
        color=_("Kind"),
        horizontal=True,
    )


if __name__ == "__main__":
    render()
