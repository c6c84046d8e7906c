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

The operator at the command line (``OPERATOR``) may import for any school.

Messages are translated and never carry a child's name; rows are named by number.

Modules: ``fields`` (what a register may hold and how headers name it), ``reading`` (files),
``planning`` (mapping, parsing, checking), ``committing`` and ``results`` (what callers get).
"""

from __future__ import annotations

from parliament_app.children.register_import.committing import commit_import
from parliament_app.children.register_import.fields import (
    FIELD_LABELS,
    FIELDS,
    IGNORE,
    REQUIRED_FIELDS,
    field_choices,
    normalise_header,
)
from parliament_app.children.register_import.planning import plan_import
from parliament_app.children.register_import.reading import read_register
from parliament_app.children.register_import.results import (
    ColumnMapping,
    Duplicate,
    ImportPlan,
    ImportRejected,
    ImportResult,
    PlannedRow,
    RawTable,
    RowError,
)

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
