"""The report's optimisation section: front figure, map, partial in the report and alone."""

from __future__ import annotations

import copy

from ecocity.report.optimisation import front_figure, map_figure, optimisation_page, optimisation_view
from ecocity.report.render import report_html
from tests.report.conftest import make_results

DESIGNS = [
    {"levels": [0, 0], "capture_ratio": 0.62, "tss_reduction": 0.0, "capital_cost_yuan": 0.0},
    {"levels": [1, 0], "capture_ratio": 0.78, "tss_reduction": 0.31, "capital_cost_yuan": 2.0e5},
    {"levels": [2, 1], "capture_ratio": 0.86, "tss_reduction": 0.52, "capital_cost_yuan": 5.0e5},
    {"levels": [2, 0], "capture_ratio": 0.80, "tss_reduction": 0.40, "capital_cost_yuan": 6.0e5},
]
SECTION = {
    "district": "test", "status": "feasible", "objective_cost": "capital_cost_yuan", "generations": 3,
    "targets": {"capture_ratio": 0.85, "tss_reduction": 0.5, "budget_yuan": None},
    "chosen": {**DESIGNS[2], "peak_flow_reduction": 0.2},
    "best_reachable": {"capture_ratio": {"target": 0.85, "best": 0.86}},
    "front": DESIGNS[:3], "evaluations": DESIGNS, "counts": {"simulated": 4, "from_store": 0, "repeated": 0},
    "screening": {"window": {"start": "2020-01-01 00:00:00", "end": "2020-12-31 23:55:00", "years": 1.0,
                             "curve_error": 0.012, "candidates": 30},
                  "error": {"capture_ratio": {"max_abs": 0.021, "mean": 0.01, "designs": 3}}},
    "map": [{"id": "A", "area_m2": 1e4, "polygon": [[0, 0], [1, 0], [1, 1], [0, 0]],
             "lid_area_m2": {"bioretention": 500.0}}],
}  # fmt: skip


def test_front_figure_colours_the_front_by_tss_and_marks_the_chosen_design():
    figure = front_figure(SECTION)
    front = next(trace for trace in figure["data"] if trace["name"] == "front")
    assert front["x"] == [0.0, 2.0e5, 5.0e5] and front["marker"]["color"] == [0.0, 0.31, 0.52]
    chosen = next(trace for trace in figure["data"] if trace["name"] == "chosen")
    assert chosen["y"] == [0.86]
    assert figure["layout"]["shapes"][0]["y0"] == 0.85  # the capture target


def test_map_shows_the_lid_share_of_each_subcatchment():
    trace = map_figure(SECTION)["data"][0]
    assert "A: 5% LID" in trace["text"]


def test_infeasible_section_says_so_and_lists_the_best_reachable_values():
    section = copy.deepcopy(SECTION) | {"status": "infeasible", "chosen": None}
    view = optimisation_view({"optimisation": section})
    page = optimisation_page(section)
    assert view["rows"] == [] and view["best"] == [("capture_ratio", "86.0%", "85.0%")]
    assert "infeasible" in page and "optimisation-front" in page


def test_report_gains_the_section_only_with_an_optimisation_key():
    results = make_results()
    assert 'id="optimisation"' not in report_html(results)
    html = report_html(results | {"optimisation": SECTION})
    assert 'id="optimisation"' in html and "optimisation-map" in html and "0.021" in html


def test_a_surrogate_assisted_search_states_its_prediction_error_in_both_languages():
    section = copy.deepcopy(SECTION)
    section["counts"]["predicted"] = 40
    section["surrogate"] = {"error": {"capture_ratio": {"designs": 12, "max_abs": 0.031, "mean_abs": 0.008}}}
    english = optimisation_view({"optimisation": section}, "en")["surrogate"]
    assert "40 designs steered the search" in english and "0.008" in english and "at most 0.031" in english
    assert "最大 0.031" in optimisation_view({"optimisation": section}, "zh")["surrogate"]
    assert optimisation_view({"optimisation": SECTION}, "en")["surrogate"] is None  # a plain search says nothing
