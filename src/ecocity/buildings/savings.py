"""Measured savings, IPMVP option C (whole facility): avoided energy use and normalised savings.

A baseline model fitted on the pre-retrofit period (:func:`ecocity.buildings.caltrack.fit_daily`)
predicts what the building would have used under the reporting period's weather; the avoided
energy use is the sum of (predicted − actual). Its uncertainty is the ASHRAE Guideline 14 /
CalTRACK fractional savings uncertainty (FSU) computed by the model, reported at 68 % and 90 %
confidence. Normalised annual consumption (NAC) puts a model through a normal-year weather
series; NAC of the baseline model minus NAC of a model fitted on the reporting period is the
weather-normalised saving.

The module is written against :class:`SavingsModel`, a protocol any baseline model satisfies.
All energies in kWh, temperatures in °C (CalTRACK's °F balance points are converted by the
model, not here).

References
----------
EVO, International Performance Measurement and Verification Protocol (IPMVP) Core Concepts
2016, option C and "avoided energy use" vs "normalised savings".
ASHRAE Guideline 14-2014, Annex B (savings uncertainty). CalTRACK methods 3.0, sec. 4.3 / 3.x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ecocity.errors import InputError

#: Confidence levels of the reported uncertainty bands. [-]
CONFIDENCE_LEVELS: tuple[float, ...] = (0.68, 0.90)


@runtime_checkable
class SavingsModel(Protocol):
    """What savings need of a baseline model (``caltrack.BaselineModel`` satisfies it)."""

    cvrmse: float
    n_days: int

    def predict(self, temperature_c_daily: pd.Series) -> pd.Series:
        """Predicted daily use [kWh/d] for daily mean temperatures [°C]."""
        ...

    def fractional_savings_uncertainty(self, reporting_days: int, savings_fraction: float,
                                       confidence: float = 0.9) -> float:
        """Fractional uncertainty of the savings at the confidence level. [-]"""
        ...


def daily_mean_temperature(temperature_c: pd.Series) -> pd.Series:
    """Daily mean of an hourly (or finer) temperature series; a daily series is returned as is. [°C]

    Days are local calendar days of the index (tz-aware indices keep their zone).
    """
    if not isinstance(temperature_c, pd.Series) or not isinstance(temperature_c.index, pd.DatetimeIndex):
        raise InputError("temperature must be a pandas Series with a DatetimeIndex [°C]", field="temperature_c")
    t = temperature_c.astype(float)
    days = t.index.normalize()
    if days.is_unique:
        out = t.copy()
        out.index = days
        return out
    return t.groupby(days).mean()


def _check_usage(usage: pd.Series, field: str) -> pd.Series:
    if not isinstance(usage, pd.Series) or not isinstance(usage.index, pd.DatetimeIndex):
        raise InputError("daily usage must be a pandas Series with a DatetimeIndex [kWh/d]", field=field)
    u = usage.astype(float).copy()
    u.index = u.index.normalize()
    if not u.index.is_unique:
        raise InputError("daily usage must have one row per calendar day", field=field)
    if (u.dropna() < 0).any():
        raise InputError("daily usage must be ≥ 0 kWh/d", field=field)
    return u


@dataclass(frozen=True)
class SavingsResult:
    """Avoided energy use over a reporting period (IPMVP option C).

    ``band_kwh`` maps a confidence level (0.68, 0.90) to (low, high) avoided energy [kWh];
    ``fsu`` maps it to the fractional savings uncertainty [-]. ``daily`` has columns
    ``predicted_kwh``, ``actual_kwh``, ``avoided_kwh`` [kWh/d] for the days used.
    """

    avoided_kwh: float
    predicted_kwh: float
    actual_kwh: float
    savings_fraction: float
    reporting_days: int
    days_missing: int
    fsu: dict[float, float]
    band_kwh: dict[float, tuple[float, float]]
    daily: pd.DataFrame

    @property
    def significant_at_90(self) -> bool:
        """True when the 90 % band excludes zero (savings larger than their uncertainty)."""
        lo, hi = self.band_kwh[0.90]
        return lo > 0.0 or hi < 0.0


def avoided_energy(model: SavingsModel, reporting_usage_kwh_per_d: pd.Series,
                   reporting_temperature_c: pd.Series) -> SavingsResult:
    """Avoided energy use = Σ (baseline prediction − actual) over the reporting period.

    Parameters
    ----------
    model
        Baseline model fitted on the pre-retrofit period (:class:`SavingsModel`).
    reporting_usage_kwh_per_d
        Actual daily use in the reporting period. [kWh/d]
    reporting_temperature_c
        Outdoor temperature over the reporting period, hourly or daily mean. [°C]

    Returns
    -------
    SavingsResult
        With FSU and the avoided-energy band at 68 % and 90 % confidence:
        band = avoided · (1 ∓ FSU).

    Notes
    -----
    Only days with both a use and a temperature count; the others are counted in
    ``days_missing``. Savings fraction F = avoided / predicted (ASHRAE G14 notation); the FSU is
    asked for |F| (a negative F, use above the baseline, has the same relative uncertainty);
    F = 0 gives an infinite FSU.

    Raises
    ------
    InputError
        When no reporting day has both a use and a temperature.
    """
    usage = _check_usage(reporting_usage_kwh_per_d, "reporting_usage_kwh_per_d")
    temp = daily_mean_temperature(reporting_temperature_c)
    days = usage.index.intersection(temp.index)
    both = days[usage.reindex(days).notna().to_numpy() & temp.reindex(days).notna().to_numpy()]
    if len(both) == 0:
        raise InputError("no reporting day has both a usage and a temperature value",
                         field="reporting_usage_kwh_per_d")
    predicted = pd.Series(np.asarray(model.predict(temp.reindex(both)), dtype=float), index=both)
    actual = usage.reindex(both)
    daily = pd.DataFrame({"predicted_kwh": predicted, "actual_kwh": actual,
                          "avoided_kwh": predicted - actual})
    pred_sum, act_sum = float(predicted.sum()), float(actual.sum())
    avoided = pred_sum - act_sum
    fraction = avoided / pred_sum if pred_sum > 0 else math.nan
    fsu: dict[float, float] = {}
    band: dict[float, tuple[float, float]] = {}
    for c in CONFIDENCE_LEVELS:
        u = float(model.fractional_savings_uncertainty(len(both), abs(fraction), confidence=c)) \
            if fraction and math.isfinite(fraction) else math.inf
        fsu[c] = u
        half = abs(avoided) * u if math.isfinite(u) else math.inf
        band[c] = (avoided - half, avoided + half)
    return SavingsResult(avoided, pred_sum, act_sum, fraction, len(both),
                         int(usage.notna().sum()) - len(both), fsu, band, daily)


def normalised_annual_consumption(model: SavingsModel, normal_year_temperature_c: pd.Series) -> float:
    """Normalised annual consumption (NAC): the model's use in a normal weather year. [kWh/a]

    Parameters
    ----------
    model
        A fitted daily model.
    normal_year_temperature_c
        Normal-year (e.g. typical meteorological year) temperature, hourly or daily, covering
        one year. [°C]

    Notes
    -----
    NAC = Σ_days predict(T_d). A series of other than 365/366 days is scaled to 365 days.
    """
    t = daily_mean_temperature(normal_year_temperature_c).dropna()
    if len(t) < 300:
        raise InputError(f"normal-year temperature covers {len(t)} days; need a year (≥ 300 days)",
                         field="normal_year_temperature_c")
    total = float(np.sum(np.asarray(model.predict(t), dtype=float)))
    return total if len(t) in (365, 366) else total * 365.0 / len(t)


@dataclass(frozen=True)
class NormalisedSavings:
    """Weather-normalised savings: NAC before (baseline) and after (reporting model). [kWh/a]"""

    nac_before_kwh: float
    nac_after_kwh: float

    @property
    def savings_kwh(self) -> float:
        """NAC before − NAC after. [kWh/a]"""
        return self.nac_before_kwh - self.nac_after_kwh

    @property
    def savings_fraction(self) -> float:
        """Savings over NAC before. [-]"""
        return self.savings_kwh / self.nac_before_kwh if self.nac_before_kwh > 0 else math.nan


def normalised_savings(baseline_model: SavingsModel, reporting_model: SavingsModel,
                       normal_year_temperature_c: pd.Series) -> NormalisedSavings:
    """Normalised savings (IPMVP): both models run on the same normal year. [kWh/a]"""
    return NormalisedSavings(normalised_annual_consumption(baseline_model, normal_year_temperature_c),
                             normalised_annual_consumption(reporting_model, normal_year_temperature_c))
