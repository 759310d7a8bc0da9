"""Synthetic long rainfall series: a daily weather-generator chain disaggregated to 5 minutes.

Everything made here is **synthetic**: the series carries ``attrs["synthetic"] = True`` and its
model, parameter set and seed, and files written from it say so.

Model
-----
1. *Daily occurrence*: a first-order two-state Markov chain whose transition probabilities
   change by calendar month (Richardson 1981; WGEN, Richardson & Wright 1984).
2. *Daily depth* on wet days: the wet-day threshold (0.1 mm) plus a gamma variate with one
   shape for the year and a scale for each month (WGEN's gamma, shifted so every wet day is a
   measurable rain day).
3. *Disaggregation* of each day to 288 five-minute steps: a microcanonical multiplicative random
   cascade (Olsson 1998; Güntner et al. 2001) with branching 3, 3, 2, 2, 2, 2, 2
   (1440 → 480 → 160 → 80 → 40 → 20 → 10 → 5 min). At each branching all the box's rain goes to
   one randomly chosen sub-box with probability ``p_single`` (one value per level), otherwise
   it is split by
   symmetric Dirichlet weights of concentration ``dirichlet_a``. Rain is conserved exactly in
   every day, so the daily statistics (and the capture-ratio curve) are those of steps 1–2.

The parameters are data (``climate/data/synthetic_<name>.toml``); how the Beijing set was
obtained is in that file and in :mod:`ecocity.climate.calibration`.

References
----------
.. [1] Richardson, C. W. (1981). Stochastic simulation of daily precipitation, temperature, and
   solar radiation. Water Resources Research 17(1), 182–190. doi:10.1029/WR017i001p00182
.. [2] Richardson, C. W. and Wright, D. A. (1984). WGEN: A model for generating daily weather
   variables. USDA Agricultural Research Service, ARS-8.
.. [3] Olsson, J. (1998). Evaluation of a scaling cascade model for temporal rain-fall
   disaggregation. Hydrology and Earth System Sciences 2(1), 19–30. doi:10.5194/hess-2-19-1998
.. [4] Güntner, A., Olsson, J., Calver, A. and Gannon, B. (2001). Cascade-based disaggregation
   of continuous rainfall time series: the influence of climate. Hydrology and Earth System
   Sciences 5(2), 145–164. doi:10.5194/hess-5-145-2001
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecocity.errors import InputError

STEP_MIN = 5
"""The generator's native step. [min]"""
BRANCHING: tuple[int, ...] = (3, 3, 2, 2, 2, 2, 2)
"""Cascade branching from one day (1440 min) down to 5 min."""
MODEL = "Markov-chain occurrence + gamma depths (WGEN) + microcanonical random cascade"


class SyntheticParameters(BaseModel):
    """Parameters of the synthetic rainfall model, one value per calendar month where listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    wet_probability: tuple[float, ...] = Field(description="P(wet day) per month, Jan first. [-]")
    persistence: float = Field(ge=0.0, lt=1.0, description="p11 − p01 of the occurrence chain. [-]")
    gamma_shape: float = Field(gt=0.0, description="Shape of daily wet-day depths. [-]")
    gamma_scale_mm: tuple[float, ...] = Field(description="Scale of daily depths per month. [mm]")
    p_single: tuple[float, ...] = Field(description="Cascade: P(all rain to one sub-box), per level. [-]")
    dirichlet_a: float = Field(gt=0.0, description="Cascade: Dirichlet concentration of splits. [-]")
    wet_threshold_mm: float = Field(0.1, ge=0.0, description="Smallest wet-day depth (gamma shift). [mm]")

    @model_validator(mode="after")
    def _twelve_months(self) -> SyntheticParameters:
        for field in ("wet_probability", "gamma_scale_mm"):
            values = getattr(self, field)
            if len(values) != 12:
                raise ValueError(f"{field} needs 12 monthly values, got {len(values)}")
        if not all(0.0 < p < 1.0 for p in self.wet_probability):
            raise ValueError("wet_probability values must be in (0, 1)")
        if not all(s > 0.0 for s in self.gamma_scale_mm):
            raise ValueError("gamma_scale_mm values must be positive")
        if len(self.p_single) != len(BRANCHING) or not all(0.0 <= p <= 1.0 for p in self.p_single):
            raise ValueError(f"p_single needs {len(BRANCHING)} probabilities, one per cascade level")
        return self

    def transition_probabilities(self) -> tuple[np.ndarray, np.ndarray]:
        """p01 (wet after dry) and p11 (wet after wet) per month.

        For a stationary chain with wet probability π and persistence d = p11 − p01,
        π = p01 / (1 − d), so p01 = π (1 − d) and p11 = p01 + d.
        """
        pi = np.asarray(self.wet_probability)
        p01 = pi * (1.0 - self.persistence)
        return p01, p01 + self.persistence


def synthetic_file(name: str) -> str:
    return f"synthetic_{name}.toml"


@cache
def load_synthetic_parameters(name: str = "beijing") -> SyntheticParameters:
    """Load a shipped synthetic-rainfall parameter set (``climate/data/synthetic_<name>.toml``)."""
    file = synthetic_file(name)
    path = resources.files("ecocity.climate").joinpath("data", file)
    if not path.is_file():
        raise InputError(f"no synthetic rainfall parameter set named {name!r}", field="parameters")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return SyntheticParameters(name=name, **data["parameters"])
    except (KeyError, ValidationError) as err:
        raise InputError(f"invalid parameter set: {err}", file=file, record="parameters") from err


def simulate_daily_depth_mm(params: SyntheticParameters, days: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Daily rainfall depths from the Markov-chain / gamma model.

    Parameters
    ----------
    params
        Model parameters.
    days
        The calendar days to simulate (their months select the parameters).
    rng
        Random generator (consumed).

    Returns
    -------
    numpy.ndarray
        Depth per day [mm]; zero on dry days.
    """
    month = days.month.to_numpy() - 1
    p01, p11 = params.transition_probabilities()
    u = rng.random(len(days))
    wet = np.empty(len(days), dtype=bool)
    state = u[0] < params.wet_probability[month[0]]
    for i in range(len(days)):  # sequential by nature; ~10⁵ days per second
        if i:
            state = u[i] < (p11[month[i]] if state else p01[month[i]])
        wet[i] = state
    scale = np.asarray(params.gamma_scale_mm)[month[wet]]
    depth = np.zeros(len(days))
    depth[wet] = params.wet_threshold_mm + rng.gamma(params.gamma_shape, scale)
    return depth


def cascade_disaggregate(daily_mm: np.ndarray, params: SyntheticParameters, rng: np.random.Generator) -> np.ndarray:
    """Split daily depths into 288 five-minute depths each with the random cascade.

    Parameters
    ----------
    daily_mm
        Depths of the days to split. [mm]

    Returns
    -------
    numpy.ndarray
        Shape ``(len(daily_mm), 288)``; each row sums to its day's depth. [mm]
    """
    boxes = np.asarray(daily_mm, dtype=float)[:, None]
    for b, p_single in zip(BRANCHING, params.p_single, strict=True):
        n = boxes.size
        weights = rng.gamma(params.dirichlet_a, 1.0, size=(n, b))
        weights /= weights.sum(axis=1, keepdims=True)
        single = rng.random(n) < p_single
        weights[single] = 0.0
        weights[single, rng.integers(0, b, size=int(single.sum()))] = 1.0
        boxes = (boxes.reshape(-1, 1) * weights).reshape(len(daily_mm), -1)
    return boxes


def synthetic_rainfall(
    years: int,
    *,
    seed: int,
    step_min: int = STEP_MIN,
    start_year: int = 1983,
    params: SyntheticParameters | None = None,
) -> pd.Series:
    """A synthetic rainfall series of whole calendar years.

    Parameters
    ----------
    years
        Number of calendar years. [yr]
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same series.
    step_min
        Output step: a multiple of 5 that divides a day. [min]
    start_year
        Calendar label of the first year (the series is synthetic whatever the label; 1983 lines
        it up with the Guide's 1983–2012 reference period).
    params
        Model parameters; the shipped Beijing set by default.

    Returns
    -------
    pandas.Series
        ``depth_mm`` per step [mm], regular, without gaps; ``attrs`` hold ``synthetic=True``,
        ``model``, ``parameters`` and ``seed``.
    """
    if not (isinstance(years, int) and years >= 1):
        raise InputError(f"years must be a whole number ≥ 1, got {years}", field="years")
    if step_min <= 0 or step_min % STEP_MIN or 1440 % step_min:
        raise InputError(f"step must be a multiple of {STEP_MIN} min that divides a day, got {step_min}", field="step_min")
    params = params or load_synthetic_parameters("beijing")
    rng = np.random.default_rng(seed)
    days = pd.date_range(f"{start_year}-01-01", f"{start_year + years - 1}-12-31", freq="D")
    daily = simulate_daily_depth_mm(params, days, rng)
    wet = np.flatnonzero(daily > 0)
    fine = np.zeros((len(days), 1440 // STEP_MIN))
    fine[wet] = cascade_disaggregate(daily[wet], params, rng)
    per_step = fine.reshape(len(days), -1, step_min // STEP_MIN).sum(axis=2).ravel()
    index = pd.date_range(days[0], periods=per_step.size, freq=f"{step_min}min", name="timestamp")
    series = pd.Series(per_step, index=index, name="depth_mm")
    series.attrs.update(synthetic=True, model=MODEL, parameters=params.name, seed=seed)
    return series
