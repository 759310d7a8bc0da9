"""A small district for the optimiser's tests: two 1-ha subcatchments, a year of hourly rain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.district.model import Climate, District, LandCover, Subcatchment, Targets


def rain_year(seed: int = 7, total_mm: float = 600.0) -> pd.Series:
    """A synthetic hourly year: 300 wet hours weighted to summer, gamma depths, one 40 mm/h burst."""
    index = pd.date_range("2021-01-01", "2021-12-31 23:00", freq="h")
    rng = np.random.default_rng(seed)
    weight = np.array([0.5, 0.8, 1.5, 3.0, 5.0, 10.0, 25.0, 22.0, 8.0, 3.0, 1.2, 0.5])[index.month - 1]
    wet = rng.choice(len(index), size=300, replace=False, p=weight / weight.sum())
    depth = np.zeros(len(index))
    depth[wet] = rng.gamma(0.7, 1.0, size=300)
    depth *= (total_mm - 60.0) / depth.sum()
    burst = index.get_loc(pd.Timestamp("2021-07-20 16:00"))
    depth[burst - 1: burst + 2] = (10.0, 40.0, 10.0)
    return pd.Series(depth, index=index, name="depth_mm")


def small_district(folder: Path, *, capture_target: float = 0.75, tss_target: float | None = None,
                   years: int = 1) -> tuple[District, pd.Series]:  # fmt: skip
    """Two 1-ha blocks (a roof-heavy one on sandy loam, a paved one on silt loam) and its rain."""
    folder.mkdir(parents=True, exist_ok=True)
    rain = pd.concat([rain_year(seed=7 + k).set_axis(rain_year().index + pd.DateOffset(years=k)) for k in range(years)])
    rain.name = "depth_mm"
    path = folder / "rain.csv"
    pd.DataFrame({"timestamp": rain.index, "depth_mm": rain.to_numpy()}).to_csv(path, index=False)
    subs = (
        Subcatchment(id="A", area_m2=10_000.0, width_m=100.0, slope=0.01, soil="sandy_loam", outlet="J1",
                     land_cover=LandCover(roof=0.45, road=0.15, paved=0.1, green=0.3),
                     polygon=((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0))),
        Subcatchment(id="B", area_m2=10_000.0, width_m=100.0, slope=0.01, soil="silt_loam", outlet="J1",
                     land_cover=LandCover(roof=0.2, road=0.2, paved=0.35, green=0.25),
                     polygon=((100.0, 0.0), (200.0, 0.0), (200.0, 100.0), (100.0, 100.0))),
    )  # fmt: skip
    district = District(
        name="small", folder=folder, crs="EPSG:4547", climate=Climate(rainfall=path),
        targets=Targets(capture_ratio=capture_target, tss_reduction=tss_target, design_storm_return_periods_yr=(2.0,)),
        subcatchments=subs,
    )  # fmt: skip
    return district, rain


def district_of(*subs: Subcatchment) -> District:
    """A district of ``subs`` for pure tests (its rainfall file is never read)."""
    return District(name="pure", folder=Path("/nonexistent-district"), crs="EPSG:4547",
                    climate=Climate(rainfall=Path("/nonexistent-district/rain.csv")), targets=Targets(),
                    subcatchments=subs)  # fmt: skip
