"""``ecocity rain``: capture-ratio curve, design storms, series checks and synthetic series."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from ecocity.climate.capture import GUIDE_THRESHOLD_MM, capture_ratio_curve, daily_depth_mm, design_depth_mm
from ecocity.climate.idf import depth_mm, resolve_idf
from ecocity.climate.rainfall import check_rainfall, read_rainfall, write_rainfall
from ecocity.climate.storms import BEIJING_PEAK_RATIO, chicago_storm
from ecocity.climate.synthetic import synthetic_rainfall
from ecocity.commands.output import console, print_json
from ecocity.errors import InputError

app = typer.Typer(no_args_is_help=True)

STANDARD_RATIOS = (0.60, 0.70, 0.75, 0.80, 0.85)
"""The capture ratios of the Guide's Table F2-1."""

Rain = Annotated[Path, typer.Argument(help="Rainfall file (CSV or Parquet): timestamp + depth_mm or intensity_mm_per_h.")]
Unit = Annotated[str | None, typer.Option(help="Unit of an unnamed value column: mm or mm/h.")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command()
def capture(
    rain: Rain,
    target: Annotated[float, typer.Option(help="Target annual runoff volume capture ratio, in (0, 1].")] = 0.85,
    threshold_mm: Annotated[float, typer.Option(help="Days with this depth or less are dropped. [mm]")] = GUIDE_THRESHOLD_MM,
    unit: Unit = None,
    json: Json = False,
) -> None:
    """Design rainfall depth for a capture-ratio target (Sponge City Technical Guide, App. 2)."""
    daily = daily_depth_mm(read_rainfall(rain, unit=unit))
    depth = design_depth_mm(daily, target, threshold_mm)
    if json:
        curve = capture_ratio_curve(daily, threshold_mm)
        print_json(
            {
                "file": rain,
                "synthetic": bool(daily.attrs.get("synthetic", False)),
                "target": target,
                "threshold_mm": threshold_mm,
                "design_depth_mm": depth,
                "days": len(daily),
                "curve": curve.to_dict(orient="records"),
            }
        )
        return
    table = Table(title=f"Design rainfall depth, {rain.name}" + (" (SYNTHETIC)" if daily.attrs.get("synthetic") else ""))
    table.add_column("capture ratio", justify="right")
    table.add_column("design depth (mm)", justify="right")
    ratios = sorted(set(STANDARD_RATIOS) | {target})
    for ratio, value in zip(ratios, design_depth_mm(daily, ratios, threshold_mm), strict=True):
        mark = " ← target" if ratio == target else ""
        table.add_row(f"{ratio:.0%}", f"{value:.1f}{mark}")
    console.print(table)


@app.command()
def storm(
    idf: Annotated[str, typer.Option(help="Storm-intensity set name, or coefficients 'A,C,b,n'.")] = "beijing-classic-zone2",
    return_period: Annotated[float, typer.Option(help="Return period P. [yr]")] = 2.0,
    duration_min: Annotated[float, typer.Option(help="Storm duration. [min]")] = 120.0,
    step_min: Annotated[float, typer.Option(help="Time step. [min]")] = 5.0,
    peak_ratio: Annotated[float, typer.Option(help="Share of the storm before the peak.")] = BEIJING_PEAK_RATIO,
    out: Annotated[Path | None, typer.Option(help="Write time_min,depth_mm (depth per step) as CSV.")] = None,
    json: Json = False,
) -> None:
    """Chicago design storm (Keifer & Chu 1957) on a storm-intensity formula."""
    params = resolve_idf(idf)
    hyetograph = chicago_storm(params, return_period, duration_min, step_min, peak_ratio)
    if out is not None:
        try:
            hyetograph.to_csv(out, index=False, float_format="%.6g")
        except OSError as err:
            raise InputError(f"cannot write: {err}", file=out) from err
    total = float(hyetograph["depth_mm"].sum())
    peak = hyetograph.loc[hyetograph["depth_mm"].idxmax()]
    if json:
        print_json(
            {
                "idf": params.name,
                "confidence": params.confidence,
                "return_period_yr": return_period,
                "duration_min": duration_min,
                "step_min": step_min,
                "peak_ratio": peak_ratio,
                "total_depth_mm": total,
                "formula_depth_mm": depth_mm(params, return_period, duration_min),
                "peak_time_min": float(peak["time_min"]),
                "peak_depth_mm": float(peak["depth_mm"]),
                "out": out,
                "hyetograph": hyetograph.to_dict(orient="records"),
            }
        )
        return
    console.print(
        f"Chicago storm, {params.name} ({params.confidence}), P = {return_period:g} yr, "
        f"{duration_min:g} min in {step_min:g}-min steps, r = {peak_ratio:g}: total {total:.1f} mm, "
        f"peak {peak['depth_mm']:.2f} mm in the step starting at {peak['time_min']:g} min"
        + (f"; written to {out}" if out else "")
    )


@app.command()
def check(rain: Rain, unit: Unit = None, json: Json = False) -> None:
    """Check a rainfall series: step, extent, gaps, total depth."""
    series = read_rainfall(rain, unit=unit)
    result = check_rainfall(series)
    summary = {
        "file": rain,
        "synthetic": bool(series.attrs.get("synthetic", False)),
        "step_min": result.step / pd.Timedelta(minutes=1),
        "n_steps": result.n_steps,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "years": result.years,
        "total_mm": result.total_mm,
        "mean_annual_mm": result.total_mm / result.years,
        "missing_steps": result.missing_steps,
        "gaps": [[a.isoformat(), b.isoformat()] for a, b in result.gaps],
    }
    if json:
        print_json(summary)
        return
    table = Table(title=f"Rainfall series {rain.name}", show_header=False)
    for key, value in summary.items():
        if key != "gaps":
            table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    table.add_row("gaps", f"{len(result.gaps)}" + (f" (first {summary['gaps'][0][0]})" if result.gaps else ""))
    console.print(table)


@app.command()
def synth(
    years: Annotated[int, typer.Option(help="Number of calendar years.")] = 30,
    step_min: Annotated[int, typer.Option(help="Time step: a multiple of 5 that divides a day. [min]")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same series).")] = 1,
    start_year: Annotated[int, typer.Option(help="Calendar label of the first year.")] = 1983,
    out: Annotated[Path, typer.Option(help="Output file: .parquet (zstd) or .csv.")] = Path("rainfall_synthetic.parquet"),
    json: Json = False,
) -> None:
    """Write a SYNTHETIC Beijing rainfall series (Markov chain + gamma + random cascade)."""
    series = synthetic_rainfall(years, seed=seed, step_min=step_min, start_year=start_year)
    write_rainfall(series, out)
    summary = {"out": out, "synthetic": True, "years": years, "seed": seed, "step_min": step_min,
               "mean_annual_mm": float(series.sum()) / years, "model": series.attrs["model"]}
    if json:
        print_json(summary)
    else:
        console.print(f"SYNTHETIC series, {years} yr, seed {seed}: {summary['mean_annual_mm']:.0f} mm/yr → {out}")


REPORTED_PERIODS_YR = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
"""Return periods whose climate factor ``rain climate`` prints."""


@app.command(name="climate")
def climate_command(
    rain: Rain,
    scenario: Annotated[str, typer.Option(help="Climate scenario: dk-100yr, dk-50yr, user:<factor> or a .toml file.")],
    out: Annotated[Path, typer.Option(help="Write the future series here: .parquet or .csv.")],
    unit: Unit = None,
    json: Json = False,
) -> None:
    """Perturb a rainfall series for a future climate (delta change on event depths)."""
    from ecocity.climate.change import climate_factor, climate_scenario, future_rainfall
    from ecocity.climate.rainfall import split_events

    chosen = climate_scenario(scenario)
    series = read_rainfall(rain, unit=unit)
    future = future_rainfall(series, chosen)
    write_rainfall(future, out)
    years = check_rainfall(series).years
    delta = chosen.delta_change
    summary = {
        "file": rain, "out": out, "scenario": chosen.name, "title": chosen.title, "source": chosen.source,
        "confidence": chosen.confidence, "horizon_yr": chosen.horizon_yr,
        "synthetic": bool(series.attrs.get("synthetic", False)),
        "delta_change": {"quantiles": list(delta.quantiles), "factors": list(delta.factors),
                         "min_inter_event_h": delta.min_inter_event_h, "source": delta.source,
                         "confidence": delta.confidence},
        "storm_factors": [{"return_period_yr": p, "factor": climate_factor(chosen, p)} for p in REPORTED_PERIODS_YR],
        "events": len(split_events(series, delta.min_inter_event_h)),
        "total_mm_today": float(series.sum()), "total_mm_future": float(future.sum()),
        "annual_mean_mm_today": float(series.sum()) / years, "annual_mean_mm_future": float(future.sum()) / years,
    }  # fmt: skip
    if json:
        print_json(summary)
        return
    factors = ", ".join(f"{k:g}" for k in delta.factors)
    console.print(
        f"{chosen.name} ({chosen.confidence}): {summary['events']} events scaled by {factors}; "
        f"annual mean {summary['annual_mean_mm_today']:.0f} -> {summary['annual_mean_mm_future']:.0f} mm/yr"
        + (" (SYNTHETIC)" if summary["synthetic"] else "") + f" -> {out}"
    )
    console.print("design-storm factors: " + ", ".join(
        f"T={row['return_period_yr']:g} yr {row['factor']:.3f}" for row in summary["storm_factors"]))
