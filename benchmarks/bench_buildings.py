"""Benchmark (f): buildings baselines in ecocity against eemeter 2.10.11 and eemeter 4.x.

Work (issue 5), one meter-year, the same data on every side:

1. daily CalTRACK 2.0 fit: ours ``ecocity.buildings.caltrack.fit_daily`` (daily use + hourly
   temperature, daily means computed inside) against eemeter 2.10.11's
   ``fit_caltrack_usage_per_day_model`` on its CalTRACK design matrix
   (``benchmarks/peers/eemeter2_fit.py`` in ``benchmarks/.venv-eemeter2``) and eemeter 4.x's
   ``DailyModel(model="legacy")`` (``benchmarks/peers/eemeter4_fit.py daily`` in
   ``benchmarks/.venv-eemeter4``); fits per second and the selected model (type, balance points,
   coefficients) against eemeter 2.10.11;
2. hourly CalTRACK 2.0 (time-of-week-and-temperature, three-month weighted segments): ours
   ``ecocity.buildings.hourly.fit_hourly`` against eemeter 4.x's ``HourlyCaltrackModel`` and
   eemeter 2.10.11's CalTRACK hourly pipeline (``eemeter2_fit.py --hourly``); the temperature-bin
   endpoints and occupancy of every segment compared with eemeter 2.10.11 (CalTRACK 2.0: one set
   of bins per segment; eemeter 4 fits occupied and unoccupied bins separately, also reported);
3. a 10 000-meter daily portfolio: synthetic meter-years (known CalTRACK models; generated in the
   workers) fitted with ``fit_daily`` through ``ecocity.compute.run_tasks`` on 2 workers, in a
   child process; the share of meters whose true model type is recovered.

The meter-year is the baseline year of eemeter's shipped ``il-electricity-cdd-hdd-hourly`` sample
(simulated, Apache-2.0), exported by the eemeter 4 peer; daily use is its UTC-day sum. Without
``benchmarks/.venv-eemeter4`` a synthetic meter-year is used instead. A missing peer environment
is skipped with a message (``sh benchmarks/peers/eemeter_env.sh`` creates both).
Environment: ``BENCH_BUILDINGS_METERS`` (default 10000), ``BENCH_BUILDINGS_PEERS=0`` skips the peers.

Figure of merit: the fastest peer's seconds per daily fit / ours; target (issue 5): ≥ 100× on daily
and on hourly fits with the same selected models, and the 10 000-meter portfolio < 300 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ROOT = HERE.parent
EEMETER2 = HERE / ".venv-eemeter2" / "bin" / "python"
EEMETER4 = HERE / ".venv-eemeter4" / "bin" / "python"
PEER2_SCRIPT = HERE / "peers" / "eemeter2_fit.py"
PEER4_SCRIPT = HERE / "peers" / "eemeter4_fit.py"
RUN_PEERS = os.environ.get("BENCH_BUILDINGS_PEERS", "1") != "0"
N_METERS = int(os.environ.get("BENCH_BUILDINGS_METERS", "10000"))
PEER_TIMEOUT_S = float(os.environ.get("BENCH_PEER_TIMEOUT_S", "1800"))
CHUNK = 250  # meters per portfolio task
TARGET_RATIO = 100.0
TARGET_PORTFOLIO_S = 300.0
F_PER_C = 1.8


# --- data -----------------------------------------------------------------------------------------


def _synthetic_year(path: Path) -> str:
    """A synthetic hourly meter-year (heating 12 °C, cooling 20 °C) when eemeter 4 is missing."""
    rng = np.random.default_rng(5)
    index = pd.date_range("2021-01-01", periods=8760, freq="h", tz="UTC")
    doy = index.dayofyear.to_numpy()
    hour = index.hour.to_numpy()
    t = 12.0 - 15.0 * np.cos(2 * np.pi * (doy - 15) / 365) - 4.0 * np.cos(2 * np.pi * (hour - 3) / 24)
    t = t + rng.normal(0, 2.0, t.size)
    occupied = (index.dayofweek.to_numpy() < 5) & (hour >= 8) & (hour < 19)
    use = 0.5 + 0.6 * occupied + 0.08 * np.maximum(12 - t, 0) + 0.15 * np.maximum(t - 20, 0)
    use = np.maximum(use + rng.normal(0, 0.1, t.size), 0.01)
    stamp = index.strftime("%Y-%m-%dT%H:%M:%S%z")
    pd.DataFrame({"start": stamp, "value": use}).to_csv(path / "hourly_meter.csv", index=False)
    pd.DataFrame({"start": stamp, "temperature_c": t}).to_csv(path / "hourly_temperature.csv", index=False)
    return "synthetic meter-year (eemeter 4 environment missing)"


def _meter_year(path: Path) -> str:
    """hourly_meter.csv, hourly_temperature.csv and daily_meter.csv in ``path``; returns its name."""
    name = None
    if RUN_PEERS and EEMETER4.exists():
        done = subprocess.run([str(EEMETER4), str(PEER4_SCRIPT), "export-hourly-sample", str(path)],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode == 0:
            name = "eemeter sample il-electricity-cdd-hdd-hourly, baseline year " + done.stdout.strip()
    if name is None:
        name = _synthetic_year(path)
    hourly, _ = _read_hourly(path)
    daily = hourly.resample("D").sum(min_count=24)
    pd.DataFrame({"start": daily.index.strftime("%Y-%m-%dT%H:%M:%S%z"), "value": daily.to_numpy()}).to_csv(
        path / "daily_meter.csv", index=False)
    return name


def _read_hourly(path: Path) -> tuple[pd.Series, pd.Series]:
    m = pd.read_csv(path / "hourly_meter.csv")
    t = pd.read_csv(path / "hourly_temperature.csv")
    usage = pd.Series(m["value"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(m["start"], utc=True)),
                      name="value")  # fmt: skip
    temp = pd.Series(t["temperature_c"].to_numpy(float), index=pd.DatetimeIndex(pd.to_datetime(t["start"], utc=True)),
                     name="temperature_c")  # fmt: skip
    return usage, temp


# --- ours -----------------------------------------------------------------------------------------


def _timed(fn, repeat: int) -> tuple[object, float, float]:
    """(result, first-call seconds, median seconds of ``repeat`` further calls)."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, first, float(np.median(times))


def run_ours(path: Path) -> dict:
    from ecocity.buildings.caltrack import fit_daily

    usage, temp = _read_hourly(path)
    daily = usage.resample("D").sum(min_count=24)
    model, first, warm = _timed(lambda: fit_daily(daily, temp), 30)
    out = {"daily": {"first_s": first, "s_per_fit": warm, "model": _daily_summary(model)}}
    try:
        from ecocity.buildings.hourly import fit_hourly
    except ImportError:
        out["hourly"] = None
        return out
    hourly, first, warm = _timed(lambda: fit_hourly(usage, temp), 5)
    segments = {
        s.name: {"occupied_bin_endpoints_f": [round(x * F_PER_C + 32.0, 6) for x in s.bin_endpoints_c],
                 "occupancy": [bool(x) for x in np.asarray(s.occupancy)]}
        for s in hourly.segments
    }  # fmt: skip
    out["hourly"] = {"first_s": first, "s_per_fit": warm, "segments": segments}
    return out


def _daily_summary(m) -> dict:
    return {
        "model_type": m.model_type, "heating_balance_c": m.heating_balance_c, "cooling_balance_c": m.cooling_balance_c,
        "intercept_kwh_per_d": m.intercept_kwh_per_d, "beta_hdd_kwh_per_c_day": m.beta_hdd_kwh_per_c_day,
        "beta_cdd_kwh_per_c_day": m.beta_cdd_kwh_per_c_day, "adj_r_squared": m.adj_r_squared,
    }  # fmt: skip


# --- peers ----------------------------------------------------------------------------------------


def _peer(python: Path, args: list[str], label: str) -> tuple[dict | None, str]:
    if not RUN_PEERS:
        return None, f"{label}: skipped (BENCH_BUILDINGS_PEERS=0)"
    if not python.exists():
        return None, f"{label}: peer environment missing (run `sh benchmarks/peers/eemeter_env.sh`)"
    try:
        done = subprocess.run([str(python), *args], capture_output=True, text=True, timeout=PEER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"{label}: exceeded {PEER_TIMEOUT_S:.0f} s (BENCH_PEER_TIMEOUT_S)"
    if done.returncode != 0:
        return None, f"{label} failed: " + " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


_EEMETER2_NAMES = {"cdd_hdd": "hdd_cdd", "hdd_only": "hdd_only", "cdd_only": "cdd_only",
                   "intercept_only": "intercept_only"}  # fmt: skip


def same_daily_model(ours: dict, ref: dict) -> dict:
    """Model type, balance points (same grid point) and coefficients within 1 % of eemeter 2.10.11."""
    same_type = ours["model_type"] == _EEMETER2_NAMES.get(ref.get("model_type"), ref.get("model_type"))
    same_bp = all(
        (ref[f"{s}_balance_c"] is None and ours[f"{s}_balance_c"] is None)
        or (ref[f"{s}_balance_c"] is not None and ours[f"{s}_balance_c"] is not None
            and abs(ref[f"{s}_balance_c"] - ours[f"{s}_balance_c"]) < 1e-9)
        for s in ("heating", "cooling")
    )  # fmt: skip
    rel = {}
    for ours_key, ref_key in (("intercept_kwh_per_d", "intercept_per_d"), ("beta_hdd_kwh_per_c_day", "beta_hdd_per_c_day"),
                              ("beta_cdd_kwh_per_c_day", "beta_cdd_per_c_day")):  # fmt: skip
        r = ref.get(ref_key)
        if r:
            rel[ours_key] = abs(ours[ours_key] - r) / abs(r)
    return {"same_type": bool(same_type), "same_balance_points": bool(same_bp), "coefficient_rel_diff": rel,
            "same": bool(same_type and same_bp and all(v <= 0.01 for v in rel.values()))}  # fmt: skip


def compare_hourly(ours: dict, peer: dict) -> dict:
    """Per segment: our temperature-bin endpoints against eemeter's occupied and unoccupied bins
    (eemeter fits the two separately; ours one set), and the hours of the week whose occupancy differs."""
    rows = {}
    for name, seg in peer["segments"].items():
        mine = ours["segments"].get(name)
        if mine is None:
            rows[name] = None
            continue
        bins = [float(x) for x in mine["occupied_bin_endpoints_f"]]
        occ = np.asarray(peer["occupancy"][name], bool)
        rows[name] = {
            "ours_bins_f": bins,
            "eemeter_occupied_bins_f": seg["occupied_bin_endpoints_f"],
            "eemeter_unoccupied_bins_f": seg["unoccupied_bin_endpoints_f"],
            "bins_equal_unoccupied": bins == [float(x) for x in seg["unoccupied_bin_endpoints_f"]],
            "bins_equal_occupied": bins == [float(x) for x in seg["occupied_bin_endpoints_f"]],
            "occupied_hours_ours": int(np.sum(mine["occupancy"])), "occupied_hours_eemeter": int(occ.sum()),
            "occupancy_hours_differing": int(np.sum(occ != np.asarray(mine["occupancy"], bool))),
        }  # fmt: skip
    found = [r for r in rows.values() if r]
    same = len(found) == len(rows) and all(
        (r["bins_equal_unoccupied"] and r["bins_equal_occupied"]) and r["occupancy_hours_differing"] == 0 for r in found)
    return {"segments": rows, "same": bool(same),
            "segments_bins_equal_unoccupied": sum(r["bins_equal_unoccupied"] for r in found),
            "segments_bins_equal_occupied": sum(r["bins_equal_occupied"] for r in found),
            "occupancy_hours_differing_total": sum(r["occupancy_hours_differing"] for r in found)}  # fmt: skip


def compare_hourly_reference(ours: dict, peer: dict) -> dict:
    """Against eemeter 2.10.11 (CalTRACK 2.0: one set of bins per segment): bins equal and the
    hours of the week whose occupancy differs, per segment."""
    rows = {}
    for name, seg in peer["segments"].items():
        mine = ours["segments"].get(name)
        if mine is None:
            rows[name] = None
            continue
        occ = np.asarray(peer["occupancy"][name], bool)
        rows[name] = {
            "bins_equal": [float(x) for x in mine["occupied_bin_endpoints_f"]] == [float(x) for x in seg["bin_endpoints_f"]],
            "occupancy_hours_differing": int(np.sum(occ != np.asarray(mine["occupancy"], bool))),
        }  # fmt: skip
    found = [r for r in rows.values() if r]
    return {"segments": len(rows), "segments_bins_equal": sum(r["bins_equal"] for r in found),
            "occupancy_hours_differing_total": sum(r["occupancy_hours_differing"] for r in found),
            "same": len(found) == len(rows) and all(r["bins_equal"] and r["occupancy_hours_differing"] == 0
                                                    for r in found)}  # fmt: skip


# --- portfolio ------------------------------------------------------------------------------------


def _portfolio_temperature() -> pd.Series:
    """One year of daily mean temperature with a Beijing-like cycle (−3 °C January, 27 °C July). [°C]"""
    rng = np.random.default_rng(2026)
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    doy = np.arange(365)
    return pd.Series(12.0 - 15.0 * np.cos(2 * np.pi * (doy - 15) / 365) + rng.normal(0, 3.0, 365), index=days)


def _portfolio_chunk(seed: int, n: int) -> tuple[int, int, float]:
    """Generate ``n`` synthetic meters (random CalTRACK model and coefficients), fit each; returns
    (meters fitted, true model type recovered, seconds fitting)."""
    from ecocity.buildings.caltrack import fit_daily

    t = _portfolio_temperature()
    tv = t.to_numpy()
    rng = np.random.default_rng(seed)
    kinds = ("intercept_only", "hdd_only", "cdd_only", "hdd_cdd")
    recovered, fit_s = 0, 0.0
    for _ in range(n):
        kind = kinds[rng.integers(4)]
        base = rng.uniform(50, 2000)
        hb, cb = rng.uniform(10, 16), rng.uniform(18, 24)
        bh = base * rng.uniform(0.02, 0.08) if kind in ("hdd_only", "hdd_cdd") else 0.0
        bc = base * rng.uniform(0.03, 0.10) if kind in ("cdd_only", "hdd_cdd") else 0.0
        y = base + bh * np.maximum(hb - tv, 0) + bc * np.maximum(tv - cb, 0)
        y = y * (1 + rng.normal(0, 0.05, y.size))
        start = time.perf_counter()
        model = fit_daily(pd.Series(y, index=t.index, name="value"), t)
        fit_s += time.perf_counter() - start
        recovered += model.model_type == kind
    return n, recovered, fit_s


def _portfolio_main(n_meters: int) -> None:
    from ecocity.compute import Task, run_tasks

    chunks = [(1000 + i, min(CHUNK, n_meters - i * CHUNK)) for i in range((n_meters + CHUNK - 1) // CHUNK)]
    start = time.perf_counter()
    results = run_tasks(_portfolio_chunk, [Task(args=c) for c in chunks], workers=2)
    wall = time.perf_counter() - start
    print(json.dumps({"meters": sum(r[0] for r in results), "recovered": sum(r[1] for r in results),
                      "fit_s": sum(r[2] for r in results), "wall_s": wall, "workers": 2}))  # fmt: skip


def run_portfolio(n_meters: int = N_METERS) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--portfolio", str(n_meters)],
                          capture_output=True, text=True, cwd=ROOT, timeout=3600)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError("portfolio failed: " + (done.stderr or done.stdout)[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- run ------------------------------------------------------------------------------------------


def run() -> dict:
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        data = _meter_year(path)
        ours = run_ours(path)
        daily_csv, hourly_csv, temp_csv = (str(path / f) for f in ("daily_meter.csv", "hourly_meter.csv",
                                                                   "hourly_temperature.csv"))  # fmt: skip
        e2, msg2 = _peer(EEMETER2, [str(PEER2_SCRIPT), daily_csv, temp_csv, "--repeat", "1"], "eemeter 2.10.11")
        e4d, msg4d = _peer(EEMETER4, [str(PEER4_SCRIPT), "daily", daily_csv, temp_csv, "--repeat", "3"],
                           "eemeter 4 daily (legacy)")  # fmt: skip
        e4h, msg4h = _peer(EEMETER4, [str(PEER4_SCRIPT), "hourly", hourly_csv, temp_csv, "--repeat", "1"],
                           "eemeter 4 hourly")  # fmt: skip
        e2h, msg2h = _peer(EEMETER2, [str(PEER2_SCRIPT), hourly_csv, temp_csv, "--hourly"], "eemeter 2.10.11 hourly")
    notes += [m for m in (msg2, msg4d, msg4h, msg2h) if m]
    portfolio = run_portfolio()

    ours_daily = ours["daily"]["s_per_fit"]
    peers_daily = {}
    if e2:
        peers_daily["eemeter 2.10.11"] = e2["wall_s_per_fit"]
    if e4d:
        peers_daily["eemeter 4 legacy (warm)"] = e4d["wall_s_min"]
    fastest = min(peers_daily, key=peers_daily.get) if peers_daily else None
    daily_ratio = peers_daily[fastest] / ours_daily if fastest else None
    same_daily = same_daily_model(ours["daily"]["model"], e2) if e2 else None

    hourly = ours.get("hourly")
    peers_hourly = {}
    if e4h:
        peers_hourly["eemeter 4 HourlyCaltrackModel"] = e4h["wall_s_per_fit"]
    if e2h:
        peers_hourly["eemeter 2.10.11 CalTRACK hourly"] = e2h["wall_s_per_fit"]
    fastest_h = min(peers_hourly, key=peers_hourly.get) if peers_hourly else None
    hourly_ratio = peers_hourly[fastest_h] / hourly["s_per_fit"] if (fastest_h and hourly) else None
    vs_e4 = compare_hourly(hourly, e4h) if (e4h and hourly) else None
    same_hourly = compare_hourly_reference(hourly, e2h) if (e2h and hourly) else None
    if hourly is None:
        notes.append("ours hourly: ecocity.buildings.hourly not importable")

    met = bool(
        daily_ratio is not None and daily_ratio >= TARGET_RATIO and (same_daily or {}).get("same")
        and hourly_ratio is not None and hourly_ratio >= TARGET_RATIO and (same_hourly or {}).get("same")
        and portfolio["wall_s"] < TARGET_PORTFOLIO_S and portfolio["meters"] >= 10_000
    )  # fmt: skip
    return {
        "name": "buildings: CalTRACK daily/hourly fits vs eemeter",
        "ours_s": ours_daily,
        "peer": fastest or "eemeter (not installed)",
        "peer_s": peers_daily.get(fastest) if fastest else None,
        "ratio": daily_ratio,
        "metric": "fastest peer s per daily fit / ours",
        "target": f">= {TARGET_RATIO:.0f}x daily and hourly, same models; {N_METERS} meters < {TARGET_PORTFOLIO_S:.0f} s",
        "met": met,
        "data": data,
        "daily": {"ours": ours["daily"], "peers_s_per_fit": peers_daily, "eemeter2": e2,
                  "eemeter4_legacy": e4d, "same_as_eemeter2": same_daily},  # fmt: skip
        "hourly": {"ours_s_per_fit": None if hourly is None else hourly["s_per_fit"],
                   "ours_first_s": None if hourly is None else hourly["first_s"],
                   "peers_s_per_fit": peers_hourly, "fastest_peer": fastest_h, "ratio": hourly_ratio,
                   "same_as_eemeter2": same_hourly, "comparison_eemeter4": vs_e4},  # fmt: skip
        "portfolio": portfolio,
        "notes": "; ".join(notes),
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--portfolio":
        _portfolio_main(int(sys.argv[2]) if len(sys.argv) > 2 else N_METERS)
    else:
        print(json.dumps(run(), indent=2, default=str))
