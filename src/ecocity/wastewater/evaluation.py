"""BSM1 evaluation: composition variables, quality indices, energy, sludge, OCI and violations.

Pure functions over pandas data: a time index ``t`` in days and columns with the benchmark's
state names (``S_I, S_S, X_I, X_S, X_BH, X_BA, X_P, S_O, S_NO, S_NH, S_ND, X_ND, S_ALK``) and the
flow ``Q`` [m³/d], the layout of :func:`ecocity.wastewater.influent.read_influent`.

The criteria follow the official IEA/Lund evaluation script ``perf_plant.m`` ("Plant performance
module for BSM1 benchmarking", U. Jeppsson, updated 2007-12-07 with the updated BSM1 criteria)
and the BSM1 description (Alex et al. 2008; Copp 2002). Constants, each with its source, are in
``data/evaluation_bsm1.toml``.

Time weighting: each sample holds until the next one (zero-order hold, as the benchmark reads its
files and as ``perf_plant.m`` integrates, ``sum(x .* diff(t))``). The evaluation window
``[start_d, stop_d)`` keeps the samples with ``start_d ≤ t < stop_d``; the last of them holds
until the next sample or until ``stop_d`` if the series has no later sample. For the benchmark's
15-min output, days 7 to 14, that is samples 7.0 … 13.9896 d, 672 of them, as in ``perf_plant.m``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.wastewater import asm1

#: The ASM1 state columns the composition variables read.
STATE_COLUMNS: tuple[str, ...] = (
    "S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND",
    "S_ALK",
)  # fmt: skip
#: Tolerance on sample times when cutting a window [d]; the benchmark files round times down
#: by up to 7e-9 d.
TIME_TOLERANCE_D = 1e-6


@cache
def constants() -> Mapping[str, Any]:
    """The BSM1 evaluation constants with their sources (``data/evaluation_bsm1.toml``)."""
    text = resources.files("ecocity.wastewater").joinpath("data/evaluation_bsm1.toml").read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


def _value(section: str, name: str) -> float:
    return float(constants()[section][name]["value"])


# --- composition variables (BSM1 description sec. 2.3.4; perf_plant.m) -------------------------


def _require(states: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in states.columns]
    if missing:
        raise InputError(f"{what} needs the columns {', '.join(missing)}; got {', '.join(map(str, states.columns))}")


def _states(states: pd.DataFrame, columns: Sequence[str], what: str) -> np.ndarray:
    """The 13 ASM1 states as an array in :data:`asm1.STATES` order (absent unused ones as 0)."""
    _require(states, columns, what)
    present = [name if name in states.columns else None for name in asm1.STATES]
    return np.column_stack([states[n].to_numpy(float) if n else np.zeros(len(states)) for n in present])


def total_suspended_solids(states: pd.DataFrame) -> pd.Series:
    """Total suspended solids, ``TSS = 0.75 (X_S + X_I + X_BH + X_BA + X_P)``. [g TSS/m³]"""
    values = asm1.total_suspended_solids(_states(states, ("X_S", "X_I", "X_BH", "X_BA", "X_P"), "TSS"), _params())
    return pd.Series(values, index=states.index, name="TSS")


def chemical_oxygen_demand(states: pd.DataFrame) -> pd.Series:
    """Total COD, ``S_S + S_I + X_S + X_I + X_BH + X_BA + X_P``. [g COD/m³]"""
    columns = ("S_S", "S_I", "X_S", "X_I", "X_BH", "X_BA", "X_P")
    return pd.Series(asm1.chemical_oxygen_demand(_states(states, columns, "COD")), index=states.index, name="COD")


def biochemical_oxygen_demand(states: pd.DataFrame, *, influent: bool = False) -> pd.Series:
    """Five-day BOD, ``k (S_S + X_S + (1 − f_P)(X_BH + X_BA))``. [g O2/m³]

    ``k`` is 0.25 for effluent and 0.65 for influent (``perf_plant.m``; Alex et al. 2008),
    ``f_P`` = 0.08.
    """
    values = asm1.biochemical_oxygen_demand(
        _states(states, ("S_S", "X_S", "X_BH", "X_BA"), "BOD5"), _params(), influent=influent
    )
    return pd.Series(values, index=states.index, name="BOD5")


def total_kjeldahl_nitrogen(states: pd.DataFrame) -> pd.Series:
    """Kjeldahl N, ``S_NH + S_ND + X_ND + i_XB (X_BH + X_BA) + i_XP (X_P + X_I)``. [g N/m³]"""
    columns = ("S_NH", "S_ND", "X_ND", "X_BH", "X_BA", "X_P", "X_I")
    return pd.Series(asm1.kjeldahl_nitrogen(_states(states, columns, "TKN"), _params()), index=states.index, name="TKN")


def total_nitrogen(states: pd.DataFrame) -> pd.Series:
    """Total nitrogen, ``TKN + S_NO``. [g N/m³]"""
    columns = ("S_NH", "S_ND", "X_ND", "X_BH", "X_BA", "X_P", "X_I", "S_NO")
    return pd.Series(asm1.total_nitrogen(_states(states, columns, "TN"), _params()), index=states.index, name="TN")


def _params() -> asm1.ASM1Parameters:
    """The BSM1 parameters (f_P, i_XB, i_XP, TSS and BOD5 factors) shared with the model."""
    return asm1.load_parameters("bsm1")


def composition(states: pd.DataFrame, *, influent: bool = False) -> pd.DataFrame:
    """The composition variables TSS, COD, BOD5, TKN and TN of each sample. [g/m³]

    Parameters
    ----------
    states
        ASM1 states by name [g/m³].
    influent
        True for influent (BOD5 factor 0.65), False for effluent (0.25).
    """
    return pd.concat(
        [
            total_suspended_solids(states),
            chemical_oxygen_demand(states),
            biochemical_oxygen_demand(states, influent=influent),
            total_kjeldahl_nitrogen(states),
            total_nitrogen(states),
        ],
        axis=1,
    )


# --- time weighting ------------------------------------------------------------------------------


def window_weights_d(index: pd.Index, start_d: float, stop_d: float) -> pd.Series:
    """How long each sample of the window ``[start_d, stop_d)`` holds. [d]

    Returns a series on the window's samples; its sum is the window length ``T`` (from the first
    sample in the window to ``stop_d``).

    Raises
    ------
    InputError
        Time not increasing, no sample in the window, or the series ending more than one step
        before ``stop_d``.
    """
    t = np.asarray(index, dtype=float)
    if t.size < 2 or np.any(np.diff(t) <= 0.0):
        raise InputError("the time index [d] must hold at least two samples and increase strictly")
    inside = (t >= start_d - TIME_TOLERANCE_D) & (t < stop_d - TIME_TOLERANCE_D)
    if not inside.any():
        raise InputError(
            f"no sample between day {start_d:g} and day {stop_d:g}; the series covers {t[0]:g}–{t[-1]:g} d"
        )
    positions = np.flatnonzero(inside)
    ends = np.append(t[1:], np.inf)[positions]
    ends = np.minimum(ends, stop_d)
    step = float(np.median(np.diff(t)))
    if t[-1] < stop_d - TIME_TOLERANCE_D and stop_d - t[-1] > 1.5 * step:
        raise InputError(
            f"the series ends at day {t[-1]:g}, more than one step before the window's end, day {stop_d:g}"
        )
    return pd.Series(ends - t[positions], index=index[positions], name="weight_d")


def flow_weighted_mean(values: pd.Series, flow_m3_per_d: pd.Series, weights_d: pd.Series) -> float:
    """``Σ c Q Δt / Σ Q Δt`` over the samples of ``weights_d``. [unit of ``values``]"""
    c = values.loc[weights_d.index].to_numpy(dtype=float)
    q = flow_m3_per_d.loc[weights_d.index].to_numpy(dtype=float)
    w = weights_d.to_numpy()
    return float(np.sum(c * q * w) / np.sum(q * w))


def time_average(values: pd.Series, weights_d: pd.Series) -> float:
    """``Σ x Δt / T`` over the samples of ``weights_d``. [unit of ``values``]"""
    x = values.loc[weights_d.index].to_numpy(dtype=float)
    w = weights_d.to_numpy()
    return float(np.sum(x * w) / np.sum(w))


# --- quality indices ------------------------------------------------------------------------------


def quality_index_kg_pu_per_d(
    states: pd.DataFrame, *, influent: bool, start_d: float | None = None, stop_d: float | None = None
) -> float:
    """Influent (IQI) or effluent (EQI) quality index over the window. [kg PU/d]

    Notes
    -----
    ``I = 1/(1000 T) ∫ (β_TSS TSS + β_COD COD + β_BOD5 BOD5 + β_TKN TKN + β_NO S_NO) Q dt``
    with the updated BSM1 weights β = 2, 1, 2, 30, 10 (``perf_plant.m``, ``IQ_new``/``EQ_new``;
    Alex et al. 2008 sec. 6). BOD5 uses the 0.65 factor for influent and 0.25 for effluent.
    The window defaults to days 7–14.
    """
    start_d, stop_d = _window(start_d, stop_d)
    _require(states, ("Q",), "a quality index")
    table = composition(states, influent=influent)
    beta = constants()["quality_index_weights"]
    pollution = (
        beta["TSS"] * table["TSS"]
        + beta["COD"] * table["COD"]
        + beta["BOD5"] * table["BOD5"]
        + beta["TKN"] * table["TKN"]
        + beta["S_NO"] * states["S_NO"]
    )
    weights = window_weights_d(states.index, start_d, stop_d)
    return time_average(pollution * states["Q"] / 1000.0, weights)


def _window(start_d: float | None, stop_d: float | None) -> tuple[float, float]:
    window = constants()["window"]
    start = float(window["start_d"]) if start_d is None else start_d
    stop = float(window["stop_d"]) if stop_d is None else stop_d
    return start, stop


# --- operational costs ------------------------------------------------------------------------------


def _tank_frame(kla_per_d: pd.DataFrame, volumes_m3: Sequence[float]) -> np.ndarray:
    volumes = np.asarray(volumes_m3, dtype=float)
    if volumes.shape != (kla_per_d.shape[1],) or np.any(volumes <= 0.0):
        raise InputError(
            f"{len(volumes)} tank volumes for {kla_per_d.shape[1]} KLa columns; "
            "expected one positive volume [m³] per tank"
        )
    return volumes


def aeration_energy_kwh_per_d(
    kla_per_d: pd.DataFrame,
    volumes_m3: Sequence[float],
    *,
    start_d: float | None = None,
    stop_d: float | None = None,
) -> float:
    """Aeration energy of the tanks, updated BSM1 formula. [kWh/d]

    Parameters
    ----------
    kla_per_d
        Oxygen transfer coefficient of each tank (one column per tank) on a time index [1/d].
    volumes_m3
        Volume of each tank, in the column order. [m³]

    Notes
    -----
    ``AE = S_O,sat / (1.8 · 1000 · T) ∫ Σ_i V_i KLa_i(t) dt`` with ``S_O,sat`` = 8 g/m³
    (``perf_plant.m``, ``airenergy_new``; Alex et al. 2008 sec. 6).
    """
    start_d, stop_d = _window(start_d, stop_d)
    volumes = _tank_frame(kla_per_d, volumes_m3)
    saturation = _value("energy", "oxygen_saturation_g_per_m3")
    divisor = _value("energy", "aeration_divisor")
    weights = window_weights_d(kla_per_d.index, start_d, stop_d)
    oxygen = pd.Series(kla_per_d.to_numpy(dtype=float) @ volumes, index=kla_per_d.index)
    return saturation * time_average(oxygen, weights) / divisor


def mixing_energy_kwh_per_d(
    kla_per_d: pd.DataFrame,
    volumes_m3: Sequence[float],
    *,
    start_d: float | None = None,
    stop_d: float | None = None,
) -> float:
    """Mixing energy of the tanks while they are not aerated (KLa < 20 1/d). [kWh/d]

    Notes
    -----
    ``ME = 24 / T ∫ Σ_i 0.005 V_i [KLa_i(t) < 20] dt`` (0.005 kW/m³; ``perf_plant.m``,
    ``mixenergy``, "based on BSM2 principles"; Alex et al. 2008 sec. 6).
    """
    start_d, stop_d = _window(start_d, stop_d)
    volumes = _tank_frame(kla_per_d, volumes_m3)
    power = _value("energy", "mixing_kw_per_m3")
    threshold = _value("energy", "mixing_kla_threshold_per_d")
    weights = window_weights_d(kla_per_d.index, start_d, stop_d)
    mixed = (kla_per_d.to_numpy(dtype=float) < threshold).astype(float) @ volumes
    return 24.0 * power * time_average(pd.Series(mixed, index=kla_per_d.index), weights)


def pumping_energy_kwh_per_d(
    internal_recycle_m3_per_d: pd.Series,
    return_sludge_m3_per_d: pd.Series,
    wastage_m3_per_d: pd.Series,
    *,
    start_d: float | None = None,
    stop_d: float | None = None,
) -> float:
    """Pumping energy of the internal recycle, return sludge and wastage flows. [kWh/d]

    Notes
    -----
    ``PE = 1/T ∫ (0.004 Q_a + 0.008 Q_r + 0.05 Q_w) dt`` [kWh/m³ factors] (``perf_plant.m``,
    ``pumpenergy_new``, "based on BSM2 principles"; Alex et al. 2008 sec. 6).
    """
    start_d, stop_d = _window(start_d, stop_d)
    weights = window_weights_d(internal_recycle_m3_per_d.index, start_d, stop_d)
    energy = (
        _value("energy", "pumping_internal_recycle_kwh_per_m3") * internal_recycle_m3_per_d
        + _value("energy", "pumping_return_sludge_kwh_per_m3") * return_sludge_m3_per_d
        + _value("energy", "pumping_wastage_kwh_per_m3") * wastage_m3_per_d
    )
    return time_average(energy, weights)


def sludge_production_kg_per_d(
    wastage_m3_per_d: pd.Series,
    wastage_tss_g_per_m3: pd.Series,
    sludge_mass_kg: pd.Series,
    *,
    start_d: float | None = None,
    stop_d: float | None = None,
) -> float:
    """Sludge production for disposal: wasted solids plus the change of the inventory. [kg TSS/d]

    Parameters
    ----------
    wastage_m3_per_d, wastage_tss_g_per_m3
        Wastage flow [m³/d] and its TSS [g/m³] on a time index.
    sludge_mass_kg
        Solids held in the tanks and the settler [kg TSS] on the same index.

    Notes
    -----
    ``SP = (M(t_end) − M(t_start) + ∫ TSS_w Q_w dt / 1000) / T``, with ``M`` taken at the first
    and last samples of the window (``perf_plant.m``, ``TSSproduced``; Alex et al. 2008 sec. 6).
    """
    start_d, stop_d = _window(start_d, stop_d)
    weights = window_weights_d(wastage_m3_per_d.index, start_d, stop_d)
    wasted = (wastage_m3_per_d * wastage_tss_g_per_m3 / 1000.0).loc[weights.index]
    mass = sludge_mass_kg.loc[weights.index]
    total = float(np.sum(wasted.to_numpy() * weights.to_numpy()))
    return (float(mass.iloc[-1]) - float(mass.iloc[0]) + total) / float(weights.sum())


def operational_cost_index(
    aeration_kwh_per_d: float,
    pumping_kwh_per_d: float,
    mixing_kwh_per_d: float,
    sludge_kg_per_d: float,
    external_carbon_kg_cod_per_d: float = 0.0,
) -> float:
    """BSM1 operational cost index, ``OCI = AE + PE + ME + 5 SP + 3 EC``. [-]

    (``perf_plant.m``, ``OCI_new``; Alex et al. 2008 sec. 6.)
    """
    weights = constants()["operational_cost_index"]
    return (
        weights["aeration"] * aeration_kwh_per_d
        + weights["pumping"] * pumping_kwh_per_d
        + weights["mixing"] * mixing_kwh_per_d
        + weights["sludge"] * sludge_kg_per_d
        + weights["carbon"] * external_carbon_kg_cod_per_d
    )


# --- limits ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitViolation:
    """How long, and in how many separate episodes, a concentration was above its limit."""

    limit_g_per_m3: float
    time_d: float
    time_pct: float
    count: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "limit_g_per_m3": self.limit_g_per_m3,
            "time_d": self.time_d,
            "time_pct": self.time_pct,
            "count": self.count,
        }


def limit_violation(concentration_g_per_m3: pd.Series, limit_g_per_m3: float, weights_d: pd.Series) -> LimitViolation:
    """Time above ``limit`` [d and %] and the number of episodes over the samples of ``weights_d``.

    Notes
    -----
    A sample violates when it is strictly above the limit; it counts for the time it holds.
    Consecutive violating samples form one episode (``perf_plant.m``: a new occasion starts
    where the violating sample numbers are not consecutive).
    """
    above = concentration_g_per_m3.loc[weights_d.index].to_numpy(dtype=float) > limit_g_per_m3
    time_d = float(np.sum(weights_d.to_numpy()[above]))
    starts = above & ~np.concatenate(([False], above[:-1]))
    return LimitViolation(
        limit_g_per_m3=float(limit_g_per_m3),
        time_d=time_d,
        time_pct=100.0 * time_d / float(weights_d.sum()),
        count=int(starts.sum()),
    )


def percentile_95(values: pd.Series, weights_d: pd.Series) -> float:
    """95-percentile of the window's samples, MATLAB ``prctile`` definition. [unit of ``values``]

    Notes
    -----
    ``perf_plant.m`` uses MATLAB's ``prctile``: the i-th smallest of n samples is the
    ``100 (i − 0.5)/n`` percentile, linear in between, clamped at the ends; numpy's
    ``method="hazen"`` (Hyndman & Fan 1996, definition 5) is the same rule.
    """
    return float(np.percentile(values.loc[weights_d.index].to_numpy(dtype=float), 95.0, method="hazen"))


# --- the whole evaluation ----------------------------------------------------------------------------


def evaluation_dict(evaluation: Any) -> dict[str, Any]:
    """A BSM evaluation dataclass as a plain JSON-ready dictionary (violations and effluent means
    as plain dictionaries; units in the keys)."""
    out: dict[str, Any] = {}
    for name in evaluation.__dataclass_fields__:
        value = getattr(evaluation, name)
        if name == "violations":
            value = {key: violation.to_dict() for key, violation in value.items()}
        elif name == "effluent_mean_g_per_m3":
            value = dict(value)
        out[name] = value
    return out


@dataclass(frozen=True)
class Bsm1Evaluation:
    """The BSM1 criteria of one run over its evaluation window."""

    start_d: float
    stop_d: float
    influent_quality_index_kg_pu_per_d: float
    effluent_quality_index_kg_pu_per_d: float
    aeration_energy_kwh_per_d: float
    pumping_energy_kwh_per_d: float
    mixing_energy_kwh_per_d: float
    sludge_production_kg_per_d: float
    external_carbon_kg_cod_per_d: float
    operational_cost_index: float
    influent_flow_m3_per_d: float
    effluent_flow_m3_per_d: float
    energy_kwh_per_m3: float
    effluent_mean_g_per_m3: Mapping[str, float]
    violations: Mapping[str, LimitViolation]
    s_nh_95_g_per_m3: float
    tn_95_g_per_m3: float
    tss_95_g_per_m3: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (units in the keys)."""
        return evaluation_dict(self)


def evaluate_bsm1(
    influent: pd.DataFrame,
    effluent: pd.DataFrame,
    *,
    kla_per_d: pd.DataFrame,
    volumes_m3: Sequence[float],
    internal_recycle_m3_per_d: pd.Series,
    return_sludge_m3_per_d: pd.Series,
    wastage_m3_per_d: pd.Series,
    wastage_tss_g_per_m3: pd.Series,
    sludge_mass_kg: pd.Series,
    external_carbon_m3_per_d: pd.Series | None = None,
    start_d: float | None = None,
    stop_d: float | None = None,
) -> Bsm1Evaluation:
    """Evaluate one BSM1 run with the benchmark's criteria (``perf_plant.m``, updated BSM1).

    Parameters
    ----------
    influent, effluent
        ASM1 states [g/m³] and ``Q`` [m³/d] on a time index [d].
    kla_per_d
        KLa of each tank [1/d], one column per tank, on a time index [d].
    volumes_m3
        Tank volumes in the column order of ``kla_per_d``. [m³]
    internal_recycle_m3_per_d, return_sludge_m3_per_d, wastage_m3_per_d
        The pumped flows. [m³/d]
    wastage_tss_g_per_m3
        TSS of the wastage (settler underflow). [g/m³]
    sludge_mass_kg
        Solids inventory of the tanks and the settler. [kg TSS]
    external_carbon_m3_per_d
        External carbon dosing (400 kg COD/m³), if any. [m³/d]
    start_d, stop_d
        Evaluation window, by default days 7 to 14. [d]

    Returns
    -------
    Bsm1Evaluation
        Indices [kg PU/d], energies [kWh/d], sludge [kg TSS/d], carbon [kg COD/d], OCI, flow-
        weighted effluent means [g/m³], violations of the BSM1 limits and 95-percentiles.
    """
    start_d, stop_d = _window(start_d, stop_d)
    weights = window_weights_d(effluent.index, start_d, stop_d)
    table = composition(effluent)
    table["S_NH"] = effluent["S_NH"]
    table["S_NO"] = effluent["S_NO"]
    means = {
        name: flow_weighted_mean(table[name], effluent["Q"], weights)
        for name in ("S_NH", "S_NO", "TKN", "TN", "TSS", "COD", "BOD5")
    }
    limits = constants()["effluent_limits_g_per_m3"]
    violations = {
        name: limit_violation(table[name], float(limits[name]), weights)
        for name in ("TN", "COD", "S_NH", "TSS", "BOD5")
    }
    window = {"start_d": start_d, "stop_d": stop_d}
    aeration = aeration_energy_kwh_per_d(kla_per_d, volumes_m3, **window)
    mixing = mixing_energy_kwh_per_d(kla_per_d, volumes_m3, **window)
    pumping = pumping_energy_kwh_per_d(internal_recycle_m3_per_d, return_sludge_m3_per_d, wastage_m3_per_d, **window)
    sludge = sludge_production_kg_per_d(wastage_m3_per_d, wastage_tss_g_per_m3, sludge_mass_kg, **window)
    carbon = 0.0
    if external_carbon_m3_per_d is not None:
        concentration = _value("operational_cost_index", "carbon_source_g_cod_per_m3")
        carbon_weights = window_weights_d(external_carbon_m3_per_d.index, start_d, stop_d)
        carbon = concentration / 1000.0 * time_average(external_carbon_m3_per_d, carbon_weights)
    influent_weights = window_weights_d(influent.index, start_d, stop_d)
    influent_flow = time_average(influent["Q"], influent_weights)
    return Bsm1Evaluation(
        start_d=start_d,
        stop_d=stop_d,
        influent_quality_index_kg_pu_per_d=quality_index_kg_pu_per_d(influent, influent=True, **window),
        effluent_quality_index_kg_pu_per_d=quality_index_kg_pu_per_d(effluent, influent=False, **window),
        aeration_energy_kwh_per_d=aeration,
        pumping_energy_kwh_per_d=pumping,
        mixing_energy_kwh_per_d=mixing,
        sludge_production_kg_per_d=sludge,
        external_carbon_kg_cod_per_d=carbon,
        operational_cost_index=operational_cost_index(aeration, pumping, mixing, sludge, carbon),
        influent_flow_m3_per_d=influent_flow,
        effluent_flow_m3_per_d=time_average(effluent["Q"], weights),
        energy_kwh_per_m3=(aeration + pumping + mixing) / influent_flow,
        effluent_mean_g_per_m3=MappingProxyType(means),
        violations=MappingProxyType(violations),
        s_nh_95_g_per_m3=percentile_95(table["S_NH"], weights),
        tn_95_g_per_m3=percentile_95(table["TN"], weights),
        tss_95_g_per_m3=percentile_95(table["TSS"], weights),
    )
