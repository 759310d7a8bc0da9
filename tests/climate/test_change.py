"""Climate change on rainfall: climate factors on design storms, delta change on series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.climate.capture import daily_depth_mm, design_depth_mm
from ecocity.climate.change import (
    ClimateScenario,
    DeltaChange,
    climate_factor,
    climate_scenario,
    delta_change,
    event_quantiles,
    future_rainfall,
    scale_design_storm,
    scenario_names,
)
from ecocity.climate.idf import resolve_idf
from ecocity.climate.rainfall import split_events
from ecocity.climate.storms import chicago_storm
from ecocity.errors import InputError

EXACT = 1e-12  # products and sums of a handful of floats


def _series(values, step="5min"):
    index = pd.date_range("2024-07-01", periods=len(values), freq=step, name="timestamp")
    return pd.Series(np.asarray(values, dtype=float), index=index, name="depth_mm")


def _two_storms():
    """A 4 mm event (steps 10..13, one dry step inside) and a 10 mm event 11 h later."""
    values = np.zeros(200)
    values[10:14] = [1.0, 2.0, 0.0, 1.0]
    values[150:152] = [5.0, 5.0]
    return _series(values)


# --- cited factors -----------------------------------------------------------------------------

def test_danish_factors_are_the_cited_table():
    # Spildevandskomiteen Skrift 29, kept by Skrift 30 (2014), as reproduced by the Assens
    # Spildevand design guideline: T = 2, 10, 100 yr -> 1.2, 1.3, 1.4 for a 100-year horizon
    # (tests/climate/SOURCES.md).
    dk = climate_scenario("dk-100yr")
    assert dk.return_periods_yr == (2.0, 10.0, 100.0) and dk.storm_factors == (1.2, 1.3, 1.4)
    assert dk.horizon_yr == 100.0 and dk.confidence == "R2" and "Skrift 30" in dk.source
    assert {"dk-100yr", "dk-50yr"} <= set(scenario_names())


def test_factor_interpolates_in_log_return_period_and_holds_at_the_ends():
    dk = climate_scenario("dk-100yr")
    assert climate_factor(dk, 10.0) == pytest.approx(1.3, rel=EXACT)
    # T = 5: 1.2 + 0.1 * log(5/2) / log(10/2) = 1.256932...
    assert climate_factor(dk, 5.0) == pytest.approx(1.2 + 0.1 * np.log(2.5) / np.log(5.0), rel=EXACT)
    # T = 50: 1.3 + 0.1 * log(5) / log(10)
    assert climate_factor(dk, 50.0) == pytest.approx(1.3 + 0.1 * np.log10(5.0), rel=EXACT)
    assert climate_factor(dk, 1.0) == 1.2 and climate_factor(dk, 500.0) == 1.4
    assert np.all(np.diff(climate_factor(dk, np.geomspace(0.5, 1000.0, 50))) >= 0.0)


def test_fifty_year_horizon_scales_the_factors_linearly():
    # Linear in the planning horizon (Assens; Fredensborg): k50 = 1 + (k100 - 1) / 2.
    dk50 = climate_scenario("dk-50yr")
    assert dk50.storm_factors == pytest.approx((1.1, 1.15, 1.2), rel=EXACT)
    assert dk50.delta_change.factors == pytest.approx((1.1,), rel=EXACT)


def test_user_factor_and_bad_names():
    user = climate_scenario("user:1.25")
    assert climate_factor(user, 2.0) == climate_factor(user, 100.0) == 1.25
    assert user.delta_change.factors == (1.25,) and user.confidence == "user"
    with pytest.raises(InputError, match="unknown climate scenario 'dk-2300'"):
        climate_scenario("dk-2300")
    with pytest.raises(InputError, match="expected a number after 'user:'"):
        climate_scenario("user:wet")
    with pytest.raises(InputError, match="must be positive"):
        climate_scenario("user:-1")


def test_scenario_file_with_quantile_factors(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(
        'title = "Site study"\nreturn_periods_yr = [2, 100]\nstorm_factors = [1.1, 1.3]\n'
        "delta_change_quantiles = [0.9, 1.0]\ndelta_change_factors = [1.0, 1.2]\n",
        encoding="utf-8",
    )
    scenario = climate_scenario("site.toml", folder=tmp_path)
    assert scenario.name == "site" and scenario.delta_change.factors == (1.0, 1.2)
    bad = tmp_path / "bad.toml"
    bad.write_text("return_periods_yr = [2, 100]\nstorm_factors = [1.1]\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.toml.*storm factors"):
        climate_scenario(str(bad))
    with pytest.raises(InputError, match="not found"):
        climate_scenario("missing.toml", folder=tmp_path)


def test_bad_delta_change_classes_are_rejected():
    with pytest.raises(ValueError, match="last quantile must be 1"):
        DeltaChange(quantiles=(0.5, 0.9), factors=(1.0, 1.1))
    with pytest.raises(ValueError, match="one factor per class"):
        DeltaChange(quantiles=(0.5, 1.0), factors=(1.1,))


# --- design storms -----------------------------------------------------------------------------

def test_scaled_storm_keeps_its_pattern():
    storm = chicago_storm(resolve_idf("beijing-classic-zone2"), 5.0, 120.0, 5.0)
    scaled = scale_design_storm(storm, 1.3)
    assert scaled["time_min"].tolist() == storm["time_min"].tolist()
    assert scaled["depth_mm"].to_numpy() == pytest.approx(1.3 * storm["depth_mm"].to_numpy(), rel=EXACT)
    assert scaled["depth_mm"].idxmax() == storm["depth_mm"].idxmax()
    assert storm["depth_mm"].sum() == pytest.approx(scaled["depth_mm"].sum() / 1.3, rel=EXACT)  # input untouched
    with pytest.raises(InputError, match="positive"):
        scale_design_storm(storm, 0.0)


# --- delta change ------------------------------------------------------------------------------

def test_constant_factor_scales_every_total_exactly():
    rain = _two_storms()
    future = delta_change(rain, DeltaChange(factors=(1.2,)))
    assert future.sum() == pytest.approx(1.2 * rain.sum(), rel=EXACT)
    assert future.to_numpy() == pytest.approx(1.2 * rain.to_numpy(), rel=EXACT)
    assert future.index.equals(rain.index)


def test_factor_one_is_the_identity():
    rain = _two_storms()
    assert delta_change(rain, DeltaChange(factors=(1.0,))).equals(rain)


def test_quantile_factors_go_to_the_right_events():
    # Two events: 4 mm (quantile 1/2) and 10 mm (quantile 2/2). Classes q <= 0.5 -> 1.0,
    # q <= 1 -> 1.5: only the large event grows, by 5 mm.
    rain = _two_storms()
    future = delta_change(rain, DeltaChange(quantiles=(0.5, 1.0), factors=(1.0, 1.5)))
    assert future.iloc[:100].equals(rain.iloc[:100])
    assert future.iloc[150:152].tolist() == [7.5, 7.5]
    events = split_events(future)
    assert events["depth_mm"].tolist() == pytest.approx([4.0, 15.0], rel=EXACT)
    assert events[["start", "end"]].equals(split_events(rain)[["start", "end"]])  # timing kept


def test_event_separation_uses_the_dry_gap():
    # With a 12-h dry gap the two storms (11 h apart) are one 14 mm event: both scaled.
    rain = _two_storms()
    one = delta_change(rain, DeltaChange(quantiles=(0.5, 1.0), factors=(1.0, 2.0), min_inter_event_h=12.0))
    assert one.sum() == pytest.approx(28.0, rel=EXACT)


def test_monthly_factors_scale_events_by_their_start_month():
    # Event 1 starts 2024-07-01 00:50 (July), event 2 on 2024-07-01 12:30 (July): both x 1.1
    # from July; a January factor would not apply. Totals: 1.1 x (4 + 10) = 15.4 mm.
    monthly = (2.0,) * 6 + (1.1,) + (2.0,) * 5
    future = delta_change(_two_storms(), DeltaChange(factors=(1.0,), monthly_factors=monthly))
    assert future.sum() == pytest.approx(15.4, rel=EXACT)
    winter = _two_storms()
    winter.index = winter.index - pd.Timedelta(days=181)  # 2024-01-02: January
    assert delta_change(winter, DeltaChange(factors=(1.0,), monthly_factors=monthly)).sum() == pytest.approx(28.0, rel=EXACT)
    with pytest.raises(ValueError, match="12 positive values"):
        DeltaChange(monthly_factors=(1.1,) * 4)


def test_event_quantiles_share_ties():
    assert event_quantiles(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [1.0, 0.25, 1.0, 0.5]


def test_gaps_are_an_input_error():
    rain = _two_storms().drop(_two_storms().index[50:60])
    with pytest.raises(InputError, match="gaps"):
        delta_change(rain, DeltaChange(factors=(1.2,)))


def test_future_rainfall_records_the_scenario():
    future = future_rainfall(_two_storms(), climate_scenario("dk-100yr"))
    assert future.attrs["climate_scenario"] == "dk-100yr"
    assert future.sum() == pytest.approx(1.2 * 14.0, rel=EXACT)


def test_capture_design_depth_scales_with_a_constant_factor():
    # alpha(X) = sum min(X_j, X) / sum X_j: with every day's depth x k and no threshold, alpha(kX)
    # in the future equals alpha(X) today, so the design depth scales by k exactly.
    rng = np.random.default_rng(7)
    values = np.where(rng.random(24 * 12 * 60) < 0.02, rng.gamma(0.6, 2.0, 24 * 12 * 60), 0.0)
    rain = _series(values)
    today = design_depth_mm(daily_depth_mm(rain), 0.85, threshold_mm=0.0)
    future = design_depth_mm(daily_depth_mm(delta_change(rain, DeltaChange(factors=(1.3,)))), 0.85, threshold_mm=0.0)
    assert future == pytest.approx(1.3 * today, rel=1e-9)


# --- properties --------------------------------------------------------------------------------

_depths = st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0, 2.5, 7.0]), min_size=2, max_size=300)
_factors = st.lists(st.floats(0.5, 2.0), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(_depths, _factors)
def test_future_series_is_non_negative_and_keeps_dry_steps(values, factors):
    factors = sorted(factors)
    quantiles = tuple(np.linspace(0.0, 1.0, len(factors) + 1)[1:])
    rain = _series(values)
    future = delta_change(rain, DeltaChange(quantiles=quantiles, factors=tuple(factors)))
    assert (future.to_numpy() >= 0.0).all()
    assert ((future.to_numpy() > 0.0) == (rain.to_numpy() > 0.0)).all()
    lowest, highest = min(factors), max(factors)
    assert lowest * rain.sum() - 1e-9 <= future.sum() <= highest * rain.sum() + 1e-9


@settings(max_examples=60, deadline=None)
@given(_depths, st.floats(0.5, 2.0), st.floats(0.0, 1.0))
def test_total_is_monotone_in_the_factor(values, k, extra):
    rain = _series(values)
    low = delta_change(rain, DeltaChange(factors=(k,)))
    high = delta_change(rain, DeltaChange(factors=(k + extra,)))
    assert (high.to_numpy() >= low.to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(_depths, _factors)
def test_non_decreasing_factors_keep_the_ranking_of_events(values, factors):
    factors = sorted(factors)
    quantiles = tuple(np.linspace(0.0, 1.0, len(factors) + 1)[1:])
    rain = _series(values)
    before = split_events(rain)["depth_mm"].to_numpy()
    after = split_events(delta_change(rain, DeltaChange(quantiles=quantiles, factors=tuple(factors))))["depth_mm"].to_numpy()
    order = np.argsort(before, kind="stable")
    assert np.all(np.diff(after[order]) >= -1e-9)


def test_scenario_model_validates_its_table():
    with pytest.raises(ValueError, match="rise strictly"):
        ClimateScenario(name="x", return_periods_yr=(10.0, 2.0), storm_factors=(1.3, 1.2))
