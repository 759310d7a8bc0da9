"""Outdoor temperature for building models: reading, daily means, degree days.

A temperature series is a :class:`pandas.Series` named ``temperature_c`` [°C] on a
:class:`~pandas.DatetimeIndex` (hourly or daily; the value at ``t`` is the mean, or the
reading, for ``[t, t + step)``). CalTRACK states its rules in °F; here everything is in °C and
only balance-point ranges are converted (°C = (°F − 32)·5/9) where a caller quotes CalTRACK.

Degree days
-----------
``degree_days(T, bp, "heating")`` is ``max(bp − T_day, 0)`` per day, with ``T_day`` the day's
mean temperature: CalTRACK 2.0 requires ``degree_day_method="daily"`` for daily and billing
models (section 3.3.1.2; eemeter ``compute_temperature_features``). ``method="hourly"`` gives
the mean over the day's hours of ``max(bp − T_h, 0)`` (eemeter's ``"hourly"`` method, not used
in CalTRACK 2.0); it is never smaller than the daily method (Jensen's inequality), because
the hours below the base still count on a day whose mean is above it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.buildings.meters import _day_hours, _numbers, _read_table, _require_column, _row, _timestamps
from ecocity.errors import InputError

NAME = "temperature_c"

MIN_HOURLY_COVERAGE = 0.5
"""A day's mean temperature needs more than this share of its hours (CalTRACK 2.2.2.3, eemeter
``percent_hourly_coverage_per_day=0.5``: kept when the count of hourly values exceeds 12)."""

PLAUSIBLE_C = (-60.0, 60.0)
"""Outdoor temperatures outside this range are warned about (a unit or sensor error?). [°C]"""


def fahrenheit_to_celsius(temperature_f):
    """°F to °C: (T − 32)·5/9."""
    return (np.asarray(temperature_f, dtype=float) - 32.0) * 5.0 / 9.0


def read_temperature(path: str | Path, *, timezone: str | None = None) -> pd.Series:
    """Read an outdoor temperature series (CSV or Parquet), hourly or daily.

    Parameters
    ----------
    path
        A file with ``timestamp`` and ``temperature_c`` [°C] or ``temperature_f`` [°F] (converted).
    timezone
        IANA zone: naive timestamps are local times there, offsets are converted to it. Use the
        meter's zone, so that days match.

    Returns
    -------
    pandas.Series
        ``temperature_c`` sorted by time, missing steps kept absent and empty cells as NaN; the
        step in ``attrs["step"]``, the file in ``attrs["source"]``. [°C]

    Raises
    ------
    InputError
        Naming file, row and column: no temperature column (or both), an unparsable timestamp or
        number, a timestamp twice, timestamps not on one regular step.
    """
    path = Path(path)
    frame = _read_table(path, "temperature")
    present = [c for c in ("temperature_c", "temperature_f") if c in frame.columns]
    if len(present) != 1:
        raise InputError(
            f"expected columns 'timestamp' and one of 'temperature_c' or 'temperature_f'; found: {', '.join(frame.columns)}",
            file=path, field="temperature_c")
    column = present[0]
    time = _timestamps(_require_column(frame, "timestamp", path), path, "timestamp", timezone)
    values = _numbers(frame[column], path, column)
    if column == "temperature_f":
        values = fahrenheit_to_celsius(values)
    order = np.argsort(time.asi8, kind="stable")
    time, values = time[order], values[order]
    twice = np.asarray(time[1:] == time[:-1])
    if twice.any():
        at = int(np.flatnonzero(twice)[0]) + 1
        raise InputError(f"timestamp {time[at]} appears twice", file=path, record=_row(int(order[at])), field="timestamp")
    if len(time) < 2:
        raise InputError("a temperature series needs at least two rows", file=path)
    wall = time.tz_localize(None) if time.tz is not None else time
    chosen = wall if _is_daily(wall) else time
    steps = chosen[1:] - chosen[:-1]
    step = steps.min()
    off = steps % step != pd.Timedelta(0)
    if off.any():
        at = int(np.flatnonzero(off)[0]) + 1
        raise InputError(f"timestamp {time[at]} is not on the series' {step} step", file=path,
                         record=_row(int(order[at])), field="timestamp")
    low, high = PLAUSIBLE_C
    odd = (values < low) | (values > high)
    if odd.any():
        warnings.warn(f"{path}: {int(odd.sum())} temperature(s) outside {low}..{high} °C (first {time[odd][0]}); "
                      "a unit or sensor error?", stacklevel=2)
    series = pd.Series(values, index=time.rename("timestamp"), name=NAME)
    series.attrs.update(source=str(path), step=step)
    return series


def _is_daily(wall: pd.DatetimeIndex) -> bool:
    steps = wall[1:] - wall[:-1]
    return bool(len(steps)) and steps.min() >= pd.Timedelta(days=1)


def _step(series: pd.Series) -> pd.Timedelta:
    index = series.index
    wall = index.tz_localize(None) if index.tz is not None else index
    if len(index) < 2:
        return pd.Timedelta(days=1) if (wall == wall.normalize()).all() else pd.Timedelta(hours=1)
    chosen = wall if _is_daily(wall) else index
    return (chosen[1:] - chosen[:-1]).min()


def daily_mean_temperature(temperature: pd.Series) -> pd.Series:
    """Daily mean temperature of an hourly (or finer) series, by local calendar day.

    Parameters
    ----------
    temperature
        Temperature series. [°C]

    Returns
    -------
    pandas.Series
        ``temperature_c`` per day, every day from the first to the last; a day is NaN unless
        more than half of it is covered (with hourly data: more than 12 hourly values;
        CalTRACK 2.2.2.3). A daily series is returned on a complete daily index. [°C]
    """
    step = _step(temperature)
    if step >= pd.Timedelta(days=1):
        daily = temperature.copy()
        daily.index = daily.index.normalize()
    else:
        days = temperature.index.normalize()
        mean = temperature.groupby(days).mean()
        hours = temperature.notna().groupby(days).sum() * (step / pd.Timedelta(hours=1))
        daily = mean.where(hours.to_numpy() / _day_hours(mean.index) > MIN_HOURLY_COVERAGE)
    daily = daily.reindex(pd.date_range(daily.index[0], daily.index[-1], freq="D", name="date"))
    daily.name = NAME
    return daily


def degree_days(
    temperature_c: pd.Series,
    balance_point_c: float | Sequence[float],
    kind: str = "heating",
    *,
    method: str = "daily",
) -> pd.Series | pd.DataFrame:
    """Heating or cooling degree days per day, for any balance point.

    Parameters
    ----------
    temperature_c
        Daily mean or hourly temperature. [°C]
    balance_point_c
        Balance point (base temperature), or several (then one column each). [°C]
    kind
        ``"heating"``: max(bp − T, 0); ``"cooling"``: max(T − bp, 0).
    method
        ``"daily"`` (CalTRACK 2.0, section 3.3.1.2): from the day's mean temperature, which
        needs more than half the day covered (:func:`daily_mean_temperature`). ``"hourly"``:
        mean over the day's hours of the hourly degree values (eemeter's ``"hourly"`` method),
        with the same coverage rule. Daily input ignores ``method``.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Degree days per local calendar day (NaN where the day's temperature is missing);
        a DataFrame with one column per balance point when several are given. [K·d]

    Notes
    -----
    HDD = Σ_days max(T_b − T_day, 0) (CalTRACK 2.0 sections 3.3.4–3.3.5, eemeter
    ``_degree_day_columns``); summed over a year with T_b = 18 °C it is the usual annual HDD18.
    """
    if kind not in ("heating", "cooling"):
        raise ValueError(f"kind must be 'heating' or 'cooling', not {kind!r}")
    if method not in ("daily", "hourly"):
        raise ValueError(f"method must be 'daily' or 'hourly', not {method!r}")
    points = np.atleast_1d(np.asarray(balance_point_c, dtype=float))
    sign = 1.0 if kind == "heating" else -1.0
    step = _step(temperature_c)
    if method == "daily" or step >= pd.Timedelta(days=1):
        daily = daily_mean_temperature(temperature_c)
        values = np.maximum(sign * (points[None, :] - daily.to_numpy()[:, None]), 0.0)
        values[np.isnan(daily.to_numpy())] = np.nan
        index = daily.index
    else:
        covered = daily_mean_temperature(temperature_c).notna()
        hourly = np.maximum(sign * (points[None, :] - temperature_c.to_numpy()[:, None]), 0.0)
        hourly[np.isnan(temperature_c.to_numpy())] = np.nan
        frame = pd.DataFrame(hourly, index=temperature_c.index).groupby(temperature_c.index.normalize()).mean()
        frame = frame.reindex(covered.index).where(covered.to_numpy()[:, None])
        values, index = frame.to_numpy(), covered.index
    name = "hdd" if kind == "heating" else "cdd"
    if np.ndim(balance_point_c) == 0:
        return pd.Series(values[:, 0], index=index, name=f"{name}_{points[0]:g}")
    return pd.DataFrame(values, index=index, columns=pd.Index(points, name="balance_point_c"))


def heating_degree_days(temperature_c: pd.Series, balance_point_c: float | Sequence[float], *, method: str = "daily"):
    """Heating degree days per day: :func:`degree_days` with ``kind="heating"``. [K·d]"""
    return degree_days(temperature_c, balance_point_c, "heating", method=method)


def cooling_degree_days(temperature_c: pd.Series, balance_point_c: float | Sequence[float], *, method: str = "daily"):
    """Cooling degree days per day: :func:`degree_days` with ``kind="cooling"``. [K·d]"""
    return degree_days(temperature_c, balance_point_c, "cooling", method=method)
