"""The operators' command line, run as a user would run it (a separate process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parliament_app.core.migrate import head_revision

ROOT = Path(__file__).resolve().parents[3]


def parliament(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "parliament_app.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("PARLIAMENT_")
    }
    environment["PARLIAMENT_DATA_DIR"] = str(tmp_path / "data")
    return environment


def test_first_upgrade_creates_the_sqlite_file_and_secret(env: dict[str, str]) -> None:
    result = parliament("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert f"upgraded empty -> {head_revision()}" in result.stdout
    data = Path(env["PARLIAMENT_DATA_DIR"])
    assert (data / "parliament.db").exists()
    assert (data / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    again = parliament("db", "upgrade", env=env)
    assert f"already at {head_revision()}" in again.stdout


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgresql://nobody@127.0.0.1:1/none", "cannot reach the database"),
        ("mysql://x@localhost/y", "unsupported database"),
        ("not a url", "not a valid database URL"),
    ],
)
def test_bad_database_gives_one_clear_line(env: dict[str, str], url: str, expected: str) -> None:
    env["PARLIAMENT_DATABASE_URL"] = url
    result = parliament("db", "upgrade", env=env)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_create_user_needs_an_organisation_except_for_administrators(env: dict[str, str]) -> None:
    parliament("db", "upgrade", env=env)
    refused = parliament("create-user", "--username", "fac", "--role", "facilitator", env=env)
    assert refused.returncode == 2 and "--org is required" in refused.stderr
    created = parliament(
        "create-user",
        "--username",
        "root",
        "--role",
        "administrator",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created user root (administrator)" in created.stdout
    assert "password" not in created.stdout  # given on stdin, so never echoed
    duplicate = parliament("create-user", "--username", "ROOT", "--role", "administrator", env=env)
    assert duplicate.returncode == 1 and "already taken" in duplicate.stderr


def test_create_user_with_generated_password_and_organisation(env: dict[str, str]) -> None:
    parliament("db", "upgrade", env=env)
    demo = parliament("demo-data", "--seed", "3", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "children: 600" in demo.stdout
    assert "Children: 600/600" in demo.stderr  # progress lines
    created = parliament(
        "create-user",
        "--username",
        "teacher",
        "--role",
        "school_coordinator",
        "--org",
        "OŠ „Sunce”",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    assert "password (shown once):" in created.stdout
    refused = parliament("demo-data", env=env)
    assert refused.returncode == 1 and "Demo Municipality" in refused.stderr


def test_commands_refuse_an_unmigrated_database(env: dict[str, str]) -> None:
    result = parliament("create-user", "--username", "x1x", "--role", "administrator", env=env)
    assert result.returncode == 2 and "parliament db upgrade" in result.stderr


def test_every_command_is_listed_and_loads(env: dict[str, str]) -> None:
    from parliament_app.cli.main import _Commands

    result = parliament("--help", env=env)
    assert result.returncode == 0, result.stderr
    for name in ("db", "create-user", "demo-data", "i18n", "report", "check", *_Commands.FEATURES):
        assert f"  {name} " in result.stdout, name
