"""Capital cost of a scenario's LID measures from the Technical Guide's Beijing unit costs.

Unit costs: MOHURD (2014) 海绵城市建设技术指南, Appendix 3, Table F3-1 (p. 66), Beijing projects,
price year not stated (c. 2014); carried per LID type in ``data/lid_catalogue.toml``.
Quantities follow each cost's unit: plan area (yuan/m²), storage volume (yuan/m³: rain barrels
and cisterns, area × storage height) or length (yuan/m: swales, area / top width).
"""

from __future__ import annotations

import pandas as pd

from ecocity.stormwater.placement import Placement, swale_top_width_m

COST_COLUMNS = ["lid", "quantity", "unit", "yuan_low", "yuan_high", "area_m2", "row"]


def lid_quantities(placement: Placement) -> pd.DataFrame:
    """Total quantity of each LID type in the cost table's unit.

    Returns
    -------
    pandas.DataFrame
        One row per LID type: lid, quantity (in ``unit``), unit (``m2``, ``m3`` or ``m``;
        ``m2`` where the Guide has no cost), yuan_low, yuan_high (NaN without a Guide cost),
        area_m2 (plan area), row (the Guide's table row, or why there is none).
    """
    rows: dict[str, dict] = {}
    for placed in placement.subcatchments:
        for unit in placed.units:
            design = placement.controls[unit.control].design
            cost = design.cost
            if cost is None:
                quantity, unit_name = unit.area_m2, "m2"
            elif cost.unit == "yuan/m3":
                height_m = (design.value("storage", "height_mm") or 0.0) / 1000.0
                quantity, unit_name = unit.area_m2 * height_m, "m3"
            elif cost.unit == "yuan/m":
                quantity, unit_name = unit.area_m2 / swale_top_width_m(design), "m"
            else:
                quantity, unit_name = unit.area_m2, "m2"
            row = rows.setdefault(unit.lid, {
                "lid": unit.lid, "quantity": 0.0, "unit": unit_name, "area_m2": 0.0,
                "low": None if cost is None else cost.low, "high": None if cost is None else cost.high,
                "row": cost.row if cost is not None else (design.cost_note or "no unit cost in the Guide"),
            })  # fmt: skip
            row["quantity"] += quantity
            row["area_m2"] += unit.area_m2
    frame = pd.DataFrame(rows.values(), columns=["lid", "quantity", "unit", "area_m2", "low", "high", "row"])
    frame["yuan_low"] = frame["quantity"] * frame["low"].astype(float)
    frame["yuan_high"] = frame["quantity"] * frame["high"].astype(float)
    return frame[COST_COLUMNS].reset_index(drop=True)


def capital_cost_yuan(quantities: pd.DataFrame) -> dict[str, float]:
    """Capital cost range of a scenario (LID types without a Guide cost count as zero). [yuan]"""
    low = float(quantities["yuan_low"].fillna(0.0).sum())
    high = float(quantities["yuan_high"].fillna(0.0).sum())
    return {"low": low, "high": high, "mid": (low + high) / 2.0}


def cost_per_m3_retained(capital_yuan: float, retained_m3_per_yr: float) -> float:
    """Capital cost per m³ of additional annual runoff retained. [yuan/(m³/yr)]

    NaN where nothing more is retained.
    """
    if retained_m3_per_yr <= 0.0:
        return float("nan")
    return capital_yuan / retained_m3_per_yr
