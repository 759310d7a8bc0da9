"""Screening rainfall: the short stretch of a long record that best stands for all of it.

The optimiser evaluates most designs on a few years of rain instead of the whole record. The
stretch is the window of ``years`` whole years (ending on the record's end-of-year
boundaries) whose capture-ratio curve α(X) (Technical Guide, Appendix 2) is closest to the
whole record's, by the largest absolute difference over design depths 0-60 mm. That
difference is reported as the screening's rainfall error; the error on the designs' own
capture ratios is measured by re-running the front on the full record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecocity.climate.capture import capture_ratio_for_depth, daily_depth_mm
from ecocity.errors import InputError

DEPTHS_MM = np.arange(0.0, 60.5, 0.5)
"""Design depths at which the curves are compared. [mm]"""


@dataclass(frozen=True)
class ScreeningWindow:
    """The chosen stretch: first and last step, its length, and its curve error. [-]"""

    start: pd.Timestamp
    end: pd.Timestamp
    years: float
    curve_error: float
    candidates: int

    def as_dict(self) -> dict:
        return {"start": str(self.start), "end": str(self.end), "years": self.years,
                "curve_error": self.curve_error, "candidates": self.candidates}  # fmt: skip


def representative_window(rain_depth_mm: pd.Series, years: int) -> tuple[pd.Series, ScreeningWindow]:
    """The ``years``-year stretch of ``rain_depth_mm`` whose capture-ratio curve is closest.

    Candidates are the windows of ``years`` consecutive years counted back from the record's
    end in whole years (so a 30-year record has 30 − years + 1 of them).

    Raises
    ------
    InputError
        ``years`` below 1, or a record shorter than ``years`` years.
    """
    if years < 1:
        raise InputError(f"screening years must be at least 1, got {years}", field="screen_years")
    index = pd.DatetimeIndex(rain_depth_mm.index)
    step = index[1] - index[0]
    end = index[-1] + step
    record_years = 0
    while end - pd.DateOffset(years=record_years + 1) >= index[0]:
        record_years += 1
    if record_years < years:
        raise InputError(f"the rainfall record has {record_years} whole years, fewer than the {years} "
                         "asked for screening", field="screen_years")  # fmt: skip
    full = capture_ratio_for_depth(daily_depth_mm(rain_depth_mm), DEPTHS_MM)
    best: tuple[float, pd.Timestamp, pd.Timestamp] | None = None
    for back in range(record_years - years + 1):
        stop = end - pd.DateOffset(years=back)
        start = stop - pd.DateOffset(years=years)
        window = rain_depth_mm[(index >= start) & (index < stop)]
        if len(window) < 2 or window.sum() <= 0.0:
            continue
        curve = capture_ratio_for_depth(daily_depth_mm(window), DEPTHS_MM)
        error = float(np.max(np.abs(curve - full)))
        if best is None or error < best[0] - 1e-12:
            best = (error, start, stop)
    if best is None:
        raise InputError("no window of the rainfall record holds rain", field="screen_years")
    error, start, stop = best
    chosen = rain_depth_mm[(index >= start) & (index < stop)].copy()
    chosen.attrs = dict(rain_depth_mm.attrs)
    return chosen, ScreeningWindow(chosen.index[0], chosen.index[-1], float(years), error,
                                   record_years - years + 1)  # fmt: skip
