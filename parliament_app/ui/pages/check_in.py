"""Check in yourself: an anonymous page, opened from the rotating QR code on the facilitator's
screen (deep link ``check_in?o=<occurrence id>&c=<code>``).

A child picks their first name from the session's roster or types their badge code; a parent or
guardian picks their child, then their own first name, and may check the child in too. The page
shows first names only, and only while the code is valid and the session is on. No staff sign-in
is used or shown here. This browser session gets a random device id (nothing personal) for the
rate limit; a shared tablet is fine. Every attempt, refused or not, is committed: the rate-limit
count and the scan log live in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import streamlit as st

from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import _
from parliament_app.models.attendance import InvolvementRole, ScanResult
from parliament_app.models.meetings import SessionKind
from parliament_app.ui.context import apply_language, transaction
from parliament_app.ui.widgets import language_picker
from sessions.checkin.scanning import (
    ScanOutcome,
    self_check_in,
    self_check_in_guardians,
    self_check_in_roster,
    verify_session_code,
)
from sessions.involvement import ROLE_LABELS

DEVICE_KEY = "check_in_device"
DONE_KEY = "check_in_done"
FLASH_KEY = "check_in_flash"
ROSTER_KEY = "check_in_roster"  # the roster read for this link: read once, not on every click
GUARDIANS_KEY = "check_in_guardians"  # (link, child) -> the child's guardians' first names
CODE_FIELD_KEY = "check_in_code_field"
BADGE_FIELD_KEY = "check_in_badge_field"
GUARDIAN_CHILD_KEY = "check_in_guardian_child"
GUARDIAN_KEY = "check_in_guardian"
GUARDIAN_ROLE_KEY = "check_in_guardian_role"
GUARDIAN_WITH_CHILD_KEY = "check_in_guardian_with_child"
CODE_MAX_LENGTH = 20
BADGE_MAX_LENGTH = 120
NAME_COLUMNS = 3

PAGE_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stSidebarNav"], header [data-testid="stToolbar"] { display: none !important; }
  .stButton button, .stFormSubmitButton button { min-height: 3.6rem; border-radius: .9rem; }
  .stButton button p, .stFormSubmitButton button p { font-size: 1.3rem; line-height: 1.35; }
  .stButton button:focus-visible, .stFormSubmitButton button:focus-visible,
  input:focus-visible { outline: 4px solid #f2b705 !important; outline-offset: 2px; }
  .stTextInput input { font-size: 1.3rem; padding: .7rem; }
  .st-key-check_in_done { background: #e3f4e6; border: 4px solid #1e7b34; border-radius: 1rem;
                          padding: 1rem 1.4rem; }
  .st-key-check_in_done h1 { font-size: 3rem !important; line-height: 1.2; }
  .st-key-check_in_done h2 { font-size: 2.2rem !important; }
  [data-baseweb="tab"] p { font-size: 1.15rem; }
</style>
"""


# --- the page ----------------------------------------------------------------------------------


def render() -> None:
    apply_language()  # the visitor's own choice, ?lang= or the browser; never a staff preference
    st.html(PAGE_CSS)
    st.title("👋 " + _("Check in"))
    language_picker(key="check_in_language")
    device()
    occurrence_param, code_param = link()
    if finished := st.session_state.get(DONE_KEY):
        _checked_in(finished)
        st.stop()
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.warning(flash, icon="⚠️")
    roster = _roster_of_link(occurrence_param, code_param)
    names: dict[int, str] = dict(roster["names"])
    child_tab, badge_tab, guardian_tab = st.tabs(
        ["🧒 " + _("Choose your name"), "🏷️ " + _("Badge code"), "👪 " + _("Parent or guardian")]
    )
    with child_tab:
        _choose_your_name(names)
    with badge_tab:
        _badge_code()
    with guardian_tab:
        _parent_or_guardian(occurrence_param, code_param, roster, names)


def device() -> str:
    """A random id for this browser session: the rate limit counts per device, not per network
    address (children share tablets)."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = "web-" + secrets.token_urlsafe(12)
    return st.session_state[DEVICE_KEY]


def link() -> tuple[str, str]:
    return (st.query_params.get("o") or "").strip(), (st.query_params.get("c") or "").strip()


def plain(text: str) -> str:
    """A name as plain text for st.markdown and button labels (never Markdown or LaTeX)."""
    out = text.replace("\\", "\\\\")
    for char in "`*_[]<>|~$#":
        out = out.replace(char, "\\" + char)
    return out


def forget_link() -> None:
    """Drop what was read with the current code (it expired, or the person is done)."""
    for key in (ROSTER_KEY, GUARDIANS_KEY):
        st.session_state.pop(key, None)


def friendly(outcome: ScanOutcome) -> str:
    """What a refused attempt tells the visitor (nothing about anybody else)."""
    if outcome.reason == "invalid_code":
        return _(
            "This check-in code has expired or is not valid. Please scan the code on the "
            "facilitator's screen again."
        )
    if outcome.result == ScanResult.WRONG_OCCURRENCE:
        return _("Check-in for this session is not open right now.")
    if outcome.reason == "invalid_token":
        return _("This badge code is not recognised. Please check it and try again.")
    return outcome.message


def attempt(**choice) -> None:
    """One self check-in. The outcome is committed whether it was accepted or refused."""
    apply_language()  # callbacks run before the script sets this run's language
    occurrence, code = link()
    with transaction() as session:
        outcome = self_check_in(
            session, occurrence, code, at=datetime.now(UTC), device=device(), **choice
        )
    if outcome.accepted:
        st.session_state.pop(FLASH_KEY, None)
        st.session_state[DONE_KEY] = {
            "result": outcome.result.value,
            "name": outcome.given_name,
            "guardian": choice.get("guardian_id") is not None,
        }
        return
    st.session_state[FLASH_KEY] = friendly(outcome)
    if outcome.reason == "invalid_code" or outcome.result == ScanResult.WRONG_OCCURRENCE:
        forget_link()


def pick_child(child_id: int) -> None:
    attempt(child_id=child_id)


def enter_badge() -> None:
    text = (st.session_state.get(BADGE_FIELD_KEY) or "").strip()
    if not text:
        apply_language()
        st.session_state[FLASH_KEY] = _("Please type the code printed under your badge's QR code.")
        return
    attempt(badge_text=text)


def guardian_check_in() -> None:
    guardian_id = st.session_state.get(GUARDIAN_KEY)
    child_id = st.session_state.get(GUARDIAN_CHILD_KEY)
    if guardian_id is None:
        apply_language()
        st.session_state[FLASH_KEY] = _("Please choose your name.")
        return
    attempt(
        guardian_id=guardian_id,
        child_id=child_id if st.session_state.get(GUARDIAN_WITH_CHILD_KEY, True) else None,
        involvement_role=InvolvementRole(st.session_state.get(GUARDIAN_ROLE_KEY)),
    )


def enter_code() -> None:
    code = "".join((st.session_state.get(CODE_FIELD_KEY) or "").split())
    st.session_state[CODE_FIELD_KEY] = ""
    st.session_state.pop(FLASH_KEY, None)
    forget_link()
    if code:
        st.query_params["c"] = code


def someone_else() -> None:
    """Ready for the next person on a shared tablet (the device id stays)."""
    for key in (
        DONE_KEY,
        FLASH_KEY,
        BADGE_FIELD_KEY,
        GUARDIAN_CHILD_KEY,
        GUARDIAN_KEY,
        GUARDIAN_ROLE_KEY,
        GUARDIAN_WITH_CHILD_KEY,
    ):
        st.session_state.pop(key, None)
    forget_link()  # read again: the code may have expired meanwhile


def read_roster(occurrence: str, code: str) -> tuple[dict | None, str]:
    """The roster for this link (first names only), or the refusal to show. Counts as an
    attempt: the refusal is caught inside the transaction so that the count is committed."""
    cached = st.session_state.get(ROSTER_KEY)
    if cached and cached["link"] == (occurrence, code):
        return cached, ""
    found: dict | None = None
    refusal = ""
    with transaction() as session:
        now = datetime.now(UTC)
        try:
            names = self_check_in_roster(session, occurrence, code, now, device=device())
            kind = verify_session_code(session, occurrence, code, now).kind
        except ServiceError as error:
            refusal = error.message
        else:
            found = {
                "link": (occurrence, code),
                "names": names,
                "family_workshop": kind == SessionKind.FAMILY_WORKSHOP,
            }
    if found is not None:
        st.session_state[ROSTER_KEY] = found
    return found, refusal


def read_guardians(
    occurrence: str, code: str, child_id: int
) -> tuple[list[tuple[int, str]] | None, str]:
    """The child's guardians' first names (read once per link and child), or the refusal."""
    known = st.session_state.setdefault(GUARDIANS_KEY, {})
    key = (occurrence, code, child_id)
    if key not in known:
        refusal = ""
        with transaction() as session:
            try:
                found = self_check_in_guardians(
                    session, occurrence, code, child_id, datetime.now(UTC), device=device()
                )
            except ServiceError as error:
                refusal = error.message
        if refusal:
            return None, refusal
        known[key] = found
    return known[key], ""


def code_form() -> None:
    with st.form("check_in_code", clear_on_submit=False, border=False):
        st.text_input(
            _("The code on the facilitator's screen"),
            key=CODE_FIELD_KEY,
            max_chars=CODE_MAX_LENGTH,
            autocomplete="off",
        )
        st.form_submit_button(_("Continue"), type="primary", on_click=enter_code)


def _checked_in(finished: dict) -> None:
    """Who was checked in, and the way back for the next person on a shared device."""
    with st.container(key="check_in_done"):
        if finished["result"] == ScanResult.CHECKED_IN:
            st.markdown("# ✅ " + _("You are checked in!"))
        else:
            st.markdown("# ☑️ " + _("You were already checked in."))
        if finished["name"] and finished["guardian"]:
            st.markdown("## " + _("{name} is checked in too.").format(name=plain(finished["name"])))
        elif finished["name"]:
            st.markdown("## " + _("Welcome, {name}!").format(name=plain(finished["name"])))
        else:
            st.markdown("## " + _("Thank you for coming!"))
    st.button(
        _("Someone else"),
        icon="👥",
        type="primary",
        width="stretch",
        on_click=someone_else,
        help=_("Let the next person check in on this device."),
    )


def _roster_of_link(occurrence: str, code: str) -> dict:
    """The roster the link opens; without one the page says what to do and stops."""
    if not occurrence:
        st.info(_("To check in, scan the QR code on the facilitator's screen."), icon="📱")
        st.stop()
    if not code:
        st.markdown(_("Type the code shown on the facilitator's screen."))
        code_form()
        st.stop()
    roster, refusal = read_roster(occurrence, code)
    if roster is None:
        st.warning(refusal, icon="⏰")
        st.caption(_("Ask the facilitator to show the code again, then scan it or type it here."))
        code_form()
        st.stop()
    return roster


def _choose_your_name(names: dict[int, str]) -> None:
    if not names:
        st.info(_("Nobody is on this session's list. Please ask the facilitator."), icon="ℹ️")
        return
    st.markdown("### " + _("Who are you? Tap your name."))
    columns = st.columns(NAME_COLUMNS)
    for index, (child_id, name) in enumerate(names.items()):
        columns[index % NAME_COLUMNS].button(
            _("I am {name}").format(name=plain(name)),
            key=f"check_in_child_{child_id}",
            width="stretch",
            on_click=pick_child,
            args=(child_id,),
        )


def _badge_code() -> None:
    st.markdown("### " + _("Enter your badge code"))
    with st.form("check_in_badge", clear_on_submit=True, border=False):
        st.text_input(
            _("The code printed under your badge's QR code"),
            key=BADGE_FIELD_KEY,
            max_chars=BADGE_MAX_LENGTH,
            autocomplete="off",
        )
        st.form_submit_button(_("Check in"), type="primary", width="stretch", on_click=enter_badge)


def _parent_or_guardian(occurrence: str, code: str, roster: dict, names: dict[int, str]) -> None:
    st.markdown("### " + _("I am a parent or guardian"))
    if not names:
        st.info(_("Nobody is on this session's list. Please ask the facilitator."), icon="ℹ️")
        return
    child_id = st.selectbox(
        _("Your child"),
        list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder=_("Choose your child's name"),
        key=GUARDIAN_CHILD_KEY,
    )
    guardians, refusal = (
        read_guardians(occurrence, code, child_id) if child_id is not None else (None, "")
    )
    if refusal:
        st.warning(refusal, icon="⏰")
    elif guardians is not None and not guardians:
        st.info(
            _("No parent or guardian is recorded for this child. Please ask the facilitator."),
            icon="ℹ️",
        )
    elif guardians:
        _guardian_check_in_form(dict(guardians), names[child_id], roster["family_workshop"])


def _guardian_check_in_form(
    guardian_names: dict[int, str], child_name: str, family_workshop: bool
) -> None:
    """The guardian's name, why they came and whether the child came too; the button checks in."""
    st.radio(
        _("Your first name"),
        list(guardian_names),
        format_func=guardian_names.__getitem__,
        key=GUARDIAN_KEY,
    )
    roles = list(InvolvementRole)
    default_role = (
        InvolvementRole.FAMILY_WORKSHOP if family_workshop else InvolvementRole.ACCOMPANIED
    )
    st.selectbox(
        _("Why are you here today?"),
        [role.value for role in roles],
        index=roles.index(default_role),
        format_func=lambda value: _(ROLE_LABELS[InvolvementRole(value)]),
        key=GUARDIAN_ROLE_KEY,
    )
    st.checkbox(
        _("{name} came with me: check them in too").format(name=plain(child_name)),
        value=True,
        key=GUARDIAN_WITH_CHILD_KEY,
    )
    st.button(
        _("Check in"),
        key="check_in_guardian_button",
        type="primary",
        width="stretch",
        on_click=guardian_check_in,
    )


if __name__ == "__main__":
    render()
