"""The report's optimisation section: the Pareto front and the chosen design's map.

Pure figure functions over the ``optimisation`` section of a results document (what
:func:`ecocity.optimise.output.optimisation_section` writes) and the view the partial
``templates/optimisation.html`` draws; :func:`optimisation_page` renders the partial as a
stand-alone page (``ecocity sponge optimise`` writes it beside its JSON).
"""

from __future__ import annotations

from html import escape
from typing import Any

TEXT = {
    "en": {
        "title": "Design optimisation (NSGA-II on SWMM)",
        "status_feasible": "The least-cost design meeting every target",
        "status_infeasible": "No design within the bounds meets every target (infeasible); best reachable values:",
        "front": "Pareto front: cost against capture ratio, coloured by TSS load reduction",
        "cost": "Cost (yuan)",
        "capture": "Annual runoff volume capture ratio",
        "tss": "TSS reduction",
        "map": "LID area of the chosen design by subcatchment (share of its area)",
        "evaluated": "{designs} designs evaluated in {generations} generations: {simulated} SWMM evaluations, "
                     "{from_store} read from the store",
        "screening": "Screening on {years:g} year(s) ({start} to {end}), capture-ratio curve within {curve:.3f} "
                     "of the full record; on the re-run designs the screening's capture ratio differs from the "
                     "full record's by at most {error:.3f}.",
        "indicator": "Indicator", "value": "Value", "target": "Target", "best": "Best reachable",
        "levels": "Levels",
    },
    "zh": {
        "title": "方案优化（NSGA-II + SWMM）",
        "status_feasible": "满足全部目标的最低造价方案",
        "status_infeasible": "在可建范围内没有方案满足全部目标（不可行）；可达到的最好值：",
        "front": "帕累托前沿：造价与年径流总量控制率（颜色为 TSS 削减率）",
        "cost": "造价（元）",
        "capture": "年径流总量控制率",
        "tss": "TSS 削减率",
        "map": "所选方案各汇水分区的 LID 面积（占分区面积比例）",
        "evaluated": "共评估 {designs} 个方案、{generations} 代：SWMM 计算 {simulated} 次，从存储读取 {from_store} 次",
        "screening": "筛选降雨 {years:g} 年（{start} 至 {end}），控制率曲线与全序列相差不超过 {curve:.3f}；"
                     "复算方案的筛选控制率与全序列相差不超过 {error:.3f}。",
        "indicator": "指标", "value": "数值", "target": "目标", "best": "可达最好值", "levels": "等级",
    },
}  # fmt: skip
INDICATOR_ROWS = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target", "peak_flow_reduction",
                  "capital_cost_yuan", "om_cost_yuan_per_yr", "whole_life_cost_yuan", "lid_area_m2")  # fmt: skip


def front_figure(section: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """Cost against capture ratio of every design (grey) and the front (coloured by TSS)."""
    text = TEXT[language]
    cost = section["objective_cost"]
    everything = section["evaluations"]
    front = section["front"]

    def hover(row: dict) -> str:
        return escape("-".join(map(str, row["levels"])))

    data = [
        {"type": "scatter", "mode": "markers", "name": "evaluated", "x": [r[cost] for r in everything],
         "y": [r["capture_ratio"] for r in everything], "marker": {"color": "rgb(200,200,200)", "size": 6},
         "text": [hover(r) for r in everything], "hoverinfo": "x+y+text"},
        {"type": "scatter", "mode": "lines+markers", "name": "front", "x": [r[cost] for r in front],
         "y": [r["capture_ratio"] for r in front], "text": [hover(r) for r in front], "hoverinfo": "x+y+text",
         "marker": {"size": 10, "color": [r["tss_reduction"] for r in front], "colorscale": "Viridis",
                    "showscale": True, "colorbar": {"title": {"text": text["tss"]}}}},
    ]  # fmt: skip
    chosen = section.get("chosen")
    if chosen:
        data.append({"type": "scatter", "mode": "markers", "name": "chosen", "x": [chosen[cost]],
                     "y": [chosen["capture_ratio"]], "marker": {"symbol": "star", "size": 16, "color": "crimson"}})
    target = section["targets"]["capture_ratio"]
    layout = {"title": {"text": text["front"]}, "xaxis": {"title": {"text": text["cost"]}},
              "yaxis": {"title": {"text": text["capture"]}, "tickformat": ".0%"},
              "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": target, "y1": target,
                          "line": {"dash": "dash", "color": "crimson"}}],
              "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "height": 420}  # fmt: skip
    return {"data": data, "layout": layout}


def map_figure(section: dict[str, Any], language: str = "en") -> dict[str, Any] | None:
    """Subcatchment outlines filled by the chosen design's LID area share; None without outlines."""
    subs = [s for s in section.get("map", []) if s.get("polygon")]
    if not subs:
        return None
    data = []
    for sub in subs:
        share = sum(sub["lid_area_m2"].values()) / sub["area_m2"] if sub["area_m2"] else 0.0
        xs = [p[0] for p in sub["polygon"]]
        ys = [p[1] for p in sub["polygon"]]
        green = int(255 - min(share / 0.5, 1.0) * 155)
        detail = ", ".join(f"{k} {v:,.0f} m²" for k, v in sub["lid_area_m2"].items()) or "—"
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself", "showlegend": False,
                     "fillcolor": f"rgb({green},{255 - (255 - green) // 3},{green})", "line": {"color": "white"},
                     "hoverinfo": "text", "text": escape(f"{sub['id']}: {share:.0%} LID ({detail})")})  # fmt: skip
    layout = {"title": {"text": TEXT[language]["map"]}, "xaxis": {"visible": False},
              "yaxis": {"visible": False, "scaleanchor": "x"}, "height": 460,
              "margin": {"l": 10, "r": 10, "t": 50, "b": 10}}  # fmt: skip
    return {"data": data, "layout": layout}


def _number(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name.endswith("_yuan") or name.endswith("_per_yr") or name.endswith("_m2"):
        return f"{value:,.0f}"
    return f"{value:.1%}"


def optimisation_view(results: dict[str, Any], language: str = "en") -> dict[str, Any] | None:
    """What the partial draws, or None when the results hold no optimisation."""
    section = results.get("optimisation")
    if not section:
        return None
    text = TEXT[language]
    chosen = section.get("chosen") or {}
    rows = [(name, _number(name, chosen.get(name)),
             _number(name, (section["targets"] | {"tss_reduction": section["targets"].get("tss_reduction")}).get(name)))
            for name in INDICATOR_ROWS if name in chosen]  # fmt: skip
    best = [(name, _number(name, v.get("best")), _number(name, v.get("target")))
            for name, v in (section.get("best_reachable") or {}).items()]  # fmt: skip
    counts = section.get("counts", {})
    summary = text["evaluated"].format(designs=len(section["evaluations"]), generations=section["generations"],
                                       simulated=counts.get("simulated", 0), from_store=counts.get("from_store", 0))
    screening = None
    if section.get("screening") and section["screening"].get("error"):
        window = section["screening"]["window"]
        screening = text["screening"].format(years=window["years"], start=window["start"][:10],
                                             end=window["end"][:10], curve=window["curve_error"],
                                             error=section["screening"]["error"]["capture_ratio"]["max_abs"])
    front_rows = [("-".join(map(str, r["levels"])), _number("c_yuan", r[section["objective_cost"]]),
                   _number("x", r["capture_ratio"]), _number("x", r["tss_reduction"])) for r in section["front"]]
    return {"text": text, "status": section["status"], "rows": rows, "best": best, "summary": summary,
            "screening": screening, "front_rows": front_rows, "front_figure": front_figure(section, language),
            "map_figure": map_figure(section, language), "levels": chosen.get("levels")}  # fmt: skip


def optimisation_page(section: dict[str, Any], language: str = "en") -> str:
    """A stand-alone HTML page of the section (plotly.js inlined: opens offline)."""
    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(loader=jinja2.PackageLoader("ecocity.report", "templates"), autoescape=True)
    body = env.get_template("optimisation.html").render(opt=optimisation_view({"optimisation": section}, language),
                                                        number="", static=False)  # fmt: skip
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
            + escape(TEXT[language]["title"]) + "</title><script>" + get_plotlyjs()
            + "</script><script>const FIGURES = [];</script></head><body><main>" + body
            + "</main><script>for (const [id, data, layout] of FIGURES) { Plotly.newPlot(id, data, layout); }"
            "</script></body></html>")  # fmt: skip
