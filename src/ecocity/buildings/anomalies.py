"""Anomaly flags on meter data, each with a plain-language explanation (English and Chinese).

Every detector is a pure function of a usage series (hourly or daily, kWh per interval) and,
where needed, a temperature series (°C); it returns a list of :class:`Flag` — empty when the
series looks normal. Thresholds and their rationale are data in ``data/anomaly_thresholds.toml``;
each flag's ``evidence`` holds the numbers it rests on and the threshold it used.

Detectors: :func:`stuck_meter`, :func:`baseload_creep`, :func:`night_weekend_share`,
:func:`wrong_season` (a temperature slope of the wrong sign), :func:`constant_cooling` (a constant
cooling-type load through the cold season, kind ``wrong_season`` too), :func:`level_shifts`;
:func:`all_flags` runs those the data allow, with the daily-data checks of
:mod:`ecocity.buildings.anomalies_daily` (a lost set-back, a constant chiller on electric
heating). A :class:`~ecocity.buildings.calendars.Calendar` (public holidays, China's make-up
working days, school breaks) refines the night/weekend share and keeps holidays out of the
level-shift search.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ecocity.buildings.calendars import Calendar, building_calendar, country_of
from ecocity.buildings.changepoints import change_points, weather_residuals
from ecocity.buildings.daily_arrays import aligned_days as _aligned
from ecocity.buildings.daily_arrays import at_midnight as _at_midnight
from ecocity.buildings.daily_arrays import medians_by as _medians_by
from ecocity.buildings.daily_arrays import on_days as _on_days
from ecocity.buildings.daily_arrays import slope_t as _slope
from ecocity.errors import InputError

_DATA = "data/anomaly_thresholds.toml"
#: Flag kinds, in report order.
KINDS: tuple[str, ...] = ("stuck_meter", "baseload_creep", "night_weekend", "wrong_season", "level_shift")
#: Severities, mildest first.
SEVERITIES: tuple[str, ...] = ("info", "warning", "alert")


@cache
def thresholds() -> Mapping[str, Any]:
    """The detectors' thresholds with their rationale (``data/anomaly_thresholds.toml``)."""
    text = resources.files("ecocity.buildings").joinpath(_DATA).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def _th(kind: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(thresholds()[kind])
    if overrides:
        unknown = set(overrides) - set(out)
        if unknown:
            raise InputError(f"unknown threshold(s) {sorted(unknown)} for {kind}; known: {sorted(out)}",
                             file=_DATA, record=kind)
        out.update(overrides)
    return out


@dataclass(frozen=True)
class Flag:
    """One anomaly: what, how bad, when, on what evidence, said plainly.

    ``start``/``end`` bound the affected period (interval starts, inclusive); ``evidence`` maps
    a name (with its unit in the name) to a number.
    """

    kind: str
    severity: str
    start: pd.Timestamp
    end: pd.Timestamp
    evidence: dict[str, float] = field(default_factory=dict)
    message_en: str = ""
    message_zh: str = ""


def _series(x: pd.Series, name: str) -> pd.Series:
    if not isinstance(x, pd.Series) or not isinstance(x.index, pd.DatetimeIndex):
        raise InputError("must be a pandas Series with a DatetimeIndex", field=name)
    if not x.index.is_monotonic_increasing:
        x = x.sort_index()
    return x.astype(float)


def _step_hours(x: pd.Series) -> float:
    if len(x) < 2:
        return math.nan
    steps = np.diff(x.index.to_numpy()).astype("timedelta64[s]").astype(float)
    return float(np.median(steps) / 3600.0)


def _daily_mean(temperature: pd.Series) -> pd.Series:
    """Daily mean of a (checked, sorted) temperature series, one row per local day. [°C]

    Every hour counts (no coverage rule); a day whose readings are all missing is NaN. A series
    that is already one reading per day at midnight is returned as it is: its grouped mean
    would be the same numbers.
    """
    idx = temperature.index
    if idx.is_unique and _at_midnight(idx):
        return temperature
    return temperature.groupby(idx.normalize()).mean()


def to_daily(usage: pd.Series) -> pd.Series:
    """Daily sums of an hourly (or finer) usage series, one row per local day. [kWh/d]

    Days with any missing interval are NaN (not a partial sum).
    """
    u = _series(usage, "usage")
    if _step_hours(u) >= 23.0:
        out = u.copy()
        out.index = out.index.normalize()
        return out
    days = u.index.normalize()
    per_day = round(24.0 / _step_hours(u))
    g = u.groupby(days)
    total = g.sum(min_count=1)
    return total.where(g.count() >= per_day)


#: The last usage series given to :func:`_days_of` and its :func:`to_daily` days.
_DAYS_CACHE: dict[str, tuple[pd.Series, pd.Series]] = {}


def _days_of(usage: pd.Series) -> pd.Series:
    """:func:`to_daily` of ``usage``, shared by the detectors while the same object comes again.

    The result is shared: the detectors only read it. ``usage`` must not be changed in place
    between calls.
    """
    last = _DAYS_CACHE.get("last")
    if last is not None and last[0] is usage:
        return last[1]
    days = to_daily(usage)
    _DAYS_CACHE["last"] = (usage, days)
    return days


# --- stuck meter -------------------------------------------------------------------------------

def _chance_run_length(same: np.ndarray, run: tuple[int, int], window: int, n_total: int, alpha: float) -> int:
    """Shortest run of equal readings that chance repeats would give with probability < alpha.

    A coarse register (daily heat rounded to 1 kWh in summer) repeats values by chance. With the
    repeat probability p between neighbours (the larger of the rate within ``window`` intervals
    either side of the run and the rate over the series, the run excluded; Laplace's rule
    (k + 1)/(m + 2)), a run of L readings starts at a given point with probability p^(L-1);
    over the series' n points, L must satisfy n·p^(L-1) < alpha.
    """
    i, j = run
    local = np.concatenate([same[max(0, i - window):i], same[j:j + window]])
    outside = float(same.sum() - same[i:j].sum()), float(same.size - (j - i))
    p = max((float(local.sum()) + 1.0) / (local.size + 2.0),       # Laplace's rule: never exactly 0
            (outside[0] + 1.0) / (outside[1] + 2.0))               # nor below the series' own rate
    if p >= 1.0:
        return len(same) + 2
    return int(math.ceil(math.log(alpha / n_total) / math.log(p))) + 1


def stuck_meter(usage: pd.Series, *, overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """Runs where the meter repeats one value for ≥ ``min_hours`` (hourly) or ``min_days`` (daily).

    The minimum run is lengthened where the register is coarse enough to repeat by chance: the
    repeat rate within 30 days of the run sets the length chance would reach with probability
    below ``false_alarm_probability`` over the series (``_chance_run_length``).
    A stuck register repeats its last good reading, so a run starts one interval before the fault.

    Parameters
    ----------
    usage
        Usage per interval, hourly (or finer) or daily. [kWh]
    overrides
        Thresholds replacing those of ``[stuck_meter]`` in the data file.
    """
    th = _th("stuck_meter", overrides)
    u = _series(usage, "usage")
    step = _step_hours(u)
    if not math.isfinite(step):
        return []
    daily = step >= 23.0
    min_len = int(th["min_days"]) if daily else max(2, math.ceil(th["min_hours"] / step))
    v = u.to_numpy()
    same = np.abs(np.diff(v)) <= th["tolerance_kwh"]       # NaN compares False: breaks a run
    window = max(min_len, round(30 * 24 / step))              # 30 days either side
    flags: list[Flag] = []
    i, n = 0, len(v)
    while i < n - 1:
        if not same[i]:
            i += 1
            continue
        j = i
        while j < n - 1 and same[j]:
            j += 1
        length = j - i + 1                                     # readings i..j are equal
        needed = max(min_len, _chance_run_length(same, (i, j), window, n, th["false_alarm_probability"]))
        if length >= needed:
            hours = length * step
            value = float(v[i])
            sev = "alert" if hours >= 7 * 24 else "warning"
            unit = "days" if daily else "hours"
            count = length if daily else hours
            flags.append(Flag(
                "stuck_meter", sev, u.index[i], u.index[j],
                {"value_kwh": value, "duration_h": hours, "threshold_h": needed * step},
                f"The meter read exactly {value:g} kWh for {count:g} {unit} in a row "
                f"({u.index[i]:%Y-%m-%d %H:%M} to {u.index[j]:%Y-%m-%d %H:%M}). Real loads vary; "
                "the meter or its data link is probably stuck or off. Check it before using these data.",
                f"电表在 {u.index[i]:%Y-%m-%d %H:%M} 至 {u.index[j]:%Y-%m-%d %H:%M} 连续 {count:g} "
                f"{'天' if daily else '小时'} 读数均为 {value:g} kWh。实际负荷会波动，电表或数据传输可能卡住或断开，"
                "使用这些数据前请先检查。"))
        i = j + 1
    return flags


# --- baseload creep ----------------------------------------------------------------------------

def nightly_minimum(usage_hourly: pd.Series, night_hours: tuple[int, int] = (0, 5)) -> pd.Series:
    """Minimum hourly use between ``night_hours[0]`` and ``night_hours[1]`` (inclusive), per day. [kWh/h]"""
    u = _series(usage_hourly, "usage_hourly")
    h = u.index.hour
    night = u[(h >= night_hours[0]) & (h <= night_hours[1])]
    return night.groupby(night.index.normalize()).min()


def baseload_creep(usage_hourly: pd.Series, *, overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """A rising trend of the night-time base load over months.

    Notes
    -----
    Monthly medians of the daily night minimum; Theil–Sen slope with its 90 % interval
    (Sen 1968). Flag when the interval excludes zero and the slope, as a percentage of the
    median base load per year, exceeds the warning (alert) rate.
    """
    th = _th("baseload_creep", overrides)
    nm = nightly_minimum(usage_hourly, tuple(th["night_hours"])).dropna()
    if nm.empty:
        return []
    naive = nm.index.tz_localize(None) if nm.index.tz is not None else nm.index
    monthly = nm.groupby(naive.to_period("M")).median()
    if len(monthly) < th["min_months"]:
        return []
    x = np.array([(p.start_time - monthly.index[0].start_time).days / 365.25 for p in monthly.index])
    y = monthly.to_numpy()
    slope, _intercept, lo, hi = stats.theilslopes(y, x, alpha=0.90)
    level = float(np.median(y))
    if level <= 0 or lo <= 0:
        return []
    rate = 100.0 * slope / level
    if rate < th["warning_percent_per_year"]:
        return []
    sev = "alert" if rate >= th["alert_percent_per_year"] else "warning"
    start, end = nm.index[0], nm.index[-1]
    first, last = float(y[0]), float(y[-1])
    return [Flag("baseload_creep", sev, start, end,
                 {"slope_kwh_per_h_per_year": float(slope), "rate_percent_per_year": rate,
                  "slope_low_90": float(lo), "slope_high_90": float(hi),
                  "first_month_base_kwh_per_h": first, "last_month_base_kwh_per_h": last,
                  "threshold_percent_per_year": float(th["warning_percent_per_year"])},
                 f"The night-time base load rose from {first:.1f} to {last:.1f} kWh per hour over "
                 f"{len(monthly)} months (about {rate:.0f} % a year). Something is being left on at night or "
                 "was added without controls: walk the building at night and check schedules.",
                 f"夜间基础负荷在 {len(monthly)} 个月内从每小时 {first:.1f} kWh 升至 {last:.1f} kWh（约每年 {rate:.0f} %）。"
                 "可能有设备夜间未关闭或新增设备未纳入控制，请夜间巡查并核对运行时间表。")]


# --- night and weekend share -------------------------------------------------------------------

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_occupancy(text: str) -> dict[str, list[int]]:
    """Occupied hours from a schedule text: ``"Mon-Fri 08-18"``, ``"daily 10-22"``, ``"Mon-Sat 09-21"``.

    Returns ``{"occupied_hours": [start, end], "occupied_weekdays": [...]}`` (Monday = 0), the
    override keys of :func:`night_weekend_share`. Trailing words (``"excl. vacations"``) are ignored.
    """
    parts = text.strip().lower().split()
    try:
        days, hours = parts[0], parts[1]
        h0, h1 = (int(h) for h in hours.split("-"))
        if days in ("daily", "mon-sun"):
            wd = list(range(7))
        else:
            d0, d1 = (_DAY_NAMES.index(d[:3]) for d in days.split("-"))
            wd = list(range(d0, d1 + 1))
        if not 0 <= h0 < h1 <= 24:
            raise ValueError
    except (ValueError, IndexError):
        raise InputError(f"occupancy {text!r} is not understood; write e.g. 'Mon-Fri 08-18' or 'daily 10-22'",
                         field="occupancy_hours") from None
    return {"occupied_hours": [h0, h1], "occupied_weekdays": wd}


def night_weekend_share(usage_hourly: pd.Series, *, occupancy: str | None = None,
                        building_type: str | None = None, calendar: Calendar | None = None,
                        overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """High use outside occupied hours: mean unoccupied power over mean occupied power.

    Parameters
    ----------
    usage_hourly
        Hourly (or finer) use. [kWh per interval]
    occupancy
        Schedule text for :func:`parse_occupancy` (default ``[night_weekend]``: Mon–Fri 08–18).
    building_type
        Picks the type's ratios from ``[night_weekend.types.<type>]`` where given (a hospital
        runs clinical loads all night); otherwise the general ratios.
    calendar
        Public holidays, make-up working days and breaks (:mod:`~ecocity.buildings.calendars`):
        holidays and breaks count as unoccupied days, make-up working days as occupied
        (:meth:`Calendar.occupied`). None: the weekly schedule alone.
    overrides
        Threshold overrides (``warning_ratio``, ``occupied_hours``, ...).
    """
    th = _th("night_weekend", overrides)
    if occupancy is not None:
        th.update(parse_occupancy(occupancy))
    typed = th.get("types", {}).get(building_type or "", {})
    th.update(typed)
    u = _series(usage_hourly, "usage_hourly").dropna()
    if _step_hours(u) >= 23.0:
        raise InputError("night/weekend share needs hourly (or finer) data", field="usage_hourly")
    if len(u) < 7 * 24:
        return []
    h0, h1 = th["occupied_hours"]
    on_day = (calendar.occupied(u.index, th["occupied_weekdays"]) if calendar is not None
              else np.isin(u.index.day_of_week, th["occupied_weekdays"]))
    occ = (u.index.hour >= h0) & (u.index.hour < h1) & on_day
    if occ.all() or not occ.any():
        return []
    occupied, unoccupied = float(u[occ].mean()), float(u[~occ].mean())
    if occupied <= 0:
        return []
    ratio = unoccupied / occupied
    share = float(u[~occ].sum() / u.sum())
    if ratio < th["warning_ratio"]:
        return []
    sev = "alert" if ratio >= th["alert_ratio"] else "warning"
    when_en, when_zh = ("nights, weekends and holidays", "夜间、周末和节假日") if calendar is not None \
        else ("nights and weekends", "夜间和周末")
    return [Flag("night_weekend", sev, u.index[0], u.index[-1],
                 {"ratio_unoccupied_to_occupied": ratio, "unoccupied_energy_share": share,
                  "occupied_mean_kwh_per_h": occupied, "unoccupied_mean_kwh_per_h": unoccupied,
                  "threshold_ratio": float(th["warning_ratio"])},
                 f"Out of hours ({when_en}) the building still draws {100 * ratio:.0f} % of its "
                 f"occupied-hours power; {100 * share:.0f} % of all energy is used when it is empty. "
                 "Check HVAC, lighting and IT schedules for nights and weekends.",
                 f"非使用时段（{when_zh}）的平均功率仍为使用时段的 {100 * ratio:.0f} %，全部能耗中有 "
                 f"{100 * share:.0f} % 发生在无人时段。请检查空调、照明和信息设备的夜间及周末运行安排。")]


# --- heating or cooling in the wrong season ----------------------------------------------------

def wrong_season(usage_daily: pd.Series, temperature_c: pd.Series, *,
                 overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """Heating on warm days or cooling on cold days, from the sign of the temperature response.

    Parameters
    ----------
    usage_daily
        Daily use (hourly input is summed to days). [kWh/d]
    temperature_c
        Outdoor temperature, hourly or daily mean. [°C]

    Notes
    -----
    Among warm days (T ≥ ``warm_day_c``) use should not rise as it gets cooler: a significantly
    negative slope dU/dT means heating in the warm season. Among cold days (T ≤ ``cold_day_c``)
    a significantly positive slope means cooling in the cold season.
    """
    th = _th("wrong_season", overrides)
    index, u, t = _aligned(_days_of(usage_daily), _daily_mean(_series(temperature_c, "temperature_c")))
    if not len(index):
        return []
    mean_use = float(u.sum() / len(u))                 # as pandas' mean (no bottleneck: numpy's sum)
    flags = []
    cases = (("heating", np.flatnonzero(t >= th["warm_day_c"]), -1.0),
             ("cooling", np.flatnonzero(t <= th["cold_day_c"]), +1.0))
    for what, days, wrong_sign in cases:
        if len(days) < th["min_days"] or pd.Series(t[days]).std() == 0 or mean_use <= 0:
            continue
        slope, tstat = _slope(t[days], u[days])
        response = 100.0 * abs(slope) / mean_use
        if wrong_sign * tstat < th["t_statistic"] or response < th["min_response_percent_per_c"]:
            continue
        sev = "alert" if response >= 2 * th["min_response_percent_per_c"] else "warning"
        ev = {"slope_kwh_per_d_per_c": slope, "t_statistic": tstat, "response_percent_per_c": response,
              "days": float(len(days)), "threshold_t": float(th["t_statistic"])}
        if what == "heating":
            en = (f"On warm days (daily mean ≥ {th['warm_day_c']:g} °C) use still rises by {abs(slope):.0f} kWh/d "
                  "for each degree cooler. The building appears to heat when no heating is needed; check "
                  "heating schedules, valves and simultaneous heating and cooling.")
            zh = (f"在较暖的日子（日均气温 ≥ {th['warm_day_c']:g} °C），气温每降低 1 °C 用能仍增加 {abs(slope):.0f} kWh/d，"
                  "说明不需要供暖时仍在供暖。请检查供暖时间表、阀门以及冷热同时运行的情况。")
        else:
            en = (f"On cold days (daily mean ≤ {th['cold_day_c']:g} °C) use rises by {abs(slope):.0f} kWh/d for each "
                  "degree warmer. The building appears to cool when no cooling is needed; check chillers, "
                  "free cooling and simultaneous heating and cooling.")
            zh = (f"在寒冷的日子（日均气温 ≤ {th['cold_day_c']:g} °C），气温每升高 1 °C 用能增加 {abs(slope):.0f} kWh/d，"
                  "说明不需要制冷时仍在制冷。请检查冷机、自然冷却以及冷热同时运行的情况。")
        flags.append(Flag("wrong_season", sev, index[days[0]], index[days[-1]], ev, en, zh))
    return flags


def cold_seasons(usage_daily: pd.Series, temperature_c: pd.Series, th: Mapping[str, Any],
                 calendar: Calendar | None = None) -> Iterator[tuple[int, pd.DataFrame, pd.Series, pd.DataFrame,
                                                                    np.ndarray, tuple[float, float]]]:
    """Per cold season (1 July to 30 June): the season's days, the shoulder reference and cold-day ratios.

    Yields ``(season, days, reference, cold, relative, (slope, t))``: ``days`` has columns ``u``
    [kWh/d], ``t`` [°C], ``weekday``; ``reference`` is the median use of the season's shoulder
    days (``shoulder_low_c`` ≤ T ≤ ``shoulder_high_c``) per weekday [kWh/d]; ``cold`` the days
    with T ≤ ``cold_day_c`` that have a reference; ``relative`` their use over the reference [-];
    ``slope`` [1/°C] and ``t`` of ``relative`` regressed on T. Seasons with fewer than
    ``min_days`` shoulder or cold days are skipped, and so are seasons whose December, January
    or February has data on fewer than ``min_winter_month_share`` of its days (a season cut by the
    start or end of the record: its few cold days cannot tell heating from a constant load); with
    a calendar, its irregular days are left out.

    The last call's seasons are kept: a call with the very same usage, temperature and calendar
    objects (``is``) and equal season thresholds (:data:`_SEASON_KEYS`) yields them again, so
    :func:`constant_cooling` and ``constant_cooling_heated`` share one computation. Callers must
    not modify the yielded frames, nor the arguments in place between two calls.
    """
    key = tuple(th[k] for k in _SEASON_KEYS)
    last = _COLD_CACHE.get("last")
    if (last is not None and last[0] is usage_daily and last[1] is temperature_c and last[2] is calendar
            and last[3] == key):
        yield from last[4]
        return
    found = list(_cold_seasons(usage_daily, temperature_c, key, calendar))
    _COLD_CACHE["last"] = (usage_daily, temperature_c, calendar, key, found)
    yield from found


#: Keys of a detector's thresholds that fix :func:`cold_seasons`' result.
_SEASON_KEYS = ("shoulder_low_c", "shoulder_high_c", "cold_day_c", "min_days", "min_winter_month_share")
#: The months a cold season must cover (December, January, February).
_WINTER_MONTHS = ((12, 0), (1, 1), (2, 1))


def _winter_covered(index: pd.DatetimeIndex, share: float) -> set[int]:
    """The seasons (July–June, by their first year) whose December, January and February each have
    data on at least ``share`` of their days (before holidays and breaks are left out)."""
    if not len(index):
        return set()
    naive = index.tz_localize(None) if index.tz is not None else index
    years, months = np.asarray(naive.year), np.asarray(naive.month)
    season_of = np.where(months >= 7, years, years - 1)
    out = set()
    for season in np.unique(season_of):
        in_season = months[season_of == season]
        if all(np.count_nonzero(in_season == m) >= share * pd.Period(f"{season + dy}-{m:02d}").days_in_month
               for m, dy in _WINTER_MONTHS):
            out.add(int(season))
    return out
#: The last call of :func:`cold_seasons`: its arguments (strong references) and its seasons.
_COLD_CACHE: dict[str, tuple[Any, ...]] = {}


def _cold_seasons(usage_daily: pd.Series, temperature_c: pd.Series, key: tuple[Any, ...],
                  calendar: Calendar | None) -> Iterator[tuple[int, pd.DataFrame, pd.Series, pd.DataFrame,
                                                                np.ndarray, tuple[float, float]]]:
    """:func:`cold_seasons` without its cache; ``key`` holds the values of :data:`_SEASON_KEYS`."""
    low, high, cold_c, min_days, winter_share = key
    index, u_all, t_all = _aligned(_days_of(usage_daily), _daily_mean(_series(temperature_c, "temperature_c")))
    complete = _winter_covered(index, winter_share)
    if calendar is not None and len(index):
        keep = ~calendar.irregular(index)
        index, u_all, t_all = index[keep], u_all[keep], t_all[keep]
    if not len(index):
        return
    naive = index.tz_localize(None) if index.tz is not None else index
    season_of = np.where(naive.month >= 7, naive.year, naive.year - 1)
    wd_all = np.asarray(naive.day_of_week)
    df = pd.DataFrame({"u": u_all, "t": t_all, "season": season_of, "weekday": wd_all}, index=index)
    # the days are in date order, so each season is one run of rows
    starts = np.flatnonzero(np.r_[True, season_of[1:] != season_of[:-1]])
    for a, b in zip(starts, [*starts[1:], len(df)]):
        if int(season_of[a]) not in complete:
            continue
        tt, uu, wd = t_all[a:b], u_all[a:b], wd_all[a:b]
        shoulder = np.flatnonzero((tt >= low) & (tt <= high))
        cold_at = np.flatnonzero(tt <= cold_c)
        if len(shoulder) < min_days or len(cold_at) < min_days:
            continue
        days, ref_values = _medians_by(wd[shoulder], uu[shoulder])
        ref_of = np.full(7, np.nan)
        ref_of[days] = ref_values
        ref_cold = ref_of[wd[cold_at]]
        ok = ~np.isnan(ref_cold) & (ref_cold > 0)
        if ok.sum() < min_days:
            continue
        cold_at, ref_cold = cold_at[ok], ref_cold[ok]
        relative = uu[cold_at] / ref_cold
        sub = df.iloc[a:b]
        ref = pd.Series(ref_values, index=pd.Index(days, name="weekday"), name="u")
        yield int(season_of[a]), sub, ref, sub.iloc[cold_at], relative, _slope(tt[cold_at], relative)


def constant_cooling(usage_daily: pd.Series, temperature_c: pd.Series, *, calendar: Calendar | None = None,
                     overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """Cooling-type load that runs at a constant level through the cold season (a chiller left on).

    A load that does not follow temperature has no slope for :func:`wrong_season` to find; it
    shows as use on cold days above the building's shoulder-season level while the cold days show
    no heating dependence (a building not heated by electricity uses about the same on a cold day
    as on a mild one).

    Parameters
    ----------
    usage_daily
        Daily use (hourly input is summed). [kWh/d]
    temperature_c
        Outdoor temperature, hourly or daily mean. [°C]
    calendar
        Optional: holidays, make-up working days and breaks are left out.
    overrides
        Thresholds replacing ``[constant_cooling]``.

    Notes
    -----
    Per cold season (1 July to 30 June): the reference level of each weekday is the median use of
    the season's shoulder days of that weekday (``shoulder_low_c`` ≤ T ≤ ``shoulder_high_c``: no
    heating or cooling expected); over the cold days (T ≤ ``cold_day_c``), r = use / reference
    is regressed on T (slope b, t statistic t). A heating dependence (t ≤ −``t_statistic`` and
    −b ≥ ``min_response_percent_per_c`` %/°C) ends the check. Otherwise a weak heating response
    is moved to the mildest cold day, r' = r + min(b, 0)·(``cold_day_c`` − T), and the excess is
    median(r') − 1; flagged when it is at least ``min_excess_percent``. An electrically heated
    building's cold-day excess is heating and is not flagged here: a constant chiller on top of
    electric heating is :func:`~ecocity.buildings.anomalies_daily.constant_cooling_heated`'s case.
    """
    th = _th("constant_cooling", overrides)
    flags = []
    for season, sub, ref, cold, relative, (slope, tstat) in cold_seasons(usage_daily, temperature_c, th, calendar):
        if tstat <= -th["t_statistic"] and -100.0 * slope >= th["min_response_percent_per_c"]:
            continue                                   # use rises as it gets colder: heating
        t_sub = sub["t"].to_numpy()
        shoulder_days = int(((t_sub >= th["shoulder_low_c"]) & (t_sub <= th["shoulder_high_c"])).sum())
        t_cold = cold["t"].to_numpy()
        # a weak heating response is moved to the mildest cold day (T = cold_day_c) before the
        # median, so that it is not counted as a constant excess
        at_mildest = relative + min(slope, 0.0) * (th["cold_day_c"] - t_cold)
        excess = 100.0 * (float(np.median(at_mildest)) - 1.0)
        if excess < th["min_excess_percent"]:
            continue
        level = float(ref.mean())
        extra = level * excess / 100.0
        sev = "alert" if excess >= 2 * th["min_excess_percent"] else "warning"
        first, last = cold.index[0], cold.index[-1]
        flags.append(Flag(
            "wrong_season", sev, first, last,
            {"excess_percent": excess, "excess_kwh_per_d": extra, "shoulder_level_kwh_per_d": level,
             "cold_days": float(len(cold)), "shoulder_days": float(shoulder_days),
             "slope_percent_per_c": 100.0 * slope, "t_statistic": tstat,
             "threshold_percent": float(th["min_excess_percent"])},
            f"In the cold season {season}/{season + 1} ({first:%Y-%m-%d} to {last:%Y-%m-%d}) the building used "
            f"{excess:.0f} % more on cold days (daily mean ≤ {th['cold_day_c']:g} °C) than on mild days, about "
            f"{extra:.0f} kWh/d, and this extra does not grow as it gets colder, so it is not heating. A constant "
            "load in winter points at cooling left on (chillers, cooling towers, fan-coils): check the chiller "
            "plant's schedule and free cooling.",
            f"{season}/{season + 1} 年寒冷季节（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）寒冷日（日均气温 ≤ "
            f"{th['cold_day_c']:g} °C）的用能比温和日高 {excess:.0f} %（约 {extra:.0f} kWh/d），且不随气温降低而增加，"
            "并非供暖。冬季出现恒定的额外负荷，说明制冷设备可能未关闭（冷机、冷却塔、风机盘管），"
            "请检查冷站运行时间表和自然冷却。"))
    return flags


# --- level shifts --------------------------------------------------------------------------------

def level_shifts(usage_daily: pd.Series, temperature_c: pd.Series | None = None, model: Any = None, *,
                 calendar: Calendar | None = None, overrides: Mapping[str, Any] | None = None) -> list[Flag]:
    """Lasting step changes of daily use (a new tenant, a setpoint change, a failed control).

    Parameters
    ----------
    usage_daily
        Daily use (hourly input is summed). [kWh/d]
    temperature_c, model
        Optional: a daily model with ``predict(temperature_c_daily)`` (e.g. a CalTRACK baseline);
        the detector then works on its residuals. With a temperature but no model, on the
        residuals of :func:`~ecocity.buildings.changepoints.weather_residuals`; with neither, on
        use minus the median of its weekday (weather-driven swings can then show as shifts).
    calendar
        Optional :class:`~ecocity.buildings.calendars.Calendar`: its public holidays, make-up
        working days and breaks (a school's summer and winter holidays, Spring Festival) are left
        out before the search, so a closure is not taken for a change of level. ``min_segment_days``
        then counts the remaining days.
    """
    th = _th("level_shift", overrides)
    u = _days_of(usage_daily).dropna()
    if calendar is not None:
        u = u[~calendar.irregular(u.index)]
    if len(u) < 2 * th["min_segment_days"]:
        return []
    if temperature_c is not None:
        t = _on_days(_daily_mean(_series(temperature_c, "temperature_c")), u.index)
        ok = t.notna().to_numpy()
        if not ok.all():
            u, t = u[ok], t[ok]
        if len(u) < 2 * th["min_segment_days"]:
            return []
        resid = (u - np.asarray(model.predict(t), dtype=float)) if model is not None else weather_residuals(u, t)
    else:
        dow = np.asarray(u.index.day_of_week)
        days, medians = _medians_by(dow, u.to_numpy())
        resid = u - medians[np.searchsorted(days, dow)]
    mean_use = float(u.mean())
    cps = change_points(resid.to_numpy(), min_segment=int(th["min_segment_days"]),
                        t_statistic=float(th["t_statistic"]), max_changes=int(th["max_changes"]))
    flags = []
    bounds = [0, *cps, len(u)]
    r = resid.to_numpy()
    for j, cp in enumerate(cps):
        before = float(r[bounds[j]:cp].mean())
        after = float(r[cp:bounds[j + 2]].mean())
        shift = after - before
        pct = 100.0 * shift / mean_use if mean_use > 0 else math.inf
        if abs(pct) < th["min_shift_percent"]:
            continue
        sev = "alert" if abs(pct) >= 2 * th["min_shift_percent"] else "warning"
        day = u.index[cp]
        updown_en, updown_zh = ("rose", "上升") if shift > 0 else ("fell", "下降")
        flags.append(Flag("level_shift", sev, day, u.index[bounds[j + 2] - 1],
                          {"shift_kwh_per_d": shift, "shift_percent": pct, "mean_use_kwh_per_d": mean_use,
                           "days_before": float(cp - bounds[j]), "days_after": float(bounds[j + 2] - cp),
                           "threshold_percent": float(th["min_shift_percent"])},
                          f"From {day:%Y-%m-%d} daily use {updown_en} by {abs(shift):.0f} kWh/d "
                          f"({abs(pct):.0f} % of the average) and stayed there. Find out what changed that day "
                          "(equipment, schedules, set-points, occupancy, the meter itself).",
                          f"自 {day:%Y-%m-%d} 起日用能{updown_zh} {abs(shift):.0f} kWh/d（约为平均值的 {abs(pct):.0f} %）"
                          "并持续保持。请查明当天的变化（设备、运行时间表、设定温度、使用人数或电表本身）。"))
    return flags


def all_flags(usage: pd.Series, temperature_c: pd.Series | None = None, model: Any = None, *,
              occupancy: str | None = None, building_type: str | None = None,
              city: str | None = None) -> list[Flag]:
    """Every detector the data allow (hourly ones only for hourly data), in :data:`KINDS` order.

    Daily data with a temperature get :func:`~ecocity.buildings.anomalies_daily.lost_setback`
    in place of the night/weekend share; :func:`~ecocity.buildings.anomalies_daily.constant_cooling_heated`
    takes the electrically heated seasons that :func:`constant_cooling` leaves out.

    ``city`` (``"beijing"``, ``"copenhagen"``, ...) switches on the building's calendar
    (:func:`~ecocity.buildings.calendars.building_calendar`: public holidays, China's make-up
    working days, the breaks of ``building_type``) for the night/weekend share and the
    level-shift search; a city without a known calendar is analysed without one.
    """
    u = _series(usage, "usage")
    hourly = _step_hours(u) < 23.0
    calendar = _calendar_for(u, city, building_type)
    from ecocity.buildings import anomalies_daily     # it builds on this module's helpers

    if temperature_c is not None:                     # the daily means, once for every detector
        temperature_c = _daily_temperature(temperature_c)

    flags = stuck_meter(u)
    if hourly:
        flags += baseload_creep(u) + night_weekend_share(u, occupancy=occupancy, building_type=building_type,
                                                         calendar=calendar)
    elif temperature_c is not None:
        flags += anomalies_daily.lost_setback(u, temperature_c, occupancy=occupancy, calendar=calendar)
    # the daily detectors sum hourly use to days themselves; summed once here, they get the same days
    days = to_daily(u) if hourly else u
    if len(days) < 2:                                 # a single day would not read as daily data
        days = u
    if temperature_c is not None:
        season = wrong_season(days, temperature_c)
        if not any(f.evidence.get("slope_kwh_per_d_per_c", 0.0) > 0 for f in season):
            season += constant_cooling(days, temperature_c, calendar=calendar)
            season += anomalies_daily.constant_cooling_heated(days, temperature_c, calendar=calendar)
        flags += season
    flags += level_shifts(days, temperature_c, model, calendar=calendar)
    return flags


def heat_meter_flags(usage: pd.Series, temperature_c: pd.Series | None = None, *, occupancy: str | None = None,
                     building_type: str | None = None, city: str | None = None) -> list[Flag]:
    """The detectors that apply to a heat (district heat, gas) meter: a stuck meter and, with a
    temperature, a lost night/weekend set-back on its daily use
    (:func:`~ecocity.buildings.anomalies_daily.lost_setback`; the calendar as in :func:`all_flags`).
    The electricity detectors (cooling in winter, night base load) do not apply to heat."""
    from ecocity.buildings import anomalies_daily

    u = _series(usage, "usage")
    flags = stuck_meter(u)
    if temperature_c is not None:
        temperature_c = _daily_temperature(temperature_c)
        flags += anomalies_daily.lost_setback(u, temperature_c, occupancy=occupancy,
                                              calendar=_calendar_for(u, city, building_type))  # fmt: skip
    return flags


#: The last weather series given to :func:`all_flags` or :func:`heat_meter_flags` and its daily means.
_DAILY_CACHE: dict[str, tuple[pd.Series, pd.Series]] = {}


def _daily_temperature(temperature_c: pd.Series) -> pd.Series:
    """:func:`_daily_mean` of a temperature series, reused while the same object comes again.

    A portfolio's buildings share their city's weather object (``portfolio_run._weather`` reads
    it once per worker), so its daily means are taken once, not once per meter. The series must
    not be changed in place between calls.
    """
    last = _DAILY_CACHE.get("last")
    if last is not None and last[0] is temperature_c:
        return last[1]
    daily = _daily_mean(_series(temperature_c, "temperature_c"))
    _DAILY_CACHE["last"] = (temperature_c, daily)
    return daily


def _calendar_for(u: pd.Series, city: str | None, building_type: str | None) -> Any:
    """The building's calendar over ``u``'s years, or None for a city without one."""
    if city is None or country_of(city) is None or not len(u):
        return None
    return building_calendar(city, building_type, range(int(u.index[0].year), int(u.index[-1].year) + 1))
