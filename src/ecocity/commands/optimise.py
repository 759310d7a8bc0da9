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
    workers: Annotated[int | None, WORKERS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default DISTRICT/ecocity-out/optimise)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Search sizes of LID measures per subcatchment (group) for the least cost meeting the targets."""
    from ecocity.assess import STORE_FILE, load_inputs
    from ecocity.optimise.evaluate import settings_for
    from ecocity.optimise.output import write_outputs
    from ecocity.optimise.search import SearchSettings, optimise as run_search
    from ecocity.stormwater.design_space import DEFAULT_LIDS, design_space

    if cost not in ("capital", "whole_life"):
        raise InputError(f"expected capital or whole_life, got {cost!r}", field="--cost")
    loaded, rain = load_inputs(district, years)
    space = design_space(loaded, tuple(lid) if lid else DEFAULT_LIDS, groups=groups, levels=levels)
    search = SearchSettings(evaluations=evaluations, population=population, seed=seed, budget_yuan=budget,
                            cost=cost, screen_years=screen_years)  # type: ignore[arg-type]  # fmt: skip
    folder = out if out is not None else Path(district) / "ecocity-out" / "optimise"
    with task_progress("evaluating designs", enabled=not as_json) as progress:
        result = run_search(loaded, rain, space, folder / STORE_FILE, search,
                            evaluation=settings_for(loaded, peak=not no_peak), workers=workers,
                            dask_address=dask or os.environ.get("ECOCITY_DASK"), progress=progress)  # fmt: skip
    section = write_outputs(result, loaded, space, rain, folder)
    if as_json:
        print_json(section)
        return
    _print_summary(section)


def _print_summary(section: dict) -> None:
    counts = section["counts"]
    console.print(f"{section['district']}: {len(section['evaluations'])} designs, {section['generations']} generations, "
                  f"{counts['simulated']} SWMM evaluations, {counts['from_store']} from the store")  # fmt: skip
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
