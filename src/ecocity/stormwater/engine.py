"""The SWMM engine adapter: the only module that imports swmm-toolkit.

One simulation per process (the engine keeps global state and prints to the C-level stdout;
notes' pitfalls #1, #2, #5): :func:`run_swmm` writes the model into a fresh temporary folder
and runs it in a child Python process (``python -m ecocity.stormwater._worker``), whose stdout
goes nowhere. The child steps the engine in strides of the requested resolution, reads the
cumulative statistics, LID water balances and outfall hydrographs, and leaves them in the
folder as ``result.json`` and raw float64 arrays (``*.f64``, shapes in the JSON); the parent
checks continuity and builds a :class:`~ecocity.stormwater.result.SwmmResult`.

Neither numpy nor pandas is imported at module level, so the child starts in about 0.1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

from swmm.toolkit import output, shared_enum, solver

from ecocity.errors import EngineError

if TYPE_CHECKING:
    from ecocity.stormwater.result import SwmmResult

MODEL, REPORT, OUTPUT = "model.inp", "model.rpt", "model.out"
RESULT_JSON, JOB_JSON = "result.json", "job.json"
ARRAYS = ("runoff_cumulative_m3", "outfall_flow_m3_per_s")
_LID_RESULTS = {
    "inflow_mm": "INFLOW",
    "evaporation_mm": "EVAPORATION",
    "infiltration_mm": "INFILTRATION",
    "surface_outflow_mm": "SURFACE_FLOW",
    "drain_outflow_mm": "DRAIN_FLOW",
    "initial_storage_mm": "INITIAL_VOLUME",
    "final_storage_mm": "FINAL_VOLUME",
}


def engine_version() -> str:
    """Version of the SWMM engine bundled with swmm-toolkit, e.g. ``"5.2.4"``."""
    code = solver.swmm_get_version()
    return f"{code // 10000}.{code // 1000 % 10}.{code % 1000}"


def run_swmm(
    inp_text: str,
    rain: str | Path | None = None,
    *,
    series_step_s: int = 86400,
    max_continuity_error_pct: float = 1.0,
    timeout_s: float | None = None,
) -> SwmmResult:
    """Run a SWMM input in a child process and read its results back.

    Parameters
    ----------
    inp_text
        The SWMM input (e.g. from :func:`ecocity.stormwater.inp.build_inp`).
    rain
        The rain gauge file: text (written beside the input under the name
        :data:`ecocity.stormwater.inp.DEFAULT_RAIN_FILE`, ``rain.dat``, which ``build_inp`` writes
        by default) or a path (copied beside the input under its own name). The input should
        name it without a folder.
    series_step_s
        Resolution of the per-subcatchment runoff series. [s]
    max_continuity_error_pct
        Largest accepted runoff or flow-routing continuity error (absolute). [%]
    timeout_s
        Wall-clock limit for the child process. [s]

    Returns
    -------
    SwmmResult

    Raises
    ------
    EngineError
        If SWMM reports an error (its message and the report's error lines) or the child dies.
    ModelError
        If a continuity error exceeds ``max_continuity_error_pct``.
    """
    import numpy as np  # numpy and pandas (imported by inp and result) stay out of the child process

    from ecocity.stormwater import inp
    from ecocity.stormwater.result import assemble

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ecocity-swmm-") as tmp:
        folder = Path(tmp)
        (folder / MODEL).write_text(inp_text, encoding="utf-8")
        if isinstance(rain, Path):
            shutil.copyfile(rain, folder / rain.name)
        elif rain is not None:
            (folder / inp.DEFAULT_RAIN_FILE).write_text(rain, encoding="utf-8")
        (folder / JOB_JSON).write_text(json.dumps({"series_step_s": int(series_step_s)}))
        _run_child(folder, timeout_s)
        raw = json.loads((folder / RESULT_JSON).read_text())
        if "error" in raw:
            lines = _report_errors(folder / REPORT)
            raise EngineError(f"SWMM failed: {raw['error'].strip()}" + ("\n" + "\n".join(lines) if lines else ""))
        series = {name: np.fromfile(folder / f"{name}.f64").reshape(raw["shapes"][name]) for name in ARRAYS}
    return assemble(inp_text, raw, series, time.perf_counter() - started, max_continuity_error_pct)


def _run_child(folder: Path, timeout_s: float | None) -> None:
    command = [sys.executable, "-m", "ecocity.stormwater._worker", str(folder)]
    try:
        done = subprocess.run(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise EngineError(f"SWMM run exceeded {timeout_s} s and was stopped") from err
    if done.returncode != 0 or not (folder / RESULT_JSON).exists():
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise EngineError(f"the SWMM child process failed (exit {done.returncode}): {tail}")


def _report_errors(report: Path) -> list[str]:
    if not report.exists():
        return []
    lines = report.read_text(errors="replace").splitlines()
    return [line.strip() for line in lines if "ERROR" in line or "WARNING" in line][:20]


def simulate_in_folder(folder: Path) -> None:
    """Child side: run ``model.inp`` in ``folder`` and save results there (see module doc)."""
    job = json.loads((folder / JOB_JSON).read_text())
    os.chdir(folder)
    try:
        raw, series = _simulate(job["series_step_s"])
    except Exception as err:  # the toolkit raises bare Exception with SWMM's message
        (folder / RESULT_JSON).write_text(json.dumps({"error": str(err)}))
        return
    raw["shapes"] = {}
    for name in ARRAYS:
        rows = series[name]
        raw["shapes"][name] = [len(rows), len(rows[0]) if rows else 0]
        with open(folder / f"{name}.f64", "wb") as handle:
            for row in rows:
                array("d", row).tofile(handle)
    (folder / RESULT_JSON).write_text(json.dumps(raw))


def _simulate(stride_s: int) -> tuple[dict, dict[str, list[list[float]]]]:
    solver.swmm_open(MODEL, REPORT, OUTPUT)
    try:
        solver.swmm_start(1)
        n_sub = solver.project_get_count(shared_enum.ObjectType.SUBCATCH)
        n_node = solver.project_get_count(shared_enum.ObjectType.NODE)
        elapsed_days, cumulative = [], []
        while True:
            elapsed = solver.swmm_stride(stride_s)  # 0 once the last stride has run to the end
            elapsed_days.append(elapsed if elapsed > 0 else None)  # None: the end time
            cumulative.append([solver.subcatch_get_stats(i).runoff for i in range(n_sub)])
            if elapsed == 0:
                break
        raw = {
            "engine_version": engine_version(),
            "start": solver.simulation_get_datetime(shared_enum.TimeProperty.START_DATE),
            "end": solver.simulation_get_datetime(shared_enum.TimeProperty.END_DATE),
            "subcatchments": [_subcatchment(i) for i in range(n_sub)],
            "lid_units": [unit for i in range(n_sub) for unit in _lid_units(i)],
            "nodes": [_node(i) for i in range(n_node)],
            "runoff_totals": _runoff_totals(),
            "elapsed_days": elapsed_days,
        }
        solver.swmm_end()
        runoff_err, flow_err, _ = solver.swmm_get_mass_balance()
        raw["runoff_continuity_error_pct"] = runoff_err
        raw["routing_continuity_error_pct"] = flow_err
    finally:
        solver.swmm_close()
    names, flows, raw["report_start"], raw["report_step_s"] = _outfall_series()
    raw["outfall_names"] = names
    return raw, {"runoff_cumulative_m3": cumulative, "outfall_flow_m3_per_s": flows}


def _subcatchment(i: int) -> dict:
    stats = solver.subcatch_get_stats(i)
    return {
        "id": solver.project_get_id(shared_enum.ObjectType.SUBCATCH, i),
        "area_ha": solver.subcatch_get_parameter(i, shared_enum.SubcatchProperty.AREA),
        "rainfall_mm": stats.precip,  # a depth, while the volumes below are m³ (pitfall #9)
        "runoff_m3": stats.runoff,
        "infiltration_m3": stats.infil,
        "evaporation_m3": stats.evap,
        "peak_runoff_m3_per_s": stats.maxFlow,
    }


def _lid_units(i: int) -> list[dict]:
    sub = solver.project_get_id(shared_enum.ObjectType.SUBCATCH, i)
    units = []
    for j in range(solver.lid_usage_get_count(i)):
        control = solver.lid_usage_get_option(i, j, shared_enum.LidUsageOption.INDEX)
        unit = {"subcatchment": sub, "lid_control": solver.project_get_id(shared_enum.ObjectType.LID, control)}
        for name, code in _LID_RESULTS.items():
            unit[name] = solver.lid_usage_get_result(i, j, getattr(shared_enum.LidResult, code))
        units.append(unit)
    return units


def _node(i: int) -> dict:
    stats = solver.node_get_stats(i)
    return {
        "id": solver.project_get_id(shared_enum.ObjectType.NODE, i),
        "is_outfall": solver.node_get_type(i) == shared_enum.NodeType.OUTFALL,
        "flood_volume_m3": stats.volFlooded,
        "flood_hours": stats.timeFlooded,
    }


def _runoff_totals() -> dict:
    totals = solver.system_get_runoff_totals()
    names = ("rainfall", "evap", "infil", "runoff", "drains", "initStorage", "finalStorage")
    return {name: getattr(totals, name) for name in names}


def _outfall_series() -> tuple[list[str], list[list[float]], float, int]:
    """Names and total-inflow series of the nodes in the .out file (the outfalls)."""
    handle = output.init()
    try:
        output.open(handle, OUTPUT)
        n_periods = output.get_times(handle, shared_enum.Time.NUM_PERIODS)
        n_nodes = output.get_proj_size(handle)[shared_enum.ElementType.NODE]
        names = [output.get_elem_name(handle, shared_enum.ElementType.NODE, k) for k in range(n_nodes)]
        flows = [
            output.get_node_series(handle, k, shared_enum.NodeAttribute.TOTAL_INFLOW, 0, n_periods - 1)
            for k in range(n_nodes)
        ] if n_periods > 0 else []  # fmt: skip
        step_s = output.get_times(handle, shared_enum.Time.REPORT_STEP)
        return names, [list(f) for f in flows], output.get_start_date(handle), step_s
    finally:
        output.close(handle)
