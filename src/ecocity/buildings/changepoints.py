"""Change points of a mean shift and the weather residuals they are searched in.

Statistics under :func:`ecocity.buildings.anomalies.level_shifts`: binary segmentation with the
CUSUM split (Scott & Knott 1974, Biometrics 30:507; Page 1954, Biometrika 41:100), a long-run
noise scale robust to the shifts, and a day-of-week + degree-day least-squares stand-in model.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def long_run_sd(x: np.ndarray) -> float:
    """Long-run noise scale of a series with level shifts, for the standard error of a mean.

    From the first differences, which a few level shifts barely touch: for AR(1) noise with
    variance σ² and lag-1 correlation ρ, var(Δx) = 2σ²(1 − ρ) and corr(Δx_t, Δx_t−1) = −(1 − ρ)/2,
    so ρ = 1 + 2·corr and the long-run variance σ²(1 + ρ)/(1 − ρ) follows. The scale of Δx is
    the MAD × 1.4826 (robust to the jumps at the shifts).
    """
    d = np.diff(np.asarray(x, dtype=float))
    d = d[np.isfinite(d)]
    if len(d) < 3:
        return math.nan
    sd_d = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    if sd_d == 0.0:
        return 0.0
    dc = np.clip(d - np.median(d), -3 * sd_d, 3 * sd_d)          # winsorised: the jumps do not count
    r_d = float(np.sum(dc[1:] * dc[:-1]) / np.sum(dc**2))
    rho = float(np.clip(1.0 + 2.0 * r_d, 0.0, 0.95))
    sigma2 = sd_d**2 / (2.0 * (1.0 - rho))
    return math.sqrt(sigma2 * (1.0 + rho) / (1.0 - rho))


def _split_statistic(x: np.ndarray, min_seg: int, scale: float) -> tuple[int, float]:
    """Best CUSUM split of ``x`` and its two-sample t statistic with a long-run noise scale."""
    n = len(x)
    if n < 2 * min_seg:
        return -1, 0.0
    k = np.arange(1, n)
    cs = np.cumsum(x - x.mean())[:-1]
    score = np.abs(cs) / np.sqrt(k * (n - k) / n)
    score[: min_seg - 1] = -1.0
    score[n - min_seg:] = -1.0
    kk = int(np.argmax(score)) + 1                              # left = x[:kk]
    diff = abs(x[:kk].mean() - x[kk:].mean())
    if scale == 0.0:
        return kk, math.inf if diff > 0 else 0.0
    return kk, diff / (scale * math.sqrt(1 / kk + 1 / (n - kk)))


def change_points(residuals: np.ndarray, *, min_segment: int, t_statistic: float, max_changes: int) -> list[int]:
    """Change points of a mean shift by binary segmentation with the CUSUM statistic.

    Returns the sorted indices i where a new segment starts (``x[i]`` is the first value after
    the shift). Scott & Knott (1974) binary segmentation; CUSUM after Page (1954); the
    two-sample t statistic uses the long-run noise scale of :func:`long_run_sd`.
    """
    x = np.asarray(residuals, dtype=float)
    scale = long_run_sd(x)
    found: list[int] = []
    stack = [(0, len(x))]
    while stack and len(found) < max_changes:
        a, b = stack.pop()
        k, t = _split_statistic(x[a:b], min_segment, scale)
        if k < 0 or t < t_statistic:
            continue
        found.append(a + k)
        stack.extend([(a, a + k), (a + k, b)])
    return sorted(found)


def weather_residuals(usage_daily: pd.Series, temperature_c_daily: pd.Series) -> pd.Series:
    """Residuals of a day-of-week + degree-day least-squares fit, balance points by grid search. [kWh/d]

    A stand-in when no baseline model is given: U = a_weekday + b·HDD(τ_h) + c·CDD(τ_c) with
    τ_h ∈ 10…18 °C and τ_c ∈ 18…26 °C (1 °C steps), the pair with the least squared error.
    """
    t = temperature_c_daily.reindex(usage_daily.index).to_numpy()
    y = usage_daily.to_numpy()
    dummies = (usage_daily.index.day_of_week.to_numpy()[:, None] == np.arange(7)[None, :]).astype(float)
    best = None
    for th_c in np.arange(10.0, 18.5, 1.0):
        for tc_c in np.arange(max(18.0, th_c), 26.5, 1.0):
            X = np.column_stack([dummies, np.maximum(0, th_c - t), np.maximum(0, t - tc_c)])
            coef, *_ = np.linalg.lstsq(X, y, rcond=None)
            r = y - X @ coef
            sse = float(r @ r)
            if best is None or sse < best[0]:
                best = (sse, r)
    return pd.Series(best[1], index=usage_daily.index)
