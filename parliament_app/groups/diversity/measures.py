# Not split: one family of indices (mix within a unit, segregation across units, chance
#   levels) computed over the same count tables.
"""Mix within a unit and segregation across units: pure functions, no database, no Streamlit.

A *unit* is a session, club or parliament; a *category* (group) is one value of a background
dimension (community, residence area, school, socio-economic band, ...). The formulas follow
``/work/shared/reference/diversity.md``.

Notation: ``n_ik`` children of category k in unit i; ``t_i = Σ_k n_ik``; ``T = Σ_i t_i``;
``p_ik = n_ik / t_i``; ``P_k = Σ_i n_ik / T`` (share in the comparison pool). For one focal
category: ``x_i`` its count in unit i, ``X = Σ_i x_i``, ``P = X / T``, ``π_i = x_i / t_i``.

Within one unit (:func:`unit_diversity`):

* Blau (Gini–Simpson)        ``1 − Σ_k p_k²``
* Shannon entropy            ``−Σ_k p_k ln p_k``, normalised by ``ln K``
* Effective number of groups ``1 / Σ_k p_k²``

Across units (:func:`segregation`; 0 = every unit mirrors the pool, 1 = complete separation):

* Theil's information index H (Reardon & Firebaugh 2002)
  ``E = −Σ_k P_k ln P_k``;  ``H = Σ_i Σ_k t_i p_ik ln(p_ik / P_k) / (T E)``
  (terms with ``p_ik = 0`` are 0). It decomposes exactly into between- and within-region parts
  (:func:`theil_decomposition`).
* Multigroup dissimilarity (Sakoda 1981)
  ``D = Σ_i Σ_k t_i |p_ik − P_k| / (2 T Σ_k P_k (1 − P_k))``
* For one focal category (Massey & Denton 1988)
  dissimilarity ``D = Σ_i t_i |π_i − P| / (2 T P (1 − P))``,
  isolation ``Σ_i (x_i / X)(x_i / t_i)``, exposure to everyone else ``1 − isolation``.

Units with nobody in them and categories with nobody in the pool are dropped before computing.
A measure that is undefined (fewer than two categories in the pool, focal category absent, ...)
is ``None``, never 0.

Clubs are small, so random allocation alone gives sizeable values: :func:`chance_level` compares an
index with a permutation test that shuffles the same children across units of the same sizes, and
:func:`unit_flags` gives each unit a tail probability for its most over-represented marginalised
category.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import NotRequired, TypedDict

import numpy as np

__all__ = [
    "ChanceLevel",
    "Decomposition",
    "Segregation",
    "UnitDiversity",
    "UnitFlags",
    "chance_level",
    "chance_levels",
    "segregation",
    "theil_decomposition",
    "unit_diversity",
    "unit_flags",
]

# Permuted label arrays are processed in chunks of at most this many cells.
_CHUNK_CELLS = 2_000_000
# Permuted values this close to the observed one count as ties (floating-point noise).
_TIE_TOLERANCE = 1e-9


class UnitDiversity(TypedDict):
    blau: float | None
    shannon: float | None
    shannon_normalized: float | None
    effective_groups: float | None


class Segregation(TypedDict):
    theil_h: float | None
    multigroup_dissimilarity: float | None
    dissimilarity: NotRequired[float | None]
    isolation: NotRequired[float | None]
    exposure: NotRequired[float | None]


class RegionPart(TypedDict):
    h: float | None
    weight: float


class Decomposition(TypedDict):
    total: float | None
    between: float | None
    within: float | None
    regions: dict[str, RegionPart]


class ChanceLevel(TypedDict):
    observed: float | None
    expected: float | None
    p95: float | None
    p_value: float | None


class UnitFlags(TypedDict):
    size: int
    shares: dict[str, float]
    over_representation: dict[str, float]
    ghetto_risk: bool
    ghetto_p_value: float | None
    ghetto_group: str | None
    single_group: bool
    risk_band: bool
    risk_groups: list[str]


# --------------------------------------------------------------------------- within one unit


def unit_diversity(
    counts: Mapping[str, int], *, pool_categories: int | None = None
) -> UnitDiversity:
    """Diversity of one unit from its counts per category.

    With ``p_k = n_k / Σ n`` over the categories present:

    * ``blau = 1 − Σ p_k²`` — chance that two members drawn with replacement differ;
    * ``shannon = −Σ p_k ln p_k``;
    * ``shannon_normalized = shannon / ln K``, in [0, 1]; 0.0 when ``K <= 1``;
    * ``effective_groups = 1 / Σ p_k²`` — between 1 and the number of categories present.

    ``K`` is ``pool_categories`` when given (diversity.md: the number of categories in the
    comparison pool — pass it to compare units with each other). By default it is the number of
    categories *present in this unit* (count > 0), so listing a category with a zero count
    changes nothing; the normalised value then measures how evenly the unit is spread over the
    groups it has.

    An empty unit (total 0) has no diversity: every value is ``None``.
    """
    values = _non_negative(counts.values())
    present = values[values > 0]
    total = present.sum()
    if total == 0:
        return {"blau": None, "shannon": None, "shannon_normalized": None, "effective_groups": None}
    k = len(present) if pool_categories is None else pool_categories
    if k < len(present):
        raise ValueError(f"pool_categories={k} but {len(present)} categories are present")
    p = present / total
    concentration = float((p**2).sum())
    shannon = float(-(p * np.log(p)).sum())
    return {
        "blau": 1.0 - concentration,
        "shannon": shannon,
        "shannon_normalized": shannon / math.log(k) if k > 1 else 0.0,
        "effective_groups": 1.0 / concentration,
    }


# --------------------------------------------------------------------------- across units


def segregation(counts: Mapping[str, Mapping[str, int]], focus: str | None = None) -> Segregation:
    """Segregation of children across units; ``counts[unit][category]`` is a number of children.

    * ``theil_h``: ``H = Σ_i Σ_k n_ik ln(p_ik / P_k) / (T E)`` with ``E = −Σ_k P_k ln P_k``;
    * ``multigroup_dissimilarity``: ``Σ_i Σ_k |n_ik − t_i P_k| / (2 T Σ_k P_k (1 − P_k))``.

    Both are 0 when every unit mirrors the pool, 1 under complete separation, and ``None`` when the
    pool has fewer than two categories. When ``focus`` names a category, also (that category
    against everyone else):

    * ``dissimilarity``: ``Σ_i |x_i − t_i P| / (2 T P (1 − P))`` — ``None`` unless 0 < P < 1;
    * ``isolation``: ``Σ_i x_i² / t_i / X`` — the focal share of a focal child's unit;
    * ``exposure``: ``1 − isolation`` — the non-focal share of a focal child's unit.

    All three are ``None`` when nobody of the focal category is in the pool. Empty units and
    categories with nobody in them are ignored.
    """
    categories, n = _matrix(counts)
    result: Segregation = {
        "theil_h": _scalar(_theil_h, n) if len(categories) > 1 else None,
        "multigroup_dissimilarity": (
            _scalar(_multigroup_dissimilarity, n) if len(categories) > 1 else None
        ),
    }
    if focus is not None:
        dissimilarity, isolation = _focus_measures(categories, n, focus)
        result["dissimilarity"] = dissimilarity
        result["isolation"] = isolation
        result["exposure"] = None if isolation is None else 1.0 - isolation
    return result


def theil_decomposition(
    counts: Mapping[str, Mapping[str, int]], regions: Mapping[str, str]
) -> Decomposition:
    """Split Theil's H into a between-region and a within-region part.

    ``regions[unit]`` names the region (municipality, school, ...) of every non-empty unit. With
    ``t_r``, ``E_r`` and ``H_r`` the size, entropy and own H of region r (its units against the
    region's own pool):

    * ``between`` = H of the regions taken as units (their summed counts);
    * ``within``  = ``Σ_r (t_r E_r / (T E)) H_r`` (a region with one category has ``E_r = 0``);
    * ``total``   = H of all units = ``between + within`` exactly (Reardon & Firebaugh 2002).

    ``regions`` in the result gives each region's ``h`` (``None`` when it has one category) and
    ``weight`` ``t_r E_r / (T E)``. Everything is ``None`` when the pool has fewer than two
    categories.
    """
    categories, n = _matrix(counts)
    units = _non_empty_units(counts)
    missing = [unit for unit in units if unit not in regions]
    if missing:
        raise ValueError(f"no region for units: {', '.join(map(str, missing))}")
    if len(categories) < 2:
        return {"total": None, "between": None, "within": None, "regions": {}}
    region_of = np.array([regions[unit] for unit in units], dtype=object)
    region_names = sorted(set(region_of))
    by_region = np.array([n[region_of == name].sum(axis=0) for name in region_names])
    pool_entropy_mass = n.sum() * _entropy(n.sum(axis=0))  # T E
    parts: dict[str, RegionPart] = {}
    for name, region_total in zip(region_names, by_region, strict=True):
        weight = region_total.sum() * _entropy(region_total) / pool_entropy_mass
        own = n[region_of == name][:, region_total > 0]
        parts[name] = {
            "h": _scalar(_theil_h, own) if own.shape[1] > 1 else None,
            "weight": float(weight),
        }
    within = sum(part["weight"] * (part["h"] or 0.0) for part in parts.values())
    return {
        "total": _scalar(_theil_h, n),
        "between": _scalar(_theil_h, by_region),
        "within": float(within),
        "regions": parts,
    }


# --------------------------------------------------------------------------- chance level


def chance_level(
    counts: Mapping[str, Mapping[str, int]],
    index: str,
    permutations: int = 2000,
    seed: int | None = None,
) -> ChanceLevel:
    """An index against random allocation of the same children to units of the same sizes.

    ``index`` is ``"theil_h"``, ``"multigroup_dissimilarity"``, ``"dissimilarity:<category>"`` or
    ``"isolation:<category>"`` (higher = more segregated for all four). The children's category
    labels are shuffled ``permutations`` times (``numpy.random.default_rng(seed)``) and cut into
    units of the observed sizes; the index is computed for every shuffle at once. Returns

    * ``observed``: the index for the actual allocation;
    * ``expected``: mean over the shuffles; ``p95``: their 95th percentile;
    * ``p_value``: ``(1 + #{shuffled >= observed}) / (1 + permutations)`` (one-sided).

    All values are ``None`` when the index is undefined for this pool (see :func:`segregation`).
    """
    return chance_levels(counts, (index,), permutations, seed)[index]


def chance_levels(
    counts: Mapping[str, Mapping[str, int]],
    indices: Sequence[str],
    permutations: int = 2000,
    seed: int | None = None,
) -> dict[str, ChanceLevel]:
    """:func:`chance_level` for several indices, all measured on the same shuffles: the
    shuffling is the expensive part, so a second index costs little."""
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    categories, n = _matrix(counts)
    if not np.array_equal(n, np.round(n)):
        raise ValueError("chance_level needs whole numbers of children")
    measures = {index: _index_measure(categories, index) for index in indices}
    defined = {index: measure for index, measure in measures.items() if measure is not None}
    shuffled = (
        _permuted_values(n, defined, permutations, np.random.default_rng(seed)) if defined else {}
    )
    return {
        index: _against_chance(_scalar(defined[index], n), shuffled[index], permutations)
        if index in defined
        else {"observed": None, "expected": None, "p95": None, "p_value": None}
        for index in indices
    }


def _against_chance(observed: float, shuffled: np.ndarray, permutations: int) -> ChanceLevel:
    at_least = int((shuffled >= observed - _TIE_TOLERANCE).sum())
    return {
        "observed": observed,
        "expected": float(shuffled.mean()),
        "p95": float(np.percentile(shuffled, 95)),
        "p_value": (1 + at_least) / (1 + permutations),
    }


def _index_measure(categories: list[str], index: str) -> Callable[[np.ndarray], np.ndarray] | None:
    """The measure of ``index`` on (… × units × categories) matrices; ``None`` if undefined.

    Focal indices look at two columns: everyone else, then the focal category.
    """
    name, _, focus = index.partition(":")
    if name in _MULTIGROUP and not focus:
        return _MULTIGROUP[name] if len(categories) > 1 else None
    if name in _FOCAL and focus:
        if focus not in categories or len(categories) < 2:
            return None
        focal = _FOCAL[name]
        return lambda n: focal(_focal_pair(categories, n, focus))
    known = [*_MULTIGROUP, *(f"{key}:<category>" for key in _FOCAL)]
    raise ValueError(f"unknown index {index!r}; use one of {', '.join(known)}")


def _permuted_values(
    n: np.ndarray,
    measures: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    permutations: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Each measure for ``permutations`` random re-allocations, a chunk of shuffles at a time.

    Each row of a (shuffles × children) label array is shuffled independently; counts per unit
    and category come from one ``bincount`` over ``(shuffle, unit, category)`` cell numbers.
    """
    units, k = n.shape
    sizes = n.sum(axis=1).astype(np.int64)
    label_type = np.uint8 if k <= np.iinfo(np.uint8).max else np.int64
    labels = np.repeat(np.arange(k, dtype=label_type), n.sum(axis=0).astype(np.int64))
    chunk = max(1, _CHUNK_CELLS // max(len(labels), units * k))
    # The cell number of every child's (shuffle, unit) before its label is added.
    cell_base = (
        np.arange(min(chunk, permutations), dtype=np.int64)[:, None] * units
        + np.repeat(np.arange(units, dtype=np.int64), sizes)
    ) * k
    values: dict[str, list[np.ndarray]] = {index: [] for index in measures}
    for start in range(0, permutations, chunk):
        size = min(chunk, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(labels, (size, len(labels))), axis=1)
        cells = cell_base[:size] + shuffled
        batch = np.bincount(cells.ravel(), minlength=size * units * k).reshape(size, units, k)
        for index, measure in measures.items():
            values[index].append(measure(batch))
    return {index: np.clip(np.concatenate(chunks), 0.0, 1.0) for index, chunks in values.items()}


# --------------------------------------------------------------------------- unit flags


def unit_flags(
    counts: Mapping[str, Mapping[str, int]],
    pool_shares: Mapping[str, float],
    marginalised: AbstractSet[str],
    *,
    pool_size: int | None = None,
    ghetto_share: float = 0.5,
    alpha: float = 0.05,
    risk_share: float = 0.34,
    risk_ratio: float = 2.0,
) -> dict[str, UnitFlags]:
    """Flags for every unit, keyed like ``counts``.

    ``pool_shares[category]`` is the category's share ``P_k`` of the comparison pool; counts are
    accepted too (values are divided by their total). For each unit of size ``t``:

    * ``shares``: ``p_k = n_k / t`` of the categories present; ``over_representation``:
      ``p_k / P_k`` of the marginalised ones present.
    * ``ghetto_p_value``: the upper tail ``P[X >= x]`` of a marginalised category with ``x``
      members in the unit, under random drawing of ``t`` children from the pool. With
      ``pool_size = N`` it is hypergeometric and exact: the pool holds ``G = round(P N)``
      members and ``P[X >= x] = Σ_{j>=x} C(G, j) C(N − G, t − j) / C(N, t)``. Without ``pool_size``
      it is the binomial tail ``Σ_{j>=x} C(t, j) P^j (1 − P)^(t − j)``: an approximation, close
      when the pool is much larger than the unit and otherwise slightly too large (drawing
      without replacement makes extreme counts rarer), so it errs towards not flagging.
    * ``ghetto_group``: the category the p-value is about — the marginalised category with the
      smallest tail probability among those making up at least ``ghetto_share`` of the unit if
      there is one, else among all marginalised categories present; ``None`` if none is present.
    * ``ghetto_risk``: that category is ``>= ghetto_share`` (50%) of the unit and ``p < alpha``.
    * ``single_group``: at least two members, all of one category (any category).
    * ``risk_band`` / ``risk_groups``: the *marginalised* categories making up ``>= risk_share``
      (34%) of the unit or ``>= risk_ratio`` (2) times their pool share.

    A marginalised category present in a unit must have a positive pool share. An empty unit has
    size 0, no shares and no flags.
    """
    shares = _pool_shares(pool_shares)
    return {
        unit: _flags_for_unit(
            _positive_counts(unit_counts),
            shares,
            marginalised,
            pool_size=pool_size,
            ghetto_share=ghetto_share,
            alpha=alpha,
            risk_share=risk_share,
            risk_ratio=risk_ratio,
        )
        for unit, unit_counts in counts.items()
    }


def _flags_for_unit(
    present: dict[str, int],
    pool: dict[str, float],
    marginalised: AbstractSet[str],
    *,
    pool_size: int | None,
    ghetto_share: float,
    alpha: float,
    risk_share: float,
    risk_ratio: float,
) -> UnitFlags:
    size = sum(present.values())
    shares = {category: count / size for category, count in present.items()}
    groups = sorted(category for category in present if category in marginalised)
    for group in groups:
        if pool.get(group, 0.0) <= 0:
            raise ValueError(f"marginalised category {group!r} is in a unit but not in the pool")
    p_values = {
        group: _upper_tail(present[group], size, pool[group], pool_size) for group in groups
    }
    ghetto_group = _ghetto_candidate(groups, shares, p_values, ghetto_share)
    risk_groups = [
        group
        for group in groups
        if shares[group] >= risk_share or shares[group] >= risk_ratio * pool[group]
    ]
    return {
        "size": size,
        "shares": shares,
        "over_representation": {group: shares[group] / pool[group] for group in groups},
        "ghetto_risk": ghetto_group is not None
        and shares[ghetto_group] >= ghetto_share
        and p_values[ghetto_group] < alpha,
        "ghetto_p_value": p_values[ghetto_group] if ghetto_group is not None else None,
        "ghetto_group": ghetto_group,
        "single_group": size >= 2 and len(present) == 1,
        "risk_band": bool(risk_groups),
        "risk_groups": risk_groups,
    }


def _ghetto_candidate(
    groups: list[str],
    shares: dict[str, float],
    p_values: dict[str, float],
    ghetto_share: float,
) -> str | None:
    """The marginalised category with the smallest tail probability, preferring majorities."""
    majority = [group for group in groups if shares[group] >= ghetto_share]
    candidates = majority or groups
    if not candidates:
        return None
    return min(candidates, key=lambda group: (p_values[group], -shares[group], group))


def _upper_tail(x: int, size: int, share: float, pool_size: int | None) -> float:
    """``P[X >= x]`` for ``size`` children drawn from the pool (see :func:`unit_flags`)."""
    if pool_size is None:
        return _binomial_upper_tail(x, size, share)
    return _hypergeometric_upper_tail(x, size, round(share * pool_size), pool_size)


def clear_caches() -> None:
    """Forget the remembered tail probabilities (a benchmark measures a cold process)."""
    _binomial_upper_tail.cache_clear()
    _hypergeometric_upper_tail.cache_clear()


# A report asks the same few (count, unit size) questions of a category thousands of times, and
# exact combinatorics over a national pool are slow: remember the answers.
@functools.lru_cache(maxsize=65_536)
def _binomial_upper_tail(x: int, draws: int, p: float) -> float:
    """``Σ_{j=x}^{draws} C(draws, j) p^j (1 − p)^(draws − j)``."""
    tail = sum(math.comb(draws, j) * p**j * (1 - p) ** (draws - j) for j in range(x, draws + 1))
    return min(1.0, tail)


@functools.lru_cache(maxsize=65_536)
def _hypergeometric_upper_tail(x: int, draws: int, group: int, pool: int) -> float:
    """``Σ_{j=x} C(group, j) C(pool − group, draws − j) / C(pool, draws)``, in exact integers."""
    if draws > pool:
        raise ValueError(f"a unit of {draws} cannot be drawn from a pool of {pool}")
    favourable = sum(
        math.comb(group, j) * math.comb(pool - group, draws - j)
        for j in range(max(x, 0), min(draws, group) + 1)
    )
    return favourable / math.comb(pool, draws)


def _pool_shares(pool_shares: Mapping[str, float]) -> dict[str, float]:
    values = _non_negative(pool_shares.values())
    total = float(values.sum())
    if total <= 0:
        raise ValueError("pool_shares must have a positive total")
    return {category: float(value) / total for category, value in pool_shares.items()}


# --------------------------------------------------------------------------- array measures
#
# Each measure takes counts shaped (..., units, categories) with no empty unit and no empty
# category, and returns one value per leading index, so the same code serves a single allocation
# and a stack of shuffled ones.


def _theil_h(n: np.ndarray) -> np.ndarray:
    """``Σ_i Σ_k n_ik ln(n_ik / (t_i P_k)) / (T E)``, with ``0 ln 0 = 0``.

    Computed as ``1 − (Σ n ln n − Σ t ln t) / (Σ N_k ln N_k − T ln T)``: the same sum regrouped,
    with one logarithm per distinct count instead of one per cell (the chance test evaluates it
    on millions of cells).
    """
    t = n.sum(axis=-1)
    total = t.sum(axis=-1)
    columns = n.sum(axis=-2)
    within = _sum_xlogx(n).sum(axis=-1) - _sum_xlogx(t)
    between = _sum_xlogx(columns) - total * np.log(total)
    return 1.0 - within / between


def _sum_xlogx(a: np.ndarray) -> np.ndarray:
    """``Σ x ln x`` over the last axis (``0 ln 0 = 0``); whole counts use a lookup table."""
    if np.issubdtype(a.dtype, np.integer) and a.size > 4096:
        xs = np.arange(int(a.max()) + 1, dtype=float)
        table = xs * np.log(np.maximum(xs, 1.0))
        return table[a].sum(axis=-1)
    a = np.asarray(a, dtype=float)
    return (a * np.log(np.where(a > 0, a, 1.0))).sum(axis=-1)


def _multigroup_dissimilarity(n: np.ndarray) -> np.ndarray:
    """``Σ_i Σ_k |n_ik − t_i P_k| / (2 T Σ_k P_k (1 − P_k))``."""
    t = n.sum(axis=-1, keepdims=True)
    total = n.sum(axis=(-2, -1))
    pool = n.sum(axis=-2, keepdims=True) / total[..., None, None]
    spread = (pool * (1 - pool)).sum(axis=(-2, -1))
    return np.abs(n - t * pool).sum(axis=(-2, -1)) / (2 * total * spread)


def _focal_dissimilarity(n: np.ndarray) -> np.ndarray:
    """``Σ_i |x_i − t_i P| / (2 T P (1 − P))``; the focal category is the last column."""
    x, t = n[..., -1], n.sum(axis=-1)
    total = t.sum(axis=-1)
    p = x.sum(axis=-1) / total
    return np.abs(x - t * p[..., None]).sum(axis=-1) / (2 * total * p * (1 - p))


def _isolation(n: np.ndarray) -> np.ndarray:
    """``Σ_i (x_i / X)(x_i / t_i)``; the focal category is the last column."""
    x, t = n[..., -1], n.sum(axis=-1)
    return (x**2 / t).sum(axis=-1) / x.sum(axis=-1)


_MULTIGROUP: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "theil_h": _theil_h,
    "multigroup_dissimilarity": _multigroup_dissimilarity,
}
_FOCAL: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "dissimilarity": _focal_dissimilarity,
    "isolation": _isolation,
}


def _focus_measures(
    categories: list[str], n: np.ndarray, focus: str
) -> tuple[float | None, float | None]:
    """Focal dissimilarity (``None`` unless 0 < P < 1) and isolation (``None`` if X = 0)."""
    if focus not in categories:
        return None, None
    pair = _focal_pair(categories, n, focus)
    dissimilarity = _scalar(_focal_dissimilarity, pair) if len(categories) > 1 else None
    return dissimilarity, _scalar(_isolation, pair)


def _focal_pair(categories: list[str], n: np.ndarray, focus: str) -> np.ndarray:
    """Two columns per unit: everyone else, then the focal category."""
    x = n[..., categories.index(focus)]
    return np.stack([n.sum(axis=-1) - x, x], axis=-1)


def _entropy(category_totals: np.ndarray) -> float:
    """``−Σ_k P_k ln P_k`` over the categories with a positive total."""
    positive = category_totals[category_totals > 0]
    p = positive / positive.sum()
    return float(-(p * np.log(p)).sum())


def _scalar(measure: Callable[[np.ndarray], np.ndarray], n: np.ndarray) -> float:
    """A measure of one allocation, clipped to [0, 1] against rounding."""
    return float(np.clip(measure(n), 0.0, 1.0))


# --------------------------------------------------------------------------- input


def _matrix(counts: Mapping[str, Mapping[str, int]]) -> tuple[list[str], np.ndarray]:
    """Sorted non-empty categories and the (non-empty units × those categories) count matrix."""
    units = _non_empty_units(counts)
    categories = sorted(
        {category for unit in units for category, count in counts[unit].items() if count > 0}
    )
    n = np.array(
        [[counts[unit].get(category, 0) for category in categories] for unit in units],
        dtype=float,
    ).reshape(len(units), len(categories))
    return categories, n


def _non_empty_units(counts: Mapping[str, Mapping[str, int]]) -> list[str]:
    return [unit for unit, unit_counts in counts.items() if sum(_checked(unit_counts.values()))]


def _positive_counts(unit_counts: Mapping[str, int]) -> dict[str, int]:
    _checked(unit_counts.values())
    return {category: int(count) for category, count in unit_counts.items() if count > 0}


def _checked(values: Iterable[float]) -> list[float]:
    """:func:`_non_negative` for a handful of values, without the cost of an array."""
    values = list(values)
    if not all(value >= 0 and math.isfinite(value) for value in values):
        raise ValueError("counts and shares must be finite and non-negative")
    return values


def _non_negative(values: Iterable[float]) -> np.ndarray:
    array = np.fromiter(values, dtype=float)
    if (array < 0).any() or not np.isfinite(array).all():
        raise ValueError("counts and shares must be finite and non-negative")
    return array
