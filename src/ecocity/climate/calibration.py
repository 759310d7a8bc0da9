"""How the synthetic-rainfall parameters were obtained (run once; the result is shipped as data).

``python -m ecocity.climate.calibration > src/ecocity/climate/data/synthetic_beijing.toml``
re-derives the Beijing set from ``climate/data/beijing_rain_targets.toml``:

1. *Daily model* (analytic, no sampling noise). Wet-day probability per month follows
   π_m ∝ (P_m / P_Jul)^β scaled so the expected wet days (≥ s = 0.1 mm) per year equal the
   target; persistence d = p11 − p01 is assumed (no Beijing statistic found); a wet day's depth
   is s + Y, Y ~ gamma(k, θ_m), with θ_m set so each month's mean equals its normal P_m. β and k
   are fitted (least squares) to the Guide's five design depths using the exact expected
   capture ratio of the monthly mixture, with u = X − s and l = 2 mm − s:

   .. math:: α(X) = \\frac{\\sum_m n_m π_m \\{s[G_k(u) − G_k(l)] + kθ_m[G_{k+1}(u) − G_{k+1}(l)]
                         + X[1 − G_k(u)]\\}}{\\sum_m n_m π_m \\{s[1 − G_k(l)] + kθ_m[1 − G_{k+1}(l)]\\}}

   with G_j the gamma CDF of shape j and scale θ_m (using y·g_k(y) = kθ·g_{k+1}(y)).
2. *Cascade* (by simulation with common random numbers). For each Dirichlet concentration on a
   small grid, the probabilities of an all-in-one split at the two coarse (×3) and the five
   fine (×2) levels are fitted (Nelder–Mead, log-depth least squares) to the short-duration
   depths of the classic Beijing formula read as an annual exceedance series.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ecocity.climate.capture import GUIDE_THRESHOLD_MM
from ecocity.climate.idf import depth_mm, load_idf
from ecocity.climate.synthetic import BRANCHING, SyntheticParameters, cascade_disaggregate, simulate_daily_depth_mm

DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
ASSUMED_PERSISTENCE = 0.3
"""p11 − p01 of the daily occurrence chain: assumed (typical of monsoon climates), not fitted."""
DIRICHLET_GRID = (1.0, 2.0, 3.0)
CALIBRATION_YEARS = 300
CALIBRATION_SEED = 20141022  # the Guide's issue date (2014-10-22), as a memorable fixed seed


def load_targets() -> dict:
    """The Beijing calibration and check targets (``climate/data/beijing_rain_targets.toml``)."""
    text = resources.files("ecocity.climate").joinpath("data", "beijing_rain_targets.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def expected_capture_ratio(params: SyntheticParameters, depth: float, threshold_mm: float = GUIDE_THRESHOLD_MM) -> float:
    """Long-run capture ratio α(X) of the daily model, exactly (see the module notes). [-]"""
    pi = np.asarray(params.wet_probability)
    theta = np.asarray(params.gamma_scale_mm)
    k, s = params.gamma_shape, params.wet_threshold_mm
    weight = DAYS_IN_MONTH * pi
    g_next = stats.gamma(k + 1, scale=theta)
    g = stats.gamma(k, scale=theta)
    low, high = max(threshold_mm - s, 0.0), max(depth - s, 0.0)
    below = s * (g.cdf(high) - g.cdf(low)) + k * theta * (g_next.cdf(high) - g_next.cdf(low))
    num = weight * (np.where(depth > threshold_mm, below, 0.0) + depth * g.sf(high))
    den = weight * (s * g.sf(low) + k * theta * g_next.sf(low))
    return float(num.sum() / den.sum())


def expected_design_depth_mm(params: SyntheticParameters, ratio: float, threshold_mm: float = GUIDE_THRESHOLD_MM) -> float:
    """Long-run design depth of the daily model at capture ratio ``ratio``. [mm]"""
    return optimize.brentq(lambda x: expected_capture_ratio(params, x, threshold_mm) - ratio, threshold_mm, 2000.0)


def daily_parameters(monthly_mm: np.ndarray, wet_days: float, wet_threshold_mm: float, beta: float, shape: float) -> dict:
    """Monthly wet probabilities and gamma scales for given β and k, matching the wet-day count.

    π_m = π_max (P_m / max P)^β with Σ n_m π_m = ``wet_days``; a wet day's depth is
    ``wet_threshold_mm`` + gamma(k, θ_m), so the monthly mean n_m π_m (s + kθ_m) = P_m.
    """
    relative = (monthly_mm / monthly_mm.max()) ** beta
    pi = wet_days * relative / (DAYS_IN_MONTH * relative).sum()
    if pi.max() >= 0.95:
        raise ValueError("wet-day probability above 0.95")
    theta = (monthly_mm / (DAYS_IN_MONTH * pi) - wet_threshold_mm) / shape
    if (theta <= 0).any():
        raise ValueError("a month's mean wet-day depth is below the wet-day threshold")
    return {"wet_probability": tuple(float(v) for v in pi), "gamma_scale_mm": tuple(float(v) for v in theta), "gamma_shape": shape}


def fit_daily(targets: dict) -> SyntheticParameters:
    """Step 1 of the module notes."""
    monthly = np.asarray(targets["monthly"]["depth_mm"])
    ratios = targets["design_depths"]["capture_ratio"]
    wanted = np.asarray(targets["design_depths"]["depth_mm"])
    wet = targets["wet_days"]

    def build(beta: float, shape: float) -> SyntheticParameters:
        daily = daily_parameters(monthly, wet["per_year"], wet["threshold_mm"], beta, shape)
        return SyntheticParameters(
            name="beijing", persistence=ASSUMED_PERSISTENCE, p_single=(0.0,) * len(BRANCHING), dirichlet_a=1.0,
            wet_threshold_mm=wet["threshold_mm"], **daily,
        )

    def misfit(x: np.ndarray) -> float:
        beta, shape = x
        if not (0.0 < beta < 2.0 and 0.1 < shape < 3.0):
            return 1e6
        try:
            params = build(beta, shape)
        except ValueError:  # no wet probability below 0.95 gives the wet-day count
            return 1e6
        got = [expected_design_depth_mm(params, r) for r in ratios]
        return float(np.sum((np.asarray(got) - wanted) ** 2))

    best = optimize.minimize(misfit, x0=[0.5, 0.45], method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-8})
    return build(*best.x)


def window_maxima_mm(fine: np.ndarray, steps: int) -> np.ndarray:
    """Largest depth in any ``steps``-long window of each day (rows of 5-min depths). [mm]"""
    cumulative = np.concatenate([np.zeros((len(fine), 1)), fine.cumsum(axis=1)], axis=1)
    return (cumulative[:, steps:] - cumulative[:, :-steps]).max(axis=1)


def exceedance_depth_mm(daily_maxima: np.ndarray, years: float, return_period_yr: float) -> float:
    """Depth exceeded on average once per ``return_period_yr`` in an annual exceedance series. [mm]"""
    rank = int(round(years / return_period_yr))
    return float(np.sort(daily_maxima)[::-1][rank - 1])


def fit_cascade(daily: SyntheticParameters, targets: dict) -> SyntheticParameters:
    """Step 2 of the module notes."""
    sub = targets["subdaily"]
    idf = load_idf(sub["idf"])
    periods, durations = sub["return_period_yr"], sub["duration_min"]
    wanted = np.array([[depth_mm(idf, p, t) for t in durations] for p in periods])
    rng = np.random.default_rng(CALIBRATION_SEED)
    days = pd.date_range("2001-01-01", periods=int(CALIBRATION_YEARS * 365.25), freq="D")
    wet_depths = simulate_daily_depth_mm(daily, days, rng)
    wet_depths = wet_depths[wet_depths > 0]
    years = len(days) / 365.25
    n_coarse = BRANCHING.count(3)

    def build(a: float, coarse: float, fine: float) -> SyntheticParameters:
        p = (coarse,) * n_coarse + (fine,) * (len(BRANCHING) - n_coarse)
        return daily.model_copy(update={"p_single": p, "dirichlet_a": a})

    def misfit(a: float, x: np.ndarray) -> float:
        if not (0.0 <= x[0] <= 1.0 and 0.0 <= x[1] <= 1.0):
            return 1e6
        fine = cascade_disaggregate(wet_depths, build(a, *x), np.random.default_rng(CALIBRATION_SEED))
        maxima = [window_maxima_mm(fine, int(t // 5)) for t in durations]
        got = np.array([[exceedance_depth_mm(m, years, p) for m in maxima] for p in periods])
        return float(np.sum(np.log(got / wanted) ** 2))

    fits = []
    for a in DIRICHLET_GRID:
        result = optimize.minimize(lambda x: misfit(a, x), x0=[0.7, 0.1], method="Nelder-Mead",
                                   options={"xatol": 1e-3, "fatol": 1e-6, "maxiter": 50})
        fits.append((result.fun, a, result.x))
    _, a, (coarse, fine) = min(fits, key=lambda f: f[0])
    return build(a, float(coarse), float(fine))


def _toml_list(values) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def main() -> int:
    targets = load_targets()
    params = fit_cascade(fit_daily(targets), targets)
    design = [expected_design_depth_mm(params, r) for r in targets["design_depths"]["capture_ratio"]]
    print(f"""# Synthetic rainfall model for Beijing (Tongzhou, plain / Zone II). SYNTHETIC: not observations.
# Generated by `python -m ecocity.climate.calibration` from beijing_rain_targets.toml; do not edit by hand.
# Model and method: ecocity.climate.synthetic and ecocity.climate.calibration (docstrings) and
# docs/methods/rainfall.md.
# Expected (long-run) design depths of this set at {_toml_list(targets['design_depths']['capture_ratio'])}:
#   {_toml_list(design)} mm (targets {_toml_list(targets['design_depths']['depth_mm'])} mm)

schema_version = 1

[parameters]
wet_probability = {_toml_list(params.wet_probability)}
persistence = {params.persistence:.6g}  # assumed, not fitted
gamma_shape = {params.gamma_shape:.6g}
gamma_scale_mm = {_toml_list(params.gamma_scale_mm)}
p_single = {_toml_list(params.p_single)}
dirichlet_a = {params.dirichlet_a:.6g}
wet_threshold_mm = {params.wet_threshold_mm:.6g}
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
