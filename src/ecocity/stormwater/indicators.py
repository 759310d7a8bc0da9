"""Sponge-city indicators from simulated water balances (pure functions).

The indicators follow the evaluation items of GB/T 51345-2018 (海绵城市建设评价标准) and the
methods of the 2014 Sponge City Technical Guide (海绵城市建设技术指南, MOHURD):

- annual runoff volume capture ratio: the share of the rainfall volume that is not discharged
  to the drainage network over a long continuous simulation;
- annual TSS load reduction: the load removed by LID facilities (treated volume × event mean
  concentration × removal rate of the facility, Guide Table 4-1) over the load generated;
- the share of the built-up area that meets its capture-ratio target;
- peak flow and runoff volume reduction against the baseline.

Volumes are m³, depths mm, concentrations mg/L, loads kg.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Mapping

import numpy as np
import pandas as pd

from ecocity.district.model import LAND_COVERS, LandCover


@dataclass(frozen=True)
class CitedValue:
    """A constant with its source and confidence mark (V, R2, S1, assumed)."""

    value: float
    source: str
    confidence: str


@cache
def _quality_table() -> dict:
    text = resources.files("ecocity.stormwater").joinpath("data/runoff_quality.toml").read_text("utf-8")
    return tomllib.loads(text)


def volume_runoff_coefficients() -> dict[str, CitedValue]:
    """Rainfall (volume) runoff coefficient φ by land cover, Technical Guide Table 4-3."""
    table = _quality_table()["volume_runoff_coefficient"]
    return {c: CitedValue(float(table[c]), table["source"], table["confidence"]) for c in LAND_COVERS}


def tss_emc_mg_per_l() -> dict[str, CitedValue]:
    """TSS event mean concentration of runoff by land cover, with sources. [mg/L]"""
    table = _quality_table()["tss_emc_mg_per_l"]
    sources = table["sources"]
    return {
        c: CitedValue(float(table[c]), sources[c]["source"], sources[c]["confidence"]) for c in LAND_COVERS
    }


def composite_emc_mg_per_l(land_cover: LandCover) -> float:
    """Runoff-weighted TSS event mean concentration of a mixed surface. [mg/L]

    Notes
    -----
    Each land cover contributes runoff in proportion to its area fraction ``f_c`` times its
    volume runoff coefficient ``φ_c`` (Guide Table 4-3), so
    ``EMC = Σ f_c φ_c EMC_c / Σ f_c φ_c``.
    """
    phi = volume_runoff_coefficients()
    emc = tss_emc_mg_per_l()
    weights = {c: getattr(land_cover, c) * phi[c].value for c in LAND_COVERS}
    total = sum(weights.values())
    if total <= 0.0:
        return 0.0
    return sum(weights[c] * emc[c].value for c in LAND_COVERS) / total


def runon_m3(runoff_m3: pd.Series, outlet: pd.Series) -> pd.Series:
    """Run-on each subcatchment receives from the subcatchments routed onto it. [m³]

    Parameters
    ----------
    runoff_m3
        Total runoff leaving each subcatchment (indexed by id). [m³]
    outlet
        Outlet of each subcatchment (a subcatchment id or a node id).
    """
    return runoff_m3.groupby(outlet).sum().reindex(runoff_m3.index, fill_value=0.0)


def subcatchment_capture_ratio(rainfall_m3: pd.Series, runoff_m3: pd.Series, outlet: pd.Series) -> pd.Series:
    """Volume capture ratio of each subcatchment on the water it receives. [-]

    ``α_s = 1 − runoff_s / (rainfall_s + runon_s)``, where run-on is the runoff of the
    subcatchments routed onto ``s``. Over a long continuous simulation this is the annual runoff
    volume capture ratio of GB/T 51345-2018 for that plot.
    """
    received = rainfall_m3 + runon_m3(runoff_m3, outlet)
    return (1.0 - runoff_m3 / received.where(received > 0.0)).rename("capture_ratio")


def group_capture_ratio(
    rainfall_m3: pd.Series, runoff_m3: pd.Series, outlet: pd.Series, group: pd.Series
) -> pd.Series:
    """Volume capture ratio of groups of subcatchments (sub-areas, the district). [-]

    A group receives the rain on its members and the run-on from other groups' subcatchments
    routed onto its members; it discharges the runoff of its members whose outlet lies outside
    the group: ``α_g = 1 − Σ discharged / (Σ rainfall + Σ run-on from outside)``. With one
    group for the whole district there is no run-on from outside, and a subcatchment is its own
    group, so the definition agrees with :func:`subcatchment_capture_ratio` at both ends.

    Parameters
    ----------
    rainfall_m3, runoff_m3, outlet
        Per subcatchment, indexed by id.
    group
        Group name of each subcatchment.
    """
    outlet_group = outlet.map(group)  # NaN where the outlet is a node
    leaves = outlet_group.ne(group) | outlet_group.isna()
    discharged = runoff_m3.where(leaves, 0.0).groupby(group).sum()
    crossing = leaves & outlet_group.notna()  # onto a subcatchment of another group
    inflow = runoff_m3[crossing].groupby(outlet_group[crossing]).sum()
    received = rainfall_m3.groupby(group).sum().add(inflow, fill_value=0.0)
    return (1.0 - discharged / received.where(received > 0.0)).rename("capture_ratio")


def tss_load_reduction(
    load_kg: pd.Series,
    emc_mg_per_l: pd.Series,
    treated_m3: pd.Series,
    treated_subcatchment: pd.Series,
    removal: pd.Series,
    group: pd.Series | None = None,
) -> pd.Series:
    """Annual TSS load reduction by LID facilities, per group of subcatchments. [-]

    Parameters
    ----------
    load_kg
        TSS load washed off each subcatchment without LID, from :func:`tss_load_kg`. [kg]
    emc_mg_per_l
        Composite TSS event mean concentration of each subcatchment. [mg/L]
    treated_m3
        Volume that passed through each LID unit (inflow minus surface overflow). [m³]
    treated_subcatchment
        Subcatchment of each LID unit (same index as ``treated_m3``).
    removal
        TSS removal rate of each LID unit (Technical Guide Table 4-1). [-]
    group
        Group name per subcatchment; None puts every subcatchment in one group "district".

    Returns
    -------
    pandas.Series
        Load reduction per group, ``Σ removal_u · EMC_s(u) · treated_u / Σ load_s``.

    Notes
    -----
    The Guide (§4.3) computes the annual SS removal of a facility as its annual runoff capture
    ratio times its SS removal rate; summed over facilities and weighted by the load each
    receives this is the expression above. Water that overflows a facility untreated removes
    nothing.
    """
    if group is None:
        group = pd.Series("district", index=load_kg.index)
    total_kg = load_kg.groupby(group).sum()
    unit_emc = treated_subcatchment.map(emc_mg_per_l)
    removed_kg = (removal * unit_emc * treated_m3 * 1e-3).groupby(treated_subcatchment.map(group)).sum()
    removed_kg = removed_kg.reindex(total_kg.index, fill_value=0.0)
    reduction = removed_kg / total_kg.where(total_kg > 0.0)
    return reduction.clip(upper=1.0).rename("tss_reduction")


def tss_load_kg(rainfall_m3: pd.Series, land_covers: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Annual TSS load washed off each subcatchment without LID, and its composite EMC.

    ``load_s = EMC_s · φ_s · P_s``: the Guide (§4.3) weights SS removal by the annual runoff
    rainfall × φ × area, with φ the composite volume runoff coefficient (Table 4-3) and
    ``P_s`` the rain volume on the subcatchment (rainfall × area). [kg], [mg/L]

    Parameters
    ----------
    rainfall_m3
        Rain volume on each subcatchment. [m³]
    land_covers
        The :class:`LandCover` of each subcatchment (same index).
    """
    phi = volume_runoff_coefficients()
    composite_phi = land_covers.map(lambda lc: sum(getattr(lc, c) * phi[c].value for c in LAND_COVERS))
    emc = land_covers.map(composite_emc_mg_per_l).astype(float)
    return (emc * composite_phi.astype(float) * rainfall_m3 * 1e-3).rename("tss_load_kg"), emc


def share_meeting_target(area_m2: pd.Series, value: pd.Series, target: float) -> float:
    """Share of the area whose indicator value reaches the target. [-]

    The headline result of GB/T 51345-2018: the share of the built-up area that meets its
    sponge-city target. NaN values (no rain) count as not meeting it.
    """
    total = float(area_m2.sum())
    if total <= 0.0:
        raise ValueError("total area must be positive")
    meets = value.reindex(area_m2.index) >= target
    return float(area_m2[meets].sum()) / total


def reduction(baseline: float | np.ndarray, scenario: float | np.ndarray) -> float | np.ndarray:
    """Relative reduction against the baseline, ``1 − scenario / baseline``. [-]

    NaN where the baseline is not positive.
    """
    base = np.asarray(baseline, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(base > 0.0, 1.0 - np.asarray(scenario, dtype=float) / base, np.nan)
    return float(out) if out.ndim == 0 else out


def cited_constants() -> list[dict[str, str]]:
    """Every constant this module uses, for the report's sources table."""
    rows = []
    for cover, item in volume_runoff_coefficients().items():
        rows.append({"item": f"volume runoff coefficient, {cover}", "value": f"{item.value:g}",
                     "source": item.source, "confidence": item.confidence})
    for cover, item in tss_emc_mg_per_l().items():
        rows.append({"item": f"TSS EMC, {cover} [mg/L]", "value": f"{item.value:g}",
                     "source": item.source, "confidence": item.confidence})
    return rows


def capture_ratio_by_scope(
    table: pd.DataFrame, *, sub_area_column: str = "sub_area"
) -> Mapping[str, pd.Series]:
    """Capture ratios per subcatchment, per sub-area and for the district.

    ``table`` is indexed by subcatchment id with columns ``rainfall_m3``, ``runoff_m3``,
    ``outlet`` and ``sub_area``.
    """
    rain, runoff, outlet = table["rainfall_m3"], table["runoff_m3"], table["outlet"]
    district = pd.Series("district", index=table.index)
    return {
        "subcatchment": subcatchment_capture_ratio(rain, runoff, outlet),
        "sub_area": group_capture_ratio(rain, runoff, outlet, table[sub_area_column]),
        "district": group_capture_ratio(rain, runoff, outlet, district),
    }
