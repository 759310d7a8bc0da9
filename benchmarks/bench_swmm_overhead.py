"""Overhead of the SWMM adapter: build + child-process run + read back, against bare swmm_run.

A synthetic district of 50 subcatchments (1-4 ha, 40-80 % impervious, mixed soils), each with
a bioretention cell treating 60 % of its impervious area, a green roof on 30 % of its roofs and
permeable pavement on 20 % of its paved area, driven by one synthetic hourly year. "Ours" is
:func:`ecocity.stormwater.simulate` (build the .inp, run it in a child process, read daily
runoff series, LID balances, hydrographs); the peer is ``swmm.toolkit.solver.swmm_run`` of the
same .inp in this process (engine only, no reading back). Median of three runs each.
Target: overhead (ours / peer - 1) <= 10 %.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.district.model import Climate, District, LandCover, Measure, Scenario, Subcatchment, Targets
from ecocity.stormwater.inp import build_inp, rain_file_text
from ecocity.stormwater.simulation import simulate

N_SUBCATCHMENTS = 50
REPEATS = 3
TARGET_OVERHEAD = 0.10


def _district() -> District:
    rng = np.random.default_rng(42)
    soils = ("sandy_loam", "loam", "silt_loam", "clay_loam")
    subs = []
    for k in range(N_SUBCATCHMENTS):
        imperv = rng.uniform(0.4, 0.8)
        roof, road = imperv * 0.4, imperv * 0.25
        cover = LandCover(roof=roof, road=road, paved=imperv - roof - road, green=1 - imperv)
        area = rng.uniform(1e4, 4e4)
        subs.append(
            Subcatchment(id=f"S{k}", area_m2=area, width_m=np.sqrt(area) * 1.5, slope=0.01, soil=soils[k % 4],
                         outlet=f"J{k % 5}", land_cover=cover)
        )  # fmt: skip
    return District(
        name="bench", folder=Path("."), crs="EPSG:4547", climate=Climate(rainfall=Path("rain.csv")),
        targets=Targets(), subcatchments=tuple(subs),
    )  # fmt: skip


SCENARIO = Scenario(
    name="lids",
    measures=(
        Measure(lid="green_roof", share_of_cover=0.3),
        Measure(lid="permeable_pavement", share_of_cover=0.2),
        Measure(lid="bioretention", treated_share=0.6, surface_ratio=0.06),
    ),
)


def _rain() -> pd.Series:
    index = pd.date_range("2021-01-01", "2021-12-31 23:00", freq="h")
    rng = np.random.default_rng(3)
    wet = rng.random(len(index)) < 0.045 * (1 + 2 * np.isin(index.month, (6, 7, 8)))
    return pd.Series(np.where(wet, rng.gamma(0.7, 2.5, len(index)), 0.0), index=index)


def _bare_swmm_run(inp: str, rain: str) -> float:
    from swmm.toolkit import solver

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "model.inp").write_text(inp)
        (folder / "rain.dat").write_text(rain)
        cwd, saved = os.getcwd(), os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.chdir(folder)
        os.dup2(devnull, 1)  # swmm_run prints progress on the C-level stdout (pitfall #5)
        try:
            started = time.perf_counter()
            solver.swmm_run("model.inp", "model.rpt", "model.out")
            return time.perf_counter() - started
        finally:
            os.dup2(saved, 1)
            os.close(devnull)
            os.close(saved)
            os.chdir(cwd)


def run() -> dict:
    district, rain = _district(), _rain()
    inp = build_inp(district, SCENARIO, rain)
    peer = statistics.median(_bare_swmm_run(inp, rain_file_text(rain)) for _ in range(REPEATS))
    ours_runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = simulate(district, SCENARIO, rain)
        ours_runs.append(time.perf_counter() - started)
    ours = statistics.median(ours_runs)
    overhead = ours / peer - 1.0
    return {
        "name": "swmm_overhead",
        "ours_s": ours,
        "peer": "swmm.toolkit.solver.swmm_run (same .inp, in process)",
        "peer_s": peer,
        "ratio": overhead,
        "metric": "overhead = ours / peer - 1 (build + child process + read back)",
        "target": f"<= {TARGET_OVERHEAD:.0%}",
        "met": overhead <= TARGET_OVERHEAD,
        "notes": (
            f"{N_SUBCATCHMENTS} subcatchments, {len(result.lid_units)} LID units, 1 year hourly rain, "
            f"KINWAVE 60 s; runoff continuity {result.runoff_continuity_error_pct:.2f} %; "
            f"engine {result.engine_version}"
        ),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
