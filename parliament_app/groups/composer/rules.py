"""The cap rule and the composer's vocabulary: candidates, settings, proposals, categories and
compositions (the rule itself is explained in the package's docstring)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

DEFAULT_DIMENSIONS: tuple[str, ...] = (
    "community",
    "residence_area",
    "school",
    "ses_band",
    "gender",
    "age_band",
)


MISSING_VALUES = frozenset({"", "prefer_not_to_say"})


NOT_STATED = "not_stated"


CAPACITY_FULL = "capacity_full"


REFERRED_SHARE = "referred_share"


# Steps of the exact search in one compose() call (a step: a search node or a max-flow). Counted
# in steps, not seconds, so the result never depends on the machine. About 3 s at worst.
SEARCH_BUDGET = 100_000


_EPSILON = 1e-9


_FULL = Fraction(10**9)  # the pressure on a cell with no room left


# The exact search recurses once per type of child (distinct combination of categories); pools
# with more types than this are beyond it (compose keeps its greedy roster, feasible raises).
_MAX_DEPTH = 600


@dataclass(frozen=True)
class Candidate:
    """A child who could be placed.

    ``order`` is the waiting order (lower first; ties broken by ``id``). ``attributes`` maps a
    dimension to the child's category; a dimension absent from it counts as not stated.
    ``keep``: a current member who stays; placed first, whatever the caps.
    """

    id: int
    order: int
    attributes: Mapping[str, str | None] = field(default_factory=dict)
    referred: bool = False
    keep: bool = False


@dataclass(frozen=True)
class ComposerSettings:
    capacity: int
    max_share: float = 0.5
    dimensions: tuple[str, ...] = DEFAULT_DIMENSIONS
    # None = "spread": referred children are capped at max_share of the roster like any category,
    # and compose_many() also spreads them over the units in proportion to their sizes.
    max_referred_share: float | None = None

    def __post_init__(self) -> None:
        if self.capacity < 0:
            raise ValueError("capacity must not be negative")
        if not 0 < self.max_share <= 1:
            raise ValueError("max_share must be in (0, 1]")
        if self.max_referred_share is not None and not 0 < self.max_referred_share <= 1:
            raise ValueError("max_referred_share must be in (0, 1]")
        if len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError("dimensions must not repeat")

    @property
    def referred_share(self) -> float:
        return self.max_share if self.max_referred_share is None else self.max_referred_share


@dataclass(frozen=True)
class Skipped:
    """A child not placed: ``reason`` is a machine code, ``explanation_args`` fill its message."""

    id: int
    reason: str
    explanation_args: Mapping[str, str | int] = field(default_factory=dict)


Composition = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Proposal:
    placed: list[int]  # roster order: kept members, then the others in waiting order
    not_placed: list[Skipped]  # waiting order
    before: Composition  # the whole pool, per dimension: category -> count
    after: Composition  # the proposed roster
    size: int  # N = min(capacity, number of candidates): the roster size aimed for
    cap: int  # the most children of one category: cap_for(max_share, size)
    referred_cap: int
    referred_before: int
    referred_after: int
    empty_places: int  # size - placed (0 when kept members fill or overfill the roster)
    empty_reasons: list[str]  # the caps that kept the skipped children out, when places are empty
    breaches: list[str]  # caps already exceeded by the kept members alone
    exhaustive: bool  # False: the search ran out of budget (see the module docstring)


def cap_for(share: float, size: int) -> int:
    """``max(1, floor(share * size))`` for a roster of ``size`` (0 for an empty roster)."""
    if size <= 0:
        return 0
    return max(1, math.floor(share * size + _EPSILON))


def category(value: str | None) -> str | None:
    """The category a value counts towards, or ``None`` for a missing value."""
    if value is None:
        return None
    value = str(value)
    return None if value in MISSING_VALUES else value


def composition(children: Iterable[Candidate], dimensions: Sequence[str]) -> Composition:
    """Per dimension, category -> count (sorted by category); missing values as NOT_STATED."""
    children = list(children)
    result: Composition = {}
    for dimension in dimensions:
        counts = Counter(
            category(child.attributes.get(dimension)) or NOT_STATED for child in children
        )
        result[dimension] = dict(sorted(counts.items()))
    return result
