"""The monthly task-force pack: the caseload's participation and its open alerts, for the
multi-agency child-protection meeting, in the caseworker's own language (XLSX and PDF).

Social workers get their own centre's pack; administrators name the centre. The pack holds what
the dashboard shows (names, groups, participation numbers, alerts), never risk categories or care
situation. Every export is audited (``AuditAction.EXPORT``) with the children's ids, never names.

PDF fonts: DejaVu Sans from ``/usr/share/fonts/truetype/dejavu/`` when it is installed (Cyrillic
and every Latin diacritic as written); otherwise the PDF core font Helvetica, with Cyrillic
transliterated to Latin (Serbian/Macedonian rules) and letters Latin-1 lacks stripped of their
accents (``latin1_text``).
"""

from __future__ import annotations

import calendar
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import (
    _,
    format_date,
    format_datetime,
    format_percent,
    using_language,
)
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import AuditAction, Child, Organisation, User, utcnow
from parliament_app.models.monitoring import Alert, AlertNote, AlertRule, AlertStatus
from parliament_app.monitoring import ALERT_STATUS_LABELS, RULE_LABELS, TREND_LABELS
from parliament_app.monitoring.caseload import (
    CaseloadRow,
    aware,
    caseload_rows,
    centre_for,
    local_today,
)
from parliament_app.policy.access import exclude_erased, participation_visible_to_csw

__all__ = [
    "FONT_FILE",
    "PackAlert",
    "TaskforcePack",
    "latin1_text",
    "taskforce_pack",
    "taskforce_pack_pdf",
    "taskforce_pack_xlsx",
    "unicode_font_available",
]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Letters Latin-1 lacks that NFKD cannot take apart.
_LATIN_EXTRA = {
    "Đ": "Dj",
    "đ": "dj",
    "Ł": "L",
    "ł": "l",
    "Ħ": "H",
    "ħ": "h",
    "–": "-",
    "—": "-",
    "…": "...",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "„": '"',
}


@dataclass(frozen=True)
class PackAlert:
    id: int
    child_id: int
    child_name: str
    rule: AlertRule
    status: AlertStatus
    raised_at: datetime
    notes: int


@dataclass
class TaskforcePack:
    csw_id: int
    centre: str
    month_start: date
    month_end: date
    as_of: date  # the month's last day, or today for the current month
    prepared_by: str
    language: str
    rows: list[CaseloadRow] = field(default_factory=list)
    alerts: list[PackAlert] = field(default_factory=list)


def taskforce_pack(
    session: Session,
    user: User,
    month: date,
    *,
    csw_id: int | None = None,
    today: date | None = None,
) -> TaskforcePack:
    """The pack's content, for a page to show before downloading. Audited as a special read."""
    pack = _pack(session, user, month, csw_id, today)
    _audit(session, user, pack, AuditAction.READ_SPECIAL, "preview")
    return pack


def taskforce_pack_xlsx(
    session: Session,
    user: User,
    month: date,
    *,
    csw_id: int | None = None,
    today: date | None = None,
) -> bytes:
    """The pack as a workbook: a participation sheet and an open-alerts sheet. Audited."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    pack = _pack(session, user, month, csw_id, today)
    with using_language(pack.language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _sheet_title(_("Participation"))
        for line in _heading_lines(pack):
            sheet.append([_safe(line)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([])
        headers = _participation_headers()
        sheet.append(headers)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for row in pack.rows:
            sheet.append([_safe(value) for value in _participation_values(row, excel=True)])
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for index, width in enumerate((24, 28, 10, 10, 10, 10, 14, 10, 12, 10, 10, 10), start=1):
            sheet.column_dimensions[_column_letter(index)].width = width

        alerts = workbook.create_sheet(_sheet_title(_("Open alerts")))
        alerts.append(_alert_headers())
        for cell in alerts[1]:
            cell.font = Font(bold=True)
        for alert in pack.alerts:
            alerts.append([_safe(value) for value in _alert_values(alert)])
        alerts.freeze_panes = "A2"
        for index, width in enumerate((24, 36, 18, 14, 8), start=1):
            alerts.column_dimensions[_column_letter(index)].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
    _audit(session, user, pack, AuditAction.EXPORT, "xlsx")
    return buffer.getvalue()


def taskforce_pack_pdf(
    session: Session,
    user: User,
    month: date,
    *,
    csw_id: int | None = None,
    today: date | None = None,
) -> bytes:
    """The pack as a printable A4 landscape PDF. Audited."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pack = _pack(session, user, month, csw_id, today)
    with using_language(pack.language):
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(True, margin=12)
        pdf.set_margins(10, 10, 10)
        title = _("Task-force pack")
        clean: Callable[[str], str]
        if unicode_font_available():
            pdf.add_font("DejaVu", "", str(FONT_FILE))
            pdf.add_font("DejaVu", "B", str(BOLD_FONT_FILE))
            family, clean = "DejaVu", str
        else:
            family, clean = "Helvetica", latin1_text
        pdf.set_title(clean(title))
        pdf.set_creator("Children's Parliament")
        pdf.add_page()
        pdf.set_font(family, "B", 15)
        lines = _heading_lines(pack)
        pdf.cell(0, 9, clean(lines[0]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        for line in lines[1:]:
            pdf.cell(0, 6, clean(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

        pdf.set_font(family, "B", 12)
        pdf.cell(0, 8, clean(_("Participation")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 7.5)
        heading_style = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        if pack.rows:
            with pdf.table(
                col_widths=(34, 36, 15, 14, 14, 19, 16, 19, 21, 15, 14, 22),
                headings_style=heading_style,
                line_height=4,
            ) as table:
                table.row([clean(text) for text in _participation_headers()])
                for row in pack.rows:
                    table.row([clean(str(value)) for value in _participation_values(row)])
        else:
            pdf.cell(0, 6, clean(_("No children in the caseload.")), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

        pdf.set_font(family, "B", 12)
        pdf.cell(0, 8, clean(_("Open alerts")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 8)
        if pack.alerts:
            with pdf.table(
                col_widths=(50, 90, 40, 40, 20), headings_style=heading_style, line_height=4.5
            ) as table:
                table.row([clean(text) for text in _alert_headers()])
                for alert in pack.alerts:
                    table.row([clean(str(value)) for value in _alert_values(alert)])
        else:
            pdf.cell(0, 6, clean(_("No open alerts.")), new_x="LMARGIN", new_y="NEXT")
        data = bytes(pdf.output())
    _audit(session, user, pack, AuditAction.EXPORT, "pdf")
    return data


def unicode_font_available() -> bool:
    return FONT_FILE.is_file() and BOLD_FONT_FILE.is_file()


def latin1_text(text: str) -> str:
    """Text the PDF core fonts can show: Cyrillic transliterated, other letters stripped of the
    accents Latin-1 lacks, anything else as "?"."""
    text = cyrillic_to_latin(text)
    out = []
    for char in text:
        char = _LATIN_EXTRA.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode("latin-1")
                char = base or "?"
            except UnicodeEncodeError:
                char = "?"
        out.append(char)
    return "".join(out)


# --- internals -------------------------------------------------------------------------------


def _pack(
    session: Session, user: User, month: date, csw_id: int | None, today: date | None
) -> TaskforcePack:
    centre_id = centre_for(session, user, csw_id)
    today = today or local_today()
    start = month.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if start > today:
        raise ValidationError(_("Please choose a month that has begun."), "month")
    as_of = min(end, today)
    rows = caseload_rows(session, centre_id, today=as_of, month=(start, end))
    names = {row.child_id: row.name for row in rows}
    alerts = [
        PackAlert(
            alert.id,
            alert.child_id,
            names.get(alert.child_id, ""),
            AlertRule(alert.rule),
            AlertStatus(alert.status),
            aware(alert.raised_at),
            notes,
        )
        for alert, notes in session.execute(
            select(Alert, _note_count())
            .join(Child, Child.id == Alert.child_id)
            .where(
                Alert.csw_id == centre_id,
                Alert.status.in_(UNRESOLVED),
                participation_visible_to_csw(centre_id),
                exclude_erased(),
            )
            .order_by(Alert.raised_at, Alert.id)
        )
    ]
    centre = session.get(Organisation, centre_id)
    return TaskforcePack(
        csw_id=centre_id,
        centre=centre.name if centre else "",
        month_start=start,
        month_end=end,
        as_of=as_of,
        prepared_by=user.display_name,
        language=user.preferred_language or "en",
        rows=rows,
        alerts=alerts,
    )


def _note_count():
    return (
        select(func.count(AlertNote.id))
        .where(AlertNote.alert_id == Alert.id)
        .correlate(Alert)
        .scalar_subquery()
    )


def _audit(
    session: Session, user: User, pack: TaskforcePack, action: AuditAction, fmt: str
) -> None:
    audit.record(
        session,
        user,
        action,
        "taskforce_pack",
        pack.csw_id,
        format=fmt,
        month=pack.month_start.strftime("%Y-%m"),
        children=len(pack.rows),
        alerts=len(pack.alerts),
        child_ids=[row.child_id for row in pack.rows],
    )


def _heading_lines(pack: TaskforcePack) -> list[str]:
    return [
        _("Task-force pack: {centre}").format(centre=pack.centre),
        _("Month: {month}").format(month=format_date(pack.month_start, "LLLL y")),
        _("Participation as of {date}").format(date=format_date(pack.as_of)),
        _("Prepared by {name} on {moment}").format(
            name=pack.prepared_by, moment=format_datetime(utcnow(), "short")
        ),
        _("Confidential: for the multi-agency child-protection meeting only."),
    ]


def _participation_headers() -> list[str]:
    return [
        _("Child"),
        _("Groups"),
        _("This month"),
        _("4 weeks"),
        _("12 weeks"),
        _("Last attended"),
        _("Absences in a row"),
        _("Trend"),
        _("Guardian involvement (12 weeks)"),
        _("Quizzes joined"),
        _("Open alerts"),
        _("Basis"),
    ]


def _participation_values(row: CaseloadRow, excel: bool = False) -> list[object]:
    month = f"{row.attended_month}/{row.scheduled_month}" if row.scheduled_month else "–"
    return [
        row.name,
        ", ".join(row.groups),
        month,
        _percent(row.rate_4w, excel),
        _percent(row.rate_12w, excel),
        format_date(row.last_attended) if row.last_attended else "–",
        row.consecutive_absences,
        _(TREND_LABELS[row.trend]),
        row.guardian_involvements_12w,
        row.quiz_runs,
        row.open_alerts,
        _("Referral") if row.basis == "referral" else _("Consent"),
    ]


def _percent(value: float | None, excel: bool) -> object:
    if value is None:
        return "–"
    return round(value, 3) if excel else format_percent(value)


def _alert_headers() -> list[str]:
    return [_("Child"), _("Alert"), _("Raised"), _("Status"), _("Notes")]


def _alert_values(alert: PackAlert) -> list[object]:
    return [
        alert.child_name,
        _(RULE_LABELS[alert.rule]),
        format_datetime(alert.raised_at, "short"),
        _(ALERT_STATUS_LABELS[alert.status]),
        alert.notes,
    ]


def _safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _sheet_title(text: str) -> str:
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31] or "Sheet"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
