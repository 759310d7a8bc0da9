"""Benchmarks: GB/T 51161-2016 (secondary-source rows and corrections), Danish labels, percentile.

Sources of the reference numbers (see the team's reference notes shared/references/buildings.md):
- gamma1 example: GB/T 51161 office correction in public audit code (officeAmend): T = 14 h x 250 d
  + 6 h x 52 d = 3812 h/a -> gamma1 = 0.759 (3 significant digits -> tolerance 0.0005 absolute).
- HSCW office rows 85/70 and 110/80: Liu & Ren 2018, Energy Sustain. Soc. 8, Table 7.
- Danish bounds: hbemo HB2016 sec. 9.2.3 / BR18 sec. 475 / omregningstabeller (formulas, exact).
"""

import math

import numpy as np
import pytest
from scipy.stats import percentileofscore

from ecocity.buildings import benchmarks as bm
from ecocity.errors import InputError


def test_eui_is_use_over_area():
    assert bm.eui_kwh_per_m2(1_000_000.0, 10_000.0) == pytest.approx(100.0, rel=1e-12)


def test_eui_rejects_zero_area():
    with pytest.raises(InputError, match="floor_area_m2"):
        bm.eui_kwh_per_m2(1.0, 0.0)


def test_use_time_factor_reproduces_worked_example():
    t = 14 * 250 + 6 * 52
    assert t == 3812
    assert bm.office_use_time_factor(t) == pytest.approx(0.759, abs=5e-4)


def test_correction_factors_are_one_at_the_reference_point():
    assert bm.office_use_time_factor(2500.0) == pytest.approx(1.0, rel=1e-12)
    assert bm.office_occupancy_factor(10.0) == pytest.approx(1.0, rel=1e-12)
    assert bm.office_occupancy_factor(20.0) == pytest.approx(1.3, rel=1e-12)


def test_shanghai_class_b_office_against_liu_ren_row():
    a = bm.gbt51161_assessment("office_b", "shanghai", 100.0)
    assert (a.constraint_kwh_per_m2, a.guide_kwh_per_m2) == (110.0, 80.0)
    assert a.verdict == "meets constraint"
    assert a.confidence == "1" and "secondary source" in a.note


def test_corrections_change_the_verdict():
    # 100 kWh/m2 measured with 3812 h/a of use: corrected 75.9 -> meets the class-B guide 80
    a = bm.gbt51161_assessment("office_b", "hot_summer_cold_winter", 100.0, use_hours=3812.0, occupancy=10.0)
    assert a.corrected_eui_kwh_per_m2 == pytest.approx(75.9, abs=0.05)
    assert a.verdict == "meets guide"
    assert bm.gbt51161_assessment("office_a", "shanghai", 90.0).verdict == "exceeds constraint"


def test_beijing_values_are_not_shipped_and_say_so():
    a = bm.gbt51161_assessment("office_a", "beijing", 60.0)
    assert a.climate_zone == "severe_cold_and_cold"
    assert a.verdict == "not verified"
    assert a.constraint_kwh_per_m2 is None and a.guide_kwh_per_m2 is None
    assert "not shipped" in a.note


def test_unknown_city_names_the_data_file():
    with pytest.raises(InputError, match="gbt51161.toml"):
        bm.gbt51161_assessment("office_a", "atlantis", 60.0)


@pytest.mark.parametrize(("category", "area", "energy", "label"), [
    ("non_residential", 1000.0, 33.0, "A2020"),       # BR18 sec. 475: 33.0 flat
    ("non_residential", 1000.0, 42.0, "A2015"),       # 41 + 1000/1000 = 42 (bound inclusive)
    ("non_residential", 1000.0, 42.01, "A2010"),      # A2010 bound 72.95
    ("non_residential", 1000.0, 97.2, "B"),           # 95 + 2.2 = 97.2
    ("non_residential", 1000.0, 271.5, "F"),          # 265 + 6.5
    ("non_residential", 1000.0, 271.6, "G"),
    ("residential", 100.0, 40.0, "A2015"),            # 30 + 1000/100 = 40
    ("residential", 100.0, 69.0, "A2010"),            # 52.5 + 16.5 = 69
    ("residential", 100.0, 150.0, "D"),               # C bound 110 + 32 = 142 < 150 <= D bound 192
])
def test_danish_label_bands(category, area, energy, label):
    assert bm.danish_label(energy, category, area) == label


def test_danish_bounds_formula_values():
    b = bm.danish_label_bounds("non_residential", 2000.0)
    assert b["A2010"] == pytest.approx(71.3 + 1650 / 2000, rel=1e-12)
    assert list(b) == ["A2020", "A2015", "A2010", "B", "C", "D", "E", "F"]


def test_danish_primary_energy_uses_handbook_factors():
    # HB2023 sec. 1.4: 1.9 for electricity, 0.85 for district heating
    e = bm.danish_primary_energy_kwh_per_m2(10_000.0, 20_000.0, 1000.0)
    assert e == pytest.approx((1.9 * 10_000 + 0.85 * 20_000) / 1000, rel=1e-12)


def test_unknown_label_category():
    with pytest.raises(InputError, match="danish_labels.toml"):
        bm.danish_label(50.0, "industrial", 100.0)


def test_percentile_matches_scipy_weak_definition():
    rng = np.random.default_rng(1)
    values = rng.uniform(40, 200, 57)
    for v in (values[3], 100.0, 39.0, 250.0):
        assert bm.portfolio_percentile(v, values) == pytest.approx(percentileofscore(values, v, kind="weak"),
                                                                   rel=1e-12)
    assert bm.portfolio_percentile(5.0, [math.nan, 5.0, 10.0]) == pytest.approx(50.0)
