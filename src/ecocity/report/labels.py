"""Bilingual (English / 中文) labels of the report, read from ``labels.toml``.

Every heading, axis title and indicator name the report shows comes from here. A key the
table does not know is shown as the key itself, so new indicators appear (unlabelled) instead
of breaking the report.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ecocity.errors import InputError

LANGUAGES = ("en", "zh")

# peak_flow_reduction_P2, volume_reduction_P5, ..._P2.5: the base indicator at return period P.
_RETURN_PERIOD_SUFFIX = re.compile(r"^(?P<base>.+)_P(?P<period>\d+(?:\.\d+)?)$")


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    text = resources.files("ecocity.report").joinpath("labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class IndicatorLabel:
    """How one indicator is named and formatted in the report.

    ``format`` is one of the formats of :mod:`ecocity.report.formatting` or None (format by
    unit); ``direction`` is ``">="``, ``"<="`` or None; ``return_period_yr`` is set for names
    with a ``_P<n>`` suffix.
    """

    name: str
    text: str
    format: str | None
    direction: str | None
    return_period_yr: float | None


@dataclass(frozen=True)
class Labels:
    """The report's labels in one language (``"en"`` or ``"zh"``)."""

    language: str = "en"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise InputError(f"language must be one of {', '.join(LANGUAGES)}, got {self.language!r}")

    def _pick(self, section: str, key: str) -> str:
        entry = _table().get(section, {}).get(key)
        return key if entry is None else entry[self.language]

    def text(self, key: str, **values: Any) -> str:
        """The heading or axis title called ``key``, with ``values`` filled in."""
        template = self._pick("text", key)
        return template.format(**values) if values else template

    def lid(self, key: str) -> str:
        """The name of an LID type (``"bioretention"`` → "Bioretention" / "生物滞留设施")."""
        return self._pick("lid", key)

    def unit(self, key: str) -> str:
        """A unit as printed (``"m2"`` → "m²")."""
        return self._pick("unit", key)

    def confidence(self, mark: str) -> str:
        """What a confidence mark (V, R2, S1, NF, assumed) means."""
        entry = _table()["confidence"].get(mark)
        return "" if entry is None else entry[self.language]

    def note(self, text: str) -> str:
        """A note the effluent compliance check wrote in English, in this language (the
        ``[note.*]`` patterns of labels.toml); a note no pattern knows is returned as it is."""
        for entry in _table().get("note", {}).values():
            match = re.match(entry["pattern"], text)
            if match:
                return entry[self.language].format(**match.groupdict())
        return text

    def indicator(self, name: str) -> IndicatorLabel:
        """Label, format and target direction of the indicator called ``name``."""
        table = _table()["indicator"]
        period = None
        base = name
        match = _RETURN_PERIOD_SUFFIX.match(name)
        if name not in table and match and match["base"] in table:
            base, period = match["base"], float(match["period"])
        entry = table.get(base)
        if entry is None:
            return IndicatorLabel(name, name, None, None, None)
        text = entry[self.language]
        if period is not None:
            text = f"{text} ({self.text('return_period', p=period)})"
        return IndicatorLabel(name, text, entry.get("format"), entry.get("direction"), period)

    def indicator_order(self) -> tuple[str, ...]:
        """Indicator base names in the order the summary table lists them."""
        return tuple(_table()["indicator"])


def indicator_sort_key(name: str, order: tuple[str, ...]) -> tuple[int, float, str]:
    """Sort key putting known indicators in table order, return periods ascending, then others."""
    match = _RETURN_PERIOD_SUFFIX.match(name)
    base, period = (match["base"], float(match["period"])) if match else (name, 0.0)
    if name in order:
        base, period = name, 0.0
    rank = order.index(base) if base in order else len(order)
    return rank, period, name
