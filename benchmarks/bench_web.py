"""Load on the dashboard: many concurrent logged-in readers on its main pages, served locally.

The server is the real app (``ecocity.web.app.create_app``) under uvicorn in a subprocess, with
1 and with 2 worker processes, over a temporary workspace holding the Tongzhou example district
whose latest results are the trimmed document of ``tests/web/data/results_tongzhou.json`` (its
stormwater, wastewater-plant and building-portfolio sections; its store holds no run, so the
runs page lists an empty history). ``CLIENTS``
readers (each its own ``httpx.AsyncClient``, i.e. its own keep-alive connection, in the editor's
session) request the pages of :data:`PAGES` in turn for ``DURATION_S`` seconds, after a short
warm-up; every answer must be a 200. Reported per page and overall: requests, throughput [req/s]
and the 50th/95th percentile latency [ms].

The load generator runs on the same machine as the server (it takes one core's share itself), so
the figures are a floor for a dedicated server. No think time: each reader sends its next request
as soon as the previous one is answered (a closed-loop stress, not a model of human readers).

Run: ``.venv/bin/python benchmarks/bench_web.py [--clients 50] [--duration 20] [--workers 1 2]``
or through ``benchmarks/run_all.py bench_web`` (environment ``BENCH_WEB_CLIENTS``,
``BENCH_WEB_DURATION_S``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).parents[1]
TONGZHOU = ROOT / "examples" / "tongzhou"
PORTFOLIO = ROOT / "examples" / "buildings"
RESULTS = ROOT / "tests" / "web" / "data" / "results_tongzhou.json"
KEY = "tongzhou"
USER = "bench-editor"
PASSWORD = "bench correct horse 42"
SECRET = "bench-secret-key-not-for-production"

CLIENTS = int(os.environ.get("BENCH_WEB_CLIENTS", "50"))
DURATION_S = float(os.environ.get("BENCH_WEB_DURATION_S", "20"))
WARMUP_S = 3.0
WORKERS = (1, 2)
START_TIMEOUT_S = 120.0
HEALTHCHECK_S = 60
"""uvicorn's supervisor kills a worker that does not answer its ping in time (default 5 s); on a
saturated 2-core box a busy worker's ping thread misses that, the worker is restarted and its
connections drop (measured: 28 of 243 requests lost in 20 s), so the bench allows 60 s. [s]"""

PAGES = {
    "districts": "/",
    "district map": f"/districts/{KEY}",
    "map GeoJSON (API)": f"/api/districts/{KEY}/geojson",
    "compare": f"/districts/{KEY}/compare",
    "runs": "/runs",
    "district (API)": f"/api/districts/{KEY}",
}
"""The pages read, by label (a reader cycles through them, each from its own starting page)."""

FACTORY = "bench_web:app_from_environment"
REASONS: dict[str, int] = {}
"""Why requests failed (``HTTP 500``, ``ReadTimeout``, ...): counts, over the whole run."""


def app_from_environment():  # type: ignore[no-untyped-def]
    """uvicorn's app factory in each worker: the dashboard of ``$BENCH_WEB_WORKSPACE`` and
    ``$BENCH_WEB_DB`` (the secret key from ``$ECOCITY_SECRET_KEY``, shared by the workers)."""
    from ecocity.web.app import create_app
    from ecocity.web.settings import WebSettings

    return create_app(WebSettings(workspace=Path(os.environ["BENCH_WEB_WORKSPACE"]),
                                  db_url=os.environ["BENCH_WEB_DB"], workers=1))  # fmt: skip


def make_workspace(root: Path) -> tuple[Path, str]:
    """The benchmark's workspace (the Tongzhou district with its fixture results), its database
    upgraded and the editor added; returns the workspace and the database."""
    from argon2 import PasswordHasher

    from ecocity.store.migrate import upgrade
    from ecocity.web import db as web_db

    workspace = root / "workspace"
    folder = workspace / KEY
    shutil.copytree(TONGZHOU, folder, ignore=shutil.ignore_patterns("ecocity-out", "*.db"))
    (folder / "ecocity-out").mkdir()
    shutil.copy(RESULTS, folder / "ecocity-out" / "results.json")
    (folder / "buildings.toml").write_text(f'portfolio = "{PORTFOLIO.as_posix()}"\nyear = 2024\n', encoding="utf-8")
    db_url = str(root / "web.db")
    upgrade(db_url)
    database = web_db.database(db_url)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    saved, web_db._HASHER = web_db._HASHER, cheap  # the bench measures reading, not Argon2
    try:
        web_db.add_user(database, USER, PASSWORD, "editor")
    finally:
        web_db._HASHER = saved
        database.close()
    return workspace, db_url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workspace: Path, db_url: str, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """uvicorn with ``workers`` processes on a free port; returns the process and base URL."""
    port = _free_port()
    env = {**os.environ, "BENCH_WEB_WORKSPACE": str(workspace), "BENCH_WEB_DB": db_url,
           "ECOCITY_SECRET_KEY": SECRET}  # fmt: skip
    command = [sys.executable, "-m", "uvicorn", FACTORY, "--factory", "--app-dir", str(Path(__file__).parent),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--timeout-worker-healthcheck", str(HEALTHCHECK_S), "--log-level", "info", "--no-access-log"]  # fmt: skip
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/login", timeout=2.0).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"uvicorn did not answer within {START_TIMEOUT_S} s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def session_cookies(url: str) -> httpx.Cookies:
    """Log in once through the form; the session cookie is shared by every reader."""
    with httpx.Client(base_url=url, timeout=60.0) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token, "login page without a CSRF token"
        answer = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token.group(1),
                                             "next": "/"}, follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303, answer.text
        return httpx.Cookies(client.cookies)


async def _reader(client: httpx.AsyncClient, start: int, stop_at: float, record_from: float,
                  latencies: dict[str, list[float]], failures: dict[str, int]) -> None:  # fmt: skip
    labels = list(PAGES)
    i = start
    while time.monotonic() < stop_at:
        label = labels[i % len(labels)]
        i += 1
        began = time.monotonic()
        try:
            answer = await client.get(PAGES[label])
            ok = answer.status_code == 200
            why = f"HTTP {answer.status_code}"
        except httpx.HTTPError as err:
            ok, why = False, type(err).__name__
        ended = time.monotonic()
        if began < record_from:
            continue
        if ok:
            latencies[label].append(ended - began)
        else:
            failures[label] += 1
            REASONS[why] = REASONS.get(why, 0) + 1


async def _load(url: str, cookies: httpx.Cookies, clients: int, duration_s: float) -> tuple[dict, dict, float, float]:
    """The readers' latencies and failures per page, the measured seconds and the load
    generator's own CPU seconds in them (the clients are made before the clock starts: each
    httpx client builds an SSL context, ~0.1 s, which would stall the event loop)."""
    import ssl

    latencies: dict[str, list[float]] = {label: [] for label in PAGES}
    failures = {label: 0 for label in PAGES}
    tls = ssl.create_default_context()  # one context for all (plain HTTP here; never used)
    readers = [httpx.AsyncClient(base_url=url, cookies=cookies, timeout=120.0, verify=tls) for _ in range(clients)]
    try:
        now = time.monotonic()
        record_from, stop_at = now + WARMUP_S, now + WARMUP_S + duration_s
        cpu_from = time.process_time()
        await asyncio.gather(*(
            _reader(client, n, stop_at, record_from, latencies, failures) for n, client in enumerate(readers)
        ))  # fmt: skip
        measured_s = max(time.monotonic() - record_from, 1e-9)
        client_cpu_s = time.process_time() - cpu_from
    finally:
        await asyncio.gather(*(client.aclose() for client in readers))
    return latencies, failures, measured_s, client_cpu_s


def _summary(samples: list[float], failures: int, measured_s: float) -> dict:
    values = np.asarray(samples) * 1000.0
    return {
        "requests": int(values.size), "failed": int(failures),
        "throughput_req_per_s": round(values.size / measured_s, 1),
        "p50_ms": round(float(np.percentile(values, 50)), 1) if values.size else None,
        "p95_ms": round(float(np.percentile(values, 95)), 1) if values.size else None,
    }  # fmt: skip


def measure(workers: int, clients: int = CLIENTS, duration_s: float = DURATION_S) -> dict:
    """One configuration: ``workers`` uvicorn processes, ``clients`` readers for ``duration_s``."""
    with tempfile.TemporaryDirectory(prefix="ecocity-bench-web-") as tmp:
        root = Path(tmp)
        workspace, db_url = make_workspace(root)
        process, url = start_server(workspace, db_url, workers, root / "uvicorn.log")
        REASONS.clear()
        try:
            cookies = session_cookies(url)
            latencies, failures, measured_s, client_cpu_s = asyncio.run(_load(url, cookies, clients, duration_s))
        finally:
            stop_server(process)
        errors = [line for line in (root / "uvicorn.log").read_text(errors="replace").splitlines()
                  if any(w in line for w in ("Error", "error", "died", "Terminated"))][-5:]  # fmt: skip
    pages = {label: _summary(latencies[label], failures[label], measured_s) for label in PAGES}
    every = [x for label in PAGES for x in latencies[label]]
    return {"workers": workers, "clients": clients, "duration_s": round(measured_s, 1),
            "load_generator_cpu_s": round(client_cpu_s, 1), "failure_reasons": dict(REASONS),
            "server_errors": errors, "pages": pages, "all": _summary(every, sum(failures.values()), measured_s)}  # fmt: skip


def markdown(results: list[dict]) -> str:
    """The per-page table of RESULTS.md."""
    lines = ["| uvicorn workers | Page | Requests | Throughput [req/s] | p50 [ms] | p95 [ms] | Failed |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for result in results:
        rows = [*result["pages"].items(), ("**all pages**", result["all"])]
        for label, s in rows:
            lines.append(f"| {result['workers']} | {label} | {s['requests']} | {s['throughput_req_per_s']} | "
                         f"{s['p50_ms']} | {s['p95_ms']} | {s['failed']} |")  # fmt: skip
    return "\n".join(lines)


def run(workers: tuple[int, ...] = WORKERS, clients: int = CLIENTS, duration_s: float = DURATION_S) -> dict:
    """Both configurations, in the shape of ``benchmarks/run_all.py``."""
    results = [measure(n, clients, duration_s) for n in workers]
    first, last = results[0], results[-1]
    worst_p95 = max((s["p95_ms"] or 0.0) for r in results for s in r["pages"].values())
    # Closed loop without think time: latency ≈ clients / throughput (Little's law), so the p95
    # says how the server shares itself, not what one planner waits; the target is no failure.
    failed = sum(r["all"]["failed"] for r in results)
    return {
        "name": f"web_dashboard_{clients}_readers",
        "ours_s": (first["all"]["p95_ms"] or 0.0) / 1000.0,
        "peer": f"the same with {last['workers']} uvicorn workers",
        "peer_s": (last["all"]["p95_ms"] or 0.0) / 1000.0,
        "ratio": last["all"]["throughput_req_per_s"] / max(first["all"]["throughput_req_per_s"], 1e-9),
        "metric": f"throughput with {last['workers']} workers / with {first['workers']} (ours_s, peer_s: p95 over all pages)",
        "target": f"no failed request with {clients} concurrent readers",
        "met": failed == 0,
        "notes": f"worst page p95 {worst_p95:.0f} ms; {failed} failed; load generator on the same machine",
        "results": results,
    }  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--duration", type=float, default=DURATION_S, help="measured seconds per configuration")
    parser.add_argument("--workers", type=int, nargs="+", default=list(WORKERS))
    parser.add_argument("--skip", nargs="*", default=[], choices=list(PAGES), metavar="PAGE",
                        help=f"pages left out, of: {', '.join(PAGES)}")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    for label in args.skip:
        PAGES.pop(label)
    result = run(tuple(args.workers), args.clients, args.duration)
    print(json.dumps(result, indent=2) if args.json else markdown(result["results"]))
    if not args.json:
        print(f"\n{result['notes']}; target met: {result['met']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
