"""Effluent compliance against named discharge standards (GB 18918, DB11/890, EU UWWTD).

The standards are cited data in ``data/effluent_standards.toml``: each limit with its source and a
confidence mark. A limit whose value could not be verified is kept without a value and reported
as ``"not verified"``; total phosphorus, which ASM1 does not model, is reported as
``"not modelled"``. Neither is ever counted as a pass.

The model's effluent is compared through the BSM composition variables
(:mod:`ecocity.wastewater.evaluation`): COD, BOD5 (effluent factor 0.25), TSS, TN, and ammonia
nitrogen NH3-N ≈ S_NH.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.wastewater.evaluation import STATE_COLUMNS, composition

#: Model variable behind each limited parameter; None where ASM1 has none.
MODEL_VARIABLES: Mapping[str, str | None] = MappingProxyType(
    {"COD": "COD", "BOD5": "BOD5", "TSS": "TSS", "TN": "TN", "NH3_N": "S_NH", "TP": None}
)


@cache
def standards() -> Mapping[str, Any]:
    """The named standards with their limits and sources (``data/effluent_standards.toml``)."""
    text = resources.files("ecocity.wastewater").joinpath("data/effluent_standards.toml").read_text("utf-8")
    return MappingProxyType(tomllib.loads(text)["standards"])


def known_standards() -> tuple[str, ...]:
    """Names accepted by :func:`check_compliance`."""
    return tuple(standards())


@dataclass(frozen=True)
class LimitCheck:
    """One limited parameter of a standard against the effluent."""

    parameter: str
    status: str  # "pass", "fail", "not modelled" or "not verified"
    limit_g_per_m3: float | None
    confidence: str
    basis: str
    source: str
    flow_weighted_mean_g_per_m3: float | None = None
    max_daily_mean_g_per_m3: float | None = None
    time_above_pct: float | None = None
    hours_above_h: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class ComplianceResult:
    """An effluent checked against one standard.

    ``status`` is ``"fail"`` if a checked limit is broken, ``"incomplete"`` if none is broken
    but a limit could not be checked (not modelled, not verified), else ``"pass"``.
    """

    standard: str
    title: str
    source: str
    status: str
    checks: tuple[LimitCheck, ...]
    notes: tuple[str, ...]

    @property
    def broken(self) -> tuple[str, ...]:
        """Parameters whose limit is broken."""
        return tuple(check.parameter for check in self.checks if check.status == "fail")

    @property
    def unchecked(self) -> tuple[str, ...]:
        """Parameters that could not be checked (not modelled or not verified)."""
        return tuple(check.parameter for check in self.checks if check.status not in ("pass", "fail"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "title": self.title,
            "source": self.source,
            "status": self.status,
            "broken": list(self.broken),
            "unchecked": list(self.unchecked),
            "checks": [check.to_dict() for check in self.checks],
            "notes": list(self.notes),
        }


def check_compliance(
    effluent: pd.DataFrame,
    standard: str,
    *,
    temperature_c: float | pd.Series | None = None,
    winter: bool = False,
) -> ComplianceResult:
    """Check an effluent series against a named discharge standard.

    Parameters
    ----------
    effluent
        ASM1 states [g/m³] and ``Q`` [m³/d] on a time index [d]; each sample holds until the next
        (the last one as long as the step before it).
    standard
        A name from :func:`known_standards`, e.g. ``"gb18918_2002_1a"``.
    temperature_c
        Water temperature [°C], a number or a series on the effluent's index. Chooses the cold
        limit where a standard has one (GB 18918 NH3-N at ≤ 12 °C). If not given, the warm
        limit is used and the result says so.
    winter
        True if the series lies in a standard's winter period (DB11/890-2012 NH3-N,
        1 Dec – 31 Mar).

    Returns
    -------
    ComplianceResult
        For each limited parameter: the limit, its confidence, the flow-weighted mean, the
        highest daily flow-weighted mean, the share of time and the hours above the limit, and
        ``pass``/``fail`` by the standard's basis (daily values or the annual mean).

    Raises
    ------
    InputError
        Unknown standard (the message lists the known ones), missing columns, or a time index
        that does not increase.

    Notes
    -----
    Daily values are flow-weighted means over whole days ``[k, k+1)`` of the time index, the model
    analogue of a 24-h flow-proportional composite sample. A limit that depends on temperature
    is applied sample by sample for the time above it; a daily value is compared with the
    time-mean of that limit over the day.
    """
    table = standards()
    if standard not in table:
        raise InputError(f"unknown effluent standard {standard!r}; known: {', '.join(table)}", field="standard")
    missing = [c for c in (*STATE_COLUMNS, "Q") if c not in effluent.columns]
    if missing:
        raise InputError(f"the effluent needs the columns {', '.join(missing)}", field="effluent")
    weights = _hold_weights_d(effluent.index)
    values = composition(effluent)
    values["S_NH"] = effluent["S_NH"]
    temperature = _temperature(temperature_c, effluent.index)
    entry = table[standard]
    notes: list[str] = []
    checks = []
    for parameter, limit in entry["limits"].items():
        check = _check(parameter, limit, entry, values, effluent["Q"], weights, temperature, winter, notes)
        checks.append(check)
    statuses = {check.status for check in checks}
    status = "fail" if "fail" in statuses else ("pass" if statuses == {"pass"} else "incomplete")
    return ComplianceResult(standard, entry["title"], entry["source"], status, tuple(checks), tuple(notes))


def _hold_weights_d(index: pd.Index) -> np.ndarray:
    t = np.asarray(index, dtype=float)
    if t.size < 2 or np.any(np.diff(t) <= 0.0):
        raise InputError("the effluent's time index [d] must hold at least two samples and increase strictly")
    steps = np.diff(t)
    return np.append(steps, steps[-1])


def _temperature(temperature_c: float | pd.Series | None, index: pd.Index) -> np.ndarray | None:
    if temperature_c is None:
        return None
    if isinstance(temperature_c, pd.Series):
        if not temperature_c.index.equals(index):
            raise InputError("temperature_c must be a number or a series on the effluent's time index")
        return temperature_c.to_numpy(dtype=float)
    return np.full(len(index), float(temperature_c))


def _check(
    parameter: str,
    limit: Mapping[str, Any],
    entry: Mapping[str, Any],
    values: pd.DataFrame,
    flow: pd.Series,
    weights: np.ndarray,
    temperature: np.ndarray | None,
    winter: bool,
    notes: list[str],
) -> LimitCheck:
    basis = limit.get("basis", entry["basis"])
    common = {"parameter": parameter, "confidence": limit["confidence"], "basis": basis, "source": limit["source"]}
    variable = MODEL_VARIABLES.get(parameter)
    if "value" not in limit:
        return LimitCheck(status="not verified", limit_g_per_m3=None, note="limit value not verified", **common)
    if variable is None:
        note = f"{parameter} is not modelled by ASM1"
        return LimitCheck(status="not modelled", limit_g_per_m3=float(limit["value"]), note=note, **common)
    limits = _limit_per_sample(parameter, limit, temperature, winter, len(weights), notes)
    concentration = values[variable].to_numpy(dtype=float)
    q = flow.to_numpy(dtype=float)
    mean = float(np.sum(concentration * q * weights) / np.sum(q * weights))
    above = concentration > limits
    hours = 24.0 * float(np.sum(weights[above]))
    share = 100.0 * float(np.sum(weights[above])) / float(np.sum(weights))
    if basis == "annual_mean":
        broken = mean > float(np.max(limits))
        daily_max = None
    else:
        daily_means, daily_limits = _daily(concentration, q, weights, limits, np.asarray(values.index, dtype=float))
        broken = bool(np.any(daily_means > daily_limits))
        daily_max = float(np.max(daily_means))
    varies = bool(np.ptp(limits) > 0.0)
    return LimitCheck(
        status="fail" if broken else "pass",
        limit_g_per_m3=float(limit["value"]) if varies else float(limits[0]),
        flow_weighted_mean_g_per_m3=mean,
        max_daily_mean_g_per_m3=daily_max,
        time_above_pct=share,
        hours_above_h=hours,
        note=f"{limit['cold_value']:g} g/m³ applies at water temperature ≤ {limit['cold_at_or_below_c']:g} °C"
        if varies
        else "",
        **common,
    )


def _limit_per_sample(
    parameter: str,
    limit: Mapping[str, Any],
    temperature: np.ndarray | None,
    winter: bool,
    size: int,
    notes: list[str],
) -> np.ndarray:
    limits = np.full(size, float(limit["value"]))
    if "cold_value" in limit:
        threshold = float(limit["cold_at_or_below_c"])
        if temperature is None:
            notes.append(f"{parameter}: water temperature not given; the limit for > {threshold:g} °C is used")
        else:
            limits = np.where(temperature <= threshold, float(limit["cold_value"]), limits)
    if "winter_value" in limit and winter:
        limits[:] = float(limit["winter_value"])
        notes.append(f"{parameter}: winter limit ({limit['winter_period']}) used")
    return limits


def _daily(
    concentration: np.ndarray, flow: np.ndarray, weights: np.ndarray, limits: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    day = np.floor(t + 1e-9).astype(int)
    means, day_limits = [], []
    for k in np.unique(day):
        on = day == k
        load = flow[on] * weights[on]
        means.append(float(np.sum(concentration[on] * load) / np.sum(load)))
        day_limits.append(float(np.sum(limits[on] * weights[on]) / np.sum(weights[on])))
    return np.asarray(means), np.asarray(day_limits)
