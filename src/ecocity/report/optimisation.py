"""The report's optimisation section: the Pareto front, the chosen design's map and, after
``--climate``, the front's designs today and under the future climate.

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
        "surrogate": "Surrogate-assisted: {predicted} designs steered the search on predicted values (an RBF "
                     "interpolation of the designs simulated); only simulated designs make the front and the answer. "
                     "On {checked} designs predicted before their SWMM run the capture ratio was off by {mean:.3f} on "
                     "average, at most {worst:.3f}.",
        "indicator": "Indicator", "value": "Value", "target": "Target", "best": "Best reachable",
        "levels": "Levels",
        "future_title": "The designs under a future climate: {name}",
        "future_help": "The front's designs, the chosen one, the baseline and the largest design simulated again: "
                       "the long rainfall series with a delta change on event depths, the design storm scaled by "
                       "the climate factor of its return period; costs do not change. Meets: capture ratio, "
                       "TSS reduction and budget targets, as in the search. Peak-flow reduction in the future is "
                       "against the future baseline's peak; \"vs today\" against today's baseline peak.",
        "future_storm": "Climate factor on the design storm", "future_storm_value": "{factor:.3g} at T = {period:g} yr",
        "future_no_storm": "no design-storm run",
        "future_delta": "Delta change on event depths", "future_rainfall": "Mean annual rainfall",
        "future_source": "Source", "future_confidence": "Confidence", "future_horizon": "Planning horizon",
        "future_horizon_value": "{years:g} years",
        "future_feasible": "Least-cost design still meeting every target in the future climate: {levels} ({cost} yuan)",
        "future_infeasible": "No checked design meets every target in the future climate; best reachable capture "
                             "ratio {best} (target {target}, design {levels}).",
        "future_figure": "Capture ratio against cost: today (○) and in the future climate (●)",
        "design": "Design", "role": "Role", "today": "today", "future": "future",
        "peak": "Peak-flow reduction", "peak_vs_today": "future vs today's baseline",
        "meets_today": "Meets today", "meets_future": "Meets in future",
        "roles": {"baseline": "baseline", "front": "front", "chosen": "chosen", "largest": "largest"},
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
        "surrogate": "代理模型辅助：{predicted} 个方案以预测值（基于已模拟方案的径向基函数插值）引导搜索；前沿与最终方案只取"
                     "经 SWMM 模拟的方案。对 {checked} 个先预测后模拟的方案，控制率预测误差平均 {mean:.3f}，最大 {worst:.3f}。",
        "indicator": "指标", "value": "数值", "target": "目标", "best": "可达最好值", "levels": "等级",
        "future_title": "未来气候下的方案：{name}",
        "future_help": "对前沿方案、所选方案、基准方案和最大方案重新模拟：长序列降雨按场次雨量作增量变化，设计暴雨按其重现期的"
                       "气候因子放大；造价不变。达标：年径流总量控制率、TSS 削减率和预算目标，与优化相同。未来的峰值流量削减率"
                       "相对于未来基准方案的峰值；“相对现状”相对于现状基准方案的峰值。",
        "future_storm": "设计暴雨气候因子", "future_storm_value": "重现期 {period:g} 年时为 {factor:.3g}",
        "future_no_storm": "未计算设计暴雨",
        "future_delta": "场次雨量增量变化", "future_rainfall": "多年平均年降雨量",
        "future_source": "来源", "future_confidence": "置信度", "future_horizon": "规划期",
        "future_horizon_value": "{years:g} 年",
        "future_feasible": "未来气候下仍满足全部目标的最低造价方案：{levels}（{cost} 元）",
        "future_infeasible": "所检验的方案在未来气候下均不能满足全部目标；可达到的最高年径流总量控制率为 {best}"
                             "（目标 {target}，方案 {levels}）。",
        "future_figure": "年径流总量控制率与造价：现状（○）与未来气候（●）",
        "design": "方案", "role": "类别", "today": "现状", "future": "未来",
        "peak": "峰值流量削减率", "peak_vs_today": "未来相对现状基准",
        "meets_today": "现状达标", "meets_future": "未来达标",
        "roles": {"baseline": "基准", "front": "前沿", "chosen": "所选", "largest": "最大"},
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


def future_figure(future: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """Capture ratio against cost of the checked designs today (open) and in the future (filled),
    an arrow from each design's today to its future value, the capture target dashed."""
    text = TEXT[language]
    cost = future["objective_cost"]
    rows = future["designs"]
    x = [r[cost] for r in rows]
    labels = [escape("-".join(map(str, r["levels"]))) for r in rows]
    data = [
        {"type": "scatter", "mode": "markers", "name": text["today"], "x": x, "y": [r["capture_ratio_today"] for r in rows],
         "text": labels, "hoverinfo": "x+y+text",
         "marker": {"size": 10, "symbol": "circle-open", "color": "rgb(31,119,180)"}},
        {"type": "scatter", "mode": "markers", "name": text["future"], "x": x,
         "y": [r["capture_ratio_future"] for r in rows], "text": labels, "hoverinfo": "x+y+text",
         "marker": {"size": 10, "color": ["seagreen" if r["meets_future"] else "crimson" for r in rows]}},
    ]  # fmt: skip
    arrows = [{"x": r[cost], "y": r["capture_ratio_future"], "ax": r[cost], "ay": r["capture_ratio_today"],
               "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 2,
               "arrowsize": 1, "arrowwidth": 1.2, "arrowcolor": "grey", "text": ""}
              for r in rows if r["capture_ratio_today"] is not None and r["capture_ratio_future"] is not None]  # fmt: skip
    target = future["targets"]["capture_ratio"]
    layout = {"title": {"text": text["future_figure"]}, "xaxis": {"title": {"text": text["cost"]}},
              "yaxis": {"title": {"text": text["capture"]}, "tickformat": ".0%"}, "annotations": arrows,
              "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": target, "y1": target,
                          "line": {"dash": "dash", "color": "crimson"}}],
              "margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "height": 420}  # fmt: skip
    return {"data": data, "layout": layout}


def future_view(future: dict[str, Any] | None, language: str = "en") -> dict[str, Any] | None:
    """The future-climate part of the section (None without a check)."""
    if not future:
        return None
    text = TEXT[language]
    climate, cost = future["climate"], future["objective_cost"]
    marks = {True: "✔", False: "✘", None: "—"}
    storm = (text["future_no_storm"] if climate.get("storm_factor") is None else
             text["future_storm_value"].format(factor=climate["storm_factor"], period=climate["return_period_yr"]))
    delta = climate["delta_change"]
    classes = ", ".join(f"q ≤ {q:g}: × {k:g}" for q, k in zip(delta["quantiles"], delta["factors"], strict=True))
    rainfall = climate["rainfall"]
    facts = [(text["future_storm"], storm), (text["future_delta"], f"{classes} ({delta['confidence']}) — {delta['source']}"),
             (text["future_rainfall"], f"{rainfall['annual_mean_mm_today']:,.0f} → {rainfall['annual_mean_mm_future']:,.0f} mm/yr")]
    if climate.get("horizon_yr"):
        facts.append((text["future_horizon"], text["future_horizon_value"].format(years=climate["horizon_yr"])))
    facts += [(text["future_source"], " ".join(filter(None, (climate["source"], climate.get("clause"))))),
              (text["future_confidence"], climate["confidence"])]  # fmt: skip
    chosen = future.get("chosen")
    if chosen is not None:
        verdict = text["future_feasible"].format(levels="-".join(map(str, chosen["levels"])),
                                                 cost=_number(cost, chosen[cost]))  # fmt: skip
    else:
        best = future["best_reachable"]["capture_ratio"]
        verdict = text["future_infeasible"].format(best=_number("x", best["best"]), target=_number("x", best["target"]),
                                                   levels="-".join(map(str, best["levels"])))  # fmt: skip
    rows = [{"levels": "-".join(map(str, r["levels"])), "roles": ", ".join(text["roles"].get(k, k) for k in r["roles"]),
             "cost": _number(cost, r[cost]),
             "values": [_number("x", r[f"{name}_{when}"]) for name in ("capture_ratio", "tss_reduction", "peak_flow_reduction")
                        for when in ("today", "future")] + [_number("x", r["peak_flow_reduction_future_vs_today"])],
             "meets_today": marks[r["meets_today"]], "meets_future": marks[r["meets_future"]]}
            for r in future["designs"]]  # fmt: skip
    return {"title": text["future_title"].format(name=climate["name"]), "help": text["future_help"], "facts": facts,
            "status": future["status"], "verdict": verdict, "rows": rows, "figure": future_figure(future, language)}


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
    surrogate = None
    checked = ((section.get("surrogate") or {}).get("error") or {}).get("capture_ratio")
    if checked:
        surrogate = text["surrogate"].format(predicted=counts.get("predicted", 0), checked=checked["designs"],
                                             mean=checked["mean_abs"], worst=checked["max_abs"])
    front_rows = [("-".join(map(str, r["levels"])), _number("c_yuan", r[section["objective_cost"]]),
                   _number("x", r["capture_ratio"]), _number("x", r["tss_reduction"])) for r in section["front"]]
    return {"text": text, "status": section["status"], "rows": rows, "best": best, "summary": summary,
            "screening": screening, "surrogate": surrogate, "front_rows": front_rows, "front_figure": front_figure(section, language),
            "map_figure": map_figure(section, language), "levels": chosen.get("levels"),
            "future": future_view(section.get("future_climate"), language)}  # fmt: skip


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
