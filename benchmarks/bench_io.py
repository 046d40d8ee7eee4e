"""Cost of reading files as caseworkers have them, with baselines in the same run.

    python benchmarks/bench_io.py [--rows 100000] [--runs 5] [--before /path/to/older/checkout]

Two tables of medians over the runs, in CPU seconds (user + system, all threads), which a
shared machine's load does not inflate the way it inflates wall time:

1. Start-up. ``import matcher`` in a fresh interpreter, and the first language parse
   (``canonical_language('norsk')``, which imports ``langcodes`` and its name data) against
   the bare interpreter. ``langcodes`` must not be imported by ``import matcher``.
2. Read and validate a seekers table of ``--rows`` rows (polars on one thread): the
   comma-separated UTF-8 CSV with ISO codes is the baseline; then the same table with ``;``
   and decimal commas, in Windows-1252, with language names instead of codes, as an ``.xlsx``
   workbook, and the baseline once more with ``langcodes`` already imported (the one-time
   cost of the first language). With ``--before`` the baseline is also run on an older
   checkout (e.g. the main branch) for the before/after of the reader itself.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def fresh(code: str, path: Path) -> float:
    """CPU seconds a fresh interpreter takes to run ``code`` with ``path`` first on sys.path."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=path,
                   env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def seekers_frame(rows: int, seed: int, names: bool) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    codes = ["no", "en", "ar", "so", "ti", "fa", "pl", "ur"]  # ISO 639-1: older readers too
    words = ["norsk", "engelsk", "arabisk", "somali", "tigrinja", "dari", "polsk", "urdu"]
    pick = words if names else codes
    langs = [";".join(rng.choice(pick, size=int(k), replace=False)) for k in
             rng.integers(1, 4, size=rows)]
    return pl.DataFrame({
        "seeker_id": [f"S{i:07d}" for i in range(rows)],
        "experience": rng.choice(["agronom", "kokk", "syerske", "renholder"], size=rows),
        "skills": rng.choice(["harvest crops;manage livestock", "sew;mend", ""], size=rows),
        "languages": langs,
        "hours_max": np.round(rng.uniform(10, 40, size=rows) * 2) / 2,
        "lat": np.round(rng.uniform(58, 64, size=rows), 4),
        "lon": np.round(rng.uniform(5, 15, size=rows), 4),
    })


def write_forms(folder: Path, rows: int, seed: int) -> dict[str, Path]:
    codes = seekers_frame(rows, seed, names=False)
    names = seekers_frame(rows, seed, names=True)
    forms: dict[str, Path] = {}
    forms["csv , utf-8 codes (baseline)"] = folder / "comma.csv"
    codes.write_csv(forms["csv , utf-8 codes (baseline)"])
    semicolon = codes.with_columns(
        pl.col(c).cast(pl.String).str.replace(".", ",", literal=True)
        for c in ("hours_max", "lat", "lon")
    ).write_csv(separator=";")
    forms["csv ; decimal comma"] = folder / "semicolon.csv"
    forms["csv ; decimal comma"].write_text(semicolon, encoding="utf-8")
    forms["csv ; windows-1252"] = folder / "cp1252.csv"
    forms["csv ; windows-1252"].write_bytes(
        semicolon.replace("agronom", "gårdsarbeider").encode("cp1252"))
    forms["csv , language names"] = folder / "names.csv"
    names.write_csv(forms["csv , language names"])
    forms["xlsx"] = folder / "seekers.xlsx"
    codes.write_excel(forms["xlsx"])
    return forms


READ = (
    "import sys, time; from matcher.io import read_table, validate_seekers; "
    "warm = sys.argv[2] == 'warm'\n"
    "if warm: from matcher.io import canonical_language; canonical_language('no')\n"
    "t0 = time.process_time(); validate_seekers(*read_table(sys.argv[1])); "
    "print(time.process_time() - t0)"
)


def read_seconds(path: Path, checkout: Path, *, warm: bool = False) -> float:
    """CPU seconds of read + validate in a fresh interpreter; polars on one thread, so that
    a loaded machine's spinning threads do not count."""
    out = subprocess.run(
        [sys.executable, "-c", READ, str(path), "warm" if warm else "cold"], check=True,
        cwd=checkout, capture_output=True, text=True,
        env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin", "POLARS_MAX_THREADS": "1"},
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", type=Path, help="an older checkout to time as well")
    args = parser.parse_args()

    startup = {
        "python -c pass": "pass",
        "import langcodes; find('norsk') (no matcher)": (
            "import langcodes; langcodes.find('norsk')"),
        "import matcher (baseline)": (
            "import sys, matcher; assert 'langcodes' not in sys.modules"),
        "import matcher; canonical_language('norsk')": (
            "import matcher.io as m; m.canonical_language('norsk')"),
        "import matcher; 1,000 distinct language words": (
            "import matcher.io as m\n"
            "for i in range(1000): m.canonical_language("
            "['norsk','dari','arabisk','en','prs','nb'][i % 6] + ' ' * i)"),
    }
    times = {k: statistics.median(fresh(code, ROOT) for _ in range(args.runs))
             for k, code in startup.items()}
    bare, base = times["python -c pass"], times["import matcher (baseline)"]
    print(f"## start-up, fresh interpreter, medians of {args.runs}\n")
    print("| what | CPU s | minus bare interpreter | minus `import matcher` |")
    print("|---|---:|---:|---:|")
    for k, v in times.items():
        print(f"| {k} | {v:.3f} | {v - bare:+.3f} | {v - base:+.3f} |")

    with tempfile.TemporaryDirectory() as tmp:
        forms = write_forms(Path(tmp), args.rows, args.seed)
        results = {k: statistics.median(read_seconds(p, ROOT) for _ in range(args.runs))
                   for k, p in forms.items()}
        results["csv , utf-8 codes, langcodes already imported"] = statistics.median(
            read_seconds(forms["csv , utf-8 codes (baseline)"], ROOT, warm=True)
            for _ in range(args.runs))
        baseline = results["csv , utf-8 codes (baseline)"]
        print(f"\n## read + validate {args.rows:,} seekers, medians of {args.runs}\n")
        print("| form | CPU s | ratio to baseline |")
        print("|---|---:|---:|")
        for k, v in results.items():
            print(f"| {k} | {v:.3f} | {v / baseline:.2f} |")
        if args.before is not None:
            before = statistics.median(
                read_seconds(forms["csv , utf-8 codes (baseline)"], args.before)
                for _ in range(args.runs)
            )
            print(f"| csv , utf-8 codes on {args.before} | {before:.3f} | "
                  f"{before / baseline:.2f} |")


if __name__ == "__main__":
    main()
