"""Today against a future climate: the district's scenarios under climate scenarios, stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecocity.assess import assess_district, input_hash, load_inputs
from ecocity.assess_climate import direction, future_input_hash, indicator_rows
from ecocity.climate.change import climate_scenario
from ecocity.district import load_district
from ecocity.errors import InputError
from ecocity.indicators.records import Indicator

SMALL = Path(__file__).parent / "data" / "districts" / "small"


def _district(folder: Path, climate_line: str) -> Path:
    """The small test district (2 days of rain) with one design storm and a [climate] scenarios line."""
    shutil.copytree(SMALL, folder)
    toml = folder / "district.toml"
    text = toml.read_text(encoding="utf-8").replace("design_storm_return_periods_yr = [2, 5, 50]",
                                                    "design_storm_return_periods_yr = [10]")
    toml.write_text(text.replace('peak_ratio = 0.4\n', f'peak_ratio = 0.4\n{climate_line}\n'), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = _district(tmp_path_factory.mktemp("climate") / "small", 'scenarios = ["user:1.2", "user:1.5"]')
    return assess_district(folder, folder / "out", scenarios=["baseline"], workers=1)


def _row(section: dict, design: str, name: str) -> dict:
    entry = next(d for d in section["designs"] if d["name"] == design)
    return next(r for r in entry["indicators"] if r["name"] == name)


def test_every_future_run_exists_and_is_stored(run):
    climates = run.results["climate"]["scenarios"]
    assert [c["name"] for c in climates] == ["user:1.2", "user:1.5"]
    run_ids = {d["run_id"] for c in climates for d in c["designs"]}
    assert len(run_ids) == 2 and all(not d["cached"] for c in climates for d in c["designs"])
    assert run_ids.isdisjoint({s["run_id"] for s in run.results["scenarios"]})
    document = json.loads(run.results_path.read_text(encoding="utf-8"))
    assert document["climate"] == run.results["climate"]


def test_factors_scale_rainfall_and_the_design_depth(run):
    for climate, k in zip(run.results["climate"]["scenarios"], (1.2, 1.5), strict=True):
        assert climate["storm_factors"] == [{"return_period_yr": 10.0, "factor": k}]
        rain = climate["rainfall"]
        assert rain["annual_mean_mm_future"] == pytest.approx(k * rain["annual_mean_mm_today"], rel=1e-12)
        curve = climate["capture_curve"]
        # Every day's depth x k moves days across the 2 mm threshold only upwards: the design
        # depth grows, by less than k for the days newly kept, never more.
        assert curve["today"]["design_depth_mm"] < curve["future"]["design_depth_mm"]
        assert curve["future"]["design_depth_mm"] <= k * curve["today"]["design_depth_mm"] * (1 + 1e-12)


def test_indicators_degrade_monotonically_with_the_factor(run):
    low, high = run.results["climate"]["scenarios"]
    for name, sense in (("capture_ratio", ">="), ("peak_flow_P10", "<="), ("outfall_volume_P10", "<="),
                        ("runoff_depth_mm_per_yr", "<=")):  # fmt: skip
        a, b = _row(low, "baseline", name), _row(high, "baseline", name)
        assert a["today"] == b["today"] and a["direction"] == sense
        ordered = [a["today"], a["future"], b["future"]]
        assert ordered == sorted(ordered, reverse=sense == ">=") and a["degraded"] and b["degraded"]
    assert _row(high, "baseline", "capital_cost_yuan")["degraded"] is None


def test_targets_are_evaluated_again_in_the_future(run):
    for climate in run.results["climate"]["scenarios"]:
        ratio = _row(climate, "baseline", "capture_ratio")
        assert ratio["target"] == 0.85
        assert ratio["passed_future"] == (ratio["future"] >= 0.85)
        design = climate["designs"][0]
        assert design["meets_targets_future"] is False  # the bare district misses 85 % today and later


def test_unchanged_future_runs_are_read_from_the_store(run):
    again = assess_district(run.out_dir.parent, run.out_dir, scenarios=["baseline"], workers=1, report=False,
                            climate=["user:1.5"])  # fmt: skip
    climates = again.results["climate"]["scenarios"]
    assert [c["name"] for c in climates] == ["user:1.2", "user:1.5"]  # the district's, the option's once
    assert all(d["cached"] for c in climates for d in c["designs"])
    assert climates == [dict(c, designs=[dict(d, cached=True) for d in c["designs"]])
                        for c in run.results["climate"]["scenarios"]]  # fmt: skip


def test_future_hash_includes_the_climate_scenario():
    district, rain = load_inputs(SMALL)
    baseline = district.scenario("baseline")
    today = input_hash(district, baseline, rain)
    hashes = {future_input_hash(district, baseline, rain, climate_scenario(n)) for n in ("user:1.2", "user:1.3", "dk-100yr")}
    assert len(hashes) == 3 and today not in hashes


def test_naming_climate_scenarios_leaves_todays_hash_alone(tmp_path):
    folder = _district(tmp_path / "small", 'scenarios = ["dk-100yr"]')
    plain = _district(tmp_path / "plain", "")
    a, rain_a = load_inputs(folder)
    b, rain_b = load_inputs(plain)
    assert a.climate.scenarios == ("dk-100yr",)
    assert input_hash(a, a.scenario("baseline"), rain_a) == input_hash(b, b.scenario("baseline"), rain_b)


def test_an_unknown_climate_scenario_names_district_toml(tmp_path):
    folder = _district(tmp_path / "small", 'scenarios = ["dk-2300"]')
    with pytest.raises(InputError, match=r"district\.toml.*climate.*scenarios.*unknown climate scenario 'dk-2300'"):
        load_district(folder)


def test_degradation_follows_the_indicator_direction():
    today = {"capture_ratio": Indicator("capture_ratio", 0.80, "-", target=0.85, passed=False),
             "flood_volume_m3": Indicator("flood_volume_m3", 10.0, "m3")}  # fmt: skip
    future = {"capture_ratio": Indicator("capture_ratio", 0.75, "-", target=0.85, passed=False),
              "flood_volume_m3": Indicator("flood_volume_m3", 8.0, "m3")}  # fmt: skip
    rows = {r["name"]: r for r in indicator_rows(today, future)}
    assert rows["capture_ratio"]["degraded"] is True and rows["capture_ratio"]["change"] == pytest.approx(-0.05)
    assert rows["flood_volume_m3"]["degraded"] is False
    assert direction("peak_flow_reduction_P2") == ">=" and direction("peak_flow_P2") == "<="
    assert direction("capital_cost_yuan") is None


def test_the_report_has_the_climate_section(run):
    html = run.report_path.read_text(encoding="utf-8")
    assert 'id="climate"' in html and 'href="#climate"' in html
    assert html.count('data-climate="user:') == 2 and html.count("climate-bars-") >= 4
    assert html.count('data-meets-future="✘"') == 2  # the bare district misses its targets under both


def test_an_open_store_is_used_for_the_future_runs_and_left_open(run):
    from ecocity.store import Store

    store = Store.open(run.out_dir / "ecocity.db")
    try:
        again = assess_district(run.out_dir.parent, run.out_dir, scenarios=["baseline"], workers=1, report=False,
                                store=store)  # fmt: skip
        designs = [d for c in again.results["climate"]["scenarios"] for d in c["designs"]]
        assert all(d["cached"] for d in designs)
        assert {store.load(d["run_id"]).figures["climate_scenario"] for d in designs} == {"user:1.2", "user:1.5"}
    finally:
        store.close()


def test_every_label_the_climate_section_uses_is_in_both_languages():
    import re
    from importlib import resources

    from ecocity.report.labels import _table

    package = resources.files("ecocity.report")
    used = set()
    for name in ("templates/climate.html", "climate_figures.py"):
        used |= set(re.findall(r"""text\(['"]([a-z_0-9]+)['"]""", package.joinpath(name).read_text("utf-8")))
    table = _table()["text"]
    assert {"climate", "climate_today", "climate_future", "climate_meets"} <= used <= set(table)
    assert all(table[key]["en"].strip() and table[key]["zh"].strip() for key in used)
    assert {"judgement", "user"} <= set(_table()["confidence"])


def test_the_pdf_version_draws_the_climate_figures_as_images(run):
    from ecocity.report.render import report_html

    html = report_html(run.results, static=True)
    section = html[html.index('<section id="climate">'):]
    section = section[:section.index("</section>")]
    assert section.count("data:image/png") == 2 * 3  # per climate: capture-ratio and peak-flow bars, the curve
    assert "FIGURES.push" not in section
