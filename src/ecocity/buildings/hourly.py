"""CalTRACK 2.0 hourly baseline: the time-of-week-and-temperature (TOWT) model, fast.

The model of CalTRACK 2.0 section 3(b) (after Mathieu et al. 2011 and Price 2010), the same
model as eemeter 2.10.11's ``caltrack_hourly`` (its formula
``meter_value ~ C(hour_of_week) - 1 + bin_n:C(occupancy)``), solved in closed form:

* **Segments** (CT2 3.7.5): one model per calendar month, fit on that month (weight 1) and its
  two neighbours (weight 0.5), ``"three_month_weighted"``; or one model on all data (``"none"``).
* **Occupancy** (CT2 3.8): per segment, a weighted least-squares fit
  ``usage = μ + β_H·HDH50 + β_C·CDH65``; a time of week (hour of the week, Monday 00:00 = 0) is
  *occupied* when the share of its hours with a positive residual (an underprediction) exceeds
  0.65 (strictly, as CT2 and eemeter).
* **Temperature bins** (CT2 3.9): endpoints 30, 45, 55, 65, 75, 90 °F, validated per segment on
  the hours of non-zero weight: while the lowest or the highest bin holds fewer than 20 hours,
  the endpoint towards the inside is dropped; then any under-filled middle bin loses its upper
  endpoint (eemeter's order). Features: ``Tc_1 = min(T, B_1)``,
  ``Tc_n = clip(T - B_{n-1}, 0, B_n - B_{n-1})``, ``Tc_{N+1} = max(T - B_N, 0)``.
* **Regression** (CT2 3.10–3.11): 168 time-of-week coefficients (no intercept) plus one slope
  per bin for occupied and one for unoccupied hours (a single set when all hours of the segment
  share one occupancy state), weighted least squares with the segment weights.

Units and conversions: usage in kWh per hour, temperatures in °C. CalTRACK's constants are in
°F (``data/caltrack_hourly.toml``) and converted once, ``T_C = (T_F − 32)/1.8``. Because the
model is linear in temperature and has a free intercept per time of week (and occupancy is a
function of the time of week), the fit in °C gives the same predictions as the fit in °F; the
slopes are per kelvin (= 1.8 × eemeter's per-°F slopes).

Solution: the time-of-week block of XᵀWX is diagonal, so it is eliminated exactly (the bin
features are centred within each time of week) and only the ≤ 14 × 14 slope system is solved,
with an equilibrated pseudo-inverse; the time-of-week coefficients follow as weighted means.
This is the weighted least-squares solution of eemeter's design; where that design is rank
deficient (a slope with no variation inside its occupancy state) the slope is set to 0 and the
intercepts absorb it, whereas statsmodels' pseudo-inverse spreads it (same fitted values on the
training data). A time of week with no training hour gets NaN coefficients (eemeter: 0), so its
predictions are NaN rather than a silent zero.

References
----------
CalTRACK Methods, Version 2.0, sections 3.7–3.12, https://docs.caltrack.org/en/latest/methods.html
(source: github.com/openeemeter/caltrack docs/methods.rst).

Mathieu, J.L., Price, P.N., Kiliccote, S., Piette, M.A. (2011). Quantifying changes in building
electricity use, with application to demand response. IEEE Trans. Smart Grid 2(3), 507–518,
doi:10.1109/TSG.2011.2145010.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings.uncertainty import g14_fractional_savings_uncertainty, lag1_autocorrelation
from ecocity.errors import InputError

_DATA = "data/caltrack_hourly.toml"

#: Hours in a week: the number of time-of-week indicators.
HOURS_PER_WEEK = 168

#: Segmentations offered by :func:`fit_hourly`.
SEGMENTATIONS: tuple[str, ...] = ("three_month_weighted", "none")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def fahrenheit_to_celsius(temperature_f: Any) -> Any:
    """Convert °F to °C: ``(T − 32)/1.8``. [°C]"""
    return (np.asarray(temperature_f, dtype=float) - 32.0) / 1.8


@dataclass(frozen=True)
class HourlySettings:
    """Constants of the CalTRACK 2.0 hourly method, in °C.

    Parameters
    ----------
    bin_endpoints_c
        Candidate temperature-bin endpoints, ascending (CT2 3.9.1.1: 30…90 °F). [°C]
    min_hours_per_bin
        A bin with fewer hours is merged (CT2 3.9.1.2: 20). [h]
    occupancy_threshold
        Share of positive residuals above which a time of week is occupied (CT2 3.8.4: 0.65). [1]
    heating_balance_point_c, cooling_balance_point_c
        Balance points of the occupancy regression (CT2 3.8.3: 50 °F, 65 °F). [°C]
    weight_neighbour_month
        Weight of the months before and after a segment's month (CT2 3.7.5: 0.5). [1]
    """

    bin_endpoints_c: tuple[float, ...]
    min_hours_per_bin: int
    occupancy_threshold: float
    heating_balance_point_c: float
    cooling_balance_point_c: float
    weight_neighbour_month: float

    def __post_init__(self) -> None:
        ends = np.asarray(self.bin_endpoints_c, dtype=float)
        if ends.ndim != 1 or np.any(np.diff(ends) <= 0) or not np.all(np.isfinite(ends)):
            raise InputError("bin endpoints must be finite and strictly ascending", field="settings")
        if not 0.0 < self.occupancy_threshold < 1.0:
            raise InputError("occupancy threshold must lie in (0, 1)", field="settings")
        if not 0.0 <= self.weight_neighbour_month <= 1.0:
            raise InputError("neighbour-month weight must lie in [0, 1]", field="settings")


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("ecocity.buildings").joinpath(_DATA).read_text(encoding="utf-8")
    return tomllib.loads(text)


def hourly_constant(section: str, name: str) -> Any:
    """A value of ``data/caltrack_hourly.toml`` (``[section] name = { value = ... }``)."""
    return _raw()[section][name]["value"]


@cache
def load_hourly_settings() -> HourlySettings:
    """CalTRACK 2.0 defaults from ``buildings/data/caltrack_hourly.toml``, converted to °C."""
    data = _raw()
    occ, bins, seg = data["occupancy"], data["temperature_bins"], data["segmentation"]
    return HourlySettings(
        bin_endpoints_c=tuple(float(x) for x in fahrenheit_to_celsius(bins["endpoints_f"]["value"])),
        min_hours_per_bin=int(bins["min_hours_per_bin"]["value"]),
        occupancy_threshold=float(occ["threshold"]["value"]),
        heating_balance_point_c=float(fahrenheit_to_celsius(occ["heating_balance_point_f"]["value"])),
        cooling_balance_point_c=float(fahrenheit_to_celsius(occ["cooling_balance_point_f"]["value"])),
        weight_neighbour_month=float(seg["weight_neighbour_month"]["value"]),
    )


# --------------------------------------------------------------------------- pure functions


def hour_of_week(index: pd.DatetimeIndex) -> np.ndarray:
    """Time of week of each interval start: 0 = Monday 00:00–01:00 … 167 (CT2 3.8.2).

    Local clock time of the index (its own time zone when tz-aware).
    """
    return (np.asarray(index.day_of_week) * 24 + np.asarray(index.hour)).astype(np.intp)


def segment_weights(
    index: pd.DatetimeIndex, segmentation: str, weight_neighbour_month: float = 0.5
) -> tuple[tuple[str, ...], np.ndarray]:
    """Weights of every hour in every segment (CT2 3.7.5).

    Returns
    -------
    names
        Segment names: ``("all",)`` for ``"none"``; for ``"three_month_weighted"`` the twelve
        eemeter names ``"dec-jan-feb-weighted"`` … ``"nov-dec-jan-weighted"`` (segment *k* is
        centred on month *k* + 1).
    weights
        Array (segments × hours): 1 in the centre month, ``weight_neighbour_month`` in the
        months before and after, 0 elsewhere. [1]
    """
    if segmentation == "none":
        return ("all",), np.ones((1, len(index)))
    if segmentation != "three_month_weighted":
        raise InputError(
            f"unknown segmentation {segmentation!r}; known: {', '.join(SEGMENTATIONS)}",
            field="segmentation",
        )
    month0 = np.asarray(index.month) - 1
    weights = np.zeros((12, len(index)))
    for k in range(12):
        weights[k, month0 == k] = 1.0
        weights[k, month0 == (k - 1) % 12] = weight_neighbour_month
        weights[k, month0 == (k + 1) % 12] = weight_neighbour_month
    names = tuple(f"{_MONTHS[(k - 1) % 12]}-{_MONTHS[k]}-{_MONTHS[(k + 1) % 12]}-weighted" for k in range(12))
    return names, weights


def fit_bin_endpoints(
    temperature_c: np.ndarray, candidate_endpoints_c: tuple[float, ...], min_hours: int
) -> tuple[float, ...]:
    """Validate temperature-bin endpoints by the hours in each bin (CT2 3.9.1.2).

    Bins are right-closed, ``(B_{n-1}, B_n]``. Repeated until no endpoint is dropped: if the
    lowest bin has fewer than ``min_hours`` hours its upper endpoint is dropped, if the highest
    does its lower endpoint is dropped; only when both are full, the upper endpoint of every
    under-filled middle bin is dropped (the order of eemeter 2.10.11 ``_fit_temperature_bins``).

    Parameters
    ----------
    temperature_c
        Hourly temperatures of the segment's hours. [°C]
    candidate_endpoints_c
        Ascending candidate endpoints. [°C]
    min_hours
        Least number of hours a bin must hold. [h]

    Returns
    -------
    The kept endpoints, ascending. [°C]
    """
    temps = np.sort(np.asarray(temperature_c, dtype=float))
    kept = list(candidate_endpoints_c)
    while kept:
        edges = np.asarray(kept)
        # hours in (-inf, e1], (e1, e2], ..., (eN, inf)
        below = np.searchsorted(temps, edges, side="right")
        counts = np.diff(np.concatenate(([0], below, [len(temps)])))
        drop: set[float] = set()
        if counts[0] < min_hours:
            drop.add(kept[0])
        if counts[-1] < min_hours:
            drop.add(kept[-1])
        if not drop:
            drop = {kept[i] for i in range(1, len(counts) - 1) if counts[i] < min_hours}
        if not drop:
            break
        kept = [e for e in kept if e not in drop]
    return tuple(kept)


def temperature_bin_features(temperature_c: np.ndarray, endpoints_c: tuple[float, ...]) -> np.ndarray:
    """Binned temperature features ``Tc_n`` (CT2 3.9.1.3–3.9.1.5).

    Parameters
    ----------
    temperature_c
        Hourly temperatures. [°C]
    endpoints_c
        Bin endpoints ``B_1 < … < B_N``. [°C]

    Returns
    -------
    Array (hours × (N + 1)): ``min(T, B_1)``, ``clip(T − B_{n−1}, 0, B_n − B_{n−1})``,
    ``max(T − B_N, 0)``; the row sums equal ``T``. [°C or K]
    """
    t = np.asarray(temperature_c, dtype=float)
    ends = np.asarray(endpoints_c, dtype=float)
    if ends.size == 0:
        return t[:, None].copy()
    out = np.empty((t.size, ends.size + 1))
    out[:, 0] = np.minimum(t, ends[0])
    for n in range(1, ends.size):
        out[:, n] = np.clip(t - ends[n - 1], 0.0, ends[n] - ends[n - 1])
    out[:, -1] = np.maximum(t - ends[-1], 0.0)
    return out


def estimate_occupancy(
    usage_kwh: np.ndarray,
    temperature_c: np.ndarray,
    time_of_week: np.ndarray,
    weight: np.ndarray,
    settings: HourlySettings,
) -> np.ndarray:
    """Occupied times of week from the residuals of a HDD/CDD fit (CT2 3.8.3–3.8.4).

    Parameters
    ----------
    usage_kwh, temperature_c, time_of_week, weight
        The segment's hours with non-zero weight and a reading: usage [kWh], temperature
        [°C], time of week [0–167], segment weight [1].
    settings
        Balance points and threshold.

    Returns
    -------
    168 booleans: True where the share of positive residuals of the weighted fit
    ``usage = μ + β_H·max(T_H − T, 0) + β_C·max(T − T_C, 0)`` exceeds the threshold; False for
    a time of week without data.
    """
    hdh = np.maximum(settings.heating_balance_point_c - temperature_c, 0.0)
    cdh = np.maximum(temperature_c - settings.cooling_balance_point_c, 0.0)
    x = np.column_stack((np.ones_like(hdh), hdh, cdh))
    root_w = np.sqrt(weight)
    coef = np.linalg.lstsq(x * root_w[:, None], usage_kwh * root_w, rcond=None)[0]
    positive = (usage_kwh - x @ coef) > 0.0
    n = np.bincount(time_of_week, minlength=HOURS_PER_WEEK)
    n_positive = np.bincount(time_of_week, weights=positive, minlength=HOURS_PER_WEEK)
    share = np.divide(n_positive, n, out=np.zeros(HOURS_PER_WEEK), where=n > 0)
    return share > settings.occupancy_threshold


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class FitMetrics:
    """Goodness of fit on the training hours (definitions of eemeter 2.10.11 ``ModelMetrics``).

    Attributes
    ----------
    n_hours
        Hours compared. [h]
    num_parameters
        Fitted coefficients ``c``. [1]
    r_squared
        Squared Pearson correlation of predicted and observed usage. [1]
    cvrmse
        ``sqrt(Σ(ŷ − y)²/n) / ȳ``. [1]
    cvrmse_adj
        CT2 4.3.2.2: ``sqrt(Σ(ŷ − y)²/(n − c)) / ȳ``. [1]
    nmbe
        ``Σ(ŷ − y) / Σy``: positive when the model over-predicts. [1]
    """

    n_hours: int
    num_parameters: int
    r_squared: float
    cvrmse: float
    cvrmse_adj: float
    nmbe: float


def fit_metrics(observed: np.ndarray, predicted: np.ndarray, num_parameters: int) -> FitMetrics:
    """Compute :class:`FitMetrics` of ``predicted`` against ``observed`` [kWh]."""
    y = np.asarray(observed, dtype=float)
    yhat = np.asarray(predicted, dtype=float)
    n = y.size
    if n == 0:
        nan = math.nan
        return FitMetrics(0, num_parameters, nan, nan, nan, nan)
    resid = yhat - y
    sse = float(resid @ resid)
    mean = float(y.mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(yhat, y)[0, 1] if n > 1 else math.nan
    dof = n - num_parameters
    return FitMetrics(
        n_hours=n,
        num_parameters=num_parameters,
        r_squared=float(r * r),
        cvrmse=math.sqrt(sse / n) / mean if mean else math.nan,
        cvrmse_adj=math.sqrt(sse / dof) / mean if (mean and dof > 0) else math.nan,
        nmbe=float(resid.sum()) / float(y.sum()) if y.sum() else math.nan,
    )


@dataclass(frozen=True)
class HourlySegment:
    """One fitted TOWT model (one segment).

    Attributes
    ----------
    name
        Segment name (``"all"`` or eemeter's ``"dec-jan-feb-weighted"`` …).
    months
        Calendar months (1–12) this model predicts.
    bin_endpoints_c
        Kept bin endpoints ``B_1 … B_N``. [°C]
    occupancy
        168 booleans, True = occupied time of week.
    time_of_week_kwh
        168 time-of-week coefficients ``α_t`` (NaN without training data). [kWh/h]
    slopes_occupied_kwh_per_k, slopes_unoccupied_kwh_per_k
        ``N + 1`` bin slopes for occupied / unoccupied hours (equal when the segment has one
        occupancy state). [kWh/(h·K)]
    metrics
        Fit on the segment's weight-1 hours.
    """

    name: str
    months: tuple[int, ...]
    bin_endpoints_c: tuple[float, ...]
    occupancy: np.ndarray = field(repr=False)
    time_of_week_kwh: np.ndarray = field(repr=False)
    slopes_occupied_kwh_per_k: np.ndarray = field(repr=False)
    slopes_unoccupied_kwh_per_k: np.ndarray = field(repr=False)
    metrics: FitMetrics

    def predict_array(self, temperature_c: np.ndarray, time_of_week: np.ndarray) -> np.ndarray:
        """Usage of hours at ``temperature_c`` [°C] and ``time_of_week`` [0–167]. [kWh]"""
        feats = temperature_bin_features(temperature_c, self.bin_endpoints_c)
        occ = self.occupancy[time_of_week]
        slope = np.where(occ[:, None], self.slopes_occupied_kwh_per_k, self.slopes_unoccupied_kwh_per_k)
        return self.time_of_week_kwh[time_of_week] + np.einsum("ij,ij->i", feats, slope)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN as None)."""
        return {
            "name": self.name,
            "months": list(self.months),
            "bin_endpoints_c": list(self.bin_endpoints_c),
            "occupancy": [bool(x) for x in self.occupancy],
            "time_of_week_kwh": _json_floats(self.time_of_week_kwh),
            "slopes_occupied_kwh_per_k": _json_floats(self.slopes_occupied_kwh_per_k),
            "slopes_unoccupied_kwh_per_k": _json_floats(self.slopes_unoccupied_kwh_per_k),
            "metrics": _metrics_dict(self.metrics),
        }


@dataclass(frozen=True)
class HourlyModel:
    """A fitted CalTRACK 2.0 hourly model: one :class:`HourlySegment` per segment.

    Attributes
    ----------
    segmentation
        ``"three_month_weighted"`` or ``"none"``.
    segments
        The segment models; for ``"three_month_weighted"`` segment *k* predicts month *k* + 1.
    metrics
        Fit on all training hours, each predicted by its calendar month's model;
        ``num_parameters`` is the sum over segments.
    residual_autocorrelation
        Lag-1 autocorrelation of the hourly residuals on the training hours (pairs of
        consecutive hours that both have a reading). [1]
    """

    segmentation: str
    segments: tuple[HourlySegment, ...]
    metrics: FitMetrics
    residual_autocorrelation: float = math.nan

    def fractional_savings_uncertainty(
        self, reporting_hours: int, savings_fraction: float, confidence: float = 0.9
    ) -> float:
        """Fractional savings uncertainty of savings over ``reporting_hours`` (ASHRAE G14 Annex B).

        :func:`g14_fractional_savings_uncertainty` with this model's CV(RMSE) (``cvrmse_adj``),
        training hours ``n``, parameters ``p`` and residual autocorrelation ``ρ``. CalTRACK 2.0
        (4.3.2.4) defines the FSU for billing and daily models only; for hourly models this is
        Guideline 14's formula with its constant 1.26 and the autocorrelation correction.

        Parameters
        ----------
        reporting_hours
            Hours in the reporting period ``m``. [h]
        savings_fraction
            Savings as a fraction of the baseline prediction, ``F`` (> 0). [1]
        confidence
            Two-sided confidence level. [1]
        """
        m = self.metrics
        return g14_fractional_savings_uncertainty(
            m.cvrmse_adj, m.n_hours, m.num_parameters, self.residual_autocorrelation,
            reporting_hours, savings_fraction, confidence,
            constant=float(hourly_constant("fsu", "g14_constant")),
        )

    def predict(self, temperature_c_hourly: pd.Series, index: pd.DatetimeIndex) -> pd.Series:
        """Predicted hourly usage over ``index``.

        Parameters
        ----------
        temperature_c_hourly
            Hourly temperature covering every interval start of ``index``. [°C]
        index
            Interval starts to predict.

        Returns
        -------
        Series ``"value"`` on ``index``. [kWh]

        Raises
        ------
        InputError
            ``temperature_c`` misses hours of ``index``.
        """
        index = pd.DatetimeIndex(index)
        temps = _aligned_temperature(temperature_c_hourly, index)
        tow = hour_of_week(index)
        seg_of_hour = self._segment_of(index)
        out = np.full(len(index), np.nan)
        for k in np.unique(seg_of_hour):
            rows = seg_of_hour == k
            out[rows] = self.segments[k].predict_array(temps[rows], tow[rows])
        return pd.Series(out, index=index, name="value")

    def _segment_of(self, index: pd.DatetimeIndex) -> np.ndarray:
        if self.segmentation == "none":
            return np.zeros(len(index), dtype=np.intp)
        return (np.asarray(index.month) - 1).astype(np.intp)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the model (units in the keys)."""
        return {
            "method": "CalTRACK 2.0 hourly (TOWT)",
            "segmentation": self.segmentation,
            "metrics": _metrics_dict(self.metrics),
            "segments": [s.to_dict() for s in self.segments],
        }


def _json_floats(values: np.ndarray) -> list[float | None]:
    return [None if not math.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def _metrics_dict(m: FitMetrics) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in m.__dict__.items()
    }


# --------------------------------------------------------------------------- fitting


def fit_hourly(
    usage_kwh: pd.Series,
    temperature_c: pd.Series,
    *,
    segmentation: str = "three_month_weighted",
    settings: HourlySettings | None = None,
) -> HourlyModel:
    """Fit the CalTRACK 2.0 hourly (TOWT) model to a baseline.

    Parameters
    ----------
    usage_kwh
        Hourly usage on a regular hourly DatetimeIndex (interval start); NaN marks a missing
        reading (left out of the fit). [kWh]
    temperature_c
        Hourly outdoor temperature covering every hour of ``usage_kwh``. [°C]
    segmentation
        ``"three_month_weighted"`` (CT2 3.7.5, default) or ``"none"`` (one 365-day model, CT2
        3.7.5.1).
    settings
        Method constants; None for the CalTRACK 2.0 defaults (:func:`load_hourly_settings`).

    Returns
    -------
    HourlyModel

    Raises
    ------
    InputError
        The index is not regular hourly (field ``usage_kwh``), there is no reading, or the
        temperature misses hours (field ``temperature_c``).

    Notes
    -----
    Per segment, weighted least squares ``y = α_tow + Σ_n β_n^occ(tow)·Tc_n`` (CT2 3.11.1) with
    the time-of-week block eliminated exactly (see the module notes).
    """
    settings = load_hourly_settings() if settings is None else settings
    index = _check_usage(usage_kwh)
    temps = _aligned_temperature(temperature_c, index)
    y_all = usage_kwh.to_numpy(dtype=float)
    has_reading = np.isfinite(y_all)
    if not has_reading.any():
        raise InputError("no finite usage value to fit", field="usage_kwh")
    tow_all = hour_of_week(index)
    names, weights = segment_weights(index, segmentation, settings.weight_neighbour_month)

    segments = []
    for k, name in enumerate(names):
        months = tuple(range(1, 13)) if segmentation == "none" else (k + 1,)
        segments.append(
            _fit_segment(name, months, weights[k], y_all, has_reading, temps, tow_all, settings)
        )

    model = HourlyModel(segmentation=segmentation, segments=tuple(segments), metrics=_EMPTY)
    predicted = model.predict(pd.Series(temps, index=index), index).to_numpy()
    used = has_reading & np.isfinite(predicted)
    n_params = sum(s.metrics.num_parameters for s in segments if s.metrics.n_hours > 0)
    metrics = fit_metrics(y_all[used], predicted[used], n_params)
    return HourlyModel(segmentation=segmentation, segments=tuple(segments), metrics=metrics,
                       residual_autocorrelation=lag1_autocorrelation(np.where(used, predicted - y_all, np.nan)))


_EMPTY = FitMetrics(0, 0, math.nan, math.nan, math.nan, math.nan)


def _fit_segment(
    name: str,
    months: tuple[int, ...],
    weight_all: np.ndarray,
    y_all: np.ndarray,
    has_reading: np.ndarray,
    temps_all: np.ndarray,
    tow_all: np.ndarray,
    settings: HourlySettings,
) -> HourlySegment:
    in_segment = weight_all > 0
    endpoints = fit_bin_endpoints(temps_all[in_segment], settings.bin_endpoints_c, settings.min_hours_per_bin)
    rows = in_segment & has_reading
    n_slopes = len(endpoints) + 1
    if not rows.any():
        nan168 = np.full(HOURS_PER_WEEK, np.nan)
        nan_slopes = np.full(n_slopes, np.nan)
        return HourlySegment(
            name, months, endpoints, np.zeros(HOURS_PER_WEEK, bool), nan168, nan_slopes,
            nan_slopes.copy(), _EMPTY,
        )
    y, t, tow, w = y_all[rows], temps_all[rows], tow_all[rows], weight_all[rows]
    occupancy = estimate_occupancy(y, t, tow, w, settings)

    feats = temperature_bin_features(t, endpoints)
    occ_rows = occupancy[tow]
    split = occ_rows.any() and not occ_rows.all()
    if split:  # bin slopes interacted with occupancy (eemeter: bin_n:C(occupancy))
        design = np.hstack((feats * occ_rows[:, None], feats * ~occ_rows[:, None]))
    else:
        design = feats
    coef, alpha = _solve_towt(y, design, tow, w)
    if split:
        slopes_occ, slopes_unocc = coef[:n_slopes], coef[n_slopes:]
    else:
        slopes_occ, slopes_unocc = coef, coef.copy()

    segment = HourlySegment(
        name, months, endpoints, occupancy, alpha, slopes_occ, slopes_unocc, _EMPTY
    )
    full = w == 1.0
    n_params = HOURS_PER_WEEK + design.shape[1]
    metrics = fit_metrics(y[full], segment.predict_array(t[full], tow[full]), n_params)
    return HourlySegment(
        name, months, endpoints, occupancy, alpha, slopes_occ, slopes_unocc, metrics
    )


def _solve_towt(
    y: np.ndarray, design: np.ndarray, tow: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of ``y`` on 168 time-of-week indicators and ``design``.

    The indicator block is diagonal in XᵀWX; centring ``design`` and ``y`` on their weighted
    mean within each time of week eliminates it exactly (Frisch–Waugh–Lovell). The remaining
    small system is equilibrated and solved with a pseudo-inverse (relative cut-off 1e-10).

    Returns
    -------
    coef
        Slopes of the ``design`` columns.
    alpha
        168 time-of-week coefficients (NaN where no hour has weight).
    """
    w_tow = np.bincount(tow, weights=w, minlength=HOURS_PER_WEEK)
    seen = w_tow > 0
    inv_w_tow = np.divide(1.0, w_tow, out=np.zeros(HOURS_PER_WEEK), where=seen)
    n_cols = design.shape[1]
    mean_x = np.empty((HOURS_PER_WEEK, n_cols))
    for j in range(n_cols):
        mean_x[:, j] = np.bincount(tow, weights=w * design[:, j], minlength=HOURS_PER_WEEK) * inv_w_tow
    mean_y = np.bincount(tow, weights=w * y, minlength=HOURS_PER_WEEK) * inv_w_tow
    xc = design - mean_x[tow]
    yc = y - mean_y[tow]
    wx = xc * w[:, None]
    gram = xc.T @ wx
    rhs = wx.T @ yc
    scale = np.sqrt(np.diag(gram))
    live = scale > 1e-12 * max(float(scale.max(initial=0.0)), 1e-300)
    coef = np.zeros(n_cols)
    if live.any():
        s = scale[live]
        g = gram[np.ix_(live, live)] / np.outer(s, s)
        coef[live] = np.linalg.pinv(g, rcond=1e-10, hermitian=True) @ (rhs[live] / s) / s
    alpha = mean_y - mean_x @ coef
    alpha[~seen] = np.nan
    return coef, alpha


# --------------------------------------------------------------------------- input checks


def _check_usage(usage_kwh: pd.Series) -> pd.DatetimeIndex:
    if not isinstance(usage_kwh, pd.Series) or not isinstance(usage_kwh.index, pd.DatetimeIndex):
        raise InputError("usage must be a pandas Series on a DatetimeIndex", field="usage_kwh")
    index = usage_kwh.index
    if len(index) == 0:
        raise InputError("usage is empty", field="usage_kwh")
    steps = np.diff(index.asi8)  # instants (UTC when tz-aware: DST-safe) in the index's unit
    hour = np.timedelta64(1, "h").astype(f"timedelta64[{index.unit}]").astype(np.int64)
    not_hourly = steps != hour
    if not_hourly.any():
        bad = int(np.flatnonzero(not_hourly)[0])
        raise InputError(
            "index must be regular hourly (interval starts 1 h apart, ascending, no gaps: "
            f"mark missing readings as NaN); step {index[bad + 1] - index[bad]} after "
            f"{index[bad]}",
            field="usage_kwh",
        )
    return index


def _aligned_temperature(temperature_c: pd.Series, index: pd.DatetimeIndex) -> np.ndarray:
    if not isinstance(temperature_c, pd.Series) or not isinstance(temperature_c.index, pd.DatetimeIndex):
        raise InputError("temperature must be a pandas Series on a DatetimeIndex", field="temperature_c")
    if temperature_c.index.has_duplicates:
        raise InputError("temperature has duplicate timestamps", field="temperature_c")
    if (temperature_c.index.tz is None) != (index.tz is None):
        raise InputError(
            "temperature and usage indexes must both be tz-aware or both naive", field="temperature_c"
        )
    temps = temperature_c.reindex(index).to_numpy(dtype=float)
    missing = ~np.isfinite(temps)
    if missing.any():
        first = index[int(np.flatnonzero(missing)[0])]
        raise InputError(
            f"temperature misses {int(missing.sum())} of {len(index)} hours (first: {first}); "
            "fill the gaps before fitting",
            field="temperature_c",
        )
    return temps
