"""CalTRACK 2.0 daily/billing fits with eemeter 2.10.11 (run with ``benchmarks/.venv-eemeter2``).

Two uses:

``eemeter2_fit.py METER.csv TEMPERATURE.csv [--billing] [--repeat N] [--grid-step-f S]``
    Fit one meter and print one JSON line: selected model, balance points (°F and °C),
    coefficients (per °F-day as eemeter reports them and per °C-day), metrics, and the wall time
    per fit (design matrix + fit, mean of ``N`` repeats). METER.csv: columns ``start`` (ISO
    timestamp, interval start) and ``value`` (use in the interval [kWh]; for ``--billing`` the
    last row's start closes the previous period, as in eemeter's billing format, its value NaN).
    TEMPERATURE.csv: columns ``start`` (hourly ISO timestamps) and ``temperature_c`` [°C];
    converted to °F for eemeter at this edge.

``eemeter2_fit.py METER.csv TEMPERATURE.csv --hourly``
    The CalTRACK 2.0 hourly model (eemeter 2.10.11's pipeline, three-month weighted segments) on
    an hourly meter; prints the temperature-bin endpoints and occupancy per segment and the wall time.

``eemeter2_fit.py --export-samples OUTDIR --hourly``
    The baseline year of the ``il-electricity-cdd-hdd-hourly`` sample (usage and temperature in
    one gzipped CSV) and eemeter 2.10.11's CalTRACK hourly bins and occupancy on it (JSON).

``eemeter2_fit.py --export-samples OUTDIR``
    Export eemeter's shipped daily and billing sample meters (baseline year before the blackout
    date, ``get_baseline_data(max_days=365)``) as small CSVs in °C, fit each with
    ``fit_caltrack_usage_per_day_model`` on eemeter's CalTRACK design matrix (balance points
    30–90 °F in 1 °F steps, and again restricted to a 3 °F step), and write the results as JSON
    fixtures (``tests/data/buildings/eemeter/``).

eemeter is Apache-2.0 (OpenEEmeter contributors); its sample data are simulated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import eemeter  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from eemeter.features import compute_temperature_features, compute_usage_per_day_feature, merge_features  # noqa: E402

GRID_F = range(30, 91)
TOP_CANDIDATES = 10


def f_to_c(t_f):
    return (np.asarray(t_f, dtype=float) - 32.0) / 1.8


def design_matrix(meter_data, temperature_f, billing: bool, step_f: int = 1):
    """eemeter's create_caltrack_{daily,billing}_design_matrix with a chosen balance-point step."""
    grid = range(30, 91, step_f)
    usage = compute_usage_per_day_feature(meter_data, series_name="meter_value")
    kwargs = {"tolerance": pd.Timedelta("35D")} if billing else {}
    features = compute_temperature_features(meter_data.index, temperature_f, heating_balance_points=grid,
                                            cooling_balance_points=grid, data_quality=True, **kwargs)
    return merge_features([usage, features])


def fit(dm, billing: bool, fit_cdd: bool = True):
    if billing:
        return eemeter.fit_caltrack_usage_per_day_model(dm, fit_cdd=fit_cdd, use_billing_presets=True,
                                                        weights_col="n_days_kept")
    return eemeter.fit_caltrack_usage_per_day_model(dm, fit_cdd=fit_cdd)


def summarise(result, with_candidates: bool = False) -> dict:
    """The selected model in °F (eemeter's) and °C units, its metrics and the candidates."""
    model = result.model
    out = {"status": result.status, "interval": result.interval}
    if model is None:
        return out
    p = model.model_params
    hbp, cbp = p.get("heating_balance_point"), p.get("cooling_balance_point")
    bh, bc = p.get("beta_hdd"), p.get("beta_cdd")
    m = result.avgs_metrics
    out.update({
        "model_type": model.model_type,
        "heating_balance_f": hbp, "cooling_balance_f": cbp,
        "heating_balance_c": None if hbp is None else float(f_to_c(hbp)),
        "cooling_balance_c": None if cbp is None else float(f_to_c(cbp)),
        "intercept_per_d": p["intercept"],
        "beta_hdd_per_f_day": bh, "beta_cdd_per_f_day": bc,
        "beta_hdd_per_c_day": None if bh is None else bh * 1.8,
        "beta_cdd_per_c_day": None if bc is None else bc * 1.8,
        "r_squared_adj": result.r_squared_adj,
        "r_squared": m.r_squared, "cvrmse": m.cvrmse, "cvrmse_adj": m.cvrmse_adj, "nmbe": m.nmbe,
        "observed_length": m.observed_length, "n_candidates": len(result.candidates),
        "n_qualified": sum(c.status == "QUALIFIED" for c in result.candidates),
    })  # fmt: skip
    if with_candidates:
        # the best qualified candidates only (the disqualified ones number thousands): type, hbp °F, cbp °F,
        # adjusted R², intercept, beta_hdd and beta_cdd per °F-day
        rows = []
        for c in result.candidates:
            if c.status != "QUALIFIED":
                continue
            q = c.model_params
            rows.append([c.model_type, q.get("heating_balance_point"), q.get("cooling_balance_point"),
                         round(c.r_squared_adj, 10), q.get("intercept"), q.get("beta_hdd"), q.get("beta_cdd")])
        rows.sort(key=lambda r: -r[3])
        rows = rows[:TOP_CANDIDATES]
        out["qualified_candidates_columns"] = ["model_type", "heating_balance_f", "cooling_balance_f",
                                               "r_squared_adj", "intercept_per_d", "beta_hdd_per_f_day",
                                               "beta_cdd_per_f_day"]
        out["qualified_candidates"] = rows
    return out


def export_temperature(outdir: Path, baseline, temp_f) -> None:
    """Daily mean temperature [°C] as eemeter computes it from the hourly series (> 12 of 24 hours),
    over the samples' baseline window ± 70 days, on UTC days (the daily samples' days) and on
    UTC−6 days (06:00 UTC, the billing samples' period boundaries: eemeter groups a period's hours
    in 24-hour blocks from its start)."""
    for label, offset in (("utc", "0H"), ("utc-6", "6H")):
        days = pd.date_range(baseline.index[0].floor("D") - pd.Timedelta("70D"),
                             baseline.index[-1].floor("D") + pd.Timedelta("70D"), freq="D", tz="UTC")
        days = days + pd.Timedelta(offset)
        tf = compute_temperature_features(days, temp_f, data_quality=True)
        pd.DataFrame({"date": days[:-1].strftime("%Y-%m-%d"),
                      "temperature_mean_c": f_to_c(tf["temperature_mean"].to_numpy()[:-1]),
                      "hours": tf["temperature_not_null"].to_numpy()[:-1]}
                     ).to_csv(outdir / f"il-temperature-daily-{label}.csv", index=False, float_format="%.10g")


def export_samples(outdir: Path, temperature_only: bool = False) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    names = [s for s in eemeter.samples() if not s.endswith("-hourly")]
    if temperature_only:
        meter, temp_f, meta = eemeter.load_sample(names[0])
        baseline, _ = eemeter.get_baseline_data(meter, end=meta["blackout_start_date"], max_days=365)
        export_temperature(outdir, baseline, temp_f)
        return
    hourly_written = False
    index = {}
    for name in names:
        meter, temp_f, meta = eemeter.load_sample(name)
        billing = meta["freq"] != "daily"
        baseline, _ = eemeter.get_baseline_data(meter, end=meta["blackout_start_date"], max_days=365)
        dm = design_matrix(baseline, temp_f, billing)
        gas = meta["interpretation"] == "gas"  # CalTRACK: no CDD models for gas
        result = fit(dm, billing, fit_cdd=not gas)
        out = summarise(result, with_candidates=True)
        out["fit_cdd"] = not gas
        dm3 = design_matrix(baseline, temp_f, billing, step_f=3)
        out["grid_3f"] = summarise(fit(dm3, billing, fit_cdd=not gas))
        if gas:
            out["with_cdd"] = summarise(fit(dm, billing, fit_cdd=True))
        out["sample"] = name
        out["unit"] = meta["unit"]
        out["freq"] = meta["freq"]
        out["grid"] = "balance points 30-90 degF, 1 degF step (eemeter create_caltrack_*_design_matrix)"
        out["eemeter_version"] = eemeter.get_version()
        if billing:
            periods = pd.DataFrame({
                "start": baseline.index[:-1].strftime("%Y-%m-%dT%H:%M:%S%z"),
                "end": baseline.index[1:].strftime("%Y-%m-%dT%H:%M:%S%z"),
                "usage": baseline["value"].to_numpy()[:-1],
                "n_days": np.diff(baseline.index.view("int64")) / 86400e9,
                "n_days_kept": dm["n_days_kept"].to_numpy()[:-1],
                "usage_per_d": dm["meter_value"].to_numpy()[:-1],
                "temperature_mean_c": f_to_c(dm["temperature_mean"].to_numpy()[:-1]),
            })  # fmt: skip
            periods.to_csv(outdir / f"{name}.periods.csv", index=False, float_format="%.10g")
            # eemeter's per-period mean degree days (its 35-day temperature-matching tolerance means
            # a bimonthly period's degree days come from its first 35 days of hourly temperature)
            dd = dm[[c for c in dm.columns if c.startswith(("hdd_", "cdd_"))]].iloc[:-1]
            dd.index = periods["start"]
            dd.to_csv(outdir / f"{name}.degree_days_f.csv", float_format="%.10g")
        else:
            daily = pd.DataFrame({
                "date": dm.index.strftime("%Y-%m-%d"),
                "usage_per_d": dm["meter_value"].to_numpy(),
                "temperature_mean_c": f_to_c(dm["temperature_mean"].to_numpy()),
            })  # fmt: skip
            daily.to_csv(outdir / f"{name}.daily.csv", index=False, float_format="%.10g")
        if not hourly_written:
            export_temperature(outdir, baseline, temp_f)
            hourly_written = True
        (outdir / f"{name}.eemeter2.json").write_text(json.dumps(out, indent=1) + "\n")
        index[name] = {k: out.get(k) for k in ("model_type", "heating_balance_f", "cooling_balance_f")}
        print(name, index[name], file=sys.stderr)


def fit_files(meter_csv: str, temperature_csv: str, billing: bool, repeat: int, step_f: int) -> dict:
    meter = pd.read_csv(meter_csv, parse_dates=["start"]).set_index("start")[["value"]]
    if meter.index.tz is None:
        meter.index = meter.index.tz_localize("UTC")
    temp = pd.read_csv(temperature_csv, parse_dates=["start"]).set_index("start")["temperature_c"]
    if temp.index.tz is None:
        temp.index = temp.index.tz_localize("UTC")
    temp_f = temp * 1.8 + 32.0
    temp_f = temp_f.asfreq("H")
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        dm = design_matrix(meter, temp_f, billing, step_f)
        result = fit(dm, billing)
        times.append(time.perf_counter() - start)
    out = summarise(result)
    out.update({"wall_s_per_fit": float(np.mean(times)), "wall_s_min": float(np.min(times)), "repeat": len(times),
                "eemeter_version": eemeter.get_version(), "grid_step_f": step_f})
    return out


def fit_hourly_files(meter_csv: str, temperature_csv: str) -> dict:
    """eemeter 2.10.11's CalTRACK 2.0 hourly pipeline (three-month weighted segments, one set of
    temperature bins per segment, occupancy threshold 0.65); bins, occupancy and wall time."""
    meter = pd.read_csv(meter_csv)
    meter.index = pd.DatetimeIndex(pd.to_datetime(meter["start"], utc=True))
    meter = meter[["value"]].asfreq("H")
    temp = pd.read_csv(temperature_csv)
    temp.index = pd.DatetimeIndex(pd.to_datetime(temp["start"], utc=True))
    temp_f = (temp["temperature_c"] * 1.8 + 32.0).asfreq("H")
    start = time.perf_counter()
    pdm = eemeter.create_caltrack_hourly_preliminary_design_matrix(meter, temp_f)
    segmentation = eemeter.segment_time_series(pdm.index, "three_month_weighted")
    occupancy = eemeter.estimate_hour_of_week_occupancy(pdm, segmentation=segmentation)
    bins = eemeter.fit_temperature_bins(pdm, segmentation=segmentation)
    matrices = eemeter.create_caltrack_hourly_segmented_design_matrices(pdm, segmentation, occupancy, bins)
    eemeter.fit_caltrack_hourly_model(matrices, occupancy, bins)
    wall = time.perf_counter() - start
    segments = {name: {"bin_endpoints_f": [int(k) for k, on in bins[name].items() if on],
                       "occupied_hours_of_week": int(np.asarray(occupancy[name]).sum())} for name in bins.columns}
    return {"peer": "eemeter", "version": eemeter.get_version(), "model": "CalTRACK hourly (three_month_weighted)",
            "segments": segments, "occupancy": {k: [bool(x) for x in occupancy[k]] for k in occupancy.columns},
            "wall_s_per_fit": wall, "repeat": 1}


def export_hourly_sample(outdir: Path) -> None:
    """The baseline year of ``il-electricity-cdd-hdd-hourly`` (365 days before the blackout date)
    as one gzipped CSV (``start``, ``value`` [kWh], ``temperature_c`` [°C]) and eemeter 2.10.11's
    CalTRACK hourly bins and occupancy on it as JSON."""
    meter, temp_f, meta = eemeter.load_sample("il-electricity-cdd-hdd-hourly")
    end = meta["blackout_start_date"]
    start = end - pd.Timedelta("365D")
    meter = meter[(meter.index >= start) & (meter.index < end)]
    temp_f = temp_f[(temp_f.index >= start) & (temp_f.index < end)].reindex(meter.index)
    outdir.mkdir(parents=True, exist_ok=True)
    csv = outdir / "il-electricity-cdd-hdd-hourly.csv.gz"
    pd.DataFrame({"start": meter.index.strftime("%Y-%m-%dT%H:%M:%S%z"), "value": meter["value"].to_numpy(),
                  "temperature_c": f_to_c(temp_f.to_numpy())}).to_csv(csv, index=False, float_format="%.8g")
    tmp_meter, tmp_temp = outdir / "_meter.csv", outdir / "_temperature.csv"
    frame = pd.read_csv(csv)
    frame[["start", "value"]].to_csv(tmp_meter, index=False)
    frame[["start", "temperature_c"]].to_csv(tmp_temp, index=False)
    try:
        out = fit_hourly_files(str(tmp_meter), str(tmp_temp))
    finally:
        tmp_meter.unlink()
        tmp_temp.unlink()
    out["occupancy"] = {k: "".join("1" if x else "0" for x in v) for k, v in out["occupancy"].items()}
    out.pop("wall_s_per_fit")
    out.pop("repeat")
    out["sample"] = "il-electricity-cdd-hdd-hourly"
    out["occupancy_note"] = "168 characters per segment, hour of week 0 = Monday 00:00 UTC, 1 = occupied"
    (outdir / "il-electricity-cdd-hdd-hourly.eemeter2.json").write_text(json.dumps(out, indent=1) + "\n")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("meter", nargs="?")
    ap.add_argument("temperature", nargs="?")
    ap.add_argument("--billing", action="store_true")
    ap.add_argument("--hourly", action="store_true", help="the CalTRACK hourly model (METER.csv hourly)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--grid-step-f", type=int, default=1)
    ap.add_argument("--export-samples")
    ap.add_argument("--temperature-only", action="store_true", help="with --export-samples: the temperature CSVs")
    a = ap.parse_args(argv)
    if a.export_samples and a.hourly:
        export_hourly_sample(Path(a.export_samples))
        return 0
    if a.export_samples:
        export_samples(Path(a.export_samples), a.temperature_only)
        return 0
    if not (a.meter and a.temperature):
        ap.error("METER.csv and TEMPERATURE.csv are required")
    if a.hourly:
        print(json.dumps(fit_hourly_files(a.meter, a.temperature)))
        return 0
    print(json.dumps(fit_files(a.meter, a.temperature, a.billing, a.repeat, a.grid_step_f)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
