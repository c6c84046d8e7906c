"""What the attendance and scanning pages show alike: an attendance status's icon and a session's
name in their session pickers."""

from __future__ import annotations

from datetime import datetime

from parliament_app.core.i18n import _, format_datetime
from parliament_app.models.attendance import AttendanceStatus

# Every status is shown as text with an icon (never colour alone); the translatable names are the
# services' (sessions.attendance.roster.STATUS_LABELS).
STATUS_ICONS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "🕒",
    AttendanceStatus.EXCUSED: "📝",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.LEFT_EARLY: "🚪",
}


def occurrence_title(starts_at: datetime, group: str, topic: str, *, closed: bool) -> str:
    """A session as a picker names it: when, the group, the topic; a lock once it is closed."""
    title = _("{when} · {group} · {topic}").format(
        when=format_datetime(starts_at, "short"), group=group, topic=topic
    )
    if closed:
        return "🔒 " + _("{title} (closed)").format(title=title)
    return title
