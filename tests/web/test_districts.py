"""Districts and runs: pages, JSON API, the map's GeoJSON, OpenAPI, language switch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecocity.store import Store, hash_inputs, versions
from ecocity.indicators.records import AreaResult, Indicator

GREEN_ROOFS_CR = 0.712


def _document() -> dict:
    """A minimal results document (the fields the dashboard reads) for the small district."""
    def scenario(name: str, capture: float, passed: bool, measures: bool) -> dict:
        return {
            "name": name, "description": f"{name} scenario", "run_id": f"run-{name}", "cached": False,
            "indicators": [
                {"name": "capture_ratio", "value": capture, "unit": "-", "scope": "district", "target": 0.85,
                 "passed": passed, "source": "test"},
                {"name": "capital_cost_yuan", "value": 1234567.0, "unit": "yuan", "scope": "district",
                 "target": None, "passed": None, "source": "test"},
                {"name": "capture_ratio", "value": capture + 0.05, "unit": "-", "scope": "subcatchment:R1",
                 "target": 0.85, "passed": False, "source": "test"},
            ],
            "subcatchment_capture_ratio": {"R1": capture + 0.05, "R2": capture - 0.05},
        }  # fmt: skip

    return {
        "created_utc": "2026-11-29T10:00:00+00:00",
        "district": {"name": "Tongzhou test block", "area_m2": 61250.0, "n_subcatchments": 5},
        "scenarios": [scenario("baseline", 0.601, False, False), scenario("green-roofs", GREEN_ROOFS_CR, False, True)],
        "map": {"subcatchments": [{"id": "R1", "lids": {"green-roofs": [{"lid": "green_roof", "area_m2": 900.0}]}}]},
    }  # fmt: skip


@pytest.fixture
def with_results(workspace: Path) -> Path:
    out = workspace / "small" / "ecocity-out"
    out.mkdir()
    (out / "results.json").write_text(json.dumps(_document()), encoding="utf-8")
    return out


def test_the_districts_page_and_api_list_the_workspace(as_role, workspace):
    viewer, _ = as_role("viewer")
    (workspace / "not-a-district").mkdir()
    page = viewer.get("/")
    assert page.status_code == 200 and "Tongzhou test block" in page.text and "/districts/small" in page.text
    listed = viewer.get("/api/districts").json()
    assert listed == [{"key": "small", "name": "Tongzhou test block", "crs": "EPSG:4548",
                       "scenarios": ["green-roofs", "sponge mix"], "has_results": False, "created_utc": None,
                       "error": None}]  # fmt: skip


def test_a_district_without_results_says_so(as_role):
    viewer, _ = as_role("viewer")
    detail = viewer.get("/api/districts/small").json()
    assert detail["scenarios"] == [] and detail["map_indicators"] == []
    page = viewer.get("/districts/small")
    assert page.status_code == 200 and "No results yet" in page.text
    assert "Viewers cannot start runs" in page.text  # and no run form
    assert 'hx-post="/districts/small/run"' not in page.text


def test_an_editor_sees_the_run_form(as_role):
    editor, _ = as_role("editor")
    assert 'hx-post="/districts/small/run"' in editor.get("/districts/small").text


def test_unknown_or_malformed_districts(as_role):
    viewer, _ = as_role("viewer")
    missing = viewer.get("/api/districts/nowhere")
    assert missing.status_code == 404 and missing.json()["detail"].endswith("no district 'nowhere' in the workspace")
    assert viewer.get("/districts/nowhere").status_code == 404
    bad = viewer.get("/api/districts/..%2F..%2Fetc/geojson")
    assert bad.status_code in (404, 422)


def test_the_district_api_carries_the_latest_results(as_role, with_results):
    viewer, _ = as_role("viewer")
    detail = viewer.get("/api/districts/small").json()
    assert detail["created_utc"] == "2026-11-29T10:00:00+00:00" and detail["info"]["has_results"]
    names = [s["name"] for s in detail["scenarios"]]
    assert names == ["baseline", "green-roofs"]
    green = detail["scenarios"][1]["indicators"]
    assert [i["name"] for i in green] == ["capture_ratio", "capital_cost_yuan"]  # district scope only
    assert green[0]["label"] == "Annual runoff capture ratio" and green[0]["value"] == GREEN_ROOFS_CR
    assert detail["map_indicators"] == ["capture_ratio"]


def test_the_district_page_in_chinese_has_chinese_labels_and_locale_numbers(as_role, with_results):
    viewer, _ = as_role("viewer")
    page = viewer.get("/districts/small?lang=zh")
    assert "年径流总量控制率" in page.text  # indicator label from the report's labels.toml
    assert "指标与控制目标对比" in page.text  # a heading from the message catalogue
    assert "71.2 %" in page.text  # 0.712 as a percentage, one decimal
    assert page.cookies.get("lang") == "zh" or viewer.cookies.get("lang") == "zh"
    again = viewer.get("/districts/small")  # the cookie keeps the choice
    assert "年径流总量控制率" in again.text
    english = viewer.get("/districts/small?lang=en")
    assert "Annual runoff capture ratio" in english.text and "年径流总量控制率" not in english.text


def test_accept_language_picks_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "登录" in page.text


def test_the_geojson_is_in_wgs84_with_indicators_and_measures(as_role, with_results):
    viewer, _ = as_role("viewer")
    collection = viewer.get("/api/districts/small/geojson").json()
    assert [f["properties"]["id"] for f in collection["features"]] == ["R1", "R2", "RD", "C1", "P1"]
    lon, lat = collection["features"][0]["geometry"]["coordinates"][0][0]
    assert 116.6 < lon < 116.7 and 39.85 < lat < 39.95  # the block lies near 116.65 E, 39.90 N (district.toml)
    first = collection["features"][0]["properties"]
    assert first["indicators"]["green-roofs"]["capture_ratio"] == pytest.approx(GREEN_ROOFS_CR + 0.05)
    assert first["measures"]["green-roofs"] == [{"lid": "green_roof", "area_m2": 900.0}]


def test_the_central_meridian_maps_to_117_degrees_east(tmp_path):
    # EPSG:4548 is a transverse Mercator on 117 E with a false easting of 500 000 m: x = 500 000 m
    # lies on the central meridian by definition.
    from ecocity.web.geo import subcatchments_wgs84

    square = [[[500000.0, 4419000.0], [500100.0, 4419000.0], [500100.0, 4419100.0], [500000.0, 4419000.0]]]
    (tmp_path / "subcatchments.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "Polygon", "coordinates": square}}]}))
    lon, lat = subcatchments_wgs84(tmp_path, "EPSG:4548")["features"][0]["geometry"]["coordinates"][0][0]
    assert lon == pytest.approx(117.0, abs=1e-9)
    assert 39.8 < lat < 40.0


def _saved_run(settings) -> str:
    result = AreaResult(area="stormwater", scenario="baseline",
                        indicators=(Indicator(name="capture_ratio", value=0.6, unit="-", scope="district",
                                              target=0.85, passed=False, source="test"),),
                        series={}, figures={})  # fmt: skip
    with Store.open(settings.db_url, series_dir=settings.series_dir) as store:
        return store.save(result, district="Tongzhou test block", input_hash=hash_inputs("x"),
                          versions=versions({"swmm": "5.2.4"}), wall_time_s=1.5)  # fmt: skip


def test_runs_page_and_api_show_the_store(as_role, settings):
    run_id = _saved_run(settings)
    viewer, _ = as_role("viewer")
    runs = viewer.get("/api/runs").json()
    assert [r["id"] for r in runs] == [run_id]
    assert runs[0]["versions"]["swmm"] == "5.2.4" and runs[0]["wall_time_s"] == 1.5
    detail = viewer.get(f"/api/runs/{run_id}").json()
    assert detail["indicators"][0]["label"] == "Annual runoff capture ratio"
    page = viewer.get("/runs?lang=zh")
    assert run_id in page.text and "计算记录" in page.text and "SWMM 5.2.4" in page.text
    assert viewer.get(f"/runs/{run_id}").status_code == 200
    assert viewer.get("/api/runs/nope").status_code == 404
    assert [r["id"] for r in viewer.get("/api/runs", params={"district": "Tongzhou test block"}).json()] == [run_id]
    assert viewer.get("/api/runs", params={"district": "elsewhere"}).json() == []


def test_openapi_documents_every_api_endpoint(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/districts", "/api/districts/{name}", "/api/districts/{name}/geojson", "/api/runs",
                 "/api/runs/{run_id}", "/api/jobs", "/api/jobs/{job_id}", "/api/me", "/api/token"):  # fmt: skip
        assert path in schema["paths"], path
    assert "JobRequest" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_the_results_document_is_served_whole(as_role, with_results):
    viewer, _ = as_role("viewer")
    document = viewer.get("/api/districts/small/results").json()
    assert document == _document()


def test_no_results_document_yet_is_a_404(as_role):
    viewer, _ = as_role("viewer")
    response = viewer.get("/api/districts/small/results")
    assert response.status_code == 404 and response.json()["detail"] == "district 'small' has no results yet"
