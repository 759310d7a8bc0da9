"""Extraterrestrial radiation, Hargreaves ET0 and Beijing's monthly potential evaporation.

Reference numbers and their sources:

- FAO-56 (Allen et al. 1998, FAO Irrigation and Drainage Paper 56), Chapter 3 worked examples,
  Ra printed to 0.1 MJ m⁻² day⁻¹:
  Example 8, 20° S on 3 September (J = 246): Ra = 32.2;
  Example 10, Rio de Janeiro 22°54' S on 15 May (J = 135): Ra = 25.1;
  Example 15, Lyon 45°43' N on 15 July (J = 196): Ra = 40.6.
  Read here through two reproductions, not the paper itself: PyETo's test suite
  (woodcrafty/PyETo, tests/test_fao.py, Examples 8, 10, 15) and the NCL documentation of
  radext_fao56 / radsol_clrsky_fao56 (Example 10: J = 135, φ = −22.9°, Ra = 25.111) (R2).
- Beijing temperature normals 1971-2000 (CMA, via a Wikipedia mirror, S1): see
  ``climate/data/beijing_temperature_normals.toml``.
- Penman-Monteith ET0, long-term annual means mostly 800-1100 mm at 616 Chinese stations,
  1975-2004: Journal of Nanjing Institute of Meteorology 2007(5):705-709, abstract
  (http://60.2.155.220:8002/Qikan/Article/Detail?id=25658778) (S1; national, not Beijing's own).
- Hargreaves against FAO-56 Penman-Monteith at six North China stations: annual Hargreaves lower
  by 53.2-200.2 mm (4.6-15.1 %); monthly higher in summer, lower otherwise; Hargreaves peaks in
  June, as Penman-Monteith does. "Evaluation on several temperature-based methods for estimating
  reference crop evapotranspiration", Transactions of the CSAE 2006, abstract
  (http://tcsae.org/en/article/id/20060603) (S1).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecocity.climate.evaporation import (
    MID_MONTH_DAY_OF_YEAR,
    beijing_monthly_evaporation_mm_per_day,
    extraterrestrial_radiation_mj_per_m2_day,
    hargreaves_et0_mm_per_day,
    monthly_et0_mm_per_day,
)
from ecocity.errors import InputError

PRINTED_RA = 0.05  # FAO-56 prints Ra to 0.1 MJ m⁻² day⁻¹: half the last digit
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

PM_ANNUAL_RANGE_MM = (800.0, 1100.0)
"""Penman-Monteith ET0, long-term annual, most Chinese stations (J. Nanjing Inst. Meteorol. 2007)."""
HARGREAVES_PM_DIFFERENCE = 0.151
"""Largest annual |Hargreaves − PM| / PM at North China stations (Trans. CSAE 2006).

Applied both ways: the study found Hargreaves lower there, but its inputs were daily data, ours
are monthly normals (√(Tmax − Tmin) of a mean range exceeds the mean of daily √ ranges), and the
800-1100 mm band is national, not Beijing's (the study's own North China PM totals imply more)."""


@pytest.mark.parametrize(
    ("example", "latitude_deg", "day_of_year", "ra"),
    [
        ("Example 8, 20 S, 3 September", -20.0, 246, 32.2),
        ("Example 10, Rio de Janeiro, 15 May", -(22 + 54 / 60), 135, 25.1),
        ("Example 15, Lyon, 15 July", 45 + 43 / 60, 196, 40.6),
    ],
)
def test_extraterrestrial_radiation_matches_fao56_worked_examples(example, latitude_deg, day_of_year, ra):
    assert extraterrestrial_radiation_mj_per_m2_day(latitude_deg, day_of_year) == pytest.approx(ra, abs=PRINTED_RA)


def test_extraterrestrial_radiation_is_vectorised():
    latitudes = np.array([-20.0, 0.0, 39.93])
    days = np.array([246, 80, 196])
    together = extraterrestrial_radiation_mj_per_m2_day(latitudes, days)
    one_by_one = [extraterrestrial_radiation_mj_per_m2_day(lat, day) for lat, day in zip(latitudes, days, strict=True)]
    assert isinstance(together, np.ndarray)
    assert together == pytest.approx(one_by_one, rel=1e-12)


def test_polar_night_has_no_extraterrestrial_radiation():
    # 80 N on 21 December: the sun stays below the horizon, ω_s = 0.
    assert extraterrestrial_radiation_mj_per_m2_day(80.0, 355) == 0.0
    # 80 N on 21 June: midnight sun, ω_s = π, more than at the equator that day.
    assert extraterrestrial_radiation_mj_per_m2_day(80.0, 172) > extraterrestrial_radiation_mj_per_m2_day(0.0, 172)


@given(
    latitude_deg=st.floats(min_value=-90.0, max_value=90.0),
    day_of_year=st.integers(min_value=1, max_value=366),
)
def test_extraterrestrial_radiation_is_never_negative(latitude_deg, day_of_year):
    assert extraterrestrial_radiation_mj_per_m2_day(latitude_deg, day_of_year) >= 0.0


def test_hargreaves_pins_the_fao56_eq52_coefficients():
    # Tmin 10, Tmax 26 °C, Ra 25 MJ m⁻² d⁻¹: 0.0023 · (18 + 17.8) · √16 · (0.408 · 25)
    # = 0.0023 · 35.8 · 4 · 10.2 = 3.359472 mm/d.
    assert hargreaves_et0_mm_per_day(10.0, 26.0, 25.0) == pytest.approx(3.359472, rel=1e-12)


def test_hargreaves_is_vectorised_and_zero_without_temperature_range():
    et0 = hargreaves_et0_mm_per_day(np.array([10.0, 5.0]), np.array([26.0, 5.0]), np.array([25.0, 30.0]))
    assert isinstance(et0, np.ndarray)
    assert et0 == pytest.approx([3.359472, 0.0], abs=1e-12)


def test_hargreaves_is_zero_below_its_temperature_offset():
    # Tmean = −20 °C < −17.8 °C: the formula would go negative.
    assert hargreaves_et0_mm_per_day(-25.0, -15.0, 10.0) == 0.0


@given(
    t_min_c=st.floats(min_value=-40.0, max_value=40.0),
    range_c=st.floats(min_value=0.0, max_value=30.0),
    extra_c=st.floats(min_value=0.0, max_value=10.0),
    ra=st.floats(min_value=0.0, max_value=45.0),
)
def test_hargreaves_is_non_negative_and_grows_with_tmax(t_min_c, range_c, extra_c, ra):
    lower = hargreaves_et0_mm_per_day(t_min_c, t_min_c + range_c, ra)
    higher = hargreaves_et0_mm_per_day(t_min_c, t_min_c + range_c + extra_c, ra)
    assert lower >= 0.0
    assert higher >= lower - 1e-12


def test_monthly_et0_uses_the_15th_of_each_month():
    assert MID_MONTH_DAY_OF_YEAR == (15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349)
    t_min = np.full(12, 10.0)
    t_max = np.full(12, 26.0)
    ra = extraterrestrial_radiation_mj_per_m2_day(39.93, np.array(MID_MONTH_DAY_OF_YEAR))
    assert monthly_et0_mm_per_day(t_min, t_max, 39.93) == pytest.approx(
        tuple(hargreaves_et0_mm_per_day(t_min, t_max, ra)), rel=1e-12
    )


@pytest.fixture(scope="module")
def beijing():
    return beijing_monthly_evaporation_mm_per_day()


def test_beijing_evaporation_carries_its_provenance(beijing):
    assert len(beijing.values_mm_per_day) == 12
    assert beijing.confidence == "S1"
    assert beijing.period == "1971-2000"
    assert "liquisearch.com" in beijing.source
    assert "FAO-56 eq. 52" in beijing.method
    assert beijing.latitude_deg == pytest.approx(39.93)


def test_beijing_evaporation_is_positive_peaks_in_june_and_exceeds_january_in_july(beijing):
    values = np.array(beijing.values_mm_per_day)
    assert (values > 0).all()
    assert values[6] > values[0]  # July > January
    assert int(np.argmax(values)) == 5  # June, as Trans. CSAE (2006) found for Hargreaves and PM in North China


def test_beijing_annual_total_is_plausible_against_penman_monteith(beijing):
    annual_mm = float(np.dot(beijing.values_mm_per_day, DAYS_IN_MONTH))
    low, high = PM_ANNUAL_RANGE_MM
    assert low * (1 - HARGREAVES_PM_DIFFERENCE) <= annual_mm <= high * (1 + HARGREAVES_PM_DIFFERENCE)


def test_wrong_number_of_monthly_values_is_an_input_error():
    with pytest.raises(InputError, match="12 monthly values") as caught:
        monthly_et0_mm_per_day([0.0] * 11, [10.0] * 12, 39.93)
    assert caught.value.field == "t_min_c"
    with pytest.raises(InputError, match="12 monthly values") as caught:
        monthly_et0_mm_per_day([0.0] * 12, [[10.0] * 12], 39.93)
    assert caught.value.field == "t_max_c"


def test_tmax_below_tmin_is_an_input_error_naming_the_month():
    t_min = [0.0] * 12
    t_max = [10.0] * 12
    t_max[2] = -1.0
    with pytest.raises(InputError, match=r"month\(s\) 3 ") as caught:
        monthly_et0_mm_per_day(t_min, t_max, 39.93)
    assert caught.value.field == "t_max_c"
    with pytest.raises(InputError, match="Tmax must be ≥ Tmin"):
        hargreaves_et0_mm_per_day(12.0, 11.0, 30.0)


@pytest.mark.parametrize("latitude_deg", [90.5, -91.0, float("nan")])
def test_latitude_outside_90_degrees_is_an_input_error(latitude_deg):
    with pytest.raises(InputError, match="±90°") as caught:
        monthly_et0_mm_per_day([0.0] * 12, [10.0] * 12, latitude_deg)
    assert caught.value.field == "latitude_deg"
    with pytest.raises(InputError, match="±90°"):
        extraterrestrial_radiation_mj_per_m2_day(latitude_deg, 100)


@pytest.mark.parametrize("day_of_year", [0, 367, -5])
def test_day_of_year_outside_1_to_366_is_an_input_error(day_of_year):
    with pytest.raises(InputError, match="1-366") as caught:
        extraterrestrial_radiation_mj_per_m2_day(39.93, day_of_year)
    assert caught.value.field == "day_of_year"


def test_negative_radiation_or_nan_temperature_is_an_input_error():
    with pytest.raises(InputError, match="≥ 0"):
        hargreaves_et0_mm_per_day(10.0, 20.0, -1.0)
    with pytest.raises(InputError, match="NaN"):
        hargreaves_et0_mm_per_day(float("nan"), 20.0, 30.0)


def test_district_default_evaporation_is_the_beijing_hargreaves_series():
    from ecocity.district.model import Climate

    default = Climate.model_fields["evaporation_mm_per_day"].default
    computed = beijing_monthly_evaporation_mm_per_day().values_mm_per_day
    assert default == pytest.approx(computed, abs=0.005)  # rounded to 0.01 mm/d
