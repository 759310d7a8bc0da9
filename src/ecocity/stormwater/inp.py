"""Build a SWMM 5.2 input file from a district, a scenario and a rainfall series.

Every mapping and default is listed, with its source, in ``docs/methods/swmm.md``. The text
this module returns is engine-independent; running it is :mod:`ecocity.stormwater.engine`'s job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ecocity.district.model import IMPERVIOUS_COVERS, District, Scenario
from ecocity.errors import InputError
from ecocity.stormwater.catalogue import LAYER_FIELDS, LidDesign, load_soil, load_surfaces
from ecocity.stormwater.network import NetworkSections, generated_network, read_network
from ecocity.stormwater.placement import LidControl, PlacedSubcatchment, Placement, place_measures

Mode = Literal["continuous", "event"]
RAIN_GAUGE = "RG1"
RAIN_STATION = "STA1"
DEFAULT_RAIN_FILE = Path("rain.dat")
EVENT_TAIL_H = 12.0  # dry hours simulated after a design storm so the system drains
_STEPS_S = {  # wet, dry, routing, report [s]; wet is also capped at the rain step
    "continuous": (300, 3600, 60, 3600),
    "event": (60, 300, 5, 60),
}
# Continuous runs route by kinematic wave (or not at all): they serve the water balance. Design
# storms route by dynamic wave, which lets pipes surcharge and floods a node only when the
# hydraulic grade line reaches the ground, and keeps routing continuity within 0.3 % where
# kinematic wave lost up to 2 % in the example district's combined scenario.
_ROUTING = {"continuous": "KINWAVE", "event": "DYNWAVE"}
_LAYER_LINE = {"surface": "SURFACE", "soil": "SOIL", "pavement": "PAVEMENT", "storage": "STORAGE",
               "drain": "DRAIN", "drainmat": "DRAINMAT"}  # fmt: skip


def rain_step_s(rain_depth_mm: pd.Series) -> int:
    """Time step of a regular rainfall series in whole minutes, as seconds.

    Raises
    ------
    InputError
        If the series is empty, irregular, not on whole minutes, negative or has gaps (NaN).
    """
    where = "rainfall series"
    if not isinstance(rain_depth_mm.index, pd.DatetimeIndex) or len(rain_depth_mm) < 2:
        raise InputError("expected a series of depths [mm] on a DatetimeIndex, at least two steps", file=where)
    steps = np.diff(rain_depth_mm.index.asi8)
    if steps.min() != steps.max() or steps[0] <= 0:
        raise InputError("the time index must be regular and increasing", file=where, field="index")
    step_s = int(pd.Timedelta(int(steps[0]), unit=rain_depth_mm.index.unit).total_seconds())
    if step_s % 60:
        raise InputError(f"the time step must be whole minutes, got {step_s} s", file=where, field="index")
    values = rain_depth_mm.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise InputError("depths must be non-negative numbers without gaps", file=where, field="depth_mm")
    return step_s


def rain_file_text(rain_depth_mm: pd.Series) -> str:
    """The series in SWMM's user-prepared rain file format (station y m d h min depth-mm).

    Only wet steps are written; SWMM reads missing steps as dry.
    """
    rain_step_s(rain_depth_mm)
    wet = rain_depth_mm[rain_depth_mm > 0]
    index = wet.index
    cols = zip(index.year, index.month, index.day, index.hour, index.minute, wet.to_numpy(dtype=float))
    lines = [f"{RAIN_STATION} {y} {m:02d} {d:02d} {h:02d} {mi:02d} {v:.4f}" for y, m, d, h, mi, v in cols]
    return "\n".join(lines) + "\n"


def build_inp(
    district: District,
    scenario: Scenario,
    rain_depth_mm: pd.Series,
    *,
    mode: Mode = "continuous",
    rain_file: Path = DEFAULT_RAIN_FILE,
    routing: bool = True,
    report_step_s: int | None = None,
) -> str:
    """A SWMM 5.2 input file (SI) for the district under ``scenario``.

    Parameters
    ----------
    district, scenario
        The district and the scenario whose measures become LID units.
    rain_depth_mm
        Rainfall depth per step on a regular DatetimeIndex. [mm]
    mode
        ``"continuous"`` (wet 5 min or the rain step, dry 1 h, routing 60 s, report 1 h) or
        ``"event"`` for design storms (1 min / 5 min / 5 s / 1 min, dynamic wave, and 12 dry
        hours after the rain).
    rain_file
        The rain gauge's file as written in the input (write it with :func:`rain_file_text`);
        a relative name is read from the folder SWMM runs in.
    routing
        False writes ``IGNORE_ROUTING YES``: runoff only, no node or outfall results.
    report_step_s
        Reporting step of the outfall hydrographs, instead of the mode's. [s]

    Raises
    ------
    InputError
        For a bad rainfall series, placement, soil class, network or outlet.
    """
    step_s = rain_step_s(rain_depth_mm)
    placement = place_measures(district, scenario)
    network = read_network(district) if district.network_inp else generated_network(district)
    wet_s, dry_s, route_s, report_s = _STEPS_S[mode]
    start = rain_depth_mm.index[0]
    end = rain_depth_mm.index[-1] + pd.Timedelta(seconds=step_s)
    if mode == "event":
        end += pd.Timedelta(hours=EVENT_TAIL_H)
    options = {
        "FLOW_UNITS": "CMS",
        "INFILTRATION": "GREEN_AMPT",
        "FLOW_ROUTING": _ROUTING[mode],
        "LINK_OFFSETS": "DEPTH",
        "START_DATE": start.strftime("%m/%d/%Y"),
        "START_TIME": start.strftime("%H:%M:%S"),
        "REPORT_START_DATE": start.strftime("%m/%d/%Y"),
        "REPORT_START_TIME": start.strftime("%H:%M:%S"),
        "END_DATE": end.strftime("%m/%d/%Y"),
        "END_TIME": end.strftime("%H:%M:%S"),
        "DRY_DAYS": "0",
        "WET_STEP": _hms(min(wet_s, step_s)),
        "DRY_STEP": _hms(dry_s),
        "ROUTING_STEP": str(route_s),
        "REPORT_STEP": _hms(report_step_s or report_s),
        "ALLOW_PONDING": "NO",
        "SKIP_STEADY_STATE": "NO",
        "IGNORE_ROUTING": "NO" if routing else "YES",
    }
    sections = {
        "TITLE": [f"ecocity {district.name} - scenario {scenario.name} ({mode})"],
        "OPTIONS": [f"{k:<20} {v}" for k, v in options.items()],
        "EVAPORATION": [
            "MONTHLY " + " ".join(f"{e:.2f}" for e in district.climate.evaporation_mm_per_day),
            "DRY_ONLY YES",
        ],
        "RAINGAGES": [f'{RAIN_GAUGE} VOLUME {_hm(step_s)} 1.0 FILE "{rain_file}" {RAIN_STATION} MM'],
        **_subcatchment_sections(district, placement, network),
        **_lid_sections(placement),
    }
    report = ["INPUT NO", "CONTROLS NO", "SUBCATCHMENTS NONE", "LINKS NONE"]
    outfalls = network.outfalls()
    report += [f"NODES {' '.join(outfalls[i : i + 10])}" for i in range(0, len(outfalls), 10)] or ["NODES NONE"]
    sections["REPORT"] = report
    merged = {**sections, **network.sections}
    merged["POLYGONS"] = _polygons(district)
    merged["MAP"] = _map(merged)
    merged["SYMBOLS"] = [f"{RAIN_GAUGE} {x} {y}" for x, y in [_corner(merged)]]
    return "\n".join(f"[{name}]\n" + "\n".join(lines) + "\n" for name, lines in merged.items() if lines)


def _subcatchment_sections(
    district: District, placement: Placement, network: NetworkSections
) -> dict[str, list[str]]:
    surfaces, hard_zero_share = load_surfaces()
    ids = {s.id for s in district.subcatchments}
    nodes = network.nodes()
    subcatchments, subareas, infiltration = [], [], []
    for placed in placement.subcatchments:
        sub = placed.subcatchment
        if sub.outlet not in nodes and sub.outlet not in ids:
            raise InputError(
                f"outlet {sub.outlet!r} is neither a node of the network nor a subcatchment",
                file=str(district.network_inp or district.folder),
                record=sub.id,
                field="outlet",
            )
        soil = load_soil(sub.soil, where=f"subcatchment {sub.id!r}")
        subcatchments.append(
            f"{sub.id} {RAIN_GAUGE} {sub.outlet} {sub.area_m2 / 1e4:.6f} {placed.impervious_pct:.4f} "
            f"{placed.width_m:.4f} {sub.slope * 100:.4f} 0"
        )
        n_imp, s_imp, zero_pct = _impervious_surface(placed, surfaces, hard_zero_share)
        green = surfaces["green"]
        subareas.append(
            f"{sub.id} {n_imp:.4f} {green.manning_n:.4f} {s_imp:.3f} {green.depression_storage_mm:.3f} "
            f"{zero_pct:.3f} OUTLET"
        )
        infiltration.append(f"{sub.id} {soil.suction_mm:.2f} {soil.ksat_mm_per_h:.3f} {soil.initial_deficit:.4f}")
    return {"SUBCATCHMENTS": subcatchments, "SUBAREAS": subareas, "INFILTRATION": infiltration}


def _impervious_surface(placed: PlacedSubcatchment, surfaces: dict, hard_zero_share: float) -> tuple[float, float, float]:
    """Area-weighted Manning n, depression storage [mm] and %Zero of the impervious remainder.

    Water counts as impervious without depression storage; of the hard covers (roof, road,
    paved) the share ``hard_zero_share`` has none either (SWMM's default %Zero).
    """
    cover = placed.cover_area_m2
    hard = sum(cover[c] for c in IMPERVIOUS_COVERS)
    water = cover["water"]
    if hard + water <= 0:  # no impervious area left: SWMM does not use these values
        n = sum(surfaces[c].manning_n for c in IMPERVIOUS_COVERS) / len(IMPERVIOUS_COVERS)
        s = sum(surfaces[c].depression_storage_mm for c in IMPERVIOUS_COVERS) / len(IMPERVIOUS_COVERS)
        return n, s, 100.0 * hard_zero_share
    n = sum(surfaces[c].manning_n * cover[c] for c in (*IMPERVIOUS_COVERS, "water")) / (hard + water)
    s = sum(surfaces[c].depression_storage_mm * cover[c] for c in IMPERVIOUS_COVERS) / hard if hard > 0 else 0.0
    return n, s, 100.0 * (water + hard_zero_share * hard) / (hard + water)


def initial_saturation_pct(design: LidDesign) -> float:
    """SWMM's InitSat of an LID unit: its soil layer starts at field capacity. [%]

    SWMM (lid.c, ``lid_initState``) starts the soil at θ = WP + InitSat · (φ − WP); field
    capacity, where the native soil starts (initial deficit φ − FC), is therefore
    InitSat = 100 · (FC − WP) / (φ − WP): 25 % for the bioretention defaults (0.5, 0.2, 0.1).
    SWMM fills a storage layer or drainage mat to InitSat of its height as well. Without a soil
    layer, 0: the unit starts empty.

    Raises
    ------
    InputError
        If the soil's wilting point, field capacity and porosity are not in that order.
    """
    if "soil" not in design.layers:
        return 0.0
    porosity = design.value("soil", "porosity")
    field_capacity = design.value("soil", "field_capacity")
    wilting_point = design.value("soil", "wilting_point")
    if not wilting_point <= field_capacity <= porosity or wilting_point >= porosity:
        raise InputError(
            f"{design.name}: expected wilting point ≤ field capacity ≤ porosity and wilting point < porosity, "
            f"got {wilting_point:g}, {field_capacity:g}, {porosity:g}",
            file="lid_catalogue.toml",
            field="soil",
        )
    return 100.0 * (field_capacity - wilting_point) / (porosity - wilting_point)


def _lid_sections(placement: Placement) -> dict[str, list[str]]:
    controls = []
    for control in placement.controls.values():
        controls.append(f"{control.name} {control.design.swmm_type}")
        controls += _layer_lines(control)
    init_sat = {name: initial_saturation_pct(control.design) for name, control in placement.controls.items()}
    usage = [
        f"{u.subcatchment} {u.control} 1 {u.area_m2:.4f} {u.width_m:.4f} {init_sat[u.control]:.4f} "
        f"{u.from_impervious_pct:.4f} {int(u.to_pervious)} * * 0"
        for placed in placement.subcatchments
        for u in placed.units
    ]
    return {"LID_CONTROLS": controls, "LID_USAGE": usage}


def _layer_lines(control: LidControl) -> list[str]:
    design = control.design
    lines = []
    for layer in LAYER_FIELDS:
        if layer not in design.layers:
            continue
        values = []
        for name, _ in LAYER_FIELDS[layer]:
            value = design.value(layer, name)
            if layer == "storage" and name == "seepage_mm_per_h" and value is None:
                value = control.seepage_mm_per_h
            if value is None:
                raise InputError(
                    f"{design.name} needs {layer}.{name}", file="lid_catalogue.toml", field=f"{layer}.{name}"
                )
            values.append(("YES" if value else "NO") if name == "covered" else f"{value:g}")
        lines.append(f"{control.name} {_LAYER_LINE[layer]} {' '.join(values)}")
    return lines


def _polygons(district: District) -> list[str]:
    return [f"{s.id} {x:.3f} {y:.3f}" for s in district.subcatchments for x, y in s.polygon]


def _points(sections: dict[str, list[str]]) -> list[tuple[float, float]]:
    points = []
    for name in ("POLYGONS", "COORDINATES"):
        for line in sections.get(name, []):
            parts = line.split()
            if len(parts) >= 3 and not line.startswith(";"):
                points.append((float(parts[1]), float(parts[2])))
    return points


def _corner(sections: dict[str, list[str]]) -> tuple[float, float]:
    points = _points(sections) or [(0.0, 0.0)]
    return min(p[0] for p in points), max(p[1] for p in points)


def _map(sections: dict[str, list[str]]) -> list[str]:
    points = _points(sections) or [(0.0, 0.0), (100.0, 100.0)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) * 0.05
    return [f"DIMENSIONS {min(xs) - pad:.3f} {min(ys) - pad:.3f} {max(xs) + pad:.3f} {max(ys) + pad:.3f}", "UNITS Meters"]


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _hm(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
