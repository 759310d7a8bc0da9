"""Numbers as engineers read them: ratios in %, volumes in m³ with thousands separators,
costs in million yuan (English) or 万元 (中文). A missing value is an em dash, "—".
"""

from __future__ import annotations

import math

DASH = "—"

# Units that mean "a ratio, 0..1": shown in percent.
_FRACTION_UNITS = {"-", "", "1", "fraction", "ratio"}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def percent(value: float | None, decimals: int = 1) -> str:
    """A ratio in [-] as a percentage: 0.853 → "85.3 %"."""
    return DASH if _missing(value) else f"{100.0 * value:.{decimals}f} %"


def number(value: float | None, decimals: int = 0) -> str:
    """A number with thousands separators: 12345.6 → "12,346"."""
    return DASH if _missing(value) else f"{value:,.{decimals}f}"


def money(value_yuan: float | None, language: str) -> str:
    """A sum of money: million yuan in English, 万元 in Chinese."""
    if _missing(value_yuan):
        return DASH
    if language == "zh":
        return f"{value_yuan / 1e4:,.1f} 万元"
    return f"{value_yuan / 1e6:,.2f} million yuan"


def money_range(low_yuan: float | None, high_yuan: float | None, language: str) -> str:
    """A cost range "low–high unit"; a dash when either end is missing."""
    if _missing(low_yuan) or _missing(high_yuan):
        return DASH
    if language == "zh":
        return f"{low_yuan / 1e4:,.1f}–{high_yuan / 1e4:,.1f} 万元"
    return f"{low_yuan / 1e6:,.2f}–{high_yuan / 1e6:,.2f} million yuan"


def yuan_per_m3(value: float | None, language: str) -> str:
    """A cost per m³ of annual retention: "yuan/(m³/yr)" or "元/(m³/年)"."""
    unit = "元/(m³/年)" if language == "zh" else "yuan/(m³/yr)"
    return DASH if _missing(value) else f"{value:,.1f} {unit}"


def area(area_m2: float | None) -> str:
    """A district's area in hectares and km²: "245.3 ha (2.45 km²)"."""
    if _missing(area_m2):
        return DASH
    return f"{area_m2 / 1e4:,.1f} ha ({area_m2 / 1e6:,.2f} km²)"


def _pretty_unit(unit: str) -> str:
    return unit.replace("m3", "m³").replace("m2", "m²")


def value(value: float | None, unit: str, fmt: str | None, language: str) -> str:
    """One indicator value with its unit, in the format its label names (or by its unit)."""
    if _missing(value):
        return DASH
    if fmt == "percent" or (fmt is None and unit in _FRACTION_UNITS):
        return percent(value)
    if fmt == "money_yuan":
        return money(value, language)
    if fmt == "yuan_per_m3":
        return yuan_per_m3(value, language)
    if fmt == "volume_m3":
        return f"{number(value)} m³"
    if fmt == "depth_mm":
        return f"{number(value, 1)} mm"
    if fmt == "count":
        return number(value)
    decimals = 0 if abs(value) >= 100 else 2
    return f"{number(value, decimals)} {_pretty_unit(unit)}".rstrip()


def target(target_value: float | None, unit: str, fmt: str | None, direction: str | None,
           language: str) -> str:
    """A target as "≥ 85.0 %" (or a dash when there is none)."""
    if _missing(target_value):
        return DASH
    sign = {">=": "≥ ", "<=": "≤ "}.get(direction or "", "")
    return sign + value(target_value, unit, fmt, language)
