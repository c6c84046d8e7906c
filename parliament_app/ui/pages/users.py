"""Administrators manage staff accounts: the list, new accounts, changes and password resets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, _, current_language, format_datetime
from parliament_app.core.labels import label
from parliament_app.models import Role, User
from parliament_app.people.accounts import NewUser, create_user, list_users, reset_password
from parliament_app.people.accounts import update_user as save_user
from parliament_app.policy.access import Action, may
from parliament_app.ui.choices import organisation_choices
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("users")

LANGUAGES = list(LANGUAGE_NAMES)
ROLES = list(Role)


@dataclass(frozen=True)
class Staff:
    """What the page shows: the signed-in administrator, every account and the organisations."""

    actor_id: int
    rows: list[dict[str, Any]]  # the table of all users
    accounts: dict[int, dict[str, Any]]  # user id -> the fields the edit form starts from
    organisations: dict[int, str]  # active organisation id -> its label


def organisation_namer(organisations: dict[int, str]) -> Callable[[int | None], str]:
    def organisation_name(organisation_id: int | None) -> str:
        if organisation_id is None:
            return _("No organisation (administrators)")
        return organisations.get(organisation_id, _("Inactive organisation"))

    return organisation_name


def render() -> None:
    staff = _staff()
    form_round = OUTCOME.form_round
    st.title("👥 " + _("Users"))
    st.caption(
        _(
            "Staff accounts. Everyone except administrators belongs to an organisation: school "
            "coordinators to a school, social workers to a centre for social work, facilitators "
            "to an NGO, a municipality or a school."
        )
    )
    OUTCOME.show()
    st.subheader(_("All users"))
    st.dataframe(staff.rows, hide_index=True)
    _create_user(staff.organisations, form_round)
    _edit_user(staff, form_round)


def _staff() -> Staff:
    with transaction() as session:
        actor = page_user(session)
        if not may(session, actor, Action.MANAGE_USERS):
            st.error(_("Only administrators can manage user accounts."), icon="🔒")
            st.stop()
        users = list_users(session, actor)
        organisations = organisation_choices(session)
        rows = [_user_row(user) for user in users]
        accounts = {user.id: _account(user) for user in users}
        return Staff(actor.id, rows, accounts, organisations)


def _user_row(user: User) -> dict[str, Any]:
    return {
        _("Username"): user.username,
        _("Name"): user.display_name,
        _("Role"): label(user.role),
        _("Organisation"): user.organisation.name if user.organisation else "—",
        _("Language"): LANGUAGE_NAMES.get(user.preferred_language, user.preferred_language),
        _("Active"): user.active,
        _("Last sign-in"): (
            format_datetime(user.last_login_at, format="short")
            if user.last_login_at
            else _("Never")
        ),
    }


def _account(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email or "",
        "role": user.role,
        "organisation_id": user.organisation_id,
        "preferred_language": user.preferred_language,
        "active": user.active,
    }


def _create_user(organisations: dict[int, str], form_round: int) -> None:
    st.subheader(_("Create a user"))
    if not organisations:
        st.info(
            _(
                "Only administrator accounts can be created until an organisation exists. Add "
                "schools, centres and NGOs on the Organisations and places page first."
            ),
            icon="ℹ️",
        )
    new, repeated, create = _new_user_form(organisations, form_round)
    if create:
        with shown_errors():
            if new.password != repeated:
                raise ValidationError(_("The two passwords are not the same."), "password")
            with transaction() as session:
                created = create_user(session, page_user(session), new)
                created_name = created.username
            OUTCOME.done(_("The account {username} was created.").format(username=created_name))


def _new_user_form(organisations: dict[int, str], form_round: int) -> tuple[NewUser, str, bool]:
    """The new account, the password repeated, and whether it was submitted."""
    with st.form(f"create_user_{form_round}"):
        left, right = st.columns(2)
        username = left.text_input(
            _("Username"),
            help=_("3 to 40 characters: lowercase letters, digits, dot, dash or underscore."),
        )
        display_name = right.text_input(_("Name"))
        email = left.text_input(
            _("Email (optional, for signing in with the organisation's account)")
        )
        role = right.selectbox(_("Role"), ROLES, format_func=label)
        organisation_id = left.selectbox(
            _("Organisation"),
            [None, *organisations],
            format_func=organisation_namer(organisations),
            help=_(
                "Must fit the role: a school for school coordinators, a centre for social work "
                "for social workers; administrators have none."
            ),
        )
        language = right.selectbox(
            _("Preferred language"),
            LANGUAGES,
            index=LANGUAGES.index(current_language()),
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        password = left.text_input(
            _("Initial password"),
            type="password",
            help=_("Give it to the person privately; they can change it on their account page."),
        )
        repeated = right.text_input(_("Repeat the password"), type="password")
        create = st.form_submit_button(_("Create the user"), type="primary")
    new = NewUser(
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        email=email or None,
        organisation_id=organisation_id,
        preferred_language=language,
    )
    return new, repeated, create


def _edit_user(staff: Staff, form_round: int) -> None:
    st.subheader(_("Edit a user"))
    accounts = staff.accounts
    if not accounts:
        empty_state(_("There are no users to edit yet. Create one above."))
        return
    chosen_id = st.selectbox(
        _("User to edit"),
        list(accounts),
        format_func=lambda user_id: accounts[user_id]["username"],
        key="users_edit_choice",
    )
    if chosen_id == staff.actor_id:
        st.caption(_("This is your own account: you cannot deactivate it or change its role."))
    _account_changes(chosen_id, accounts[chosen_id], staff.organisations, form_round)
    _password_reset(chosen_id, accounts[chosen_id]["username"], form_round)


def _account_changes(
    user_id: int, account: dict[str, Any], organisations: dict[int, str], form_round: int
) -> None:
    changes, save = _account_form(user_id, account, organisations, form_round)
    if save:
        with shown_errors():
            with transaction() as session:
                save_user(session, page_user(session), user_id, **changes)
            OUTCOME.done(
                _("The changes to {username} were saved.").format(username=account["username"])
            )


def _account_form(
    user_id: int, account: dict[str, Any], organisations: dict[int, str], form_round: int
) -> tuple[dict[str, Any], bool]:
    """The account's new fields (as the service's keyword arguments) and whether to save them."""
    current_organisation = account["organisation_id"]
    choices = [None, *organisations]
    choices += [current_organisation] if current_organisation not in choices else []
    language = account["preferred_language"]
    language = language if language in LANGUAGES else "en"
    with st.form(f"edit_user_{user_id}_{form_round}"):
        left, right = st.columns(2)
        name = left.text_input(_("Name"), value=account["display_name"])
        email = right.text_input(_("Email"), value=account["email"])
        role = left.selectbox(
            _("Role"), ROLES, index=ROLES.index(account["role"]), format_func=label
        )
        organisation = right.selectbox(
            _("Organisation"),
            choices,
            index=choices.index(current_organisation),
            format_func=organisation_namer(organisations),
        )
        preferred_language = left.selectbox(
            _("Preferred language"),
            LANGUAGES,
            index=LANGUAGES.index(language),
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        active = right.checkbox(
            _("Active (may sign in)"),
            value=account["active"],
            help=_("Deactivating an account signs the person out everywhere; its history is kept."),
        )
        save = st.form_submit_button(_("Save changes"), type="primary")
    changes = {
        "display_name": name,
        "email": email or None,
        "role": role,
        "organisation_id": organisation,
        "preferred_language": preferred_language,
        "active": active,
    }
    return changes, save


def _password_reset(user_id: int, username: str, form_round: int) -> None:
    st.markdown("**" + _("Reset password") + "**")
    with st.form(f"reset_password_{user_id}_{form_round}"):
        st.caption(
            _("Sets a new password for {username} and signs them out everywhere.").format(
                username=username
            )
        )
        left, right = st.columns(2)
        new_password = left.text_input(_("New password"), type="password")
        new_repeated = right.text_input(_("Repeat the new password"), type="password")
        reset = st.form_submit_button(_("Reset the password"))
    if reset:
        with shown_errors():
            if new_password != new_repeated:
                raise ValidationError(_("The two passwords are not the same."), "password")
            with transaction() as session:
                reset_password(session, page_user(session), user_id, new_password)
            OUTCOME.done(
                _(
                    "The password of {username} was reset. Give the new one to them privately."
                ).format(username=username)
            )


if __name__ == "__main__":
    render()
