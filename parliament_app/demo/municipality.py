# Not split: one seeded generator whose steps draw from one random stream in a fixed order, so
#   the demo is the same every time.
"""Synthetic demo data: one fictitious municipality with schools, children, guardians, at-risk
records and groups, for trying the platform out and for demonstrations.

Every person is synthetic: names are drawn from :mod:`parliament_app.demo.names` with a seeded
``random.Random``, so the same seed (and the same ``today``) always gives the same data. The
municipality ("Demo Municipality", Serbia) and its organisations are fictitious.

The data is shaped so that the reports have something to find: about 65 % Serbian, 12 % Roma,
8 % Albanian and 6 % Bosniak children, smaller communities, 5 % who did not say; Roma families
concentrated in three settlements whose catchment school ("OŠ „Duga”") has about half Roma and
many poor pupils; an Albanian-language school; siblings sharing guardians; at-risk records drawn
mostly from poor families and children in foster care or institutions.

``generate_demo_data`` only adds and flushes: the caller commits, so demo data arrives whole or
not at all. It refuses a database that already holds real data unless ``force`` is given, and it
always refuses a second demo municipality.

The data follow from the seed; the accounts' passwords do not (they come from the system's
random source), so knowing the seed never gives anyone a way in.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from parliament_app.core import audit
from parliament_app.core.clock import local_today
from parliament_app.core.i18n import N_, _
from parliament_app.demo.names import FAMILY_NAMES, GIVEN_NAMES, SCHOOL_NAMES
from parliament_app.demo.names import family_name_for as _family_name_for
from parliament_app.demo.names import full_name as _full_name
from parliament_app.models import (
    AuditAction,
    CareSituation,
    Child,
    ChildGuardian,
    ChildInterest,
    Community,
    Consent,
    ConsentScope,
    Country,
    Enrolment,
    EnrolmentStatus,
    Gender,
    Group,
    GroupKind,
    GroupLeader,
    Guardian,
    GuardianRelationship,
    InterestKind,
    Municipality,
    Organisation,
    OrganisationKind,
    RiskCategory,
    RiskRecord,
    Role,
    SocioEconomicBand,
    User,
    Venue,
)
from parliament_app.people.passwords import hash_password
from parliament_app.places.services import COUNTRY_NAMES, ensure_countries

__all__ = [
    "DEMO_COUNTRY",
    "DEMO_MUNICIPALITY",
    "STAGES",
    "DemoCredentials",
    "DemoDataRefused",
    "DemoSummary",
    "generate_demo_data",
]

DEMO_COUNTRY = "RS"
DEMO_MUNICIPALITY = "Demo Municipality"
CHILD_COUNT = 600
RISK_RECORD_COUNT = 40
ACTIVE_PER_GROUP = 25
WAITING_PER_GROUP = 2
LEGAL_BASIS = "Family Law, Art. 6 / Social Protection Law"
BATCH_SIZE = 250

# Progress stages, in the order they run. English sources: translate them where they are shown.
STAGE_ORGANISATIONS = N_("Organisations")
STAGE_USERS = N_("Accounts")
STAGE_CHILDREN = N_("Children")
STAGE_GUARDIANS = N_("Guardians")
STAGE_CONSENTS = N_("Consents")
STAGE_RISK_RECORDS = N_("Risk records")
STAGE_GROUPS = N_("Groups")
STAGES: tuple[str, ...] = (
    STAGE_ORGANISATIONS,
    STAGE_USERS,
    STAGE_CHILDREN,
    STAGE_GUARDIANS,
    STAGE_CONSENTS,
    STAGE_RISK_RECORDS,
    STAGE_GROUPS,
)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")


class DemoDataRefused(Exception):
    """The database is not one demo data may be added to. The message is translated."""


_SYSTEM_RANDOM = secrets.SystemRandom()


@dataclass
class DemoCredentials:
    username: str
    role: Role
    password: str
    organisation: str | None  # the organisation's name; None for the administrator


@dataclass
class DemoSummary:
    municipality: str
    organisations: int
    users: list[DemoCredentials]
    children: int
    guardians: int
    consents: int
    risk_records: int
    groups: int
    enrolments: int


# --- The shape of the demo municipality --------------------------------------------------------

# Recorded community per 1000 children (exact quotas, so every community is always present).
# ``None`` is a child whose family was not asked; PREFER_NOT_TO_SAY one whose family declined.
_COMMUNITY_PER_MILLE: tuple[tuple[Community | None, int], ...] = (
    (Community.SERBIAN, 650),
    (Community.ROMA, 120),
    (Community.ALBANIAN, 80),
    (Community.BOSNIAK, 60),
    (Community.CROATIAN, 9),
    (Community.MONTENEGRIN, 8),
    (Community.MACEDONIAN, 7),
    (Community.GORANI, 5),
    (Community.TURKISH, 3),
    (Community.EGYPTIAN, 3),
    (Community.ASHKALI, 3),
    (Community.OTHER, 2),
    (Community.PREFER_NOT_TO_SAY, 30),
    (None, 20),
)
# The family background of children whose community is not recorded (drives names, language, home).
_UNDECLARED_BACKGROUND: tuple[tuple[Community, int], ...] = (
    (Community.SERBIAN, 70),
    (Community.ROMA, 15),
    (Community.ALBANIAN, 8),
    (Community.BOSNIAK, 7),
)
# demo_names has no lists of its own for these; Egyptian and Ashkali families in the region are
# mostly Albanian-speaking.
_NAME_LISTS: dict[Community, str] = {
    Community.EGYPTIAN: "albanian",
    Community.ASHKALI: "albanian",
    Community.OTHER: "serbian",
}
# Home languages (ISO 639 codes), with the share of families that also speak Serbian at home.
_HOME_LANGUAGES: dict[Community, tuple[list[str], list[str], float]] = {
    # community: (usual, bilingual variant, share bilingual)
    Community.SERBIAN: (["sr"], ["sr"], 0.0),
    Community.ALBANIAN: (["sq"], ["sq", "sr"], 0.3),
    Community.BOSNIAK: (["bs"], ["bs", "sr"], 0.4),
    Community.MACEDONIAN: (["mk", "sr"], ["mk", "sr"], 0.0),
    Community.ROMA: (["rom", "sr"], ["sr"], 0.15),
    Community.CROATIAN: (["hr"], ["hr", "sr"], 0.5),
    Community.MONTENEGRIN: (["sr"], ["sr"], 0.0),
    Community.TURKISH: (["tr", "sr"], ["tr", "sr"], 0.0),
    Community.GORANI: (["sr"], ["sr"], 0.0),
    Community.EGYPTIAN: (["sq", "sr"], ["sr"], 0.3),
    Community.ASHKALI: (["sq", "sr"], ["sq"], 0.3),
    Community.OTHER: (["sr"], ["sr"], 0.0),
}
# The interface language a guardian is written to in (see parliament_app.core.i18n).
_GUARDIAN_LANGUAGE: dict[Community, str] = {
    Community.ALBANIAN: "sq",
    Community.ASHKALI: "sq",
    Community.EGYPTIAN: "sq",
    Community.BOSNIAK: "bs",
    Community.CROATIAN: "bs",
    Community.MACEDONIAN: "mk",
    Community.MONTENEGRIN: "sr_Latn",
    Community.GORANI: "sr_Latn",
    Community.TURKISH: "sr_Latn",
}
_MARGINALISED = frozenset({Community.ROMA, Community.EGYPTIAN, Community.ASHKALI})
_ALBANIAN_SPEAKING = frozenset({Community.ALBANIAN, Community.ASHKALI})

# Where families live. Roma families are concentrated in three settlements, Albanian families in
# two; everyone else is spread over the town.
_ROMA_SETTLEMENTS = ("Donja mahala", "Železnička kolonija", "Kod mlina")
_SETTLEMENT_WEIGHTS: dict[str, dict[str, float]] = {
    "general": {
        "Centar": 10, "Novo naselje": 9, "Sunčana strana": 6, "Rečni kraj": 6, "Ravnica": 5,
        "Lipov gaj": 5, "Brdo": 5, "Zeleni breg": 5, "Vinogradi": 5, "Staro selo": 4,
        "Industrijska zona": 3, "Gornja mahala": 2, "Donja mahala": 1,
        "Železnička kolonija": 1.5, "Kod mlina": 1,
    },
    "roma": {
        "Donja mahala": 45, "Železnička kolonija": 25, "Kod mlina": 15, "Industrijska zona": 6,
        "Novo naselje": 3, "Centar": 2, "Ravnica": 2, "Rečni kraj": 2,
    },
    "albanian": {"Gornja mahala": 50, "Staro selo": 30, "Centar": 10, "Novo naselje": 10},
}  # fmt: skip
# Schools by index into SCHOOL_NAMES: 0 is the first (its coordinator is the demo "school"
# account), 3 ("OŠ „Duga”") serves the Roma settlements, 4 teaches in Albanian.
_ROMA_MAJORITY_SCHOOL = 3
_ALBANIAN_SCHOOL = 4
_CATCHMENT: dict[str, int] = {
    "Centar": 0, "Novo naselje": 0, "Sunčana strana": 0,
    "Rečni kraj": 1, "Lipov gaj": 1,
    "Zeleni breg": 2, "Ravnica": 2,
    "Donja mahala": 3, "Železnička kolonija": 3, "Kod mlina": 3, "Industrijska zona": 3,
    "Gornja mahala": 5, "Staro selo": 5, "Vinogradi": 5, "Brdo": 5,
}  # fmt: skip
# Families who choose a school outside their catchment area mostly choose the central one.
_SCHOOL_CHOICE: dict[int, float] = {0: 4, 1: 2, 2: 2, 3: 0.5, 5: 2}
_SECTIONS: dict[int, int] = {0: 4, 1: 3, 2: 3, 3: 3, 4: 2, 5: 3}  # classes per grade
_ROMAN = ("I", "II", "III", "IV")

_BANDS = (
    SocioEconomicBand.LOW,
    SocioEconomicBand.MIDDLE,
    SocioEconomicBand.HIGH,
    SocioEconomicBand.UNKNOWN,
)
_BAND_WEIGHTS: dict[str, tuple[int, ...]] = {
    "marginalised": (70, 20, 0, 10),
    "poor_area": (40, 45, 5, 10),
    "general": (12, 55, 23, 10),
}
_CARE_WEIGHTS: tuple[tuple[CareSituation, float], ...] = (
    (CareSituation.PARENTS, 75),
    (CareSituation.SINGLE_PARENT, 14),
    (CareSituation.RELATIVES, 4),
    (CareSituation.FOSTER_CARE, 2),
    (CareSituation.INSTITUTION, 1),
    (CareSituation.OTHER, 1),
    (CareSituation.UNKNOWN, 3),
)
_INTERESTS: tuple[tuple[InterestKind, str], ...] = (
    *((InterestKind.SPORT, label) for label in
      ("football", "basketball", "volleyball", "handball", "karate", "chess")),
    *((InterestKind.MUSIC, label) for label in
      ("guitar", "choir", "drums", "piano", "singing")),
    *((InterestKind.TOPIC, label) for label in
      ("online safety", "friendship", "rights of the child", "jobs and the future")),
)  # fmt: skip

_PASSWORD_WORDS = (
    "amber", "anchor", "apple", "arrow", "basil", "birch", "bridge", "cedar", "cloud", "comet",
    "coral", "daisy", "delta", "ember", "falcon", "forest", "garden", "harbor", "hazel", "island",
    "jasper", "lantern", "lemon", "maple", "meadow", "north", "ocean", "olive", "orbit", "pebble",
    "pepper", "planet", "poppy", "river", "saffron", "silver", "spruce", "stone", "summit",
    "thunder", "tulip", "valley", "violet", "willow",
)  # fmt: skip


@dataclass(frozen=True)
class _GroupSpec:
    kind: GroupKind
    name: str
    description: str
    owner: str  # "ngo" or "municipality"
    min_age: int
    max_age: int
    interests: frozenset[str]
    per_school_cap: int | None = None
    # A group drawn from one community only: the kind of group the diversity report warns about.
    only_community: str | None = None
    size: int = ACTIVE_PER_GROUP


_GROUPS: tuple[_GroupSpec, ...] = (
    _GroupSpec(
        GroupKind.PARLIAMENT,
        "Children's Parliament of Demo Municipality",
        "Representatives of the municipality's schools; meets twice a month.",
        "municipality",
        10,
        18,
        frozenset({"rights of the child", "friendship", "jobs and the future"}),
        per_school_cap=6,
    ),
    _GroupSpec(
        GroupKind.SPORT_CLUB,
        "Football for All",
        "Mixed teams, every Saturday at the sports hall.",
        "ngo",
        8,
        14,
        frozenset({"football", "basketball", "volleyball", "handball"}),
    ),
    _GroupSpec(
        GroupKind.MUSIC_CLUB,
        "Music Club: Choir and Guitar",
        "Singing together and learning the guitar.",
        "ngo",
        7,
        15,
        frozenset({"guitar", "choir", "singing", "piano", "drums"}),
    ),
    _GroupSpec(
        GroupKind.WORKSHOP_SERIES,
        "Workshops: Online Safety and Children's Rights",
        "Six workshops for older pupils.",
        "ngo",
        11,
        18,
        frozenset({"online safety", "rights of the child"}),
    ),
    _GroupSpec(
        GroupKind.OTHER_CLUB,
        "Homework Club Donja Mahala",
        "Homework help in the settlement's community room; grew up around one neighbourhood.",
        "ngo",
        7,
        14,
        frozenset(),
        only_community="roma",
        size=12,
    ),
)


# --- Planning (pure: only the random generator and the date) ----------------------------------


@dataclass
class _Family:
    names: str  # which demo_names lists the family's names come from
    community: Community | None  # as recorded for the children
    background: Community
    base_family_name: str
    settlement: str
    band: SocioEconomicBand
    care: CareSituation
    home_languages: list[str]
    school: int
    guardians: list[int] = field(default_factory=list)  # indices into _Plan.guardians
    relationships: list[GuardianRelationship] = field(default_factory=list)
    birth_dates: list[date] = field(default_factory=list)


@dataclass
class _PlannedChild:
    row: dict[str, Any]
    family: _Family
    school: int
    interests: list[tuple[InterestKind, str]]


@dataclass
class _PlannedRisk:
    child: int
    categories: list[str]
    opened_on: date
    closed_on: date | None


@dataclass
class _Plan:
    children: list[_PlannedChild] = field(default_factory=list)
    guardians: list[dict[str, Any]] = field(default_factory=list)
    risks: list[_PlannedRisk] = field(default_factory=list)
    # per group: (child index, status) pairs
    enrolments: list[list[tuple[int, EnrolmentStatus]]] = field(default_factory=list)
    passwords: dict[Role, str] = field(default_factory=dict)
    display_names: dict[Role, str] = field(default_factory=dict)


class _Planner:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.plan = _Plan()

    def run(self) -> _Plan:
        self._children()
        self._risks()
        self._groups()
        self._staff()
        return self.plan

    # children and families

    def _children(self) -> None:
        rng = self.rng
        communities = _quotas(_COMMUNITY_PER_MILLE, CHILD_COUNT)
        rng.shuffle(communities)
        families_by_background: dict[tuple[Community | None, Community], list[_Family]] = {}
        for community in communities:
            background = community if community in _HOME_LANGUAGES else None
            if background is None:
                background = _weighted(rng, _UNDECLARED_BACKGROUND)
            gender = _weighted(
                rng,
                (
                    (Gender.FEMALE, 49),
                    (Gender.MALE, 49),
                    (Gender.OTHER, 0.5),
                    (Gender.UNSPECIFIED, 1.5),
                ),
            )
            birth_date = self._birth_date()
            pool = families_by_background.setdefault((community, background), [])
            family = self._sibling_family(pool, birth_date)
            if family is None:
                family = self._new_family(community, background)
                pool.append(family)
            family.birth_dates.append(birth_date)
            name_gender = (
                gender.value
                if gender in (Gender.FEMALE, Gender.MALE)
                else rng.choice(("female", "male"))
            )
            given = rng.choice(GIVEN_NAMES[family.names][name_gender])
            self.plan.children.append(
                _PlannedChild(
                    row={
                        "given_name": given,
                        "family_name": _family_name_for(
                            family.names, family.base_family_name, name_gender
                        ),
                        "birth_date": birth_date,
                        "gender": gender,
                        "school_class": self._school_class(birth_date, family.school),
                        "home_languages": list(family.home_languages),
                        "residence_area": family.settlement,
                        "community": community,
                        "socio_economic_band": family.band,
                        "care_situation": family.care,
                        "created_at": self._moment(400, 30),
                    },
                    family=family,
                    school=family.school,
                    interests=self._interests(),
                )
            )

    def _birth_date(self) -> date:
        """Uniform over ages 7 to 18 on ``today``."""
        latest = _years_before(self.today, 7)
        earliest = _years_before(self.today, 19) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def _sibling_family(self, pool: list[_Family], birth_date: date) -> _Family | None:
        """About one child in seven is a younger or older sibling of a child already drawn."""
        if not pool or self.rng.random() >= 0.15:
            return None
        for _attempt in range(4):
            family = self.rng.choice(pool)
            if len(family.birth_dates) < 3 and all(
                abs((birth_date - other).days) >= 300 for other in family.birth_dates
            ):
                return family
        return None

    def _new_family(self, community: Community | None, background: Community) -> _Family:
        rng = self.rng
        names = _NAME_LISTS.get(background, background.value)
        if background in _MARGINALISED:
            settlement = _weighted(rng, _SETTLEMENT_WEIGHTS["roma"].items())
        elif background in _ALBANIAN_SPEAKING:
            settlement = _weighted(rng, _SETTLEMENT_WEIGHTS["albanian"].items())
        else:
            settlement = _weighted(rng, _SETTLEMENT_WEIGHTS["general"].items())
        if background in _MARGINALISED:
            band_kind = "marginalised"
        elif settlement in _ROMA_SETTLEMENTS or settlement == "Industrijska zona":
            band_kind = "poor_area"
        else:
            band_kind = "general"
        band = _weighted(rng, zip(_BANDS, _BAND_WEIGHTS[band_kind], strict=True))
        usual, bilingual, share = _HOME_LANGUAGES[background]
        family = _Family(
            names=names,
            community=community,
            background=background,
            base_family_name=rng.choice(FAMILY_NAMES[names]),
            settlement=settlement,
            band=band,
            care=_weighted(rng, _CARE_WEIGHTS),
            home_languages=list(bilingual if rng.random() < share else usual),
            school=self._school(background, settlement),
        )
        self._guardians(family)
        return family

    def _school(self, background: Community, settlement: str) -> int:
        rng = self.rng
        if background in _ALBANIAN_SPEAKING and rng.random() < 0.85:
            return _ALBANIAN_SCHOOL
        catchment = _CATCHMENT[settlement]
        if rng.random() < (0.9 if background in _MARGINALISED else 0.88):
            return catchment
        return _weighted(rng, ((s, w) for s, w in _SCHOOL_CHOICE.items() if s != catchment))

    def _school_class(self, birth_date: date, school: int) -> str:
        """Grades 1-8 of primary school ("5-2"), then I-IV of secondary school ("II-1")."""
        school_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        grade = min(max(school_year - birth_date.year - 6, 1), 12)
        section = self.rng.randint(1, _SECTIONS.get(school, 3))
        return f"{grade}-{section}" if grade <= 8 else f"{_ROMAN[grade - 9]}-{section}"

    def _guardians(self, family: _Family) -> None:
        rng = self.rng
        parents = [GuardianRelationship.MOTHER, GuardianRelationship.FATHER]
        match family.care:
            case CareSituation.PARENTS:
                kinds = parents if rng.random() < 0.8 else [rng.choice(parents)]
            case CareSituation.SINGLE_PARENT:
                kinds = [GuardianRelationship.MOTHER if rng.random() < 0.8 else parents[1]]
            case CareSituation.RELATIVES:
                kinds = [GuardianRelationship.GRANDPARENT]
                if rng.random() < 0.3:
                    kinds.append(GuardianRelationship.OTHER)
            case CareSituation.FOSTER_CARE:
                kinds = [GuardianRelationship.FOSTER_PARENT] * (1 + (rng.random() < 0.5))
            case CareSituation.INSTITUTION:
                kinds = [GuardianRelationship.LEGAL_GUARDIAN]
            case CareSituation.OTHER:
                kinds = [GuardianRelationship.OTHER]
            case _:
                kinds = [GuardianRelationship.MOTHER]
        language = _GUARDIAN_LANGUAGE.get(family.background)
        if language is None:
            language = "sr" if rng.random() < 0.7 else "sr_Latn"
        foster_family: str | None = None
        for position, kind in enumerate(kinds):
            if kind == GuardianRelationship.MOTHER:
                gender = "female"
            elif kind == GuardianRelationship.FATHER:
                gender = "male"
            elif kind == GuardianRelationship.FOSTER_PARENT and len(kinds) == 2:
                gender = ("female", "male")[position]
            else:
                gender = rng.choice(("female", "male"))
            if kind in (GuardianRelationship.FOSTER_PARENT, GuardianRelationship.LEGAL_GUARDIAN):
                # Another family (foster parents) or the guardian the centre appointed.
                names = "serbian" if rng.random() < 0.8 else family.names
                given, family_name = _full_name(names, gender, rng)
                if foster_family is None:
                    foster_family = family_name
                elif names == "serbian":
                    family_name = _family_name_for(names, foster_family, gender)
                guardian_language = "sr" if names == "serbian" else language
            else:
                names = family.names
                given = rng.choice(GIVEN_NAMES[names][gender])
                family_name = _family_name_for(names, family.base_family_name, gender)
                guardian_language = language
            self.plan.guardians.append(
                {
                    "given_name": given,
                    "family_name": family_name,
                    "phone": self._phone() if position == 0 or rng.random() < 0.7 else "",
                    "preferred_language": guardian_language,
                    "created_at": self._moment(400, 30),
                }
            )
            family.guardians.append(len(self.plan.guardians) - 1)
            family.relationships.append(kind)

    def _phone(self) -> str:
        """A Serbian mobile number's shape, "06x 0xx xxxx". Subscriber numbers do not start with
        0, so a demo number should never reach a real person."""
        rng = self.rng
        return f"06{rng.randint(0, 9)} 0{rng.randint(0, 99):02d} {rng.randint(0, 9999):04d}"

    def _interests(self) -> list[tuple[InterestKind, str]]:
        count = _weighted(self.rng, ((0, 25), (1, 45), (2, 30)))
        return sorted(self.rng.sample(_INTERESTS, count))

    # at-risk records

    def _risks(self) -> None:
        """Every child in foster care or an institution, then children drawn mostly from poor
        families (the link to community follows from poverty, not from community itself)."""
        rng = self.rng
        children = self.plan.children
        cared = [
            index
            for index, child in enumerate(children)
            if child.family.care in (CareSituation.FOSTER_CARE, CareSituation.INSTITUTION)
        ][:RISK_RECORD_COUNT]
        weights = {}
        for index, child in enumerate(children):
            if index in cared:
                continue
            weight = 1.0
            if child.family.band == SocioEconomicBand.LOW:
                weight *= 6
            if child.family.care in (CareSituation.SINGLE_PARENT, CareSituation.RELATIVES):
                weight *= 2
            weights[index] = weight
        # Weighted sampling without replacement (Efraimidis-Spirakis keys).
        keyed = sorted(weights, key=lambda i: rng.random() ** (1 / weights[i]), reverse=True)
        chosen = sorted(cared + keyed[: RISK_RECORD_COUNT - len(cared)])
        for index in chosen:
            care = children[index].family.care
            categories = self._risk_categories(care, children[index].family.band)
            opened_on = self.today - timedelta(days=rng.randint(0, 729))
            closed_on = None
            if care not in (CareSituation.FOSTER_CARE, CareSituation.INSTITUTION) and (
                rng.random() < 0.15
            ):
                candidate = opened_on + timedelta(days=rng.randint(60, 400))
                closed_on = candidate if candidate < self.today else None
            self.plan.risks.append(
                _PlannedRisk(index, [c.value for c in categories], opened_on, closed_on)
            )

    def _risk_categories(self, care: CareSituation, band: SocioEconomicBand) -> list[RiskCategory]:
        rng = self.rng
        if care in (CareSituation.FOSTER_CARE, CareSituation.INSTITUTION):
            categories = [RiskCategory.INSTITUTION_OR_FOSTER_CARE]
            if rng.random() < 0.6:
                categories.append(RiskCategory.WITHOUT_PARENTAL_CARE)
            return categories
        if care == CareSituation.RELATIVES:
            first = RiskCategory.WITHOUT_PARENTAL_CARE
        elif band == SocioEconomicBand.LOW:
            first = rng.choice((RiskCategory.SOCIAL_AID, RiskCategory.FAMILY_AT_RISK))
        else:
            first = rng.choice(
                (
                    RiskCategory.FAMILY_AT_RISK,
                    RiskCategory.BEHAVIOUR_PROBLEMS,
                    RiskCategory.DISABILITY,
                    RiskCategory.DOMESTIC_VIOLENCE,
                )
            )
        categories = [first]
        if rng.random() < 0.4:
            second = rng.choice(
                (
                    RiskCategory.SOCIAL_AID,
                    RiskCategory.NEGLECTED,
                    RiskCategory.BEHAVIOUR_PROBLEMS,
                    RiskCategory.DISABILITY,
                    RiskCategory.DOMESTIC_VIOLENCE,
                    RiskCategory.STREET_INVOLVED,
                )
            )
            if second != first:
                categories.append(second)
        return categories

    # groups

    def _groups(self) -> None:
        """About 25 active members per group, at least a third of them from minority
        communities; children who named a matching interest come first."""
        rng = self.rng
        children = self.plan.children
        target_minority = round(ACTIVE_PER_GROUP * 0.36)
        for spec in _GROUPS:
            eligible = [
                index
                for index, child in enumerate(children)
                if spec.min_age <= _age(child.row["birth_date"], self.today) <= spec.max_age
            ]
            if spec.only_community:
                same = [i for i in eligible if children[i].row["community"] == spec.only_community]
                rng.shuffle(same)
                self.plan.enrolments.append(
                    [(i, EnrolmentStatus.ACTIVE) for i in sorted(same[: spec.size])]
                )
                continue
            rng.shuffle(eligible)
            eligible.sort(
                key=lambda i: (
                    not any(label in spec.interests for _k, label in children[i].interests)
                )
            )
            quotas = {True: target_minority, False: ACTIVE_PER_GROUP - target_minority}
            per_school: Counter[int] = Counter()
            active: list[int] = []
            rest: list[int] = []
            for index in eligible:
                minority = _is_minority(children[index].row["community"])
                school = children[index].school
                if quotas[minority] > 0 and (
                    spec.per_school_cap is None or per_school[school] < spec.per_school_cap
                ):
                    quotas[minority] -= 1
                    per_school[school] += 1
                    active.append(index)
                else:
                    rest.append(index)
            for index in rest:  # fill up if one pool ran short
                if len(active) >= ACTIVE_PER_GROUP:
                    break
                active.append(index)
            waiting = [i for i in rest if i not in active][:WAITING_PER_GROUP]
            self.plan.enrolments.append(
                [(i, EnrolmentStatus.ACTIVE) for i in sorted(active)]
                + [(i, EnrolmentStatus.WAITING) for i in waiting]
            )

    # staff accounts

    def _staff(self) -> None:
        rng = self.rng
        for role in Role:
            words = _SYSTEM_RANDOM.sample(_PASSWORD_WORDS, 3)
            self.plan.passwords[role] = "-".join(words) + f"-{_SYSTEM_RANDOM.randint(10, 99)}"
            given, family = _full_name("serbian", rng.choice(("female", "male")), rng)
            self.plan.display_names[role] = f"{given} {family}"

    def _moment(self, oldest_days: int, newest_days: int) -> datetime:
        day = self.today - timedelta(days=self.rng.randint(newest_days, oldest_days))
        return datetime.combine(
            day, time(self.rng.randint(8, 17), self.rng.randint(0, 59)), tzinfo=UTC
        )


# --- Writing ------------------------------------------------------------------------------------


def generate_demo_data(
    session: Session,
    seed: int = 1,
    force: bool = False,
    progress: Progress | None = None,
    *,
    today: date | None = None,
) -> DemoSummary:
    """Fill one synthetic municipality; add and flush only (the caller commits).

    ``progress(stage, done, total)`` is called as each stage in :data:`STAGES` advances, with an
    English stage label to translate where shown; every stage ends with ``done == total``.
    ``today`` (default: the current date) anchors ages and dates, for reproducible data.

    Raises :class:`DemoDataRefused` when the demo municipality already exists, or when the
    database already holds children or any user besides the first administrator (unless
    ``force``). The administrator account "admin" is created only when there is no administrator
    yet; a username already taken gets a number ("facilitator2").
    """
    _check_database(session, force)
    today = today or local_today()
    report = progress or (lambda _stage, _done, _total: None)
    plan = _Planner(random.Random(seed), today).run()

    # organisations, venues
    report(STAGE_ORGANISATIONS, 0, len(SCHOOL_NAMES) + 6)
    if session.get(Country, DEMO_COUNTRY) is None:
        # A database no one has started the app on yet: create the countries as the app does.
        ensure_countries(session, COUNTRY_NAMES)
    municipality = Municipality(country_code=DEMO_COUNTRY, name=DEMO_MUNICIPALITY)
    session.add(municipality)
    session.flush()
    schools = [_organisation(municipality, OrganisationKind.SCHOOL, name) for name in SCHOOL_NAMES]
    csw = _organisation(municipality, OrganisationKind.CSW, "Demo Centre for Social Work")
    ngo = _organisation(municipality, OrganisationKind.NGO, "Demo Association for Participation")
    office = _organisation(
        municipality, OrganisationKind.MUNICIPALITY, "Demo Municipality Youth Office"
    )
    organisations = [*schools, csw, ngo, office]
    session.add_all(organisations)
    session.flush()
    venues = [
        Venue(name="Youth Centre", address="Školska 12", capacity=60, organisation_id=office.id),
        Venue(name="Sports Hall", address="Ravnička 3", capacity=200, organisation_id=office.id),
        Venue(
            name="Community Centre Donja mahala",
            address="Mlinska 7",
            capacity=40,
            organisation_id=ngo.id,
        ),
    ]
    for venue in venues:
        venue.municipality_id = municipality.id
    session.add_all(venues)
    session.flush()
    report(STAGE_ORGANISATIONS, len(organisations) + len(venues), len(organisations) + len(venues))

    # accounts
    users = _users(session, plan, schools[0], csw, ngo, report)
    by_role = {user.role: user for user, _password in users}
    coordinator = by_role[Role.SCHOOL_COORDINATOR]
    social_worker = by_role[Role.SOCIAL_WORKER]
    facilitator = by_role[Role.FACILITATOR]

    # children and their interests
    child_rows = [
        {
            **planned.row,
            "school_id": schools[planned.school].id,
            "municipality_id": municipality.id,
            # The first school's pupils appear registered by its coordinator.
            "created_by_id": coordinator.id if planned.school == 0 else None,
        }
        for planned in plan.children
    ]
    child_ids = _insert(session, Child, child_rows, STAGE_CHILDREN, report, returning=True)
    interest_rows = [
        {"child_id": child_ids[index], "kind": kind, "label": label}
        for index, planned in enumerate(plan.children)
        for kind, label in planned.interests
    ]
    _insert(session, ChildInterest, interest_rows)

    # guardians and links (siblings share their family's guardians)
    guardian_ids = _insert(
        session, Guardian, plan.guardians, STAGE_GUARDIANS, report, returning=True
    )
    link_rows = [
        {
            "child_id": child_ids[index],
            "guardian_id": guardian_ids[guardian],
            "relationship_kind": relationship,
        }
        for index, planned in enumerate(plan.children)
        for guardian, relationship in zip(
            planned.family.guardians, planned.family.relationships, strict=True
        )
    ]
    _insert(session, ChildGuardian, link_rows)

    # consents: participation for everyone, photos for ~60 %, sharing with the centre for the
    # children it follows; always given by the family's first guardian
    rng = random.Random(f"{seed}:consents")
    followed = {risk.child for risk in plan.risks if risk.closed_on is None}
    risk_by_child = {risk.child: risk for risk in plan.risks}
    consent_rows = []
    for index, planned in enumerate(plan.children):
        guardian_id = guardian_ids[planned.family.guardians[0]]
        given_at = planned.row["created_at"]
        recorded_by = coordinator.id if planned.school == 0 else None
        scopes = [ConsentScope.PARTICIPATION]
        if rng.random() < 0.6:
            scopes.append(ConsentScope.PHOTOS)
        for scope in scopes:
            consent_rows.append(
                _consent(child_ids[index], guardian_id, scope, given_at, recorded_by)
            )
        if index in followed:
            opened = risk_by_child[index].opened_on
            shared_on = opened + timedelta(days=rng.randint(0, min(14, (today - opened).days)))
            shared_at = datetime.combine(shared_on, time(7), tzinfo=UTC)
            consent_rows.append(
                _consent(
                    child_ids[index],
                    guardian_id,
                    ConsentScope.CSW_SHARING,
                    shared_at,
                    social_worker.id,
                )
            )
    _insert(session, Consent, consent_rows, STAGE_CONSENTS, report)

    # at-risk records of the demo centre for social work
    risk_rows = [
        {
            "child_id": child_ids[risk.child],
            "csw_id": csw.id,
            "caseworker_id": social_worker.id,
            "categories": risk.categories,
            "opened_on": risk.opened_on,
            "closed_on": risk.closed_on,
            "legal_basis": LEGAL_BASIS,
            "note": "Synthetic demo record.",
            "created_at": datetime.combine(risk.opened_on, time(9), tzinfo=UTC),
        }
        for risk in plan.risks
    ]
    _insert(session, RiskRecord, risk_rows, STAGE_RISK_RECORDS, report)

    # groups, their leader and enrolments
    report(STAGE_GROUPS, 0, len(_GROUPS))
    groups = [
        Group(
            kind=spec.kind,
            name=spec.name,
            description=spec.description,
            organisation_id=(office if spec.owner == "municipality" else ngo).id,
            municipality_id=municipality.id,
            min_age=spec.min_age,
            max_age=spec.max_age,
            capacity=ACTIVE_PER_GROUP + 5,
        )
        for spec in _GROUPS
    ]
    session.add_all(groups)
    session.flush()
    session.add_all(GroupLeader(group_id=group.id, user_id=facilitator.id) for group in groups)
    enrolment_rows = [
        {
            "group_id": group.id,
            "child_id": child_ids[index],
            "status": status,
            "created_at": datetime.combine(
                today - timedelta(days=rng.randint(7, 180)), time(12), tzinfo=UTC
            ),
        }
        for group, members in zip(groups, plan.enrolments, strict=True)
        for index, status in members
    ]
    _insert(session, Enrolment, enrolment_rows)
    session.flush()
    report(STAGE_GROUPS, len(groups), len(groups))

    summary = DemoSummary(
        municipality=municipality.name,
        organisations=len(organisations),
        users=[
            DemoCredentials(
                username=user.username,
                role=user.role,
                password=password,
                organisation=user.organisation.name if user.organisation else None,
            )
            for user, password in users
        ],
        children=len(child_rows),
        guardians=len(plan.guardians),
        consents=len(consent_rows),
        risk_records=len(risk_rows),
        groups=len(groups),
        enrolments=len(enrolment_rows),
    )
    audit.record(
        session,
        None,
        AuditAction.CREATE,
        "demo_data",
        municipality.id,
        seed=seed,
        forced=force,
        organisations=summary.organisations,
        venues=len(venues),
        users=len(summary.users),
        children=summary.children,
        interests=len(interest_rows),
        guardians=summary.guardians,
        consents=summary.consents,
        risk_records=summary.risk_records,
        groups=summary.groups,
        enrolments=summary.enrolments,
    )
    session.flush()
    return summary


def _check_database(session: Session, force: bool) -> None:
    if session.scalar(
        select(Municipality.id).where(
            Municipality.country_code == DEMO_COUNTRY, Municipality.name == DEMO_MUNICIPALITY
        )
    ):
        raise DemoDataRefused(
            _(
                "Demo data has already been loaded: the municipality “{name}” exists. Remove it "
                "before loading demo data again."
            ).format(name=DEMO_MUNICIPALITY)
        )
    if force:
        return
    children = session.scalar(select(func.count()).select_from(Child)) or 0
    roles = list(session.scalars(select(User.role)))
    if children or len(roles) > 1 or (roles and roles[0] != Role.ADMINISTRATOR):
        raise DemoDataRefused(
            _(
                "This database already holds real data ({children} children, {users} user "
                "accounts). Demo data is meant for a new, empty installation; force it only if "
                "you are sure."
            ).format(children=children, users=len(roles))
        )


def _organisation(municipality: Municipality, kind: OrganisationKind, name: str) -> Organisation:
    return Organisation(kind=kind, name=name, municipality_id=municipality.id)


def _users(
    session: Session,
    plan: _Plan,
    school: Organisation,
    csw: Organisation,
    ngo: Organisation,
    report: Progress,
) -> list[tuple[User, str]]:
    """One account per role; "admin" only while the database has no administrator."""
    has_admin = session.scalar(select(User.id).where(User.role == Role.ADMINISTRATOR).limit(1))
    wanted: list[tuple[str, Role, Organisation | None]] = [
        ("facilitator", Role.FACILITATOR, ngo),
        ("school", Role.SCHOOL_COORDINATOR, school),
        ("socialworker", Role.SOCIAL_WORKER, csw),
    ]
    if not has_admin:
        wanted.insert(0, ("admin", Role.ADMINISTRATOR, None))
    report(STAGE_USERS, 0, len(wanted))
    taken = {name.lower() for name in session.scalars(select(User.username))}
    hashes: dict[str, str] = {}  # argon2 is slow on purpose: hash each password once
    users: list[tuple[User, str]] = []
    for base, role, organisation in wanted:
        username = base
        suffix = 2
        while username in taken:
            username, suffix = f"{base}{suffix}", suffix + 1
        taken.add(username)
        password = plan.passwords[role]
        if password not in hashes:
            hashes[password] = hash_password(password)
        user = User(
            username=username,
            display_name=plan.display_names[role],
            role=role,
            organisation=organisation,
            organisation_id=organisation.id if organisation else None,
            preferred_language="en",
            password_hash=hashes[password],
            active=True,
        )
        session.add(user)
        users.append((user, password))
        report(STAGE_USERS, len(users), len(wanted))
    session.flush()
    return users


def _insert(
    session: Session,
    model: type[Any],
    rows: list[dict[str, Any]],
    stage: str | None = None,
    report: Progress | None = None,
    returning: bool = False,
) -> list[int]:
    """Bulk INSERT in batches; with ``returning``, the new ids in the order of ``rows``."""
    statement = insert(model)
    if returning:
        statement = statement.returning(model.id, sort_by_parameter_order=True)
    ids: list[int] = []
    if stage and report:
        report(stage, 0, len(rows))
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        if returning:
            ids.extend(session.scalars(statement, batch).all())
        else:
            session.execute(statement, batch)
        if stage and report:
            report(stage, start + len(batch), len(rows))
    return ids


def _consent(
    child_id: int, guardian_id: int, scope: ConsentScope, given_at: datetime, by: int | None
) -> dict[str, Any]:
    return {
        "child_id": child_id,
        "guardian_id": guardian_id,
        "scope": scope,
        "given_at": given_at,
        "withdrawn_at": None,
        "recorded_by_id": by,
        "note": "",
    }


# --- Helpers ------------------------------------------------------------------------------------


def _quotas(shares: Sequence[tuple[T, int]], total: int) -> list[T]:
    """``total`` items split by weight with the largest-remainder method (exact and stable)."""
    weight_sum = sum(weight for _item, weight in shares)
    exact = [total * weight / weight_sum for _item, weight in shares]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [
        item for (item, _weight), count in zip(shares, counts, strict=True) for _ in range(count)
    ]


def _weighted(rng: random.Random, choices: Any) -> Any:
    items, weights = zip(*choices, strict=True)
    return rng.choices(items, weights=weights)[0]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _is_minority(community: Community | None) -> bool:
    return community not in (Community.SERBIAN, Community.PREFER_NOT_TO_SAY, None)
