"""A portfolio analysis as one store run: saved once, read back unchanged, recomputed when its inputs change.

Reference: the store's caching rule (``ecocity.store.catalogue``: a run is found by its inputs'
hash and area) and the section schema of ``portfolio_section``; the numbers themselves are pinned
by test_assess.py.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from buildings.example_portfolio import small_portfolio
from ecocity.buildings import portfolio_run, portfolio_store
from ecocity.errors import InputError
from ecocity.store import Store

TWO = ("TZ-OFF-03", "CPH-OFF-02")


def two_buildings(folder: Path) -> Path:
    return small_portfolio(folder, TWO)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = two_buildings(tmp_path_factory.mktemp("two") / "two")
    db = folder / "ecocity-out" / "ecocity.db"
    return folder, db, portfolio_run.assess_portfolio(folder, workers=1, store=db)


def test_one_run_holds_indicators_ranking_and_section(saved):
    folder, db, result = saved
    assert result.run_id and not result.cached
    with Store.open(db) as store:
        runs = store.runs()
        assert [(r.area, r.district, r.scenario, r.status) for r in runs] == [
            ("buildings", "two", "portfolio", "complete")]
        stored = store.load(result.run_id)
    pd.testing.assert_frame_equal(stored.series["ranking"], result.ranking)
    section = portfolio_run.portfolio_section(result)
    assert stored.figures["portfolio_section"] == json.loads(json.dumps(section))
    by_id = {b["building_id"]: b for b in section["buildings"]}
    for bid in TWO:
        scope = f"building:{bid}"
        assert stored.indicator("eui", scope).value == pytest.approx(by_id[bid]["eui_kwh_per_m2"], rel=1e-12)
        assert stored.indicator("savings_potential_co2", scope).value == pytest.approx(
            by_id[bid]["potential"]["t_co2"], rel=1e-12)
        assert stored.indicator("flags", scope).value == len(by_id[bid]["flags"])
    assert stored.indicator("quota_ratio", "building:TZ-OFF-03").target == 1.0
    assert stored.indicator("buildings").value == 2
    assert stored.indicator("savings_potential").value == pytest.approx(
        sum(b["potential"]["kwh"] for b in section["buildings"]), rel=1e-12)
    assert stored.indicator("savings_potential_cost_CNY").unit == "CNY/a"
    assert stored.indicator("savings_potential_cost_DKK").unit == "DKK/a"


def test_unchanged_portfolio_is_read_back_and_changes_are_recomputed(saved):
    folder, db, first = saved
    again = portfolio_run.assess_portfolio(folder, workers=1, store=db)
    assert again.cached and again.run_id == first.run_id and again.buildings == []
    assert portfolio_run.portfolio_section(again) == json.loads(json.dumps(portfolio_run.portfolio_section(first)))
    # another option, then a changed meter file: new runs
    other_grid = portfolio_run.assess_portfolio(folder, workers=1, store=db, grid="china-2023")
    assert not other_grid.cached and other_grid.run_id != first.run_id
    meter = folder / "meters" / "CPH-OFF-02_district_heat.parquet"
    frame = pd.read_parquet(meter)
    frame.loc[frame.index[-1], "value"] *= 1.01
    frame.to_parquet(meter)
    changed = portfolio_run.assess_portfolio(folder, workers=1, store=db)
    assert not changed.cached and changed.run_id not in (first.run_id, other_grid.run_id)
    fresh = portfolio_run.assess_portfolio(folder, workers=1, store=db, use_cache=False)
    assert not fresh.cached
    with Store.open(db) as store:
        assert len(store.runs()) == 4


def test_store_hash_counts_every_file_read(saved):
    folder, _, _ = saved
    files = portfolio_run._input_files(folder, portfolio_run.read_portfolio(folder))
    names = {p.name for p in files}
    assert {"portfolio.csv", "TZ-OFF-03_electricity.parquet", "CPH-OFF-02_district_heat.parquet",
            "beijing_hourly.csv", "copenhagen_hourly.csv"} <= names
    assert portfolio_store.input_hash(files, {"model": "daily"}) != portfolio_store.input_hash(files, {"model": "hourly"})


def test_unknown_grid_is_an_input_error_before_any_work(tmp_path):
    folder = two_buildings(tmp_path / "p")
    with pytest.raises(InputError, match="grid factor 'mars'"):
        portfolio_run.assess_portfolio(folder, workers=1, grid="mars")


def test_district_buildings_section_uses_the_store_and_the_toml_grid(tmp_path):
    # ecocity assess: buildings.toml's grid reaches the ranking; the run lands in the district's store.
    from ecocity.assess import buildings_section
    from ecocity.district.buildings import BuildingsLink

    folder = two_buildings(tmp_path / "p")
    link = BuildingsLink(portfolio=folder, year=2024, grid="china-2023")
    db = tmp_path / "out" / "ecocity.db"
    first = buildings_section(link, workers=1, store=db)
    second = buildings_section(link, workers=1, store=db)
    assert not first["cached"] and second["cached"] and second["run_id"] == first["run_id"]
    assert any("china-2023" in s["value"] for s in first["sources"])
    assert not any("grid" in note for note in first["notes"])
    with Store.open(db) as store:
        assert [(r.area, r.scenario) for r in store.runs()] == [("buildings", "2024")]
    # an indicator table named in buildings.toml reaches the benchmark and is part of the run's key
    table = tmp_path / "gbt.csv"
    table.write_text("building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n"
                     "office,beijing,500,400,test values\n")
    third = buildings_section(link.model_copy(update={"indicators": table}), workers=1, store=db)
    assert not third["cached"]
    office = {b["building_id"]: b for b in third["buildings"]}["TZ-OFF-03"]
    assert (office["benchmark"]["verdict"], office["benchmark"]["confidence"]) == ("meets guide", "user")


def test_a_read_only_store_is_read_but_not_written(saved, monkeypatch):
    folder, db, _ = saved  # analysed (and saved) at least once by the fixture and the tests above
    monkeypatch.setattr(Store, "readonly", property(lambda self: True))
    read = portfolio_run.assess_portfolio(folder, workers=1, store=db)
    assert read.cached and read.run_id
    fresh = portfolio_run.assess_portfolio(folder, workers=1, store=db, use_cache=False)
    assert fresh.run_id is None and not fresh.cached
    assert "read-only: this analysis was not saved" in portfolio_run.portfolio_section(fresh)["notes"][-1]
