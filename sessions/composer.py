"""The roster composer: propose a mixed roster for a session or club from its candidates.

Two layers:

* a pure algorithm (no database): :class:`Candidate`, :class:`ComposerSettings`, :func:`compose`,
  :func:`feasible`, :func:`check_roster` and :func:`compose_many`;
* a service, :func:`propose_roster`, that loads a group's candidates, runs :func:`compose` and
  returns what a facilitator may see (:class:`RosterProposal`).

Privacy (service): community and referral are special-category data and facilitators may not see
them for individuals. Per child the proposal carries only id, names, placed or not and a neutral
reason (``group_full`` / ``keeps_group_mixed``: every cap reason, the referred cap included, looks
the same). Compositions are aggregates in which a category is suppressed when its pool, roster or
not-placed count is 1–4, with a complementary cell so none can be found by subtraction
(:func:`_suppress`); flags name a group only when it has 5 or more children. What remains: a
facilitator who sees that, say, 6 of 9 children not placed belong to one community and that 6
children were "kept out to keep the group mixed" can guess, though not know, who they are.

The cap rule
------------
With ``N = min(capacity, number of candidates)`` (the roster size the proposal aims for)::

    cap(share, N) = max(1, floor(share * N))          (0 when N == 0)

A roster respects the caps when, for every dimension, every category has at most
``cap(max_share, N)`` children, and at most ``cap(referred_share, N)`` children are referred
(``referred_share`` is ``max_referred_share``, or ``max_share`` when that is ``None``).
``floor`` is computed as ``floor(share * N + 1e-9)`` so that e.g. ``0.29 * 100`` gives 29.

Why this rule:

* ``count <= floor(share * N)`` is exactly "share of the roster ``<= share``" for a roster of N.
* N, not ``capacity``: with a pool smaller than the capacity the roster can only be as large as
  the pool, and a cap of ``share * capacity`` would let a concentrated small pool through whole
  (a club of 30 with 10 candidates, 9 of them from one community, would pass a cap of 15).
* N, not the size actually reached: the cap must be known before choosing (the size reached
  depends on the choice), and a fixed count makes the caps monotone — adding a child never makes
  an earlier choice break a cap — which is what lets children be added one at a time. The price:
  when places stay empty the placed children can exceed ``share`` of the *smaller* roster (a
  target of 10 with cap 5 and 8 placed allows 5 of 8); the proposal reports the empty places.
* ``max(1, ...)``: a roster of one is 100% of its own category; without the floor of 1 such a
  roster (or any roster with ``share * N < 1``) could only take children whose background is not
  recorded, which would favour missing data.

Missing values (``None``, ``""``, ``"prefer_not_to_say"``) never count towards a cap; they are
shown as :data:`NOT_STATED` in compositions. A consequence of ``floor`` worth knowing: with an
odd N and a dimension with two categories (gender), ``2 * floor(N / 2) = N - 1``, so one place
can only be filled by a child whose value is not stated.

The algorithm
-------------
Candidates are taken in waiting order, ties broken by ``(order, id)``; nothing is random.
Children marked ``keep`` (current members who stay) are placed first, whatever the caps.

1. Greedy pass: each child is added if the roster has room and adding them keeps every cap.
2. If places are still free, the greedy choice may simply have been unlucky: with two or more
   constraints (dimensions, referred) an early child can block two later ones. Adding children to
   the greedy roster can never help — caps only tighten as children are added — so this pass
   looks for the *largest* cap-respecting roster and, among those of that size, the one first in
   waiting order: it decides the children one by one in waiting order, placing a child whenever a
   roster of that size can still be completed with them. Whether one can is an exact search
   (:meth:`_Problem.completion`: greedy heuristics first, then a depth-first search over types
   of children pruned by a counting bound per dimension and an exact max-flow per pair of
   dimensions). It may swap an early child for two later ones; it never places fewer than pass 1.
   The search is limited to :data:`SEARCH_BUDGET` steps (steps, not seconds, so the answer does
   not depend on the machine); when it runs out, ``Proposal.exhaustive`` is ``False`` and the
   roster is the best found: the greedy one, or one of the largest size whose waiting order may
   not be exactly respected.

The result is therefore the roster that fills the most places the caps allow and, among those,
respects waiting order best. When the greedy pass fills the roster (always when the pool is
already mixed) the result *is* the greedy roster: the first N children in waiting order when they
respect the caps (any roster "first in waiting order" must then agree with greedy at every step).
When the caps cannot be met with N children, places stay empty rather than break a cap.

Why a child was not placed (``Skipped.reason``), judged against the final roster:

* ``capacity_full``: the roster is full and the child comes after every placed child in waiting
  order (their turn never came);
* ``cap:<dimension>:<category>``: adding the child would take that category above its cap (the
  first such dimension in ``settings.dimensions`` order);
* ``referred_share``: adding the child would take referred children above their cap.

When the search is exhaustive a skipped child earlier than a placed one always breaks a cap when
added to the final roster (else a roster as large and earlier in waiting order, or larger,
would exist), so the reason is never a bare ``capacity_full`` for them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from parliament_app import audit
from parliament_app.clock import local_today
from parliament_app.diversity import UnitFlags, unit_flags
from parliament_app.errors import NotFound, PermissionDenied, ValidationError
from parliament_app.i18n import _
from parliament_app.models import (
    AuditAction,
    Child,
    Community,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Gender,
    Group,
    GroupLeader,
    Organisation,
    RiskRecord,
    Role,
    SocioEconomicBand,
    User,
)
from parliament_app.permissions import exclude_erased

__all__ = [
    "CAPACITY_FULL",
    "DEFAULT_DIMENSIONS",
    "MARGINALISED",
    "MISSING_VALUES",
    "NOT_STATED",
    "REASON_GROUP_FULL",
    "REASON_KEEPS_MIXED",
    "REFERRED_SHARE",
    "SEARCH_BUDGET",
    "SMALL_CELL",
    "SUPPRESSED_LARGE",
    "SUPPRESSED_SMALL",
    "Candidate",
    "CommunityFlags",
    "ComposerSettings",
    "ManyProposal",
    "Proposal",
    "RosterChild",
    "RosterProposal",
    "Skipped",
    "UnitRoster",
    "age_band",
    "cap_for",
    "category",
    "check_roster",
    "compose",
    "compose_many",
    "composition",
    "feasible",
    "propose_roster",
]

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


# =========================================================================== pure algorithm


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


def compose(
    candidates: Iterable[Candidate], settings: ComposerSettings, *, budget: int | None = None
) -> Proposal:
    """Propose a roster: the largest the caps allow, first in waiting order among those.

    ``budget`` bounds the exact search (steps; default :data:`SEARCH_BUDGET`), so that the
    answer is the same on every machine; see ``Proposal.exhaustive``.
    """
    budget = SEARCH_BUDGET if budget is None else budget
    problem = _Problem(candidates, settings)
    used = problem.initial_used()
    chosen = problem.greedy(used)
    exhaustive = True
    if len(chosen) < problem.room and len(chosen) < len(problem.free):
        found, exhaustive = problem.best(chosen_count=len(chosen), budget=budget)
        if found is not None:
            chosen = found
    return problem.proposal(chosen, exhaustive)


def feasible(candidates: Iterable[Candidate], settings: ComposerSettings) -> bool:
    """Whether a roster of N = min(capacity, |pool|) children respecting every cap exists.

    Kept members must all be in it (and then the roster has ``max(N, kept)`` children).

    Exact, no budget. For one dimension and no referred child it is the counting argument
    ``not_stated + Σ_k min(n_k, cap) >= N``; with at most two constrained groups (one dimension
    plus referred, or two dimensions) a max-flow decides it in polynomial time. From three on the
    problem is NP-hard in general and this is a depth-first search over types of children, pruned
    by the counting bound of every dimension and the max-flow of every pair, with memoised dead
    ends. No time bound in the worst case; measured: milliseconds for pools of up to 60 children
    in up to three dimensions, at most about a second for pools of up to 150 children in the six
    dimensions of :func:`propose_roster` (use :func:`compose`, which has a budget, on a page).
    """
    problem = _Problem(candidates, settings)
    used = problem.initial_used()
    if any(count > cap for count, cap in zip(used, problem.cell_caps, strict=True)):
        return False
    try:
        return problem.completion(0, problem.room, used, budget=None) is not None
    except _TooDeep as error:
        raise ValueError(
            f"more than {_MAX_DEPTH} distinct kinds of candidates: too many for an exact check"
        ) from error


def check_roster(
    candidates: Iterable[Candidate], settings: ComposerSettings, roster: Iterable[int]
) -> list[str]:
    """The caps a roster (ids) breaks, as ``cap:<dimension>:<category>`` / ``referred_share``.

    Caps are those of :func:`compose` for the same candidates and settings (N from the pool);
    use it to judge a roster the facilitator edited.
    """
    problem = _Problem(candidates, settings)
    used = [0] * len(problem.cell_caps)
    for child_id in roster:
        if child_id not in problem.by_id:
            raise ValueError(f"{child_id} is not a candidate")
        for cell in problem.cells_of[child_id]:
            used[cell] += 1
    return [
        problem.cell_codes[cell]
        for cell, (count, cap) in enumerate(zip(used, problem.cell_caps, strict=True))
        if count > cap
    ]


class _Exhausted(Exception):
    """The search ran out of budget."""


class _TooDeep(_Exhausted):
    """The search would go deeper than Python's recursion limit allows."""


def _spend(budget: list[int] | None) -> None:
    """Count one step of the search (``None``: unlimited)."""
    if budget is not None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Exhausted


class _Problem:
    """Candidates in waiting order and the caps as "cells": one per (dimension, category), and
    one for referred children. A child occupies at most one cell per dimension."""

    def __init__(self, candidates: Iterable[Candidate], settings: ComposerSettings) -> None:
        ordered = sorted(candidates, key=lambda c: (c.order, c.id))
        ids = [c.id for c in ordered]
        if len(set(ids)) != len(ids):
            raise ValueError("candidate ids must be unique")
        self.settings = settings
        self.candidates = ordered
        self.by_id = {c.id: c for c in ordered}
        self.kept = [c for c in ordered if c.keep]
        self.free = [c for c in ordered if not c.keep]
        self.size = min(settings.capacity, len(ordered))
        self.cap = cap_for(settings.max_share, self.size)
        self.referred_cap = cap_for(settings.referred_share, self.size)
        # Free places for children who are not kept.
        self.room = max(0, self.size - len(self.kept))

        cells: dict[tuple[str, str], int] = {}
        self.cell_codes: list[str] = []
        self.cell_caps: list[int] = []
        self.cell_group: list[int] = []  # dimension index; len(dimensions) for referred
        self.cells_of: dict[int, tuple[int, ...]] = {}
        for c in ordered:
            own = []
            for index, dimension in enumerate(settings.dimensions):
                value = category(c.attributes.get(dimension))
                if value is None:
                    continue
                key = (dimension, value)
                if key not in cells:
                    cells[key] = len(self.cell_codes)
                    self.cell_codes.append(f"cap:{dimension}:{value}")
                    self.cell_caps.append(self.cap)
                    self.cell_group.append(index)
                own.append(cells[key])
            self.cells_of[c.id] = tuple(own)
        self.referred_cell = len(self.cell_codes)
        self.cell_codes.append(REFERRED_SHARE)
        self.cell_caps.append(self.referred_cap)
        self.cell_group.append(len(settings.dimensions))
        for c in ordered:
            if c.referred:
                self.cells_of[c.id] = (*self.cells_of[c.id], self.referred_cell)
        self.groups = len(settings.dimensions) + 1
        self._suffix: list[list[int]] | None = None
        self._suffix_uncapped: list[list[int]] | None = None

    # ------------------------------------------------------------------ building rosters

    def initial_used(self) -> list[int]:
        used = [0] * len(self.cell_caps)
        for c in self.kept:
            for cell in self.cells_of[c.id]:
                used[cell] += 1
        return used

    def fits(self, child: Candidate, used: list[int]) -> bool:
        return all(used[cell] < self.cell_caps[cell] for cell in self.cells_of[child.id])

    def greedy(self, used: list[int]) -> list[Candidate]:
        """Free candidates in waiting order, each added if there is room and it keeps the caps."""
        return self._greedy(self.free, used, self.room)

    def best(self, chosen_count: int, budget: int) -> tuple[list[Candidate] | None, bool]:
        """The first roster in waiting order of the largest size above ``chosen_count``.

        Returns ``(roster, exhaustive)``: ``(None, True)`` when no larger roster exists;
        ``(None, False)`` when the budget ran out before a larger one was found; a roster and
        ``False`` when it ran out while ordering: the roster is then as large as possible but
        may not follow waiting order exactly.
        """
        used = self.initial_used()
        steps = [budget]
        try:
            upper = min(self.room, self._bound(0, used))
            for target in range(upper, chosen_count, -1):
                witness = self.completion(0, target, used, steps)
                if witness is not None:
                    break
            else:
                return None, True
        except _Exhausted:
            return None, False
        return self.first_in_order(target, used, witness, steps)

    def first_in_order(
        self, target: int, used: list[int], witness: list[Candidate], steps: list[int]
    ) -> tuple[list[Candidate], bool]:
        """The first roster of ``target`` free children in waiting order.

        ``witness`` is some roster of ``target``. Children are decided one by one in waiting
        order: placed when a roster of ``target`` can still be completed with them, else skipped.
        The witness is kept as a completion of the decisions so far: a child in it is placed
        without a search, a child who can replace a later witness member is swapped in, and only
        the others need :meth:`completion` (which yields a new witness when it succeeds). If the
        budget runs out, the decisions so far plus the current witness are returned.
        """
        counts = list(used)
        chosen: list[Candidate] = []
        ahead = {child.id for child in witness}  # the completion: all after the current child
        need = target
        try:
            for position, child in enumerate(self.free):
                if need == 0:
                    break
                if child.id in ahead:
                    ahead.discard(child.id)
                else:
                    if not self.fits(child, counts):
                        continue
                    new_ahead = self._swap_in(child, position, counts, ahead)
                    if new_ahead is None:
                        cells = self.cells_of[child.id]
                        for cell in cells:
                            counts[cell] += 1
                        found = self.completion(position + 1, need - 1, counts, steps)
                        for cell in cells:
                            counts[cell] -= 1
                        if found is None:
                            continue
                        new_ahead = {c.id for c in found}
                    ahead = new_ahead
                chosen.append(child)
                need -= 1
                for cell in self.cells_of[child.id]:
                    counts[cell] += 1
        except _Exhausted:
            return chosen + [c for c in self.free if c.id in ahead], False
        if need:  # pragma: no cover - guarded by the invariant above
            raise AssertionError("the search lost a roster it had found")
        return chosen, True

    def _swap_in(
        self, child: Candidate, position: int, counts: list[int], ahead: set[int]
    ) -> set[int] | None:
        """The witness with ``child`` in place of one member, if the caps allow (latest first)."""
        if not ahead:
            return None
        totals = list(counts)
        for member_id in ahead:
            for cell in self.cells_of[member_id]:
                totals[cell] += 1
        for cell in self.cells_of[child.id]:
            totals[cell] += 1
        over = [cell for cell in self.cells_of[child.id] if totals[cell] > self.cell_caps[cell]]
        for member in reversed(self.free[position + 1 :]):
            if member.id in ahead and all(cell in self.cells_of[member.id] for cell in over):
                return ahead - {member.id}
        return None

    def completion(
        self, position: int, need: int, used: list[int], budget: list[int] | None
    ) -> list[Candidate] | None:
        """``need`` more of the free candidates from ``position`` on that keep the caps, or None.

        Cheap answers first (too few left, the counting bound, greedy); otherwise an exact
        depth-first search over the candidates' *types* (the set of cells they occupy;
        children of one type are interchangeable), choosing how many of each type to take, most
        first. It prunes with the counting bound and with the exact maximum for every pair of
        constrained groups (a small max-flow), which is the exact answer when at most two groups
        are constrained; dead ends are memoised. ``budget`` is a one-element list of remaining
        steps (``None``: unlimited); raises ``_Exhausted``.
        """
        if need <= 0:
            return []
        if len(self.free) - position < need or self._bound(position, used) < need:
            return None
        best: list[Candidate] = []
        for taken in (
            self._greedy(self.free[position:], used, need),
            self._greedy(self._by_pressure(position, used, need), used, need),
            self._critical_greedy(position, used, need),
        ):
            if len(taken) >= need:
                return sorted(taken, key=lambda c: (c.order, c.id))
            if len(taken) > len(best):
                best = taken
        if need <= 2:
            # Greedy is maximal: one child short of 1 means nobody fits; pairs are few enough
            # to try them all.
            return self._pair(position, used) if need == 2 and best else None
        taken = self._augment(position, used, best, need)
        if len(taken) >= need:
            return sorted(taken, key=lambda c: (c.order, c.id))
        return self._type_search(position, need, used, budget)

    def _critical_greedy(self, position: int, used: list[int], need: int) -> list[Candidate]:
        """Pick one child at a time, the most critical first, recomputing after each pick.

        A group's slack is its bound (:meth:`_group_totals`) minus the children still needed; a
        child is scarce in a group when not stated there or when their cell there has no more
        children left than room. Criticality is Σ 1 / (slack + 1) over the groups the child is
        scarce in (passing over such a child lowers that slack); ties by the pressure of
        :meth:`_by_pressure`, then waiting order.
        """
        counts = list(used)
        remaining = [c for c in self.free[position:] if self.fits(c, counts)]
        chosen: list[Candidate] = []
        while len(chosen) < need and remaining:
            available = Counter(cell for c in remaining for cell in self.cells_of[c.id])
            totals = [0] * self.groups
            for c in remaining:
                stated = {self.cell_group[cell] for cell in self.cells_of[c.id]}
                for group in range(self.groups):
                    if group not in stated:
                        totals[group] += 1
            for cell, count in available.items():
                totals[self.cell_group[cell]] += min(count, self.cell_caps[cell] - counts[cell])
            short = need - len(chosen)
            if min(totals) < short:
                break

            slack = [total - short for total in totals]
            pick = min(remaining, key=lambda c: self._criticality(c, counts, available, slack))
            chosen.append(pick)
            for cell in self.cells_of[pick.id]:
                counts[cell] += 1
            remaining = [c for c in remaining if c.id != pick.id and self.fits(c, counts)]
        return chosen

    def _critical_order(self, position: int, used: list[int], need: int) -> list[Candidate]:
        """The free candidates from ``position`` on by :meth:`_criticality` at the start."""
        remaining = self.free[position:]
        available = Counter(cell for c in remaining for cell in self.cells_of[c.id])
        totals = self._group_totals(position, used)
        slack = [max(0, total - need) for total in totals]
        return sorted(remaining, key=lambda c: self._criticality(c, used, available, slack))

    def _criticality(
        self,
        child: Candidate,
        counts: list[int],
        available: Mapping[int, int],
        slack: list[int],
    ) -> tuple[Fraction, Fraction, int, int]:
        cells = {self.cell_group[cell]: cell for cell in self.cells_of[child.id]}
        critical = Fraction(0)
        pressure = Fraction(0)
        for group in range(self.groups):
            cell = cells.get(group)
            if cell is None:
                critical += Fraction(1, slack[group] + 1)
                continue
            room = self.cell_caps[cell] - counts[cell]
            if available[cell] <= room:
                critical += Fraction(1, slack[group] + 1)
            pressure = max(pressure, Fraction(available[cell], room) if room > 0 else _FULL)
        return (-critical, pressure, child.order, child.id)

    def _pair(self, position: int, used: list[int]) -> list[Candidate] | None:
        """The first two free candidates from ``position`` on that fit together, if any."""
        rest = self.free[position:]
        counts = list(used)
        for index, first in enumerate(rest):
            if not self.fits(first, counts):
                continue
            for cell in self.cells_of[first.id]:
                counts[cell] += 1
            second = next((c for c in rest[index + 1 :] if self.fits(c, counts)), None)
            for cell in self.cells_of[first.id]:
                counts[cell] -= 1
            if second is not None:
                return [first, second]
        return None

    def _augment(
        self, position: int, used: list[int], start: list[Candidate], need: int
    ) -> list[Candidate]:
        """Grow a cap-respecting set by swaps: take one child out (latest first) if two others
        (first-fit in waiting order) can then come in. A heuristic: it finds most rosters the
        greedy orders miss, and the exact search settles the rest."""
        chosen = list(start)
        counts = list(used)
        for child in chosen:
            for cell in self.cells_of[child.id]:
                counts[cell] += 1
        improved = True
        while len(chosen) < need and improved:
            improved = False
            inside = {child.id for child in chosen}
            outside = [child for child in self.free[position:] if child.id not in inside]
            for out in sorted(chosen, key=lambda c: (c.order, c.id), reverse=True):
                for cell in self.cells_of[out.id]:
                    counts[cell] -= 1
                added = self._greedy(outside, counts, 2)
                if len(added) == 2:
                    chosen = [child for child in chosen if child.id != out.id] + added
                    for child in added:
                        for cell in self.cells_of[child.id]:
                            counts[cell] += 1
                    improved = True
                    break
                for cell in self.cells_of[out.id]:
                    counts[cell] += 1
        return chosen

    def _by_pressure(self, position: int, used: list[int], need: int) -> list[Candidate]:
        """The free candidates from ``position`` on, least contested first.

        First those every roster of ``need`` must contain (a group whose bound is exactly
        ``need`` needs all its children who are not stated in it, and all of each cell with no
        more children than room); then by the largest ratio, over their cells, of the children
        still available in the cell to the room the cap leaves; ties in waiting order.
        """
        suffix, _ = self._suffixes()
        row = suffix[position]
        totals = self._group_totals(position, used)
        tight = {group for group, total in enumerate(totals) if total == need}

        def forced(child: Candidate) -> bool:
            cells = {self.cell_group[cell]: cell for cell in self.cells_of[child.id]}
            for group in tight:
                cell = cells.get(group)
                if cell is None or row[cell] <= self.cell_caps[cell] - used[cell]:
                    return True
            return False

        def pressure(child: Candidate) -> Fraction:
            worst = Fraction(0)
            for cell in self.cells_of[child.id]:
                room = self.cell_caps[cell] - used[cell]
                ratio = Fraction(row[cell], room) if room > 0 else _FULL
                worst = max(worst, ratio)
            return worst

        return sorted(
            self.free[position:], key=lambda c: (not forced(c), pressure(c), c.order, c.id)
        )

    def _greedy(self, order: Iterable[Candidate], used: list[int], need: int) -> list[Candidate]:
        """First fit: children in the given order, each taken if the caps allow, up to need."""
        counts = list(used)
        taken: list[Candidate] = []
        for child in order:
            if len(taken) >= need:
                break
            if self.fits(child, counts):
                taken.append(child)
                for cell in self.cells_of[child.id]:
                    counts[cell] += 1
        return taken

    def _type_search(
        self, position: int, need: int, used: list[int], budget: list[int] | None
    ) -> list[Candidate] | None:
        available = Counter(self.cells_of[child.id] for child in self.free[position:])
        # Types in the order of their first child in the critical order (most critical first).
        rank: dict[tuple[int, ...], int] = {}
        for index, child in enumerate(self._critical_order(position, used, need)):
            rank.setdefault(self.cells_of[child.id], index)
        types = sorted(available, key=lambda cells: rank.get(cells, len(rank)))
        count_of = [available[cells] for cells in types]
        n_types, n_cells = len(types), len(self.cell_caps)
        # From type j on: children per cell, children with no cell per group, cells touched.
        cell_suffix = [[0] * n_cells for _ in range(n_types + 1)]
        free_suffix = [[0] * self.groups for _ in range(n_types + 1)]
        touched: list[tuple[int, ...]] = [()] * (n_types + 1)
        for j in range(n_types - 1, -1, -1):
            row, free_row = list(cell_suffix[j + 1]), list(free_suffix[j + 1])
            occupied = {self.cell_group[cell] for cell in types[j]}
            for cell in types[j]:
                row[cell] += count_of[j]
            for group in range(self.groups):
                if group not in occupied:
                    free_row[group] += count_of[j]
            cell_suffix[j], free_suffix[j] = row, free_row
            touched[j] = tuple(sorted(set(touched[j + 1]) | set(types[j])))
        active_groups = [
            tuple(sorted({self.cell_group[cell] for cell in touched[j]}))
            for j in range(n_types + 1)
        ]
        counts = list(used)
        caps = self.cell_caps
        dead: set[tuple[int, int, tuple[int, ...]]] = set()

        def group_totals(j: int) -> list[int]:
            totals = list(free_suffix[j])
            row = cell_suffix[j]
            for cell in touched[j]:
                totals[self.cell_group[cell]] += min(row[cell], max(0, caps[cell] - counts[cell]))
            return totals

        def least_take(j: int, need: int, totals: list[int]) -> int:
            """All of type j when some group's bound is exactly ``need`` and reaching it needs
            every child of type j: they are not stated in that group, or their cell there has
            no more children than room."""
            for group, total in enumerate(totals):
                if total != need:
                    continue
                cell = next((c for c in types[j] if self.cell_group[c] == group), None)
                if cell is None or cell_suffix[j][cell] <= caps[cell] - counts[cell]:
                    return count_of[j]
            return 0

        group_cells = []  # per type: its cell in each group, -1 when not stated there
        for cells in types:
            row = [-1] * self.groups
            for cell in cells:
                row[self.cell_group[cell]] = cell
            group_cells.append(row)
        pair_suffixes: dict[tuple[int, int], list[Counter[tuple[int, int]]]] = {}
        pair_cache: dict[tuple[int, ...], int] = {}

        def end(t: int, group: int) -> int:
            return group_cells[t][group] if group >= 0 else -1

        def pair_edges(j: int, first: int, second: int) -> list[tuple[int, int]]:
            return [(end(t, first), end(t, second)) for t in range(j, n_types)]

        def room(cell: int) -> int:
            return max(0, caps[cell] - counts[cell])

        def pair_bound(j: int, first: int, second: int, need: int) -> int:
            """Most children (up to need) from type j on within the caps of two groups."""
            if (first, second) not in pair_suffixes:
                suffixes = [Counter() for _ in range(n_types + 1)]
                for t in range(n_types - 1, -1, -1):
                    suffixes[t] = suffixes[t + 1].copy()
                    suffixes[t][group_cells[t][first], group_cells[t][second]] += count_of[t]
                pair_suffixes[first, second] = suffixes
            edges = pair_suffixes[first, second][j]
            key = (
                j,
                first,
                second,
                need,
                *(counts[cell] for left, right in edges for cell in (left, right) if cell >= 0),
            )
            if key not in pair_cache:
                _spend(budget)
                pair_cache[key] = _transport_flow(edges, room, limit=need)[0]
            return pair_cache[key]

        def pair_solution(j: int, first: int, second: int, need: int) -> list[int] | None:
            """How many of each type from j on, when only these two groups have caps left."""
            ends_of = pair_edges(j, first, second)
            edges = {ends: count_of[t] for t, ends in enumerate(ends_of, start=j)}
            if len(edges) != len(ends_of):  # pragma: no cover - types differ in these groups
                raise AssertionError("two types share both cells")
            value, flows = _transport_flow(edges, room, limit=need)
            return [flows.get(ends, 0) for ends in ends_of] if value >= need else None

        def visit(j: int, need: int) -> bool:
            if need == 0:
                return True
            if j == n_types:
                return False
            key = (j, need, tuple(counts[cell] for cell in touched[j]))
            if key in dead:
                return False
            _spend(budget)
            if j > _MAX_DEPTH:
                raise _TooDeep
            totals = group_totals(j)
            if min(totals) >= need:
                groups = active_groups[j]
                if len(groups) <= 2:
                    # One or two constrained groups: the flow is the exact answer.
                    first, second = (*groups, -2, -2)[:2]
                    flows = pair_solution(j, first, second, need)
                    if flows is not None:
                        taken[j:] = flows
                        return True
                    dead.add(key)
                    return False
                pairs = [
                    (first, second)
                    for index, first in enumerate(groups)
                    for second in groups[index + 1 :]
                    if totals[first] - need <= need // 2 or totals[second] - need <= need // 2
                ]
                # The pair that cut last is tried first.
                pairs.sort(key=lambda pair: pair != last_cut[0])
                for pair in pairs:
                    if pair_bound(j, *pair, need) < need:
                        last_cut[0] = pair
                        break
                else:
                    cells = types[j]
                    most = max(0, min([count_of[j], need, *(room(cell) for cell in cells)]))
                    for take in range(most, least_take(j, need, totals) - 1, -1):
                        for cell in cells:
                            counts[cell] += take
                        taken[j] = take
                        found = visit(j + 1, need - take)
                        for cell in cells:
                            counts[cell] -= take
                        if found:
                            return True
                        taken[j] = 0
            dead.add(key)
            return False

        last_cut: list[tuple[int, int] | None] = [None]
        taken = [0] * n_types
        if not visit(0, need):
            return None
        # The earliest children of each type, as many as the search took.
        wanted = dict(zip(types, taken, strict=True))
        result = []
        for child in self.free[position:]:
            cells = self.cells_of[child.id]
            if wanted[cells] > 0:
                wanted[cells] -= 1
                result.append(child)
        return result

    def _bound(self, position: int, used: list[int]) -> int:
        """An upper bound on how many of the free candidates from ``position`` on can be added:
        the smallest of the per-group bounds (:meth:`_group_totals`)."""
        return min(self._group_totals(position, used))

    def _group_totals(self, position: int, used: list[int]) -> list[int]:
        """Per dimension (and referred): the free candidates from ``position`` on not stated in
        it, plus Σ over its categories of min(available, room left under the cap) — the most
        that dimension's caps let through (exact for that dimension alone)."""
        suffix, uncapped = self._suffixes()
        totals = list(uncapped[position])
        row = suffix[position]
        for cell, available in enumerate(row):
            if available:
                totals[self.cell_group[cell]] += min(
                    available, max(0, self.cell_caps[cell] - used[cell])
                )
        return totals

    def _suffixes(self) -> tuple[list[list[int]], list[list[int]]]:
        """Per position: free candidates from there on per cell, and per dimension those with
        no cell in it (not stated; for the referred "dimension": not referred)."""
        if self._suffix is None or self._suffix_uncapped is None:
            cells = len(self.cell_caps)
            suffix = [[0] * cells for _ in range(len(self.free) + 1)]
            uncapped = [[0] * self.groups for _ in range(len(self.free) + 1)]
            for position in range(len(self.free) - 1, -1, -1):
                row = list(suffix[position + 1])
                free_row = list(uncapped[position + 1])
                own = self.cells_of[self.free[position].id]
                for cell in own:
                    row[cell] += 1
                occupied = {self.cell_group[cell] for cell in own}
                for group in range(self.groups):
                    if group not in occupied:
                        free_row[group] += 1
                suffix[position] = row
                uncapped[position] = free_row
            self._suffix, self._suffix_uncapped = suffix, uncapped
        return self._suffix, self._suffix_uncapped

    # ------------------------------------------------------------------ reporting

    def proposal(self, chosen: list[Candidate], exhaustive: bool) -> Proposal:
        roster = [*self.kept, *chosen]
        used = [0] * len(self.cell_caps)
        for child in roster:
            for cell in self.cells_of[child.id]:
                used[cell] += 1
        kept_used = self.initial_used()
        breaches = [
            self.cell_codes[cell]
            for cell, (count, cap) in enumerate(zip(kept_used, self.cell_caps, strict=True))
            if count > cap
        ]
        placed_ids = {child.id for child in roster}
        full = len(roster) >= self.size
        last = max(((c.order, c.id) for c in chosen), default=None)
        not_placed = []
        for child in self.free:
            if child.id in placed_ids:
                continue
            reason = self._reason(child, used, full, last)
            not_placed.append(Skipped(child.id, reason, self._explanation_args(reason)))
        empty = max(0, self.size - len(roster))
        empty_reasons = (
            sorted({s.reason for s in not_placed if s.reason != CAPACITY_FULL}) if empty else []
        )
        return Proposal(
            placed=[child.id for child in roster],
            not_placed=not_placed,
            before=composition(self.candidates, self.settings.dimensions),
            after=composition(roster, self.settings.dimensions),
            size=self.size,
            cap=self.cap,
            referred_cap=self.referred_cap,
            referred_before=sum(c.referred for c in self.candidates),
            referred_after=sum(c.referred for c in roster),
            empty_places=empty,
            empty_reasons=empty_reasons,
            breaches=breaches,
            exhaustive=exhaustive,
        )

    def _reason(
        self,
        child: Candidate,
        used: list[int],
        full: bool,
        last: tuple[int, int] | None,
    ) -> str:
        if full and (last is None or (child.order, child.id) > last):
            return CAPACITY_FULL
        for cell in self.cells_of[child.id]:
            if used[cell] >= self.cell_caps[cell]:
                return self.cell_codes[cell]
        return CAPACITY_FULL  # not reached when the search is exact (see the module docstring)

    def _explanation_args(self, reason: str) -> dict[str, str | int]:
        return _explanation_args(reason, self.settings, self.size, self.cap, self.referred_cap)


def _explanation_args(
    reason: str, settings: ComposerSettings, size: int, cap: int, referred_cap: int
) -> dict[str, str | int]:
    if reason == CAPACITY_FULL:
        return {"capacity": settings.capacity, "size": size}
    if reason == REFERRED_SHARE:
        return {
            "cap": referred_cap,
            "size": size,
            "percent": round(settings.referred_share * 100),
        }
    _, dimension, value = reason.split(":", 2)
    return {
        "dimension": dimension,
        "category": value,
        "cap": cap,
        "size": size,
        "percent": round(settings.max_share * 100),
    }


def _transport_flow(
    edges: Mapping[tuple[int, int], int], room: Callable[[int], int], limit: int
) -> tuple[int, dict[tuple[int, int], int]]:
    """Max flow source → left cell → right cell → sink, stopping at ``limit``.

    ``edges[(left, right)]`` children sit in cell ``left`` of one group and ``right`` of the
    other (-1: not stated there, no cap); ``room(cell)`` is what the cap still allows. Returns
    the flow and how much of it goes through each edge. Shortest augmenting paths: the graphs
    have a handful of nodes and flows of at most a few dozen.
    """
    source, sink = ("s",), ("t",)
    capacity: dict[object, dict[object, int]] = {source: {}, sink: {}}

    def add(u: object, v: object, amount: int) -> None:
        capacity.setdefault(u, {})
        capacity.setdefault(v, {})
        capacity[u][v] = capacity[u].get(v, 0) + amount
        capacity[v].setdefault(u, 0)

    for (left, right), amount in edges.items():
        if amount <= 0:
            continue
        left_node, right_node = ("l", left), ("r", right)
        if left_node not in capacity:
            add(source, left_node, limit if left == -1 else room(left))
        if right_node not in capacity:
            add(right_node, sink, limit if right == -1 else room(right))
        add(left_node, right_node, amount)
    flow = 0
    while flow < limit:
        parent: dict[object, object] = {source: source}
        queue = [source]
        for node in queue:
            for neighbour, residual in capacity[node].items():
                if residual > 0 and neighbour not in parent:
                    parent[neighbour] = node
                    queue.append(neighbour)
            if sink in parent:
                break
        if sink not in parent:
            break
        path_amount = limit - flow
        node = sink
        while node != source:
            previous = parent[node]
            path_amount = min(path_amount, capacity[previous][node])
            node = previous
        node = sink
        while node != source:
            previous = parent[node]
            capacity[previous][node] -= path_amount
            capacity[node][previous] += path_amount
            node = previous
        flow += path_amount
    used = {
        (left, right): amount - capacity[("l", left)][("r", right)]
        for (left, right), amount in edges.items()
        if amount > 0
    }
    return flow, used


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


# --------------------------------------------------------------------------- several units


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


# =========================================================================== service

MARGINALISED = frozenset({"roma", "egyptian", "ashkali"})
SMALL_CELL = 5
SUPPRESSED_SMALL = "<5"  # a suppressed count below SMALL_CELL (possibly 0)
SUPPRESSED_LARGE = "5+"  # a count of SMALL_CELL or more, suppressed so others can't be derived
REASON_GROUP_FULL = "group_full"
REASON_KEEPS_MIXED = "keeps_group_mixed"

SuppressedComposition = dict[str, dict[str, int | str]]


@dataclass(frozen=True)
class RosterChild:
    """One candidate as a facilitator sees them: nothing about their background."""

    id: int
    given_name: str
    family_name: str
    placed: bool
    reason: str | None  # None when placed; REASON_GROUP_FULL or REASON_KEEPS_MIXED
    beyond_mix: bool = False  # placed in a free place the mix alone would have left empty


@dataclass(frozen=True)
class CommunityFlags:
    """The flags of diversity.md for one set of children, named only for groups of 5 or more."""

    ghetto_risk: bool
    ghetto_group: str | None
    single_group: bool
    risk_band: bool
    risk_groups: list[str]


@dataclass(frozen=True)
class RosterProposal:
    group_id: int
    capacity: int
    max_share: float
    size: int  # the roster size aimed for
    cap: int  # the most children of one category
    placed_ids: list[int]  # the proposed roster, to accept or edit
    children: list[RosterChild]  # placed (roster order), then not placed (waiting order)
    empty_places: int
    empty_reason: str | None  # REASON_KEEPS_MIXED when places stay empty
    filled_beyond_mix: int  # free places given to children the share limit would keep out
    # Per dimension, category -> count, or SUPPRESSED_SMALL / SUPPRESSED_LARGE; an empty mapping
    # for a dimension means it is withheld whole. "before" is every candidate, "after" the roster.
    before: SuppressedComposition
    after: SuppressedComposition
    flags: dict[str, CommunityFlags]  # "before" and "after", community dimension
    exhaustive: bool


def age_band(birth_date: date, today: date) -> str:
    """7–10, 11–14 or 15–18 (younger children count as 7–10, older as 15–18)."""
    age = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        age -= 1
    if age <= 10:
        return "7-10"
    if age <= 14:
        return "11-14"
    return "15-18"


def propose_roster(
    session: Session,
    user: User,
    group_id: int,
    capacity: int | None = None,
    max_share: float = 0.5,
    *,
    today: date | None = None,
    fill_free_places: bool = True,
) -> RosterProposal:
    """Propose a mixed roster for a group from its current members and its waiting list.

    With ``fill_free_places`` (the default), places that the share limit alone would leave empty
    go to the next children waiting, marked ``beyond_mix``: a child is never kept out of a club
    with free places because of who they are. The page says the pool itself is not mixed enough.

    Candidates: the ACTIVE members (kept: they stay) and the WAITING enrolments in queue order
    (``queued_at``, then enrolment id). A child counts as referred when a centre for social work
    enrolled them (``source = csw``) or follows them (an open at-risk record). Dimensions: see
    :data:`DEFAULT_DIMENSIONS`; unknown SES band, unspecified gender, empty residence area and
    no school count as not stated.

    Only administrators and the facilitators who lead the group may ask. The result never
    carries an individual's community or referral: each child has only id, names, placed or not
    and a neutral reason; compositions are aggregates with small cells suppressed
    (:func:`_suppress`), flags name a group only when it has 5 or more children. Reading the
    special-category data for the proposal is written to the audit log (caller commits).
    """
    _require_group_manager(session, user, group_id)
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(_("This group does not exist."))
    capacity = group.capacity if capacity is None else capacity
    try:
        settings = ComposerSettings(capacity=capacity, max_share=max_share)
    except ValueError as error:
        field_name = "capacity" if "capacity" in str(error) else "max_share"
        raise ValidationError(
            _("Capacity must be zero or more and the share between 0 and 1."), field=field_name
        ) from error
    today = today or local_today()

    rows = session.execute(
        select(Enrolment, Child, Organisation.name)
        .join(Child, Child.id == Enrolment.child_id)
        .outerjoin(Organisation, Organisation.id == Child.school_id)
        .where(
            Enrolment.group_id == group.id,
            Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.WAITING)),
            exclude_erased(),
        )
    ).all()
    rows.sort(
        key=lambda row: (
            row[0].status != EnrolmentStatus.ACTIVE,
            row[0].queued_at,
            row[0].id,
        )
    )
    child_ids = [child.id for _enrolment, child, _school in rows]
    followed = (
        set(
            session.scalars(
                select(RiskRecord.child_id).where(
                    RiskRecord.child_id.in_(child_ids), RiskRecord.closed_on.is_(None)
                )
            )
        )
        if child_ids
        else set()
    )
    candidates = [
        Candidate(
            id=child.id,
            order=position,
            attributes=_attributes(child, school_name, today),
            referred=enrolment.source == EnrolmentSource.CSW or child.id in followed,
            keep=enrolment.status == EnrolmentStatus.ACTIVE,
        )
        for position, (enrolment, child, school_name) in enumerate(rows)
    ]
    proposal = compose(candidates, settings)
    filled = _fill_free_places(proposal, candidates, settings) if fill_free_places else []
    if filled:
        proposal = _with_filled(proposal, candidates, settings, filled)
    audit.record(
        session,
        user,
        AuditAction.READ_SPECIAL,
        "group",
        group.id,
        purpose="roster_proposal",
        fields=["community", "referral"],
        children=len(candidates),
    )

    children = {child.id: child for _enrolment, child, _school in rows}
    entries = [
        RosterChild(
            child_id,
            children[child_id].given_name,
            children[child_id].family_name,
            True,
            None,
            beyond_mix=child_id in filled,
        )
        for child_id in proposal.placed
    ]
    entries += [
        RosterChild(
            skipped.id,
            children[skipped.id].given_name,
            children[skipped.id].family_name,
            False,
            REASON_GROUP_FULL if skipped.reason == CAPACITY_FULL else REASON_KEEPS_MIXED,
        )
        for skipped in proposal.not_placed
    ]
    before, after = _suppress(proposal.before, proposal.after)
    return RosterProposal(
        group_id=group.id,
        capacity=capacity,
        max_share=max_share,
        size=proposal.size,
        cap=proposal.cap,
        placed_ids=list(proposal.placed),
        children=entries,
        empty_places=proposal.empty_places,
        empty_reason=REASON_KEEPS_MIXED if proposal.empty_places else None,
        filled_beyond_mix=len(filled),
        before=before,
        after=after,
        flags=_community_flags(session, group, candidates, proposal),
        exhaustive=proposal.exhaustive,
    )


def _fill_free_places(
    proposal: Proposal, candidates: list[Candidate], settings: ComposerSettings
) -> list[int]:
    """The waiting children, in order, who take the places the share limit left empty."""
    if not proposal.empty_places:
        return []
    waiting = [skipped.id for skipped in proposal.not_placed if skipped.reason != CAPACITY_FULL]
    return waiting[: proposal.empty_places]


def _with_filled(
    proposal: Proposal, candidates: list[Candidate], settings: ComposerSettings, filled: list[int]
) -> Proposal:
    by_id = {candidate.id: candidate for candidate in candidates}
    placed = [*proposal.placed, *filled]
    taken = set(filled)
    return replace(
        proposal,
        placed=placed,
        not_placed=[skipped for skipped in proposal.not_placed if skipped.id not in taken],
        after=composition([by_id[child_id] for child_id in placed], settings.dimensions),
        referred_after=sum(by_id[child_id].referred for child_id in placed),
        empty_places=proposal.empty_places - len(filled),
    )


def _require_group_manager(session: Session, user: User, group_id: int) -> None:
    """Administrators, and facilitators who lead the group (checked on GroupLeader itself)."""
    if user.active and user.role == Role.ADMINISTRATOR:
        return
    if (
        user.active
        and user.role == Role.FACILITATOR
        and session.scalar(
            select(exists().where(GroupLeader.group_id == group_id, GroupLeader.user_id == user.id))
        )
    ):
        return
    raise PermissionDenied(_("You do not have permission to do this."))


def _attributes(child: Child, school_name: str | None, today: date) -> dict[str, str | None]:
    community = child.community
    ses = child.socio_economic_band
    gender = child.gender
    area = " ".join((child.residence_area or "").split())
    return {
        "community": None
        if community is None or community == Community.PREFER_NOT_TO_SAY
        else community.value,
        "residence_area": area or None,
        "school": school_name or None,
        "ses_band": None if ses is None or ses == SocioEconomicBand.UNKNOWN else ses.value,
        "gender": None if gender is None or gender == Gender.UNSPECIFIED else gender.value,
        "age_band": age_band(child.birth_date, today),
    }


def _community_flags(
    session: Session, group: Group, candidates: list[Candidate], proposal: Proposal
) -> dict[str, CommunityFlags]:
    """unit_flags on the community counts of the pool ("before") and the roster ("after").

    The comparison pool is every child of the group's municipality with a stated community, plus
    candidates from elsewhere (so every unit is a subset of the pool and the hypergeometric tail
    is exact).
    """
    pool: Counter[str] = Counter()
    for value, count in session.execute(
        select(Child.community, func.count())
        .where(
            Child.municipality_id == group.municipality_id,
            Child.community.is_not(None),
            Child.community != Community.PREFER_NOT_TO_SAY,
        )
        .group_by(Child.community)
    ):
        pool[Community(value).value] += count
    outside_ids = set(
        session.scalars(
            select(Child.id).where(
                Child.id.in_([c.id for c in candidates]),
                Child.municipality_id != group.municipality_id,
            )
        )
    )
    for candidate in candidates:
        value = category(candidate.attributes.get("community"))
        if candidate.id in outside_ids and value is not None:
            pool[value] += 1

    units = {
        name: {k: n for k, n in counts.get("community", {}).items() if k != NOT_STATED}
        for name, counts in (("before", proposal.before), ("after", proposal.after))
    }
    pool_size = sum(pool.values())
    if pool_size == 0:
        return {name: CommunityFlags(False, None, False, False, []) for name in units}
    raw = unit_flags(units, dict(pool), MARGINALISED, pool_size=pool_size)
    return {name: _safe_flags(raw[name], units[name]) for name in units}


def _safe_flags(flags: UnitFlags, counts: Mapping[str, int]) -> CommunityFlags:
    """Keep a flag only when the children it is about number at least SMALL_CELL."""
    risk_groups = [g for g in flags["risk_groups"] if counts.get(g, 0) >= SMALL_CELL]
    ghetto_group = flags["ghetto_group"]
    ghetto = (
        flags["ghetto_risk"]
        and ghetto_group is not None
        and counts.get(ghetto_group, 0) >= SMALL_CELL
    )
    return CommunityFlags(
        ghetto_risk=ghetto,
        ghetto_group=ghetto_group if ghetto else None,
        single_group=flags["single_group"] and flags["size"] >= SMALL_CELL,
        risk_band=bool(risk_groups),
        risk_groups=risk_groups,
    )


def _suppress(
    before: Composition, after: Composition
) -> tuple[SuppressedComposition, SuppressedComposition]:
    """Suppress small cells in the pool and roster compositions, jointly.

    The facilitator knows both totals and, by name, who was not placed, so a category is
    suppressed in both tables when any of its pool count, roster count or not-placed count
    (pool − roster) is between 1 and 4. If that leaves exactly one suppressed category, the
    smallest other one is suppressed too, so none can be recovered by subtraction; a dimension
    with a single category that needs suppressing is withheld whole (empty mapping). Every
    category of the pool is listed in both tables (a suppressed 0 shows as ``<5``).
    Suppressed cells show ``<5`` (below 5) or ``5+`` (5 or more).
    """
    shown_before: SuppressedComposition = {}
    shown_after: SuppressedComposition = {}
    for dimension, pool_counts in before.items():
        roster_counts = after.get(dimension, {})
        categories = sorted(pool_counts)

        def small(value: int) -> bool:
            return 0 < value < SMALL_CELL

        hidden = {
            k
            for k in categories
            if small(pool_counts[k])
            or small(roster_counts.get(k, 0))
            or small(pool_counts[k] - roster_counts.get(k, 0))
        }
        if len(hidden) == 1 and len(categories) > 1:
            hidden.add(
                min(
                    (k for k in categories if k not in hidden),
                    key=lambda k: (roster_counts.get(k, 0), pool_counts[k], k),
                )
            )
        if hidden and len(categories) == 1:
            shown_before[dimension], shown_after[dimension] = {}, {}
            continue

        def show(value: int, suppressed: bool) -> int | str:
            if not suppressed:
                return value
            return SUPPRESSED_SMALL if value < SMALL_CELL else SUPPRESSED_LARGE

        shown_before[dimension] = {k: show(pool_counts[k], k in hidden) for k in categories}
        shown_after[dimension] = {k: show(roster_counts.get(k, 0), k in hidden) for k in categories}
    return shown_before, shown_after
