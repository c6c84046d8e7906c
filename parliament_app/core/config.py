"""Runtime configuration, read from the environment.

``PARLIAMENT_DATA_DIR``      where the SQLite file and the generated secret live (default ./data)
``PARLIAMENT_DATABASE_URL``  SQLAlchemy URL; default: SQLite file ``parliament.db`` in the data dir
``PARLIAMENT_SECRET_KEY``    signing secret; generated once into the data dir when absent
``PARLIAMENT_SESSION_HOURS`` how long a sign-in lasts (default 8)
``PARLIAMENT_LATE_AFTER_MINUTES`` a scan this long after the start counts as late (default 10)
``PARLIAMENT_ABSENT_ON_CLOSE`` closing an occurrence marks unmarked children absent (default 1)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SECRET_FILE_NAME = "secret_key"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    session_hours: float = 8.0
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    enabled_countries: tuple[str, ...] = ("RS", "XK", "MK", "BA")
    late_after_minutes: int = 10  # a scan this long after the start marks the child late
    absent_on_close: bool = True  # closing an occurrence marks the unmarked children absent
    helpline_verified_months: int = 12  # children see a helpline verified this recently

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("PARLIAMENT_DATA_DIR", "data")).resolve()
    database_url = env.get("PARLIAMENT_DATABASE_URL") or f"sqlite:///{data_dir / 'parliament.db'}"
    secret_key = env.get("PARLIAMENT_SECRET_KEY") or _stored_secret(data_dir)
    countries = env.get("PARLIAMENT_COUNTRIES", "RS,XK,MK,BA")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        session_hours=float(env.get("PARLIAMENT_SESSION_HOURS", "8")),
        max_failed_logins=int(env.get("PARLIAMENT_MAX_FAILED_LOGINS", "5")),
        lockout_minutes=int(env.get("PARLIAMENT_LOCKOUT_MINUTES", "15")),
        enabled_countries=tuple(c.strip().upper() for c in countries.split(",") if c.strip()),
        late_after_minutes=int(env.get("PARLIAMENT_LATE_AFTER_MINUTES", "10")),
        absent_on_close=env.get("PARLIAMENT_ABSENT_ON_CLOSE", "1") not in ("0", "false", "no"),
        helpline_verified_months=int(env.get("PARLIAMENT_HELPLINE_VERIFIED_MONTHS", "12")),
    )


def _stored_secret(data_dir: Path) -> str:
    """Read the deployment's secret, creating it (readable by the owner only) on first run."""
    path = data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its secret
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
