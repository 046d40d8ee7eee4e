"""Small-cell suppression as a statistics office does it, over every count the audit publishes.

The idea. Every count the audit publishes (tier sizes, selected, not selected, never selected,
no eligible opportunity, group counts, outcome counts, the size of the caseload) is a sum of
the cells of one fine cross-classification of the caseload: tier x group values x status
(no eligible opportunity, eligible and never selected, selected) x outcomes. A reader who adds
and subtracts published counts, or multiplies a published rate by a published n, works inside
that system of linear equations. So the audit keeps a :class:`Ledger`: the fine cells (the
*atoms*, with the structural zeros left out: a person with no eligible opportunity is never
selected) and, for every published count, which atoms it sums.

Suppression then runs in two steps:

1. *Primary*: a count of 1 to ``min_cell - 1`` people is withheld; so is a zero inside a
   withheld count (``0 selected`` of a tier of 3 says something about all 3).
2. *Complementary*: first the rule of two-way tables: while a row or a column (a total and its
   parts, declared with :meth:`Ledger.relate`) has exactly one withheld member, its cheapest
   other member is withheld too (value x weight: the inputs of rates are dearer). Then, for
   each withheld count, an integer program computes the smallest and the largest value it can
   take given everything still published (:func:`bounds`); a quick witness comes first: a
   move of one or two people between cells that keeps every published count and changes the
   withheld one proves it can take two values. If the two bounds are equal, the count
   could be recovered through some chain of tables, and one more count is withheld: among the
   published counts that carry the proof (the equations with a non-zero dual value in the
   linear relaxation), the cheapest that frees it, else the cheapest. Withholding only ever
   widens the feasible set, so a count once protected stays protected, and the loop ends.

What it proves: after :meth:`Ledger.protect`, no withheld count is determined by the published
counts, any combination of them, and non-negativity: each can take at least two integer values
(exact bounds by :func:`scipy.optimize.milp`). Rates, intervals, ratios and tests are published
only where every count they are computed from is published (they are functions of those counts
and add no equation). Statistics that are not functions of counts (standardized mean
differences, regression odds ratios, exposure) carry no count.

``tests/test_audit_disclosure.py`` checks this from the outside: it reads the JSON the audit
writes, turns every published number back into an equation over the true cells, and attacks.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

__all__ = ["Ledger", "TableSuppression", "bounds", "suppress_table"]

Key = tuple[str, str, str]

#: a withheld count is protected when its feasible values span at least this much
PROTECTION = 1.0
#: complements tried one by one (cheapest first) before falling back to the cheapest
TRIES = 3
#: moves of one or two people collected as quick witnesses of protection
MAX_MOVES = 20_000


def bounds(matrix: NDArray[np.float64], values: NDArray[np.float64],
           target: NDArray[np.float64], *, cap: float = 1e9,
           tolerance: float = 1e-6) -> tuple[float, float]:
    """Smallest and largest ``target @ x`` over integer ``x`` in ``[0, cap]`` with
    ``matrix @ x = values``.

    Rows may carry fractional coefficients (a rate times an n); they hold to ``tolerance``.
    ``cap`` keeps the programs bounded when nothing published bounds a cell; a defender that
    caps at a small multiple of the true total computes a range no wider than a reader's.
    """
    n = target.size
    out = []
    for sign in (1.0, -1.0):
        # The linear relaxation first: when its optimal vertex is integral it is the integer
        # optimum too (every integer table is feasible for it); most tables of counts are.
        lp = optimize.linprog(sign * target, A_eq=matrix if matrix.shape[0] else None,
                              b_eq=values if matrix.shape[0] else None, bounds=(0, cap),
                              method="highs")
        if lp.status == 0 and np.allclose(lp.x, np.round(lp.x), atol=1e-9):
            out.append(float(target @ np.round(lp.x)))
            continue
        kwargs = {}
        if matrix.shape[0]:
            kwargs["constraints"] = optimize.LinearConstraint(matrix, values - tolerance,
                                                              values + tolerance)
        res = optimize.milp(sign * target, integrality=np.ones(n),
                            bounds=optimize.Bounds(0, cap), **kwargs)
        if res.x is None:
            raise RuntimeError(f"the published counts admit no table ({res.message})")
        out.append(float(target @ np.round(res.x)))
    return out[0], out[1]


@dataclass
class Ledger:
    """The atoms of the caseload's cross-classification and the published counts over them.

    ``atoms`` holds one tuple of attribute values per atom and ``counts`` its number of people.
    :meth:`publish` records a published count by a predicate over the atoms' attributes.
    """

    atoms: list[tuple[Hashable, ...]]
    counts: NDArray[np.int64]
    entries: dict[Key, NDArray[np.bool_]] = field(default_factory=dict)
    relations: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    #: how dear withholding a count is, per unit (a rate's inputs are dearer than a
    #: breakdown's): complements are chosen by value x weight
    weights: dict[Key, float] = field(default_factory=dict)
    #: counts published elsewhere whatever their size (e.g. the caseload in a run's summary):
    #: never withheld, and taken into account when protecting the others
    public: set[Key] = field(default_factory=set)
    _cache: tuple[int, NDArray[np.int64], NDArray[np.float64]] | None = field(
        default=None, repr=False)

    def relate(self, total: Key, parts: Sequence[Key]) -> None:
        """Record that the published ``total`` is the sum of the published ``parts`` (a row or
        a column of a table): the first place a differencing reader looks."""
        union = np.zeros(len(self.atoms), dtype=bool)
        for p in parts:
            if (union & self.entries[p]).any():
                raise ValueError(f"parts of {total} overlap")
            union |= self.entries[p]
        if not np.array_equal(union, self.entries[total]):
            raise ValueError(f"the parts of {total} do not add up to it")
        self.relations.append((total, tuple(parts)))

    def publish(self, key: Key, mask: Sequence[bool] | NDArray[np.bool_],
                weight: float = 1.0) -> int:
        """Record that the count ``key`` (the atoms in ``mask``) is published; return it."""
        m = np.asarray(mask, dtype=bool)
        if key in self.entries and not np.array_equal(self.entries[key], m):
            raise ValueError(f"count {key} published twice with different meanings")
        self.entries[key] = m
        self.weights[key] = weight
        return int(self.counts[m].sum())

    def cost(self, key: Key) -> float:
        return self.value(key) * self.weights.get(key, 1.0)

    def value(self, key: Key) -> int:
        return int(self.counts[self.entries[key]].sum())

    def primary(self, min_cell: int) -> set[Key]:
        """Counts of 1 to ``min_cell - 1``, and zeros contained in one of those."""
        small = {k for k, m in self.entries.items() if 0 < self.counts[m].sum() < min_cell}
        zeros = {k for k, m in self.entries.items() if self.counts[m].sum() == 0
                 and any(not (m & ~self.entries[s]).any() for s in small)}
        return small | zeros

    def _classes(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Atoms that every count (published or withheld) treats alike are one variable: the
        same feasible sums, far smaller programs."""
        if self._cache is not None and self._cache[0] == len(self.entries):
            return self._cache[1], self._cache[2]
        keys = sorted(self.entries)
        full = np.array([self.entries[k] for k in keys], dtype=bool).reshape(
            len(keys), len(self.atoms))
        _, cls = np.unique(full.T, axis=0, return_inverse=True)
        codes = np.asarray(cls, dtype=np.int64).reshape(-1)
        totals = np.bincount(codes, weights=self.counts.astype(np.float64)).astype(np.float64)
        self._cache = (len(self.entries), codes, totals)
        return codes, totals

    def _collapsed(self, key: Key, cls: NDArray[np.int64], size: int) -> NDArray[np.float64]:
        row = np.zeros(size)
        row[cls[self.entries[key]]] = 1.0
        return row

    def _system(self, hidden: set[Key]) -> tuple[list[Key], NDArray[np.float64],
                                                   NDArray[np.float64]]:
        cls, totals = self._classes()
        shown = sorted(k for k in self.entries if k not in hidden)
        matrix = np.array([self._collapsed(k, cls, totals.size) for k in shown]).reshape(
            len(shown), totals.size)
        return shown, matrix, matrix @ totals

    def bounds(self, key: Key, hidden: set[Key]) -> tuple[float, float]:
        """What a reader of the published counts can say about ``key``: its integer range."""
        cls, totals = self._classes()
        _, matrix, values = self._system(hidden)
        return bounds(matrix, values, self._collapsed(key, cls, totals.size),
                      cap=2.0 * float(self.counts.sum()) + 10)

    def protect(self, min_cell: int, *, complementary: bool = True) -> tuple[set[Key], set[Key]]:
        """Withhold small counts and, until none can be recovered, the counts that reveal them.

        Returns ``(primary, secondary)``; ``complementary=False`` stops after the primary step
        (for tests that show the attack finds what that leaves open).
        """
        primary = self.primary(min_cell) - self.public
        hidden = set(primary)
        if not complementary:
            return primary, set()
        safe: set[Key] = set()
        while True:
            self._close_relations(hidden)
            pinned = None
            moves = self._moves(hidden)
            for key in sorted(hidden - safe):
                if not self.entries[key].any():  # no one can be in it: nothing to protect
                    safe.add(key)
                    continue
                if self._moved_by(key, moves):  # two tables, same published counts
                    safe.add(key)
                    continue
                lo, hi = self.bounds(key, hidden)
                if hi - lo >= PROTECTION:
                    safe.add(key)  # fewer published counts only widen the range
                else:
                    pinned = key
                    break
            if pinned is None:
                return primary, hidden - primary
            extra = self._complement(pinned, hidden)
            if extra is None:  # nothing left to withhold: structure alone fixes it
                safe.add(pinned)
            else:
                hidden.add(extra)

    def _moves(self, hidden: set[Key]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Ways to move one or two people between cells that leave every published count as
        it is: a witness that a count they change can take two values (a quick proof of
        protection; the integer programs decide where none is found). Returns the single moves
        (from, to) and the double moves (from, to, from, to) over the merged cells."""
        _, totals = self._classes()
        _, matrix, _ = self._system(hidden)
        n = totals.size
        columns = [matrix[:, c].tobytes() for c in range(n)]
        single: list[tuple[int, int]] = []
        by_delta: dict[bytes, list[tuple[int, int]]] = {}
        for i in np.flatnonzero(totals >= 1).tolist():
            for j in range(n):
                if i == j:
                    continue
                if columns[i] == columns[j]:
                    single.append((i, j))
                else:
                    delta = (matrix[:, j] - matrix[:, i]).tobytes()
                    by_delta.setdefault(delta, []).append((i, j))
        double: list[tuple[int, int, int, int]] = []
        for delta, pairs in by_delta.items():
            opposite = by_delta.get((-np.frombuffer(delta)).tobytes(), [])
            for i, j in pairs:
                for k, m in opposite:
                    if i != k or totals[i] >= 2:
                        double.append((i, j, k, m))
                if len(double) > MAX_MOVES:
                    break
            if len(double) > MAX_MOVES:
                break
        return (np.array(single, dtype=np.int64).reshape(-1, 2),
                np.array(double, dtype=np.int64).reshape(-1, 4))

    def _moved_by(self, key: Key, moves: tuple[NDArray[np.int64], NDArray[np.int64]]) -> bool:
        cls, totals = self._classes()
        t = self._collapsed(key, cls, totals.size)
        single, double = moves
        if single.size and np.any(t[single[:, 1]] != t[single[:, 0]]):
            return True
        change = t[double[:, 1]] - t[double[:, 0]] + t[double[:, 3]] - t[double[:, 2]]
        return bool(double.size and np.any(change != 0))

    def _close_relations(self, hidden: set[Key]) -> None:
        """While a row or column (a total and its parts) has exactly one withheld member,
        withhold the cheapest other member (value x weight), preferring one that closes a
        second line at once."""
        changed = True
        while changed:
            changed = False
            for total, parts in self.relations:
                members = (total, *parts)
                if sum(m in hidden for m in members) != 1:
                    continue
                free = [m for m in members if m not in hidden and m not in self.public]
                if not free:
                    continue
                line = (total, parts)
                hidden.add(min(free, key=lambda k: (not self._closes(k, hidden, line),
                                                    self.cost(k), k)))
                changed = True

    def _closes(self, key: Key, hidden: set[Key],
                line: tuple[Key, tuple[Key, ...]]) -> bool:
        """Whether ``key`` lies in another row or column than ``line`` with exactly one
        withheld member (withholding it then closes two lines at once: the 2 x 2 rectangle)."""
        return any((t, ps) != line and key in (t, *ps)
                   and sum(m in hidden for m in (t, *ps)) == 1 for t, ps in self.relations)

    def _complement(self, key: Key, hidden: set[Key]) -> Key | None:
        """The published count to withhold next so that ``key`` is no longer determined."""
        shown, matrix, values = self._system(hidden)
        cls, totals = self._classes()
        target = self._collapsed(key, cls, totals.size)
        candidates: set[Key] = set()
        for sign in (1.0, -1.0):
            res = optimize.linprog(sign * target, A_eq=matrix, b_eq=values,
                                   bounds=(0, None), method="highs")
            if res.status == 0:
                marginals = np.asarray(res.eqlin.marginals)
                candidates |= {shown[i] for i in np.flatnonzero(np.abs(marginals) > 1e-9)}
        candidates -= self.public
        shown = [k for k in shown if k not in self.public]
        if not candidates:  # the proof is non-negativity alone: any count touching the atoms
            candidates = {k for k in shown if (self.entries[k] & self.entries[key]).any()}
        if not candidates:
            candidates = set(shown)
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda k: (self.cost(k), -int(self.entries[k].sum()), k))
        # The cheapest count whose withholding alone frees ``key``; else the cheapest of all
        # (the next round finds the rest).
        for k in ranked[:TRIES]:
            lo, hi = self.bounds(key, hidden | {k})
            if hi - lo >= PROTECTION:
                return k
        return ranked[0]


@dataclass(frozen=True)
class TableSuppression:
    """What to withhold of a count table published with its row, column and grand totals.

    Attributes
    ----------
    cells : bool array, shape (rows, columns)
    rows : bool array, shape (rows,)
        Row totals withheld.
    columns : bool array, shape (columns,)
        Column totals withheld.
    total : bool
        The grand total withheld.
    """

    cells: NDArray[np.bool_]
    rows: NDArray[np.bool_]
    columns: NDArray[np.bool_]
    total: bool


def suppress_table(table: NDArray[np.int64], min_cell: int, *,
                   public_columns: bool = False) -> TableSuppression:
    """Suppress a two-way count table (e.g. tiers x matched / not matched) published with all
    its totals: the same :class:`Ledger` and the same guarantee as the audit's own tables.

    The grand total is taken as published elsewhere (a run's summary states how many people
    it holds); ``public_columns`` says the column totals are too (how many were matched).

    >>> s = suppress_table(np.array([[3, 40], [20, 30], [25, 35]]), 5)
    >>> s.cells.astype(int).tolist(), s.rows.astype(int).tolist(), s.total
    ([[1, 1], [1, 1], [0, 0]], [0, 0, 0], False)
    """
    counts = np.asarray(table, dtype=np.int64)
    n_rows, n_cols = counts.shape
    atoms: list[tuple[Hashable, ...]] = [(i, j) for i in range(n_rows) for j in range(n_cols)]
    ledger = Ledger(atoms=atoms, counts=counts.reshape(-1))
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    cell = {(i, j): ("cell", str(i), str(j)) for i in range(n_rows) for j in range(n_cols)}
    for (i, j), key in cell.items():
        ledger.publish(key, (row_of == i) & (col_of == j))
    row_keys = [("row", str(i), "") for i in range(n_rows)]
    col_keys = [("column", "", str(j)) for j in range(n_cols)]
    for i, key in enumerate(row_keys):
        ledger.publish(key, row_of == i)
        ledger.relate(key, [cell[i, j] for j in range(n_cols)])
    for j, key in enumerate(col_keys):
        ledger.publish(key, col_of == j)
        ledger.relate(key, [cell[i, j] for i in range(n_rows)])
    grand = ("total", "", "")
    ledger.publish(grand, np.ones(len(atoms), dtype=bool))
    ledger.relate(grand, row_keys)
    ledger.relate(grand, col_keys)
    ledger.public = {grand, *(col_keys if public_columns else ())}
    primary, secondary = ledger.protect(min_cell)
    hidden = primary | secondary
    return TableSuppression(
        cells=np.array([[cell[i, j] in hidden for j in range(n_cols)] for i in range(n_rows)],
                       dtype=bool).reshape(n_rows, n_cols),
        rows=np.array([k in hidden for k in row_keys], dtype=bool),
        columns=np.array([k in hidden for k in col_keys], dtype=bool),
        total=grand in hidden)
