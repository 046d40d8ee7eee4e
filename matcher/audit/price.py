"""The price of fairness (C13): the assignment solved exactly at each priority weight.

One implementation for everyone who asks: ``matcher policy-curve`` and ``matcher match
--policy-curve`` (through :func:`matcher.match`, which keeps the caseworker's overrides), and
the audit's C13 (on the engine's or a caseworker's pool of pairs). Each weight ``W`` maximises
the priority policy's objective, ``fit + W * priority`` on the allowed pairs
(:func:`matcher.policy.objective`), exactly (:func:`matcher.assign.solve`), and reports the
total *fit* of that assignment, so the fit given up is read against the weight-0 optimum.

The curve is solved on the fit restricted once by the overrides
(:func:`matcher.policy.restrict`): the objective only changes the values of stored pairs and
the restriction only removes pairs, so restricting the objective at each weight, as the match
itself does, gives the same problem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.assign import solve
from matcher.policy import Restricted, objective

__all__ = ["CurvePoint", "price_curve", "rates_by_group"]


@dataclass(frozen=True, eq=False)
class CurvePoint:
    """One weight of the curve: the exact optimum of ``fit + weight * priority``.

    ``total_fit`` is the total fit of that assignment, ``objective_total`` what it maximised;
    ``role_of_seeker`` the assignment (-1 unmatched), locks included.
    """

    weight: float
    total_fit: float
    objective_total: float
    role_of_seeker: np.ndarray

    @property
    def matched(self) -> int:
        return int((self.role_of_seeker >= 0).sum())


def _total(values: sp.csr_array, role_of_seeker: np.ndarray) -> float:
    rows = np.flatnonzero(role_of_seeker >= 0)
    if rows.size == 0:
        return 0.0
    return math.fsum(np.asarray(values[rows, role_of_seeker[rows]]).ravel().tolist())


def price_curve(
    fit: sp.csr_array,
    slots: np.ndarray,
    priority: np.ndarray,
    weights: Sequence[float],
    *,
    restricted: Restricted | None = None,
    solver: str = "auto",
) -> list[CurvePoint]:
    """Solve ``fit + w * priority`` exactly for each distinct ``w`` of ``weights``, ascending.

    Parameters
    ----------
    fit : scipy.sparse CSR, seekers x roles
        The allowed pairs with their fit.
    slots : int array
        Places per role.
    priority : float array
        Each seeker's distance from work in [0, 1] (:func:`matcher.policy.priority`).
    weights : floats
        The priority weights ``W`` (units of fit).
    restricted : Restricted, optional
        The overrides applied to ``fit`` (:func:`matcher.policy.restrict`); they hold at
        every weight.
    solver : {'auto', 'dense', 'sparse'}
        Passed to :func:`matcher.assign.solve`.
    """
    fit = sp.csr_array(fit)
    plan = restricted if restricted is not None else Restricted(
        fit, np.asarray(slots, dtype=np.int64), np.full(fit.shape[0], -1, dtype=np.int64))
    priority = np.asarray(priority, dtype=np.float64)
    out = []
    for w in sorted({float(w) for w in weights}):
        target = objective(plan.candidates, priority, w)
        role = plan.combine(solve(target, plan.slots, solver).role_of_seeker)  # type: ignore[arg-type]
        total = _total(fit, role)
        bonus = math.fsum((w * priority[role >= 0]).tolist())
        out.append(CurvePoint(weight=w, total_fit=total, objective_total=total + bonus,
                              role_of_seeker=role))
    return out


def rates_by_group(role_of_seeker: np.ndarray, groups: Mapping[str, np.ndarray]
                   ) -> dict[str, float]:
    """The share of each group (seeker indices) with a place, in the groups' order."""
    matched = np.asarray(role_of_seeker) >= 0
    return {label: float(matched[idx].mean()) for label, idx in groups.items() if len(idx)}
