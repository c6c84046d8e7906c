"""Badges: signed opaque tokens, revocation on re-issue, QR images a real decoder reads, and the
printable A4 sheet (first names only)."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import Settings
from parliament_app.core.errors import NotFound, PermissionDenied
from parliament_app.models import AuditEntry, Child, Enrolment, EnrolmentStatus
from parliament_app.models.attendance import Badge
from sessions.checkin import badges
from sessions.checkin.badges import (
    badge_for_child,
    badge_png,
    badge_sheet_pdf,
    badge_token,
    display_names,
    issue_badge,
    latin1_fallback,
    live_badge,
    parse_badge_token,
    revoke_badge,
    sheet_badges,
    token_fingerprint,
)
from tests.factories import World, build_world, make_child

zxingcpp = pytest.importorskip("zxingcpp")

TOKEN_PATTERN = re.compile(r"PB1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}")
SECRET = "test-secret-" * 4


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def enrol(db: Session, world: World, given: str, family: str) -> Child:
    child = make_child(db, given, family, world.school, world.municipality)
    db.add(Enrolment(group_id=world.group.id, child_id=child.id, status=EnrolmentStatus.ACTIVE))
    db.flush()
    return child


# --- tokens ----------------------------------------------------------------------------------


def test_token_round_trip(db: Session) -> None:
    world = build_world(db)
    badge, token = issue_badge(db, world.facilitator, world.own_pupil.id, secret=SECRET)
    assert TOKEN_PATTERN.fullmatch(token)
    assert parse_badge_token(SECRET, token) == badge.token_id
    assert badge_token(SECRET, badge.token_id) == token
    assert len(badge.token_id) == 16  # 96 random bits
    assert badge.child_id == world.own_pupil.id and badge.revoked_at is None
    assert badge.issued_by_id == world.facilitator.id
    # What a keyboard-wedge scanner types around it is ignored.
    for typed in (token + "\r\n", token + "\n", "\t" + token + "\t", f"  {token} \r"):
        assert parse_badge_token(SECRET, typed) == badge.token_id


def test_forged_altered_and_foreign_tokens_are_refused() -> None:
    token = badge_token(SECRET, "abcdefghijklmnop")
    prefix, token_id, mac = token.split(".")
    changed_mac = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    altered_id = ("X" if token_id[0] != "X" else "Y") + token_id[1:]
    candidates = [
        f"{prefix}.{token_id}.{changed_mac}",  # forged signature
        f"{prefix}.{altered_id}.{mac}",  # altered identifier
        f"PB2.{token_id}.{mac}",  # unknown version
        badge_token("another deployment's secret", token_id),
        "",
        "garbage",
        "PB1..",
        "PB1.a.b",
        token + ".extra",
        token.lower(),
        token[:-1],
        "x" * 10_000,
        "PB1.абвгдежзийклмноп.ABCDEFGHIJKLMNOP",
        None,
    ]
    for candidate in candidates:
        assert parse_badge_token(SECRET, candidate) is None, candidate


def test_fingerprint_is_short_and_not_the_token() -> None:
    token = badge_token(SECRET, "abcdefghijklmnop")
    fingerprint = token_fingerprint(token)
    assert re.fullmatch(r"[0-9a-f]{8}", fingerprint)
    assert fingerprint == token_fingerprint(token + "\r\n")
    assert token_fingerprint("") == ""


# --- issuing and revoking --------------------------------------------------------------------


def test_reissue_revokes_the_old_badge_at_once(db: Session) -> None:
    world = build_world(db)
    child = world.own_pupil.id
    old, old_token = issue_badge(db, world.facilitator, child, secret=SECRET)
    new, new_token = issue_badge(db, world.facilitator, child, secret=SECRET)
    db.refresh(old)
    assert old.revoked_at is not None and new.revoked_at is None
    assert old_token != new_token and old.token_id != new.token_id
    assert live_badge(db, child).id == new.id
    assert (
        db.scalar(
            select(func.count())
            .select_from(Badge)
            .where(Badge.child_id == child, Badge.revoked_at.is_(None))
        )
        == 1
    )
    entries = db.scalars(select(AuditEntry).where(AuditEntry.record_type == "badge")).all()
    assert [entry.detail.get("revoked") for entry in entries] == [[], [old.id]]


def test_database_allows_one_live_badge_per_child(db: Session) -> None:
    world = build_world(db)
    issue_badge(db, OPERATOR, world.own_pupil.id, secret=SECRET)
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(Badge(token_id="z" * 16, child_id=world.own_pupil.id))
        db.flush()


def test_revoke_without_reissue(db: Session) -> None:
    world = build_world(db)
    issue_badge(db, world.admin, world.own_pupil.id, secret=SECRET)
    assert revoke_badge(db, world.admin, world.own_pupil.id) is True
    assert live_badge(db, world.own_pupil.id) is None
    assert revoke_badge(db, world.admin, world.own_pupil.id) is False


def test_badge_for_child_reuses_the_live_badge(db: Session) -> None:
    world = build_world(db)
    first, token = badge_for_child(db, OPERATOR, world.own_pupil.id, secret=SECRET)
    again, same = badge_for_child(db, OPERATOR, world.own_pupil.id, secret=SECRET)
    assert first.id == again.id and token == same
    replaced, other = badge_for_child(db, OPERATOR, world.own_pupil.id, reissue=True, secret=SECRET)
    assert replaced.id != first.id and other != token


def test_who_may_issue_badges(db: Session) -> None:
    world = build_world(db)
    child = world.own_pupil.id
    for user in (world.admin, world.facilitator, OPERATOR):
        issue_badge(db, user, child, secret=SECRET)
    for user in (world.other_facilitator, world.coordinator, world.social_worker):
        with pytest.raises(NotFound):
            issue_badge(db, user, child, secret=SECRET)
    with pytest.raises(NotFound):  # not enrolled in a group the facilitator leads
        issue_badge(db, world.facilitator, world.other_pupil.id, secret=SECRET)
    with pytest.raises(NotFound):
        issue_badge(db, world.admin, 999_999, secret=SECRET)


# --- QR images -------------------------------------------------------------------------------


def test_badge_png_decodes_to_exactly_the_token_and_nothing_personal(db: Session) -> None:
    world = build_world(db)
    child = enrol(db, world, "Anastasija", "Petrović")
    badge, token = issue_badge(db, world.facilitator, child.id, secret=SECRET)
    decoded = decode(Image.open(io.BytesIO(badge_png(token))))
    assert decoded == [token]
    # The payload is the opaque token alone: a version tag, 96 random bits and a signature.
    assert TOKEN_PATTERN.fullmatch(decoded[0])
    assert decoded[0] == f"PB1.{badge.token_id}.{decoded[0].rsplit('.', 1)[1]}"
    for personal in (
        child.given_name,
        child.family_name,
        child.birth_date.isoformat(),
        child.birth_date.strftime("%d.%m.%Y"),
        world.school.name,
    ):
        assert personal.casefold() not in decoded[0].casefold()


def test_display_names_first_names_with_initial_only_when_shared() -> None:
    names = display_names(
        [
            (1, "Ana", "Petrović"),
            (2, "Ana", "Jović"),
            (3, "Elvis", "Demiri"),
            (4, "Marko", "Popović"),
            (5, "Marko", "Perić"),
            (6, " Blerta ", "Krasniqi"),
        ]
    )
    assert names == {
        1: "Ana P.",
        2: "Ana J.",
        3: "Elvis",
        4: "Marko P. (1)",
        5: "Marko P. (2)",
        6: "Blerta",
    }


def test_latin1_fallback_keeps_names_readable() -> None:
    assert latin1_fallback("Đorđe Čedomir Šćepan Žana") == "Djordje Cedomir Scepan Zana"
    assert latin1_fallback("Ëndrit Çlirim") == "Ëndrit Çlirim"  # Latin-1 has these
    assert latin1_fallback("Љиљана Ђорђе") == "Ljiljana Djordje"
    assert latin1_fallback("Ѓорѓи Ќерка Ѕвезда") == "Gjorgji Kjerka Dzvezda"
    assert latin1_fallback("Ana").encode("latin-1") == b"Ana"


def _pdf_images(pdf: bytes) -> list[Image.Image]:
    """The QR images embedded in the PDF (fpdf2 stores 1-bit images as CCITT group 4), opened
    by wrapping each stream in a minimal TIFF."""
    images = []
    pattern = re.compile(rb"<<(?:(?!>>\nstream).)*?/Subtype /Image.*?>>\nstream\n", re.S)
    for match in pattern.finditer(pdf):
        header = match.group(0)
        width = int(re.search(rb"/Width (\d+)", header).group(1))
        height = int(re.search(rb"/Height (\d+)", header).group(1))
        length = int(re.search(rb"/Length (\d+)", header).group(1))
        assert b"/CCITTFaxDecode" in header and b"/K -1" in header
        data = pdf[match.end() : match.end() + length]
        images.append(_ccitt_g4_image(data, width, height))
    return images


def _ccitt_g4_image(data: bytes, width: int, height: int) -> Image.Image:
    tags = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, 1),  # BitsPerSample
        (259, 3, 4),  # Compression: CCITT T.6 (group 4)
        (262, 3, 0),  # WhiteIsZero, as BlackIs1 says
        (273, 4, 0),  # StripOffsets, filled in below
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, len(data)),  # StripByteCounts
    ]
    offset = 8 + 2 + 12 * len(tags) + 4
    ifd = struct.pack("<H", len(tags))
    for tag, kind, value in tags:
        ifd += struct.pack("<HHII", tag, kind, 1, offset if tag == 273 else value)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + data
    image = Image.open(io.BytesIO(tiff))
    image.load()
    return image


def _pdf_text(pdf: bytes) -> bytes:
    """Every stream of the PDF, inflated where it is compressed."""
    chunks = []
    for match in re.finditer(rb"stream\n(.*?)\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            chunks.append(match.group(1))
    return b"\n".join(chunks)


@pytest.fixture
def sheet_world(db: Session) -> tuple[World, list[Child]]:
    world = build_world(db)
    names = [
        ("Đorđe", "Marković"),
        ("Čedomir", "Ćirić"),
        ("Šćepan", "Žižić"),
        ("Ëndrit", "Berisha"),
        ("Çlirim", "Gashi"),
        ("Љиљана", "Јовановић"),
        ("Ана", "Стојановска"),
        ("Ana", "Jović"),
        ("Mila", "Nikolić"),
        ("Luka", "Ilić"),
        ("Sara", "Lukić"),
        ("Vuk", "Tomić"),
    ]
    children = [world.own_pupil] + [enrol(db, world, given, family) for given, family in names]
    return world, children  # 13 children: two pages


def test_badge_sheet_issues_missing_badges_and_reprints_existing(
    db: Session, sheet_world: tuple[World, list[Child]]
) -> None:
    world, children = sheet_world
    kept, kept_token = issue_badge(db, world.facilitator, children[1].id, secret=SECRET)
    group, printed = sheet_badges(db, world.facilitator, world.group.id, secret=SECRET)
    assert group.id == world.group.id
    assert sorted(badge.child_id for badge in printed) == sorted(child.id for child in children)
    assert kept_token in {badge.token for badge in printed}  # reprinted, not replaced
    db.refresh(kept)
    assert kept.revoked_at is None
    live = db.scalar(select(func.count()).select_from(Badge).where(Badge.revoked_at.is_(None)))
    assert live == len(children)
    # Printing again issues nothing new.
    _group, again = sheet_badges(db, world.facilitator, world.group.id, secret=SECRET)
    assert {badge.token for badge in again} == {badge.token for badge in printed}
    # Labels are first names; the two Anas ("Ana" and "Ана" differ) and no family names.
    labels = {badge.child_id: badge.label for badge in printed}
    by_id = {child.id: child for child in children}
    for child_id, label in labels.items():
        assert label.split(" ")[0] == by_id[child_id].given_name
        assert by_id[child_id].family_name not in label
    assert labels[world.own_pupil.id] == "Ana P." and labels[children[8].id] == "Ana J."


def test_badge_sheet_permissions(db: Session, sheet_world: tuple[World, list[Child]]) -> None:
    world, _children = sheet_world
    for user in (world.other_facilitator, world.coordinator, world.social_worker):
        with pytest.raises(PermissionDenied):
            badge_sheet_pdf(db, user, world.group.id, secret=SECRET)
    with pytest.raises(NotFound):
        badge_sheet_pdf(db, world.admin, 999_999, secret=SECRET)
    assert badge_sheet_pdf(db, world.admin, world.group.id, secret=SECRET).startswith(b"%PDF")


def test_badge_sheet_pdf_embeds_one_decodable_qr_per_child(
    db: Session, sheet_world: tuple[World, list[Child]]
) -> None:
    world, children = sheet_world
    pdf = badge_sheet_pdf(db, world.facilitator, world.group.id, secret=SECRET)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\n", pdf)) == 2  # 12 badges a page, 13 children
    tokens = {badge_token(SECRET, badge.token_id) for badge in db.scalars(select(Badge))}
    images = _pdf_images(pdf)
    assert len(images) == len(children)
    decoded = [decode(image) for image in images]
    assert all(len(texts) == 1 for texts in decoded)
    assert {texts[0] for texts in decoded} == tokens
    if badges.unicode_font_available():
        assert b"DejaVu" in pdf


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no PDF rasteriser (poppler-utils)")
def test_badge_sheet_page_rasterised_and_cropped_decodes(
    db: Session, sheet_world: tuple[World, list[Child]], tmp_path: Path
) -> None:
    world, _children = sheet_world
    group, printed = sheet_badges(db, world.facilitator, world.group.id, secret=SECRET)
    pdf_path = tmp_path / "sheet.pdf"
    pdf_path.write_bytes(badges.render_sheet(group.name, printed))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("page*.png")))
    scale = page.width / badges.PAGE_WIDTH  # pixels per mm
    cell_w = (badges.PAGE_WIDTH - 2 * badges.MARGIN) / badges.COLUMNS
    cell_h = (badges.PAGE_HEIGHT - 2 * badges.MARGIN) / badges.ROWS
    for slot in (0, 4, 11):  # first, middle and last badge of the page
        x = badges.MARGIN + (slot % badges.COLUMNS) * cell_w
        y = badges.MARGIN + (slot // badges.COLUMNS) * cell_h
        crop = page.crop(tuple(round(v * scale) for v in (x, y, x + cell_w, y + cell_h)))
        assert decode(crop) == [printed[slot].token]


@pytest.mark.parametrize("unicode_font", [True, False])
def test_badge_sheet_fonts(
    db: Session,
    sheet_world: tuple[World, list[Child]],
    monkeypatch: pytest.MonkeyPatch,
    unicode_font: bool,
) -> None:
    world, children = sheet_world
    if unicode_font and not badges.unicode_font_available():
        pytest.skip("DejaVu Sans is not installed")
    monkeypatch.setattr(badges, "unicode_font_available", lambda: unicode_font)
    pdf = badge_sheet_pdf(db, world.facilitator, world.group.id, secret=SECRET)
    assert len(_pdf_images(pdf)) == len(children)
    if not unicode_font:  # core font: the text is readable in the content streams
        text = _pdf_text(pdf)
        for label in (
            b"Djordje",
            b"Cedomir",
            b"Scepan",
            "Ëndrit".encode("latin-1"),
            "Çlirim".encode("latin-1"),
            b"Ljiljana",
            b"Ana P.",
            b"Ana J.",
            b"Parliament A",
        ):
            assert label in text, label
        for child in children:
            family = latin1_fallback(child.family_name).encode("latin-1")
            assert family not in text, family


def test_empty_group_sheet(db: Session) -> None:
    world = build_world(db)
    db.execute(Enrolment.__table__.delete())
    pdf = badge_sheet_pdf(db, world.facilitator, world.group.id, secret=SECRET)
    assert pdf.startswith(b"%PDF") and _pdf_images(pdf) == []


def test_settings_secret_is_the_default(db: Session, settings: Settings, monkeypatch) -> None:
    monkeypatch.setattr(badges, "get_settings", lambda: settings)
    world = build_world(db)
    badge, token = issue_badge(db, OPERATOR, world.own_pupil.id)
    assert parse_badge_token(settings.secret_key, token) == badge.token_id
