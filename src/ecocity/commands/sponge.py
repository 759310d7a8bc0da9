"""``ecocity sponge``: run one scenario, export it as a SWMM input, import a SWMM model."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecocity.commands.assess import DASK_OPT, DISTRICT_ARG, YEARS_OPT, indicator_cell
from ecocity.commands.output import console, print_json
from ecocity.commands.progress import task_progress
from ecocity.errors import InputError

app = typer.Typer(no_args_is_help=True)


@app.command()
def run(
    district: Annotated[Path, DISTRICT_ARG],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario name (default: baseline)")] = "baseline",
    out: Annotated[Path | None, typer.Option("--out", help="Output folder for the store")] = None,
    years: Annotated[float | None, YEARS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scenario's results as JSON")] = False,
) -> None:
    """Simulate one scenario (and the baseline it is compared with) and print its indicators."""
    from ecocity.assess import assess_district

    with task_progress("simulating", enabled=not as_json) as progress:
        result = assess_district(
            district, out, years=years, scenarios=[scenario], report=False,
            dask_address=dask or os.environ.get("ECOCITY_DASK"), progress=progress,
        )  # fmt: skip
    chosen = next(s for s in result.results["scenarios"] if s["name"] == scenario)
    if as_json:
        print_json({"district": result.results["district"], "scenario": chosen})
        return
    table = Table(title=f"{result.results['district']['name']}: {scenario}")
    table.add_column("indicator")
    table.add_column("scope")
    table.add_column("value", justify="right")
    for item in chosen["indicators"]:
        if not item["scope"].startswith("subcatchment:"):
            table.add_row(item["name"], item["scope"], indicator_cell(item))
    console.print(table)


@app.command()
def export(
    district: Annotated[Path, DISTRICT_ARG],
    scenario: Annotated[str, typer.Option("--scenario", help="Scenario name (or baseline)")],
    out: Annotated[Path, typer.Option("--out", help="SWMM input file to write (.inp)")],
    years: Annotated[float | None, YEARS_OPT] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write a scenario as a SWMM 5.2 input (with its rain file beside it) for the SWMM GUI."""
    from ecocity.assess import load_inputs
    from ecocity.stormwater.inpio import export_inp

    if out.suffix.lower() != ".inp":
        raise InputError("the output must be a .inp file", file=out, field="--out")
    loaded, rain = load_inputs(district, years)
    try:
        chosen = loaded.scenario(scenario)
    except KeyError as err:
        raise InputError(str(err.args[0]), file=district, field="--scenario") from err
    path = export_inp(loaded, chosen, out, rain)
    rain_file = path.with_name(f"{path.stem}.rain.dat")
    if as_json:
        print_json({"inp": str(path), "rain_file": str(rain_file), "scenario": scenario})
    else:
        console.print(f"wrote {path} (rain gauge file {rain_file.name})")


@app.command(name="import")
def import_(
    model: Annotated[Path, typer.Argument(help="SWMM 5 input file (SI units)")],
    out: Annotated[Path, typer.Option("--out", help="New district folder to write")],
    rainfall: Annotated[Path, typer.Option("--rainfall", help="Rainfall series for the district (CSV/Parquet)")],
    crs: Annotated[str, typer.Option("--crs", help="Coordinate reference system of the model's coordinates")],
    name: Annotated[str | None, typer.Option("--name", help="District name (default: the file's stem)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Turn an existing SWMM model into a district folder (its subcatchments and network)."""
    from ecocity.district import Climate, District, Targets, write_district
    from ecocity.stormwater.inpio import import_inp

    if not rainfall.is_file():
        raise InputError("rainfall file not found", file=rainfall, field="--rainfall")
    imported = import_inp(model)
    with tempfile.TemporaryDirectory(prefix="ecocity-import-") as tmp:
        network = Path(tmp) / "network.inp"
        network.write_text(imported.network_text, encoding="utf-8")
        district = District(
            name=name or model.stem, folder=out, crs=crs,
            climate=Climate(rainfall=rainfall.resolve()), targets=Targets(),
            subcatchments=imported.subcatchments, network_inp=network,
        )  # fmt: skip
        folder = write_district(district, out)
    payload = {"folder": str(folder), "subcatchments": len(imported.subcatchments), "warnings": list(imported.warnings)}
    if as_json:
        print_json(payload)
    else:
        console.print(f"wrote district {folder} with {len(imported.subcatchments)} subcatchments")
        for note in imported.warnings:
            console.print(f"[yellow]note:[/] {note}")


# `ecocity sponge optimise` lives in its own module (issue 7).
from ecocity.commands.optimise import optimise as _optimise  # noqa: E402

app.command(name="optimise")(_optimise)
