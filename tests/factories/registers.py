"""Register files as a school exports them."""

from __future__ import annotations

from parliament_app.children.register_import import (
    RawTable,
    read_register,
)
from tests.import_corpus.corpus import (
    csv_bytes,
)

HEADER = ["Ime", "Prezime", "Datum rođenja", "Pol", "Roditelj"]


def register(*rows: list[object], header: list[str] | None = None) -> RawTable:
    return read_register(csv_bytes([header or HEADER, *rows], delimiter=";"), "register.csv")
