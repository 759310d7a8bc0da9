"""The plant-wide (BSM2) branch of ``ecocity wastewater simulate`` and ``compare``.

``ecocity wastewater simulate bsm2 [--influent constant|dynamic|FILE] [--control open|default]
[--days N] [--grid NAME|kgCO2e/kWh] [operating options] --json`` runs
:func:`ecocity.wastewater.plantwide.run_plantwide` through the store and prints its summary:
the BSM1 keys (``effluent``, ``evaluation``, ``compliance``) plus ``digester``, ``energy`` and
``ghg``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.table import Table

from ecocity.commands.output import console, err_console, print_json, table_console
from ecocity.errors import InputError

#: Effluent variables of the human summary.
SHOWN = ("S_S", "S_NH", "S_NO", "S_O", "TSS", "COD", "BOD5", "TKN", "TN", "Q")
#: BSM2 criteria of the human summary: (key of the evaluation, label, unit).
CRITERIA = (
    ("effluent_quality_index_kg_pu_per_d", "EQI", "kg PU/d"),
    ("influent_quality_index_kg_pu_per_d", "IQI", "kg PU/d"),
    ("aeration_energy_kwh_per_d", "AE", "kWh/d"),
    ("pumping_energy_kwh_per_d", "PE", "kWh/d"),
    ("mixing_energy_kwh_per_d", "ME", "kWh/d"),
    ("sludge_production_kg_per_d", "SP", "kg TSS/d"),
    ("external_carbon_kg_cod_per_d", "EC", "kg COD/d"),
    ("methane_production_kg_per_d", "MP", "kg CH4/d"),
    ("heating_energy_kwh_per_d", "HE", "kWh/d"),
    ("operational_cost_index", "OCI", "-"),
)


def bsm2_options(*, do_setpoint: float | None = None, wastage: float | None = None, ammonia_control: bool = False,
                 ammonia_setpoint: float | None = None, codigestion: float | None = None,
                 thp: bool = False) -> Any:  # fmt: skip
    """The ``bsm2.Bsm2Options`` of the CLI's flags, or None when no flag is given.

    Raises
    ------
    InputError
        A flag is given while the plant-wide run takes no options yet, or a value is out of range.
    """
    fields = {
        "do_setpoint_g_per_m3": do_setpoint, "wastage_m3_per_d": wastage,
        "ammonia_control": ammonia_control or None, "ammonia_setpoint_g_per_m3": ammonia_setpoint,
        "codigestion_kg_cod_per_d": codigestion, "thermal_hydrolysis": thp or None,
    }  # fmt: skip
    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        return None
    from ecocity.wastewater import bsm2

    return bsm2.Bsm2Options(**given)


def noise_flag(noise: str | None) -> bool:
    """BSM2 DO-sensor noise: on by default (the benchmark's sequence), ``off`` or ``on``."""
    if noise is None or noise == "on":
        return True
    if noise == "off":
        return False
    raise InputError(f"BSM2 sensor noise is 'on' (the benchmark's sequence) or 'off', got {noise!r}", field="noise")


def grid_value(grid: str) -> str | float:
    """A grid factor name, or a number in kg CO2e/kWh given as text."""
    try:
        return float(grid)
    except ValueError:
        return grid


def simulate_bsm2(
    *, influent: str, control: str, days: float | None, standards: tuple[str, ...], grid: str, options: Any,
    noise: bool, out: Path, use_cache: bool, as_json: bool, stabilisation_d: float | None = None,
    plant: str = "bsm2",
) -> None:  # fmt: skip
    """Run the BSM2 plant through the store in ``out`` and print the summary (JSON or tables)."""
    from ecocity.wastewater import bsm2, plantwide

    source = plantwide.resolve_influent(influent)
    stabilisation = bsm2.STABILISATION_D if stabilisation_d is None else float(stabilisation_d)
    if not as_json:
        length = f"{days:g} d" if days is not None else ("609 d" if source == "dynamic" else "the whole influent")
        err_console.print(f"simulating BSM2 ({plant}): {stabilisation:g} d of constant influent, then {length} of {source} "
                          "(the full protocol takes about a minute)…")  # fmt: skip
    summary = plantwide.run_plantwide(
        source, control, days, options, grid=grid_value(grid), standards=standards, noise=noise,
        stabilisation_d=stabilisation, store=out, use_cache=use_cache, plant=plant,
    )  # fmt: skip
    summary["store"] = str(out)
    if as_json:
        print_json(summary)
        return
    print_bsm2_summary(summary)


def print_bsm2_summary(summary: dict[str, Any]) -> None:
    """The rich tables of a plant-wide summary: effluent, criteria, compliance, energy, GHG."""
    start, stop = summary["window_d"]
    for note in summary["notes"]:
        console.print(f"[bold yellow]NOTE[/] {note}")
    options = summary.get("options") or {}
    if options.get("label") and options["label"] != "BSM2 default":
        console.print(f"options: {options['label']}")
    table = Table(title=f"{summary['plant']}: {summary['influent']} influent, {summary['control']} loop — effluent "
                        f"(days {start:g}–{stop:g}, flow-weighted)")  # fmt: skip
    table.add_column("variable")
    table.add_column("value", justify="right")
    for name in SHOWN:
        table.add_row(name, f"{summary['effluent'][name]:,.2f} {'m³/d' if name == 'Q' else 'g/m³'}")
    table_console.print(table)
    criteria = summary["evaluation"]
    title = "BSM2 criteria" + ("" if summary["benchmark_window"] else " (NOT the benchmark window)")
    table = Table(title=title)
    table.add_column("criterion")
    table.add_column("value", justify="right")
    for key, label, unit in CRITERIA:
        table.add_row(label, f"{criteria[key]:,.1f} {unit}")
    table_console.print(table)
    for result in summary["compliance"]:
        table = Table(title=f"{result['title']}: {result['status'].upper()}")
        for column in ("parameter", "limit g/m³", "mean g/m³", "max daily g/m³", "status"):
            table.add_column(column, justify="left" if column in ("parameter", "status") else "right")
        for check in result["checks"]:
            colour = {"pass": "green", "fail": "red"}.get(check["status"], "yellow")
            table.add_row(check["parameter"], _number(check["limit_g_per_m3"]),
                          _number(check["flow_weighted_mean_g_per_m3"]), _number(check["max_daily_mean_g_per_m3"]),
                          f"[{colour}]{check['status']}[/]")  # fmt: skip
        table_console.print(table)
    d, e, g = summary["digester"], summary["energy"], summary["ghg"]
    console.print(f"digester: pH {d['pH_mean']:.2f} ({d['pH_min']:.2f}–{d['pH_max']:.2f}), CH4 {d['methane_kg_per_d']:,.0f} "
                  f"kg/d, CO2 {d['carbon_dioxide_kg_per_d']:,.0f} kg/d, biogas {d['biogas_m3_per_d']:,.0f} m³/d")  # fmt: skip
    console.print(f"energy: electricity made {e['chp_electricity_kwh_per_d']:,.0f} / used {e['electricity_used_kwh_per_d']:,.0f} "
                  f"kWh/d, heat useful {e['useful_heat_kwh_per_d']:,.0f} / demand {e['heat_demand_kwh_per_d']:,.0f} kWh/d; "
                  f"{_kwh_per_m3(e['electricity_kwh_per_m3'])}")  # fmt: skip
    console.print(f"self-sufficiency: electricity {_percent(e['electricity_self_sufficiency'])}, heat "
                  f"{_percent(e['heat_self_sufficiency'])}, total {_percent(e['total_self_sufficiency'])}")  # fmt: skip
    console.print(f"GHG net {g['net_t_co2e_per_yr']:,.0f} t CO2e/yr ({g['gwp'].upper()}, grid {g['grid']} "
                  f"{g['grid_kg_co2e_per_kwh']:g} kg CO2e/kWh)")  # fmt: skip
    console.print(f"run {summary['run_id']}{' (read from the store)' if summary['cached'] else ''} in {summary['store']}")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _kwh_per_m3(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} kWh/m³ used"


def compare_bsm2(*, plant: str = "bsm2", do_setpoints: list[float], influent: str, control: str, days: float | None,
                 standards: tuple[str, ...], grid: str, workers: int | None, dask: str | None,
                 progress: Any = None) -> list[dict[str, Any]]:  # fmt: skip
    """One plant-wide run per DO set-point (``Bsm2Options``), in parallel; one row per variant."""
    from ecocity.compute import Task, run_tasks
    from ecocity.wastewater import bsm2, plantwide

    if control != "default":
        raise InputError("BSM2 --do-setpoint variants set the DO controller's set-point; use --control default",
                         field="--control")  # fmt: skip
    source = plantwide.resolve_influent(influent)
    tasks = [Task(args=(source, control, days, bsm2.Bsm2Options(do_setpoint_g_per_m3=value)),
                  kwargs={"standards": standards, "grid": grid_value(grid), "scenario": f"DO {value:g} g/m³",
                          "plant": plant},
                  label=f"DO {value:g} g/m³") for value in do_setpoints]  # fmt: skip
    results = run_tasks(plantwide.simulate_plantwide, tasks, workers=workers,
                        dask_address=dask or os.environ.get("ECOCITY_DASK"), progress=progress)  # fmt: skip
    rows = []
    for value, result in zip(do_setpoints, results, strict=True):
        s = result.figures["plant"]
        c = s["evaluation"]
        rows.append({
            "label": result.scenario, "do_setpoint_g_per_m3": value,
            "EQI": c["effluent_quality_index_kg_pu_per_d"], "OCI": c["operational_cost_index"],
            "AE": c["aeration_energy_kwh_per_d"], "PE": c["pumping_energy_kwh_per_d"],
            "SP": c["sludge_production_kg_per_d"], "MP": c["methane_production_kg_per_d"],
            "energy_kwh_per_m3": s["energy"]["electricity_kwh_per_m3"],
            "electricity_self_sufficiency": s["energy"]["electricity_self_sufficiency"],
            "ghg_net_t_co2e_per_yr": s["ghg"]["net_t_co2e_per_yr"],
            "effluent": {name: s["effluent"][name] for name in ("S_NH", "S_NO", "S_O", "TN", "TSS", "COD")},
            "compliance": s["compliance"][0]["status"], "benchmark_window": s["benchmark_window"],
        })  # fmt: skip
    return rows
