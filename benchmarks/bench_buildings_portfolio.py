"""Benchmark: a city-scale portfolio of daily meters through ``ecocity buildings portfolio``'s path.

Work (issue 5, "a city's tens of thousands of buildings are a normal job"): N synthetic buildings
(default 10 000) with two years of daily electricity (2022–2023, 730 days each) stored as one
hive-partitioned Parquet dataset ``meters/building_id=<id>/``, a ``portfolio.csv`` and the
example's Beijing weather file; then :func:`ecocity.buildings.assess.assess_portfolio` on a
process pool of 2 workers: per building read its partition, daily use, CalTRACK sufficiency, the
daily baseline fit, anomaly flags, annual use, EUI and benchmark, the Beijing quota; then the
ranking and :func:`~ecocity.buildings.assess.portfolio_section`. Generation is not timed.

Meters: daily use = base · (1 on weekdays, 0.6 at weekends) + βH·max(Th − T, 0) + βC·max(T − Tc, 0)
with 5 % log-normal noise; base, slopes and balance points drawn per building (seed 20261129);
a third of the meters has no heating term. Correctness figure: the share of meters whose
selected CalTRACK model type is the true one (``hdd_cdd`` or ``cdd_only``).

Target (issue 5): 10 000 meters < 300 s on 2 cores. Usage:
``.venv/bin/python benchmarks/bench_buildings_portfolio.py [--meters N] [--workers W]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

EXAMPLE = Path(__file__).parents[1] / "examples" / "buildings"
TYPES = ("office", "school", "mall", "hospital")


def make_portfolio(folder: Path, n: int, seed: int = 20261129) -> pd.DataFrame:
    """Write ``portfolio.csv``, ``meters/`` (partitioned) and ``weather/``; return the truth."""
    rng = np.random.default_rng(seed)
    (folder / "weather").mkdir(parents=True)
    shutil.copy(EXAMPLE / "weather" / "beijing_hourly.csv", folder / "weather" / "beijing_hourly.csv")
    weather = pd.read_csv(folder / "weather" / "beijing_hourly.csv", parse_dates=["timestamp"])
    t = weather.groupby(weather["timestamp"].dt.normalize())["temperature_c"].mean()
    days = pd.date_range("2022-01-01", "2023-12-31", freq="D")
    t = t.reindex(days).to_numpy()
    weekday = (days.day_of_week < 5).astype(float)
    area = np.exp(rng.uniform(np.log(2_000), np.log(60_000), n))
    base = area * rng.uniform(0.15, 0.45, n)  # kWh/d
    th = rng.uniform(10.0, 15.0, n)
    tc = th + rng.uniform(3.0, 8.0, n)
    heating = rng.random(n) > 1 / 3
    bh = np.where(heating, area * rng.uniform(0.002, 0.006, n), 0.0)
    bc = area * rng.uniform(0.01, 0.03, n)
    use = (base[:, None] * (0.6 + 0.4 * weekday[None, :]) + bh[:, None] * np.maximum(th[:, None] - t[None, :], 0)
           + bc[:, None] * np.maximum(t[None, :] - tc[:, None], 0))
    use *= rng.lognormal(0.0, 0.05, use.shape)
    ids = np.array([f"B{i:05d}" for i in range(n)])
    table = pa.table({
        "timestamp": pa.array(np.tile(days.to_numpy(), n)),
        "value": pa.array(use.ravel().astype(np.float32)),
        "building_id": pa.array(np.repeat(ids, len(days))),
    })
    ds.write_dataset(table, folder / "meters", format="parquet", partitioning=["building_id"],
                     partitioning_flavor="hive", max_partitions=n + 1, max_open_files=4096,
                     existing_data_behavior="overwrite_or_ignore")
    types = rng.choice(TYPES, n)
    pd.DataFrame({"building_id": ids, "name": ids, "city": "beijing", "type": types, "floor_area_m2": area.round(1),
                  "weather_file": "weather/beijing_hourly.csv"}).to_csv(folder / "portfolio.csv", index=False)
    return pd.DataFrame({"building_id": ids, "true_model": np.where(heating, "hdd_cdd", "cdd_only")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=int(os.environ.get("BENCH_BUILDINGS_METERS", 10_000)))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from ecocity.buildings.assess import assess_portfolio, portfolio_section

    with tempfile.TemporaryDirectory(prefix="bench-portfolio-") as tmp:
        folder = Path(tmp) / "city"
        t0 = time.perf_counter()
        truth = make_portfolio(folder, args.meters)
        t_gen = time.perf_counter() - t0
        c0, t0 = time.process_time(), time.perf_counter()
        result = assess_portfolio(folder, workers=args.workers)
        section = portfolio_section(result)
        wall = time.perf_counter() - t0
        selected = {b["building_id"]: b["baseline"]["model_type"] for b in section["buildings"]}
        hit = float(np.mean([selected[b] == m for b, m in zip(truth["building_id"], truth["true_model"], strict=True)]))
        out = {"meters": args.meters, "workers": args.workers, "generate_s": round(t_gen, 1),
               "portfolio_wall_s": round(wall, 1), "parent_cpu_s": round(time.process_time() - c0, 1),
               "ms_per_building_per_worker": round(1000 * wall * args.workers / args.meters, 1),
               "true_model_type_share": round(hit, 4), "load_average": os.getloadavg(),
               "target_s": 300, "met": wall < 300 * args.meters / 10_000}
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
