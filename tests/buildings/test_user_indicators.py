"""GB/T 51161-2016 rows from the user's copy of the standard, and the use-time correction from opening hours.

References: the correction γ1 = 0.3 + 0.7·T0/T with T0 = 2 500 h/a and γ2 = 0.7 + 0.3·S/S0 with
S0 = 10 m²/person (GB/T 51161-2016 office correction, secondary source [1], see
``src/ecocity/buildings/data/gbt51161.toml``); China's 2023 public-holiday arrangement (国务院办公厅
2022-12-08: 249 working days in 2023, i.e. 365 − 104 weekend days − 15 weekday holidays + 3 make-up
Saturdays/Sundays); the indicator values in these tests are made-up test values, not the standard's.
"""

import math
from pathlib import Path

import pandas as pd
import pytest

from buildings.example_portfolio import small_portfolio
from ecocity.buildings import benchmarks as bm
from ecocity.buildings import portfolio_run, user_indicators
from ecocity.buildings.assess import annual_use_hours
from ecocity.errors import InputError

HEADER = "building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n"


def table(tmp_path: Path, body: str, header: str = HEADER, name: str = "gbt51161.csv",
          encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding=encoding)
    return path


def test_rows_are_read_with_zone_or_city_and_marked_user_supplied(tmp_path):
    path = table(tmp_path, ' Office ,beijing,80,60,"test copy, table 5.2.1"\nmall,severe_cold_and_cold,120,90,test\n',
                 header=HEADER.replace("source", "source,note"), encoding="utf-8-sig")
    t = user_indicators.read_indicator_table(path)
    rec = t.get("office", "severe_cold_and_cold")
    assert rec["constraint_kwh_per_m2"] == 80.0 and rec["guide_kwh_per_m2"] == 60.0
    assert rec["confidence"] == "user" and rec["user_supplied"]
    assert "test copy, table 5.2.1" in rec["source"] and "gbt51161.csv" in rec["source"] and "row 1" in rec["source"]
    assert t.get("MALL", "severe_cold_and_cold")["guide_kwh_per_m2"] == 90.0
    assert t.get("hotel", "severe_cold_and_cold") is None


@pytest.mark.parametrize(("body", "header", "match"), [
    ("office,beijing,80,60,x\n", HEADER.replace("source", "citation"), r"field 'source'.*no 'source' column"),
    ("", HEADER, "has no rows"),
    ("office,beijing,eighty,60,x\n", HEADER, r"row 1'.*field 'constraint_kwh_per_m2'.*'eighty'"),
    ("office,beijing,80,-5,x\n", HEADER, r"field 'guide_kwh_per_m2'.*> 0"),
    ("office,beijing,80,nan,x\n", HEADER, r"field 'guide_kwh_per_m2'"),
    ("office,beijing,60,80,x\n", HEADER, r"field 'guide_kwh_per_m2'.*above the constraint"),
    ("office,beijing,80,60,\n", HEADER, r"field 'source'.*empty source"),
    (",beijing,80,60,x\n", HEADER, r"field 'building_type'"),
    ("office,atlantis,80,60,x\n", HEADER, r"gbt51161.csv, record 'row 1', field 'climate_zone'.*atlantis"),
    ("office,beijing,80,60,x\noffice,tianjin,80,60,y\n", HEADER, r"row 2'.*given twice"),
])
def test_bad_tables_name_file_row_and_column(tmp_path, body, header, match):
    path = table(tmp_path, body, header=header)
    with pytest.raises(InputError, match=match) as err:
        user_indicators.read_indicator_table(path)
    assert err.value.file == str(path)


def test_reference_values_of_the_users_copy_replace_the_shipped_ones(tmp_path):
    cols = HEADER.replace("source", "source,reference_use_hours_per_a,reference_area_per_person_m2")
    t = user_indicators.read_indicator_table(table(tmp_path, "office,beijing,80,60,x,3000,8\nmall,beijing,120,90,y,4000,\n",
                                                   header=cols))
    a = bm.gbt51161_assessment("office", "beijing", 100.0, table=t, use_hours=3000.0, occupancy=8.0)
    assert (a.use_time_factor, a.occupancy_factor) == (1.0, 1.0)     # at the reference point
    m = bm.gbt51161_assessment("mall", "beijing", 100.0, table=t, use_hours=4380.0)
    assert m.use_time_factor == pytest.approx(0.3 + 0.7 * 4000.0 / 4380.0, rel=1e-12)
    # without the user's T0 the shipped mall T0 (doubtful: probably the office value) is not applied
    t2 = user_indicators.read_indicator_table(table(tmp_path, "mall,beijing,120,90,y\n", name="b.csv"))
    m2 = bm.gbt51161_assessment("mall", "beijing", 100.0, table=t2, use_hours=4380.0)
    assert m2.use_time_factor == 1.0 and "no verified use-time correction" in m2.note
    for body in ("hotel,beijing,120,90,y,4000,\n", "mall,beijing,120,90,y,,10\n"):
        with pytest.raises(InputError, match=r"field 'reference_.*only"):
            user_indicators.read_indicator_table(table(tmp_path, body, header=cols, name="c.csv"))
    with pytest.raises(InputError, match=r"field 'reference_use_hours_per_a'.*> 0 h/a"):
        user_indicators.read_indicator_table(table(tmp_path, "office,beijing,80,60,x,-1,\n", header=cols,
                                                   name="d.csv"))


def test_a_missing_table_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        user_indicators.read_indicator_table(tmp_path / "nope.csv")


def test_beijing_verdict_uses_the_users_row(tmp_path):
    t = user_indicators.read_indicator_table(table(tmp_path, "office_a,beijing,80,60,my copy\n"))
    assert bm.gbt51161_assessment("office_a", "beijing", 70.0).verdict == "not verified"
    a = bm.gbt51161_assessment("office_a", "beijing", 70.0, table=t)
    assert (a.verdict, a.constraint_kwh_per_m2, a.guide_kwh_per_m2, a.confidence) == (
        "meets constraint", 80.0, 60.0, "user")
    assert "user's table" in a.note and "my copy" in a.source
    assert bm.gbt51161_assessment("office_a", "beijing", 59.0, table=t).verdict == "meets guide"
    assert bm.gbt51161_assessment("office_a", "beijing", 81.0, table=t).verdict == "exceeds constraint"
    # the shipped office correction applies to the user's row: 3 812 h/a (the source's worked example)
    c = bm.gbt51161_assessment("office_a", "beijing", 100.0, table=t, use_hours=3812.0)
    assert c.corrected_eui_kwh_per_m2 == pytest.approx(100.0 * (0.3 + 0.7 * 2500.0 / 3812.0), rel=1e-12)
    assert c.verdict == "meets constraint"                     # 75.9 ≤ 80


def test_a_user_row_comes_before_the_shipped_row(tmp_path):
    t = user_indicators.read_indicator_table(table(tmp_path, "office_b,shanghai,100,75,my copy\n"))
    shipped = bm.gbt51161_assessment("office_b", "shanghai", 90.0)
    mine = bm.gbt51161_assessment("office_b", "shanghai", 90.0, table=t)
    assert (shipped.constraint_kwh_per_m2, shipped.confidence) == (110.0, "1")
    assert (mine.constraint_kwh_per_m2, mine.confidence, mine.verdict) == (100.0, "user", "meets constraint")


def test_annual_use_hours_follow_the_holiday_calendar():
    # China 2023: 249 working days (State Council arrangement of 2022-12-08) × 10 h
    assert annual_use_hours("Mon-Fri 08-18", "beijing", "office", 2023) == 2490.0
    # no holiday calendar: the weekdays of 2023 (Jan 1 is a Sunday: 52 weeks + 1 Sunday) → 260 × 10 h
    assert annual_use_hours("Mon-Fri 08-18", "atlantis", "office", 2023) == 2600.0
    # a schedule running every day keeps its hours on holidays: 365 × 12 h
    assert annual_use_hours("daily 10-22", "beijing", "mall", 2023) == 4380.0
    with pytest.raises(InputError, match="occupancy_hours"):
        annual_use_hours("whenever", "beijing", "office", 2023)


@pytest.fixture(scope="module")
def beijing_office(tmp_path_factory):
    return small_portfolio(tmp_path_factory.mktemp("user") / "p", ("TZ-OFF-01", "CPH-OFF-02"))


def test_portfolio_uses_the_folders_table_corrects_for_use_time_and_lists_the_source(beijing_office, tmp_path):
    folder = beijing_office
    plain = portfolio_run.portfolio_section(portfolio_run.assess_portfolio(folder, workers=1))
    by_id = {b["building_id"]: b for b in plain["buildings"]}
    eui = by_id["TZ-OFF-01"]["eui_kwh_per_m2"]
    assert by_id["TZ-OFF-01"]["benchmark"]["verdict"] == "not verified"
    assert by_id["TZ-OFF-01"]["potential"]["guide_from_peers"]
    # a user table whose guide sits below and constraint above the building's corrected EUI
    year = plain["year"]
    hours = annual_use_hours("Mon-Fri 08-18", "beijing", "office", year)
    gamma = 0.3 + 0.7 * 2500.0 / hours
    corrected = eui * gamma
    guide, constraint = math.floor(corrected) - 5, math.ceil(corrected) + 5
    path = table(folder, f"office,beijing,{constraint},{guide},test values\n")
    try:
        result = portfolio_run.assess_portfolio(folder, workers=1)
    finally:
        path.unlink()
    section = portfolio_run.portfolio_section(result)
    b = {x["building_id"]: x for x in section["buildings"]}["TZ-OFF-01"]
    assert b["benchmark"]["verdict"] == "meets constraint"
    assert b["benchmark"]["confidence"] == "user"
    assert b["benchmark"]["correction_factor"] == pytest.approx(gamma, rel=1e-9)
    assert b["benchmark"]["corrected_eui_kwh_per_m2"] == pytest.approx(corrected, rel=1e-9)
    # the savings potential is measured against the guide at this building's use time
    assert not b["potential"]["guide_from_peers"]
    assert b["potential"]["guide_kwh_per_m2"] == pytest.approx(guide / gamma, rel=1e-9)
    assert b["potential"]["kwh"] == pytest.approx((eui - guide / gamma) * b["floor_area_m2"], rel=1e-6)
    items = [s for s in section["sources"] if s["confidence"] == "user"]
    assert len(items) == 1 and "office in beijing (user table)" in items[0]["item"]
    assert f"guide {guide:g} / constraint {constraint:g}" in items[0]["value"]
    # the Copenhagen building keeps the Danish scale
    assert {x["building_id"]: x for x in section["buildings"]}["CPH-OFF-02"]["benchmark"]["label"]


def test_portfolio_table_errors_come_before_any_work(beijing_office, tmp_path):
    bad = table(tmp_path, "office,beijing,60,80,x\n", name="mine.csv")
    with pytest.raises(InputError, match=r"mine.csv.*guide_kwh_per_m2"):
        portfolio_run.assess_portfolio(beijing_office, workers=1, indicators=bad)


def test_occupants_column_is_checked(tmp_path):
    folder = small_portfolio(tmp_path / "p", ("TZ-OFF-01",))
    frame = pd.read_csv(folder / "portfolio.csv", dtype=str, keep_default_na=False)
    frame["occupants"] = "-3"
    frame.to_csv(folder / "portfolio.csv", index=False)
    with pytest.raises(InputError, match=r"row 1'.*field 'occupants'"):
        portfolio_run.read_portfolio(folder)
