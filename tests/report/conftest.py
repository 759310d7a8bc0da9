"""A realistic ``results`` dict, shaped like the results.json ``ecocity assess`` writes.

Twelve subcatchments on a 4 × 3 grid in CGCS2000 / 3-degree Gauss-Krüger CM 117°E
(EPSG:4548, around Tongzhou), three sub-areas, four scenarios (baseline first). The numbers are
plausible, not computed: the report only draws and formats them.
"""

from __future__ import annotations

import copy
import math

import pytest

SCENARIOS = ("baseline", "bioretention", "green_roofs", "combined")
SUB_AREAS = ("North", "Centre", "South")
RETURN_PERIODS_YR = (3.0, 50.0)
CAPTURE_TARGET = 0.85

# Capture ratio of each subcatchment (S1..S12) per scenario. [-]
_CAPTURE = {
    "baseline": [0.52, 0.61, 0.48, 0.66, 0.58, 0.71, 0.55, 0.63, 0.69, 0.50, 0.74, 0.60],
    "bioretention": [0.80, 0.86, 0.78, 0.88, 0.84, 0.90, 0.62, 0.70, 0.75, 0.57, 0.79, 0.66],
    "green_roofs": [0.70, 0.74, 0.66, 0.79, 0.72, 0.81, 0.72, 0.77, 0.80, 0.68, 0.83, 0.75],
    "combined": [0.88, 0.91, 0.86, 0.93, 0.89, 0.94, 0.86, 0.87, 0.90, 0.84, 0.92, 0.88],
}
_MEASURES = {
    "baseline": [],
    "bioretention": [("bioretention", "S1–S6, road verges and yards", 14_500.0)],
    "green_roofs": [("green_roof", "flat roofs of S7–S12", 22_000.0),
                    ("permeable_pavement", "car parks in S8, S11", 6_000.0)],
    "combined": [("bioretention", "S1–S6, road verges and yards", 14_500.0),
                 ("green_roof", "flat roofs of S7–S12", 22_000.0),
                 ("permeable_pavement", "car parks in S8, S11", 6_000.0),
                 ("infiltration_trench", "edges of the S9, S10 car parks", 1_200.0)],
}
# An infiltration trench has no unit cost in the Guide: results.json holds None for its yuan.
_UNIT_COST_YUAN_PER_M2 = {"bioretention": (600.0, 900.0), "green_roof": (200.0, 400.0),
                          "permeable_pavement": (150.0, 250.0), "infiltration_trench": (None, None)}


def _polygon(col: int, row: int) -> list[list[float]]:
    x0, y0, w, h = 468_200.0 + col * 260.0, 4_414_600.0 - row * 240.0, 260.0, 240.0
    skew = 15.0 * ((col + row) % 3 - 1)
    return [[x0, y0], [x0 + w, y0 + skew], [x0 + w + skew, y0 + h], [x0, y0 + h + skew], [x0, y0]]


def _lids_by_subcatchment(scenario: str) -> dict[str, list[dict]]:
    """Spread each measure's area evenly over the subcatchments it names."""
    out: dict[str, list[dict]] = {}
    for lid, _, area_m2 in _MEASURES[scenario]:
        ids = {"bioretention": range(1, 7), "green_roof": range(7, 13),
               "permeable_pavement": (8, 11), "infiltration_trench": (9, 10)}[lid]
        for i in ids:
            out.setdefault(f"S{i}", []).append({"lid": lid, "area_m2": area_m2 / len(ids)})
    return out


def _chicago_storm(period_yr: float) -> tuple[list[float], list[float]]:
    """120-min Chicago storm from Beijing's q = 2001(1+0.811 lgP)/(t+8)^0.711, r = 0.4."""
    step, duration, r = 5.0, 120.0, 0.4

    def cumulative_mm(t_min: float) -> float:  # depth of the t-min block of the IDF curve
        q = 2001.0 * (1.0 + 0.811 * math.log10(period_yr)) / (t_min + 8.0) ** 0.711
        return q * t_min * 60.0 / 1e4 if t_min > 0 else 0.0  # L/s/ha × s → mm

    times = [step * k for k in range(int(duration / step))]
    peak = r * duration
    depths = []
    for t in times:
        a, b = abs(t - peak), abs(t + step - peak)
        if t < peak <= t + step:
            depths.append(cumulative_mm(a / r) * r + cumulative_mm(b / (1 - r)) * (1 - r))
        else:
            scale = r if t + step <= peak else 1 - r
            depths.append(abs(cumulative_mm(b / scale) - cumulative_mm(a / scale)) * scale)
    return times, depths


def _hydrograph(period_yr: float, attenuation: float) -> dict:
    times = [2.0 * k for k in range(121)]
    peak = (1.8 + 1.3 * math.log10(period_yr)) * (1.0 - attenuation)
    flows = [peak * (t / 62.0) ** 3 * math.exp(3 * (1 - t / 62.0)) for t in times]
    volume = sum(flows) * 120.0
    return {"return_period_yr": period_yr, "outfall_time_min": times,
            "outfall_flow_m3_per_s": [round(q, 4) for q in flows],
            "peak_m3_per_s": round(max(flows), 3), "volume_m3": round(volume, 0)}


def _indicator(name, value, unit, scope="district", target=None, higher_is_better=True,
               source="GB/T 51345-2018"):
    passed = None
    if target is not None and value is not None:
        passed = value >= target if higher_is_better else value <= target
    return {"name": name, "value": value, "unit": unit, "scope": scope, "target": target,
            "passed": passed, "source": source}


def _scenario(name: str, index: int, area_m2: dict[str, float]) -> dict:
    capture = _CAPTURE[name]
    ids = [f"S{i}" for i in range(1, 13)]
    weights = [area_m2[i] for i in ids]
    district_capture = sum(c * w for c, w in zip(capture, weights)) / sum(weights)
    meeting = sum(w for c, w in zip(capture, weights) if c >= CAPTURE_TARGET) / sum(weights)
    attenuation = [0.0, 0.22, 0.18, 0.35][index]
    storms = [_hydrograph(p, attenuation * (1.0 if p < 10 else 0.5)) for p in RETURN_PERIODS_YR]
    rainfall_mm = 585.0
    runoff_mm = rainfall_mm * (1.0 - district_capture) * 0.9
    by_lid = [{"lid": lid, "quantity": a, "unit": "m2", "area_m2": a,
               "yuan_low": None if low is None else a * low, "yuan_high": None if high is None else a * high}
              for lid, _, a in _MEASURES[name] for low, high in [_UNIT_COST_YUAN_PER_M2[lid]]]
    low = sum(item["yuan_low"] or 0.0 for item in by_lid)  # no Guide cost counts as zero
    high = sum(item["yuan_high"] or 0.0 for item in by_lid)
    baseline_runoff_mm = rainfall_mm * (1.0 - 0.6069) * 0.9
    retained_m3 = (baseline_runoff_mm - runoff_mm) / 1000.0 * sum(weights)
    per_m3 = (low + high) / 2 / retained_m3 if index else None
    flood_nodes = [{"node": f"J{k}", "volume_m3": round(v * (1 - attenuation), 1),
                    "hours": round(h * (1 - attenuation), 2)}
                   for k, v, h in ((4, 820.0, 1.6), (9, 2310.5, 2.9), (15, 140.0, 0.4))]
    flood_nodes = [n for n in flood_nodes if n["volume_m3"] > 200.0]
    base_peaks = {p: _hydrograph(p, 0.0)["peak_m3_per_s"] for p in RETURN_PERIODS_YR}
    indicators = [
        _indicator("capture_ratio", district_capture, "-", target=CAPTURE_TARGET),
        _indicator("tss_reduction", district_capture * 0.62, "-", target=0.5),
        _indicator("share_of_area_meeting_target", meeting, "-"),
        _indicator("runoff_depth_mm_per_yr", runoff_mm, "mm"),
    ]
    for storm in storms:
        p = storm["return_period_yr"]
        indicators.append(_indicator(f"peak_flow_reduction_P{p:g}",
                                     1 - storm["peak_m3_per_s"] / base_peaks[p], "-",
                                     target=0.2 if p < 10 else None,
                                     source="SWMM 5.2 design-storm run"))
    indicators += [
        _indicator("flood_volume_m3", sum(n["volume_m3"] for n in flood_nodes), "m3", target=0.0,
                   higher_is_better=False, source="SWMM 5.2 node flooding"),
        _indicator("flooded_nodes", float(len(flood_nodes)), "-", source="SWMM 5.2 node flooding"),
        _indicator("capital_cost_yuan", (low + high) / 2, "yuan", source="unit costs, sources table"),
        _indicator("cost_per_m3_retained_yuan", per_m3, "yuan/m3",
                   source="capital cost / annual runoff retained"),
    ]
    for k, sub in enumerate(SUB_AREAS):
        members = range(4 * k, 4 * k + 4)
        value = sum(capture[i] * weights[i] for i in members) / sum(weights[i] for i in members)
        indicators.append(_indicator("capture_ratio", value, "-", scope=f"sub_area:{sub}",
                                     target=CAPTURE_TARGET))
    for i in (0, 6, 9):
        indicators.append(_indicator("capture_ratio", capture[i], "-", scope=f"subcatchment:{ids[i]}",
                                     target=CAPTURE_TARGET))
    return {
        "name": name,
        "description": {"baseline": "Existing state, no measures",
                        "bioretention": "Bioretention along roads of the northern blocks",
                        "green_roofs": "Green roofs and permeable car parks in the south",
                        "combined": "Both packages together"}[name],
        "run_id": f"run-{index:04d}-a1b2c3",
        "cached": index == 0,
        "measures": [{"lid": lid, "where": where, "area_m2": a} for lid, where, a in _MEASURES[name]],
        "indicators": indicators,
        "water_balance_mm": {"rainfall": rainfall_mm, "runoff": runoff_mm,
                             "infiltration": rainfall_mm - runoff_mm - 118.0 - 2.0,
                             "evaporation": 118.0, "storage_change": 2.0},
        "cost": None if index == 0 else {
            "capital_yuan_low": low, "capital_yuan_high": high, "capital_yuan_mid": (low + high) / 2,
            "per_m3_retained_yuan": per_m3, "by_lid": by_lid},
        "subcatchment_capture_ratio": dict(zip(ids, capture)),
        "design_storms": storms,
        "flooding": {"return_period_yr": 50.0, "nodes": flood_nodes},
    }


def make_results(*, synthetic: bool = True) -> dict:
    """The results of assessing a 12-subcatchment Tongzhou block under four scenarios."""
    polygons = {f"S{4 * row + col + 1}": _polygon(col, row) for row in range(3) for col in range(4)}
    area_m2 = {}
    for sid, ring in polygons.items():  # shoelace
        area_m2[sid] = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))) / 2
    depth_mm = [float(d) for d in range(0, 61, 2)]
    k_mm = 33.6 / math.log(1 / (1 - CAPTURE_TARGET))
    storm_time, storm_depth = _chicago_storm(3.0)
    return {
        "ecocity_version": "0.1.0",
        "created_utc": "2026-11-20T08:30:00Z",
        "engine": {"swmm": "5.2.4"},
        "district": {
            "name": "Tongzhou pilot block 3",
            "crs": "EPSG:4548",
            "area_m2": sum(area_m2.values()),
            "n_subcatchments": 12,
            "targets": {"capture_ratio": CAPTURE_TARGET, "tss_reduction": 0.5,
                        "pipe_return_period_yr": 3, "waterlogging_return_period_yr": 50},
            "rainfall": {"file": "rain/tongzhou_5min.csv", "synthetic": synthetic, "years": 30.0,
                         "step_min": 5.0, "annual_mean_mm": 585.2},
        },
        "capture_curve": {"depth_mm": depth_mm,
                          "capture_ratio": [1 - math.exp(-d / k_mm) for d in depth_mm],
                          "design_depth_mm": 33.6, "target": CAPTURE_TARGET},
        "scenarios": [_scenario(name, i, area_m2) for i, name in enumerate(SCENARIOS)],
        "design_storm": {"name": "Chicago 120 min", "return_period_yr": 3.0, "duration_min": 120.0,
                         "step_min": 5.0, "peak_ratio": 0.4, "time_min": storm_time,
                         "depth_mm": storm_depth},
        "map": {"crs": "EPSG:4548", "subcatchments": [
            {"id": sid, "sub_area": SUB_AREAS[(int(sid[1:]) - 1) // 4], "polygon": ring,
             "lids": {name: _lids_by_subcatchment(name).get(sid, []) for name in SCENARIOS}}
            for sid, ring in polygons.items()]},
        "sources": [
            {"item": "volume runoff coefficient, roof", "value": "0.85",
             "source": "MOHURD 2014, 海绵城市建设技术指南 (试行), Table 4-3, p. 50", "confidence": "V"},
            {"item": "TSS EMC, road [mg/L]", "value": "280.2",
             "source": "Wang Junxia et al. 2014, 生态环境学报 2014(1)", "confidence": "S1"},
            {"item": "Beijing short-duration IDF", "value": "q = 2001(1+0.811 lgP)/(t+8)^0.711",
             "source": "Beijing Zone II formula, two reproductions agree", "confidence": "R2"},
            {"item": "bioretention unit cost [yuan/m²]", "value": "600–900",
             "source": "engineering estimate, replace with local tender prices", "confidence": "assumed"},
        ],
    }


@pytest.fixture
def results() -> dict:
    """A fresh copy of the fixture results (tests may modify it)."""
    return copy.deepcopy(make_results())
