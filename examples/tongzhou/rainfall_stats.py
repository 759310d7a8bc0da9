"""Regenerate the Tongzhou example's SYNTHETIC rainfall series and print its statistics.

    python examples/tongzhou/rainfall_stats.py            # writes rainfall_synthetic_30yr_5min.parquet
    python examples/tongzhou/rainfall_stats.py --spread   # also the spread over 20 other seeds

The same file comes from the CLI:
    ecocity rain synth --years 30 --step-min 5 --seed 1983 --out examples/tongzhou/rainfall_synthetic_30yr_5min.parquet
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ecocity.climate.calibration import exceedance_depth_mm, load_targets, window_maxima_mm
from ecocity.climate.capture import daily_depth_mm, design_depth_mm
from ecocity.climate.idf import depth_mm, load_idf
from ecocity.climate.rainfall import read_rainfall, split_events, write_rainfall
from ecocity.climate.synthetic import synthetic_rainfall

HERE = Path(__file__).parent
FILE = HERE / "rainfall_synthetic_30yr_5min.parquet"
YEARS, SEED = 30, 1983


def statistics(series) -> dict:
    targets = load_targets()
    daily = daily_depth_mm(series)
    years = len(daily) / 365.25
    fine = series.to_numpy().reshape(-1, 288)
    hourly = window_maxima_mm(fine, 12)
    events = split_events(series, min_inter_event_h=200 / 60)
    jja = daily[daily.index.month.isin([6, 7, 8])]
    annual = series.groupby(series.index.year).sum()
    return {
        "annual_mean_mm": float(annual.mean()),
        "annual_sd_mm": float(annual.std()),
        "design_depths_mm": design_depth_mm(daily, load_targets()["design_depths"]["capture_ratio"]),
        "wet_days_per_yr": float((daily >= 0.1).sum() / years),
        "days_ge_25mm_jja_per_yr": float((jja >= 25).sum() / years),
        "events_per_yr_mit200": len(events) / years,
        "events_ge_2mm_per_yr_mit200": float((events["depth_mm"] >= 2).sum() / years),
        "mean_event_depth_ge_2mm": float(events.loc[events["depth_mm"] >= 2, "depth_mm"].mean()),
        "hourly_0.5yr_mm": exceedance_depth_mm(hourly, years, 0.5),
        "hourly_1yr_mm": exceedance_depth_mm(hourly, years, 1.0),
        "hourly_2yr_mm": exceedance_depth_mm(hourly, years, 2.0),
        "formula_1h_0.5/1/2yr_mm": [depth_mm(load_idf(targets["subdaily"]["idf"]), p, 60) for p in (0.5, 1, 2)],
        "max_daily_mm": float(daily.max()),
        "max_5min_mm": float(series.max()),
    }


def main(argv: list[str]) -> int:
    write_rainfall(synthetic_rainfall(YEARS, seed=SEED), FILE)
    series = read_rainfall(FILE)
    print(f"{FILE.name}: {FILE.stat().st_size / 1e6:.2f} MB, synthetic={series.attrs.get('synthetic')}")
    for key, value in statistics(series).items():
        print(f"{key:32s} {np.round(value, 2)}")
    if "--spread" in argv:
        targets = np.array(load_targets()["design_depths"]["depth_mm"])
        ratios = load_targets()["design_depths"]["capture_ratio"]
        rows = np.array([design_depth_mm(daily_depth_mm(synthetic_rainfall(YEARS, seed=s)), ratios) for s in range(20)])
        print("30-yr design depths over seeds 0-19: mean", rows.mean(0).round(2), "sd", rows.std(0).round(2))
        print("share of seeds with all five within ±1.5 mm:", np.mean((np.abs(rows - targets) <= 1.5).all(axis=1)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
