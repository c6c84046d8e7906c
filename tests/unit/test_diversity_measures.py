"""Diversity and segregation measures: hand-computed cases, known properties, chance levels.

Pure functions only: no database, no Streamlit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parliament_app.groups.diversity.measures import (
    _theil_h,
    chance_level,
    chance_levels,
    segregation,
    theil_decomposition,
    unit_diversity,
    unit_flags,
)
from tests.properties import examples

Counts = dict[str, dict[str, int]]


def _clubs(matrix: list[list[int]], categories: str = "abcdefgh") -> Counts:
    return {
        f"u{i}": {categories[k]: count for k, count in enumerate(row)}
        for i, row in enumerate(matrix)
    }


count_matrices = st.integers(1, 4).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 15), min_size=k, max_size=k), min_size=1, max_size=6)
)

# --------------------------------------------------------------------------- unit_diversity


def test_unit_diversity_by_hand() -> None:
    # p = (1/2, 1/4, 1/4); Σp² = 1/4 + 1/16 + 1/16 = 3/8
    # blau = 5/8; effective = 8/3; shannon = ½ ln 2 + ½ ln 4 = 1.5 ln 2; normalised by ln 3
    result = unit_diversity({"a": 2, "b": 1, "c": 1})
    assert result["blau"] == pytest.approx(5 / 8)
    assert result["effective_groups"] == pytest.approx(8 / 3)
    assert result["shannon"] == pytest.approx(1.5 * math.log(2))
    assert result["shannon_normalized"] == pytest.approx(1.5 * math.log(2) / math.log(3))


def test_unit_diversity_one_group_and_pool_categories() -> None:
    assert unit_diversity({"a": 7}) == {
        "blau": 0.0,
        "shannon": 0.0,
        "shannon_normalized": 0.0,
        "effective_groups": 1.0,
    }
    # Two equal groups: shannon = ln 2; against a pool of 4 categories: ln 2 / ln 4 = 1/2.
    assert unit_diversity({"a": 3, "b": 3})["shannon_normalized"] == pytest.approx(1.0)
    halves = unit_diversity({"a": 3, "b": 3}, pool_categories=4)
    assert halves["shannon_normalized"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        unit_diversity({"a": 1, "b": 1, "c": 1}, pool_categories=2)


def test_unit_diversity_empty_unit_is_undefined_and_zero_categories_are_ignored() -> None:
    empty = {"blau": None, "shannon": None, "shannon_normalized": None, "effective_groups": None}
    assert unit_diversity({}) == empty
    assert unit_diversity({"a": 0, "b": 0}) == empty
    assert unit_diversity({"a": 2, "b": 1, "c": 0}) == unit_diversity({"a": 2, "b": 1})
    with pytest.raises(ValueError):
        unit_diversity({"a": -1, "b": 3})


@given(st.lists(st.integers(0, 50), min_size=1, max_size=8))
def test_unit_diversity_bounds(counts: list[int]) -> None:
    result = unit_diversity({f"c{i}": n for i, n in enumerate(counts)})
    k = sum(1 for n in counts if n > 0)
    if k == 0:
        assert set(result.values()) == {None}
        return
    assert 0.0 <= result["blau"] < 1.0
    assert 1.0 - 1e-9 <= result["effective_groups"] <= k + 1e-9
    assert 0.0 <= result["shannon_normalized"] <= 1.0 + 1e-9
    assert math.exp(result["shannon"]) <= k + 1e-9


# --------------------------------------------------------------------------- segregation


def test_segregation_two_groups_by_hand() -> None:
    # A = 3x + 1y, B = 1x + 3y: T = 8, P_x = P_y = 1/2, E = ln 2.
    # H = 2 · 4 (¾ ln(¾/½) + ¼ ln(¼/½)) / (8 ln 2) = 1 − h(¼) in bits = 0.188722...
    # multigroup D = Σ t_i Σ_k |p_ik − P_k| / (2 T Σ P(1−P)) = (4·½ + 4·½) / (2·8·½) = 1/2
    # focal D (x) = (4·¼ + 4·¼) / (2·8·¼) = 1/2; isolation = (3/4)(3/4) + (1/4)(1/4) = 5/8
    result = segregation({"A": {"x": 3, "y": 1}, "B": {"x": 1, "y": 3}}, focus="x")
    binary_entropy = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    assert result["theil_h"] == pytest.approx(1 - binary_entropy)
    assert result["theil_h"] == pytest.approx(0.188722, abs=1e-6)
    assert result["multigroup_dissimilarity"] == pytest.approx(0.5)
    assert result["dissimilarity"] == pytest.approx(0.5)
    assert result["isolation"] == pytest.approx(5 / 8)
    assert result["exposure"] == pytest.approx(3 / 8)


def test_segregation_three_groups_by_hand() -> None:
    # A = 2a + 2b, B = 4c: T = 8, P = (¼, ¼, ½), E = 1.5 ln 2, Σ P(1−P) = 5/8.
    # H: A gives 2·2 ln(½ / ¼) = 4 ln 2, B gives 4 ln(1 / ½) = 4 ln 2
    #    → 8 ln 2 / (8 · 1.5 ln 2) = 2/3
    # D: A gives 4 (¼ + ¼ + ½) = 4, B gives 4 (¼ + ¼ + ½) = 4 → 8 / (2 · 8 · 5/8) = 4/5
    result = segregation({"A": {"a": 2, "b": 2}, "B": {"c": 4}})
    assert result["theil_h"] == pytest.approx(2 / 3)
    assert result["multigroup_dissimilarity"] == pytest.approx(0.8)
    assert "dissimilarity" not in result


def test_zero_when_every_unit_mirrors_the_pool() -> None:
    counts = _clubs([[2, 1, 1], [4, 2, 2], [6, 3, 3]])
    result = segregation(counts, focus="a")
    assert result["theil_h"] == pytest.approx(0.0, abs=1e-12)
    assert result["multigroup_dissimilarity"] == pytest.approx(0.0, abs=1e-12)
    assert result["dissimilarity"] == pytest.approx(0.0, abs=1e-12)
    assert result["isolation"] == pytest.approx(0.5)  # = P_a
    assert result["exposure"] == pytest.approx(0.5)


def test_one_under_complete_separation() -> None:
    counts = _clubs([[5, 0, 0], [0, 7, 0], [3, 0, 0], [0, 0, 2]])
    result = segregation(counts, focus="b")
    assert result["theil_h"] == pytest.approx(1.0)
    assert result["multigroup_dissimilarity"] == pytest.approx(1.0)
    assert result["dissimilarity"] == pytest.approx(1.0)
    assert result["isolation"] == pytest.approx(1.0)
    assert result["exposure"] == pytest.approx(0.0)


def test_undefined_measures_are_none() -> None:
    one_category = {"A": {"a": 3}, "B": {"a": 5, "b": 0}}
    assert segregation(one_category) == {"theil_h": None, "multigroup_dissimilarity": None}
    assert segregation({}) == {"theil_h": None, "multigroup_dissimilarity": None}
    absent = segregation(_clubs([[3, 1], [1, 3]]), focus="z")
    assert absent["dissimilarity"] is None
    assert absent["isolation"] is None
    assert absent["exposure"] is None
    zero = segregation({"A": {"a": 3, "z": 0}, "B": {"a": 1, "b": 2}}, focus="z")
    assert zero["dissimilarity"] is None


def test_empty_units_and_absent_categories_are_ignored() -> None:
    counts = _clubs([[3, 1], [1, 3], [2, 2]])
    padded = {
        **{unit: {**row, "nobody": 0} for unit, row in counts.items()},
        "empty club": {"a": 0, "b": 0},
        "no list": {},
    }
    assert segregation(padded, focus="a") == pytest.approx(segregation(counts, focus="a"))


@given(count_matrices, st.randoms(use_true_random=False))
def test_symmetry_under_unit_order_and_category_labels(matrix: list[list[int]], random) -> None:
    counts = _clubs(matrix)
    names = sorted({category for row in counts.values() for category in row})
    renamed = dict(zip(names, random.sample(names, len(names)), strict=True))
    units = list(counts)
    random.shuffle(units)
    shuffled = {unit: {renamed[c]: n for c, n in counts[unit].items()} for unit in units}
    focus = names[0]
    original = segregation(counts, focus=focus)
    permuted = segregation(shuffled, focus=renamed[focus])
    assert original.keys() == permuted.keys()
    for key, value in original.items():
        if value is None:
            assert permuted[key] is None
        else:
            assert permuted[key] == pytest.approx(value, abs=1e-12)


@given(count_matrices)
def test_measures_lie_between_zero_and_one(matrix: list[list[int]]) -> None:
    result = segregation(_clubs(matrix), focus="a")
    for value in result.values():
        assert value is None or 0.0 <= value <= 1.0


# --------------------------------------------------------------------------- decomposition


def test_decomposition_by_hand() -> None:
    # Region r1 = two mirrored clubs (own H = 0); region r2 = one all-x club (one category, E = 0).
    # So total = between = H of r1 = {x 4, y 4} against r2 = {x 4}.
    counts = {"a": {"x": 2, "y": 2}, "b": {"x": 2, "y": 2}, "c": {"x": 4}}
    result = theil_decomposition(counts, {"a": "r1", "b": "r1", "c": "r2"})
    assert result["within"] == pytest.approx(0.0, abs=1e-12)
    assert result["between"] == pytest.approx(result["total"])
    assert result["total"] == pytest.approx(segregation(counts)["theil_h"])
    assert result["regions"]["r2"] == {"h": None, "weight": 0.0}
    with pytest.raises(ValueError):
        theil_decomposition(counts, {"a": "r1", "b": "r1"})


@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 12), min_size=3, max_size=3), st.integers(0, 2)),
        min_size=1,
        max_size=8,
    )
)
def test_decomposition_is_exact(rows: list[tuple[list[int], int]]) -> None:
    counts = _clubs([row for row, _ in rows])
    regions = {f"u{i}": f"r{region}" for i, (_, region) in enumerate(rows)}
    result = theil_decomposition(counts, regions)
    total = segregation(counts)["theil_h"]
    if total is None:
        assert result["total"] is None
        return
    assert result["total"] == pytest.approx(total, abs=1e-12)
    assert result["between"] + result["within"] == pytest.approx(total, abs=1e-9)


# --------------------------------------------------------------------------- chance level


def _programme(clubs: int, size: int, group: int, seed: int = 1) -> Counts:
    """``clubs`` clubs of ``size`` children, ``group`` of them (in all) of group g."""
    labels = np.zeros(clubs * size, dtype=int)
    labels[:group] = 1
    np.random.default_rng(seed).shuffle(labels)
    members = labels.reshape(clubs, size).sum(axis=1)
    return {f"club {i}": {"g": int(x), "other": size - int(x)} for i, x in enumerate(members)}


def test_chance_level_reference_numbers() -> None:
    # diversity.md: 20 clubs of 12, a 10% group → random D ≈ 0.37 on average, 95th pct ≈ 0.48.
    counts = _programme(20, 12, 24)
    result = chance_level(counts, "dissimilarity:g", permutations=2000, seed=7)
    assert result["expected"] == pytest.approx(0.37, abs=0.02)
    assert result["p95"] == pytest.approx(0.48, abs=0.03)
    assert result["observed"] == pytest.approx(segregation(counts, focus="g")["dissimilarity"])
    assert 0.0 < result["p_value"] <= 1.0


def test_random_allocations_are_not_flagged_more_often_than_the_level() -> None:
    rng = np.random.default_rng(2024)
    flagged = 0
    trials = 200
    for trial in range(trials):
        sizes = rng.integers(8, 21, size=10)
        labels = rng.choice(3, size=sizes.sum(), p=[0.6, 0.3, 0.1])
        cut = np.split(labels, np.cumsum(sizes)[:-1])
        counts = {
            f"club {i}": {"abc"[k]: int((club == k).sum()) for k in range(3)}
            for i, club in enumerate(cut)
        }
        index = "theil_h" if trial % 2 else "dissimilarity:c"
        result = chance_level(counts, index, permutations=200, seed=trial)
        flagged += result["p_value"] < 0.05
    assert flagged / trials <= 0.10


def test_a_segregated_programme_is_flagged() -> None:
    counts = {f"club {i}": {"a" if i % 2 else "b": 10} for i in range(10)}
    for index in ["theil_h", "multigroup_dissimilarity", "dissimilarity:a", "isolation:a"]:
        result = chance_level(counts, index, permutations=500, seed=3)
        assert result["observed"] == pytest.approx(1.0)
        assert result["p_value"] <= 2 / (1 + 500)


def test_chance_level_is_deterministic_for_a_seed() -> None:
    counts = _programme(12, 15, 30, seed=5)
    first = chance_level(counts, "multigroup_dissimilarity", permutations=300, seed=11)
    assert chance_level(counts, "multigroup_dissimilarity", permutations=300, seed=11) == first
    assert set(first) == {"observed", "expected", "p95", "p_value"}


def test_chance_level_undefined_and_unknown_indices() -> None:
    counts = _programme(5, 10, 10)
    assert set(chance_level(counts, "isolation:nobody", permutations=10).values()) == {None}
    assert set(chance_level({"A": {"a": 4}}, "theil_h", permutations=10).values()) == {None}
    for index in ["gini", "theil_h:g", "dissimilarity"]:
        with pytest.raises(ValueError):
            chance_level(counts, index, permutations=10)
    with pytest.raises(ValueError):
        chance_level(counts, "theil_h", permutations=0)


# --------------------------------------------------------------------------- unit flags


def test_unit_flags_reference_p_value() -> None:
    # diversity.md: a club of 12 with 6 from a group that is 18% of the pool → p ≈ 0.011.
    club = {"club": {"roma": 6, "other": 6}}
    binomial = unit_flags(club, {"roma": 0.18, "other": 0.82}, {"roma"})["club"]
    exact = unit_flags(club, {"roma": 180, "other": 820}, {"roma"}, pool_size=1000)["club"]
    for flags in (binomial, exact):
        assert flags["ghetto_p_value"] == pytest.approx(0.011, abs=0.001)
        assert flags["ghetto_group"] == "roma"
        assert flags["ghetto_risk"] is True
        assert flags["over_representation"]["roma"] == pytest.approx(0.5 / 0.18)
    # Drawing without replacement makes the tail slightly thinner than the binomial one.
    assert exact["ghetto_p_value"] < binomial["ghetto_p_value"]


def test_unit_flags_tail_probabilities_by_hand() -> None:
    # 2 of a club of 3 from a group with 4 of a pool of 10:
    # hypergeometric [C(4,2)C(6,1) + C(4,3)C(6,0)] / C(10,3) = (36 + 4) / 120 = 1/3;
    # binomial 3 · 0.4² · 0.6 + 0.4³ = 0.288 + 0.064 = 0.352.
    club = {"club": {"g": 2, "h": 1}}
    pool = {"g": 0.4, "h": 0.6}
    assert unit_flags(club, pool, {"g"}, pool_size=10)["club"]["ghetto_p_value"] == pytest.approx(
        1 / 3
    )
    assert unit_flags(club, pool, {"g"})["club"]["ghetto_p_value"] == pytest.approx(0.352)


def test_no_ghetto_flag_when_the_group_is_also_common_in_the_pool() -> None:
    flags = unit_flags({"club": {"g": 7, "h": 5}}, {"g": 0.6, "h": 0.4}, {"g"})["club"]
    assert flags["ghetto_p_value"] > 0.5
    assert flags["ghetto_risk"] is False
    assert flags["risk_band"] is True  # 58% ≥ 34%
    assert flags["risk_groups"] == ["g"]


def test_single_group_units() -> None:
    pool = {"a": 0.5, "b": 0.5}
    flags = unit_flags({"x": {"a": 5}, "y": {"a": 1}, "z": {"b": 3, "a": 0}}, pool, set())
    assert flags["x"]["single_group"] is True
    assert flags["y"]["single_group"] is False  # one child is not a group
    assert flags["z"]["single_group"] is True
    assert flags["x"]["ghetto_group"] is None  # no marginalised group named


def test_risk_band_applies_to_marginalised_groups_only() -> None:
    pool = {"r": 0.2, "s": 0.05, "other": 0.75}
    flags = unit_flags(
        {
            "below": {"r": 4, "other": 8},  # 33% < 34% and < 2 × 20%
            "share": {"r": 5, "other": 7},  # 42% ≥ 34%
            "ratio": {"s": 3, "other": 17},  # 15% ≥ 2 × 5%
        },
        pool,
        {"r", "s"},
    )
    assert flags["below"]["risk_band"] is False
    assert flags["below"]["risk_groups"] == []
    assert flags["share"]["risk_groups"] == ["r"]
    assert flags["ratio"]["risk_groups"] == ["s"]
    assert flags["ratio"]["ghetto_risk"] is False  # a minority of the unit, however unlikely


def test_unit_flags_edge_cases() -> None:
    pool = {"r": 0.2, "other": 0.8}
    empty = unit_flags({"empty": {"r": 0}}, pool, {"r"})["empty"]
    assert empty["size"] == 0
    assert empty["ghetto_p_value"] is None
    assert not (empty["ghetto_risk"] or empty["single_group"] or empty["risk_band"])
    with pytest.raises(ValueError):
        unit_flags({"club": {"q": 3, "other": 3}}, pool, {"q"})
    with pytest.raises(ValueError):
        unit_flags({"club": {"r": 30}}, pool, {"r"}, pool_size=10)


@settings(max_examples=examples(50))
@given(st.integers(1, 30).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_hypergeometric_tail_approaches_binomial_for_large_pools(size_x: tuple[int, int]) -> None:
    size, x = size_x
    club = {"club": {"g": x, "h": size - x}}
    pool = {"g": 0.25, "h": 0.75}
    binomial = unit_flags(club, pool, {"g"})["club"]["ghetto_p_value"]
    exact = unit_flags(club, pool, {"g"}, pool_size=400_000)["club"]["ghetto_p_value"]
    if x == 0:
        assert binomial is None and exact is None
    else:
        assert exact == pytest.approx(binomial, rel=1e-3, abs=1e-9)


def test_chance_levels_share_their_shuffles_with_chance_level() -> None:
    counts = _programme(30, 12, 40)
    together = chance_levels(counts, ("theil_h", "dissimilarity:g"), permutations=300, seed=5)
    for index in ("theil_h", "dissimilarity:g"):
        assert together[index] == chance_level(counts, index, permutations=300, seed=5)


def test_theil_h_is_the_same_on_whole_counts_and_on_floats() -> None:
    # The chance test measures whole-number batches with a lookup table of n ln n.
    rng = np.random.default_rng(1)
    batch = rng.integers(0, 30, size=(40, 60, 5))
    assert np.allclose(_theil_h(batch), _theil_h(batch.astype(float)), atol=1e-12)
    # Against the textbook sum Σ_i Σ_k n_ik ln(n_ik / (t_i P_k)) / (T E), cell by cell.
    n = batch[0]
    t, total = n.sum(axis=1), n.sum()
    pool = n.sum(axis=0) / total
    entropy = -sum(p * math.log(p) for p in pool if p > 0)
    textbook = sum(
        n[i, k] * math.log(n[i, k] / (t[i] * pool[k]))
        for i in range(n.shape[0])
        for k in range(n.shape[1])
        if n[i, k] > 0
    ) / (total * entropy)
    assert _theil_h(n) == pytest.approx(textbook, rel=1e-12)
