"""Building calendars: public holidays, China's make-up working days (调休) and school breaks.

References
----------
China 2024: General Office of the State Council, notice on the 2024 holiday arrangements
(国办发明电〔2023〕7号, 25 Oct 2023): Spring Festival 10-17 Feb off, Sunday 4 Feb and Sunday
18 Feb worked; National Day 1-7 Oct off, Sunday 29 Sep and Saturday 12 Oct worked.
Denmark 2024: public holidays (helligdage) New Year, Maundy Thursday, Good Friday, Easter
Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day and 26 December; Great
Prayer Day abolished from 2024 (Act no. 1 of 2023).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ecocity.buildings import calendars as cal
from ecocity.errors import InputError

D = dt.date


def test_china_2024_spring_festival_and_make_up_sundays():
    hol = cal.public_holidays("CN", [2024])
    work = cal.make_up_workdays("CN", [2024])
    assert {D(2024, 2, 12), D(2024, 2, 15), D(2024, 2, 16), D(2024, 10, 7)} <= hol
    assert {D(2024, 2, 4), D(2024, 2, 18), D(2024, 9, 29), D(2024, 10, 12)} <= work
    assert all(d.weekday() >= 5 for d in work)


def test_denmark_2024_public_holidays():
    hol = cal.public_holidays("DK", [2024])
    assert {D(2024, 3, 28), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 9), D(2024, 5, 20), D(2024, 12, 26)} <= hol
    assert D(2024, 4, 26) not in hol                       # Great Prayer Day, abolished from 2024
    assert cal.make_up_workdays("DK", [2024]) == frozenset()


def test_office_occupancy_follows_holidays_and_make_up_days():
    c = cal.building_calendar("beijing", "office", [2024])
    days = pd.DatetimeIndex(["2024-02-04", "2024-02-05", "2024-02-12", "2024-02-17", "2024-02-18"])
    # Sun (worked), Mon, Mon (Spring Festival), Sat (off), Sun (worked)
    assert c.occupied(days, [0, 1, 2, 3, 4]).tolist() == [True, True, False, False, True]
    # a mall open every day keeps its hours on holidays
    assert c.occupied(days, list(range(7))).all()
    assert c.breaks == frozenset()


def test_school_breaks_default_and_override():
    c = cal.building_calendar("beijing", "school", [2024])
    days = pd.DatetimeIndex(["2024-01-19", "2024-01-20", "2024-02-25", "2024-02-26", "2024-07-15", "2024-08-31",
                             "2024-09-02"])
    assert c.is_break(days).tolist() == [False, True, True, False, True, True, False]
    assert not c.occupied(pd.DatetimeIndex(["2024-07-16"]), [0, 1, 2, 3, 4])[0]      # a Tuesday in the break
    own = cal.building_calendar("beijing", "school", [2024], breaks=[["07-01", "07-31"]])
    assert own.is_break(pd.DatetimeIndex(["2024-07-01", "2024-08-01"])).tolist() == [True, False]


def test_break_across_new_year():
    days = cal.break_days([["12-21", "01-02"]], [2023, 2024])
    assert D(2023, 1, 2) in days and D(2023, 12, 21) in days and D(2024, 1, 1) in days
    assert D(2023, 1, 3) not in days and D(2024, 12, 20) not in days
    assert len(days) == 2 + 13 + 11                            # 1-2 Jan 2023, 21 Dec-2 Jan, 21-31 Dec 2024


def test_irregular_days_mask_tz_aware_index():
    c = cal.building_calendar("copenhagen", "school", [2024])
    days = pd.date_range("2024-03-27", "2024-04-02", freq="D", tz="Europe/Copenhagen")
    assert c.irregular(days).tolist() == [False, True, True, False, True, True, False]   # Easter
    assert np.asarray(c.is_holiday(days)).dtype == bool


def test_bad_calendar_inputs():
    with pytest.raises(InputError, match="city"):
        cal.building_calendar("atlantis", "school", [2024])
    with pytest.raises(InputError, match="MM-DD"):
        cal.building_calendar("beijing", "school", [2024], breaks=[["July", "08-31"]])
    with pytest.raises(InputError, match="pair"):
        cal.break_days([["07-01"]], [2024])
    assert cal.country_of("Tongzhou") == "CN" and cal.country_of("mars") is None
