"""CO2 factors of bought energy: grid electricity and district heat, as cited data.

The factors, each with its source, confidence mark and year, are in ``data/emission_factors.toml``.
The buildings area keeps its own table (areas do not import each other); its grid rows repeat
the wastewater area's under the same names, and a test checks that they agree.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ecocity.errors import InputError

_DATA = "data/emission_factors.toml"
#: Carriers of the table: ``grid`` (electricity) and ``district_heat``.
CARRIERS: tuple[str, ...] = ("grid", "district_heat")


@cache
def factors() -> Mapping[str, Any]:
    """The emission factors with their sources (``data/emission_factors.toml``)."""
    text = resources.files("ecocity.buildings").joinpath(_DATA).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


@dataclass(frozen=True)
class EmissionFactor:
    """CO2 emitted per kWh of a carrier delivered to a building. [kg CO2e/kWh]

    ``name`` is the table's name, or ``"user"`` for a given number; ``carrier`` ``grid`` or
    ``district_heat``; ``year`` of the data (None for a user's number).
    """

    name: str
    carrier: str
    kg_co2e_per_kwh: float
    year: int | None
    source: str
    confidence: str


def _factor(carrier: str, value: str | float) -> EmissionFactor:
    what = "grid factor" if carrier == "grid" else "district-heat factor"
    if isinstance(value, str):
        table = factors()[carrier]
        if value not in table:
            raise InputError(f"{what} {value!r} is not known; use one of {', '.join(sorted(table))} "
                             "or a number in kg CO2e/kWh", file=_DATA, field=carrier)
        row = table[value]
        return EmissionFactor(value, carrier, float(row["kg_co2_per_kwh"]), int(row["year"]), row["source"],
                              row["confidence"])
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise InputError(f"{what} must be a known name or a number ≥ 0 in kg CO2e/kWh, got {value!r}", field=carrier)
    return EmissionFactor("user", carrier, float(value), None, "given by the user", "user")


def grid_factor(grid: str | float) -> EmissionFactor:
    """The grid electricity factor by name (``"beijing-2022"``, ``"denmark-2023"``…) or a number. [kg CO2e/kWh]

    Raises
    ------
    InputError
        For an unknown name (the message lists the known ones) or a negative number.

    Examples
    --------
    >>> grid_factor("china-2023").kg_co2e_per_kwh
    0.5306
    """
    return _factor("grid", grid)


def heat_factor(heat: str | float) -> EmissionFactor:
    """The district-heat factor by name (``"copenhagen-hofor-2021"``…) or a number. [kg CO2e/kWh]

    Raises
    ------
    InputError
        For an unknown name (the message lists the known ones) or a negative number.

    Examples
    --------
    >>> heat_factor("copenhagen-hofor-2021").kg_co2e_per_kwh
    0.034
    """
    return _factor("district_heat", heat)
