"""Tests of the CalTRACK 2.0 hourly (TOWT) model, ``ecocity.buildings.hourly``.

References
----------
[CT2] CalTRACK Methods, Version 2.0, sections 3.7-3.11 and 4.3.2.2
      (github.com/openeemeter/caltrack docs/methods.rst; docs.caltrack.org).
[G14] ASHRAE Guideline 14-2014, Annex B (fractional savings uncertainty, constant 1.26).
[EE]  eemeter 2.10.11, the CalTRACK reference implementation: the values in
      ``test_matches_eemeter_2_10_11`` were computed with it (pandas 1.5.3, statsmodels 0.13,
      Python 3.11) on the synthetic meter of :func:`_synthetic_office`, temperatures passed in °F
      (T_F = 1.8·T_C + 32), pipeline create_caltrack_hourly_preliminary_design_matrix ->
      segment_time_series("three_month_weighted") -> estimate_hour_of_week_occupancy ->
      fit_temperature_bins -> create_caltrack_hourly_segmented_design_matrices ->
      fit_caltrack_hourly_model -> predict (script in docs/buildings/hourly-model.md).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings.hourly import (
    HourlySettings,
    estimate_occupancy,
    fit_bin_endpoints,
    fit_hourly,
    fit_metrics,
    hour_of_week,
    load_hourly_settings,
    segment_weights,
    temperature_bin_features,
)
from ecocity.buildings.hourly_baseline import (
    choose_segmentation,
    fit_hourly_baseline,
    hourly_sufficiency,
    interpolate_short_gaps,
    temperature_outside_baseline,
)
from ecocity.buildings.uncertainty import g14_fractional_savings_uncertainty, lag1_autocorrelation
from ecocity.errors import InputError, ModelError

#: Floating-point agreement of two least-squares solutions of the same problem. [1]
SOLVER_REL = 1e-8


def _synthetic_office(n: int = 8760):
    """Deterministic office meter-year (no random generator: same numbers in any numpy).

    Usage [kWh/h] = 20 + 30 (Mon-Fri 08-18) + cooling above 20 °C (2.0 occupied / 0.5 not)
    + heating below 8 °C (1.5 / 0.7) + a bounded pseudo-noise of ±3 kWh.
    """
    i = np.arange(n)
    index = pd.date_range("2023-01-01", periods=n, freq="h", tz="UTC")
    hod = i % 24
    noise_t = ((i * 7919) % 1009) / 1009.0 - 0.5
    noise_y = ((i * 104729) % 997) / 997.0 - 0.5
    t_c = (
        11.0
        - 15.0 * np.cos(2 * np.pi * (i / 24.0 - 20) / 365)
        + 5.0 * np.sin(2 * np.pi * (hod - 9) / 24)
        + 4.0 * noise_t
    )
    occupied = (np.asarray(index.day_of_week) < 5) & (hod >= 8) & (hod < 18)
    usage = (
        20
        + 30 * occupied
        + np.where(occupied, 2.0, 0.5) * np.maximum(t_c - 20, 0)
        + np.where(occupied, 1.5, 0.7) * np.maximum(8 - t_c, 0)
        + 6.0 * noise_y
    )
    return (
        pd.Series(usage, index=index, name="value"),
        pd.Series(t_c, index=index),
        occupied,
    )


def _office_time_of_week() -> np.ndarray:
    tow = np.arange(168)
    return (tow // 24 < 5) & (tow % 24 >= 8) & (tow % 24 < 18)


# --------------------------------------------------------------------------- constants


def test_default_settings_are_caltrack_2_constants_in_celsius():
    s = load_hourly_settings()
    # CT2 3.9.1.1: 30, 45, 55, 65, 75, 90 °F; 3.9.1.2: 20 h; 3.8.3: 50/65 °F; 3.8.4: 65 %
    expected_f = np.array([30.0, 45.0, 55.0, 65.0, 75.0, 90.0])
    assert np.array(s.bin_endpoints_c) == pytest.approx((expected_f - 32) / 1.8, rel=1e-12)
    assert s.min_hours_per_bin == 20
    assert s.occupancy_threshold == 0.65
    assert s.heating_balance_point_c == pytest.approx(10.0, rel=1e-12)
    assert s.cooling_balance_point_c == pytest.approx(18.0 + 1 / 3, rel=1e-12)
    assert s.weight_neighbour_month == 0.5  # CT2 3.7.5


# --------------------------------------------------------------------------- features


def test_bin_features_reproduce_caltrack_table_3_9_2():
    # CT2 3.9.2, in °F with the default endpoints (the function is unit-agnostic).
    endpoints_f = (30.0, 45.0, 55.0, 65.0, 75.0, 90.0)
    temps = np.array([20.0, 40, 50, 60, 70, 80, 100])
    table = np.array(
        [
            [20, 0, 0, 0, 0, 0, 0],
            [30, 10, 0, 0, 0, 0, 0],
            [30, 15, 5, 0, 0, 0, 0],
            [30, 15, 10, 5, 0, 0, 0],
            [30, 15, 10, 10, 5, 0, 0],
            [30, 15, 10, 10, 10, 5, 0],
            [30, 15, 10, 10, 10, 15, 10],
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(temperature_bin_features(temps, endpoints_f), table)


def test_bin_features_sum_to_temperature():
    temps = np.linspace(-25, 40, 301)
    feats = temperature_bin_features(temps, load_hourly_settings().bin_endpoints_c)
    np.testing.assert_allclose(feats.sum(axis=1), temps, rtol=0, atol=1e-12)


def test_hour_of_week_starts_monday_midnight():
    # CT2 3.8.2: interval 1 (here 0) is Monday 00:00-01:00.
    index = pd.DatetimeIndex(["2023-01-02 00:00", "2023-01-02 13:00", "2023-01-08 23:00"])
    assert list(hour_of_week(index)) == [0, 13, 167]


# --------------------------------------------------------------------------- bin merging


def test_bin_merging_drops_outer_endpoints_first_then_underfilled_middle_bins():
    ends = (0.0, 10.0, 20.0, 30.0)
    # bins (-inf,0] 5 h, (0,10] 30 h, (10,20] 10 h, (20,30] 30 h, (30,inf) 3 h
    temps = np.concatenate(
        [np.full(5, -5.0), np.full(30, 5.0), np.full(10, 15.0), np.full(30, 25.0), np.full(3, 35.0)]
    )
    # pass 1: lowest bin short -> drop 0; highest short -> drop 30 (CT2 3.9.1.2)
    # pass 2: (-inf,10] 35 h, (10,20] 10 h short -> drop its upper endpoint 20
    # pass 3: (-inf,10] 35 h, (10,inf) 43 h: done
    assert fit_bin_endpoints(temps, ends, 20) == (10.0,)


def test_bin_merging_keeps_full_bins_and_counts_right_closed():
    ends = (0.0, 10.0)
    temps = np.concatenate([np.full(20, 0.0), np.full(20, 10.0), np.full(20, 11.0)])
    assert fit_bin_endpoints(temps, ends, 20) == (0.0, 10.0)  # 0 in (-inf,0], 10 in (0,10]
    # middle bin (0,10] with 19 h loses its upper endpoint 10; then (0,20] with 19 h loses 20
    temps = np.concatenate([np.full(20, 0.0), np.full(19, 10.0), np.full(20, 25.0)])
    assert fit_bin_endpoints(temps, (0.0, 10.0, 20.0), 20) == (0.0,)


def test_bin_merging_with_too_few_hours_leaves_no_endpoint():
    assert fit_bin_endpoints(np.array([1.0, 2.0, 3.0]), (0.0, 10.0), 20) == ()


# --------------------------------------------------------------------------- segmentation


def test_three_month_weighted_segment_weights():
    index = pd.date_range("2023-01-01", "2023-12-31 23:00", freq="h")
    names, weights = segment_weights(index, "three_month_weighted")
    assert len(names) == 12 and weights.shape == (12, 8760)
    assert names[0] == "dec-jan-feb-weighted" and names[6] == "jun-jul-aug-weighted"
    month = np.asarray(index.month)
    jan = weights[0]
    assert set(jan[month == 1]) == {1.0}  # CT2 3.7.5: same month, full weight
    assert set(jan[(month == 12) | (month == 2)]) == {0.5}  # neighbours, 0.5
    assert set(jan[(month > 2) & (month < 12)]) == {0.0}
    # every hour: weight 1 in one model, 0.5 in two
    np.testing.assert_array_equal(weights.sum(axis=0), np.full(8760, 2.0))


def test_unknown_segmentation_is_rejected():
    usage, temp, _ = _synthetic_office(24 * 14)
    with pytest.raises(InputError, match="segmentation"):
        fit_hourly(usage, temp, segmentation="monthly")


# --------------------------------------------------------------------------- occupancy


def test_occupancy_threshold_is_strictly_above_65_percent():
    # Constant 15 °C: between the balance points (10 °C, 18.3 °C), so the CT2 3.8.3 fit is the
    # weighted mean and the residual signs are set by construction (CT2 3.8.4: "exceeds 65%").
    tow = np.repeat([0, 1], 20)
    usage = np.concatenate([np.r_[np.full(13, 10.0), np.zeros(7)], np.r_[np.full(14, 10.0), np.zeros(6)]])
    occ = estimate_occupancy(usage, np.full(40, 15.0), tow, np.ones(40), load_hourly_settings())
    assert not occ[0]  # 13/20 = 0.65: not above
    assert occ[1]  # 14/20 = 0.70
    assert not occ[2:].any()  # no data: unoccupied


def test_occupancy_finds_office_hours():
    usage, temp, _ = _synthetic_office()
    model = fit_hourly(usage, temp, segmentation="none")
    np.testing.assert_array_equal(model.segments[0].occupancy, _office_time_of_week())


def test_segment_with_one_occupancy_state_fits_one_slope_set():
    # No weekly schedule: every time of week has about half positive residuals, none is
    # occupied, and the model has one slope per bin (eemeter's formula without C(occupancy)).
    n = 24 * 7 * 20
    index = pd.date_range("2023-01-02", periods=n, freq="h")
    i = np.arange(n)
    t_c = 5.0 + 8.0 * np.sin(2 * np.pi * i / 24.0) + 4.0 * (((i * 7919) % 1009) / 1009.0 - 0.5)
    y = 10.0 + 0.5 * np.maximum(10 - t_c, 0) + (((i * 104729) % 997) / 997.0 - 0.5)
    model = fit_hourly(pd.Series(y, index=index), pd.Series(t_c, index=index), segmentation="none")
    seg = model.segments[0]
    assert not seg.occupancy.any()
    np.testing.assert_array_equal(seg.slopes_occupied_kwh_per_k, seg.slopes_unoccupied_kwh_per_k)
    assert seg.metrics.num_parameters == 168 + len(seg.bin_endpoints_c) + 1


# --------------------------------------------------------------------------- exact recovery


def test_noise_free_piecewise_linear_meter_is_recovered_exactly():
    # Temperatures sweep -12..38 °C so that all seven default bins hold > 20 h (CT2 3.9.1.2).
    n = 24 * 7 * 52
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    i = np.arange(n)
    t_c = 13.0 + 25.0 * np.sin(2 * np.pi * i / (24 * 17.3)) * np.cos(2 * np.pi * i / 24.0 / 5.1)
    tow = hour_of_week(index)
    office = _office_time_of_week()
    alpha = np.where(office, 80.0, 15.0) + 0.1 * np.arange(168)  # [kWh/h]
    slopes_occ = np.array([-3.0, -2.0, -1.0, 0.0, 1.5, 3.0, 4.0])  # [kWh/(h·K)]
    slopes_unocc = np.array([-1.0, -0.5, -0.2, 0.0, 0.3, 0.8, 1.0])
    feats = temperature_bin_features(t_c, load_hourly_settings().bin_endpoints_c)
    occ = office[tow]
    y = alpha[tow] + np.einsum("ij,ij->i", feats, np.where(occ[:, None], slopes_occ, slopes_unocc))
    usage = pd.Series(y, index=index, name="value")
    model = fit_hourly(usage, pd.Series(t_c, index=index), segmentation="none")
    seg = model.segments[0]
    assert seg.bin_endpoints_c == load_hourly_settings().bin_endpoints_c
    np.testing.assert_array_equal(seg.occupancy, office)
    np.testing.assert_allclose(seg.slopes_occupied_kwh_per_k, slopes_occ, rtol=0, atol=1e-8)
    np.testing.assert_allclose(seg.slopes_unoccupied_kwh_per_k, slopes_unocc, rtol=0, atol=1e-8)
    np.testing.assert_allclose(seg.time_of_week_kwh, alpha, rtol=0, atol=1e-7)
    assert model.metrics.r_squared == pytest.approx(1.0, abs=1e-12)
    assert model.metrics.cvrmse == pytest.approx(0.0, abs=1e-10)
    predicted = model.predict(pd.Series(t_c, index=index), index)
    np.testing.assert_allclose(predicted.to_numpy(), y, rtol=0, atol=1e-8)


def test_noise_free_linear_meter_is_exact_with_three_month_segments():
    # A response linear in T is representable whatever bins a segment keeps.
    n = 8784
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    i = np.arange(n)
    t_c = 10.0 - 12.0 * np.cos(2 * np.pi * i / n) + 6.0 * np.sin(2 * np.pi * i / 24.0)
    occ = _office_time_of_week()[hour_of_week(index)]
    y = np.where(occ, 90.0, 20.0) + np.where(occ, -1.2, -0.4) * t_c
    model = fit_hourly(pd.Series(y, index=index), pd.Series(t_c, index=index))
    assert model.metrics.r_squared == pytest.approx(1.0, abs=1e-12)
    for seg in model.segments:
        assert seg.metrics.r_squared == pytest.approx(1.0, abs=1e-12)
        assert seg.metrics.nmbe == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.predict(pd.Series(t_c, index=index), index), y, atol=1e-8)


# --------------------------------------------------------------------------- reference


def test_matches_eemeter_2_10_11():
    usage, temp, _ = _synthetic_office()
    model = fit_hourly(usage, temp)
    by_name = {s.name: s for s in model.segments}
    # kept bin endpoints [°F] per segment, eemeter fit_temperature_bins
    expected_bins_f = {
        "dec-jan-feb-weighted": [30.0],
        "jan-feb-mar-weighted": [30.0, 45.0],
        "apr-may-jun-weighted": [45.0, 55.0, 65.0, 75.0],
        "jun-jul-aug-weighted": [65.0, 75.0],
        "sep-oct-nov-weighted": [30.0, 45.0, 55.0, 65.0, 75.0],
    }
    for name, ends_f in expected_bins_f.items():
        np.testing.assert_allclose(np.array(by_name[name].bin_endpoints_c) * 1.8 + 32, ends_f, rtol=1e-12)
    # occupied hours of the week, eemeter estimate_hour_of_week_occupancy
    assert by_name["jan-feb-mar-weighted"].occupancy.sum() == 50
    assert by_name["jun-jul-aug-weighted"].occupancy.sum() == 55
    # eemeter slopes per °F, segment jun-jul-aug: bin_n:C(occupancy)[True] / [False]
    jja = by_name["jun-jul-aug-weighted"]
    np.testing.assert_allclose(
        jja.slopes_occupied_kwh_per_k / 1.8,
        [-0.32294550372180975, 0.6696650959850778, 1.0982772044609321],
        rtol=SOLVER_REL,
    )
    np.testing.assert_allclose(
        jja.slopes_unoccupied_kwh_per_k / 1.8,
        [0.039775318845028274, 0.23750436884650483, 0.2664254053635404],
        rtol=SOLVER_REL,
    )
    # eemeter totals_metrics (weight-1 hours of the segment)
    m = jja.metrics
    assert (m.n_hours, m.num_parameters) == (744, 174)
    assert m.r_squared == pytest.approx(0.9930146458846872, rel=SOLVER_REL)
    assert m.cvrmse == pytest.approx(0.04948020217515011, rel=SOLVER_REL)
    assert m.cvrmse_adj == pytest.approx(0.056530197845643566, rel=SOLVER_REL)
    assert m.nmbe == pytest.approx(-0.00017236558436515453, rel=1e-6)
    m = by_name["jan-feb-mar-weighted"].metrics
    assert m.cvrmse_adj == pytest.approx(0.051699006209211175, rel=SOLVER_REL)
    # eemeter predictions [kWh]
    stamps = ["2023-02-14 03:00", "2023-04-05 10:00", "2023-07-19 14:00", "2023-07-22 14:00", "2023-10-02 08:00"]
    expected = [31.18902117592426, 50.50125389675435, 73.39264144622871, 26.141650553955394, 50.08224662280053]
    index = pd.DatetimeIndex(stamps, tz="UTC")
    np.testing.assert_allclose(model.predict(temp, index).to_numpy(), expected, rtol=SOLVER_REL)


def _synthetic_home():
    """Deterministic home, 240 days from 2023-03-10, evening peak, ~1 % readings missing (NaN)."""
    n = 24 * 240
    i = np.arange(n)
    index = pd.date_range("2023-03-10", periods=n, freq="h", tz="UTC")
    hod = i % 24
    noise_t = ((i * 7919) % 1009) / 1009.0 - 0.5
    noise_y = ((i * 104729) % 997) / 997.0 - 0.5
    t_c = (
        14.0
        - 13.0 * np.cos(2 * np.pi * (i / 24.0 + 48) / 365)
        + 4.0 * np.sin(2 * np.pi * (hod - 9) / 24)
        + 3.0 * noise_t
    )
    usage = (
        1.0
        + 0.3 * np.maximum(12 - t_c, 0)
        + 0.25 * np.maximum(t_c - 22, 0)
        + 0.8 * noise_y
        + 0.4 * ((hod >= 18) & (hod < 22))
    )
    usage[(i * 31) % 97 == 0] = np.nan
    return pd.Series(usage, index=index, name="value"), pd.Series(t_c, index=index)


def test_matches_eemeter_2_10_11_on_partial_year_with_missing_readings():
    # [EE] on _synthetic_home (same pipeline as above). Mar-Sep predictions agree to 1e-12 kWh;
    # Oct-Nov differ because eemeter blanks the last hour of the data (docs/buildings/hourly-model.md).
    usage, temp = _synthetic_home()
    model = fit_hourly(usage, temp)
    by_name = {s.name: s for s in model.segments}
    mam = by_name["mar-apr-may-weighted"]
    np.testing.assert_allclose(np.array(mam.bin_endpoints_c) * 1.8 + 32, [45.0, 55.0, 65.0, 75.0], rtol=1e-12)
    assert mam.occupancy.sum() == 28
    assert (mam.metrics.n_hours, mam.metrics.num_parameters) == (713, 178)
    assert mam.metrics.r_squared == pytest.approx(0.8484919812123782, rel=SOLVER_REL)
    assert mam.metrics.cvrmse_adj == pytest.approx(0.18755256070285659, rel=SOLVER_REL)
    assert mam.metrics.nmbe == pytest.approx(0.00013183821151698622, rel=1e-6)
    jas = by_name["jul-aug-sep-weighted"]
    assert jas.metrics.cvrmse_adj == pytest.approx(0.13449710895701547, rel=SOLVER_REL)
    assert jas.metrics.nmbe == pytest.approx(0.003250193661512816, rel=1e-6)
    stamps = ["2023-03-15 06:00", "2023-05-20 19:00", "2023-08-03 15:00", "2023-09-28 02:00"]
    expected = [3.2629432002901684, 1.6221122854662728, 3.126877389385447, 0.9650832276498271]
    index = pd.DatetimeIndex(stamps, tz="UTC")
    np.testing.assert_allclose(model.predict(temp, index).to_numpy(), expected, rtol=SOLVER_REL)
    # segments without any data (Dec-Jan-Feb here) predict NaN, not zero
    assert by_name["dec-jan-feb-weighted"].metrics.n_hours == 0
    january = pd.DatetimeIndex(["2023-01-10 12:00"], tz="UTC")
    assert np.isnan(model.predict(pd.Series([0.0], index=january), january)).all()


def test_fit_of_a_meter_year_takes_under_a_second():
    # Speed goal of issue 5: >= 100x eemeter 4.x (~2 min per meter-year) -> <= 1 s.
    usage, temp, _ = _synthetic_office()
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        fit_hourly(usage, temp)
        best = min(best, time.perf_counter() - start)
    assert best < 1.0


# --------------------------------------------------------------------------- metrics


def test_fit_metrics_against_hand_values():
    observed = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([2.0, 2.0, 3.0, 5.0])
    m = fit_metrics(observed, predicted, num_parameters=1)
    # residuals ŷ-y = [1, 0, 0, 1]: SSE 2, ȳ 2.5, Σy 10; corr² = 5²/(6·5) = 5/6
    assert m.r_squared == pytest.approx(5 / 6, rel=1e-12)
    assert m.cvrmse == pytest.approx(np.sqrt(2 / 4) / 2.5, rel=1e-12)
    assert m.cvrmse_adj == pytest.approx(np.sqrt(2 / 3) / 2.5, rel=1e-12)  # CT2 4.3.2.2
    assert m.nmbe == pytest.approx(0.2, rel=1e-12)
    assert m.n_hours == 4


def test_model_metrics_are_consistent_with_its_predictions():
    usage, temp, _ = _synthetic_office()
    model = fit_hourly(usage, temp)
    pred = model.predict(temp, usage.index).to_numpy()
    y = usage.to_numpy()
    assert model.metrics.nmbe == pytest.approx((pred - y).sum() / y.sum(), rel=1e-12)
    assert model.metrics.num_parameters == sum(s.metrics.num_parameters for s in model.segments)
    assert 0.98 < model.metrics.r_squared < 1.0


# --------------------------------------------------------------------------- containers


def test_to_dict_is_json_ready_and_round_trips_counts():
    usage, temp, _ = _synthetic_office(24 * 7 * 10)
    model = fit_hourly(usage, temp)
    data = json.loads(json.dumps(model.to_dict()))
    assert data["segmentation"] == "three_month_weighted"
    assert len(data["segments"]) == 12
    first = data["segments"][0]
    assert len(first["occupancy"]) == 168 and len(first["time_of_week_kwh"]) == 168
    # months without data (here May-Oct models) have no coefficients: null, not NaN
    jul = data["segments"][6]
    assert jul["metrics"]["n_hours"] == 0 and jul["time_of_week_kwh"][0] is None


def test_missing_time_of_week_predicts_nan_not_zero():
    usage, temp, _ = _synthetic_office(24 * 7 * 8)
    usage = usage.copy()
    usage[hour_of_week(usage.index) == 30] = np.nan
    model = fit_hourly(usage, temp, segmentation="none")
    assert np.isnan(model.segments[0].time_of_week_kwh[30])
    pred = model.predict(temp, usage.index)
    assert pred[hour_of_week(usage.index) == 30].isna().all()
    assert pred[hour_of_week(usage.index) != 30].notna().all()


def test_dst_aware_local_index_is_hourly():
    index = pd.date_range("2023-03-20", "2023-04-10", freq="h", tz="Europe/Copenhagen")
    i = np.arange(len(index))
    temp = pd.Series(5 + 5 * np.sin(2 * np.pi * i / 24), index=index)
    usage = pd.Series(10 + 0.5 * temp.to_numpy() + (i % 7), index=index)
    model = fit_hourly(usage, temp, segmentation="none")
    assert model.metrics.n_hours == len(index)


# --------------------------------------------------------------------------- bad inputs


def test_non_hourly_index_names_usage_field():
    index = pd.date_range("2023-01-01", periods=400, freq="15min")
    s = pd.Series(np.ones(400), index=index)
    with pytest.raises(InputError, match="usage_kwh.*regular hourly"):
        fit_hourly(s, s)


def test_gap_in_usage_index_names_usage_field():
    usage, temp, _ = _synthetic_office(24 * 30)
    with pytest.raises(InputError, match="usage_kwh"):
        fit_hourly(usage.drop(usage.index[100]), temp)


def test_temperature_gap_names_temperature_field():
    usage, temp, _ = _synthetic_office(24 * 30)
    with pytest.raises(InputError, match="temperature_c.*misses 1 of 720"):
        fit_hourly(usage, temp.drop(temp.index[50]))
    temp_nan = temp.copy()
    temp_nan.iloc[10:13] = np.nan
    with pytest.raises(InputError, match="temperature_c.*misses 3"):
        fit_hourly(usage, temp_nan)


def test_temperature_gap_at_prediction_names_temperature_field():
    usage, temp, _ = _synthetic_office(24 * 30)
    model = fit_hourly(usage, temp)
    with pytest.raises(InputError, match="temperature_c"):
        model.predict(temp.iloc[:-5], usage.index)


def test_naive_temperature_against_aware_usage_names_temperature_field():
    usage, temp, _ = _synthetic_office(24 * 30)
    with pytest.raises(InputError, match="temperature_c.*tz-aware"):
        fit_hourly(usage, temp.tz_localize(None))


def test_not_a_series_and_all_missing_usage_are_rejected():
    usage, temp, _ = _synthetic_office(24 * 30)
    with pytest.raises(InputError, match="usage_kwh"):
        fit_hourly(usage.to_numpy(), temp)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="usage_kwh.*no finite"):
        fit_hourly(usage * np.nan, temp)


def test_settings_are_validated():
    with pytest.raises(InputError, match="settings"):
        HourlySettings((10.0, 5.0), 20, 0.65, 10.0, 18.3, 0.5)


# --------------------------------------------------------------------------- sufficiency, segmentation, FSU
# [CT2] 2.2.1.2 (hourly: over 90 % of the hours of the month and of its neighbour months),
# 2.2.1.4 (zero = missing for electricity), 2.2.4.1 (temperature gaps of at most 6 h),
# 3.7.5.1 (single model when no more than two months have |NMBE| > 1 %), 3.7.5.2 (reporting
# temperatures beyond 10 % of the baseline range); ASHRAE Guideline 14-2014 Annex B (FSU).

def test_g14_fsu_against_hand_computation():
    # CV 0.2, n = 8760 h, p = 182, rho = 0.8, m = 8760 h, F = 0.1, 90 %:
    # n' = 8760 x 0.2 / 1.8 = 973.333; n/n' = 9; (1 + 2/n') = 1.0020548; sqrt(9 x 1.0020548 / 8760) = 0.0320860;
    # t(0.95, 8578) = 1.645031; FSU = 1.26 x 1.645031 x 0.2 x 0.0320860 / 0.1 = 0.133012
    fsu = g14_fractional_savings_uncertainty(0.2, 8760, 182, 0.8, 8760, 0.1, 0.9)
    assert fsu == pytest.approx(0.133012, rel=1e-5)
    # no autocorrelation, F doubled: sqrt(1.0002283 / 8760) = 0.0106856 -> 1.26 x 1.645031 x 0.2 x 0.0106856 / 0.2
    assert g14_fractional_savings_uncertainty(0.2, 8760, 182, 0.0, 8760, 0.2, 0.9) == pytest.approx(0.0221484, rel=1e-5)


def test_g14_fsu_rejects_undefined_cases():
    with pytest.raises(InputError, match="savings fraction"):
        g14_fractional_savings_uncertainty(0.2, 8760, 182, 0.5, 8760, 0.0)
    with pytest.raises(InputError, match="confidence"):
        g14_fractional_savings_uncertainty(0.2, 8760, 182, 0.5, 8760, 0.1, 1.0)
    with pytest.raises(ModelError, match="autocorrelation"):
        g14_fractional_savings_uncertainty(0.2, 8760, 182, float("nan"), 8760, 0.1)


def test_lag1_autocorrelation_matches_pandas_with_gaps():
    rng = np.random.default_rng(2)
    r = np.zeros(500)
    for i in range(1, 500):
        r[i] = 0.6 * r[i - 1] + rng.standard_normal()
    r[[10, 11, 200, 350]] = np.nan
    assert lag1_autocorrelation(r) == pytest.approx(pd.Series(r).autocorr(1), rel=1e-12)


def test_hourly_model_fsu_uses_its_own_statistics():
    usage, temp, _ = _synthetic_office()
    model = fit_hourly(usage, temp, segmentation="none")
    m = model.metrics
    resid = (model.predict(temp, usage.index) - usage).to_numpy()
    assert model.residual_autocorrelation == pytest.approx(pd.Series(resid).autocorr(1), rel=1e-10)
    expected = g14_fractional_savings_uncertainty(m.cvrmse_adj, m.n_hours, m.num_parameters,
                                                  model.residual_autocorrelation, 24 * 90, 0.1)
    assert model.fractional_savings_uncertainty(24 * 90, 0.1) == pytest.approx(expected, rel=1e-12)
    assert model.fractional_savings_uncertainty(8760, 0.1) < model.fractional_savings_uncertainty(24 * 90, 0.1)


def test_hourly_sufficiency_full_year_passes():
    usage, temp, _ = _synthetic_office()
    s = hourly_sufficiency(usage, temp)
    assert s.ok and s.reasons == () and s.months_sufficient == tuple(range(1, 13))
    assert s.longest_temperature_gap_h == 0 and s.month_coverage[2] == 1.0


def test_hourly_sufficiency_needs_over_90_percent_in_month_and_neighbours():
    usage, temp, _ = _synthetic_office()
    april = np.flatnonzero(np.asarray(usage.index.month) == 4)         # 720 hours
    exactly_90 = usage.copy()
    exactly_90.iloc[april[:72]] = np.nan                                 # 648 / 720 = 90 %: not "over"
    s = hourly_sufficiency(exactly_90)
    assert not s.ok and s.month_coverage[4] == pytest.approx(0.9)
    assert s.months_sufficient == (1, 2, 6, 7, 8, 9, 10, 11, 12)        # March, April, May need April
    assert "Apr" in s.reasons[0]
    zeros = usage.copy()
    zeros.iloc[april[:71]] = 0.0                                         # 649 / 720 > 90 %, zeros missing
    assert hourly_sufficiency(zeros).ok
    assert hourly_sufficiency(exactly_90.fillna(0.0), zero_is_missing=False).ok


def test_hourly_sufficiency_temperature_gaps():
    usage, temp, _ = _synthetic_office()
    six, seven = temp.copy(), temp.copy()
    six.iloc[100:106] = np.nan
    seven.iloc[100:107] = np.nan
    assert hourly_sufficiency(usage, six).ok
    s = hourly_sufficiency(usage, seven)
    assert not s.ok and s.longest_temperature_gap_h == 7 and "7 consecutive hours" in s.reasons[0]


def test_temperature_outside_baseline_rule():
    base = pd.Series([0.0, 20.0])                      # range 20 degC: margin 2 degC
    assert not temperature_outside_baseline(base, pd.Series([-1.9, 21.9]))
    assert temperature_outside_baseline(base, pd.Series([-2.1, 10.0]))
    assert temperature_outside_baseline(base, pd.Series([5.0, 22.1]))


def test_segmentation_choice_single_when_unbiased_month_by_month():
    usage, temp, _ = _synthetic_office()
    choice, single = choose_segmentation(usage, temp)
    assert (choice.segmentation, choice.rule) == ("none", "CT2 3.7.5.1")
    assert max(abs(v) for v in choice.monthly_nmbe.values()) < 0.01
    assert single.segmentation == "none"


def test_segmentation_choice_month_by_month_when_seasons_differ():
    usage, temp, _ = _synthetic_office()
    summer = (usage.index.month >= 6) & (usage.index.month <= 8)
    seasonal = usage.where(~summer, usage * 0.7)       # a summer schedule the single model cannot follow
    choice, _ = choose_segmentation(seasonal, temp)
    assert (choice.segmentation, choice.rule) == ("three_month_weighted", "CT2 3.7.5")
    assert len(choice.months_over) > 2
    hot = choose_segmentation(seasonal, temp, reporting_temperature_c=temp + 15.0)[0]
    assert (hot.segmentation, hot.rule, hot.temperature_outside) == ("none", "CT2 3.7.5.2", True)


def test_fit_hourly_baseline_uses_the_365_days_before_the_intervention():
    usage, temp, _ = _synthetic_office()
    b = fit_hourly_baseline(usage, temp, baseline_end="2023-10-01")
    assert b.sufficiency.baseline_start == pd.Timestamp("2022-10-01", tz="UTC")
    assert not b.sufficiency.ok                        # the data start on 2023-01-01
    assert b.model.metrics.n_hours == int((usage.index < pd.Timestamp("2023-10-01", tz="UTC")).sum())
    d = b.to_dict()
    assert d["segmentation_choice"]["rule"].startswith("CT2") and d["sufficiency"]["ok"] is False
    json.dumps(d)


def test_short_temperature_gaps_are_interpolated_long_ones_kept():
    idx = pd.date_range("2024-01-01", periods=20, freq="h")
    t = pd.Series(np.arange(20.0), index=idx)
    t.iloc[2:8] = np.nan                               # 6 h: filled linearly (CT2 2.2.4.1)
    t.iloc[10:17] = np.nan                             # 7 h: kept missing
    filled = interpolate_short_gaps(t)
    assert filled.iloc[2:8].tolist() == pytest.approx([2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert filled.iloc[10:17].isna().all() and filled.iloc[17] == 17.0
    usage, temp, _ = _synthetic_office()
    gappy = temp.copy()
    gappy.iloc[1000:1006] = np.nan
    assert fit_hourly_baseline(usage, gappy).model.metrics.n_hours == 8760


def test_fit_hourly_baseline_names_bad_temperature():
    usage, temp, _ = _synthetic_office()
    with pytest.raises(InputError, match="duplicate"):
        fit_hourly_baseline(usage, pd.concat([temp, temp.iloc[:1]]))
    with pytest.raises(InputError, match="tz-aware"):
        fit_hourly_baseline(usage, temp.tz_localize(None))
    long_gap = temp.copy()
    long_gap.iloc[1000:1007] = np.nan
    with pytest.raises(InputError, match="temperature misses 7"):
        fit_hourly_baseline(usage, long_gap)
