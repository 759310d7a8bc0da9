"""Screening window: the stretch of the record whose capture-ratio curve is closest to all of it."""

from __future__ import annotations

import pandas as pd
import pytest

from ecocity.errors import InputError
from ecocity.optimise.screening import representative_window

from .helpers import rain_year


def _record(*years: pd.Series) -> pd.Series:
    """Consecutive years from 2021 (no leap year among 2021-2023; 2024's extra day is dry)."""
    parts = []
    for k, year in enumerate(years):
        index = pd.date_range(f"{2021 + k}-01-01", f"{2021 + k}-12-31 23:00", freq="h")
        parts.append(pd.Series(year.to_numpy()[: len(index)], index=index).reindex(index, fill_value=0.0)
                     if len(index) == len(year) else
                     pd.Series(list(year.to_numpy()) + [0.0] * (len(index) - len(year)), index=index))
    return pd.concat(parts).rename("depth_mm")


def test_an_odd_year_is_not_chosen():
    """Three similar years and one of drizzle only (the same total): the drizzle year stands in worst."""
    odd = rain_year(seed=3).clip(upper=0.8)
    odd *= rain_year(seed=3).sum() / odd.sum()  # no storms: its capture-ratio curve differs most
    record = _record(rain_year(seed=1), odd, rain_year(seed=2), rain_year(seed=4))
    chosen, window = representative_window(record, 1)
    assert window.candidates == 4
    assert window.start.year != 2022 and len(chosen) == 8760
    assert 0.0 <= window.curve_error < 0.2


def test_the_whole_record_is_its_own_best_window():
    record = _record(rain_year(seed=1), rain_year(seed=2))
    chosen, window = representative_window(record, 2)
    assert window.curve_error == pytest.approx(0.0, abs=1e-12) and len(chosen) == len(record)


def test_a_record_shorter_than_the_window_is_an_input_error():
    with pytest.raises(InputError, match="fewer than the 3 asked for screening"):
        representative_window(rain_year(), 3)
