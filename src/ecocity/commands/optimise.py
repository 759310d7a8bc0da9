"""``ecocity sponge optimise DISTRICT``: the least-cost sponge design meeting the targets (NSGA-II)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecocity.commands.assess import DASK_OPT, DISTRICT_ARG, WORKERS_OPT, YEARS_OPT
from ecocity.commands.output import console, print_json, table_console
from ecocity.commands.progress import task_progress
from ecocity.errors import InputError


def optimise(
    district: Annotated[Path, DISTRICT_ARG],
    budget: Annotated[float | None, typer.Option("--budget", help="Largest cost allowed [yuan]")] = None,
    evaluations: Annotated[int, typer.Option("--evaluations", help="NSGA-II evaluations (function calls)")] = 200,
    population: Annotated[int, typer.Option("--population", help="NSGA-II population size")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same front)")] = 1,
    years: Annotated[float | None, YEARS_OPT] = None,
    screen_years: Annotated[int | None, typer.Option(
        "--screen-years", help="Search on the N most representative years; re-run the front on the full record")] = None,
    lid: Annotated[list[str] | None, typer.Option(
        "--lid", help="LID type to optimise (repeatable; default green_roof, permeable_pavement, bioretention)")] = None,
    groups: Annotated[int | None, typer.Option("--groups", help="Group similar subcatchments into N decision units")] = None,
    levels: Annotated[int, typer.Option("--levels", help="Size levels per variable (0..N)")] = 10,
    cost: Annotated[str, typer.Option("--cost", help="Cost objective: capital or whole_life")] = "capital",
    no_peak: Annotated[bool, typer.Option("--no-peak", help="Skip the design-storm run (no peak-flow reduction)")] = False,
    surrogate: Annotated[bool, typer.Option(
        "--surrogate", help="Let a surrogate (RBF over the designs simulated) choose which designs SWMM runs")] = False,
    simulate: Annotated[int | None, typer.Option(
        "--simulate-per-generation", help="With --surrogate: SWMM runs per generation (default population/4)")] = None,
    workers: Annotated[int | None, WORKERS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    climate: Annotated[str | None, typer.Option(
        "--climate", help="Also check the front's designs under this climate scenario: dk-100yr, dk-50yr, "
                          "user:<factor> or a .toml file (as ecocity assess --climate)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default DISTRICT/ecocity-out/optimise)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Search sizes of LID measures per subcatchment (group) for the least cost meeting the targets."""
    from ecocity.assess import STORE_FILE, load_inputs
    from ecocity.climate.change import climate_scenario
    from ecocity.optimise.evaluate import settings_for
    from ecocity.optimise.output import write_outputs
    from ecocity.optimise.robustness import future_check
    from ecocity.optimise.search import SearchSettings, optimise as run_search
    from ecocity.stormwater.design_space import DEFAULT_LIDS, design_space

    if cost not in ("capital", "whole_life"):
        raise InputError(f"expected capital or whole_life, got {cost!r}", field="--cost")
    future_climate = None if climate is None else climate_scenario(climate, folder=district)  # fails before any run
    loaded, rain = load_inputs(district, years)
    space = design_space(loaded, tuple(lid) if lid else DEFAULT_LIDS, groups=groups, levels=levels)
    search = SearchSettings(evaluations=evaluations, population=population, seed=seed, budget_yuan=budget,
                            cost=cost, screen_years=screen_years, surrogate=surrogate,
                            simulate_per_generation=simulate)  # type: ignore[arg-type]  # fmt: skip
    folder = out if out is not None else Path(district) / "ecocity-out" / "optimise"
    evaluation = settings_for(loaded, peak=not no_peak)
    address = dask or os.environ.get("ECOCITY_DASK")
    with task_progress("evaluating designs", enabled=not as_json) as progress:
        result = run_search(loaded, rain, space, folder / STORE_FILE, search, evaluation=evaluation,
                            workers=workers, dask_address=address, progress=progress)  # fmt: skip
    check = None
    if future_climate is not None:
        with task_progress(f"checking designs under {future_climate.name}", enabled=not as_json) as progress:
            check = future_check(result, loaded, space, rain, future_climate, folder / STORE_FILE,
                                 evaluation=evaluation, workers=workers, dask_address=address,
                                 progress=progress)  # fmt: skip
    section = write_outputs(result, loaded, space, rain, folder, check)
    if as_json:
        print_json(section)
        return
    _print_summary(section)
    if section["future_climate"] is not None:
        _print_future(section["future_climate"])


def _print_summary(section: dict) -> None:
    counts = section["counts"]
    console.print(f"{section['district']}: {len(section['evaluations'])} designs, {section['generations']} generations, "
                  f"{counts['simulated']} SWMM evaluations, {counts['from_store']} from the store")  # fmt: skip
    checked = ((section.get("surrogate") or {}).get("error") or {}).get("capture_ratio")
    if checked:
        console.print(f"surrogate: {counts.get('predicted', 0)} designs steered the search on predicted values; "
                      f"capture ratio predicted within {checked['mean_abs']:.3f} on average (max "
                      f"{checked['max_abs']:.3f}) on {checked['designs']} designs simulated afterwards")  # fmt: skip
    if section["status"] == "infeasible":
        console.print("[red]infeasible[/]: no design within the bounds meets every target; best reachable:")
    table = Table(title="least-cost design meeting every target" if section["chosen"] else "best reachable")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    if section["chosen"]:
        for name in ("capture_ratio", "tss_reduction", "peak_flow_reduction", "capital_cost_yuan", "whole_life_cost_yuan"):
            value = section["chosen"].get(name)
            target = section["targets"].get(name)
            table.add_row(name, "—" if value is None else f"{value:,.3f}", "—" if target is None else f"{target:,.3f}")
    else:
        for name, item in section["best_reachable"].items():
            table.add_row(name, f"{item['best']:,.3f}", f"{item['target']:,.3f}")
    table_console.print(table)
    for key, path in section["files"].items():
        console.print(f"{key}: {path}")


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_future(future: dict) -> None:
    """The designs today and under the future climate, and the least-cost design still meeting every target."""
    climate = future["climate"]
    factor = "" if climate["storm_factor"] is None else (
        f", design storm × {climate['storm_factor']:.3g} at T = {climate['return_period_yr']:g} yr")  # fmt: skip
    table = Table(title=f"under {climate['name']}{factor} (confidence {climate['confidence']})")
    for name in ("design", "role", future["objective_cost"], "capture today → future", "TSS today → future",
                 "peak reduction today → future", "meets today", "meets future"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("design", "role") else "right")
    marks = {True: "yes", False: "no"}
    for row in future["designs"]:
        table.add_row("-".join(map(str, row["levels"])), " ".join(row["roles"]), f"{row[future['objective_cost']]:,.0f}",
                      f"{_ratio(row['capture_ratio_today'])} → {_ratio(row['capture_ratio_future'])}",
                      f"{_ratio(row['tss_reduction_today'])} → {_ratio(row['tss_reduction_future'])}",
                      f"{_ratio(row['peak_flow_reduction_today'])} → {_ratio(row['peak_flow_reduction_future'])}",
                      marks[row["meets_today"]], marks[row["meets_future"]])  # fmt: skip
    table_console.print(table)
    chosen = future["chosen"]
    if chosen is not None:
        console.print(f"least-cost design meeting every target under {climate['name']}: "
                      f"{'-'.join(map(str, chosen['levels']))} ({chosen[future['objective_cost']]:,.0f} yuan)")  # fmt: skip
    else:
        best = future["best_reachable"]["capture_ratio"]
        console.print(f"[red]no checked design meets every target under {climate['name']}[/]; best reachable "
                      f"capture ratio {_ratio(best['best'])} (target {_ratio(best['target'])}, design "
                      f"{'-'.join(map(str, best['levels']))})")  # fmt: skip
