"""The differencing attack: can anyone recover a withheld count from what the audit publishes?

The attack knows the caseload's structure (tiers, group values, who can have an outcome) but
not the counts. It reads the JSON the audit writes, turns every published number back into a
linear equation over the true cells (counts; rates and ratios times published n; totals of
other tables; decision counts where they equal people counts), and for every withheld count
solves two integer programs: the smallest and the largest value consistent with all of them.
A withheld count whose two bounds meet has been recovered. It is written here, apart from the
audit's own ledger, so that a number the audit forgets to register is still attacked.
"""

from __future__ import annotations

import json
from itertools import product
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

import matcher
from matcher.audit import disclosure

STATUSES = ("none", "eligible", "earlier", "selected")


def _truth(seekers: pl.DataFrame, decisions: pl.DataFrame, window: list[str] | None,
           outcome: bool) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """The attack's variables (every structurally possible cell) and the true counts."""
    rows = decisions.to_dicts()
    by_seeker: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_seeker.setdefault(r["seeker_id"], []).append(r)
    people = []
    for s in seekers.to_dicts():
        mine = by_seeker.get(s["seeker_id"], [])
        chosen = [r for r in mine if r["selected"] == 1]
        if not mine:
            status = "none"
        elif not chosen:
            status = "eligible"
        elif window is not None and not any(r["batch"] in window for r in chosen):
            status = "earlier"
        else:
            status = "selected"
        result = "unknown"
        if outcome and chosen:
            known = [r["outcome_employed"] for r in chosen if r["outcome_employed"] is not None]
            result = "unknown" if not known else ("yes" if max(known) else "no")
        people.append((s["tier"], s["region"], status, result))
    tiers = sorted(set(seekers["tier"].to_list()))
    regions = sorted(set(seekers["region"].to_list()))
    cells = [c for c in product(tiers, regions, STATUSES, ("yes", "no", "unknown"))
             if (c[2] in ("earlier", "selected") or c[3] == "unknown")
             and (outcome or c[3] == "unknown") and (window is not None or c[2] != "earlier")]
    counts = np.array([people.count(c) for c in cells], dtype=float)
    return cells, counts


def _mask(cells: list[tuple[str, ...]], tier: str | None = None, region: str | None = None,
          status: tuple[str, ...] = STATUSES, result: tuple[str, ...] | None = None
          ) -> np.ndarray:
    return np.array([(tier is None or c[0] == tier) and (region is None or c[1] == region)
                     and c[2] in status and (result is None or c[3] in result) for c in cells],
                    dtype=float)


ELIGIBLE = ("eligible", "earlier", "selected")
SELECTED = ("earlier", "selected")


def _c1(cells: list[tuple[str, ...]], tier: str | None, cell: str) -> np.ndarray:
    status = {"caseload": STATUSES, "no_eligible": ("none",), "n": ELIGIBLE,
              "selected": SELECTED, "not_selected": ("eligible",)}[cell]
    return _mask(cells, tier, status=status)


def _equations(doc: dict[str, Any], cells: list[tuple[str, ...]], windowed: bool,
               one_row_each: bool, one_list: bool) -> list[np.ndarray]:
    """Every published number as a row ``a`` with ``a @ counts = b`` (b in the last entry)."""
    eq: list[np.ndarray] = []

    def count(mask: np.ndarray, value: Any) -> None:
        if value is not None:
            eq.append(np.r_[mask, value])

    def rate(num: np.ndarray, den: np.ndarray, value: Any) -> None:
        if value is not None:
            eq.append(np.r_[num - value * den, 0.0])

    m = doc["metrics"]
    count(_c1(cells, None, "caseload"), doc["settings"]["pool"]["seekers"])
    rates: dict[str | None, float] = {}
    for row in [m["C1"]["overall"], *m["C1"]["by_tier"]]:
        tier = None if row["tier"] == "overall" else row["tier"]
        for c in ("caseload", "no_eligible", "n", "selected", "not_selected"):
            count(_c1(cells, tier, c), row[c])
        rate(_c1(cells, tier, "selected"), _c1(cells, tier, "n"), row["rate"])
        if row["rate"] is not None:
            rates[tier] = row["rate"]
    overall = m["C1"]["overall"]["rate"]
    for row in m["C1"]["by_tier"]:
        if row["representation_ratio"] is not None and overall is not None:
            rates[row["tier"]] = row["representation_ratio"] * overall
    c23 = m["C1"]["C2_C3"]
    if c23 and c23["status"] == "ok":
        e, h = c23["easiest"], c23["hardest"]
        if c23["C3_creaming_gap_pp"] is not None:
            if e in rates:
                rates.setdefault(h, rates[e] - c23["C3_creaming_gap_pp"] / 100)
            if h in rates:
                rates.setdefault(e, rates[h] + c23["C3_creaming_gap_pp"] / 100)
        if c23["C2_creaming_ratio"] is not None and e in rates:
            rates.setdefault(h, rates[e] * c23["C2_creaming_ratio"])
    for tier, r in rates.items():
        rate(_c1(cells, tier, "selected"), _c1(cells, tier, "n"), r)
    for row in m["C1"]["by_group"]:
        count(_mask(cells, region=row["value"], status=ELIGIBLE), row["n"])
        count(_mask(cells, region=row["value"], status=SELECTED), row["selected"])
        rate(_mask(cells, region=row["value"], status=SELECTED),
             _mask(cells, region=row["value"], status=ELIGIBLE), row["rate"])
    for row in m["C5_C8"]:
        tier = None if row["scope"] == "all" else row["scope"].removeprefix("tier ")
        count(_c1(cells, tier, "selected"), row["n_selected"])
        count(_c1(cells, tier, "not_selected"), row["n_not_selected"])
    never = ("none", "eligible", "earlier")
    for row in m["C9"]["by_tier"]:
        tier = None if row["tier"] == "overall" else row["tier"]
        count(_c1(cells, tier, "caseload"), row["n"])
        count(_c1(cells, tier, "no_eligible"), row["no_eligible"])
        count(_mask(cells, tier, status=never), row["never_selected"])
        rate(_mask(cells, tier, status=never), _c1(cells, tier, "caseload"),
             row["parking_rate"])
    reasons = m["C9"]["no_eligible_reasons"]
    if len(reasons) == 1:
        count(_c1(cells, None, "no_eligible"), reasons[0]["n"])
    test = m["C9"]["test"]
    if test and not windowed:
        count(_c1(cells, None, "n"), test["n"])
    for row in m["C12"]["by_tier"]:
        known = _mask(cells, row["tier"], status=SELECTED, result=("yes", "no"))
        yes = _mask(cells, row["tier"], status=SELECTED, result=("yes",))
        count(known, row["n"])
        count(yes, row["yes"])
        rate(yes, known, row["rate"])
    if one_row_each:  # a decision is a person: the decision counts are people counts
        count(_c1(cells, None, "n"), doc["settings"]["pool"]["pairs"])
        for row in m["C6_C7"]:
            count(_c1(cells, None, "n"), row["n"])
            count(_c1(cells, None, "selected"), row["n_selected"])
        for row in m["C6_by_tier"]:
            tier = row["scope"].removeprefix("tier ")
            count(_c1(cells, tier, "n"), row["n"])
            count(_c1(cells, tier, "selected"), row["n_selected"])
        if one_list and m["C10_C11"]:
            count(_c1(cells, None, "n"), m["C10_C11"]["by_list"][0]["length"])
    return eq


def _bounds(eq: list[np.ndarray], target: np.ndarray) -> tuple[float, float]:
    """Exact integer bounds: the linear relaxation where its optimum is integral (then it is
    the integer optimum), else the integer program."""
    if not eq:
        return 0.0, 1e6
    a = np.array([e[:-1] for e in eq])
    b = np.array([e[-1] for e in eq])
    out = []
    for sign in (1, -1):
        lp = optimize.linprog(sign * target, A_eq=a, b_eq=b, bounds=(0, 1e6), method="highs")
        if lp.status == 0 and np.allclose(lp.x, np.round(lp.x), atol=1e-9):
            out.append(float(target @ np.round(lp.x)))
            continue
        res = optimize.milp(sign * target,
                            constraints=optimize.LinearConstraint(a, b - 1e-6, b + 1e-6),
                            integrality=np.ones(target.size), bounds=optimize.Bounds(0, 1e6))
        assert res.x is not None, res.message
        out.append(float(target @ np.round(res.x)))
    return out[0], out[1]


def _target(cells: list[tuple[str, ...]], table: str, row: str, cell: str) -> np.ndarray:
    tier = None if row == "overall" else row
    if table == "C1" and ":" not in table:
        return _c1(cells, tier, cell)
    if table.startswith("C1:"):
        status = ELIGIBLE if cell == "n" else SELECTED
        return _mask(cells, region=row, status=status)
    if table == "C9" and row.startswith("reason: "):
        return _c1(cells, None, "no_eligible")
    if table == "C9":
        return _mask(cells, tier, status=("none", "eligible", "earlier"))
    if table.startswith("C12:"):
        return _mask(cells, row, status=SELECTED,
                     result=("yes", "no") if cell == "n" else ("yes",))
    raise AssertionError(f"unknown withheld cell {table} {row} {cell}")


def attack(seekers: pl.DataFrame, decisions: pl.DataFrame, result: matcher.AuditResult,
           last_batches: int | None = None) -> list[tuple[str, str, str, float]]:
    """The withheld counts the published result gives away, with their value."""
    doc = json.loads(json.dumps(result.to_dict()))
    batches = sorted(set(decisions["batch"].to_list())) if "batch" in decisions.columns \
        else [""]
    window = batches[-last_batches:] if last_batches and last_batches < len(batches) else None
    outcome = "outcome_employed" in decisions.columns
    cells, truth = _truth(seekers, decisions if "batch" in decisions.columns
                          else decisions.with_columns(batch=pl.lit("")), window, outcome)
    per_seeker = decisions.group_by("seeker_id").len()
    one_row_each = int(per_seeker["len"].max()) == 1  # type: ignore[arg-type]
    one_list = decisions.select("role_id", *(["batch"] if "batch" in decisions.columns
                                             else [])).unique().height == 1
    eq = _equations(doc, cells, window is not None, one_row_each, one_list)
    for e in eq:  # the published numbers are true
        assert abs(e[:-1] @ truth - e[-1]) < 1e-6 * max(1.0, abs(e[-1])), e
    found = []
    for cell in doc["suppressed"]:
        target = _target(cells, cell["table"], cell["row"], cell["cell"])
        lo, hi = _bounds(eq, target)
        assert lo <= target @ truth <= hi
        if hi - lo < 1:
            found.append((cell["table"], cell["row"], cell["cell"], lo))
    return found


def _small_counts_published(result: matcher.AuditResult, min_cell: int) -> list[str]:
    m = result.metrics
    bad = []
    rows = [("C1", r) for r in [m["C1"]["overall"], *m["C1"]["by_tier"]]]
    rows += [("C1 group", r) for r in m["C1"]["by_group"]]
    rows += [("C9", r) for r in m["C9"]["by_tier"]] + [("C12", r) for r in m["C12"]["by_tier"]]
    for name, row in rows:
        for key in ("caseload", "no_eligible", "n", "selected", "not_selected",
                    "never_selected", "yes"):
            value = row.get(key)
            if value is not None and 0 < value < min_cell:
                bad.append(f"{name} {row.get('tier', row.get('value'))} {key} = {value}")
        for derived in ("rate", "ci_low", "parking_rate", "representation_ratio"):
            if row.get(derived) is not None:
                inputs = {"rate": ("n", "selected"), "ci_low": ("n",),
                          "parking_rate": ("n", "never_selected"),
                          "representation_ratio": ("n", "selected")}[derived]
                present = [k for k in inputs if k in row]
                if any(row[k] is None for k in present) and (
                        derived != "rate" or "yes" not in row):
                    bad.append(f"{name} {derived} published without its counts")
    return bad


@st.composite
def pools(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, int | None]:
    n_tiers = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 14), min_size=n_tiers, max_size=n_tiers))
    n_roles = draw(st.sampled_from([1, 1, 3]))
    batches = draw(st.sampled_from([1, 1, 2]))
    outcome = draw(st.booleans())
    last = draw(st.sampled_from([None, 1])) if batches == 2 else None
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    tiers = [f"T{t + 1}" for t, k in enumerate(sizes) for _ in range(k)]
    n = len(tiers)
    seekers = pl.DataFrame({"seeker_id": [f"s{i:03d}" for i in range(n)], "tier": tiers,
                            "region": rng.choice(["north", "south"], n).tolist()})
    p_eligible = draw(st.sampled_from([0.6, 0.9, 1.0]))
    p_selected = draw(st.sampled_from([0.15, 0.4, 0.7]))
    rows = []
    for i in range(n):
        if rng.random() > p_eligible:
            continue
        for b in range(batches):
            for r in rng.choice(n_roles, rng.integers(1, n_roles + 1), replace=False):
                rows.append({"seeker_id": f"s{i:03d}", "role_id": f"r{r}", "batch": f"B{b + 1}",
                             "fit": round(float(rng.uniform(0.05, 0.95)), 3),
                             "selected": int(rng.random() < p_selected)})
    if not rows:
        rows.append({"seeker_id": "s000", "role_id": "r0", "batch": "B1", "fit": 0.5,
                     "selected": 1})
    decisions = pl.DataFrame(rows)
    if outcome:
        decisions = decisions.with_columns(outcome_employed=pl.when(pl.col("selected") == 1)
                                           .then((pl.col("fit") > 0.4).cast(pl.Int8)))
    return seekers, decisions, last


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.sampled_from([3, 5]))
def test_no_withheld_count_is_recoverable(pool: tuple[pl.DataFrame, pl.DataFrame, int | None],
                                          min_cell: int) -> None:
    seekers, decisions, last = pool
    result = matcher.audit(seekers, decisions, group=["region"], bootstrap=0,
                           min_cell=min_cell, last_batches=last)
    assert attack(seekers, decisions, result, last) == []
    assert _small_counts_published(result, min_cell) == []


def _issue_pool() -> tuple[pl.DataFrame, pl.DataFrame]:
    """One role, every seeker a candidate: 3 of the hardest tier selected (the issue's case)."""
    tiers = ["T1"] * 30 + ["T2"] * 25 + ["T3"] * 20 + ["T4"] * 12
    seekers = pl.DataFrame({"seeker_id": [f"s{i:03d}" for i in range(len(tiers))],
                            "tier": tiers, "region": ["north", "south"] * 43 + ["north"],
                            "employability": np.linspace(0.9, 0.1, len(tiers)).round(3)})
    selected = [1] * 15 + [0] * 15 + [1] * 10 + [0] * 15 + [1] * 6 + [0] * 14 + [1] * 3 \
        + [0] * 9
    decisions = pl.DataFrame({"seeker_id": seekers["seeker_id"], "role_id": ["r"] * 87,
                              "fit": np.linspace(0.1, 0.9, 87).round(3), "selected": selected})
    return seekers, decisions


def test_the_issue_case_hides_the_three_and_their_complements() -> None:
    seekers, decisions = _issue_pool()
    result = matcher.audit(seekers, decisions, group=["region"], bootstrap=0)
    t4 = result.selection.filter(pl.col("tier") == "T4").row(0, named=True)
    assert t4["selected"] is None and t4["not_selected"] is None
    balance = {r.scope: r for r in result.families.balance}
    assert balance["tier T4"].n_selected is None
    assert attack(seekers, decisions, result) == []


def test_the_attack_finds_what_primary_suppression_alone_leaves_open(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Break the suppression on purpose (no complementary step): the attack must recover the
    hidden count, or it proves nothing."""
    seekers, decisions = _issue_pool()
    protect = disclosure.Ledger.protect

    def primary_only(self: disclosure.Ledger, min_cell: int, *, complementary: bool = True
                     ) -> tuple[set[disclosure.Key], set[disclosure.Key]]:
        return protect(self, min_cell, complementary=False)

    monkeypatch.setattr(disclosure.Ledger, "protect", primary_only)
    result = matcher.audit(seekers, decisions, group=["region"], bootstrap=0)
    found = attack(seekers, decisions, result)
    assert ("C1", "T4", "selected", 3.0) in found


def test_ledger_rectangle_on_a_two_way_table() -> None:
    """A textbook case: one small cell in a 3 x 2 table with margins needs a 2 x 2 rectangle."""
    atoms = [(r, c) for r in "abc" for c in "xy"]
    counts = np.array([3, 40, 20, 30, 25, 35])
    ledger = disclosure.Ledger(atoms=list(atoms), counts=counts)
    for r in "abc":
        for c in "xy":
            ledger.publish(("t", r, c), [a == (r, c) for a in atoms])
        ledger.publish(("t", r, "all"), [a[0] == r for a in atoms])
        ledger.relate(("t", r, "all"), [("t", r, "x"), ("t", r, "y")])
    for c in "xy":
        ledger.publish(("t", "all", c), [a[1] == c for a in atoms])
        ledger.relate(("t", "all", c), [("t", r, c) for r in "abc"])
    primary, secondary = ledger.protect(5)
    assert primary == {("t", "a", "x")}
    assert secondary == {("t", "a", "y"), ("t", "b", "x"), ("t", "b", "y")}
    lo, hi = ledger.bounds(("t", "a", "x"), primary | secondary)
    assert (lo, hi) == (0.0, 23.0)


def _compositions(total: int, parts: int):
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=3),
       st.integers(2, 6))
def test_suppress_table_leaves_every_withheld_cell_undetermined(rows, min_cell) -> None:
    """Brute force: every table with the same published numbers (cells and row totals where
    shown; the grand total and the column totals public) is enumerated; each withheld cell must
    take two values among them, unless the public totals alone pin it."""
    from matcher.audit.disclosure import suppress_table

    table = np.array(rows, dtype=np.int64)
    s = suppress_table(table, min_cell, public_columns=True)
    k = table.shape[0]
    values: dict[tuple[int, int], set[int]] = {}
    public: dict[tuple[int, int], set[int]] = {}  # what the public totals alone allow
    for left in _compositions(int(table[:, 0].sum()), k):
        for right in _compositions(int(table[:, 1].sum()), k):
            t = np.column_stack([left, right])
            for c in np.ndindex(*t.shape):
                public.setdefault(c, set()).add(int(t[c]))
            if (~s.cells & (t != table)).any():
                continue
            if (~s.rows & (t.sum(axis=1) != table.sum(axis=1))).any():
                continue
            for c in np.ndindex(*t.shape):
                values.setdefault(c, set()).add(int(t[c]))
    for c in np.ndindex(*table.shape):
        if s.cells[c] and len(public[c]) > 1:
            assert len(values[c]) >= 2, (table.tolist(), c)
        if not s.cells[c]:
            assert table[c] == 0 or table[c] >= min_cell  # nothing small is shown
