"""Annual runoff volume capture ratio (Sponge City Technical Guide 2014, Appendix 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.climate.capture import (
    capture_ratio_curve,
    capture_ratio_for_depth,
    daily_depth_mm,
    design_depth_mm,
)
from ecocity.errors import InputError

EXACT = 1e-12  # pure arithmetic on a handful of numbers


def test_curve_by_hand():
    # Days: 0.5, 2.0 (both dropped: <= 2 mm), 3, 5, 5, 10, 27 mm. Retained N = 5, total 50 mm.
    # alpha(3)  = (3 + 4*3)/50          = 15/50 = 0.30
    # alpha(5)  = (3 + 5 + 5 + 2*5)/50  = 23/50 = 0.46   (the tie appears once)
    # alpha(10) = (3 + 5 + 5 + 10 + 10)/50 = 33/50 = 0.66
    # alpha(27) = 50/50 = 1
    daily = [0.5, 2.0, 3.0, 5.0, 5.0, 10.0, 27.0]
    curve = capture_ratio_curve(daily)
    assert curve["depth_mm"].tolist() == [3.0, 5.0, 10.0, 27.0]
    assert curve["capture_ratio"].tolist() == pytest.approx([0.30, 0.46, 0.66, 1.0], rel=EXACT)
    # alpha(20) = (3 + 5 + 5 + 10 + 20)/50 = 43/50 = 0.86; and below the smallest day
    # alpha(2.5) = 5 * 2.5 / 50 = 0.25.
    assert capture_ratio_for_depth(daily, 20.0) == pytest.approx(0.86, rel=EXACT)
    assert capture_ratio_for_depth(daily, 2.5) == pytest.approx(0.25, rel=EXACT)
    # Inverse: alpha = 0.80 lies between 10 and 27 mm, where alpha(X) = (23 + X)/50 -> X = 17.
    assert design_depth_mm(daily, 0.80) == pytest.approx(17.0, rel=EXACT)
    assert design_depth_mm(daily, 0.10) == pytest.approx(1.0, rel=EXACT)  # 5X/50 = 0.1
    assert design_depth_mm(daily, 1.0) == pytest.approx(27.0, rel=EXACT)


def test_threshold_is_a_parameter():
    # With no threshold every day counts: total 52.5 mm, alpha(27) = 1 still.
    curve = capture_ratio_curve([0.5, 2.0, 3.0, 50.0], threshold_mm=0.0)
    assert curve["depth_mm"].tolist() == [0.5, 2.0, 3.0, 50.0]
    # alpha(2) = (0.5 + 2 + 2*2)/55.5
    assert curve["capture_ratio"].iloc[1] == pytest.approx(6.5 / 55.5, rel=EXACT)


def test_daily_depth_sums_calendar_days_and_skips_unrecorded_days():
    index = pd.DatetimeIndex(
        ["2020-07-01 23:55", "2020-07-02 00:00", "2020-07-02 12:00", "2020-07-04 00:00"]
    )
    series = pd.Series([1.0, 2.0, 3.0, 4.0], index=index, name="depth_mm")
    with pytest.warns(UserWarning, match="gaps"):
        daily = daily_depth_mm(series)
    assert daily.index.tolist() == [pd.Timestamp("2020-07-01"), pd.Timestamp("2020-07-02"), pd.Timestamp("2020-07-04")]
    assert daily.tolist() == [1.0, 5.0, 4.0]


def test_daily_depth_of_regular_series_matches_pandas_resample():
    rng = np.random.default_rng(1)
    index = pd.date_range("2019-12-30 13:00", periods=20_000, freq="1min")
    series = pd.Series(rng.exponential(0.1, len(index)), index=index, name="depth_mm")
    ours = daily_depth_mm(series)
    reference = series.resample("D").sum()
    assert ours.to_numpy() == pytest.approx(reference.to_numpy(), rel=1e-12)
    assert (ours.index == reference.index).all()


def test_bad_inputs_are_input_errors():
    with pytest.raises(InputError, match="ratio"):
        design_depth_mm([3.0, 4.0], 0.0)
    with pytest.raises(InputError, match="ratio"):
        design_depth_mm([3.0, 4.0], 1.2)
    with pytest.raises(InputError, match="more than 2.0 mm"):
        capture_ratio_curve([0.5, 1.0, 2.0])
    with pytest.raises(InputError, match="non-negative"):
        capture_ratio_curve([3.0, np.nan])


daily_depths = st.lists(st.floats(0.0, 300.0, allow_nan=False), min_size=1, max_size=200).filter(
    lambda xs: max(xs) > 2.0
)


@settings(max_examples=60, deadline=None)
@given(daily_depths, st.floats(0.0, 400.0), st.floats(0.0, 400.0))
def test_capture_ratio_is_monotone_in_depth(daily, x1, x2):
    low, high = sorted((x1, x2))
    assert capture_ratio_for_depth(daily, low) <= capture_ratio_for_depth(daily, high) + 1e-12


@settings(max_examples=60, deadline=None)
@given(daily_depths)
def test_curve_is_positive_increasing_and_one_at_the_largest_day(daily):
    curve = capture_ratio_curve(daily)
    alpha = curve["capture_ratio"].to_numpy()
    assert (alpha > 0).all()
    assert (np.diff(alpha) >= 0).all()
    # strictly increasing between depths that floating point can tell apart (hypothesis found
    # 299.99999999999994 and 300 mm, whose ratios both round to 1.0)
    apart = np.diff(curve["depth_mm"].to_numpy()) > 1e-9 * max(daily)
    assert (np.diff(alpha)[apart] > 0).all()
    assert alpha[-1] == pytest.approx(1.0, rel=1e-12)
    assert curve["depth_mm"].iloc[-1] == max(daily)
    assert capture_ratio_for_depth(daily, 10 * max(daily)) == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(daily_depths, st.floats(0.001, 1.0))
def test_design_depth_inverts_capture_ratio(daily, ratio):
    depth = design_depth_mm(daily, ratio)
    assert capture_ratio_for_depth(daily, depth) == pytest.approx(ratio, rel=1e-9)
