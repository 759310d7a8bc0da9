"""Closed-form solver for all CalTRACK candidate models at once (used by :mod:`.caltrack`).

For ``k`` balance points the HDD and CDD of every observation form ``n × k`` matrices. Weighted,
centred sums of these give the one-regressor least-squares solution of every HDD-only and
CDD-only candidate and the two-regressor solution of every HDD + CDD pair (``Th ≤ Tc``) in a few
vectorised numpy operations: no per-candidate regression. Sums use ``numpy.einsum`` rather than
BLAS, whose threads cost more than these small products on a busy machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ecocity.errors import ModelError

if TYPE_CHECKING:
    from ecocity.buildings.caltrack import CaltrackSettings

MODEL_TYPES: tuple[str, ...] = ("intercept_only", "hdd_only", "cdd_only", "hdd_cdd")
#: Candidate status, as eemeter names them (CalTRACK 3.2.2.2, 3.4.3.2).
STATUSES: tuple[str, ...] = ("QUALIFIED", "DISQUALIFIED", "NOT ATTEMPTED")


@dataclass(frozen=True)
class Candidates:
    """All candidates of one fit, in eemeter's order (intercept, hdd, cdd, hdd+cdd)."""

    model_type: np.ndarray  # index into MODEL_TYPES
    heating_c: np.ndarray
    cooling_c: np.ndarray
    intercept: np.ndarray
    beta_hdd: np.ndarray
    beta_cdd: np.ndarray
    adj_r_squared: np.ndarray
    status: np.ndarray  # index into STATUSES

    @property
    def qualified(self) -> np.ndarray:
        return self.status == 0

    def table(self, only_qualified: bool = True) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "model_type": np.asarray(MODEL_TYPES, dtype=object)[self.model_type],
                "heating_balance_c": self.heating_c,
                "cooling_balance_c": self.cooling_c,
                "intercept_kwh_per_d": self.intercept,
                "beta_hdd_kwh_per_c_day": self.beta_hdd,
                "beta_cdd_kwh_per_c_day": self.beta_cdd,
                "adj_r_squared": self.adj_r_squared,
                "status": np.asarray(STATUSES, dtype=object)[self.status],
            }
        )
        if only_qualified:
            frame = frame[self.qualified].reset_index(drop=True)
        return frame


def _p_values(beta: np.ndarray, variance: np.ndarray, df: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = np.abs(beta) / np.sqrt(variance)
    return 2.0 * stats.t.sf(t_stat, df)


def solve_candidates(
    usage_per_day: np.ndarray,
    hdd: np.ndarray,
    cdd: np.ndarray,
    weights: np.ndarray,
    settings: CaltrackSettings,
) -> Candidates:
    """Fit every CalTRACK candidate at once by closed-form weighted least squares.

    Parameters
    ----------
    usage_per_day
        Usage per day of each observation (day or billing period), no NaN. [kWh/d]
    hdd, cdd
        Mean heating / cooling degree days per day of each observation for each balance point of
        ``settings.balance_points_c``, shape ``(n, k)``. [°C·d/d]
    weights
        Weight of each observation: 1 for daily data, the days of the period for billing. [d]
    settings
        Grid and qualification rules.

    Returns
    -------
    Candidates
        Parameters, adjusted R² and status of each candidate.
    """
    y = np.asarray(usage_per_day, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = y.size
    bp = np.asarray(settings.balance_points_c, dtype=float)
    k = bp.size
    sw = w.sum()
    y_mean = float(np.dot(w, y)) / sw
    yc = y - y_mean
    syy = float(np.dot(w, yc * yc))

    # einsum, not BLAS: a threaded BLAS on a busy machine costs more than these small products
    def centred(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = np.einsum("i,ij->j", w, x) / sw
        return x - mean, mean

    hc, h_mean = centred(hdd)
    cc, c_mean = centred(cdd)
    wh, wc = hc * w[:, None], cc * w[:, None]
    shh, scc = np.einsum("ij,ij->j", wh, hc), np.einsum("ij,ij->j", wc, cc)
    shy, scy = np.einsum("ij,i->j", wh, yc), np.einsum("ij,i->j", wc, yc)

    # degree-day sufficiency (CalTRACK 3.2.2.2): count of non-zero and total weighted degree days
    total_hdd, total_cdd = np.einsum("i,ij->j", w, hdd), np.einsum("i,ij->j", w, cdd)
    h_ok = ((hdd > 0).sum(axis=0) >= settings.minimum_non_zero_hdd) & (total_hdd >= settings.minimum_total_hdd_c)
    c_ok = ((cdd > 0).sum(axis=0) >= settings.minimum_non_zero_cdd) & (total_cdd >= settings.minimum_total_cdd_c)

    def adj(ssr: np.ndarray, n_regressors: int) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = 1.0 - ssr / syy
            return 1.0 - (n - 1) / (n - n_regressors - 1) * (1.0 - r2)

    p_max = settings.beta_maximum_p_value

    def single(sxx, sxy, x_mean, ok):
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = sxy / sxx
            ssr = syy - beta * sxy
            intercept = y_mean - beta * x_mean
        fitted = ok & (sxx > 0) & (n > 2)
        status = np.where(fitted, 0, 2)
        bad = fitted & ((beta < 0) | (intercept < 0))
        if p_max < 1.0:
            p = _p_values(beta, (ssr / (n - 2)) / sxx, n - 2)
            bad |= fitted & (p > p_max)
        status[bad] = 1
        return beta, intercept, adj(ssr, 1), status

    bh, ih, ah, sth = single(shh, shy, h_mean, h_ok)
    if settings.fit_cdd:
        bc, ic, ac, stc = single(scc, scy, c_mean, c_ok)
        # pairs (heating i, cooling j) with Th ≤ Tc, in eemeter's order: cooling outer, heating inner
        j_idx, i_idx = np.nonzero(bp[None, :] <= bp[:, None])  # rows j (cooling), cols i (heating)
        # Th ≤ Tc: no day has both HDD(Th) > 0 and CDD(Tc) > 0, so for daily data Σ w·h·c = 0 and
        # the centred cross-product is −Σw · mean(h) · mean(c); a billing period's mean degree
        # days can have both, so there the raw cross-product is summed (few rows: cheap)
        shc = -sw * h_mean[i_idx] * c_mean[j_idx]
        if settings.interval == "billing":
            shc = shc + np.einsum("ni,nj->ij", hdd * w[:, None], cdd)[i_idx, j_idx]
        a11, a22, b1, b2 = shh[i_idx], scc[j_idx], shy[i_idx], scy[j_idx]
        det = a11 * a22 - shc * shc
        with np.errstate(divide="ignore", invalid="ignore"):
            beta_h = (a22 * b1 - shc * b2) / det
            beta_c = (a11 * b2 - shc * b1) / det
            ssr = syy - beta_h * b1 - beta_c * b2
            intercept = y_mean - beta_h * h_mean[i_idx] - beta_c * c_mean[j_idx]
        scale = np.maximum(a11 * a22, 1e-300)
        fitted = h_ok[i_idx] & c_ok[j_idx] & (det > 1e-12 * scale) & (n > 3)
        stp = np.where(fitted, 0, 2)
        bad = fitted & ((beta_h < 0) | (beta_c < 0) | (intercept < 0))
        if p_max < 1.0:
            s2 = ssr / (n - 3)
            bad |= fitted & (_p_values(beta_h, s2 * a22 / det, n - 3) > p_max)
            bad |= fitted & (_p_values(beta_c, s2 * a11 / det, n - 3) > p_max)
        stp[bad] = 1
        ap = adj(ssr, 2)
    else:
        empty = np.empty(0)
        bc = ic = ac = empty
        stc = np.empty(0, dtype=int)
        i_idx = j_idx = np.empty(0, dtype=int)
        beta_h = beta_c = intercept = ap = empty
        stp = np.empty(0, dtype=int)

    n_h, n_c, n_p = k, bc.size, i_idx.size
    nan = np.nan
    return Candidates(
        model_type=np.repeat(np.arange(4), [1, n_h, n_c, n_p]),
        heating_c=np.concatenate([[nan], bp, np.full(n_c, nan), bp[i_idx]]),
        cooling_c=np.concatenate([[nan], np.full(n_h, nan), bp[:n_c], bp[j_idx]]),
        intercept=np.concatenate([[y_mean], ih, ic, intercept]),
        beta_hdd=np.concatenate([[0.0], bh, np.zeros(n_c), beta_h]),
        beta_cdd=np.concatenate([[0.0], np.zeros(n_h), bc, beta_c]),
        adj_r_squared=np.concatenate([[0.0], ah, ac, ap]),
        status=np.concatenate([[0 if y_mean >= 0 else 1], sth, stc, stp]),
    )


def select_candidate(candidates: Candidates) -> int:
    """Index of the qualified candidate with the highest adjusted R² (CalTRACK 3.4.3.3).

    Ties (within 1e-10, e.g. two balance points with identical degree days) go to the first in
    eemeter's order, as its strict ``>`` comparison does.
    """
    qualified = candidates.qualified
    if not qualified.any():
        raise ModelError("no qualified CalTRACK candidate model (negative intercept or no data)")
    score = np.where(qualified, candidates.adj_r_squared, -np.inf)
    score = np.where(np.isfinite(score), score, -np.inf)
    return int(np.flatnonzero(score >= score.max() - 1e-10)[0])
