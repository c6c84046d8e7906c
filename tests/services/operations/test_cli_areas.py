"""``import-pupils`` and ``org``: the commands of parliament_app.cli.schools, run as operators do.

The commands are registered on ``parliament`` elsewhere; here they run on a small group of their
own (CliRunner), and as a separate process through ``python -m parliament_app.cli.schools``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from parliament_app.cli.schools import import_pupils, org
from parliament_app.core import migrate
from parliament_app.core.actors import OPERATOR
from parliament_app.core.config import get_settings
from parliament_app.core.db import make_engine, session_factory, unit_of_work
from parliament_app.models import AuditEntry, Child, Consent, Guardian, OrganisationKind
from parliament_app.places.services import (
    create_organisation,
    ensure_countries,
    get_or_create_municipality,
)
from tests.import_corpus.corpus import BAD, GOOD, YEAR, csv_bytes

ROOT = Path(__file__).resolve().parents[3]
SCHOOL = "OŠ „Vuk Karadžić”"
GROUP = click.Group("parliament", commands=[import_pupils, org])


@dataclass
class Deployment:
    url: str
    school_id: int
    other_school_id: int
    csw_id: int

    def count(self, model, **where) -> int:
        engine = make_engine(self.url)
        try:
            with session_factory(engine)() as session:
                query = select(func.count()).select_from(model)
                for name, value in where.items():
                    query = query.where(getattr(model, name) == value)
                return session.scalar(query) or 0
        finally:
            engine.dispose()


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with unit_of_work(session_factory(engine)) as session:
        ensure_countries(session, ["RS", "XK", "MK", "BA"])
        place = get_or_create_municipality(session, OPERATOR, "RS", "Testopolje")
        school = create_organisation(session, OPERATOR, OrganisationKind.SCHOOL, SCHOOL, place.id)
        other = create_organisation(
            session, OPERATOR, OrganisationKind.SCHOOL, "OŠ Druga", place.id
        )
        csw = create_organisation(
            session, OPERATOR, OrganisationKind.CSW, "CSR Testopolje", place.id
        )
        ids = school.id, other.id, csw.id
    engine.dispose()
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", url)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield Deployment(url, *ids)
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(GROUP, list(args))


def write(tmp_path: Path, name: str, data: bytes | None = None) -> str:
    if data is None:
        data = next(item for item in [*GOOD, *BAD.values()] if item.name == name).data
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def import_json(path: str, *extra: str) -> tuple[Result, dict]:
    result = run("import-pupils", path, "--school", SCHOOL, "--format", "json", *extra)
    return result, json.loads(result.stdout)


# --- import-pupils ----------------------------------------------------------------------------


def test_import_prints_exactly_the_agreed_json(deployment: Deployment, tmp_path: Path) -> None:
    path = write(tmp_path, "sr_latin_utf8_bom_semicolon.csv")
    result, report = import_json(path, "--consent-confirmed")
    assert result.exit_code == 0, result.output
    assert report == {"imported": 3, "duplicates": 0, "errors": []}
    assert result.stdout.count("\n") == 1  # one JSON document, one line
    assert deployment.count(Child, school_id=deployment.school_id) == 3
    assert deployment.count(Consent) == 3
    assert deployment.count(AuditEntry, record_type="register_import") == 1

    again, report = import_json(path, "--consent-confirmed")
    assert again.exit_code == 0
    assert report == {"imported": 0, "duplicates": 3, "errors": []}
    assert deployment.count(Child) == 3


@pytest.mark.parametrize("corpus_file", GOOD, ids=lambda corpus_file: corpus_file.name)
def test_every_corpus_register_imports(deployment: Deployment, tmp_path: Path, corpus_file) -> None:
    result, report = import_json(write(tmp_path, corpus_file.name), "--consent-confirmed")
    assert result.exit_code == 0, result.output
    assert report == {"imported": len(corpus_file.pupils), "duplicates": 0, "errors": []}


def test_the_school_by_id(deployment: Deployment, tmp_path: Path) -> None:
    path = write(tmp_path, "en_utf8_comma.csv")
    result = run(
        "import-pupils",
        path,
        "--school",
        str(deployment.other_school_id),
        "--consent-confirmed",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert deployment.count(Child, school_id=deployment.other_school_id) == 3


def test_errors_exit_1_and_write_nothing(deployment: Deployment, tmp_path: Path) -> None:
    result, report = import_json(write(tmp_path, "impossible_date.csv"), "--consent-confirmed")
    assert result.exit_code == 1
    assert set(report) == {"imported", "duplicates", "errors"}
    assert report["imported"] == 0
    assert [(error["row"], error["field"]) for error in report["errors"]] == [
        (3, "birth_date"),
        (4, "birth_date"),
        (5, "birth_date"),
        (6, "birth_date"),
    ]
    assert all(set(error) == {"row", "field", "message"} for error in report["errors"])
    assert report["errors"][0]["message"] == f"“31.02.{YEAR}” is not a real date."
    assert deployment.count(Child) == deployment.count(Guardian) == 0


@pytest.mark.parametrize(
    "name,field,message",
    [
        ("garbage.csv", "file", "neither a spreadsheet"),
        ("empty.csv", "file", "The file is empty."),
        ("mixed_encodings.csv", "file", "encoding could not be recognised"),
        ("legacy.xls", "file", ".xls"),
        ("header_only.csv", "file", "no pupils"),
        ("missing_column.csv", "birth_date", "No column for “Birth date”"),
    ],
)
def test_unusable_files_exit_1_with_a_clear_message(
    deployment: Deployment, tmp_path: Path, name: str, field: str, message: str
) -> None:
    result, report = import_json(write(tmp_path, name), "--consent-confirmed")
    assert result.exit_code == 1
    assert report["imported"] == 0
    assert [error["field"] for error in report["errors"]] == [field]
    assert message in report["errors"][0]["message"]
    assert "Traceback" not in result.output
    assert deployment.count(Child) == 0


def test_dry_run_reports_and_writes_nothing(deployment: Deployment, tmp_path: Path) -> None:
    result, report = import_json(write(tmp_path, "register.xlsx"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert report == {"imported": 4, "duplicates": 0, "errors": []}
    assert "dry run: nothing was written" in result.stderr
    assert deployment.count(Child) == 0
    assert deployment.count(AuditEntry, record_type="register_import") == 0


def test_a_dry_run_with_errors_exits_1(deployment: Deployment, tmp_path: Path) -> None:
    result, report = import_json(write(tmp_path, "ragged.csv"), "--dry-run")
    assert result.exit_code == 1
    assert report["errors"][0] == {
        "row": 3,
        "field": "row",
        "message": "This row has more cells than the header row has columns.",
    }


def test_map_reads_unknown_headers(deployment: Deployment, tmp_path: Path) -> None:
    rows = [
        ["Ime", "Prezime", "Rođendan", "Pol", "Ime oca", "Napomena"],
        ["Ana", "Lukić", f"01.01.{YEAR}", "Ž", "Marko", "x"],
        ["Iva", "Lukić", f"02.02.{YEAR}", "Ž", "Marko", ""],
    ]
    path = write(tmp_path, "unknown.csv", csv_bytes(rows, delimiter=";"))
    unmapped, report = import_json(path, "--consent-confirmed")
    assert unmapped.exit_code == 1
    assert {error["field"] for error in report["errors"]} == {"birth_date", "guardian_given_name"}
    mapped, report = import_json(
        path,
        "--map",
        "Rođendan=birth_date",
        "--map",
        "ime oca=guardian_given_name",
        "--map",
        "Napomena=ignore",
        "--consent-confirmed",
    )
    assert mapped.exit_code == 0, mapped.output
    assert report == {"imported": 2, "duplicates": 0, "errors": []}


def test_bad_maps_are_refused(deployment: Deployment, tmp_path: Path) -> None:
    path = write(tmp_path, "en_utf8_comma.csv")
    usage = run("import-pupils", path, "--school", SCHOOL, "--map", "Rođendan")
    assert usage.exit_code == 2 and "HEADER=FIELD" in usage.stderr
    result, report = import_json(path, "--map", "Phone=telephone")
    assert result.exit_code == 1
    assert report["errors"][0]["field"] == "mapping"
    assert "not a field" in report["errors"][0]["message"]


def test_importing_needs_the_consent_confirmation(deployment: Deployment, tmp_path: Path) -> None:
    result, report = import_json(write(tmp_path, "en_utf8_comma.csv"))
    assert result.exit_code == 1
    assert report == {
        "imported": 0,
        "duplicates": 0,
        "errors": [
            {
                "row": None,
                "field": "consent",
                "message": "Please confirm that the school holds the guardians' signed consents "
                "to participation for these pupils.",
            }
        ],
    }
    assert deployment.count(Child) == 0


def test_text_output(deployment: Deployment, tmp_path: Path) -> None:
    result = run(
        "import-pupils", write(tmp_path, "impossible_date.csv"), "--school", SCHOOL, "--dry-run"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == ["would import: 0", "duplicates (not imported): 0", "errors: 4"]
    assert lines[3] == f"  row 3, birth_date: “31.02.{YEAR}” is not a real date."


@pytest.mark.parametrize("school", ["No Such School", "CSR Testopolje", "999"])
def test_the_school_must_be_exactly_one_school(
    deployment: Deployment, tmp_path: Path, school: str
) -> None:
    result = run("import-pupils", write(tmp_path, "en_utf8_comma.csv"), "--school", school)
    assert result.exit_code == 2
    assert "no single school matches" in result.stderr


def test_an_unmigrated_database_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = run("org", "list")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "parliament db upgrade" in result.stderr


# --- org --------------------------------------------------------------------------------------


def test_org_list_json(deployment: Deployment) -> None:
    result = run("org", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "id": deployment.csw_id,
            "kind": "csw",
            "name": "CSR Testopolje",
            "municipality": "Testopolje",
            "country": "RS",
        },
        {
            "id": deployment.other_school_id,
            "kind": "school",
            "name": "OŠ Druga",
            "municipality": "Testopolje",
            "country": "RS",
        },
        {
            "id": deployment.school_id,
            "kind": "school",
            "name": SCHOOL,
            "municipality": "Testopolje",
            "country": "RS",
        },
    ]
    schools = json.loads(run("org", "list", "--kind", "school", "--format", "json").stdout)
    assert [row["kind"] for row in schools] == ["school", "school"]


def test_org_list_text(deployment: Deployment) -> None:
    result = run("org", "list")
    assert result.exit_code == 0
    assert f"{deployment.school_id:>5}  school        {SCHOOL}  (Testopolje, RS)" in result.stdout


def test_org_create_with_a_new_municipality(deployment: Deployment) -> None:
    result = run(
        "org",
        "create",
        "--kind",
        "school",
        "--name",
        "Shkolla „Naim Frashëri”",
        "--municipality",
        "Prizren",
        "--country",
        "xk",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert {key: created[key] for key in ("kind", "name", "municipality", "country")} == {
        "kind": "school",
        "name": "Shkolla „Naim Frashëri”",
        "municipality": "Prizren",
        "country": "XK",
    }
    listed = json.loads(run("org", "list", "--format", "json").stdout)
    assert created in listed

    text = run(
        "org", "create", "--kind", "ngo", "--name", "Udruženje", "--municipality", "Prizren",
        "--country", "XK",
    )  # fmt: skip
    assert text.exit_code == 0
    assert text.stdout.startswith("created organisation ")
    assert "ngo 'Udruženje' (Prizren, XK)" in text.stdout
    assert deployment.count(AuditEntry, record_type="municipality") == 2  # fixture's and Prizren


@pytest.mark.parametrize(
    "args,message",
    [
        (["--name", SCHOOL, "--municipality", "Testopolje", "--country", "RS"], "already exists"),
        (["--name", "X", "--municipality", "Paris", "--country", "FR"], "not enabled"),
        (["--name", "  ", "--municipality", "Testopolje", "--country", "RS"], "name"),
    ],
)
def test_org_create_refusals(deployment: Deployment, args: list[str], message: str) -> None:
    result = run("org", "create", "--kind", "school", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


# --- as a separate process --------------------------------------------------------------------


SCHOOLS_CLI = "parliament_app.cli.schools"


def process(module: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_commands_in_a_separate_process(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PARLIAMENT_")}
    env["PARLIAMENT_DATA_DIR"] = str(tmp_path / "data")
    upgraded = process("parliament_app.cli.main", "db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    created = process(
        "parliament_app.cli.schools", "org", "create", "--kind", "school", "--name", SCHOOL,
        "--municipality", "Novi Pazar", "--country", "RS", "--format", "json", env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    school_id = json.loads(created.stdout)["id"]

    broken = process(
        SCHOOLS_CLI, "import-pupils", write(tmp_path, "ragged.csv"), "--school", SCHOOL,
        "--consent-confirmed", "--format", "json", env=env,
    )  # fmt: skip
    assert broken.returncode == 1
    assert set(json.loads(broken.stdout)) == {"imported", "duplicates", "errors"}

    good = write(tmp_path, "sr_cyrillic_cp1251_semicolon.csv")
    dry = process(
        SCHOOLS_CLI, "import-pupils", good, "--school", str(school_id), "--dry-run",
        "--format", "json", env=env,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"imported": 3, "duplicates": 0, "errors": []}

    done = process(
        SCHOOLS_CLI, "import-pupils", good, "--school", SCHOOL, "--consent-confirmed",
        "--format", "json", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"imported": 3, "duplicates": 0, "errors": []}
    again = process(
        SCHOOLS_CLI, "import-pupils", good, "--school", SCHOOL, "--consent-confirmed",
        "--format", "json", env=env,
    )  # fmt: skip
    assert json.loads(again.stdout) == {"imported": 0, "duplicates": 3, "errors": []}

    listed = process("parliament_app.cli.schools", "org", "list", "--format", "json", env=env)
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == [
        {
            "id": school_id,
            "kind": "school",
            "name": SCHOOL,
            "municipality": "Novi Pazar",
            "country": "RS",
        }
    ]
