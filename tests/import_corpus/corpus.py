"""A corpus of pupil registers, generated rather than committed as binary files.

``GOOD`` are registers a school could really send (every encoding, delimiter, date form and
header language the import accepts); ``BAD`` are broken ones. ``build_corpus(directory)`` writes
them all as files, for the tests and for trying the import page by hand::

    .venv/bin/python -m tests.import_corpus.corpus /tmp/registers

Birth dates are relative to today, so every pupil stays inside the programme's 5-19 age band
whenever the tests run. All names are synthetic.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from parliament_app.core.clock import local_today

YEAR = local_today().year - 10  # pupils aged 9 or 10


@dataclass(frozen=True)
class Pupil:
    given: str
    family: str
    born: date
    gender: str  # "male" / "female", as parliament_app.models.Gender values


@dataclass(frozen=True)
class CorpusFile:
    name: str
    data: bytes
    pupils: tuple[Pupil, ...] = ()  # what a correct import reads, in order
    encoding: str | None = None  # what read_register should detect (CSV only)
    delimiter: str | None = None


def csv_bytes(
    rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return ("\ufeff".encode(encoding) if bom else b"") + data


def xlsx_bytes(rows: list[list[object]], trailing_empty_rows: int = 3) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Učenici"
    for row in rows:
        sheet.append(row)
    for offset in range(trailing_empty_rows):  # formatted but empty rows, as Excel leaves them
        sheet.cell(row=len(rows) + 1 + offset, column=1).value = None
        sheet.cell(row=len(rows) + 1 + offset, column=2).value = ""
    workbook.create_sheet("Napomene").append(["Not read: only the first sheet is"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def excel_serial(value: date) -> int:
    return (value - date(1899, 12, 30)).days


def _pupils(*rows: tuple[str, str, date, str]) -> tuple[Pupil, ...]:
    return tuple(Pupil(*row) for row in rows)


def _good() -> list[CorpusFile]:
    y = YEAR
    files: list[CorpusFile] = []

    pupils = _pupils(
        ("Lena", "Marković", date(y, 3, 15), "female"),
        ("Stefan", "Ilić", date(y - 1, 11, 2), "male"),
        ("Mia", "Kovač", date(y, 1, 30), "female"),
    )
    files.append(
        CorpusFile(
            "en_utf8_comma.csv",
            csv_bytes(
                [
                    [
                        "First name",
                        "Surname",
                        "Date of birth",
                        "Gender",
                        "Class",
                        "Parent",
                        "Phone",
                    ],
                    ["Lena", "Marković", f"15.03.{y}", "F", "4-1", "Jelena Marković", "064111222"],
                    ["Stefan", "Ilić", f"{y - 1}-11-02", "male", "4-1", "Goran", "+381 64 333 444"],
                    ["Mia", "Kovač", f"30/01/{y}", "girl", "4-2", "Ivana", ""],
                ]
            ),
            pupils,
            "utf-8",
            ",",
        )
    )
    pupils = _pupils(
        ("Đorđe", "Šćepanović", date(y, 3, 15), "male"),
        ("Čedomirka", "Žižić", date(y, 12, 1), "female"),
        ("Ćamil", "Đokić", date(y - 1, 6, 9), "male"),
    )
    files.append(
        CorpusFile(
            "sr_latin_utf8_bom_semicolon.csv",
            csv_bytes(
                [
                    ["Ime", "Prezime", "Datum rođenja", "Pol", "Razred", "Roditelj", "Telefon"],
                    ["Đorđe", "Šćepanović", f"15.03.{y}.", "M", "IV-1", "Milan", "011/222-333"],
                    ["Čedomirka", "Žižić", f"1. 12. {y}.", "ž.", "IV-1", "Dragana Žižić", ""],
                    ["Ćamil", "Đokić", f"09.06.{y - 1}", "muški", "IV-2", "Senad", "063 44 55 66"],
                ],
                delimiter=";",
                bom=True,
            ),
            pupils,
            "utf-8-sig",
            ";",
        )
    )
    pupils = _pupils(
        ("Ђорђе", "Петровић", date(y, 3, 15), "male"),
        ("Љиљана", "Његовић", date(y, 5, 20), "female"),
        ("Јован", "Џаковић", date(y - 1, 9, 1), "male"),
    )
    files.append(
        CorpusFile(
            "sr_cyrillic_cp1251_semicolon.csv",
            csv_bytes(
                [
                    ["Р.бр.", "Име", "Презиме", "Датум рођења", "Пол", "Одељење", "Родитељ"],
                    ["1.", "Ђорђе", "Петровић", f"15.03.{y}.", "М", "IV/1", "Милош"],
                    ["2.", "Љиљана", "Његовић", f"20.05.{y}", "Ж", "IV/1", "Јелена"],
                    ["3.", "Јован", "Џаковић", f"{y - 1}-09-01", "мушки", "IV/2", "Зоран Џаковић"],
                ],
                encoding="cp1251",
                delimiter=";",
            ),
            pupils,
            "cp1251",
            ";",
        )
    )
    pupils = _pupils(
        ("Amra", "Hadžić", date(y, 2, 28), "female"),
        ("Edin", "Čaušević", date(y, 7, 7), "male"),
        ("Dženana", "Ćosić", date(y - 1, 10, 10), "female"),
    )
    files.append(
        CorpusFile(
            "bs_cp1250_semicolon.csv",
            csv_bytes(
                [
                    [
                        "Ime",
                        "Prezime",
                        "Datum rođenja",
                        "Spol",
                        "Odjeljenje",
                        "Ime roditelja",
                        "Prezime roditelja",
                        "Telefon",
                    ],
                    ["Amra", "Hadžić", f"28.02.{y}", "Ž", "IV-a", "Sead", "Hadžić", "061222333"],
                    ["Edin", "Čaušević", f"7.7.{y}", "M", "IV-a", "Hasna", "Čaušević", ""],
                    [
                        "Dženana",
                        "Ćosić",
                        f"10.10.{y - 1}.",
                        "ženski",
                        "IV-b",
                        "Mirsad",
                        "Ćosić",
                        "",
                    ],
                ],
                encoding="cp1250",
                delimiter=";",
            ),
            pupils,
            "cp1250",
            ";",
        )
    )
    pupils = _pupils(
        ("Ivana", "Šarić", date(y, 4, 4), "female"),
        ("Luka", "Grgić", date(y, 8, 18), "male"),
    )
    files.append(
        CorpusFile(
            "hr_utf8_comma.csv",
            csv_bytes(
                [
                    [
                        "Ime*",
                        "Prezime*",
                        "Datum rođenja (dd.mm.gggg)",
                        "Spol",
                        "Razred",
                        "Roditelj/skrbnik",
                        "Kontakt telefon",
                    ],
                    ["Ivana", "Šarić", f"04.04.{y}.", "ženski", "4.a", "Ana Šarić", "091 123 4567"],
                    ["Luka", "Grgić", f"18.08.{y}", "muški", "4.b", "Tomislav", ""],
                ]
            ),
            pupils,
            "utf-8",
            ",",
        )
    )
    pupils = _pupils(
        ("Dëshira", "Krasniqi", date(y, 3, 15), "female"),
        ("Ilir", "Çeku", date(y, 11, 11), "male"),
        ("Blerta", "Gashi", date(y - 1, 12, 24), "female"),
    )
    files.append(
        CorpusFile(
            "sq_cp1250_comma.csv",
            csv_bytes(
                [
                    ["Emri", "Mbiemri", "Datëlindja", "Gjinia", "Klasa", "Prindi", "Telefoni"],
                    ["Dëshira", "Krasniqi", f"15.03.{y}", "F", "IV-1", "Agim", "044 123 456"],
                    ["Ilir", "Çeku", f"11.11.{y}", "Mashkull", "IV-1", "Fatmire Çeku", ""],
                    ["Blerta", "Gashi", f"24.12.{y - 1}", "femër", "IV-2", "Besnik", ""],
                ],
                encoding="cp1250",
            ),
            pupils,
            "cp1250",
            ",",
        )
    )
    pupils = _pupils(
        ("Ѓорѓи", "Ќосев", date(y, 3, 15), "male"),
        ("Ѕвезда", "Трајковска", date(y, 6, 1), "female"),
    )
    files.append(
        CorpusFile(
            "mk_cp1251_comma.csv",
            csv_bytes(
                [
                    ["Име", "Презиме", "Датум на раѓање", "Пол", "Одделение", "Родител"],
                    ["Ѓорѓи", "Ќосев", f"15.03.{y}", "машко", "IV-1", "Ѓоко Ќосев"],
                    ["Ѕвезда", "Трајковска", f"01.06.{y}", "женско", "IV-1", "Марија"],
                ],
                encoding="cp1251",
            ),
            pupils,
            "cp1251",
            ",",
        )
    )
    pupils = _pupils(
        ("Marko", "Nikolić", date(y, 3, 15), "male"),
        ("Sara", "Jovanović", date(y, 9, 9), "female"),
    )
    files.append(
        CorpusFile(
            "sr_utf16_tab.txt",  # Excel's "Unicode text"
            b"\xff\xfe"
            + csv_bytes(
                [
                    ["Ime", "Prezime", "Datum rođenja", "Pol", "Razred", "Roditelj"],
                    ["Marko", "Nikolić", f"15.03.{y}", "M", "4/1", "Vesna"],
                    ["Sara", "Jovanović", f"09.09.{y}", "Ž", "4/1", "Petar"],
                ],
                encoding="utf-16-le",
                delimiter="\t",
            ),
            pupils,
            "utf-16",
            "\t",
        )
    )
    pupils = _pupils(
        ("Nikola", "Tomić", date(y, 3, 15), "male"),
        ("Milica", "Lazić", date(y, 5, 1), "female"),
        ("Aleksa", "Đurić", date(y - 1, 2, 2), "male"),
        ("Teodora", "Pavlović", date(y - 1, 12, 31), "female"),
    )
    files.append(
        CorpusFile(
            "register.xlsx",
            xlsx_bytes(
                [
                    ["Spisak učenika IV razreda"],  # a title above the header
                    [],
                    [
                        "R.b.",
                        "Ime",
                        "Prezime",
                        "Datum rođenja",
                        "Pol",
                        "Razred",
                        "Roditelj",
                        "Tel.",
                    ],
                    [1, "Nikola", "Tomić", datetime(y, 3, 15), "M", 4, "Dejan", 381641112223],
                    [2, "Milica", "Lazić", excel_serial(date(y, 5, 1)), "Ž", 4, "Ana", None],
                    [3, "Aleksa", "Đurić", f"02.02.{y - 1}.", "m", "4", "Mira Đurić", None],
                    [4, "Teodora", "Pavlović", date(y - 1, 12, 31), "ž", 4.0, "Ivan", None],
                ]
            ),
            pupils,
        )
    )
    return files


def _bad() -> list[CorpusFile]:
    y = YEAR
    header = ["Ime", "Prezime", "Datum rođenja", "Pol", "Roditelj"]
    return [
        CorpusFile("garbage.csv", random.Random(7).randbytes(4096)),
        CorpusFile("empty.csv", b""),
        CorpusFile("blank_lines.csv", b"\r\n  \r\n;;;\r\n"),
        CorpusFile("header_only.csv", csv_bytes([header], delimiter=";")),
        CorpusFile(
            "ragged.csv",
            csv_bytes(
                [
                    header,
                    ["Ana", "Lukić", f"01.01.{y}", "Ž", "Mira"],
                    ["Ivan", "Lukić", f"02.02.{y}", "M", "Mira", "extra", "cells"],
                    ["Petar", "Lukić"],
                ],
                delimiter=";",
            ),
        ),
        CorpusFile(
            "impossible_date.csv",
            csv_bytes(
                [
                    header,
                    ["Ana", "Lukić", f"01.01.{y}", "Ž", "Mira"],
                    ["Ivan", "Lukić", f"31.02.{y}", "M", "Mira"],
                    ["Eva", "Lukić", f"15.13.{y}", "Ž", "Mira"],
                    ["Jan", "Lukić", "sometime", "M", "Mira"],
                    ["Old", "Lukić", "01.01.1990", "M", "Mira"],
                ],
                delimiter=";",
            ),
        ),
        CorpusFile(
            "missing_column.csv",
            csv_bytes(
                [
                    ["Ime", "Prezime", "Pol", "Roditelj"],
                    ["Ana", "Lukić", "Ž", "Mira"],
                    ["Ivan", "Lukić", "M", "Mira"],
                ],
                delimiter=";",
            ),
        ),
        CorpusFile(
            "bad_quotes.csv",
            b'Ime;Prezime;Datum;Pol;Roditelj\r\nAna;"Lu"ki;01.01.2016;Z;Mira\r\n',
        ),
        CorpusFile("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
        CorpusFile("broken.xlsx", b"PK\x03\x04" + random.Random(3).randbytes(500)),
        CorpusFile(
            "mixed_encodings.csv",
            "Ime;Prezime\r\nĐorđe;Petrović\r\n".encode()
            + "Čedo;Šćepanović\r\nŽana;Ćirić\r\n".encode("cp1250"),
        ),
    ]


GOOD: list[CorpusFile] = _good()
BAD: dict[str, CorpusFile] = {corpus_file.name: corpus_file for corpus_file in _bad()}


def build_corpus(directory: Path) -> dict[str, Path]:
    """Write every register of the corpus into ``directory``; name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for corpus_file in [*GOOD, *BAD.values()]:
        path = directory / corpus_file.name
        path.write_bytes(corpus_file.data)
        paths[corpus_file.name] = path
    return paths


if __name__ == "__main__":
    for written in build_corpus(
        Path(sys.argv[1] if len(sys.argv) > 1 else "import_corpus")
    ).values():
        print(written)
