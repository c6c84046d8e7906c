"""Pupil register import: a school's spreadsheet (CSV or XLSX) read, previewed, then committed.

Three steps, so nothing is written before a person has seen the preview:

1. ``read_register(data, filename)`` turns the uploaded bytes into a ``RawTable`` (cells as the
   file holds them). CSV comes in the encodings schools really use: UTF-8 with or without BOM,
   UTF-16 (Excel's "Unicode text"), Windows-1250 (Latin with č ć š ž đ, Albanian ë ç) and
   Windows-1251 (Cyrillic); comma, semicolon or tab delimited. XLSX is read from its first sheet.
2. ``plan_import(session, user, school_id, table, mapping_overrides)`` finds the header row, maps
   headers written in any of the platform's languages to fields, parses every row and reports
   per-row errors and duplicates (within the file, and against the school's children).
3. ``commit_import(session, user, plan, consent_confirmed=True)`` writes the pupils, each with
   a guardian and that guardian's participation consent, all or nothing, with one audit entry.

``user`` None means an operator at the command line: it may import for any school.

Messages are translated and never carry a child's name; rows are named by number.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from parliament_app import audit
from parliament_app.clock import local_today
from parliament_app.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.i18n import N_, _
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    ChildGuardian,
    Consent,
    ConsentScope,
    Gender,
    Guardian,
    GuardianRelationship,
    Organisation,
    OrganisationKind,
    Role,
    SocioEconomicBand,
    User,
    utcnow,
)
from parliament_app.permissions import Action, may
from parliament_app.services.children import MAX_AGE, MIN_AGE

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "IGNORE",
    "REQUIRED_FIELDS",
    "ColumnMapping",
    "Duplicate",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "PlannedRow",
    "RawTable",
    "RowError",
    "commit_import",
    "field_choices",
    "normalise_header",
    "plan_import",
    "read_register",
]

FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "school_class",
    "guardian_given_name",
    "guardian_family_name",
    "guardian_phone",
    "residence_area",
    "home_language",
)
# The guardian's name is required too: the participation consent that makes a registration
# lawful is a guardian's, and the platform records it against a named guardian (as
# register_child does). When only a first name is given, the child's family name is used.
REQUIRED_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "gender",
    "guardian_given_name",
)
IGNORE = "ignore"  # a mapping target: the column is read but not imported

FIELD_LABELS: dict[str, str] = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "birth_date": N_("Birth date"),
    "gender": N_("Gender"),
    "school_class": N_("Class"),
    "guardian_given_name": N_("Guardian's given name"),
    "guardian_family_name": N_("Guardian's family name"),
    "guardian_phone": N_("Guardian's phone"),
    "residence_area": N_("Place of residence"),
    "home_language": N_("Home language"),
}
# Column widths of the tables the values go to (parliament_app.models.children).
_MAX_LENGTHS = {
    "given_name": 80,
    "family_name": 80,
    "school_class": 20,
    "guardian_given_name": 80,
    "guardian_family_name": 80,
    "guardian_phone": 40,
    "residence_area": 120,
}
MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 50_000
_HEADER_SEARCH_ROWS = 10  # title lines a school may put above the header row
_FLUSH_EVERY = 1000  # rows written per flush at commit

# --- header synonyms --------------------------------------------------------------------------
# As schools write them, by language: en, sr (Cyrillic and Latin), bs, hr, sq, mk. Matching is
# on normalised text (see normalise_header): case, diacritics, script (Cyrillic is transliterated),
# punctuation, bracketed hints and filler words such as "učenika" / "nxënësit" do not matter.
# fmt: off
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "given_name": (
        # en
        "First name", "Given name", "Name", "Forename",
        # sr, bs, hr
        "Ime", "Ime učenika", "Ime učenice", "Ime djeteta", "Ime deteta",
        "Име", "Име ученика", "Име детета",
        # sq
        "Emri", "Emër", "Emri i nxënësit", "Emri i fëmijës",
        # mk
        "Име на ученикот", "Име на детето",
    ),
    "family_name": (
        "Surname", "Family name", "Last name",
        "Prezime", "Prezime učenika", "Prezime djeteta", "Prezime deteta",
        "Презиме", "Презиме ученика",
        "Mbiemri", "Mbiemër", "Mbiemri i nxënësit",
        "Презиме на ученикот",
    ),
    "birth_date": (
        "Date of birth", "Birth date", "Birthdate", "Birthday", "DOB", "Born",
        "Datum rođenja", "Datum rodjenja", "Datum rodenja", "Dat. rođenja", "Datum rođ.",
        "Rođen", "Rođena", "Rođen/a", "Rođen(a)",
        "Датум рођења", "Датум рођ.", "Рођен", "Рођен/а",
        "Datëlindja", "Datelindja", "Data e lindjes", "Data e lindjës", "Lindur",
        "Датум на раѓање", "Роден", "Родена", "Роден/а",
    ),
    "gender": (
        "Gender", "Sex", "M/F",
        "Pol", "Spol", "M/Ž", "Пол", "М/Ж",
        "Gjinia", "Gjini", "M/F",
    ),
    "school_class": (
        "Class", "Grade", "Form",
        "Razred", "Odjeljenje", "Odeljenje", "Razred i odjeljenje", "Razred i odeljenje",
        "Razred/odjeljenje", "Razred/odeljenje", "Odjel", "Odj.", "Raz.",
        "Разред", "Одељење", "Разред и одељење", "Разред/одељење",
        "Klasa", "Paralelja", "Paralelka", "Klasa/paralelja",
        "Одделение", "Паралелка", "Клас",
    ),
    "guardian_given_name": (
        "Parent", "Guardian", "Parent/guardian", "Parent name", "Parent's name",
        "Guardian name", "Guardian's name", "Parent first name", "Guardian first name",
        "Roditelj", "Staratelj", "Roditelj/staratelj", "Roditelj/skrbnik", "Skrbnik",
        "Ime roditelja", "Ime staratelja", "Ime roditelja/staratelja", "Ime jednog roditelja",
        "Родитељ", "Старатељ", "Родитељ/старатељ", "Име родитеља", "Име једног родитеља",
        "Prindi", "Prind", "Kujdestari", "Prindi/kujdestari", "Emri i prindit",
        "Родител", "Старател", "Родител/старател", "Име на родителот",
    ),
    "guardian_family_name": (
        "Parent surname", "Parent's surname", "Parent last name", "Guardian surname",
        "Guardian's surname", "Guardian last name",
        "Prezime roditelja", "Prezime staratelja", "Prezime roditelja/staratelja",
        "Презиме родитеља", "Презиме старатеља",
        "Mbiemri i prindit", "Mbiemri i kujdestarit",
        "Презиме на родителот",
    ),
    "guardian_phone": (
        "Phone", "Telephone", "Mobile", "Phone number", "Contact", "Contact phone",
        "Parent phone", "Parent's phone", "Guardian phone",
        "Telefon", "Tel.", "Mob.", "Mobilni", "Mobitel", "Broj telefona", "Br. telefona",
        "Kontakt", "Kontakt telefon", "Telefon roditelja",
        "Телефон", "Тел.", "Моб.", "Мобилни", "Број телефона", "Контакт", "Телефон родитеља",
        "Telefoni", "Nr. i telefonit", "Numri i telefonit", "Kontakti", "Telefoni i prindit",
        "Телефонски број", "Телефон на родителот",
    ),
    "residence_area": (
        "Address", "Residence", "Place of residence", "Area", "Neighbourhood", "Neighborhood",
        "Adresa", "Prebivalište", "Boravište", "Mjesto stanovanja", "Mesto stanovanja",
        "Naselje", "Mjesto", "Mesto",
        "Адреса", "Пребивалиште", "Место становања", "Насеље", "Место",
        "Vendbanimi", "Adresa e banimit", "Lagjja", "Fshati",
        "Живеалиште", "Место на живеење", "Населба",
    ),
    "home_language": (
        "Home language", "Language", "Mother tongue", "Language at home",
        "Jezik", "Maternji jezik", "Jezik u kući", "Jezik kod kuće",
        "Језик", "Матерњи језик", "Језик у кући",
        "Gjuha", "Gjuha amtare", "Gjuha në shtëpi",
        "Мајчин јазик", "Јазик", "Јазик дома",
    ),
}
# Columns schools keep that are known and deliberately not imported: ordinal numbers, and
# national identity numbers, which the platform does not store.
_IGNORED_HEADERS: tuple[str, ...] = (
    "No", "Nr", "#", "Rb", "R.b.", "R. br.", "Rbr", "Redni broj", "Redni br.", "Br.",
    "Ред. бр.", "Р. бр.", "Редни број", "Реден број", "Рб", "Nr. rendor", "Numri rendor",
    "JMBG", "ЈМБГ", "EMBG", "ЕМБГ", "Matični broj", "Матични број", "Numri personal",
    "Nr. personal", "ID", "Personal number",
)
# Words that only say whose name or date it is ("učenika", "nxënësit", "of the pupil").
_FILLER_WORDS = frozenset({
    "i", "e", "na", "se", "te", "s", "of", "the", "child", "childs", "pupil", "pupils",
    "student", "students", "ucenika", "ucenice", "ucenik", "ucenica", "djeteta", "deteta",
    "djece", "dece", "nxenesit", "nxenesi", "nxenesja", "femijes", "femija", "ucenikot",
    "ucenicata", "deteto",
})

_GENDER_WORDS: dict[Gender, tuple[str, ...]] = {
    Gender.MALE: (
        "m", "male", "boy", "man", "muški", "muško", "muški pol", "dečak", "dječak", "mushko",
        "мушки", "мушко", "м", "дечак", "машки", "машко", "момче",
        "mashkull", "mashk", "djalë", "djali",
    ),
    Gender.FEMALE: (
        "f", "female", "girl", "woman", "ž", "z", "ženski", "žensko", "ženski pol",
        "djevojčica", "devojčica", "djevojka", "devojka", "zhenski",
        "ж", "женски", "женско", "девојчица", "девојче", "девојка",
        "femër", "femre", "fem", "vajzë", "vajza",
    ),
    Gender.OTHER: ("other", "drugo", "друго", "tjetër", "tjeter"),
}
# Names of languages, in the six languages, to the codes Child.home_languages holds.
_LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "sr": ("sr", "srpski", "српски", "serbian", "serbisht", "serbishte", "srb"),
    "sq": ("sq", "albanski", "албански", "albanian", "shqip", "shqipe", "shqiptare", "alb"),
    "mk": ("mk", "makedonski", "македонски", "macedonian", "maqedonisht", "maqedonase"),
    "bs": ("bs", "bosanski", "босански", "bosnian", "boshnjakisht", "boshnjake"),
    "hr": ("hr", "hrvatski", "хрватски", "croatian", "kroatisht", "kroate"),
    "rom": ("rom", "romski", "ромски", "romani", "romany", "romanes", "romisht", "rome"),
    "tr": ("tr", "turski", "турски", "turkish", "türkçe", "turqisht", "turke"),
    "en": ("en", "engleski", "енглески", "англиски", "english", "anglisht", "angleze"),
}
# fmt: on
_LANGUAGE_FILLERS = frozenset({"jezik", "gjuha", "language", "jazik"})
# The language guardians are written to, from the home language, else from the country.
_GUARDIAN_LANGUAGE_BY_HOME = {"sq": "sq", "mk": "mk", "bs": "bs", "hr": "bs", "sr": "sr"}
_GUARDIAN_LANGUAGE_BY_COUNTRY = {"RS": "sr", "XK": "sq", "MK": "mk", "BA": "bs"}

# --- normalisation ----------------------------------------------------------------------------

# Serbian and Macedonian Cyrillic to plain Latin (diacritics are dropped afterwards anyway), so
# "Датум рођења" and "Datum rođenja" normalise alike.
# fmt: off
_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "ѓ": "gj", "е": "e",
        "ё": "e", "ж": "z", "з": "z", "ѕ": "dz", "и": "i", "й": "j", "ј": "j", "к": "k",
        "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "ћ": "c", "ќ": "kj", "у": "u", "ф": "f", "х": "h", "ц": "c",
        "ч": "c", "џ": "dz", "ш": "s", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ь": "",
        "ъ": "", "щ": "sc", "і": "i", "ї": "i", "є": "e",
    }
)
# fmt: on
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Lower case, Latin script, no diacritics, words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_CYRILLIC).replace("đ", "dj").replace("ß", "ss")
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalise_header(text: str) -> str:
    """The key a header is matched on: "Datum rođenja (dd.mm.gggg)*" -> "datum rodjenja".

    Case, diacritics, Cyrillic or Latin script, punctuation (". : * / -"), bracketed hints and
    filler words ("učenika", "nxënësit") do not matter.
    """
    plain = _plain(_BRACKETED.sub(" ", str(text)))
    words = [word for word in plain.split() if word not in _FILLER_WORDS]
    return " ".join(words) or plain


def _name_key(text: str) -> str:
    """How names are compared for duplicates: "Đorđe Petrović" = "ĐORĐE PETROVIC" = "Ђорђе"."""
    return _plain(text)


def _table(words: dict[Any, tuple[str, ...]], key=_plain) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for value, spellings in words.items():
        for spelling in spellings:
            normalised = key(spelling)
            if table.setdefault(normalised, value) != value:
                raise RuntimeError(f"{spelling!r} means both {table[normalised]} and {value}")
    return table


_HEADER_FIELDS: dict[str, str] = _table(_SYNONYMS, normalise_header)
_IGNORED_KEYS = frozenset(normalise_header(header) for header in _IGNORED_HEADERS) - {""}
_GENDERS: dict[str, Gender] = _table(_GENDER_WORDS)
_LANGUAGES: dict[str, str] = _table(_LANGUAGE_WORDS)
if clash := _IGNORED_KEYS & set(_HEADER_FIELDS):
    raise RuntimeError(f"headers both ignored and imported: {sorted(clash)}")


# --- results ----------------------------------------------------------------------------------


class ImportRejected(ValidationError):
    """The file, the mapping or the commit is refused as a whole; ``message`` is translated."""


@dataclass(frozen=True)
class RawTable:
    """The cells of a register as read: ``rows[i]`` is spreadsheet row ``i + 1``.

    Cells are strings (CSV) or what the workbook holds (str, int, float, datetime, None).
    Trailing empty rows and trailing empty cells are dropped; empty rows inside are kept (as
    empty lists) so row numbers stay those the school sees.
    """

    rows: list[list[Any]]
    source: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class RowError:
    """``row`` is the spreadsheet row number (the header is usually row 1, the first pupil
    row 2); None for a problem with the file as a whole. ``field`` is a field name, "row" for
    the row as a whole, or "file"."""

    row: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Duplicate:
    """Row ``row`` is the same pupil (same name and birth date, same school) as an earlier row
    of the file (``first_row``) or as a child already registered (``existing_child_id``)."""

    row: int
    first_row: int | None = None
    existing_child_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "first_row": self.first_row,
            "existing_child_id": self.existing_child_id,
        }


@dataclass(frozen=True)
class ColumnMapping:
    index: int  # 0-based column
    header: str
    field: str | None  # a name from FIELDS, or None (unknown or ignored)
    source: str  # "synonym", "mapping" (an override), "ignored" or "unknown"


@dataclass(frozen=True)
class PlannedRow:
    """One pupil to import: ``values`` by field name, parsed (``birth_date`` a date, ``gender``
    a Gender, ``home_language`` a tuple of codes, the rest stripped strings)."""

    row: int
    values: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, date]:
        return _key(self.values)


@dataclass
class ImportPlan:
    """What an import would do; nothing has been written. Rows are spreadsheet row numbers."""

    school_id: int
    source: str
    header_row: int | None
    columns: list[ColumnMapping]
    rows: list[PlannedRow]  # the pupils that would be imported
    errors: list[RowError]
    duplicates: list[Duplicate]
    data_rows: int  # non-empty rows below the header
    encoding: str | None = None
    delimiter: str | None = None
    guardian_language: str = "sr"

    @property
    def unknown_headers(self) -> list[str]:
        """Headers not recognised: offer them in the mapping step (``mapping_overrides``)."""
        return [column.header for column in self.columns if column.source == "unknown"]

    @property
    def ignored_headers(self) -> list[str]:
        return [column.header for column in self.columns if column.source == "ignored"]

    @property
    def mapped(self) -> dict[str, str]:
        """Field -> the header it is read from."""
        return {column.field: column.header for column in self.columns if column.field}

    @property
    def missing_fields(self) -> list[str]:
        return [name for name in REQUIRED_FIELDS if name not in self.mapped]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def summary(self) -> dict[str, Any]:
        """``{"imported": N, "duplicates": N, "errors": [...]}`` as a commit would report it."""
        return {
            "imported": 0 if self.errors else len(self.rows),
            "duplicates": len(self.duplicates),
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicates: int
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": [error.as_dict() for error in self.errors],
        }


def field_choices() -> list[tuple[str, str]]:
    """(field, translated label) for the mapping step, plus "ignore"."""
    return [(name, _(FIELD_LABELS[name])) for name in FIELDS] + [(IGNORE, _("Do not import"))]


# --- reading files ----------------------------------------------------------------------------

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


# --- planning ---------------------------------------------------------------------------------


def plan_import(
    session: Session,
    user: User | None,
    school_id: int,
    table: RawTable,
    mapping_overrides: dict[str, str] | None = None,
    *,
    today: date | None = None,
) -> ImportPlan:
    """Map, parse and check a register for one school; writes nothing.

    ``mapping_overrides`` maps a header as written in the file to a field name (or "ignore");
    it wins over the built-in synonyms. Errors are collected, not raised: a row's ``row`` is
    its spreadsheet row number as a person counts it in Excel or LibreOffice, the header row
    included (so with the header in row 1 the first pupil is row 2). Raises ImportRejected
    for a mapping naming a missing header or an unknown field, PermissionDenied when ``user``
    may not register this school's pupils, NotFound for no such school.
    """
    school = _school_for(session, user, school_id)
    today = today or local_today()
    overrides = _normalised_overrides(mapping_overrides or {})
    header_index = _find_header(table.rows, overrides)
    errors: list[RowError] = []
    columns: list[ColumnMapping] = []
    header_row: int | None = None
    if header_index is not None:
        header_row = header_index + 1
        columns, header_errors = _map_columns(table.rows[header_index], overrides, header_row)
        errors += header_errors
    elif overrides:
        _map_columns([], overrides, 0)  # reports the first override that matches nothing
    by_field = {column.field: column.index for column in columns if column.field}
    width = len(table.rows[header_index]) if header_index is not None else 0

    planned: list[PlannedRow] = []
    data_rows = 0
    if header_index is not None:
        for index in range(header_index + 1, len(table.rows)):
            cells = table.rows[index]
            if not any(not _blank(cell) for cell in cells):
                continue
            data_rows += 1
            row = index + 1
            values, row_errors = _parse_row(cells, by_field, width, row, today)
            errors += row_errors
            if not row_errors:
                planned.append(PlannedRow(row, values))
    if data_rows > MAX_ROWS:
        raise _too_many_rows()
    if header_index is not None and not data_rows:
        errors.append(RowError(None, "file", _("The file has a header row but no pupils.")))
    if header_index is not None:
        message = _("No column for “{field}” was found. Map one of the file's columns to it.")
        errors[:0] = [
            RowError(header_row, name, message.format(field=_(FIELD_LABELS[name])))
            for name in REQUIRED_FIELDS
            if name not in by_field
        ]
    existing = _existing_keys(session, school.id)
    rows, duplicates = _without_duplicates(planned, existing)
    errors.sort(key=lambda error: error.row or 0)
    return ImportPlan(
        school_id=school.id,
        source=table.source,
        header_row=header_row,
        columns=columns,
        rows=rows,
        errors=errors,
        duplicates=duplicates,
        data_rows=data_rows,
        encoding=table.encoding,
        delimiter=table.delimiter,
        guardian_language=_GUARDIAN_LANGUAGE_BY_COUNTRY.get(school.municipality.country_code, "sr"),
    )


def _school_for(session: Session, user: User | None, school_id: int) -> Organisation:
    """The school, if ``user`` may import its register: its own coordinators, administrators
    and operators (``user`` None)."""
    school = session.get(Organisation, school_id)
    if school is None:
        raise NotFound(_("No such organisation."))
    if user is not None:
        allowed = user.role == Role.ADMINISTRATOR or (
            user.role == Role.SCHOOL_COORDINATOR and user.organisation_id == school.id
        )
        if not (allowed and may(session, user, Action.CREATE_CHILD, Child(school_id=school.id))):
            raise PermissionDenied(_("You do not have permission to do this."))
    if school.kind != OrganisationKind.SCHOOL:
        raise ValidationError(_("Please choose a school."), "school")
    return school


def _normalised_overrides(overrides: dict[str, str]) -> dict[str, tuple[str, str]]:
    """normalised header -> (header as given, field)."""
    result: dict[str, tuple[str, str]] = {}
    for header, target in overrides.items():
        name = target.strip().lower()
        if name not in FIELDS and name != IGNORE:
            raise ImportRejected(
                _("“{field}” is not a field that can be imported. Use one of: {fields}.").format(
                    field=target, fields=", ".join((*FIELDS, IGNORE))
                ),
                "mapping",
            )
        result[normalise_header(header)] = (header, name)
    return result


def _find_header(rows: list[list[Any]], overrides: dict[str, tuple[str, str]]) -> int | None:
    """The header row: the first of the first non-empty rows naming at least two known
    columns (schools put titles above it), else the first non-empty row."""
    candidates = [index for index, cells in enumerate(rows) if cells][:_HEADER_SEARCH_ROWS]
    for index in candidates:
        keys = {normalise_header(_text(cell)) for cell in rows[index]}
        if len(keys & (set(_HEADER_FIELDS) | set(overrides))) >= 2:
            return index
    return candidates[0] if candidates else None


def _map_columns(
    header: Sequence[Any], overrides: dict[str, tuple[str, str]], header_row: int
) -> tuple[list[ColumnMapping], list[RowError]]:
    columns: list[ColumnMapping] = []
    errors: list[RowError] = []
    used: set[str] = set()
    for index, cell in enumerate(header):
        text = _text(cell)
        key = normalise_header(text)
        if not key:
            continue  # an empty header: nothing to import from this column
        if key in overrides:
            used.add(key)
            target = overrides[key][1]
            if target == IGNORE:
                columns.append(ColumnMapping(index, text, None, "ignored"))
            else:
                columns.append(ColumnMapping(index, text, target, "mapping"))
        elif key in _HEADER_FIELDS:
            columns.append(ColumnMapping(index, text, _HEADER_FIELDS[key], "synonym"))
        elif key in _IGNORED_KEYS:
            columns.append(ColumnMapping(index, text, None, "ignored"))
        else:
            columns.append(ColumnMapping(index, text, None, "unknown"))
    for key, (given, _target) in overrides.items():
        if key not in used:
            raise ImportRejected(
                _("There is no column “{header}” in the file.").format(header=given), "mapping"
            )
    # One column per field. An explicit mapping wins over a synonym; two of a kind are an error.
    resolved: list[ColumnMapping] = []
    taken: dict[str, ColumnMapping] = {}
    for column in sorted(columns, key=lambda column: column.source != "mapping"):
        if column.field is None:
            resolved.append(column)
            continue
        first = taken.get(column.field)
        if first is None:
            taken[column.field] = column
            resolved.append(column)
        elif first.source == "mapping" and column.source == "synonym":
            resolved.append(ColumnMapping(column.index, column.header, None, "unknown"))
        else:
            errors.append(
                RowError(
                    header_row,
                    column.field,
                    _(
                        "The columns “{first}” and “{second}” both hold “{field}”. Map one of "
                        "them to another field, or to “ignore”."
                    ).format(
                        first=first.header,
                        second=column.header,
                        field=_(FIELD_LABELS[column.field]),
                    ),
                )
            )
            resolved.append(ColumnMapping(column.index, column.header, None, "unknown"))
    resolved.sort(key=lambda column: column.index)
    return resolved, errors


def _text(cell: Any) -> str:
    """A cell as text: whitespace collapsed, 5.0 -> "5", a date cell -> ISO date."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return " ".join(str(cell).split())


def _parse_row(
    cells: list[Any], by_field: dict[str, int], width: int, row: int, today: date
) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []

    def fail(name: str, message: str) -> None:
        errors.append(RowError(row, name, message))

    if width and any(not _blank(cell) for cell in cells[width:]):
        fail("row", _("This row has more cells than the header row has columns."))

    def cell(name: str) -> Any:
        index = by_field.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    values: dict[str, Any] = {}
    for name in ("given_name", "family_name"):
        text = _text(cell(name))
        if not text:
            fail(name, _("Please enter the child's given and family name."))
        else:
            _check_name(text, name, fail)
        values[name] = text
    values["birth_date"] = _parse_birth_date(cell("birth_date"), today, fail)
    values["gender"] = _parse_gender(cell("gender"), fail)
    for name in ("school_class", "residence_area"):
        values[name] = _text(cell(name))
        _check_length(values[name], name, fail)
    phone = _text(cell("guardian_phone"))
    if phone and (not _PHONE.match(phone) or sum(char.isdigit() for char in phone) < 6):
        fail("guardian_phone", _("This does not look like a phone number."))
    else:
        _check_length(phone, "guardian_phone", fail)
    values["guardian_phone"] = phone
    values["guardian_given_name"], values["guardian_family_name"] = _guardian_name(
        _text(cell("guardian_given_name")),
        _text(cell("guardian_family_name")),
        values["family_name"],
        fail,
    )
    values["home_language"] = _parse_languages(_text(cell("home_language")), fail)
    # A required column missing altogether is one error at the header, not one on every row.
    return values, [
        error for error in errors if error.field in by_field or error.field not in REQUIRED_FIELDS
    ]


_PHONE = re.compile(r"^\+?[\d\s/().,;-]+$")


def _check_length(text: str, name: str, fail) -> bool:
    limit = _MAX_LENGTHS.get(name)
    if limit is not None and len(text) > limit:
        fail(name, _("This is longer than {limit} characters.").format(limit=limit))
        return False
    return True


def _check_name(text: str, name: str, fail) -> None:
    if any(char.isdigit() for char in text) or not any(char.isalpha() for char in text):
        fail(name, _("This does not look like a name (it has digits, or no letters)."))
    else:
        _check_length(text, name, fail)


def _guardian_name(given: str, family: str, child_family: str, fail) -> tuple[str, str]:
    """A register often has one "Parent" column: "Marko" (then the child's family name is
    used) or "Marko Petrović" (split at the last space) when no family-name column is given."""
    if not given:
        fail("guardian_given_name", _("Please enter the guardian's name."))
        return "", family
    if not family:
        if " " in given:
            given, family = given.rsplit(" ", 1)
        else:
            family = child_family
    for name, text in (("guardian_given_name", given), ("guardian_family_name", family)):
        if text:
            _check_name(text, name, fail)
    return given, family


_DMY = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})$")
_TIME = re.compile(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_YEAR_WORD = re.compile(r"\s*(godine|god|g|године|год|г|viti)\s*\.?$", re.IGNORECASE)


def _parse_birth_date(cell: Any, today: date, fail) -> date | None:
    """15.03.2014, 15.03.2014., 15. 03. 2014, 15/03/2014, 15-03-2014, 2014-03-15 and date
    cells (or Excel serial numbers); always day before month."""
    if _blank(cell):
        fail("birth_date", _("Please enter the birth date."))
        return None
    value: date | None = None
    shown = _text(cell)
    if isinstance(cell, datetime):
        value = cell.date()
    elif isinstance(cell, date):
        value = cell
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        value = _excel_serial(float(cell))
    else:
        text = _YEAR_WORD.sub("", _TIME.sub("", unicodedata.normalize("NFKC", shown)))
        text = text.strip().rstrip(".").strip()
        parts = None
        if match := _DMY.match(text):
            parts = int(match[3]), int(match[2]), int(match[1])
        elif match := _YMD.match(text):
            parts = int(match[1]), int(match[2]), int(match[3])
        if parts is None:
            fail(
                "birth_date",
                _("“{value}” is not a date. Write dates like 15.03.2014 or 2014-03-15.").format(
                    value=shown
                ),
            )
            return None
        try:
            value = date(*parts)
        except ValueError:
            fail("birth_date", _("“{value}” is not a real date.").format(value=shown))
            return None
    if value is None:
        fail(
            "birth_date",
            _("“{value}” is not a date. Write dates like 15.03.2014 or 2014-03-15.").format(
                value=shown
            ),
        )
        return None
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if not MIN_AGE <= age <= MAX_AGE:
        fail(
            "birth_date",
            _(
                "The birth date gives an age of {age}; the programme is for children aged "
                "{low} to {high}."
            ).format(age=age, low=MIN_AGE, high=MAX_AGE),
        )
        return None
    return value


def _excel_serial(number: float) -> date | None:
    """A date typed into a cell formatted as a number: days since 1899-12-30 (Excel)."""
    from openpyxl.utils.datetime import from_excel

    if not 1 <= number < 2958466:
        return None
    try:
        moment = from_excel(number)
    except (ValueError, OverflowError):
        return None
    return moment.date() if isinstance(moment, datetime) else None


def _parse_gender(cell: Any, fail) -> Gender | None:
    text = _text(cell)
    if not text:
        fail("gender", _("Please enter the gender."))
        return None
    key = _plain(text)
    gender = _GENDERS.get(key) or _GENDERS.get(key.split(" ")[0] if key else "")
    if gender is None:
        fail(
            "gender",
            _("“{value}” is not a gender this import recognises: write M or F (Ž).").format(
                value=text
            ),
        )
    return gender


_LANGUAGE_SEPARATORS = re.compile(r"[,;/+&]|\s(?:i|и|dhe|and)\s", re.IGNORECASE)


def _parse_languages(text: str, fail) -> tuple[str, ...]:
    codes: list[str] = []
    for part in _LANGUAGE_SEPARATORS.split(text):
        words = [word for word in _plain(part).split() if word not in _LANGUAGE_FILLERS]
        if not words:
            continue
        code = _LANGUAGES.get(" ".join(words))
        if code is None:
            fail(
                "home_language",
                _("“{value}” is not a language this import recognises.").format(value=part.strip()),
            )
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _key(values: dict[str, Any]) -> tuple[str, str, date]:
    return (
        _name_key(values["given_name"]),
        _name_key(values["family_name"]),
        values["birth_date"],
    )


def _existing_keys(session: Session, school_id: int) -> dict[tuple[str, str, date], int]:
    """The school's children by duplicate key, in one query."""
    rows = session.execute(
        select(Child.id, Child.given_name, Child.family_name, Child.birth_date)
        .where(Child.school_id == school_id)
        .order_by(Child.id)
    )
    keys: dict[tuple[str, str, date], int] = {}
    for child_id, given, family, born in rows:
        keys.setdefault((_name_key(given), _name_key(family), born), child_id)
    return keys


def _without_duplicates(
    rows: Iterable[PlannedRow], existing: dict[tuple[str, str, date], int]
) -> tuple[list[PlannedRow], list[Duplicate]]:
    kept: list[PlannedRow] = []
    duplicates: list[Duplicate] = []
    seen: dict[tuple[str, str, date], int] = {}
    for planned in rows:
        key = planned.key
        if key in existing:
            duplicates.append(Duplicate(planned.row, existing_child_id=existing[key]))
        elif key in seen:
            duplicates.append(Duplicate(planned.row, first_row=seen[key]))
        else:
            seen[key] = planned.row
            kept.append(planned)
    return kept, duplicates


# --- committing -------------------------------------------------------------------------------


def commit_import(
    session: Session, user: User | None, plan: ImportPlan, *, consent_confirmed: bool = False
) -> ImportResult:
    """Register every planned pupil with a guardian and the guardian's participation consent.

    ``consent_confirmed`` is the importer's statement that the school holds the guardians'
    signed consents to participation for these pupils; without it nothing is imported. All or
    nothing: the rows are written inside a SAVEPOINT, and any failure rolls all of them back
    and re-raises. Pupils registered since the plan was made are counted as duplicates.
    One audit entry (record type "register_import") records the counts.
    """
    school = _school_for(session, user, plan.school_id)
    if plan.errors:
        raise ImportRejected(
            _(
                "The register still has errors, so nothing was imported. Please correct them "
                "and try again."
            ),
            "errors",
        )
    if not consent_confirmed:
        raise ImportRejected(
            _(
                "Please confirm that the school holds the guardians' signed consents to "
                "participation for these pupils."
            ),
            "consent",
        )
    # One import per school at a time (PostgreSQL row lock; SQLite serialises writers anyway),
    # so a second click on "Import" finds the first one's pupils and reports them as duplicates.
    session.execute(select(Organisation.id).where(Organisation.id == school.id).with_for_update())
    rows, late_duplicates = _without_duplicates(plan.rows, _existing_keys(session, school.id))
    actor_id = user.id if user is not None else None
    now = utcnow()
    with session.begin_nested():  # rolled back, and the error re-raised, on any failure
        imported = 0
        for start in range(0, len(rows), _FLUSH_EVERY):
            pairs = [
                _register_row(actor_id, school, planned, plan.guardian_language)
                for planned in rows[start : start + _FLUSH_EVERY]
            ]
            child_ids = _insert(session, Child, [child for child, _guardian in pairs])
            guardian_ids = _insert(session, Guardian, [guardian for _child, guardian in pairs])
            links = list(zip(child_ids, guardian_ids, strict=True))
            session.execute(
                insert(ChildGuardian),
                [
                    {
                        "child_id": child_id,
                        "guardian_id": guardian_id,
                        "relationship_kind": GuardianRelationship.OTHER,
                    }
                    for child_id, guardian_id in links
                ],
            )
            session.execute(
                insert(Consent),
                [
                    {
                        "child_id": child_id,
                        "guardian_id": guardian_id,
                        "scope": ConsentScope.PARTICIPATION,
                        "given_at": now,
                        "withdrawn_at": None,
                        "recorded_by_id": actor_id,
                        "note": "register import",
                    }
                    for child_id, guardian_id in links
                ],
            )
            imported += len(pairs)
        duplicates = len(plan.duplicates) + len(late_duplicates)
        audit.record(
            session,
            user,
            AuditAction.CREATE,
            "register_import",
            school.id,
            imported=imported,
            duplicates=duplicates,
            rows=plan.data_rows,
            source=plan.source,
            consents=[ConsentScope.PARTICIPATION.value],
        )
        session.flush()
    return ImportResult(imported=imported, duplicates=duplicates)


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """One bulk INSERT; the new ids in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows).all())


def _guardian_language(home_languages: Sequence[str], default: str) -> str:
    for code in home_languages:
        if code in _GUARDIAN_LANGUAGE_BY_HOME:
            return _GUARDIAN_LANGUAGE_BY_HOME[code]
    return default


def _register_row(
    actor_id: int | None, school: Organisation, planned: PlannedRow, default_language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One pupil's child and guardian rows (register_child's rules, checked by the plan)."""
    values = planned.values
    languages = list(values["home_language"])
    now = utcnow()
    child = {
        "given_name": values["given_name"],
        "family_name": values["family_name"],
        "birth_date": values["birth_date"],
        "gender": values["gender"],
        "school_id": school.id,
        "school_class": values["school_class"],
        "municipality_id": school.municipality_id,
        "home_languages": languages,
        "residence_area": values["residence_area"],
        "community": None,  # special-category data never comes from a register
        "socio_economic_band": SocioEconomicBand.UNKNOWN,
        "care_situation": CareSituation.UNKNOWN,
        "created_at": now,
        "created_by_id": actor_id,
    }
    guardian = {
        "given_name": values["guardian_given_name"],
        "family_name": values["guardian_family_name"],
        "phone": values["guardian_phone"],
        "preferred_language": _guardian_language(languages, default_language),
        "created_at": now,
    }
    return child, guardian
