"""What an import hands back: the table read, the column mapping, row errors, duplicates, the plan
and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from parliament_app.children.register_import.fields import REQUIRED_FIELDS, _name_key
from parliament_app.core.errors import ValidationError


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


def _key(values: dict[str, Any]) -> tuple[str, str, date]:
    return (
        _name_key(values["given_name"]),
        _name_key(values["family_name"]),
        values["birth_date"],
    )
