"""Nothing acknowledged is lost: a small run of ``benchmarks/bench_service.py``.

Clients post roles to a real ``matcher serve`` process, the server is killed with SIGKILL
mid-stream and restarted on the same SQLite file, and every role answered 201 must be there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_service.py"


def test_every_acknowledged_role_survives_sigkill() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--clients", "4", "--roles", "60", "--kill-after", "25",
         "--time-limit", "30"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = dict(line.strip("|").split("|")[:2] for line in done.stdout.splitlines()[2:])
    table = {k.strip(): v.strip() for k, v in rows.items()}
    assert table["lost"] == "0"
    assert int(table["acknowledged"]) >= 25
    assert int(table["stored after restart"]) >= int(table["acknowledged"])
    assert float(table["p99 latency (ms)"]) > 0
