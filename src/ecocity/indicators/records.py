"""Indicator records and the result every area returns to the orchestrator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Indicator:
    """One number an area reports, with its unit, scope and (optionally) its target.

    ``scope`` is ``"district"``, ``"sub_area:<name>"`` or ``"subcatchment:<id>"``.
    ``passed`` is None where there is no target to compare with.
    ``source`` names the method or standard the indicator follows.
    """

    name: str
    value: float
    unit: str
    scope: str = "district"
    target: float | None = None
    passed: bool | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "scope": self.scope,
            "target": self.target,
            "passed": self.passed,
            "source": self.source,
        }


@dataclass(frozen=True)
class AreaResult:
    """What ``assess(district, scenario)`` of one area returns.

    ``series`` holds time series by name (each a DataFrame with a DatetimeIndex or a
    ``time_min`` column); ``figures`` holds the data the report draws (plain JSON-able).
    """

    area: str
    scenario: str
    indicators: tuple[Indicator, ...]
    series: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def indicator(self, name: str, scope: str = "district") -> Indicator:
        """The indicator called ``name`` for ``scope``."""
        for item in self.indicators:
            if item.name == name and item.scope == scope:
                return item
        raise KeyError(f"no indicator {name!r} for {scope!r}")
