"""The BSM2 liquid line: inlet bypass, primary clarifier, activated sludge with temperature-
dependent ASM1, 10-layer secondary settler, and the BSM2 default closed loop.

Layout (Gernaey et al. 2014, BSM2; the official MATLAB code's reginit_bsm2.m): influent above
60 000 m³/d bypasses the plant to the effluent; the rest, mixed with the sludge line's returns
(storage-tank outflow = reject water, and thickener overflow, both before the primary clarifier
by default), enters the primary clarifier (Otterpohl & Freund 1992, 900 m³); its effluent feeds
tank 1 with the internal recycle (tank 5 → tank 1) and the return sludge; 2 × 1500 m³ anoxic and
3 × 3000 m³ aerobic tanks; a 10-layer Takács settler (1500 m² × 4 m) returns Qr to tank 1 and
wastes Qw.

Streams are stream15 arrays (13 ASM1 states, Q [m³/d], T [°C]; :mod:`ecocity.wastewater.asm1`).

Temperature (asm1_bsm2.c with tempmodel = 0, the BSM2 default; no heat balance): each unit
passes its inflow's temperature on, so the reactors and settler carry the flow-weighted
temperature of the fresh flows entering tank 1. At that temperature T [°C]:

* μ_H, b_H, μ_A, b_A, k_h, k_a: p(T) = p15·exp(ln(p15/p10)/5·(T − 15)) (the 10 °C values in
  ``data/bsm2_liquid_line.toml``); the half-saturation constants (incl. K_X), η_g, η_h and the
  yields are not corrected;
* KLa(T) = KLa·1.024^(T − 15);
* S_O,sat(T) = 0.9997743214·8/10.5·56.12·6791.5·exp(−66.7354 + 87.4755/(T_K/100) +
  24.4526·ln(T_K/100)), T_K = T + 273.15 (8.0 g/m³ at 15 °C);
* the settler's settling velocity does not depend on temperature (settler1d_bsm2, model type 0).

References
----------
Gernaey, K.V., Jeppsson, U., Vanrolleghem, P.A., Copp, J.B. (eds.) (2014). Benchmarking of Control
Strategies for Wastewater Treatment Plants. IWA STR No. 23. doi:10.2166/9781780401171.

Jeppsson, U. et al. (2007). Benchmark simulation model no 2: general protocol and exploratory case
studies. Water Sci. Technol. 56(8), 67–78. doi:10.2166/wst.2007.604.

Otterpohl, R., Freund, M. (1992). Dynamic models for clarifiers of activated sludge plants with
dry and wet weather flows. Water Sci. Technol. 26(5–6), 1391–1400. doi:10.2166/wst.1992.0582.

Takács, I., Patry, G.G., Nolasco, D. (1991). A dynamic model of the clarification-thickening
process. Water Res. 25(10), 1263–1271. doi:10.1016/0043-1354(91)90066-Y.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError, ModelError
from ecocity.wastewater import _kernel_bsm2 as k
from ecocity.wastewater import asm1
from ecocity.wastewater._files import read_preset_or_file
from ecocity.wastewater.settler import load_settling_parameters

#: column names of a stream15 frame
STREAM_COLUMNS: tuple[str, ...] = (*asm1.STATES, "Q", "T")
#: communication interval of the plant-wide coupling [d] (15 min)
INTERVAL_D = 15.0 / 1440.0
PRESETS = ("bsm2",)
_NOISE_FILE = "bsm2_sensornoise_so4.f32.gz"


@dataclass(frozen=True)
class LiquidLineLayout:
    """The BSM2 liquid line's data (``data/bsm2_liquid_line.toml``), as plain values.

    ``values`` maps each TOML entry (section.key) to its value; ``p`` and ``nu`` are the packed
    parameter vector and stoichiometric matrix the compiled kernel takes.
    """

    name: str
    values: dict[str, Any]
    asm1_parameters: asm1.ASM1Parameters
    p: np.ndarray
    nu: np.ndarray

    def value(self, key: str) -> Any:
        """The value of ``section.key`` (e.g. ``"flows.wastage_m3_per_d"``)."""
        return self.values[key]

    @property
    def kla_per_d(self) -> np.ndarray:
        """Open-loop KLa per tank [1/d]."""
        return np.array([t["kla_per_d"] for t in self.values["tanks"]])

    @property
    def carbon_m3_per_d(self) -> np.ndarray:
        """External carbon flow per tank [m³/d]."""
        return np.array([t["carbon_m3_per_d"] for t in self.values["tanks"]])

    @property
    def volume_m3(self) -> np.ndarray:
        """Tank volumes [m³]."""
        return np.array([t["volume_m3"] for t in self.values["tanks"]])

    @property
    def returns_to_as(self) -> np.ndarray:
        """Fraction of (storage-tank outflow, thickener overflow) sent to tank 1 (rest: before the
        primary clarifier)."""
        return np.array([self.values["returns.storage_to_as_fraction"], self.values["returns.thickener_to_as_fraction"]])


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section, entries in data.items():
        if isinstance(entries, dict):
            for key, entry in entries.items():
                out[f"{section}.{key}"] = entry["value"] if isinstance(entry, dict) else entry
        elif section == "tanks":
            out["tanks"] = [{key: (e["value"] if isinstance(e, dict) else e) for key, e in tank.items()} for tank in entries]
        else:
            out[section] = entries
    return out


def load_liquid_line(name: str | Path = "bsm2") -> LiquidLineLayout:
    """Load a liquid-line layout (a preset name or a TOML file like ``data/bsm2_liquid_line.toml``).

    Raises
    ------
    InputError
        No such preset or file, or a missing entry (naming it).
    """
    path, data = read_preset_or_file(name, PRESETS, "{name}_liquid_line.toml", "liquid-line layout")
    values = _flatten(data)
    try:
        params = asm1.load_parameters(values["asm1_parameters"])
        settling = load_settling_parameters(values["settling_parameters"])
        tanks = values["tanks"]
        if len(tanks) != k.N_TANKS or int(values["settler.layers"]) != k.N_LAYERS:
            raise InputError(f"the BSM2 liquid line has {k.N_TANKS} tanks and a {k.N_LAYERS}-layer settler", file=path)
        packed = {
            **{name: getattr(params, name) for name in k.PARAMETERS[:14]},
            **{f"{n}_10": values[f"temperature.{n}_10"] for n in ("mu_H", "b_H", "mu_A", "b_A", "k_h", "k_a")},
            "kla_theta": values["temperature.kla_theta"],
            "oxygen_saturation_scale": values["temperature.oxygen_saturation_scale"],
            **{f"volume{i + 1}": tank["volume_m3"] for i, tank in enumerate(tanks)},
            "pc_volume": values["primary_clarifier.volume_m3"],
            "pc_efficiency_correction": values["primary_clarifier.efficiency_correction"],
            "pc_particulate_cod_fraction": values["primary_clarifier.particulate_cod_fraction"],
            "pc_flow_smoothing_time_d": values["primary_clarifier.flow_smoothing_time_d"],
            "pc_underflow_fraction": values["primary_clarifier.underflow_fraction"],
            "bypass_threshold": values["inlet_bypass.threshold_m3_per_d"],
            "bypass_to_effluent": values["inlet_bypass.to_effluent_fraction"],
            "primary_effluent_bypass": values["inlet_bypass.primary_effluent_bypass_fraction"],
            "v0_max": settling.v0_max, "v0": settling.v0, "r_h": settling.r_h, "r_p": settling.r_p,
            "f_ns": settling.f_ns, "X_t": settling.X_t,
            "area_m2": values["settler.area_m2"], "height_m": values["settler.height_m"],
            "feed_layer": values["settler.feed_layer_from_top"] - 1,
            "tss_per_cod": params.tss_per_cod,
            "carbon_source": values["flows.carbon_source_g_cod_per_m3"],
            "K": values["control.gain"], "Ti": values["control.integral_time_d"],
            "Tt": values["control.tracking_time_d"], "u_offset": values["control.output_offset_per_d"],
            "u_min": values["control.output_min_per_d"], "u_max": values["control.output_max_per_d"],
            "kla3_gain": values["control.kla3_gain"], "kla5_gain": values["control.kla5_gain"],
            "sensor_T": values["control.sensor_t90_min"] / 1440.0 / values["control.t90_per_time_constant"],
            "actuator_T": values["control.actuator_t90_min"] / 1440.0 / values["control.t90_per_time_constant"],
            "sensor_min": values["control.sensor_min_g_per_m3"], "sensor_max": values["control.sensor_max_g_per_m3"],
        }  # fmt: skip
        p = np.array([float(packed[n]) for n in k.PARAMETERS])
    except KeyError as err:
        raise InputError(f"missing entry {err.args[0]!r} in the liquid-line layout", file=path) from err
    nu = np.ascontiguousarray(asm1.stoichiometry(params), dtype=np.float64)
    return LiquidLineLayout(name=str(values.get("name", path.stem)), values=values, asm1_parameters=params, p=p, nu=nu)


def corrected_kinetics(layout: LiquidLineLayout, temperature_c: float) -> dict[str, float]:
    """The ASM1 kinetic parameters at ``temperature_c`` [°C] (asm1_bsm2.c correction), by name."""
    kin = np.empty(14)
    k.corrected_kinetics(layout.p, float(temperature_c), kin)
    return dict(zip(k.PARAMETERS[:14], kin.tolist(), strict=True))


def oxygen_saturation_g_per_m3(layout: LiquidLineLayout, temperature_c: float) -> float:
    """Oxygen saturation S_O,sat(T) [g O2/m³] of asm1_bsm2.c."""
    return float(k.oxygen_saturation(float(temperature_c), layout.p[k.P["oxygen_saturation_scale"]]))


def initial_guess(influent15: np.ndarray) -> np.ndarray:
    """A start for the steady-state search: the influent in the primary clarifier, a typical
    BSM2 mixed liquor in the tanks (mid-range of the benchmark's own initial states) and settler,
    controller at rest. [g/m³]"""
    y = np.zeros(k.N_STATES)
    y[0:13] = np.maximum(influent15[:13], 0.0)
    y[13] = influent15[13]
    mixed = np.array([28.0, 2.0, 1500.0, 50.0, 2200.0, 150.0, 950.0, 1.0, 5.0, 3.0, 0.7, 3.0, 5.0])
    for t in range(k.N_TANKS):
        y[k.TANK0 + t * 13 : k.TANK0 + (t + 1) * 13] = mixed
    y[k.TSS0 : k.TSS0 + k.N_LAYERS] = np.linspace(15.0, 7000.0, k.N_LAYERS)
    for j in range(k.N_LAYERS):
        y[k.SOL0 + j * k.N_SOL : k.SOL0 + (j + 1) * k.N_SOL] = mixed[list(k.SOLUBLE)]
    y[k.CTRL0 : k.CTRL0 + 2] = 2.0
    y[k.CTRL0 + 3 : k.CTRL0 + 5] = 120.0
    return y


def _returns_array(returns: np.ndarray | None) -> np.ndarray:
    if returns is None:
        return np.zeros((0, 15))
    arr = np.atleast_2d(np.asarray(returns, dtype=np.float64))
    if arr.shape[1] != 15 or arr.shape[0] > 2:
        raise InputError("returns must be stream15 rows: (storage-tank outflow[, thickener overflow]), 15 columns each", field="returns")
    return arr


def _inputs(layout: LiquidLineLayout, influent15: np.ndarray, returns: np.ndarray, *, control: str, qw: float,
            noise: float = 0.0) -> np.ndarray:  # fmt: skip
    u = np.empty(k.N_INPUTS)
    k.mix_inputs(np.asarray(influent15, dtype=np.float64), returns, layout.returns_to_as[: returns.shape[0]].copy(),
                 layout.kla_per_d, layout.value("flows.internal_recycle_m3_per_d"),
                 layout.value("flows.return_sludge_m3_per_d"), qw, layout.carbon_m3_per_d,
                 1.0 if control == "default" else 0.0, noise, layout.value("control.setpoint_g_per_m3"), layout.p, u)  # fmt: skip
    return u


def _check_control(control: str) -> None:
    if control not in ("open", "default"):
        raise InputError(f"unknown control {control!r}; expected 'open' or 'default'", field="control")


def advance_liquid_line(state: np.ndarray, influent15: np.ndarray, returns: np.ndarray | None, dt_d: float,
                        layout: LiquidLineLayout, *, control: str = "open", qw_m3_per_d: float | None = None,
                        noise_g_per_m3: np.ndarray | None = None, rtol: float = 1e-6, atol: float = 1e-6,
                        step_d: float = 1e-4) -> tuple[np.ndarray, np.ndarray, float]:  # fmt: skip
    """Advance the liquid line over ``dt_d`` days with the influent and the returns held.

    Parameters
    ----------
    state
        Liquid-line state (:data:`ecocity.wastewater._kernel_bsm2.N_STATES` values; layout in
        that module). Not modified.
    influent15
        Influent stream15 (held). [g/m³, m³/d, °C]
    returns
        Sludge-line returns, stream15 rows (storage-tank outflow[, thickener overflow]), held;
        ``None`` for none.
    dt_d
        Interval length. [d]
    layout
        From :func:`load_liquid_line`.
    control
        ``"open"`` (KLa of the layout) or ``"default"`` (BSM2 DO control in tank 4).
    qw_m3_per_d
        Wastage flow over the interval (default: the layout's 300 m³/d). [m³/d]
    noise_g_per_m3
        DO sensor noise values held on equal sub-intervals of the interval (already scaled by the
        sensor's standard deviation); ``None``: no noise. [g/m³]
    rtol, atol, step_d
        Integrator tolerances and first step guess [d].

    Returns
    -------
    (state at the interval end, outputs (see :func:`interval_outputs`), next step guess [d])

    Raises
    ------
    ModelError
        The integrator failed (step-size underflow or too many steps).
    """
    _check_control(control)
    ret = _returns_array(returns)
    qw = layout.value("flows.wastage_m3_per_d") if qw_m3_per_d is None else qw_m3_per_d
    u = _inputs(layout, influent15, ret, control=control, qw=qw)
    noise = np.zeros(1) if noise_g_per_m3 is None else np.ascontiguousarray(noise_g_per_m3, dtype=np.float64)
    y = np.array(state, dtype=np.float64)
    h, _, status = k.advance(y, u, noise, float(dt_d), layout.p, layout.nu, rtol, atol, step_d, 10_000_000)
    if status != 0:
        raise ModelError(f"liquid-line integration failed (status {status}) over an interval of {dt_d} d")
    out = np.empty(k.N_OUT)
    k.outputs(y, u, layout.p, out)
    return y, out, h


def interval_outputs(out: np.ndarray) -> dict[str, np.ndarray | float]:
    """Name the kernel's output vector: stream15 arrays ``effluent``, ``bypass``,
    ``primary_effluent``, ``primary_sludge``, ``wastage``, ``return_sludge``; ``kla_per_d`` (5);
    ``tank1_inflow_m3_per_d``; ``tss_inventory_g`` (primary clarifier, reactors, settler)."""
    return {
        "effluent": out[k.OUT_EFFLUENT : k.OUT_EFFLUENT + 15],
        "bypass": out[k.OUT_BYPASS : k.OUT_BYPASS + 15],
        "primary_effluent": out[k.OUT_PRIMARY_EFFLUENT : k.OUT_PRIMARY_EFFLUENT + 15],
        "primary_sludge": out[k.OUT_PRIMARY_SLUDGE : k.OUT_PRIMARY_SLUDGE + 15],
        "wastage": out[k.OUT_WASTAGE : k.OUT_WASTAGE + 15],
        "return_sludge": out[k.OUT_RETURN : k.OUT_RETURN + 15],
        "kla_per_d": out[k.OUT_KLA : k.OUT_KLA + 5],
        "tank1_inflow_m3_per_d": float(out[k.OUT_TANK1_FLOW]),
        "tss_inventory_g": out[k.OUT_INVENTORY : k.OUT_INVENTORY + 3],
    }


def derivatives(state: np.ndarray, influent15: np.ndarray, returns: np.ndarray | None, layout: LiquidLineLayout,
                *, control: str = "open", qw_m3_per_d: float | None = None) -> np.ndarray:  # fmt: skip
    """dy/dt of the liquid line at ``state`` with the given inputs (for steady-state checks)."""
    _check_control(control)
    ret = _returns_array(returns)
    qw = layout.value("flows.wastage_m3_per_d") if qw_m3_per_d is None else qw_m3_per_d
    u = _inputs(layout, influent15, ret, control=control, qw=qw)
    temperature = k.as_temperature(u)
    kin = np.empty(14)
    k.corrected_kinetics(layout.p, temperature, kin)
    dy = np.zeros(k.N_STATES)
    k.rhs(np.asarray(state, dtype=np.float64), u, layout.p, layout.nu, kin,
          layout.p[k.P["kla_theta"]] ** (temperature - 15.0), k.oxygen_saturation(temperature, layout.p[k.P["oxygen_saturation_scale"]]), dy,
          np.empty(k.N_WORK))  # fmt: skip
    return dy


def with_controller_at_rest(state: np.ndarray, layout: LiquidLineLayout, kla4_per_d: float | None = None) -> np.ndarray:
    """A copy of ``state`` whose DO controller starts bumplessly: sensor lags at the tank-4 S_O,
    actuator lags at ``kla4_per_d`` (default the layout's open-loop KLa4) and the PI integral state
    such that the controller output equals that KLa, for switching an open-loop state to
    ``control="default"``."""
    y = np.array(state, dtype=np.float64)
    kla4 = float(layout.kla_per_d[3] if kla4_per_d is None else kla4_per_d)
    p = layout.p
    s_o4 = y[k.TANK0 + 3 * 13 + asm1.INDEX["S_O"]]
    measured = min(max(s_o4, p[k.P["sensor_min"]]), p[k.P["sensor_max"]])
    error = layout.value("control.setpoint_g_per_m3") - measured
    y[k.CTRL0 : k.CTRL0 + 2] = s_o4
    y[k.CTRL0 + 2] = kla4 - p[k.P["u_offset"]] - p[k.P["K"]] * error
    y[k.CTRL0 + 3 : k.CTRL0 + 5] = kla4
    return y


def liquid_line_steady_state(influent15: np.ndarray, reject15: np.ndarray | None = None,
                             layout: LiquidLineLayout | None = None, *, control: str = "open",
                             initial: np.ndarray | None = None, days: float = 30.0,
                             tolerance: float = 1e-9) -> np.ndarray:  # fmt: skip
    """The steady state of the liquid line under a constant influent and constant returns.

    Integrates ``days`` days from ``initial`` (default :func:`initial_guess`), then polishes with
    Newton's method on a finite-difference Jacobian until max|dy/dt| relative to the state is below
    ``tolerance`` per day.

    Raises
    ------
    ModelError
        Newton's method did not converge.
    """
    layout = layout or load_liquid_line()
    _check_control(control)
    ret = _returns_array(reject15)
    y = initial_guess(np.asarray(influent15, dtype=np.float64)) if initial is None else np.array(initial, dtype=np.float64)
    y, _, _ = advance_liquid_line(y, influent15, ret, days, layout, control=control)
    active = slice(0, k.N_STATES if control == "default" else k.CTRL0)
    n = active.stop

    def f(x: np.ndarray) -> np.ndarray:
        full = y.copy()
        full[:n] = x
        return derivatives(full, influent15, ret, layout, control=control)[:n]

    x = y[:n].copy()
    for _ in range(20):
        f0 = f(x)
        scale = np.maximum(np.abs(x), 1.0)
        if np.max(np.abs(f0) / scale) < tolerance:
            y[:n] = x
            return y
        jac = np.empty((n, n))
        for j in range(n):
            step = 1e-7 * max(abs(x[j]), 1.0)
            xp = x.copy()
            xp[j] += step
            jac[:, j] = (f(xp) - f0) / step
        x = x - np.linalg.solve(jac, f0)
    raise ModelError("the liquid-line steady state did not converge (Newton, 20 iterations)")


def wastage_schedule_m3_per_d(time_d: np.ndarray, layout: LiquidLineLayout) -> np.ndarray:
    """BSM2 default closed-loop wastage Qw(t) [m³/d]: low, then alternating high/low at the
    switching days of the layout (``control.wastage_switch_days``)."""
    low, high = layout.value("control.wastage_low_m3_per_d"), layout.value("control.wastage_high_m3_per_d")
    switches = np.searchsorted(np.asarray(layout.value("control.wastage_switch_days")), np.asarray(time_d), side="right")
    return np.where(switches % 2 == 0, low, high)


def sensor_noise(std_g_per_m3: float | None = None, layout: LiquidLineLayout | None = None) -> np.ndarray:
    """The BSM2 DO-sensor noise sequence [g/m³], scaled to a standard deviation ``std_g_per_m3``
    (default the BSM sensor convention: 0.025 × the measurement range's maximum, 10 g/m³ → 0.25 g/m³).

    One value per minute from t = 0 to 609 d (876 961 values, mean ≈ 0, std ≈ 1 as shipped): the
    official BSM2 sensornoise sequence used for the DO sensor, column 2 of bsm2-python 0.0.16's
    data/sensornoise.csv (BSD-3-Clause), stored as little-endian float32 in
    ``data/bsm2_sensornoise_so4.f32.gz`` (provenance in tests/data/bsm2_liquid/SOURCES.md)."""
    layout = layout or load_liquid_line()
    if std_g_per_m3 is None:
        std_g_per_m3 = layout.value("control.sensor_noise_relative_std") * layout.value("control.sensor_max_g_per_m3")
    path = resources.files("ecocity.wastewater").joinpath("data", _NOISE_FILE)
    with gzip.open(str(path), "rb") as fh:
        values = np.frombuffer(fh.read(), dtype="<f4").astype(np.float64)
    return values * std_g_per_m3


def interval_noise(series_g_per_m3: np.ndarray, start_d: float, dt_d: float, layout: LiquidLineLayout) -> np.ndarray:
    """The noise values held within the interval [start_d, start_d + dt_d) (one per noise sample,
    1 min), for :func:`advance_liquid_line`'s ``noise_g_per_m3``; ``series_g_per_m3`` from
    :func:`sensor_noise` (sample i at t = i min).

    Raises
    ------
    InputError
        The interval is not a whole number of noise samples, or lies beyond the sequence.
    """
    minute = layout.value("control.noise_interval_d")
    per = dt_d / minute
    first = start_d / minute
    if abs(per - round(per)) > 1e-6 or abs(first - round(first)) > 1e-6:
        raise InputError("the interval must start and end on whole minutes of the noise sequence", field="noise")
    i0, n = int(round(first)), max(int(round(per)), 1)
    if i0 + n > series_g_per_m3.size:
        raise InputError(f"the sensor-noise sequence ends at {series_g_per_m3.size * minute:.0f} d", field="noise")
    return series_g_per_m3[i0 : i0 + n]


@dataclass(frozen=True)
class LiquidLineResult:
    """Result of :func:`simulate_liquid_line`; every frame is indexed by the interval end t [d].

    Stream frames have :data:`STREAM_COLUMNS` ([g/m³], S_ALK [mol/m³], Q [m³/d], T [°C]).
    ``actuators``: kla1…kla5 [1/d], qintr, qr, qw, carbon1…carbon5 [m³/d].
    ``inventory_kg``: TSS held in the primary clarifier, the reactors and the settler [kg].
    ``reactors``: the five tanks' states, columns ``tank{k}_{state}``.
    """

    effluent: pd.DataFrame
    bypass: pd.DataFrame
    primary_effluent: pd.DataFrame
    primary_sludge: pd.DataFrame
    wastage: pd.DataFrame
    return_sludge: pd.DataFrame
    actuators: pd.DataFrame
    inventory_kg: pd.DataFrame
    reactors: pd.DataFrame
    final_state: np.ndarray
    rhs_calls: int


def _influent_array(influent: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in STREAM_COLUMNS if c not in influent.columns]
    if missing:
        raise InputError(f"influent frame lacks columns {missing}; expected {list(STREAM_COLUMNS)} and a time index [d]", field="influent")
    return np.asarray(influent.index, dtype=np.float64), np.ascontiguousarray(influent[list(STREAM_COLUMNS)].to_numpy(dtype=np.float64))


def simulate_liquid_line(influent: pd.DataFrame, reject: np.ndarray | pd.DataFrame | None = None, control: str = "open",
                         days: float | None = None, *, layout: LiquidLineLayout | None = None,
                         initial: np.ndarray | None = None, noise: bool = True, interval_d: float = INTERVAL_D,
                         rtol: float = 1e-6, atol: float = 1e-6) -> LiquidLineResult:  # fmt: skip
    """Simulate the liquid line stand-alone on a sampled influent (zero-order hold per interval).

    Parameters
    ----------
    influent
        Frame with :data:`STREAM_COLUMNS` (extra columns ignored) indexed by time t [d], e.g.
        :func:`ecocity.wastewater.influent.read_influent` of a BSM2 file; rows are held until the
        next row.
    reject
        Returns: ``None`` (none), one stream15 (constant, before the primary clarifier as storage
        outflow), or a frame with :data:`STREAM_COLUMNS` sampled like the influent.
    control
        ``"open"`` or ``"default"`` (DO PI in tank 4 and the seasonal Qw schedule).
    days
        Length of the run [d] (default: the influent's span).
    noise
        With ``control="default"``: add the BSM2 DO-sensor noise sequence (1-min samples).
    interval_d
        Output (and input hold) interval [d], default 15 min.

    Raises
    ------
    InputError
        Bad influent frame or control name.
    ModelError
        Integration failure.
    """
    _check_control(control)
    layout = layout or load_liquid_line()
    times, inf = _influent_array(influent)
    start = times[0]
    end = start + (days if days is not None else times[-1] - times[0])
    n_int = int(round((end - start) / interval_d))
    edges = start + interval_d * np.arange(n_int + 1)
    # a row holds from its time on; times in the benchmark files carry 8 digits (±5e-6 d at 609 d)
    slack = 1e-3 * interval_d
    rows = np.clip(np.searchsorted(times, edges[:-1] + slack, side="right") - 1, 0, len(times) - 1)
    influents = np.ascontiguousarray(inf[rows])
    if reject is None:
        returns = np.zeros((n_int, 0, 15))
    elif isinstance(reject, pd.DataFrame):
        rt, rv = _influent_array(reject)
        ridx = np.clip(np.searchsorted(rt, edges[:-1] + slack, side="right") - 1, 0, len(rt) - 1)
        returns = np.ascontiguousarray(rv[ridx][:, None, :])
    else:
        returns = np.ascontiguousarray(np.broadcast_to(_returns_array(reject), (n_int, *_returns_array(reject).shape)))
    if control == "default":
        qw = wastage_schedule_m3_per_d(edges[:-1], layout)
    else:
        qw = np.full(n_int, layout.value("flows.wastage_m3_per_d"))
    carbon = np.ascontiguousarray(np.broadcast_to(layout.carbon_m3_per_d, (n_int, 5)))
    per = 1
    noise_values = np.zeros(n_int)
    if control == "default" and noise:
        minute = layout.value("control.noise_interval_d")
        per = max(int(round(interval_d / minute)), 1)
        series = sensor_noise(layout=layout)
        first = int(round((start - 0.0) / minute))
        need = first + n_int * per
        if need > series.size:
            raise InputError(f"the sensor-noise sequence covers {series.size * minute:.0f} d; the run needs {need * minute:.0f} d", field="noise")
        noise_values = np.ascontiguousarray(series[first:need])
    y0 = initial_guess(influents[0]) if initial is None else np.asarray(initial, dtype=np.float64)
    states, outs, calls, status = k.run_held(
        y0, influents, returns, layout.returns_to_as[: returns.shape[1]].copy(), layout.kla_per_d,
        layout.value("flows.internal_recycle_m3_per_d"), layout.value("flows.return_sludge_m3_per_d"),
        np.ascontiguousarray(qw, dtype=np.float64), carbon, 1.0 if control == "default" else 0.0,
        layout.value("control.setpoint_g_per_m3"), noise_values, per, interval_d, layout.p, layout.nu, rtol, atol,
        50_000_000,
    )  # fmt: skip
    if status != 0:
        raise ModelError(f"liquid-line integration failed (status {status}) at t = {edges[len(states)]:.4f} d")
    index = pd.Index(edges[1:], name="t")

    def stream(offset: int) -> pd.DataFrame:
        return pd.DataFrame(outs[:, offset : offset + 15], index=index, columns=list(STREAM_COLUMNS))

    actuators = pd.DataFrame(
        np.column_stack([outs[:, k.OUT_KLA : k.OUT_KLA + 5], np.full(n_int, layout.value("flows.internal_recycle_m3_per_d")),
                         np.full(n_int, layout.value("flows.return_sludge_m3_per_d")), qw, carbon]),
        index=index,
        columns=[f"kla{i}" for i in range(1, 6)] + ["qintr", "qr", "qw"] + [f"carbon{i}" for i in range(1, 6)],
    )  # fmt: skip
    inventory = pd.DataFrame(outs[:, k.OUT_INVENTORY : k.OUT_INVENTORY + 3] / 1000.0, index=index,
                             columns=["primary_clarifier", "reactors", "settler"])  # fmt: skip
    reactors = pd.DataFrame(states[:, k.TANK0 : k.TSS0], index=index,
                            columns=[f"tank{t}_{s}" for t in range(1, 6) for s in asm1.STATES])  # fmt: skip
    return LiquidLineResult(
        effluent=stream(k.OUT_EFFLUENT), bypass=stream(k.OUT_BYPASS), primary_effluent=stream(k.OUT_PRIMARY_EFFLUENT),
        primary_sludge=stream(k.OUT_PRIMARY_SLUDGE), wastage=stream(k.OUT_WASTAGE), return_sludge=stream(k.OUT_RETURN),
        actuators=actuators, inventory_kg=inventory, reactors=reactors, final_state=states[-1].copy(), rhs_calls=int(calls),
    )  # fmt: skip


def tank_states(state: np.ndarray) -> np.ndarray:
    """The five tanks' concentrations (5 × 13) from a liquid-line state."""
    return np.asarray(state)[k.TANK0 : k.TSS0].reshape(k.N_TANKS, 13)


def primary_states(state: np.ndarray) -> np.ndarray:
    """The primary clarifier's 13 concentrations from a liquid-line state."""
    return np.asarray(state)[0:13]
