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
from ecocity.buildings.changepoints import weather_residuals
from ecocity.buildings.synthetic import Fault, synthetic_meter, synthetic_temperature
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


def test_weather_residuals_recover_an_exact_change_point_model_and_refuse_negative_slopes():
    # daily use = weekday base + 5 HDD(15 degC) + 8 CDD(20 degC): on the grid, so residuals vanish;
    # a July closure must not be fitted away by a negative cooling slope (CalTRACK 3.4.3.2:
    # only positive slopes qualify): most of it stays in the residuals (a smaller cooling slope takes some)
    temp = _temperature(days=1096)
    idx = temp.index
    base = np.array([100, 100, 100, 100, 100, 40, 40.0])[idx.day_of_week]
    exact = pd.Series(base + 5 * np.maximum(0, 15 - temp) + 8 * np.maximum(0, temp - 20), index=idx)
    assert float(np.abs(weather_residuals(exact, temp)).max()) < 1e-9
    closed = exact.where(idx.month != 7, exact - 60.0)
    r = weather_residuals(closed, temp)
    assert float(r[idx.month == 7].mean()) < -30.0

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



# --- calendars and constant cooling (synthetic meters of ecocity.buildings.synthetic) ---------

@pytest.fixture(scope="module")
def copenhagen_temperature():
    return synthetic_temperature("copenhagen", "2022-01-01", "2025-01-01", seed=20260102)


def test_school_breaks_are_not_level_shifts(copenhagen_temperature):
    # a Copenhagen school with the synthetic generator's summer and Christmas holidays and no fault:
    # without a calendar its 2022 summer holiday is taken for a shift; with one, nothing is flagged
    temp = copenhagen_temperature
    school = synthetic_meter("school", 3000.0, temp, city="copenhagen", seed=4)
    assert any(f.start == pd.Timestamp("2022-06-28") for f in an.level_shifts(school, temp))
    calendar = an.building_calendar("copenhagen", "school", [2022, 2023, 2024])
    assert an.level_shifts(school, temp, calendar=calendar) == []
    assert [f.kind for f in an.all_flags(school, temp, occupancy="Mon-Fri 07-17", building_type="school",
                                         city="copenhagen")] == []


def test_a_real_step_in_a_school_is_still_found(copenhagen_temperature):
    temp = copenhagen_temperature
    school = synthetic_meter("school", 3000.0, temp, city="copenhagen", seed=4,
                             fault=Fault("level_shift", "2023-10-09", magnitude=0.25))
    calendar = an.building_calendar("copenhagen", "school", [2022, 2023, 2024])
    flags = an.level_shifts(school, temp, calendar=calendar)
    assert len(flags) == 1 and abs((flags[0].start - pd.Timestamp("2023-10-09")).days) <= 2
    assert flags[0].evidence["shift_percent"] > 10


def test_night_weekend_share_counts_holidays_as_unoccupied(clean):
    usage, _ = clean
    calendar = an.building_calendar("beijing", "office", [2024, 2025])
    flat = an.night_weekend_share(usage, overrides={"warning_ratio": 0.0}, calendar=calendar)[0]
    on_day = calendar.occupied(usage.index, [0, 1, 2, 3, 4])
    occ = (usage.index.hour >= 8) & (usage.index.hour < 18) & on_day
    assert not on_day[usage.index.get_loc(pd.Timestamp("2024-02-12 10:00"))]     # Spring Festival Monday
    assert on_day[usage.index.get_loc(pd.Timestamp("2024-02-04 10:00"))]         # make-up Sunday
    assert flat.evidence["ratio_unoccupied_to_occupied"] == pytest.approx(
        usage[~occ].mean() / usage[occ].mean(), rel=1e-12)
    assert "holidays" in flat.message_en and "节假日" in flat.message_zh


@pytest.fixture(scope="module")
def beijing_temperature():
    return synthetic_temperature("beijing", "2022-01-01", "2025-01-01", seed=20260101)


def test_constant_cooling_all_winter_is_flagged(beijing_temperature):
    # the example's TZ-MAL-08 fault: +0.4 x the occupied base hour in open hours of days below the
    # heating balance point, 2023-10-15 to 2024-04-01; a mall of 12 open hours at ratio 0.2 gains
    # 0.4 x 12 / (12 + 0.2 x 12) = 33 % of its occupied-day base
    temp = beijing_temperature
    mall = synthetic_meter("mall", 30000.0, temp, city="beijing", seed=5,
                           fault=Fault("wrong_season_cooling", "2023-10-15", "2024-04-01", 0.4))
    assert [f for f in an.wrong_season(mall, temp) if f.evidence["slope_kwh_per_d_per_c"] > 0] == []
    flags = an.constant_cooling(mall, temp)
    assert len(flags) == 1 and flags[0].kind == "wrong_season" and flags[0].severity == "alert"
    assert pd.Timestamp("2023-10-15") <= flags[0].start and flags[0].end < pd.Timestamp("2024-04-01")
    assert flags[0].evidence["excess_percent"] == pytest.approx(100 * 0.4 * 12 / 14.4, abs=5.0)
    assert "cooling left on" in flags[0].message_en and "制冷" in flags[0].message_zh
    assert any(f.kind == "wrong_season" for f in an.all_flags(mall, temp, occupancy="daily 10-22",
                                                              building_type="mall", city="beijing"))


@pytest.mark.parametrize(("building_type", "city"), [("mall", "beijing"), ("office", "beijing"),
                                                     ("office", "copenhagen")])
def test_no_constant_cooling_flag_without_fault(building_type, city, beijing_temperature, copenhagen_temperature):
    # offices are partly electrically heated in the generator (cold-day excess that grows as it
    # gets colder): heating, not cooling
    temp = beijing_temperature if city == "beijing" else copenhagen_temperature
    meter = synthetic_meter(building_type, 20000.0, temp, city=city, seed=7)
    assert an.constant_cooling(meter, temp) == []


def test_seasons_cut_by_the_record_are_not_judged(beijing_temperature):
    # an electrically heated office whose weekend base is 0.6 of a weekday's and whose heating is not
    # scaled by occupancy (the benchmark portfolio's meters): in a season cut by the record's start
    # (only January-March) or end (only November-December) its few cold days show a weak heating
    # slope (t > -3), so the heating used to read as a constant excess (14 of 300 clean benchmark
    # meters). Truth: no chiller; only the complete season 2022/23 is judged.
    temp = beijing_temperature
    days = pd.date_range("2022-01-01", "2023-12-31", freq="D")
    t = temp.groupby(temp.index.normalize()).mean().reindex(days).to_numpy()
    base = np.where(days.day_of_week < 5, 1.0, 0.6) * 6000.0
    use = pd.Series(base + 180.0 * np.maximum(14.0 - t, 0.0) + 300.0 * np.maximum(t - 20.0, 0.0), index=days)
    use *= np.random.default_rng(3).lognormal(0.0, 0.05, len(days))
    seasons = [s for s, *_ in an.cold_seasons(use, temp, an._th("constant_cooling", None))]
    assert seasons == [2022]
    every = [s for s, *_ in an.cold_seasons(use, temp, {**an._th("constant_cooling", None),
                                                        "min_winter_month_share": 0.0})]
    assert every == [2021, 2022, 2023]
    assert an.constant_cooling(use, temp) == []


def test_constant_cooling_threshold_override(beijing_temperature):
    temp = beijing_temperature
    mall = synthetic_meter("mall", 30000.0, temp, city="beijing", seed=5,
                           fault=Fault("wrong_season_cooling", "2023-10-15", "2024-04-01", 0.4))
    assert an.constant_cooling(mall, temp, overrides={"min_excess_percent": 50.0}) == []
    with pytest.raises(InputError, match="unknown threshold"):
        an.constant_cooling(mall, temp, overrides={"excess": 1})

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "buildings"
# (building, meter) -> expected kinds and the true start (examples/buildings/truth.csv)
EXAMPLE_FAULTS = {
    ("TZ-OFF-07", "electricity"): ({"night_weekend", "level_shift"}, "2023-11-06"),
    ("TZ-OFF-15", "electricity"): ({"baseload_creep"}, "2023-03-01"),
    ("TZ-OFF-19", "electricity"): ({"stuck_meter"}, "2023-12-01"),
    ("TZ-SCH-09", "electricity"): ({"level_shift"}, "2024-02-26"),
    ("TZ-HOS-05", "electricity"): ({"stuck_meter"}, "2024-05-10"),
    ("TZ-MAL-08", "electricity"): ({"wrong_season"}, "2023-10-15"),
    ("CPH-DAY-01", "electricity"): ({"baseload_creep"}, "2023-06-01"),
    ("CPH-OFF-06", "district_heat"): ({"night_weekend"}, "2023-10-01"),   # daily heat: lost_setback
}
# the Copenhagen school and day-care meters were flagged (holidays as level shifts) before calendars,
# CPH-OFF-01 (a warm summer, cooling from 16 degC) before the stand-in model's cooling balance points reached 12 degC
EXAMPLE_CLEAN = [("TZ-OFF-01", "electricity"), ("TZ-SCH-01", "electricity"), ("TZ-HOS-01", "electricity"),
                 ("TZ-MAL-01", "electricity"), ("CPH-OFF-02", "electricity"), ("CPH-OFF-02", "district_heat"),
                 ("CPH-SCH-01", "electricity"), ("CPH-DAY-03", "electricity"), ("CPH-DAY-04", "electricity"),
                 ("CPH-OFF-01", "electricity")]


def _example_flags(building, meter):
    portfolio = pd.read_csv(EXAMPLES / "portfolio.csv").set_index("building_id")
    b = portfolio.loc[building]
    usage = pd.read_parquet(EXAMPLES / b[f"{meter}_file"]).set_index("timestamp")["value"].astype(float)
    w = pd.read_csv(EXAMPLES / b["weather_file"], parse_dates=["timestamp"]).set_index("timestamp")["temperature_c"]
    return an.all_flags(usage, w, occupancy=b["occupancy_hours"], building_type=b["type"], city=b["city"])


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


@pytest.mark.slow
@pytest.mark.skipif(not (EXAMPLES / "truth.csv").exists(), reason="example portfolio not present")
def test_example_portfolio_detection_counts():
    # the counts of docs/buildings/benchmarks-and-flags.md: 8 of 8 faults found (CPH-OFF-06, a lost
    # night set-back on a daily heat meter, since anomalies_daily.lost_setback); none of the 75
    # event-free meters flagged
    truth = pd.read_csv(EXAMPLES / "truth.csv")
    kinds = {"night_share": "night_weekend", "baseload_creep": "baseload_creep", "stuck": "stuck_meter",
             "level_shift": "level_shift", "wrong_season_cooling": "wrong_season"}
    found, flagged_clean = 0, []
    for row in truth.itertuples():
        flags = _example_flags(row.building_id, row.meter)
        if row.event == "fault":
            found += kinds[row.event_kind] in {f.kind for f in flags}
        elif not isinstance(row.event, str) and flags:
            flagged_clean.append((row.building_id, row.meter))
    assert found == 8
    assert flagged_clean == []
