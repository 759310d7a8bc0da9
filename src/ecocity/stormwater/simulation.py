"""One call from a district and a scenario to SWMM results: build, run, read back."""

from __future__ import annotations

import dataclasses

import pandas as pd

from ecocity.district.model import District, Scenario
from ecocity.stormwater.engine import run_swmm
from ecocity.stormwater.inp import DEFAULT_RAIN_FILE, Mode, build_inp, rain_file_text
from ecocity.stormwater.placement import place_measures
from ecocity.stormwater.result import SwmmResult


def simulate(
    district: District,
    scenario: Scenario,
    rain_depth_mm: pd.Series,
    *,
    mode: Mode = "continuous",
    routing: bool = True,
    series_step_s: int | None = None,
    report_step_s: int | None = None,
    max_continuity_error_pct: float = 1.0,
) -> SwmmResult:
    """Simulate the district under ``scenario`` with SWMM.

    ``series_step_s`` is the resolution of the per-subcatchment runoff series [s]: a day in
    continuous mode and the rain step in event mode unless given. The LID table gains the
    columns ``measure_index`` and ``lid`` (catalogue name). Other parameters: see
    :func:`~ecocity.stormwater.inp.build_inp` and :func:`~ecocity.stormwater.engine.run_swmm`.
    """
    inp = build_inp(
        district, scenario, rain_depth_mm, mode=mode, rain_file=DEFAULT_RAIN_FILE, routing=routing,
        report_step_s=report_step_s,
    )  # fmt: skip
    if series_step_s is None:
        step = rain_depth_mm.index[1] - rain_depth_mm.index[0]
        series_step_s = 86400 if mode == "continuous" else int(step.total_seconds())
    result = run_swmm(
        inp, rain_file_text(rain_depth_mm), series_step_s=series_step_s,
        max_continuity_error_pct=max_continuity_error_pct,
    )  # fmt: skip
    units = {
        (u.subcatchment, u.control): (u.measure_index, u.lid)
        for placed in place_measures(district, scenario).subcatchments
        for u in placed.units
    }
    lids = result.lid_units.copy()
    lids["measure_index"] = [units[key][0] for key in lids.index]
    lids["lid"] = [units[key][1] for key in lids.index]
    return dataclasses.replace(result, lid_units=lids)
