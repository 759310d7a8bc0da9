"""The report's charts as plotly figure dicts: capture curve, water balance, design storm,
outfall hydrographs and costs.

Pure functions: a ``results`` dict (see :func:`ecocity.report.render_report`) and the
:class:`~ecocity.report.labels.Labels` of one language in, a JSON-able ``{"data": [...],
"layout": {...}}`` out. Text that came from the user is HTML-escaped, since plotly reads a
subset of HTML in its labels. The maps live in :mod:`ecocity.report.maps`.
"""

from __future__ import annotations

from html import escape

from ecocity.report import formatting
from ecocity.report.labels import Labels

# Okabe–Ito colours (readable with colour-vision deficiency); the baseline is dark grey.
BASELINE_COLOUR = "rgb(60,60,60)"
SCENARIO_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
WATER_BALANCE_COLOURS = {"runoff": "#0072B2", "infiltration": "#A6761D", "evaporation": "#66C2A5",
                         "storage_change": "#999999"}
LID_COLOURS = ("#009E73", "#56B4E9", "#E69F00", "#CC79A7", "#0072B2", "#D55E00", "#F0E442")
# Beside an LID type whose cost counts as zero for want of a Guide unit cost.
_NO_GUIDE_COST = {"en": "no Guide unit cost", "zh": "指南无单价"}

_BASE_LAYOUT = {"height": 420, "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
                "plot_bgcolor": "white", "legend": {"orientation": "h", "y": -0.2},
                "xaxis": {"showline": True, "linecolor": "#444", "gridcolor": "#e5e5e5"},
                "yaxis": {"showline": True, "linecolor": "#444", "gridcolor": "#e5e5e5"}}


def _plain(text: str) -> str:
    return escape(str(text), quote=False)


def _layout(title: str, x_title: str, y_title: str, **extra) -> dict:
    layout = {**_BASE_LAYOUT, "title": {"text": title, "x": 0.0, "xanchor": "left", "xref": "paper"},
              **extra}
    layout["xaxis"] = {**_BASE_LAYOUT["xaxis"], "title": {"text": x_title}, **extra.get("xaxis", {})}
    layout["yaxis"] = {**_BASE_LAYOUT["yaxis"], "title": {"text": y_title}, **extra.get("yaxis", {})}
    return layout


def scenario_colour(index: int) -> str:
    """Colour of the scenario at ``index`` in the results (0 is the baseline)."""
    return BASELINE_COLOUR if index == 0 else SCENARIO_COLOURS[(index - 1) % len(SCENARIO_COLOURS)]


def capture_curve_figure(results: dict, labels: Labels) -> dict:
    """Capture ratio [-] against design rainfall depth [mm], the target and the design depth."""
    curve = results["capture_curve"]
    depth_mm, ratio = list(curve["depth_mm"]), list(curve["capture_ratio"])
    target, design_mm = curve.get("target"), curve.get("design_depth_mm")
    data = [{"type": "scatter", "mode": "lines", "name": labels.text("curve"), "x": depth_mm,
             "y": ratio, "line": {"color": SCENARIO_COLOURS[0], "width": 2.5},
             "hovertemplate": "%{x:.1f} mm → %{y:.1%}<extra></extra>"}]
    if target is not None and depth_mm:
        data.append({"type": "scatter", "mode": "lines",
                     "name": f"{labels.text('target_line')} {formatting.percent(target)}",
                     "x": [min(depth_mm), max(depth_mm)], "y": [target, target],
                     "line": {"color": "#D55E00", "dash": "dash", "width": 1.5}})
    if design_mm is not None:
        data.append({"type": "scatter", "mode": "lines+markers",
                     "name": f"{labels.text('design_depth')} {formatting.number(design_mm, 1)} mm",
                     "x": [design_mm, design_mm], "y": [0.0, target if target is not None else 1.0],
                     "line": {"color": BASELINE_COLOUR, "dash": "dot", "width": 1.5},
                     "marker": {"size": [0, 9], "color": BASELINE_COLOUR}})
    return {"data": data, "layout": _layout(
        labels.text("capture_curve"), labels.text("design_depth_mm"), labels.text("capture_ratio_axis"),
        yaxis={"tickformat": ".0%", "range": [0, 1.02]})}


def water_balance_figure(results: dict, labels: Labels) -> dict:
    """Stacked annual depths [mm] per scenario (runoff, infiltration, evaporation, storage
    change) with the rainfall of each scenario as a reference mark."""
    names = [_plain(s["name"]) for s in results["scenarios"]]
    balances = [s.get("water_balance_mm") or {} for s in results["scenarios"]]
    data = [{"type": "bar", "name": labels.text(f"wb_{part}"), "x": names,
             "y": [b.get(part) for b in balances], "marker": {"color": colour},
             "hovertemplate": "%{x}: %{y:,.1f} mm<extra>" + labels.text(f"wb_{part}") + "</extra>"}
            for part, colour in WATER_BALANCE_COLOURS.items()]
    data.append({"type": "scatter", "mode": "markers", "name": labels.text("wb_rainfall"), "x": names,
                 "y": [b.get("rainfall") for b in balances],
                 "marker": {"symbol": "line-ew", "size": 70, "line": {"width": 3, "color": "black"}},
                 "hovertemplate": "%{x}: %{y:,.1f} mm<extra>" + labels.text("wb_rainfall") + "</extra>"})
    return {"data": data, "layout": _layout(labels.text("water_balance"), labels.text("scenario"),
                                            labels.text("depth_mm"), barmode="relative")}


def hyetograph_figure(results: dict, labels: Labels) -> dict:
    """The design storm as bars of rainfall depth per time step [mm], centred on each step."""
    storm = results["design_storm"]
    step_min = float(storm["step_min"])
    total_mm = sum(storm["depth_mm"])
    title = (f"{labels.text('hyetograph')}: {_plain(storm.get('name', ''))}, "
             f"{labels.text('return_period', p=storm['return_period_yr'])}, "
             f"{labels.text('storm_total')} {formatting.number(total_mm, 1)} mm")
    data = [{"type": "bar", "name": labels.text("wb_rainfall"),
             "x": [t + step_min / 2 for t in storm["time_min"]], "y": list(storm["depth_mm"]),
             "width": step_min * 0.95, "marker": {"color": SCENARIO_COLOURS[0]},
             "hovertemplate": "%{x:.1f} min: %{y:.2f} mm<extra></extra>"}]
    return {"data": data, "layout": _layout(title, labels.text("time_min"),
                                            labels.text("rain_per_step", step=step_min),
                                            height=340, showlegend=False)}


def return_periods_yr(results: dict) -> list[float]:
    """The design-storm return periods of any scenario, ascending. [yr]"""
    return sorted({float(storm["return_period_yr"]) for s in results["scenarios"]
                   for storm in s.get("design_storms") or []})


def hydrograph_figure(results: dict, return_period_yr: float, labels: Labels) -> dict:
    """Outfall flow [m³/s] over time [min] of every scenario for one design-storm return period.

    The baseline is dashed; each legend entry gives the peak flow and the volume.
    """
    data = []
    for index, scenario in enumerate(results["scenarios"]):
        storm = next((d for d in scenario.get("design_storms") or []
                      if float(d["return_period_yr"]) == return_period_yr), None)
        if storm is None:
            continue
        legend = (f"{_plain(scenario['name'])} ({labels.text('peak')} "
                  f"{formatting.number(storm.get('peak_m3_per_s'), 2)} m³/s, "
                  f"{formatting.number(storm.get('volume_m3'))} m³)")
        data.append({"type": "scatter", "mode": "lines", "name": legend,
                     "x": list(storm["outfall_time_min"]), "y": list(storm["outfall_flow_m3_per_s"]),
                     "line": {"color": scenario_colour(index), "width": 2.0,
                              "dash": "dash" if index == 0 else "solid"},
                     "hovertemplate": "%{x:.0f} min: %{y:.3f} m³/s<extra>" + _plain(scenario["name"])
                     + "</extra>"})
    title = f"{labels.text('hydrograph')}, {labels.text('return_period', p=return_period_yr)}"
    return {"data": data, "layout": _layout(title, labels.text("time_min"), labels.text("flow"),
                                            legend={"orientation": "v", "x": 1.0, "xanchor": "right",
                                                    "y": 1.0, "bgcolor": "rgba(255,255,255,0.8)"})}


def _missing(value: float | None) -> bool:
    return value is None or value != value  # None, or NaN from a hand-made results dict


def _mid_yuan(item: dict) -> float:
    """Mid cost of one LID item [yuan]; zero where the Guide has no unit cost for it."""
    low, high = item.get("yuan_low"), item.get("yuan_high")
    return 0.0 if _missing(low) or _missing(high) else (low + high) / 2.0


def cost_figure(results: dict, labels: Labels) -> dict:
    """Mid capital cost per scenario, stacked by LID type, with the low–high range of the total.

    Costs are in million yuan (English) or 万元 (中文). An LID type without a Guide unit cost
    (``yuan_low``/``yuan_high`` None) counts as zero, as in the capital cost, and its legend and
    hover entry say "no Guide unit cost".
    """
    scale = 1e4 if labels.language == "zh" else 1e6
    scenarios = results["scenarios"]
    names = [_plain(s["name"]) for s in scenarios]
    lid_types = list(dict.fromkeys(item["lid"] for s in scenarios
                                   for item in ((s.get("cost") or {}).get("by_lid") or [])))
    data = []
    for k, lid in enumerate(lid_types):
        mids, uncosted = [], False
        for s in scenarios:
            items = [i for i in ((s.get("cost") or {}).get("by_lid") or []) if i["lid"] == lid]
            uncosted |= any(_missing(i.get("yuan_low")) or _missing(i.get("yuan_high")) for i in items)
            mids.append(sum(_mid_yuan(i) for i in items) / scale if items else None)
        name = _plain(labels.lid(lid))
        if uncosted:  # counted as zero, as in the capital cost (stormwater.costs.capital_cost_yuan)
            name += f" ({_NO_GUIDE_COST[labels.language]})"
        data.append({"type": "bar", "name": name, "x": names, "y": mids,
                     "marker": {"color": LID_COLOURS[k % len(LID_COLOURS)]},
                     "hovertemplate": f"{name}: %{{y:,.2f}}<extra>%{{x}}</extra>"})
    costs = [s.get("cost") or {} for s in scenarios]
    mids = [c["capital_yuan_mid"] / scale if c.get("capital_yuan_mid") is not None else None for c in costs]
    plus = [(c["capital_yuan_high"] - c["capital_yuan_mid"]) / scale if m is not None else None
            for c, m in zip(costs, mids)]
    minus = [(c["capital_yuan_mid"] - c["capital_yuan_low"]) / scale if m is not None else None
             for c, m in zip(costs, mids)]
    data.append({"type": "scatter", "mode": "markers", "name": labels.text("range_of_total"),
                 "x": names, "y": mids, "marker": {"color": "black", "symbol": "line-ew-open", "size": 10,
                                                   "line": {"width": 2, "color": "black"}},
                 "error_y": {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
                             "color": "black", "thickness": 1.5, "width": 10}})
    return {"data": data, "layout": _layout(labels.text("capital"), labels.text("scenario"),
                                            labels.text("capital_mid"), barmode="stack")}


#: The share indicators the summary's bar chart compares (district scope), in this order.
SHARE_INDICATORS = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target")


def indicator_bars_data(results: dict) -> tuple[list[str], list[tuple[str, list[float | None]]], list[float | None]]:
    """The summary chart's data: indicator names present, (scenario, values [-]) pairs, targets [-]."""
    def value(scenario: dict, name: str) -> tuple[float | None, float | None]:
        item = next((i for i in scenario.get("indicators") or []
                     if i.get("name") == name and i.get("scope", "district") == "district"), None)
        return (None, None) if item is None else (item.get("value"), item.get("target"))

    names = [n for n in SHARE_INDICATORS if any(value(s, n)[0] is not None for s in results["scenarios"])]
    series = [(s["name"], [value(s, n)[0] for n in names]) for s in results["scenarios"]]
    targets = [next((value(s, n)[1] for s in results["scenarios"] if value(s, n)[1] is not None), None) for n in names]
    return names, series, targets


def indicator_bars_figure(results: dict, labels: Labels) -> dict | None:
    """Grouped bars of the district's share indicators [%] per scenario, targets as dashes."""
    names, series, targets = indicator_bars_data(results)
    if not names:
        return None
    x = [labels.indicator(n).text for n in names]
    data = [{"type": "bar", "name": _plain(name), "x": x, "y": values, "marker": {"color": scenario_colour(k)},
             "hovertemplate": "%{x}: %{y:.1%}<extra>" + _plain(name) + "</extra>"}
            for k, (name, values) in enumerate(series)]
    data.append({"type": "scatter", "mode": "markers", "name": labels.text("target_line"), "x": x, "y": targets,
                 "marker": {"symbol": "line-ew", "size": 60, "line": {"width": 3, "color": "#D55E00"}}})
    return {"data": data, "layout": _layout(labels.text("summary"), labels.text("indicator"), "%",
                                            barmode="group", yaxis={"tickformat": ".0%", "range": [0, 1.02]})}
