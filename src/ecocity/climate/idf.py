"""Storm-intensity formulas (暴雨强度公式) of Chinese practice.

q = A (1 + C lg P) / (t + b)^n, with q the mean design intensity over a duration t [min] for a
return period P [yr], in L/(s·hm²) (GB 50014, the Outdoor Wastewater Engineering standard's
form). Parameter sets are cited data in ``climate/data/idf.toml``.

Unit conversion: 1 L/(s·hm²) over t minutes is 60·t L per 10⁴ m² = 0.006·t mm, so the depth
fallen over t is q · 0.006 · t [mm], and the intensity in mm/min is q / 166.7.
"""

from __future__ import annotations

import tomllib
import warnings
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ecocity.errors import InputError

MM_PER_L_PER_S_HA_MIN = 0.006
"""Depth [mm] of 1 L/(s·hm²) falling for one minute: 60 L / 10⁴ m² = 0.006 mm."""

IDF_FILE = "idf.toml"


class IdfParameters(BaseModel):
    """One storm-intensity formula's coefficients and provenance.

    ``A`` [L/(s·hm²)·min^n], ``C`` [-], ``b`` [min] and ``n`` [-] as in the standard's notation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    A: float = Field(gt=0.0, description="Rain-force parameter. [L/(s·hm²)·min^n]")
    C: float = Field(ge=0.0, description="Return-period parameter. [-]")
    b: float = Field(ge=0.0, description="Duration offset. [min]")
    n: float = Field(gt=0.0, lt=1.0, description="Decay exponent. [-]")
    title: str = ""
    source: str = "user-supplied"
    clause: str = ""
    confidence: Literal["V", "R2", "S1", "user"] = "user"
    max_duration_min: float | None = Field(None, gt=0.0, description="Longest valid duration. [min]")
    notes: str = ""


@cache
def _sets() -> dict[str, dict]:
    text = resources.files("ecocity.climate").joinpath("data", IDF_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)["sets"]


def idf_names() -> list[str]:
    """Names of the shipped parameter sets."""
    return sorted(_sets())


def load_idf(name: str) -> IdfParameters:
    """Load a shipped storm-intensity parameter set by name.

    Raises
    ------
    InputError
        If no set has that name.
    """
    sets = _sets()
    if name not in sets:
        raise InputError(f"unknown storm-intensity set {name!r}; known sets: {', '.join(idf_names())}", field="idf")
    try:
        return IdfParameters(name=name, **sets[name])
    except ValidationError as err:  # a packaging error, but say where
        raise InputError(f"invalid parameter set: {err}", file=IDF_FILE, record=name) from err


def parse_idf(text: str) -> IdfParameters:
    """Read user-supplied coefficients ``"A,C,b,n"``.

    Raises
    ------
    InputError
        If the text is not four numbers or they are out of range (A > 0, C ≥ 0, b ≥ 0, 0 < n < 1).
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        a, c, b, n = (float(p) for p in parts)
    except ValueError as err:
        raise InputError(f"expected four numbers 'A,C,b,n', got {text!r}", field="idf") from err
    try:
        return IdfParameters(name=f"user:{text.strip()}", A=a, C=c, b=b, n=n)
    except ValidationError as err:
        wrong = "; ".join(f"{e['loc'][0]} {e['msg']}" for e in err.errors())
        raise InputError(f"coefficients {text!r} out of range: {wrong}", field="idf") from err


def resolve_idf(name_or_coefficients: str) -> IdfParameters:
    """A shipped set by name, or user coefficients ``"A,C,b,n"`` (text containing commas)."""
    if "," in name_or_coefficients:
        return parse_idf(name_or_coefficients)
    return load_idf(name_or_coefficients)


def _check(params: IdfParameters, return_period_yr, duration_min) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(return_period_yr, dtype=float)
    t = np.asarray(duration_min, dtype=float)
    if np.isnan(p).any() or (p <= 0).any():
        raise InputError(f"return period must be positive, got {return_period_yr}", field="return_period_yr")
    if np.isnan(t).any() or (t <= 0).any():
        raise InputError(f"duration must be positive, got {duration_min}", field="duration_min")
    if (1.0 + params.C * np.log10(p) <= 0).any():
        raise InputError(
            f"return period {return_period_yr} yr is too short for set {params.name!r}: "
            f"1 + C lg P must be positive (P > {10 ** (-1 / params.C):.3g} yr)",
            field="return_period_yr",
        )
    if params.max_duration_min is not None and (t > params.max_duration_min).any():
        warnings.warn(
            f"duration {float(t.max()):g} min is beyond the {params.max_duration_min:g}-min validity of "
            f"storm-intensity set {params.name!r}",
            stacklevel=3,
        )
    return p, t


def _intensity(params: IdfParameters, p: np.ndarray, t: np.ndarray) -> np.ndarray:
    return params.A * (1.0 + params.C * np.log10(p)) / (t + params.b) ** params.n


def intensity_l_per_s_ha(params: IdfParameters, return_period_yr, duration_min):
    """Mean design storm intensity over a duration.

    Parameters
    ----------
    params
        The formula's coefficients.
    return_period_yr
        Return period P. [yr]
    duration_min
        Duration t. [min]

    Returns
    -------
    float or numpy.ndarray
        q = A (1 + C lg P) / (t + b)^n. [L/(s·hm²)]

    Raises
    ------
    InputError
        For P or t not positive, or P so short that 1 + C lg P ≤ 0.

    Warns
    -----
    UserWarning
        If t exceeds the set's ``max_duration_min``.

    References
    ----------
    GB 50014, Standard for design of outdoor wastewater engineering (the formula's form; clause
    not quoted here); the set's own ``source`` for its coefficients.

    Examples
    --------
    >>> round(float(intensity_l_per_s_ha(load_idf("beijing-classic-zone2"), 1, 60)), 1)
    99.6
    """
    p, t = _check(params, return_period_yr, duration_min)
    q = _intensity(params, p, t)
    return float(q) if q.ndim == 0 else q


def depth_mm(params: IdfParameters, return_period_yr, duration_min):
    """Design rainfall depth over a duration: q · 0.006 · t.

    Parameters and checks as :func:`intensity_l_per_s_ha`.

    Returns
    -------
    float or numpy.ndarray
        Depth fallen over ``duration_min``. [mm]
    """
    p, t = _check(params, return_period_yr, duration_min)
    depth = _intensity(params, p, t) * MM_PER_L_PER_S_HA_MIN * t
    return float(depth) if depth.ndim == 0 else depth
