"""Cross-area view: indicator records, targets, comparisons."""

from ecocity.indicators.records import AreaResult, Indicator

__all__ = ["AreaResult", "Indicator"]
