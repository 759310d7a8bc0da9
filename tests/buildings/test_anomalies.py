"""Anomaly detectors on constructed series where the truth is known, and no flags on a clean one.

The clean series: a Beijing-like office, two years hourly; occupied Mon-Fri 08-18 at 100 kWh/h,
30 kWh/h otherwise, heating 4 kWh/h per degC below 15 degC and cooling 5 kWh/h per degC above
22 degC in occupied hours, multiplicative noise 3 % (seeded). Daily mean temperature follows the
Beijing IWEC annual cycle (mean 12.8 degC, Jan -2.9, Jul 26.4: buildings.md sec. 3.2) with AR(1)
day-to-day anomalies (SD 2.39 degC, rho 0.58, same table).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings import anomalies as an
from ecocity.errors import InputError

DAYS = 730


def _temperature(days=DAYS, seed=3):
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2024-01-01", periods=days, freq="D")
    doy = np.arange(days) % 365
    cycle = 12.8 - 14.7 * np.cos(2 * np.pi * (doy - 15) / 365)
    a = np.zeros(days)
    for i in range(1, days):
        a[i] = 0.58 * a[i - 1] + rng.normal(0, 2.39 * np.sqrt(1 - 0.58**2))
    return pd.Series(cycle + a, index=idx)


def _office(temp_daily, seed=4, night=30.0):
    rng = np.random.default_rng(seed)
    idx = pd.date_range(temp_daily.index[0], periods=len(temp_daily) * 24, freq="h")
    t = np.repeat(temp_daily.to_numpy(), 24)
    occ = (idx.hour >= 8) & (idx.hour < 18) & (idx.day_of_week < 5)
    load = np.where(occ, 100.0 + 4.0 * np.maximum(0, 15 - t) + 5.0 * np.maximum(0, t - 22), night)
    return pd.Series(load * (1 + 0.03 * rng.standard_normal(len(idx))), index=idx, name="value")


@pytest.fixture(scope="module")
def clean():
    temp = _temperature()
    return _office(temp), temp


def test_clean_series_raises_no_flag(clean):
    usage, temp = clean
    assert an.all_flags(usage, temp) == []
    assert an.all_flags(an.to_daily(usage), temp) == []


def test_to_daily_sums_full_days_only(clean):
    usage, _ = clean
    d = an.to_daily(usage.drop(usage.index[5]))
    assert len(d) == DAYS and np.isnan(d.iloc[0])
    assert d.iloc[1] == pytest.approx(usage.iloc[24:48].sum(), rel=1e-12)


def test_stuck_meter_finds_a_constant_run(clean):
    usage, _ = clean
    u = usage.copy()
    u.iloc[1000:1030] = 42.0                       # 30 h constant
    flags = an.stuck_meter(u)
    assert len(flags) == 1
    f = flags[0]
    assert (f.start, f.end) == (u.index[1000], u.index[1029])
    assert f.evidence["duration_h"] == pytest.approx(30.0)
    assert "42" in f.message_en and "42" in f.message_zh
    assert an.stuck_meter(usage) == []


def test_stuck_meter_ignores_runs_shorter_than_threshold(clean):
    usage, _ = clean
    u = usage.copy()
    u.iloc[1000:1020] = 42.0                       # 20 h < 24 h
    assert an.stuck_meter(u) == []


def test_baseload_creep_detects_a_growing_night_load(clean):
    _, temp = clean
    creeping = _office(temp, night=30.0)
    night = ~((creeping.index.hour >= 8) & (creeping.index.hour < 18) & (creeping.index.day_of_week < 5))
    years = (creeping.index - creeping.index[0]).days.to_numpy() / 365.25
    creeping[night] *= 1 + 0.20 * years[night]     # +20 %/yr of the night load
    flags = an.baseload_creep(creeping)
    assert len(flags) == 1
    # the rate is quoted against the median base load (mid-series, ~1.2 x start): 20/1.2 = 16.7 %/yr
    assert flags[0].evidence["rate_percent_per_year"] == pytest.approx(16.7, abs=2.0)
    assert flags[0].severity == "warning"


def test_night_weekend_share_flags_equipment_left_on(clean):
    _, temp = clean
    leaky = _office(temp, night=100.0)
    occ = (leaky.index.hour >= 8) & (leaky.index.hour < 18) & (leaky.index.day_of_week < 5)
    flags = an.night_weekend_share(leaky)
    assert len(flags) == 1 and flags[0].severity == "alert"
    assert flags[0].evidence["ratio_unoccupied_to_occupied"] == pytest.approx(
        leaky[~occ].mean() / leaky[occ].mean(), rel=1e-12)
    assert flags[0].evidence["ratio_unoccupied_to_occupied"] > 0.7


def test_night_weekend_share_accepts_other_occupancy(clean):
    _, temp = clean
    leaky = _office(temp, night=75.0)
    always = {"occupied_hours": [0, 24], "occupied_weekdays": [0, 1, 2, 3, 4, 5, 6]}
    assert an.night_weekend_share(leaky, overrides=always) == []
    with pytest.raises(InputError, match="unknown threshold"):
        an.night_weekend_share(leaky, overrides={"nonsense": 1})


def test_heating_in_summer_is_flagged(clean):
    usage, temp = clean
    u = usage.copy()
    t_hourly = np.repeat(temp.to_numpy(), 24)
    warm = t_hourly >= 20
    u[warm] += 6.0 * np.maximum(0, 28 - t_hourly[warm])       # heating that follows cooler warm days
    flags = an.wrong_season(u, temp)
    assert [f.evidence["slope_kwh_per_d_per_c"] < 0 for f in flags] == [True]
    assert "warm days" in flags[0].message_en


def test_cooling_in_winter_is_flagged(clean):
    usage, temp = clean
    u = usage.copy()
    t_hourly = np.repeat(temp.to_numpy(), 24)
    cold = t_hourly <= 5
    u[cold] += 8.0 * np.maximum(0, t_hourly[cold] + 10)
    flags = an.wrong_season(u, temp)
    assert len(flags) == 1 and flags[0].evidence["slope_kwh_per_d_per_c"] > 0
    assert "cold days" in flags[0].message_en


def test_level_shift_found_on_the_right_day(clean):
    usage, temp = clean
    daily = an.to_daily(usage)
    shifted = daily.copy()
    shifted.iloc[400:] += 0.25 * daily.mean()                  # +25 % from day 400
    flags = an.level_shifts(shifted, temp)
    assert len(flags) == 1
    assert abs((flags[0].start - daily.index[400]).days) <= 2
    assert flags[0].evidence["shift_kwh_per_d"] == pytest.approx(0.25 * daily.mean(), rel=0.1)
    assert flags[0].severity == "alert"


def test_two_level_shifts_by_binary_segmentation():
    rng = np.random.default_rng(9)
    x = np.concatenate([np.zeros(100), np.full(80, 10.0), np.full(120, 3.0)]) + rng.normal(0, 1, 300)
    assert an.change_points(x, min_segment=14, t_statistic=5.0, max_changes=5) == pytest.approx([100, 180], abs=2)


def test_level_shift_uses_a_model_when_given(clean):
    usage, temp = clean
    daily = an.to_daily(usage)

    class Model:                       # exact daily prediction without noise
        def predict(self, t):
            return daily.reindex(t.index).to_numpy() * 1.0

    shifted = daily.copy()
    shifted.iloc[300:] *= 0.85
    flags = an.level_shifts(shifted, temp, Model())
    assert len(flags) == 1 and abs((flags[0].start - daily.index[300]).days) <= 2
    assert flags[0].evidence["shift_kwh_per_d"] < 0


def test_coarse_daily_register_is_not_called_stuck():
    # daily heat ~11 kWh/d rounded to 1 kWh (as the example portfolio's summer district heat):
    # equal days happen by chance (here up to 8 in a row, repeat rate ~0.39) and must not be flagged;
    # 15 equal days (chance 120 x 0.39^14 ~ 2e-4) must
    rng = np.random.default_rng(5)
    idx = pd.date_range("2023-06-01", periods=120, freq="D")
    heat = pd.Series(np.round(11 + rng.normal(0, 0.6, 120)), index=idx)
    assert an.stuck_meter(heat) == []
    heat.iloc[50:65] = 11.0
    flags = an.stuck_meter(heat)
    assert len(flags) == 1 and flags[0].start <= idx[50] and flags[0].end >= idx[64]


def test_parse_occupancy():
    assert an.parse_occupancy("Mon-Fri 08-18") == {"occupied_hours": [8, 18], "occupied_weekdays": [0, 1, 2, 3, 4]}
    assert an.parse_occupancy("daily 10-22")["occupied_weekdays"] == list(range(7))
    assert an.parse_occupancy("Mon-Fri 07-17 excl. vacations")["occupied_hours"] == [7, 17]
    with pytest.raises(InputError, match="occupancy"):
        an.parse_occupancy("weekdays")


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "buildings"
# (building, meter) -> expected kinds and the true start (examples/buildings/truth.csv)
EXAMPLE_FAULTS = {
    ("TZ-OFF-07", "electricity"): ({"night_weekend", "level_shift"}, "2023-11-06"),
    ("TZ-OFF-15", "electricity"): ({"baseload_creep"}, "2023-03-01"),
    ("TZ-OFF-19", "electricity"): ({"stuck_meter"}, "2023-12-01"),
    ("TZ-SCH-09", "electricity"): ({"level_shift"}, "2024-02-26"),
    ("TZ-HOS-05", "electricity"): ({"stuck_meter"}, "2024-05-10"),
    ("CPH-DAY-01", "electricity"): ({"baseload_creep"}, "2023-06-01"),
}
EXAMPLE_CLEAN = [("TZ-OFF-01", "electricity"), ("TZ-SCH-01", "electricity"), ("TZ-HOS-01", "electricity"),
                 ("TZ-MAL-01", "electricity"), ("CPH-OFF-02", "electricity"), ("CPH-OFF-02", "district_heat")]


def _example_flags(building, meter):
    portfolio = pd.read_csv(EXAMPLES / "portfolio.csv").set_index("building_id")
    b = portfolio.loc[building]
    usage = pd.read_parquet(EXAMPLES / b[f"{meter}_file"]).set_index("timestamp")["value"].astype(float)
    w = pd.read_csv(EXAMPLES / b["weather_file"], parse_dates=["timestamp"]).set_index("timestamp")["temperature_c"]
    return an.all_flags(usage, w, occupancy=b["occupancy_hours"], building_type=b["type"])


@pytest.mark.skipif(not (EXAMPLES / "truth.csv").exists(), reason="example portfolio not present")
@pytest.mark.parametrize(("building", "meter"), list(EXAMPLE_FAULTS))
def test_example_portfolio_faults_are_found(building, meter):
    kinds, start = EXAMPLE_FAULTS[(building, meter)]
    flags = _example_flags(building, meter)
    found = {f.kind for f in flags}
    assert kinds <= found
    dated = [f for f in flags if f.kind in ("stuck_meter", "level_shift") and f.kind in kinds]
    for f in dated:                                  # stuck runs start at the last good reading
        assert abs((f.start - pd.Timestamp(start)).days) <= 1


@pytest.mark.skipif(not (EXAMPLES / "truth.csv").exists(), reason="example portfolio not present")
@pytest.mark.parametrize(("building", "meter"), EXAMPLE_CLEAN)
def test_example_portfolio_clean_meters_raise_no_flag(building, meter):
    assert _example_flags(building, meter) == []
