"""The app shell, run at the top of every script run: checks the database, works out who is signed
in and in which language, and builds that role's pages with ``st.navigation``."""

from __future__ import annotations

import time
from html import escape
from pathlib import Path

import streamlit as st
from sqlalchemy.orm import Session

from parliament_app.core import runtime
from parliament_app.core.config import get_settings
from parliament_app.core.db import DatabaseUnavailable
from parliament_app.core.i18n import N_, _, current_language
from parliament_app.core.labels import label
from parliament_app.models import Role, User
from parliament_app.people.accounts import needs_first_run, user_for_email
from parliament_app.people.routes import COOKIE_NAME
from parliament_app.people.sign_in import user_for_token
from parliament_app.ui.context import TOKEN_KEY, USER_KEY, apply_language, transaction
from parliament_app.ui.widgets import language_picker

PAGES = Path(__file__).parent / "pages"


def run() -> None:
    st.set_page_config(page_title="Children's Parliament", page_icon="🏛️", layout="wide")
    apply_language()
    if not _database_ready():
        st.stop()
    with transaction() as session:
        first_run = needs_first_run(session)
        user = None if first_run else _signed_in_user(session)
        if user is not None:
            apply_language(user.preferred_language)
            st.session_state[USER_KEY] = user.id
            menu = _pages_for(user.role)
            menu[""] = [*menu.get("", []), *_children_pages()]
            page = st.navigation(menu)
            if page.url_path not in CHILD_PAGES:  # a child's screen never shows the staff menu
                _sidebar(user)
        else:
            st.session_state.pop(USER_KEY, None)
            # Each anonymous page has its own language picker.
            page = st.navigation(_anonymous_pages(first_run))
    page.run()


def _database_ready() -> bool:
    try:
        runtime.ensure_ready()
    except DatabaseUnavailable as error:
        st.error(_("The database cannot be reached, so the app cannot start."), icon="🛑")
        st.code(error.reason)
        st.info(
            _(
                "Check PARLIAMENT_DATABASE_URL and that the database server is running, "
                "then reload this page."
            )
        )
        return False
    except runtime.SchemaOutdated:
        st.error(_("The database needs to be upgraded to this version of the app."), icon="🛑")
        st.code("parliament db upgrade")
        return False
    return True


def _signed_in_user(session: Session) -> User | None:
    cookie = st.context.cookies.get(COOKIE_NAME)
    token = st.session_state.get(TOKEN_KEY) or (cookie if isinstance(cookie, str) else None)
    user = user_for_token(session, token)
    if user is not None:
        st.session_state[TOKEN_KEY] = token
        return user
    st.session_state.pop(TOKEN_KEY, None)
    return _identity_provider_user(session)


def _identity_provider_user(session: Session) -> User | None:
    """An OpenID Connect sign-in maps to an existing active user by verified email, never more."""
    if not st.user.get("is_logged_in"):
        return None
    issued_at = st.user.get("iat")
    too_old = isinstance(issued_at, int | float) and (
        time.time() - issued_at > get_settings().session_hours * 3600
    )
    unverified = st.user.get("email_verified") is False
    user = None if too_old or unverified else user_for_email(session, st.user.get("email"))
    if user is None:
        # Shown on the sign-in page with a sign-out button; signing out here would start a new
        # session and lose the explanation.
        st.session_state["oidc_refused"] = "expired" if too_old else "unknown"
    return user


def _sidebar(user: User) -> None:
    with st.sidebar:
        st.markdown(
            f"**{user.display_name}**  \n{label(user.role)}"
            + (f" · {user.organisation.name}" if user.organisation else "")
        )
        language_picker(key="sidebar_language")
        if st.user.get("is_logged_in"):
            if st.button(_("Sign out"), icon="🚪"):
                st.logout()
        else:
            # A form, not a link: it must leave this very tab, and link buttons open a new one.
            st.html(
                f'<form method="post" action="/session/logout?lang={escape(current_language())}">'
                f'<button type="submit" class="parliament-sign-out">{escape(_("Sign out"))}'
                "</button></form><style>.parliament-sign-out { font: inherit; padding: .4rem "
                ".9rem; border: 1px solid #bbb; border-radius: .5rem; background: white; "
                "cursor: pointer; }</style>"
            )


def _page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(
        PAGES / file, title=title, icon=icon, default=default, url_path=file.removesuffix(".py")
    )


# Pages children and guardians open from a link or QR code, without an account. They are in
# every session's page list so their deep links resolve, but never in a menu, and they never use
# a staff sign-in that happens to be on the device.
CHILD_PAGES = {
    "check_in": N_("Check in"),
    "quiz_join": N_("Join a quiz"),
    "quiz_kiosk": N_("Quiz"),
}


def _children_pages() -> list[st.Page]:
    return [
        st.Page(PAGES / f"{name}.py", title=_(title), url_path=name, visibility="hidden")
        for name, title in CHILD_PAGES.items()
    ]


def _anonymous_pages(first_run: bool) -> list[st.Page]:
    if first_run:
        return [_page("first_run.py", _("Set up"), "🛠️", default=True)]
    return [_page("sign_in.py", _("Sign in"), "🔑", default=True), *_children_pages()]


ADMIN, FACILITATOR, SCHOOL, SOCIAL = (
    Role.ADMINISTRATOR,
    Role.FACILITATOR,
    Role.SCHOOL_COORDINATOR,
    Role.SOCIAL_WORKER,
)
EVERYONE = {ADMIN, FACILITATOR, SCHOOL, SOCIAL}
# Menu sections in order; their titles are translated when the menu is built.
SECTIONS = {
    "start": "",
    "children": N_("Children and groups"),
    "activities": N_("Activities"),
    "quizzes": N_("Quizzes"),
    "reports": N_("Reports"),
    "admin": N_("Administration"),
    "me": N_("Me"),
}
# (section, file, title, icon, roles), in menu order.
PAGE_TABLE: list[tuple[str, str, str, str, set[Role]]] = [
    ("start", "home.py", N_("Home"), "🏠", EVERYONE),
    ("children", "caseload.py", N_("Caseload"), "🗂️", {ADMIN, SOCIAL}),
    ("children", "alerts.py", N_("Alerts"), "🔔", {ADMIN, SOCIAL}),
    ("children", "family_checks.py", N_("Family check-ins"), "🤝", {FACILITATOR}),
    ("children", "children.py", N_("Children"), "🧒", EVERYONE),
    ("children", "groups.py", N_("Groups"), "👪", EVERYONE),
    ("children", "enrolment.py", N_("Enrolment"), "📝", EVERYONE),
    ("children", "pupil_import.py", N_("Import a register"), "📥", {ADMIN, SCHOOL}),
    ("activities", "sessions.py", N_("Sessions"), "🗓️", {ADMIN, FACILITATOR}),
    ("activities", "clubs.py", N_("Clubs"), "⚽", {ADMIN, FACILITATOR}),
    ("activities", "attendance.py", N_("Attendance"), "✅", {ADMIN, FACILITATOR}),
    ("activities", "scan.py", N_("Scanning station"), "📷", {ADMIN, FACILITATOR}),
    ("activities", "badges.py", N_("Badges"), "🏷️", {ADMIN, FACILITATOR}),
    ("activities", "calendar.py", N_("Calendar"), "📅", EVERYONE),
    ("quizzes", "quiz_host.py", N_("Run a quiz"), "🎯", {ADMIN, FACILITATOR}),
    ("quizzes", "quiz_results.py", N_("Quiz results"), "📊", {ADMIN, FACILITATOR, SCHOOL}),
    ("quizzes", "quiz_bank.py", N_("Quiz questions"), "🧩", {ADMIN}),
    ("reports", "diversity.py", N_("Diversity report"), "🌈", {ADMIN, FACILITATOR, SCHOOL}),
    ("reports", "involvement.py", N_("Parental involvement"), "🤝", {ADMIN, FACILITATOR, SCHOOL}),
    ("admin", "users.py", N_("Users"), "👥", {ADMIN}),
    ("admin", "organisations.py", N_("Organisations and places"), "🏫", {ADMIN}),
    ("admin", "audit.py", N_("Audit log"), "📜", {ADMIN}),
    ("admin", "data_protection.py", N_("Data protection"), "🛡️", {ADMIN}),
    ("me", "account.py", N_("My account"), "👤", EVERYONE),
]


def _pages_for(role: Role) -> dict[str, list[st.Page]]:
    """The role's menu, by section (the first section has no heading)."""
    menu: dict[str, list[st.Page]] = {}
    for section, file, title, icon, roles in PAGE_TABLE:
        if role in roles:
            heading = _(SECTIONS[section]) if SECTIONS[section] else ""
            menu.setdefault(heading, []).append(
                _page(file, _(title), icon, default=file == "home.py")
            )
    return menu
