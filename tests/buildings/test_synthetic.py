"""Synthetic weather and meters reproduce the statistics and coefficients they were built from.

References
----------
Monthly means, within-month SDs and degree days of the ASHRAE IWEC typical years (Beijing WMO
545110, Copenhagen WMO 061800) as tabulated in the team's reference notes shared/references/buildings.md §3.2-3.3
(values [2+] / [C]); CalTRACK 2.0 daily model form (HDD/CDD change-point regression).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings.synthetic import (
    Fault,
    Retrofit,
    expected_degree_days,
    meter_coefficients,
    occupied_days,
    load_schedule,
    synthetic_meter,
    synthetic_temperature,
)
from ecocity.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "buildings"

# buildings.md §3.2, IWEC monthly mean of daily means [°C], January first.
IWEC_MEAN_C = {
    "beijing": [-2.9, 0.0, 6.1, 14.3, 20.4, 25.2, 26.4, 25.0, 20.4, 13.7, 4.8, -0.5],
    "copenhagen": [1.5, 0.2, 2.9, 6.2, 11.5, 14.7, 16.6, 16.9, 12.3, 9.7, 5.1, 1.6],
}
# buildings.md §3.2, within-month SD of daily means [°C].
IWEC_SD_C = {
    "beijing": [2.5, 2.3, 2.6, 3.0, 2.8, 2.6, 1.8, 2.0, 1.9, 2.5, 4.0, 2.7],
    "copenhagen": [2.4, 3.0, 1.7, 2.1, 1.6, 1.9, 1.6, 2.5, 2.0, 2.6, 2.4, 3.2],
}
# buildings.md §3.3, HDD base 18 °C from daily means of the IWEC years [K·d/a].
IWEC_HDD18 = {"beijing": 2750.0, "copenhagen": 3563.0}
MONTHLY_MEAN_TOL_C = 0.5  # brief: monthly means within 0.5 °C
SD_TOL_C = 0.2  # within-month SD over 200 years (sampling scatter ~0.05 °C)
HDD_REL_TOL = 0.02  # the closed-form expectation against one typical year's count


@pytest.fixture(scope="module", params=["beijing", "copenhagen"])
def long_daily(request: pytest.FixtureRequest) -> tuple[str, pd.Series]:
    city = request.param
    return city, synthetic_temperature(city, "1900-01-01", "2100-01-01", freq="D", seed=11)


def test_monthly_means_match_the_iwec_normals(long_daily: tuple[str, pd.Series]) -> None:
    city, daily = long_daily
    monthly = daily.groupby(daily.index.month).mean().to_numpy()
    np.testing.assert_allclose(monthly, IWEC_MEAN_C[city], atol=MONTHLY_MEAN_TOL_C)


def test_within_month_spread_matches_the_iwec_sd(long_daily: tuple[str, pd.Series]) -> None:
    city, daily = long_daily
    sd = daily.groupby([daily.index.year, daily.index.month]).std().groupby(level=1).mean().to_numpy()
    np.testing.assert_allclose(sd, IWEC_SD_C[city], atol=SD_TOL_C)


@pytest.mark.parametrize("city", ["beijing", "copenhagen"])
def test_expected_heating_degree_days_match_the_iwec_year(city: str) -> None:
    assert expected_degree_days(city, 18.0, "heating") == pytest.approx(IWEC_HDD18[city], rel=HDD_REL_TOL)


def test_hourly_series_keeps_the_daily_means_and_has_a_diurnal_cycle() -> None:
    hourly = synthetic_temperature("beijing", "2023-01-01", "2024-01-01", seed=5)
    daily = synthetic_temperature("beijing", "2023-01-01", "2024-01-01", freq="D", seed=5)
    assert len(hourly) == 8760 and hourly.attrs["synthetic"] is True
    np.testing.assert_allclose(hourly.resample("D").mean().to_numpy(), daily.to_numpy(), atol=1e-9)
    by_hour = hourly.groupby(hourly.index.hour).mean()
    assert by_hour.idxmax() == 15 and by_hour.idxmin() == 3
    # Beijing CMA 1971-2000 annual mean diurnal range 10.65 K; a cosine sampled hourly spans it.
    assert by_hour.max() - by_hour.min() == pytest.approx(10.65, rel=0.05)


def test_same_seed_same_series_and_other_seed_differs() -> None:
    a = synthetic_temperature("copenhagen", "2023-01-01", "2023-02-01", seed=1)
    b = synthetic_temperature("copenhagen", "2023-01-01", "2023-02-01", seed=1)
    c = synthetic_temperature("copenhagen", "2023-01-01", "2023-02-01", seed=2)
    pd.testing.assert_series_equal(a, b)
    assert not np.allclose(a.to_numpy(), c.to_numpy())


def _design(temperature: pd.Series, coefficients: dict, occupied: np.ndarray) -> np.ndarray:
    t = temperature.resample("D").mean().to_numpy()
    return np.column_stack([
        occupied, ~occupied,
        np.maximum(0.0, coefficients["heating_balance_c"] - t),
        np.maximum(0.0, t - coefficients["cooling_balance_c"]),
    ]).astype(float)


@pytest.fixture(scope="module")
def beijing_hourly() -> pd.Series:
    return synthetic_temperature("beijing", "2022-01-01", "2025-01-01", seed=3)


def test_noise_free_daily_totals_regress_exactly_to_the_coefficients(beijing_hourly: pd.Series) -> None:
    meter = synthetic_meter("office", 20_000.0, beijing_hourly, noise=False, seed=1)
    truth = meter.attrs["coefficients"]
    occupied = occupied_days(meter.resample("D").sum().index, load_schedule("office"))
    fit, *_ = np.linalg.lstsq(_design(beijing_hourly, truth, occupied), meter.resample("D").sum().to_numpy(), rcond=None)
    expected = [truth["base_occupied_day_kwh"], truth["base_unoccupied_day_kwh"],
                truth["heating_slope_kwh_per_k_day"], truth["cooling_slope_kwh_per_k_day"]]
    np.testing.assert_allclose(fit, expected, rtol=1e-9)


def test_noisy_daily_totals_recover_base_and_slopes(beijing_hourly: pd.Series) -> None:
    meter = synthetic_meter("hospital", 40_000.0, beijing_hourly, seed=4)
    truth = meter.attrs["coefficients"]
    daily = meter.resample("D").sum()
    occupied = occupied_days(daily.index, load_schedule("hospital"))
    design = _design(beijing_hourly, truth, occupied)[:, [0, 2, 3]]  # hospitals: every day occupied
    fit, *_ = np.linalg.lstsq(design, daily.to_numpy(), rcond=None)
    # 5 % daily noise over 1096 days: base within 1 %, cooling slope within 3 %, the small
    # heating slope (3 % of use) within 25 %.
    assert fit[0] == pytest.approx(truth["base_occupied_day_kwh"], rel=0.01)
    assert fit[2] == pytest.approx(truth["cooling_slope_kwh_per_k_day"], rel=0.03)
    assert fit[1] == pytest.approx(truth["heating_slope_kwh_per_k_day"], rel=0.25)


def test_annual_use_meets_the_eui_target_in_an_average_year() -> None:
    # 30 synthetic years average the weather out; target = the type's EUI (toml).
    temperature = synthetic_temperature("copenhagen", "1990-01-01", "2020-01-01", seed=8)
    meter = synthetic_meter("school", 8_000.0, temperature, city="copenhagen", carrier="district_heat", noise=False)
    annual = meter.resample("YS").sum().mean() / 8_000.0
    assert annual == pytest.approx(100.0, rel=0.02)


def test_retrofit_lowers_use_by_its_saving_from_its_date(beijing_hourly: pd.Series) -> None:
    plain = synthetic_meter("mall", 50_000.0, beijing_hourly, noise=False)
    saved = synthetic_meter("mall", 50_000.0, beijing_hourly, noise=False, retrofit=Retrofit("2023-07-01", 0.2))
    before, after = plain.index < "2023-07-01", plain.index >= "2023-07-01"
    np.testing.assert_allclose(saved[before].to_numpy(), plain[before].to_numpy())
    assert saved[after].sum() / plain[after].sum() == pytest.approx(0.8, rel=1e-9)
    assert saved.attrs["coefficients_after_retrofit"]["cooling_slope_kwh_per_k_day"] == pytest.approx(
        0.8 * plain.attrs["coefficients"]["cooling_slope_kwh_per_k_day"])


@pytest.mark.parametrize("kind", ["baseload_creep", "night_share", "wrong_season_cooling", "level_shift"])
def test_faults_add_use_only_after_their_start(beijing_hourly: pd.Series, kind: str) -> None:
    plain = synthetic_meter("office", 20_000.0, beijing_hourly, noise=False)
    faulty = synthetic_meter("office", 20_000.0, beijing_hourly, noise=False, fault=Fault(kind, "2023-10-01"))
    before = plain.index < "2023-10-01"
    np.testing.assert_allclose(faulty[before].to_numpy(), plain[before].to_numpy())
    assert faulty[~before].sum() > 1.02 * plain[~before].sum()


def test_stuck_meter_repeats_one_reading(beijing_hourly: pd.Series) -> None:
    faulty = synthetic_meter("school", 10_000.0, beijing_hourly, fault=("stuck", "2023-03-01"), seed=2)
    window = faulty["2023-03-01":"2023-03-14 23:00"]
    assert window.nunique() == 1 and window.iloc[0] == faulty.loc["2023-02-28 23:00"]
    assert faulty.loc["2023-03-15":"2023-03-20"].nunique() > 1


def test_coefficients_scale_with_floor_area() -> None:
    small = meter_coefficients("office", 1_000.0)
    large = meter_coefficients("office", 3_000.0)
    assert large.cooling_slope_kwh_per_k_day == pytest.approx(3 * small.cooling_slope_kwh_per_k_day)
    assert large.base_occupied_day_kwh == pytest.approx(3 * small.base_occupied_day_kwh)


def test_bad_inputs_are_named() -> None:
    daily = synthetic_temperature("beijing", "2023-01-01", "2023-02-01", freq="D")
    with pytest.raises(InputError, match="hourly"):
        synthetic_meter("office", 1_000.0, daily)
    with pytest.raises(InputError, match="unknown city"):
        synthetic_temperature("shanghai")
    with pytest.raises(InputError, match="naive"):
        synthetic_meter("office", 1_000.0, synthetic_temperature("beijing", "2023-01-01", "2023-01-03").tz_localize("Asia/Shanghai"))
    with pytest.raises(InputError, match="before the first"):
        synthetic_meter("office", 1_000.0, synthetic_temperature("beijing", "2023-01-01", "2023-01-03"), fault=("stuck", "2023-01-01"))
    with pytest.raises(InputError, match="unknown fault kind"):
        Fault("leak", "2023-01-01")
    with pytest.raises(InputError, match="no synthetic parameters"):
        meter_coefficients("mall", 1_000.0, city="copenhagen")


# --- the example portfolio ------------------------------------------------------------------


@pytest.mark.parametrize("city", ["beijing", "copenhagen"])
def test_example_weather_is_the_simple_format_and_covers_two_years(city: str) -> None:
    frame = pd.read_csv(EXAMPLE / "weather" / f"{city}_hourly.csv", parse_dates=["timestamp"])
    assert list(frame.columns) == ["timestamp", "temperature_c"]
    span = frame["timestamp"].iloc[-1] - frame["timestamp"].iloc[0]
    assert span >= pd.Timedelta(days=730) and frame["temperature_c"].notna().all()


def test_example_portfolio_lists_readable_meters_covering_two_years() -> None:
    portfolio = pd.read_csv(EXAMPLE / "portfolio.csv")
    truth = pd.read_csv(EXAMPLE / "truth.csv")
    assert (portfolio["city"] == "beijing").sum() >= 45 and (portfolio["city"] == "copenhagen").sum() >= 18
    assert set(truth["building_id"]) <= set(portfolio["building_id"])
    assert {"retrofit", "fault"} <= set(truth["event"].dropna())
    beijing = portfolio[portfolio["city"] == "beijing"]
    assert beijing["lon"].between(116.6, 116.8).all() and beijing["lat"].between(39.8, 39.95).all()
    row = portfolio.iloc[0]
    meter = pd.read_parquet(EXAMPLE / row["electricity_file"])
    assert list(meter.columns) == ["timestamp", "value"]
    assert meter["timestamp"].iloc[-1] - meter["timestamp"].iloc[0] >= pd.Timedelta(days=730)
    size = sum(p.stat().st_size for p in EXAMPLE.rglob("*") if p.is_file())
    assert size < 5 * 2**20


def test_example_meter_and_weather_files_regress_to_their_ground_truth() -> None:
    # A building without events: its file's daily totals against the file's weather give back the
    # coefficients in truth.csv (5 % daily noise, 1096 days: base 1 %, cooling slope 3 %).
    truth = pd.read_csv(EXAMPLE / "truth.csv").set_index(["building_id", "meter"]).loc[("TZ-OFF-01", "electricity")]
    meter = pd.read_parquet(EXAMPLE / "meters" / "TZ-OFF-01_electricity.parquet").set_index("timestamp")["value"]
    weather = pd.read_csv(EXAMPLE / "weather" / "beijing_hourly.csv", parse_dates=["timestamp"], index_col="timestamp")
    daily = meter.astype(float).resample("D").sum()
    occupied = occupied_days(daily.index, load_schedule("office", "beijing"))
    design = _design(weather["temperature_c"], truth.to_dict(), occupied)
    fit, *_ = np.linalg.lstsq(design, daily.to_numpy(), rcond=None)
    assert fit[0] == pytest.approx(truth["base_occupied_day_kwh"], rel=0.01)
    assert fit[1] == pytest.approx(truth["base_unoccupied_day_kwh"], rel=0.02)
    assert fit[3] == pytest.approx(truth["cooling_slope_kwh_per_k_day"], rel=0.03)
