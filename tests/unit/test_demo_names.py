"""Tests for the synthetic demo name data."""

from __future__ import annotations

import random

import pytest

from parliament_app.demo.names import (
    COMMUNITIES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    SCHOOL_NAMES,
    SETTLEMENTS,
    family_name_for,
    full_name,
)

GENDERS = ("female", "male")


def _all_lists() -> list[tuple[str, tuple[str, ...]]]:
    lists: list[tuple[str, tuple[str, ...]]] = []
    for community in COMMUNITIES:
        for gender in GENDERS:
            lists.append((f"{community}/{gender}", GIVEN_NAMES[community][gender]))
        lists.append((f"{community}/family", FAMILY_NAMES[community]))
    lists.append(("settlements", SETTLEMENTS))
    lists.append(("schools", SCHOOL_NAMES))
    return lists


def test_communities_cover_all_tables() -> None:
    assert set(GIVEN_NAMES) == set(COMMUNITIES)
    assert set(FAMILY_NAMES) == set(COMMUNITIES)
    for community in COMMUNITIES:
        assert set(GIVEN_NAMES[community]) == set(GENDERS)


@pytest.mark.parametrize("community", COMMUNITIES)
def test_minimum_sizes(community: str) -> None:
    for gender in GENDERS:
        assert len(GIVEN_NAMES[community][gender]) >= 25, (community, gender)
    assert len(FAMILY_NAMES[community]) >= 40, community


def test_other_tables_sizes() -> None:
    assert len(SETTLEMENTS) >= 12
    assert len(SCHOOL_NAMES) == 6


@pytest.mark.parametrize(("label", "names"), _all_lists())
def test_no_duplicates(label: str, names: tuple[str, ...]) -> None:
    assert len(names) == len(set(names)), label


@pytest.mark.parametrize(("label", "names"), _all_lists())
def test_names_are_clean(label: str, names: tuple[str, ...]) -> None:
    for name in names:
        assert name, label
        assert name == name.strip(), (label, name)
        assert not any(ch.isdigit() for ch in name), (label, name)


@pytest.mark.parametrize("community", COMMUNITIES)
@pytest.mark.parametrize("gender", GENDERS)
def test_full_name_deterministic(community: str, gender: str) -> None:
    first = [full_name(community, gender, random.Random(1234)) for _ in range(3)]
    rng_a = random.Random(42)
    rng_b = random.Random(42)
    seq_a = [full_name(community, gender, rng_a) for _ in range(20)]
    seq_b = [full_name(community, gender, rng_b) for _ in range(20)]
    assert first[0] == first[1] == first[2]
    assert seq_a == seq_b
    for given, _family in seq_a:
        assert given in GIVEN_NAMES[community][gender]


@pytest.mark.parametrize(
    ("base", "feminine"),
    [
        ("Petrovski", "Petrovska"),
        ("Stojanov", "Stojanova"),
        ("Nikolovski", "Nikolovska"),
        ("Iliev", "Ilieva"),
    ],
)
def test_macedonian_feminine_forms(base: str, feminine: str) -> None:
    assert family_name_for("macedonian", base, "female") == feminine
    assert family_name_for("macedonian", base, "male") == base


def test_other_communities_unchanged() -> None:
    for community in COMMUNITIES:
        if community == "macedonian":
            continue
        for base in FAMILY_NAMES[community]:
            assert family_name_for(community, base, "female") == base
            assert family_name_for(community, base, "male") == base


def test_macedonian_full_name_female_is_feminine() -> None:
    rng = random.Random(7)
    for _ in range(200):
        _given, family = full_name("macedonian", "female", rng)
        assert not family.endswith(("ski", "ov", "ev")), family


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        full_name("atlantean", "female", random.Random(0))
    with pytest.raises(ValueError):
        family_name_for("serbian", "Petrović", "other")
