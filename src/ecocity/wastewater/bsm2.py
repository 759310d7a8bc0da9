"""The BSM2 plant, wired: liquid line, thickener, digester, dewatering and storage tank.

Sequential-modular coupling with a 15-min communication interval (the BSM2 influent's sample
interval), compiled as one numba loop. In each interval:

1. the liquid line (:mod:`ecocity.wastewater._kernel_bsm2`: primary clarifier, five ASM1
   reactors, settler, DO control) is advanced with the influent row and the two sludge-line
   returns of the previous interval held (storage-tank outflow, thickener overflow);
2. its waste sludge is thickened (:func:`ecocity.wastewater.sludge_units.thicken_kernel`), mixed
   with the primary sludge and mapped to ADM1 (:func:`ecocity.wastewater.interfaces.asm_to_adm_kernel`
   at the digester's last pH, as BSM2 feeds it back);
3. the digester (:mod:`ecocity.wastewater._kernel_adm1`, 35 °C) is advanced with that feed held,
   its effluent mapped back to ASM1, dewatered, and the reject water passed through the storage
   tank, whose mean outflow returns to the liquid line in the next interval.

The lag this introduces on the returns is one interval (15 min) against a digester residence of
~19 d and a storage tank that is full and passing through; the liquid line's own recycles are
inside its integrator and carry no lag.

The protocol (Gernaey et al. 2014; Jeppsson et al. 2007): 200 days with the constant influent,
then the 609-day dynamic influent, evaluated on days 245–609 (:mod:`ecocity.wastewater.evaluation_bsm2`).

Planner options (:class:`Bsm2Options`, defaults in ``data/bsm2_options.toml``, method in
``docs/methods/bsm2-options.md``): the DO set-point, a fixed wastage flow (sludge age,
:func:`sludge_age_d`), ammonia-based aeration control (a PI on tank-5 S_NH inside the compiled
loop), food-waste co-digestion (an extra ADM1 stream into the digester) and thermal hydrolysis
(higher digestibility of the sludge, :func:`with_thermal_hydrolysis`). :func:`load_bsm2` also reads
a user plant file (``preset = "bsm2"`` plus overrides, :data:`PLANT_FILE_KEYS`).

References
----------
Jeppsson, U., Pons, M.-N., Nopens, I., Alex, J., Copp, J. B., Gernaey, K. V., Rosen, C., Steyer,
J.-P., Vanrolleghem, P. A. (2007). Benchmark simulation model no 2: general protocol and
exploratory case studies. Water Sci. Technol. 56(8), 67–78. doi:10.2166/wst.2007.604
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numba import njit

from ecocity.errors import InputError, ModelError
from ecocity.wastewater import _kernel_adm1 as kad
from ecocity.wastewater import _kernel_bsm2 as kll
from ecocity.wastewater import adm1, interfaces, liquid_line, sludge_units
from ecocity.wastewater.bsm2_plant import (  # noqa: F401  (re-exported: the plant-wide API)
    PLANT_FILE_KEYS,
    Bsm2Options,
    Bsm2Parts,
    food_waste_stream,
    load_bsm2,
    option_defaults,
    with_thermal_hydrolysis,
)
from ecocity.wastewater.evaluation_bsm2 import Bsm2Evaluation, Bsm2Record, evaluate_bsm2
from ecocity.wastewater.influent import read_bsm2_influent

INTERVAL_D = liquid_line.INTERVAL_D
#: days of constant influent before the dynamic influent (BSM2 protocol)
STABILISATION_D = 200.0
CONTROLS = ("open", "default")
#: digester pH below which a run warns (acidification risk; methanogens' lower pH limit in ADM1 BSM2)
DIGESTER_PH_WARNING = 6.8
#: columns of the per-interval sludge-line record (:func:`_run`)
G_Q_GAS, G_P_H2, G_P_CH4, G_P_CO2, G_P_TOTAL, G_PH, G_X_CH = range(7)
N_GAS = 7
#: integrator settings: liquid line (Dormand–Prince) and digester (ROS2 W-method)
LL_RTOL, LL_ATOL = 1e-6, 1e-6
AD_RTOL, AD_ATOL = 1e-3, 1e-6
MAX_STEPS = 100_000_000


@njit(cache=True)
def _mix(a, b, out):
    """Flow-weighted mix of two stream15 arrays into ``out``."""
    q = a[13] + b[13]
    for i in range(13):
        out[i] = (a[i] * a[13] + b[i] * b[13]) / q if q > 0.0 else 0.0
    out[13] = q
    out[14] = (a[14] * a[13] + b[14] * b[13]) / q if q > 0.0 else a[14]


@njit(cache=True)
def _run(y_ll, y_ad, work_ad, storage, returns, ph, influents, qw, carbon, noise, per_interval, active,
         kla, qintr, qr, setpoint, returns_to_as, dt, p_ll, nu, p_if, p_su, p_ad,
         out_ll, thick_under, feed, sludge, reject, gas, storage_record,
         abac, abac_state, codigestion, do_record):  # fmt: skip
    """Advance the whole plant through ``influents.shape[0]`` intervals of ``dt`` days.

    States (``y_ll``, ``y_ad``, ``work_ad``, ``storage``, ``returns`` (2 × 15), ``ph`` (1)) are
    updated in place, so a later call continues the run. Row i of the record arrays holds the
    values at the end of interval i. Returns (index of the failing interval or -1, status, where:
    0 liquid line, 1 ASM→ADM, 2 digester, 3 ADM→ASM).

    Options (:class:`Bsm2Options`): ``abac`` = (on, S_NH set-point [g N/m³], gain, integral time
    [d], DO min, DO max [g/m³]) with its integral in ``abac_state`` (1, updated in place): a
    discrete PI on tank-5 S_NH at the start of each interval sets that interval's tank-4 DO
    set-point around ``setpoint`` (conditional integration against wind-up); ``codigestion`` is an
    ADM1 stream (28: 26 concentrations, Q, T) mixed into the digester feed when its Q > 0;
    ``do_record`` receives each interval's DO set-point.
    """
    u = np.empty(kll.N_INPUTS)
    mixed = np.empty(15)
    u28 = np.empty(28)
    pp = np.empty(4)
    h_ll = 1e-4
    q_co = codigestion[26]
    for i in range(influents.shape[0]):
        sp = setpoint
        if abac[0] > 0.5:
            error = y_ll[kll.TANK0 + 4 * kll.N + 9] - abac[1]
            raw = setpoint + abac[2] * error + abac_state[0]
            sp = min(max(raw, abac[4]), abac[5])
            if raw == sp or (raw > sp and error < 0.0) or (raw < sp and error > 0.0):
                abac_state[0] += abac[2] * dt / abac[3] * error
        do_record[i] = sp
        kll.mix_inputs(influents[i], returns, returns_to_as, kla, qintr, qr, qw[i], carbon[i], active, 0.0,
                       sp, p_ll, u)  # fmt: skip
        h_ll, _, status = kll.advance(y_ll, u, noise[i * per_interval : (i + 1) * per_interval], dt, p_ll, nu,
                                      LL_RTOL, LL_ATOL, h_ll, MAX_STEPS)  # fmt: skip
        if status != 0:
            return i, 0, status
        kll.outputs(y_ll, u, p_ll, out_ll[i])
        wastage = out_ll[i, kll.OUT_WASTAGE : kll.OUT_WASTAGE + 15].copy()
        primary = out_ll[i, kll.OUT_PRIMARY_SLUDGE : kll.OUT_PRIMARY_SLUDGE + 15].copy()
        under, over = sludge_units.thicken_kernel(wastage, p_su)
        thick_under[i] = under
        _mix(under, primary, mixed)
        feed[i] = mixed
        adm_in, status = interfaces.asm_to_adm_kernel(mixed, ph[0], p_if)
        if status != 0:
            return i, 1, status
        for j in range(28):
            u28[j] = adm_in[j]
        if q_co > 0.0:
            q_sl = adm_in[26]
            for j in range(26):
                u28[j] = (adm_in[j] * q_sl + codigestion[j] * q_co) / (q_sl + q_co)
            u28[26] = q_sl + q_co
        _, status = kad.advance(y_ad, u28, dt, p_ad, work_ad, AD_RTOL, AD_ATOL, MAX_STEPS)
        if status != 0:
            return i, 2, status
        ph[0] = -np.log10(y_ad[kad.I_H])
        for j in range(26):
            u28[j] = y_ad[j]
        back, status = interfaces.adm_to_asm_kernel(u28, ph[0], mixed[14], p_if)
        if status != 0:
            return i, 3, status
        cake, water = sludge_units.dewater_kernel(back, p_su)
        sludge[i] = cake
        reject[i] = water
        stored = sludge_units.advance_storage(storage, water, dt, p_su)
        storage_record[i, :15] = storage
        returns[0] = stored
        returns[1] = over
        kad.partial_pressures(y_ad, p_ad, pp)
        gas[i, G_Q_GAS] = max(p_ad[kad.K_P] * (pp[3] - p_ad[kad.P_ATM]), 0.0) * pp[3] / p_ad[kad.P_ATM]
        gas[i, G_P_H2] = pp[0]
        gas[i, G_P_CH4] = pp[1]
        gas[i, G_P_CO2] = pp[2]
        gas[i, G_P_TOTAL] = pp[3]
        gas[i, G_PH] = ph[0]
        gas[i, G_X_CH] = y_ad[13]
    return -1, 0, 0


@dataclass
class Bsm2State:
    """The whole plant's state between runs (mutable: :func:`advance_plant` updates it)."""

    liquid: np.ndarray
    digester: np.ndarray
    digester_work: np.ndarray
    storage: np.ndarray
    returns: np.ndarray
    ph: np.ndarray
    control: str
    time_d: float = 0.0
    #: the ammonia controller's integral term [g O2/m³] (:class:`Bsm2Options`)
    abac_integral: np.ndarray = field(default_factory=lambda: np.zeros(1))

    def copy(self) -> Bsm2State:
        return Bsm2State(self.liquid.copy(), self.digester.copy(), self.digester_work.copy(), self.storage.copy(),
                         self.returns.copy(), self.ph.copy(), self.control, self.time_d,
                         self.abac_integral.copy())  # fmt: skip


@dataclass(frozen=True)
class Bsm2Trace:
    """Per-interval record of a plant run (row i: the end of interval i)."""

    time_d: np.ndarray
    influent: np.ndarray
    liquid: np.ndarray  # kll.N_OUT columns
    thickener_underflow: np.ndarray
    digester_feed: np.ndarray
    sludge: np.ndarray
    reject: np.ndarray
    gas: np.ndarray  # N_GAS columns
    storage: np.ndarray  # 13 concentrations, volume, T
    qw_m3_per_d: np.ndarray
    carbon_m3_per_d: np.ndarray
    do_setpoint_g_per_m3: np.ndarray | None = None  # tank-4 DO set-point per interval
    codigestion_m3_per_d: np.ndarray | None = None  # co-digested food waste to the digester


def _check_control(control: str) -> None:
    if control not in CONTROLS:
        raise InputError(f"unknown control {control!r}; expected one of {', '.join(CONTROLS)}", field="control")


def advance_plant(parts: Bsm2Parts, state: Bsm2State, influent: pd.DataFrame, *, noise: bool = True,
                  qw_m3_per_d: np.ndarray | None = None, options: Bsm2Options | None = None) -> Bsm2Trace:  # fmt: skip
    """Advance ``state`` (in place) through the rows of a 15-min ``influent`` frame, each held.

    Parameters
    ----------
    parts
        From :func:`load_bsm2`.
    state
        The plant state; updated to the end of the run.
    influent
        BSM2-format influent (columns of :data:`ecocity.wastewater.influent.BSM2_COLUMNS`), one
        row per 15-min interval; the last row only stamps the record's last sample.
    noise
        Apply the BSM2 DO-sensor noise in the closed loop (the official sequence, from the
        state's ``time_d``).
    qw_m3_per_d
        Wastage flow per interval (default: ``options.wastage_m3_per_d`` if set, else the BSM2
        schedule in the closed loop, 300 m³/d open).
    options
        DO set-point, ammonia control and co-digestion (:class:`Bsm2Options`; thermal hydrolysis
        is in ``parts``, :func:`with_thermal_hydrolysis`). Ammonia control needs the default loop.

    Raises
    ------
    ModelError
        A unit's integration or interface failed (names the unit and the time).
    """
    ll = parts.liquid
    rows = influent[list(influent.columns[:13]) + ["Q", "T"]].to_numpy(dtype=np.float64)
    times = influent.index.to_numpy(dtype=np.float64)
    n = rows.shape[0] - 1
    if n < 1:
        raise InputError("the influent needs at least two rows (one interval)", field="influent")
    steps = np.diff(times)
    if np.max(np.abs(steps - INTERVAL_D)) > 1e-4:  # the files print times to 5–8 digits
        raise InputError("the plant-wide run needs a 15-min influent (BSM2 format)", field="influent")
    start = state.time_d
    mid = start + INTERVAL_D * np.arange(n)
    active = 1.0 if state.control == "default" else 0.0
    options = options or Bsm2Options()
    if options.ammonia_control and state.control != "default":
        raise InputError("ammonia control acts on the DO loop: it needs control='default'", field="ammonia_control")
    if qw_m3_per_d is None and options.wastage_m3_per_d is not None:
        qw_m3_per_d = np.asarray(options.wastage_m3_per_d)
    if qw_m3_per_d is None:
        if state.control == "default":
            qw = liquid_line.wastage_schedule_m3_per_d(mid, ll).astype(np.float64)
        else:
            qw = np.full(n, ll.value("flows.wastage_m3_per_d"), dtype=np.float64)
    else:
        qw = np.broadcast_to(np.asarray(qw_m3_per_d, dtype=np.float64), (n,)).copy()
    carbon = np.tile(ll.carbon_m3_per_d.astype(np.float64), (n, 1))
    per = int(round(INTERVAL_D / ll.value("control.noise_interval_d")))
    if noise and state.control == "default":
        series = liquid_line.sensor_noise(layout=ll)
        i0 = int(round(start / ll.value("control.noise_interval_d")))
        if i0 + n * per > series.size:
            raise InputError(f"the sensor-noise sequence ends at {series.size / 1440:.0f} d; run without noise",
                             field="noise")  # fmt: skip
        values = np.ascontiguousarray(series[i0 : i0 + n * per])
    else:
        per = 1
        values = np.zeros(n)
    out_ll = np.empty((n, kll.N_OUT))
    thick = np.empty((n, 15))
    feed = np.empty((n, 15))
    sludge = np.empty((n, 15))
    reject = np.empty((n, 15))
    gas = np.empty((n, N_GAS))
    storage = np.empty((n, 15))
    defaults = option_defaults()
    setpoint = options.do_setpoint_g_per_m3
    if setpoint is None:
        setpoint = float(ll.value("control.setpoint_g_per_m3"))
    nh_setpoint = options.ammonia_setpoint_g_per_m3
    if nh_setpoint is None:
        nh_setpoint = defaults["ammonia_control.setpoint_g_per_m3"]
    abac = np.array([1.0 if options.ammonia_control else 0.0, nh_setpoint, defaults["ammonia_control.gain"],
                     defaults["ammonia_control.integral_time_d"], defaults["ammonia_control.do_min_g_per_m3"],
                     defaults["ammonia_control.do_max_g_per_m3"]])  # fmt: skip
    codigestion = food_waste_stream(options.codigestion_kg_cod_per_d)
    do_record = np.empty(n)
    failed, unit, status = _run(
        state.liquid, state.digester, state.digester_work, state.storage, state.returns, state.ph, rows[:n], qw,
        carbon, values, per, active, ll.kla_per_d.astype(np.float64), float(ll.value("flows.internal_recycle_m3_per_d")),
        float(ll.value("flows.return_sludge_m3_per_d")), float(setpoint),
        ll.returns_to_as.astype(np.float64), INTERVAL_D, ll.p, ll.nu, parts.p_if, parts.p_su, parts.p_ad,
        out_ll, thick, feed, sludge, reject, gas, storage, abac, state.abac_integral, codigestion, do_record,
    )  # fmt: skip
    if failed >= 0:
        what = ("liquid-line integration", "ASM1→ADM1 interface", "digester integration", "ADM1→ASM1 interface")[unit]
        load = (f" with {options.codigestion_kg_cod_per_d:g} kg COD/d of food waste"
                if options.codigestion_kg_cod_per_d > 0 else "")  # fmt: skip
        raise ModelError(f"BSM2 run failed in the {what} (status {status}) at day "
                         f"{start + failed * INTERVAL_D:.3f}{load}")  # fmt: skip
    state.time_d = start + n * INTERVAL_D
    return Bsm2Trace(
        time_d=start + INTERVAL_D * np.arange(1, n + 1), influent=rows[1:], liquid=out_ll, thickener_underflow=thick,
        digester_feed=feed, sludge=sludge, reject=reject, gas=gas, storage=storage, qw_m3_per_d=qw,
        carbon_m3_per_d=carbon, do_setpoint_g_per_m3=do_record, codigestion_m3_per_d=np.full(n, codigestion[26]),
    )  # fmt: skip


def initial_state(parts: Bsm2Parts, influent15: np.ndarray, control: str = "open") -> Bsm2State:
    """A start for the constant-influent stabilisation: the liquid line's steady state without
    returns, the digester's steady state under the resulting feed, the BSM2 initial storage tank."""
    _check_control(control)
    ll = parts.liquid
    y_ll = liquid_line.liquid_line_steady_state(influent15, None, ll, control="open")
    if control == "default":
        y_ll = liquid_line.with_controller_at_rest(y_ll, ll)
    _, out, _ = liquid_line.advance_liquid_line(y_ll, influent15, None, 1e-9, ll, control=control)
    named = liquid_line.interval_outputs(out)
    under, over = sludge_units.thicken(named["wastage"], parts.units)
    feed = np.empty(15)
    _mix(under, np.asarray(named["primary_sludge"]), feed)
    u28 = interfaces.asm_to_adm(feed, parts.interface, ph=7.0)
    digester = adm1.steady_state(u28, parts.digester)
    y_ad = np.asarray(digester.y, dtype=np.float64).copy()
    returns = np.zeros((2, 15))
    returns[1] = over
    return Bsm2State(liquid=y_ll, digester=y_ad, digester_work=adm1.new_work(),
                     storage=sludge_units.initial_storage_state(parts.units).astype(np.float64), returns=returns,
                     ph=np.array([-np.log10(y_ad[kad.I_H])]), control=control)  # fmt: skip


def constant_frame(influent: pd.DataFrame, days: float) -> pd.DataFrame:
    """A 15-min frame repeating the first row of ``influent`` for ``days`` days."""
    n = int(round(days / INTERVAL_D))
    rows = np.repeat(influent.iloc[[0]].to_numpy(), n + 1, axis=0)
    return pd.DataFrame(rows, columns=influent.columns, index=pd.Index(INTERVAL_D * np.arange(n + 1), name="t"))


def record(parts: Bsm2Parts, trace: Bsm2Trace) -> Bsm2Record:
    """The evaluation's record of a trace (:class:`ecocity.wastewater.evaluation_bsm2.Bsm2Record`)."""
    ll, out = parts.liquid, trace.liquid
    units = parts.units
    n = trace.time_d.size
    tss_per_cod = 0.75
    solids = [2, 3, 4, 5, 6]
    storage_tss = tss_per_cod * trace.storage[:, solids].sum(axis=1) * trace.storage[:, 13]
    inventory_g = out[:, kll.OUT_INVENTORY : kll.OUT_INVENTORY + 3].sum(axis=1) + storage_tss
    # the official script's digester term: ADM1 output column 14 (X_ch) × V_liq (see evaluation doc)
    digester_term = trace.gas[:, G_X_CH] * _digester_volume(parts) / 1000.0
    bypass = out[:, kll.OUT_BYPASS : kll.OUT_BYPASS + 15]
    # the digester is fed the sludge and any co-digested food waste (heated like the sludge)
    q_sludge, t_sludge = trace.digester_feed[:, 13], trace.digester_feed[:, 14]
    q_food = trace.codigestion_m3_per_d if trace.codigestion_m3_per_d is not None else np.zeros(n)
    q_feed = q_sludge + q_food
    t_food = option_defaults()["food_waste.temperature_c"]
    mixed_t = (q_sludge * t_sludge + q_food * t_food) / np.where(q_feed > 0.0, q_feed, 1.0)
    t_feed = np.where(q_feed > 0.0, mixed_t, t_sludge)
    return Bsm2Record(
        time_d=trace.time_d,
        influent=trace.influent,
        effluent=out[:, kll.OUT_EFFLUENT : kll.OUT_EFFLUENT + 15],
        kla_per_d=out[:, kll.OUT_KLA : kll.OUT_KLA + 5],
        reactor_volumes_m3=ll.volume_m3.astype(float),
        internal_recycle_m3_per_d=np.full(n, float(ll.value("flows.internal_recycle_m3_per_d"))),
        return_sludge_m3_per_d=out[:, kll.OUT_RETURN + 13],
        wastage_m3_per_d=out[:, kll.OUT_WASTAGE + 13],
        primary_underflow_m3_per_d=out[:, kll.OUT_PRIMARY_SLUDGE + 13],
        thickener_underflow_m3_per_d=trace.thickener_underflow[:, 13],
        dewatering_reject_m3_per_d=trace.reject[:, 13],
        carbon_dosing_m3_per_d=trace.carbon_m3_per_d,
        digester_liquid_volume_m3=_digester_volume(parts),
        gas_flow_m3_per_d=trace.gas[:, G_Q_GAS],
        gas_partial_pressures_bar=trace.gas[:, [G_P_H2, G_P_CH4, G_P_CO2]],
        gas_pressure_bar=trace.gas[:, G_P_TOTAL],
        digester_inflow_m3_per_d=q_feed,
        digester_inflow_temperature_c=t_feed,
        sludge=trace.sludge,
        solids_inventory_kg=inventory_g / 1000.0 + digester_term,
        bypass=bypass if np.any(bypass[:, 13] > 0.0) else None,
    )


def _digester_volume(parts: Bsm2Parts) -> float:
    return float(parts.p_ad[kad.V_LIQ])


def _window(trace: Bsm2Trace, start_d: float | None, stop_d: float | None) -> np.ndarray:
    t = trace.time_d
    keep = np.ones(t.size, dtype=bool)
    if start_d is not None:
        keep &= t > start_d - 1e-9
    if stop_d is not None:
        keep &= t <= stop_d + 1e-9
    if not keep.any():
        raise InputError("the window holds no interval of the trace", field="start_d")
    return keep


def sludge_age_d(parts: Bsm2Parts, trace: Bsm2Trace, start_d: float | None = None,
                 stop_d: float | None = None) -> float:  # fmt: skip
    """Sludge age (SRT) of the activated-sludge system over a window of the trace. [d]

    ``SRT = Σ M_TSS / Σ (Q_w·TSS_w + Q_e·TSS_e)``: the TSS held in the five reactors and the
    settler over the TSS leaving with the waste sludge and the effluent (0.75 g TSS/g particulate
    COD, the BSM2 conversion), both summed over the window's intervals.
    """
    keep = _window(trace, start_d, stop_d)
    out = trace.liquid[keep]
    tss_per_cod = float(parts.liquid.p[kll.P["tss_per_cod"]])
    held = (out[:, kll.OUT_INVENTORY + 1] + out[:, kll.OUT_INVENTORY + 2]).sum()
    solids = [2, 3, 4, 5, 6]

    def leaving(offset: int) -> np.ndarray:
        return tss_per_cod * out[:, [offset + i for i in solids]].sum(axis=1) * out[:, offset + 13]

    return float(held / (leaving(kll.OUT_WASTAGE) + leaving(kll.OUT_EFFLUENT)).sum())


def thermal_hydrolysis_heat_kwh_per_d(trace: Bsm2Trace, start_d: float | None = None,
                                      stop_d: float | None = None) -> float:  # fmt: skip
    """Steam heat of a thermal hydrolysis of the digester's sludge feed over a window. [kWh/d]

    The feed's dry solids (0.75 g TSS/g particulate COD × Q, time average) × the specific steam
    heat ``thermal_hydrolysis.steam_heat_kwh_per_t_ds`` of ``bsm2_options.toml`` (an engineering
    default). Not credited: the heat the hot hydrolysed sludge brings to the digester.
    """
    keep = _window(trace, start_d, stop_d)
    feed = trace.digester_feed[keep]
    ds_t_per_d = 0.75 * feed[:, [2, 3, 4, 5, 6]].sum(axis=1) * feed[:, 13] / 1e6
    return float(ds_t_per_d.mean() * option_defaults()["thermal_hydrolysis.steam_heat_kwh_per_t_ds"])


@dataclass(frozen=True)
class Bsm2Run:
    """A BSM2 run: the evaluation window's criteria and the traces behind them."""

    control: str
    influent: str
    days: float
    trace: Bsm2Trace
    evaluation: Bsm2Evaluation | None
    stabilisation: Bsm2Trace | None
    final_state: Bsm2State
    options: Bsm2Options = field(default_factory=Bsm2Options)
    #: sludge age of the AS system over the evaluation window (:func:`sludge_age_d`) [d]
    sludge_age_d: float | None = None
    #: THP steam heat over the evaluation window, not in ``evaluation`` (0 without THP) [kWh/d]
    thermal_hydrolysis_heat_kwh_per_d: float = 0.0
    #: lowest digester pH over the main run [-]
    min_digester_ph: float | None = None


def run_bsm2(influent: str | Path = "dynamic", *, control: str = "default", days: float | None = None,
             noise: bool = True, stabilisation_d: float = STABILISATION_D, parts: Bsm2Parts | None = None,
             evaluate: bool = True, options: Bsm2Options | None = None) -> Bsm2Run:  # fmt: skip
    """Run the BSM2 protocol: ``stabilisation_d`` days of constant influent, then ``influent``.

    Parameters
    ----------
    influent
        ``"constant"``, ``"dynamic"`` (the 609-day BSM2 file) or a BSM2-format file path.
    control
        ``"open"`` (KLa 0/0/120/120/60 d⁻¹, Qw 300 m³/d) or ``"default"`` (DO control in tank 4,
        seasonal wastage, sensor noise).
    days
        Length of the main run (default: the whole influent; 609 d dynamic, 200 d constant).
    noise
        The BSM2 DO-sensor noise in the closed loop.
    evaluate
        Evaluate on the BSM2 window (days 245–609 when the run reaches it, else the last
        quarter of the run — which a short run reports, not the benchmark's criteria).
    options
        Planner options (:class:`Bsm2Options`), applied from the start of the stabilisation.
        Thermal hydrolysis modifies a copy of ``parts`` (:func:`with_thermal_hydrolysis`) and
        its steam heat is reported apart (``thermal_hydrolysis_heat_kwh_per_d``).

    Raises
    ------
    InputError
        Unknown control, non-positive days, ammonia control without the default loop.
    ModelError
        A unit failed (e.g. a digester overloaded with food waste).

    Warns
    -----
    UserWarning
        The digester pH fell below 6.8 during the main run (acidification risk).
    """
    _check_control(control)
    options = options or Bsm2Options()
    if not isinstance(options, Bsm2Options):
        raise InputError("options must be a Bsm2Options", field="options")
    if options.ammonia_control and control != "default":
        raise InputError("ammonia control acts on the DO loop: it needs control='default'", field="ammonia_control")
    parts = parts or load_bsm2()
    if options.thermal_hydrolysis:
        parts = with_thermal_hydrolysis(parts)
    constant = read_bsm2_influent("bsm2-constant")
    name = str(influent)
    if name == "constant":
        frame = constant_frame(constant, days if days is not None else STABILISATION_D)
    else:
        source = "bsm2-dynamic" if name == "dynamic" else influent
        frame = read_bsm2_influent(source)
        if days is not None:
            if days <= 0:
                raise InputError("days must be positive", field="days")
            frame = frame[frame.index <= frame.index[0] + days + 1e-9]
    state = initial_state(parts, constant.iloc[0][list(constant.columns[:13]) + ["Q", "T"]].to_numpy(float), control)
    stabilisation = None
    if stabilisation_d > 0:
        fixed = control == "open" or options.wastage_m3_per_d is not None
        stabilisation = advance_plant(parts, state, constant_frame(constant, stabilisation_d), noise=False,
                                      qw_m3_per_d=None if fixed else
                                      liquid_line.wastage_schedule_m3_per_d(np.zeros(1), parts.liquid)[0],
                                      options=options)  # fmt: skip
    state.time_d = float(frame.index[0])
    trace = advance_plant(parts, state, frame, noise=noise, options=options)
    end = float(trace.time_d[-1])
    begin = float(frame.index[0])
    start_d, stop_d = (245.0, 609.0) if end >= 609.0 - 1e-6 else (begin + 0.75 * (end - begin), end)
    evaluation = None
    if evaluate:
        evaluation = evaluate_bsm2(record(parts, trace), start_d=start_d, stop_d=stop_d)
    min_ph = float(trace.gas[:, G_PH].min())
    if min_ph < DIGESTER_PH_WARNING:
        warnings.warn(f"the digester pH fell to {min_ph:.2f} (< {DIGESTER_PH_WARNING}) with {options.label()}: "
                      "acidification risk", stacklevel=2)  # fmt: skip
    thp_heat = thermal_hydrolysis_heat_kwh_per_d(trace, start_d, stop_d) if options.thermal_hydrolysis else 0.0
    return Bsm2Run(control=control, influent=name, days=float(trace.time_d[-1] - frame.index[0]), trace=trace,
                   evaluation=evaluation, stabilisation=stabilisation, final_state=state, options=options,
                   sludge_age_d=sludge_age_d(parts, trace, start_d, stop_d), thermal_hydrolysis_heat_kwh_per_d=thp_heat,
                   min_digester_ph=min_ph)  # fmt: skip
