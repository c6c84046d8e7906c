"""Composing one roster: the greedy pass, then the exact search for the largest roster that
respects the caps, first in waiting order; and checking a roster against the caps."""

from __future__ import annotations

from collections.abc import Iterable

from parliament_app.groups.composer.exact import _Problem, _TooDeep
from parliament_app.groups.composer.rules import (
    _MAX_DEPTH,
    SEARCH_BUDGET,
    Candidate,
    ComposerSettings,
    Proposal,
)


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
