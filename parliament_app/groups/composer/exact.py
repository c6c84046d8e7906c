"""The exact search behind ``compose``: whether a roster of a given size can still be completed
with the children decided so far (greedy heuristics, a depth-first search over types of children,
counting bounds and a max-flow per pair of dimensions), within a step budget.

Not split: ``_Problem`` is one search whose methods share its state and its step budget."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction

from parliament_app.groups.composer.rules import (
    _FULL,
    _MAX_DEPTH,
    CAPACITY_FULL,
    REFERRED_SHARE,
    Candidate,
    ComposerSettings,
    Proposal,
    Skipped,
    cap_for,
    category,
    composition,
)


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
