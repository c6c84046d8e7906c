"""Planning an import: finding the header row, mapping columns to fields, parsing and checking
every row, and finding duplicates, without writing anything."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parliament_app.children.register_import.fields import (
    _GENDERS,
    _GUARDIAN_LANGUAGE_BY_COUNTRY,
    _HEADER_FIELDS,
    _IGNORED_KEYS,
    _LANGUAGE_FILLERS,
    _LANGUAGES,
    _MAX_LENGTHS,
    FIELD_LABELS,
    FIELDS,
    IGNORE,
    REQUIRED_FIELDS,
    _name_key,
    _plain,
    normalise_header,
)
from parliament_app.children.register_import.reading import (
    _HEADER_SEARCH_ROWS,
    MAX_ROWS,
    _blank,
    _too_many_rows,
)
from parliament_app.children.register_import.results import (
    ColumnMapping,
    Duplicate,
    ImportPlan,
    ImportRejected,
    PlannedRow,
    RawTable,
    RowError,
)
from parliament_app.core.actors import Actor, is_active_user, is_operator
from parliament_app.core.clock import local_today
from parliament_app.core.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.core.i18n import _
from parliament_app.models import (
    Child,
    Gender,
    Organisation,
    OrganisationKind,
    Role,
)
from parliament_app.models.children import MAX_AGE, MIN_AGE
from parliament_app.policy.access import Action, may


def plan_import(
    session: Session,
    user: Actor,
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


def _school_for(session: Session, user: Actor, school_id: int) -> Organisation:
    """The school, if ``user`` may import its register: its own coordinators, administrators
    and the operator."""
    school = session.get(Organisation, school_id)
    if school is None:
        raise NotFound(_("No such organisation."))
    if not is_operator(user):
        allowed = is_active_user(user) and (
            user.role == Role.ADMINISTRATOR
            or (user.role == Role.SCHOOL_COORDINATOR and user.organisation_id == school.id)
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
