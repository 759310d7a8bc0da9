"""Small districts and rainfall series for the SWMM adapter tests (no files needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.district.model import Climate, District, LandCover, Subcatchment, Targets


def one_hectare(
    *, soil: str = "silt_loam", outlet: str = "J1", land_cover: LandCover | None = None, network: Path | None = None
) -> District:
    """The notes' §4.2 test site: 1 ha, 70 % impervious, width 100 m, slope 1 %."""
    cover = land_cover or LandCover(roof=0.3, road=0.2, paved=0.2, green=0.3)
    sub = Subcatchment(
        id="S1", area_m2=10_000.0, width_m=100.0, slope=0.01, soil=soil, outlet=outlet, land_cover=cover,
        polygon=((0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)),
    )  # fmt: skip
    return district_of(sub, network=network)


def district_of(*subs: Subcatchment, network: Path | None = None) -> District:
    return District(
        name="test", folder=Path("/nonexistent-test-district"), crs="EPSG:4547",
        climate=Climate(rainfall=Path("/nonexistent-test-district/rain.csv")), targets=Targets(),
        subcatchments=subs, network_inp=network,
    )  # fmt: skip


def beijing_like_year(total_mm: float = 758.0, wet_hours: int = 383, seed: int = 7) -> pd.Series:
    """A synthetic hourly year shaped like the notes' §4.2 series (Beijing-like seasonality).

    ``wet_hours`` wet hours drawn with monthly weights (about three quarters of the rain in
    June-August), gamma-distributed depths, three summer cloudbursts peaking at 45 mm/h, and
    the rest scaled so the year totals ``total_mm``.
    """
    index = pd.date_range("2021-01-01", "2021-12-31 23:00", freq="h")
    rng = np.random.default_rng(seed)
    month_weight = np.array([0.5, 0.8, 1.5, 3.0, 5.0, 10.0, 25.0, 22.0, 8.0, 3.0, 1.2, 0.5])
    p = month_weight[index.month - 1]
    wet = rng.choice(len(index), size=wet_hours, replace=False, p=p / p.sum())
    depth = np.zeros(len(index))
    depth[wet] = rng.gamma(0.7, 1.0, size=wet_hours)
    bursts = {pd.Timestamp("2021-07-12 15:00"): 45.0, pd.Timestamp("2021-07-28 18:00"): 38.0,
              pd.Timestamp("2021-08-09 20:00"): 32.0}  # fmt: skip
    burst_pos = [index.get_loc(t) for t in bursts]
    depth[burst_pos] = 0.0
    rest = total_mm - sum(bursts.values()) * 1.5
    depth *= rest / depth.sum()
    for (t, peak), pos in zip(bursts.items(), burst_pos):
        depth[pos - 1 : pos + 2] = (peak * 0.25, peak, peak * 0.25)
    return pd.Series(depth, index=index, name="depth_mm")


def short_storm_series(days: int = 10) -> pd.Series:
    """Hourly series of ``days`` days with two storms (25 mm and 40 mm)."""
    index = pd.date_range("2021-07-01", periods=24 * days, freq="h")
    depth = np.zeros(len(index))
    depth[30:34] = (5.0, 12.0, 6.0, 2.0)
    depth[100:106] = (4.0, 10.0, 15.0, 7.0, 3.0, 1.0)
    return pd.Series(depth, index=index, name="depth_mm")
