"""``ecocity buildings``: a meter's baseline, measured savings, and a portfolio ranked for action.

Inputs in the simplest form: a meter CSV ``timestamp,value`` (kWh unless ``--unit``; Parquet
too) and a temperature CSV ``timestamp,temperature_c`` [°C]. CalTRACK's °F constants are
converted inside the fits; everything shown is in °C and kWh.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ecocity.commands.assess import DASK_OPT, WORKERS_OPT
from ecocity.commands.output import console, print_json, table_console
from ecocity.commands.progress import task_progress

app = typer.Typer(no_args_is_help=True)

METER_ARG = typer.Argument(help="Meter file: CSV timestamp,value (interval start) or Parquet")
TEMP_OPT = typer.Option("--temperature", help="Temperature file: CSV timestamp,temperature_c [°C] (or temperature_f)")
MODEL_OPT = typer.Option("--model", help="Baseline model: daily, billing or hourly (CalTRACK 2.0)")
UNIT_OPT = typer.Option("--unit", help="Unit of the meter values: kWh, Wh, MWh, GJ, MJ, gas_m3_cn, gas_m3_dk …")
TZ_OPT = typer.Option("--timezone", help="IANA zone of naive timestamps, e.g. Asia/Shanghai (default: keep local clock)")
JSON_OPT = typer.Option("--json", help="Print the result as JSON")


def _num(x: Any, fmt: str = ",.1f") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return format(x, fmt)


def _baseline_tables(result: dict[str, Any]) -> None:
    b = result["baseline"]
    s = result["sufficiency"]
    console.print(f"[bold]{result['building_id']}[/]: data {result['period']['start']} to {result['period']['end']}; "
                  f"baseline {s['start']} to {s['end']} "
                  + ("[green]sufficient[/]" if s["ok"] else "[red]insufficient[/]: " + "; ".join(s["reasons"])))
    if b is None:
        console.print("[red]no baseline fitted[/]: " + "; ".join(result["notes"]))
        return
    table = Table(title=f"Baseline ({b['interval']}): {b['model_type']}")
    table.add_column("item")
    table.add_column("value", justify="right")
    rows = [("heating balance point", _num(b.get("heating_balance_c")), "°C"),
            ("cooling balance point", _num(b.get("cooling_balance_c")), "°C"),
            ("base load", _num(b.get("intercept_kwh_per_d")), "kWh/d"),
            ("heating slope", _num(b.get("beta_hdd_kwh_per_c_day"), ",.2f"), "kWh/(°C·d)"),
            ("cooling slope", _num(b.get("beta_cdd_kwh_per_c_day"), ",.2f"), "kWh/(°C·d)"),
            ("R²", _num(b.get("r_squared"), ".3f"), ""),
            ("CV(RMSE)", _num(b.get("cvrmse"), ".3f"), ""),
            ("NMBE", _num(b.get("nmbe"), ".4f"), "")]
    for name, value, unit in rows:
        if value != "—":
            table.add_row(name, f"{value} {unit}".strip())
    table_console.print(table)
    for flag in result["flags"]:
        console.print(f"[yellow]{flag['severity']}[/] {flag['kind']} {flag['start']}–{flag['end']}: {flag['message_en']}")
    for note in result["notes"]:
        console.print(f"note: {note}")


@app.command()
def baseline(
    meter: Annotated[Path, METER_ARG],
    temperature: Annotated[Path, TEMP_OPT],
    model: Annotated[str, MODEL_OPT] = "daily",
    unit: Annotated[str, UNIT_OPT] = "kWh",
    timezone: Annotated[str | None, TZ_OPT] = None,
    as_json: Annotated[bool, JSON_OPT] = False,
) -> None:
    """Fit a CalTRACK baseline on the meter's first 365 days: model type, balance points, coefficients, metrics."""
    from ecocity.buildings.assess import assess_building

    result = assess_building(meter, temperature, model=model, unit=unit, timezone=timezone).to_dict()
    if as_json:
        print_json(result)
        return
    _baseline_tables(result)


@app.command()
def savings(
    meter: Annotated[Path, METER_ARG],
    temperature: Annotated[Path, TEMP_OPT],
    intervention: Annotated[str, typer.Option("--intervention", help="Retrofit date YYYY-MM-DD: baseline = the 365 days before, savings over up to 365 days from it")],
    model: Annotated[str, MODEL_OPT] = "daily",
    unit: Annotated[str, UNIT_OPT] = "kWh",
    timezone: Annotated[str | None, TZ_OPT] = None,
    as_json: Annotated[bool, JSON_OPT] = False,
) -> None:
    """Avoided energy use after an intervention (IPMVP option C) with its 90 % uncertainty band."""
    from ecocity.buildings.assess import assess_building
    from ecocity.errors import InputError

    try:
        import pandas as pd

        pd.Timestamp(intervention)
    except ValueError as err:
        raise InputError(f"not a date: {intervention!r}", field="--intervention") from err
    result = assess_building(meter, temperature, model=model, unit=unit, timezone=timezone,
                             intervention=intervention).to_dict()
    if as_json:
        print_json(result)
        return
    _baseline_tables(result)
    s = result["savings"]
    lo, hi = s["band90_kwh"]
    table = Table(title=f"Avoided energy from {s['intervention']} ({s['reporting_days']} days)")
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("predicted (baseline)", f"{_num(s['predicted_kwh'], ',.0f')} kWh")
    table.add_row("actual", f"{_num(s['actual_kwh'], ',.0f')} kWh")
    table.add_row("avoided", f"{_num(s['avoided_kwh'], ',.0f')} kWh ({_num(100 * s['fraction'], '.1f')} %)")
    table.add_row("90 % band", f"{_num(lo, ',.0f')} … {_num(hi, ',.0f')} kWh")
    table.add_row("significant at 90 %", "yes" if s["significant_at_90"] else "no")
    table_console.print(table)


def _grid(text: str | None) -> str | float | None:
    """A ``--grid`` value: a number [kg CO2e/kWh] or a factor name."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


@app.command()
def portfolio(
    folder: Annotated[Path, typer.Argument(help="Portfolio folder: portfolio.csv, meters/, weather/")],
    workers: Annotated[int | None, WORKERS_OPT] = None,
    dask: Annotated[str | None, DASK_OPT] = None,
    year: Annotated[int | None, typer.Option("--year", help="Analysis year (default: the last full year of data)")] = None,
    model: Annotated[str, MODEL_OPT] = "daily",
    grid: Annotated[str | None, typer.Option("--grid", help="Grid CO2 factor for every building: a name (beijing-2022, china-2023, denmark-2023 …) or kg CO2e/kWh (default: each city's)")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Run store: an SQLite file or a folder holding ecocity.db (default DIR/ecocity-out/ecocity.db)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Assess even an unchanged portfolio (the store keeps both runs)")] = False,
    indicators: Annotated[Path | None, typer.Option("--indicators", help="GB/T 51161-2016 rows from your copy of the standard: CSV building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source (default DIR/gbt51161.csv if present)")] = None,
    as_json: Annotated[bool, JSON_OPT] = False,
) -> None:
    """Assess every building of a portfolio in parallel; rank them for action with flags, benchmarks and quotas.

    The analysis is saved as one run of the store; an unchanged portfolio (same files, options and
    code) is read back from it.
    """
    from ecocity.buildings.assess import assess_portfolio, portfolio_section

    store_path = store if store is not None else folder / "ecocity-out" / "ecocity.db"
    with task_progress("assessing buildings", enabled=not as_json) as progress:
        result = assess_portfolio(folder, workers=workers, dask=dask or os.environ.get("ECOCITY_DASK"), year=year,
                                  progress=progress, model=model, grid=_grid(grid), store=store_path,
                                  use_cache=not no_cache, indicators=indicators)
    section = portfolio_section(result)
    section.update(run_id=result.run_id, cached=result.cached)
    if as_json:
        print_json(section)
        return
    _portfolio_table(section)
    how = "read back from" if result.cached else "saved in"
    console.print(f"run {result.run_id} {how} the store {store_path}")


def _portfolio_table(section: dict[str, Any]) -> None:
    title = (f"{section['portfolio']}: {section['n_buildings']} buildings, {section['period']['start']} to "
             f"{section['period']['end']}, ranked by savings potential")
    if section["synthetic"]:
        title += " — SYNTHETIC DATA"
    table = Table(title=title)
    for column in ("rank", "building", "city", "type", "EUI kWh/m²", "pct in type", "potential MWh/a",
                   "potential money/a", "benchmark", "baseline", "flags", "savings", "quota"):
        table.add_column(column, justify="right" if column in ("rank", "EUI kWh/m²", "pct in type", "potential MWh/a",
                                                                "potential money/a") else "left")
    for b in section["buildings"]:
        base = b["baseline"]
        fit = f"{base['model_type']} R² {_num(base['r_squared'], '.2f')}" + ("" if base["sufficient"] else " [red]insuff.[/]")
        flags = ", ".join(sorted({f"{f['kind']} ({f['severity']})" for f in b["flags"]})) or "—"
        sav = b["savings"]
        sav_text = "—" if sav is None else f"{_num(100 * sav['fraction'], '.0f')} % from {sav['intervention']}"
        q = b["quota"]
        quota_text = "—" if q is None else q["status"]
        pot = b["potential"]
        table.add_row(str(b["rank"]), b["building_id"], b["city"], b["type"], _num(b["eui_kwh_per_m2"]),
                      _num(b["percentile"], ".0f"), _num(pot["kwh"] / 1000 if pot["kwh"] is not None else None),
                      f"{_num(pot['money'], ',.0f')} {pot['currency']}", b["benchmark"]["verdict"], fit, flags,
                      sav_text, quota_text)
    table_console.print(table)
    for note in section["notes"]:
        console.print(f"note: {note}")
