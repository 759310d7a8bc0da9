"""Array helpers of the daily anomaly detectors (:mod:`ecocity.buildings.anomalies`).

Each does by numpy what a pandas or scipy one-liner does, with the same arithmetic, so the
detectors' numbers do not change: the days two daily series share (``DataFrame(...).dropna()``),
a lookup by day (``reindex``), medians by key (group median), a midnight test (``normalize``) and
the least-squares slope with its t statistic (:func:`scipy.stats.linregress`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def at_midnight(idx: pd.DatetimeIndex) -> bool:
    """Whether every time of ``idx`` is a local midnight (``idx == idx.normalize()``; NaT is not)."""
    wall = (idx.tz_localize(None) if idx.tz is not None else idx).to_numpy()
    return bool((wall == wall.astype("datetime64[D]")).all())


def slope_t(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of ``y`` on ``t`` and its t statistic (slope over its standard error).

    The arithmetic of :func:`scipy.stats.linregress` (population covariances, r clipped to
    [−1, 1], stderr = √((1 − r²)·s_yy / s_tt / (n − 2))), done here without its p-value and
    argument handling; other inputs (n ≤ 2, NaN, equal ``t``, not float64) go to scipy itself.
    """
    t, y = np.asarray(t), np.asarray(y)
    if (len(t) > 2 and t.dtype == np.float64 and y.dtype == np.float64 and t.shape == y.shape
            and np.isfinite(t).all() and np.isfinite(y).all() and np.amax(t) != np.amin(t)):
        stt, sty, _, syy = np.cov(t, y, bias=1).flat
        if syy == 0.0:
            r = math.nan if sty == 0 else 0.0
        else:
            r = min(max(sty / np.sqrt(stt * syy), -1.0), 1.0)
        slope, stderr = sty / stt, np.sqrt((1 - r**2) * syy / stt / (len(t) - 2))
    else:
        res = stats.linregress(t, y)
        slope, stderr = res.slope, res.stderr
    tstat = slope / stderr if stderr > 0 else (math.inf if slope else 0.0)
    return float(slope), float(tstat)


def aligned_days(u: pd.Series, t: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """The days where both ``u`` and ``t`` have a value: index, values of ``u``, values of ``t``.

    As ``pd.DataFrame({"u": u, "t": t}).dropna()``; done on the indexes' integers when both are
    sorted, unique, without NaT and of one dtype (time zone included), by pandas otherwise.
    """
    ui, ti = u.index, t.index
    if (isinstance(ui, pd.DatetimeIndex) and isinstance(ti, pd.DatetimeIndex) and ui.dtype == ti.dtype
            and ui.is_monotonic_increasing and ti.is_monotonic_increasing and ui.is_unique and ti.is_unique
            and not ui.hasnans and not ti.hasnans):
        uv, tv = u.to_numpy(dtype=float), t.to_numpy(dtype=float)
        ku, kt = np.flatnonzero(~np.isnan(uv)), np.flatnonzero(~np.isnan(tv))
        _, iu, it = np.intersect1d(ui.asi8[ku], ti.asi8[kt], assume_unique=True, return_indices=True)
        keep = np.zeros(len(ui), dtype=bool)
        keep[ku[iu]] = True
        index = ui[keep]
        if index.name is not None and ti.name != index.name:
            index = index.rename(None)
        return index, uv[keep], tv[kt[it]]
    df = pd.DataFrame({"u": u, "t": t}).dropna()
    return df.index, df["u"].to_numpy(dtype=float), df["t"].to_numpy(dtype=float)


def on_days(t: pd.Series, days: pd.DatetimeIndex) -> pd.Series:
    """``t.reindex(days)``, the values of ``t`` on the given days (NaN where it has none).

    By a binary search of the indexes' integers when ``t``'s index is sorted, unique, without NaT
    and of ``days``' dtype; by pandas otherwise.
    """
    ti = t.index
    if (isinstance(ti, pd.DatetimeIndex) and ti.dtype == days.dtype and ti.is_monotonic_increasing
            and ti.is_unique and not ti.hasnans and not days.hasnans and len(ti)):
        want, have = days.asi8, ti.asi8
        at = np.minimum(np.searchsorted(have, want), len(have) - 1)
        found = have[at] == want
        values = np.where(found, t.to_numpy(dtype=float)[at], np.nan)
        return pd.Series(values, index=days, name=t.name)
    return t.reindex(days)


def medians_by(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct ``keys`` and the median of ``values`` within each (as :func:`numpy.median`).

    One sort: an odd group's median is its middle value, an even group's the mean of its two
    middle values, (a + b)/2, the arithmetic of :func:`numpy.median` and of pandas' group median.
    """
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    distinct, first, count = np.unique(k, return_index=True, return_counts=True)
    return distinct, (v[first + (count - 1) // 2] + v[first + count // 2]) / 2.0
