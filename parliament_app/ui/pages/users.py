"""Administrators manage staff accounts: the list, new accounts, changes and password resets."""

import streamlit as st

from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import LANGUAGE_NAMES, _, current_language, format_datetime
from parliament_app.core.labels import label
from parliament_app.models import Role
from parliament_app.people.accounts import NewUser, create_user, list_users, reset_password
from parliament_app.people.accounts import update_user as save_user
from parliament_app.places.services import list_organisations
from parliament_app.policy.access import Action, may
from parliament_app.ui.context import page_user, shown_errors, transaction
from parliament_app.ui.outcome import PageOutcome
from parliament_app.ui.widgets import empty_state

OUTCOME = PageOutcome("users")

LANGUAGES = list(LANGUAGE_NAMES)
ROLES = list(Role)


done = OUTCOME.done


def organisation_name(organisation_id: int | None) -> str:
    if organisation_id is None:
        return _("No organisation (administrators)")
    return organisation_labels.get(organisation_id, _("Inactive organisation"))


with transaction() as session:
    actor = page_user(session)
    if not may(session, actor, Action.MANAGE_USERS):
        st.error(_("Only administrators can manage user accounts."), icon="🔒")
        st.stop()
    users = list_users(session, actor)
    organisation_labels = {
        organisation.id: _("{name} · {kind}, {municipality}").format(
            name=organisation.name,
            kind=label(organisation.kind),
            municipality=organisation.municipality.name,
        )
        for organisation in list_organisations(session)
    }
    rows = [
        {
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
        for user in users
    ]
    accounts = {
        user.id: {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email or "",
            "role": user.role,
            "organisation_id": user.organisation_id,
            "preferred_language": user.preferred_language,
            "active": user.active,
        }
        for user in users
    }

form_round = OUTCOME.form_round
organisation_choices = [None, *organisation_labels]

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
st.dataframe(rows, hide_index=True)

st.subheader(_("Create a user"))
if not organisation_labels:
    st.info(
        _(
            "Only administrator accounts can be created until an organisation exists. Add "
            "schools, centres and NGOs on the Organisations and places page first."
        ),
        icon="ℹ️",
    )
with st.form(f"create_user_{form_round}"):
    left, right = st.columns(2)
    username = left.text_input(
        _("Username"),
        help=_("3 to 40 characters: lowercase letters, digits, dot, dash or underscore."),
    )
    display_name = right.text_input(_("Name"))
    email = left.text_input(_("Email (optional, for signing in with the organisation's account)"))
    role = right.selectbox(_("Role"), ROLES, format_func=label)
    organisation_id = left.selectbox(
        _("Organisation"),
        organisation_choices,
        format_func=organisation_name,
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

if create:
    with shown_errors():
        if password != repeated:
            raise ValidationError(_("The two passwords are not the same."), "password")
        with transaction() as session:
            created = create_user(
                session,
                page_user(session),
                NewUser(
                    username=username,
                    display_name=display_name,
                    role=role,
                    password=password,
                    email=email or None,
                    organisation_id=organisation_id,
                    preferred_language=language,
                ),
            )
            created_name = created.username
        done(_("The account {username} was created.").format(username=created_name))

st.subheader(_("Edit a user"))
if not accounts:
    empty_state(_("There are no users to edit yet. Create one above."))
else:
    chosen_id = st.selectbox(
        _("User to edit"),
        list(accounts),
        format_func=lambda user_id: accounts[user_id]["username"],
        key="users_edit_choice",
    )
    account = accounts[chosen_id]
    if chosen_id == actor.id:
        st.caption(_("This is your own account: you cannot deactivate it or change its role."))
    with st.form(f"edit_user_{chosen_id}_{form_round}"):
        left, right = st.columns(2)
        new_name = left.text_input(_("Name"), value=account["display_name"])
        new_email = right.text_input(_("Email"), value=account["email"])
        new_role = left.selectbox(
            _("Role"), ROLES, index=ROLES.index(account["role"]), format_func=label
        )
        current_organisation = account["organisation_id"]
        edit_choices = organisation_choices + (
            [current_organisation] if current_organisation not in organisation_choices else []
        )
        new_organisation = right.selectbox(
            _("Organisation"),
            edit_choices,
            index=edit_choices.index(current_organisation),
            format_func=organisation_name,
        )
        current_language_code = (
            account["preferred_language"] if account["preferred_language"] in LANGUAGES else "en"
        )
        new_language = left.selectbox(
            _("Preferred language"),
            LANGUAGES,
            index=LANGUAGES.index(current_language_code),
            format_func=LANGUAGE_NAMES.__getitem__,
        )
        new_active = right.checkbox(
            _("Active (may sign in)"),
            value=account["active"],
            help=_("Deactivating an account signs the person out everywhere; its history is kept."),
        )
        save = st.form_submit_button(_("Save changes"), type="primary")
    if save:
        with shown_errors():
            with transaction() as session:
                save_user(
                    session,
                    page_user(session),
                    chosen_id,
                    display_name=new_name,
                    email=new_email or None,
                    role=new_role,
                    organisation_id=new_organisation,
                    preferred_language=new_language,
                    active=new_active,
                )
            done(_("The changes to {username} were saved.").format(username=account["username"]))

    st.markdown("**" + _("Reset password") + "**")
    with st.form(f"reset_password_{chosen_id}_{form_round}"):
        st.caption(
            _("Sets a new password for {username} and signs them out everywhere.").format(
                username=account["username"]
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
                reset_password(session, page_user(session), chosen_id, new_password)
            done(
                _(
                    "The password of {username} was reset. Give the new one to them privately."
                ).format(username=account["username"])
            )
