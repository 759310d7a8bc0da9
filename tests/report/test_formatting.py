"""Numbers as engineers read them, and the dash for what is missing."""

from __future__ import annotations

import math

from ecocity.report import formatting
from ecocity.report.formatting import DASH


def test_ratios_volumes_and_money():
    assert formatting.percent(0.8534) == "85.3 %"
    assert formatting.number(1234567.8) == "1,234,568"
    assert formatting.money(18_675_000.0, "en") == "18.68 million yuan"
    assert formatting.money(18_675_000.0, "zh") == "1,867.5 万元"
    assert formatting.money_range(7.8e6, 1.2e7, "zh") == "780.0–1,200.0 万元"
    assert formatting.area(2_496_000.0) == "249.6 ha (2.50 km²)"


def test_indicator_values_follow_their_format():
    assert formatting.value(0.85, "-", "percent", "en") == "85.0 %"
    assert formatting.value(0.85, "-", None, "en") == "85.0 %"  # a fraction unit without a label
    assert formatting.value(3130.5, "m3", "volume_m3", "en") == "3,130 m³"
    assert formatting.value(2.0, "-", "count", "en") == "2"
    assert formatting.value(12.5, "kg/ha", None, "en") == "12.50 kg/ha"
    assert formatting.target(0.85, "-", "percent", ">=", "en") == "≥ 85.0 %"
    assert formatting.target(0.0, "m3", "volume_m3", "<=", "zh") == "≤ 0 m³"


def test_missing_values_are_a_dash():
    assert formatting.value(None, "-", "percent", "en") == DASH
    assert formatting.value(math.nan, "m3", "volume_m3", "en") == DASH
    assert formatting.money_range(None, 5.0, "en") == DASH
    assert formatting.yuan_per_m3(None, "zh") == DASH
    assert formatting.target(None, "-", "percent", ">=", "en") == DASH
