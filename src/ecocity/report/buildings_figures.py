"""The buildings section's figures: portfolio map, EUI against the standard, measured savings.

Each builder takes (part of) the portfolio section dict that
:func:`ecocity.buildings.assess.portfolio_section` writes into results.json (``buildings`` rows
with ``benchmark``, ``flags``, ``savings``, ``potential``, ``quota``) and a ``language``
(``"en"`` or ``"zh"``), and returns a JSON-able plotly figure ``{"data": [...], "layout":
{...}}``. The label strings live here, in :data:`LABELS`. Colours are the Okabe–Ito set of
:mod:`ecocity.report.figures`; text from the data is HTML-escaped (plotly reads some HTML).

The map has no background tiles (like :mod:`ecocity.report.maps`), so the report opens
offline: buildings are placed by longitude/latitude projected to local east/north kilometres
about each city's mean position (equirectangular on the mean sphere), one panel per
city, equal axis scales.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ecocity.errors import InputError
from ecocity.report.figures import BASELINE_COLOUR, SCENARIO_COLOURS

#: Mean Earth radius (IUGG) used for the local equirectangular projection. [m]
EARTH_RADIUS_M = 6_371_008.8

#: Label strings by language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "map_title": "Building portfolio: benchmark verdict (marker area ∝ floor area)",
        "east": "East [km]", "north": "North [km]",
        "no_position": "{n} of {total} buildings have no position and are not drawn.",
        "eui_title": "Energy use intensity against the benchmark",
        "eui_axis": "EUI [kWh/(m²·a)]", "building": "Building",
        "guide": "Guide value", "constraint": "Constraint value",
        "corrected": "corrected EUI {eui} (use time and occupancy × {factor})",
        "user_table": "values from the user's table",
        "savings_title": "Measured savings: {name}",
        "daily_axis": "Use [kWh/d]", "cumulative_axis": "Avoided, cumulative [kWh]",
        "predicted": "Predicted (baseline model)", "actual": "Actual",
        "avoided": "Avoided energy", "band90": "90 % band",
        "intervention": "Intervention {date}",
        "avoided_note": "Avoided {kwh} kWh ({pct} of predicted); 90 %: {low} to {high} kWh",
        "eui": "EUI", "type": "Type", "verdict": "Verdict", "label": "Label", "flags": "Flags",
        "area": "Floor area",
        "meets guide": "meets guide", "meets constraint": "meets constraint",
        "exceeds constraint": "exceeds constraint", "not verified": "not verified",
        "label_good": "label A–B", "label_fair": "label C–D", "label_poor": "label E–G",
        "unknown": "no benchmark",
    },
    "zh": {
        "map_title": "建筑组合：能耗对标结论（标记面积 ∝ 建筑面积）",
        "east": "东向 [km]", "north": "北向 [km]",
        "no_position": "{total} 栋建筑中有 {n} 栋无坐标，未绘出。",
        "eui_title": "单位面积能耗与标准对比",
        "eui_axis": "单位面积能耗 [kWh/(m²·a)]", "building": "建筑",
        "guide": "引导值", "constraint": "约束值",
        "corrected": "修正后能耗 {eui}（使用时间与人员密度修正 × {factor}）",
        "user_table": "数值来自用户提供的表",
        "savings_title": "实测节能量：{name}",
        "daily_axis": "用能 [kWh/d]", "cumulative_axis": "累计节能量 [kWh]",
        "predicted": "预测值（基准模型）", "actual": "实测值",
        "avoided": "节能量", "band90": "90 % 区间",
        "intervention": "改造 {date}",
        "avoided_note": "节能 {kwh} kWh（占预测值 {pct}）；90 % 区间：{low} 至 {high} kWh",
        "eui": "单位面积能耗", "type": "类型", "verdict": "结论", "label": "能效标识", "flags": "异常",
        "area": "建筑面积",
        "meets guide": "优于引导值", "meets constraint": "满足约束值",
        "exceeds constraint": "超过约束值", "not verified": "未核实",
        "label_good": "标识 A–B", "label_fair": "标识 C–D", "label_poor": "标识 E–G",
        "unknown": "无对标",
    },
}

#: City names by language (others are shown title-cased).
CITY_NAMES: dict[str, dict[str, str]] = {"en": {"beijing": "Beijing", "copenhagen": "Copenhagen"},
                                         "zh": {"beijing": "北京", "copenhagen": "哥本哈根"}}

#: Verdict classes in legend order and their colours (green, orange, vermillion, grey).
VERDICT_CLASSES: tuple[str, ...] = ("meets guide", "meets constraint", "exceeds constraint",
                                    "label_good", "label_fair", "label_poor", "not verified", "unknown")
VERDICT_COLOURS: dict[str, str] = {
    "meets guide": "#009E73", "meets constraint": "#E69F00", "exceeds constraint": "#D55E00",
    "label_good": "#009E73", "label_fair": "#E69F00", "label_poor": "#D55E00",
    "not verified": "#999999", "unknown": "#BBBBBB",
}
_PREDICTED_COLOUR = BASELINE_COLOUR
_ACTUAL_COLOUR = SCENARIO_COLOURS[0]
_AVOIDED_COLOUR = "#009E73"
_MARKER_MIN_PX, _MARKER_MAX_PX = 6.0, 30.0
_AXIS = {"showline": True, "linecolor": "#444", "gridcolor": "#e5e5e5", "zeroline": False}


def _strings(language: str) -> dict[str, str]:
    if language not in LABELS:
        raise InputError(f"language must be one of {', '.join(LABELS)}, got {language!r}", field="language")
    return LABELS[language]


def _plain(text: Any) -> str:
    return escape(str(text), quote=False)


def _kwh(x: float) -> str:
    return f"{x:,.0f}"


def verdict_class(benchmark: Mapping[str, Any] | None) -> str:
    """The colour class of a building's benchmark.

    A GB/T 51161-2016 verdict (``"meets guide"``, ``"meets constraint"``, ``"exceeds
    constraint"``, ``"not verified"``) is its own class. Otherwise a Danish energy label is
    grouped: A2020/A2015/A2010/B → ``"label_good"``, C/D → ``"label_fair"``, E/F/G →
    ``"label_poor"``. Anything else is ``"unknown"``.
    """
    if not benchmark:
        return "unknown"
    verdict = benchmark.get("verdict")
    if verdict in VERDICT_COLOURS and not verdict.startswith("label_") and verdict != "unknown":
        return verdict
    label = (benchmark.get("label") or "").strip().upper()
    if label.startswith("A") or label == "B":
        return "label_good"
    if label in ("C", "D"):
        return "label_fair"
    if label in ("E", "F", "G"):
        return "label_poor"
    return "not verified" if verdict == "not verified" else "unknown"


def _verdict_text(benchmark: Mapping[str, Any] | None, s: Mapping[str, str]) -> str:
    cls = verdict_class(benchmark)
    label = (benchmark or {}).get("label")
    if cls.startswith("label_") and label:
        return f"{s['label']} {_plain(label)}"
    return s[cls]


def _hover(row: Mapping[str, Any], s: Mapping[str, str]) -> str:
    lines = [f"<b>{_plain(row.get('name') or row['building_id'])}</b> ({_plain(row['building_id'])})",
             f"{s['type']}: {_plain(row.get('type', ''))}; {s['area']}: {row['floor_area_m2']:,.0f} m²",
             f"{s['eui']}: {row['eui_kwh_per_m2']:.0f} kWh/(m²·a)",
             f"{s['verdict']}: {_verdict_text(row.get('benchmark'), s)}"]
    if row.get("flags"):
        lines.append(f"{s['flags']}: {len(row['flags'])}")
    return "<br>".join(lines)


def local_km(lon: Sequence[float], lat: Sequence[float]) -> tuple[list[float], list[float]]:
    """East and north offsets [km] of points from their mean position (equirectangular).

    x = R·cos φ₀·(λ − λ₀), y = R·(φ − φ₀) with the mean latitude φ₀ and longitude λ₀ and the
    mean Earth radius R: the spherical approximation is within 0.3 % of WGS84 distances at
    Beijing's and Copenhagen's latitudes over a district (tens of km).
    """
    if not lon:
        return [], []
    lon0, lat0 = sum(lon) / len(lon), sum(lat) / len(lat)
    k = EARTH_RADIUS_M / 1000.0 * math.pi / 180.0
    return ([k * math.cos(math.radians(lat0)) * (x - lon0) for x in lon],
            [k * (y - lat0) for y in lat])


def portfolio_map(section: Mapping[str, Any], language: str) -> dict:
    """The buildings on a plain map, one panel per city, coloured by benchmark verdict.

    Marker area is proportional to floor area (the largest 30 px across); the hover gives the
    name, type, floor area, EUI, verdict and the number of flags. Buildings without a position
    are left off; a note under the map says how many.
    """
    s = _strings(language)
    city_names = CITY_NAMES[language]
    rows = list(section.get("buildings") or [])
    placed = [r for r in rows if r.get("lon") is not None and r.get("lat") is not None]
    cities = list(dict.fromkeys(str(r.get("city") or "") for r in placed))
    largest = max((float(r["floor_area_m2"]) for r in placed), default=0.0)
    data: list[dict] = []
    layout: dict[str, Any] = {
        "title": {"text": s["map_title"], "x": 0.0, "xanchor": "left", "xref": "paper"},
        "height": 520, "plot_bgcolor": "white", "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.22}, "margin": {"l": 60, "r": 20, "t": 70, "b": 110},
        "annotations": [],
    }
    n = max(len(cities), 1)
    gap = 0.08
    width = (1.0 - gap * (n - 1)) / n
    shown: set[str] = set()
    for i, city in enumerate(cities):
        suffix = "" if i == 0 else str(i + 1)
        mine = [r for r in placed if str(r.get("city") or "") == city]
        xs, ys = local_km([float(r["lon"]) for r in mine], [float(r["lat"]) for r in mine])
        for cls in VERDICT_CLASSES:
            idx = [j for j, r in enumerate(mine) if verdict_class(r.get("benchmark")) == cls]
            if not idx:
                continue
            sizes = [_MARKER_MIN_PX + (_MARKER_MAX_PX - _MARKER_MIN_PX)
                     * math.sqrt(float(mine[j]["floor_area_m2"]) / largest) if largest > 0 else _MARKER_MIN_PX
                     for j in idx]
            data.append({
                "type": "scatter", "mode": "markers", "name": s[cls], "legendgroup": cls,
                "showlegend": cls not in shown, "x": [xs[j] for j in idx], "y": [ys[j] for j in idx],
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                "hovertext": [_hover(mine[j], s) for j in idx], "hoverinfo": "text",
                "marker": {"size": sizes, "color": VERDICT_COLOURS[cls], "opacity": 0.85,
                           "line": {"color": "rgb(40,40,40)", "width": 0.8}},
            })
            shown.add(cls)
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = {**_AXIS, "title": {"text": s["east"]}, "domain": [left, left + width],
                                    "anchor": f"y{suffix}", "constrain": "domain"}
        layout[f"yaxis{suffix}"] = {**_AXIS, "title": {"text": s["north"]}, "anchor": f"x{suffix}",
                                    "scaleanchor": f"x{suffix}", "scaleratio": 1, "constrain": "domain"}
        layout["annotations"].append({
            "text": f"<b>{_plain(city_names.get(city.lower(), city.title()))}</b> ({len(mine)})",
            "xref": "paper", "yref": "paper",
            "x": left + width / 2, "xanchor": "center", "y": 1.0, "yanchor": "bottom", "showarrow": False})
    if not cities:
        layout["xaxis"] = {**_AXIS, "title": {"text": s["east"]}}
        layout["yaxis"] = {**_AXIS, "title": {"text": s["north"]}}
    if len(placed) < len(rows):
        layout["annotations"].append({
            "text": s["no_position"].format(n=len(rows) - len(placed), total=len(rows)),
            "xref": "paper", "yref": "paper", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "top",
            "yshift": -95, "showarrow": False, "font": {"size": 11}})
    return {"data": data, "layout": layout}


def eui_chart(section: Mapping[str, Any], language: str) -> dict:
    """EUI per building as bars coloured by verdict, with its guide and constraint values.

    Buildings are ordered by city, type and EUI, so the benchmark marks of one type form a
    step. Guide (green) and constraint (vermillion) values are drawn as short horizontal ticks
    over each bar that has them; a Danish label is written on its bar.
    """
    s = _strings(language)
    rows = sorted(section.get("buildings") or [],
                  key=lambda r: (str(r.get("city") or ""), str(r.get("type") or ""), float(r["eui_kwh_per_m2"])))
    ids = [_plain(r["building_id"]) for r in rows]
    data: list[dict] = []
    for cls in VERDICT_CLASSES:
        idx = [j for j, r in enumerate(rows) if verdict_class(r.get("benchmark")) == cls]
        if not idx:
            continue
        data.append({
            "type": "bar", "name": s[cls], "x": [ids[j] for j in idx],
            "y": [float(rows[j]["eui_kwh_per_m2"]) for j in idx],
            "marker": {"color": VERDICT_COLOURS[cls]},
            "text": [_plain((rows[j].get("benchmark") or {}).get("label") or "") for j in idx],
            "textposition": "outside", "cliponaxis": False,
            "hovertext": [_hover(rows[j], s) for j in idx], "hoverinfo": "text",
        })
    for key, name, colour in (("guide_kwh_per_m2", "guide", "#006B4F"),
                              ("constraint_kwh_per_m2", "constraint", "#8E2C00")):
        idx = [j for j, r in enumerate(rows) if (r.get("benchmark") or {}).get(key) is not None]
        if idx:
            data.append({
                "type": "scatter", "mode": "markers", "name": s[name], "x": [ids[j] for j in idx],
                "y": [float(rows[j]["benchmark"][key]) for j in idx],
                "marker": {"symbol": "line-ew", "size": 14, "line": {"color": colour, "width": 3}},
                "hovertemplate": f"{s[name]}: %{{y:.0f}} kWh/(m²·a)<extra>%{{x}}</extra>",
            })
    layout = {
        "title": {"text": s["eui_title"], "x": 0.0, "xanchor": "left", "xref": "paper"},
        "height": 480, "plot_bgcolor": "white", "barmode": "overlay", "bargap": 0.25,
        "legend": {"orientation": "h", "y": -0.35}, "margin": {"l": 70, "r": 20, "t": 50, "b": 130},
        "xaxis": {**_AXIS, "title": {"text": s["building"]}, "type": "category",
                  "categoryorder": "array", "categoryarray": ids, "tickangle": -60, "tickfont": {"size": 9}},
        "yaxis": {**_AXIS, "title": {"text": s["eui_axis"]}, "rangemode": "tozero"},
    }
    return {"data": data, "layout": layout}


def cumulative_band(daily: Sequence[Mapping[str, Any]], band90_kwh: Sequence[float]
                    ) -> tuple[list[float], list[float], list[float]]:
    """Cumulative avoided energy [kWh] with a 90 % band growing to the reported one.

    The band of the total (``band90_kwh``, from the fractional savings uncertainty) is drawn
    back over the period as ASHRAE Guideline 14-2014 Annex B's uncertainty of savings over
    ``m`` days scales: ΔE(m) ∝ E_pred(m)·m^(−1/2) (the reporting-length factor of the FSU,
    eemeter's month quadratic held fixed). The last day's band is the reported one exactly;
    the earlier ones are an illustration, not separate estimates.

    Returns
    -------
    cumulative, low, high
        One value per day. [kWh]
    """
    days = len(daily)
    if days == 0:
        return [], [], []
    cum, pred = [], []
    c = p = 0.0
    for d in daily:
        c += float(d["predicted_kwh"]) - float(d["actual_kwh"])
        p += float(d["predicted_kwh"])
        cum.append(c)
        pred.append(p)
    low_half, high_half = cum[-1] - float(band90_kwh[0]), float(band90_kwh[1]) - cum[-1]
    low, high = [], []
    for k in range(days):
        scale = (pred[k] / pred[-1]) * math.sqrt(days / (k + 1)) if pred[-1] > 0 else 1.0
        low.append(cum[k] - low_half * scale)
        high.append(cum[k] + high_half * scale)
    return cum, low, high


def savings_chart(building_row: Mapping[str, Any], language: str) -> dict:
    """Predicted against actual daily use after the intervention, and the avoided energy.

    Top: the baseline model's prediction and the metered use [kWh/d]. Bottom: cumulative
    avoided energy [kWh] with its 90 % band (:func:`cumulative_band`), the total annotated with
    its fraction of the predicted use and the reported 90 % band.

    Raises
    ------
    InputError
        If the building has no savings (``savings`` is null) or no daily values.
    """
    s = _strings(language)
    savings = building_row.get("savings")
    if not savings or not savings.get("daily"):
        raise InputError("the building has no measured savings to draw", record=str(building_row.get("building_id")),
                         field="savings")
    daily = savings["daily"]
    dates = [str(d["date"]) for d in daily]
    cum, low, high = cumulative_band(daily, savings["band90_kwh"])
    name = _plain(building_row.get("name") or building_row["building_id"])
    band_low, band_high = savings["band90_kwh"]
    note = s["avoided_note"].format(kwh=_kwh(savings["avoided_kwh"]), pct=f"{100 * savings['fraction']:.1f} %",
                                    low=_kwh(band_low), high=_kwh(band_high))
    data = [
        {"type": "scatter", "mode": "lines", "name": s["predicted"], "x": dates,
         "y": [float(d["predicted_kwh"]) for d in daily], "line": {"color": _PREDICTED_COLOUR, "width": 1.5}},
        {"type": "scatter", "mode": "lines", "name": s["actual"], "x": dates,
         "y": [float(d["actual_kwh"]) for d in daily], "line": {"color": _ACTUAL_COLOUR, "width": 1.2}},
        {"type": "scatter", "mode": "lines", "name": s["band90"], "x": dates + dates[::-1],
         "y": high + low[::-1], "fill": "toself", "fillcolor": "rgba(0,158,115,0.2)",
         "line": {"width": 0}, "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"},
        {"type": "scatter", "mode": "lines", "name": s["avoided"], "x": dates, "y": cum,
         "line": {"color": _AVOIDED_COLOUR, "width": 2}, "xaxis": "x2", "yaxis": "y2",
         "hovertemplate": "%{x}: %{y:,.0f} kWh<extra></extra>"},
    ]
    layout = {
        "title": {"text": s["savings_title"].format(name=name), "x": 0.0, "xanchor": "left", "xref": "paper"},
        "height": 560, "plot_bgcolor": "white", "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.12}, "margin": {"l": 80, "r": 20, "t": 60, "b": 70},
        "xaxis": {**_AXIS, "anchor": "y", "matches": "x2", "showticklabels": False},
        "yaxis": {**_AXIS, "title": {"text": s["daily_axis"]}, "domain": [0.45, 1.0], "rangemode": "tozero"},
        "xaxis2": {**_AXIS, "anchor": "y2"},
        "yaxis2": {**_AXIS, "title": {"text": s["cumulative_axis"]}, "domain": [0.0, 0.38], "zeroline": True},
        "annotations": [{"text": note, "xref": "paper", "yref": "paper", "x": 1.0, "xanchor": "right",
                         "y": 0.38, "yanchor": "bottom", "showarrow": False, "font": {"size": 12},
                         "bgcolor": "rgba(255,255,255,0.8)"}],
    }
    if savings.get("intervention"):
        layout["annotations"].append({"text": s["intervention"].format(date=_plain(savings["intervention"])),
                                      "xref": "paper", "yref": "paper", "x": 0.0, "xanchor": "left",
                                      "y": 1.0, "yanchor": "bottom", "showarrow": False, "font": {"size": 11}})
    return {"data": data, "layout": layout}


#: Quota status words of :mod:`ecocity.buildings.assess` in Chinese (English shown as is).
_QUOTA_STATUS = {
    "en": {},
    "zh": {"within quota": "定额内", "over quota": "超定额",
           "over quota by more than 20 %": "超定额 20 % 以上", "at risk": "有超额风险"},
}


def table_rows(section: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """The section table's rows as display strings, in rank order.

    Each row: ``rank``, ``building_id``, ``name``, ``type``, ``eui`` [kWh/(m²·a)], ``verdict``
    (translated) and ``verdict_class`` (:func:`verdict_class`), ``benchmark`` (standard, guide /
    constraint), ``flags`` (plain-language messages in ``language``, with severity),
    ``kwh``, ``money``, ``t_co2`` (savings potential per year), ``quota`` (status text and the
    used / pro-rated share) and ``has_savings``.
    """
    s = _strings(language)
    out = []
    for r in sorted(section.get("buildings") or [], key=lambda r: r.get("rank", 0)):
        b = r.get("benchmark") or {}
        marks = [f"{s['guide']} {b['guide_kwh_per_m2']:.0f}" if b.get("guide_kwh_per_m2") is not None else "",
                 f"{s['constraint']} {b['constraint_kwh_per_m2']:.0f}"
                 if b.get("constraint_kwh_per_m2") is not None else ""]
        factor = b.get("correction_factor")
        if factor is not None and b.get("corrected_eui_kwh_per_m2") is not None and abs(float(factor) - 1.0) > 5e-3:
            marks.append(s["corrected"].format(eui=f"{float(b['corrected_eui_kwh_per_m2']):.0f}",
                                               factor=f"{float(factor):.2f}"))
        if b.get("confidence") == "user":
            marks.append(s["user_table"])
        p = r.get("potential") or {}
        q = r.get("quota")
        quota = "—"
        if q:
            status = str(q.get("status", ""))
            text = _QUOTA_STATUS[language].get(status, status)
            share = q["used_kwh"] / q["pro_rated_kwh"] if q.get("pro_rated_kwh") else None
            quota = text if share is None else f"{text} ({100 * share:.0f} %)"
        out.append({
            "rank": r.get("rank"), "building_id": r["building_id"], "name": r.get("name") or r["building_id"],
            "city": r.get("city") or "", "type": r.get("type") or "",
            "eui": f"{float(r['eui_kwh_per_m2']):.0f}",
            "percentile": "—" if r.get("percentile") is None else f"{float(r['percentile']):.0f}",
            "verdict": _verdict_text(b, s), "verdict_class": verdict_class(b),
            "benchmark": "; ".join(x for x in [b.get("standard") or "", *marks] if x),
            "flags": [{"severity": f.get("severity", ""),
                       "message": f.get(f"message_{language}") or f.get("message_en") or f.get("kind", "")}
                      for f in r.get("flags") or []],
            "kwh": "—" if p.get("kwh") is None else _kwh(p["kwh"]),
            "money": "—" if p.get("money") is None else f"{p['money']:,.0f} {p.get('currency', '')}".strip(),
            "t_co2": "—" if p.get("t_co2") is None else f"{p['t_co2']:,.1f}",
            "quota": quota, "has_savings": bool(r.get("savings")),
        })
    return out
