"""Backups of the deployment's database, their restore and their check (no Streamlit here).

SQLite
    ``backup`` copies the database with SQLite's online backup API in a single step: the copy is
    one consistent snapshot even while the app writes (in WAL mode writers are not even blocked),
    and it includes what is still in the ``-wal`` file. The copy is checked
    (``PRAGMA integrity_check``) and can be gzipped. ``restore`` copies a backup back with the same
    API.
PostgreSQL
    ``backup`` runs ``pg_dump --format=custom``; ``restore`` runs
    ``pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error``.
    Both need the PostgreSQL client programs on ``PATH`` (Debian: ``postgresql-client``), of the
    server's major version or newer. The password is handed over in ``PGPASSWORD``, never on the
    command line.

Backups are named ``parliament-<UTC time>.db`` (``.db.gz``) or ``.dump``, written with mode 0600
(they hold children's records), and ``prune`` keeps the newest N of them. ``verify_backup`` reads a
backup without touching any live database: the Alembic revision and the row count of every table.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from parliament_app.core.db import DatabaseUnavailable, check_connection, make_engine

PREFIX = "parliament"
SQLITE_SUFFIX = ".db"
GZIP_SUFFIX = ".db.gz"
DUMP_SUFFIX = ".dump"
ALEMBIC_TABLE = "alembic_version"
# The tables an operator looks at first after a restore (verify reports every table).
KEY_TABLES = (
    "users",
    "organisations",
    "children",
    "guardians",
    "consents",
    "groups",
    "enrolments",
    "risk_records",
    "attendance",
    "alerts",
    "audit_log",
)
_NAME = re.compile(
    rf"^{PREFIX}-(?P<stamp>\d{{8}}T\d{{6}}Z)(?:-(?P<seq>\d+))?"
    rf"(?P<suffix>{re.escape(GZIP_SUFFIX)}|{re.escape(SQLITE_SUFFIX)}|{re.escape(DUMP_SUFFIX)})$"
)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GZIP_MAGIC = b"\x1f\x8b"
_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup, restore or check cannot be done; the message is one line for an operator."""


@dataclass(frozen=True)
class _Target:
    kind: str  # "sqlite" or "postgresql"
    url: URL
    path: Path | None = None  # SQLite only


# --- public API ------------------------------------------------------------------------------


def backup(
    database_url: str,
    destination: Path,
    *,
    compress: bool = False,
    now: datetime | None = None,
) -> Path:
    """Back the database up into a new timestamped file in ``destination``; return its path."""
    target = _target(database_url)
    destination = Path(destination)
    _ensure_private_dir(destination)
    if target.kind == "sqlite":
        suffix = GZIP_SUFFIX if compress else SQLITE_SUFFIX
    else:
        suffix = DUMP_SUFFIX
    final = _new_name(destination, suffix, now)
    partial = destination / f".{final.name}.partial"
    try:
        if target.kind == "sqlite":
            _sqlite_backup(_existing_sqlite(target), partial, compress=compress)
        else:
            _pg_dump(target.url, partial)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def restore(database_url: str, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore ``source`` into the configured database and return what it now holds
    (``inspect_database``). A database that already has tables is refused unless ``force``."""
    target = _target(database_url)
    source = Path(source)
    kind = backup_kind(source)
    if kind != target.kind:
        raise BackupError(
            f"{source.name} is a {kind} backup but the database is {target.kind}: "
            "restore it into a database of the same kind"
        )
    if target.kind == "sqlite":
        _sqlite_restore(source, target.path, force=force)
    else:
        _pg_restore(target.url, source, force=force)
    return inspect_database(database_url)


def verify_backup(source: Path) -> dict[str, Any]:
    """Read a backup (never the live database) and report what it holds:
    ``{"file", "kind", "revision", "tables", "rows": {table: count}, "key_rows": {...}}``."""
    source = Path(source)
    kind = backup_kind(source)
    if kind == "sqlite":
        with _sqlite_copy(source) as copy, closing(_sqlite_connect(copy, read_only=True)) as conn:
            _integrity_check(conn, source)
            revision, rows = _sqlite_contents(conn)
    else:
        revision, rows = _pg_archive_contents(source)
    if not rows:
        raise BackupError(f"{source.name} holds no tables: it is not a backup of this app")
    rows.pop(ALEMBIC_TABLE, None)
    return {
        "file": str(source),
        "kind": kind,
        "revision": revision,
        "tables": len(rows),
        "rows": rows,
        "key_rows": {name: rows[name] for name in KEY_TABLES if name in rows},
    }


def inspect_database(database_url: str) -> dict[str, Any]:
    """The same report as ``verify_backup`` for a live database (revision and row counts)."""
    from sqlalchemy import inspect, text

    target = _target(database_url)
    if target.kind == "sqlite":
        _existing_sqlite(target)
    try:
        engine = make_engine(database_url)
        check_connection(engine)
    except DatabaseUnavailable as error:
        raise BackupError(error.reason) from error
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            rows = {
                name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in sorted(names)
            }
            revision = None
            if ALEMBIC_TABLE in rows:
                revision = connection.execute(
                    text(f"SELECT version_num FROM {ALEMBIC_TABLE}")
                ).scalar()
    finally:
        engine.dispose()
    rows.pop(ALEMBIC_TABLE, None)
    return {
        "kind": target.kind,
        "revision": revision,
        "tables": len(rows),
        "rows": rows,
        "key_rows": {name: rows[name] for name in KEY_TABLES if name in rows},
    }


def list_backups(destination: Path) -> list[Path]:
    """This app's backups in ``destination``, oldest first (by the time in their names)."""
    destination = Path(destination)
    if not destination.is_dir():
        return []
    found = []
    for path in destination.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            found.append((match["stamp"], int(match["seq"] or 0), path.name, path))
    return [entry[-1] for entry in sorted(found)]


def prune(destination: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``destination``; return the deleted ones.
    Files that are not named like this app's backups are never touched."""
    if keep < 1:
        raise BackupError("keep at least one backup (--keep must be 1 or more)")
    backups = list_backups(destination)
    removed = backups[:-keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def backup_kind(source: Path) -> str:
    """``"sqlite"`` (plain or gzipped) or ``"postgresql"`` (pg_dump custom format), by content."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(_DUMP_MAGIC):
        return "postgresql"
    if head == _SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(source, "rb") as handle:
                inner = handle.read(16)
        except (OSError, EOFError) as error:
            raise BackupError(f"{source.name} is a damaged gzip file: {error}") from error
        if inner == _SQLITE_MAGIC:
            return "sqlite"
    raise BackupError(
        f"{source.name} is neither a SQLite backup (.db, .db.gz) nor a pg_dump custom archive"
    )


# --- database URLs ---------------------------------------------------------------------------


def _target(database_url: str) -> _Target:
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise BackupError(
            f"PARLIAMENT_DATABASE_URL is not a valid database URL: {error}"
        ) from error
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise BackupError("only a SQLite database file can be backed up or restored")
        return _Target("sqlite", url, Path(url.database))
    if backend == "postgresql":
        if not url.database:
            raise BackupError("PARLIAMENT_DATABASE_URL names no PostgreSQL database")
        return _Target("postgresql", url)
    raise BackupError(f"unsupported database '{backend}': use sqlite or postgresql")


def _existing_sqlite(target: _Target) -> Path:
    assert target.path is not None
    if not target.path.is_file():
        raise BackupError(f"no SQLite database at {target.path}")
    return target.path


# --- files -----------------------------------------------------------------------------------


def _ensure_private_dir(destination: Path) -> None:
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create the backup directory {destination}: {error}") from error
    if not os.access(destination, os.W_OK):
        raise BackupError(f"cannot write into the backup directory {destination}")


def _new_name(destination: Path, suffix: str, now: datetime | None) -> Path:
    """``parliament-<UTC time><suffix>``; a name already taken (two backups in one second) moves
    on by a second, so sorting the names always sorts the backups by age."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    while True:
        candidate = destination / f"{PREFIX}-{moment:%Y%m%dT%H%M%SZ}{suffix}"
        if not any(
            (destination / f"{PREFIX}-{moment:%Y%m%dT%H%M%SZ}{other}").exists()
            for other in (SQLITE_SUFFIX, GZIP_SUFFIX, DUMP_SUFFIX)
        ):
            return candidate
        moment += timedelta(seconds=1)


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by the owner only (backups hold children's records)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_connect(
    path: Path, *, read_only: bool = False, create: bool = False
) -> sqlite3.Connection:
    mode = "ro" if read_only else ("rwc" if create else "rw")
    try:
        connection = sqlite3.connect(
            f"file:{path.resolve()}?mode={mode}", uri=True, timeout=30, isolation_level=None
        )
        connection.execute("PRAGMA busy_timeout=30000")
    except sqlite3.Error as error:
        raise BackupError(f"cannot open the SQLite database {path}: {error}") from error
    return connection


def _sqlite_backup(source: Path, partial: Path, *, compress: bool) -> None:
    plain = partial.with_name(partial.name + ".db") if compress else partial
    try:
        _private_file(plain)
        with (
            closing(_sqlite_connect(source)) as src,
            closing(_sqlite_connect(plain)) as dst,
        ):
            # pages=-1: one step, so the copy is one snapshot even while the app writes.
            src.backup(dst, pages=-1)
            # A self-contained single file, whatever the live database's journal mode.
            dst.execute("PRAGMA journal_mode=DELETE")
            _integrity_check(dst, source)
        if compress:
            _private_file(partial)
            with plain.open("rb") as raw, gzip.open(partial, "wb", compresslevel=6) as packed:
                shutil.copyfileobj(raw, packed, 1024 * 1024)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup of {source} failed: {error}") from error
    except OSError as error:
        raise BackupError(f"cannot write the backup: {error}") from error
    finally:
        if compress:
            plain.unlink(missing_ok=True)


def _integrity_check(connection: sqlite3.Connection, name: Path) -> None:
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{name.name} is not a readable SQLite database: {error}") from error
    if result != ["ok"]:
        raise BackupError(f"{name.name} fails SQLite's integrity check: {result[0]}")


@contextmanager
def _sqlite_copy(source: Path) -> Iterator[Path]:
    """A private, uncompressed copy of a SQLite backup in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="parliament-restore-") as scratch:
        copy = Path(scratch) / "copy.db"
        try:
            with source.open("rb") as probe:
                packed = probe.read(2) == _GZIP_MAGIC
            opener = gzip.open if packed else open
            with opener(source, "rb") as raw, copy.open("wb") as out:
                shutil.copyfileobj(raw, out, 1024 * 1024)
        except (OSError, EOFError) as error:
            raise BackupError(f"cannot read {source.name}: {error}") from error
        yield copy


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _sqlite_contents(connection: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    rows = {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in _sqlite_tables(connection)
    }
    revision = None
    if ALEMBIC_TABLE in rows:
        found = connection.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}").fetchone()
        revision = found[0] if found else None
    return revision, rows


def _sqlite_restore(source: Path, target: Path | None, *, force: bool) -> None:
    assert target is not None
    with _sqlite_copy(source) as copy, closing(_sqlite_connect(copy, read_only=True)) as src:
        _integrity_check(src, source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(_sqlite_connect(target, create=True)) as dst:
                tables = _sqlite_tables(dst)
                if tables and not force:
                    raise BackupError(
                        f"{target} already holds {len(tables)} tables: restore into an empty "
                        "database, or pass --force to replace it"
                    )
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode=WAL")  # what the app uses
                _integrity_check(dst, target)
        except sqlite3.Error as error:
            raise BackupError(f"restore into {target} failed: {error}") from error
    target.chmod(0o600)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client programs of the server's "
            "major version or newer (Debian: apt-get install postgresql-client)"
        )
    return found


def _pg_connection(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{what} could not start: {error}") from error
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {_first_error(result.stderr)}")
    return result


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "fatal" in line.lower():
            return line
    return lines[0] if lines else "no message"


def _pg_dump(url: URL, partial: Path) -> None:
    program = _pg_program("pg_dump")
    dsn, env = _pg_connection(url)
    _private_file(partial)
    _run(
        [program, "--format=custom", "--no-password", f"--file={partial}", f"--dbname={dsn}"],
        env,
        "pg_dump",
    )


def _pg_table_count(url: URL) -> int:
    from sqlalchemy import text

    try:
        engine = make_engine(url.render_as_string(hide_password=False))
        check_connection(engine)
    except DatabaseUnavailable as error:
        raise BackupError(error.reason) from error
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                    "AND table_schema NOT LIKE 'pg_toast%'"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def _pg_wipe(url: URL) -> None:
    """Drop the tables, views and sequences of the public schema (what --force replaces), so the
    restored database holds exactly the backup, also when it is older than the current schema."""
    from sqlalchemy import text

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            for kind, query in (
                ("VIEW", "SELECT viewname FROM pg_views WHERE schemaname = 'public'"),
                ("TABLE", "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"),
                ("SEQUENCE", "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"),
            ):
                for (name,) in connection.execute(text(query)).all():
                    quoted = '"' + name.replace('"', '""') + '"'
                    connection.execute(text(f"DROP {kind} IF EXISTS public.{quoted} CASCADE"))
    finally:
        engine.dispose()


def _pg_restore(url: URL, source: Path, *, force: bool) -> None:
    program = _pg_program("pg_restore")
    dsn, env = _pg_connection(url)
    _run([program, "--list", str(source)], env, f"reading {source.name} with pg_restore")
    tables = _pg_table_count(url)
    if tables and not force:
        raise BackupError(
            f"the database {url.database} already holds {tables} tables: restore into an "
            "empty database, or pass --force to replace it"
        )
    if tables:
        _pg_wipe(url)
    _run(
        [
            program,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={dsn}",
            str(source),
        ],
        env,
        "pg_restore",
    )


def _pg_archive_contents(source: Path) -> tuple[str | None, dict[str, int]]:
    """Count the rows of every table in a custom-format archive by reading its COPY data
    (``pg_restore`` without ``--dbname`` writes SQL to standard output; no server needed)."""
    program = _pg_program("pg_restore")
    rows: dict[str, int] = {}
    revision: str | None = None
    copy_line = re.compile(r'^COPY (?:"?[\w]+"?\.)?"?(?P<table>[^"\s(]+)"? \(.*\) FROM stdin;$')
    try:
        process = subprocess.Popen(
            [program, "--data-only", "--file=-", str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as error:
        raise BackupError(f"pg_restore could not start: {error}") from error
    assert process.stdout is not None and process.stderr is not None
    table: str | None = None
    for line in process.stdout:
        line = line.rstrip("\n")
        if table is None:
            match = copy_line.match(line)
            if match:
                table = match["table"]
                rows[table] = 0
        elif line == "\\.":
            table = None
        else:
            rows[table] += 1
            if table == ALEMBIC_TABLE:
                revision = line.split("\t")[0]
    stderr = process.stderr.read()
    if process.wait() != 0:
        raise BackupError(f"pg_restore cannot read {source.name}: {_first_error(stderr)}")
    # Every table of the archive is listed, also one whose data section is missing.
    listing = subprocess.run(
        [program, "--list", str(source)], capture_output=True, text=True, check=False
    )
    for entry in listing.stdout.splitlines():
        parts = entry.split()
        if entry.startswith(";") or "TABLE" not in parts or "DATA" in parts:
            continue
        at = parts.index("TABLE")
        if len(parts) > at + 2:
            rows.setdefault(parts[at + 2], 0)
    return revision, dict(sorted(rows.items()))
