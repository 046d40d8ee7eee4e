"""Power and false-positive rates of the creaming tests, measured on simulations with a known
answer (not run by the test suite).

    python benchmarks/bench_audit.py                 # 200 seeds per scenario
    python benchmarks/bench_audit.py --seeds 50 --workers 2
    python benchmarks/bench_audit.py --suppression   # the cost of small-cell suppression

Each seed draws a pool with :func:`matcher.audit.simulate.simulate` (600 seekers in four tiers,
40 opportunities of 30 eligible candidates, 3 places each, fit correlated with employability)
and plants one selection rule. For each test the table gives the share of seeds in which it
flagged creaming at alpha = 0.05 (one-sided): on the fit-only and positive-action scenarios
that is the false-positive rate (nominal: 0.05 for a single test), on the creaming scenarios
the power. ``verdict`` is the audit's decision: Holm across C6 across and within tiers.
``verdict+C7`` is what it would be with the two C7 tests in the Holm family too, and
``4/5 flag`` how often the naive four-fifths rule fires (hardest vs easiest tier).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import polars as pl

SCENARIOS: dict[str, dict[str, Any]] = {
    "fit only (logit)": {"beta": 0.0, "fit_employability": 0.8},
    "fit only (step shape)": {"beta": 0.0, "fit_employability": 0.8, "fit_shape": "step"},
    "fit only, strong fit-employability link": {"beta": 0.0, "fit_employability": 1.5},
    "positive action (beta -0.5)": {"beta": -0.5},
    "creaming beta 0.3": {"beta": 0.3},
    "creaming beta 0.5": {"beta": 0.5},
    "within-tier creaming 0.6": {"within_beta": 0.6, "within_only_fit": True},
}
ALPHA = 0.05


def one(args: tuple[str, int]) -> dict[str, Any]:
    from matcher.audit import creaming
    from matcher.audit.inference import adjust
    from matcher.audit.simulate import simulate

    name, seed = args
    seekers, decisions = simulate(seed=seed, **SCENARIOS[name])
    rows = decisions.join(seekers, on="seeker_id")
    e = seekers["employability"].to_numpy()
    seeker_ids = seekers["seeker_id"].to_list()
    index = {s: i for i, s in enumerate(seeker_ids)}
    seeker = np.array([index[s] for s in rows["seeker_id"].to_list()])
    pool = np.unique(seeker)
    z_all = np.full(e.size, np.nan)
    z_all[pool] = (e[pool] - e[pool].mean()) / e[pool].std()
    z = z_all[seeker]
    tier = np.array([int(t[1:]) for t in rows["tier"].to_list()])
    y = rows["selected"].to_numpy().astype(float)
    fit = rows["fit"].to_numpy()
    opp = np.unique(rows["role_id"].to_numpy(), return_inverse=True)[1]
    c6a = creaming.conditional_logit(y, z, fit, opp, seeker, scope="across", mde_alpha=0.025)
    c6w = creaming.conditional_logit(y, z, fit, opp, seeker, scope="within", strata=tier,
                                     mde_alpha=0.025)
    c7a = creaming.mantel_haenszel(y, tier <= 2, fit, opp, scope="across")
    above = np.zeros(y.size, dtype=bool)
    for d in range(1, 5):
        m = tier == d
        if m.any():
            above[m] = z[m] >= np.median(z_all[pool][np.isin(pool, seeker[m])])
    c7w = creaming.mantel_haenszel(y, above, fit, opp * 5 + tier, scope="within")

    def flagged(r: creaming.TestResult) -> bool:
        return r.status == "ok" and r.p_value is not None and r.p_value < ALPHA and \
            (r.odds_ratio or 0) > 1

    def verdict(tests: list[creaming.TestResult]) -> bool:
        ok = [t for t in tests if t.status == "ok"]
        adj = adjust([float(t.p_value or 1) for t in ok])
        return any(p < ALPHA and (t.odds_ratio or 0) > 1 for t, p in zip(ok, adj, strict=True))

    sel = decisions.group_by("seeker_id").agg(pl.col("selected").max().alias("s"))
    sel = sel.join(seekers, on="seeker_id")
    rate = {t: float(sel.filter(pl.col("tier") == t)["s"].mean() or 0.0)  # type: ignore[arg-type]
            for t in ("T1", "T4")}
    four_fifths = bool(rate["T1"] > 0 and rate["T4"] / rate["T1"] < 0.8)
    return {
        "scenario": name,
        "C6 across": flagged(c6a), "C6 within": flagged(c6w),
        "C7 across": flagged(c7a), "C7 within": flagged(c7w),
        "verdict": verdict([c6a, c6w]), "verdict+C7": verdict([c6a, c6w, c7a, c7w]),
        "4/5 flag": four_fifths,
        "mde": c6a.mde_or if c6a.mde_or is not None else float("nan"),
        "separated": c6a.status != "ok" or c6w.status != "ok",
    }


def suppression(repeats: int) -> None:
    """Time of suppression with the complementary step against the baseline of primary
    suppression only, in the same run (medians), its share of the whole audit (bootstrap 0),
    and how many of the published counts each withholds."""
    import matcher
    from matcher.audit import disclosure
    from matcher.audit.simulate import simulate

    protect = disclosure.Ledger.protect
    timed: list[float] = []

    def timed_protect(self: disclosure.Ledger, min_cell: int, *, complementary: bool = True
                      ) -> Any:
        start = time.perf_counter()
        out = protect(self, min_cell, complementary=complementary and MODE["full"])
        timed.append(time.perf_counter() - start)
        return out

    MODE = {"full": True}
    disclosure.Ledger.protect = timed_protect  # type: ignore[method-assign]
    print("| caseload | batches | audit ms (primary only) | suppression ms: primary only | "
          "suppression ms: full | full / audit | withheld: primary only | withheld: full | "
          "published counts |")
    print("|---" * 9 + "|")
    for n, batches in ((150, 1), (600, 1), (600, 3), (3000, 1)):
        seekers, decisions = simulate(n_seekers=n, n_roles=max(10, n // 15), batches=batches,
                                      seed=1)
        seekers = seekers.with_columns(region=pl.Series(
            np.random.default_rng(0).choice(["north", "south", "east"], n)))
        row = []
        for full in (False, True):
            MODE["full"] = full
            times, protects = [], []
            for _ in range(repeats):
                timed.clear()
                start = time.perf_counter()
                result = matcher.audit(seekers, decisions, group=["region"], bootstrap=0)
                times.append(time.perf_counter() - start)
                protects.append(sum(timed))
            row.append((float(np.median(times)) * 1000, float(np.median(protects)) * 1000,
                        len(result.suppressed)))
        print(f"| {n} | {batches} | {row[0][0]:.0f} | {row[0][1]:.1f} | {row[1][1]:.1f} | "
              f"{row[1][1] / row[0][0]:.3f} | {row[0][2]} | {row[1][2]} | "
              f"{_ledger_size(seekers, decisions)} |")
    disclosure.Ledger.protect = protect  # type: ignore[method-assign]


def _ledger_size(seekers: pl.DataFrame, decisions: pl.DataFrame) -> int:
    from matcher.audit import core

    seen: list[int] = []
    original = core.Caseload.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen.append(id(self))
        spy.caseload = self  # type: ignore[attr-defined]

    core.Caseload.__init__ = spy  # type: ignore[method-assign]
    try:
        import matcher

        matcher.audit(seekers, decisions, group=["region"], bootstrap=0)
    finally:
        core.Caseload.__init__ = original  # type: ignore[method-assign]
    return len(spy.caseload.ledger.entries)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--suppression", action="store_true",
                        help="time small-cell suppression instead (medians of --repeats)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.suppression:
        suppression(args.repeats)
        return
    jobs = [(name, seed) for name in SCENARIOS for seed in range(args.seeds)]
    start = time.perf_counter()
    results = []
    with ProcessPoolExecutor(args.workers) as pool:
        for k, result in enumerate(pool.map(one, jobs, chunksize=4), start=1):
            results.append(result)
            if k % 50 == 0:
                print(f"{k}/{len(jobs)} ({time.perf_counter() - start:.0f} s)", file=sys.stderr,
                      flush=True)
    columns = ["C6 across", "C6 within", "C7 across", "C7 within", "verdict", "verdict+C7",
               "4/5 flag"]
    print(f"{args.seeds} seeds per scenario, alpha {ALPHA} one-sided; share of seeds flagged "
          f"({time.perf_counter() - start:.0f} s)\n")
    print("| scenario | " + " | ".join(columns) + " | median MDE OR (C6 across) | not estimable |")
    print("|---" * (len(columns) + 3) + "|")
    for name in SCENARIOS:
        rows = [r for r in results if r["scenario"] == name]
        cells = [f"{np.mean([r[c] for r in rows]):.3f}" for c in columns]
        mde = np.nanmedian([r["mde"] for r in rows])
        sep = np.mean([r["separated"] for r in rows])
        print(f"| {name} | " + " | ".join(cells) + f" | {mde:.2f} | {sep:.3f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
