"""The map figure: subcatchment polygons coloured by capture ratio, measures marked.

Pure: a ``results`` dict (see :func:`ecocity.report.render_report`) in, a plotly figure dict
out. Coordinates stay in the district's projected CRS [m] with equal axis scales; there are no
background tiles, so the report opens offline.
"""

from __future__ import annotations

import math
from html import escape

from plotly.colors import get_colorscale, sample_colorscale

from ecocity.report import formatting
from ecocity.report.labels import Labels

# Red (little captured) → yellow → blue (most captured), the same 0–1 scale on every panel.
CAPTURE_COLORSCALE = "RdYlBu"
_NO_DATA_COLOUR = "rgb(220,220,220)"
_MEASURE_OUTLINE = "rgb(30,30,30)"
_PLAIN_OUTLINE = "rgb(255,255,255)"
_MARKER_MAX_PX = 34.0  # for a dozen subcatchments; smaller as they get more numerous
_MARKER_MIN_PX = 6.0
_HOVER_TARGET_PX = 10.0  # invisible marker that carries the hover of a subcatchment without LIDs
_MAX_LABELLED = 30  # above this many subcatchments, ids and ratios are left to the hover
_PLOT_WIDTH_PX = 480.0  # about the drawing width of one map panel
# Under a map some of whose subcatchments have no polygon (a SWMM input without [POLYGONS]).
_NO_OUTLINE_NOTE = {
    "en": "{n} of {total} subcatchments have no outline and are not drawn.",
    "zh": "{total} 个汇水分区中有 {n} 个无边界，未绘出。",
}


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    """Area centroid of a closed or open polygon ring [m]; the vertex mean if degenerate."""
    points = ring if ring[0] == ring[-1] else [*ring, ring[0]]
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area2) < 1e-12:
        xs, ys = zip(*ring)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3.0 * area2), cy / (3.0 * area2)


def capture_colour(capture_ratio: float | None) -> str:
    """Fill colour of a capture ratio [-] on the fixed 0–1 scale; grey when missing."""
    if capture_ratio is None or math.isnan(capture_ratio):
        return _NO_DATA_COLOUR
    clipped = min(max(float(capture_ratio), 0.0), 1.0)
    return sample_colorscale(get_colorscale(CAPTURE_COLORSCALE), [clipped])[0]


def _largest_lid_area_m2(results: dict) -> float:
    """The largest LID area of any subcatchment in any scenario, so marker sizes compare."""
    totals = [sum(item["area_m2"] for item in lids)
              for sub in results["map"]["subcatchments"] for lids in sub.get("lids", {}).values()]
    return max(totals, default=0.0)


def _marker_px(lid_area_m2: float, largest_m2: float, n_subcatchments: int) -> float:
    """Marker diameter [px] whose area is proportional to the LID area.

    The largest marker shrinks with the number of subcatchments (∝ 1/√n) so markers stay
    inside their polygons.
    """
    if largest_m2 <= 0.0 or lid_area_m2 <= 0.0:
        return _HOVER_TARGET_PX
    largest_px = max(_MARKER_MIN_PX + 4.0, _MARKER_MAX_PX * min(1.0, math.sqrt(12.0 / n_subcatchments)))
    return _MARKER_MIN_PX + (largest_px - _MARKER_MIN_PX) * math.sqrt(lid_area_m2 / largest_m2)


def _height_px(subcatchments: list[dict]) -> int:
    """Figure height [px] that keeps a panel's aspect near the district's shape."""
    xs = [p[0] for sub in subcatchments for p in sub["polygon"]]
    ys = [p[1] for sub in subcatchments for p in sub["polygon"]]
    width_m, height_m = max(xs) - min(xs), max(ys) - min(ys)
    aspect = height_m / width_m if width_m > 0 else 1.0
    return int(min(max(_PLOT_WIDTH_PX * aspect + 100.0, 380.0), 760.0))


def map_figure(results: dict, scenario: str, labels: Labels) -> dict:
    """Subcatchments of ``scenario`` coloured by capture ratio, with its measures.

    One filled polygon trace per subcatchment (thick dark outline where the scenario places
    LIDs), one marker trace at the centroids (marker area ∝ LID area; hover lists the LIDs and
    their areas; ids and ratios written beside them up to 30 subcatchments) and one invisible
    trace carrying the 0–100 % colour bar. Subcatchments without a polygon (imported from a
    SWMM file without [POLYGONS]) are left off; a note under the map says how many.
    """
    scenario_result = next(s for s in results["scenarios"] if s["name"] == scenario)
    capture = scenario_result.get("subcatchment_capture_ratio") or {}
    target = ((results.get("district") or {}).get("targets") or {}).get("capture_ratio")
    largest_m2 = _largest_lid_area_m2(results)
    every = results["map"]["subcatchments"]
    subcatchments = _outlined(every)
    labelled = len(subcatchments) <= _MAX_LABELLED
    polygons, xs, ys, sizes, opacities, texts, hovers = [], [], [], [], [], [], []
    for sub in subcatchments:
        ratio = capture.get(sub["id"])
        lids = sub.get("lids", {}).get(scenario, [])
        ring = sub["polygon"]
        polygons.append({
            "type": "scatter", "mode": "lines", "name": escape(sub["id"], quote=False),
            "x": [p[0] for p in ring], "y": [p[1] for p in ring],
            "fill": "toself", "fillcolor": capture_colour(ratio),
            "line": {"color": _MEASURE_OUTLINE if lids else _PLAIN_OUTLINE,
                     "width": 3.0 if lids else 1.0},
            "hoveron": "fills", "showlegend": False,
        })
        x, y = _centroid(ring)
        lid_area_m2 = sum(item["area_m2"] for item in lids)
        xs.append(x)
        ys.append(y)
        sizes.append(_marker_px(lid_area_m2, largest_m2, len(subcatchments)))
        opacities.append(1.0 if lid_area_m2 > 0.0 else 0.0)
        texts.append(f"{escape(sub['id'], quote=False)}<br>{formatting.percent(ratio, 0)}")
        hovers.append(_hover_text(sub, ratio, target, lids, labels))
    measures = {
        "type": "scatter", "mode": "markers", "name": labels.text("map_lid_area"), "x": xs, "y": ys,
        "hovertext": hovers, "hoverinfo": "text",
        "marker": {"size": sizes, "opacity": opacities, "symbol": "circle",
                   "color": "rgba(255,255,255,0.55)", "line": {"color": _MEASURE_OUTLINE, "width": 1.5}},
        "showlegend": False,
    }
    if labelled:
        measures.update(mode="markers+text", text=texts, textposition="top center",
                        textfont={"size": 11, "color": "rgb(20,20,20)"})
    colour_bar = {
        "type": "scatter", "mode": "markers", "x": [xs[0]] if xs else [], "y": [ys[0]] if ys else [],
        "hoverinfo": "skip", "showlegend": False,
        "marker": {"size": 0.1, "opacity": 0, "color": [0.0], "cmin": 0.0, "cmax": 1.0,
                   "colorscale": get_colorscale(CAPTURE_COLORSCALE), "showscale": True,
                   "colorbar": {"title": {"text": labels.text("map_capture")}, "tickformat": ".0%",
                                "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0], "len": 0.9}},
    }
    crs = escape(results["map"].get("crs", ""), quote=False)
    unoutlined = len(every) - len(subcatchments)
    notes = [] if not unoutlined else [{
        "text": _NO_OUTLINE_NOTE[labels.language].format(n=unoutlined, total=len(every)),
        "xref": "paper", "yref": "paper", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "top",
        "yshift": -52, "showarrow": False, "font": {"size": 11}}]
    return {
        "data": [*polygons, measures, colour_bar],
        "layout": {
            "annotations": notes,
            "title": {"text": escape(scenario, quote=False), "x": 0.0, "xanchor": "left", "xref": "paper"},
            "xaxis": {"title": {"text": f"{labels.text('easting')} ({crs})"}, "showgrid": False,
                      "zeroline": False, "tickformat": "d", "constrain": "domain"},
            "yaxis": {"title": {"text": labels.text("northing")}, "scaleanchor": "x", "scaleratio": 1,
                      "showgrid": False, "zeroline": False, "tickformat": "d", "constrain": "domain"},
            "height": _height_px(subcatchments),
            "margin": {"l": 70, "r": 20, "t": 50, "b": 80 if unoutlined else 50},
            "hovermode": "closest", "plot_bgcolor": "white",
        },
    }


def _hover_text(sub: dict, ratio: float | None, target: float | None, lids: list[dict],
                labels: Labels) -> str:
    mark = ""
    if ratio is not None and target is not None:
        mark = " ✔" if ratio >= target else " ✘"
    lines = [f"<b>{escape(sub['id'], quote=False)}</b> ({labels.text('sub_area')}: "
             f"{escape(str(sub.get('sub_area', '')), quote=False)})",
             f"{labels.text('map_capture')}: {formatting.percent(ratio)}{mark}"]
    if lids:
        lines += [f"{escape(labels.lid(item['lid']), quote=False)}: {formatting.number(item['area_m2'])} m²"
                  for item in lids]
    else:
        lines.append(labels.text("map_no_lid"))
    return "<br>".join(lines)


def _outlined(subcatchments: list[dict]) -> list[dict]:
    """The subcatchments that have a polygon to draw."""
    return [sub for sub in subcatchments if sub.get("polygon")]


def map_figures(results: dict, labels: Labels) -> list[tuple[str, dict]]:
    """One map per scenario, in the results' order, as ``(scenario name, figure)`` pairs.

    Empty when no subcatchment has a polygon (nothing to draw).
    """
    if not _outlined((results.get("map") or {}).get("subcatchments") or []):
        return []
    return [(s["name"], map_figure(results, s["name"], labels)) for s in results["scenarios"]]
