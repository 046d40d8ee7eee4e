"""Durability and speed of the role posting service under concurrent clients.

    python benchmarks/bench_service.py [--clients 8] [--roles 400] [--kill-after 200]
                                       [--db URL] [--time-limit 120]

Starts ``matcher serve`` on 127.0.0.1 (a free port; a fresh SQLite file unless --db is given),
lets N clients (one enterprise account each) post roles as fast as they can, kills the server
with SIGKILL once --kill-after roles were acknowledged (201), restarts it on the same database,
and checks that every acknowledged role is there, unchanged. Requests in flight at the kill may
or may not have been stored; they were never acknowledged, so either is correct. The temporary
folder (database and server log) is removed afterwards, or kept and named when a role was lost.

Prints one table: throughput and p50/p99 latency of the acknowledged posts before the kill, and
acknowledged / found / lost. Exits 1 when any acknowledged role is lost. Bounded: at most
--roles posts and --time-limit seconds.

    python benchmarks/bench_service.py --login-timing 30

measures instead what a failed web login costs for an unknown name, an existing name with a
wrong password and an account without a password: the repository's check now, against the
check as it was before issue 16 (reproduced here as the baseline) in the same run, the cases
interleaved. Prints the medians and the slowest case over the fastest; exits 1 when the current
check's ratio is above 1.2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from matcher.service.repository import Repository


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", "serve", "--db", db, "--host", "127.0.0.1",
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not answer /healthz within 60 s; see {log}")


@dataclass
class Client:
    token: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # role_id -> title
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    other: int = 0


def post_roles(base: str, client: Client, index: int, budget: list[int], lock: threading.Lock,
               stop: threading.Event) -> None:
    headers = {"authorization": f"Bearer {client.token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        n = 0
        while not stop.is_set():
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            n += 1
            title = f"client {index} role {n}"
            body = {"title": title, "occupation": "birøkter", "slots": 1 + n % 3,
                    "skills_trained": ["breed insects"], "languages": "no;en",
                    "offers": "fleksibel arbeidstid", "permanent": n % 2 == 0, "form": "grant"}
            started = time.perf_counter()
            try:
                answer = http.post("/api/roles", json=body)
            except httpx.TransportError:
                client.unanswered += 1
                return
            if answer.status_code == 201:
                client.latencies.append(time.perf_counter() - started)
                client.acknowledged[answer.json()["role_id"]] = title
            else:
                client.other += 1


def run(clients: int, roles: int, kill_after: int, db: str | None, time_limit: float,
        ) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-service-"))
    url = db or f"sqlite:///{folder / 'roles.db'}"
    repository = Repository(url)
    accounts = [Client(repository.add_account(f"bench enterprise {os.getpid()}-{i}",
                                              "enterprise")[1]) for i in range(clients)]
    repository.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    server = start_server(url, port, log)

    budget, lock, stop = [roles], threading.Lock(), threading.Event()
    threads = [threading.Thread(target=post_roles, args=(base, c, i, budget, lock, stop))
               for i, c in enumerate(accounts)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    deadline = started + time_limit
    while time.perf_counter() < deadline:
        if sum(len(c.acknowledged) for c in accounts) >= kill_after or \
                not any(t.is_alive() for t in threads):
            break
        time.sleep(0.002)
    killed_at = time.perf_counter()
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    acknowledged = {rid: title for c in accounts for rid, title in c.acknowledged.items()}
    latencies = sorted(x for c in accounts for x in c.latencies)

    server = start_server(url, port, log)
    try:
        found: dict[str, str] = {}
        for c in accounts:
            with httpx.Client(base_url=base, timeout=30,
                              headers={"authorization": f"Bearer {c.token}"}) as http:
                offset = 0
                while True:
                    page = http.get("/api/roles", params={"limit": 1000, "offset": offset}).json()
                    found |= {r["role_id"]: r["title"] for r in page["items"]}
                    offset += len(page["items"])
                    if not page["items"] or offset >= page["total"]:
                        break
    finally:
        server.terminate()
        server.wait(timeout=30)
    lost = [rid for rid, title in acknowledged.items() if found.get(rid) != title]
    if lost:
        print(f"lost roles {sorted(lost)[:20]}; database and server log kept in {folder}",
              file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    elapsed = killed_at - started
    return {
        "clients": clients,
        "acknowledged": len(acknowledged),
        "in flight at kill": sum(c.unanswered for c in accounts),
        "stored after restart": len(found),
        "lost": len(lost),
        "throughput (roles/s)": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "p50 latency (ms)": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99 latency (ms)": 1000 * latencies[min(len(latencies) - 1,
                                                 int(0.99 * len(latencies)))]
        if latencies else float("nan"),
        "backend": 0.0 if url.startswith("sqlite") else 1.0,
    }


def _login_before(repository: Repository, name: str, password: str) -> object:
    """The login check before issue 16: two scrypts for an unknown name (a fresh hash, then a
    check), one for a wrong password, none for an account without a password."""
    from sqlalchemy import select

    from matcher.service import auth
    from matcher.service.models import accounts

    with repository.engine.connect() as c:
        row = c.execute(select(accounts).where(accounts.c.name == name)).mappings().first()
    if row is None:
        auth.check_secret(password, auth.hash_secret("-"))
        return None
    if not row["password_hash"]:
        return None
    return auth.check_secret(password, row["password_hash"]) or None


def login_timing(rounds: int) -> int:
    folder = Path(tempfile.mkdtemp(prefix="matcher-bench-login-"))
    repository = Repository(str(folder / "roles.db"))
    try:
        repository.add_account("Bikuben", "enterprise")
        repository.set_password("Bikuben", "honning-er-godt")
        repository.add_account("Uten passord", "enterprise")
        cases = {"unknown name": "Finnes ikke", "existing name, wrong password": "Bikuben",
                 "account without a password": "Uten passord"}
        checks = {"before": lambda n: _login_before(repository, n, "feil passord"),
                  "now": lambda n: repository.account_by_password(n, "feil passord")}
        times = {(check, case): [] for check in checks for case in cases}
        for round_ in range(rounds + 1):  # the first round warms up and is not counted
            for check, work in checks.items():
                for case, name in cases.items():
                    started = time.perf_counter()
                    work(name)
                    if round_:
                        times[(check, case)].append(time.perf_counter() - started)
        medians = {key: statistics.median(values) * 1000 for key, values in times.items()}
        print(f"| failed login, median of {rounds} (ms) | before | now |")
        print("|---|---|---|")
        for case in cases:
            print(f"| {case} | {medians[('before', case)]:.1f} | {medians[('now', case)]:.1f} |")
        ratios = {}
        for check in checks:
            values = [medians[(check, case)] for case in cases]
            ratios[check] = max(values) / max(min(values), 1e-6)
        print(f"| slowest / fastest | {ratios['before']:.1f} | {ratios['now']:.2f} |")
        return 0 if ratios["now"] <= 1.2 else 1
    finally:
        repository.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--roles", type=int, default=400, help="posts at most (all clients)")
    parser.add_argument("--kill-after", type=int, default=None,
                        help="SIGKILL once this many posts were acknowledged (default: half)")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--login-timing", type=int, default=0, metavar="ROUNDS",
                        help="measure failed logins instead (see above)")
    args = parser.parse_args()
    if args.login_timing:
        return login_timing(args.login_timing)
    kill_after = args.kill_after if args.kill_after is not None else args.roles // 2
    result = run(args.clients, args.roles, kill_after, args.db, args.time_limit)
    backend = "sqlite" if result.pop("backend") == 0.0 else "postgresql"
    print(f"| measure ({backend}) | value |")
    print("|---|---|")
    for key, value in result.items():
        shown = f"{value:.1f}" if isinstance(value, float) else str(value)
        print(f"| {key} | {shown} |")
    return 1 if result["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
