"""Figure builders: the traces each figure holds, and that plotly accepts every figure."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from plotly.colors import get_colorscale, unlabel_rgb

from ecocity.report import figures, maps
from ecocity.report.labels import Labels

EN = Labels("en")


def _polygon_traces(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t.get("fill") == "toself"]


def test_map_has_one_polygon_per_subcatchment_at_its_coordinates(results):
    fig = maps.map_figure(results, "combined", EN)
    polygons = _polygon_traces(fig)
    subcatchments = results["map"]["subcatchments"]
    assert [t["name"] for t in polygons] == [s["id"] for s in subcatchments]
    for trace, sub in zip(polygons, subcatchments):
        assert trace["x"] == [p[0] for p in sub["polygon"]]
        assert trace["y"] == [p[1] for p in sub["polygon"]]
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x" and fig["layout"]["yaxis"]["scaleratio"] == 1
    assert fig["layout"]["annotations"] == []  # every subcatchment has an outline: no note


def test_map_colours_capture_ratio_on_a_fixed_zero_to_one_scale(results):
    results["scenarios"][0]["subcatchment_capture_ratio"].update({"S1": 0.0, "S2": 1.0, "S3": None})
    polygons = _polygon_traces(maps.map_figure(results, "baseline", EN))
    scale = get_colorscale(maps.CAPTURE_COLORSCALE)
    assert unlabel_rgb(polygons[0]["fillcolor"]) == unlabel_rgb(scale[0][1])
    assert unlabel_rgb(polygons[1]["fillcolor"]) == unlabel_rgb(scale[-1][1])
    assert polygons[2]["fillcolor"] == "rgb(220,220,220)"  # missing: grey, not a scale colour
    colour_bar = maps.map_figure(results, "baseline", EN)["data"][-1]["marker"]
    assert (colour_bar["cmin"], colour_bar["cmax"], colour_bar["showscale"]) == (0.0, 1.0, True)


def test_map_marks_measures_with_outline_marker_size_and_hover(results):
    fig = maps.map_figure(results, "green_roofs", EN)
    polygons = _polygon_traces(fig)
    measures = fig["data"][len(polygons)]
    ids = [s["id"] for s in results["map"]["subcatchments"]]
    s8, s1 = ids.index("S8"), ids.index("S1")  # S8: green roof + permeable car park; S1: nothing
    assert polygons[s8]["line"]["width"] > polygons[s1]["line"]["width"]
    assert measures["marker"]["size"][s8] > measures["marker"]["size"][s1]
    assert "Green roof: 3,667 m²" in measures["hovertext"][s8]
    assert "Permeable pavement: 3,000 m²" in measures["hovertext"][s8]
    assert "no measures" in measures["hovertext"][s1]


def test_map_of_many_subcatchments_leaves_labels_to_the_hover_and_shrinks_markers(results):
    twelve = maps.map_figure(results, "combined", EN)["data"][12]
    ring = results["map"]["subcatchments"][0]["polygon"]
    results["map"]["subcatchments"] = [
        {"id": f"B{k:03d}", "sub_area": "west", "polygon": [[x + 300.0 * (k % 10), y + 300.0 * (k // 10)]
                                                            for x, y in ring],
         "lids": {"combined": [{"lid": "bioretention", "area_m2": 400.0 + k}]}} for k in range(120)]
    many = maps.map_figure(results, "combined", EN)["data"][120]
    assert twelve["mode"] == "markers+text" and "S1<br>88 %" in twelve["text"]
    assert many["mode"] == "markers" and "text" not in many
    assert max(many["marker"]["size"]) < max(twelve["marker"]["size"])



@pytest.mark.parametrize("language, note", [("en", "2 of 12 subcatchments have no outline"),
                                            ("zh", "12 个汇水分区中有 2 个无边界")])
def test_subcatchments_without_polygon_are_left_off_the_map_with_a_note(results, language, note):
    for sub in results["map"]["subcatchments"][:2]:
        sub["polygon"] = []  # imported from a SWMM file without [POLYGONS]
    fig = maps.map_figure(results, "combined", Labels(language))
    assert [t["name"] for t in _polygon_traces(fig)] == [f"S{k}" for k in range(3, 13)]
    assert len(fig["data"][10]["x"]) == 10  # one marker per drawn subcatchment
    (annotation,) = fig["layout"]["annotations"]
    assert note in annotation["text"]
    go.Figure(fig)


def test_map_without_any_polygon_is_not_drawn(results):
    for sub in results["map"]["subcatchments"]:
        sub["polygon"] = []
    assert maps.map_figures(results, EN) == []

def test_one_map_per_scenario_in_order(results):
    assert [name for name, _ in maps.map_figures(results, EN)] == [s["name"] for s in results["scenarios"]]


def test_capture_curve_draws_the_input_curve_target_and_design_depth(results):
    fig = figures.capture_curve_figure(results, EN)
    curve, target, design = fig["data"]
    assert curve["x"] == results["capture_curve"]["depth_mm"]
    assert curve["y"] == results["capture_curve"]["capture_ratio"]
    assert target["y"] == [0.85, 0.85]
    assert design["x"] == [33.6, 33.6]


def test_water_balance_stacks_the_four_terms_per_scenario_with_rainfall(results):
    fig = figures.water_balance_figure(results, EN)
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [t["name"] for t in bars] == ["Runoff", "Infiltration", "Evaporation", "Storage change"]
    assert bars[0]["y"] == [s["water_balance_mm"]["runoff"] for s in results["scenarios"]]
    assert fig["data"][-1]["y"] == [s["water_balance_mm"]["rainfall"] for s in results["scenarios"]]
    assert fig["layout"]["barmode"] == "relative"  # a negative storage change stacks below zero


def test_hyetograph_bars_are_the_design_storm_centred_on_each_step(results):
    storm = results["design_storm"]
    (bars,) = figures.hyetograph_figure(results, EN)["data"]
    assert bars["y"] == storm["depth_mm"]
    assert bars["x"][0] == pytest.approx(storm["time_min"][0] + storm["step_min"] / 2)


def test_hydrographs_compare_every_scenario_per_return_period(results):
    assert figures.return_periods_yr(results) == [3.0, 50.0]
    fig = figures.hydrograph_figure(results, 50.0, EN)
    assert len(fig["data"]) == len(results["scenarios"])
    assert fig["data"][0]["line"]["dash"] == "dash"  # the baseline
    assert fig["data"][2]["y"] == results["scenarios"][2]["design_storms"][1]["outfall_flow_m3_per_s"]


def test_cost_bars_by_lid_add_up_to_the_mid_capital_cost(results):
    fig = figures.cost_figure(results, EN)
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    for col, scenario in enumerate(results["scenarios"]):
        stacked = sum(t["y"][col] or 0.0 for t in bars)
        mid = (scenario["cost"] or {}).get("capital_yuan_mid", 0.0) / 1e6
        assert stacked == pytest.approx(mid, rel=1e-9)



def test_lid_without_guide_unit_cost_is_a_zero_bar_named_as_such(results):
    combined = results["scenarios"][3]
    trench = next(i for i in combined["cost"]["by_lid"] if i["lid"] == "infiltration_trench")
    assert trench["yuan_low"] is None and trench["yuan_high"] is None  # as results.json holds it
    fig = figures.cost_figure(results, EN)
    bars = {t["name"]: t for t in fig["data"] if t["type"] == "bar"}
    name = "Infiltration trench (no Guide unit cost)"
    assert bars[name]["y"] == [None, None, None, 0.0]
    assert name in bars[name]["hovertemplate"]
    assert "Bioretention" in bars  # LID types with a cost keep their plain name
    zh = [t["name"] for t in figures.cost_figure(results, Labels("zh"))["data"] if t["type"] == "bar"]
    assert "渗透沟 (指南无单价)" in zh

def test_plotly_accepts_every_figure(results):
    labels = Labels("zh")
    built = [fig for _, fig in maps.map_figures(results, labels)] + [
        figures.capture_curve_figure(results, labels), figures.water_balance_figure(results, labels),
        figures.hyetograph_figure(results, labels), figures.cost_figure(results, labels),
        *(figures.hydrograph_figure(results, p, labels) for p in figures.return_periods_yr(results))]
    for fig in built:
        go.Figure(fig)  # raises ValueError on any invalid property
