"""The roster composer's rules as pure functions: caps, the greedy and second passes,
properties checked against brute force, small-cell suppression."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parliament_app.groups.composer import (
    CAPACITY_FULL,
    NOT_STATED,
    REFERRED_SHARE,
    SUPPRESSED_LARGE,
    SUPPRESSED_SMALL,
    Candidate,
    ComposerSettings,
    Proposal,
    age_band,
    cap_for,
    check_roster,
    compose,
    compose_many,
    feasible,
)
from parliament_app.groups.composer.roster import _safe_flags, _suppress
from tests.properties import examples

COMMUNITY = ("community",)


def _pool(*communities: str | None, referred: tuple[int, ...] = ()) -> list[Candidate]:
    """Candidates with ids 1.. in waiting order, one community each."""
    return [
        Candidate(
            id=index, order=index, attributes={"community": value}, referred=index in referred
        )
        for index, value in enumerate(communities, start=1)
    ]


def _settings(capacity: int, max_share: float = 0.5, **changes) -> ComposerSettings:
    return ComposerSettings(capacity=capacity, max_share=max_share, dimensions=COMMUNITY, **changes)


def _reasons(proposal: Proposal) -> dict[int, str]:
    return {skipped.id: skipped.reason for skipped in proposal.not_placed}


@pytest.mark.parametrize(
    ("share", "size", "cap"),
    [
        (0.5, 10, 5),
        (0.5, 11, 5),  # floor: 6 of 11 would be 54%
        (0.5, 1, 1),  # a roster of one can always take one child
        (0.2, 4, 1),
        (0.29, 100, 29),  # no floating-point shortfall
        (0.3, 10, 3),
        (1.0, 7, 7),
        (0.5, 0, 0),
    ],
)
def test_cap_rule(share: float, size: int, cap: int) -> None:
    assert cap_for(share, size) == cap


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        ComposerSettings(capacity=-1)
    with pytest.raises(ValueError):
        ComposerSettings(capacity=5, max_share=0)
    with pytest.raises(ValueError):
        ComposerSettings(capacity=5, max_share=1.5)
    with pytest.raises(ValueError):
        ComposerSettings(capacity=5, max_referred_share=0)
    with pytest.raises(ValueError):
        ComposerSettings(capacity=5, dimensions=("gender", "gender"))
    with pytest.raises(ValueError):
        compose([Candidate(1, 0), Candidate(1, 1)], _settings(2))


def test_a_mixed_pool_gets_exactly_the_first_n_in_waiting_order() -> None:
    # Waiting order differs from id order on purpose.
    communities = ["serbian", "roma", "albanian", "serbian", "roma", "bosniak"] * 2
    orders = [5, 0, 9, 2, 7, 11, 1, 3, 8, 4, 10, 6]
    pool = [
        Candidate(id=100 + i, order=order, attributes={"community": value})
        for i, (value, order) in enumerate(zip(communities, orders, strict=True))
    ]
    proposal = compose(pool, _settings(8))
    by_order = [c.id for c in sorted(pool, key=lambda c: c.order)]
    assert proposal.placed == by_order[:8]
    assert [s.id for s in proposal.not_placed] == by_order[8:]
    assert {s.reason for s in proposal.not_placed} == {CAPACITY_FULL}
    assert proposal.not_placed[0].explanation_args == {"capacity": 8, "size": 8}
    assert proposal.empty_places == 0 and proposal.exhaustive
    assert check_roster(pool, _settings(8), proposal.placed) == []


def test_a_concentrated_pool_is_capped_and_the_reasons_given() -> None:
    pool = _pool(*["roma"] * 10, *["serbian"] * 10)
    proposal = compose(pool, _settings(10))
    assert proposal.placed == [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]
    assert proposal.size == 10 and proposal.cap == 5
    assert proposal.before == {"community": {"roma": 10, "serbian": 10}}
    assert proposal.after == {"community": {"roma": 5, "serbian": 5}}
    reasons = _reasons(proposal)
    # Roma children 6-10 came before the roster filled: kept out by the cap.
    assert all(reasons[i] == "cap:community:roma" for i in range(6, 11))
    # Serbian children 16-20 came after it filled.
    assert all(reasons[i] == CAPACITY_FULL for i in range(16, 21))
    skipped = next(s for s in proposal.not_placed if s.id == 6)
    assert skipped.explanation_args == {
        "dimension": "community",
        "category": "roma",
        "cap": 5,
        "size": 10,
        "percent": 50,
    }


def test_places_stay_empty_rather_than_break_a_cap() -> None:
    pool = _pool(*["roma"] * 8, "serbian", "albanian")
    proposal = compose(pool, _settings(10))
    assert proposal.placed == [1, 2, 3, 4, 5, 9, 10]
    assert proposal.empty_places == 3
    assert proposal.empty_reasons == ["cap:community:roma"]
    assert not feasible(pool, _settings(10))


def test_missing_values_never_count_towards_a_cap() -> None:
    pool = _pool(None, "prefer_not_to_say", "", None, "prefer_not_to_say", None, *["roma"] * 4)
    proposal = compose(pool, _settings(10))
    assert proposal.placed == list(range(1, 11))
    assert proposal.after == {"community": {NOT_STATED: 6, "roma": 4}}
    # A dimension missing from the attributes counts as not stated too.
    other = [Candidate(i, i, {}) for i in range(4)]
    assert compose(other, ComposerSettings(capacity=4, dimensions=("gender",))).placed == [
        0,
        1,
        2,
        3,
    ]


def test_referred_children_are_included_but_spread() -> None:
    pool = _pool(*["serbian", "roma", "albanian", "bosniak"] * 4, referred=tuple(range(1, 9)))
    proposal = compose(pool, _settings(8))
    assert proposal.referred_cap == 4
    assert proposal.referred_after == 4
    assert proposal.placed == [1, 2, 3, 4, 9, 10, 11, 12]
    assert {_reasons(proposal)[i] for i in (5, 6, 7, 8)} == {REFERRED_SHARE}
    # An explicit share caps them independently of max_share.
    tighter = compose(pool, _settings(8, max_referred_share=0.25))
    assert tighter.referred_cap == 2 and tighter.referred_after == 2


def test_the_second_pass_fills_a_place_the_greedy_pass_leaves_empty() -> None:
    # Greedy takes child 1 (roma, referred), which blocks 2 (roma) and 3 (referred).
    pool = [
        Candidate(1, 0, {"community": "roma"}, referred=True),
        Candidate(2, 1, {"community": "roma"}),
        Candidate(3, 2, {"community": "serbian"}, referred=True),
    ]
    proposal = compose(pool, _settings(2))
    assert proposal.placed == [2, 3]
    assert _reasons(proposal) == {1: "cap:community:roma"}
    assert feasible(pool, _settings(2))


def test_ties_in_waiting_order_are_broken_by_id() -> None:
    pool = [Candidate(i, 0, {"community": value}) for i, value in [(9, "a"), (3, "b"), (5, "c")]]
    assert compose(pool, _settings(2)).placed == [3, 5]


def test_capacity_larger_than_the_pool() -> None:
    mixed = _pool("roma", "serbian", "albanian", "roma", "serbian", "bosniak")
    proposal = compose(mixed, _settings(30))
    assert proposal.size == 6 and proposal.cap == 3
    assert proposal.placed == [1, 2, 3, 4, 5, 6] and proposal.not_placed == []
    # The cap is relative to the roster the pool allows, not to the capacity.
    concentrated = _pool("roma", "roma", "roma", "roma", "serbian", "serbian")
    proposal = compose(concentrated, _settings(30))
    assert proposal.placed == [1, 2, 3, 5, 6]
    assert proposal.empty_places == 1
    assert _reasons(proposal) == {4: "cap:community:roma"}


def test_capacity_zero_and_an_empty_pool() -> None:
    proposal = compose(_pool("roma", "serbian"), _settings(0))
    assert proposal.placed == [] and {s.reason for s in proposal.not_placed} == {CAPACITY_FULL}
    empty = compose([], _settings(10))
    assert empty.placed == [] and empty.size == 0 and empty.empty_places == 0
    assert feasible([], _settings(10))


def test_kept_members_stay_whatever_the_caps() -> None:
    kept = [Candidate(i, 100 + i, {"community": "roma"}, keep=True) for i in range(1, 7)]
    waiting = _pool("roma", "serbian", "albanian", "serbian")
    waiting = [dataclasses.replace(c, id=c.id + 10) for c in waiting]
    proposal = compose(kept + waiting, _settings(10))
    assert proposal.placed[:6] == [1, 2, 3, 4, 5, 6]  # kept first, in their own order
    assert proposal.breaches == ["cap:community:roma"]
    assert proposal.placed[6:] == [12, 13, 14]  # no more roma children
    assert _reasons(proposal) == {11: "cap:community:roma"}
    assert not feasible(kept + waiting, _settings(10))
    # More kept members than places: all stay, nobody else comes in.
    over = compose(kept + waiting, _settings(4))
    assert over.placed == [1, 2, 3, 4, 5, 6] and over.empty_places == 0
    assert {s.reason for s in over.not_placed} == {CAPACITY_FULL}


def test_several_dimensions() -> None:
    dims = ("community", "gender")
    pool = [
        Candidate(i, i, {"community": community, "gender": gender})
        for i, (community, gender) in enumerate(
            [
                ("roma", "female"),
                ("roma", "female"),
                ("roma", "male"),
                ("serbian", "female"),
                ("serbian", "male"),
                ("albanian", "male"),
            ]
        )
    ]
    config = ComposerSettings(capacity=4, max_share=0.5, dimensions=dims)
    proposal = compose(pool, config)
    assert proposal.placed == [0, 1, 4, 5]
    assert proposal.after == {
        "community": {"albanian": 1, "roma": 2, "serbian": 1},
        "gender": {"female": 2, "male": 2},
    }
    # Child 2 breaks both caps of its roma/male cell... only roma is full: the first dimension.
    assert _reasons(proposal) == {2: "cap:community:roma", 3: "cap:gender:female"}


def test_check_roster_names_the_caps_an_edited_roster_breaks() -> None:
    pool = _pool("roma", "roma", "roma", "serbian", referred=(1, 2, 3))
    config = _settings(4)
    assert check_roster(pool, config, [1, 2, 4]) == []
    assert check_roster(pool, config, [1, 2, 3, 4]) == ["cap:community:roma", REFERRED_SHARE]
    with pytest.raises(ValueError):
        check_roster(pool, config, [99])


def test_the_same_input_gives_the_same_proposal() -> None:
    rng = random.Random(7)
    dims = ("community", "school", "gender")
    pool = [
        Candidate(
            id=1000 - i,
            order=rng.randint(0, 10),
            attributes={
                "community": rng.choice(["roma", "serbian", "albanian", None]),
                "school": rng.choice(["s1", "s2", "s3"]),
                "gender": rng.choice(["female", "male"]),
            },
            referred=rng.random() < 0.3,
        )
        for i in range(40)
    ]
    config = ComposerSettings(capacity=15, max_share=0.4, dimensions=dims)
    first = compose(pool, config)
    assert compose(pool, config) == first
    for _ in range(5):
        shuffled = list(pool)
        rng.shuffle(shuffled)
        assert compose(shuffled, config) == first


CATEGORY_NAMES = ("a", "b", "c", "d", "e")


MISSING = (None, "prefer_not_to_say")


@st.composite
def problems(draw, max_dimensions: int = 3, max_candidates: int = 60):
    n_dimensions = draw(st.integers(1, max_dimensions))
    dimensions = tuple(f"d{index}" for index in range(n_dimensions))
    categories = {d: CATEGORY_NAMES[: draw(st.integers(2, 5))] for d in dimensions}
    n = draw(st.integers(0, max_candidates))
    ids = draw(st.permutations(range(n)))
    pool = []
    for index in range(n):
        attributes = {
            d: draw(st.one_of(st.sampled_from(categories[d]), st.sampled_from(MISSING)))
            if draw(st.integers(0, 9)) == 0
            else draw(st.sampled_from(categories[d]))
            for d in dimensions
        }
        pool.append(
            Candidate(
                id=ids[index],
                order=draw(st.integers(0, 20)),
                attributes=attributes,
                referred=draw(st.booleans()),
            )
        )
    config = ComposerSettings(
        capacity=draw(st.integers(1, 30)),
        max_share=draw(st.sampled_from([0.25, 0.3, 0.34, 0.4, 0.5, 0.6, 0.75, 1.0])),
        dimensions=dimensions,
        max_referred_share=draw(st.sampled_from([None, None, 0.2, 0.5])),
    )
    return pool, config


def _counts_within_caps(pool: list[Candidate], config: ComposerSettings, placed: list[int]):
    """Independent check of the caps (does not use the composer's own bookkeeping)."""
    size = min(config.capacity, len(pool))
    cap = cap_for(config.max_share, size)
    share = config.max_share if config.max_referred_share is None else config.max_referred_share
    referred_cap = cap_for(share, size)
    by_id = {c.id: c for c in pool}
    for dimension in config.dimensions:
        counts = Counter(by_id[i].attributes.get(dimension) for i in placed)
        for value, count in counts.items():
            if value not in (None, "", "prefer_not_to_say"):
                assert count <= cap, (dimension, value, count, cap)
    assert sum(by_id[i].referred for i in placed) <= referred_cap


def _counting_argument(pool: list[Candidate], config: ComposerSettings) -> bool:
    """Single dimension, referred ignored: not stated + Σ_k min(n_k, cap) >= N."""
    (dimension,) = config.dimensions
    size = min(config.capacity, len(pool))
    cap = cap_for(config.max_share, size)
    values = Counter(c.attributes.get(dimension) for c in pool)
    missing = sum(count for value, count in values.items() if value in MISSING)
    return missing + sum(min(n, cap) for v, n in values.items() if v not in MISSING) >= size


fast = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@fast
@given(problems(max_dimensions=1))
def test_one_dimension_feasible_means_a_full_roster_within_the_caps(problem) -> None:
    pool, config = problem
    proposal = compose(pool, config)
    _counts_within_caps(pool, config, proposal.placed)
    if feasible(pool, config):
        assert len(proposal.placed) == min(config.capacity, len(pool))
        assert proposal.empty_places == 0


@fast
@given(problems(max_dimensions=1))
def test_one_dimension_feasibility_is_the_counting_argument(problem) -> None:
    pool, config = problem
    pool = [dataclasses.replace(c, referred=False) for c in pool]
    assert feasible(pool, config) == _counting_argument(pool, config)


@fast
@given(problems())
def test_the_caps_always_hold_and_every_child_is_accounted_for(problem) -> None:
    pool, config = problem
    proposal = compose(pool, config)
    _counts_within_caps(pool, config, proposal.placed)
    assert check_roster(pool, config, proposal.placed) == []
    size = min(config.capacity, len(pool))
    assert len(proposal.placed) <= size
    assert proposal.empty_places == size - len(proposal.placed)
    skipped = [s.id for s in proposal.not_placed]
    assert sorted(proposal.placed + skipped) == sorted(c.id for c in pool)
    # Roster and skipped children both in waiting order.
    position = {c.id: (c.order, c.id) for c in pool}
    assert proposal.placed == sorted(proposal.placed, key=position.__getitem__)
    assert skipped == sorted(skipped, key=position.__getitem__)
    for s in proposal.not_placed:
        assert s.reason in {CAPACITY_FULL, REFERRED_SHARE} or s.reason.startswith("cap:")
    # "after" is the composition of the roster.
    by_id = {c.id: c for c in pool}
    for dimension in config.dimensions:
        assert sum(proposal.after[dimension].values()) == len(proposal.placed)
        assert sum(proposal.before[dimension].values()) == len(pool)
    assert proposal.referred_after == sum(by_id[i].referred for i in proposal.placed)


@fast
@given(problems())
def test_the_roster_is_as_large_as_the_caps_allow(problem) -> None:
    pool, config = problem
    proposal = compose(pool, config)
    assert proposal.exhaustive
    assert feasible(pool, config) == (len(proposal.placed) == min(config.capacity, len(pool)))
    # Never fewer than the plain greedy pass, never a child that would fit in a free place.
    if proposal.empty_places:
        assert all(s.reason != CAPACITY_FULL for s in proposal.not_placed)


@fast
@given(problems())
def test_the_first_n_are_placed_whenever_they_are_mixed(problem) -> None:
    pool, config = problem
    in_order = [c.id for c in sorted(pool, key=lambda c: (c.order, c.id))]
    first = in_order[: config.capacity]
    proposal = compose(pool, config)
    if check_roster(pool, config, first) == []:
        assert proposal.placed == first


@fast
@given(problems(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(problem, rng) -> None:
    pool, config = problem
    shuffled = list(pool)
    rng.shuffle(shuffled)
    assert compose(shuffled, config) == compose(pool, config)


def _brute_force(pool: list[Candidate], config: ComposerSettings) -> tuple[list[int], bool]:
    """The first roster in waiting order among the largest that keep the caps, by enumeration."""
    ordered = sorted(pool, key=lambda c: (c.order, c.id))
    size = min(config.capacity, len(pool))
    for k in range(size, -1, -1):
        for combination in itertools.combinations(range(len(ordered)), k):
            ids = [ordered[i].id for i in combination]
            if check_roster(pool, config, ids) == []:
                return ids, k == size  # combinations come in lexicographic order
    raise AssertionError("the empty roster always keeps the caps")


@settings(max_examples=examples(300), deadline=None)
@given(problems(max_candidates=9))
def test_small_pools_match_brute_force(problem) -> None:
    pool, config = problem
    expected, full = _brute_force(pool, config)
    assert compose(pool, config).placed == expected
    assert feasible(pool, config) == full


def test_a_realistic_pool_in_six_dimensions_stays_within_budget() -> None:
    rng = random.Random(3)
    pool = [
        Candidate(
            id=i,
            order=i,
            attributes={
                "community": rng.choices(["serbian", "roma", "albanian", None], [5, 3, 1, 1])[0],
                "residence_area": rng.choice(["north", "south", "centre", "east", "west"]),
                "school": rng.choice(["s1", "s2", "s3", "s4"]),
                "ses_band": rng.choice(["low", "middle", "high", None]),
                "gender": rng.choice(["female", "male"]),
                "age_band": rng.choice(["7-10", "11-14", "15-18"]),
            },
            referred=rng.random() < 0.25,
        )
        for i in range(120)
    ]
    config = ComposerSettings(capacity=25, max_share=0.4)
    proposal = compose(pool, config)
    assert check_roster(pool, config, proposal.placed) == []
    assert compose(pool, config) == proposal
    # With a tiny budget the answer is still within the caps (and as large as greedy's).
    small = compose(pool, config, budget=1)
    assert check_roster(pool, config, small.placed) == []
    assert len(small.placed) <= len(proposal.placed)


def test_compose_many_spreads_referred_children() -> None:
    # The six referred children head the waiting list: a single club would take them all first.
    pool = _pool(*["serbian", "roma", "albanian"] * 6, referred=tuple(range(1, 7)))
    units = [_settings(6), _settings(6), _settings(6)]
    result = compose_many(pool, units)
    assert [unit.referred_after for unit in result.units] == [2, 2, 2]
    assert [len(unit.placed) for unit in result.units] == [6, 6, 6]
    assert result.not_placed == []
    placed = [i for unit in result.units for i in unit.placed]
    assert sorted(placed) == list(range(1, 19))
    assert result.referred_before == 6


def test_compose_many_shares_a_small_pool_by_capacity() -> None:
    pool = _pool(*["serbian", "roma", "albanian"] * 3, "serbian")
    result = compose_many(pool, [_settings(10), _settings(5), _settings(5)])
    # 10 children for 20 places: 5, 2.5 and 2.5, the remainder to the earlier unit.
    assert [unit.size for unit in result.units] == [5, 3, 2]
    assert [unit.cap for unit in result.units] == [2, 1, 1]
    assert [len(unit.placed) for unit in result.units] == [5, 3, 2]
    assert result.not_placed == []
    # With two categories only 2 + 2, 1 + 1 and 1 + 1 fit under those caps.
    two = compose_many(_pool(*["serbian", "roma"] * 5), [_settings(10), _settings(5), _settings(5)])
    assert [len(unit.placed) for unit in two.units] == [4, 2, 2]
    assert [unit.empty_places for unit in two.units] == [1, 1, 0]


def test_compose_many_reports_children_no_unit_can_take() -> None:
    pool = _pool(*["roma"] * 6, "serbian", "serbian")
    result = compose_many(pool, [_settings(4), _settings(4)])
    assert [len(unit.placed) for unit in result.units] == [3, 3]
    assert [unit.after["community"] for unit in result.units] == [
        {"roma": 2, "serbian": 1},
        {"roma": 2, "serbian": 1},
    ]
    assert {s.reason for s in result.not_placed} == {"cap:community:roma"}
    with pytest.raises(ValueError):
        compose_many([Candidate(1, 0, keep=True)], [_settings(2)])


@fast
@given(problems(), st.lists(st.integers(0, 12), min_size=1, max_size=4))
def test_compose_many_properties(problem, capacities) -> None:
    pool, config = problem
    units = [dataclasses.replace(config, capacity=capacity) for capacity in capacities]
    result = compose_many(pool, units)
    placed = [i for unit in result.units for i in unit.placed]
    assert len(placed) == len(set(placed))
    assert sorted(placed + [s.id for s in result.not_placed]) == sorted(c.id for c in pool)
    by_id = {c.id: c for c in pool}
    referred_total = sum(c.referred for c in pool)
    total_size = sum(unit.size for unit in result.units)
    for unit, unit_config in zip(result.units, units, strict=True):
        assert len(unit.placed) <= unit.size <= unit_config.capacity
        for dimension in unit_config.dimensions:
            counts = Counter(by_id[i].attributes.get(dimension) for i in unit.placed)
            assert all(n <= unit.cap for v, n in counts.items() if v not in (*MISSING, ""))
        referred = sum(by_id[i].referred for i in unit.placed)
        assert referred == unit.referred_after <= unit.referred_cap
        if unit_config.max_referred_share is None and total_size:
            assert referred <= math.ceil(referred_total * unit.size / total_size)
    assert compose_many(list(reversed(pool)), units) == result


def test_suppression_hides_small_cells_and_their_complements() -> None:
    before = {"community": {"roma": 3, "serbian": 12, "albanian": 9}}
    after = {"community": {"roma": 3, "serbian": 6, "albanian": 5}}
    shown_before, shown_after = _suppress(before, after)
    # roma is small; serbian's not-placed count (6) and albanian's (4) decide the rest: albanian
    # is hidden for its 4 not placed, so two cells are hidden and serbian can be shown.
    assert shown_before == {
        "community": {"albanian": SUPPRESSED_LARGE, "roma": SUPPRESSED_SMALL, "serbian": 12}
    }
    assert shown_after == {
        "community": {"albanian": SUPPRESSED_LARGE, "roma": SUPPRESSED_SMALL, "serbian": 6}
    }


def test_suppression_adds_a_second_cell_when_one_would_be_derivable() -> None:
    before = {"gender": {"female": 10, "male": 7, NOT_STATED: 2}}
    after = {"gender": {"female": 5, "male": 7, NOT_STATED: 0}}
    shown_before, shown_after = _suppress(before, after)
    # not_stated alone is small (2 in the pool); female, the smallest other in the roster, is
    # hidden with it so that neither can be found by subtracting from the totals.
    assert shown_before["gender"][NOT_STATED] == SUPPRESSED_SMALL
    hidden = [k for k, v in shown_after["gender"].items() if isinstance(v, str)]
    assert len(hidden) == 2 and "female" in hidden
    assert shown_after["gender"]["female"] == SUPPRESSED_LARGE


def test_suppression_withholds_a_dimension_with_a_single_small_category() -> None:
    shown_before, shown_after = _suppress({"community": {"roma": 3}}, {"community": {"roma": 3}})
    assert shown_before == {"community": {}} and shown_after == {"community": {}}
    kept_before, kept_after = _suppress({"school": {"s1": 7}}, {"school": {"s1": 7}})
    assert kept_before == {"school": {"s1": 7}} and kept_after == {"school": {"s1": 7}}


def test_flags_name_only_groups_of_five_or_more() -> None:
    raw = {
        "size": 8,
        "shares": {"roma": 0.5, "serbian": 0.5},
        "over_representation": {"roma": 3.0},
        "ghetto_risk": True,
        "ghetto_p_value": 0.01,
        "ghetto_group": "roma",
        "single_group": False,
        "risk_band": True,
        "risk_groups": ["roma"],
    }
    hidden = _safe_flags(raw, {"roma": 4, "serbian": 4})
    assert not hidden.ghetto_risk and hidden.ghetto_group is None
    assert not hidden.risk_band and hidden.risk_groups == []
    shown = _safe_flags({**raw, "size": 10}, {"roma": 5, "serbian": 5})
    assert shown.ghetto_risk and shown.ghetto_group == "roma" and shown.risk_groups == ["roma"]
    single = _safe_flags({**raw, "size": 4, "single_group": True}, {"roma": 4})
    assert not single.single_group


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (date(2018, 6, 1), "7-10"),  # 7
        (date(2015, 6, 2), "7-10"),  # 10 (birthday tomorrow)
        (date(2015, 6, 1), "11-14"),  # 11 today
        (date(2011, 6, 2), "11-14"),  # 14
        (date(2011, 6, 1), "15-18"),  # 15 today
        (date(2020, 1, 1), "7-10"),  # younger children count as the youngest band
        (date(2005, 1, 1), "15-18"),
    ],
)
def test_age_bands(birth: date, band: str) -> None:
    assert age_band(birth, date(2026, 6, 1)) == band
