"""The report's buildings section: figures, table, synthetic badge and language.

The section dict is hand-made in the shape ``ecocity.buildings.assess.portfolio_section``
writes (the shared schema of issue 5); its numbers are plausible, not computed. Benchmark values
in it are the GB/T 51161-2016 office class A hot-summer-cold-winter row as Liu & Ren (2018),
Table 7, report it (85 / 70 kWh/(m²·a), confidence 1) — only to have marks to draw.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import shutil
import sys
import types
from pathlib import Path

import pytest

from ecocity.errors import InputError
from ecocity.report import render
from ecocity.report.buildings_figures import (
    EARTH_RADIUS_M,
    cumulative_band,
    eui_chart,
    local_km,
    portfolio_map,
    savings_chart,
    table_rows,
    verdict_class,
)

SMALL = Path(__file__).resolve().parents[1] / "data" / "districts" / "small"


def _daily(n: int = 120, predicted: float = 1000.0, saved: float = 0.15) -> list[dict]:
    start = dt.date(2024, 1, 1)
    return [{"date": (start + dt.timedelta(days=k)).isoformat(), "predicted_kwh": predicted,
             "actual_kwh": predicted * (1.0 - saved)} for k in range(n)]


def _building(i: int, city: str, btype: str, eui: float, benchmark: dict, *, flags=(), savings=None,
              quota=None, lon=None, lat=None) -> dict:
    area = 10_000.0 + 2_500.0 * i
    return {
        "building_id": f"B{i:02d}", "name": f"Building {i:02d} <b>", "city": city, "type": btype,
        "floor_area_m2": area, "lon": lon, "lat": lat, "annual_kwh": eui * area, "eui_kwh_per_m2": eui,
        "percentile": 10.0 * i, "benchmark": benchmark,
        "baseline": {"model_type": "hdd_cdd", "heating_balance_c": 15.0, "cooling_balance_c": 22.0,
                     "r_squared": 0.85, "cvrmse": 0.12, "nmbe": 0.0, "sufficient": True, "reasons": []},
        "flags": list(flags), "savings": savings,
        "potential": {"kwh": max(eui - 70.0, 0.0) * area, "money": max(eui - 70.0, 0.0) * area * 0.8,
                      "currency": "CNY" if city == "beijing" else "DKK", "t_co2": max(eui - 70.0, 0.0) * area * 5.8e-4},
        "quota": quota, "rank": i,
    }


def _gb(verdict: str, *, guide=70.0, constraint=85.0) -> dict:
    return {"standard": "GB/T 51161-2016", "guide_kwh_per_m2": guide, "constraint_kwh_per_m2": constraint,
            "verdict": verdict, "label": None, "confidence": "1", "source": "Liu & Ren 2018, Table 7"}


def _dk(label: str) -> dict:
    return {"standard": "Danish energy label (BR18)", "guide_kwh_per_m2": None, "constraint_kwh_per_m2": None,
            "verdict": f"label {label}", "label": label, "confidence": "V", "source": "BR18 §250"}


def make_section() -> dict:
    band = [0.15 * 120_000.0 - 4_000.0, 0.15 * 120_000.0 + 4_000.0]
    flag = {"kind": "night_baseload", "severity": "warning", "start": "2024-03-01", "end": "2024-03-31",
            "message_en": "Night use is 62 % of day use: equipment left on.",
            "message_zh": "夜间用电为白天的 62 %：设备未关闭。"}
    rows = [
        _building(1, "beijing", "office", 120.0, _gb("exceeds constraint"), flags=[flag],
                  quota={"year": 2024, "quota_kwh": 1.2e6, "used_kwh": 9.0e5, "pro_rated_kwh": 8.0e5,
                         "status": "at risk"},
                  lon=116.632, lat=39.841,
                  savings={"intervention": "2024-01-01", "avoided_kwh": 18_000.0, "fraction": 0.15,
                           "band90_kwh": band, "daily": _daily()}),
        _building(2, "beijing", "office", 80.0, _gb("meets constraint"), lon=116.723, lat=39.869),
        _building(3, "beijing", "office", 60.0, _gb("meets guide"), lon=116.608, lat=39.882),
        _building(4, "beijing", "hotel", 95.0, _gb("not verified", guide=None, constraint=None)),
        _building(5, "copenhagen", "office", 140.0, _dk("E"), lon=12.568, lat=55.676),
        _building(6, "copenhagen", "school", 70.0, _dk("A2015"), lon=12.540, lat=55.690),
    ]
    return {
        "portfolio": "buildings", "n_buildings": len(rows), "period": {"start": "2023-01-01", "end": "2024-12-31"},
        "synthetic": True, "buildings": rows,
        "sources": [{"item": "GB/T 51161 office A (HSCW)", "value": "85 / 70 kWh/(m²·a)",
                     "source": "Liu & Ren 2018, Table 7", "confidence": "1"}],
        "notes": ["Beijing GB/T 51161 rows were not found; Beijing verdicts are 'not verified'."],
    }


@pytest.fixture
def section() -> dict:
    return make_section()


# --- figures -------------------------------------------------------------------------------


def test_one_degree_of_latitude_and_longitude_at_40n():
    """On the WGS84 ellipsoid at 40° N one degree of latitude is 111.035 km and one of longitude
    85.394 km (e.g. NGA/NIMA TR8350.2 formulas, tabulated in Wikipedia's "Longitude"); the mean
    sphere used here gives 111.195 and 85.180 km: within 0.3 % (the spherical approximation)."""
    xs, ys = local_km([116.0, 117.0], [39.5, 40.5])
    assert ys[1] - ys[0] == pytest.approx(111.035, rel=3e-3)
    xs, _ = local_km([116.0, 117.0], [40.0, 40.0])
    assert xs[1] - xs[0] == pytest.approx(85.394, rel=3e-3)
    assert EARTH_RADIUS_M == 6_371_008.8  # IUGG mean radius R1 (Moritz 2000, Geodetic Reference System 1980)


def test_cumulative_band_ends_on_the_reported_band_and_grows_as_the_square_root_of_days():
    """ASHRAE Guideline 14-2014 Annex B: ΔE_save ∝ E_pred(m)·m^(−1/2); at constant daily use
    the half-width after k of M days is half(M)·√(k/M)."""
    daily = _daily(100)
    cum, low, high = cumulative_band(daily, [15_000.0 - 2_000.0, 15_000.0 + 3_000.0])
    assert cum[-1] == pytest.approx(15_000.0)
    assert (low[-1], high[-1]) == pytest.approx((13_000.0, 18_000.0))
    assert high[24] - cum[24] == pytest.approx(3_000.0 * math.sqrt(25 / 100), rel=1e-12)
    assert cum[24] - low[24] == pytest.approx(2_000.0 * 0.5, rel=1e-12)


def test_portfolio_map_panels_per_city_and_unplaced_buildings_noted(section):
    fig = portfolio_map(section, "en")
    json.dumps(fig)
    assert {t["xaxis"] for t in fig["data"]} == {"x", "x2"}
    assert fig["layout"]["yaxis2"]["scaleanchor"] == "x2"
    drawn = sum(len(t["x"]) for t in fig["data"])
    assert drawn == 5
    assert "1 of 6 buildings have no position" in json.dumps(fig["layout"]["annotations"])
    colours = {t["name"]: t["marker"]["color"] for t in fig["data"]}
    assert colours["exceeds constraint"] == "#D55E00" and colours["meets guide"] == "#009E73"
    assert "&lt;b&gt;" in json.dumps(fig["data"])  # user text is escaped
    assert "哥本哈根" in json.dumps(portfolio_map(section, "zh")["layout"]["annotations"], ensure_ascii=False)


def test_eui_chart_bars_coloured_by_verdict_with_guide_and_constraint_ticks(section):
    fig = eui_chart(section, "zh")
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert sum(len(t["x"]) for t in bars) == 6
    ticks = {t["name"]: t for t in fig["data"] if t["type"] == "scatter"}
    assert ticks["引导值"]["y"] == [70.0, 70.0, 70.0] and ticks["约束值"]["y"] == [85.0, 85.0, 85.0]
    assert any("E" in t["text"] for t in bars)


def test_verdict_classes():
    assert verdict_class(_gb("meets guide")) == "meets guide"
    assert verdict_class(_dk("A2020")) == "label_good"
    assert verdict_class(_dk("D")) == "label_fair"
    assert verdict_class(_dk("G")) == "label_poor"
    assert verdict_class(None) == "unknown"


def test_savings_chart_annotates_avoided_energy_and_band(section):
    fig = savings_chart(section["buildings"][0], "en")
    json.dumps(fig)
    assert "Avoided 18,000 kWh (15.0 % of predicted); 90 %: 14,000 to 22,000 kWh" in json.dumps(fig["layout"])
    with pytest.raises(InputError, match="no measured savings"):
        savings_chart(section["buildings"][1], "en")
    with pytest.raises(InputError, match="language"):
        savings_chart(section["buildings"][0], "fr")


def test_table_rows_in_language(section):
    rows = table_rows(section, "zh")
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0]["flags"][0]["message"].startswith("夜间用电")
    assert rows[0]["quota"] == "有超额风险 (112 %)"
    assert rows[0]["verdict"] == "超过约束值" and rows[4]["verdict"] == "能效标识 E"


def test_table_rows_show_the_corrected_eui_and_a_user_table(section):
    # GB/T 51161 compares measured EUI × γ1·γ2 with the indicators; a user's table is named as such
    section = copy.deepcopy(section)
    section["buildings"][0]["benchmark"].update(corrected_eui_kwh_per_m2=91.1, correction_factor=0.759,
                                                confidence="user")
    section["buildings"][1]["benchmark"].update(corrected_eui_kwh_per_m2=80.0, correction_factor=1.0)
    en, zh = table_rows(section, "en"), table_rows(section, "zh")
    assert "corrected EUI 91 (use time and occupancy × 0.76)" in en[0]["benchmark"]
    assert "values from the user's table" in en[0]["benchmark"] and "用户提供" in zh[0]["benchmark"]
    assert "修正后能耗 91" in zh[0]["benchmark"]
    assert "corrected" not in en[1]["benchmark"]


# --- the rendered section ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_report_has_the_buildings_section(results, section, language):
    results["buildings"] = section
    html = render.report_html(results, language=language)
    assert 'id="buildings"' in html and 'href="#buildings"' in html
    assert 'id="buildings-synthetic-badge"' in html
    for plot in ("buildings-map", "buildings-eui", "buildings-savings-1"):
        assert f'id="{plot}"' in html
    assert html.count('<tr data-building="') == 6
    assert "Building 01 &lt;b&gt;" in html
    assert ("Night use is 62 %" if language == "en" else "夜间用电为白天的 62 %") in html
    assert "Beijing GB/T 51161 rows were not found" in html
    assert 'data-status="exceeds constraint"' in html


def test_report_without_buildings_has_no_section(results):
    html = render.report_html(results)
    assert 'id="buildings"' not in html


def test_real_data_flag_hides_the_badge_and_empty_portfolio_says_so(results, section):
    section = copy.deepcopy(section)
    section["synthetic"] = False
    results["buildings"] = section
    assert "buildings-synthetic-badge" not in render.report_html(results)
    section["buildings"] = []
    html = render.report_html(results)
    assert "The portfolio holds no buildings." in html


# --- the assess_district hook --------------------------------------------------------------


class _FakeAssess(types.ModuleType):
    """Stands in for ecocity.buildings.assess: records the call, returns the hand-made section."""

    def __init__(self):
        super().__init__("ecocity.buildings.assess")
        self.calls: list[tuple] = []
        def assess_portfolio(folder, *, workers=None, dask=None, store=None, use_cache=True, year=None,
                             progress=None, grid=None):
            self.calls.append((folder, {"workers": workers, "year": year, "grid": grid}))
            return types.SimpleNamespace(run_id="fake-run", cached=False)
        self.assess_portfolio = assess_portfolio
        self.portfolio_section = lambda result: make_section()


def _link(tmp_path, **extra):
    from ecocity.district.buildings import BuildingsLink

    return BuildingsLink(portfolio=tmp_path, **extra)


def test_hook_passes_year_workers_and_grid(tmp_path, monkeypatch):
    from ecocity.assess import buildings_section

    fake = _FakeAssess()
    monkeypatch.setitem(sys.modules, "ecocity.buildings.assess", fake)
    section = buildings_section(_link(tmp_path, year=2024, grid="denmark-2023"), workers=1)
    assert fake.calls == [(tmp_path, {"workers": 1, "year": 2024, "grid": "denmark-2023"})]
    assert section["n_buildings"] == 6


def test_a_district_with_buildings_toml_gets_the_section(tmp_path, monkeypatch):
    from ecocity.assess import assess_district

    monkeypatch.setitem(sys.modules, "ecocity.buildings.assess", _FakeAssess())
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    (folder / "bldg").mkdir()
    (folder / "bldg" / "portfolio.csv").write_text("building_id\n")
    (folder / "buildings.toml").write_text('portfolio = "bldg"\nyear = 2024\n')
    done = assess_district(folder, tmp_path / "out", workers=1, scenarios=[])
    stored = json.loads(done.results_path.read_text(encoding="utf-8"))
    assert stored["buildings"]["n_buildings"] == 6
    assert any(s["source"] == "Liu & Ren 2018, Table 7" for s in stored["sources"])
    assert 'id="buildings"' in done.report_path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_example_portfolio_renders_in_both_languages(results):
    """The 70 synthetic buildings of examples/buildings through ecocity.buildings.assess (~15 s)."""
    assess = pytest.importorskip("ecocity.buildings.assess")
    section = assess.portfolio_section(assess.assess_portfolio(
        Path(__file__).resolve().parents[2] / "examples" / "buildings", workers=1))
    section = json.loads(json.dumps(section, allow_nan=False))
    results["buildings"] = section
    bars = [t for t in eui_chart(section, "en")["data"] if t["type"] == "bar"]
    assert sorted(y for t in bars for y in t["y"]) == sorted(b["eui_kwh_per_m2"] for b in section["buildings"])
    with_savings = sum(1 for b in section["buildings"] if b["savings"] and b["savings"]["daily"])
    for language in ("en", "zh"):
        html = render.report_html(results, language=language)
        assert html.count('<tr data-building="') == section["n_buildings"] == 70
        assert html.count('id="buildings-savings-') == with_savings > 0
        assert 'id="buildings-synthetic-badge"' in html
