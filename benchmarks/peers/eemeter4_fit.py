"""eemeter 4.x daily model (legacy mode) and CalTRACK hourly model fits (run with ``benchmarks/.venv-eemeter4``).

``eemeter4_fit.py daily METER.csv TEMPERATURE.csv [--repeat N]``
    ``DailyModel(model="legacy").fit(DailyBaselineData.from_series(...))``; METER.csv: ``start``,
    ``value`` (daily use [kWh/d]); TEMPERATURE.csv: ``start``, ``temperature_c`` (hourly [°C]).
``eemeter4_fit.py hourly METER.csv TEMPERATURE.csv [--repeat N]``
    ``HourlyCaltrackModel().fit(HourlyCaltrackBaselineData.from_series(...))``: the CalTRACK 2.0
    hourly (time-of-week-and-temperature) model, three-month weighted segments; METER.csv hourly
    [kWh].
``eemeter4_fit.py export-hourly-sample OUTDIR``
    The baseline year (365 days before the blackout date) of eemeter's shipped
    ``il-electricity-cdd-hdd-hourly`` sample as ``hourly_meter.csv`` [kWh] and
    ``hourly_temperature.csv`` [°C] (eemeter: Apache-2.0; simulated data).

Prints one JSON line: the selected model, coefficients (°F as eemeter reports them, °C where
converted), metrics and wall time per fit (data object + fit; mean of N repeats). Temperatures
are converted °C → °F at this edge (eemeter works in °F).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from importlib.metadata import version
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def _read(meter_csv: str, temperature_csv: str) -> tuple[pd.Series, pd.Series]:
    meter = pd.read_csv(meter_csv)
    meter.index = pd.DatetimeIndex(pd.to_datetime(meter["start"], utc=True))
    temp = pd.read_csv(temperature_csv)
    temp.index = pd.DatetimeIndex(pd.to_datetime(temp["start"], utc=True))
    temp_f = (temp["temperature_c"] * 1.8 + 32.0).rename("temperature").asfreq("h")
    return meter["value"].rename("observed").astype(float), temp_f


def fit_daily(meter_csv: str, temperature_csv: str, repeat: int) -> dict:
    from eemeter.eemeter import DailyBaselineData, DailyModel

    meter, temp_f = _read(meter_csv, temperature_csv)
    meter = meter.asfreq("D")
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        data = DailyBaselineData.from_series(meter, temp_f, is_electricity_data=True)
        model = DailyModel(model="legacy").fit(data, ignore_disqualification=True)
        times.append(time.perf_counter() - start)
    params = model.params.model_dump(mode="json")
    submodels = {}
    for name, sub in params["submodels"].items():
        c = sub["coefficients"]
        submodels[name] = {"model_type": c.get("model_type"), "coefficients": c,
                           "temperature_constraints": sub.get("temperature_constraints")}
    legacy = model.to_2_0_dict() if hasattr(model, "to_2_0_dict") else None
    return {
        "peer": "eemeter", "version": version("eemeter"), "model": "DailyModel(model='legacy')",
        "submodels": submodels, "legacy_2_0": legacy, "error": model.error,
        "wall_s_per_fit": float(np.mean(times)), "wall_s_min": float(np.min(times)), "repeat": len(times),
    }  # fmt: skip


def fit_hourly(meter_csv: str, temperature_csv: str, repeat: int) -> dict:
    from eemeter.eemeter import HourlyCaltrackBaselineData, HourlyCaltrackModel

    meter, temp_f = _read(meter_csv, temperature_csv)
    meter = meter.asfreq("h")
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        data = HourlyCaltrackBaselineData.from_series(meter, temp_f, is_electricity_data=True)
        model = HourlyCaltrackModel().fit(data)
        times.append(time.perf_counter() - start)
    v = model.model_process_variables
    occupancy = v.occupancy_lookup
    segments = {}
    for segment, bins in v.occupied_temperature_bins.items():
        segments[segment] = {
            "occupied_bin_endpoints_f": [int(k) for k, on in bins.items() if on],
            "unoccupied_bin_endpoints_f": [int(k) for k, on in v.unoccupied_temperature_bins[segment].items() if on],
            "occupied_hours_of_week": int(np.asarray(occupancy[segment]).sum()),
        }  # fmt: skip
    metrics = model.model_metrics
    out_metrics = {}
    for k, m in (metrics.items() if isinstance(metrics, dict) else []):
        out_metrics[k] = {"r_squared": getattr(m, "r_squared", None), "cvrmse": getattr(m, "cvrmse", None),
                          "nmbe": getattr(m, "nmbe", None)}
    return {
        "peer": "eemeter", "version": version("eemeter"), "model": "HourlyCaltrackModel (three_month_weighted)",
        "segments": segments, "occupancy": {k: [bool(x) for x in occupancy[k]] for k in occupancy.columns},
        "metrics": out_metrics,
        "wall_s_per_fit": float(np.mean(times)), "wall_s_min": float(np.min(times)), "repeat": len(times),
    }  # fmt: skip


def export_hourly_sample(outdir: str) -> dict:
    from eemeter.eemeter.samples.load import load_sample

    meter, temp_f, meta = load_sample("il-electricity-cdd-hdd-hourly")
    end = pd.Timestamp(meta["blackout_start_date"])
    start = end - pd.Timedelta("365D")
    meter = meter[(meter.index >= start) & (meter.index < end)]
    temp_f = temp_f[(temp_f.index >= start) & (temp_f.index < end)]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    col = meter.columns[0] if isinstance(meter, pd.DataFrame) else None
    values = meter[col] if col is not None else meter
    pd.DataFrame({"start": values.index.strftime("%Y-%m-%dT%H:%M:%S%z"), "value": values.to_numpy()}).to_csv(
        out / "hourly_meter.csv", index=False)
    t = temp_f.iloc[:, 0] if isinstance(temp_f, pd.DataFrame) else temp_f
    pd.DataFrame({"start": t.index.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  "temperature_c": (t.to_numpy() - 32.0) / 1.8}).to_csv(out / "hourly_temperature.csv", index=False)
    return {"hours": int(len(values)), "start": str(start), "end": str(end)}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["daily", "hourly", "export-hourly-sample"])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args(argv)
    if a.mode == "export-hourly-sample":
        print(json.dumps(export_hourly_sample(a.paths[0])))
    elif a.mode == "daily":
        print(json.dumps(fit_daily(a.paths[0], a.paths[1], a.repeat), default=str))
    else:
        print(json.dumps(fit_hourly(a.paths[0], a.paths[1], a.repeat), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
