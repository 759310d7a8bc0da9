"""Energy benchmarks against standards: GB/T 51161-2016 indicators, Danish energy labels, percentiles.

Every benchmark value is cited data under ``data/`` (``gbt51161.toml``, ``danish_labels.toml``)
with its source and confidence mark. GB/T 51161-2016's own tables were not read: only the rows
found in one published secondary source are shipped (flagged ``secondary_source``); every other
building type and climate zone -- Beijing's cold zone included -- has no value, and the
assessment then says ``"not verified"`` instead of inventing one (see
``the team's reference notes shared/references/buildings.md`` sec. 1 and ``docs/buildings/benchmarks-and-flags.md``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from ecocity.errors import InputError

_GBT = "data/gbt51161.toml"
_DK = "data/danish_labels.toml"

#: Verdicts of :func:`gbt51161_assessment`.
VERDICTS: tuple[str, ...] = ("meets guide", "meets constraint", "exceeds constraint", "not verified")


@cache
def _load(name: str) -> Mapping[str, Any]:
    text = resources.files("ecocity.buildings").joinpath(name).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def gbt51161_data() -> Mapping[str, Any]:
    """The GB/T 51161-2016 indicator and correction data with their sources (``data/gbt51161.toml``)."""
    return _load(_GBT)


def danish_label_data() -> Mapping[str, Any]:
    """The Danish energy-label scale with its sources (``data/danish_labels.toml``)."""
    return _load(_DK)


def _positive(x: float, field: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float | np.floating | np.integer) \
            or not math.isfinite(x) or x <= 0:
        raise InputError(f"{field} must be a finite number > 0, got {x!r}", field=field)
    return float(x)


def eui_kwh_per_m2(annual_kwh: float, floor_area_m2: float) -> float:
    """Energy use intensity. [kWh/(m² a)]

    Parameters
    ----------
    annual_kwh
        Energy use over one year. [kWh/a]
    floor_area_m2
        Floor area the standard refers to (GB/T 51161: building floor area; Danish labels:
        heated floor area). [m²]

    Raises
    ------
    InputError
        For a negative or non-finite use, or an area that is not > 0.
    """
    if not math.isfinite(annual_kwh) or annual_kwh < 0:
        raise InputError(f"annual use must be a finite number ≥ 0 kWh, got {annual_kwh!r}", field="annual_kwh")
    return float(annual_kwh) / _positive(floor_area_m2, "floor_area_m2")


def climate_zone(zone_or_city: str) -> str:
    """The GB 50176 climate-zone key for a zone key or a known city name (``"beijing"``)."""
    zones = gbt51161_data()["zones"]
    key = zone_or_city.strip().lower().replace(" ", "_").replace("-", "_")
    if key in zones:
        return key
    for zone, entry in zones.items():
        if key in entry["cities"]:
            return zone
    raise InputError(f"climate zone or city {zone_or_city!r} is not known; use a zone "
                     f"({', '.join(sorted(zones))}) or one of their cities", file=_GBT, field="climate_zone")


def office_use_time_factor(use_hours_per_a: float, reference_hours_per_a: float = 2500.0) -> float:
    """GB/T 51161-2016 use-time correction factor γ1 = 0.3 + 0.7 · T0/T. [-]

    Parameters
    ----------
    use_hours_per_a
        Actual annual use time T. [h/a]
    reference_hours_per_a
        Reference use time T0 (offices 2 500 h/a). [h/a]

    Notes
    -----
    Longer use than T0 gives γ1 < 1 (the measured EUI is scaled down). Source: the office
    correction of GB/T 51161-2016 as implemented in public audit code (secondary, [1]).
    """
    t = _positive(use_hours_per_a, "use_hours")
    return 0.3 + 0.7 * reference_hours_per_a / t


def office_occupancy_factor(area_per_person_m2: float, reference_area_per_person_m2: float = 10.0) -> float:
    """GB/T 51161-2016 occupant-density correction factor γ2 = 0.7 + 0.3 · S/S0. [-]

    Parameters
    ----------
    area_per_person_m2
        Building floor area per occupant S. [m²/person]
    reference_area_per_person_m2
        Reference S0 (offices 10 m²/person). [m²/person]
    """
    s = _positive(area_per_person_m2, "occupancy")
    return 0.7 + 0.3 * s / reference_area_per_person_m2


@dataclass(frozen=True)
class Gbt51161Assessment:
    """A measured EUI against the GB/T 51161-2016 indicators of its type and zone.

    ``constraint_kwh_per_m2`` / ``guide_kwh_per_m2`` are None where the standard's value is not
    verified (not shipped); the verdict is then ``"not verified"``. ``corrected_eui_kwh_per_m2``
    is the measured value times the use-time and occupancy factors (1 where not given).
    """

    building_type: str
    climate_zone: str
    eui_kwh_per_m2: float
    use_time_factor: float
    occupancy_factor: float
    corrected_eui_kwh_per_m2: float
    constraint_kwh_per_m2: float | None
    guide_kwh_per_m2: float | None
    verdict: str
    confidence: str | None
    source: str | None
    note: str


def gbt51161_indicators(building_type: str, zone_or_city: str, table: Any = None) -> Mapping[str, Any] | None:
    """The indicator record for a type and zone, or None where not verified.

    A user's table (:class:`~ecocity.buildings.user_indicators.IndicatorTable`) comes first; then
    the shipped rows.
    """
    zone = climate_zone(zone_or_city)
    if table is not None and (rec := table.get(building_type, zone)) is not None:
        return rec
    return gbt51161_data()["indicators"].get(building_type, {}).get(zone)


def gbt51161_assessment(building_type: str, zone_or_city: str, eui: float, *,
                        use_hours: float | None = None,
                        occupancy: float | None = None, table: Any = None) -> Gbt51161Assessment:
    """Compare a measured non-heating EUI with the GB/T 51161-2016 constraint and guide values.

    Parameters
    ----------
    building_type
        ``"office_a"``, ``"office_b"`` (class A: natural ventilation possible; B: mechanical
        ventilation and air conditioning all year), ``"hotel_3star"``, ``"mall"`` … Types
        without a shipped value get ``"not verified"``.
    zone_or_city
        Climate-zone key or a city (``"beijing"`` → ``severe_cold_and_cold``).
    eui
        Measured non-heating EUI, (total − heating − transport) / area. [kWh/(m² a)]
    use_hours
        Actual annual use time T for the use-time correction γ1 (offices; malls only with a
        reference time T0 from the user's table, the shipped one being doubtful). [h/a]
    occupancy
        Floor area per person S for the occupancy correction γ2 (offices; others with S0 from the
        user's table). [m²/person]
    table
        The user's own GB/T 51161 rows (:func:`~ecocity.buildings.user_indicators.read_indicator_table`),
        used before the shipped ones; their confidence is ``"user"``.

    Returns
    -------
    Gbt51161Assessment
        Verdict ``"meets guide"`` (corrected EUI ≤ guide), ``"meets constraint"``
        (≤ constraint), ``"exceeds constraint"``, or ``"not verified"``.

    Notes
    -----
    E_corr = E · γ1 · γ2 with γ1 = 0.3 + 0.7 T0/T, γ2 = 0.7 + 0.3 S/S0 (offices T0 = 2 500 h/a,
    S0 = 10 m²/person). The correction formulas and the only shipped rows (hot-summer-cold-
    winter offices, Liu & Ren 2018 Table 7) come from secondary sources ([1]).

    References
    ----------
    GB/T 51161-2016 民用建筑能耗标准, clauses 5.2 (tables not read);
    Liu Q. & Ren J., Energy Sustain. Soc. 8 (2018), doi:10.1186/s13705-018-0165-0, Table 7.
    """
    zone = climate_zone(zone_or_city)
    if not math.isfinite(eui) or eui < 0:
        raise InputError(f"EUI must be a finite number ≥ 0 kWh/(m² a), got {eui!r}", field="eui")
    family = "office" if building_type.startswith("office") else "mall" if building_type == "mall" else None
    rec = gbt51161_indicators(building_type, zone, table)
    corr = dict(gbt51161_data()["corrections"].get(family, {})) if family else {}
    if corr.get("doubtful"):
        corr = {}                          # a reference value marked doubtful is not applied by itself
    for key in ("reference_use_hours_per_a", "reference_area_per_person_m2"):
        if rec is not None and rec.get(key) is not None:
            corr[key] = rec[key]           # the user's copy of the standard gives it
    g1 = g2 = 1.0
    notes = []
    if use_hours is not None:
        if "reference_use_hours_per_a" in corr:
            g1 = office_use_time_factor(use_hours, corr["reference_use_hours_per_a"])
        else:
            notes.append(f"no verified use-time correction for {building_type!r}; not applied")
    if occupancy is not None:
        if "reference_area_per_person_m2" in corr:
            g2 = office_occupancy_factor(occupancy, corr["reference_area_per_person_m2"])
        else:
            notes.append(f"no verified occupancy correction for {building_type!r}; not applied")
    corrected = float(eui) * g1 * g2
    if rec is None:
        notes.insert(0, f"GB/T 51161-2016 values for {building_type!r} in zone {zone!r} were not found in "
                        "any readable source and are not shipped; give them from your copy of the standard "
                        "in a gbt51161.csv table")
        return Gbt51161Assessment(building_type, zone, float(eui), g1, g2, corrected, None, None,
                                  "not verified", None, None, "; ".join(notes))
    constraint, guide = float(rec["constraint_kwh_per_m2"]), float(rec["guide_kwh_per_m2"])
    verdict = ("meets guide" if corrected <= guide else "meets constraint" if corrected <= constraint
               else "exceeds constraint")
    if rec.get("secondary_source"):
        notes.insert(0, "secondary source: the standard's own table was not read")
    if rec.get("user_supplied"):
        notes.insert(0, "values from the user's table, not checked by ecocity")
    return Gbt51161Assessment(building_type, zone, float(eui), g1, g2, corrected, constraint, guide,
                              verdict, rec["confidence"], rec["source"], "; ".join(notes))


def danish_label_bounds(building_category: str, floor_area_m2: float) -> dict[str, float]:
    """Upper primary-energy bound of each Danish label class A2020…F. [kWh/(m² a)]

    bound = constant + area_term / A (2018 scale; hbemo HB2016 sec. 9.2.3, BR18 §§474-475).
    """
    cats = danish_label_data()["categories"]
    if building_category not in cats:
        raise InputError(f"building category {building_category!r} is not known; use one of "
                         f"{', '.join(sorted(cats))}", file=_DK, field="building_category")
    a = _positive(floor_area_m2, "floor_area_m2")
    cat = cats[building_category]
    return {cls: cat[cls]["constant"] + cat[cls]["area_term"] / a
            for cls in danish_label_data()["order"] if cls in cat}


def danish_label(primary_energy_kwh_per_m2: float, building_category: str, floor_area_m2: float) -> str:
    """The Danish energy-label class (``"A2020"``, ``"A2015"``, ``"A2010"``, ``"B"`` … ``"G"``).

    Parameters
    ----------
    primary_energy_kwh_per_m2
        Calculated primary energy (delivered × energy factor: electricity 1.9, district
        heating 0.85) for heating, ventilation, cooling, hot water and, non-residential,
        lighting. [kWh/(m² a)]
    building_category
        ``"non_residential"`` or ``"residential"``.
    floor_area_m2
        Heated floor area A. [m²]

    Notes
    -----
    The best class whose bound the value meets (E ≤ bound); ``"G"`` above the F bound.
    """
    if not math.isfinite(primary_energy_kwh_per_m2) or primary_energy_kwh_per_m2 < 0:
        raise InputError("primary energy must be a finite number ≥ 0 kWh/(m² a), got "
                         f"{primary_energy_kwh_per_m2!r}", field="primary_energy_kwh_per_m2")
    for cls, bound in danish_label_bounds(building_category, floor_area_m2).items():
        if primary_energy_kwh_per_m2 <= bound:
            return cls
    return "G"


def danish_primary_energy_kwh_per_m2(electricity_kwh: float, district_heat_kwh: float,
                                     floor_area_m2: float, other_heat_kwh: float = 0.0) -> float:
    """Primary energy per heated area with the Danish energy factors (el 1.9, DH 0.85). [kWh/(m² a)]"""
    f = danish_label_data()["energy_factors"]
    total = (f["electricity"] * electricity_kwh + f["district_heating"] * district_heat_kwh
             + f["other_heat"] * other_heat_kwh)
    return total / _positive(floor_area_m2, "floor_area_m2")


def portfolio_percentile(value: float, values: Sequence[float] | np.ndarray) -> float:
    """Percentile of ``value`` in a portfolio: share of values ≤ it, in percent. [%]

    The "weak" definition (``scipy.stats.percentileofscore(kind="weak")``): 100 % is the
    highest EUI in the portfolio; NaNs are ignored.
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        raise InputError("portfolio has no finite values to rank against", field="values")
    return float(100.0 * np.count_nonzero(arr <= value) / arr.size)
