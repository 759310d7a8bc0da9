"""CalTRACK 2.0 hourly baselines: data sufficiency, the choice of segmentation, and the fit.

:func:`hourly_sufficiency` applies the hourly data-sufficiency rules (CT2 2.2.1.2, 2.2.1.4,
2.2.4.1); :func:`choose_segmentation` applies CT2 3.7.5–3.7.5.2 to choose between the
month-by-month ("three_month_weighted") models and a single 365-day model ("none");
:func:`fit_hourly_baseline` runs both and fits :func:`~ecocity.buildings.hourly.fit_hourly`
with the chosen segmentation, recording which rule chose it.

The choice, written out (CT2 leaves "may be used" open; this is the project's rule):

1. CT2 3.7.5.2 — when reporting-period temperatures are given and reach further than 10 % of
   the baseline's temperature range below its minimum or above its maximum, the single model.
2. CT2 3.7.5.1 — otherwise, when the single model is unbiased month by month (no more than
   two calendar months of the baseline with |NMBE| above 1 %), the single model: it has one
   twelfth of the parameters and CT2 allows it.
3. Otherwise the month-by-month models (CT2 3.7.5, the default).

References
----------
CalTRACK Methods, Version 2.0, sections 2.2.1.2, 2.2.1.4, 2.2.4.1, 3.7.5,
https://docs.caltrack.org/en/latest/methods.html (source: github.com/openeemeter/caltrack,
``docs/methods.rst``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings.hourly import HourlyModel, HourlySettings, _check_usage, fit_hourly, hourly_constant
from ecocity.errors import InputError


@dataclass(frozen=True)
class HourlySufficiency:
    """Whether an hourly baseline meets the CalTRACK 2.0 hourly data-sufficiency rules.

    Attributes
    ----------
    ok
        Every calendar month's model is sufficient and the temperature has no long gap.
    reasons
        What fails, in words (empty when ``ok``).
    baseline_start, baseline_end
        The baseline window: the ``baseline_days`` before ``baseline_end`` (exclusive end).
    month_coverage
        Calendar month (1–12) → share of that month's hours in the window with a reading. [1]
    months_sufficient
        Months whose model is sufficient: over ``min_month_coverage`` in the month itself
        and in the months before and after (CT2 2.2.1.2).
    longest_temperature_gap_h
        Longest run of missing hourly temperatures in the window (None: no temperature given). [h]
    """

    ok: bool
    reasons: tuple[str, ...]
    baseline_start: pd.Timestamp
    baseline_end: pd.Timestamp
    month_coverage: dict[int, float] = field(repr=False)
    months_sufficient: tuple[int, ...]
    longest_temperature_gap_h: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"ok": self.ok, "reasons": list(self.reasons), "baseline_start": str(self.baseline_start),
                "baseline_end": str(self.baseline_end),
                "month_coverage": {str(k): v for k, v in self.month_coverage.items()},
                "months_sufficient": list(self.months_sufficient),
                "longest_temperature_gap_h": self.longest_temperature_gap_h}


def _longest_run(missing: np.ndarray) -> int:
    if not missing.any():
        return 0
    padded = np.concatenate(([0], missing.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())


def hourly_sufficiency(
    usage_kwh: pd.Series,
    temperature_c: pd.Series | None = None,
    *,
    baseline_end: Any = None,
    zero_is_missing: bool = True,
) -> HourlySufficiency:
    """Check an hourly baseline against CalTRACK 2.0's hourly data-sufficiency rules.

    Parameters
    ----------
    usage_kwh
        Hourly use on a regular hourly index (NaN = missing reading). [kWh]
    temperature_c
        Hourly temperature (optional); its longest gap inside the window is checked. [°C]
    baseline_end
        End of the baseline (exclusive; the intervention date). Default: the hour after the
        last reading.
    zero_is_missing
        Count readings of exactly 0 as missing (CT2 2.2.1.4: electricity; False for gas).

    Returns
    -------
    HourlySufficiency

    Notes
    -----
    The window is the ``baseline_days`` (365) days before ``baseline_end`` (CT2 3.7.5). For each
    calendar month, coverage = hours with a reading / hours of that month in the window; hours
    of the window outside the series count as missing. The model of month *k* is sufficient
    when the coverage of *k*, *k* − 1 and *k* + 1 each exceeds 90 % (CT2 2.2.1.2: "over 90 %").
    Temperature may not be missing for more than 6 consecutive hours (CT2 2.2.4.1).
    """
    index = _check_usage(usage_kwh)
    naive_end = pd.Timestamp(index[-1]) + pd.Timedelta(hours=1) if baseline_end is None else pd.Timestamp(baseline_end)
    if naive_end.tz is None and index.tz is not None:
        naive_end = naive_end.tz_localize(index.tz)
    elif naive_end.tz is not None and index.tz is None:
        raise InputError("baseline_end is tz-aware but the usage index is naive", field="baseline_end")
    days = int(hourly_constant("sufficiency", "baseline_days"))
    start = naive_end - pd.Timedelta(days=days)
    grid = pd.date_range(start, naive_end, freq="h", inclusive="left")
    values = usage_kwh.reindex(grid).to_numpy(dtype=float)
    present = np.isfinite(values)
    if zero_is_missing:
        present &= values != 0.0
    months = np.asarray(grid.month)
    coverage = {}
    for m in range(1, 13):
        in_month = months == m
        coverage[m] = float(present[in_month].mean()) if in_month.any() else 0.0
    threshold = float(hourly_constant("sufficiency", "min_month_coverage"))
    good = {m for m, c in coverage.items() if c > threshold}
    sufficient = tuple(m for m in range(1, 13) if {m, (m - 2) % 12 + 1, m % 12 + 1} <= good)
    reasons = []
    short = sorted(set(range(1, 13)) - good)
    if short:
        listed = ", ".join(f"{pd.Timestamp(2000, m, 1):%b} {100 * coverage[m]:.0f} %" for m in short)
        reasons.append(f"months with no more than {100 * threshold:.0f} % of hours read (CT2 2.2.1.2): {listed}; "
                       f"their models and those of their neighbour months are not sufficient")
    gap = None
    if temperature_c is not None:
        if not isinstance(temperature_c, pd.Series) or not isinstance(temperature_c.index, pd.DatetimeIndex):
            raise InputError("temperature must be a pandas Series on a DatetimeIndex", field="temperature_c")
        if temperature_c.index.has_duplicates:
            raise InputError("temperature has duplicate timestamps", field="temperature_c")
        if (temperature_c.index.tz is None) != (grid.tz is None):
            raise InputError("temperature and usage indexes must both be tz-aware or both naive",
                             field="temperature_c")
        t = temperature_c.reindex(grid).to_numpy(dtype=float)
        gap = _longest_run(~np.isfinite(t))
        max_gap = int(hourly_constant("sufficiency", "max_temperature_gap_h"))
        if gap > max_gap:
            reasons.append(f"temperature missing for {gap} consecutive hours (more than {max_gap}, CT2 2.2.4.1)")
    return HourlySufficiency(not reasons, tuple(reasons), start, naive_end, coverage, sufficient, gap)


def interpolate_short_gaps(temperature_c: pd.Series, max_gap_h: int | None = None) -> pd.Series:
    """Fill runs of at most ``max_gap_h`` missing hours linearly (CT2 2.2.4.1); longer gaps stay NaN. [°C]

    ``temperature_c`` must be on a regular hourly index; default ``max_gap_h``: 6 h.
    """
    max_gap = int(hourly_constant("sufficiency", "max_temperature_gap_h")) if max_gap_h is None else max_gap_h
    missing = temperature_c.isna().to_numpy()
    if not missing.any():
        return temperature_c
    run_id = np.cumsum(~missing)                       # one id per run of NaN (and its left neighbour)
    run_len = np.bincount(run_id, weights=missing)[run_id]
    filled = temperature_c.interpolate(method="linear", limit_area="inside")
    return filled.where(~missing | (run_len <= max_gap))


@dataclass(frozen=True)
class SegmentationChoice:
    """The segmentation chosen for an hourly baseline and the CalTRACK clause that chose it.

    Attributes
    ----------
    segmentation
        ``"three_month_weighted"`` or ``"none"``.
    rule
        ``"CT2 3.7.5.2"`` (reporting temperatures outside the baseline's), ``"CT2 3.7.5.1"``
        (single model unbiased month by month) or ``"CT2 3.7.5"`` (month-by-month default).
    monthly_nmbe
        Calendar month → NMBE of the single model on that month's baseline hours,
        ``Σ(ŷ − y)/Σy``. [1]
    months_over
        Months whose |NMBE| exceeds the threshold.
    temperature_outside
        Whether reporting temperatures fall outside the baseline's range by more than the
        margin (None: no reporting temperatures given).
    """

    segmentation: str
    rule: str
    monthly_nmbe: dict[int, float] = field(repr=False)
    months_over: tuple[int, ...]
    temperature_outside: bool | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"segmentation": self.segmentation, "rule": self.rule,
                "monthly_nmbe": {str(k): (v if math.isfinite(v) else None) for k, v in self.monthly_nmbe.items()},
                "months_over": list(self.months_over), "temperature_outside": self.temperature_outside}


def temperature_outside_baseline(baseline_temperature_c: pd.Series, reporting_temperature_c: pd.Series,
                                 margin: float | None = None) -> bool:
    """CT2 3.7.5.2: reporting min (max) below (above) the baseline's by more than ``margin`` × range.

    ``T_min,rep < T_min,base − m·(T_max,base − T_min,base)`` or
    ``T_max,rep > T_max,base + m·(T_max,base − T_min,base)``, ``m`` = 0.1 by default. [°C]
    """
    margin = float(hourly_constant("segmentation", "temperature_range_margin")) if margin is None else margin
    lo, hi = float(baseline_temperature_c.min()), float(baseline_temperature_c.max())
    span = hi - lo
    return bool(reporting_temperature_c.min() < lo - margin * span or reporting_temperature_c.max() > hi + margin * span)


def monthly_nmbe(model: HourlyModel, usage_kwh: pd.Series, temperature_c: pd.Series) -> dict[int, float]:
    """NMBE ``Σ(ŷ − y)/Σy`` of a model on each calendar month's hours with a reading. [1]"""
    predicted = model.predict(temperature_c, usage_kwh.index).to_numpy()
    y = usage_kwh.to_numpy(dtype=float)
    used = np.isfinite(y) & np.isfinite(predicted)
    months = np.asarray(usage_kwh.index.month)
    out = {}
    for m in sorted(set(months[used].tolist())):
        rows = used & (months == m)
        total = float(y[rows].sum())
        out[int(m)] = float((predicted[rows] - y[rows]).sum()) / total if total else math.nan
    return out


def choose_segmentation(
    usage_kwh: pd.Series,
    temperature_c: pd.Series,
    *,
    reporting_temperature_c: pd.Series | None = None,
    settings: HourlySettings | None = None,
) -> tuple[SegmentationChoice, HourlyModel]:
    """Choose between month-by-month models and a single model (CT2 3.7.5–3.7.5.2; module notes).

    Returns the choice and the single (``"none"``) model fitted to decide it.
    """
    single = fit_hourly(usage_kwh, temperature_c, segmentation="none", settings=settings)
    nmbe = monthly_nmbe(single, usage_kwh, temperature_c)
    limit = float(hourly_constant("segmentation", "single_model_nmbe_threshold"))
    over = tuple(m for m, v in nmbe.items() if not abs(v) <= limit)
    outside = None
    if reporting_temperature_c is not None:
        base_t = temperature_c.reindex(usage_kwh.index)
        outside = temperature_outside_baseline(base_t, reporting_temperature_c.dropna())
    if outside:
        choice = SegmentationChoice("none", "CT2 3.7.5.2", nmbe, over, outside)
    elif len(over) <= int(hourly_constant("segmentation", "single_model_max_months_over")):
        choice = SegmentationChoice("none", "CT2 3.7.5.1", nmbe, over, outside)
    else:
        choice = SegmentationChoice("three_month_weighted", "CT2 3.7.5", nmbe, over, outside)
    return choice, single


@dataclass(frozen=True)
class HourlyBaseline:
    """An hourly baseline: the fitted model, its data sufficiency and the segmentation choice."""

    model: HourlyModel
    sufficiency: HourlySufficiency
    choice: SegmentationChoice

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (the model's, plus ``sufficiency`` and ``segmentation_choice``)."""
        return {**self.model.to_dict(), "sufficiency": self.sufficiency.to_dict(),
                "segmentation_choice": self.choice.to_dict()}


def fit_hourly_baseline(
    usage_kwh: pd.Series,
    temperature_c: pd.Series,
    *,
    baseline_end: Any = None,
    reporting_temperature_c: pd.Series | None = None,
    zero_is_missing: bool = True,
    settings: HourlySettings | None = None,
) -> HourlyBaseline:
    """Check, choose and fit a CalTRACK 2.0 hourly baseline on the 365 days before ``baseline_end``.

    Parameters
    ----------
    usage_kwh
        Hourly use on a regular hourly index (NaN = missing). [kWh]
    temperature_c
        Hourly temperature covering the baseline hours; gaps of up to 6 h are filled linearly
        (CT2 2.2.4.1), longer ones are an error of :func:`~ecocity.buildings.hourly.fit_hourly`. [°C]
    baseline_end
        Intervention date (exclusive end of the baseline); default: after the last reading.
    reporting_temperature_c
        Reporting-period temperatures, for CT2 3.7.5.2 (optional). [°C]
    zero_is_missing
        Readings of 0 are missing (electricity, CT2 2.2.1.4); they are left out of the fit.
    settings
        Method constants (default: CalTRACK 2.0).

    Returns
    -------
    HourlyBaseline
        A baseline that is not sufficient is still fitted; ``sufficiency.ok`` and its
        ``reasons`` say so (report, not hide).
    """
    suff = hourly_sufficiency(usage_kwh, temperature_c, baseline_end=baseline_end, zero_is_missing=zero_is_missing)
    index = usage_kwh.index
    t_index = getattr(temperature_c, "index", None)
    if (isinstance(t_index, pd.DatetimeIndex) and not t_index.has_duplicates
            and (t_index.tz is None) == (index.tz is None)):         # else fit_hourly names the problem
        temperature_c = interpolate_short_gaps(temperature_c.reindex(index))
    window = (index >= suff.baseline_start) & (index < suff.baseline_end)
    u = usage_kwh[window]
    if zero_is_missing:
        u = u.mask(u == 0.0)
    if u.empty:
        raise InputError(f"no usage in the baseline window {suff.baseline_start} to {suff.baseline_end}",
                         field="usage_kwh")
    choice, single = choose_segmentation(u, temperature_c, reporting_temperature_c=reporting_temperature_c,
                                         settings=settings)
    model = single if choice.segmentation == "none" else fit_hourly(
        u, temperature_c, segmentation=choice.segmentation, settings=settings)
    return HourlyBaseline(model, suff, choice)
