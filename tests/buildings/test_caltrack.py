"""CalTRACK 2.0 daily and billing baselines (ecocity.buildings.caltrack).

References: CalTRACK methods 2.0, sections 3.2–3.4; eemeter 2.10.11 (usage_per_day.py, metrics.py,
derivatives.py); ASHRAE Guideline 14-2014 Annex B. Synthetic meters are built on the CalTRACK grid
(balance points at whole °F, e.g. 59 °F = 15 °C, 72 °F = 22.2 °C), so noise-free data must be
recovered to round-off.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecocity.buildings import caltrack as ct
from ecocity.errors import InputError, ModelError

ROUND_OFF = 1e-9  # relative; closed-form least squares in float64
HEATING_C = float(ct.f_to_c(59.0))  # 15 °C
COOLING_C = float(ct.f_to_c(72.0))  # 22.22 °C
GRID_STEP_C = 1.0 / 1.8  # 1 °F


def _temperatures(n: int = 365, seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    day = np.arange(n)
    t = 12.0 - 14.0 * np.cos(2 * np.pi * (day - 15) / 365) + rng.normal(0, 3, n)
    return pd.Series(t, index=pd.date_range("2023-01-01", periods=n, freq="D"))


def _usage(
    t: pd.Series, intercept: float, beta_h: float, beta_c: float, noise: float = 0.0, seed: int = 2
) -> pd.Series:
    rng = np.random.default_rng(seed)
    u = intercept + beta_h * np.maximum(HEATING_C - t, 0) + beta_c * np.maximum(t - COOLING_C, 0)
    return pd.Series(u + rng.normal(0, noise, t.size) if noise else u, index=t.index, name="value")


# --- settings and grid ---------------------------------------------------------------------------


def test_default_grid_is_30_to_90_f_in_1_f_steps_converted_to_c():
    # CalTRACK 3.2.2 / eemeter design_matrices range(30, 91)
    s = ct.default_settings("daily")
    assert len(s.balance_points_c) == 61
    assert s.balance_points_c[0] == pytest.approx(-10 / 9, rel=ROUND_OFF)
    assert s.balance_points_c[-1] == pytest.approx(290 / 9, rel=ROUND_OFF)
    assert s.minimum_non_zero_hdd == 10 and s.minimum_total_hdd_c == pytest.approx(20 / 1.8)
    b = ct.default_settings("billing")
    assert b.minimum_non_zero_cdd == 0 and b.coverage == 0.9


def test_unknown_setting_is_an_input_error():
    t = _temperatures()
    with pytest.raises(InputError, match="unknown CalTRACK settings"):
        ct.fit_daily(_usage(t, 10, 1, 1), t, settings={"min_days": 3})


# --- recovery and selection ----------------------------------------------------------------------


def test_noise_free_hdd_cdd_meter_is_recovered_exactly():
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 50.0, 4.0, 6.0), t)
    assert m.model_type == "hdd_cdd"
    assert m.heating_balance_c == pytest.approx(HEATING_C, rel=ROUND_OFF)
    assert m.cooling_balance_c == pytest.approx(COOLING_C, rel=ROUND_OFF)
    assert m.intercept_kwh_per_d == pytest.approx(50.0, rel=ROUND_OFF)
    assert m.beta_hdd_kwh_per_c_day == pytest.approx(4.0, rel=ROUND_OFF)
    assert m.beta_cdd_kwh_per_c_day == pytest.approx(6.0, rel=ROUND_OFF)
    assert m.adj_r_squared == pytest.approx(1.0, abs=1e-12)
    assert m.cvrmse == pytest.approx(0.0, abs=1e-9)


def test_noisy_hdd_cdd_meter_is_recovered_within_one_grid_step_and_5_percent():
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 50.0, 4.0, 6.0, noise=3.0), t)
    assert m.model_type == "hdd_cdd"
    assert abs(m.heating_balance_c - HEATING_C) <= 2 * GRID_STEP_C + 1e-9
    assert abs(m.cooling_balance_c - COOLING_C) <= 2 * GRID_STEP_C + 1e-9
    assert m.beta_hdd_kwh_per_c_day == pytest.approx(4.0, rel=0.05)
    assert m.beta_cdd_kwh_per_c_day == pytest.approx(6.0, rel=0.05)
    assert m.intercept_kwh_per_d == pytest.approx(50.0, rel=0.05)


@pytest.mark.parametrize(
    ("beta_h", "beta_c", "expected"),
    [(0.0, 0.0, "intercept_only"), (5.0, 0.0, "hdd_only"), (0.0, 5.0, "cdd_only"), (5.0, 5.0, "hdd_cdd")],
)
def test_each_model_type_is_selected_when_it_should_be(beta_h, beta_c, expected):
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 40.0, beta_h, beta_c, noise=2.0), t)
    assert m.model_type == expected
    assert (m.heating_balance_c is None) == (expected in ("intercept_only", "cdd_only"))
    assert (m.cooling_balance_c is None) == (expected in ("intercept_only", "hdd_only"))


def test_gas_meter_without_cooling_candidates():
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 40.0, 5.0, 5.0, noise=2.0), t, settings={"fit_cdd": False})
    assert m.model_type == "hdd_only"
    assert set(m.candidates["model_type"]) <= {"intercept_only", "hdd_only"}


def test_closed_form_candidates_match_least_squares_on_each_design():
    # invariant: every candidate equals numpy's weighted least squares on its own design matrix
    t = _temperatures(365, seed=5).to_numpy()
    rng = np.random.default_rng(3)
    y = 30 + 2 * np.maximum(15 - t, 0) + rng.normal(0, 2, t.size)
    w = rng.uniform(25, 35, t.size)
    s = replace(ct.default_settings("billing"), balance_points_c=(5.0, 12.0, 18.0, 24.0))
    hdd = np.maximum(np.array(s.balance_points_c)[None, :] - t[:, None], 0)
    cdd = np.maximum(t[:, None] - np.array(s.balance_points_c)[None, :], 0)
    c = ct.solve_candidates(y, hdd, cdd, w, s)
    attempted = np.flatnonzero(np.asarray(ct.STATUSES)[c.status] != "NOT ATTEMPTED")
    assert attempted.size > 10
    for row in attempted:
        columns = [np.ones_like(y)]
        h, k = c.heating_c[row], c.cooling_c[row]
        if not np.isnan(h):
            columns.append(np.maximum(h - t, 0))
        if not np.isnan(k):
            columns.append(np.maximum(t - k, 0))
        x = np.column_stack(columns)
        sw = np.sqrt(w)
        beta, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
        expected = [beta[0], beta[1] if not np.isnan(h) else 0.0, beta[-1] if not np.isnan(k) else 0.0]
        assert [c.intercept[row], c.beta_hdd[row], c.beta_cdd[row]] == pytest.approx(expected, rel=1e-8, abs=1e-9)


# --- qualification (CalTRACK 3.2.2.2, 3.4.3.2) ---------------------------------------------------


def test_negative_cooling_slope_disqualifies_cooling_candidates():
    t = _temperatures()
    y = pd.Series(100.0 - 3.0 * np.maximum(t - COOLING_C, 0), index=t.index)
    m = ct.fit_daily(y, t)
    table = m.all_candidates.table(only_qualified=False)
    cooling = table[table["model_type"] == "cdd_only"]
    attempted = cooling[cooling["status"] != "NOT ATTEMPTED"]
    assert len(attempted) > 0
    assert (attempted[attempted["beta_cdd_kwh_per_c_day"] < 0]["status"] == "DISQUALIFIED").all()
    assert m.model_type in ("intercept_only", "hdd_only")


def test_too_few_non_zero_degree_days_are_not_attempted():
    # eemeter minimum_non_zero_cdd = 10: 9 hot days are not enough, 10 are
    def fit(n_hot: int) -> str:
        t = np.full(200, 10.0)
        t[:n_hot] = 30.0
        tt = pd.Series(t, index=pd.date_range("2023-01-01", periods=200, freq="D"))
        y = pd.Series(20.0 + 2.0 * np.maximum(t - 25.0, 0), index=tt.index)
        s = replace(ct.default_settings("daily"), balance_points_c=(25.0,))
        m = ct.fit_daily(y, tt, settings=s)
        return m.all_candidates.table(only_qualified=False).set_index("model_type").loc["cdd_only", "status"]

    assert fit(9) == "NOT ATTEMPTED"
    assert fit(10) == "QUALIFIED"


def test_total_degree_days_below_20_f_days_are_not_attempted():
    # 12 days with 0.5 °C·d each = 6 °C·d = 10.8 °F·d < 20 °F·d (eemeter minimum_total_cdd)
    t = np.full(100, 10.0)
    t[:12] = 25.5
    tt = pd.Series(t, index=pd.date_range("2023-01-01", periods=100, freq="D"))
    y = pd.Series(20.0 + 2.0 * np.maximum(t - 25.0, 0), index=tt.index)
    s = replace(ct.default_settings("daily"), balance_points_c=(25.0,))
    table = ct.fit_daily(y, tt, settings=s).all_candidates.table(only_qualified=False)
    assert table.set_index("model_type").loc["cdd_only", "status"] == "NOT ATTEMPTED"


def test_p_value_rule_when_switched_on_rejects_an_insignificant_slope():
    # CalTRACK 1.0 rule (p ≤ 0.1); CalTRACK 2.0 default switches it off (maximum 1)
    t = _temperatures(60, seed=9)
    rng = np.random.default_rng(4)
    y = pd.Series(50.0 + 0.01 * np.maximum(HEATING_C - t, 0) + rng.normal(0, 5, t.size), index=t.index)
    s = replace(ct.default_settings("daily"), balance_points_c=(HEATING_C,), fit_cdd=False)
    x = np.maximum(HEATING_C - t.to_numpy(), 0)
    p_value = stats.linregress(x, y.to_numpy()).pvalue
    strict = ct.fit_daily(y, t, settings=replace(s, beta_maximum_p_value=0.1))
    status = strict.all_candidates.table(only_qualified=False).set_index("model_type").loc["hdd_only", "status"]
    beta = strict.all_candidates.beta_hdd[1]
    assert status == ("DISQUALIFIED" if (p_value > 0.1 or beta < 0) else "QUALIFIED")
    assert p_value > 0.1  # the example is built to be insignificant


def test_weighted_fit_p_value_and_adjusted_r_squared_match_statsmodels():
    # reference: statsmodels 0.14 WLS (the engine eemeter 2.10.11 uses) on this data, run in the
    # eemeter peer environment: HDD(15)+CDD(22) p-values 0.831844489 / 8.03742911e-4, adjusted
    # R² 0.1357515283720877; HDD(15) alone adjusted R² 0.011910769263376864
    rng = np.random.default_rng(4)
    t, w = rng.uniform(-5, 35, 80), rng.uniform(25, 35, 80)
    y = 40 + 0.05 * np.maximum(15 - t, 0) + 0.3 * np.maximum(t - 22, 0) + rng.normal(0, 3, 80)
    bp = np.array([15.0, 22.0])
    hdd, cdd = np.maximum(bp - t[:, None], 0), np.maximum(t[:, None] - bp, 0)
    base = replace(ct.default_settings("billing"), balance_points_c=tuple(bp))
    pair = 6  # order: intercept, hdd 15, hdd 22, cdd 15, cdd 22, (15, 15), (15, 22), (22, 22)
    c = ct.solve_candidates(y, hdd, cdd, w, base)
    assert (c.heating_c[pair], c.cooling_c[pair]) == (15.0, 22.0)
    assert c.adj_r_squared[pair] == pytest.approx(0.1357515283720877, rel=1e-12)
    assert c.adj_r_squared[1] == pytest.approx(0.011910769263376864, rel=1e-12)
    for p_max, status in ((0.831844489 * 0.9999, "DISQUALIFIED"), (0.831844489 * 1.0001, "QUALIFIED")):
        c = ct.solve_candidates(y, hdd, cdd, w, replace(base, beta_maximum_p_value=p_max))
        assert ct.STATUSES[c.status[pair]] == status


def test_negative_mean_use_has_no_model():
    t = _temperatures(30)
    with pytest.raises(ModelError, match="no qualified"):
        ct.fit_daily(pd.Series(-5.0, index=t.index), t)


# --- metrics -------------------------------------------------------------------------------------


def test_metrics_match_hand_computed_values():
    # eemeter metrics.py definitions: R² = corr(ŷ, y)², CV(RMSE) = sqrt(SSR/(n−p))/ȳ,
    # NMBE = Σ(ŷ − y)/Σy
    t = _temperatures()
    y = _usage(t, 50.0, 4.0, 0.0, noise=4.0)
    m = ct.fit_daily(y, t)
    assert m.model_type == "hdd_only"
    predicted = m.predict(t).to_numpy()
    observed = y.to_numpy()
    residual = predicted - observed
    n, p = observed.size, 1
    assert m.r_squared == pytest.approx(np.corrcoef(predicted, observed)[0, 1] ** 2, rel=1e-12)
    assert m.cvrmse == pytest.approx(np.sqrt(np.sum(residual**2) / (n - p)) / observed.mean(), rel=1e-12)
    assert m.nmbe == pytest.approx(residual.sum() / observed.sum(), abs=1e-12)
    assert m.adj_r_squared == pytest.approx(1 - (1 - m.r_squared) * (n - 1) / (n - 2), rel=1e-10)
    metrics = m.metrics()
    assert metrics["cvrmse_limit"] == 0.30 and metrics["nmbe_limit"] == 0.10  # G14 hourly shown for daily
    assert metrics["cvrmse_ok"] is True


def test_fractional_savings_uncertainty_matches_guideline_14_hand_example():
    # G14 Annex B with eemeter's daily quadratic, intercept-only (p = 0): n = 365, ρ = 0.5 →
    # n' = 121.667; CV = 10 %, F = 10 %, m = 365 d (M = 12.1667 months): poly = 1.397425,
    # t(0.95, 365 − 0) = 1.649039, sqrt((n/n')(1 + 2/n')/m) = 0.0914018 → FSU = 0.210627 (hand
    # calculation, 6 digits)
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 50.0, 0.0, 0.0, noise=3.0), t)
    assert m.model_type == "intercept_only"
    m = replace(m, cvrmse_totals=0.10, residual_autocorrelation=0.5, n_observations=365)
    assert m.fractional_savings_uncertainty(365, 0.10) == pytest.approx(0.210627, rel=1e-5)
    # halving the expected savings doubles the FSU
    assert m.fractional_savings_uncertainty(365, 0.05) == pytest.approx(2 * 0.210627, rel=1e-5)


# --- input handling ------------------------------------------------------------------------------


def test_hourly_temperature_is_averaged_per_day_like_daily_input():
    t = _temperatures(120)
    hours = pd.date_range(t.index[0], periods=120 * 24, freq="h")
    wiggle = 3.0 * np.sin(2 * np.pi * np.arange(hours.size) / 24)  # zero daily mean
    hourly = pd.Series(np.repeat(t.to_numpy(), 24) + wiggle, index=hours)
    y = _usage(t, 50.0, 4.0, 6.0, noise=1.0)
    daily_fit, hourly_fit = ct.fit_daily(y, t), ct.fit_daily(y, hourly)
    assert hourly_fit.model_type == daily_fit.model_type
    assert hourly_fit.beta_hdd_kwh_per_c_day == pytest.approx(daily_fit.beta_hdd_kwh_per_c_day, rel=1e-9)


def test_day_with_half_its_hours_is_dropped():
    # CalTRACK 2.2.2.3: a day's mean needs more than 50 % of its hours (eemeter: > 12 of 24)
    hours = pd.date_range("2023-01-01", periods=48, freq="h")
    temps = pd.Series(np.arange(48.0), index=hours)
    temps.iloc[:12] = np.nan
    daily = ct._daily_mean_temperature(temps, 0.5)
    assert np.isnan(daily.iloc[0]) and daily.iloc[1] == pytest.approx(np.mean(np.arange(24.0, 48.0)))


def test_hourly_temperature_days_follow_local_time_across_dst():
    # Copenhagen, 2023-03-26 has 23 hours (> 12: kept); days are local calendar days
    hours = pd.date_range("2023-03-25", "2023-03-28", freq="h", tz="Europe/Copenhagen", inclusive="left")
    temps = pd.Series(np.where(hours.day == 26, 5.0, 10.0), index=hours)
    daily = ct._daily_mean_temperature(temps, 0.5)
    assert list(daily.index.day) == [25, 26, 27]
    assert daily.to_numpy() == pytest.approx([10.0, 5.0, 10.0])


def test_timezone_mismatch_is_an_input_error():
    t = _temperatures(30)
    y = _usage(t, 10, 1, 1).tz_localize("Asia/Shanghai")
    with pytest.raises(InputError, match="timezone"):
        ct.fit_daily(y, t)


def test_predict_returns_named_series_with_nan_where_temperature_is_missing():
    t = _temperatures()
    m = ct.fit_daily(_usage(t, 50.0, 4.0, 6.0), t)
    new = pd.Series([0.0, np.nan, 30.0], index=pd.date_range("2024-01-01", periods=3, freq="D"))
    p = m.predict(new)
    assert p.name == "value"
    expected = [50 + 4 * (HEATING_C - 0.0), np.nan, 50 + 6 * (30.0 - COOLING_C)]
    np.testing.assert_allclose(p.to_numpy(), expected, rtol=1e-9)


def test_to_dict_is_plain_values():
    t = _temperatures()
    d = ct.fit_daily(_usage(t, 50.0, 4.0, 6.0, noise=1.0), t).to_dict()
    assert d["model_type"] == "hdd_cdd" and d["interval"] == "daily"
    assert isinstance(d["n_qualified_candidates"], int) and d["n_qualified_candidates"] > 0


# --- billing (CalTRACK 3.4.2) ----------------------------------------------------------------------


def _billing(noise: float = 0.0):
    t = _temperatures(730, seed=7)
    daily = _usage(t, 30.0, 3.0, 5.0, noise=noise, seed=8)
    lengths = np.cumsum([0] + [28, 33, 30, 31, 29, 32] * 4)
    edges = pd.DatetimeIndex([t.index[0] + pd.Timedelta(days=int(d)) for d in lengths])
    edges = edges[edges <= t.index[-1]]
    periods = pd.DataFrame({"start": edges[:-1], "end": edges[1:]})
    one = pd.Timedelta(days=1)
    periods["value"] = [daily[s : e - one].sum() for s, e in zip(periods["start"], periods["end"])]
    return periods, t


def _period_means(periods: pd.DataFrame, daily: pd.Series) -> np.ndarray:
    """Mean of a daily series over each period [start, end)."""
    one = pd.Timedelta(days=1)
    return np.array([daily[s : e - one].mean() for s, e in zip(periods["start"], periods["end"])])


def test_billing_fit_equals_hand_weighted_least_squares():
    periods, t = _billing(noise=4.0)
    m = ct.fit_billing(periods, t)
    assert m.interval == "billing"
    days = ((periods["end"] - periods["start"]).dt.days).to_numpy(dtype=float)
    y = periods["value"].to_numpy() / days
    columns = [np.ones_like(y)]
    if m.heating_balance_c is not None:
        columns.append(_period_means(periods, np.maximum(m.heating_balance_c - t, 0)))
    if m.cooling_balance_c is not None:
        columns.append(_period_means(periods, np.maximum(t - m.cooling_balance_c, 0)))
    x = np.column_stack(columns)
    sw = np.sqrt(days)
    beta, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    assert m.intercept_kwh_per_d == pytest.approx(beta[0], rel=1e-9)
    # weighted R² (statsmodels WLS: weighted centred TSS), adjusted with n periods
    resid = y - x @ beta
    r2 = 1 - np.sum(days * resid**2) / np.sum(days * (y - np.average(y, weights=days)) ** 2)
    k = x.shape[1] - 1
    assert m.adj_r_squared == pytest.approx(1 - (1 - r2) * (y.size - 1) / (y.size - k - 1), rel=1e-9)
    assert m.n_days == int(days.sum())


def test_noise_free_billing_meter_recovers_parameters():
    periods, t = _billing()
    m = ct.fit_billing(periods, t)
    assert m.model_type == "hdd_cdd"
    assert m.heating_balance_c == pytest.approx(HEATING_C, rel=ROUND_OFF)
    assert m.beta_cdd_kwh_per_c_day == pytest.approx(5.0, rel=ROUND_OFF)


def test_billing_period_under_90_percent_temperature_coverage_is_dropped():
    periods, t = _billing()
    gappy = t.copy()
    gappy[periods["start"][0]:periods["start"][0] + pd.Timedelta(days=4)] = np.nan  # 5 of 28 days
    keep, *_ = ct.billing_design(periods, gappy, ct.default_settings("billing"))
    assert not keep[0] and keep[1:].all()


def test_temperature_window_keeps_only_the_first_days_of_a_period():
    # eemeter 2.10.11 matches temperatures to a billing period with a 35-day tolerance
    periods, t = _billing()
    periods = pd.DataFrame({"start": [t.index[0]], "end": [t.index[0] + pd.Timedelta(days=62)], "value": [62.0]})
    s = replace(ct.default_settings("billing"), temperature_window_days=35)
    keep, y, hdd, _, n_days, kept = ct.billing_design(periods, t, s)
    assert keep.all() and n_days[0] == 62 and kept[0] == 35 and y[0] == pytest.approx(1.0)
    expected = np.maximum(s.balance_points_c[29] - t.iloc[:35].to_numpy(), 0).mean()
    assert hdd[0, 29] == pytest.approx(expected, rel=1e-12)


def test_billing_metrics_are_on_usage_per_day_and_fsu_cv_on_totals():
    periods, t = _billing(noise=4.0)
    m = ct.fit_billing(periods, t)
    days = ((periods["end"] - periods["start"]).dt.days).to_numpy(dtype=float)
    daily_model = m.predict(t)  # usage per day of each day; a period's prediction is their mean
    per_day = _period_means(periods, daily_model)
    observed = periods["value"].to_numpy() / days
    p = m.num_parameters

    def cv(pred, obs):
        return np.sqrt(np.sum((pred - obs) ** 2) / (obs.size - p)) / obs.mean()

    assert m.cvrmse == pytest.approx(cv(per_day, observed), rel=1e-9)
    assert m.cvrmse_totals == pytest.approx(cv(per_day * days, observed * days), rel=1e-9)
    assert m.metrics()["cvrmse_limit"] == 0.15  # G14 monthly


def test_billing_periods_without_columns_is_an_input_error():
    _, t = _billing()
    with pytest.raises(InputError, match="start, end, value"):
        ct.fit_billing(pd.DataFrame({"start": [t.index[0]]}), t)


# --- speed ---------------------------------------------------------------------------------------


def test_one_daily_meter_year_fits_in_under_100_ms():
    # issue 5 goal: ≥ 100× eemeter 2.10.11 (≈ 10 s per meter-year) → ≤ 0.1 s
    t = _temperatures()
    y = _usage(t, 50.0, 4.0, 6.0, noise=3.0)
    ct.fit_daily(y, t)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        ct.fit_daily(y, t)
        times.append(time.perf_counter() - start)
    assert np.median(times) < 0.1
