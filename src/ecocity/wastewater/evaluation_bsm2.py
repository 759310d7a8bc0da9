"""BSM2 evaluation: quality indices, energies, sludge, carbon, methane, heat, OCI and violations.

The criteria of the official IEA/Lund evaluation script ``perf_plant_bsm2.m`` ("Plant performance
module for the BSM2", updated 2008-07-29 by U. Jeppsson) over the last 52 weeks of the 609-day
dynamic influent, days 245–609 (Gernaey et al. 2014, BSM2 chapter; Jeppsson et al. 2007). The
input is a :class:`Bsm2Record` of 15-min samples of the plant-wide run; :func:`evaluate_bsm2`
returns a :class:`Bsm2Evaluation`.

Where a formula is the BSM1 one (composition variables, IQI, aeration and reactor mixing energy,
sludge production with the change of inventory, violations, 95-percentiles, time weighting) the
functions of :mod:`ecocity.wastewater.evaluation` are reused with their constants
(``data/evaluation_bsm1.toml``; ``perf_plant_bsm2.m`` has the same values). The BSM2-only constants,
each with its source, are in ``data/evaluation_bsm2.toml``.

Time weighting: each sample holds until the next one (zero-order hold), as ``perf_plant_bsm2.m``
integrates (``sum(x .* timevector)`` over the samples from ``t = start`` to the last before
``t = stop``).

Streams are float arrays of 15 columns: the 13 ASM1 states in :data:`asm1.STATES` order
[g/m³; S_ALK mol/m³], then Q [m³/d] and T [°C]; TSS is 0.75 × (X_I + X_S + X_BH + X_BA + X_P).

References
----------
Gernaey, K.V., Jeppsson, U., Vanrolleghem, P.A., Copp, J.B. (eds.) (2014). Benchmarking of Control
Strategies for Wastewater Treatment Plants. IWA Scientific and Technical Report No. 23.

Jeppsson, U. et al. (2007). Benchmark simulation model no 2: general protocol and exploratory case
studies. Water Sci. Technol. 56(8), 67–78. https://doi.org/10.2166/wst.2007.604

Nopens, I. et al. (2010). Benchmark Simulation Model No 2: finalisation of plant layout and default
control strategy. Water Sci. Technol. 62(9), 1967–1974. https://doi.org/10.2166/wst.2010.044
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.wastewater import asm1, evaluation
from ecocity.wastewater.evaluation import LimitViolation, evaluation_dict

#: Columns of a 15-column ASM1 stream: the 13 states, flow Q [m³/d] and temperature T [°C].
STREAM_COLUMNS: tuple[str, ...] = (*asm1.STATES, "Q", "T")
#: Gas components of the digester head space, in the order of the partial-pressure columns.
GASES: tuple[str, ...] = ("H2", "CH4", "CO2")
#: Pumped flows of the BSM2 pumping energy (``perf_plant_bsm2.m``), as fields of the record.
PUMPED_FLOWS: tuple[str, ...] = (
    "internal_recycle", "return_sludge", "wastage", "primary_underflow", "thickener_underflow",
    "dewatering_reject",
)  # fmt: skip


@cache
def constants() -> Mapping[str, Any]:
    """The BSM2 evaluation constants with their sources (``data/evaluation_bsm2.toml``)."""
    text = resources.files("ecocity.wastewater").joinpath("data/evaluation_bsm2.toml").read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def _digester(name: str) -> float:
    return float(constants()["digester"][name]["value"])


# --- the input record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bsm2Record:
    """The 15-min samples of a BSM2 run that the evaluation reads (n samples).

    Attributes
    ----------
    time_d
        Sample times, strictly increasing. [d], shape (n,)
    influent
        Plant influent stream (before the bypasses). shape (n, 15)
    effluent
        Plant effluent stream: the settler overflow plus any bypassed flow. shape (n, 15)
    kla_per_d
        Oxygen transfer coefficient of each activated-sludge reactor. [1/d], shape (n, r)
    reactor_volumes_m3
        Volume of each activated-sludge reactor, in the order of ``kla_per_d``. [m³], shape (r,)
    internal_recycle_m3_per_d, return_sludge_m3_per_d, wastage_m3_per_d
        Internal (nitrate) recycle, return sludge and waste sludge flows. [m³/d], shape (n,)
    primary_underflow_m3_per_d, thickener_underflow_m3_per_d
        Pumped primary sludge and thickened sludge (to the digester). [m³/d], shape (n,)
    dewatering_reject_m3_per_d
        Flow the official script pumps at ``PF_Qdo``: ``dewateringout(:,36)``, which is the reject
        (overflow) water of the dewatering unit (``dewatering_bsm2.c`` output 36). [m³/d], shape (n,)
    carbon_dosing_m3_per_d
        External carbon flow into each reactor (400 kg COD/m³). [m³/d], shape (n, c)
    digester_liquid_volume_m3
        Liquid volume of the anaerobic digester (mixed continuously). [m³]
    gas_flow_m3_per_d
        Digester biogas flow at head-space pressure (ADM1 ``q_gas``). [m³/d], shape (n,)
    gas_partial_pressures_bar
        Head-space partial pressures of H2, CH4 and CO2 (:data:`GASES`). [bar], shape (n, 3)
    gas_pressure_bar
        Total head-space pressure (ADM1 ``P_gas``). [bar], shape (n,)
    digester_inflow_m3_per_d, digester_inflow_temperature_c
        Sludge flow into the digester (primary + thickened sludge) and its flow-weighted
        temperature. [m³/d], [°C], shape (n,)
    sludge
        Dewatered sludge for disposal (dewatering underflow). shape (n, 15)
    solids_inventory_kg
        TSS held in the plant: primary clarifier, reactors, settler, digester and storage tank.
        [kg TSS], shape (n,)
    bypass
        The part of ``effluent`` that bypassed treatment (plant and activated-sludge bypasses
        together; its BOD5 uses the influent factor 0.65), or None when nothing is bypassed.
        shape (n, 15)
    """

    time_d: np.ndarray
    influent: np.ndarray
    effluent: np.ndarray
    kla_per_d: np.ndarray
    reactor_volumes_m3: np.ndarray
    internal_recycle_m3_per_d: np.ndarray
    return_sludge_m3_per_d: np.ndarray
    wastage_m3_per_d: np.ndarray
    primary_underflow_m3_per_d: np.ndarray
    thickener_underflow_m3_per_d: np.ndarray
    dewatering_reject_m3_per_d: np.ndarray
    carbon_dosing_m3_per_d: np.ndarray
    digester_liquid_volume_m3: float
    gas_flow_m3_per_d: np.ndarray
    gas_partial_pressures_bar: np.ndarray
    gas_pressure_bar: np.ndarray
    digester_inflow_m3_per_d: np.ndarray
    digester_inflow_temperature_c: np.ndarray
    sludge: np.ndarray
    solids_inventory_kg: np.ndarray
    bypass: np.ndarray | None = None

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            array = np.asarray(value, dtype=float)
            if not np.all(np.isfinite(array)):
                raise InputError("holds a value that is not a finite number", record="Bsm2Record", field=item.name)
            object.__setattr__(self, item.name, array if array.ndim else float(array))
        n = self.time_d.shape[0] if self.time_d.ndim == 1 else -1
        if n < 2 or np.any(np.diff(self.time_d) <= 0.0):
            raise InputError(
                "expected at least two sample times [d], strictly increasing", record="Bsm2Record", field="time_d"
            )
        reactors = self.reactor_volumes_m3.shape[0] if self.reactor_volumes_m3.ndim == 1 else -1
        shapes: dict[str, tuple[int, ...]] = {
            "influent": (n, 15),
            "effluent": (n, 15),
            "sludge": (n, 15),
            "kla_per_d": (n, reactors),
            "gas_partial_pressures_bar": (n, len(GASES)),
        }
        for name in (
            "internal_recycle_m3_per_d", "return_sludge_m3_per_d", "wastage_m3_per_d",
            "primary_underflow_m3_per_d", "thickener_underflow_m3_per_d", "dewatering_reject_m3_per_d",
            "gas_flow_m3_per_d", "gas_pressure_bar", "digester_inflow_m3_per_d",
            "digester_inflow_temperature_c", "solids_inventory_kg",
        ):  # fmt: skip
            shapes[name] = (n,)
        if self.bypass is not None:
            shapes["bypass"] = (n, 15)
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise InputError(
                    f"shape {getattr(self, name).shape}; expected {shape} (n = {n} samples"
                    + (f", {reactors} reactors)" if name == "kla_per_d" else ")"),
                    record="Bsm2Record",
                    field=name,
                )
        carbon = self.carbon_dosing_m3_per_d
        problems = {
            "carbon_dosing_m3_per_d": (
                carbon.ndim != 2 or carbon.shape[0] != n,
                f"shape {carbon.shape}; expected ({n}, c), one column per dosing point",
            ),
            "reactor_volumes_m3": (
                reactors < 1 or bool(np.any(self.reactor_volumes_m3 <= 0.0)),
                "expected one positive volume [m³] per reactor",
            ),
            "digester_liquid_volume_m3": (not self.digester_liquid_volume_m3 > 0.0, "expected a positive volume [m³]"),
            "gas_pressure_bar": (
                bool(np.any(self.gas_pressure_bar <= 0.0)),
                "the head-space pressure [bar] must be positive",
            ),
        }
        for name, (bad, problem) in problems.items():
            if bad:
                raise InputError(problem, record="Bsm2Record", field=name)


def stream_frame(streams: np.ndarray, time_d: np.ndarray) -> pd.DataFrame:
    """A 15-column stream array as a frame with the state names, ``Q`` and ``T``, indexed by ``t`` [d]."""
    values = np.asarray(streams, dtype=float)
    return pd.DataFrame(values, columns=list(STREAM_COLUMNS), index=pd.Index(time_d, name="t"))


# --- criteria -----------------------------------------------------------------------------------------


def effluent_bod5_g_per_m3(effluent: pd.DataFrame, bypass: pd.DataFrame | None = None) -> pd.Series:
    """Effluent BOD5 with the influent factor on the bypassed part. [g O2/m³]

    Notes
    -----
    ``BOD5_e = [0.25 b(e) Q_e + (0.65 − 0.25) b(bp) Q_bp] / Q_e`` with
    ``b = S_S + X_S + (1 − f_P)(X_BH + X_BA)``: the treated part has the effluent factor 0.25, the
    bypassed part (``bypass``, included in ``effluent``) keeps the influent factor 0.65
    (``perf_plant_bsm2.m``, "special to handle different BOD factors in normal effluent and
    bypassed effluent"). Without a bypass this is :func:`evaluation.biochemical_oxygen_demand`.
    """
    bod = evaluation.biochemical_oxygen_demand(effluent)
    if bypass is None:
        return bod
    treated = evaluation.biochemical_oxygen_demand(bypass)
    untreated = evaluation.biochemical_oxygen_demand(bypass, influent=True)
    q_e = effluent["Q"].to_numpy(float)
    load = (untreated - treated).to_numpy() * bypass["Q"].to_numpy(float)
    extra = np.divide(load, q_e, out=np.zeros_like(q_e), where=q_e > 0.0)
    return pd.Series(bod.to_numpy() + extra, index=effluent.index, name="BOD5")


def effluent_composition(effluent: pd.DataFrame, bypass: pd.DataFrame | None = None) -> pd.DataFrame:
    """TSS, COD, BOD5 (bypass-aware), TKN, TN, S_NH and S_NO of each effluent sample. [g/m³]"""
    table = evaluation.composition(effluent)
    table["BOD5"] = effluent_bod5_g_per_m3(effluent, bypass)
    table["S_NH"] = effluent["S_NH"]
    table["S_NO"] = effluent["S_NO"]
    return table


def effluent_quality_index_kg_pu_per_d(table: pd.DataFrame, flow_m3_per_d: pd.Series, weights_d: pd.Series) -> float:
    """Effluent quality index from the effluent composition over the window. [kg PU/d]

    Notes
    -----
    ``EQI = 1/(1000 T) ∫ (2 TSS + COD + 2 BOD5 + 30 TKN + 10 S_NO) Q dt`` (``perf_plant_bsm2.m``,
    ``EQI``; the updated BSM1 weights of ``evaluation_bsm1.toml``). ``table`` is
    :func:`effluent_composition`.
    """
    beta = evaluation.constants()["quality_index_weights"]
    pollution = (
        beta["TSS"] * table["TSS"]
        + beta["COD"] * table["COD"]
        + beta["BOD5"] * table["BOD5"]
        + beta["TKN"] * table["TKN"]
        + beta["S_NO"] * table["S_NO"]
    )
    return evaluation.time_average(pollution * flow_m3_per_d / 1000.0, weights_d)


def pumping_energy_kwh_per_d(flows_m3_per_d: Mapping[str, pd.Series], weights_d: pd.Series) -> float:
    """BSM2 pumping energy over the window. [kWh/d]

    Parameters
    ----------
    flows_m3_per_d
        One series per name of :data:`PUMPED_FLOWS`. [m³/d]
    weights_d
        Window weights (:func:`evaluation.window_weights_d`). [d]

    Notes
    -----
    ``PE = 1/T ∫ (0.004 Q_intr + 0.008 Q_r + 0.05 Q_w + 0.075 Q_pu + 0.060 Q_tu + 0.004 Q_do) dt``
    (``perf_plant_bsm2.m``, ``pumpenergyvec``; factors in ``evaluation_bsm2.toml``).
    """
    factors = constants()["pumping_kwh_per_m3"]
    missing = [name for name in PUMPED_FLOWS if name not in flows_m3_per_d]
    if missing:
        raise InputError(f"the pumping energy needs the flows {', '.join(missing)}")
    energy = sum(float(factors[name]) * flows_m3_per_d[name] for name in PUMPED_FLOWS)
    return evaluation.time_average(energy, weights_d)


def mixing_energy_kwh_per_d(
    kla_per_d: pd.DataFrame, volumes_m3: np.ndarray, digester_volume_m3: float, start_d: float, stop_d: float
) -> float:
    """Mixing energy of the unaerated reactors and of the digester. [kWh/d]

    Notes
    -----
    ``ME = 24/T ∫ Σ_i 0.005 V_i [KLa_i < 20] dt + 24 · 0.005 · V_AD`` (``perf_plant_bsm2.m``,
    ``mixenergyreac`` and ``mixenergyAD``; the reactor term is :func:`evaluation.mixing_energy_kwh_per_d`).
    """
    reactors = evaluation.mixing_energy_kwh_per_d(kla_per_d, volumes_m3, start_d=start_d, stop_d=stop_d)
    return reactors + 24.0 * _digester("mixing_kw_per_m3") * digester_volume_m3


def external_carbon_kg_cod_per_d(carbon_m3_per_d: pd.DataFrame, weights_d: pd.Series) -> float:
    """External carbon dosed, all reactors together, over the window. [kg COD/d]

    Notes
    -----
    ``EC = 1/T ∫ Σ_i Q_carb,i dt · 400 kg COD/m³`` (``perf_plant_bsm2.m``, ``carbonmassperd``).
    """
    concentration = float(evaluation.constants()["operational_cost_index"]["carbon_source_g_cod_per_m3"]["value"])
    total = carbon_m3_per_d.sum(axis=1)
    return concentration / 1000.0 * evaluation.time_average(total, weights_d)


def gas_production_kg_per_d(
    gas_flow_m3_per_d: pd.Series,
    partial_pressure_bar: pd.Series,
    gas_pressure_bar: pd.Series,
    molar_mass_kg_per_kmol: float,
    weights_d: pd.Series,
) -> float:
    """Mass flow of one digester gas over the window. [kg/d]

    Notes
    -----
    ``m = 1/T ∫ p_i/P_gas · P_atm · M_i/(R T_op) · q_gas dt`` with R = 0.083145 bar m³/(kmol K),
    P_atm = 1.013 bar, T_op = 308.15 K (``perf_plant_bsm2.m``, ``Methanevec``; M_CH4 = 16 gives the
    methane production MP [kg CH4/d]).
    """
    density = (
        partial_pressure_bar
        / gas_pressure_bar
        * _digester("atmospheric_pressure_bar")
        * molar_mass_kg_per_kmol
        / (_digester("gas_constant_bar_m3_per_kmol_k") * _digester("operating_temperature_k"))
    )
    return evaluation.time_average(density * gas_flow_m3_per_d, weights_d)


def heating_energy_kwh_per_d(
    inflow_m3_per_d: pd.Series, inflow_temperature_c: pd.Series, weights_d: pd.Series
) -> float:
    """Heat to bring the digester feed to the operating temperature, over the window. [kWh/d]

    Notes
    -----
    ``HE = 24/T ∫ (35 − T_in) Q_in ρ c_p / 86400 dt`` with ρ = 1000 kg/m³, c_p = 4.186 kJ/(kg K)
    (``perf_plant_bsm2.m``, ``Heatpower`` [kW] and ``Heatenergyperd``). No heat losses through the
    digester wall are counted, and a feed warmer than 35 °C counts negative, as in the script.
    """
    power_kw = (
        (_digester("operating_temperature_c") - inflow_temperature_c)
        * inflow_m3_per_d
        * _digester("water_density_kg_per_m3")
        * _digester("water_heat_capacity_kj_per_kg_k")
        / 86400.0
    )
    return 24.0 * evaluation.time_average(power_kw, weights_d)


def methane_energy_kwh_per_d(methane_kg_per_d: float) -> float:
    """Energy content of the methane produced, ``MP · 50.014/3.6``. [kWh/d] (``perf_plant_bsm2.m``)"""
    return methane_kg_per_d * _digester("methane_energy_mj_per_kg") / 3.6


def operational_cost_index(
    aeration_kwh_per_d: float,
    pumping_kwh_per_d: float,
    mixing_kwh_per_d: float,
    sludge_kg_per_d: float,
    external_carbon_kg_cod_per_d: float,
    methane_kg_per_d: float,
    heating_kwh_per_d: float,
) -> float:
    """BSM2 operational cost index. [-]

    Notes
    -----
    ``OCI = AE + PE + ME + 3 SP + 3 EC − 6 MP + max(0, HE − 7 MP)`` (``perf_plant_bsm2.m``, ``OCI``;
    Gernaey et al. 2014). The methane pays for its own heating first: heat is bought only beyond
    7 kWh per kg CH4.
    """
    w = constants()["operational_cost_index"]
    return (
        w["aeration"] * aeration_kwh_per_d
        + w["pumping"] * pumping_kwh_per_d
        + w["mixing"] * mixing_kwh_per_d
        + w["sludge"] * sludge_kg_per_d
        + w["carbon"] * external_carbon_kg_cod_per_d
        - w["methane"] * methane_kg_per_d
        + max(0.0, heating_kwh_per_d - w["methane_heat_credit"] * methane_kg_per_d)
    )


# --- the whole evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bsm2Evaluation:
    """The BSM2 criteria of one run over its evaluation window."""

    start_d: float
    stop_d: float
    influent_quality_index_kg_pu_per_d: float
    effluent_quality_index_kg_pu_per_d: float
    aeration_energy_kwh_per_d: float
    pumping_energy_kwh_per_d: float
    mixing_energy_kwh_per_d: float
    sludge_production_kg_per_d: float
    total_sludge_production_kg_per_d: float
    external_carbon_kg_cod_per_d: float
    methane_production_kg_per_d: float
    hydrogen_production_kg_per_d: float
    carbon_dioxide_production_kg_per_d: float
    biogas_flow_m3_per_d: float
    methane_energy_kwh_per_d: float
    heating_energy_kwh_per_d: float
    operational_cost_index: float
    influent_flow_m3_per_d: float
    effluent_flow_m3_per_d: float
    effluent_mean_g_per_m3: Mapping[str, float]
    violations: Mapping[str, LimitViolation]
    s_nh_95_g_per_m3: float
    tn_95_g_per_m3: float
    tss_95_g_per_m3: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (units in the keys)."""
        return evaluation_dict(self)


def evaluate_bsm2(record: Bsm2Record, start_d: float | None = None, stop_d: float | None = None) -> Bsm2Evaluation:
    """Evaluate one BSM2 run with the benchmark's criteria (``perf_plant_bsm2.m``).

    Parameters
    ----------
    record
        The run's 15-min samples.
    start_d, stop_d
        Evaluation window, by default days 245 to 609 (the last 52 weeks of the 609-day
        influent). [d]

    Returns
    -------
    Bsm2Evaluation
        IQI and EQI [kg PU/d]; AE, PE, ME, HE and the methane energy [kWh/d]; SP (for disposal,
        with the change of the solids inventory) and the total sludge production (SP plus the
        effluent solids) [kg TSS/d]; EC [kg COD/d]; MP, H2 and CO2 [kg/d]; biogas flow [m³/d];
        OCI; influent and effluent mean flows [m³/d]; flow-weighted effluent means [g/m³];
        violations of the BSM2 limits; 95-percentiles of S_NH, TN and TSS [g/m³].

    Raises
    ------
    InputError
        The record does not cover the window.
    """
    window = constants()["window"]
    start_d = float(window["start_d"]) if start_d is None else float(start_d)
    stop_d = float(window["stop_d"]) if stop_d is None else float(stop_d)
    t = record.time_d
    index = pd.Index(t, name="t")
    weights = evaluation.window_weights_d(index, start_d, stop_d)

    def series(values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=index)

    influent = stream_frame(record.influent, t)
    effluent = stream_frame(record.effluent, t)
    bypass = None if record.bypass is None else stream_frame(record.bypass, t)
    table = effluent_composition(effluent, bypass)
    q_e = effluent["Q"]

    kla = pd.DataFrame(record.kla_per_d, index=index)
    aeration = evaluation.aeration_energy_kwh_per_d(kla, record.reactor_volumes_m3, start_d=start_d, stop_d=stop_d)
    mixing = mixing_energy_kwh_per_d(kla, record.reactor_volumes_m3, record.digester_liquid_volume_m3, start_d, stop_d)
    pumping = pumping_energy_kwh_per_d(
        {name: series(getattr(record, f"{name}_m3_per_d")) for name in PUMPED_FLOWS}, weights
    )
    sludge = stream_frame(record.sludge, t)
    sludge_tss = evaluation.total_suspended_solids(sludge)
    disposal = evaluation.sludge_production_kg_per_d(
        sludge["Q"], sludge_tss, series(record.solids_inventory_kg), start_d=start_d, stop_d=stop_d
    )
    effluent_solids = evaluation.time_average(table["TSS"] * q_e / 1000.0, weights)
    carbon = external_carbon_kg_cod_per_d(pd.DataFrame(record.carbon_dosing_m3_per_d, index=index), weights)

    gas_flow, pressure = series(record.gas_flow_m3_per_d), series(record.gas_pressure_bar)
    masses = {
        gas: gas_production_kg_per_d(
            gas_flow,
            series(record.gas_partial_pressures_bar[:, k]),
            pressure,
            _digester(f"molar_mass_{gas.lower()}_kg_per_kmol"),
            weights,
        )
        for k, gas in enumerate(GASES)
    }
    heating = heating_energy_kwh_per_d(
        series(record.digester_inflow_m3_per_d), series(record.digester_inflow_temperature_c), weights
    )
    methane = masses["CH4"]

    limits = evaluation.constants()["effluent_limits_g_per_m3"]
    violations = {
        name: evaluation.limit_violation(table[name], float(limits[name]), weights)
        for name in ("TN", "COD", "S_NH", "TSS", "BOD5")
    }
    means = {
        name: evaluation.flow_weighted_mean(table[name], q_e, weights)
        for name in ("S_NH", "S_NO", "TKN", "TN", "TSS", "COD", "BOD5")
    }
    return Bsm2Evaluation(
        start_d=start_d,
        stop_d=stop_d,
        influent_quality_index_kg_pu_per_d=evaluation.quality_index_kg_pu_per_d(
            influent, influent=True, start_d=start_d, stop_d=stop_d
        ),
        effluent_quality_index_kg_pu_per_d=effluent_quality_index_kg_pu_per_d(table, q_e, weights),
        aeration_energy_kwh_per_d=aeration,
        pumping_energy_kwh_per_d=pumping,
        mixing_energy_kwh_per_d=mixing,
        sludge_production_kg_per_d=disposal,
        total_sludge_production_kg_per_d=disposal + effluent_solids,
        external_carbon_kg_cod_per_d=carbon,
        methane_production_kg_per_d=methane,
        hydrogen_production_kg_per_d=masses["H2"],
        carbon_dioxide_production_kg_per_d=masses["CO2"],
        biogas_flow_m3_per_d=evaluation.time_average(gas_flow, weights),
        methane_energy_kwh_per_d=methane_energy_kwh_per_d(methane),
        heating_energy_kwh_per_d=heating,
        operational_cost_index=operational_cost_index(aeration, pumping, mixing, disposal, carbon, methane, heating),
        influent_flow_m3_per_d=evaluation.time_average(influent["Q"], weights),
        effluent_flow_m3_per_d=evaluation.time_average(q_e, weights),
        effluent_mean_g_per_m3=MappingProxyType(means),
        violations=MappingProxyType(violations),
        s_nh_95_g_per_m3=evaluation.percentile_95(table["S_NH"], weights),
        tn_95_g_per_m3=evaluation.percentile_95(table["TN"], weights),
        tss_95_g_per_m3=evaluation.percentile_95(table["TSS"], weights),
    )
