"""CalTRACK 2.0 data sufficiency of a daily baseline (section 2.2.1), as eemeter applies it.

Split from :mod:`ecocity.buildings.meters` (which re-exports these names); the daily series it
checks comes from :func:`ecocity.buildings.meters.daily_usage`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BASELINE_DAYS = 365
"""Length of a CalTRACK baseline [d] (CalTRACK 2.2.1.1, eemeter ``max_days=365``)."""

MIN_FRACTION_VALID_DAYS = 0.9
"""Share of baseline days that must have use (CalTRACK 2.2.1.2, ``min_fraction_daily_coverage=0.9``)."""


@dataclass(frozen=True)
class Sufficiency:
    """Whether a baseline meets the CalTRACK 2.0 data-sufficiency rules (section 2.2.1).

    Attributes
    ----------
    ok : bool
        True when no rule fails.
    reasons : list of str
        The rules that fail, in plain language.
    start, end : pandas.Timestamp
        First day of the 365-day baseline and the day after its last (exclusive).
    n_days : int
        Days in the baseline (365).
    n_days_valid : int
        Days with use (and temperature, when given).
    fraction_valid : float
        ``n_days_valid / n_days``.
    missing_share_by_month : pandas.Series
        Share of missing days in each calendar month of the baseline.
    """

    ok: bool
    reasons: list[str]
    start: pd.Timestamp
    end: pd.Timestamp
    n_days: int
    n_days_valid: int
    fraction_valid: float
    missing_share_by_month: pd.Series


def data_sufficiency(
    daily: pd.Series,
    *,
    baseline_end: str | pd.Timestamp | None = None,
    temperature: pd.Series | None = None,
) -> Sufficiency:
    """Check a daily use series against the CalTRACK 2.0 data-sufficiency rules.

    Parameters
    ----------
    daily
        Daily use from :func:`~ecocity.buildings.meters.daily_usage` (NaN = missing). [kWh/d]
    baseline_end
        The day after the baseline (the intervention date; exclusive). None: the day after the
        last day of ``daily``.
    temperature
        Daily mean temperature [°C]; given, a day counts only when it has both use and
        temperature (as eemeter counts valid days).

    Returns
    -------
    Sufficiency

    Notes
    -----
    Rules (CalTRACK 2.0 section 2.2.1; eemeter ``caltrack_sufficiency_criteria``): the baseline is
    the 365 days before ``baseline_end`` (2.2.1.1) and the data must reach back to its first day;
    at least 90 % of those days must have valid data, i.e. at most 10 % missing (2.2.1.2). Zeros
    in electricity data count as missing (2.2.1.4, applied by :func:`~ecocity.buildings.meters.daily_usage`). The share of
    missing days per month is reported, not judged.
    """
    tz = daily.index.tz
    if baseline_end is None:
        end = daily.index[-1].normalize() + pd.Timedelta(days=1)
    else:
        end = pd.Timestamp(baseline_end)
        end = end.tz_localize(tz) if end.tz is None and tz is not None else end
        end = end.normalize()
    start = end - pd.DateOffset(days=BASELINE_DAYS)
    window = pd.date_range(start, end - pd.DateOffset(days=1), freq="D")
    valid = daily.reindex(window).notna()
    if temperature is not None:
        valid &= temperature.reindex(window).notna()
    n_valid = int(valid.sum())
    fraction = n_valid / len(window)
    reasons = []
    first = daily.index[0] if len(daily) else None
    if first is None or first > start:
        reasons.append(
            f"the baseline needs data from {start.date()} (365 days before {end.date()}); "
            + ("there is none" if first is None else f"the data start on {first.date()}") + " (CalTRACK 2.2.1.1)")
    if fraction < MIN_FRACTION_VALID_DAYS:
        reasons.append(
            f"{len(window) - n_valid} of {len(window)} baseline days ({1 - fraction:.1%}) are missing; at most 10 % "
            "may be (CalTRACK 2.2.1.2)")
    months = window.tz_localize(None).to_period("M") if tz is not None else window.to_period("M")
    by_month = (~valid).groupby(np.asarray(months)).mean()
    by_month.index.name = "month"
    return Sufficiency(ok=not reasons, reasons=reasons, start=start, end=end, n_days=len(window), n_days_valid=n_valid,
                       fraction_valid=fraction, missing_share_by_month=by_month)
