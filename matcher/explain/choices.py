"""What the policy and the caseworker decided, as the reasons need it.

The solver maximised an objective (the fit, or fit plus a priority bonus under the priority
policy) on a restricted problem (forbidden pairs and locked seekers removed, see
:func:`matcher.policy.restrict`). A reason must not offer a role that was ruled out by hand,
must say when a place was locked by hand and what the lock cost, and must price a missed place
in fit, the unit the caseworker reads, even when the solver weighed priority too.

Pricing a missed place
----------------------
Giving unmatched seeker ``i`` a place in role ``j`` lowers the best objective by exactly
``v[j] - objective(i, j)``, ``v`` being the role prices (freeing costs) of the solved problem
(:func:`matcher.assign.dual_prices`). The new optimum frees a place in ``j`` along a chain of
moves: a holder of ``j`` moves to another role, whose holder moves on, ... until a place is
free or one seeker ``k`` is left without a place. Everyone else in the chain keeps a place, so
the priority bonus changes by ``bonus[i] - bonus[k]`` and the *fit* falls by
``v[j] - fit(i, j) - bonus[k]`` (``bonus[k] = 0`` when nobody loses a place). The chain is
found by following tight arcs (``objective(h, j) - objective(h, j') + v[j'] = v[j]``) from
``j``: every arc of a shortest path is tight, and the prices are shortest-path distances.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

__all__ = ["Choices", "LockCost"]

#: prices and objective values are sums of a few floats: equal within this
_TIGHT = 1e-9
#: marks a chain that could not be followed (never expected; then only the objective is priced)
_UNKNOWN = -2


@dataclass(frozen=True)
class LockCost:
    """What one lock cost: the optimum without it minus the optimum with it.

    ``fit`` in total fit; ``objective`` in fit plus priority, given only under the priority
    policy (where it differs from ``fit``; ``fit`` may then be negative: the lock raised the
    total fit but gave a place to someone nearer to work).
    """

    fit: float
    objective: float | None = None


@dataclass(frozen=True, eq=False)
class Choices:
    """The policy and the overrides of one batch.

    ``objective``: the restricted problem the solver maximised (seekers x roles, stored entries
    the allowed pairs with their objective values; locked seekers' rows and forbidden pairs
    removed). ``bonus``: ``W * priority`` per seeker under the priority policy, ``None`` under
    the fit policy. ``forbidden``: the (seeker, role) index pairs ruled out by hand.
    ``locked``: seeker index -> what their lock cost.
    """

    objective: sp.csr_array | None = None
    bonus: np.ndarray | None = None
    forbidden: frozenset[tuple[int, int]] = frozenset()
    locked: Mapping[int, LockCost] = field(default_factory=dict)

    @property
    def priority(self) -> bool:
        """True under the priority policy (a bonus on top of the fit)."""
        return self.bonus is not None and bool(np.any(self.bonus != 0))

    def fit_loss(self, i: int, j: int, fit: float, freeing_cost: np.ndarray,
                 role_of_seeker: np.ndarray) -> tuple[float, float | None]:
        """What giving unmatched seeker ``i`` a place in ``j`` costs: ``(fit, objective)``.

        ``objective`` is ``None`` under the fit policy (it equals ``fit``); ``fit`` is NaN when
        the chain could not be followed.
        """
        v = float(freeing_cost[j])
        if not self.priority or self.objective is None:
            return v - fit, None
        bonus = np.asarray(self.bonus, dtype=np.float64)
        objective = v - fit - float(bonus[i])
        k = self._displaced(j, freeing_cost, role_of_seeker)
        if k == _UNKNOWN:
            return float("nan"), objective
        return v - fit - (float(bonus[k]) if k >= 0 else 0.0), objective

    @cached_property
    def _chain_end(self) -> dict[int, int]:
        return {}

    @cached_property
    def _holders(self) -> dict[int, list[int]]:
        """Role -> the seekers of the solved problem holding one of its places (filled on the
        first chain followed; one assignment per batch)."""
        return {}

    def _displaced(self, j: int, v: np.ndarray, role_of_seeker: np.ndarray) -> int:
        """The seeker left without a place when a place in ``j`` is freed at least cost
        (-1: nobody, a place comes free; ``_UNKNOWN``: no tight chain found)."""
        if not self._holders:
            for h, r in enumerate(np.asarray(role_of_seeker).tolist()):
                if r >= 0:
                    self._holders.setdefault(r, []).append(h)
        if j not in self._chain_end:
            self._chain_end[j] = self._follow(j, v)
        return self._chain_end[j]

    def _follow(self, j: int, v: np.ndarray) -> int:
        """Search the tight arcs from ``j`` (depth first, no recursion: a chain may pass
        through many roles) until a chain ends."""
        stack, seen = [j], {j}
        while stack:
            end, onward = self._step(stack.pop(), v)
            if end != _UNKNOWN:
                return end
            for r in reversed(onward):
                if r not in seen:
                    seen.add(r)
                    stack.append(r)
        return _UNKNOWN

    def _step(self, j: int, v: np.ndarray) -> tuple[int, list[int]]:
        """Where a chain freeing a place in ``j`` ends here (-1: a free place; a seeker: the
        holder who leaves), else ``_UNKNOWN`` and the roles a holder can move on to."""
        obj = self.objective
        assert obj is not None
        if v[j] <= _TIGHT:
            return -1, []
        tol = _TIGHT * max(1.0, abs(float(v[j])))
        onward: list[int] = []
        for h in self._holders.get(j, []):
            lo, hi = obj.indptr[h], obj.indptr[h + 1]
            cols, vals = obj.indices[lo:hi], obj.data[lo:hi]
            here = vals[cols == j]
            if here.size == 0:  # a locked holder: not part of the solved problem
                continue
            own = float(here[0])
            if abs(own - float(v[j])) <= tol:
                return int(h), []  # the holder leaves: they are the one without a place
            onward += [j2 for j2, o2 in zip(cols.tolist(), vals.tolist(), strict=True)
                       if j2 != j and np.isfinite(v[j2])
                       and abs(own - o2 + float(v[j2]) - float(v[j])) <= tol]
        return _UNKNOWN, onward
