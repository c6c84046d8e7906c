"""The printable attendance sheet: the paper fallback when the venue has no connection.

One A4 page (or more; the table header repeats) per occurrence, in the facilitator's language:
the roster with one box per status and a note column, then blank rows for walk-ins. The child's
id is printed next to the name so the sheet can be typed in unambiguously afterwards
(``sessions.attendance.roster.bulk_entry``). Every value from the database is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import timedelta

from babel import dates
from sqlalchemy.orm import Session

from parliament_app.core.i18n import _, babel_locale, format_date, ngettext, using_language
from parliament_app.models import User
from parliament_app.models.attendance import AttendanceStatus
from sessions.attendance.roster import (
    LOCAL_TIMEZONE,
    STATUS_LABELS,
    roster_for,
    taken_occurrence,
)

__all__ = ["attendance_sheet_html"]

DEFAULT_BLANK_ROWS = 6
SHEET_STATUSES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
    AttendanceStatus.LEFT_EARLY,
)
STYLE = """
@page { size: A4 portrait; margin: 12mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 10pt; color: #000;
       margin: 0; }
h1 { font-size: 15pt; margin: 0 0 3mm; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 1mm 4mm; margin: 0 0 4mm; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 0.6pt solid #000; padding: 1.5mm 1.5mm; vertical-align: middle; }
th { font-size: 8.5pt; background: #eee; -webkit-print-color-adjust: exact;
     print-color-adjust: exact; }
td.number, td.id { width: 9mm; text-align: right; font-size: 8.5pt; }
td.name { min-width: 45mm; }
th.status, td.status { width: 14mm; text-align: center; }
td.status span { display: inline-block; width: 4.5mm; height: 4.5mm; border: 0.8pt solid #000; }
td.note { width: 40mm; }
tr.section th { text-align: left; background: #fff; border-left: none; border-right: none; }
tr.blank td { height: 9mm; }
.walk-in { font-size: 8pt; font-style: italic; }
.footer { margin-top: 6mm; display: flex; justify-content: space-between; gap: 10mm; }
.footer p { margin: 0; flex: 1; border-top: 0.6pt solid #000; padding-top: 1mm;
            font-size: 8.5pt; }
.hint { font-size: 8.5pt; margin: 0 0 3mm; }
"""


def attendance_sheet_html(
    session: Session,
    user: User,
    occurrence_id: int,
    language: str,
    *,
    blank_rows: int = DEFAULT_BLANK_ROWS,
) -> str:
    """A print-ready HTML attendance sheet for one occurrence, in ``language``. Only those who
    may take the occurrence's attendance get it."""
    occurrence = taken_occurrence(session, user, occurrence_id)
    rows = roster_for(session, occurrence)
    with using_language(language):
        labels = {
            "title": _("Attendance sheet"),
            "walk_in": _("walk-in"),
            "walk_ins": _("Walk-ins (children who are not enrolled): name and school"),
            "hint": _(
                "Tick one box per child. Type the sheet in afterwards on the bulk entry page."
            ),
            "id": _("ID"),
            "name": _("Name"),
            "note": _("Note"),
            "signature": _("Facilitator (name and signature)"),
            "typed_in": _("Typed in on (date, by)"),
        }
        statuses = [_(STATUS_LABELS[status]) for status in SHEET_STATUSES]
        meta = [
            (_("Group"), occurrence.group.name),
            (_("Session"), occurrence.topic),
            (_("Date and time"), _when(occurrence)),
        ]
        venue = occurrence.venue
        if venue is not None:
            meta.append((_("Venue"), ", ".join(p for p in (venue.name, venue.address) if p)))
        count = ngettext("{count} child", "{count} children", len(rows)).format(count=len(rows))
        meta.append((_("Children on the roster"), count))
    return _page(language, occurrence.topic, labels, statuses, meta, rows, blank_rows)


def _when(occurrence) -> str:
    """The occurrence's local date and times, in the current language."""
    start = occurrence.starts_at.astimezone(LOCAL_TIMEZONE)
    end = start + timedelta(minutes=occurrence.duration_minutes)
    return "{day}, {start}–{end}".format(
        day=format_date(start.date(), "full"),
        start=dates.format_time(start, "short", locale=babel_locale()),
        end=dates.format_time(end, "short", locale=babel_locale()),
    )


def _page(
    language: str,
    topic: str,
    labels: dict[str, str],
    statuses: list[str],
    meta: list[tuple[str, str]],
    rows: list,
    blank_rows: int,
) -> str:
    esc = html.escape
    status_heads = "".join(f'<th class="status" scope="col">{esc(s)}</th>' for s in statuses)
    boxes = '<td class="status"><span></span></td>' * len(statuses)
    body = []
    for number, row in enumerate(rows, start=1):
        name = esc(f"{row.family_name}, {row.given_name}")
        marker = f' <span class="walk-in">({esc(labels["walk_in"])})</span>' if row.walk_in else ""
        body.append(
            f'<tr><td class="number">{number}</td><td class="id">{row.child_id}</td>'
            f'<td class="name">{name}{marker}</td>{boxes}<td class="note"></td></tr>'
        )
    if blank_rows > 0:
        columns = 3 + len(statuses) + 1
        body.append(
            f'<tr class="section"><th colspan="{columns}" scope="colgroup">'
            f"{esc(labels['walk_ins'])}</th></tr>"
        )
        body.extend(
            '<tr class="blank"><td class="number"></td><td class="id"></td>'
            f'<td class="name"></td>{boxes}<td class="note"></td></tr>'
            for _index in range(blank_rows)
        )
    meta_html = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in meta)
    html_language = language.replace("_", "-") if language else "en"
    title = esc(labels["title"])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(html_language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} – {esc(topic)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        f'<dl class="meta">{meta_html}</dl>\n'
        f'<p class="hint">{esc(labels["hint"])}</p>\n'
        '<table>\n<thead><tr><th scope="col">#</th>'
        f'<th scope="col">{esc(labels["id"])}</th>'
        f'<th scope="col">{esc(labels["name"])}</th>'
        f"{status_heads}"
        f'<th scope="col">{esc(labels["note"])}</th>'
        "</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
        '<div class="footer">'
        f"<p>{esc(labels['signature'])}</p>"
        f"<p>{esc(labels['typed_in'])}</p>"
        "</div>\n</body>\n</html>\n"
    )
