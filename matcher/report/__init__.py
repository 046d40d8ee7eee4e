"""The caseworker's report: one self-contained HTML file from one batch match.

Use :func:`write_report` on a run's folder (``matcher report RUN_DIR``) or on a
:class:`~matcher.report.run.Run` built from a result in memory (``matcher match --report``,
``MatchResult.write_report``). The page holds the run's summary, the audit of this proposal by
tier, every job-seeker with the proposal, the reason and the alternatives, the roles left with
open places and the warnings, in bokmål, Danish or English (``lang``); it makes no network
request. See ``docs/report.md``.

Modules: :mod:`~matcher.report.run` (read a run back), :mod:`~matcher.report.render` (the page),
:mod:`~matcher.report.plots` (SVG), :mod:`~matcher.report.strings` (every word, per language).
"""

from __future__ import annotations

import os
from pathlib import Path

from matcher.io.write import atomic_file
from matcher.report.render import render, tier_table
from matcher.report.run import Run, find_outputs, load_run, run_from_outputs
from matcher.report.strings import LANGUAGES, STRINGS, Lang, pick_language

__all__ = ["LANGUAGES", "STRINGS", "Lang", "Run", "find_outputs", "load_run", "pick_language",
           "render", "run_from_outputs", "tier_table", "write_report"]


def write_report(run: Run, path: str | os.PathLike[str], *, lang: Lang = "en",
                 min_cell: int = 5) -> Path:
    """Render ``run`` and write it to ``path`` atomically (complete, or not there at all)."""
    target = Path(path)
    data = render(run, lang=lang, min_cell=min_cell).encode("utf-8")
    with atomic_file(target) as temporary, open(temporary, "wb") as handle:
        handle.write(data)
    return target
