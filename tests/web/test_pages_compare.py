"""Scenario comparison page and API over the trimmed Tongzhou results (data/SOURCES.md).

Reference values: the design-storm and cost figures of the fixture are those README.md's demo
table reports for examples/tongzhou (they do not depend on the rainfall years simulated):
peak outfall flow reduction at P = 2 yr 78.3 % (combined_85), capital cost 190.4 million yuan
(combined_85, the Guide's mid-point). Capture ratios are those of the fixture's 1-year run.
"""

from __future__ import annotations

import html

import pytest

import pages_app
from ecocity.web import views_compare
from ecocity.report.labels import Labels


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        pages_app.cheap_hashes(patch)
        settings = pages_app.workspace(tmp_path_factory.mktemp("compare"))
        test_client = pages_app.client(settings)
        yield test_client, pages_app.token(test_client, "viewer")


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch):
    pages_app.cheap_hashes(monkeypatch)


def test_the_page_shows_every_scenario_against_the_targets_and_the_figures(site):
    client, auth = site
    page = client.get("/districts/tongzhou/compare?lang=en", headers=auth)
    assert page.status_code == 200
    text = page.text
    assert 'id="indicator-table"' in text
    for name in ("baseline", "bioretention_in_green_space", "combined_85", "green_roofs_and_permeable_paving"):
        assert f"<th>{name}</th>" in text
    # capture ratio of the baseline (48.6 %) misses the 85 % target, combined_85 (94.5 %) meets it
    assert '<td class="num fail" data-status="fail">48.6 % <span class="mark">✘</span></td>' in text
    assert '<td class="num pass" data-status="pass">94.5 % <span class="mark">✔</span></td>' in text
    assert "≥ 85.0 %" in text
    for figure in ("capture-curve-plot", "hyetograph-plot", "hydrograph-plot-1", "hydrograph-plot-2", "cost-plot"):
        assert f'id="{figure}"' in text
    assert "190.37 million yuan" in text  # README: combined_85 capital cost 190.4 M yuan
    assert "vendor/plotly/plotly.min.js" in text and "cdn" not in text.lower()


def test_the_default_difference_is_the_first_scenario_against_the_baseline(site):
    client, auth = site
    text = client.get("/districts/tongzhou/compare?lang=en", headers=auth).text
    assert 'data-a="baseline" data-b="bioretention_in_green_space"' in text
    assert '<option value="baseline" selected>' in text


def test_the_difference_table_of_two_scenarios_is_b_minus_a(site):
    client, auth = site
    text = client.get("/districts/tongzhou/compare?a=baseline&b=combined_85&lang=en", headers=auth).text
    assert 'data-a="baseline" data-b="combined_85"' in text
    # 94.5 % − 48.6 % of the fixture: +45.9 percentage points, the target now met
    assert '+45.9 pp' in text
    assert 'data-indicator="capture_ratio" data-change="now_meets"' in text
    assert "b meets it, a does not" in text
    assert "+190.37 million yuan" in text


def test_an_htmx_request_gets_the_difference_table_alone(site):
    client, auth = site
    answer = client.get("/districts/tongzhou/compare?a=combined_85&b=baseline&lang=en",
                        headers={**auth, "HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert 'id="difference-table"' in answer.text
    assert "−45.9 pp" in answer.text or "-45.9 pp" in answer.text
    assert 'data-change="no_longer_meets"' in answer.text


def test_the_page_in_chinese(site):
    client, auth = site
    text = client.get("/districts/tongzhou/compare?a=baseline&b=combined_85&lang=zh", headers=auth).text
    assert '<html lang="zh-CN">' in text
    for expected in ("方案比较", "两个方案之差", "年径流总量控制率", "相对变化", "+45.9 个百分点", "19,037.5 万元"):
        assert expected in text


def test_the_scenarios_api_lists_district_indicators_with_targets(site):
    client, auth = site
    body = client.get("/api/districts/tongzhou/scenarios", headers=auth).json()
    names = [s["name"] for s in body["scenarios"]]
    assert names == ["baseline", "bioretention_in_green_space", "combined_85", "green_roofs_and_permeable_paving"]
    combined = body["scenarios"][2]
    capture = next(i for i in combined["indicators"] if i["name"] == "capture_ratio")
    assert capture["target"] == 0.85 and capture["passed"] is True
    assert all(i["scope"] == "district" for s in body["scenarios"] for i in s["indicators"])
    peak = next(i for i in combined["indicators"] if i["name"] == "peak_flow_reduction_P2")
    assert peak["value"] == pytest.approx(0.783, abs=0.0005)  # README demo table: 78.3 %


def test_the_compare_api_gives_differences_relative_changes_and_target_changes(site):
    client, auth = site
    body = client.get("/api/districts/tongzhou/compare?a=baseline&b=combined_85", headers=auth).json()
    rows = {r["name"]: r for r in body["rows"]}
    capture = rows["capture_ratio"]
    assert capture["difference"] == pytest.approx(capture["b"]["value"] - capture["a"]["value"], rel=1e-12)
    assert capture["relative"] == pytest.approx(capture["difference"] / capture["a"]["value"], rel=1e-12)
    assert capture["better"] is True and capture["change"] == "now_meets"
    flood = rows["flood_volume_m3"]  # lower is better: 29 168 m³ → 0 m³ (README demo table)
    assert flood["a"]["value"] == pytest.approx(29_168, abs=1) and flood["b"]["value"] == 0.0
    assert flood["better"] is True and flood["change"] == "no_target"
    assert rows["peak_flow_reduction_P2"]["difference"] is None  # the baseline has no reduction of its own
    assert body["capital_yuan_mid"]["b"] == pytest.approx(190.4e6, rel=0.001)


@pytest.mark.parametrize("url", ["/districts/elsewhere/compare", "/api/districts/elsewhere/scenarios",
                                 "/api/districts/elsewhere/compare?a=baseline&b=combined_85"])
def test_an_unknown_district_is_404_with_a_message(site, url):
    client, auth = site
    answer = client.get(url, headers=auth)
    assert answer.status_code == 404
    assert "no district 'elsewhere' in the workspace" in html.unescape(answer.text)


@pytest.mark.parametrize("url", ["/districts/tongzhou/compare?a=baseline&b=no_such_plan",
                                 "/api/districts/tongzhou/compare?a=no_such_plan&b=baseline"])
def test_an_unknown_scenario_is_404_naming_the_known_ones(site, url):
    client, auth = site
    answer = client.get(url, headers=auth)
    assert answer.status_code == 404
    text = html.unescape(answer.text)
    assert "no scenario 'no_such_plan'" in text and "combined_85" in text


@pytest.mark.parametrize("query", ["a=baseline", "b=baseline", "a=&b=baseline", "a=baseline&b=" + "x" * 201])
def test_bad_query_parameters_are_422_with_a_message(site, query):
    client, auth = site
    answer = client.get(f"/api/districts/tongzhou/compare?{query}", headers=auth)
    assert answer.status_code == 422
    assert "query." in answer.json()["detail"]


def test_a_district_without_results_is_404(tmp_path):
    settings = pages_app.workspace(tmp_path)
    (tmp_path / "tongzhou" / "ecocity-out" / "results.json").unlink()
    client = pages_app.client(settings)
    answer = client.get("/api/districts/tongzhou/scenarios", headers=pages_app.token(client, "viewer"))
    assert answer.status_code == 404 and "has no results yet" in answer.json()["detail"]


def test_pages_and_api_need_a_login(site):
    client, _ = site
    assert client.get("/api/districts/tongzhou/scenarios").status_code == 401
    assert client.get("/districts/tongzhou/compare", follow_redirects=False).status_code == 303


def test_a_ratio_difference_is_in_percentage_points_and_others_in_their_unit():
    assert views_compare.format_difference(0.459, "-", "percent", "en") == "+45.9 pp"
    assert views_compare.format_difference(-0.2, "-", "percent", "zh") == "-20.0 个百分点"
    assert views_compare.format_difference(-29_167.6, "m3", "volume_m3", "en") == "-29,168 m³"
    assert views_compare.format_difference(None, "m3", "volume_m3", "en") == "—"


def test_the_difference_rows_follow_the_report_labels():
    rows = views_compare.difference_rows(pages_app.document(), "baseline", "combined_85", Labels("en"))
    assert rows[0]["label"] == "Annual runoff capture ratio" and rows[0]["target"] == "≥ 85.0 %"
    assert [r["name"] for r in rows][:2] == ["capture_ratio", "tss_reduction"]


def test_the_openapi_schema_documents_the_comparison_plant_and_buildings_api(site):
    client, _ = site
    schema = client.get("/openapi.json").json()
    for path in ("/api/districts/{name}/scenarios", "/api/districts/{name}/compare", "/api/districts/{name}/plant",
                 "/api/districts/{name}/buildings", "/api/districts/{name}/buildings/{building_id}"):
        assert "get" in schema["paths"][path]
    assert "/districts/{name}/compare" not in schema["paths"]  # pages stay out of the API schema
    row = schema["components"]["schemas"]["CompareRow"]["properties"]
    assert {"difference", "relative", "better", "change"} <= set(row)


@pytest.mark.parametrize("path", ["/api/districts/%E2%88%9E/compare?a=x&b=y", "/api/districts/..%2F..%2Fetc/scenarios",
                                  "/api/districts/tongzhou/compare?a=%00&b=%F0%9F%92%A7",
                                  "/api/districts/tongzhou/buildings/%2E%2E", "/api/districts/tongzhou/plant?job=",
                                  "/districts/tongzhou/compare?a=" + "%E6%B5%B7" * 60])
def test_odd_input_gets_a_4xx_answer_not_a_server_error(site, path):
    client, auth = site
    answer = client.get(path, headers=auth)
    assert 400 <= answer.status_code < 500, answer.text


def test_a_scenario_at_the_target_has_the_design_depth_as_its_equivalent_depth():
    """Invariant: the curve's design depth is where it reaches the target, so a capture ratio
    equal to the target maps back onto it (within the curve's sampling)."""
    document = pages_app.document()
    curve = document["capture_curve"]
    document["scenarios"][0]["indicators"] = [{"name": "capture_ratio", "value": curve["target"], "unit": "-"}]
    index, name, value, depth = views_compare.equivalent_depths_mm(document)[0]
    assert (index, name, value) == (0, "baseline", 0.85)
    assert depth == pytest.approx(curve["design_depth_mm"], abs=0.01)  # curve stored to 0.001 mm, 1e-5
    depths = [d for *_, d in views_compare.equivalent_depths_mm(pages_app.document())]
    ratios = [v for *_, v, _ in views_compare.equivalent_depths_mm(pages_app.document())]
    assert sorted(depths) == [d for _, d in sorted(zip(ratios, depths))]  # monotone in the capture ratio


def test_the_capture_curve_marks_every_scenario(site):
    client, auth = site
    text = client.get("/districts/tongzhou/compare?lang=en", headers=auth).text
    assert "combined_85: 94.5 %, equivalent design depth 35.7 mm" in html.unescape(text)


def test_the_sub_areas_own_indicators_are_listed_without_their_subcatchments(site):
    client, auth = site
    text = client.get("/districts/tongzhou/compare?lang=en", headers=auth).text
    assert 'id="sub-area-table"' in text
    for group in ("west", "centre", "east"):
        assert f'data-scope="sub_area:{group}" data-indicator="capture_ratio"' in text
    document = pages_app.document()
    first = document["map"]["subcatchments"][0]
    document["scenarios"][0]["indicators"].append(
        {"name": "capture_ratio", "value": 0.5, "unit": "-", "scope": f"subcatchment:{first['id']}"})
    groups = views_compare.sub_area_rows(document, Labels("en"))
    assert [g for g, _ in groups] == ["west", "centre", "east"]
    assert all(row.scope.startswith("sub_area:") for _, rows in groups for row in rows)
