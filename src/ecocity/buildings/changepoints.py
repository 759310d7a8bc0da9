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

    A stand-in when no baseline model is given: U = a_weekday + b·HDD(τ_h) + c·CDD(τ_c), and its
    HDD-only, CDD-only and weekday-only forms, with τ_h ∈ 10…18 °C and τ_c ∈ 12…26 °C (1 °C steps,
    τ_c ≥ τ_h). As in CalTRACK 2.0 (3.2.2.1, 3.4.3.2) a candidate qualifies only with positive
    slopes — a negative cooling slope would let a summer closure pass for weather — and the
    qualified candidate with the least squared error is kept. Cooling from 12 °C: a
    well-insulated office with internal gains cools from a daily mean of about 16 °C.

    Solved by Frisch–Waugh–Lovell: use and degree days are centred on their weekday means, which
    removes the seven weekday constants exactly, leaving one- or two-column regressions.
    """
    t = temperature_c_daily.reindex(usage_daily.index).to_numpy(dtype=float)
    y = usage_daily.to_numpy(dtype=float)
    dow = np.asarray(usage_daily.index.day_of_week)
    count = np.bincount(dow, minlength=7).astype(float)

    def centred(x: np.ndarray) -> np.ndarray:
        means = np.divide(np.bincount(dow, weights=x, minlength=7), count, out=np.zeros(7), where=count > 0)
        return x - means[dow]

    yc = centred(y)
    heating = [centred(np.maximum(0.0, th_c - t)) for th_c in np.arange(10.0, 18.5, 1.0)]
    cooling = [(tc_c, centred(np.maximum(0.0, t - tc_c))) for tc_c in np.arange(12.0, 26.5, 1.0)]
    best_sse, best = float(yc @ yc), yc

    def keep(r: np.ndarray) -> None:
        nonlocal best_sse, best
        sse = float(r @ r)
        if sse < best_sse:
            best_sse, best = sse, r

    for x in heating + [c for _, c in cooling]:                       # one degree-day term
        xx = float(x @ x)
        if xx > 1e-9 and (b := float(x @ yc) / xx) > 0:
            keep(yc - b * x)
    for i, h in enumerate(heating):                                   # both terms, τ_c ≥ τ_h
        th_c = 10.0 + i
        hh, hy = float(h @ h), float(h @ yc)
        for tc_c, c in cooling:
            if tc_c < th_c:
                continue
            cc, hc, cy = float(c @ c), float(h @ c), float(c @ yc)
            det = hh * cc - hc * hc
            if det <= 1e-9 * max(hh * cc, 1e-300):
                continue
            b, g = (cc * hy - hc * cy) / det, (hh * cy - hc * hy) / det
            if b > 0 and g > 0:
                keep(yc - b * h - g * c)
    return pd.Series(best, index=usage_daily.index)
