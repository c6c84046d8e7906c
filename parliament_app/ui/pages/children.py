"""Children: the ones this user may see, one child's record, and signing a child up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from parliament_app.children.risk import NewRiskRecord
from parliament_app.children.services import (
    UNCHANGED,
    ChildDetail,
    NewChild,
    NewGuardian,
    get_child,
    give_consent,
    list_children,
    register_child,
    update_child,
    withdraw_consent,
)
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import LANGUAGE_NAMES, _, format_date, format_datetime, format_number
from parliament_app.core.labels import (
    RISK_CATEGORY_LABELS,
    label,
)
from parliament_app.models import (
    CareSituation,
    Community,
    ConsentScope,
    Gender,
    GuardianRelationship,
    InterestKind,
    Municipality,
    Organisation,
    OrganisationKind,
    RiskCategory,
    Role,
    SocioEconomicBand,
)
from parliament_app.places.services import list_municipalities, list_organisations
from parliament_app.policy.access import Action, may
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

PAGE_SIZE = 50
HOME_LANGUAGES = {
    "sr": "Srpski / Српски",
    "sq": "Shqip",
    "mk": "Македонски",
    "bs": "Bosanski",
    "hr": "Hrvatski",
    "rom": "Romani",
    "tr": "Türkçe",
    "en": "English",
}

OUTCOME = PageOutcome("children")


@dataclass(frozen=True)
class Registrar:
    """Who signs a child up on this page, and the places they may choose from."""

    role: Role
    municipalities: list[Municipality]
    schools: list[Organisation]


def render() -> None:
    today = local_today()
    st.title(_("Children"))
    OUTCOME.show()
    _registration(today)
    selected = _children_list()
    if selected is not None:
        _child_record(selected, today)


def risk_text(codes: list[str]) -> str:
    return ", ".join(_(RISK_CATEGORY_LABELS[RiskCategory(code)]) for code in codes)


def _birth_date_range(today: date) -> dict[str, Any]:
    return {"min_value": date(today.year - 20, 1, 1), "max_value": today, "format": "DD.MM.YYYY"}


# --- the list ----------------------------------------------------------------------------------


def _children_list() -> int | None:
    """The children this user may see, a page at a time; the id of the row selected."""
    search = st.text_input(_("Search by name"), key="child_search")
    with transaction() as session:
        user = page_user(session)
        total_visible = list_children(session, user, search, limit=1)[1]
        pages = max(1, -(-total_visible // PAGE_SIZE))
        page = st.number_input(_("Page"), 1, pages, 1) if pages > 1 else 1
        rows, total = list_children(session, user, search, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    if not total:
        empty_state(
            _("No children match.")
            if search
            else _(
                "No children are visible to you yet. Schools sign up pupils; facilitators see the "
                "children enrolled in their groups."
            )
        )
        return None
    st.caption(
        _("Select a row to open the child's record.")
        + " "
        + _("{shown} of {total} children").format(
            shown=format_number(len(rows)), total=format_number(total)
        )
    )
    table = st.dataframe(
        [
            {
                _("Given name"): row.given_name,
                _("Family name"): row.family_name,
                _("Born"): format_date(row.birth_date),
                _("Gender"): label(row.gender),
                _("School"): row.school_name or "—",
                _("Class"): row.school_class,
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"children_table_{page}",
    )
    selected = table.selection.rows
    return rows[selected[0]].id if selected else None


# --- one child's record ------------------------------------------------------------------------


def _child_record(child_id: int, today: date) -> None:
    child = None
    with shown_errors(), transaction() as session:
        child = get_child(session, page_user(session), child_id)
    if child is None:
        return
    _child_facts(child)
    _guardians(child)
    _consents(child)
    if child.may_edit:
        _consent_form(child)
        _edit_form(child, today)


def _child_facts(child: ChildDetail) -> None:
    summary = child.summary
    st.subheader(f"{summary.given_name} {summary.family_name}")
    left, right = st.columns(2)
    left.write(_("Born: {date}").format(date=format_date(summary.birth_date)))
    left.write(_("School: {school}").format(school=summary.school_name or "—"))
    left.write(_("Municipality: {name}").format(name=child.municipality_name))
    right.write(
        _("Home languages: {languages}").format(
            languages=", ".join(HOME_LANGUAGES.get(code, code) for code in child.home_languages)
            or "—"
        )
    )
    right.write(
        _("Interests: {interests}").format(
            interests=", ".join(text for _kind, text in child.interests) or "—"
        )
    )
    right.write(_("Household income: {band}").format(band=label(child.socio_economic_band)))
    if child.community_visible:
        st.write(
            _("Community (self-declared): {community}").format(community=label(child.community))
        )
    if child.care_situation is not None:
        st.write(_("Care situation: {care}").format(care=label(child.care_situation)))
    for record in child.risk_records:
        st.warning(
            _("Followed since {date}: {categories}").format(
                date=format_date(record.opened_on), categories=risk_text(record.categories)
            )
        )


def _guardians(child: ChildDetail) -> None:
    st.markdown("**" + _("Guardians") + "**")
    for guardian in child.guardians:
        st.write(f"{guardian.name} · {label(guardian.relationship)} · {guardian.phone or '—'}")


def _consents(child: ChildDetail) -> None:
    st.markdown("**" + _("Consents") + "**")
    for consent in child.consents:
        state = (
            _("withdrawn {date}").format(date=format_datetime(consent.withdrawn_at))
            if consent.withdrawn_at
            else _("given {date}").format(date=format_datetime(consent.given_at))
        )
        cols = st.columns([4, 1])
        cols[0].write(f"{label(consent.scope)} · {consent.guardian_name} · {state}")
        if (
            child.may_edit
            and not consent.withdrawn_at
            and cols[1].button(_("Withdraw"), key=f"withdraw_{consent.id}")
        ):
            withdrawn = False
            with shown_errors(), transaction() as session:
                withdraw_consent(session, page_user(session), consent.id)
                withdrawn = True
            if withdrawn:  # rerun only after the transaction has committed
                st.rerun()


def _consent_form(child: ChildDetail) -> None:
    """Record a consent a guardian has given since the child was signed up."""
    if not child.guardians:
        return
    with st.expander(_("Record a consent")), st.form(f"consent_{child.summary.id}"):
        guardian = st.selectbox(_("Guardian"), child.guardians, format_func=lambda g: g.name)
        scope = st.selectbox(_("Consent"), list(ConsentScope), format_func=label)
        if st.form_submit_button(_("Record the consent")):
            recorded = False
            with shown_errors(), transaction() as session:
                give_consent(session, page_user(session), child.summary.id, guardian.id, scope)
                recorded = True
            if recorded:
                st.rerun()


def _edit_form(child: ChildDetail, today: date) -> None:
    summary = child.summary
    with st.expander(_("Edit this record")), st.form(f"edit_{summary.id}"):
        changes = _record_fields(child, today)
        if st.form_submit_button(_("Save changes")):
            with transaction() as session, shown_errors():
                update_child(session, page_user(session), summary.id, **changes)
                st.success(_("Saved."))


def _record_fields(child: ChildDetail, today: date) -> dict[str, Any]:
    """The record's fields, filled in as they are: what ``update_child`` is given."""
    summary = child.summary
    given = st.text_input(_("Given name"), summary.given_name)
    family = st.text_input(_("Family name"), summary.family_name)
    born = st.date_input(_("Birth date"), summary.birth_date, **_birth_date_range(today))
    gender = st.selectbox(
        _("Gender"), list(Gender), list(Gender).index(summary.gender), format_func=label
    )
    school_class = st.text_input(_("Class"), summary.school_class)
    area = st.text_input(_("Residence area or settlement"), child.residence_area)
    band = st.selectbox(
        _("Household income"),
        list(SocioEconomicBand),
        list(SocioEconomicBand).index(child.socio_economic_band),
        format_func=label,
    )
    languages = st.multiselect(
        _("Home languages"),
        list(HOME_LANGUAGES),
        [code for code in child.home_languages if code in HOME_LANGUAGES],
        format_func=HOME_LANGUAGES.__getitem__,
    )
    community, care = _special_fields(child)
    return {
        "given_name": given,
        "family_name": family,
        "birth_date": born,
        "gender": gender,
        "school_class": school_class,
        "residence_area": area,
        "socio_economic_band": band,
        "home_languages": languages,
        "community": community,
        "care_situation": care,
    }


def _special_fields(child: ChildDetail) -> tuple[Any, Any]:
    """The community and the care situation, only for those who may see them (else UNCHANGED)."""
    community = UNCHANGED
    if child.community_visible:
        options = [None, *Community]
        community = st.selectbox(
            _("Community (self-declared, optional)"),
            options,
            options.index(child.community),
            format_func=label,
        )
    care = UNCHANGED
    if child.care_situation is not None:
        care = st.selectbox(
            _("Care situation"),
            list(CareSituation),
            list(CareSituation).index(child.care_situation),
            format_func=label,
        )
    return community, care


# --- signing a child up ------------------------------------------------------------------------


def _registration(today: date) -> None:
    registrar = _registrar()
    if registrar is None:
        return
    title = (
        _("Register a referred child")
        if registrar.role == Role.SOCIAL_WORKER
        else _("Sign up a pupil")
    )
    # Not cleared on submit: a refused form keeps what was typed; a new round after success
    # gives empty fields.
    form_round = OUTCOME.form_round
    with st.expander(title, expanded=form_round > 0), st.form(f"register_child_{form_round}"):
        entered = {**_identity_fields(registrar, today), **_background_fields(registrar.role)}
        guardian = _guardian_fields()
        consents = _consent_fields(form_round)
        risk = _risk_fields(today) if registrar.role == Role.SOCIAL_WORKER else None
        submitted = st.form_submit_button(_("Sign up"), type="primary")
    if not submitted:
        return
    if entered["birth_date"] is None:
        st.error(_("Please enter the birth date."))
        return
    with shown_errors():
        with transaction() as session:
            register_child(
                session, page_user(session), _new_child(entered), guardian, consents, risk
            )
        OUTCOME.done(_("Signed up."))


def _registrar() -> Registrar | None:
    """The signed-in user's role and places, or None when they may not sign a child up."""
    with transaction() as session:
        user = page_user(session)
        if not may(session, user, Action.CREATE_CHILD):
            return None
        organisation = user.organisation
        municipalities = (
            [organisation.municipality] if organisation else list_municipalities(session)
        )
        schools = list_organisations(session, OrganisationKind.SCHOOL)
        return Registrar(user.role, municipalities, schools)


def _identity_fields(registrar: Registrar, today: date) -> dict[str, Any]:
    """Who the child is and where they live and learn, as entered."""
    st.markdown("**" + _("Child") + "**")
    given = st.text_input(_("Given name"))
    family = st.text_input(_("Family name"))
    born = st.date_input(_("Birth date"), None, **_birth_date_range(today))
    gender = st.selectbox(_("Gender"), list(Gender), format_func=label)
    municipality = st.selectbox(
        _("Municipality"), registrar.municipalities, format_func=lambda m: m.name
    )
    school = None
    if registrar.role != Role.SCHOOL_COORDINATOR:
        school = st.selectbox(
            _("School"),
            [None, *registrar.schools],
            format_func=lambda s: s.name if s else _("Not in school"),
        )
    school_class = st.text_input(_("Class"), help=_("For example 5-2"))
    return {
        "given_name": given,
        "family_name": family,
        "birth_date": born,
        "gender": gender,
        "municipality": municipality,
        "school": school,
        "school_class": school_class,
    }


def _background_fields(role: Role) -> dict[str, Any]:
    """The child's languages, background and interests, as entered."""
    languages = st.multiselect(
        _("Home languages"), list(HOME_LANGUAGES), format_func=HOME_LANGUAGES.__getitem__
    )
    area = st.text_input(_("Residence area or settlement"))
    community = st.selectbox(
        _("Community (self-declared, optional)"),
        [None, *Community],
        format_func=label,
        help=_(
            "Ask only if the child and guardian wish to say. Used only for keeping groups mixed."
        ),
    )
    band = st.selectbox(
        _("Household income"),
        list(SocioEconomicBand),
        index=list(SocioEconomicBand).index(SocioEconomicBand.UNKNOWN),
        format_func=label,
    )
    care = CareSituation.UNKNOWN
    if role == Role.SOCIAL_WORKER:
        care = st.selectbox(_("Care situation"), list(CareSituation), format_func=label)
    sports = st.text_input(_("Sports the child would like (comma separated)"))
    music = st.text_input(_("Music the child would like (comma separated)"))
    topics = st.text_input(_("Topics the child would like to talk about (comma separated)"))
    return {
        "home_languages": tuple(languages),
        "residence_area": area,
        "community": community,
        "socio_economic_band": band,
        "care_situation": care,
        "interests": _interests(sports, music, topics),
    }


def _interests(sports: str, music: str, topics: str) -> tuple[tuple[InterestKind, str], ...]:
    return tuple(
        (kind, text.strip())
        for kind, field in (
            (InterestKind.SPORT, sports),
            (InterestKind.MUSIC, music),
            (InterestKind.TOPIC, topics),
        )
        for text in field.split(",")
        if text.strip()
    )


def _new_child(entered: dict[str, Any]) -> NewChild:
    """The child as entered, with the chosen municipality and school by their ids."""
    values = dict(entered)
    municipality, school = values.pop("municipality"), values.pop("school")
    return NewChild(
        municipality_id=municipality.id, school_id=school.id if school else None, **values
    )


def _guardian_fields() -> NewGuardian:
    st.markdown("**" + _("Guardian") + "**")
    guardian_given = st.text_input(_("Guardian's given name"))
    guardian_family = st.text_input(_("Guardian's family name"))
    relationship = st.selectbox(
        _("Relationship to the child"), list(GuardianRelationship), format_func=label
    )
    phone = st.text_input(_("Guardian's phone"))
    guardian_language = st.selectbox(
        _("Guardian's language"), list(LANGUAGE_NAMES), format_func=LANGUAGE_NAMES.__getitem__
    )
    return NewGuardian(
        given_name=guardian_given,
        family_name=guardian_family,
        relationship=relationship,
        phone=phone,
        preferred_language=guardian_language,
    )


def _consent_fields(form_round: int) -> set[ConsentScope]:
    """Never ticked in advance: each consent is what the guardian signed, ticked by hand."""
    st.markdown("**" + _("Consents given by the guardian") + "**")
    return {
        scope
        for scope in ConsentScope
        if st.checkbox(label(scope), value=False, key=f"consent_{scope}_{form_round}")
    }


def _risk_fields(today: date) -> NewRiskRecord:
    st.markdown("**" + _("Why your centre follows this child") + "**")
    categories = st.multiselect(_("Risk categories"), list(RiskCategory), format_func=label)
    opened = st.date_input(_("Followed since"), today, max_value=today, format="DD.MM.YYYY")
    basis = st.text_input(_("Legal basis"))
    return NewRiskRecord(tuple(categories), opened, basis)


if __name__ == "__main__":
    render()
