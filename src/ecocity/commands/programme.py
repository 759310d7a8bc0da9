"""``ecocity programme``: check a programme folder, write its annual results report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecocity.commands.output import console, print_json

app = typer.Typer(no_args_is_help=True)

FOLDER_ARG = typer.Argument(help="Programme folder (programme.toml, partners.csv, activities.csv, indicators.toml)")


@app.command()
def check(
    folder: Annotated[Path, FOLDER_ARG],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Validate a programme folder; list model-linked indicators whose results are missing."""
    from ecocity.programme import indicator_values, load_programme

    records = load_programme(folder)
    programme = records.programme
    missing = []
    for year in range(programme.first_year, programme.last_year + 1):
        for value in indicator_values(records, year):
            if value.spec.from_ is not None and value.origin == "missing":
                missing.append({"indicator": value.spec.id, "detail": value.detail})
        if missing:
            break  # a model-linked value is the same every year
    summary = {"programme": programme.name, "years": [programme.first_year, programme.last_year],
               "partners": len(records.partners), "activities": len(records.activities),
               "indicators": len(records.indicators),
               "model_linked": [s.id for s in records.indicators if s.from_ is not None],
               "missing_model_results": missing, "ok": True}
    if as_json:
        print_json(summary)
        return
    console.print(f"{programme.name} ({programme.first_year}–{programme.last_year}): {len(records.partners)} partners, "
                  f"{len(records.activities)} activities, {len(records.indicators)} indicators "
                  f"({len(summary['model_linked'])} from model results) — valid")
    for item in missing:
        console.print(f"[yellow]note:[/] indicator {item['indicator']}: {item['detail']}")


@app.command()
def report(
    folder: Annotated[Path, FOLDER_ARG],
    year: Annotated[int, typer.Option("--year", help="The year the report covers")],
    fmt: Annotated[str, typer.Option("--format", help="html (self-contained) or pdf (A4)")] = "html",
    language: Annotated[str, typer.Option("--lang", help="Report language: en or zh")] = "en",
    out: Annotated[Path | None, typer.Option("--out", help="Report file (default FOLDER/report-YEAR-LANG.FORMAT)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print where the report went and the indicator values as JSON")] = False,
) -> None:
    """Write the annual results report: description, activities, indicators vs targets (SDG), lessons, partners."""
    from ecocity.programme import indicator_values, load_programme, write_report

    records = load_programme(folder)
    target = out if out is not None else folder / f"report-{year}-{language}.{fmt}"
    path = write_report(records, year, target, fmt=fmt, language=language)
    if as_json:
        values = [{"id": v.spec.id, "sdg": v.spec.sdg, "value": v.value, "unit": v.spec.unit, "origin": v.origin,
                   "target": v.spec.target, "met": v.met, "progress": v.progress, "detail": v.detail}
                  for v in indicator_values(records, year)]
        print_json({"report": str(path), "year": year, "format": fmt, "language": language, "indicators": values})
        return
    console.print(f"[bold]report: {path}[/]")
