"""Meter files: every reader path, unit factors against their sources, checks, CalTRACK daily rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings.meters import (
    MeterChecks,
    data_sufficiency,
    daily_usage,
    load_units,
    read_meter,
)
from ecocity.errors import InputError

DATA = Path(__file__).parents[1] / "data" / "buildings" / "meters"
EXACT = 1e-12
"""Relative tolerance for exact definitions (floating-point rounding only)."""


def write_hourly(path: Path, values, start="2024-03-01 00:00", tz=None) -> Path:
    index = pd.date_range(start, periods=len(values), freq="h", tz=tz)
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M"), "value": values}).to_csv(path, index=False)
    return path


def write_daily(path: Path, values, start="2023-01-01") -> Path:
    index = pd.date_range(start, periods=len(values), freq="D")
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d"), "value": values}).to_csv(path, index=False)
    return path


# --- units ----------------------------------------------------------------------------------------


def test_gigajoule_is_exactly_2500_over_9_kwh():
    # SI: 1 kWh = 3.6 MJ, so 1 GJ = 1e9 / 3.6e6 kWh.
    assert load_units()["GJ"].factor == pytest.approx(1e9 / 3.6e6, rel=EXACT)
    assert load_units()["MWh"].factor == 1000.0


def test_chinese_natural_gas_factor_follows_gbt_2589_standard_coal_equivalent():
    # GB/T 2589-2020: natural gas 1.2143 kgce/m³ (references §1.6, [2+]); 1 kgce = 7000 kcal = 29.3076 MJ.
    kwh_per_m3 = 1.2143 * 7000 * 4.1868e-3 / 3.6
    assert load_units()["gas_m3_cn"].factor == pytest.approx(kwh_per_m3, rel=1e-6)
    assert load_units()["gas_m3_cn"].factor == pytest.approx(9.886, rel=1e-3)


def test_danish_natural_gas_factor_is_the_lower_calorific_value_39_6_mj():
    # gasnet.dk and natureenergy-distribution.dk: nedre brændværdi 39,6 MJ/Nm³ = 11 kWh/Nm³.
    assert load_units()["gas_m3_dk"].factor == pytest.approx(39.6 / 3.6, rel=EXACT)


def test_every_unit_has_a_source_and_a_confidence_mark():
    for unit in load_units().values():
        assert unit.source and unit.confidence in {"V", "2+", "1", "C"}


def test_heat_meter_in_gj_is_converted_to_kwh(tmp_path):
    meter = read_meter(write_hourly(tmp_path / "heat.csv", [0.36, 0.72, 0.36]), unit="GJ")
    assert meter.fuel == "heat" and meter.unit_in == "GJ" and meter.unit == "kWh"
    np.testing.assert_allclose(meter.usage.to_numpy(), [100.0, 200.0, 100.0], rtol=EXACT)


def test_water_meter_stays_in_cubic_metres(tmp_path):
    meter = read_meter(write_hourly(tmp_path / "water.csv", [500.0, 250.0]), unit="water_L")
    assert meter.fuel == "water" and meter.unit == "m3"
    np.testing.assert_allclose(meter.usage.to_numpy(), [0.5, 0.25], rtol=EXACT)


def test_bare_cubic_metres_are_refused_as_ambiguous():
    with pytest.raises(InputError, match=r"simple\.csv.*'unit'.*ambiguous.*gas_m3_cn"):
        read_meter(DATA / "simple.csv", unit="m3")


def test_unknown_unit_names_file_and_field():
    with pytest.raises(InputError, match=r"simple\.csv, field 'unit': unknown unit 'kcal'"):
        read_meter(DATA / "simple.csv", unit="kcal")


# --- interval files -------------------------------------------------------------------------------


def test_simplest_meter_csv_is_hourly_kwh_electricity():
    meter = read_meter(DATA / "simple.csv")
    assert meter.kind == "interval" and meter.fuel == "electricity"
    assert meter.interval == pd.Timedelta(hours=1)
    assert meter.usage.name == "value"
    assert meter.usage.index[0] == pd.Timestamp("2024-03-01 00:00")
    np.testing.assert_allclose(meter.usage.to_numpy(), [1.5, 1.25, 1.0, 2.0])
    assert meter.checks.issues() == []


def test_parquet_with_a_datetime_index_and_a_named_column(tmp_path):
    index = pd.date_range("2024-01-01", periods=8, freq="15min", name="timestamp")
    pd.DataFrame({"kwh": np.arange(8.0)}, index=index).to_parquet(tmp_path / "m.parquet")
    meter = read_meter(tmp_path / "m.parquet", column="kwh")
    assert meter.interval == pd.Timedelta(minutes=15)
    np.testing.assert_allclose(meter.usage.to_numpy(), np.arange(8.0))


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("missing_timestamp_column.csv", r"missing_timestamp_column\.csv, field 'timestamp': no 'timestamp' column"),
        ("bad_timestamp.csv", r"bad_timestamp\.csv, record 'row 2', field 'timestamp': cannot read '2024-03-01 25:00'"),
        ("bad_number.csv", r"bad_number\.csv, record 'row 2', field 'value': cannot read 'one' as a number"),
        ("duplicate_conflict.csv", r"duplicate_conflict\.csv, record 'row 3', field 'value'.*rows 2 and 3"),
        ("off_grid.csv", r"off_grid\.csv, record 'row 4', field 'timestamp': .*not on the meter's"),
        ("register_down.csv", r"register_down\.csv, record 'row 3', field 'reading': the register goes down"),
        ("billing_overlap.csv", r"billing_overlap\.csv, record 'row 2', field 'start'.*overlaps"),
    ],
)
def test_bad_input_names_file_row_and_column(name, pattern):
    with pytest.raises(InputError, match=pattern):
        read_meter(DATA / name)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_meter(tmp_path / "nowhere.csv")


def test_identical_duplicates_are_kept_once_and_reported():
    meter = read_meter(DATA / "duplicate_identical.csv")
    assert len(meter.usage) == 3
    assert meter.checks.duplicates == [pd.Timestamp("2024-03-01 01:00")]
    assert any("recorded twice with the same value" in line for line in meter.checks.issues())


def test_gap_is_kept_missing_and_reported(tmp_path):
    path = tmp_path / "gap.csv"
    pd.DataFrame({"timestamp": ["2024-03-01 00:00", "2024-03-01 01:00", "2024-03-01 04:00"], "value": [1, 2, 3]}).to_csv(path, index=False)
    meter = read_meter(path)
    assert len(meter.usage) == 5 and meter.usage.isna().sum() == 2
    assert meter.checks.gaps == [(pd.Timestamp("2024-03-01 02:00"), pd.Timestamp("2024-03-01 03:00"))]
    assert meter.checks.counts["gaps"] == 1


def test_empty_value_is_kept_missing_and_reported(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("timestamp,value\n2024-03-01 00:00,1\n2024-03-01 01:00,\n2024-03-01 02:00,3\n")
    meter = read_meter(path)
    assert np.isnan(meter.usage.iloc[1]) and meter.checks.missing == [pd.Timestamp("2024-03-01 01:00")]


def test_negative_values_are_kept_reported_and_missing_in_the_daily_use(tmp_path):
    values = [1.0] * 24
    values[5] = -2.0
    meter = read_meter(write_hourly(tmp_path / "neg.csv", values), unit="kWh", fuel="heat")
    assert meter.usage.iloc[5] == -2.0
    assert meter.checks.negatives == [pd.Timestamp("2024-03-01 05:00")]
    # 23 of 24 hours valid: 23 kWh scaled by 24/23 (CalTRACK 2.2.2.1 as eemeter applies it).
    assert daily_usage(meter).iloc[0] == pytest.approx(24.0, rel=EXACT)


def test_spikes_above_median_plus_three_iqr_are_flagged_not_removed(tmp_path):
    values = np.tile([1.0, 2.0, 3.0, 4.0], 6)  # median 2.5, IQR 3.25 - 1.75 = 1.5: threshold 7.0
    values[3], values[7] = 7.0, 7.5
    meter = read_meter(write_hourly(tmp_path / "spike.csv", values))
    assert meter.checks.spikes == [pd.Timestamp("2024-03-01 07:00")]
    assert meter.usage.iloc[7] == 7.5


# --- registers and billing --------------------------------------------------------------------------


def test_register_readings_become_interval_use_and_a_marked_reset_is_missing():
    meter = read_meter(DATA / "register_reset.csv")
    assert meter.kind == "register"
    np.testing.assert_allclose(meter.usage.to_numpy(), [2.0, np.nan, 3.0, 2.5])
    assert meter.usage.index[-1] == pd.Timestamp("2024-03-01 03:00")
    assert meter.checks.resets == [pd.Timestamp("2024-03-01 01:00")]
    assert any("register reset" in line for line in meter.checks.issues())


def test_register_use_across_a_missing_reading_is_spread_evenly(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("timestamp,reading\n2024-01-01,100\n2024-01-02,110\n2024-01-04,130\n")
    meter = read_meter(path, unit="MWh")
    np.testing.assert_allclose(meter.usage.to_numpy(), [10_000.0, 10_000.0, 10_000.0])
    assert any("spread evenly" in line for line in meter.checks.issues())


def test_billing_periods_with_inclusive_end_dates():
    meter = read_meter(DATA / "billing_inclusive.csv", unit="MWh")
    assert meter.kind == "billing" and meter.interval is None
    assert list(meter.usage["end"]) == list(pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01"]))
    assert meter.usage["value"].sum() == pytest.approx(9100.0)
    daily = daily_usage(meter)
    assert len(daily) == 91 and daily.iloc[0] == pytest.approx(100.0) and daily.iloc[-1] == pytest.approx(100.0)


# --- time zones -------------------------------------------------------------------------------------


def test_naive_timestamps_are_placed_in_the_given_zone_and_dst_days_are_full(tmp_path):
    # Copenhagen springs forward on 2024-03-31: the local day has 23 hours.
    index = pd.date_range("2024-03-31", "2024-04-01", freq="h", tz="Europe/Copenhagen", inclusive="left")
    assert len(index) == 23
    path = tmp_path / "dst.csv"
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%dT%H:%M%z"), "value": 1.0}).to_csv(path, index=False)
    with pytest.raises(InputError, match="time zone"):
        read_meter(path)  # offsets +0100 and +0200 in one file: days need the zone
    meter = read_meter(path, timezone="Europe/Copenhagen")
    daily = daily_usage(meter)
    assert len(daily) == 1 and daily.iloc[0] == pytest.approx(23.0, rel=EXACT)  # fully covered, not scaled


def test_a_single_utc_offset_is_kept_without_a_zone(tmp_path):
    path = tmp_path / "bj.csv"
    path.write_text("timestamp,value\n2024-03-01T00:00+08:00,1\n2024-03-01T01:00+08:00,2\n")
    meter = read_meter(path)
    assert meter.usage.index.tz is not None and meter.usage.index[0].hour == 0


# --- daily use --------------------------------------------------------------------------------------


def test_a_day_needs_more_than_half_of_its_hours(tmp_path):
    # eemeter downsample_and_clean_daily_data: coverage > 0.5 kept and scaled by 1/coverage.
    values = [2.0] * 13 + [np.nan] * 11 + [2.0] * 12 + [np.nan] * 12
    daily = daily_usage(read_meter(write_hourly(tmp_path / "cov.csv", values), fuel="heat"))
    assert daily.iloc[0] == pytest.approx(48.0, rel=EXACT)
    assert np.isnan(daily.iloc[1])


def test_zero_is_missing_for_electricity_only_by_default(tmp_path):
    path = write_daily(tmp_path / "d.csv", [5.0, 0.0, 6.0])
    assert np.isnan(daily_usage(read_meter(path)).iloc[1])  # CalTRACK 2.2.1.4
    assert daily_usage(read_meter(path, fuel="heat")).iloc[1] == 0.0
    assert daily_usage(read_meter(path), zero_is_missing=False).iloc[1] == 0.0


# --- CalTRACK data sufficiency (2.2.1) ---------------------------------------------------------------


def daily_series(n_days, missing=(), start="2023-01-01"):
    values = np.ones(n_days)
    values[list(missing)] = np.nan
    return pd.Series(values, index=pd.date_range(start, periods=n_days, freq="D"), name="value")


def test_a_full_year_is_sufficient():
    result = data_sufficiency(daily_series(365))
    assert result.ok and result.reasons == [] and result.n_days == 365 and result.fraction_valid == 1.0
    assert result.start == pd.Timestamp("2023-01-01") and result.end == pd.Timestamp("2024-01-01")


def test_ten_percent_missing_days_is_the_limit():
    assert data_sufficiency(daily_series(365, missing=range(36))).ok  # 36/365 = 9.9 % missing
    result = data_sufficiency(daily_series(365, missing=range(37)))  # 10.1 %
    assert not result.ok and "37 of 365 baseline days" in result.reasons[0]
    assert result.missing_share_by_month.iloc[0] == pytest.approx(1.0)
    assert result.missing_share_by_month.iloc[1] == pytest.approx(6 / 28)


def test_a_baseline_shorter_than_365_days_fails():
    result = data_sufficiency(daily_series(364))
    assert not result.ok and "2.2.1.1" in result.reasons[0]


def test_baseline_ends_at_the_intervention_date():
    daily = daily_series(500)
    result = data_sufficiency(daily, baseline_end="2024-01-01")
    assert result.ok and result.end == pd.Timestamp("2024-01-01") and result.n_days_valid == 365
    assert not data_sufficiency(daily, baseline_end="2023-12-01").ok


def test_days_without_temperature_count_as_missing():
    temperature = pd.Series(10.0, index=pd.date_range("2023-01-01", periods=365, freq="D"))
    temperature.iloc[:40] = np.nan
    assert not data_sufficiency(daily_series(365), temperature=temperature).ok


def test_zero_electricity_days_make_a_baseline_insufficient(tmp_path):
    values = np.full(365, 10.0)
    values[:40] = 0.0
    daily = daily_usage(read_meter(write_daily(tmp_path / "z.csv", values)))
    assert not data_sufficiency(daily).ok


def test_checks_without_findings_have_no_issues():
    assert MeterChecks().issues() == [] and set(MeterChecks().counts.values()) == {0}


def test_dates_without_a_time_mix_with_date_times(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("timestamp,value\n2024-03-01,1\n2024-03-01 01:00,2\n2024-03-01 02:00,3\n")
    assert list(read_meter(path).usage) == [1.0, 2.0, 3.0]


def test_billing_parquet_with_zone_aware_columns(tmp_path):
    start = pd.to_datetime(["2024-01-01", "2024-02-01"]).tz_localize("Asia/Shanghai")
    end = pd.to_datetime(["2024-02-01", "2024-03-01"]).tz_localize("Asia/Shanghai")
    pd.DataFrame({"start": start, "end": end, "usage_gj": [3.1, 2.9]}).to_parquet(tmp_path / "bill.parquet")
    meter = read_meter(tmp_path / "bill.parquet", unit="GJ", column="usage_gj")
    assert meter.kind == "billing" and meter.fuel == "heat"
    assert meter.usage["value"].iloc[0] == pytest.approx(3.1 * 1e9 / 3.6e6, rel=EXACT)
    daily = daily_usage(meter)
    assert len(daily) == 60 and str(daily.index.tz) == "Asia/Shanghai"
    assert daily.iloc[0] == pytest.approx(3.1 * 1e9 / 3.6e6 / 31, rel=EXACT)


def test_autumn_repeated_hour_is_resolved_by_file_order(tmp_path):
    # Copenhagen falls back on 2024-10-27: local 02:00-03:00 occurs twice; the day has 25 hours.
    index = pd.date_range("2024-10-27", "2024-10-28", freq="h", tz="Europe/Copenhagen", inclusive="left")
    assert len(index) == 25
    path = tmp_path / "autumn.csv"
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M"), "value": 2.0}).to_csv(path, index=False)
    meter = read_meter(path, timezone="Europe/Copenhagen")
    assert len(meter.usage) == 25 and meter.checks.duplicates == []
    assert daily_usage(meter).iloc[0] == pytest.approx(50.0, rel=EXACT)
