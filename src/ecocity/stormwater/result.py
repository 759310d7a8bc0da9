"""What a SWMM run returns: :class:`SwmmResult`, with units in every field name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecocity.errors import ModelError
from ecocity.stormwater.network import parse_sections

_SWMM_EPOCH = pd.Timestamp("1899-12-30")  # SWMM encodes dates as days since this day
TOTALS = ("rainfall", "evaporation", "infiltration", "runoff", "lid_drain", "storage_change")


@dataclass(frozen=True)
class SwmmResult:
    """Results of one SWMM run.

    Attributes
    ----------
    area_m2
        Total area of the subcatchments. [m²]
    totals
        District water balance over the run, index ``TOTALS`` (rainfall, evaporation,
        infiltration, runoff, lid_drain, storage_change), columns ``depth_mm`` (over the
        total area) and ``volume_m3``. ``runoff`` is all that leaves the subcatchments:
        SWMM's surface runoff plus the LID underdrain flow, which SWMM books apart and which
        is also given alone as ``lid_drain``. So rainfall = evaporation + infiltration +
        runoff + storage_change, within the runoff continuity error.
    subcatchments
        Per subcatchment (index id): area_m2, rainfall_mm, runoff_mm, infiltration_mm,
        evaporation_mm, runoff_m3, peak_runoff_m3_per_s.
    lid_units
        Per LID unit (index subcatchment, lid_control): swmm_type, area_m2 and, in mm over the
        unit's area, inflow, evaporation, infiltration, surface_outflow, drain_outflow,
        initial_storage, final_storage (``*_mm``), plus balance_error_pct.
    runoff_m3
        Runoff volume per interval (index: interval start; columns: subcatchments). [m³]
    outfall_flow_m3_per_s
        Total inflow of each outfall at the report times (empty when routing is ignored). [m³/s]
    flooding
        Per node: volume_m3, hours (flooded time). [m³], [h]
    runoff_continuity_error_pct, routing_continuity_error_pct
        SWMM's continuity errors. [%]
    engine_version
        SWMM engine version (from swmm-toolkit).
    wall_time_s
        Wall time of the run, child process included. [s]
    """

    area_m2: float
    totals: pd.DataFrame
    subcatchments: pd.DataFrame
    lid_units: pd.DataFrame
    runoff_m3: pd.DataFrame
    outfall_flow_m3_per_s: pd.DataFrame
    flooding: pd.DataFrame
    runoff_continuity_error_pct: float
    routing_continuity_error_pct: float
    engine_version: str
    wall_time_s: float

    def depth_mm(self, name: str) -> float:
        """One district total as a depth over the total area, e.g. ``depth_mm("runoff")``. [mm]"""
        return float(self.totals.loc[name, "depth_mm"])


def assemble(inp_text: str, raw: dict, series: dict[str, np.ndarray], wall_s: float, max_error_pct: float) -> SwmmResult:
    """Build a :class:`SwmmResult` from the child's raw output, checking continuity.

    Raises
    ------
    ModelError
        If the runoff or the flow-routing continuity error exceeds ``max_error_pct`` (absolute).
    """
    check_continuity(raw["runoff_continuity_error_pct"], raw["routing_continuity_error_pct"], max_error_pct)
    subs = pd.DataFrame(raw["subcatchments"]).set_index("id")
    subs["area_m2"] = subs.pop("area_ha") * 1e4
    area_m2 = float(subs["area_m2"].sum())
    for name in ("runoff", "infiltration", "evaporation"):
        subs[f"{name}_mm"] = subs[f"{name}_m3"] / subs["area_m2"] * 1000.0
    subcatchments = subs[
        ["area_m2", "rainfall_mm", "runoff_mm", "infiltration_mm", "evaporation_mm", "runoff_m3", "peak_runoff_m3_per_s"]
    ]
    start = pd.Timestamp(*raw["start"])
    return SwmmResult(
        area_m2=area_m2,
        totals=_totals(raw["runoff_totals"], area_m2),
        subcatchments=subcatchments,
        lid_units=_lid_units(inp_text, raw["lid_units"]),
        runoff_m3=_runoff_series({**series, "elapsed_days": raw["elapsed_days"]}, start, pd.Timestamp(*raw["end"]), list(subs.index)),
        outfall_flow_m3_per_s=_outfall_frame(series["outfall_flow_m3_per_s"], raw),
        flooding=pd.DataFrame(
            {
                "volume_m3": [n["flood_volume_m3"] for n in raw["nodes"]],
                "hours": [n["flood_hours"] for n in raw["nodes"]],
            },
            index=pd.Index([n["id"] for n in raw["nodes"]], name="node"),
        ),
        runoff_continuity_error_pct=float(raw["runoff_continuity_error_pct"]),
        routing_continuity_error_pct=float(raw["routing_continuity_error_pct"]),
        engine_version=raw["engine_version"],
        wall_time_s=wall_s,
    )


def check_continuity(runoff_pct: float, routing_pct: float, max_error_pct: float) -> None:
    """Raise :class:`ModelError` if a SWMM continuity error is above ``max_error_pct`` [%]."""
    for which, value in (("runoff", runoff_pct), ("flow routing", routing_pct)):
        if abs(value) > max_error_pct:
            raise ModelError(
                f"SWMM {which} continuity error is {value:.2f} %, above the accepted {max_error_pct:.2f} %; "
                "shorten the time steps or check the model"
            )


def _totals(totals: dict, area_m2: float) -> pd.DataFrame:
    depth = {
        "rainfall": totals["rainfall"],
        "evaporation": totals["evap"],
        "infiltration": totals["infil"],
        "runoff": totals["runoff"] + totals["drains"],
        "lid_drain": totals["drains"],
        "storage_change": totals["finalStorage"] - totals["initStorage"],
    }
    frame = pd.DataFrame({"depth_mm": pd.Series(depth)}).loc[list(TOTALS)]
    frame["volume_m3"] = frame["depth_mm"] / 1000.0 * area_m2
    return frame


def _lid_units(inp_text: str, units: list[dict]) -> pd.DataFrame:
    columns = ["subcatchment", "lid_control", "swmm_type", "area_m2", "inflow_mm", "evaporation_mm",
               "infiltration_mm", "surface_outflow_mm", "drain_outflow_mm", "initial_storage_mm",
               "final_storage_mm", "balance_error_pct"]  # fmt: skip
    if not units:
        return pd.DataFrame(columns=columns).set_index(["subcatchment", "lid_control"])
    sections = parse_sections(inp_text)
    types = {p[0]: p[1] for p in (line.split() for line in sections.get("LID_CONTROLS", [])) if len(p) == 2}
    areas = {(p[0], p[1]): float(p[2]) * float(p[3]) for p in (line.split() for line in sections["LID_USAGE"])}
    frame = pd.DataFrame(units)
    frame["swmm_type"] = frame["lid_control"].map(types)
    frame["area_m2"] = [areas[(s, c)] for s, c in zip(frame["subcatchment"], frame["lid_control"])]
    out = (frame["evaporation_mm"] + frame["infiltration_mm"] + frame["surface_outflow_mm"]
           + frame["drain_outflow_mm"] + frame["final_storage_mm"] - frame["initial_storage_mm"])  # fmt: skip
    frame["balance_error_pct"] = 100.0 * (frame["inflow_mm"] - out) / frame["inflow_mm"].where(frame["inflow_mm"] > 0)
    return frame[columns].set_index(["subcatchment", "lid_control"])


def _runoff_series(series: dict[str, np.ndarray], start: pd.Timestamp, end: pd.Timestamp, ids: list[str]) -> pd.DataFrame:
    """Per-interval runoff from the cumulative totals read after each stride (the last at the end)."""
    total_days = (end - start).total_seconds() / 86400.0
    elapsed = np.array([total_days if e is None else e for e in series["elapsed_days"]], dtype=float)
    cumulative = series["runoff_cumulative_m3"]
    keep = np.concatenate([[True], np.diff(elapsed) > 0])  # a last stride may add no time
    elapsed, cumulative = elapsed[keep], cumulative[keep]
    ends = start + pd.to_timedelta(np.round(elapsed * 86400.0), unit="s")
    starts = pd.DatetimeIndex([start, *ends[:-1]], name="start")
    per_interval = np.diff(cumulative, axis=0, prepend=np.zeros((1, cumulative.shape[1])))
    return pd.DataFrame(per_interval, index=starts, columns=pd.Index(ids, name="subcatchment"))


def _outfall_frame(flows: np.ndarray, raw: dict) -> pd.DataFrame:
    outfalls = {n["id"] for n in raw["nodes"] if n["is_outfall"]}
    names = raw["outfall_names"]
    keep = [k for k, name in enumerate(names) if name in outfalls]
    flows = flows.reshape(len(names), -1) if len(names) else np.zeros((0, 0))
    start = _SWMM_EPOCH + pd.to_timedelta(float(raw["report_start"]), unit="D")
    step = pd.Timedelta(seconds=int(raw["report_step_s"]))
    index = pd.DatetimeIndex([start + step * (k + 1) for k in range(flows.shape[1])], name="time").round("s")
    return pd.DataFrame(flows[keep].T, index=index, columns=pd.Index([names[k] for k in keep], name="outfall"))
