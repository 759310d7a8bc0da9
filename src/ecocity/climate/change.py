"""Rainfall under a future climate: climate factors on design storms, delta change on series.

Two ways of carrying a climate scenario into the sponge-city indicators:

- **Design storms** are scaled by a *climate factor* k(T) that depends on the return period T:
  the future T-year intensity is k(T) times today's, for every duration, so a design storm keeps
  its temporal pattern and every step's depth is multiplied by k(T) (Danish practice,
  Spildevandskomiteen Skrift 29/30; see ``climate/data/climate_factors.toml``).
- **Long series** (for capture ratios and annual loads) are perturbed by a *delta change* on
  event depths: the series is split into events by a minimum dry gap
  (:func:`~ecocity.climate.rainfall.split_events`) and every step of an event is multiplied by
  the factor of the event's depth quantile, so timing, durations and dry spells are kept.

Scenarios are data: the shipped ones are read from ``climate_factors.toml`` by name
(:func:`climate_scenario`), ``user:<k>`` is one factor for both, and a scenario file (TOML, one
scenario table) holds a user's own table. See ``docs/methods/climate-change.md``.

References
----------
.. [1] IDA Spildevandskomiteen (2008). Skrift 29: Forventede ændringer i ekstremregn som følge af
   klimaændringer; (2014) Skrift 30: Opdaterede klimafaktorer og dimensionsgivende
   regnintensiteter.
.. [2] Rosbjerg, D. (2024). Return periods in current and future climate. Proc. IAHS 385,
   485–490. doi:10.5194/piahs-385-485-2024
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecocity.climate.rainfall import split_events
from ecocity.errors import InputError

FACTORS_FILE = "climate_factors.toml"
USER_PREFIX = "user:"
DEFAULT_MIN_INTER_EVENT_H = 6.0
"""Dry gap that separates two events for the delta change. [h]"""

Confidence = Literal["V", "R2", "S1", "judgement", "user"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeltaChange(_Frozen):
    """Factors on the event depths of a long series, by event-depth quantile.

    Event classes are given by the upper quantiles ``quantiles`` (ascending, the last 1): an
    event whose depth has empirical non-exceedance probability q (rank / number of events, ties
    sharing the highest rank) is scaled by ``factors[i]`` for the first i with q ≤ quantiles[i].
    One factor for every event is ``quantiles=(1.0,), factors=(k,)``. ``monthly_factors``
    (twelve values, January first; e.g. one value per season repeated over its months) further
    multiply an event's factor by that of the month its first wet step falls in.
    """

    quantiles: tuple[float, ...] = Field((1.0,), min_length=1, description="Upper quantile of each class. [-]")
    factors: tuple[float, ...] = Field((1.0,), min_length=1, description="Factor on event depths per class. [-]")
    min_inter_event_h: float = Field(DEFAULT_MIN_INTER_EVENT_H, gt=0.0, description="Dry gap between events. [h]")
    monthly_factors: tuple[float, ...] | None = Field(None, description="Factor by the event's start month, Jan first. [-]")
    source: str = "user-supplied"
    confidence: Confidence = "user"

    @model_validator(mode="after")
    def _classes(self) -> DeltaChange:
        if len(self.quantiles) != len(self.factors):
            raise ValueError(f"{len(self.quantiles)} quantiles but {len(self.factors)} factors; give one factor per class")
        if any(not 0.0 < q <= 1.0 for q in self.quantiles) or list(self.quantiles) != sorted(set(self.quantiles)):
            raise ValueError(f"quantiles must rise strictly within (0, 1], got {self.quantiles}")
        if self.quantiles[-1] != 1.0:
            raise ValueError(f"the last quantile must be 1 (every event in a class), got {self.quantiles[-1]}")
        if any(not (k > 0.0 and math.isfinite(k)) for k in self.factors):
            raise ValueError(f"factors must be positive, got {self.factors}")
        monthly = self.monthly_factors
        if monthly is not None and (len(monthly) != 12 or any(not (k > 0.0 and math.isfinite(k)) for k in monthly)):
            raise ValueError(f"monthly_factors must be 12 positive values, January first, got {monthly}")
        return self


class ClimateScenario(_Frozen):
    """A future climate for rainfall: climate factors by return period and a delta change.

    ``storm_factors[i]`` is the climate factor k at ``return_periods_yr[i]`` (ascending); see
    :func:`climate_factor` for the interpolation. ``horizon_yr`` is the planning horizon the
    factors are for (years ahead of today), None where not stated.
    """

    name: str = Field(min_length=1)
    title: str = ""
    horizon_yr: float | None = Field(None, gt=0.0, description="Planning horizon. [yr]")
    return_periods_yr: tuple[float, ...] = Field(min_length=1, description="Return periods of the table. [yr]")
    storm_factors: tuple[float, ...] = Field(min_length=1, description="Climate factor at each. [-]")
    delta_change: DeltaChange = DeltaChange()
    source: str = "user-supplied"
    clause: str = ""
    confidence: Confidence = "user"

    @model_validator(mode="after")
    def _table(self) -> ClimateScenario:
        periods, factors = self.return_periods_yr, self.storm_factors
        if len(periods) != len(factors):
            raise ValueError(f"{len(periods)} return periods but {len(factors)} storm factors")
        if any(not p > 0.0 for p in periods) or list(periods) != sorted(set(periods)):
            raise ValueError(f"return_periods_yr must be positive and rise strictly, got {periods}")
        if any(not (k > 0.0 and math.isfinite(k)) for k in factors):
            raise ValueError(f"storm factors must be positive, got {factors}")
        return self


def climate_factor(scenario: ClimateScenario, return_period_yr: float | np.ndarray) -> float | np.ndarray:
    """Climate factor k(T) of a scenario at return period T.

    Parameters
    ----------
    scenario
        The climate scenario.
    return_period_yr
        T, positive. [yr]

    Returns
    -------
    float or numpy.ndarray
        k(T) [-]: linear in log T between the tabled return periods, held at the first and last
        tabled factor outside them (no extrapolation of a trend the source does not give).

    Examples
    --------
    >>> dk = climate_scenario("dk-100yr")
    >>> round(climate_factor(dk, 10.0), 3), round(climate_factor(dk, 5.0), 3)
    (1.3, 1.257)
    """
    period = np.asarray(return_period_yr, dtype=float)
    if np.isnan(period).any() or (period <= 0).any():
        raise InputError(f"return period must be positive, got {return_period_yr}", field="return_period_yr")
    k = np.interp(np.log(period), np.log(scenario.return_periods_yr), scenario.storm_factors)
    return float(k) if k.ndim == 0 else k


def scale_design_storm(storm: pd.DataFrame | pd.Series, factor: float) -> pd.DataFrame | pd.Series:
    """A design storm with every intensity multiplied by ``factor``, same temporal pattern.

    Parameters
    ----------
    storm
        A hyetograph: a ``depth_mm`` series, or a frame with a ``depth_mm`` column (as from
        :func:`~ecocity.climate.storms.chicago_storm`). [mm per step]
    factor
        Climate factor k, positive. [-]

    Returns
    -------
    pandas.DataFrame or pandas.Series
        A copy with ``depth_mm`` × k; times and other columns unchanged. On a fixed step the
        intensity is depth / step, so intensities scale by k too.
    """
    if not (factor > 0.0 and math.isfinite(factor)):
        raise InputError(f"climate factor must be positive, got {factor}", field="factor")
    scaled = storm.copy()
    if isinstance(scaled, pd.DataFrame):
        if "depth_mm" not in scaled.columns:
            raise InputError("a design storm needs a 'depth_mm' column", field="depth_mm")
        scaled["depth_mm"] = scaled["depth_mm"] * factor
    else:
        scaled = scaled * factor
        scaled.attrs = dict(storm.attrs)
    return scaled


def event_quantiles(event_depth_mm: np.ndarray) -> np.ndarray:
    """Empirical non-exceedance probability of each event depth: rank / n, ties at the highest rank. [-]"""
    depth = np.asarray(event_depth_mm, dtype=float)
    order = np.sort(depth)
    return np.searchsorted(order, depth, side="right") / len(depth)


def delta_change(rain_depth_mm: pd.Series, factors: DeltaChange) -> pd.Series:
    """Perturb a rainfall series by scaling each event's depths by its quantile's factor.

    Parameters
    ----------
    rain_depth_mm
        ``depth_mm`` per step [mm], regular, without gaps (fill them first with
        :func:`~ecocity.climate.rainfall.fill_gaps_with_zero` where missing means dry).
    factors
        The event classes and their factors.

    Returns
    -------
    pandas.Series
        The future series on the same index: every step of an event multiplied by the event's
        factor, dry steps unchanged (so timing, durations and dry spells are kept). ``attrs``
        are kept and record ``delta_change`` (the factors).

    Raises
    ------
    InputError
        If the series has gaps.

    Notes
    -----
    Events are separated by at least ``factors.min_inter_event_h`` of dry time
    (:func:`~ecocity.climate.rainfall.split_events`). The event's class comes from the empirical
    quantile of its total depth among all events of the series (:func:`event_quantiles`); with
    non-decreasing factors (and no monthly factors) the ranking of events by depth is kept.
    """
    values = rain_depth_mm.to_numpy(dtype=float)
    events = split_events(rain_depth_mm, factors.min_inter_event_h)
    multiplier = np.ones(len(values))
    if len(events):
        classes = np.searchsorted(factors.quantiles, event_quantiles(events["depth_mm"].to_numpy()), side="left")
        classes = np.minimum(classes, len(factors.factors) - 1)  # guards rounding at q = 1
        index = pd.DatetimeIndex(rain_depth_mm.index)
        first = index.searchsorted(pd.DatetimeIndex(events["start"]))
        stop = index.searchsorted(pd.DatetimeIndex(events["end"]))  # end of the last wet step: exclusive
        event_factor = np.asarray(factors.factors)[classes]
        if factors.monthly_factors is not None:
            event_factor = event_factor * np.asarray(factors.monthly_factors)[index[first].month - 1]
        for a, b, k in zip(first, stop, event_factor, strict=True):
            multiplier[a:b] = k
    out = pd.Series(values * multiplier, index=rain_depth_mm.index, name=rain_depth_mm.name)
    out.attrs = dict(rain_depth_mm.attrs)
    out.attrs["delta_change"] = {"quantiles": list(factors.quantiles), "factors": list(factors.factors),
                                 **({} if factors.monthly_factors is None else {"monthly_factors": list(factors.monthly_factors)})}  # fmt: skip
    return out


def future_rainfall(rain_depth_mm: pd.Series, scenario: ClimateScenario) -> pd.Series:
    """A long rainfall series under ``scenario``'s future climate (its delta change).

    ``attrs["climate_scenario"]`` names the scenario. See :func:`delta_change`.
    """
    future = delta_change(rain_depth_mm, scenario.delta_change)
    future.attrs["climate_scenario"] = scenario.name
    return future


@cache
def _table() -> dict:
    text = resources.files("ecocity.climate").joinpath("data", FACTORS_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)["scenarios"]


def scenario_names() -> list[str]:
    """Names of the shipped climate scenarios."""
    return sorted(_table())


def _from_table(name: str, entry: dict, *, file: str | Path | None) -> ClimateScenario:
    entry = dict(entry)
    base = entry.pop("derived_from", None)
    if base is not None:
        parent = _table().get(base)
        if parent is None:
            raise InputError(f"scenario {name!r} is derived from unknown scenario {base!r}", file=file, record=name)
        if "horizon_yr" not in entry or "horizon_yr" not in parent:
            raise InputError("a derived scenario and its parent need horizon_yr", file=file, record=name,
                             field="horizon_yr")  # fmt: skip
        share = entry["horizon_yr"] / parent["horizon_yr"]
        entry["return_periods_yr"] = parent["return_periods_yr"]
        entry["storm_factors"] = [1.0 + (k - 1.0) * share for k in parent["storm_factors"]]
        entry["delta_change_factor"] = 1.0 + (parent["delta_change_factor"] - 1.0) * share
        entry.setdefault("delta_change_confidence", parent.get("delta_change_confidence", "judgement"))
        entry.setdefault("delta_change_source", f"{parent.get('delta_change_source', '')} Scaled like the storm factors.")
    delta = {}
    if "delta_change_factor" in entry:
        delta["factors"] = (entry.pop("delta_change_factor"),)
    for key in ("quantiles", "factors", "min_inter_event_h", "monthly_factors", "source", "confidence"):
        if f"delta_change_{key}" in entry:
            delta[key] = entry.pop(f"delta_change_{key}")
    if "factors" in delta and "quantiles" not in delta and len(delta["factors"]) == 1:
        delta["quantiles"] = (1.0,)
    try:
        return ClimateScenario(name=name, delta_change=DeltaChange(**delta), **entry)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        problem = first["msg"].removeprefix("Value error, ")
        raise InputError(f"not a valid climate scenario: {problem}", file=file, record=name, field=field) from err


def user_scenario(factor: float) -> ClimateScenario:
    """One factor k for every design storm and every event of a long series (``user:<k>``)."""
    if not (factor > 0.0 and math.isfinite(factor)):
        raise InputError(f"a climate factor must be positive, got {factor}", field="climate")
    return ClimateScenario(
        name=f"{USER_PREFIX}{factor:g}", title=f"User factor {factor:g} on design storms and event depths",
        return_periods_yr=(1.0,), storm_factors=(factor,),
        delta_change=DeltaChange(factors=(factor,), source="user-supplied", confidence="user"),
    )  # fmt: skip


def read_scenario_file(path: str | Path) -> ClimateScenario:
    """A climate scenario from a TOML file with the keys of a ``climate_factors.toml`` entry.

    Keys: ``name`` (default: the file's stem), ``title``, ``horizon_yr``, ``return_periods_yr``,
    ``storm_factors``, ``source``, ``clause``, ``confidence`` and, for the delta change,
    ``delta_change_factor`` or ``delta_change_quantiles`` with ``delta_change_factors``, and
    optionally ``delta_change_monthly_factors`` (12 values), ``delta_change_min_inter_event_h``,
    ``delta_change_source``, ``delta_change_confidence``.
    """
    path = Path(path)
    try:
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError("climate scenario file not found", file=path) from err
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"cannot read the climate scenario file: {err}", file=path) from err
    name = str(entry.pop("name", path.stem))
    entry.setdefault("confidence", "user")
    return _from_table(name, entry, file=path)


def climate_scenario(name: str, folder: str | Path | None = None) -> ClimateScenario:
    """The climate scenario called ``name``.

    Parameters
    ----------
    name
        A shipped scenario (:func:`scenario_names`), ``user:<k>`` (one factor k for design storms
        and long series), or a scenario file ending in ``.toml`` (see :func:`read_scenario_file`).
    folder
        Folder a relative scenario file is taken from (the district folder).

    Raises
    ------
    InputError
        For an unknown name, a factor that is not a positive number, or a bad scenario file.
    """
    if name.startswith(USER_PREFIX):
        text = name[len(USER_PREFIX):]
        try:
            factor = float(text)
        except ValueError as err:
            raise InputError(f"expected a number after 'user:', got {text!r} (e.g. user:1.2)", field="climate") from err
        return user_scenario(factor)
    if name.lower().endswith(".toml"):
        path = Path(name)
        return read_scenario_file(path if folder is None or path.is_absolute() else Path(folder) / path)
    entry = _table().get(name)
    if entry is None:
        known = ", ".join(scenario_names())
        raise InputError(f"unknown climate scenario {name!r}; known: {known}, user:<factor> or a .toml file",
                         field="climate")  # fmt: skip
    return _from_table(name, entry, file=FACTORS_FILE)


__all__ = [
    "ClimateScenario",
    "DeltaChange",
    "climate_factor",
    "climate_scenario",
    "delta_change",
    "event_quantiles",
    "future_rainfall",
    "read_scenario_file",
    "scale_design_storm",
    "scenario_names",
    "user_scenario",
]
