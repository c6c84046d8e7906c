"""Backups, restores and their checks (parliament_app.core.backup and ``parliament backup``).

SQLite always; PostgreSQL when ``PARLIAMENT_TEST_POSTGRESQL_URL`` is set and ``pg_dump`` and
``pg_restore`` are on PATH (each test makes its own scratch databases and drops them).
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from parliament_app.cli.backup import backup as backup_group
from parliament_app.core import backup as backups
from parliament_app.core import migrate
from parliament_app.core.backup import BackupError
from parliament_app.core.config import get_settings
from parliament_app.core.db import make_engine, session_factory
from tests.factories import build_world

POSTGRESQL_URL = os.environ.get("PARLIAMENT_TEST_POSTGRESQL_URL")
needs_postgresql = pytest.mark.skipif(
    not POSTGRESQL_URL or not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="PARLIAMENT_TEST_POSTGRESQL_URL unset or pg_dump/pg_restore not on PATH",
)


def _populate(database_url: str) -> None:
    """Migrate to head and add the factory world, committed."""
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with session_factory(engine)() as session:
            build_world(session)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture
def live_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'live' / 'parliament.db'}"
    _populate(url)
    return url


# --- SQLite ----------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_sqlite_backup_verify_and_restore_round_trip(
    live_sqlite: str, tmp_path: Path, compress: bool
) -> None:
    live = backups.inspect_database(live_sqlite)
    assert live["revision"] == migrate.head_revision()
    assert live["rows"]["children"] == 4 and live["rows"]["users"] == 7

    path = backups.backup(live_sqlite, tmp_path / "backups", compress=compress)
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("parliament-")
    assert path.name.endswith(".db.gz" if compress else ".db")
    assert path.stat().st_mode & 0o077 == 0  # children's records: owner only
    assert (tmp_path / "backups").stat().st_mode & 0o077 == 0
    assert not [p for p in path.parent.iterdir() if p != path]  # no partial files left

    report = backups.verify_backup(path)
    assert report["kind"] == "sqlite"
    assert report["revision"] == live["revision"]
    assert report["rows"] == live["rows"]
    assert report["key_rows"]["children"] == 4

    target = f"sqlite:///{tmp_path / 'restored' / 'parliament.db'}"
    restored = backups.restore(target, path)
    assert restored["revision"] == live["revision"]
    assert restored["rows"] == live["rows"]
    # The restored database is a working app database.
    engine = make_engine(target)
    try:
        assert migrate.is_up_to_date(engine)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            names = connection.execute(text("SELECT given_name FROM children")).scalars().all()
        assert sorted(names) == ["Ana", "Blerta", "Dragana", "Elvis"]
    finally:
        engine.dispose()


def test_sqlite_backup_is_one_consistent_snapshot_while_the_app_writes(tmp_path: Path) -> None:
    """A writer commits batches of ten rows (left in the WAL: no checkpoint) and another
    connection holds an open write transaction: every backup holds only whole batches,
    everything committed before it started, nothing uncommitted, and does not wait."""
    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE probe (batch INTEGER NOT NULL, item INTEGER NOT NULL)")
    setup.execute("CREATE TABLE pending (note TEXT)")
    setup.close()

    stop = threading.Event()
    committed = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            connection.execute("PRAGMA wal_autocheckpoint=0")  # everything stays in -wal
            batch = 0
            while not stop.is_set():
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(
                    "INSERT INTO probe VALUES (?, ?)", [(batch, item) for item in range(10)]
                )
                connection.execute("COMMIT")
                committed[0] = batch + 1
                batch += 1
                # A breath between batches, as between an app's requests: in a zero-gap loop
                # this thread re-takes the lock before SQLite's busy handler lets anyone else in,
                # and the holder below starved for 30 s on a loaded machine.
                time.sleep(0.002)
            connection.close()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        while committed[0] < 50:
            time.sleep(0.01)
        # A write transaction that stays open during the backups (the app in mid-request).
        holder = sqlite3.connect(path, isolation_level=None, timeout=30)
        # IMMEDIATE: a deferred BEGIN whose snapshot the writer has moved on from gets "database
        # is locked" at once on its first write, without waiting.
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO pending VALUES ('uncommitted')")
        snapshots = []
        for _ in range(5):
            before = committed[0]
            started = time.monotonic()
            snapshots.append((before, backups.backup(url, tmp_path / "backups")))
            assert time.monotonic() - started < 10
            time.sleep(0.02)
        holder.execute("ROLLBACK")
        holder.close()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors
    for before, snapshot in snapshots:
        report = backups.verify_backup(snapshot)  # integrity_check passes
        assert report["rows"]["pending"] == 0
        copy = sqlite3.connect(snapshot)
        try:
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            sizes = copy.execute("SELECT count(*) FROM probe GROUP BY batch").fetchall()
            batches = copy.execute("SELECT count(DISTINCT batch) FROM probe").fetchone()[0]
        finally:
            copy.close()
        assert {size for (size,) in sizes} == {10}  # whole transactions only
        assert batches >= before  # includes what was committed (still only in the -wal file)
    assert not list(tmp_path.glob("backups/.*"))


def test_restore_refuses_a_database_with_tables_unless_forced(
    live_sqlite: str, tmp_path: Path
) -> None:
    path = backups.backup(live_sqlite, tmp_path / "backups")
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE scribble (x)")
    connection.execute("INSERT INTO scribble VALUES (1)")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match=r"already holds 1 tables.*--force"):
        backups.restore(f"sqlite:///{other}", path)
    with pytest.raises(BackupError, match="already holds"):
        backups.restore(live_sqlite, path)  # the live database itself
    replaced = backups.restore(f"sqlite:///{other}", path, force=True)
    assert "scribble" not in replaced["rows"]
    assert replaced["rows"] == backups.inspect_database(live_sqlite)["rows"]


def test_an_empty_file_is_an_empty_database(live_sqlite: str, tmp_path: Path) -> None:
    path = backups.backup(live_sqlite, tmp_path / "backups")
    empty = tmp_path / "empty.db"
    empty.touch()
    assert backups.restore(f"sqlite:///{empty}", path)["rows"]["children"] == 4


def test_prune_keeps_the_newest_and_nothing_else_is_touched(
    live_sqlite: str, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    start = datetime(2025, 3, 1, 2, 15, tzinfo=UTC)
    made = [
        backups.backup(live_sqlite, folder, now=start + timedelta(days=day)) for day in range(5)
    ]
    same_second = backups.backup(live_sqlite, folder, now=start + timedelta(days=4))
    assert same_second.name == "parliament-20250305T021501Z.db"  # names sort by age
    stranger = folder / "notes.txt"
    stranger.write_text("keep me")
    assert backups.list_backups(folder) == [*made, same_second]

    removed = backups.prune(folder, keep=3)
    assert removed == made[:3]
    assert backups.list_backups(folder) == [made[3], made[4], same_second]
    assert stranger.exists()
    assert backups.prune(folder, keep=3) == []
    with pytest.raises(BackupError, match="keep at least one"):
        backups.prune(folder, keep=0)


def test_clear_errors(live_sqlite: str, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no SQLite database at"):
        backups.backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "b")
    assert not (tmp_path / "missing.db").exists()  # not created by the attempt
    with pytest.raises(BackupError, match="unsupported database 'mysql'"):
        backups.backup("mysql://x@localhost/y", tmp_path / "b")
    with pytest.raises(BackupError, match="only a SQLite database file"):
        backups.backup("sqlite://", tmp_path / "b")
    with pytest.raises(BackupError, match="no backup file at"):
        backups.verify_backup(tmp_path / "nothing.db")

    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="neither a SQLite backup"):
        backups.verify_backup(junk)
    good = backups.backup(live_sqlite, tmp_path / "b", compress=True)
    truncated = tmp_path / "parliament-20250101T000000Z.db.gz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(BackupError, match=r"truncated\.db\.gz|parliament-2025"):
        backups.verify_backup(truncated)
    damaged = tmp_path / "damaged.db"
    plain = backups.backup(live_sqlite, tmp_path / "b")
    data = bytearray(plain.read_bytes())
    data[5000:9000] = b"\xff" * 4000
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError):
        backups.verify_backup(damaged)
    with pytest.raises(BackupError, match="sqlite backup but the database is postgresql"):
        backups.restore("postgresql://nobody@127.0.0.1:1/none", plain)


def test_gzip_backup_is_a_gzipped_sqlite_file(live_sqlite: str, tmp_path: Path) -> None:
    path = backups.backup(live_sqlite, tmp_path, compress=True)
    with gzip.open(path) as handle:
        assert handle.read(16) == b"SQLite format 3\x00"
    assert backups.backup_kind(path) == "sqlite"


# --- PostgreSQL without a server -------------------------------------------------------------


def test_pg_programs_missing_give_one_clear_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match=r"pg_dump not found on PATH.*postgresql-client"):
        backups.backup("postgresql://u:p@127.0.0.1:1/db", tmp_path / "b")
    assert not list((tmp_path / "b").iterdir())  # nothing half-written
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP" + b"\0" * 20)
    with pytest.raises(BackupError, match="pg_restore not found on PATH"):
        backups.verify_backup(dump)


def test_pg_password_goes_in_the_environment_not_the_command_line() -> None:
    dsn, env = backups._pg_connection(
        make_url("postgresql+psycopg://parl:s3cr%40t@db.internal:5433/parliament?sslmode=require")
    )
    assert dsn == "postgresql://parl@db.internal:5433/parliament?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(live_sqlite: str, tmp_path: Path, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", live_sqlite)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "backup-test-secret-" * 3)
    get_settings.cache_clear()
    yield live_sqlite
    get_settings.cache_clear()


def test_cli_create_verify_restore(cli_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "backups"
    for _ in range(3):
        result = runner.invoke(backup_group, ["create", "--to", str(folder), "--keep", "2"])
        assert result.exit_code == 0, result.output
        time.sleep(0.01)
    assert "backup: " in result.output
    assert f"revision {migrate.head_revision()}" in result.output
    assert "kept the newest 2" in result.output
    files = backups.list_backups(folder)
    assert len(files) == 2

    result = runner.invoke(backup_group, ["verify", str(files[-1])])
    assert result.exit_code == 0, result.output
    assert "sqlite backup" in result.output
    assert "children" in result.output and "4" in result.output
    summary = result.output.splitlines()[0].split("backup, ")[1]

    result = runner.invoke(backup_group, ["verify", "--json", str(files[-1])])
    assert '"children": 4' in result.output

    scratch = f"sqlite:///{tmp_path / 'drill' / 'parliament.db'}"
    result = runner.invoke(backup_group, ["restore", str(files[-1]), "--into", scratch])
    assert result.exit_code == 0, result.output
    assert f"({summary})" in result.output  # the drill: same revision, tables and rows

    result = runner.invoke(backup_group, ["restore", str(files[-1])])  # the live database
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "--force" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output

    result = runner.invoke(backup_group, ["restore", str(files[-1]), "--force"])
    assert result.exit_code == 0, result.output


def test_cli_errors_are_one_line(cli_env: str, tmp_path: Path, monkeypatch) -> None:
    runner = CliRunner()
    result = runner.invoke(backup_group, ["verify", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: no backup file at {tmp_path / 'nope.db'}"

    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", "postgresql://u@127.0.0.1:1/db")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    get_settings.cache_clear()
    result = runner.invoke(backup_group, ["create", "--to", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "pg_dump not found on PATH" in result.output

    result = runner.invoke(backup_group, ["create", "--to", str(tmp_path / "b"), "--keep", "0"])
    assert result.exit_code == 2  # click's usage error


def test_registered_in_the_parliament_command() -> None:
    from parliament_app.cli.main import _Commands, main

    if "backup" not in _Commands.FEATURES:
        pytest.skip("parliament_app.cli.main does not register 'backup' yet")
    result = CliRunner().invoke(main, ["backup", "--help"])
    assert result.exit_code == 0, result.output
    for command in ("create", "restore", "verify"):
        assert command in result.output


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def scratch_databases() -> Iterator[callable]:
    """Make scratch databases on the test server; all are dropped at the end."""
    admin_url = make_url(POSTGRESQL_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"parliament_backup_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return admin_url.set(drivername="postgresql", database=name).render_as_string(
            hide_password=False
        )

    yield make
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@needs_postgresql
def test_postgresql_backup_verify_and_restore_round_trip(scratch_databases, tmp_path: Path) -> None:
    source = scratch_databases()
    _populate(source)
    live = backups.inspect_database(source)
    assert live["kind"] == "postgresql" and live["rows"]["children"] == 4

    path = backups.backup(source, tmp_path / "backups")
    assert path.name.endswith(".dump")
    assert path.stat().st_mode & 0o077 == 0
    report = backups.verify_backup(path)
    assert report["kind"] == "postgresql"
    assert report["revision"] == live["revision"] == migrate.head_revision()
    assert report["rows"] == live["rows"]

    target = scratch_databases()
    restored = backups.restore(target, path)
    assert restored["revision"] == live["revision"]
    assert restored["rows"] == live["rows"]
    engine = make_engine(target)
    try:
        assert migrate.is_up_to_date(engine)
        with engine.connect() as connection:
            names = connection.execute(text("SELECT given_name FROM children")).scalars().all()
        assert sorted(names) == ["Ana", "Blerta", "Dragana", "Elvis"]
        # Sequences came along: a new row gets a fresh id.
        with engine.begin() as connection:
            next_id = connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('children', 'id'))")
            ).scalar()
            assert next_id > connection.execute(text("SELECT max(id) FROM children")).scalar()
    finally:
        engine.dispose()

    with pytest.raises(BackupError, match=r"already holds .* tables.*--force"):
        backups.restore(target, path)

    # --force replaces the database, also objects the backup does not have.
    engine = make_engine(target)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE scribble (x int)"))
            connection.execute(text("DELETE FROM audit_log"))
            connection.execute(text("DELETE FROM login_sessions"))
    finally:
        engine.dispose()
    replaced = backups.restore(target, path, force=True)
    assert "scribble" not in replaced["rows"]
    assert replaced["rows"] == live["rows"]


@needs_postgresql
def test_postgresql_cli_and_wrong_kind(scratch_databases, tmp_path: Path, monkeypatch) -> None:
    source = scratch_databases()
    _populate(source)
    monkeypatch.setenv("PARLIAMENT_DATABASE_URL", source)
    monkeypatch.setenv("PARLIAMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARLIAMENT_SECRET_KEY", "backup-test-secret-" * 3)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(backup_group, ["create", "--to", str(tmp_path / "b"), "--keep", "1"])
        assert result.exit_code == 0, result.output
        (dump,) = backups.list_backups(tmp_path / "b")
        verify = runner.invoke(backup_group, ["verify", str(dump)])
        assert verify.exit_code == 0, verify.output
        summary = verify.output.splitlines()[0].split("backup, ")[1]
        target = scratch_databases()
        result = runner.invoke(backup_group, ["restore", str(dump), "--into", target])
        assert result.exit_code == 0, result.output
        assert f"({summary})" in result.output

        sqlite_target = f"sqlite:///{tmp_path / 'x.db'}"
        result = runner.invoke(backup_group, ["restore", str(dump), "--into", sqlite_target])
        assert result.exit_code == 1
        assert "postgresql backup but the database is sqlite" in result.output

        unreachable = "postgresql://nobody@127.0.0.1:1/none"
        result = runner.invoke(backup_group, ["restore", str(dump), "--into", unreachable])
        assert result.exit_code == 1
        assert result.output.startswith("error: ") and "Traceback" not in result.output
    finally:
        get_settings.cache_clear()
