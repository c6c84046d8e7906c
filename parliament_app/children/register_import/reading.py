"""Reading a register file: XLSX or CSV in any of the region's encodings and delimiters, with
limits on size and rows and refusal of what is not text."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from typing import Any

from parliament_app.children.register_import.results import ImportRejected, RawTable
from parliament_app.core.i18n import _

MAX_BYTES = 25 * 1024 * 1024


MAX_ROWS = 50_000


_HEADER_SEARCH_ROWS = 10  # title lines a school may put above the header row


_ZIP_MAGIC = b"PK\x03\x04"


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)


def read_register(data: bytes, filename: str = "") -> RawTable:
    """Read a register file: XLSX (by its zip signature) or CSV. Raises ImportRejected."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(
            _("The file is too large to import ({size} MB; at most {limit} MB).").format(
                size=round(len(data) / 1024 / 1024, 1), limit=MAX_BYTES // 1024 // 1024
            ),
            "file",
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."), "file")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if data.startswith(_OLE_MAGIC) or suffix == "xls":
        raise ImportRejected(
            _(
                "This is an old Excel workbook (.xls). Please save it as .xlsx or as CSV and "
                "try again."
            ),
            "file",
        )
    if data.startswith(_ZIP_MAGIC) or suffix in ("xlsx", "xlsm", "ods"):
        return _read_xlsx(data)
    return _read_csv(data)


def _unreadable_spreadsheet() -> ImportRejected:
    return ImportRejected(
        _(
            "This spreadsheet could not be read. Please save it as .xlsx or as CSV (UTF-8) "
            "and try again."
        ),
        "file",
    )


def _too_many_rows() -> ImportRejected:
    return ImportRejected(
        _("The file has more than {limit} rows; please split it.").format(limit=MAX_ROWS),
        "file",
    )


def _read_xlsx(data: bytes) -> RawTable:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _unreadable_spreadsheet()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any parser failure on an uploaded file means "unreadable"
        raise _unreadable_spreadsheet() from error
    try:
        if not workbook.worksheets:
            raise _unreadable_spreadsheet()
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        try:
            for values in sheet.iter_rows(values_only=True):
                rows.append(_trim(list(values)))
                if len(rows) > MAX_ROWS + _HEADER_SEARCH_ROWS and rows[-1]:
                    raise _too_many_rows()
        except ImportRejected:
            raise
        except Exception as error:
            raise _unreadable_spreadsheet() from error
        title = sheet.title
    finally:
        workbook.close()
    rows = _drop_trailing_empty(rows)
    if not rows:
        raise ImportRejected(_("The file is empty."), "file")
    return RawTable(rows=rows, source="xlsx", sheet=title)


def _read_csv(data: bytes) -> RawTable:
    text, encoding = _decode(data)
    if not text.strip(" \t\r\n,;\"'"):  # nothing but separators, as an empty sheet saves
        raise ImportRejected(_("The file is empty."), "file")
    delimiter = _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Any]] = []
    try:
        for record in reader:
            rows.append(_trim(record))
            if len(rows) > MAX_ROWS + _HEADER_SEARCH_ROWS and rows[-1]:
                raise _too_many_rows()
    except csv.Error as error:
        raise ImportRejected(
            _("The CSV file is malformed near line {line} (check the quotation marks).").format(
                line=reader.line_num
            ),
            "file",
        ) from error
    rows = _drop_trailing_empty(rows)
    if not rows:
        raise ImportRejected(_("The file is empty."), "file")
    return RawTable(rows=rows, source="csv", encoding=encoding, delimiter=delimiter)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trim(cells: list[Any]) -> list[Any]:
    while cells and _blank(cells[-1]):
        cells.pop()
    return cells


def _drop_trailing_empty(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _unknown_encoding() -> ImportRejected:
    return ImportRejected(
        _(
            "The file's text encoding could not be recognised. Please save it as "
            "“CSV UTF-8” and try again."
        ),
        "file",
    )


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1250 or
    Windows-1251, whichever reads as plausible text (see ``_plausibility``)."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return _checked_text(data[len(bom) :].decode(encoding)), "utf-16"
            except UnicodeDecodeError as error:
                raise _unknown_encoding() from error
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked_text(data[len(codecs.BOM_UTF8) :].decode("utf-8")), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _unknown_encoding() from error
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or controls > max(2, len(data) // 200):
        raise _not_text()
    try:
        return _checked_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    scored = []
    for encoding in ("cp1250", "cp1251"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # a byte this code page does not define (e.g. 0x90, Cyrillic ђ, in 1250)
        good, bad = _plausibility(text)
        scored.append((good - bad, good, bad, encoding, text))
    if not scored:
        raise _unknown_encoding()
    # max() keeps the first of equals: Windows-1250 when nothing tells the two apart.
    score, _good, bad, encoding, text = max(scored, key=lambda item: item[:2])
    # Neither reads as text: UTF-8 damaged by an editor, or yet another code page.
    if bad and score <= 0:
        raise _unknown_encoding()
    return _checked_text(text), encoding


_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 13))


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode "Cc"


def _not_text() -> ImportRejected:
    return ImportRejected(
        _("This file is neither a spreadsheet (.xlsx) nor a text (CSV) file."), "file"
    )


def _checked_text(text: str) -> str:
    """Refuse decoded text full of control characters: binary data that happened to decode."""
    controls = len(_CONTROL_CHARACTERS.findall(text))
    if controls > max(2, len(text) // 200):
        raise _not_text()
    return text


_WORD = re.compile(r"[^\W\d_]+")


_LATIN_INITIALS = frozenset("ČĆŠŽĐËÇ")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _plausibility(text: str) -> tuple[int, int]:
    """(good, bad) letter counts over the words holding non-ASCII letters.

    Good: a Cyrillic word (all Cyrillic letters), or a Latin word with ASCII letters and a few
    diacritics ("Petrović", "Dëshira"). Bad: a word mixing Cyrillic and Latin letters, which is
    what Windows-1250 Latin (č ć š ž đ ë ç) turns into when read as Windows-1251
    ("Petroviж"), and a word made only of accented Latin letters, which is what Windows-1251
    Cyrillic turns into when read as Windows-1250 ("Ďĺňđîâč"). ASCII words read the same in
    both and are not counted.
    """
    good = bad = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        cyrillic = sum(1 for char in word if _is_cyrillic(char))
        ascii_letters = sum(1 for char in word if char.isascii())
        if cyrillic == len(word):
            good += len(word)
        elif cyrillic:
            bad += 2 * len(word)
        elif ascii_letters:
            good += len(word)
        elif len(word) == 1 and word.upper() in _LATIN_INITIALS:
            good += 1
        else:
            bad += 2 * len(word)
    return good, bad


def _detect_delimiter(text: str) -> str:
    """csv.Sniffer restricted to comma, semicolon and tab, checked against how consistently
    each splits the first lines (the sniffer alone is easily misled by commas in values)."""
    lines = [line for line in text.splitlines() if line.strip()][:50]
    sample = "\n".join(lines)
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        sniffed = None
    scores: dict[str, tuple[bool, float, int]] = {}
    for delimiter in ",;\t":
        try:
            widths = [
                len(_trim(row))
                for row in csv.reader(io.StringIO(sample), delimiter=delimiter)
                if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        scores[delimiter] = (width > 1, count / len(widths), width)
    if not scores:
        return ","
    best = max(scores, key=lambda delimiter: scores[delimiter])
    if sniffed in scores and scores[sniffed][0] and scores[sniffed][1] >= scores[best][1]:
        return sniffed
    return best
