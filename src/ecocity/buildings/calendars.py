"""Day calendars for occupancy: public holidays, China's make-up working days (调休), school breaks.

A :class:`Calendar` says, for each day, whether it is a public holiday, a make-up working day
(a Saturday or Sunday worked in exchange for a bridge day off, announced each year by China's
State Council) or inside a break of the building type (school summer and winter holidays).
The anomaly detectors use it so that a building closed for Spring Festival or the summer
holidays is not mistaken for one whose use fell (``anomalies.level_shifts``), and so that
holidays count as unoccupied and make-up working days as occupied
(``anomalies.night_weekend_share``).

Sources
-------
* Public holidays and make-up working days: the pinned ``holidays`` package (``holidays.China``:
  public holidays incl. the substituted days off, and its ``weekend_workdays``; ``holidays.Denmark``:
  the ``public`` category). The package knows a year's Chinese make-up days only once the State
  Council has announced them (through 2025 in ``holidays`` 0.109); later years get none.
* School breaks: ``[calendar.breaks]`` of ``data/anomaly_thresholds.toml`` — approximate,
  documented defaults (project assumptions) that a user overrides per building type and country.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import holidays as holidays_lib
import numpy as np
import pandas as pd

from ecocity.errors import InputError

_DATA = "data/anomaly_thresholds.toml"

#: City (or country) names of the project and the ISO 3166 country whose calendar applies.
COUNTRY_OF: Mapping[str, str] = {
    "beijing": "CN", "tongzhou": "CN", "shanghai": "CN", "china": "CN", "cn": "CN",
    "copenhagen": "DK", "denmark": "DK", "dk": "DK",
}


@cache
def _calendar_data() -> dict[str, Any]:
    text = resources.files("ecocity.buildings").joinpath(_DATA).read_text("utf-8")
    return tomllib.loads(text).get("calendar", {})


def country_of(city: str) -> str | None:
    """The ISO country code of a city or country name (``"beijing"`` → ``"CN"``); None if unknown."""
    return COUNTRY_OF.get(str(city).strip().lower())


@cache
def _country_calendar(country: str, years: tuple[int, ...]) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Public holidays and make-up working days of ``country`` in ``years`` (cached: slow to build)."""
    if country == "CN":
        cn = holidays_lib.China(years=list(years))
        return frozenset(cn), frozenset(d for d in cn.weekend_workdays if d.year in years)
    if country == "DK":
        return frozenset(holidays_lib.Denmark(years=list(years))), frozenset()
    raise InputError(f"no holiday calendar for country {country!r}; known: CN, DK", field="city")


def public_holidays(country: str, years: Iterable[int]) -> frozenset[dt.date]:
    """Public holidays of ``country`` (``"CN"`` or ``"DK"``) in ``years``.

    China: the statutory holidays and the substituted days off of the State Council's yearly
    notice (e.g. 2024-02-15/16 around Spring Festival); Denmark: the public holidays.
    """
    return _country_calendar(country, tuple(sorted({int(y) for y in years})))[0]


def make_up_workdays(country: str, years: Iterable[int]) -> frozenset[dt.date]:
    """Weekend days that are working days (China's 调休, e.g. Sunday 2024-02-04); empty for Denmark."""
    return _country_calendar(country, tuple(sorted({int(y) for y in years})))[1]


def _month_day(text: str, where: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in str(text).split("-"))
        dt.date(2024, month, day)                      # a leap year: 02-29 is valid
    except ValueError:
        raise InputError(f"break date {text!r} must be 'MM-DD'", field=where) from None
    return month, day


def break_days(ranges: Sequence[Sequence[str]], years: Iterable[int], *, where: str = "breaks") -> frozenset[dt.date]:
    """Days inside inclusive ``("MM-DD", "MM-DD")`` ranges in every year (a range may wrap the new year)."""
    out: set[dt.date] = set()
    years = sorted({int(y) for y in years})
    for pair in ranges:
        if len(pair) != 2:
            raise InputError(f"a break is a pair ['MM-DD', 'MM-DD'], got {pair!r}", field=where)
        (m0, d0), (m1, d1) = _month_day(pair[0], where), _month_day(pair[1], where)
        wraps = (m1, d1) < (m0, d0)
        for year in [years[0] - 1, *years] if wraps else years:
            first = _safe_date(year, m0, d0)
            last = _safe_date(year + 1 if wraps else year, m1, d1)
            out.update(first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    return frozenset(d for d in out if d.year in years)


def _safe_date(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, 28) if (month, day) == (2, 29) and year % 4 else dt.date(year, month, day)


def default_breaks(building_type: str | None, country: str) -> list[list[str]]:
    """The shipped break ranges of a building type in a country (``[calendar.breaks]``); [] if none."""
    table = _calendar_data().get("breaks", {}).get(str(building_type or "").strip().lower(), {})
    return [list(p) for p in table.get(country, [])]


@dataclass(frozen=True)
class Calendar:
    """Special days of one building: public holidays, make-up working days and breaks.

    Attributes
    ----------
    country
        ISO country code whose holidays apply.
    holidays
        Public holidays (incl. China's substituted days off).
    workdays
        Weekend days worked instead (China's 调休).
    breaks
        Days inside the building type's breaks (school holidays).
    """

    country: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    breaks: frozenset[dt.date]

    def _mask(self, days: pd.DatetimeIndex, which: frozenset[dt.date]) -> np.ndarray:
        if not which:
            return np.zeros(len(days), dtype=bool)
        naive = days.tz_localize(None) if days.tz is not None else days
        return np.isin(naive.to_numpy().astype("datetime64[D]"), _day_numbers(which))

    def is_holiday(self, days: pd.DatetimeIndex) -> np.ndarray:
        """True on public holidays."""
        return self._mask(days, self.holidays)

    def is_make_up_workday(self, days: pd.DatetimeIndex) -> np.ndarray:
        """True on weekend days worked instead of a bridge day."""
        return self._mask(days, self.workdays)

    def is_break(self, days: pd.DatetimeIndex) -> np.ndarray:
        """True inside the building type's breaks."""
        return self._mask(days, self.breaks)

    def occupied(self, days: pd.DatetimeIndex, weekdays: Sequence[int]) -> np.ndarray:
        """Whether each day (or interval start) is an occupied day of a schedule on ``weekdays``.

        A schedule that leaves some weekdays out (an office, Mon–Fri) is also closed on public
        holidays and open on make-up working days; one that runs every day (a hospital, a mall)
        keeps its hours on holidays. Breaks close the building either way.
        """
        days = pd.DatetimeIndex(days)
        on = np.isin(days.day_of_week, list(weekdays))
        if len(set(weekdays)) < 7:
            on = (on | self.is_make_up_workday(days)) & ~self.is_holiday(days)
        return on & ~self.is_break(days)

    def irregular(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Days whose use need not follow their weekday: holidays, make-up working days, breaks."""
        days = pd.DatetimeIndex(days)
        return self.is_holiday(days) | self.is_make_up_workday(days) | self.is_break(days)


@lru_cache(maxsize=64)
def _day_numbers(days: frozenset[dt.date]) -> np.ndarray:
    """The dates of a set as a sorted ``datetime64[D]`` array (a calendar's sets are reused by every building)."""
    return np.array(sorted(days), dtype="datetime64[D]")


def building_calendar(city: str, building_type: str | None, years: Iterable[int], *,
                      breaks: Sequence[Sequence[str]] | None = None) -> Calendar:
    """The calendar of a building: its country's holidays and its type's breaks.

    Parameters
    ----------
    city
        City or country (``"beijing"``, ``"copenhagen"``; see :data:`COUNTRY_OF`).
    building_type
        Picks the break ranges of ``[calendar.breaks.<type>]`` (``school``, ``daycare``).
    years
        Calendar years to cover.
    breaks
        Break ranges ``[["MM-DD", "MM-DD"], ...]`` replacing the shipped ones (``[]``: none).

    Raises
    ------
    InputError
        Unknown city (field ``city``) or a malformed break (field ``breaks``).
    """
    country = country_of(city)
    if country is None:
        raise InputError(f"no holiday calendar for city {city!r}; known: {', '.join(sorted(COUNTRY_OF))}",
                         field="city")
    years = sorted({int(y) for y in years})
    ranges = default_breaks(building_type, country) if breaks is None else breaks
    return Calendar(country, public_holidays(country, years), make_up_workdays(country, years),
                    break_days(ranges, years))
