"""CalTRACK 2.0 daily and billing baseline models (usage per day against degree days).

The four candidate models of CalTRACK 2.0 section 3 are fitted on a grid of balance points:

- intercept only: ``U = β0``
- HDD only: ``U = β0 + βH · HDD(Th)``
- CDD only: ``U = β0 + βC · CDD(Tc)``
- HDD + CDD: ``U = β0 + βH · HDD(Th) + βC · CDD(Tc)``, ``Th ≤ Tc``

with ``U`` the usage per day [kWh/d], ``HDD(Th) = max(Th − T, 0)`` and ``CDD(Tc) = max(T − Tc, 0)``
from the day's mean temperature ``T`` (CalTRACK 3.3.4.1.1, 3.3.5.1.1; billing periods use the mean
of their days' degree days, 3.3.1.1). Candidates with too few non-zero or too small total degree
days are not fitted (3.2.2.2), those with a negative parameter are disqualified (3.4.3.2), and the
qualified one with the highest adjusted R² is selected (3.4.3.3). Billing candidates are fitted by
weighted least squares with the days of each period as weights (3.4.2).

CalTRACK states its balance points (30–90 °F) and degree-day minimums in °F; ecocity works in °C:
the constants in ``data/caltrack.toml`` are converted at load time, balance points are reported in
°C (``(T_F − 32) / 1.8``) and the degree-day coefficients in kWh/(°C·d) (1.8 × the °F ones).

Speed: every candidate is solved at once (:mod:`._caltrack_kernel`). The degree days for all
balance points form an ``n × k`` matrix; weighted, centred sums give the closed-form 1- and
2-regressor least-squares solutions for all ``k`` single and ``k(k+1)/2`` pair candidates.

References
----------
CalTRACK methods, version 2.0, sections 2.2, 3.2–3.4 (docs.caltrack.org).
eemeter 2.10.11, ``eemeter/caltrack/usage_per_day.py`` (reference implementation).
ASHRAE Guideline 14-2014, Annex B (fractional savings uncertainty).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ecocity.buildings._caltrack_kernel import (
    MODEL_TYPES,
    STATUSES,
    Candidates,
    select_candidate,
    solve_candidates,
)
from ecocity.errors import InputError, ModelError

__all__ = [
    "MODEL_TYPES",
    "STATUSES",
    "BaselineModel",
    "CaltrackSettings",
    "billing_design",
    "default_settings",
    "f_to_c",
    "fit_billing",
    "fit_daily",
    "predict_usage_per_day",
    "solve_candidates",
]

_F_PER_C = 1.8


def f_to_c(temperature_f: float | np.ndarray) -> float | np.ndarray:
    """Convert a temperature from °F to °C. [°C]"""
    return (np.asarray(temperature_f, dtype=float) - 32.0) / _F_PER_C


@cache
def _constants() -> dict[str, Any]:
    text = resources.files("ecocity.buildings").joinpath("data/caltrack.toml").read_text("utf-8")
    return tomllib.loads(text)


def _v(section: str, name: str) -> Any:
    return _constants()[section][name]["value"]


@dataclass(frozen=True)
class CaltrackSettings:
    """Settings of a CalTRACK usage-per-day fit, in °C (defaults from ``data/caltrack.toml``).

    Attributes
    ----------
    balance_points_c
        Balance-point grid, for heating and cooling alike. [°C]
    minimum_non_zero_hdd, minimum_non_zero_cdd
        Minimum number of days (periods) with non-zero degree days for a candidate to be fitted.
    minimum_total_hdd_c, minimum_total_cdd_c
        Minimum total degree days of a candidate. [°C·d]
    beta_maximum_p_value
        Largest p-value of a degree-day coefficient (1: no test, CalTRACK 2.0).
    fit_cdd
        Whether cooling candidates are fitted (False for gas meters).
    coverage
        Daily: share of the hours a day's mean temperature needs; billing: share of a period's
        days with a temperature.
    interval
        ``"daily"`` or ``"billing"``.
    temperature_window_days
        Billing only: use the temperatures of the first this many days of each period (None: the
        whole period, as CalTRACK describes). eemeter 2.10.11 matches temperatures to a billing
        period with a 35-day tolerance, so ``35`` reproduces its bimonthly fits.
    """

    balance_points_c: tuple[float, ...]
    minimum_non_zero_hdd: int
    minimum_non_zero_cdd: int
    minimum_total_hdd_c: float
    minimum_total_cdd_c: float
    beta_maximum_p_value: float
    fit_cdd: bool
    coverage: float
    interval: str
    temperature_window_days: int | None = None


def default_settings(interval: str = "daily") -> CaltrackSettings:
    """The CalTRACK 2.0 settings for ``"daily"`` or ``"billing"`` data, converted to °C."""
    if interval not in ("daily", "billing"):
        raise InputError(f"interval must be 'daily' or 'billing', not {interval!r}", field="interval")
    step_f = float(_v("grid", "step_f"))
    grid_f = np.arange(_v("grid", "minimum_f"), _v("grid", "maximum_f") + step_f / 2, step_f)
    coverage = "hourly_coverage_per_day" if interval == "daily" else "daily_coverage_per_period"
    return CaltrackSettings(
        balance_points_c=tuple(float(x) for x in f_to_c(grid_f)),
        minimum_non_zero_hdd=int(_v(interval, "minimum_non_zero_hdd")),
        minimum_non_zero_cdd=int(_v(interval, "minimum_non_zero_cdd")),
        minimum_total_hdd_c=float(_v(interval, "minimum_total_hdd_f")) / _F_PER_C,
        minimum_total_cdd_c=float(_v(interval, "minimum_total_cdd_f")) / _F_PER_C,
        beta_maximum_p_value=float(_v("qualification", "beta_maximum_p_value")),
        fit_cdd=True,
        coverage=float(_v(interval, coverage)),
        interval=interval,
    )


def _resolve_settings(settings: CaltrackSettings | Mapping[str, Any] | None, interval: str) -> CaltrackSettings:
    base = default_settings(interval)
    if settings is None:
        return base
    if isinstance(settings, CaltrackSettings):
        return replace(settings, interval=interval)
    names = {f.name for f in fields(CaltrackSettings)}
    unknown = sorted(set(settings) - names)
    if unknown:
        raise InputError(f"unknown CalTRACK settings {unknown}; known: {sorted(names)}", field="settings")
    out = replace(base, **dict(settings))
    step = np.diff(np.asarray(out.balance_points_c))
    if len(out.balance_points_c) == 0 or np.any(step <= 0):
        raise InputError("balance_points_c must be a non-empty increasing grid", field="balance_points_c")
    return out


# --- the fitted model ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BaselineModel:
    """A selected CalTRACK baseline model with its fit statistics.

    Attributes
    ----------
    model_type
        ``"intercept_only"``, ``"hdd_only"``, ``"cdd_only"`` or ``"hdd_cdd"``.
    heating_balance_c, cooling_balance_c
        Balance points, None when the model has no such term. [°C]
    intercept_kwh_per_d
        Base load. [kWh/d]
    beta_hdd_kwh_per_c_day, beta_cdd_kwh_per_c_day
        Heating / cooling slopes, 0 when absent. [kWh/(°C·d)]
    r_squared
        Squared correlation of predicted and observed usage per day (eemeter's ``avgs_metrics``;
        0 for intercept-only).
    adj_r_squared
        Adjusted R² of the (weighted) fit that selected the model (CalTRACK 3.4.3.3).
    cvrmse
        ``sqrt(Σ(ŷ − y)² / (n − p)) / ȳ`` on usage per day of each day or billing period,
        ``p`` the number of degree-day terms (eemeter's ``avgs_metrics.cvrmse_adj``). [1]
    nmbe
        ``Σ(ŷ − y) / Σy`` on usage per day (eemeter's sign: positive = over-prediction). [1]
    cvrmse_totals
        The same CV(RMSE) on period totals (kWh per day or per billing period), which the
        fractional savings uncertainty uses (eemeter's ``totals_metrics``); equal to
        :attr:`cvrmse` for daily fits. [1]
    n_days
        Days of usage behind the fit. [d]
    n_observations
        Observations fitted: days (daily) or billing periods.
    interval
        ``"daily"`` or ``"billing"``.
    residual_autocorrelation
        Lag-1 autocorrelation of the residuals of the totals, in time order. [1]
    all_candidates
        Every candidate of the grid search with its status (see :attr:`candidates`).
    """

    model_type: str
    heating_balance_c: float | None
    cooling_balance_c: float | None
    intercept_kwh_per_d: float
    beta_hdd_kwh_per_c_day: float
    beta_cdd_kwh_per_c_day: float
    r_squared: float
    adj_r_squared: float
    cvrmse: float
    nmbe: float
    cvrmse_totals: float
    n_days: int
    n_observations: int
    interval: str
    residual_autocorrelation: float
    all_candidates: Candidates = field(repr=False)

    @cached_property
    def candidates(self) -> pd.DataFrame:
        """Table of all qualified candidates, one row each (built on first use)."""
        return self.all_candidates.table(only_qualified=True)

    @property
    def num_parameters(self) -> int:
        """Degree-day terms of the model (0, 1 or 2), as eemeter counts them."""
        return {"intercept_only": 0, "hdd_only": 1, "cdd_only": 1, "hdd_cdd": 2}[self.model_type]

    def predict(self, temperature_c_daily: pd.Series) -> pd.Series:
        """Predicted usage per day for daily mean temperatures.

        Parameters
        ----------
        temperature_c_daily
            Daily mean outdoor temperature (hourly values are averaged per day as in the fit). [°C]

        Returns
        -------
        pandas.Series
            ``β0 + βH·max(Th − T, 0) + βC·max(T − Tc, 0)``, named ``"value"``; NaN where the
            temperature is missing. [kWh/d]
        """
        t = _daily_mean_temperature(temperature_c_daily, default_settings("daily").coverage)
        values = predict_usage_per_day(
            t.to_numpy(dtype=float),
            self.intercept_kwh_per_d,
            self.beta_hdd_kwh_per_c_day,
            self.heating_balance_c,
            self.beta_cdd_kwh_per_c_day,
            self.cooling_balance_c,
        )
        return pd.Series(values, index=t.index, name="value")

    def metrics(self) -> dict[str, Any]:
        """Fit statistics with the ASHRAE Guideline 14 limits beside them.

        Daily fits are shown against the hourly limits (G14 has none for daily data), billing fits
        against the monthly ones (``data/caltrack.toml``).
        """
        kind = "hourly" if self.interval == "daily" else "monthly"
        cv_limit = float(_v("ashrae_guideline_14", f"cvrmse_{kind}"))
        nmbe_limit = float(_v("ashrae_guideline_14", f"nmbe_{kind}"))
        return {
            "r_squared": self.r_squared,
            "adj_r_squared": self.adj_r_squared,
            "cvrmse": self.cvrmse,
            "cvrmse_limit": cv_limit,
            "cvrmse_ok": bool(self.cvrmse <= cv_limit),
            "nmbe": self.nmbe,
            "nmbe_limit": nmbe_limit,
            "nmbe_ok": bool(abs(self.nmbe) <= nmbe_limit),
            "cvrmse_totals": self.cvrmse_totals,
            "limits_source": f"ASHRAE Guideline 14-2014 calibration criteria ({kind} data)",
            "n_days": self.n_days,
            "n_observations": self.n_observations,
            "residual_autocorrelation": self.residual_autocorrelation,
        }

    def fractional_savings_uncertainty(
        self, reporting_days: int, savings_fraction: float, confidence: float = 0.9
    ) -> float:
        """CalTRACK's fractional savings uncertainty (FSU) of savings over a reporting period.

        Parameters
        ----------
        reporting_days
            Length of the reporting period. [d]
        savings_fraction
            Expected savings as a fraction of the baseline use, ``F``. [1]
        confidence
            Two-sided confidence level. [1]

        Returns
        -------
        float
            ``ΔE_save / E_save``. [1]

        Notes
        -----
        ASHRAE Guideline 14-2014 Annex B (after Reddy & Claridge 2000), with the constant 1.26
        replaced by Sun & Baltazar's (2013) quadratic in reporting months ``M`` as eemeter 2.10.11
        (``derivatives._compute_fsu_error``) applies it::

            FSU = t · (a·M² + b·M + c) · CV · sqrt((n / n') · (1 + 2 / n') / m) / F
            n'  = n · (1 − ρ) / (1 + ρ)

        ``CV`` is :attr:`cvrmse_totals`, ``n`` the baseline observations, ``ρ`` the lag-1
        autocorrelation of the baseline residuals (totals), ``t`` Student's t at
        ``1 − (1 − confidence)/2`` with ``n − p``
        degrees of freedom; daily: ``m`` = reporting days, ``M = m / 30``; billing: ``m = M`` =
        reporting months (days / 30, rounded).
        """
        if reporting_days <= 0 or not 0 < savings_fraction:
            raise InputError(
                f"reporting_days must be > 0 and savings_fraction > 0, got {reporting_days}, {savings_fraction}",
                field="reporting_days",
            )
        if not 0 < confidence < 1:
            raise InputError(f"confidence must be in (0, 1), got {confidence}", field="confidence")
        n = float(self.n_observations)
        rho = self.residual_autocorrelation
        if not np.isfinite(rho) or abs(rho) >= 1 or n <= self.num_parameters:
            raise ModelError(f"FSU undefined: residual autocorrelation {rho}, {int(n)} observations")
        n_prime = n * (1 - rho) / (1 + rho)
        t_stat = stats.t.ppf(1 - (1 - confidence) / 2, n - self.num_parameters)
        days_per_month = float(_v("fsu", "days_per_month"))
        if self.interval == "daily":
            m = float(reporting_days)
            months = m / days_per_month
        else:
            m = months = float(round(reporting_days / days_per_month))
            if m == 0:
                raise InputError(
                    "a billing FSU needs a reporting period of at least half a month", field="reporting_days"
                )
        a, b, c = (float(_v("fsu", f"{self.interval}_{x}")) for x in "abc")
        poly = a * months**2 + b * months + c
        root = np.sqrt((n / n_prime) * (1 + 2 / n_prime) / m)
        return float(t_stat * poly * self.cvrmse_totals * root / savings_fraction)

    def to_dict(self) -> dict[str, Any]:
        """Parameters and metrics as plain JSON-able values (no candidate table)."""
        out = {
            "model_type": self.model_type,
            "interval": self.interval,
            "heating_balance_c": self.heating_balance_c,
            "cooling_balance_c": self.cooling_balance_c,
            "intercept_kwh_per_d": self.intercept_kwh_per_d,
            "beta_hdd_kwh_per_c_day": self.beta_hdd_kwh_per_c_day,
            "beta_cdd_kwh_per_c_day": self.beta_cdd_kwh_per_c_day,
            "n_qualified_candidates": int(self.all_candidates.qualified.sum()),
        }
        out.update(self.metrics())
        return out


def predict_usage_per_day(
    temperature_c: np.ndarray,
    intercept_kwh_per_d: float,
    beta_hdd_kwh_per_c_day: float,
    heating_balance_c: float | None,
    beta_cdd_kwh_per_c_day: float,
    cooling_balance_c: float | None,
) -> np.ndarray:
    """Usage per day of the CalTRACK model (CalTRACK 3.3.1.3). [kWh/d]"""
    t = np.asarray(temperature_c, dtype=float)
    u = np.full(t.shape, float(intercept_kwh_per_d))
    if heating_balance_c is not None:
        u = u + beta_hdd_kwh_per_c_day * np.maximum(heating_balance_c - t, 0.0)
    if cooling_balance_c is not None:
        u = u + beta_cdd_kwh_per_c_day * np.maximum(t - cooling_balance_c, 0.0)
    return np.where(np.isnan(t), np.nan, u)


# --- inputs --------------------------------------------------------------------------------------


def _check_series(series: Any, name: str) -> pd.Series:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise InputError(f"{name} must be a pandas Series with a DatetimeIndex", field=name)
    if series.index.has_duplicates:
        raise InputError(f"{name} has duplicated timestamps", field=name)
    return series.sort_index().astype(float)


def _same_tz(temperature: pd.Series, tz: Any, name: str) -> pd.Series:
    t_tz = temperature.index.tz
    if (t_tz is None) != (tz is None):
        raise InputError(
            f"{name}: temperature and usage must both be timezone-aware or both naive", field=name
        )
    return temperature if tz is None else temperature.tz_convert(tz)


def _daily_mean_temperature(temperature_c: pd.Series, coverage: float) -> pd.Series:
    """Daily mean temperature; sub-daily data averaged per local day (CalTRACK 2.2.2.3).

    A day keeps its mean when more than ``coverage`` of its expected samples are present (eemeter:
    more than 12 of 24 hours). [°C]
    """
    t = _check_series(temperature_c, "temperature_c")
    if len(t) < 2:
        return t.set_axis(t.index.normalize())
    step_ns = float(np.median(np.diff(t.index.as_unit("ns").asi8)))
    if step_ns >= 86_400e9:
        return t.set_axis(t.index.normalize())
    per_day = 86_400e9 / step_ns
    # group by local calendar day with numpy (the index is sorted): wall-clock day numbers
    wall = t.index.tz_localize(None) if t.index.tz is not None else t.index
    day = wall.as_unit("ns").asi8 // 86_400_000_000_000
    starts = np.concatenate([[0], np.flatnonzero(np.diff(day)) + 1])
    values = t.to_numpy(dtype=float)
    present = np.isfinite(values)
    count = np.add.reduceat(present.astype(float), starts)
    total = np.add.reduceat(np.where(present, values, 0.0), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > coverage * per_day, total / count, np.nan)
    return pd.Series(mean, index=t.index[starts].normalize())


def _degree_days(t: np.ndarray, settings: CaltrackSettings) -> tuple[np.ndarray, np.ndarray]:
    bp = np.asarray(settings.balance_points_c)[None, :]
    return np.maximum(bp - t[:, None], 0.0), np.maximum(t[:, None] - bp, 0.0)


def _fit_statistics(predicted: np.ndarray, observed: np.ndarray, p: int) -> tuple[float, float, float, float]:
    """R², CV(RMSE) with n − p, NMBE and lag-1 residual autocorrelation (eemeter metrics.py)."""
    residual = predicted - observed
    n = observed.size
    with np.errstate(divide="ignore", invalid="ignore"):
        cvrmse = float(np.sqrt((residual @ residual) / (n - p)) / observed.mean()) if n > p else np.nan
        nmbe = float(residual.sum() / observed.sum())
        r2 = 0.0 if np.ptp(predicted) == 0 else float(np.corrcoef(predicted, observed)[0, 1] ** 2)
        rho = float(np.corrcoef(residual[1:], residual[:-1])[0, 1]) if n > 2 else np.nan
    return r2, cvrmse, nmbe, rho


def _model_from(
    candidates: Candidates,
    observed_total: np.ndarray,
    period_days: np.ndarray,
    temperature_or_dd: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_days: int,
    settings: CaltrackSettings,
) -> BaselineModel:
    best = select_candidate(candidates)
    model_type = MODEL_TYPES[int(candidates.model_type[best])]
    h = candidates.heating_c[best]
    c = candidates.cooling_c[best]
    h = None if np.isnan(h) else float(h)
    c = None if np.isnan(c) else float(c)
    bp = np.asarray(settings.balance_points_c)
    hdd, cdd, _ = temperature_or_dd
    per_day = np.full(observed_total.shape, float(candidates.intercept[best]))
    if h is not None:
        per_day += candidates.beta_hdd[best] * hdd[:, int(np.argmin(np.abs(bp - h)))]
    if c is not None:
        per_day += candidates.beta_cdd[best] * cdd[:, int(np.argmin(np.abs(bp - c)))]
    p = {"intercept_only": 0, "hdd_only": 1, "cdd_only": 1, "hdd_cdd": 2}[model_type]
    n = observed_total.size
    r2, cvrmse, nmbe, _ = _fit_statistics(per_day, observed_total / period_days, p)
    _, cvrmse_totals, _, rho = _fit_statistics(per_day * period_days, observed_total, p)
    return BaselineModel(
        model_type=model_type,
        heating_balance_c=h,
        cooling_balance_c=c,
        intercept_kwh_per_d=float(candidates.intercept[best]),
        beta_hdd_kwh_per_c_day=float(candidates.beta_hdd[best]),
        beta_cdd_kwh_per_c_day=float(candidates.beta_cdd[best]),
        r_squared=r2,
        adj_r_squared=float(candidates.adj_r_squared[best]),
        cvrmse=cvrmse,
        nmbe=nmbe,
        cvrmse_totals=cvrmse_totals,
        n_days=int(n_days),
        n_observations=int(n),
        interval=settings.interval,
        residual_autocorrelation=rho,
        all_candidates=candidates,
    )


def fit_daily(
    usage_kwh_per_d: pd.Series,
    temperature_c: pd.Series,
    *,
    settings: CaltrackSettings | Mapping[str, Any] | None = None,
) -> BaselineModel:
    """Fit the CalTRACK 2.0 daily model (CalTRACK section 3, daily presets).

    Parameters
    ----------
    usage_kwh_per_d
        Daily use, one row per local calendar day (interval start). [kWh/d]
    temperature_c
        Daily mean (or hourly) outdoor temperature on the same clock. [°C]
    settings
        :class:`CaltrackSettings` or a mapping of its fields to override (``fit_cdd=False`` for
        gas); default: CalTRACK 2.0 daily.

    Returns
    -------
    BaselineModel

    Raises
    ------
    InputError
        Inputs that are not daily series, mixed time zones, no day with both values.
    ModelError
        No qualified candidate (e.g. a negative mean use).
    """
    s = _resolve_settings(settings, "daily")
    usage = _check_series(usage_kwh_per_d, "usage_kwh_per_d")
    temperature = _same_tz(_check_series(temperature_c, "temperature_c"), usage.index.tz, "temperature_c")
    t_daily = _daily_mean_temperature(temperature, s.coverage)
    t = t_daily.reindex(usage.index.normalize()).to_numpy(dtype=float)
    y = usage.to_numpy(dtype=float)
    keep = np.isfinite(t) & np.isfinite(y)
    if keep.sum() < 3:
        raise InputError(
            f"fewer than 3 days with both usage and temperature ({int(keep.sum())})", field="usage_kwh_per_d"
        )
    t, y = t[keep], y[keep]
    hdd, cdd = _degree_days(t, s)
    ones = np.ones_like(y)
    cands = solve_candidates(y, hdd, cdd, ones, s)
    return _model_from(cands, y, ones, (hdd, cdd, t), int(keep.sum()), s)


def billing_design(
    periods: pd.DataFrame, temperature_c: pd.Series, settings: CaltrackSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-period usage per day, mean degree days per day, days and kept days (CalTRACK 3.3.1.1).

    A period ``[start, end)`` keeps its mean degree days over the days that have a temperature
    when these cover at least ``settings.coverage`` of it (CalTRACK 2.2.3.2); otherwise it is dropped.

    Returns
    -------
    tuple
        ``keep`` (bool per period), usage per day [kWh/d], HDD and CDD ``(n_kept, k)`` [°C·d/d],
        period days [d], days with temperature [d], all for the kept periods except ``keep``.
    """
    for column in ("start", "end", "value"):
        if column not in periods.columns:
            raise InputError(f"billing periods need columns start, end, value; {column!r} is missing", field=column)
    start = pd.DatetimeIndex(periods["start"]).normalize()
    end = pd.DatetimeIndex(periods["end"]).normalize()
    value = periods["value"].to_numpy(dtype=float)
    n_days = ((end - start) / pd.Timedelta("1D")).to_numpy()
    if np.any(n_days <= 0):
        row = int(np.flatnonzero(n_days <= 0)[0])
        raise InputError("a billing period must end after it starts", record=str(row), field="end")
    temperature = _same_tz(_check_series(temperature_c, "temperature_c"), start.tz, "temperature_c")
    t_daily = _daily_mean_temperature(temperature, default_settings("daily").coverage)
    days = pd.date_range(start.min(), end.max(), freq="D", inclusive="left")
    t = t_daily.reindex(days).to_numpy(dtype=float)
    present = np.isfinite(t)
    hdd, cdd = _degree_days(np.where(present, t, 0.0), settings)
    hdd[~present], cdd[~present] = 0.0, 0.0
    zero = np.zeros((1, hdd.shape[1]))
    ch, cc = np.vstack([zero, np.cumsum(hdd, 0)]), np.vstack([zero, np.cumsum(cdd, 0)])
    ck = np.concatenate([[0], np.cumsum(present)])
    i0 = days.get_indexer(start)
    i1 = np.where(end > days[-1], len(days), days.get_indexer(end))
    if settings.temperature_window_days is not None:
        i1 = np.minimum(i1, i0 + int(settings.temperature_window_days))
    kept = (ck[i1] - ck[i0]).astype(float)
    keep = (kept >= settings.coverage * (i1 - i0)) & (kept > 0) & np.isfinite(value)
    i0, i1, kept_k = i0[keep], i1[keep], kept[keep]
    mean_hdd = (ch[i1] - ch[i0]) / kept_k[:, None]
    mean_cdd = (cc[i1] - cc[i0]) / kept_k[:, None]
    return keep, value[keep] / n_days[keep], mean_hdd, mean_cdd, n_days[keep], kept_k


def fit_billing(
    periods: pd.DataFrame,
    temperature_c: pd.Series,
    *,
    settings: CaltrackSettings | Mapping[str, Any] | None = None,
) -> BaselineModel:
    """Fit the CalTRACK 2.0 billing model: usage per day, weighted by the days of each period.

    Parameters
    ----------
    periods
        One row per billing period: ``start``, ``end`` (exclusive, midnight) and ``value``, the
        period's use. [kWh]
    temperature_c
        Daily mean (or hourly) outdoor temperature covering the periods. [°C]
    settings
        :class:`CaltrackSettings` or a mapping of fields to override; default: billing presets.

    Returns
    -------
    BaselineModel
        Metrics on period totals [kWh]; ``n_days`` is the days of the kept periods.

    Notes
    -----
    Weighted least squares with weights = days with temperature in the period (CalTRACK 3.4.2;
    eemeter's ``n_days_kept``); the total-degree-day minimum is on ``Σ mean DD · weight``.
    """
    s = _resolve_settings(settings, "billing")
    keep, y, hdd, cdd, n_days, weights = billing_design(periods, temperature_c, s)
    if keep.sum() < 3:
        raise InputError(
            f"fewer than 3 billing periods with usage and temperature coverage ({int(keep.sum())})",
            field="periods",
        )
    cands = solve_candidates(y, hdd, cdd, weights, s)
    return _model_from(cands, y * n_days, n_days, (hdd, cdd, y), int(n_days.sum()), s)
