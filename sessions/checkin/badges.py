"""Children's badges: a QR code carrying an opaque, signed, revocable identifier.

A badge token is ``PB1.<token_id>.<mac>``:

- ``token_id``: ``secrets.token_urlsafe(12)``, 96 random bits, stored in ``Badge.token_id``;
- ``mac``: the first 16 characters of base64url(HMAC-SHA256(secret, "badge:" + token_id)), so a
  forged or altered token is refused without touching the database, and a token made with
  another deployment's secret is refused too.

Nothing personal is in the token: no name, birth date or school. The QR image holds the token
only; the child's first name is printed beside it on the sheet for the facilitator. Re-issuing a
badge revokes the live one in the same transaction (a partial unique index allows one live badge
per child), so a lost badge stops working at once.

Who may issue and print badges: administrators, and facilitators who lead a group the child is
actively enrolled in (for a sheet: who manage the group), and the operator at the command line
(``OPERATOR``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.actors import Actor, account_id, is_operator
from parliament_app.core.config import get_settings
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.core.qr import qr_png
from parliament_app.core.transliteration import cyrillic_to_latin
from parliament_app.models import (
    AuditAction,
    Child,
    Enrolment,
    EnrolmentStatus,
    Group,
    utcnow,
)
from parliament_app.models.attendance import Badge
from parliament_app.policy.access import exclude_erased
from parliament_app.policy.groups import may_manage_group
from parliament_app.policy.meetings import may_issue_badge

TOKEN_PREFIX = "PB1"
TOKEN_ID_BYTES = 12  # 96 bits; token_urlsafe gives 16 characters
TOKEN_ID_LENGTH = 16
MAC_LENGTH = 16  # characters of base64url: 96 bits
MAX_TOKEN_TEXT = 200  # longer input is garbage, not a badge
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_ISSUE_ATTEMPTS = 3

# The sheet: A4 portrait, 3 × 4 badges, each in a dashed cutting frame.
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # mm
COLUMNS, ROWS = 3, 4
BADGES_PER_PAGE = COLUMNS * ROWS
MARGIN = 10.0
QR_SIZE = 46.0  # mm; about 1 mm per module for a 37-character token (a version 3 QR code)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILE = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"
# Core PDF fonts only know Latin-1: what the fallback must replace first.
_FALLBACK_LETTERS = {
    "đ": "dj",
    "Đ": "Dj",
    "ѓ": "gj",
    "Ѓ": "Gj",
    "ќ": "kj",
    "Ќ": "Kj",
    "ѕ": "dz",
    "Ѕ": "Dz",
}


# --- tokens ----------------------------------------------------------------------------------


def _secret(secret: str | None) -> str:
    return get_settings().secret_key if secret is None else secret


def _mac(secret: str, token_id: str) -> str:
    digest = hmac.new(secret.encode(), f"badge:{token_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_LENGTH]


def badge_token(secret: str, token_id: str) -> str:
    """The text in a badge's QR code (it can always be rebuilt from the stored ``token_id``)."""
    return f"{TOKEN_PREFIX}.{token_id}.{_mac(secret, token_id)}"


def parse_badge_token(secret: str, text: str | None) -> str | None:
    """The badge's ``token_id`` when ``text`` is a genuine token of this deployment, else None.

    Whitespace a keyboard-wedge scanner adds (Enter, Tab, newlines) is ignored; the signature is
    compared in constant time."""
    if not text or len(text) > MAX_TOKEN_TEXT:
        return None
    parts = "".join(text.split()).split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token_id, mac = parts[1], parts[2]
    if len(token_id) != TOKEN_ID_LENGTH or not _B64URL.fullmatch(token_id):
        return None
    if len(mac) != MAC_LENGTH or not _B64URL.fullmatch(mac):
        return None
    if not hmac.compare_digest(mac.encode(), _mac(secret, token_id).encode()):
        return None
    return token_id


def token_fingerprint(text: str | None) -> str:
    """What the scan log keeps of a scanned text: 8 hex characters of its SHA-256."""
    cleaned = "".join((text or "")[:MAX_TOKEN_TEXT].split())
    return hashlib.sha256(cleaned.encode()).hexdigest()[:8] if cleaned else ""


def badge_png(token: str) -> bytes:
    """A PNG of the badge's QR code: the token and nothing else."""
    return qr_png(token)


# --- who may ---------------------------------------------------------------------------------


def _require_issuer(session: Session, user: Actor, child_id: int) -> Child:
    child = session.get(Child, child_id)
    # No badge for an erased child, whoever asks (erasure deleted theirs).
    if child is None or child.erased_at is not None or not may_issue_badge(session, user, child_id):
        # The same answer for "no such child" and "not yours": ids reveal nothing.
        raise NotFound(_("This child does not exist or is not visible to you."))
    return child


def _require_sheet_maker(session: Session, user: Actor, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("This group does not exist or is not visible to you."))
    if not is_operator(user) and not may_manage_group(session, user, group):
        raise PermissionDenied(_("Only the group's leaders and administrators may do this."))
    return group


# --- issuing ---------------------------------------------------------------------------------


def live_badge(session: Session, child_id: int) -> Badge | None:
    return session.scalar(
        select(Badge).where(Badge.child_id == child_id, Badge.revoked_at.is_(None))
    )


def _revoke_live(session: Session, child_id: int, now: datetime) -> list[int]:
    revoked = session.scalars(
        update(Badge)
        .where(Badge.child_id == child_id, Badge.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(Badge.id)
        .execution_options(synchronize_session="fetch")
    )
    return list(revoked)


def issue_badge(
    session: Session, user: Actor, child_id: int, *, secret: str | None = None
) -> tuple[Badge, str]:
    """Issue a new badge for the child, revoking the live one first (in this transaction).
    Returns the badge and the token to print."""
    _require_issuer(session, user, child_id)
    key = _secret(secret)
    for _attempt in range(_ISSUE_ATTEMPTS):
        now = utcnow()
        revoked = _revoke_live(session, child_id, now)
        badge = Badge(
            token_id=secrets.token_urlsafe(TOKEN_ID_BYTES),
            child_id=child_id,
            issued_at=now,
            issued_by_id=account_id(user),
        )
        try:
            with session.begin_nested():
                session.add(badge)
                session.flush()
        except IntegrityError:
            # Someone issued a badge for this child at the same moment: revoke theirs too.
            continue
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "badge",
            badge.id,
            child_id=child_id,
            revoked=revoked,
        )
        return badge, badge_token(key, badge.token_id)
    raise ValidationError(_("The badge could not be issued just now. Please try again."))


def revoke_badge(session: Session, user: Actor, child_id: int) -> bool:
    """Revoke the child's live badge without issuing another (a lost badge). True if one was."""
    _require_issuer(session, user, child_id)
    revoked = _revoke_live(session, child_id, utcnow())
    if revoked:
        audit.record(session, user, AuditAction.DELETE, "badge", revoked[0], child_id=child_id)
    return bool(revoked)


def badge_for_child(
    session: Session,
    user: Actor,
    child_id: int,
    *,
    reissue: bool = False,
    secret: str | None = None,
) -> tuple[Badge, str]:
    """The child's live badge (issued when there is none, or anew when ``reissue``)."""
    _require_issuer(session, user, child_id)
    badge = None if reissue else live_badge(session, child_id)
    if badge is None:
        return issue_badge(session, user, child_id, secret=secret)
    return badge, badge_token(_secret(secret), badge.token_id)


# --- the printable sheet ---------------------------------------------------------------------


@dataclass(frozen=True)
class SheetBadge:
    child_id: int
    label: str  # the first name (with a family initial when two share it)
    token: str


def display_names(people: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """First names only; two children sharing one get their family name's first letter
    ("Ana P."), and those still alike a number ("Ana P. (2)")."""
    rows = [
        (pid, " ".join(given.split()), " ".join(family.split())) for pid, given, family in people
    ]
    by_given: dict[str, list[tuple[int, str, str]]] = {}
    for row in rows:
        by_given.setdefault(row[1].casefold(), []).append(row)
    names: dict[int, str] = {}
    for same in by_given.values():
        if len(same) == 1:
            names[same[0][0]] = same[0][1]
            continue
        by_initial: dict[str, list[tuple[int, str, str]]] = {}
        for pid, given, family in same:
            initial = family[:1].upper()
            label = f"{given} {initial}." if initial else given
            by_initial.setdefault(label.casefold(), []).append((pid, label, family))
        for alike in by_initial.values():
            if len(alike) == 1:
                names[alike[0][0]] = alike[0][1]
            else:
                for number, (pid, label, _family) in enumerate(sorted(alike), start=1):
                    names[pid] = f"{label} ({number})"
    return names


def sheet_badges(
    session: Session, user: Actor, group_id: int, *, secret: str | None = None
) -> tuple[Group, list[SheetBadge]]:
    """The badges of the group's actively enrolled children, issuing one for each child who has
    none (existing badges are reprinted, not replaced)."""
    group = _require_sheet_maker(session, user, group_id)
    key = _secret(secret)
    children = list(
        session.execute(
            select(Child.id, Child.given_name, Child.family_name)
            .join(Enrolment, Enrolment.child_id == Child.id)
            .where(
                Enrolment.group_id == group.id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
                exclude_erased(),
            )
        )
    )
    names = display_names((row.id, row.given_name, row.family_name) for row in children)
    badges: list[SheetBadge] = []
    for child_id in sorted(names, key=lambda pid: (names[pid].casefold(), pid)):
        badge = live_badge(session, child_id)
        if badge is None:
            badge, token = issue_badge(session, user, child_id, secret=key)
        else:
            token = badge_token(key, badge.token_id)
        badges.append(SheetBadge(child_id, names[child_id], token))
    audit.record(session, user, AuditAction.EXPORT, "badge_sheet", group.id, badges=len(badges))
    return group, badges


def unicode_font_available() -> bool:
    return FONT_FILE.is_file() and BOLD_FONT_FILE.is_file()


def latin1_fallback(text: str) -> str:
    """Text the core PDF fonts can show: Cyrillic transliterated (Serbian and Macedonian
    letters), other letters stripped of their accents when Latin-1 lacks them."""
    text = "".join(_FALLBACK_LETTERS.get(char, char) for char in text)
    text = cyrillic_to_latin(text)
    text = "".join(_FALLBACK_LETTERS.get(char, char) for char in text)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in base if not unicodedata.combining(c))
            char = char if char and char.encode("latin-1", "ignore") == char.encode() else "?"
        out.append(char)
    return "".join(out)


def render_sheet(group_name: str, badges: Sequence[SheetBadge]) -> bytes:
    """An A4 PDF, 3 × 4 badges a page: the QR code, the first name below it, the group name."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title("Badges")
    pdf.set_creator("Children's Parliament")
    if unicode_font_available():
        pdf.add_font("DejaVu", "", str(FONT_FILE))
        pdf.add_font("DejaVu", "B", str(BOLD_FONT_FILE))
        family, clean = "DejaVu", (lambda text: text)
    else:
        family, clean = "Helvetica", latin1_fallback
    cell_w = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS
    cell_h = (PAGE_HEIGHT - 2 * MARGIN) / ROWS
    if not badges:
        pdf.add_page()
        pdf.set_font(family, "", 12)
        pdf.cell(0, 10, clean(group_name))
    for index, badge in enumerate(badges):
        slot = index % BADGES_PER_PAGE
        if slot == 0:
            pdf.add_page()
        x = MARGIN + (slot % COLUMNS) * cell_w
        y = MARGIN + (slot // COLUMNS) * cell_h
        pdf.set_draw_color(170, 170, 170)
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.rect(x, y, cell_w, cell_h)
        pdf.set_dash_pattern()
        pdf.image(
            io.BytesIO(badge_png(badge.token)),
            x=x + (cell_w - QR_SIZE) / 2,
            y=y + 4,
            w=QR_SIZE,
            h=QR_SIZE,
        )
        pdf.set_xy(x + 2, y + 4 + QR_SIZE + 1)
        pdf.set_font(family, "B", 16)
        pdf.cell(cell_w - 4, 8, _fit(pdf, clean(badge.label), cell_w - 4), align="C")
        pdf.set_xy(x + 2, y + 4 + QR_SIZE + 9)
        pdf.set_font(family, "", 9)
        pdf.cell(cell_w - 4, 5, _fit(pdf, clean(group_name), cell_w - 4), align="C")
    return bytes(pdf.output())


def _fit(pdf, text: str, width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    ellipsis = "…" if pdf.font_family == "dejavu" else "..."
    while text and pdf.get_string_width(text + ellipsis) > width:
        text = text[:-1]
    return text.rstrip() + ellipsis


def badge_sheet_pdf(
    session: Session, user: Actor, group_id: int, *, secret: str | None = None
) -> bytes:
    """The printable badge sheet of a group (issuing badges for children who have none)."""
    group, badges = sheet_badges(session, user, group_id, secret=secret)
    return render_sheet(group.name, badges)
