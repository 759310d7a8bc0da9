"""Chicago design storm (Keifer & Chu 1957): the defining property, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.climate.idf import depth_mm, load_idf, parse_idf
from ecocity.climate.storms import BEIJING_PEAK_RATIO, chicago_storm
from ecocity.errors import InputError

EXACT = 1e-9


def max_window_depth(depth: np.ndarray, k: int) -> float:
    cumulative = np.concatenate(([0.0], np.cumsum(depth)))
    return float((cumulative[k:] - cumulative[:-k]).max())


def check_chicago(params, p, duration, step, ratio):
    storm = chicago_storm(params, p, duration, step, ratio)
    m = len(storm)
    assert m == round(duration / step)
    assert storm["time_min"].tolist() == pytest.approx([i * step for i in range(m)], rel=EXACT)
    depth = storm["depth_mm"].to_numpy()
    assert (depth > 0).all()
    for k in range(1, m + 1):
        assert max_window_depth(depth, k) == pytest.approx(depth_mm(params, p, k * step), rel=EXACT)
    assert depth.sum() == pytest.approx(depth_mm(params, p, duration), rel=EXACT)
    peak = int(np.argmax(depth))
    assert peak == int(np.floor(ratio * (m - 1) + 0.5))
    # The continuous peak time r*T lies within one step of the peak step.
    assert peak * step - step <= ratio * duration <= (peak + 1) * step + step
    # Unimodal: rising to the peak, falling after it.
    assert (np.diff(depth[: peak + 1]) >= 0).all()
    assert (np.diff(depth[peak:]) <= 0).all()


def test_beijing_two_year_two_hour_storm():
    classic = load_idf("beijing-classic-zone2")
    check_chicago(classic, 2.0, 120.0, 5.0, BEIJING_PEAK_RATIO)
    storm = chicago_storm(classic, 2.0, 120.0, 5.0)
    # Peak step: floor(0.355 * 23 + 0.5) = 8, i.e. 40-45 min (r*T = 42.6 min); its depth is H(5 min).
    assert storm["depth_mm"].idxmax() == 8
    assert storm["depth_mm"].max() == pytest.approx(depth_mm(classic, 2.0, 5.0), rel=EXACT)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.5, 100.0),
    st.integers(1, 60),
    st.sampled_from([1.0, 2.0, 5.0, 10.0]),
    st.floats(0.01, 0.99),
    st.sampled_from(["2001,0.811,8,0.711", "1602,1.037,11.593,0.681", "500,0.5,0,0.3"]),
)
def test_every_window_holds_the_formula_depth(p, m, step, ratio, coefficients):
    check_chicago(parse_idf(coefficients), p, m * step, step, ratio)


@pytest.mark.parametrize(
    ("duration", "step", "ratio", "field"),
    [(120, 7, 0.4, "step_min"), (120, 0, 0.4, "step_min"), (0, 5, 0.4, "duration_min"), (120, 5, 0.0, "peak_ratio"), (120, 5, 1.0, "peak_ratio")],
)
def test_bad_storm_inputs_are_input_errors(duration, step, ratio, field):
    with pytest.raises(InputError) as caught:
        chicago_storm(load_idf("beijing-classic-zone2"), 2.0, duration, step, ratio)
    assert caught.value.field == field
