"""``ecocity report DISTRICT``: the district report as self-contained HTML or as PDF.

DISTRICT is a district folder or a results document (``results.json``). A folder is assessed
through :func:`ecocity.assess.assess_district` with its store (``--store``, default
``DISTRICT/ecocity-out``): scenarios and plant runs whose inputs did not change are read back
from the store, so a report after ``ecocity assess`` takes seconds (the buildings portfolio,
when the district links one, is assessed again). A results document is rendered as it is,
with no assessment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from ecocity.commands.output import console, print_json
from ecocity.commands.progress import task_progress
from ecocity.errors import InputError

FORMATS = ("html", "pdf")


def read_results(path: Path) -> dict:
    """A results document (``results.json``) read from ``path``.

    Raises
    ------
    InputError
        If the file cannot be read or is not a JSON object with scenarios.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the results document: {err}", file=path) from err
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}", file=path) from err
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        raise InputError("expected a results document (results.json) with a list of scenarios", file=path,
                         field="scenarios")
    return document


def write_report(document: dict, out: Path, fmt: str, language: str) -> Path:
    """Write ``document`` as the report in format ``fmt`` (``html`` or ``pdf``) to ``out``."""
    if fmt == "pdf":
        from ecocity.report.pdf import render_pdf

        return render_pdf(document, out, language=language)
    from ecocity.report import render_report

    return render_report(document, out, language=language)


def report(
    district: Annotated[Path, typer.Argument(help="District folder, or a results.json to render as it is")],
    fmt: Annotated[str, typer.Option("--format", help="html (self-contained, interactive) or pdf (A4, print)")] = "html",
    language: Annotated[str, typer.Option("--lang", help="Report language: en or zh")] = "en",
    out: Annotated[Path | None, typer.Option("--out", help="Report file (default: report.html/.pdf in the store folder)")] = None,
    years: Annotated[float | None, typer.Option("--years", help="Simulate only the last N years of the rainfall series")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Folder of the run store and results.json (default DISTRICT/ecocity-out)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes for scenarios not in the store")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler address (or set ECOCITY_DASK)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print where the report went as JSON")] = False,
) -> None:
    """Write the district report (every area the district has) as HTML or PDF, in English or 中文."""
    if fmt not in FORMATS:
        raise InputError(f"expected one of {', '.join(FORMATS)}, got {fmt!r}", field="--format")
    if language not in ("en", "zh"):
        raise InputError(f"expected en or zh, got {language!r}", field="--lang")
    cached: tuple[str, ...] = ()
    simulated: tuple[str, ...] = ()
    if district.is_file():
        if years is not None:
            raise InputError("--years applies to a district folder; a results document is rendered as it is",
                             file=district, field="--years")
        document = read_results(district)
        folder = district.parent
    elif district.is_dir():
        from ecocity.assess import assess_district

        with task_progress("assessing (unchanged runs from the store)", enabled=not as_json) as progress:
            assessment = assess_district(
                district, store, years=years, workers=workers, dask_address=dask or os.environ.get("ECOCITY_DASK"),
                report=False, language=language, progress=progress,
            )  # fmt: skip
        document, folder = assessment.results, assessment.out_dir
        cached, simulated = assessment.cached, assessment.simulated
    else:
        raise InputError("no such district folder or results document", file=district)
    target = out if out is not None else folder / f"report.{fmt}"
    path = write_report(document, target, fmt, language)
    if as_json:
        print_json({"report": str(path), "format": fmt, "language": language,
                    "cached": list(cached), "simulated": list(simulated)})
        return
    if cached:
        console.print(f"read from the store (unchanged): {', '.join(cached)}")
    console.print(f"[bold]report: {path}[/]")


def register(app: typer.Typer) -> None:
    app.command(name="report")(report)
