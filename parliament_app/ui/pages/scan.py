"""Scanning station: check children in from their badges with a USB/Bluetooth scanner that types
into a field, or with the device's camera (the photo is decoded on the server), and show the
rotating self check-in code with the live list of who checked themselves in.

Each scan answers at once in very large type, with text and an icon (never colour alone). A child
who is not enrolled is never checked in silently: the facilitator may add them as a walk-in. The
self check-in code is derived on the server and changes every 30 seconds (the previous one still
works); every self check-in appears here live and can be undone.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from babel import dates

from parliament_app.core.errors import ServiceError
from parliament_app.core.i18n import _, babel_locale
from parliament_app.core.qr import qr_png
from parliament_app.models import Guardian, User
from parliament_app.models.attendance import AttendanceStatus, ScanResult
from parliament_app.models.meetings import OccurrenceStatus
from parliament_app.ui.context import apply_language, fragment, page_user, transaction
from parliament_app.ui.sessions_widgets import STATUS_ICONS, occurrence_title
from parliament_app.ui.widgets import empty_state
from sessions.attendance.roster import STATUS_LABELS, add_walk_in, takeable_occurrences
from sessions.checkin.scanning import (
    CODE_STEP_SECONDS,
    ScanOutcome,
    SelfCheckIn,
    SessionCode,
    closed_reason,
    facilitator_session_code,
    recent_self_check_ins,
    scan,
    undo_self_check_in,
)
from sessions.involvement import ROLE_LABELS
from sessions.scheduling import list_occurrences
from sessions.times import local

OCCURRENCE_KEY = "scan_occurrence"
FIELD_KEY = "scan_field"
CAMERA_ON_KEY = "scan_camera_on"
CAMERA_ROUND_KEY = "scan_camera_round"  # a new round gives a fresh camera after each photo
CAMERA_NOTICE_KEY = "scan_camera_notice"
LAST_KEY = "scan_last"
RECENT_KEY = "scan_recent"
DEVICE_KEY = "scan_station_device"
SELF_FLASH_KEY = "scan_self_check_in_flash"
FOCUS_ROUND_KEY = "scan_focus_round"
RECENT_SCANS = 15
SELF_CHECK_IN_REFRESH_SECONDS = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
CHECK_IN_PAGE = "check_in"

# Every result has an icon and a text; the colour of its panel only repeats what they say.
RESULT_ICONS: dict[str, str] = {
    ScanResult.CHECKED_IN: "✅",
    ScanResult.ALREADY_CHECKED_IN: "☑️",
    ScanResult.NOT_ENROLLED: "❓",
    ScanResult.BADGE_REPLACED: "🔄",
    ScanResult.WRONG_OCCURRENCE: "📅",
    ScanResult.REJECTED: "⛔",
    ScanResult.RATE_LIMITED: "⏳",
    "walk_in": "➕",
}
RESULT_STYLES: dict[str, str] = {
    ScanResult.CHECKED_IN: "ok",
    ScanResult.ALREADY_CHECKED_IN: "info",
    ScanResult.NOT_ENROLLED: "attention",
    ScanResult.BADGE_REPLACED: "attention",
    ScanResult.WRONG_OCCURRENCE: "refused",
    ScanResult.REJECTED: "refused",
    ScanResult.RATE_LIMITED: "refused",
    "walk_in": "ok",
}

STATION_CSS = """
<style>
  .st-key-scan_field input { font-size: 1.6rem; padding: .8rem; letter-spacing: .04em; }
  [class*="st-key-scan_result_"] { border-radius: 1rem; padding: 1rem 1.4rem; }
  [class*="st-key-scan_result_"] h1 { font-size: 3.6rem !important; line-height: 1.15; }
  [class*="st-key-scan_result_"] h2 { font-size: 2.6rem !important; }
  .st-key-scan_result_ok { background: #e3f4e6; border: 4px solid #1e7b34; }
  .st-key-scan_result_info { background: #e6eefb; border: 4px solid #1f5fbf; }
  .st-key-scan_result_attention { background: #fff4d6; border: 4px dashed #9a6a00; }
  .st-key-scan_result_refused { background: #fde7e7; border: 4px double #b42318; }
  .st-key-scan_self_code h1 code { font-size: 3.4rem; letter-spacing: .12em; }
  .stButton button { min-height: 3rem; }
  .stButton button p { font-size: 1.15rem; }
  button:focus-visible, input:focus-visible { outline: 4px solid #f2b705 !important; }
</style>
"""

# After every run, put the cursor back in the scan field unless the person is typing elsewhere,
# so a keyboard-wedge scanner always types into it. The round number makes the browser run it
# again after each scan.
FOCUS_SCRIPT = """
<script data-round="{round}">
  setTimeout(() => {{
    const active = document.activeElement;
    const busy = active && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName)
      && !active.closest(".st-key-scan_field");
    const field = document.querySelector(".st-key-scan_field input");
    if (field && !busy) field.focus();
  }}, 80);
</script>
"""


# --- the page ----------------------------------------------------------------------------------


def render() -> None:
    occurrences = _todays_sessions(datetime.now(UTC))
    st.html(STATION_CSS)
    st.title(_("Scanning station"))
    st.caption(
        _(
            "Check children in from their badges: with a scanner that types into the field "
            "below, or with this device's camera. Guardians and older children can check "
            "themselves in with the code on the second tab."
        )
    )
    if not occurrences:
        empty_state(
            _(
                "You have no session today whose attendance you take. Sessions are scheduled on "
                "the Sessions page."
            )
        )
        st.stop()
    occurrence_id = _chosen_session(occurrences)
    scan_tab, self_tab = st.tabs(["📷 " + _("Badge scanning"), "📱 " + _("Self check-in")])
    with scan_tab:
        _badge_scanning(occurrence_id)
    with self_tab:
        self_check_in_panel(occurrence_id)


def markdown_text(text: str) -> str:
    """Plain text for st.markdown: a name or message is never read as Markdown, HTML or LaTeX."""
    out = text.replace("\\", "\\\\")
    for char in "`*_[]<>|~$":
        out = out.replace(char, "\\" + char)
    return out


def clock(moment: datetime) -> str:
    return dates.format_time(
        moment, "medium", tzinfo=dates.get_timezone("Europe/Belgrade"), locale=babel_locale()
    )


def acting_user(session) -> User:
    """The signed-in user, with their language: callbacks run before the shell sets it."""
    user = page_user(session)
    apply_language(user.preferred_language)
    return user


def station_device() -> str:
    """A random name for this browser session's station (for the scan log; nothing personal)."""
    if DEVICE_KEY not in st.session_state:
        st.session_state[DEVICE_KEY] = "station-" + secrets.token_hex(4)
    return st.session_state[DEVICE_KEY]


def remember(occurrence_id: int, entry: dict) -> None:
    """Show ``entry`` as the last result and add it to the station's recent scans."""
    entry = {**entry, "occurrence_id": occurrence_id, "at": datetime.now(UTC)}
    st.session_state[LAST_KEY] = entry
    recent = st.session_state.setdefault(RECENT_KEY, {})
    recent[occurrence_id] = [entry, *recent.get(occurrence_id, [])][:RECENT_SCANS]
    st.session_state[FOCUS_ROUND_KEY] = st.session_state.get(FOCUS_ROUND_KEY, 0) + 1


def outcome_entry(outcome: ScanOutcome) -> dict:
    return {
        "result": outcome.result.value,
        "message": outcome.message,
        "name": outcome.given_name,
        "child_id": outcome.child_id,
        "walk_in": outcome.result == ScanResult.NOT_ENROLLED and outcome.can_add_walk_in,
        "late": outcome.result == ScanResult.CHECKED_IN and outcome.status == AttendanceStatus.LATE,
    }


def run_scan(occurrence_id: int, text: str) -> None:
    """Scan one badge text; every scan is logged, whatever the result, so commit either way."""
    with transaction() as session:
        user = acting_user(session)
        outcome = scan(session, user, occurrence_id, text, device=station_device())
    remember(occurrence_id, outcome_entry(outcome))


def field_scanned(occurrence_id: int) -> None:
    """The scanner typed a badge and Enter: scan it and empty the field for the next one."""
    text = st.session_state.get(FIELD_KEY) or ""
    st.session_state[FIELD_KEY] = ""
    if text.strip():
        run_scan(occurrence_id, text)


@cache
def camera_decoder() -> ModuleType | None:
    """zxing-cpp, which decodes the camera's photos; without it the keyboard-wedge scanner still
    works."""
    try:
        import zxingcpp
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    return zxingcpp


def decode_photo(data: bytes) -> list[str]:
    """The texts of the QR codes in a photo (decoded here, on the server)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return []
    found = [result.text for result in camera_decoder().read_barcodes(image) if result.text]
    return list(dict.fromkeys(found))


def photo_taken(occurrence_id: int, key: str) -> None:
    photo = st.session_state.get(key)
    st.session_state[CAMERA_ROUND_KEY] = st.session_state.get(CAMERA_ROUND_KEY, 0) + 1
    if photo is None:
        return
    with transaction() as session:
        acting_user(session)  # the language, and the sign-in is still valid
    data = photo.getvalue()
    texts = decode_photo(data) if len(data) <= MAX_PHOTO_BYTES else []
    if not texts:
        st.session_state[CAMERA_NOTICE_KEY] = _(
            "No badge code was found in the photo. Hold the badge closer, flat and well lit, "
            "and take the photo again."
        )
    elif len(texts) > 1:  # a photo of a whole badge sheet must not check everyone in
        st.session_state[CAMERA_NOTICE_KEY] = _(
            "There are several codes in the photo. Show one badge at a time."
        )
    else:
        run_scan(occurrence_id, texts[0])


def walk_in(occurrence_id: int, child_id: int, name: str) -> None:
    try:
        with transaction() as session:
            add_walk_in(session, acting_user(session), occurrence_id, child_id)
    except ServiceError as error:
        entry = {"result": ScanResult.REJECTED.value, "message": error.message, "name": name}
    else:
        entry = {
            "result": "walk_in",
            "message": _("Added as a walk-in and checked in"),
            "name": name,
        }
    remember(occurrence_id, {"child_id": child_id, "walk_in": False, "late": False, **entry})


def undo(occurrence_id: int, kind: str, record_id: int, who: str) -> None:
    try:
        with transaction() as session:
            undo_self_check_in(session, acting_user(session), occurrence_id, kind, record_id)
    except ServiceError as error:
        st.session_state[SELF_FLASH_KEY] = ("warning", error.message)
    else:
        st.session_state[SELF_FLASH_KEY] = (
            "success",
            _("The self check-in was undone: {who}.").format(who=who),
        )


def app_address(relative: str) -> str:
    """``relative`` as an absolute link when the browser told us where the app runs."""
    url = st.context.url
    parts = urlsplit(url) if url else None
    if not parts or not parts.scheme or not parts.netloc:
        return relative
    base_path = parts.path.rsplit("/", 1)[0] if "/" in parts.path else ""
    path, _sep, query = relative.partition("?")
    return urlunsplit((parts.scheme, parts.netloc, f"{base_path}/{path}", query, ""))


def session_title(row: dict) -> str:
    return occurrence_title(row["starts_at"], row["group"], row["topic"], closed=row["closed"])


def show_last(occurrence_id: int) -> None:
    last = st.session_state.get(LAST_KEY)
    if not last or last["occurrence_id"] != occurrence_id:
        st.info(_("Ready. Scan a badge."), icon="📷")
        return
    result = last["result"]
    icon = "🕒" if last.get("late") else RESULT_ICONS.get(result, "ℹ️")
    with st.container(key=f"scan_result_{RESULT_STYLES.get(result, 'info')}"):
        st.markdown(f"# {icon} {markdown_text(last['message'])}")
        if last.get("name"):
            st.markdown(f"## {markdown_text(last['name'])}")
        st.caption(_("Scanned at {time}").format(time=clock(last["at"])))
        if last.get("walk_in") and last.get("child_id"):
            st.button(
                _("Add as walk-in"),
                icon="➕",
                type="primary",
                key=f"scan_walk_in_{last['child_id']}",
                on_click=walk_in,
                args=(occurrence_id, last["child_id"], last.get("name") or ""),
                help=_("The child is not enrolled in this group; add them to this session."),
            )


def show_recent(occurrence_id: int) -> None:
    recent = st.session_state.get(RECENT_KEY, {}).get(occurrence_id, [])
    st.subheader(_("Recent scans"))
    if not recent:
        st.caption(_("No badge scanned at this station yet."))
        return
    lines = []
    for entry in recent:
        icon = "🕒" if entry.get("late") else RESULT_ICONS.get(entry["result"], "ℹ️")
        text = f"`{clock(entry['at'])}` {icon} {markdown_text(entry['message'])}"
        if entry.get("name"):
            text += f" · **{markdown_text(entry['name'])}**"
        lines.append("- " + text)
    st.markdown("\n".join(lines))


def entry_text(entry, guardians: dict[int, str]) -> str:
    time_text = f"`{clock(entry.at)}`"
    name = markdown_text(entry.given_name) if entry.given_name else ""
    if entry.kind == "child":
        status = entry.status or AttendanceStatus.PRESENT
        return _("{time} 🧒 **{name}** · {icon} {status}").format(
            time=time_text,
            name=name or "—",
            icon=STATUS_ICONS[status],
            status=_(STATUS_LABELS[status]),
        )
    guardian = markdown_text(guardians.get(entry.guardian_id, "")) or "—"
    role = _(ROLE_LABELS[entry.role]) if entry.role else ""
    if name:
        return _("{time} 👪 **{guardian}**, guardian of **{name}** · {role}").format(
            time=time_text, guardian=guardian, name=name, role=role
        )
    return _("{time} 👪 **{guardian}**, a guardian · {role}").format(
        time=time_text, guardian=guardian, role=role
    )


@dataclass
class SelfCheckIns:
    """What the self check-in panel shows: the current code (or why there is none) and who has
    checked in with it."""

    code: SessionCode | None = None
    not_open: str = ""
    entries: list[SelfCheckIn] = field(default_factory=list)
    guardians: dict[int, str] = field(default_factory=dict)  # guardian id -> first name
    refused: str = ""


def read_self_check_ins(occurrence_id: int, now: datetime) -> SelfCheckIns:
    found = SelfCheckIns()
    with transaction() as session:
        user = page_user(session)
        try:
            found.code = facilitator_session_code(session, user, occurrence_id, now)
        except ServiceError as error:
            found.not_open = error.message
        try:
            found.entries = recent_self_check_ins(session, user, occurrence_id)
        except ServiceError as error:
            found.refused = error.message
        # SelfCheckIn carries the guardian's id only: their first name for the facilitator.
        for guardian_id in {entry.guardian_id for entry in found.entries if entry.guardian_id}:
            guardian = session.get(Guardian, guardian_id)
            if guardian is not None:
                found.guardians[guardian_id] = " ".join(guardian.given_name.split())
    return found


@fragment(run_every=SELF_CHECK_IN_REFRESH_SECONDS)
def self_check_in_panel(occurrence_id: int) -> None:
    """The rotating code and the live list; refreshed every few seconds without a full rerun."""
    found = read_self_check_ins(occurrence_id, datetime.now(UTC))
    if found.code is not None:
        show_code(occurrence_id, found.code)
    else:
        st.info(found.not_open, icon="⏰")
    show_self_check_ins(occurrence_id, found)


def show_code(occurrence_id: int, code: SessionCode) -> None:
    code_column, qr_column = st.columns([3, 2])
    with code_column:
        st.subheader(_("Check in with your phone"))
        with st.container(key="scan_self_code"):
            st.markdown(f"# `{code.code}`")
        st.markdown(
            _("Scan the QR code, or open {address} and type the code.").format(
                address=f"`{app_address(f'{CHECK_IN_PAGE}?o={occurrence_id}')}`"
            )
        )
        st.caption(
            _(
                "The code changes every {seconds} seconds; the one before still works for "
                "a short while. Only this session's roster can check in, only while it is on."
            ).format(seconds=CODE_STEP_SECONDS)
        )
    with qr_column:
        # The QR code holds the public link with the occurrence and the code: never a name.
        st.image(qr_png(app_address(code.url)), caption=_("Scan to check in"), width=320)


def show_self_check_ins(occurrence_id: int, found: SelfCheckIns) -> None:
    st.subheader(_("Self check-ins"))
    if flash := st.session_state.pop(SELF_FLASH_KEY, None):
        kind, message = flash
        getattr(st, kind)(message, icon="✅" if kind == "success" else "⚠️")
    if found.refused:
        st.warning(found.refused, icon="⚠️")
        return
    if not found.entries:
        st.caption(_("Nobody has checked in with the code yet."))
        return
    st.caption(
        _(
            "Somebody here who is not in the room (a forwarded photo of the code, a wrong "
            "name)? Undo their check-in."
        )
    )
    for entry in found.entries:
        text_column, button_column = st.columns([5, 1], vertical_alignment="center")
        text_column.markdown(entry_text(entry, found.guardians))
        who = entry.given_name or found.guardians.get(entry.guardian_id, "") or "—"
        button_column.button(
            _("Undo"),
            icon="↩️",
            key=f"scan_undo_{entry.kind}_{entry.record_id}",
            on_click=undo,
            args=(occurrence_id, entry.kind, entry.record_id, who),
        )


def _todays_sessions(now: datetime) -> dict[int, dict]:
    """Today's sessions whose attendance this user takes, and yesterday's still open (one that
    began before midnight is still open after it)."""
    today = local(now).date()
    with transaction() as session:
        user = page_user(session)
        return {
            occurrence.id: {
                "group": occurrence.group.name,
                "topic": occurrence.topic or "—",
                "starts_at": occurrence.starts_at,
                "closed": occurrence.status == OccurrenceStatus.CLOSED,
                "open": closed_reason(occurrence, now) is None,
            }
            for occurrence in takeable_occurrences(
                session,
                user,
                (
                    occurrence
                    for occurrence in list_occurrences(
                        session, user, today - timedelta(days=1), today, include_cancelled=False
                    )
                    if local(occurrence.starts_at).date() == today
                    or closed_reason(occurrence, now) is None
                ),
            )
        }


def _chosen_session(occurrences: dict[int, dict]) -> int:
    """The session picked (the first open one at first), warned about when it is not open."""
    open_ids = [key for key, row in occurrences.items() if row["open"]]
    occurrence_id = st.selectbox(
        _("Session"),
        list(occurrences),
        index=list(occurrences).index(open_ids[0]) if open_ids else 0,
        format_func=lambda key: session_title(occurrences[key]),
        key=OCCURRENCE_KEY,
    )
    if not occurrences[occurrence_id]["open"]:
        st.warning(
            _(
                "Check-in for this session is not open right now: it opens an hour before the "
                "start and closes an hour after the end (or when the attendance is closed)."
            ),
            icon="⏰",
        )
    return occurrence_id


def _badge_scanning(occurrence_id: int) -> None:
    st.text_input(
        _("Badge code"),
        key=FIELD_KEY,
        on_change=field_scanned,
        args=(occurrence_id,),
        autocomplete="off",
        placeholder=_("Scan a badge: the scanner types the code and presses Enter"),
        help=_("Keep the cursor here. You can also type a badge's code and press Enter."),
    )
    st.html(
        FOCUS_SCRIPT.format(round=st.session_state.get(FOCUS_ROUND_KEY, 0)),
        unsafe_allow_javascript=True,
    )
    show_last(occurrence_id)
    _camera(occurrence_id)
    show_recent(occurrence_id)


def _camera(occurrence_id: int) -> None:
    if camera_decoder() is None:
        st.info(
            _(
                "Scanning with the camera is not available on this server. Use a badge scanner, "
                "or type the badge's code."
            ),
            icon="📷",
        )
        return
    if not st.toggle(_("Scan with this device's camera"), key=CAMERA_ON_KEY):
        return
    if notice := st.session_state.pop(CAMERA_NOTICE_KEY, None):
        st.warning(notice, icon="🔍")
    camera_key = f"scan_camera_{st.session_state.get(CAMERA_ROUND_KEY, 0)}"
    st.camera_input(
        _("Hold one badge in front of the camera and take a photo"),
        key=camera_key,
        on_change=photo_taken,
        args=(occurrence_id, camera_key),
    )


if __name__ == "__main__":
    render()
