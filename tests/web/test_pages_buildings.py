"""Building portfolio pages and API over the trimmed Tongzhou results (data/SOURCES.md); the
building page's refitted baseline over the repository's example portfolio (examples/buildings,
SYNTHETIC).

Reference values: README.md, the example portfolio's 20 % retrofit of TZ-OFF-03 measured as
20.3 % (90 % band 17.5–23.2 %); the ASHRAE Guideline 14-2014 calibration limits for hourly data
held against daily fits, CV(RMSE) ≤ 30 %, |NMBE| ≤ 10 % (src/ecocity/buildings/data/caltrack.toml).
"""

from __future__ import annotations

import html

import pytest

import pages_app
from ecocity.web import views_buildings


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        pages_app.cheap_hashes(patch)
        settings = pages_app.workspace(tmp_path_factory.mktemp("buildings"), portfolio=pages_app.EXAMPLE_PORTFOLIO)
        test_client = pages_app.client(settings)
        yield test_client, pages_app.token(test_client, "viewer")


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch):
    pages_app.cheap_hashes(monkeypatch)


def test_the_portfolio_page_ranks_buildings_with_potential_quota_and_flags(site):
    client, auth = site
    page = client.get("/districts/tongzhou/buildings?lang=en", headers=auth)
    assert page.status_code == 200
    text = page.text
    assert 'id="buildings-synthetic"' in text
    rows = text.split('<tr data-building="')[1:]
    assert [r.split('"')[0] for r in rows][:3] == ["TZ-MAL-12", "TZ-OFF-09", "TZ-HOS-06"]  # ranks 1, 2, 3
    first = rows[0]
    assert '<td class="num">1</td>' in first and "shopping mall" in first and "Beijing" in first
    assert "2,898,171" in first and "1,973,654 CNY" in first and "1,617.2" in first  # potential kWh, money, t CO2
    assert "over quota (104 %)" in first
    assert 'href="/districts/tongzhou/buildings/TZ-OFF-03"' in text
    assert 'id="buildings-eui"' in text and 'id="buildings-map"' in text
    for kind in ("stuck_meter", "baseload_creep", "night_weekend", "level_shift"):
        assert f"<code>{kind}</code>" in text
    assert "wrong_season" not in text  # no building carries that flag


def test_the_portfolio_page_in_chinese(site):
    client, auth = site
    text = client.get("/districts/tongzhou/buildings?lang=zh", headers=auth).text
    for expected in ("优先改造排序", "单位面积能耗与标准对比", "异常标记的含义", "商场", "北京", "哥本哈根", "超定额 (104 %)"):
        assert expected in text


def test_the_buildings_api_lists_the_portfolio_in_rank_order_without_daily_series(site):
    client, auth = site
    body = client.get("/api/districts/tongzhou/buildings", headers=auth).json()
    assert body["n_buildings"] == 15 and body["synthetic"] is True
    ranks = [b["rank"] for b in body["buildings"]]
    assert ranks == sorted(ranks)
    off03 = next(b for b in body["buildings"] if b["building_id"] == "TZ-OFF-03")
    assert off03["savings"]["fraction"] == pytest.approx(0.203, abs=0.0005)  # README: 20.3 %
    assert "daily" not in off03["savings"]


def test_the_building_api_gives_savings_and_on_request_the_refitted_baseline(site):
    client, auth = site
    plain = client.get("/api/districts/tongzhou/buildings/TZ-OFF-03", headers=auth).json()
    assert plain["baseline_detail"] is None and len(plain["savings"]["daily"]) == 365
    low, high = plain["savings"]["band90_kwh"]
    fraction_low, fraction_high = (low / plain["savings"]["avoided_kwh"] * plain["savings"]["fraction"],
                                   high / plain["savings"]["avoided_kwh"] * plain["savings"]["fraction"])
    assert (fraction_low, fraction_high) == (pytest.approx(0.175, abs=0.001), pytest.approx(0.232, abs=0.001))
    body = client.get("/api/districts/tongzhou/buildings/TZ-OFF-03?detail=true", headers=auth).json()
    detail = body["baseline_detail"]
    assert detail["model_type"] == plain["baseline"]["model_type"] == "hdd_cdd"
    assert detail["heating_balance_c"] == pytest.approx(plain["baseline"]["heating_balance_c"], abs=1e-9)
    assert detail["cvrmse"] == pytest.approx(plain["baseline"]["cvrmse"], rel=1e-9)
    assert detail["cvrmse_limit"] == 0.30 and detail["nmbe_limit"] == 0.10  # G14-2014, hourly limits
    assert detail["intercept_kwh_per_d"] > 0 and detail["beta_cdd_kwh_per_c_day"] > 0


def test_the_building_page_shows_baseline_metrics_against_g14_and_savings(site):
    client, auth = site
    page = client.get("/districts/tongzhou/buildings/TZ-OFF-03?lang=en", headers=auth)
    assert page.status_code == 200
    text = page.text
    assert "<code>hdd_cdd</code>" in text
    assert '<tr class="coefficient"><th>β₀</th>' in text and "<th>β_H</th>" in text and "<th>β_C</th>" in text
    assert '<tr data-metric="cvrmse"><th class="row">CV(RMSE)</th><td class="num">17.48 %</td><td class="num">≤ 30 %</td>' in text
    assert "|·| ≤ 10 %" in text
    assert "828,561 kWh (20.3 %)" in text and "713,721 – 943,402 kWh" in text
    assert 'id="savings-plot"' in text


def test_the_building_page_in_chinese(site):
    client, auth = site
    text = client.get("/districts/tongzhou/buildings/TZ-OFF-03?lang=zh", headers=auth).text
    for expected in ("基准模型", "供暖平衡点温度 [°C]", "ASHRAE Guideline 14 限值", "实测节能量", "办公"):
        assert expected in text


def test_without_a_portfolio_link_the_page_says_why_the_coefficients_are_missing(tmp_path):
    settings = pages_app.workspace(tmp_path)
    client = pages_app.client(settings)
    text = client.get("/districts/tongzhou/buildings/TZ-OFF-07?lang=en", headers=pages_app.token(client, "viewer")).text
    assert 'id="detail-missing"' in text and "the district has no buildings.toml" in text
    assert '<td class="num">≤ 30 %</td>' not in text
    assert "No intervention is recorded for this building" in text
    assert "baseload_creep" not in text or "The night-time base load rose" in text


@pytest.mark.parametrize("url", ["/districts/tongzhou/buildings/NOT-THERE", "/api/districts/tongzhou/buildings/NOT-THERE"])
def test_an_unknown_building_is_404_with_a_message(site, url):
    client, auth = site
    answer = client.get(url, headers=auth)
    assert answer.status_code == 404 and "no building 'NOT-THERE' in the portfolio" in html.unescape(answer.text)


@pytest.mark.parametrize("url", ["/districts/nowhere/buildings", "/api/districts/nowhere/buildings",
                                 "/api/districts/nowhere/buildings/TZ-OFF-03"])
def test_an_unknown_district_is_404(site, url):
    client, auth = site
    answer = client.get(url, headers=auth)
    assert answer.status_code == 404 and "no district 'nowhere'" in html.unescape(answer.text)


def test_a_district_without_a_portfolio_is_404(tmp_path):
    document = pages_app.document()
    del document["buildings"]
    client = pages_app.client(pages_app.workspace(tmp_path, document))
    answer = client.get("/api/districts/tongzhou/buildings", headers=pages_app.token(client, "viewer"))
    assert answer.status_code == 404 and "has no building portfolio" in answer.json()["detail"]


def test_a_bad_detail_flag_is_422(site):
    client, auth = site
    answer = client.get("/api/districts/tongzhou/buildings/TZ-OFF-03?detail=perhaps", headers=auth)
    assert answer.status_code == 422 and "query.detail" in answer.json()["detail"]


def test_viewers_cannot_start_a_portfolio_run(site):
    client, auth = site
    answer = client.post("/api/jobs", headers=auth, json={"kind": "portfolio", "district": "tongzhou"})
    assert answer.status_code == 403


def test_metric_rows_without_limits_have_no_status():
    rows = views_buildings.metric_rows({"r_squared": 0.9, "cvrmse": 0.12, "nmbe": -1e-17}, None)
    assert [r["status"] for r in rows] == ["none", "none", "none"]
    assert rows[2]["value"] == "0.00 %"  # no "-0.00 %"


def test_the_page_filters_by_city_and_type_and_limits_the_rows(site):
    client, auth = site
    text = client.get("/districts/tongzhou/buildings?city=copenhagen&limit=2&lang=en", headers=auth).text
    rows = [r.split('"')[0] for r in text.split('<tr data-building="')[1:]]
    assert rows == ["CPH-SCH-05", "CPH-OFF-04"]  # the two first Copenhagen buildings in rank order
    assert "The first 2 of 4 buildings in rank order." in text
    offices = client.get("/districts/tongzhou/buildings?type=office&city=beijing&lang=en", headers=auth).text
    assert "The first 5 of 5 buildings in rank order." in offices


def test_the_api_selects_a_page_of_the_ranking(site):
    client, auth = site
    body = client.get("/api/districts/tongzhou/buildings?offset=2&limit=3", headers=auth).json()
    assert body["n_matching"] == 15 and body["offset"] == 2
    assert [b["rank"] for b in body["buildings"]] == [3, 6, 11]  # ranks among the original 70 (SOURCES.md)
    beijing = client.get("/api/districts/tongzhou/buildings?city=Beijing", headers=auth).json()
    assert beijing["n_matching"] == 11 and {b["city"] for b in beijing["buildings"]} == {"beijing"}


@pytest.mark.parametrize("query", ["limit=0", "offset=-1", "limit=many", "city=" + "x" * 101])
def test_bad_selection_parameters_are_422(site, query):
    client, auth = site
    answer = client.get(f"/api/districts/tongzhou/buildings?{query}", headers=auth)
    assert answer.status_code == 422 and "query." in answer.json()["detail"]


def test_a_viewer_cannot_start_a_portfolio_analysis_from_the_page(tmp_path):
    client, csrf = pages_app.logged_in(pages_app.workspace(tmp_path), "viewer")
    assert 'id="portfolio-run-viewer"' in client.get("/districts/tongzhou/buildings?lang=en").text
    assert client.post("/districts/tongzhou/buildings/run", data={"csrf_token": csrf}).status_code == 403


def test_an_editor_queues_a_portfolio_analysis(tmp_path):
    from sqlalchemy import select

    from ecocity.store.web_tables import JobRow

    client, csrf = pages_app.logged_in(pages_app.workspace(tmp_path), "editor")
    assert 'id="portfolio-run-form"' in client.get("/districts/tongzhou/buildings?lang=en").text
    answer = client.post("/districts/tongzhou/buildings/run", data={"csrf_token": csrf})
    assert answer.status_code == 202 and 'class="job job-' in answer.text
    with client.app.state.db.session() as session:
        job = session.scalars(select(JobRow).where(JobRow.kind == "portfolio")).one()
        assert (job.district, job.username) == ("tongzhou", "editor")


def test_a_finished_portfolio_job_is_shown_instead_of_the_assessment(tmp_path):
    import datetime as dt
    import json

    from ecocity.store.web_tables import JobRow

    settings = pages_app.workspace(tmp_path)
    client = pages_app.client(settings)
    auth = pages_app.token(client, "viewer")
    job_id = "c" * 32
    out_dir = settings.jobs_dir(job_id)
    out_dir.mkdir(parents=True)
    section = pages_app.document()["buildings"]
    section["buildings"] = [b for b in section["buildings"] if b["city"] == "copenhagen"]
    section["n_buildings"] = len(section["buildings"])
    (out_dir / "portfolio.json").write_text(json.dumps(section), encoding="utf-8")
    now = dt.datetime.now(dt.UTC)
    with client.app.state.db.session() as session:
        session.add(JobRow(id=job_id, kind="portfolio", district="tongzhou", params={}, status="done", progress=1.0,
                           message="done", username="editor", created_at=now, started_at=now, finished_at=now,
                           out_dir=str(out_dir), run_ids=[]))
    text = client.get(f"/districts/tongzhou/buildings?job={job_id}&lang=en", headers=auth).text
    assert 'id="job-shown"' in text and "The first 4 of 4 buildings in rank order." in text
    assert f'href="/districts/tongzhou/buildings/CPH-SCH-05?job={job_id}"' in text
    body = client.get(f"/api/districts/tongzhou/buildings?job={job_id}", headers=auth).json()
    assert body["n_buildings"] == 4
    assert client.get(f"/api/districts/tongzhou/buildings/TZ-OFF-03?job={job_id}", headers=auth).status_code == 404
    assert client.get(f"/districts/tongzhou/buildings/CPH-SCH-05?job={job_id}", headers=auth).status_code == 200
    plant_job = client.get(f"/api/districts/tongzhou/plant?job={job_id}", headers=auth)
    assert plant_job.status_code == 404 and "no finished plant run" in plant_job.json()["detail"]
