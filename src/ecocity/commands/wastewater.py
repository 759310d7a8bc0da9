"""``ecocity wastewater``: simulate a plant (BSM1 or a plant TOML) and compare operating variants."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ecocity.commands.assess import DASK_OPT, WORKERS_OPT
from ecocity.commands.output import console, print_json, table_console
from ecocity.commands.progress import task_progress
from ecocity.errors import InputError

app = typer.Typer(no_args_is_help=True)

PLANT_ARG = typer.Argument(help="Plant: a preset (bsm1, or bsm2 for the plant-wide model) or a plant TOML file")
INFLUENT_OPT = typer.Option("--influent", help="constant (steady state), dry, rain, storm, or an influent file")
CONTROL_OPT = typer.Option("--control", help="open (the layout's aeration) or default (BSM1's PI loops)")
DAYS_OPT = typer.Option("--days", help="End of a dynamic run [d] (default: the influent file's end)")
STANDARD_OPT = typer.Option("--standard", help="Effluent standard to check (repeatable; default gb18918_2002_1a)")
#: Effluent variables of the human summary, the benchmark's names.
SHOWN = ("S_S", "S_NH", "S_NO", "S_O", "TSS", "COD", "BOD5", "TKN", "TN", "Q")


@app.command()
def simulate(
    plant: Annotated[str, PLANT_ARG],
    influent: Annotated[str | None, typer.Option("--influent", help="BSM1: constant (steady state, default), dry, rain, storm, or an influent file; bsm2: constant, dynamic (default) or a BSM2-format file")] = None,
    control: Annotated[str | None, typer.Option("--control", help="open or default (the benchmark's loops); default: open for BSM1, default for bsm2")] = None,
    sensors: Annotated[str, typer.Option("--sensors", help="Closed loop: ideal, or the benchmark's sensor and actuator models")] = "ideal",
    noise: Annotated[str | None, typer.Option("--noise", help="BSM1 benchmark sensors' measurement noise: off (default), seeded, or a CSV file (time [d], noise); bsm2: on (default) or off")] = None,
    days: Annotated[float | None, DAYS_OPT] = None,
    standard: Annotated[list[str] | None, STANDARD_OPT] = None,
    grid: Annotated[str, typer.Option("--grid", help="bsm2: grid electricity factor, a name (beijing-2022, china-2023, china-2022, denmark-2023) or kg CO2e/kWh")] = "beijing-2022",
    do_setpoint: Annotated[float | None, typer.Option("--do-setpoint", help="bsm2: tank-4 DO set-point of the default loop [g/m³]")] = None,
    wastage: Annotated[float | None, typer.Option("--wastage", help="bsm2: fixed wastage flow instead of the seasonal schedule [m³/d]")] = None,
    ammonia_control: Annotated[bool, typer.Option("--ammonia-control", help="bsm2: ammonia-based aeration control (cascade on tank-5 S_NH)")] = False,
    ammonia_setpoint: Annotated[float | None, typer.Option("--ammonia-setpoint", help="bsm2: S_NH target of --ammonia-control [g N/m³]")] = None,
    codigestion: Annotated[float | None, typer.Option("--codigestion", help="bsm2: food waste fed to the digester [kg COD/d]")] = None,
    thp: Annotated[bool, typer.Option("--thp", help="bsm2: thermal hydrolysis of the digester feed")] = False,
    stabilisation_days: Annotated[float | None, typer.Option("--stabilisation-days", hidden=True, help="bsm2, testing: days of constant influent before the run (benchmark 200)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder of the store (ecocity.db, series)")] = Path("ecocity-out"),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Simulate even an unchanged run")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's summary as JSON")] = False,
) -> None:
    """Simulate a plant: BSM1 (steady state or a dynamic run, BSM1 criteria, compliance) or the
    plant-wide bsm2 (BSM2 criteria, digester, energy, greenhouse gases, compliance)."""
    if _plantwide(plant):
        from ecocity.commands import wastewater_bsm2 as plantwide_cli

        options = plantwide_cli.bsm2_options(do_setpoint=do_setpoint, wastage=wastage, ammonia_control=ammonia_control,
                                             ammonia_setpoint=ammonia_setpoint, codigestion=codigestion, thp=thp)  # fmt: skip
        if sensors != "ideal":
            raise InputError("--sensors applies to BSM1; the bsm2 closed loop has the benchmark's DO sensor", field="--sensors")
        plantwide_cli.simulate_bsm2(
            influent=influent or "dynamic", control=control or "default", days=days, standards=tuple(standard or ()),
            grid=grid, options=options, noise=plantwide_cli.noise_flag(noise), out=out, use_cache=not no_cache,
            as_json=as_json, stabilisation_d=stabilisation_days, plant=plant,
        )  # fmt: skip
        return
    bsm2_only = {"--do-setpoint": do_setpoint is not None, "--wastage": wastage is not None,
                 "--ammonia-control": ammonia_control, "--ammonia-setpoint": ammonia_setpoint is not None,
                 "--codigestion": codigestion is not None, "--thp": thp,
                 "--stabilisation-days": stabilisation_days is not None}  # fmt: skip
    for flag, given in bsm2_only.items():
        if given:
            raise InputError(f"{flag} applies to the plant-wide bsm2 run", field=flag)
    _simulate_bsm1(plant, influent or "constant", control or "open", sensors, noise or "off", days, standard, out,
                   no_cache, as_json)  # fmt: skip


def _plantwide(plant: str) -> bool:
    """``bsm2``, or a TOML plant file naming ``preset = "bsm2"``."""
    if plant == "bsm2":
        return True
    if not plant.lower().endswith(".toml"):
        return False
    from ecocity.wastewater.plantwide import is_plantwide

    return is_plantwide(plant)


def _simulate_bsm1(plant: str, influent: str, control: str, sensors: str, noise: str, days: float | None,
                   standard: list[str] | None, out: Path, no_cache: bool, as_json: bool) -> None:  # fmt: skip
    from ecocity.assess import assess_plant
    from ecocity.wastewater.run import check_sensor_noise

    noise_option = check_sensor_noise(noise, sensors)  # refused before any work
    with task_progress("simulating days", enabled=not as_json and influent != "constant") as progress:
        run = assess_plant(
            out, plant, influent=influent, control=control, sensors=sensors, noise=noise_option, days=days,
            standards=tuple(standard or ()), use_cache=not no_cache, progress=progress,
        )  # fmt: skip
    summary = {**run.result.figures["plant"], "run_id": run.run_id, "cached": run.cached, "store": str(out)}
    if as_json:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(summary: dict[str, Any]) -> None:
    start, stop = summary["window_d"]
    what = "steady state" if summary["mode"] == "steady_state" else f"days {start:g}–{stop:g}, flow-weighted"
    table = Table(title=f"{summary['plant']}: {summary['influent']} influent, {summary['control']} loop — effluent ({what})")
    table.add_column("variable")
    table.add_column("value", justify="right")
    for name in SHOWN:
        unit = "m³/d" if name == "Q" else "g/m³"
        table.add_row(name, f"{summary['effluent'][name]:,.2f} {unit}")
    table_console.print(table)
    criteria = summary["evaluation"]
    table = Table(title="BSM1 criteria")
    table.add_column("criterion")
    table.add_column("value", justify="right")
    for name in ("EQI", "IQI", "AE", "PE", "ME", "SP", "OCI"):
        table.add_row(name, f"{criteria[name]:,.1f} {criteria['units'][name]}")
    for name, violation in criteria["violations"].items():
        if violation["time_d"] > 0:
            table.add_row(f"{name} > {violation['limit_g_per_m3']:g}",
                          f"{violation['time_pct']:.1f} % of time, {violation['count']} times")  # fmt: skip
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
    energy = summary["energy"]
    console.print(
        f"energy {energy['kwh_per_m3']:.3f} kWh/m³ (aeration {energy['aeration_kwh_per_m3']:.3f}, "
        f"pumping {energy['pumping_kwh_per_m3']:.3f}, mixing {energy['mixing_kwh_per_m3']:.3f})"
    )
    console.print(f"run {summary['run_id']}{' (read from the store)' if summary['cached'] else ''} in {summary['store']}")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@app.command()
def compare(
    plant: Annotated[str, PLANT_ARG],
    do_setpoint: Annotated[list[float] | None, typer.Option(
        "--do-setpoint", help="DO set-point of the last tank [g/m³] (repeatable)")] = None,
    kla5: Annotated[list[float] | None, typer.Option(
        "--kla5", help="KLa of the last tank [1/d], open loop (repeatable)")] = None,
    influent: Annotated[str, INFLUENT_OPT] = "constant",
    control: Annotated[str, CONTROL_OPT] = "open",
    days: Annotated[float | None, DAYS_OPT] = None,
    standard: Annotated[list[str] | None, STANDARD_OPT] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for compare.html (EQI–OCI plot)")] = None,
    workers: Annotated[int | None, WORKERS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the variants as JSON")] = False,
    grid: Annotated[str, typer.Option("--grid", help="bsm2: grid electricity factor (name or kg CO2e/kWh)")] = "beijing-2022",
) -> None:
    """Run operating variants in parallel and tabulate EQI against OCI.

    Open loop: each --do-setpoint holds the last tank's DO at that value (ideal control), each
    --kla5 sets its KLa. Closed loop (--control default): --do-setpoint sets the DO controller's
    set-point. bsm2 (or a plant file with preset = "bsm2"): each --do-setpoint sets the tank-4 DO set-point of the default loop (the
    dynamic influent by default; a full 609-day run per variant).
    """
    if _plantwide(plant):
        _compare_bsm2(plant, do_setpoint, kla5, influent, control, days, standard, out, workers, dask, as_json, grid)
        return
    from ecocity.compute import Task, run_tasks
    from ecocity.wastewater import run as plant_run
    from ecocity.wastewater.layout import load_plant

    layout = load_plant(plant)
    plant_run.controllers_for(control)
    standards = plant_run.check_standards(standard or ())
    source = plant_run.resolve_influent(influent)
    variants = [("do_setpoint_g_per_m3", v) for v in do_setpoint or ()] + [("kla_per_d", v) for v in kla5 or ()]
    if not variants:
        raise InputError("give at least one --do-setpoint or --kla5", field="--do-setpoint")
    if control != "open" and kla5:
        raise InputError("--kla5 varies the open loop; with --control default the DO controller sets KLa5",
                         field="--kla5")  # fmt: skip
    common = {"influent": source, "control": control, "days": days, "standards": standards}
    tasks = []
    for key, value in variants:
        if value < 0:
            raise InputError(f"{value:g} must not be negative", field="--do-setpoint" if key.startswith("do") else "--kla5")
        label = f"DO {value:g} g/m³" if key.startswith("do") else f"KLa5 {value:g} 1/d"
        if control == "open":
            task = Task(args=(plant_run.with_last_tank_aeration(layout, **{key: value}),),
                        kwargs={**common, "scenario": label}, label=label)  # fmt: skip
        else:
            task = Task(args=(layout,), kwargs={**common, "scenario": label, key: value}, label=label)
        tasks.append(task)
    with task_progress("simulating variants", enabled=not as_json) as progress:
        results = run_tasks(plant_run.run_plant, tasks, workers=workers,
                            dask_address=dask or os.environ.get("ECOCITY_DASK"), progress=progress)  # fmt: skip
    rows = [_variant_row(key, value, result.scenario, result.figures["plant"])
            for (key, value), result in zip(variants, results, strict=True)]  # fmt: skip
    html = _write_plot(rows, layout.name, out) if out is not None else None
    payload = {"plant": layout.name, "influent": str(source), "control": control, "variants": rows,
               "html": None if html is None else str(html)}  # fmt: skip
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"{layout.name}: {source} influent, {control} loop — EQI vs OCI")
    for column in ("variant", "EQI kg PU/d", "OCI", "AE kWh/d", "kWh/m³", "S_NH g/m³", "TN g/m³", standards[0]):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for row in rows:
        table.add_row(row["label"], f"{row['EQI']:,.0f}", f"{row['OCI']:,.0f}", f"{row['AE']:,.0f}",
                      f"{row['energy_kwh_per_m3']:.3f}", f"{row['effluent']['S_NH']:.2f}",
                      f"{row['effluent']['TN']:.2f}", row["compliance"])  # fmt: skip
    table_console.print(table)
    if html is not None:
        console.print(f"plot: {html}")


def _variant_row(key: str, value: float, label: str, summary: dict[str, Any]) -> dict[str, Any]:
    criteria = summary["evaluation"]
    return {
        "label": label,
        key: value,
        "EQI": criteria["EQI"],
        "OCI": criteria["OCI"],
        "AE": criteria["AE"],
        "PE": criteria["PE"],
        "SP": criteria["SP"],
        "energy_kwh_per_m3": summary["energy"]["kwh_per_m3"],
        "effluent": {name: summary["effluent"][name] for name in ("S_NH", "S_NO", "S_O", "TN", "TSS", "COD")},
        "compliance": summary["compliance"][0]["status"],
    }


def _write_plot(rows: list[dict[str, Any]], plant: str, out: Path) -> Path:
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(
        x=[r["OCI"] for r in rows], y=[r["EQI"] for r in rows], mode="markers+text",
        text=[r["label"] for r in rows], textposition="top center",
    ))  # fmt: skip
    figure.update_layout(title=f"{plant}: effluent quality vs operational cost",
                         xaxis_title="OCI [-]", yaxis_title="EQI [kg PU/d]", template="simple_white")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    path = out / "compare.html"
    figure.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def _compare_bsm2(plant: str, do_setpoint: list[float] | None, kla5: list[float] | None, influent: str, control: str,
                  days: float | None, standard: list[str] | None, out: Path | None, workers: int | None,
                  dask: str | None, as_json: bool, grid: str) -> None:  # fmt: skip
    from ecocity.commands import wastewater_bsm2 as plantwide_cli

    if kla5:
        raise InputError("--kla5 varies BSM1's open loop; for bsm2 give --do-setpoint", field="--kla5")
    if not do_setpoint:
        raise InputError("give at least one --do-setpoint", field="--do-setpoint")
    source = "dynamic" if influent == "constant" else influent  # the BSM1 default means nothing here
    control = "default" if control == "open" else control
    with task_progress("simulating variants", enabled=not as_json) as progress:
        rows = plantwide_cli.compare_bsm2(plant=plant, do_setpoints=list(do_setpoint), influent=source, control=control, days=days,
                                          standards=tuple(standard or ()), grid=grid, workers=workers, dask=dask,
                                          progress=progress)  # fmt: skip
    html = _write_plot(rows, Path(plant).stem, out) if out is not None else None
    payload = {"plant": plant, "influent": source, "control": control, "variants": rows,
               "html": None if html is None else str(html)}  # fmt: skip
    if as_json:
        print_json(payload)
        return
    table = Table(title=f"{Path(plant).stem}: {source} influent, {control} loop — EQI vs OCI")
    for column in ("variant", "EQI kg PU/d", "OCI", "AE kWh/d", "MP kg/d", "kWh/m³", "el. self-suff.", "GHG t/yr",
                   "S_NH g/m³", "TN g/m³", "compliance"):  # fmt: skip
        table.add_column(column, justify="left" if column == "variant" else "right")
    for row in rows:
        sufficiency = row["electricity_self_sufficiency"]
        table.add_row(row["label"], f"{row['EQI']:,.0f}", f"{row['OCI']:,.0f}", f"{row['AE']:,.0f}", f"{row['MP']:,.0f}",
                      f"{row['energy_kwh_per_m3']:.3f}", "—" if sufficiency is None else f"{sufficiency:.0%}",
                      f"{row['ghg_net_t_co2e_per_yr']:,.0f}", f"{row['effluent']['S_NH']:.2f}",
                      f"{row['effluent']['TN']:.2f}", row["compliance"])  # fmt: skip
    table_console.print(table)
    if html is not None:
        console.print(f"plot: {html}")
