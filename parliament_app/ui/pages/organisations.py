"""Administrators manage where the programme runs: municipalities, organisations and venues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from parliament_app.core.config import get_settings
from parliament_app.core.i18n import _, format_number
from parliament_app.core.labels import label
from parliament_app.models import OrganisationKind
from parliament_app.places.services import (
    COUNTRY_NAMES,
    countries_for_municipalities,
    create_organisation,
    create_venue,
    get_or_create_municipality,
    list_municipalities,
    list_organisations,
    list_venues,
)
from parliament_app.policy.access import Action, may
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("organisations")

KINDS = list(OrganisationKind)


@dataclass(frozen=True)
class Places:
    """What the page shows, read in one transaction."""

    countries: list[str]  # the codes a municipality may be added in
    municipalities: dict[int, str]  # id -> "name (country)"
    municipality_rows: list[dict[str, Any]]
    organisation_rows: list[dict[str, Any]]
    venue_rows: list[dict[str, Any]]


def country_name(code: str) -> str:
    return _(COUNTRY_NAMES[code]) if code in COUNTRY_NAMES else code


def render() -> None:
    places = _places()
    form_round = OUTCOME.form_round
    st.title("🏫 " + _("Organisations and places"))
    st.caption(
        _(
            "Add the municipalities where the programme runs first, then the schools, centres "
            "for social work and NGOs in them, and the venues where groups meet."
        )
    )
    OUTCOME.show()
    municipalities_tab, organisations_tab, venues_tab = st.tabs(
        [_("Municipalities"), _("Organisations"), _("Venues")]
    )
    with municipalities_tab:
        _municipalities(places, form_round)
    with organisations_tab:
        _organisations(places, form_round)
    with venues_tab:
        _venues(places, form_round)


def _places() -> Places:
    with transaction() as session:
        actor = page_user(session)
        if not may(session, actor, Action.MANAGE_ORGANISATIONS):
            st.error(_("Only administrators can manage organisations and places."), icon="🔒")
            st.stop()
        countries = [
            country.code
            for country in countries_for_municipalities(
                session, actor, get_settings().enabled_countries
            )
        ]
        known_municipalities = list_municipalities(session)
        municipalities = {
            municipality.id: _("{municipality} ({country})").format(
                municipality=municipality.name, country=country_name(municipality.country_code)
            )
            for municipality in known_municipalities
        }
        municipality_rows = [
            {
                _("Municipality"): municipality.name,
                _("Country"): country_name(municipality.country_code),
            }
            for municipality in known_municipalities
        ]
        organisation_rows = [
            {
                _("Organisation"): organisation.name,
                _("Kind"): label(organisation.kind),
                _("Municipality"): municipalities.get(organisation.municipality_id, "—"),
            }
            for organisation in list_organisations(session)
        ]
        venue_rows = [
            {
                _("Venue"): venue.name,
                _("Municipality"): municipalities.get(venue.municipality_id, "—"),
                _("Address"): venue.address or "—",
                _("Capacity"): format_number(venue.capacity) if venue.capacity else "—",
            }
            for venue in list_venues(session)
        ]
    return Places(countries, municipalities, municipality_rows, organisation_rows, venue_rows)


# --- municipalities ------------------------------------------------------------------------


def _municipalities(places: Places, form_round: int) -> None:
    if places.municipality_rows:
        st.dataframe(places.municipality_rows, hide_index=True)
    else:
        empty_state(_("No municipality yet. Add the first one below."))
    st.subheader(_("Add a municipality"))
    if not places.countries:
        empty_state(
            _(
                "No country is enabled in this deployment. The operator sets them with "
                "PARLIAMENT_COUNTRIES."
            )
        )
    else:
        _add_municipality(places.countries, places.municipalities, form_round)


def _add_municipality(countries: list[str], known: dict[int, str], form_round: int) -> None:
    with st.form(f"add_municipality_{form_round}"):
        country = st.selectbox(_("Country"), countries, format_func=country_name)
        municipality_name = st.text_input(_("Name of the municipality"))
        add_municipality = st.form_submit_button(_("Add the municipality"), type="primary")
    if add_municipality:
        with shown_errors():
            with transaction() as session:
                municipality = get_or_create_municipality(
                    session, page_user(session), country, municipality_name
                )
                existed = municipality.id in known
                name = municipality.name
            OUTCOME.done(
                (
                    _("{name} was already on the list.") if existed else _("{name} was added.")
                ).format(name=name)
            )


# --- organisations -------------------------------------------------------------------------


def _organisations(places: Places, form_round: int) -> None:
    if places.organisation_rows:
        st.dataframe(places.organisation_rows, hide_index=True)
    else:
        empty_state(
            _(
                "No organisation yet. Add schools, centres for social work and NGOs below; "
                "staff accounts belong to them."
            )
        )
    st.subheader(_("Add an organisation"))
    if not places.municipalities:
        empty_state(_("Add a municipality first, on the Municipalities tab."))
    else:
        _add_organisation(places.municipalities, form_round)


def _add_organisation(municipalities: dict[int, str], form_round: int) -> None:
    with st.form(f"add_organisation_{form_round}"):
        kind = st.selectbox(_("Kind"), KINDS, format_func=label)
        organisation_name = st.text_input(_("Name of the organisation"))
        organisation_municipality = st.selectbox(
            _("Municipality"),
            list(municipalities),
            format_func=municipalities.__getitem__,
            key=f"organisation_municipality_{form_round}",
        )
        add_organisation = st.form_submit_button(_("Add the organisation"), type="primary")
    if add_organisation:
        with shown_errors():
            with transaction() as session:
                organisation = create_organisation(
                    session,
                    page_user(session),
                    kind,
                    organisation_name,
                    organisation_municipality,
                )
                name = organisation.name
            OUTCOME.done(_("{name} was added.").format(name=name))


# --- venues --------------------------------------------------------------------------------


def _venues(places: Places, form_round: int) -> None:
    if places.venue_rows:
        st.dataframe(places.venue_rows, hide_index=True)
    else:
        empty_state(_("No venue yet. Add the places where groups meet below."))
    st.subheader(_("Add a venue"))
    if not places.municipalities:
        empty_state(_("Add a municipality first, on the Municipalities tab."))
    else:
        _add_venue(places.municipalities, form_round)


def _add_venue(municipalities: dict[int, str], form_round: int) -> None:
    with st.form(f"add_venue_{form_round}"):
        venue_name = st.text_input(_("Name of the venue"))
        venue_municipality = st.selectbox(
            _("Municipality"),
            list(municipalities),
            format_func=municipalities.__getitem__,
            key=f"venue_municipality_{form_round}",
        )
        address = st.text_input(_("Address (optional)"))
        capacity = st.number_input(
            _("Capacity (optional)"),
            min_value=1,
            value=None,
            step=1,
            help=_("How many people fit in it."),
        )
        add_venue = st.form_submit_button(_("Add the venue"), type="primary")
    if add_venue:
        with shown_errors():
            with transaction() as session:
                venue = create_venue(
                    session,
                    page_user(session),
                    venue_name,
                    venue_municipality,
                    address=address,
                    capacity=int(capacity) if capacity else None,
                )
                name = venue.name
            OUTCOME.done(_("{name} was added.").format(name=name))


if __name__ == "__main__":
    render()
