"""Whole-life cost of LID measures: capital plus discounted annual operation and maintenance.

Annual O&M is a share of each LID type's capital cost (``data/lid_maintenance.toml``, every
rate with its source and confidence); the whole-life cost over ``years`` at the discount rate
``r`` is

    C_wl = C_cap + C_om · a(r, n),   a(r, n) = (1 − (1 + r)^−n) / r   (a(0, n) = n)

the present value of an annuity paid at the end of each year. Replacement at end of life and
residual value are not counted.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import pandas as pd

DISCOUNT_RATE = 0.08
"""Social discount rate of 建设项目经济评价方法与参数 (3rd ed., NDRC & MOHURD 2006). [1/yr]"""
HORIZON_YR = 30
"""Appraisal period (engineering judgement). [yr]"""
MAINTENANCE_FILE = "lid_maintenance.toml"


@cache
def maintenance_rates() -> dict[str, dict]:
    """Annual O&M share of capital per LID type: low, high, source, confidence. [1/yr]"""
    with (resources.files("ecocity.stormwater") / "data" / MAINTENANCE_FILE).open("rb") as handle:
        return dict(tomllib.load(handle)["maintenance"])


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 paid at the end of each of ``years`` years at ``rate``. [-]

    >>> round(annuity_factor(0.08, 30), 4)
    11.2578
    """
    if years < 0 or rate <= -1.0:
        raise ValueError(f"need years >= 0 and rate > -1, got {years}, {rate}")
    if rate == 0.0:
        return float(years)
    return (1.0 - (1.0 + rate) ** -years) / rate


def whole_life_cost_yuan(
    quantities: pd.DataFrame, *, rate: float = DISCOUNT_RATE, years: float = HORIZON_YR
) -> dict[str, float]:
    """Capital, annual O&M and whole-life cost of a scenario's LIDs (mid rates and costs). [yuan]

    Parameters
    ----------
    quantities
        :func:`ecocity.stormwater.costs.lid_quantities` of the scenario.

    Returns
    -------
    dict
        ``capital``, ``om_per_yr`` [yuan/yr] and ``whole_life`` [yuan], each from the midpoints
        of the unit-cost and O&M ranges; LID types without a unit cost or O&M rate count zero.
    """
    rates = maintenance_rates()
    capital = om = 0.0
    for row in quantities.itertuples(index=False):
        if pd.isna(row.yuan_low) or pd.isna(row.yuan_high):
            continue
        mid = (float(row.yuan_low) + float(row.yuan_high)) / 2.0
        capital += mid
        rate_row = rates.get(row.lid)
        if rate_row is not None:
            om += mid * (float(rate_row["low"]) + float(rate_row["high"])) / 2.0
    return {"capital": capital, "om_per_yr": om, "whole_life": capital + om * annuity_factor(rate, years)}
