"""The report's climate-change section: indicators today against a future climate.

Pure functions over the results document's ``climate`` section
(:func:`ecocity.assess_climate.climate_section`) and the :class:`~ecocity.report.labels.Labels`
of one language: grouped bars of an indicator today and in the future per design scenario, the
shift of the capture-ratio curve, and the rows of the table saying which designs still meet
their targets. Figures are JSON-able plotly dicts like :mod:`ecocity.report.figures`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ecocity.report import formatting
from ecocity.report.figures import BASELINE_COLOUR, SCENARIO_COLOURS, _layout
from ecocity.report.labels import Labels

TODAY_COLOUR = "#56B4E9"
FUTURE_COLOUR = "#D55E00"
TABLE_INDICATORS = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target", "runoff_depth_mm_per_yr",
                    "peak_flow_P", "outfall_volume_P", "flooded_nodes_pipe_storm", "flood_volume_m3")  # fmt: skip
"""Indicators the table lists (a name ending in ``_P`` stands for every return period)."""


def _listed(name: str) -> bool:
    return any(name == key or (key.endswith("_P") and name.startswith(key) and name[len(key):][:1].isdigit())
               for key in TABLE_INDICATORS)  # fmt: skip


def _row(design: dict, name: str) -> dict | None:
    return next((r for r in design["indicators"] if r["name"] == name), None)


def indicator_bars(entry: dict, name: str, labels: Labels) -> dict | None:
    """Grouped bars of indicator ``name``: today and under the climate scenario, per design."""
    rows = [(design["name"], _row(design, name)) for design in entry["designs"]]
    rows = [(design, row) for design, row in rows if row is not None]
    if not rows:
        return None
    label = labels.indicator(name)
    percent = rows[0][1]["unit"] == "-"
    scale = 100.0 if percent else 1.0
    names = [escape(design, quote=False) for design, _ in rows]
    data = []
    for key, colour, text in (("today", TODAY_COLOUR, labels.text("climate_today")),
                              ("future", FUTURE_COLOUR, f"{labels.text('climate_future')} ({escape(entry['name'])})")):
        data.append({"type": "bar", "name": text, "x": names,
                     "y": [None if row[key] is None else scale * row[key] for _, row in rows],
                     "marker": {"color": colour},
                     "hovertemplate": "%{x}: %{y:,.3g}" + (" %" if percent else "") + f"<extra>{text}</extra>"})
    target = rows[0][1]["target"]
    if target is not None:
        data.append({"type": "scatter", "mode": "lines", "name": f"{labels.text('target_line')} {formatting.percent(target) if percent else target}",
                     "x": [names[0], names[-1]], "y": [scale * target] * 2,
                     "line": {"color": BASELINE_COLOUR, "dash": "dash", "width": 1.5}})  # fmt: skip
    unit = "%" if percent else formatting._pretty_unit(rows[0][1]["unit"])
    return {"data": data, "layout": _layout(label.text, labels.text("climate_design"), f"{label.text} [{unit}]",
                                            barmode="group")}  # fmt: skip


def capture_curve_shift(entry: dict, labels: Labels) -> dict:
    """The capture-ratio curve of the daily rainfall today and under the climate scenario."""
    curve = entry["capture_curve"]
    data = []
    for key, colour, text in (("today", TODAY_COLOUR, labels.text("climate_today")),
                              ("future", FUTURE_COLOUR, f"{labels.text('climate_future')} ({escape(entry['name'])})")):
        part = curve[key]
        data.append({"type": "scatter", "mode": "lines", "name": text, "x": part["depth_mm"],
                     "y": part["capture_ratio"], "line": {"color": colour, "width": 2.5},
                     "hovertemplate": "%{x:.1f} mm → %{y:.1%}<extra>" + text + "</extra>"})
        data.append({"type": "scatter", "mode": "lines+markers",
                     "name": f"{labels.text('design_depth')} {formatting.number(part['design_depth_mm'], 1)} mm",
                     "x": [part["design_depth_mm"]] * 2, "y": [0.0, curve["target"]],
                     "line": {"color": colour, "dash": "dot", "width": 1.5}, "marker": {"size": [0, 8], "color": colour}})
    return {"data": data, "layout": _layout(labels.text("climate_curve"), labels.text("design_depth_mm"),
                                            labels.text("capture_ratio_axis"),
                                            yaxis={"tickformat": ".0%", "range": [0, 1.02]})}  # fmt: skip


def _change(change: float | None, today: float | None, show) -> str:
    """A change with its sign; "0" where it is nothing but rounding."""
    if change is None:
        return "—"
    if abs(change) <= 1e-9 * max(abs(today or 0.0), 1.0):
        return "0"
    return ("+" if change > 0 else "") + show(change)


def _mark(passed: bool | None) -> str:
    return "" if passed is None else "✔" if passed else "✘"


def table_rows(entry: dict, labels: Labels) -> list[dict[str, Any]]:
    """Per design scenario and listed indicator: today, future, change and the ✔/✘ marks."""
    out = []
    for design in entry["designs"]:
        rows = []
        for row in design["indicators"]:
            if not _listed(row["name"]):
                continue
            label = labels.indicator(row["name"])
            show = lambda v: formatting.value(v, row["unit"], label.format, labels.language)  # noqa: E731
            change = row["change"]
            rows.append({
                "name": row["name"], "label": label.text,
                "target": "" if row["target"] is None else formatting.target(row["target"], row["unit"], label.format,
                                                                               row["direction"], labels.language),
                "today": show(row["today"]), "future": show(row["future"]),
                "change": _change(change, row["today"], show),
                "degraded": row["degraded"],
                "mark_today": _mark(row["passed_today"]), "mark_future": _mark(row["passed_future"]),
            })  # fmt: skip
        out.append({"design": design["name"], "rows": rows,
                    "meets_today": _mark(design["meets_targets_today"]),
                    "meets_future": _mark(design["meets_targets_future"])})  # fmt: skip
    return out


def climate_view(results: dict, labels: Labels) -> list[dict[str, Any]]:
    """Everything the climate template draws, one entry per climate scenario ([] without one)."""
    section = results.get("climate") or {}
    view = []
    for entry in section.get("scenarios", []):
        designs = entry["designs"]
        periods = sorted({r["name"] for d in designs for r in d["indicators"] if r["name"].startswith("peak_flow_P")},
                         key=lambda n: float(n.rsplit("P", 1)[1]))  # fmt: skip
        names = ["capture_ratio", *periods[:1], "flood_volume_m3"]
        bars = [fig for fig in (indicator_bars(entry, name, labels) for name in names) if fig is not None]
        factors = "; ".join(f"{labels.text('return_period', p=row['return_period_yr'])}: {row['factor']:.3f}"
                            for row in entry["storm_factors"])  # fmt: skip
        delta = entry["delta_change"]
        view.append({
            "name": entry["name"], "title": entry["title"] or entry["name"], "horizon_yr": entry["horizon_yr"],
            "source": entry["source"], "confidence": entry["confidence"], "storm_factors": factors,
            "delta_change": ", ".join(f"q ≤ {q:g}: × {k:g}" for q, k in zip(delta["quantiles"], delta["factors"], strict=True))
            + ("" if not delta.get("monthly_factors") else
               "; × " + "/".join(f"{k:g}" for k in delta["monthly_factors"]) + " (Jan–Dec)"),
            "delta_source": delta["source"], "delta_confidence": delta["confidence"],
            "rainfall": (formatting.number(entry["rainfall"]["annual_mean_mm_today"]),
                         formatting.number(entry["rainfall"]["annual_mean_mm_future"])),
            "bars": bars, "curve": capture_curve_shift(entry, labels), "tables": table_rows(entry, labels),
            "colour": SCENARIO_COLOURS[len(view) % len(SCENARIO_COLOURS)],
        })  # fmt: skip
    return view
