"""``ecocity assess DISTRICT``: the baseline and every scenario, stored, with results and report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ecocity.commands.output import console, print_json, table_console
from ecocity.commands.progress import task_progress

DISTRICT_ARG = typer.Argument(help="District folder (district.toml, subcatchments.geojson, scenarios/)")
YEARS_OPT = typer.Option("--years", help="Simulate only the last N years of the rainfall series")
DASK_OPT = typer.Option("--dask", help="Dask scheduler address, e.g. tcp://host:8786 (or set ECOCITY_DASK)")
WORKERS_OPT = typer.Option("--workers", help="Worker processes (default: one per core, at most one per scenario)")

HEADLINE = ("capture_ratio", "share_of_area_meeting_target", "tss_reduction", "peak_flow_reduction_P2",
            "flooded_nodes_pipe_storm", "flood_volume_m3", "capital_cost_yuan", "cost_per_m3_retained_yuan")  # fmt: skip


def assess(
    district: Annotated[Path, DISTRICT_ARG],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default DISTRICT/ecocity-out)")] = None,
    years: Annotated[float | None, YEARS_OPT] = None,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Run only these scenarios (repeatable)")] = None,
    workers: Annotated[int | None, WORKERS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Simulate even unchanged scenarios")] = False,
    language: Annotated[str, typer.Option("--lang", help="Report language: en or zh")] = "en",
    climate: Annotated[list[str] | None, typer.Option(
        "--climate", help="Also assess under this climate scenario: dk-100yr, dk-50yr, user:<factor> or a "
                          ".toml file (repeatable; adds to the district's \\[climate] scenarios)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results document as JSON")] = False,
) -> None:
    """Assess a district: baseline and scenarios on SWMM, indicators against targets, report."""
    from ecocity.assess import assess_district
    from ecocity.climate.change import climate_scenario

    for name in climate or ():
        climate_scenario(name, folder=district)  # a bad name fails before any simulation

    with task_progress("simulating scenarios", enabled=not as_json) as progress:
        result = assess_district(
            district, out, years=years, scenarios=scenario, workers=workers,
            dask_address=dask or os.environ.get("ECOCITY_DASK"), use_cache=not no_cache,
            language=language, progress=progress, **({"climate": climate} if climate else {}),
        )  # fmt: skip
    if as_json:
        print_json(result.results)
        return
    table_console.print(_summary(result.results))
    for line in section_lines(result.results):
        console.print(line)
    for line in climate_lines(result.results):
        console.print(line)
    for note in result.results.get("notes", []):
        console.print(f"[yellow]note:[/] {note}")
    if result.cached:
        console.print(f"read from the store (unchanged): {', '.join(result.cached)}")
    console.print(f"results: {result.results_path}")
    console.print(f"[bold]report: {result.report_path}[/]")


def section_lines(results: dict) -> list[str]:
    """One line each for the optional plant and buildings sections of a results document."""
    lines = []
    plant = results.get("wastewater")
    if plant:
        checked = [i for i in plant.get("indicators", []) if i.get("passed") is not None]
        failed = [i["name"] for i in checked if not i["passed"]]
        verdict = f"{len(checked) - len(failed)}/{len(checked)} effluent limits met"
        lines.append(f"wastewater: plant {plant.get('plant', '?')}, {verdict}"
                     + (f" (not met: {', '.join(failed)})" if failed else ""))  # fmt: skip
    buildings = results.get("buildings")
    if buildings:
        rows = buildings.get("buildings", [])
        flagged = sum(1 for row in rows if row.get("flags"))
        first = ", ".join(row.get("name") or row.get("building_id", "?") for row in rows[:3])
        lines.append(f"buildings: {len(rows)} in portfolio {buildings.get('portfolio', '?')}, {flagged} with flags"
                     + (f"; act first: {first}" if first else ""))  # fmt: skip
    return lines


def climate_lines(results: dict) -> list[str]:
    """One line per climate scenario and design: capture ratio today -> future, targets met."""
    lines = []
    marks = {True: "targets met", False: "targets missed", None: "no targets"}
    for climate in (results.get("climate") or {}).get("scenarios", []):
        for design in climate["designs"]:
            ratio = next((r for r in design["indicators"] if r["name"] == "capture_ratio"), None)
            change = ("" if ratio is None or ratio["today"] is None or ratio["future"] is None
                      else f"capture ratio {ratio['today']:.1%} -> {ratio['future']:.1%}; ")  # fmt: skip
            lines.append(f"climate {climate['name']}: {design['name']}: {change}"
                         f"{marks[design['meets_targets_today']]} today, {marks[design['meets_targets_future']]} then")
    return lines


def _summary(results: dict) -> Table:
    from ecocity.assess import span_text
    from ecocity.report.labels import Labels

    labels = Labels("en")
    rainfall = results["district"]["rainfall"]
    title = (f"{results['district']['name']} — {span_text(rainfall['years'])} of "
             f"{'SYNTHETIC ' if rainfall['synthetic'] else ''}rainfall")  # fmt: skip
    table = Table(title=title)
    table.add_column("indicator", no_wrap=True)
    for scenario in results["scenarios"]:
        table.add_column(scenario["name"], justify="right")
    for name in HEADLINE:
        cells = []
        for scenario in results["scenarios"]:
            item = next((i for i in scenario["indicators"] if i["name"] == name and i["scope"] == "district"), None)
            cells.append(indicator_cell(item))
        if any(c != "—" for c in cells):
            table.add_row(labels.indicator(name).text, *cells)
    return table


def indicator_cell(item: dict | None) -> str:
    """An indicator value with its unit and ✔/✘ against its target, for rich tables."""
    if item is None or item["value"] is None:
        return "—"
    value, unit = item["value"], item["unit"]
    text = f"{value:.1%}" if unit == "-" else f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.3g} {unit}"
    if item["passed"] is True:
        return f"[green]{text} ✔[/]"
    if item["passed"] is False:
        return f"[red]{text} ✘[/]"
    return text


def register(app: typer.Typer) -> None:
    app.command(name="assess")(assess)
