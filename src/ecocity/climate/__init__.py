"""Rainfall: reading and checking series, the capture-ratio curve, storm-intensity formulas,
design storms and synthetic series. See ``docs/methods/rainfall.md``."""

from ecocity.climate.capture import capture_ratio_curve, capture_ratio_for_depth, daily_depth_mm, design_depth_mm
from ecocity.climate.idf import IdfParameters, depth_mm, intensity_l_per_s_ha, load_idf, parse_idf, resolve_idf
from ecocity.climate.rainfall import (
    RainfallCheck,
    check_rainfall,
    fill_gaps_with_zero,
    read_rainfall,
    resample_depth,
    split_events,
)
from ecocity.climate.storms import chicago_storm

__all__ = [
    "IdfParameters",
    "RainfallCheck",
    "capture_ratio_curve",
    "capture_ratio_for_depth",
    "check_rainfall",
    "chicago_storm",
    "daily_depth_mm",
    "depth_mm",
    "design_depth_mm",
    "fill_gaps_with_zero",
    "intensity_l_per_s_ha",
    "load_idf",
    "parse_idf",
    "read_rainfall",
    "resample_depth",
    "resolve_idf",
    "split_events",
]
