"""The PDF's matplotlib figures: PNG data URIs, colours, the CJK font, and the generic drawing
of a plotly figure for a section without a drawing of its own."""

from __future__ import annotations

import base64
import io

import jinja2
import pytest
from PIL import Image

from ecocity.report import figures, maps, static_figures
from ecocity.report.labels import Labels


def _png_size(uri: str) -> tuple[int, int]:
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size


def test_plotly_colours_become_matplotlib_colours():
    assert static_figures.colour("rgb(60,60,60)") == "#3c3c3c"
    assert static_figures.colour("#0072B2") == "#0072B2"
    assert static_figures.colour("rgba(255,255,255,0.5)") == "#ffffff80"


@pytest.mark.parametrize("build", [
    lambda r, L: figures.capture_curve_figure(r, L),        # lines
    lambda r, L: figures.water_balance_figure(r, L),        # relative (stacked) bars + markers
    lambda r, L: maps.map_figure(r, "combined", L),         # filled polygons, equal axes
    lambda r, L: figures.hydrograph_figure(r, 3.0, L),
])
def test_a_plotly_figure_without_its_own_drawing_is_drawn_for_the_pdf(results, build):
    labels = Labels("zh")
    with static_figures.figure_style("zh"):
        uri = static_figures.plotly_png(build(results, labels))
    width, height = _png_size(uri)
    assert width == pytest.approx(static_figures.FULL_WIDTH_IN * static_figures.DPI, abs=2)
    assert height > 200


def test_the_plot_macro_draws_a_plotly_dict_as_an_image_in_the_static_document(results):
    env = jinja2.Environment(loader=jinja2.PackageLoader("ecocity.report", "templates"), autoescape=True)
    template = env.from_string('{% from "_macros.html" import plot with context %}{{ plot("x", fig) }}')
    drawn = []
    html = template.render(static=True, fig={"data": [], "layout": {}}, static_png=lambda f: drawn.append(f) or "data:image/png;base64,AA")
    assert '<img src="data:image/png;base64,AA"' in html and drawn == [{"data": [], "layout": {}}]
    html = template.render(static=False, fig={"data": [1], "layout": {}}, static_png=None)
    assert "FIGURES.push" in html and "<img" not in html


def test_indicator_bars_compare_the_share_indicators_of_every_scenario_with_their_targets(results):
    fig = figures.indicator_bars_figure(results, Labels("en"))
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == [s["name"] for s in results["scenarios"]]
    assert bars[0]["x"] == ["Annual runoff capture ratio", "TSS load reduction", "Share of area meeting the capture target"]
    assert fig["data"][-1]["y"] == [0.85, 0.5, None]  # the fixture's targets; no target for the share of area
    capture = next(i["value"] for i in results["scenarios"][3]["indicators"]
                   if i["name"] == "capture_ratio" and i["scope"] == "district")
    assert bars[3]["y"][0] == capture
    with static_figures.figure_style("en"):
        assert _png_size(static_figures.indicator_bars(results, Labels("en")))[1] > 200
