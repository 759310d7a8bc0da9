"""The report's figures drawn with matplotlib, for the PDF (WeasyPrint runs no JavaScript).

The same figures as the HTML report's plotly charts (:mod:`~ecocity.report.figures`,
:mod:`~ecocity.report.maps`), drawn from the same ``results`` dict: capture-ratio curve, water
balance, design storm, outfall hydrographs, costs and one map per scenario (subcatchment
polygons coloured by capture ratio on the fixed 0–1 scale, measures outlined). The plant and
buildings figures are in :mod:`~ecocity.report.static_figures_areas`.

Each figure is returned as a PNG ``data:`` URI, so the PDF needs no files beside it. Text in
Chinese needs a CJK font: :func:`figure_style` puts Noto Sans CJK SC first when it is
installed, and warns (the figures then show boxes for Chinese) when it is not.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from ecocity.report import formatting  # noqa: E402
from ecocity.report.figures import LID_COLOURS, WATER_BALANCE_COLOURS, return_periods_yr, scenario_colour  # noqa: E402
from ecocity.report.labels import Labels  # noqa: E402
from ecocity.report.maps import CAPTURE_COLORSCALE, _centroid  # noqa: E402

#: The CJK fonts tried for Chinese text, in order (fontconfig family names).
CJK_FONTS: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
#: Resolution of the PNG figures. [dots per inch]
DPI = 130
#: Width of a full-width figure on A4 with 18 mm margins. [inch]
FULL_WIDTH_IN = 6.8
_TARGET_COLOUR = "#D55E00"


def colour(css: str) -> str:
    """A plotly/CSS colour as matplotlib takes it: ``"rgb(60,60,60)"`` → ``"#3c3c3c"``,
    ``"rgba(255,255,255,0.5)"`` → ``"#ffffff80"``."""
    if css.startswith(("rgb(", "rgba(")) and css.endswith(")"):
        parts = [float(v) for v in css[css.index("(") + 1:-1].split(",")]
        alpha = f"{round(255 * parts[3]):02x}" if len(parts) == 4 else ""
        return "#" + "".join(f"{int(v):02x}" for v in parts[:3]) + alpha
    return css


def _trace_colour(value: object, default: str) -> str:
    """A trace's colour for matplotlib; ``default`` for a per-point list or an unknown value."""
    from matplotlib.colors import is_color_like

    if not isinstance(value, str):
        return default
    converted = colour(value)
    return converted if is_color_like(converted) else default


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or None."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@contextmanager
def figure_style(language: str) -> Iterator[None]:
    """matplotlib settings of the report's figures; a CJK font first for ``"zh"``.

    Warns
    -----
    UserWarning
        If ``language`` is ``"zh"`` and none of :data:`CJK_FONTS` is installed.
    """
    fonts = ["DejaVu Sans"]  # Latin, Greek, sub- and superscripts; Chinese falls back to the CJK font
    cjk = cjk_font()
    if cjk is not None:
        fonts.append(cjk)
    elif language == "zh":
        warnings.warn("no CJK font found (install fonts-noto-cjk): Chinese text in the PDF's figures "
                      "will not render", stacklevel=3)
    style = {"font.family": fonts, "font.sans-serif": fonts, "font.size": 9,
             "axes.titlesize": 10, "axes.titlelocation": "left", "axes.spines.top": False,
             "axes.spines.right": False, "axes.grid": True, "axes.axisbelow": True, "grid.color": "#e5e5e5",
             "legend.fontsize": 8, "legend.frameon": False, "figure.dpi": DPI, "svg.fonttype": "none"}
    with plt.rc_context(style):
        yield


def new_figure(height_in: float = 3.4, width_in: float = FULL_WIDTH_IN, **kwargs) -> tuple[Figure, object]:
    """A figure and its axes (``plt.subplots`` keywords pass through)."""
    return plt.subplots(figsize=(width_in, height_in), layout="constrained", **kwargs)


def to_data_uri(fig: Figure) -> str:
    """The figure as a PNG ``data:`` URI; the figure is closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def legend(ax, **kwargs) -> None:
    """The axes' legend, when any artist has a label (none otherwise, and no warning)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def capture_curve(results: dict, labels: Labels) -> str:
    """Capture ratio [-] against design rainfall depth [mm], with the target and design depth."""
    curve = results["capture_curve"]
    fig, ax = new_figure(3.0)
    ax.plot(curve["depth_mm"], curve["capture_ratio"], color=scenario_colour(1), lw=2, label=labels.text("curve"))
    target, design_mm = curve.get("target"), curve.get("design_depth_mm")
    if target is not None:
        ax.axhline(target, color=_TARGET_COLOUR, ls="--", lw=1.2,
                   label=f"{labels.text('target_line')} {formatting.percent(target)}")
    if design_mm is not None:
        ax.plot([design_mm, design_mm], [0, target if target is not None else 1.0], ":o", color="#3c3c3c",
                markevery=[1], label=f"{labels.text('design_depth')} {formatting.number(design_mm, 1)} mm")
    ax.set(title=labels.text("capture_curve"), xlabel=labels.text("design_depth_mm"),
           ylabel=labels.text("capture_ratio_axis"), ylim=(0, 1.02))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="lower right")
    return to_data_uri(fig)


def water_balance(results: dict, labels: Labels) -> str:
    """Mean annual depths [mm] per scenario, stacked (negative storage change below zero)."""
    scenarios = results["scenarios"]
    names = [s["name"] for s in scenarios]
    balances = [s.get("water_balance_mm") or {} for s in scenarios]
    fig, ax = new_figure(3.2)
    positive = [0.0] * len(names)
    negative = [0.0] * len(names)
    for part, colour in WATER_BALANCE_COLOURS.items():
        values = [float(b.get(part) or 0.0) for b in balances]
        bottoms = [p if v >= 0 else n for v, p, n in zip(values, positive, negative)]
        ax.bar(names, values, bottom=bottoms, color=colour, label=labels.text(f"wb_{part}"), width=0.6)
        positive = [p + max(v, 0.0) for p, v in zip(positive, values)]
        negative = [n + min(v, 0.0) for n, v in zip(negative, values)]
    rain = [b.get("rainfall") for b in balances]
    ax.scatter(names, rain, marker="_", s=900, color="black", lw=2.5, label=labels.text("wb_rainfall"), zorder=3)
    ax.set(title=labels.text("water_balance"), ylabel=labels.text("depth_mm"))
    ax.tick_params(axis="x", labelrotation=12)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_data_uri(fig)


def hyetograph(results: dict, labels: Labels) -> str:
    """The design storm: rainfall depth per step [mm] against time [min]."""
    storm = results["design_storm"]
    step = float(storm["step_min"])
    fig, ax = new_figure(2.4)
    ax.bar([t + step / 2 for t in storm["time_min"]], storm["depth_mm"], width=step * 0.95, color=scenario_colour(1))
    total = formatting.number(sum(storm["depth_mm"]), 1)
    ax.set(title=f"{labels.text('hyetograph')}: {storm.get('name', '')}, "
                 f"{labels.text('return_period', p=storm['return_period_yr'])}, {labels.text('storm_total')} {total} mm",
           xlabel=labels.text("time_min"), ylabel=labels.text("rain_per_step", step=step))
    return to_data_uri(fig)


def hydrograph(results: dict, return_period_yr: float, labels: Labels) -> str:
    """Outfall flow [m³/s] of every scenario for one return period; the baseline dashed."""
    fig, ax = new_figure(2.9, FULL_WIDTH_IN / 2 + 0.2)
    for index, scenario in enumerate(results["scenarios"]):
        storm = next((d for d in scenario.get("design_storms") or []
                      if float(d["return_period_yr"]) == return_period_yr), None)
        if storm is None:
            continue
        label = (f"{scenario['name']} ({labels.text('peak')} {formatting.number(storm.get('peak_m3_per_s'), 2)} m³/s)")
        ax.plot(storm["outfall_time_min"], storm["outfall_flow_m3_per_s"], color=colour(scenario_colour(index)),
                ls="--" if index == 0 else "-", lw=1.5, label=label)
    ax.set(title=f"{labels.text('hydrograph')}, {labels.text('return_period', p=return_period_yr)}",
           xlabel=labels.text("time_min"), ylabel=labels.text("flow"))
    legend(ax, loc="upper right", fontsize=7)
    return to_data_uri(fig)


def costs(results: dict, labels: Labels) -> str:
    """Mid capital cost per scenario stacked by LID type, whiskers over the low–high total.

    Million yuan (English) or 万元 (中文), as in the HTML chart; an LID type without a Guide unit
    cost counts as zero.
    """
    scale = 1e4 if labels.language == "zh" else 1e6
    scenarios = results["scenarios"]
    names = [s["name"] for s in scenarios]
    lids = list(dict.fromkeys(i["lid"] for s in scenarios for i in ((s.get("cost") or {}).get("by_lid") or [])))
    fig, ax = new_figure(3.2)
    bottom = [0.0] * len(names)
    for k, lid in enumerate(lids):
        mids = []
        for s in scenarios:
            items = [i for i in ((s.get("cost") or {}).get("by_lid") or []) if i["lid"] == lid]
            mids.append(sum((i["yuan_low"] + i["yuan_high"]) / 2 for i in items
                            if i.get("yuan_low") is not None and i.get("yuan_high") is not None) / scale)
        ax.bar(names, mids, bottom=bottom, color=LID_COLOURS[k % len(LID_COLOURS)], label=labels.lid(lid), width=0.6)
        bottom = [b + m for b, m in zip(bottom, mids)]
    for x, s in enumerate(scenarios):
        c = s.get("cost") or {}
        if c.get("capital_yuan_mid") is not None:
            mid = c["capital_yuan_mid"] / scale
            ax.errorbar([x], [mid], yerr=[[mid - c["capital_yuan_low"] / scale], [c["capital_yuan_high"] / scale - mid]],
                        fmt="_", color="black", capsize=6, lw=1.5)
    ax.set(title=labels.text("capital"), ylabel=labels.text("capital_mid"))
    ax.tick_params(axis="x", labelrotation=12)
    legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_data_uri(fig)


def indicator_bars(results: dict, labels: Labels) -> str | None:
    """Grouped bars of the district's share indicators [%] per scenario, targets as dashes."""
    from ecocity.report.figures import indicator_bars_data

    names, series, targets = indicator_bars_data(results)
    if not names:
        return None
    fig, ax = new_figure(3.0)
    width = 0.8 / len(series)
    for k, (name, values) in enumerate(series):
        ax.bar([i + (k - (len(series) - 1) / 2) * width for i in range(len(names))],
               [100 * v if v is not None else 0 for v in values], width=width, color=colour(scenario_colour(k)), label=name)
    for i, target in enumerate(targets):
        if target is not None:
            ax.plot([i - 0.45, i + 0.45], [100 * target] * 2, color=_TARGET_COLOUR, lw=2, zorder=3,
                    label=labels.text("target_line") if i == next(j for j, t in enumerate(targets) if t is not None) else None)
    ax.set_xticks(range(len(names)), [labels.indicator(n).text for n in names], fontsize=8)
    ax.set(title=labels.text("summary"), ylabel="%", ylim=(0, 102))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_data_uri(fig)


def scenario_map(results: dict, scenario: dict, labels: Labels) -> str:
    """Subcatchments coloured by the scenario's capture ratio (0–1, red to blue); a thick dark
    outline where the scenario places measures."""
    subs = [s for s in results["map"]["subcatchments"] if s.get("polygon")]
    capture = scenario.get("subcatchment_capture_ratio") or {}
    cmap = matplotlib.colormaps[CAPTURE_COLORSCALE]
    norm = Normalize(0.0, 1.0)
    fig, ax = new_figure(3.1, FULL_WIDTH_IN / 2 + 0.2)
    ax.grid(False)
    for sub in subs:
        ratio = capture.get(sub["id"])
        has_lids = bool(sub.get("lids", {}).get(scenario["name"]))
        face = "#dcdcdc" if ratio is None else cmap(norm(ratio))
        ax.add_patch(Polygon(sub["polygon"], closed=True, facecolor=face,
                             edgecolor="#1e1e1e" if has_lids else "white", lw=1.6 if has_lids else 0.5))
        if len(subs) <= 30:
            x, y = _centroid(sub["polygon"])
            ax.text(x, y, f"{sub['id']}\n{formatting.percent(ratio, 0)}", ha="center", va="center", fontsize=6)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set(title=scenario["name"], xlabel=f"{labels.text('easting')} ({results['map'].get('crs', '')})",
           ylabel=labels.text("northing"))
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=6)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8)
    bar.set_label(labels.text("map_capture"))
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return to_data_uri(fig)


def report_figures(results: dict, labels: Labels) -> dict:
    """Every figure of the report as PNG data URIs, keyed as the template's plotly figures."""
    from ecocity.report import static_figures_areas as areas

    scenarios = results["scenarios"]
    with figure_style(labels.language):
        has_map = any(s.get("polygon") for s in (results.get("map") or {}).get("subcatchments") or [])
        return {
            "indicator_bars": indicator_bars(results, labels),
            "maps": [(s["name"], scenario_map(results, s, labels)) for s in scenarios] if has_map else [],
            "capture_curve": capture_curve(results, labels) if results.get("capture_curve") else None,
            "water_balance": water_balance(results, labels)
            if any(s.get("water_balance_mm") for s in scenarios) else None,
            "hyetograph": hyetograph(results, labels) if results.get("design_storm") else None,
            "hydrographs": [hydrograph(results, p, labels) for p in return_periods_yr(results)],
            "costs": costs(results, labels) if any(s.get("cost") for s in scenarios) else None,
            **areas.plant_figures(results.get("wastewater"), labels.language),
            **areas.building_figures(results.get("buildings"), labels.language),
        }


def _axis_title(layout: dict, axis: str) -> str:
    title = (layout.get(axis) or {}).get("title")
    return title.get("text", "") if isinstance(title, dict) else str(title or "")


def _plain_text(text: object) -> str:
    """Plotly's HTML-ish label text as plain text (``<br>`` → newline, tags dropped)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", "\n", str(text or ""))))


def plotly_png(figure: dict) -> str:
    """A plotly figure dict drawn with matplotlib, for a section without its own static drawing.

    Covers the common traces: ``scatter`` (lines, markers, ``fill="toself"`` polygons) and
    ``bar`` (grouped or stacked by ``barmode``), axis titles and the title. Other trace types
    are left out and a note says how many. Call inside :func:`figure_style`.
    """
    data, layout = figure.get("data") or [], figure.get("layout") or {}
    fig, ax = new_figure(3.2)
    skipped, stacked = 0, {}
    bars = [t for t in data if t.get("type") == "bar"]
    for k, trace in enumerate(data):
        kind = trace.get("type", "scatter")
        name = _plain_text(trace.get("name")) if trace.get("showlegend", True) is not False else None
        x, y = list(trace.get("x") or []), list(trace.get("y") or [])
        line_colour = _trace_colour((trace.get("line") or {}).get("color") or (trace.get("marker") or {}).get("color"),
                                    f"C{k % 10}")
        if kind == "scatter" and trace.get("fill") == "toself" and x:
            ax.fill(x, y, facecolor=_trace_colour(trace.get("fillcolor"), line_colour), edgecolor="white", lw=0.5)
        elif kind == "scatter" and x:
            mode = trace.get("mode", "lines")
            style = ("-" if "lines" in mode else "") + ("o" if "markers" in mode else "")
            ax.plot(x, y, style or "-", color=line_colour, lw=1.5, ms=3, label=name)
        elif kind == "bar" and x:
            if layout.get("barmode") in ("stack", "relative"):
                bottom = [stacked.get(str(v), 0.0) for v in x]
                ax.bar([str(v) for v in x], y, bottom=bottom, color=line_colour, label=name)
                for v, h in zip(x, y):
                    stacked[str(v)] = stacked.get(str(v), 0.0) + float(h or 0.0)
            else:
                width = 0.8 / max(len(bars), 1)
                offset = (bars.index(trace) - (len(bars) - 1) / 2) * width
                positions = {str(v): i for i, v in enumerate(dict.fromkeys(str(v) for t in bars for v in t.get("x") or []))}
                ax.bar([positions[str(v)] + offset for v in x], y, width=width, color=line_colour, label=name)
                ax.set_xticks(list(positions.values()), list(positions))
        else:
            skipped += 1
    title = layout.get("title")
    ax.set_title(_plain_text(title.get("text") if isinstance(title, dict) else title))
    ax.set_xlabel(_plain_text(_axis_title(layout, "xaxis")))
    ax.set_ylabel(_plain_text(_axis_title(layout, "yaxis")))
    if (layout.get("yaxis") or {}).get("scaleanchor") == "x":
        ax.set_aspect("equal", adjustable="datalim")
    if any(line.get_label() and not line.get_label().startswith("_") for line in ax.get_lines() + list(ax.containers)):
        ax.legend(loc="best", fontsize=7)
    if skipped:
        ax.text(0.0, -0.25, f"{skipped} trace(s) of types not drawn in the PDF: see the HTML report", fontsize=7,
                transform=ax.transAxes)
    return to_data_uri(fig)
