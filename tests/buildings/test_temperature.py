"""Temperature files, daily means (CalTRACK 2.2.2.3) and degree days against hand and published values."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings.temperature import (
    cooling_degree_days,
    daily_mean_temperature,
    degree_days,
    fahrenheit_to_celsius,
    heating_degree_days,
    read_temperature,
)
from ecocity.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "buildings" / "meters"
EXACT = 1e-12

# Monthly means of the daily-mean temperature, IWEC typical years (references/buildings.md §3.2),
# and the annual HDD18 from the same files' daily means (§3.3), [°C] and [K·d].
BEIJING_MONTHLY_C = [-2.9, 0.0, 6.1, 14.3, 20.4, 25.2, 26.4, 25.0, 20.4, 13.7, 4.8, -0.5]
COPENHAGEN_MONTHLY_C = [1.5, 0.2, 2.9, 6.2, 11.5, 14.7, 16.6, 16.9, 12.3, 9.7, 5.1, 1.6]
BEIJING_HDD18 = 2750.0
COPENHAGEN_HDD18 = 3563.0
BEIJING_MONTHLY_HDD18 = [649, 504, 369, 114, 11, 0, 0, 0, 4, 133, 395, 572]
COPENHAGEN_MONTHLY_HDD18 = [512, 499, 467, 353, 203, 101, 50, 55, 171, 258, 386, 508]


def monthly_step_series(monthly_c, year=2023) -> pd.Series:
    """A daily series holding each month's mean on every day of the month (a non-leap year)."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    return pd.Series(np.asarray(monthly_c)[days.month - 1], index=days, name="temperature_c")


def test_celsius_file_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("timestamp,temperature_c\n2024-01-01 00:00,-3.5\n2024-01-01 01:00,-4\n2024-01-01 02:00,\n")
    series = read_temperature(path)
    assert series.name == "temperature_c" and series.attrs["step"] == pd.Timedelta(hours=1)
    np.testing.assert_allclose(series.to_numpy(), [-3.5, -4.0, np.nan])


def test_fahrenheit_file_is_converted_to_celsius():
    series = read_temperature(DATA / "temperature_f.csv")
    np.testing.assert_allclose(series.to_numpy(), [0.0, 35.0, 10.0], atol=1e-12)
    assert fahrenheit_to_celsius(65.0) == pytest.approx(18.333333333333332, rel=EXACT)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("temperature_no_column.csv", r"temperature_no_column\.csv, field 'temperature_c': expected columns"),
        ("temperature_duplicate.csv", r"temperature_duplicate\.csv, record 'row 3', field 'timestamp': .*twice"),
    ],
)
def test_bad_temperature_files_name_file_row_and_column(name, pattern):
    with pytest.raises(InputError, match=pattern):
        read_temperature(DATA / name)


def test_implausible_temperatures_are_warned_about(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("timestamp,temperature_c\n2024-01-01,271\n2024-01-02,272\n")
    with pytest.warns(UserWarning, match="outside"):
        read_temperature(path)


def test_daily_mean_needs_more_than_twelve_hours():
    # CalTRACK 2.2.2.3 (eemeter percent_hourly_coverage_per_day=0.5: count > 12).
    index = pd.date_range("2024-01-01", periods=48, freq="h")
    values = np.r_[np.arange(13.0), np.full(11, np.nan), np.arange(12.0), np.full(12, np.nan)]
    daily = daily_mean_temperature(pd.Series(values, index=index))
    assert daily.iloc[0] == pytest.approx(6.0, rel=EXACT) and np.isnan(daily.iloc[1])


def test_degree_days_against_hand_values():
    daily = pd.Series([10.0, 20.0, 18.0, np.nan], index=pd.date_range("2024-01-01", periods=4, freq="D"))
    np.testing.assert_allclose(heating_degree_days(daily, 18.0).to_numpy(), [8.0, 0.0, 0.0, np.nan])
    np.testing.assert_allclose(cooling_degree_days(daily, 18.0).to_numpy(), [0.0, 2.0, 0.0, np.nan])
    both = degree_days(daily, [15.0, 18.0])
    assert list(both.columns) == [15.0, 18.0]
    np.testing.assert_allclose(both.iloc[0].to_numpy(), [5.0, 8.0])


def test_hourly_method_counts_cold_hours_of_a_mild_day():
    # Hours alternate 10 and 20 °C (mean 15). Base 18: daily method 3 K·d; hourly method (8 + 0)/2 = 4 K·d.
    index = pd.date_range("2024-01-01", periods=24, freq="h")
    hourly = pd.Series(np.tile([10.0, 20.0], 12), index=index)
    assert heating_degree_days(hourly, 18.0).iloc[0] == pytest.approx(3.0, rel=EXACT)
    assert heating_degree_days(hourly, 18.0, method="hourly").iloc[0] == pytest.approx(4.0, rel=EXACT)
    assert cooling_degree_days(hourly, 18.0, method="hourly").iloc[0] == pytest.approx(1.0, rel=EXACT)


@pytest.mark.parametrize(
    ("monthly_c", "monthly_hdd"),
    [(BEIJING_MONTHLY_C, BEIJING_MONTHLY_HDD18), (COPENHAGEN_MONTHLY_C, COPENHAGEN_MONTHLY_HDD18)],
    ids=["beijing", "copenhagen"],
)
def test_monthly_hdd18_of_cold_months_matches_the_iwec_values(monthly_c, monthly_hdd):
    # In a month whose every day is below 18 °C, HDD = days × (18 − monthly mean) exactly; the
    # published means are rounded to 0.1 °C and the HDD to 1 K·d, so allow days × 0.05 + 0.5.
    hdd = heating_degree_days(monthly_step_series(monthly_c), 18.0)
    by_month = hdd.groupby(hdd.index.month).sum()
    for month, (mean_c, reference) in enumerate(zip(monthly_c, monthly_hdd), start=1):
        days = calendar.monthrange(2023, month)[1]
        if mean_c < 12.0:  # far enough below the base that (nearly) no day is above it
            assert by_month[month] == pytest.approx(reference, abs=days * 0.05 + 0.5)
        else:  # degree days are convex in T: the monthly mean gives a lower bound
            assert by_month[month] <= reference + days * 0.05 + 0.5


@pytest.mark.parametrize(
    ("monthly_c", "annual"),
    [(BEIJING_MONTHLY_C, BEIJING_HDD18), (COPENHAGEN_MONTHLY_C, COPENHAGEN_HDD18)],
    ids=["beijing", "copenhagen"],
)
def test_annual_hdd18_from_monthly_means_against_the_published_iwec_value(monthly_c, annual):
    # references/buildings.md §3.3: 2750 (Beijing) and 3563 K·d (Copenhagen) from daily means.
    # Monthly means lose the warm days of shoulder months (a lower bound): here -0.6 % and -0.8 %.
    total = heating_degree_days(monthly_step_series(monthly_c), 18.0).sum()
    assert total <= annual
    assert total == pytest.approx(annual, rel=0.015)


def test_daily_temperature_file_in_a_zone(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("timestamp,temperature_c\n2024-03-30,4.0\n2024-03-31,6.0\n2024-04-01,8.0\n")
    series = read_temperature(path, timezone="Europe/Copenhagen")
    assert series.attrs["step"] == pd.Timedelta(days=1)  # calendar days across the spring DST change
    np.testing.assert_allclose(heating_degree_days(series, 10.0).to_numpy(), [6.0, 4.0, 2.0])


def test_hourly_degree_days_on_a_23_hour_day():
    index = pd.date_range("2024-03-31", "2024-04-01", freq="h", tz="Europe/Copenhagen", inclusive="left")
    hourly = pd.Series(5.0, index=index)
    for method in ("daily", "hourly"):
        hdd = heating_degree_days(hourly, 15.0, method=method)
        assert len(hdd) == 1 and hdd.iloc[0] == pytest.approx(10.0, rel=EXACT)
