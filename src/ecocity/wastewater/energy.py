"""Biogas to energy at a wastewater plant: gas-engine CHP, boiler, flare, and the energy balance.

Pure functions over a plant run's daily means or time series (each element one equal time
step, every rate per day): methane production [kg CH4/d], the digester's heat demand [kWh/d]
(BSM2's HE) and the plant's electricity use [kWh/d] by use (aeration, pumping, mixing, other).
The result, :class:`EnergyBalance`, holds the means over the steps [kWh/d] and the
self-sufficiency ratios, reported separately for electricity and heat (as Danish utilities do)
and for the total.

Dispatch in each time step (no gas holder: each step's gas is used or flared in that step):

1. The CHP takes the gas up to its capacity (``"electricity-led"``, the default) or only as much
   as gives the heat demand (``"heat-led"``). With several engines, the fewest that can take
   the gas run, sharing it equally; an engine below its minimum load stops (the curve's lowest
   load point), and if equal sharing would put every running engine below it, one engine fewer
   runs at full load.
2. The boiler burns the remaining gas to cover the heat the CHP leaves short; heat it cannot
   cover is bought in (``external_heat_kwh_per_d``).
3. The rest of the gas is flared.

CHP heat above the demand is dumped (cooler). Electricity is netted per time step: the grid
covers what the CHP leaves short; what it makes beyond the use is exported.

Defaults, each with its source, are in ``data/energy_bsm2.toml``: the BSM2 methane energy
content (50.014 MJ/kg, official ``perf_plant_bsm2.m``), the part-load curves of a 2G agenitor
206 BG biogas engine (manufacturer datasheet) and of bsm2-python's energy-management plant,
two engines of 610 kW gas input, a boiler of efficiency 0.9, a CHP methane slip of 1.5 % (the
spark-ignition engine factor of the KlicK tool, slowtec/klick).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from ecocity.errors import InputError

#: Megajoules per kilowatt-hour.
MJ_PER_KWH = 3.6
#: The dispatch rules for the CHP.
MODES: tuple[str, ...] = ("electricity-led", "heat-led")
_DATA = "data/energy_bsm2.toml"
_BISECTION_STEPS = 60


@cache
def defaults() -> Mapping[str, Any]:
    """The energy defaults with their sources (``data/energy_bsm2.toml``)."""
    text = resources.files("ecocity.wastewater").joinpath(_DATA).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def _value(section: str, name: str) -> float:
    return float(defaults()[section][name]["value"])


def methane_energy_kwh_per_kg() -> float:
    """Energy content of methane, the BSM2 value 50.014 MJ/kg in kWh/kg (13.893). [kWh/kg]

    References
    ----------
    IEA/Lund ``perf_plant_bsm2.m`` (U. Jeppsson, 2008): methane energy ``MP*50.014/3.6`` kWh/d.
    """
    return _value("methane", "energy_mj_per_kg") / MJ_PER_KWH


# --- containers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChpCurve:
    """Part-load efficiencies of a gas engine, linear between points.

    Parameters
    ----------
    name
        The curve's name.
    load
        Load points, strictly increasing, the last 1. The first is the minimum load. [-]
        (fraction of the rated gas input)
    electrical_efficiency
        Electrical efficiency at each load point, on the gas's LHV. [-]
    thermal_efficiency
        Useful-heat efficiency at each load point, on the gas's LHV. [-]
    """

    name: str
    load: tuple[float, ...]
    electrical_efficiency: tuple[float, ...]
    thermal_efficiency: tuple[float, ...]

    def __post_init__(self) -> None:
        load = np.asarray(self.load, dtype=float)
        el = np.asarray(self.electrical_efficiency, dtype=float)
        th = np.asarray(self.thermal_efficiency, dtype=float)
        record = f"CHP curve {self.name!r}"
        if not (load.size >= 1 and load.size == el.size == th.size):
            raise InputError("load, electrical_efficiency and thermal_efficiency need the same "
                             "number of points (at least one)", record=record, field="load")
        if load[-1] != 1.0 or load[0] <= 0.0 or np.any(np.diff(load) <= 0.0):
            raise InputError(f"load points must increase strictly from above 0 to 1, got {self.load}",
                             record=record, field="load")
        if np.any(el < 0.0) or np.any(th < 0.0) or np.any(el + th > 1.0):
            raise InputError("efficiencies must be ≥ 0 and electrical + thermal ≤ 1 at every point",
                             record=record, field="electrical_efficiency")

    @property
    def minimum_load(self) -> float:
        """The lowest load the engine runs at. [-]"""
        return self.load[0]

    def efficiencies(self, load: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Electrical and thermal efficiency [-] at ``load`` [-]; zero below the minimum load."""
        load = np.asarray(load, dtype=float)
        running = load >= self.minimum_load * (1.0 - 1e-12)
        el = np.where(running, np.interp(load, self.load, self.electrical_efficiency), 0.0)
        th = np.where(running, np.interp(load, self.load, self.thermal_efficiency), 0.0)
        return el, th


@dataclass(frozen=True)
class ChpPlant:
    """Identical gas engines with one part-load curve.

    Parameters
    ----------
    curve
        The engines' part-load curve.
    units
        Number of engines. [-]
    rated_gas_input_kw
        Rated gas (LHV) input of one engine. [kW]
    methane_slip_fraction
        Methane leaving the engines unburned, as a fraction of their methane input. [-]
    """

    curve: ChpCurve
    units: int
    rated_gas_input_kw: float
    methane_slip_fraction: float

    def __post_init__(self) -> None:
        if int(self.units) != self.units or self.units < 0:
            raise InputError(f"units must be a whole number ≥ 0, got {self.units}", field="units")
        if not self.rated_gas_input_kw > 0.0:
            raise InputError(f"rated_gas_input_kw must be > 0, got {self.rated_gas_input_kw}",
                             field="rated_gas_input_kw")
        if not 0.0 <= self.methane_slip_fraction < 1.0:
            raise InputError(f"methane_slip_fraction must be in [0, 1), got {self.methane_slip_fraction}",
                             field="methane_slip_fraction")

    @property
    def rated_electrical_kw(self) -> float:
        """Rated electrical output of one engine at full load. [kW]"""
        return self.rated_gas_input_kw * self.curve.electrical_efficiency[-1]


@dataclass(frozen=True)
class EnergySystem:
    """A plant's biogas-to-energy equipment and dispatch rule.

    Parameters
    ----------
    chp
        The CHP engines.
    boiler_efficiency
        Boiler efficiency on the gas's LHV. [-]
    methane_energy_kwh_per_kg
        Energy content (LHV) of methane. [kWh/kg]
    mode
        ``"electricity-led"`` (CHP takes the gas up to its capacity) or ``"heat-led"`` (CHP
        takes only the gas whose heat the digester needs).
    """

    chp: ChpPlant
    boiler_efficiency: float
    methane_energy_kwh_per_kg: float
    mode: Literal["electricity-led", "heat-led"] = "electricity-led"

    def __post_init__(self) -> None:
        if not 0.0 < self.boiler_efficiency <= 1.0:
            raise InputError(f"boiler_efficiency must be in (0, 1], got {self.boiler_efficiency}",
                             field="boiler_efficiency")
        if not self.methane_energy_kwh_per_kg > 0.0:
            raise InputError("methane_energy_kwh_per_kg must be > 0", field="methane_energy_kwh_per_kg")
        if self.mode not in MODES:
            raise InputError(f"mode {self.mode!r} is not known; use one of {', '.join(MODES)}",
                             field="mode")


def chp_curve(name: str = "2g-agenitor-206bg") -> ChpCurve:
    """A cited part-load curve by name (``"2g-agenitor-206bg"`` or ``"bsm2-python"``).

    Raises
    ------
    InputError
        For an unknown name; the message lists the known ones.
    """
    curves = defaults()["chp_curves"]
    if name not in curves:
        raise InputError(f"CHP curve {name!r} is not known; use one of {', '.join(sorted(curves))}",
                         file=_DATA, field="curve")
    c = curves[name]
    return ChpCurve(name, tuple(c["load"]), tuple(c["electrical_efficiency"]),
                    tuple(c["thermal_efficiency"]))


def bsm2_energy_system(
    *,
    curve: str | ChpCurve | None = None,
    units: int | None = None,
    rated_gas_input_kw: float | None = None,
    methane_slip_fraction: float | None = None,
    boiler_efficiency: float | None = None,
    mode: Literal["electricity-led", "heat-led"] = "electricity-led",
) -> EnergySystem:
    """The default BSM2 energy system (``data/energy_bsm2.toml``), any value overridden."""
    chp = defaults()["chp"]
    if curve is None or isinstance(curve, str):
        curve = chp_curve(curve or chp["curve"])
    plant = ChpPlant(
        curve=curve,
        units=int(chp["units"]["value"]) if units is None else units,
        rated_gas_input_kw=_value("chp", "rated_gas_input_kw") if rated_gas_input_kw is None
        else float(rated_gas_input_kw),
        methane_slip_fraction=_value("chp", "methane_slip_fraction") if methane_slip_fraction is None
        else float(methane_slip_fraction))
    return EnergySystem(
        chp=plant,
        boiler_efficiency=_value("boiler", "efficiency") if boiler_efficiency is None
        else float(boiler_efficiency),
        methane_energy_kwh_per_kg=methane_energy_kwh_per_kg(), mode=mode)


# --- the CHP and the dispatch ------------------------------------------------------------------


def chp_output(gas_kwh_per_d: ArrayLike, plant: ChpPlant) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gas the CHP takes, electricity and heat it makes, for the gas offered in each step.

    Parameters
    ----------
    gas_kwh_per_d
        Gas (LHV) offered to the CHP. [kWh/d]
    plant
        The engines.

    Returns
    -------
    gas, electricity, heat
        Gas taken, electricity and useful heat made. [kWh/d]

    Notes
    -----
    With capacity C = 24·P_gas per engine, the fewest engines that can take the gas G run,
    n = min(units, ⌈G/C⌉), each at load x = min(1, G/(n·C)). If x is below the minimum load,
    n − 1 engines run at full load instead (none when n = 1). Electricity = n·x·C·η_el(x),
    heat = n·x·C·η_th(x), with η linear between the curve's points.
    """
    gas = np.asarray(gas_kwh_per_d, dtype=float)
    capacity = 24.0 * plant.rated_gas_input_kw
    if plant.units == 0:
        zero = np.zeros_like(gas)
        return zero, zero, zero
    n = np.clip(np.ceil(gas / capacity - 1e-12), 1, plant.units)
    load = np.minimum(1.0, gas / (n * capacity))
    too_low = load < plant.curve.minimum_load * (1.0 - 1e-12)
    n = np.where(too_low, n - 1, n)
    load = np.where(too_low, 1.0, load)
    taken = n * load * capacity
    el, th = plant.curve.efficiencies(load)
    return taken, taken * el, taken * th


def _heat_led_gas(gas: np.ndarray, demand: np.ndarray, plant: ChpPlant) -> np.ndarray:
    """The most gas the CHP may take without making more heat than the demand. [kWh/d]

    The CHP's heat does not decrease with the gas offered, so bisection finds it.
    """
    low = np.zeros_like(gas)
    high = gas.copy()
    fits = chp_output(high, plant)[2] <= demand
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (low + high)
        ok = chp_output(mid, plant)[2] <= demand
        low = np.where(ok, mid, low)
        high = np.where(ok, high, mid)
    return np.where(fits, gas, low)


def _series(value: ArrayLike, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value, dtype=float))
    if array.ndim != 1 or not np.all(np.isfinite(array)) or np.any(array < 0.0):
        raise InputError(f"{name} must be finite values ≥ 0 (a number or a 1-D series)", field=name)
    return array


@dataclass(frozen=True)
class EnergyBalance:
    """A plant's energy balance: means over the run's time steps. [kWh/d unless named]

    Attributes hold the flows; the properties the sums and ratios. Closure:
    ``gas_energy = chp_electricity + chp_heat + boiler_heat + losses + flared``, where
    ``chp_heat = chp_heat_used + heat_dumped``.
    """

    gas_energy_kwh_per_d: float
    chp_gas_kwh_per_d: float
    boiler_gas_kwh_per_d: float
    flared_kwh_per_d: float
    chp_electricity_kwh_per_d: float
    chp_heat_kwh_per_d: float
    chp_heat_used_kwh_per_d: float
    heat_dumped_kwh_per_d: float
    boiler_heat_kwh_per_d: float
    chp_losses_kwh_per_d: float
    boiler_losses_kwh_per_d: float
    heat_demand_kwh_per_d: float
    external_heat_kwh_per_d: float
    electricity_use_kwh_per_d: Mapping[str, float]
    grid_import_kwh_per_d: float
    export_kwh_per_d: float
    methane_kg_per_d: float
    chp_methane_slip_kg_per_d: float
    flared_methane_kg_per_d: float
    biogas_m3_per_d: float | None = None
    treated_m3_per_d: float | None = None

    @property
    def losses_kwh_per_d(self) -> float:
        """Conversion losses of CHP and boiler (CHP methane slip included). [kWh/d]"""
        return self.chp_losses_kwh_per_d + self.boiler_losses_kwh_per_d

    @property
    def electricity_used_kwh_per_d(self) -> float:
        """The plant's electricity use, all uses. [kWh/d]"""
        return float(sum(self.electricity_use_kwh_per_d.values()))

    @property
    def useful_heat_kwh_per_d(self) -> float:
        """Heat from biogas that meets the demand (CHP heat used + boiler heat). [kWh/d]"""
        return self.chp_heat_used_kwh_per_d + self.boiler_heat_kwh_per_d

    @property
    def electricity_self_sufficiency(self) -> float:
        """CHP electricity / electricity used [-]; NaN when nothing is used; may exceed 1."""
        return _ratio(self.chp_electricity_kwh_per_d, self.electricity_used_kwh_per_d)

    @property
    def heat_self_sufficiency(self) -> float:
        """Useful heat from biogas / heat demand [-]; NaN without demand; at most 1."""
        return _ratio(self.useful_heat_kwh_per_d, self.heat_demand_kwh_per_d)

    @property
    def total_self_sufficiency(self) -> float:
        """(CHP electricity + useful heat) / (electricity used + heat demand) [-]."""
        return _ratio(self.chp_electricity_kwh_per_d + self.useful_heat_kwh_per_d,
                      self.electricity_used_kwh_per_d + self.heat_demand_kwh_per_d)

    @property
    def electricity_kwh_per_m3(self) -> float | None:
        """Electricity used per m³ treated [kWh/m³]; None without the treated flow."""
        return None if not self.treated_m3_per_d else self.electricity_used_kwh_per_d / self.treated_m3_per_d

    @property
    def grid_electricity_kwh_per_m3(self) -> float | None:
        """Grid electricity bought per m³ treated [kWh/m³]; None without the treated flow."""
        return None if not self.treated_m3_per_d else self.grid_import_kwh_per_d / self.treated_m3_per_d

    @property
    def closure_error_kwh_per_d(self) -> float:
        """Gas energy − (electricity + CHP heat + boiler heat + losses + flared). [kWh/d]"""
        return self.gas_energy_kwh_per_d - (self.chp_electricity_kwh_per_d + self.chp_heat_kwh_per_d
                                            + self.boiler_heat_kwh_per_d + self.losses_kwh_per_d
                                            + self.flared_kwh_per_d)

    def as_dict(self) -> dict[str, Any]:
        """The balance as a JSON-able dict (the plant results' ``energy`` key); a NaN ratio
        becomes None."""
        out: dict[str, Any] = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["electricity_use_kwh_per_d"] = dict(self.electricity_use_kwh_per_d)
        for name in ("losses_kwh_per_d", "electricity_used_kwh_per_d", "useful_heat_kwh_per_d",
                     "electricity_self_sufficiency", "heat_self_sufficiency", "total_self_sufficiency",
                     "electricity_kwh_per_m3", "grid_electricity_kwh_per_m3", "closure_error_kwh_per_d"):
            value = getattr(self, name)
            out[name] = None if isinstance(value, float) and value != value else value
        return out


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0.0 else float("nan")


def energy_balance(
    methane_kg_per_d: ArrayLike,
    heat_demand_kwh_per_d: ArrayLike,
    electricity_use_kwh_per_d: Mapping[str, ArrayLike],
    *,
    system: EnergySystem | None = None,
    treated_m3_per_d: float | None = None,
    biogas_m3_per_d: float | None = None,
) -> EnergyBalance:
    """The energy balance of a plant run: biogas through CHP, boiler and flare.

    Parameters
    ----------
    methane_kg_per_d
        Methane produced, a daily mean or a series of equal time steps. [kg CH4/d]
    heat_demand_kwh_per_d
        Digester heat demand (BSM2's HE), same shape or a number. [kWh/d]
    electricity_use_kwh_per_d
        Electricity use by use (``aeration``, ``pumping``, ``mixing``, ``other``), each the same
        shape or a number. [kWh/d]
    system
        The equipment and dispatch rule; default :func:`bsm2_energy_system`.
    treated_m3_per_d
        Mean treated flow, for the kWh/m³ figures. [m³/d]
    biogas_m3_per_d
        Mean biogas flow, carried for information. [m³/d]

    Returns
    -------
    EnergyBalance
        Means over the time steps. [kWh/d]

    Raises
    ------
    InputError
        Negative or non-finite inputs, or series of different lengths.

    Notes
    -----
    Gas energy E = m_CH4 · e_CH4 with e_CH4 = 50.014/3.6 kWh/kg (``perf_plant_bsm2.m``). The
    dispatch is in the module's docstring and :func:`chp_output`.
    """
    system = bsm2_energy_system() if system is None else system
    methane = _series(methane_kg_per_d, "methane_kg_per_d")
    demand = _series(heat_demand_kwh_per_d, "heat_demand_kwh_per_d")
    if not electricity_use_kwh_per_d:
        raise InputError("electricity_use_kwh_per_d needs at least one use", field="electricity_use_kwh_per_d")
    uses = {str(k): _series(v, f"electricity_use_kwh_per_d[{k!r}]") for k, v in electricity_use_kwh_per_d.items()}
    try:
        shape = np.broadcast_shapes(methane.shape, demand.shape, *(u.shape for u in uses.values()))
    except ValueError as err:
        raise InputError("the series have different lengths; give each time step once in every "
                         "series, or a single number", field="methane_kg_per_d") from err
    methane, demand = np.broadcast_to(methane, shape), np.broadcast_to(demand, shape)
    used = np.broadcast_to(sum(uses.values()), shape)

    e_ch4 = system.methane_energy_kwh_per_kg
    gas = methane * e_ch4
    offered = _heat_led_gas(gas, demand, system.chp) if system.mode == "heat-led" else gas
    chp_gas, el, chp_heat = chp_output(offered, system.chp)
    chp_heat_used = np.minimum(chp_heat, demand)
    short = demand - chp_heat_used
    left = gas - chp_gas
    boiler_gas = np.minimum(left, short / system.boiler_efficiency)
    boiler_heat = boiler_gas * system.boiler_efficiency
    flared = left - boiler_gas
    slip_kg = chp_gas / e_ch4 * system.chp.methane_slip_fraction

    def mean(x: np.ndarray) -> float:
        return float(np.mean(x))

    return EnergyBalance(
        gas_energy_kwh_per_d=mean(gas), chp_gas_kwh_per_d=mean(chp_gas),
        boiler_gas_kwh_per_d=mean(boiler_gas), flared_kwh_per_d=mean(flared),
        chp_electricity_kwh_per_d=mean(el), chp_heat_kwh_per_d=mean(chp_heat),
        chp_heat_used_kwh_per_d=mean(chp_heat_used), heat_dumped_kwh_per_d=mean(chp_heat - chp_heat_used),
        boiler_heat_kwh_per_d=mean(boiler_heat),
        chp_losses_kwh_per_d=mean(chp_gas - el - chp_heat),
        boiler_losses_kwh_per_d=mean(boiler_gas - boiler_heat),
        heat_demand_kwh_per_d=mean(demand), external_heat_kwh_per_d=mean(short - boiler_heat),
        electricity_use_kwh_per_d={k: mean(np.broadcast_to(v, shape)) for k, v in uses.items()},
        grid_import_kwh_per_d=mean(np.maximum(used - el, 0.0)),
        export_kwh_per_d=mean(np.maximum(el - used, 0.0)),
        methane_kg_per_d=mean(methane), chp_methane_slip_kg_per_d=mean(slip_kg),
        flared_methane_kg_per_d=mean(flared / e_ch4),
        biogas_m3_per_d=None if biogas_m3_per_d is None else float(biogas_m3_per_d),
        treated_m3_per_d=None if treated_m3_per_d is None else float(treated_m3_per_d))
