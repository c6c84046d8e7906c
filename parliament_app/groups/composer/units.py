"""Composing several units at once (sessions of one day, parallel workshops): each child placed
in at most one unit, every unit respecting the caps."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from parliament_app.groups.composer.exact import _explanation_args
from parliament_app.groups.composer.rules import (
    CAPACITY_FULL,
    REFERRED_SHARE,
    Candidate,
    ComposerSettings,
    Composition,
    Skipped,
    cap_for,
    category,
    composition,
)


@dataclass(frozen=True)
class UnitRoster:
    placed: list[int]
    after: Composition
    size: int  # the roster size aimed for in this unit
    cap: int
    referred_cap: int
    referred_after: int
    empty_places: int


@dataclass(frozen=True)
class ManyProposal:
    units: list[UnitRoster]  # in the order of the settings given
    not_placed: list[Skipped]  # waiting order
    before: Composition  # the whole pool over every unit's dimensions
    referred_before: int


def compose_many(
    candidates: Iterable[Candidate], units: Sequence[ComposerSettings]
) -> ManyProposal:
    """Place one pool into several units (e.g. parallel clubs), spreading referred children.

    Sizes: when the pool fills every unit, unit u aims for its capacity; otherwise the pool is
    shared in proportion to capacity (largest remainders, ties to the earlier unit). Each unit
    has its own caps (:func:`cap_for` of its size). With ``max_referred_share=None`` a unit takes
    at most ``min(cap_for(max_share, N_u), ceil(R * N_u / Σ N))`` referred children, R being the
    referred children in the pool: no unit holds more than one child above its proportional
    share of them. An explicit ``max_referred_share`` caps the unit at that share only.

    Greedy, in waiting order: a child goes to the unit, among those with room whose caps allow
    them, that suits them best (:meth:`_UnitState.preference`: referred children where referred
    children are fewest; everyone where their categories are furthest from the cap; then the
    least filled unit; ties to the earlier unit). Then each child left over, in waiting order, is
    placed if moving one member to another unit makes room for them. A child still left is
    reported with the reason of the unit with the most free places (``capacity_full`` when every
    unit is full). Unlike :func:`compose` there is no exact search: places can stay empty that a
    longer chain of moves would fill. Kept members are not supported (compose each unit's members
    with :func:`compose`). A unit's roster is in the order children were placed in it.
    """
    ordered = sorted(candidates, key=lambda c: (c.order, c.id))
    ids = [c.id for c in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    if any(c.keep for c in ordered):
        raise ValueError("compose_many does not place kept members")
    sizes = _unit_sizes(len(ordered), [unit.capacity for unit in units])
    total = sum(sizes)
    referred_total = sum(c.referred for c in ordered)
    states = []
    for unit, size in zip(units, sizes, strict=True):
        cap = cap_for(unit.max_share, size)
        if unit.max_referred_share is None:
            quota = -(-referred_total * size // total) if total else 0
            referred_cap = min(cap, quota)
        else:
            referred_cap = cap_for(unit.max_referred_share, size)
        states.append(_UnitState(unit, size, cap, referred_cap))

    left: list[Candidate] = []
    for child in ordered:
        allowed = [
            index
            for index, state in enumerate(states)
            if state.has_room() and state.blocked_by(child) is None
        ]
        if not allowed:
            left.append(child)
            continue
        index = min(allowed, key=lambda i: (*states[i].preference(child), i))
        states[index].add(child)
    left = [child for child in left if not _move_to_make_room(child, states)]

    not_placed: list[Skipped] = []
    for child in left:
        open_units = [index for index, state in enumerate(states) if state.has_room()]
        if not open_units:
            reason = CAPACITY_FULL
            state = states[0] if states else None
        else:
            index = min(open_units, key=lambda i: (-states[i].free_places(), i))
            state = states[index]
            reason = state.blocked_by(child) or CAPACITY_FULL
        args = (
            _explanation_args(reason, state.settings, state.size, state.cap, state.referred_cap)
            if state is not None
            else {}
        )
        not_placed.append(Skipped(child.id, reason, args))

    dimensions = list(dict.fromkeys(d for unit in units for d in unit.dimensions))
    return ManyProposal(
        units=[
            UnitRoster(
                placed=[c.id for c in state.roster],
                after=composition(state.roster, state.settings.dimensions),
                size=state.size,
                cap=state.cap,
                referred_cap=state.referred_cap,
                referred_after=state.referred,
                empty_places=state.free_places(),
            )
            for state in states
        ],
        not_placed=not_placed,
        before=composition(ordered, dimensions),
        referred_before=referred_total,
    )


def _move_to_make_room(child: Candidate, states: list[_UnitState]) -> bool:
    """Place ``child`` in a unit with room by moving one member who shares the categories that
    block them to another unit with room that can take that member. True if it worked."""
    for state in states:
        if not state.has_room():
            continue
        blocking = state.blocking_cells(child)
        for member in reversed(state.roster):
            if not blocking <= state.cells_of(member):
                continue
            for other in sorted(
                (o for o in states if o is not state and o.has_room()),
                key=lambda o: (o.fill_ratio(), states.index(o)),
            ):
                if other.blocked_by(member) is None:
                    state.remove(member)
                    if state.blocked_by(child) is None:
                        other.add(member)
                        state.add(child)
                        return True
                    state.add(member)
    return False


def _unit_sizes(pool: int, capacities: list[int]) -> list[int]:
    """Capacities if the pool fills them; else the pool shared by largest remainders."""
    if any(capacity < 0 for capacity in capacities):
        raise ValueError("capacity must not be negative")
    total = sum(capacities)
    if total <= pool:
        return list(capacities)
    quotas = [Fraction(pool * capacity, total) for capacity in capacities]
    sizes = [math.floor(quota) for quota in quotas]
    left = pool - sum(sizes)
    by_remainder = sorted(range(len(capacities)), key=lambda i: (-(quotas[i] - sizes[i]), i))
    for index in by_remainder[:left]:
        sizes[index] += 1
    return sizes


class _UnitState:
    def __init__(self, settings: ComposerSettings, size: int, cap: int, referred_cap: int) -> None:
        self.settings = settings
        self.size = size
        self.cap = cap
        self.referred_cap = referred_cap
        self.roster: list[Candidate] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self.referred = 0

    def has_room(self) -> bool:
        return len(self.roster) < self.size

    def free_places(self) -> int:
        return max(0, self.size - len(self.roster))

    def fill_ratio(self) -> Fraction:
        return Fraction(len(self.roster), self.size) if self.size else Fraction(1)

    def referred_ratio(self) -> Fraction:
        return Fraction(self.referred, self.size) if self.size else Fraction(1)

    def _cells(self, child: Candidate) -> list[tuple[str, str]]:
        cells = []
        for dimension in self.settings.dimensions:
            value = category(child.attributes.get(dimension))
            if value is not None:
                cells.append((dimension, value))
        return cells

    def cells_of(self, child: Candidate) -> set[tuple[str, str]]:
        """The child's categories here, with ("", "referred") for a referred child."""
        cells = set(self._cells(child))
        if child.referred:
            cells.add(("", "referred"))
        return cells

    def blocking_cells(self, child: Candidate) -> set[tuple[str, str]]:
        cells = {cell for cell in self._cells(child) if self.counts[cell] >= self.cap}
        if child.referred and self.referred >= self.referred_cap:
            cells.add(("", "referred"))
        return cells

    def blocked_by(self, child: Candidate) -> str | None:
        for cell in self._cells(child):
            if self.counts[cell] >= self.cap:
                return f"cap:{cell[0]}:{cell[1]}"
        if child.referred and self.referred >= self.referred_cap:
            return REFERRED_SHARE
        return None

    def preference(self, child: Candidate) -> tuple[Fraction, ...]:
        """Lower is better for this child: for a referred child the unit with the fewest
        referred per place first; then where the child's categories are furthest from their cap
        (most loaded category, then the total), so every category spreads over the units; then
        the least filled unit."""
        loads = [Fraction(self.counts[cell], self.cap) for cell in self._cells(child)]
        referred = self.referred_ratio() if child.referred else Fraction(0)
        return (
            referred,
            max(loads, default=Fraction(0)),
            sum(loads, Fraction(0)),
            self.fill_ratio(),
        )

    def add(self, child: Candidate) -> None:
        self.roster.append(child)
        self.counts.update(self._cells(child))
        self.referred += child.referred

    def remove(self, child: Candidate) -> None:
        self.roster.remove(child)
        self.counts.subtract(self._cells(child))
        self.referred -= child.referred
