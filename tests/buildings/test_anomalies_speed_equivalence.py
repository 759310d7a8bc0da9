"""The fast paths of the daily anomaly detectors give the same numbers as the plain pandas/scipy code.

The reference implementations below are the detectors' earlier pandas code (kept here as the
oracle): the daily mean by ``groupby(normalize()).mean()``, :func:`cold_seasons` by pandas
group-bys and :func:`scipy.stats.linregress` for the slope. Equality is exact (bitwise) for the
arrays and frames, and for every flag's evidence.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from scipy import stats

from ecocity.buildings import anomalies as an
from ecocity.buildings import anomalies_daily as ad
from ecocity.buildings.calendars import building_calendar
from ecocity.buildings.synthetic import synthetic_temperature

_TH = {"shoulder_low_c": 10.0, "shoulder_high_c": 16.0, "cold_day_c": 5.0, "min_days": 20,
       "min_winter_month_share": 0.0}  # the reference had no winter-coverage rule


def _reference_slope(t, y):
    res = stats.linregress(t, y)
    tstat = res.slope / res.stderr if res.stderr > 0 else (math.inf if res.slope else 0.0)
    return float(res.slope), float(tstat)


def _reference_cold_seasons(usage_daily, temperature_c, th, calendar=None):
    u = an.to_daily(usage_daily)
    t = an._series(temperature_c, "temperature_c")
    t = t.groupby(t.index.normalize()).mean()
    df = pd.DataFrame({"u": u, "t": t}).dropna()
    if calendar is not None and len(df):
        df = df[~calendar.irregular(df.index)]
    if df.empty:
        return
    naive = df.index.tz_localize(None) if df.index.tz is not None else df.index
    df["season"] = np.where(naive.month >= 7, naive.year, naive.year - 1)
    df["weekday"] = naive.day_of_week
    for season, sub in df.groupby("season"):
        shoulder = sub[(sub["t"] >= th["shoulder_low_c"]) & (sub["t"] <= th["shoulder_high_c"])]
        cold = sub[sub["t"] <= th["cold_day_c"]]
        if len(shoulder) < th["min_days"] or len(cold) < th["min_days"]:
            continue
        ref = shoulder.groupby("weekday")["u"].median()
        ref_cold = cold["weekday"].map(ref)
        ok = ref_cold.notna() & (ref_cold > 0)
        if ok.sum() < th["min_days"]:
            continue
        cold, ref_cold = cold[ok], ref_cold[ok]
        relative = (cold["u"] / ref_cold).to_numpy()
        yield int(season), sub, ref, cold, relative, _reference_slope(cold["t"].to_numpy(), relative)


def _use(temperature_daily, seed, *, heated=False, chiller=False):
    """Daily use of an office: weekdays 1000, weekends 600 kWh/d, cooling above 20 °C, optional
    electric heating (30 kWh/d per K below 14 °C) and a constant 200 kWh/d below 10 °C; 5 % noise."""
    days, tc = temperature_daily.index, temperature_daily.to_numpy()
    use = np.where(days.day_of_week < 5, 1000.0, 600.0) + 40.0 * np.maximum(tc - 20.0, 0.0)
    if heated:
        use = use + 30.0 * np.maximum(14.0 - tc, 0.0)
    if chiller:
        use = use + 200.0 * (tc < 10.0)
    rng = np.random.default_rng(seed)
    return pd.Series(use * (1.0 + 0.05 * rng.standard_normal(len(use))), index=days)


@pytest.fixture(scope="module")
def weather():
    hourly = synthetic_temperature("beijing", "2022-01-01", "2025-01-01", seed=20260101)
    return hourly, hourly.groupby(hourly.index.normalize()).mean()


def _cases(weather):
    hourly, daily = weather
    cal = building_calendar("beijing", "office", range(2022, 2025))
    for seed, heated, chiller in ((1, False, False), (2, False, True), (3, True, False), (4, True, True)):
        u = _use(daily, seed, heated=heated, chiller=chiller)
        yield u, hourly, cal
        yield u.iloc[40:-100], daily, None                              # ranges that differ
    tz = "Europe/Copenhagen"                                              # time-zone aware
    hourly_tz = hourly.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dropna()
    u = _use(daily, 5, chiller=True)
    yield u.tz_localize(tz), hourly_tz, None
    gappy = _use(daily, 6, heated=True).copy()
    gappy.iloc[::7] = np.nan                                              # missing days
    yield gappy, hourly, cal


def test_cold_seasons_equal_the_pandas_reference(weather):
    n = 0
    for th in (_TH, {**_TH, "min_days": 5, "cold_day_c": 0.0}):
        for u, t, cal in _cases(weather):
            an._COLD_CACHE.clear()
            new, old = list(an.cold_seasons(u, t, th, cal)), list(_reference_cold_seasons(u, t, th, cal))
            assert len(new) == len(old)
            for a, b in zip(new, old):
                assert a[0] == b[0] and type(a[0]) is int
                assert_frame_equal(a[1], b[1], check_exact=True)
                assert_series_equal(a[2], b[2], check_exact=True)
                assert_frame_equal(a[3], b[3], check_exact=True)
                assert isinstance(a[4], np.ndarray) and np.array_equal(a[4], b[4])
                assert a[5] == b[5]
                n += 1
    assert n >= 20


def test_cold_seasons_reuses_the_last_call_only_for_the_same_objects(weather):
    _, daily = weather
    u = _use(daily, 2, chiller=True)
    first = list(an.cold_seasons(u, daily, _TH))
    again = list(an.cold_seasons(u, daily, dict(_TH)))                   # equal keys: reused
    assert first and all(a[1] is b[1] and a[4] is b[4] for a, b in zip(first, again))
    other = list(an.cold_seasons(u.copy(), daily, _TH))                  # an equal copy: computed again
    assert all(a[1] is not b[1] and np.array_equal(a[4], b[4]) for a, b in zip(first, other))
    changed = list(an.cold_seasons(u, daily, {**_TH, "cold_day_c": 0.0}))
    assert [len(s[3]) for s in changed] != [len(s[3]) for s in first]


def test_slope_equals_linregress_bitwise():
    rng = np.random.default_rng(7)
    for _ in range(500):
        k = int(rng.integers(3, 300))
        t = rng.normal(0.0, 5.0, k).round(int(rng.integers(0, 3)))
        y = rng.choice([3.0 * t + rng.normal(0, 1, k), np.full(k, 2.5), 2.0 * t, rng.normal(100, 5, k)])
        assert an._slope(t, y) == _reference_slope(t, y)
    for t, y in (([1.0, 2.0], [3.0, 5.0]), ([1.0, np.nan, 3.0], [1.0, 2.0, 4.0])):     # scipy's own path
        np.testing.assert_array_equal(an._slope(np.array(t), np.array(y)), _reference_slope(np.array(t), np.array(y)))


def test_daily_mean_is_the_grouped_mean(weather):
    hourly, daily = weather
    assert_series_equal(an._daily_mean(hourly), hourly.groupby(hourly.index.normalize()).mean())
    assert an._daily_mean(daily) is daily


def _flags(flags):
    return [(f.kind, f.severity, f.start, f.end, f.evidence, f.message_en) for f in flags]


def test_all_flags_are_the_same_with_hourly_or_daily_temperature(weather):
    hourly, daily = weather
    u = _use(daily, 2, chiller=True)
    for temperature in (hourly, daily):
        an._COLD_CACHE.clear()
        got = _flags(an.all_flags(u, temperature, building_type="office", city="beijing"))
        if temperature is hourly:
            first = got
    assert got == first and any(k == "wrong_season" for k, *_ in got)
    # the cache serves constant_cooling_heated the seasons constant_cooling computed
    an._COLD_CACHE.clear()
    heated = _use(daily, 4, heated=True, chiller=True)
    direct = _flags(ad.constant_cooling_heated(heated, daily))
    list(an.cold_seasons(heated, daily, an._th("constant_cooling", None)))
    assert _flags(ad.constant_cooling_heated(heated, daily)) == direct


def test_medians_by_key_equal_numpy_median():
    rng = np.random.default_rng(11)
    keys = rng.integers(0, 7, 301).astype(np.int32)
    values = rng.normal(500.0, 80.0, 301).round(1)                      # ties included
    days, medians = an._medians_by(keys, values)
    assert days.dtype == np.int32 and list(days) == sorted(set(keys.tolist()))
    assert medians.tolist() == [np.median(values[keys == d]) for d in days]
    reference = pd.Series(values).groupby(keys).median()
    assert medians.tolist() == reference.tolist()


@pytest.mark.parametrize("names", [("d", "d"), ("d", "e"), (None, "e"), ("d", None)])
def test_aligned_days_equal_the_dropped_frame(weather, names):
    _, daily = weather
    u = _use(daily, 1).iloc[30:500].rename_axis(names[0])
    u.iloc[::11] = np.nan
    t = daily.iloc[10:-40].rename_axis(names[1]).copy()
    t.iloc[::13] = np.nan
    index, uv, tv = an._aligned(u, t)
    want = pd.DataFrame({"u": u, "t": t}).dropna()
    pd.testing.assert_index_equal(index, want.index, exact=True)
    assert np.array_equal(uv, want["u"].to_numpy()) and np.array_equal(tv, want["t"].to_numpy())


def test_on_days_equals_reindex(weather):
    _, daily = weather
    t = daily.iloc[20:-20].copy()
    t.iloc[::9] = np.nan
    days = daily.index[::3].append(pd.DatetimeIndex(["2030-01-01"]))     # some outside t
    pd.testing.assert_series_equal(an._on_days(t, days), t.reindex(days), check_freq=False)
    hourly_days = pd.date_range("2022-02-01", periods=40, freq="D", tz="Asia/Shanghai")
    pd.testing.assert_series_equal(an._on_days(t, hourly_days), t.reindex(hourly_days))   # pandas' path


def test_weekday_residuals_equal_the_grouped_median(weather):
    _, daily = weather
    u = _use(daily, 3).iloc[:400]
    dow = np.asarray(u.index.day_of_week)
    days, medians = an._medians_by(dow, u.to_numpy())
    want = u - u.groupby(u.index.day_of_week).transform("median")
    assert np.array_equal((u - medians[np.searchsorted(days, dow)]).to_numpy(), want.to_numpy())


def test_the_daily_weather_is_reused_for_the_same_object_only(weather):
    hourly, _ = weather
    first = an._daily_temperature(hourly)
    assert an._daily_temperature(hourly) is first                        # a portfolio's shared weather
    pd.testing.assert_series_equal(first, hourly.groupby(hourly.index.normalize()).mean())
    shifted = hourly + 1.0
    assert np.allclose(an._daily_temperature(shifted).to_numpy(), first.to_numpy() + 1.0)


def test_the_days_of_a_usage_object_are_summed_once(weather):
    _, daily = weather
    hourly_use = pd.Series(np.repeat(_use(daily, 1).to_numpy() / 24.0, 24),
                           index=pd.date_range(daily.index[0], periods=24 * len(daily), freq="h"))
    days = an._days_of(hourly_use)
    assert an._days_of(hourly_use) is days
    pd.testing.assert_series_equal(days, an.to_daily(hourly_use))
    assert an._days_of(hourly_use.copy()) is not days
