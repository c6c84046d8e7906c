"""The roster composer: propose a mixed roster for a session or club from its candidates.

Two layers, in five modules:

* a pure algorithm (no database): the vocabulary and the cap rule (``rules``: :class:`Candidate`,
  :class:`ComposerSettings`), one roster (``search``: :func:`compose`, :func:`feasible`,
  :func:`check_roster`, backed by the exact search in ``exact``) and several units at once
  (``units``: :func:`compose_many`);
* a service (``roster``), :func:`propose_roster`, that loads a group's candidates, runs
  :func:`compose` and returns what a facilitator may see (:class:`RosterProposal`).

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

from parliament_app.groups.composer.roster import (
    MARGINALISED,
    REASON_GROUP_FULL,
    REASON_KEEPS_MIXED,
    SMALL_CELL,
    SUPPRESSED_LARGE,
    SUPPRESSED_SMALL,
    CommunityFlags,
    RosterChild,
    RosterProposal,
    age_band,
    propose_roster,
)
from parliament_app.groups.composer.rules import (
    CAPACITY_FULL,
    DEFAULT_DIMENSIONS,
    MISSING_VALUES,
    NOT_STATED,
    REFERRED_SHARE,
    SEARCH_BUDGET,
    Candidate,
    ComposerSettings,
    Proposal,
    Skipped,
    cap_for,
    category,
    composition,
)
from parliament_app.groups.composer.search import check_roster, compose, feasible
from parliament_app.groups.composer.units import ManyProposal, UnitRoster, compose_many

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
