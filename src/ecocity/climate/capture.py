"""Annual runoff volume capture ratio (年径流总量控制率) and the design rainfall depth.

The method of the 2014 Sponge City Technical Guide, Appendix 2: take daily rainfall depths,
drop the days of 2 mm or less, and for a threshold depth X count each remaining day's rain up
to X. The share of the total so counted is the capture ratio α(X); the X at a target α is the
design rainfall depth (设计降雨量).

References
----------
.. [1] MOHURD (2014). 海绵城市建设技术指南——低影响开发雨水系统构建（试行）
   [Sponge City Construction Technical Guide: Low Impact Development Stormwater System
   (trial)], Appendix 2 (p. 64) and Table F2-1 (p. 65).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ecocity.climate.rainfall import _step_and_gaps
from ecocity.errors import InputError

GUIDE_THRESHOLD_MM = 2.0
"""Days with this depth or less are left out (Technical Guide, Appendix 2). [mm]"""


def daily_depth_mm(series: pd.Series) -> pd.Series:
    """Sum a rainfall series into calendar-day depths.

    Parameters
    ----------
    series
        ``depth_mm`` per step [mm] on a DatetimeIndex (step starts). Days are calendar days of
        the index's own clock (its time zone, if any).

    Returns
    -------
    pandas.Series
        ``depth_mm`` per day [mm], indexed by the day's midnight, for every day with at least one
        recorded step (days wholly inside a gap are left out, not set to zero).

    Warns
    -----
    UserWarning
        If the series has gaps: the days they touch hold the sum of their recorded steps only.

    Notes
    -----
    Works on integer day numbers with :func:`numpy.bincount`, which is an order of magnitude
    faster than a pandas ``groupby`` on long one-minute records.
    """
    index = pd.DatetimeIndex(series.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    if len(index) == 0:
        raise InputError("the rainfall series is empty", file=series.attrs.get("source"))
    days = index.to_numpy().astype("datetime64[D]").astype(np.int64)
    values = series.to_numpy(dtype=float)
    if len(days) > 1:
        _, gaps_after = _step_and_gaps(index, series.attrs.get("source"))
        if len(gaps_after):
            warnings.warn(
                f"the rainfall series has {len(gaps_after)} gaps; daily depths on the days they touch are "
                "sums of the recorded steps only",
                stacklevel=2,
            )
    first = days[0]
    offset = days - first
    depth = np.bincount(offset, weights=values)
    recorded = np.bincount(offset) > 0
    day_numbers = np.flatnonzero(recorded) + first
    out = pd.Series(
        depth[recorded],
        index=pd.DatetimeIndex(day_numbers.astype("datetime64[D]").astype("datetime64[s]"), name="date"),
        name="depth_mm",
    )
    out.attrs = dict(series.attrs)
    return out


def _retained_sorted(daily_depth: pd.Series | np.ndarray, threshold_mm: float) -> np.ndarray:
    values = np.asarray(daily_depth, dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise InputError("daily depths must be non-negative numbers", field="depth_mm")
    if not threshold_mm >= 0:
        raise InputError(f"threshold_mm must be zero or positive, got {threshold_mm}", field="threshold_mm")
    kept = np.sort(values[values > threshold_mm])
    if len(kept) == 0:
        raise InputError(f"no day has more than {threshold_mm} mm of rain", field="depth_mm")
    return kept


def capture_ratio_curve(daily_depth: pd.Series | np.ndarray, threshold_mm: float = GUIDE_THRESHOLD_MM) -> pd.DataFrame:
    """Annual runoff volume capture ratio α at each retained daily depth.

    Parameters
    ----------
    daily_depth
        Daily rainfall depths [mm] (as from :func:`daily_depth_mm`), ideally ≥ 30 years.
    threshold_mm
        Days with this depth or less are dropped (2 mm in the Guide). [mm]

    Returns
    -------
    pandas.DataFrame
        Columns ``depth_mm`` (distinct retained daily depths, ascending) [mm] and
        ``capture_ratio`` α at that depth [-]; the last row has α = 1.

    Notes
    -----
    With the N retained days sorted ascending, X_1 ≤ … ≤ X_N, Guide Appendix 2 [1]_ gives

    .. math:: α(X_i) = \\frac{\\sum_{j \\le i} X_j + (N - i)\\,X_i}{\\sum_{j=1}^{N} X_j}

    Between two retained depths α is linear in X, and for X ≤ X_1 it is N·X / ΣX, so this
    table with the origin (0, 0) defines α(X) exactly by linear interpolation.

    References
    ----------
    .. [1] MOHURD (2014), Sponge City Technical Guide, Appendix 2, p. 64.
    """
    x = _retained_sorted(daily_depth, threshold_mm)
    n = len(x)
    alpha = (np.cumsum(x) + (n - np.arange(1, n + 1)) * x) / x.sum()
    last_of_tie = np.append(x[1:] != x[:-1], True)
    return pd.DataFrame({"depth_mm": x[last_of_tie], "capture_ratio": np.minimum(alpha[last_of_tie], 1.0)})


def capture_ratio_for_depth(
    daily_depth: pd.Series | np.ndarray, depth_mm: float | np.ndarray, threshold_mm: float = GUIDE_THRESHOLD_MM
) -> float | np.ndarray:
    """Capture ratio α achieved by a design depth.

    α(X) = Σ min(X_j, X) / Σ X_j over the retained days (Guide Appendix 2).

    Parameters
    ----------
    daily_depth
        Daily rainfall depths. [mm]
    depth_mm
        Design depth(s) X. [mm]
    threshold_mm
        Days with this depth or less are dropped. [mm]

    Returns
    -------
    float or numpy.ndarray
        α in [0, 1]. [-]
    """
    x = _retained_sorted(daily_depth, threshold_mm)
    depth = np.asarray(depth_mm, dtype=float)
    if np.isnan(depth).any() or (depth < 0).any():
        raise InputError(f"design depth must be zero or positive, got {depth_mm}", field="depth_mm")
    cumulative = np.concatenate(([0.0], np.cumsum(x)))
    below = np.searchsorted(x, depth, side="right")
    alpha = (cumulative[below] + (len(x) - below) * depth) / cumulative[-1]
    return float(alpha) if alpha.ndim == 0 else alpha


def design_depth_mm(
    daily_depth: pd.Series | np.ndarray, ratio: float | np.ndarray, threshold_mm: float = GUIDE_THRESHOLD_MM
) -> float | np.ndarray:
    """Design rainfall depth for a target annual runoff volume capture ratio.

    The exact inverse of :func:`capture_ratio_for_depth`: α(X) is continuous, piecewise linear
    and strictly increasing up to the largest retained day, so linear interpolation in the
    :func:`capture_ratio_curve` table (with the origin) inverts it without error.

    Parameters
    ----------
    daily_depth
        Daily rainfall depths. [mm]
    ratio
        Target capture ratio(s) α, in (0, 1]. [-]
    threshold_mm
        Days with this depth or less are dropped. [mm]

    Returns
    -------
    float or numpy.ndarray
        Design depth(s) [mm].

    Examples
    --------
    >>> round(design_depth_mm([1.0, 4.0, 10.0, 20.0], 0.8), 2)
    13.2
    """
    target = np.asarray(ratio, dtype=float)
    if np.isnan(target).any() or (target <= 0).any() or (target > 1).any():
        raise InputError(f"capture ratio must be in (0, 1], got {ratio}", field="ratio")
    curve = capture_ratio_curve(daily_depth, threshold_mm)
    depth = np.interp(
        target,
        np.concatenate(([0.0], curve["capture_ratio"].to_numpy())),
        np.concatenate(([0.0], curve["depth_mm"].to_numpy())),
    )
    return float(depth) if depth.ndim == 0 else depth
