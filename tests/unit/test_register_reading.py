"""Reading register files without a database: formats, code pages, delimiters and header names."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parliament_app.children.register_import import (
    FIELDS,
    ImportRejected,
    field_choices,
    normalise_header,
    read_register,
    reading,
)
from parliament_app.core.errors import ValidationError
from parliament_app.core.i18n import using_language
from tests.factories.registers import HEADER
from tests.import_corpus.corpus import (
    BAD,
    GOOD,
    build_corpus,
    csv_bytes,
)
from tests.properties import examples


def test_the_corpus_can_be_written_out_for_trying_by_hand(tmp_path: Path) -> None:
    paths = build_corpus(tmp_path / "corpus")
    assert len(paths) == len(GOOD) + len(BAD)
    assert paths["register.xlsx"].read_bytes()[:2] == b"PK"


def test_trailing_empty_rows_and_cells_are_ignored() -> None:
    data = csv_bytes([HEADER, ["Ana", "Lukić", "01.01.2016", "Ž", "Mira", "", ""], [], ["", ""]])
    table = read_register(data + b"\r\n,,,,\r\n\r\n", "r.csv")
    assert table.rows[-1] == ["Ana", "Lukić", "01.01.2016", "Ž", "Mira"]
    assert len(table.rows) == 2


@pytest.mark.parametrize(
    "name,message",
    [
        ("garbage.csv", "neither a spreadsheet"),
        ("empty.csv", "The file is empty."),
        ("blank_lines.csv", "The file is empty."),
        ("bad_quotes.csv", "malformed near line 2"),
        ("legacy.xls", "old Excel workbook (.xls)"),
        ("broken.xlsx", "could not be read"),
        ("mixed_encodings.csv", "encoding could not be recognised"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(name: str, message: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        read_register(BAD[name].data, name)
    assert message in refused.value.message
    assert refused.value.field == "file"
    assert isinstance(refused.value, ValidationError)


def test_a_csv_named_xlsx_or_a_zip_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(ImportRejected, match="could not be read"):
        read_register(b"Ime;Prezime\r\nAna;Lukic\r\n", "register.xlsx")
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportRejected, match="could not be read"):
        read_register(buffer.getvalue(), "register.csv")


def test_too_large_and_too_long_files_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    with pytest.raises(ImportRejected, match="too large"):
        read_register(b"a;b\r\n" * 40, "r.csv")
    monkeypatch.setattr(reading, "MAX_BYTES", 10**7)
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    with pytest.raises(ImportRejected, match="more than 5 rows"):
        read_register(b"a;b\r\n" * 40, "r.csv")


def test_the_file_messages_are_translated() -> None:
    with using_language("sr"), pytest.raises(ImportRejected) as refused:
        read_register(b"", "empty.csv")
    assert refused.value.message  # a catalog without this message yet falls back to English


LATIN = ("bcčćdđfghjklmnprsštvzžç", "aeiouë")


CYRILLIC = ("бвгдђжзјклљмнњпрстћфхцчџшѓќѕ", "аеиоу")


def _names(letters: tuple[str, str], must_hold: str):
    consonants, vowels = letters
    syllable = st.tuples(st.sampled_from(consonants), st.sampled_from(vowels)).map("".join)
    name = (
        st.lists(syllable, min_size=1, max_size=5)
        .map(lambda syllables: "".join(syllables).capitalize())
        .filter(lambda text: must_hold != "ascii" or any(char.isascii() for char in text))
    )
    return st.lists(name, min_size=2, max_size=30)


def _rows(header: list[str], names: list[str]) -> list[list[str]]:
    return [header] + [list(pair) for pair in pairwise(names)]


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)
@given(names=_names(LATIN, "ascii"))
def test_windows_1250_latin_is_never_read_as_cyrillic(names: list[str]) -> None:
    rows = _rows(["Ime", "Prezime"], names)
    table = read_register(csv_bytes(rows, encoding="cp1250", delimiter=";"), "r.csv")
    assert table.encoding in ("cp1250", "utf-8")  # utf-8 when every name is plain ASCII
    assert table.rows == rows


@settings(max_examples=examples(200), deadline=None)
@given(names=_names(CYRILLIC, ""))
def test_windows_1251_cyrillic_is_never_read_as_latin(names: list[str]) -> None:
    rows = _rows(["Име", "Презиме"], names)
    table = read_register(csv_bytes(rows, encoding="cp1251", delimiter=";"), "r.csv")
    assert table.encoding == "cp1251"
    assert table.rows == rows


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ime;Prezime\r\nĐorđe;Đokić\r\n", "cp1250"),  # đ: 0xF0, Cyrillic р in 1251
        ("Emri;Mbiemri\r\nDëshira;Çeku\r\n", "cp1250"),  # ë ç: л з in 1251
        ("Ime;Prezime\r\nŠ.;Žižić\r\n", "cp1250"),
        ("Ime;Prezime\r\nAna;Lukic\r\n", "utf-8"),  # plain ASCII is valid UTF-8
        ("Име;Презиме\r\nЋира;Ђурић\r\n", "cp1251"),  # ђ 0x90 is not defined in 1250
        ("Име;Презиме\r\nАна;Илић\r\n", "cp1251"),
    ],
)
def test_code_page_detection_on_short_registers(text: str, expected: str) -> None:
    assert read_register(text.encode(expected), "r.csv").encoding == expected


def test_utf8_with_and_without_bom_keep_the_first_header_clean() -> None:
    for bom in (True, False):
        table = read_register(csv_bytes([HEADER, ["Ana"]], bom=bom), "r.csv")
        assert table.rows[0][0] == "Ime"


@pytest.mark.parametrize(
    "rows,delimiter",
    [
        ([["Ime", "Prezime", "Napomena"], ["Ana", "Lukić", "a; b; c"]], ","),
        ([["Ime", "Prezime", "Napomena"], ["Ana", "Lukić", "x, y, z"]], ";"),
        ([["Ime", "Prezime", "Napomena"], ["Ana", "Lukić", "x, y; z"]], "\t"),
    ],
)
def test_the_delimiter_is_found_despite_other_separators_in_values(
    rows: list[list[str]], delimiter: str
) -> None:
    data = "\r\n".join(delimiter.join(row) for row in rows).encode()
    table = read_register(data, "r.csv")
    assert table.delimiter == delimiter
    assert table.rows == rows


@pytest.mark.parametrize(
    "header,key",
    [
        ("Datum rođenja (dd.mm.gggg)*", "datum rodjenja"),
        ("Датум рођења", "datum rodjenja"),
        ("  DATUM   RODJENJA: ", "datum rodjenja"),
        ("Ime učenika", "ime"),
        ("Emri i nxënësit", "emri"),
        ("Child's first name", "first name"),
        ("Učenik", "ucenik"),  # a filler word alone stays itself
        ("*", ""),
    ],
)
def test_header_normalisation(header: str, key: str) -> None:
    assert normalise_header(header) == key


def test_every_field_has_a_label_and_a_choice() -> None:
    assert [name for name, _label in field_choices()] == [*FIELDS, "ignore"]
