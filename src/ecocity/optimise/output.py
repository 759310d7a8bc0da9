"""A search's results as files: JSON, the front and all designs as CSV, the chosen design as a
scenario file and a SWMM input, and a stand-alone HTML page with the front and the design's map;
with a future-climate check (:mod:`ecocity.optimise.robustness`) its table as CSV too.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from ecocity.district.model import District
from ecocity.optimise.robustness import FutureCheck
from ecocity.optimise.search import COST_COLUMN, SearchResult
from ecocity.stormwater.design_space import DesignSpace, design_to_scenario, scenario_file_text
from ecocity.stormwater.placement import place_measures

JSON_FILE = "optimisation.json"
SCENARIO_FILE = "optimised.toml"
INP_FILE = "optimised.inp"
HTML_FILE = "optimisation.html"
FUTURE_FILE = "future_climate.csv"
CHOSEN_NAME = "optimised_least_cost"


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return _clean(value.item())
    return value


def _rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{**row, "levels": [int(v) for v in row["levels"]]} for row in table.to_dict(orient="records")]


def design_map(district: District, space: DesignSpace, levels: list[int] | None) -> list[dict[str, Any]]:
    """Per subcatchment: id, polygon, area and the chosen design's LID area by type. [m²]"""
    areas: dict[str, dict[str, float]] = {s.id: {} for s in district.subcatchments}
    if levels is not None:
        placed = place_measures(district, design_to_scenario(district, levels, space))
        for sub in placed.subcatchments:
            for unit in sub.units:
                areas[sub.subcatchment.id][unit.lid] = areas[sub.subcatchment.id].get(unit.lid, 0.0) + unit.area_m2
    return [{"id": s.id, "area_m2": s.area_m2, "polygon": [list(p) for p in s.polygon], "lid_area_m2": areas[s.id]}
            for s in district.subcatchments]  # fmt: skip


def future_section(check: FutureCheck | None) -> dict[str, Any] | None:
    """The ``future_climate`` entry: the climate's metadata, status, targets, the least-cost design
    meeting every target in the future, best reachable values, baseline, counts and the checked
    designs (rows of :attr:`~ecocity.optimise.robustness.FutureCheck.table`); None without a check."""
    if check is None:
        return None
    designs = [{**row, "levels": [int(v) for v in row["levels"]], "roles": list(row["roles"])}
               for row in check.table.to_dict(orient="records")]  # fmt: skip
    return _clean({
        "climate": check.climate, "status": check.status, "objective_cost": check.cost_column,
        "targets": check.targets, "chosen": check.chosen, "best_reachable": check.best_reachable,
        "baseline": check.baseline, "counts": check.counts, "designs": designs,
    })  # fmt: skip


def optimisation_section(
    result: SearchResult, district: District, space: DesignSpace, future: FutureCheck | None = None
) -> dict[str, Any]:
    """The JSON-ready result: settings, status, chosen design, front, every design, screening,
    and ``future_climate`` (:func:`future_section`, None without a future-climate check)."""
    chosen_levels = result.chosen["levels"] if result.chosen else None
    return _clean({
        "district": district.name,
        "status": result.status,
        "objective_cost": COST_COLUMN[result.settings.cost],
        "settings": asdict(result.settings),
        "variables": list(result.variables),
        "groups": [list(g) for g in space.groups],
        "lid_options": [{"lid": o.lid, "on": o.on, "sizing": o.sizing, "max_share": o.max_share,
                         "surface_ratio": o.surface_ratio, "source": o.source} for o in space.options],
        "levels": space.levels,
        "targets": result.targets,
        "chosen": result.chosen,
        "best_reachable": result.best_reachable,
        "baseline": result.baseline,
        "front": _rows(result.front),
        "evaluations": _rows(result.evaluations),
        "screening": result.screening,
        "surrogate": result.surrogate,
        "counts": result.counts,
        "generations": result.generations,
        "history": result.history,
        "map": design_map(district, space, chosen_levels),
        "future_climate": future_section(future),
    })  # fmt: skip


def write_outputs(
    result: SearchResult, district: District, space: DesignSpace, rain_depth_mm: pd.Series, out: Path,
    future: FutureCheck | None = None,
) -> dict[str, Any]:
    """Write every output into ``out``; returns the section with the files' paths added."""
    from ecocity.report.optimisation import optimisation_page
    from ecocity.stormwater.inpio import export_inp

    out.mkdir(parents=True, exist_ok=True)
    section = optimisation_section(result, district, space, future)
    files: dict[str, str] = {}
    if result.chosen is not None:
        scenario = design_to_scenario(district, result.chosen["levels"], space, name=CHOSEN_NAME)
        comment = (f"Least-cost design meeting every target of {district.name} "
                   f"(ecocity sponge optimise, seed {result.settings.seed}).")  # fmt: skip
        (out / SCENARIO_FILE).write_text(scenario_file_text(scenario, comment=comment), encoding="utf-8")
        files["scenario"] = str(out / SCENARIO_FILE)
        files["inp"] = str(export_inp(district, scenario, out / INP_FILE, rain_depth_mm))
    result.front.assign(levels=result.front["levels"].map(lambda v: "-".join(map(str, v)))).to_csv(
        out / "front.csv", index=False)  # fmt: skip
    result.evaluations.assign(levels=result.evaluations["levels"].map(lambda v: "-".join(map(str, v)))).to_csv(
        out / "evaluations.csv", index=False)  # fmt: skip
    if future is not None:
        future.table.assign(levels=future.table["levels"].map(lambda v: "-".join(map(str, v))),
                            roles=future.table["roles"].map(" ".join)).to_csv(out / FUTURE_FILE, index=False)
        files["future_climate"] = str(out / FUTURE_FILE)
    files["front"] = str(out / "front.csv")
    files["evaluations"] = str(out / "evaluations.csv")
    files["html"] = str(out / HTML_FILE)
    files["json"] = str(out / JSON_FILE)
    section["files"] = files
    (out / HTML_FILE).write_text(optimisation_page(section), encoding="utf-8")
    (out / JSON_FILE).write_text(json.dumps(section, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    return section
