# Not split: one seeded generator whose stages draw from one random stream in a fixed order, so
#   the same seed gives the same data.
"""A national-scale synthetic dataset for load tests and the benchmark (``parliament bench``).

At ``scale=1.0``: about 200,000 children in 80 municipalities of the four countries, 80,000 session
and activity occurrences, 2,000,000 attendance records, 300,000 guardian involvements and
1,000,000 quiz answers, with their guardians, consents, at-risk records, groups, enrolments,
badges and staff accounts. Child-level tables scale linearly with ``scale``; the number of
municipalities with its square root (at least one per country), so small scales stay realistic.

Realistic mixes, and deliberate segregation so the reports have something to find:

- each municipality has a majority community drawn from its country's profile (Bosniak, Serbian or
  Croatian municipalities in Bosnia and Herzegovina; Albanian and Serbian ones in Kosovo; ...) and
  minorities around it; Roma families concentrated in one settlement, other minorities in their
  own neighbourhoods;
- schools teach in one language: large minorities have schools of their own (separate schools),
  and the school whose catchment includes the Roma settlement has many Roma pupils;
- most groups draw from the whole municipality, but neighbourhood clubs and school-based workshops
  inherit their area's or school's mix, every municipality with Roma families has a homework club
  of the settlement (Roma only: "ghetto risk"), and some municipalities have a one-community
  cultural club ("everyone in one category").

Everything follows from the seed (``numpy.random.Generator``) and ``today``; the staff password
does not (it comes from the system's random source and is hashed once for every account).

Loading is bulk: explicit ids, rows converted column-wise with numpy, then ``COPY ... FROM STDIN``
on PostgreSQL and ``executemany`` on SQLite (in one transaction; with an engine the load also runs
with ``synchronous=OFF`` and a large page cache). ``ANALYZE`` runs at the end so the planner knows
the new sizes. Refuses a database that already holds children unless ``force``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, Boolean, Date, Integer, Time

from parliament_app.core import audit
from parliament_app.core.actors import OPERATOR
from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.demo.municipality import DemoDataRefused
from parliament_app.demo.names import FAMILY_NAMES, GIVEN_NAMES, family_name_for
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    Community,
    ConsentScope,
    Country,
    EndReason,
    EnrolmentSource,
    EnrolmentStatus,
    GroupKind,
    InterestKind,
    Municipality,
    OrganisationKind,
    RiskCategory,
    Role,
    SocioEconomicBand,
    User,
    metadata,
)
from parliament_app.models.attendance import AttendanceMethod, AttendanceStatus, InvolvementRole
from parliament_app.models.base import UTCDateTime
from parliament_app.models.meetings import (
    ExcursionKind,
    OccurrenceStatus,
    Profession,
    Recurrence,
    SessionKind,
)
from parliament_app.models.quizzes import QuizQuestion, RunMode, RunPhase, RunStatus
from parliament_app.people.passwords import hash_password
from parliament_app.places.services import COUNTRY_NAMES

__all__ = [
    "NATIONAL_PREFIX",
    "STAGES",
    "TARGETS",
    "NationalDataRefused",
    "NationalSummary",
    "generate_national_data",
]

# The full national figures (scale 1.0).
TARGETS: dict[str, int] = {
    "children": 200_000,
    "municipalities": 80,
    "occurrences": 80_000,
    "attendance": 2_000_000,
    "guardian_involvements": 300_000,
    "quiz_answers": 1_000_000,
}
NATIONAL_PREFIX = "National Demo"  # every generated municipality's name starts with it
BATCH = 20_000  # rows per executemany / COPY chunk (and per progress report)
NULL = np.iinfo(np.int64).min  # "no value" in the integer, date and timestamp columns
DAY = 86_400

# Calibrated so scale 1.0 lands on TARGETS (see docs/performance.md for the measured counts).
GROUPS_PER_CHILD = 0.0116
INVOLVEMENT_SHARE = 0.19  # of attended sessions, a guardian came too (family workshops: 0.6)
QUIZ_GROUP_SHARE = 1.0  # of the groups that quiz (workshops, parliaments, half the clubs)
QUESTIONS_PER_RUN = 10
RISK_SHARE = 0.085  # children with an at-risk record (a fifth of them closed)

STAGE_PLACES = "Places and organisations"
STAGE_ACCOUNTS = "Accounts"
STAGE_CHILDREN = "Children"
STAGE_FAMILIES = "Guardians and consents"
STAGE_GROUPS = "Groups and enrolments"
STAGE_SESSIONS = "Sessions"
STAGE_ATTENDANCE = "Attendance"
STAGE_INVOLVEMENT = "Guardian involvement"
STAGE_QUIZZES = "Quizzes"
STAGE_BADGES = "Badges"
STAGE_CHECKS = "Foreign-key checks"
STAGE_ANALYZE = "Planner statistics"
STAGES: tuple[str, ...] = (
    STAGE_PLACES,
    STAGE_ACCOUNTS,
    STAGE_CHILDREN,
    STAGE_FAMILIES,
    STAGE_GROUPS,
    STAGE_SESSIONS,
    STAGE_ATTENDANCE,
    STAGE_INVOLVEMENT,
    STAGE_QUIZZES,
    STAGE_BADGES,
    STAGE_CHECKS,
    STAGE_ANALYZE,
)

Progress = Callable[[str, int, int], None]


class NationalDataRefused(DemoDataRefused):
    """The database is not one the national dataset may be added to."""


@dataclass
class NationalSummary:
    seed: int
    scale: float
    today: date
    engine: str
    counts: dict[str, int]
    password: str  # every generated staff account's password, shown once
    usernames: dict[str, list[str]]  # a few usernames per role
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


# --- the shape of the country --------------------------------------------------------------------

COMMUNITIES: tuple[Community | None, ...] = (*Community, None)
K = len(COMMUNITIES)
_C = {community: index for index, community in enumerate(COMMUNITIES)}
UNDECLARED = frozenset({_C[Community.PREFER_NOT_TO_SAY], _C[None]})
MARGINALISED = frozenset({_C[Community.ROMA], _C[Community.EGYPTIAN], _C[Community.ASHKALI]})
COUNTRIES: tuple[str, ...] = ("RS", "BA", "MK", "XK")
COUNTRY_SHARES = (30, 20, 16, 14)  # municipalities per 80
# Recorded community per country, in per mille (None: the family was not asked).
_PROFILES: dict[str, dict[Community | None, float]] = {
    "RS": {
        Community.SERBIAN: 800,
        Community.ROMA: 60,
        Community.BOSNIAK: 40,
        Community.ALBANIAN: 20,
        Community.CROATIAN: 10,
        Community.MONTENEGRIN: 12,
        Community.MACEDONIAN: 5,
        Community.GORANI: 3,
        Community.OTHER: 15,
        Community.PREFER_NOT_TO_SAY: 25,
        None: 10,
    },
    "XK": {
        Community.ALBANIAN: 850,
        Community.SERBIAN: 60,
        Community.BOSNIAK: 20,
        Community.TURKISH: 15,
        Community.ROMA: 10,
        Community.ASHKALI: 15,
        Community.EGYPTIAN: 10,
        Community.GORANI: 6,
        Community.OTHER: 4,
        Community.PREFER_NOT_TO_SAY: 5,
        None: 5,
    },
    "MK": {
        Community.MACEDONIAN: 580,
        Community.ALBANIAN: 260,
        Community.TURKISH: 40,
        Community.ROMA: 35,
        Community.SERBIAN: 20,
        Community.BOSNIAK: 10,
        Community.OTHER: 10,
        Community.PREFER_NOT_TO_SAY: 20,
        None: 5,
    },
    "BA": {
        Community.BOSNIAK: 470,
        Community.SERBIAN: 320,
        Community.CROATIAN: 140,
        Community.ROMA: 17,
        Community.MONTENEGRIN: 3,
        Community.OTHER: 10,
        Community.PREFER_NOT_TO_SAY: 25,
        None: 5,
    },
}
# Which community is the majority of a municipality, per country.
_MAJORITIES: dict[str, tuple[tuple[Community, float], ...]] = {
    "RS": ((Community.SERBIAN, 0.88), (Community.BOSNIAK, 0.07), (Community.ALBANIAN, 0.05)),
    "XK": ((Community.ALBANIAN, 0.82), (Community.SERBIAN, 0.18)),
    "MK": ((Community.MACEDONIAN, 0.65), (Community.ALBANIAN, 0.35)),
    "BA": ((Community.BOSNIAK, 0.45), (Community.SERBIAN, 0.35), (Community.CROATIAN, 0.20)),
}
# demo_names lists per community (Egyptian and Ashkali families are mostly Albanian-speaking).
_NAME_KEY: dict[Community, str] = {
    Community.SERBIAN: "serbian",
    Community.ALBANIAN: "albanian",
    Community.BOSNIAK: "bosniak",
    Community.MACEDONIAN: "macedonian",
    Community.ROMA: "roma",
    Community.EGYPTIAN: "albanian",
    Community.ASHKALI: "albanian",
    Community.CROATIAN: "croatian",
    Community.MONTENEGRIN: "montenegrin",
    Community.TURKISH: "turkish",
    Community.GORANI: "gorani",
    Community.OTHER: "serbian",
}
NAME_KEYS: tuple[str, ...] = tuple(GIVEN_NAMES)
_COUNTRY_LANGUAGE = {"RS": "sr", "XK": "sq", "MK": "mk", "BA": "bs"}
_COUNTRY_INTERFACE = {"RS": "sr", "XK": "sq", "MK": "mk", "BA": "bs"}
# Home languages (ISO 639) by community; "*" is the country's language.
_HOME: dict[Community, tuple[tuple[str, ...], tuple[str, ...], float]] = {
    Community.SERBIAN: (("sr",), ("sr",), 0.0),
    Community.ALBANIAN: (("sq",), ("sq", "*"), 0.25),
    Community.BOSNIAK: (("bs",), ("bs", "*"), 0.3),
    Community.MACEDONIAN: (("mk",), ("mk",), 0.0),
    Community.ROMA: (("rom", "*"), ("*",), 0.2),
    Community.EGYPTIAN: (("sq",), ("sq", "*"), 0.3),
    Community.ASHKALI: (("sq",), ("sq", "*"), 0.3),
    Community.CROATIAN: (("hr",), ("hr", "*"), 0.4),
    Community.MONTENEGRIN: (("sr",), ("sr",), 0.0),
    Community.TURKISH: (("tr", "*"), ("tr",), 0.2),
    Community.GORANI: (("sr", "*"), ("sr",), 0.2),
    Community.OTHER: (("*",), ("*",), 0.0),
}
# The interface language a guardian (and a quiz player) uses; None: the country's.
_INTERFACE: dict[Community, str | None] = {
    Community.SERBIAN: "sr",
    Community.ALBANIAN: "sq",
    Community.BOSNIAK: "bs",
    Community.MACEDONIAN: "mk",
    Community.ROMA: None,
    Community.EGYPTIAN: "sq",
    Community.ASHKALI: "sq",
    Community.CROATIAN: "bs",
    Community.MONTENEGRIN: "sr_Latn",
    Community.TURKISH: None,
    Community.GORANI: "sr_Latn",
    Community.OTHER: None,
}
_AREAS: dict[str, tuple[str, ...]] = {
    "RS": (
        "Centar",
        "Novo naselje",
        "Sunčana strana",
        "Rečni kraj",
        "Ravnica",
        "Lipov gaj",
        "Brdo",
        "Zeleni breg",
        "Vinogradi",
        "Staro selo",
        "Industrijska zona",
        "Gornja mahala",
        "Kod mlina",
        "Železnička kolonija",
        "Donja mahala",
    ),
    "BA": (
        "Centar",
        "Novo naselje",
        "Čaršija",
        "Rečni kraj",
        "Polje",
        "Lipovac",
        "Brdo",
        "Zeleni breg",
        "Vinogradi",
        "Staro selo",
        "Industrijska zona",
        "Gornja mahala",
        "Kod mlina",
        "Željeznička kolonija",
        "Donja mahala",
    ),
    "MK": (
        "Centar",
        "Novo naselje",
        "Čaršija",
        "Reka",
        "Pole",
        "Lipovo",
        "Rid",
        "Zelen breg",
        "Lozja",
        "Staro selo",
        "Industriska zona",
        "Gorno maalo",
        "Kaj vodenicata",
        "Železnička kolonija",
        "Dolno maalo",
    ),
    "XK": (
        "Qendra",
        "Lagjja e Re",
        "Ana e Diellit",
        "Bregu i Lumit",
        "Fusha",
        "Bliri",
        "Kodra",
        "Kodra e Gjelbër",
        "Vreshtat",
        "Fshati i Vjetër",
        "Zona Industriale",
        "Mahalla e Epërme",
        "Te Mulliri",
        "Kolonia e Hekurudhës",
        "Mahalla e Poshtme",
    ),
}
# Schools by language of instruction: prefix and synthetic names.
_SCHOOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sr": (
        "OŠ",
        (
            "Sunce",
            "Dunav",
            "Duga",
            "Mladost",
            "Sloboda",
            "Lipa",
            "Zora",
            "Izvor",
            "Proleće",
            "Polet",
            "Vidik",
            "Svetlost",
            "Naša škola",
            "Jasen",
            "Bor",
            "Hrast",
            "Kosmos",
            "Rast",
        ),
    ),
    "sq": (
        "SHFMU",
        (
            "Ardhmëria",
            "Drita",
            "Shpresa",
            "Liria",
            "Rilindja",
            "Bashkimi",
            "Dituria",
            "Agimi",
            "Vllaznimi",
            "Ylli",
            "Lisi",
            "Burimi",
            "Pranvera",
            "Mirësia",
            "Shkëndija",
            "Gjelbërimi",
            "Ura",
            "Dielli",
        ),
    ),
    "mk": (
        "OOU",
        (
            "Mladost",
            "Sonce",
            "Zora",
            "Svetlina",
            "Iskra",
            "Vezilka",
            "Rosica",
            "Lipa",
            "Izvor",
            "Bratstvo",
            "Pelister",
            "Dab",
            "Jasen",
            "Prolet",
            "Vidik",
            "Razvitok",
            "Naša škola",
            "Ǵurǵa",
        ),
    ),
    "bs": (
        "JU OŠ",
        (
            "Sunce",
            "Mladost",
            "Sloboda",
            "Lipa",
            "Zora",
            "Izvor",
            "Proljeće",
            "Polet",
            "Vidik",
            "Svjetlost",
            "Naša škola",
            "Jasen",
            "Bor",
            "Hrast",
            "Kosmos",
            "Rast",
            "Most",
            "Dolina",
        ),
    ),
    "hr": (
        "OŠ",
        (
            "Sunce",
            "Mladost",
            "Lipa",
            "Zora",
            "Izvor",
            "Proljeće",
            "Polet",
            "Svjetlost",
            "Naša škola",
            "Jasen",
            "Hrast",
            "Most",
            "Dolina",
            "Rast",
        ),
    ),
}
_SCHOOL_LANGUAGE: dict[Community, str] = {
    Community.SERBIAN: "sr",
    Community.MONTENEGRIN: "sr",
    Community.ALBANIAN: "sq",
    Community.MACEDONIAN: "mk",
    Community.BOSNIAK: "bs",
    Community.CROATIAN: "hr",
}
_CSW_NAMES = {
    "RS": "Centar za socijalni rad",
    "BA": "Centar za socijalni rad",
    "MK": "Centar za socijalna rabota",
    "XK": "Qendra për Punë Sociale",
}
_LEGAL_BASIS = {
    "RS": "Family Law, Art. 6 / Social Protection Law",
    "BA": "Family Law / Law on Social Protection",
    "MK": "Law on Social Protection, Art. 11",
    "XK": "Law on Child Protection, Art. 24",
}
_PHONE_PREFIX = {"RS": "06", "BA": "06", "MK": "07", "XK": "04"}
_CARE: tuple[tuple[CareSituation, float], ...] = (
    (CareSituation.PARENTS, 75),
    (CareSituation.SINGLE_PARENT, 14),
    (CareSituation.RELATIVES, 4),
    (CareSituation.FOSTER_CARE, 2),
    (CareSituation.INSTITUTION, 1),
    (CareSituation.OTHER, 1),
    (CareSituation.UNKNOWN, 3),
)
_BANDS = (
    SocioEconomicBand.LOW,
    SocioEconomicBand.MIDDLE,
    SocioEconomicBand.HIGH,
    SocioEconomicBand.UNKNOWN,
)
_BAND_WEIGHTS = {
    "marginalised": (70, 20, 0, 10),
    "poor_area": (40, 45, 5, 10),
    "general": (12, 55, 23, 10),
}
_INTERESTS: tuple[tuple[InterestKind, str], ...] = (
    *(
        (InterestKind.SPORT, label)
        for label in ("football", "basketball", "volleyball", "handball", "karate", "chess")
    ),
    *((InterestKind.MUSIC, label) for label in ("guitar", "choir", "drums", "piano", "singing")),
    *(
        (InterestKind.TOPIC, label)
        for label in ("online safety", "friendship", "rights of the child", "jobs and the future")
    ),
)
_GENDERS = ("female", "male", "other", "unspecified")
_GENDER_WEIGHTS = (0.49, 0.49, 0.005, 0.015)
_PARLIAMENT_AGENDA = (
    "Children's rights in our town",
    "Safe way to school",
    "Sports grounds for everyone",
    "Our school's budget proposal",
    "Meeting the mayor",
    "Peer violence",
    "Clean river",
    "Youth centre opening hours",
    "Inclusive playgrounds",
    "Online safety campaign",
)
_WORKSHOP_TOPICS: dict[str, tuple[str, ...]] = {
    "7-10": (
        "Body and feelings",
        "Secrets and surprises",
        "Trusted adults",
        "Asking for help",
        "Tricky offers",
        "The child helpline",
        "Begging and work",
    ),
    "11-14": (
        "Online safety",
        "Lover boys",
        "Manipulation",
        "Forced marriage",
        "Begging and labour",
        "Helplines",
    ),
    "15-18": (
        "Fake job offers",
        "Checking offers",
        "Documents and debt",
        "Safe migration",
        "Workers' rights",
        "Online recruitment",
        "Reporting",
        "Supporting a friend",
    ),
}
_AGE_BANDS = ("7-10", "11-14", "15-18")


# --- the database writer -----------------------------------------------------------------------


class _Writer:
    """Bulk rows into the session's connection: COPY on PostgreSQL, executemany on SQLite.

    Columns are given column-wise (numpy arrays or lists) in database terms: integers (``NULL``
    for none), timestamps as UTC epoch seconds, dates as epoch days, times as seconds of the day,
    JSON as already-encoded text, enums by value."""

    def __init__(self, session: Session, progress: Progress) -> None:
        self.session = session
        connection = session.connection()
        self.dialect = connection.dialect.name
        self.raw = connection.connection.driver_connection
        self.progress = progress
        self.counts: dict[str, int] = {}
        self._clock_suffix = "+00" if self.dialect == "postgresql" else ".000000"
        self._seconds_table: np.ndarray | None = None

    def next_id(self, table: str) -> int:
        """The first free id of ``table`` (ids are assigned here, not by the database)."""
        return int(self.session.scalar(text(f'SELECT coalesce(max(id), 0) FROM "{table}"'))) + 1

    def write(self, table_name: str, columns: dict[str, Any], stage: str | None = None) -> int:
        table = metadata.tables[table_name]
        missing = [
            column.name
            for column in table.columns
            if not column.nullable and column.server_default is None and column.name not in columns
        ]
        if missing:
            raise ValueError(f"{table_name}: no values for {missing}")
        names = list(columns)
        total = len(next(iter(columns.values()))) if columns else 0
        if any(len(values) != total for values in columns.values()):
            raise ValueError(f"{table_name}: columns of different lengths")
        quoted = ", ".join(f'"{name}"' for name in names)
        for start in range(0, total, BATCH):
            stop = min(total, start + BATCH)
            values = [self._convert(table.c[name], columns[name][start:stop]) for name in names]
            if self.dialect == "postgresql":
                statement = f'COPY "{table_name}" ({quoted}) FROM STDIN'
                with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in zip(*values, strict=True):
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _name in names)
                self.raw.executemany(
                    f'INSERT INTO "{table_name}" ({quoted}) VALUES ({marks})',
                    zip(*values, strict=True),
                )
            if stage:
                self.progress(stage, stop, total)
        self.counts[table_name] = self.counts.get(table_name, 0) + total
        return total

    def _convert(self, column, values: Any) -> list[Any]:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            return self._timestamps(np.asarray(values, dtype=np.int64))
        if isinstance(kind, Date):
            return _dates(np.asarray(values, dtype=np.int64))
        if isinstance(kind, Time):
            seconds = np.asarray(values, dtype=np.int64).tolist()
            return [
                f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" + self._time_suffix()
                for s in seconds
            ]
        if isinstance(kind, Boolean):
            flags = np.asarray(values, dtype=bool)
            return flags.tolist() if self.dialect == "postgresql" else flags.astype(int).tolist()
        if isinstance(kind, Integer) and not isinstance(kind, JSON):
            if isinstance(values, np.ndarray):
                return _nullable(values)
            return list(values)
        if isinstance(values, np.ndarray):
            return values.tolist()
        return list(values)

    def _time_suffix(self) -> str:
        return "" if self.dialect == "postgresql" else ".000000"

    def _timestamps(self, seconds: np.ndarray) -> list[str | None]:
        """Epoch seconds to the text each engine stores (SQLAlchemy's format on SQLite)."""
        if not len(seconds):
            return []
        null = seconds == NULL
        safe = np.where(null, 0, seconds)
        days, within = np.divmod(safe, DAY)
        unique_days, inverse = np.unique(days, return_inverse=True)
        day_text = np.array(
            [
                (date(1970, 1, 1) + timedelta(days=int(day))).isoformat() + " "
                for day in unique_days
            ],
            dtype=object,
        )
        if self._seconds_table is None:
            self._seconds_table = np.array(
                [
                    f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{self._clock_suffix}"
                    for s in range(DAY)
                ],
                dtype=object,
            )
        result = day_text[inverse] + self._seconds_table[within]
        result[null] = None
        return result.tolist()

    def reset_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written here."""
        if self.dialect != "postgresql":
            return
        for name in self.counts:
            table = metadata.tables[name]
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                self.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )


def _nullable(values: np.ndarray) -> list[int | None]:
    values = np.asarray(values, dtype=np.int64)
    listed = values.tolist()
    if (values == NULL).any():
        return [None if value == NULL else value for value in listed]
    return listed


def _dates(days: np.ndarray) -> list[str | None]:
    if not len(days):
        return []
    null = days == NULL
    safe = np.where(null, 0, days)
    unique_days, inverse = np.unique(safe, return_inverse=True)
    texts = np.array(
        [(date(1970, 1, 1) + timedelta(days=int(day))).isoformat() for day in unique_days],
        dtype=object,
    )
    result = texts[inverse]
    result[null] = None
    return result.tolist()


# --- time helpers --------------------------------------------------------------------------------


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _day(epoch_day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(epoch_day))


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class _Clock:
    """Local wall-clock times to UTC epoch seconds (Europe/Belgrade, with summer time)."""

    def __init__(self, first: date, last: date) -> None:
        self.first = _epoch_day(first)
        count = (last - first).days + 1
        self.offsets = np.array(
            [
                int(
                    LOCAL_TIMEZONE.utcoffset(
                        datetime.combine(first + timedelta(days=i), time(12))
                    ).seconds
                )
                for i in range(count)
            ],
            dtype=np.int64,
        )

    def utc(self, days: np.ndarray, local_seconds: np.ndarray | int) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        return days * DAY + local_seconds - self.offsets[days - self.first]


def _school_year_start(today: date) -> date:
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def _holiday(days: np.ndarray) -> np.ndarray:
    """Summer (July, August) and the new-year break (30 December to 7 January)."""
    as_dates = np.asarray(days, dtype="datetime64[D]")
    months = as_dates.astype("datetime64[M]").astype(int) % 12 + 1
    day_of_month = (as_dates - as_dates.astype("datetime64[M]")).astype(int) + 1
    return (
        (months == 7)
        | (months == 8)
        | ((months == 12) & (day_of_month >= 30))
        | ((months == 1) & (day_of_month <= 7))
    )


def _terms(today: date, first: date) -> list[tuple[int, int, bool]]:
    """School terms from ``first`` up to today: (first day, last day, finished), epoch days."""
    terms = []
    year = first.year
    while True:
        for start, end in (
            (date(year, 9, 1), date(year + 1, 1, 31)),
            (date(year + 1, 2, 1), date(year + 1, 6, 30)),
        ):
            if start > today:
                return terms
            if end >= first:
                terms.append((_epoch_day(start), _epoch_day(end), end < today))
        year += 1


# --- planning helpers ----------------------------------------------------------------------------


def _quotas(weights: Sequence[float], total: int) -> np.ndarray:
    """``total`` split by weight with the largest-remainder method (exact, deterministic)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def _pick(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _by_roll(
    roll: np.ndarray, cuts: Sequence[float], members: list, choices: Sequence
) -> np.ndarray:
    """For each roll, the index in ``members`` of ``choices[i]``, where ``cuts[i - 1] <= roll <
    cuts[i]`` (the first choice below the first cut, the last one from the last cut up)."""
    codes = np.array([members.index(choice) for choice in choices])
    return codes[np.searchsorted(np.asarray(cuts), roll, side="right")]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class _Municipality:
    index: int
    id: int
    country: str
    code: str  # e.g. "rs07", used in usernames
    name: str
    majority: int  # community index
    mix: np.ndarray  # probability per community index
    children: int
    areas: list[str] = field(default_factory=list)
    roma_area: int | None = None
    school_ids: list[int] = field(default_factory=list)
    school_names: list[str] = field(default_factory=list)
    school_language: list[int] = field(default_factory=list)  # community index per school
    csw_id: int = 0
    ngo_id: int = 0
    office_id: int = 0
    venue_ids: list[int] = field(default_factory=list)
    facilitators: list[int] = field(default_factory=list)
    coordinators: list[int] = field(default_factory=list)  # per school
    social_workers: list[int] = field(default_factory=list)
    specialists: list[int] = field(default_factory=list)
    child_slice: slice = field(default_factory=lambda: slice(0, 0))


# --- the generator -------------------------------------------------------------------------------


def generate_national_data(
    target: Engine | Session,
    seed: int = 1,
    scale: float = 1.0,
    progress: Progress | None = None,
    *,
    force: bool = False,
    today: date | None = None,
) -> NationalSummary:
    """Load the national dataset into ``target``.

    With an ``Engine`` the load runs in its own transaction and is committed; with a ``Session``
    rows are written in the session's transaction and the caller commits (or rolls back).
    ``progress(stage, done, total)`` reports each stage of :data:`STAGES`. ``today`` (default: the
    current local date) anchors every date, for reproducible data.

    Raises :class:`NationalDataRefused` when the database holds children (unless ``force``) or
    already holds the national dataset (always).
    """
    if not 0 < scale <= 4:
        raise ValueError("scale must be above 0 and at most 4")
    report = progress or (lambda _stage, _done, _total: None)
    if isinstance(target, Session):
        return _Generator(target, seed, scale, report, force, today).run()
    with target.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA synchronous=OFF")
            raw.execute("PRAGMA cache_size=-400000")  # 400 MB while indexes grow
        try:
            with Session(bind=connection) as session:
                summary = _Generator(session, seed, scale, report, force, today).run()
                session.commit()
        finally:
            if sqlite:
                raw.execute("PRAGMA synchronous=FULL")
                raw.execute("PRAGMA cache_size=-2000")
    return summary


class _Generator:
    def __init__(
        self,
        session: Session,
        seed: int,
        scale: float,
        progress: Progress,
        force: bool,
        today: date | None,
    ) -> None:
        self.session = session
        self.seed = seed
        self.scale = scale
        self.progress = progress
        self.force = force
        if today is None:
            self.now = datetime.now(UTC)
            self.today = self.now.astimezone(LOCAL_TIMEZONE).date()
        else:
            self.today = today
            self.now = datetime.combine(today, time(12), LOCAL_TIMEZONE).astimezone(UTC)
        self.now_s = _epoch(self.now)
        self.year2 = _school_year_start(self.today)
        self.year1 = self.year2.replace(year=self.year2.year - 1)
        self.data_end = self.today + timedelta(days=42)
        self.clock = _Clock(self.year1 - timedelta(days=800), self.data_end + timedelta(days=2))
        self.rng = np.random.default_rng(seed)
        self.stage_seconds: dict[str, float] = {}
        self.usernames: dict[str, list[str]] = {}

    # orchestration

    def run(self) -> NationalSummary:
        started = clock.perf_counter()
        self._check_database()
        self.writer = _Writer(self.session, self.progress)
        deferred_checks = self._defer_foreign_keys()
        self._timed(STAGE_PLACES, self._places)
        self._timed(STAGE_ACCOUNTS, self._accounts)
        self._timed(STAGE_CHILDREN, self._children)
        self._timed(STAGE_FAMILIES, self._families)
        self._timed(STAGE_GROUPS, self._groups)
        self._timed(STAGE_SESSIONS, self._sessions)
        self._timed(STAGE_ATTENDANCE, self._attendance)
        self._timed(STAGE_INVOLVEMENT, self._involvement)
        self._timed(STAGE_QUIZZES, self._quizzes)
        self._timed(STAGE_BADGES, self._badges)
        if deferred_checks:
            self._timed(STAGE_CHECKS, self._check_foreign_keys)
        self.writer.reset_sequences()
        counts = dict(self.writer.counts)
        audit.record(
            self.session,
            None,
            AuditAction.CREATE,
            "national_data",
            None,
            seed=self.seed,
            scale=self.scale,
            forced=self.force,
            **counts,
        )
        self.session.flush()
        self._timed(STAGE_ANALYZE, self._analyze)
        return NationalSummary(
            seed=self.seed,
            scale=self.scale,
            today=self.today,
            engine=self.writer.dialect,
            counts=counts,
            password=self.password,
            usernames=self.usernames,
            seconds=clock.perf_counter() - started,
            stage_seconds=self.stage_seconds,
        )

    def _timed(self, stage: str, step: Callable[[], None]) -> None:
        started = clock.perf_counter()
        step()
        self.stage_seconds[stage] = clock.perf_counter() - started

    def _check_database(self) -> None:
        session = self.session
        existing = session.scalar(
            select(func.count())
            .select_from(Municipality)
            .where(Municipality.name.like(f"{NATIONAL_PREFIX} %"))
        )
        if existing:
            raise NationalDataRefused(
                "The national dataset has already been loaded into this database "
                f"({existing} of its municipalities exist)."
            )
        if self.force:
            return
        children = session.scalar(select(func.count()).select_from(Child)) or 0
        if children:
            raise NationalDataRefused(
                f"This database already holds {children} children. The national dataset is "
                "meant for an empty database (a scratch or load-test database); use --force "
                "only if you are sure."
            )

    def _defer_foreign_keys(self) -> bool:
        """PostgreSQL, as a superuser: skip the per-row foreign-key triggers during the load
        (they double COPY's time) and check every foreign key of the written tables once at the
        end instead (``_check_foreign_keys``). Other roles load with the triggers on."""
        if self.writer.dialect != "postgresql":
            return False
        superuser = self.session.scalar(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        )
        self.session.execute(text("SET LOCAL synchronous_commit = off"))
        if not superuser:
            return False
        self.session.execute(text("SET LOCAL session_replication_role = replica"))
        return True

    def _check_foreign_keys(self) -> None:
        """Every foreign key of every written table holds (one anti-join each), else the whole
        load is refused and rolled back by the caller."""
        self.session.execute(text("SET LOCAL session_replication_role = origin"))
        written = [name for name, count in self.writer.counts.items() if count]
        self.progress(STAGE_CHECKS, 0, len(written))
        for done, name in enumerate(written, start=1):
            table = metadata.tables[name]
            for key in table.foreign_keys:
                column, target = key.parent.name, key.column
                orphans = self.session.scalar(
                    text(
                        f'SELECT count(*) FROM "{name}" AS c WHERE c."{column}" IS NOT NULL '
                        f'AND NOT EXISTS (SELECT 1 FROM "{target.table.name}" AS p '
                        f'WHERE p."{target.name}" = c."{column}")'
                    )
                )
                if orphans:
                    raise RuntimeError(f"{name}.{column}: {orphans} rows point nowhere")
            self.progress(STAGE_CHECKS, done, len(written))

    def _analyze(self) -> None:
        self.progress(STAGE_ANALYZE, 0, 1)
        self.session.execute(text("ANALYZE"))
        self.progress(STAGE_ANALYZE, 1, 1)

    # places, organisations, venues

    def _places(self) -> None:
        session, rng, writer = self.session, self.rng, self.writer
        self.progress(STAGE_PLACES, 0, 1)
        existing = {country.code: country for country in session.scalars(select(Country))}
        for code, name in COUNTRY_NAMES.items():
            country = existing.get(code) or Country(code=code, name=name)
            country.enabled = True
            session.add(country)
        session.flush()
        self._ensure_questions()

        count = max(4, min(TARGETS["municipalities"], round(80 * math.sqrt(self.scale))))
        per_country = _quotas(COUNTRY_SHARES, count)
        children = round(TARGETS["children"] * self.scale)
        sizes = _quotas(rng.lognormal(0.0, 0.55, count), children)
        first_id = writer.next_id("municipalities")
        self.municipalities: list[_Municipality] = []
        index = 0
        for country, number in zip(COUNTRIES, per_country, strict=True):
            majorities, weights = zip(*_MAJORITIES[country], strict=True)
            for ordinal in range(int(number)):
                # the first municipality of each country has the country's usual majority
                majority = majorities[0] if ordinal == 0 else majorities[_pick(rng, weights, 1)[0]]
                self.municipalities.append(
                    _Municipality(
                        index=index,
                        id=first_id + index,
                        country=country,
                        code=f"{country.lower()}{ordinal + 1:02d}",
                        name=f"{NATIONAL_PREFIX} {country}-{ordinal + 1:02d}",
                        majority=_C[majority],
                        mix=self._mix(country, majority),
                        children=int(sizes[index]),
                    )
                )
                index += 1
        writer.write(
            "municipalities",
            {
                "id": [m.id for m in self.municipalities],
                "country_code": [m.country for m in self.municipalities],
                "name": [m.name for m in self.municipalities],
            },
        )

        organisation_id = writer.next_id("organisations")
        venue_id = writer.next_id("venues")
        organisations: dict[str, list[Any]] = {
            "id": [],
            "kind": [],
            "name": [],
            "municipality_id": [],
            "active": [],
        }
        venues: dict[str, list[Any]] = {
            "id": [],
            "name": [],
            "address": [],
            "municipality_id": [],
            "organisation_id": [],
            "capacity": [],
        }

        def organisation(m: _Municipality, kind: OrganisationKind, name: str) -> int:
            nonlocal organisation_id
            organisations["id"].append(organisation_id)
            organisations["kind"].append(kind.value)
            organisations["name"].append(name)
            organisations["municipality_id"].append(m.id)
            organisations["active"].append(True)
            organisation_id += 1
            return organisation_id - 1

        for m in self.municipalities:
            self._layout(m)
            for school_name in m.school_names:
                m.school_ids.append(organisation(m, OrganisationKind.SCHOOL, school_name))
            short = m.name.removeprefix(f"{NATIONAL_PREFIX} ")
            m.csw_id = organisation(m, OrganisationKind.CSW, f"{_CSW_NAMES[m.country]} {short}")
            m.ngo_id = organisation(
                m, OrganisationKind.NGO, f"Association for Children's Participation {short}"
            )
            m.office_id = organisation(m, OrganisationKind.MUNICIPALITY, f"Youth Office {short}")
            places = [
                ("Youth Centre", m.office_id, 60),
                ("Sports Hall", m.office_id, 200),
                ("Community Centre", m.ngo_id, 40),
            ]
            for name, owner, capacity in places:
                venues["id"].append(venue_id)
                venues["name"].append(name)
                venues["address"].append(f"{m.areas[len(m.venue_ids) % len(m.areas)]} 1")
                venues["municipality_id"].append(m.id)
                venues["organisation_id"].append(owner)
                venues["capacity"].append(capacity)
                m.venue_ids.append(venue_id)
                venue_id += 1
        writer.write("organisations", organisations)
        writer.write("venues", venues)
        self.progress(STAGE_PLACES, 1, 1)

    def _ensure_questions(self) -> None:
        from activities.quizzes.bank import ensure_question_bank

        if not self.session.scalar(select(func.count()).select_from(QuizQuestion)):
            ensure_question_bank(self.session, enabled_countries=COUNTRIES, actor=OPERATOR)
        self.questions: dict[str, list[tuple[int, list[int], int]]] = {}
        for question_id, band, correct, options in self.session.execute(
            select(
                QuizQuestion.id,
                QuizQuestion.age_band,
                QuizQuestion.correct,
                QuizQuestion.option_count,
            )
            .where(QuizQuestion.retired_at.is_(None))
            .order_by(QuizQuestion.id)
        ):
            self.questions.setdefault(band, []).append((question_id, sorted(correct), options))

    def _mix(self, country: str, majority: Community) -> np.ndarray:
        """The municipality's community shares: the majority's share drawn, the rest spread
        over the country's other communities with some local variation."""
        rng = self.rng
        profile = _PROFILES[country]
        weights = np.zeros(K)
        for community, weight in profile.items():
            weights[_C[community]] = weight
        weights[_C[majority]] = 0.0
        weights *= rng.lognormal(0.0, 0.5, K)
        if rng.random() < 0.4:  # a town with a large Roma settlement
            weights[_C[Community.ROMA]] *= 2.5
        share = rng.uniform(0.62, 0.92)
        mix = weights / weights.sum() * (1 - share)
        mix[_C[majority]] = share
        return mix

    def _layout(self, m: _Municipality) -> None:
        """Residence areas and schools (each school teaching in one language)."""
        rng = self.rng
        area_count = int(np.clip(round(m.children / 250), 4, len(_AREAS[m.country])))
        names = _AREAS[m.country]
        m.areas = [*names[: area_count - 1], names[-1]]  # the last: the Roma settlement
        if m.mix[_C[Community.ROMA]] > 0.004:
            m.roma_area = area_count - 1
        school_count = max(2, round(m.children / 320))
        languages: dict[int, float] = {}
        for community in range(K):
            if community == m.majority:
                continue
            key = COMMUNITIES[community]
            if key in _SCHOOL_LANGUAGE and m.mix[community] >= 0.12:
                languages[community] = m.mix[community]
        counts = {
            community: max(1, round(school_count * share)) for community, share in languages.items()
        }
        majority_schools = max(1, school_count - sum(counts.values()))
        m.school_language = [m.majority] * majority_schools
        for community, count in counts.items():
            m.school_language += [community] * count
        used: set[str] = set()
        for community in m.school_language:
            language = _SCHOOL_LANGUAGE.get(COMMUNITIES[community], _COUNTRY_LANGUAGE[m.country])
            prefix, words = _SCHOOLS.get(language, _SCHOOLS["sr"])
            word = words[int(rng.integers(len(words)))]
            name = f"{prefix} \u201e{word}\u201d"
            number = 2
            while name in used:
                name = f"{prefix} \u201e{word}\u201d {number}"
                number += 1
            used.add(name)
            m.school_names.append(name)

    # accounts

    def _accounts(self) -> None:
        session, rng, writer = self.session, self.rng, self.writer
        self.progress(STAGE_ACCOUNTS, 0, 1)
        self.password = secrets.token_urlsafe(12)
        password_hash = hash_password(self.password)  # argon2 is slow on purpose: once
        now = self.now_s
        user_id = writer.next_id("users")
        users: dict[str, list[Any]] = {
            "id": [],
            "username": [],
            "display_name": [],
            "role": [],
            "organisation_id": [],
            "preferred_language": [],
            "active": [],
            "password_hash": [],
            "created_at": [],
        }

        def add(username: str, role: Role, organisation: int | None, language: str, key: str):
            nonlocal user_id
            given, family = self._person_name(key)
            users["id"].append(user_id)
            users["username"].append(username)
            users["display_name"].append(f"{given} {family}")
            users["role"].append(role.value)
            users["organisation_id"].append(organisation)
            users["preferred_language"].append(language)
            users["active"].append(True)
            users["password_hash"].append(password_hash)
            users["created_at"].append(now - 400 * DAY)
            self.usernames.setdefault(role.value, [])
            if len(self.usernames[role.value]) < 3:
                self.usernames[role.value].append(username)
            user_id += 1
            return user_id - 1

        has_admin = session.scalar(select(User.id).where(User.role == Role.ADMINISTRATOR).limit(1))
        taken = {name.lower() for name in session.scalars(select(User.username))}
        if not has_admin and "admin" not in taken:
            self.admin_id = add("admin", Role.ADMINISTRATOR, None, "en", "serbian")
        else:
            self.admin_id = int(has_admin) if has_admin else None
        for m in self.municipalities:
            language = _COUNTRY_INTERFACE[m.country]
            key = _NAME_KEY[COMMUNITIES[m.majority]]
            groups = max(1, round(m.children * GROUPS_PER_CHILD))
            for number in range(max(1, math.ceil(groups / 6))):
                organisation = m.office_id if number == 0 else m.ngo_id
                m.facilitators.append(
                    add(
                        f"facilitator.{m.code}.{number + 1}",
                        Role.FACILITATOR,
                        organisation,
                        language,
                        key,
                    )
                )
            for number, school in enumerate(m.school_ids):
                m.coordinators.append(
                    add(
                        f"school.{m.code}.{number + 1}",
                        Role.SCHOOL_COORDINATOR,
                        school,
                        language,
                        key,
                    )
                )
            for number in range(max(1, round(m.children / 1250))):
                m.social_workers.append(
                    add(
                        f"socialworker.{m.code}.{number + 1}",
                        Role.SOCIAL_WORKER,
                        m.csw_id,
                        language,
                        key,
                    )
                )
        clash = taken & {name.lower() for name in users["username"]}
        if clash:
            raise NationalDataRefused(f"usernames already taken: {sorted(clash)[:5]}")
        writer.write("users", users)

        specialist_id = writer.next_id("specialists")
        specialists: dict[str, list[Any]] = {
            "id": [],
            "name": [],
            "profession": [],
            "organisation_id": [],
            "phone": [],
            "active": [],
        }
        for m in self.municipalities:
            for profession in (Profession.PSYCHOLOGIST, Profession.PEDAGOGUE):
                given, family = self._person_name(_NAME_KEY[COMMUNITIES[m.majority]])
                specialists["id"].append(specialist_id)
                specialists["name"].append(f"{given} {family}")
                specialists["profession"].append(profession.value)
                specialists["organisation_id"].append(m.ngo_id)
                specialists["phone"].append(self._phone(m.country, rng))
                specialists["active"].append(True)
                m.specialists.append(specialist_id)
                specialist_id += 1
        writer.write("specialists", specialists)
        self.progress(STAGE_ACCOUNTS, 1, 1)

    def _person_name(self, key: str) -> tuple[str, str]:
        rng = self.rng
        gender = ("female", "male")[int(rng.integers(2))]
        given = GIVEN_NAMES[key][gender][int(rng.integers(len(GIVEN_NAMES[key][gender])))]
        base = FAMILY_NAMES[key][int(rng.integers(len(FAMILY_NAMES[key])))]
        return given, family_name_for(key, base, gender)

    @staticmethod
    def _phone(country: str, rng: np.random.Generator) -> str:
        digits = rng.integers(0, 10, 8)
        return (
            f"{_PHONE_PREFIX[country]}{digits[0]} {''.join(map(str, digits[1:4]))} "
            f"{''.join(map(str, digits[4:]))}"
        )

    # children

    def _children(self) -> None:
        rng = self.rng
        total = sum(m.children for m in self.municipalities)
        self.progress(STAGE_CHILDREN, 0, total)
        parts: dict[str, list[np.ndarray]] = {
            key: []
            for key in (
                "municipality",
                "community",
                "background",
                "area",
                "school",
                "gender",
                "birth",
                "family",
            )
        }
        family_offset = 0
        start = 0
        for m in self.municipalities:
            n = m.children
            m.child_slice = slice(start, start + n)
            start += n
            community = _pick(rng, m.mix, n)
            background = community.copy()
            undeclared = np.isin(community, list(UNDECLARED)) | (community == _C[Community.OTHER])
            background[undeclared] = m.majority
            area = self._areas(m, background)
            school = self._schools(m, background, area)
            # families: siblings share community and area
            order = np.lexsort((area, community))
            community, background, area, school = (
                community[order],
                background[order],
                area[order],
                school[order],
            )
            family = self._families_of(community * 100 + area, family_offset)
            family_offset = int(family.max()) + 1 if n else family_offset
            ages = rng.uniform(7.0, 18.0, n)
            birth = _epoch_day(self.today) - (ages * 365.25).astype(np.int64)
            gender = _pick(rng, _GENDER_WEIGHTS, n)
            for key, values in (
                ("municipality", np.full(n, m.index)),
                ("community", community),
                ("background", background),
                ("area", area),
                ("school", school),
                ("gender", gender),
                ("birth", birth),
                ("family", family),
            ):
                parts[key].append(values)
        c = {key: np.concatenate(values).astype(np.int64) for key, values in parts.items()}
        self.c = c
        n = len(c["community"])
        self.n_children = n
        self.child_ids = self.writer.next_id("children") + np.arange(n)
        self.n_families = int(c["family"].max()) + 1 if n else 0

        # family-level background: care, income band, name
        families = self.n_families
        first_of_family = np.full(families, -1, dtype=np.int64)
        first_of_family[c["family"][::-1]] = np.arange(n)[::-1]
        self.family_first_child = first_of_family
        family_background = c["background"][first_of_family]
        family_area = c["area"][first_of_family]
        family_municipality = c["municipality"][first_of_family]
        care = _pick(rng, [weight for _care, weight in _CARE], families)
        roma_area = np.array(
            [m.roma_area if m.roma_area is not None else -1 for m in self.municipalities]
        )
        marginalised = np.isin(family_background, list(MARGINALISED))
        poor_area = family_area == roma_area[family_municipality]
        band = np.empty(families, dtype=np.int64)
        for kind, mask in (
            ("marginalised", marginalised),
            ("poor_area", ~marginalised & poor_area),
            ("general", ~marginalised & ~poor_area),
        ):
            band[mask] = _pick(rng, _BAND_WEIGHTS[kind], int(mask.sum()))
        self.family_care = care
        self.family_band = band
        name_key = np.array(
            [NAME_KEYS.index(_NAME_KEY[COMMUNITIES[b]]) for b in range(K - 2)] + [0, 0]
        )
        self.name_key_of_background = name_key
        family_key = name_key[family_background]
        family_base = np.empty(families, dtype=object)
        for key_index, key in enumerate(NAME_KEYS):
            mask = family_key == key_index
            choices = np.array(FAMILY_NAMES[key], dtype=object)
            family_base[mask] = choices[rng.integers(len(choices), size=int(mask.sum()))]
        self.family_base = family_base
        self.family_key = family_key
        self.family_municipality = family_municipality
        self.family_background = family_background

        # the children's rows
        child_key = name_key[c["background"]]
        name_gender = np.where(c["gender"] < 2, c["gender"], rng.integers(0, 2, n))
        given = np.empty(n, dtype=object)
        family_names = np.empty(n, dtype=object)
        base = family_base[c["family"]]
        for key_index, key in enumerate(NAME_KEYS):
            for gender_index, gender in enumerate(("female", "male")):
                mask = (child_key == key_index) & (name_gender == gender_index)
                count = int(mask.sum())
                if not count:
                    continue
                choices = np.array(GIVEN_NAMES[key][gender], dtype=object)
                given[mask] = choices[rng.integers(len(choices), size=count)]
                if key == "macedonian" and gender == "female":
                    family_names[mask] = [family_name_for(key, b, gender) for b in base[mask]]
                else:
                    family_names[mask] = base[mask]
        self.given = given
        self.family_names = family_names
        self.name_gender = name_gender
        municipalities = self.municipalities
        country = np.array([m.country for m in municipalities], dtype=object)[c["municipality"]]
        self.child_country = country
        home = self._home_languages(c["background"], country)
        school_ids = np.concatenate([np.array(m.school_ids) for m in municipalities])
        school_offsets = np.cumsum([0] + [len(m.school_ids) for m in municipalities])[:-1]
        c["school_global"] = school_offsets[c["municipality"]] + c["school"]
        coordinator = np.concatenate([np.array(m.coordinators) for m in municipalities])
        area_names = [np.array(m.areas, dtype=object) for m in municipalities]
        residence = np.empty(n, dtype=object)
        for m in municipalities:
            residence[m.child_slice] = area_names[m.index][c["area"][m.child_slice]]
        school_year = self.year2.year
        birth_year = c["birth"].astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
        grade = np.clip(school_year - birth_year - 6, 1, 12)
        section = rng.integers(1, 4, n)
        roman = np.array(["", "I", "II", "III", "IV"], dtype=object)
        school_class = [
            f"{g}-{s}" if g <= 8 else f"{roman[g - 8]}-{s}"
            for g, s in zip(grade.tolist(), section.tolist(), strict=True)
        ]
        created = self.clock.utc(
            _epoch_day(self.year1) - rng.integers(5, 160, n), rng.integers(8 * 3600, 16 * 3600, n)
        )
        self.child_created = created
        created_by = coordinator[c["school_global"]]
        self.child_created_by = created_by  # referrals by social workers are set in _families
        self._child_rows = {
            "id": self.child_ids,
            "given_name": given,
            "family_name": family_names,
            "birth_date": c["birth"],
            "gender": np.array(_GENDERS, dtype=object)[c["gender"]],
            "school_id": school_ids[c["school_global"]],
            "school_class": school_class,
            "municipality_id": np.array([m.id for m in municipalities])[c["municipality"]],
            "home_languages": home,
            "residence_area": residence,
            "community": np.array(
                [None if x is None else x.value for x in COMMUNITIES], dtype=object
            )[c["community"]],
            "socio_economic_band": np.array([b.value for b in _BANDS], dtype=object)[
                band[c["family"]]
            ],
            "care_situation": np.array([care.value for care, _w in _CARE], dtype=object)[
                care[c["family"]]
            ],
            "created_at": created,
        }

    def _areas(self, m: _Municipality, background: np.ndarray) -> np.ndarray:
        rng = self.rng
        count = len(m.areas)
        general = rng.lognormal(0.0, 0.4, count)
        if m.roma_area is not None:
            general[m.roma_area] *= 0.25
        area = np.empty(len(background), dtype=np.int64)
        minority_areas = {}
        free = [a for a in range(1, count) if a != m.roma_area]
        for community in np.unique(background):
            minority = community != m.majority and community not in MARGINALISED
            if minority and free and m.mix[community] >= 0.04:
                minority_areas[int(community)] = free.pop()
        for community in np.unique(background):
            mask = background == community
            weights = general.copy()
            if community in MARGINALISED and m.roma_area is not None:
                weights = weights / weights.sum() * 0.35
                weights[m.roma_area] += 0.65
            elif int(community) in minority_areas:
                weights = weights / weights.sum() * 0.45
                weights[minority_areas[int(community)]] += 0.55
            area[mask] = _pick(rng, weights, int(mask.sum()))
        return area

    def _schools(self, m: _Municipality, background: np.ndarray, area: np.ndarray) -> np.ndarray:
        """The school teaching in the family's language whose catchment includes the area
        (85 %), else another school of that language."""
        rng = self.rng
        languages = np.array(m.school_language)
        school = np.empty(len(background), dtype=np.int64)
        own = np.isin(background, languages)
        language = np.where(own, background, m.majority)
        for value in np.unique(language):
            candidates = np.flatnonzero(languages == value)
            mask = language == value
            catchment = candidates[area[mask] % len(candidates)]
            other = candidates[rng.integers(len(candidates), size=int(mask.sum()))]
            school[mask] = np.where(rng.random(int(mask.sum())) < 0.85, catchment, other)
        return school

    def _families_of(self, block: np.ndarray, offset: int) -> np.ndarray:
        """Cut children sorted by ``block`` into families of 1-4 within each block."""
        rng = self.rng
        n = len(block)
        family = np.empty(n, dtype=np.int64)
        sizes = rng.choice(4, size=n + 4, p=(0.52, 0.33, 0.11, 0.04)) + 1
        used = 0
        current = offset
        boundaries = np.flatnonzero(np.diff(block)) + 1
        for start, stop in zip(np.r_[0, boundaries], np.r_[boundaries, n], strict=True):
            position = start
            while position < stop:
                size = int(sizes[used % len(sizes)])
                used += 1
                family[position : min(stop, position + size)] = current
                current += 1
                position += size
        return family

    def _home_languages(self, background: np.ndarray, country: np.ndarray) -> np.ndarray:
        rng = self.rng
        result = np.empty(len(background), dtype=object)
        bilingual = rng.random(len(background))
        for community in np.unique(background):
            usual, other, share = _HOME[COMMUNITIES[community]]
            for code in COUNTRIES:
                mask = (background == community) & (country == code)
                if not mask.any():
                    continue
                texts = []
                for languages in (usual, other):
                    resolved = []
                    for language in languages:
                        language = _COUNTRY_LANGUAGE[code] if language == "*" else language
                        if language not in resolved:
                            resolved.append(language)
                    texts.append(json.dumps(resolved))
                result[mask] = np.where(bilingual[mask] < share, texts[1], texts[0])
        return result

    # guardians, consents, interests, risk records

    def _families(self) -> None:
        rng, writer, c = self.rng, self.writer, self.c
        n, families = self.n_children, self.n_families
        self.progress(STAGE_FAMILIES, 0, 1)
        # at-risk records first: a referral changes who registered the child
        low = self.family_band[c["family"]] == 0
        care = self.family_care[c["family"]]
        weight = np.ones(n)
        weight[low] *= 2.0
        weight[np.isin(care, [3, 4])] *= 4.0  # foster care, institution
        weight[care == 2] *= 1.5
        weight[np.isin(c["background"], list(MARGINALISED))] *= 1.4
        probability = np.clip(RISK_SHARE * weight / weight.mean(), 0, 0.9)
        followed = np.flatnonzero(rng.random(n) < probability)
        closed = rng.random(len(followed)) < 0.2
        referred = rng.random(len(followed)) < 0.3
        self.followed = followed[~closed]
        self.referred = followed[~closed & referred]
        municipality = c["municipality"][followed]
        social_worker = (
            np.array(
                [
                    m.social_workers[int(rng.integers(len(m.social_workers)))]
                    for m in (self.municipalities[i] for i in municipality)
                ]
            )
            if len(followed)
            else np.array([], dtype=np.int64)
        )
        self.child_created_by[followed[referred]] = social_worker[referred]
        self._child_rows["created_by_id"] = self.child_created_by
        self.writer.write("children", self._child_rows, STAGE_CHILDREN)
        del self._child_rows

        # interests: none, one or two per child
        how_many = rng.choice(3, size=n, p=(0.3, 0.45, 0.25))
        first = rng.integers(len(_INTERESTS), size=n)
        second = (first + 1 + rng.integers(len(_INTERESTS) - 1, size=n)) % len(_INTERESTS)
        owners = np.r_[np.flatnonzero(how_many >= 1), np.flatnonzero(how_many == 2)]
        labels = np.r_[first[how_many >= 1], second[how_many == 2]]
        writer.write(
            "child_interests",
            {
                "id": writer.next_id("child_interests") + np.arange(len(owners)),
                "child_id": self.child_ids[owners],
                "kind": [_INTERESTS[i][0].value for i in labels.tolist()],
                "label": [_INTERESTS[i][1] for i in labels.tolist()],
            },
        )

        # guardians per family, by care situation
        relations = self._guardian_relations(families)
        guardian_family = np.repeat(np.arange(families), [len(r) for r in relations])
        kinds = np.array([kind for r in relations for kind in r], dtype=object)
        g = len(kinds)
        guardian_ids = writer.next_id("guardians") + np.arange(g)
        first_guardian = np.full(families, -1, dtype=np.int64)
        first_guardian[guardian_family[::-1]] = guardian_ids[::-1]
        self.family_first_guardian = first_guardian
        mothers = np.isin(kinds, ["mother", "grandparent_f"])
        fathers = kinds == "father"
        gender = np.where(mothers, 0, np.where(fathers, 1, rng.integers(0, 2, g)))
        kinds = np.where(kinds == "grandparent_f", "grandparent", kinds)
        outsider = np.isin(kinds, ["foster_parent", "legal_guardian"])
        majority_key = self.name_key_of_background[
            np.array([m.majority for m in self.municipalities])
        ]
        key = np.where(
            outsider,
            majority_key[self.family_municipality[guardian_family]],
            self.family_key[guardian_family],
        )
        given = np.empty(g, dtype=object)
        family_name = np.empty(g, dtype=object)
        base = self.family_base[guardian_family]
        for key_index, name_key in enumerate(NAME_KEYS):
            for gender_index, gender_name in enumerate(("female", "male")):
                mask = (key == key_index) & (gender == gender_index)
                count = int(mask.sum())
                if not count:
                    continue
                names = np.array(GIVEN_NAMES[name_key][gender_name], dtype=object)
                given[mask] = names[rng.integers(len(names), size=count)]
                outsiders = mask & outsider
                if outsiders.any():
                    families_list = np.array(FAMILY_NAMES[name_key], dtype=object)
                    base[outsiders] = families_list[
                        rng.integers(len(families_list), size=int(outsiders.sum()))
                    ]
                if name_key == "macedonian" and gender_name == "female":
                    family_name[mask] = [family_name_for(name_key, b, "female") for b in base[mask]]
                else:
                    family_name[mask] = base[mask]
        country = np.array([m.country for m in self.municipalities], dtype=object)[
            self.family_municipality[guardian_family]
        ]
        background = self.family_background[guardian_family]
        language = np.empty(g, dtype=object)
        for community in np.unique(background):
            for code in COUNTRIES:
                mask = (background == community) & (country == code)
                if mask.any():
                    language[mask] = _INTERFACE[COMMUNITIES[community]] or _COUNTRY_INTERFACE[code]
        digits = rng.integers(0, 10_000_000, g)
        prefix = np.array([_PHONE_PREFIX[code] for code in country.tolist()], dtype=object)
        phone = [
            f"{p}{d // 1_000_000} {d // 1000 % 1000:03d} {d % 1000:03d}"
            for p, d in zip(prefix.tolist(), digits.tolist(), strict=True)
        ]
        family_created = self.child_created[self.family_first_child]
        writer.write(
            "guardians",
            {
                "id": guardian_ids,
                "given_name": given,
                "family_name": family_name,
                "phone": phone,
                "preferred_language": language,
                "created_at": family_created[guardian_family],
            },
        )

        # every child is linked to every guardian of the family
        per_family = np.bincount(guardian_family, minlength=families)
        guardian_start = np.r_[0, np.cumsum(per_family)[:-1]]
        child_family = c["family"]
        links = per_family[child_family]
        link_child = np.repeat(np.arange(n), links)
        link_offset = np.arange(len(link_child)) - np.repeat(np.cumsum(links) - links, links)
        link_guardian = guardian_start[child_family[link_child]] + link_offset
        writer.write(
            "child_guardians",
            {
                "child_id": self.child_ids[link_child],
                "guardian_id": guardian_ids[link_guardian],
                "relationship_kind": kinds[link_guardian],
            },
        )

        # consents: participation for everyone, photos for 60 %, sharing with the centre for
        # most followed children the centre did not refer itself
        coordinator = self.child_created_by
        guardian = first_guardian[child_family]
        photos = np.flatnonzero(rng.random(n) < 0.6)
        is_referred = np.zeros(n, dtype=bool)
        is_referred[self.referred] = True
        sharing = self.followed[
            rng.random(len(self.followed)) < np.where(is_referred[self.followed], 0.3, 0.85)
        ]
        opened = (
            _epoch_day(self.today) - rng.integers(10, 700, len(followed))
            if len(followed)
            else np.array([], dtype=np.int64)
        )
        opened_by_child = np.full(n, NULL, dtype=np.int64)
        opened_by_child[followed] = opened
        worker_by_child = np.full(n, NULL, dtype=np.int64)
        worker_by_child[followed] = social_worker
        consent_child = np.r_[np.arange(n), photos, sharing]
        scope = np.r_[
            np.full(n, ConsentScope.PARTICIPATION.value, dtype=object),
            np.full(len(photos), ConsentScope.PHOTOS.value, dtype=object),
            np.full(len(sharing), ConsentScope.CSW_SHARING.value, dtype=object),
        ]
        given_at = np.r_[
            self.child_created,
            self.child_created[photos],
            (opened_by_child[sharing] + rng.integers(0, 14, len(sharing))) * DAY + 9 * 3600,
        ]
        recorded_by = np.r_[coordinator, coordinator[photos], worker_by_child[sharing]]
        writer.write(
            "consents",
            {
                "id": writer.next_id("consents") + np.arange(len(consent_child)),
                "child_id": self.child_ids[consent_child],
                "guardian_id": guardian[consent_child],
                "scope": scope,
                "given_at": given_at,
                "withdrawn_at": np.full(len(consent_child), NULL),
                "recorded_by_id": recorded_by,
                "note": [""] * len(consent_child),
            },
        )

        # at-risk records of each municipality's centre for social work
        categories = self._risk_categories(followed)
        closed_on = np.where(
            closed,
            np.minimum(opened + rng.integers(30, 400, len(followed)), _epoch_day(self.today) - 1),
            NULL,
        )
        csw = np.array([m.csw_id for m in self.municipalities])[municipality]
        legal = np.array([_LEGAL_BASIS[m.country] for m in self.municipalities], dtype=object)
        writer.write(
            "risk_records",
            {
                "id": writer.next_id("risk_records") + np.arange(len(followed)),
                "child_id": self.child_ids[followed],
                "csw_id": csw,
                "caseworker_id": social_worker,
                "categories": categories,
                "opened_on": opened,
                "closed_on": closed_on,
                "legal_basis": legal[municipality] if len(followed) else [],
                "note": ["Synthetic national dataset record."] * len(followed),
                "created_at": opened * DAY + 9 * 3600,
            },
            STAGE_FAMILIES,
        )
        self.is_followed = np.zeros(n, dtype=bool)
        self.is_followed[self.followed] = True
        self.is_referred = is_referred

    def _guardian_relations(self, families: int) -> list[list[str]]:
        rng = self.rng
        draws = rng.random((families, 2))
        care = self.family_care
        relations: list[list[str]] = []
        for family in range(families):
            first, second = draws[family]
            match _CARE[care[family]][0]:
                case CareSituation.PARENTS:
                    if first < 0.8:
                        kinds = ["mother", "father"]
                    else:
                        kinds = ["mother" if second < 0.7 else "father"]
                case CareSituation.SINGLE_PARENT:
                    kinds = ["mother" if first < 0.8 else "father"]
                case CareSituation.RELATIVES:
                    kinds = ["grandparent_f" if first < 0.6 else "grandparent"]
                    if second < 0.3:
                        kinds.append("other")
                case CareSituation.FOSTER_CARE:
                    kinds = ["foster_parent"] * (1 + (first < 0.5))
                case CareSituation.INSTITUTION:
                    kinds = ["legal_guardian"]
                case CareSituation.OTHER:
                    kinds = ["other"]
                case _:
                    kinds = ["mother"]
            relations.append(kinds)
        return relations

    def _risk_categories(self, children: np.ndarray) -> list[str]:
        rng = self.rng
        c = self.c
        care = self.family_care[c["family"][children]]
        low = self.family_band[c["family"][children]] == 0
        general = [
            RiskCategory.NEGLECTED,
            RiskCategory.FAMILY_AT_RISK,
            RiskCategory.BEHAVIOUR_PROBLEMS,
            RiskCategory.OUT_OF_SCHOOL,
            RiskCategory.DISABILITY,
            RiskCategory.DOMESTIC_VIOLENCE,
            RiskCategory.STREET_INVOLVED,
        ]
        first = rng.integers(len(general), size=len(children))
        extra = rng.random(len(children))
        texts = []
        for index in range(len(children)):
            codes = []
            if care[index] in (3, 4):
                codes.append(RiskCategory.INSTITUTION_OR_FOSTER_CARE.value)
            elif care[index] == 2:
                codes.append(RiskCategory.WITHOUT_PARENTAL_CARE.value)
            if low[index]:
                codes.append(RiskCategory.SOCIAL_AID.value)
            if not codes or extra[index] < 0.4:
                codes.append(general[first[index]].value)
            texts.append(json.dumps(codes))
        return texts

    # groups and enrolments

    def _groups(self) -> None:
        rng, writer, c = self.rng, self.writer, self.c
        self.progress(STAGE_GROUPS, 0, len(self.municipalities))
        today = _epoch_day(self.today)
        y1, y2 = _epoch_day(self.year1), _epoch_day(self.year2)
        june = _epoch_day(date(self.year1.year + 1, 6, 20))
        group_id = writer.next_id("groups")
        enrolment_id = writer.next_id("enrolments")
        age = (today - c["birth"]) / 365.25
        groups: dict[str, list[Any]] = {
            key: []
            for key in (
                "id",
                "kind",
                "name",
                "description",
                "organisation_id",
                "municipality_id",
                "min_age",
                "max_age",
                "capacity",
                "active",
                "created_at",
            )
        }
        leaders: dict[str, list[int]] = {"group_id": [], "user_id": []}
        self.group_info: list[dict[str, Any]] = []
        enrol: dict[str, list[np.ndarray]] = {
            key: [] for key in ("group", "child", "status", "source", "created", "ended", "reason")
        }
        roma_municipality = max(
            self.municipalities,
            key=lambda m: int((c["community"][m.child_slice] == _C[Community.ROMA]).sum()),
        )
        for m in self.municipalities:
            members = np.arange(m.child_slice.start, m.child_slice.stop)
            count = max(1, round(m.children * GROUPS_PER_CHILD))
            specs = self._group_specs(m, count, members, m is roma_municipality)
            used_names: set[str] = set()
            for number, spec in enumerate(specs):
                pool = spec["pool"]
                pool = pool[(age[pool] >= spec["min_age"]) & (age[pool] < spec["max_age"] + 1)]
                if len(pool) < 4:
                    continue
                size = min(len(pool), spec["size"])
                queue = min(int(rng.integers(0, 4)), len(pool) - size)
                chosen = rng.choice(pool, size=size + queue, replace=False)
                active, waiting = chosen[:size], chosen[size:]
                name = spec["name"]
                suffix = 2
                while name in used_names:
                    name, suffix = f"{spec['name']} {suffix}", suffix + 1
                used_names.add(name)
                starts_y1 = rng.random() < 0.6 and y1 + 30 < today
                start = (y1 if starts_y1 else y2) + int(rng.integers(7, 25))
                ended = bool(starts_y1 and rng.random() < 0.22 and june < today)
                end = june if ended else _epoch_day(self.data_end)
                leader = (
                    m.facilitators[0]
                    if spec["kind"] == GroupKind.PARLIAMENT
                    else (
                        m.facilitators[(number % max(1, len(m.facilitators) - 1)) + 1]
                        if len(m.facilitators) > 1
                        else m.facilitators[0]
                    )
                )
                info = {
                    "id": group_id,
                    "municipality": m,
                    "kind": spec["kind"],
                    "start": start,
                    "end": end,
                    "ended": ended,
                    "leader": leader,
                    "band": spec["band"],
                    "quiz": spec["quiz"],
                    "session_kind": spec["session_kind"],
                    "capacity": size + 5,
                    "min_age": spec["min_age"],
                    "max_age": spec["max_age"],
                    "topic": spec["topic"],
                    "segregated": spec["segregated"],
                }
                self.group_info.append(info)
                groups["id"].append(group_id)
                groups["kind"].append(spec["kind"].value)
                groups["name"].append(name)
                groups["description"].append(spec["description"])
                groups["organisation_id"].append(
                    m.office_id if spec["kind"] == GroupKind.PARLIAMENT else m.ngo_id
                )
                groups["municipality_id"].append(m.id)
                groups["min_age"].append(spec["min_age"])
                groups["max_age"].append(spec["max_age"])
                groups["capacity"].append(size + 5)
                groups["active"].append(not ended)
                groups["created_at"].append((start - 20) * DAY + 10 * 3600)
                leaders["group_id"].append(group_id)
                leaders["user_id"].append(leader)
                self._enrolments(info, active, waiting, enrol, today)
                group_id += 1
            self.progress(STAGE_GROUPS, m.index + 1, len(self.municipalities))
        self._referrals(enrol, today)
        writer.write("groups", groups)
        writer.write("group_leaders", leaders)
        e = {
            key: np.concatenate(values) if values else np.array([], dtype=np.int64)
            for key, values in enrol.items()
        }
        self.enrolments = e
        total = len(e["child"])
        status_text = np.array([s.value for s in EnrolmentStatus], dtype=object)
        source_text = np.array([s.value for s in EnrolmentSource], dtype=object)
        reason_text = np.array([None, *(r.value for r in EndReason)], dtype=object)
        group_ids = np.array([info["id"] for info in self.group_info])
        csw = np.array([m.csw_id for m in self.municipalities])
        referred_by = np.where(
            e["source"] == list(EnrolmentSource).index(EnrolmentSource.CSW),
            csw[c["municipality"][e["child"]]] if total else e["source"],
            NULL,
        )
        created = e["created"] * DAY + 12 * 3600
        writer.write(
            "enrolments",
            {
                "id": enrolment_id + np.arange(total),
                "group_id": group_ids[e["group"]],
                "child_id": self.child_ids[e["child"]],
                "status": status_text[e["status"]],
                "source": source_text[e["source"]],
                "referred_by_id": referred_by,
                "created_at": created,
                "queued_at": created,
                "ended_at": np.where(e["ended"] == NULL, NULL, e["ended"] * DAY + 15 * 3600),
                "end_reason": reason_text[e["reason"]],
            },
            STAGE_GROUPS,
        )

    def _group_specs(
        self, m: _Municipality, count: int, members: np.ndarray, roma_town: bool
    ) -> list[dict[str, Any]]:
        """What each of the municipality's groups is and which children it draws from."""
        rng, c = self.rng, self.c
        community = c["community"][members]
        area = c["area"][members]
        school = c["school"][members]
        short = m.name.removeprefix(f"{NATIONAL_PREFIX} ")
        specs: list[dict[str, Any]] = []

        def spec(
            kind,
            name,
            description,
            pool,
            lo,
            hi,
            size,
            session_kind,
            quiz,
            band=None,
            topic="",
            segregated=False,
        ):
            band = band or ("7-10" if hi <= 11 else "15-18" if lo >= 15 else "11-14")
            specs.append(
                {
                    "kind": kind,
                    "name": name,
                    "description": description,
                    "pool": pool,
                    "min_age": lo,
                    "max_age": hi,
                    "size": size,
                    "session_kind": session_kind,
                    "quiz": quiz,
                    "band": band,
                    "topic": topic,
                    "segregated": segregated,
                }
            )

        spec(
            GroupKind.PARLIAMENT,
            f"Children's Parliament {short}",
            "Representatives of the municipality's schools; meets twice a month.",
            members,
            10,
            18,
            40,
            SessionKind.PARLIAMENT_SITTING,
            True,
            "11-14",
        )
        roma = members[community == _C[Community.ROMA]]
        if m.roma_area is not None and (len(roma) >= 12 or (roma_town and len(roma) >= 4)):
            settlement = m.areas[m.roma_area]
            in_settlement = roma[c["area"][roma] == m.roma_area]
            spec(
                GroupKind.OTHER_CLUB,
                f"Homework Club {settlement}",
                "Homework help in the settlement's community room; grew up around one "
                "neighbourhood.",
                in_settlement if len(in_settlement) >= 4 else roma,
                7,
                14,
                int(rng.integers(12, 19)),
                SessionKind.CLUB_PRACTICE,
                False,
                segregated=True,
            )
        minorities = [
            k
            for k in range(K)
            if k != m.majority
            and k not in UNDECLARED
            and k not in MARGINALISED
            and COMMUNITIES[k] is not Community.OTHER
            and m.mix[k] >= 0.06
        ]
        if minorities and count >= 5:
            k = minorities[int(rng.integers(len(minorities)))]
            label = COMMUNITIES[k].value.capitalize()
            spec(
                GroupKind.OTHER_CLUB,
                f"{label} Cultural Society: Folk Dance",
                "Folk dance and songs of one community's tradition.",
                members[community == k],
                8,
                15,
                int(rng.integers(16, 26)),
                SessionKind.CLUB_PRACTICE,
                False,
                segregated=True,
            )
        kinds = (
            (GroupKind.SPORT_CLUB, 0.3),
            (GroupKind.MUSIC_CLUB, 0.2),
            (GroupKind.OTHER_CLUB, 0.1),
            (GroupKind.WORKSHOP_SERIES, 0.4),
        )
        sport = ("Football", "Basketball", "Volleyball", "Handball", "Karate", "Chess")
        music = ("Choir", "Guitar", "Drums", "Tamburica", "Rock Band")
        other = ("Drama", "Robotics", "Photography", "Eco Patrol", "Debate")
        for _number in range(max(0, count - len(specs))):
            kind = kinds[_pick(rng, [w for _k, w in kinds], 1)[0]][0]
            size = int(np.clip(rng.normal(34.5, 6), 14, 44))
            local = rng.random()
            if kind == GroupKind.WORKSHOP_SERIES:
                band = _AGE_BANDS[int(rng.integers(3))]
                lo, hi = {"7-10": (7, 10), "11-14": (11, 14), "15-18": (15, 18)}[band]
                topics = _WORKSHOP_TOPICS[band]
                topic = topics[int(rng.integers(len(topics)))]
                if local < 0.6:  # at one school: the school's mix
                    s = int(rng.integers(len(m.school_ids)))
                    spec(
                        kind,
                        f"Workshops: {topic} ({m.school_names[s]})",
                        "A series of workshops at the school.",
                        members[school == s],
                        lo,
                        hi,
                        size,
                        SessionKind.SPECIALIST_WORKSHOP,
                        True,
                        band,
                        topic,
                    )
                else:
                    spec(
                        kind,
                        f"Workshops: {topic}",
                        "A series of workshops for the town.",
                        members,
                        lo,
                        hi,
                        size,
                        SessionKind.SPECIALIST_WORKSHOP,
                        True,
                        band,
                        topic,
                    )
                continue
            label = {
                GroupKind.SPORT_CLUB: sport,
                GroupKind.MUSIC_CLUB: music,
                GroupKind.OTHER_CLUB: other,
            }[kind]
            activity = label[int(rng.integers(len(label)))]
            lo, hi = (8, 14) if kind == GroupKind.SPORT_CLUB else (7, 15)
            quiz = rng.random() < 0.5
            if local < 0.3:  # a neighbourhood club: the area's mix
                a = int(rng.integers(len(m.areas)))
                spec(
                    kind,
                    f"{activity} Club {m.areas[a]}",
                    "A neighbourhood club.",
                    members[area == a],
                    lo,
                    hi,
                    size,
                    SessionKind.CLUB_PRACTICE,
                    quiz,
                )
            else:
                spec(
                    kind,
                    f"{activity} for All",
                    "Mixed teams from every school.",
                    members,
                    lo,
                    hi,
                    size,
                    SessionKind.CLUB_PRACTICE,
                    quiz,
                )
        return specs

    def _enrolments(
        self,
        info: dict[str, Any],
        active: np.ndarray,
        waiting: np.ndarray,
        enrol: dict[str, list[np.ndarray]],
        today: int,
    ) -> None:
        rng = self.rng
        index = len(self.group_info) - 1
        start, end = info["start"], min(info["end"], today)
        n = len(active)
        joined = np.where(
            rng.random(n) < 0.82,
            start - rng.integers(0, 14, n),
            start + (rng.random(n) * max(1, end - start)).astype(np.int64),
        )
        joined = np.minimum(joined, max(start, today - 1))
        status = np.full(n, list(EnrolmentStatus).index(EnrolmentStatus.ACTIVE))
        ended = np.full(n, NULL, dtype=np.int64)
        reason = np.zeros(n, dtype=np.int64)
        ended_status = list(EnrolmentStatus).index(EnrolmentStatus.ENDED)
        if info["ended"]:
            status[:] = ended_status
            ended[:] = info["end"]
        else:
            drop = (rng.random(n) < 0.12) & (joined + 21 < today)
            span = np.maximum(1, today - (joined + 21))
            ended[drop] = (
                joined[drop] + 21 + (rng.random(int(drop.sum())) * span[drop]).astype(np.int64)
            )
            status[drop] = ended_status
            reason[drop] = np.where(rng.random(int(drop.sum())) < 0.75, 1, 3)  # cancelled, removed
        source = np.where(rng.random(n) < 0.55, 0, 2)  # school, facilitator
        followed = self.is_referred[active]
        source[followed] = 1  # the centre referred the child
        w = len(waiting)
        waiting_status = list(EnrolmentStatus).index(EnrolmentStatus.WAITING)
        enrol["group"].append(np.full(n + w, index))
        enrol["child"].append(np.r_[active, waiting])
        enrol["status"].append(np.r_[status, np.full(w, waiting_status)])
        enrol["source"].append(np.r_[source, np.full(w, 2)])
        enrol["created"].append(np.r_[joined, np.full(w, max(start, today - 20))])
        enrol["ended"].append(np.r_[ended, np.full(w, NULL)])
        enrol["reason"].append(np.r_[reason, np.zeros(w, dtype=np.int64)])
        if info["ended"] and w:
            enrol["status"][-1][n:] = ended_status
            enrol["ended"][-1][n:] = info["end"]

    def _referrals(self, enrol: dict[str, list[np.ndarray]], today: int) -> None:
        """Children a centre referred join a mixed group of their town if none drew them."""
        rng = self.rng
        enrolled = np.zeros(self.n_children, dtype=bool)
        for children in enrol["child"]:
            enrolled[children] = True
        open_groups: dict[int, list[int]] = {}
        for index, info in enumerate(self.group_info):
            ordinary = info["kind"] != GroupKind.PARLIAMENT and not info["segregated"]
            if not info["ended"] and ordinary:
                open_groups.setdefault(info["municipality"].index, []).append(index)
        lonely = self.referred[~enrolled[self.referred]]
        if not len(lonely):
            return
        group = np.full(len(lonely), -1)
        for position, child in enumerate(lonely.tolist()):
            choices = open_groups.get(int(self.c["municipality"][child]))
            if choices:
                group[position] = choices[int(rng.integers(len(choices)))]
        keep = group >= 0
        lonely, group = lonely[keep], group[keep]
        starts = np.array([self.group_info[g]["start"] for g in group.tolist()], dtype=np.int64)
        joined = np.minimum(
            np.maximum(starts, today - 200) + rng.integers(0, 60, len(group)), today - 1
        )
        enrol["group"].append(group)
        enrol["child"].append(lonely)
        enrol["status"].append(np.zeros(len(group), dtype=np.int64))
        enrol["source"].append(np.ones(len(group), dtype=np.int64))
        enrol["created"].append(joined)
        enrol["ended"].append(np.full(len(group), NULL))
        enrol["reason"].append(np.zeros(len(group), dtype=np.int64))

    # series and occurrences

    def _sessions(self) -> None:
        rng, writer = self.rng, self.writer
        self.progress(STAGE_SESSIONS, 0, 1)
        series_id = writer.next_id("session_series")
        occurrence_id = writer.next_id("occurrences")
        series: dict[str, list[Any]] = {
            key: []
            for key in (
                "id",
                "group_id",
                "kind",
                "topic",
                "description",
                "recurrence",
                "first_date",
                "last_date",
                "start_time",
                "duration_minutes",
                "venue_id",
                "capacity",
                "min_age",
                "max_age",
                "languages",
                "created_by_id",
                "created_at",
            )
        }
        occ: dict[str, list[np.ndarray]] = {
            key: []
            for key in (
                "group",
                "series",
                "sequence",
                "kind",
                "excursion",
                "day",
                "local",
                "duration",
                "venue",
                "changed",
            )
        }
        kinds = list(SessionKind)
        excursions = list(ExcursionKind)
        for index, info in enumerate(self.group_info):
            m = info["municipality"]
            kind = info["session_kind"]
            if kind == SessionKind.PARLIAMENT_SITTING:
                recurrence, weekday, local = Recurrence.BIWEEKLY, 2, 16 * 3600
            elif kind == SessionKind.SPECIALIST_WORKSHOP:
                recurrence = Recurrence.WEEKLY if rng.random() < 0.7 else Recurrence.BIWEEKLY
                weekday, local = int(rng.integers(0, 5)), int(rng.choice([13, 14, 15])) * 3600
            else:
                recurrence = Recurrence.WEEKLY
                saturday = rng.random() < 0.4
                weekday = 5 if saturday else int(rng.integers(0, 5))
                local = (10 if saturday else int(rng.choice([16, 17, 18]))) * 3600
            if rng.random() < 0.06:
                recurrence = Recurrence.MONTHLY
            step = {Recurrence.WEEKLY: 7, Recurrence.BIWEEKLY: 14, Recurrence.MONTHLY: 28}[
                recurrence
            ]
            first = info["start"] + (weekday - (info["start"] + 3) % 7) % 7  # epoch day 0: Thu
            days = np.arange(first, info["end"] + 1, step)
            days = days[~_holiday(days)]
            duration = 90 if kind != SessionKind.CLUB_PRACTICE else int(rng.choice([60, 90]))
            venue = (
                m.venue_ids[1]
                if info["kind"] == GroupKind.SPORT_CLUB
                else m.venue_ids[int(rng.integers(len(m.venue_ids)))]
            )
            language = json.dumps([_COUNTRY_LANGUAGE[m.country]])
            info["language"] = language
            info["venue"] = venue
            sid = series_id + len(series["id"])
            series["id"].append(sid)
            series["group_id"].append(info["id"])
            series["kind"].append(kind.value)
            series["topic"].append(info["topic"] or self._topic(kind, 0))
            series["description"].append("")
            series["recurrence"].append(recurrence.value)
            series["first_date"].append(first)
            series["last_date"].append(info["end"])
            series["start_time"].append(local)
            series["duration_minutes"].append(duration)
            series["venue_id"].append(venue)
            series["capacity"].append(info["capacity"])
            series["min_age"].append(info["min_age"])
            series["max_age"].append(info["max_age"])
            series["languages"].append(language)
            series["created_by_id"].append(info["leader"])
            series["created_at"].append((info["start"] - 14) * DAY + 9 * 3600)
            count = len(days)
            sequence = np.arange(1, count + 1)
            kind_index = np.full(count, kinds.index(kind))
            changed = np.zeros(count, dtype=bool)
            if kind in (SessionKind.SPECIALIST_WORKSHOP, SessionKind.PARLIAMENT_SITTING):
                family = sequence % 8 == 0
                kind_index[family] = kinds.index(SessionKind.FAMILY_WORKSHOP)
                changed |= family
            if kind == SessionKind.SPECIALIST_WORKSHOP:
                peer = sequence % 4 == 2
                kind_index[peer] = kinds.index(SessionKind.PEER_LEARNING)
                changed |= peer
            groups = [np.full(count, index)]
            series_ids = [np.full(count, sid)]
            sequences = [sequence]
            kind_parts = [kind_index]
            excursion_parts = [np.full(count, -1)]
            day_parts = [days]
            local_parts = [np.full(count, local)]
            duration_parts = [np.full(count, duration)]
            venue_parts = [np.full(count, venue)]
            changed_parts = [changed]
            if info["kind"] in (GroupKind.SPORT_CLUB, GroupKind.MUSIC_CLUB, GroupKind.OTHER_CLUB):
                trips = days[rng.random(count) < 1 / 18]  # an excursion now and then
                trips = trips + (5 - (trips + 3) % 7) % 7  # on the Saturday
                trips = trips[(trips <= info["end"]) & ~_holiday(trips)]
                t = len(trips)
                groups.append(np.full(t, index))
                series_ids.append(np.full(t, NULL))
                sequences.append(np.full(t, NULL))
                kind_parts.append(np.full(t, kinds.index(SessionKind.EXCURSION)))
                excursion_parts.append(rng.integers(len(excursions), size=t))
                day_parts.append(trips)
                local_parts.append(np.full(t, 9 * 3600))
                duration_parts.append(np.full(t, 240))
                venue_parts.append(np.full(t, NULL))
                changed_parts.append(np.zeros(t, dtype=bool))
            for key, parts in (
                ("group", groups),
                ("series", series_ids),
                ("sequence", sequences),
                ("kind", kind_parts),
                ("excursion", excursion_parts),
                ("day", day_parts),
                ("local", local_parts),
                ("duration", duration_parts),
                ("venue", venue_parts),
                ("changed", changed_parts),
            ):
                occ[key].extend(parts)
        writer.write("session_series", series)
        writer.write(
            "series_staff", {"series_id": series["id"], "user_id": series["created_by_id"]}
        )
        o = {key: np.concatenate(values) for key, values in occ.items()}
        order = np.lexsort((o["local"], o["day"], o["group"]))
        o = {key: values[order] for key, values in o.items()}
        total = len(o["group"])
        starts = self.clock.utc(o["day"], o["local"])
        ends = starts + o["duration"] * 60
        cancelled = rng.random(total) < 0.03
        past = ends < self.now_s
        status = np.where(
            cancelled,
            OccurrenceStatus.CANCELLED.value,
            np.where(past, OccurrenceStatus.CLOSED.value, OccurrenceStatus.SCHEDULED.value),
        ).astype(object)
        closed_at = np.where(past & ~cancelled, ends + rng.integers(600, 10_800, total), NULL)
        o["ids"] = occurrence_id + np.arange(total)
        o["starts"] = starts
        o["closed"] = past & ~cancelled
        o["cancelled"] = cancelled
        self.occurrences = o
        info = self.group_info
        group_ids = np.array([g["id"] for g in info])
        leader = np.array([g["leader"] for g in info])
        topics = [
            self._topic(kinds[k], s if s != NULL else 0, info[g]["topic"])
            for g, k, s in zip(
                o["group"].tolist(), o["kind"].tolist(), o["sequence"].tolist(), strict=True
            )
        ]
        excursion_text = np.array([None, *(e.value for e in excursions)], dtype=object)
        writer.write(
            "occurrences",
            {
                "id": o["ids"],
                "group_id": group_ids[o["group"]],
                "series_id": o["series"],
                "sequence": o["sequence"],
                "kind": np.array([k.value for k in kinds], dtype=object)[o["kind"]],
                "excursion_kind": excursion_text[o["excursion"] + 1],
                "topic": topics,
                "description": [""] * total,
                "starts_at": starts,
                "duration_minutes": o["duration"],
                "venue_id": o["venue"],
                "capacity": np.array([g["capacity"] for g in info])[o["group"]],
                "min_age": np.array([g["min_age"] for g in info])[o["group"]],
                "max_age": np.array([g["max_age"] for g in info])[o["group"]],
                "languages": np.array([g["language"] for g in info], dtype=object)[o["group"]],
                "status": status,
                "changed_from_series": o["changed"],
                "cancel_reason": np.where(cancelled, "Venue not available", "").astype(object),
                "closed_at": closed_at,
                "created_at": np.array([(g["start"] - 14) * DAY + 9 * 3600 for g in info])[
                    o["group"]
                ],
            },
            STAGE_SESSIONS,
        )
        writer.write("occurrence_staff", {"occurrence_id": o["ids"], "user_id": leader[o["group"]]})
        specialist = o["kind"] == kinds.index(SessionKind.SPECIALIST_WORKSHOP)
        municipality_of_group = np.array([g["municipality"].index for g in info])
        specialists = np.array([m.specialists for m in self.municipalities])
        writer.write(
            "occurrence_specialists",
            {
                "occurrence_id": o["ids"][specialist],
                "specialist_id": specialists[
                    municipality_of_group[o["group"][specialist]],
                    o["sequence"][specialist] % 2,
                ],
            },
        )

    @staticmethod
    def _topic(kind: SessionKind, sequence: int, group_topic: str = "") -> str:
        if kind == SessionKind.PARLIAMENT_SITTING:
            return f"Sitting {sequence}: {_PARLIAMENT_AGENDA[sequence % len(_PARLIAMENT_AGENDA)]}"
        if kind == SessionKind.FAMILY_WORKSHOP:
            return "Family workshop: parents and children together"
        if kind == SessionKind.PEER_LEARNING:
            return f"Peer learning: {group_topic or 'what we learned'}"
        if kind == SessionKind.EXCURSION:
            return "Excursion"
        if kind == SessionKind.CLUB_PRACTICE:
            return "Practice"
        return group_topic or "Workshop"

    # attendance

    def _attendance(self) -> None:
        """One record per enrolled child and closed occurrence (unmarked children were made
        absent automatically when the occurrence closed)."""
        rng, writer = self.rng, self.writer
        o, e = self.occurrences, self.enrolments
        self.progress(STAGE_ATTENDANCE, 0, 1)
        closed = np.flatnonzero(o["closed"])
        by_group_occ = _split_by(o["group"][closed], closed, len(self.group_info))
        not_waiting = e["status"] != list(EnrolmentStatus).index(EnrolmentStatus.WAITING)
        rows = np.flatnonzero(not_waiting)
        by_group_enrol = _split_by(e["group"][rows], rows, len(self.group_info))
        joined_s = e["created"] * DAY + 12 * 3600
        ended_s = np.where(e["ended"] == NULL, np.iinfo(np.int64).max, e["ended"] * DAY + 15 * 3600)
        occurrence_parts, child_parts = [], []
        for group in range(len(self.group_info)):
            occurrences = by_group_occ[group]
            enrolments = by_group_enrol[group]
            if not len(occurrences) or not len(enrolments):
                continue
            starts = o["starts"][occurrences]
            enrolled = (joined_s[enrolments][:, None] <= starts[None, :]) & (
                starts[None, :] < ended_s[enrolments][:, None]
            )
            member, occurrence = np.nonzero(enrolled)
            occurrence_parts.append(occurrences[occurrence])
            child_parts.append(e["child"][enrolments[member]])
        occ_index = np.concatenate(occurrence_parts) if occurrence_parts else np.array([], int)
        child = np.concatenate(child_parts) if child_parts else np.array([], int)
        order = np.lexsort((child, occ_index))
        occ_index, child = occ_index[order], child[order]
        n = len(child)
        # how often each child comes: most of the time; followed children less, and some of
        # them have stopped coming in the last five weeks (the caseload's absences)
        propensity = rng.beta(5.0, 1.6, self.n_children)
        followed = self.is_followed
        propensity[followed] = rng.beta(3.0, 2.0, int(followed.sum()))
        stopping = followed & (rng.random(self.n_children) < 0.12)
        starts = o["starts"][occ_index]
        recent = starts > self.now_s - 35 * DAY
        p = propensity[child]
        p[stopping[child] & recent] = 0.08
        attended = rng.random(n) < p
        roll = rng.random(n)
        statuses = list(AttendanceStatus)
        status = np.where(
            attended,
            _by_roll(
                roll,
                (0.88, 0.97),
                statuses,
                (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY),
            ),
            _by_roll(roll, (0.3,), statuses, (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)),
        )
        methods = list(AttendanceMethod)
        method_roll = rng.random(n)
        method = np.where(
            attended,
            _by_roll(
                method_roll,
                (0.68, 0.88, 0.95),
                methods,
                (
                    AttendanceMethod.ROSTER,
                    AttendanceMethod.BADGE_SCAN,
                    AttendanceMethod.SELF_CHECK_IN,
                    AttendanceMethod.PAPER,
                ),
            ),
            _by_roll(
                method_roll,
                (0.55, 0.65),
                methods,
                (AttendanceMethod.ROSTER, AttendanceMethod.PAPER, AttendanceMethod.AUTOMATIC),
            ),
        )
        scanned = np.isin(
            method,
            [
                methods.index(AttendanceMethod.BADGE_SCAN),
                methods.index(AttendanceMethod.SELF_CHECK_IN),
            ],
        )
        late = status == statuses.index(AttendanceStatus.LATE)
        offset = np.where(late, rng.integers(11, 30, n), rng.integers(-10, 9, n)) * 60
        checked_in = np.where(scanned, starts + offset, NULL)
        leader = np.array([g["leader"] for g in self.group_info])
        marked_by = np.where(
            np.isin(
                method,
                [
                    methods.index(AttendanceMethod.ROSTER),
                    methods.index(AttendanceMethod.PAPER),
                    methods.index(AttendanceMethod.BADGE_SCAN),
                ],
            ),
            leader[o["group"][occ_index]],
            NULL,
        )
        self.attendance = {"occ": occ_index, "child": child, "attended": attended, "status": status}
        writer.write(
            "attendance",
            {
                "id": writer.next_id("attendance") + np.arange(n),
                "occurrence_id": o["ids"][occ_index],
                "child_id": self.child_ids[child],
                "status": np.array([s.value for s in statuses], dtype=object)[status],
                "method": np.array([m.value for m in methods], dtype=object)[method],
                "walk_in": np.zeros(n, dtype=bool),
                "checked_in_at": checked_in,
                "note": np.full(n, "", dtype=object),
                "marked_by_id": marked_by,
                "updated_at": starts + 3 * 3600,
            },
            STAGE_ATTENDANCE,
        )

    # guardians' involvement

    def _involvement(self) -> None:
        rng, writer = self.rng, self.writer
        o, a = self.occurrences, self.attendance
        self.progress(STAGE_INVOLVEMENT, 0, 1)
        kinds = list(SessionKind)
        family_workshop = o["kind"][a["occ"]] == kinds.index(SessionKind.FAMILY_WORKSHOP)
        chance = np.where(family_workshop, 0.6, INVOLVEMENT_SHARE)
        chosen = np.flatnonzero(a["attended"] & (rng.random(len(a["occ"])) < chance))
        guardian = self.family_first_guardian[self.c["family"][a["child"][chosen]]]
        occurrence = a["occ"][chosen]
        roles = list(InvolvementRole)
        roll = rng.random(len(chosen))
        specialist = o["kind"][occurrence] == kinds.index(SessionKind.SPECIALIST_WORKSHOP)
        met_or_other = np.where(
            specialist,
            roles.index(InvolvementRole.MET_SPECIALIST),
            roles.index(InvolvementRole.OTHER),
        )
        role = np.where(
            family_workshop[chosen],
            roles.index(InvolvementRole.FAMILY_WORKSHOP),
            np.where(
                roll < 0.9,
                _by_roll(
                    roll,
                    (0.7,),
                    roles,
                    (InvolvementRole.ACCOMPANIED, InvolvementRole.VOLUNTEERED),
                ),
                met_or_other,
            ),
        )
        # siblings in one group share their guardians: one involvement per guardian and role
        key = (guardian * 10 + role) * (len(o["ids"]) + 1) + occurrence
        _unique, first = np.unique(key, return_index=True)
        first.sort()
        chosen, guardian, occurrence, role = (
            chosen[first],
            guardian[first],
            occurrence[first],
            (role[first]),
        )
        n = len(chosen)
        methods = list(AttendanceMethod)
        method = np.where(
            rng.random(n) < 0.6,
            methods.index(AttendanceMethod.ROSTER),
            methods.index(AttendanceMethod.SELF_CHECK_IN),
        )
        leader = np.array([g["leader"] for g in self.group_info])
        writer.write(
            "guardian_involvements",
            {
                "id": writer.next_id("guardian_involvements") + np.arange(n),
                "guardian_id": guardian,
                "occurrence_id": o["ids"][occurrence],
                "role": np.array([r.value for r in roles], dtype=object)[role],
                "child_id": self.child_ids[a["child"][chosen]],
                "method": np.array([m.value for m in methods], dtype=object)[method],
                "recorded_at": o["starts"][occurrence] + 600,
                "recorded_by_id": np.where(
                    method == methods.index(AttendanceMethod.ROSTER),
                    leader[o["group"][occurrence]],
                    NULL,
                ),
            },
            STAGE_INVOLVEMENT,
        )

    # quizzes

    def _quizzes(self) -> None:
        """A "pre" quiz at a group's first session of each term and a "post" quiz at its last
        (finished terms only); the children present play, most linked to the register."""
        rng, writer = self.rng, self.writer
        o, a = self.occurrences, self.attendance
        self.progress(STAGE_QUIZZES, 0, 1)
        terms = _terms(self.today, self.year1)
        usable = o["closed"] & (o["kind"] != list(SessionKind).index(SessionKind.EXCURSION))
        occ_days = o["day"]
        present_rows = np.flatnonzero(a["attended"])
        by_occurrence = _split_by(a["occ"][present_rows], present_rows, len(o["ids"]))
        by_group = _split_by(
            o["group"][np.flatnonzero(usable)], np.flatnonzero(usable), len(self.group_info)
        )
        runs: list[tuple[int, int, str, list[int]]] = []  # occurrence, group, phase, questions
        for group, info in enumerate(self.group_info):
            if not info["quiz"] or rng.random() >= QUIZ_GROUP_SHARE:
                continue
            occurrences = by_group[group]
            bank = self.questions.get(info["band"]) or []
            if not len(occurrences) or not bank:
                continue
            picks = rng.choice(len(bank), size=min(QUESTIONS_PER_RUN, len(bank)), replace=False)
            questions = [bank[i][0] for i in sorted(picks.tolist())]
            for first, last, finished in terms:
                inside = occurrences[
                    (occ_days[occurrences] >= first) & (occ_days[occurrences] <= last)
                ]
                if len(inside) < 2:
                    continue
                runs.append((int(inside[0]), group, RunPhase.PRE.value, questions))
                if finished:
                    runs.append((int(inside[-1]), group, RunPhase.POST.value, questions))
        run_id = writer.next_id("quiz_runs")
        player_id = writer.next_id("quiz_players")
        answer_id = writer.next_id("quiz_answers")
        question_info = {
            qid: (correct, options)
            for band in self.questions.values()
            for qid, correct, options in band
        }
        difficulty = rng.normal(0.7, 0.7, len(question_info))
        easiness = dict(zip(question_info, difficulty.tolist(), strict=True))
        ability = rng.normal(0.0, 0.8, self.n_children)
        run_rows: dict[str, list[Any]] = {
            key: []
            for key in (
                "id",
                "join_code",
                "mode",
                "phase",
                "status",
                "age_band",
                "topics",
                "question_ids",
                "current_index",
                "speed_bonus",
                "group_id",
                "occurrence_id",
                "country_code",
                "started_by_id",
                "question_opened_at",
                "created_at",
                "expires_at",
                "finished_at",
            )
        }
        players: dict[str, list[np.ndarray]] = {
            key: [] for key in ("id", "run", "child", "linked", "joined")
        }
        answers: dict[str, list[np.ndarray]] = {
            key: [] for key in ("player", "run", "question", "correct", "at", "child")
        }
        for number, (occurrence, group, phase, questions) in enumerate(runs):
            info = self.group_info[group]
            rid = run_id + number
            start = int(o["starts"][occurrence])
            present = a["child"][by_occurrence[occurrence]]
            if not len(present):
                continue
            run_rows["id"].append(rid)
            run_rows["join_code"].append(f"NAT{rid:09d}")
            run_rows["mode"].append(RunMode.LIVE.value)
            run_rows["phase"].append(phase)
            run_rows["status"].append(RunStatus.FINISHED.value)
            run_rows["age_band"].append(info["band"])
            run_rows["topics"].append("[]")
            run_rows["question_ids"].append(json.dumps(questions))
            run_rows["current_index"].append(len(questions) - 1)
            run_rows["speed_bonus"].append(False)
            run_rows["group_id"].append(info["id"])
            run_rows["occurrence_id"].append(int(o["ids"][occurrence]))
            run_rows["country_code"].append(info["municipality"].country)
            run_rows["started_by_id"].append(info["leader"])
            run_rows["question_opened_at"].append(start + (5 + len(questions)) * 60)
            run_rows["created_at"].append(start)
            run_rows["expires_at"].append(start + 4 * 3600)
            run_rows["finished_at"].append(start + (8 + len(questions)) * 60)
            p = len(present)
            pids = player_id + np.arange(p)
            player_id += p
            players["id"].append(pids)
            players["run"].append(np.full(p, rid))
            players["child"].append(present)
            players["linked"].append(rng.random(p) < 0.85)
            players["joined"].append(np.full(p, start + 120))
            q = np.array(questions)
            grid_player = np.repeat(pids, len(q))
            grid_question = np.tile(q, p)
            grid_child = np.repeat(present, len(q))
            answered = rng.random(len(grid_player)) < 0.93
            bonus = 0.8 if phase == RunPhase.POST.value else 0.0
            chance = _sigmoid(
                ability[grid_child]
                + np.array([easiness[x] for x in q])[np.tile(np.arange(len(q)), p)]
                + bonus
            )
            answers["player"].append(grid_player[answered])
            answers["run"].append(np.full(int(answered.sum()), rid))
            answers["question"].append(grid_question[answered])
            answers["correct"].append((rng.random(len(grid_player)) < chance)[answered])
            answers["at"].append(start + 300 + np.tile(np.arange(len(q)), p)[answered] * 60)
            answers["child"].append(grid_child[answered])
        writer.write("quiz_runs", run_rows)
        pl = {
            key: np.concatenate(values) if values else np.array([], dtype=np.int64)
            for key, values in players.items()
        }
        n_players = len(pl["id"])
        background = self.c["background"][pl["child"]]
        country = self.child_country[pl["child"]]
        language = np.empty(n_players, dtype=object)
        for community in np.unique(background):
            for code in COUNTRIES:
                mask = (background == community) & (country == code)
                if mask.any():
                    language[mask] = _INTERFACE[COMMUNITIES[community]] or _COUNTRY_INTERFACE[code]
        nicknames = self._nicknames(pl["run"], self.given[pl["child"]])
        secret = f"national:{self.seed}:"
        writer.write(
            "quiz_players",
            {
                "id": pl["id"],
                "run_id": pl["run"],
                "nickname": nicknames,
                "language": language,
                "token_hash": [
                    hashlib.sha256(f"{secret}{pid}".encode()).hexdigest()
                    for pid in pl["id"].tolist()
                ],
                "child_id": np.where(pl["linked"], self.child_ids[pl["child"]], NULL),
                "joined_at": pl["joined"],
                "finished_at": pl["joined"] + 25 * 60,
            },
        )
        an = {
            key: np.concatenate(values) if values else np.array([], dtype=np.int64)
            for key, values in answers.items()
        }
        player_language = np.empty(len(an["player"]), dtype=object)
        if n_players:
            player_language = language[an["player"] - pl["id"][0]]
        chosen = self._chosen(an["question"], an["correct"], question_info)
        writer.write(
            "quiz_answers",
            {
                "id": answer_id + np.arange(len(an["player"])),
                "run_id": an["run"],
                "player_id": an["player"],
                "question_id": an["question"],
                "language": player_language,
                "chosen": chosen,
                "correct": an["correct"].astype(bool),
                "answered_at": an["at"],
            },
            STAGE_QUIZZES,
        )

    @staticmethod
    def _nicknames(runs: np.ndarray, given: np.ndarray) -> list[str]:
        """First names, numbered within a run when two children share one."""
        seen: dict[tuple[int, str], int] = {}
        names = []
        for run, name in zip(runs.tolist(), given.tolist(), strict=True):
            count = seen.get((run, name), 0) + 1
            seen[(run, name)] = count
            names.append(name if count == 1 else f"{name} {count}")
        return names

    def _chosen(
        self,
        questions: np.ndarray,
        correct: np.ndarray,
        info: dict[int, tuple[list[int], int]],
    ) -> np.ndarray:
        """The options each answer chose, as JSON text: the right ones, or one wrong one."""
        rng = self.rng
        result = np.empty(len(questions), dtype=object)
        pick = rng.integers(0, 1 << 30, len(questions))
        for qid, (right, options) in info.items():
            mask = questions == qid
            if not mask.any():
                continue
            wrong = [json.dumps([k]) for k in range(options) if k not in right] or [
                json.dumps(right)
            ]
            wrong_array = np.array(wrong, dtype=object)
            result[mask] = np.where(
                correct[mask].astype(bool),
                json.dumps(right),
                wrong_array[pick[mask] % len(wrong_array)],
            )
        return result

    # badges

    def _badges(self) -> None:
        rng, writer = self.rng, self.writer
        e = self.enrolments
        self.progress(STAGE_BADGES, 0, 1)
        active = e["status"] == list(EnrolmentStatus).index(EnrolmentStatus.ACTIVE)
        live_group = np.array([not info["ended"] for info in self.group_info])
        mask = active & live_group[e["group"]]
        children, first = np.unique(e["child"][mask], return_index=True)
        rows = np.flatnonzero(mask)[first]
        n = len(children)
        random_bytes = rng.bytes(12 * n)
        tokens = [
            base64.urlsafe_b64encode(random_bytes[12 * i : 12 * i + 12]).decode() for i in range(n)
        ]
        leader = np.array([g["leader"] for g in self.group_info])
        writer.write(
            "badges",
            {
                "id": writer.next_id("badges") + np.arange(n),
                "token_id": tokens,
                "child_id": self.child_ids[children],
                "issued_at": e["created"][rows] * DAY + 13 * 3600,
                "issued_by_id": leader[e["group"][rows]],
                "revoked_at": np.full(n, NULL),
            },
            STAGE_BADGES,
        )


def _split_by(keys: np.ndarray, values: np.ndarray, count: int) -> list[np.ndarray]:
    """``values`` grouped by ``keys`` (0..count-1), each group in its original order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.searchsorted(sorted_keys, np.arange(count + 1))
    ordered = values[order]
    return [ordered[bounds[i] : bounds[i + 1]] for i in range(count)]
