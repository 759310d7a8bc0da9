"""Greenhouse-gas account of a wastewater plant in CO2-equivalent.

Pure functions: a plant run's nitrogen loads, methane flows and grid electricity in, a
:class:`GhgAccount` out, with each source in kg CO2e/d and t CO2e/yr (365 d), positive for
emissions and negative for emissions avoided by exported energy.

Sources (equations in ``docs/methods/energy-and-ghg.md``):

* N2O from treatment: EF_plant · N_influent · 44/28 · GWP_N2O, EF_plant = 0.016 kg N2O-N/kg N
  (IPCC 2019 Refinement, Vol. 5 Ch. 6, Table 6.8A, centralised aerobic plant), overridable with
  a measured factor;
* N2O from the effluent: EF_effluent · N_effluent · 44/28 · GWP_N2O, EF_effluent = 0.005 (same
  table);
* CH4 leaking from the digester (a fraction of the methane produced; an assumption, 1 %), CH4
  slipping through the CHP (from :mod:`ecocity.wastewater.energy`), CH4 left unburned by the
  flare (1 − destruction efficiency; an assumption, 98 %): kg CH4 · GWP_CH4;
* grid electricity bought: kWh · grid factor, the factor named (``"beijing-2022"``,
  ``"china-2023"``, ``"china-2022"``, ``"denmark-2023"``) or given as a number [kg CO2e/kWh];
* avoided: exported electricity · grid factor, and exported heat · a heat factor when one is
  given.

The biogenic CO2 from burning biogas is not counted (IPCC convention). Factors, each with its
source, confidence and year, are in ``data/ghg_factors.toml``; GWPs are AR6 (CH4 non-fossil
27.0, N2O 273) by default, AR5 (28, 265) by name.
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
from ecocity.wastewater.energy import EnergyBalance

#: Mass of N2O per mass of its nitrogen. [kg N2O/kg N2O-N]
N2O_PER_N2O_N = 44.0 / 28.0
#: Days in the account's year. [d/yr]
DAYS_PER_YEAR = 365.0
#: The sources of an account, in the order they are reported.
SOURCES: tuple[str, ...] = ("n2o_treatment", "n2o_effluent", "ch4_digester_leakage", "ch4_chp_slip",
                            "ch4_flare", "grid_electricity", "avoided_electricity", "avoided_heat")
_DATA = "data/ghg_factors.toml"


@cache
def factors() -> Mapping[str, Any]:
    """The emission factors and GWPs with their sources (``data/ghg_factors.toml``)."""
    text = resources.files("ecocity.wastewater").joinpath(_DATA).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def _value(section: str, name: str) -> float:
    return float(factors()[section][name]["value"])


@dataclass(frozen=True)
class GlobalWarmingPotentials:
    """100-year GWPs of one assessment report. [kg CO2e/kg]"""

    name: str
    ch4: float
    n2o: float
    source: str


@dataclass(frozen=True)
class GridFactor:
    """Emission factor of grid electricity. [kg CO2e/kWh]"""

    name: str
    kg_co2e_per_kwh: float
    year: int | None
    source: str
    confidence: str


def global_warming_potentials(name: str = "ar6") -> GlobalWarmingPotentials:
    """The GWP set by name (``"ar6"``, ``"ar5"``).

    Raises
    ------
    InputError
        For an unknown name; the message lists the known ones.
    """
    sets = factors()["gwp"]
    if name not in sets:
        raise InputError(f"GWP set {name!r} is not known; use one of {', '.join(sorted(sets))}",
                         file=_DATA, field="gwp")
    g = sets[name]
    return GlobalWarmingPotentials(name, float(g["CH4"]), float(g["N2O"]), g["source"])


def grid_factor(grid: str | float) -> GridFactor:
    """The grid electricity factor by name, or a given number [kg CO2e/kWh] as a factor.

    Raises
    ------
    InputError
        For an unknown name (the message lists the known ones) or a negative number.
    """
    if isinstance(grid, str):
        grids = factors()["grid"]
        if grid not in grids:
            raise InputError(f"grid factor {grid!r} is not known; use one of {', '.join(sorted(grids))} "
                             "or a number in kg CO2e/kWh", file=_DATA, field="grid")
        g = grids[grid]
        return GridFactor(grid, float(g["kg_co2_per_kwh"]), int(g["year"]), g["source"], g["confidence"])
    if isinstance(grid, bool) or not isinstance(grid, int | float) or not math.isfinite(grid) or grid < 0:
        raise InputError(f"grid factor must be a known name or a number ≥ 0 in kg CO2e/kWh, got {grid!r}",
                         field="grid")
    return GridFactor("user", float(grid), None, "given by the user", "user")


@dataclass(frozen=True)
class GhgAccount:
    """A plant's greenhouse-gas account by source. [kg CO2e/d]

    ``sources_kg_co2e_per_d`` holds every source of :data:`SOURCES`, emissions positive,
    avoided emissions negative. The factors used are kept beside them.
    """

    sources_kg_co2e_per_d: Mapping[str, float]
    gwp: GlobalWarmingPotentials
    grid: GridFactor
    n2o_treatment_kg_n2o_n_per_kg_n: float
    n2o_effluent_kg_n2o_n_per_kg_n: float
    heat_kg_co2e_per_kwh: float | None = None

    @property
    def gross_kg_co2e_per_d(self) -> float:
        """Sum of the emissions, before anything avoided. [kg CO2e/d]"""
        return sum(v for v in self.sources_kg_co2e_per_d.values() if v > 0.0)

    @property
    def avoided_kg_co2e_per_d(self) -> float:
        """Sum of the avoided emissions, ≤ 0. [kg CO2e/d]"""
        return sum(v for v in self.sources_kg_co2e_per_d.values() if v < 0.0)

    @property
    def net_kg_co2e_per_d(self) -> float:
        """Emissions less those avoided. [kg CO2e/d]"""
        return sum(self.sources_kg_co2e_per_d.values())

    @property
    def sources_t_co2e_per_yr(self) -> dict[str, float]:
        """Each source over a 365-day year. [t CO2e/yr]"""
        return {k: v * DAYS_PER_YEAR / 1000.0 for k, v in self.sources_kg_co2e_per_d.items()}

    @property
    def net_t_co2e_per_yr(self) -> float:
        """Net emissions over a 365-day year. [t CO2e/yr]"""
        return self.net_kg_co2e_per_d * DAYS_PER_YEAR / 1000.0

    def as_dict(self) -> dict[str, Any]:
        """The account as a JSON-able dict (the plant results' ``ghg`` key)."""
        return {"sources_kg_co2e_per_d": dict(self.sources_kg_co2e_per_d),
                "sources_t_co2e_per_yr": self.sources_t_co2e_per_yr,
                "gross_kg_co2e_per_d": self.gross_kg_co2e_per_d,
                "avoided_kg_co2e_per_d": self.avoided_kg_co2e_per_d,
                "net_kg_co2e_per_d": self.net_kg_co2e_per_d, "net_t_co2e_per_yr": self.net_t_co2e_per_yr,
                "gwp": self.gwp.name, "gwp_ch4": self.gwp.ch4, "gwp_n2o": self.gwp.n2o,
                "grid": self.grid.name, "grid_kg_co2e_per_kwh": self.grid.kg_co2e_per_kwh,
                "grid_year": self.grid.year, "grid_source": self.grid.source,
                "n2o_treatment_kg_n2o_n_per_kg_n": self.n2o_treatment_kg_n2o_n_per_kg_n,
                "n2o_effluent_kg_n2o_n_per_kg_n": self.n2o_effluent_kg_n2o_n_per_kg_n,
                "heat_kg_co2e_per_kwh": self.heat_kg_co2e_per_kwh}


def _non_negative(value: float, name: str, upper: float | None = None) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0.0 or (upper is not None and value > upper):
        bound = f"in [0, {upper:g}]" if upper is not None else "≥ 0"
        raise InputError(f"{name} must be a number {bound}, got {value!r}", field=name)
    return value


def ghg_account(
    *,
    influent_n_kg_per_d: float,
    effluent_n_kg_per_d: float,
    grid_import_kwh_per_d: float = 0.0,
    export_kwh_per_d: float = 0.0,
    methane_produced_kg_per_d: float = 0.0,
    chp_methane_slip_kg_per_d: float = 0.0,
    flared_methane_kg_per_d: float = 0.0,
    exported_heat_kwh_per_d: float = 0.0,
    grid: str | float = "beijing-2022",
    heat_kg_co2e_per_kwh: float | None = None,
    gwp: str = "ar6",
    n2o_treatment_kg_n2o_n_per_kg_n: float | None = None,
    n2o_effluent_kg_n2o_n_per_kg_n: float | None = None,
    digester_leakage_fraction: float | None = None,
    flare_destruction_efficiency: float | None = None,
) -> GhgAccount:
    """A plant's greenhouse-gas account in CO2-equivalent.

    Parameters
    ----------
    influent_n_kg_per_d, effluent_n_kg_per_d
        Total nitrogen in the influent and in the effluent. [kg N/d]
    grid_import_kwh_per_d, export_kwh_per_d
        Electricity bought from and sold to the grid. [kWh/d]
    methane_produced_kg_per_d
        Methane the digester produces, for its leakage. [kg CH4/d]
    chp_methane_slip_kg_per_d, flared_methane_kg_per_d
        Methane through the CHP unburned, methane sent to the flare. [kg CH4/d]
    exported_heat_kwh_per_d
        Heat delivered outside the plant; counted only with ``heat_kg_co2e_per_kwh``. [kWh/d]
    grid
        Grid factor by name (:func:`grid_factor`) or as a number. [kg CO2e/kWh]
    heat_kg_co2e_per_kwh
        Emission factor of the heat the exported heat replaces; None counts no avoided heat.
    gwp
        GWP set, ``"ar6"`` (default) or ``"ar5"``.
    n2o_treatment_kg_n2o_n_per_kg_n, n2o_effluent_kg_n2o_n_per_kg_n
        Measured N2O factors replacing the IPCC 2019 defaults 0.016 and 0.005. [kg N2O-N/kg N]
    digester_leakage_fraction, flare_destruction_efficiency
        Replace the assumed 0.01 and 0.98. [-]

    Returns
    -------
    GhgAccount

    Raises
    ------
    InputError
        Unknown factor or GWP names (the message lists the known ones), negative loads or flows,
        fractions outside [0, 1].

    References
    ----------
    IPCC (2019) 2019 Refinement to the 2006 IPCC Guidelines for National Greenhouse Gas
    Inventories, Vol. 5 Ch. 6, Eq. 6.9 and 6.10, Table 6.8A. IPCC AR6 WGI (2021) Ch. 7,
    Table 7.15.
    """
    g = global_warming_potentials(gwp)
    grid_ef = grid_factor(grid)
    ef_plant = (_value("nitrous_oxide", "treatment_kg_n2o_n_per_kg_n") if n2o_treatment_kg_n2o_n_per_kg_n is None
                else _non_negative(n2o_treatment_kg_n2o_n_per_kg_n, "n2o_treatment_kg_n2o_n_per_kg_n", 1.0))
    ef_effluent = (_value("nitrous_oxide", "effluent_kg_n2o_n_per_kg_n") if n2o_effluent_kg_n2o_n_per_kg_n is None
                   else _non_negative(n2o_effluent_kg_n2o_n_per_kg_n, "n2o_effluent_kg_n2o_n_per_kg_n", 1.0))
    leakage = (_value("methane", "digester_leakage_fraction") if digester_leakage_fraction is None
               else _non_negative(digester_leakage_fraction, "digester_leakage_fraction", 1.0))
    destruction = (_value("methane", "flare_destruction_efficiency") if flare_destruction_efficiency is None
                   else _non_negative(flare_destruction_efficiency, "flare_destruction_efficiency", 1.0))
    heat_ef = None if heat_kg_co2e_per_kwh is None else _non_negative(heat_kg_co2e_per_kwh, "heat_kg_co2e_per_kwh")
    n_in = _non_negative(influent_n_kg_per_d, "influent_n_kg_per_d")
    n_out = _non_negative(effluent_n_kg_per_d, "effluent_n_kg_per_d")
    sources = {
        "n2o_treatment": ef_plant * n_in * N2O_PER_N2O_N * g.n2o,
        "n2o_effluent": ef_effluent * n_out * N2O_PER_N2O_N * g.n2o,
        "ch4_digester_leakage": leakage * _non_negative(methane_produced_kg_per_d, "methane_produced_kg_per_d") * g.ch4,
        "ch4_chp_slip": _non_negative(chp_methane_slip_kg_per_d, "chp_methane_slip_kg_per_d") * g.ch4,
        "ch4_flare": (1.0 - destruction) * _non_negative(flared_methane_kg_per_d, "flared_methane_kg_per_d") * g.ch4,
        "grid_electricity": _non_negative(grid_import_kwh_per_d, "grid_import_kwh_per_d") * grid_ef.kg_co2e_per_kwh,
        "avoided_electricity": -_non_negative(export_kwh_per_d, "export_kwh_per_d") * grid_ef.kg_co2e_per_kwh,
        "avoided_heat": 0.0 if heat_ef is None
        else -_non_negative(exported_heat_kwh_per_d, "exported_heat_kwh_per_d") * heat_ef,
    }
    return GhgAccount(sources, g, grid_ef, ef_plant, ef_effluent, heat_ef)


def ghg_from_balance(
    balance: EnergyBalance,
    *,
    influent_n_kg_per_d: float,
    effluent_n_kg_per_d: float,
    **options: Any,
) -> GhgAccount:
    """The account of a plant run from its :class:`~ecocity.wastewater.energy.EnergyBalance`.

    The balance gives the grid import and export, the methane produced, slipped and flared.
    With ``heat_kg_co2e_per_kwh`` in ``options``, the CHP heat the digester does not need
    (``heat_dumped_kwh_per_d``) counts as exported to district heating. Other ``options`` go to
    :func:`ghg_account`.
    """
    exported_heat = balance.heat_dumped_kwh_per_d if options.get("heat_kg_co2e_per_kwh") is not None else 0.0
    return ghg_account(
        influent_n_kg_per_d=influent_n_kg_per_d, effluent_n_kg_per_d=effluent_n_kg_per_d,
        grid_import_kwh_per_d=balance.grid_import_kwh_per_d, export_kwh_per_d=balance.export_kwh_per_d,
        methane_produced_kg_per_d=balance.methane_kg_per_d,
        chp_methane_slip_kg_per_d=balance.chp_methane_slip_kg_per_d,
        flared_methane_kg_per_d=balance.flared_methane_kg_per_d,
        exported_heat_kwh_per_d=exported_heat, **options)
