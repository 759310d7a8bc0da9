"""Savings uncertainty of ASHRAE Guideline 14-2014 Annex B, for interval baselines.

References
----------
ASHRAE Guideline 14-2014, Measurement of Energy, Demand, and Water Savings, Annex B.
Reddy, T.A., Claridge, D.E. (2000). Uncertainty of "measured" energy savings from statistical
baseline models. HVAC&R Research 6(1), 3-20, doi:10.1080/10789669.2000.10391247.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ecocity.errors import InputError, ModelError


def lag1_autocorrelation(residuals: np.ndarray) -> float:
    """Lag-1 autocorrelation of a residual series in time order (NaN = no reading). [1]

    Pearson correlation of ``r[i]`` and ``r[i + 1]`` over the pairs where both are finite
    (as eemeter's ``autocorr_resid``, which uses pandas' ``Series.autocorr``).
    """
    r = np.asarray(residuals, dtype=float)
    a, b = r[:-1], r[1:]
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < 3:
        return math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.corrcoef(a[both], b[both])[0, 1])


def g14_fractional_savings_uncertainty(
    cvrmse: float, n_baseline: int, num_parameters: int, autocorrelation: float,
    n_reporting: int, savings_fraction: float, confidence: float = 0.9, *, constant: float = 1.26,
) -> float:
    """Fractional savings uncertainty of ASHRAE Guideline 14-2014, Annex B. [1]

    Parameters
    ----------
    cvrmse
        CV(RMSE) of the baseline model, ``sqrt(SSE/(n − p))/ȳ``. [1]
    n_baseline, num_parameters
        Baseline observations ``n`` and model parameters ``p``.
    autocorrelation
        Lag-1 autocorrelation ``ρ`` of the baseline residuals, in (−1, 1). [1]
    n_reporting
        Observations in the reporting period ``m`` (same interval as the baseline).
    savings_fraction
        ``F`` = savings / baseline prediction over the reporting period (> 0). [1]
    confidence
        Two-sided confidence level; ``t`` is Student's t at ``1 − (1 − confidence)/2`` with
        ``n − p`` degrees of freedom. [1]
    constant
        G14's empirical constant (1.26; the hourly model reads it from
        ``data/caltrack_hourly.toml`` ``[fsu]``). [1]

    Returns
    -------
    ``ΔE_save / E_save``. [1]

    Notes
    -----
    ``FSU = c · t · CV · sqrt((n / n') · (1 + 2 / n') / m) / F`` with ``n' = n (1 − ρ)/(1 + ρ)``
    and G14's constant ``c = 1.26`` (Reddy & Claridge 2000). CalTRACK 2.0 4.3.2.4 replaces ``c``
    by a quadratic in reporting months for billing and daily data only.
    """
    if not (n_reporting > 0 and savings_fraction > 0):
        raise InputError(
            f"reporting hours and savings fraction must be > 0, got {n_reporting}, {savings_fraction}",
            field="reporting_hours",
        )
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}", field="confidence")
    if not (math.isfinite(autocorrelation) and abs(autocorrelation) < 1 and n_baseline > num_parameters
            and math.isfinite(cvrmse)):
        raise ModelError(
            f"FSU undefined: residual autocorrelation {autocorrelation}, {n_baseline} observations, "
            f"{num_parameters} parameters, CV(RMSE) {cvrmse}"
        )
    n = float(n_baseline)
    n_prime = n * (1 - autocorrelation) / (1 + autocorrelation)
    t_stat = float(stats.t.ppf(1 - (1 - confidence) / 2, n - num_parameters))
    root = math.sqrt((n / n_prime) * (1 + 2 / n_prime) / n_reporting)
    return constant * t_stat * cvrmse * root / savings_fraction
