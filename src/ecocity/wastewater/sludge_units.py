"""Sludge-line units of the IWA Benchmark Simulation Model no. 2: thickener, dewatering, storage.

All three act on ASM1 streams (float64 arrays of length 15: the 13 ASM1 concentrations in
:data:`ecocity.wastewater.asm1.STATES` order [g/m³; S_ALK mol/m³], Q [m³/d], T [°C]).

* **Thickener** and **dewatering** (:func:`thicken`, :func:`dewater`): the BSM2 ideal,
  non-reactive, instantaneous splitters. A fixed share η (98 %) of the TSS goes to the underflow
  (sludge cake), which leaves at a fixed TSS concentration (7 % = 70 000 g/m³ for the thickener,
  28 % = 280 000 g/m³ for the dewatering); the flow split follows from the TSS balance; solubles
  and temperature pass unchanged with each flow. If the feed is already thicker than the target,
  all of it leaves with the underflow and the overflow is zero.
* **Reject-water storage tank** (:func:`advance_storage`, :func:`simulate_storage`): a
  completely mixed tank of variable volume (160 m³ in BSM2) without reactions, with the BSM2
  bypass rules of ``storagebypass_bsm2.c``: between 10 % and 90 % of the volume the inflow
  enters and the requested pump flow leaves; at or above 90 % the inflow bypasses the tank
  (unless the pump takes at least the inflow); at or below 10 % the pump stops. The stored and
  bypassed flows are joined. In the BSM2 default (pump flow 0 m³/d, ``reginit_bsm2``) the tank
  fills from 80 m³ to 144 m³ and from then on all reject water bypasses it: the outflow equals
  the inflow.

TSS is never stored: TSS = 0.75·(X_I + X_S + X_BH + X_BA + X_P) (BSM convention).

References
----------
Gernaey, K.V., Jeppsson, U., Vanrolleghem, P.A., Copp, J.B. (eds.) (2014). Benchmarking of
Control Strategies for Wastewater Treatment Plants. IWA Scientific and Technical Report No. 23,
IWA Publishing (BSM2 plant: thickener, dewatering, storage tank).

Jeppsson, U., Pons, M.-N., Nopens, I., Alex, J., Copp, J.B., Gernaey, K.V., Rosen, C., Steyer,
J.-P., Vanrolleghem, P.A. (2007). Benchmark Simulation Model no 2: general protocol and
exploratory case studies. Water Science and Technology 56(8), 67–78. doi:10.2166/wst.2007.604
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict

from ecocity.errors import InputError
from ecocity.wastewater.asm1 import STATES

#: Length of an ASM1 stream (13 concentrations, Q, T) and of the storage state (13, volume, T).
STREAM_LENGTH = 15
#: Index of the liquid volume [m³] in the storage state; the temperature [°C] follows it.
VOLUME = 13
#: Order of the packed parameter vector the kernels take (:func:`pack`).
PACKED: tuple[str, ...] = (
    "thickener_underflow_tss_percent", "thickener_tss_removal_percent", "dewatering_sludge_tss_percent",
    "dewatering_tss_removal_percent", "storage_volume_m3", "storage_high_level_fraction",
    "storage_low_level_fraction", "storage_outflow_m3_per_d", "storage_mix_temperature", "tss_per_cod",
)  # fmt: skip

_SOLIDS = np.array([2, 3, 4, 5, 6])  # X_I, X_S, X_BH, X_BA, X_P
_DATA = resources.files("ecocity.wastewater") / "data"


class SludgeUnitParameters(BaseModel):
    """Parameters of the BSM2 thickener, dewatering and storage tank (``data/sludge_units_<name>.toml``).

    Percentages [%]; volumes [m³]; flows [m³/d]; ``storage_initial`` is the initial storage state
    (13 ASM1 concentrations [g/m³; S_ALK mol/m³], volume [m³], T [°C]); ``tss_per_cod``
    [g TSS/g COD].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    thickener_underflow_tss_percent: float
    thickener_tss_removal_percent: float
    dewatering_sludge_tss_percent: float
    dewatering_tss_removal_percent: float
    storage_volume_m3: float
    storage_initial_volume_fraction: float
    storage_high_level_fraction: float
    storage_low_level_fraction: float
    storage_outflow_m3_per_d: float
    storage_mix_temperature: bool
    storage_initial: tuple[float, ...]
    tss_per_cod: float


@cache
def load_parameters(name: str = "bsm2") -> SludgeUnitParameters:
    """Load a named parameter set from ``wastewater/data/sludge_units_<name>.toml``.

    Raises
    ------
    InputError
        No parameter set of that name ships with ecocity.
    """
    resource = _DATA / f"sludge_units_{name}.toml"
    if not resource.is_file():
        raise InputError(f"unknown sludge-unit parameter set {name!r}; known: bsm2", field="parameters")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    thickener, dewatering, storage = data["thickener"], data["dewatering"], data["storage"]
    initial = storage["initial"]
    volume = storage["volume_m3"]["value"]
    fraction = storage["initial_volume_fraction"]["value"]
    state = [initial[name]["value"] for name in STATES] + [volume * fraction, initial["T"]["value"]]
    return SludgeUnitParameters(
        name=data["name"],
        thickener_underflow_tss_percent=thickener["underflow_tss_percent"]["value"],
        thickener_tss_removal_percent=thickener["tss_removal_percent"]["value"],
        dewatering_sludge_tss_percent=dewatering["sludge_tss_percent"]["value"],
        dewatering_tss_removal_percent=dewatering["tss_removal_percent"]["value"],
        storage_volume_m3=volume,
        storage_initial_volume_fraction=fraction,
        storage_high_level_fraction=storage["high_level_fraction"]["value"],
        storage_low_level_fraction=storage["low_level_fraction"]["value"],
        storage_outflow_m3_per_d=storage["outflow_m3_per_d"]["value"],
        storage_mix_temperature=storage["mix_temperature"]["value"],
        storage_initial=tuple(state),
        tss_per_cod=data["conversion"]["tss_per_cod"]["value"],
    )


def pack(p: SludgeUnitParameters) -> np.ndarray:
    """The parameters as the float64 vector the compiled kernels take, in :data:`PACKED` order."""
    return np.array([float(getattr(p, key)) for key in PACKED])


def tss(stream: np.ndarray, tss_per_cod: float = 0.75) -> np.ndarray:
    """Total suspended solids of ASM1 streams [g TSS/m³]: 0.75·(X_I + X_S + X_BH + X_BA + X_P)."""
    return tss_per_cod * np.asarray(stream, dtype=float)[..., _SOLIDS].sum(axis=-1)


@njit(cache=True)
def _separate(u, target_tss_percent, removal_percent, tss_per_cod):
    """Ideal solids separation of the BSM2 thickener and dewatering (``thickener_bsm2.c``)."""
    under = u.copy()
    over = np.zeros(15)
    over[14] = u[14]
    tss_in = tss_per_cod * (u[2] + u[3] + u[4] + u[5] + u[6])
    if tss_in <= 0.0:  # nothing to thicken: all flow with the overflow
        over[:] = u
        under[13] = 0.0
        return under, over
    factor = target_tss_percent * 10000.0 / tss_in  # underflow concentration factor
    if factor <= 1.0:  # the feed is already thicker than the target: all to the underflow
        return under, over
    underflow_share = removal_percent / (100.0 * factor)
    thinning = (1.0 - removal_percent / 100.0) / (1.0 - underflow_share)
    over[:] = u
    for k in (2, 3, 4, 5, 6, 11):  # particulates (X_ND travels with them)
        under[k] = u[k] * factor
        over[k] = u[k] * thinning
    under[13] = u[13] * underflow_share
    over[13] = u[13] * (1.0 - underflow_share)
    return under, over


@njit(cache=True)
def thicken_kernel(u, par):
    """Compiled :func:`thicken`: (underflow, overflow) of an ASM1 stream; ``par`` from :func:`pack`."""
    return _separate(u, par[0], par[1], par[9])


@njit(cache=True)
def dewater_kernel(u, par):
    """Compiled :func:`dewater`: (sludge, reject water) of an ASM1 stream; ``par`` from :func:`pack`."""
    return _separate(u, par[2], par[3], par[9])


def _checked(stream: np.ndarray) -> np.ndarray:
    array = np.asarray(stream, dtype=float)
    if array.shape != (STREAM_LENGTH,):
        raise InputError(f"an ASM1 stream must be a vector of length 15, got shape {array.shape}", field="stream")
    if not np.all(np.isfinite(array)):
        raise InputError("the ASM1 stream has non-finite values", field="stream")
    if array[13] < 0.0:
        raise InputError(f"the stream's flow must be >= 0 m3/d, got {array[13]}", field="Q")
    return array


def thicken(stream: np.ndarray, p: SludgeUnitParameters) -> tuple[np.ndarray, np.ndarray]:
    """Split waste activated sludge in the BSM2 gravity thickener.

    Parameters
    ----------
    stream
        ASM1 stream fed to the thickener, length 15 [g/m³; S_ALK mol/m³; Q m³/d; T °C].
    p
        Parameters (:func:`load_parameters`).

    Returns
    -------
    tuple of numpy.ndarray
        (underflow, overflow), ASM1 streams of length 15.

    Raises
    ------
    InputError
        Wrong shape, non-finite values or a negative flow.

    Notes
    -----
    With TSS_in = 0.75·ΣX, target TSS_u = 10 000·p_u [g/m³] (p_u = 7 %), removal η = 0.98:
    f = TSS_u/TSS_in; Q_u = Q_in·η/f; particulates ×f in the underflow and ×(1 − η)/(1 − η/f) in
    the overflow; solubles and T unchanged. Then TSS_u·Q_u = η·TSS_in·Q_in exactly. If f ≤ 1 all
    of the feed leaves with the underflow (overflow flow 0). BSM2 ``thickener_bsm2.c``,
    ``thickenerinit_bsm2.m``; Gernaey et al. (2014).
    """
    return thicken_kernel(_checked(stream), pack(p))


def dewater(stream: np.ndarray, p: SludgeUnitParameters) -> tuple[np.ndarray, np.ndarray]:
    """Split digested sludge in the BSM2 dewatering unit.

    Parameters
    ----------
    stream
        ASM1 stream leaving the digester (after the ADM1 → ASM1 interface), length 15.
    p
        Parameters (:func:`load_parameters`).

    Returns
    -------
    tuple of numpy.ndarray
        (sludge for disposal, reject water), ASM1 streams of length 15.

    Raises
    ------
    InputError
        Wrong shape, non-finite values or a negative flow.

    Notes
    -----
    The thickener's equations (:func:`thicken`) with the sludge at 28 % TSS (280 000 g/m³) and
    98 % TSS removal; BSM2 ``dewatering_bsm2.c``, ``dewateringinit_bsm2.m``.
    """
    return dewater_kernel(_checked(stream), pack(p))


@njit(cache=True)
def _storage_flows(volume, q_in, q_request, v_high, v_low):
    """(into tank, pumped out, bypassed) flows of the BSM2 storage rules (``storagebypass_bsm2.c``).

    At the low level with a pump request above the inflow the continuous BSM2 rule switches the
    pump on and off without end; its limit, used here, holds the level with the pump taking the
    inflow.
    """
    if volume >= v_high and q_in > q_request:
        return 0.0, 0.0, q_in
    if volume < v_low * (1.0 - 1e-12):
        return q_in, 0.0, 0.0
    if volume <= v_low * (1.0 + 1e-12):
        return q_in, min(q_request, q_in), 0.0
    return q_in, q_request, 0.0


@njit(cache=True)
def advance_storage(state, inflow, dt_d, par):
    """Advance the storage tank over ``dt_d`` days with a held inflow; return the mean outflow.

    Parameters
    ----------
    state
        Storage state, length 15: 13 ASM1 concentrations, liquid volume [m³], T [°C]; updated in
        place to the end of the interval.
    inflow
        ASM1 stream held over the interval (reject water from the dewatering), length 15.
    dt_d
        Interval [d].
    par
        :func:`pack`'s vector.

    Returns
    -------
    numpy.ndarray
        The joined outflow (pumped + bypassed) as an ASM1 stream, length 15: its flow and
        concentrations are the interval means, so that mass is conserved exactly.

    Notes
    -----
    Constant flows between events, so the balances dV/dt = Q_tank − Q_out and
    dC/dt = Q_tank/V·(C_in − C) integrate exactly: V(t) = V₀ + a·t, a = Q_tank − Q_out, and
    C_in − C(t) = (C_in − C₀)·(V(t)/V₀)^(−Q_tank/a) (exp(−Q_tank·t/V₀) when a = 0). The interval
    is cut where the volume reaches 90 % or 10 % of the tank, and the rules re-applied, as the
    continuous BSM2 model switches there. Temperature: passed through from the inflow unless
    ``storage_mix_temperature`` (then mixed like a concentration).
    """
    v_high, v_low = par[4] * par[5], par[4] * par[6]
    q_request, mix_t = par[7], par[8] > 0.0
    n_mixed = 14 if mix_t else 13
    c_in = np.empty(14)
    c_in[:13] = inflow[:13]
    c_in[13] = inflow[14]
    c = np.empty(14)
    c[:13] = state[:13]
    c[13] = state[14]
    volume = state[VOLUME]
    mass_out = np.zeros(14)
    volume_out = 0.0
    remaining = dt_d
    for _ in range(8):
        if remaining <= 0.0:
            break
        q_tank, q_out, q_bypass = _storage_flows(volume, inflow[13], q_request, v_high, v_low)
        rate = q_tank - q_out
        h = remaining
        new_volume = volume + rate * h
        if rate > 0.0 and volume < v_low * (1.0 - 1e-12) and new_volume > v_low:
            h, new_volume = (v_low - volume) / rate, v_low
        elif rate > 0.0 and volume < v_high and new_volume > v_high:
            h, new_volume = (v_high - volume) / rate, v_high
        elif rate < 0.0 and volume > v_low and new_volume < v_low:
            h, new_volume = (volume - v_low) / -rate, v_low
        if q_tank <= 0.0:
            decay = 1.0
        elif abs(rate) * h <= 1e-12 * volume:
            decay = np.exp(-q_tank * h / volume)
        else:
            decay = (new_volume / volume) ** (-q_tank / rate)
        for k in range(n_mixed):
            c_new = c_in[k] - (c_in[k] - c[k]) * decay
            mass_out[k] += (q_tank + q_bypass) * h * c_in[k] + volume * c[k] - new_volume * c_new
            c[k] = c_new
        volume_out += (q_out + q_bypass) * h
        volume = new_volume
        remaining -= h
    out = np.zeros(15)
    out[13] = volume_out / dt_d
    if volume_out > 0.0:
        for k in range(13):
            out[k] = mass_out[k] / volume_out
    else:
        out[:13] = c[:13]
    out[14] = mass_out[13] / volume_out if (mix_t and volume_out > 0.0) else inflow[14]
    state[:13] = c[:13]
    state[VOLUME] = volume
    state[14] = c[13]
    return out


def initial_storage_state(p: SludgeUnitParameters) -> np.ndarray:
    """The BSM2 initial storage state (``storageinit_bsm2``): 13 concentrations, 80 m³, T [°C]."""
    return np.array(p.storage_initial, dtype=float)


def simulate_storage(
    inflows: np.ndarray, dt_d: float, p: SludgeUnitParameters, state: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run the storage tank over a series of held inflows.

    Parameters
    ----------
    inflows
        Array ``(n, 15)`` of ASM1 streams, each held for ``dt_d`` days.
    dt_d
        Interval [d], > 0.
    p
        Parameters (:func:`load_parameters`).
    state
        Initial state (length 15: 13 concentrations, volume [m³], T [°C]); default the BSM2
        initial state. Not modified.

    Returns
    -------
    tuple of numpy.ndarray
        (outflows ``(n, 15)``, states ``(n, 15)`` at the end of each interval).

    Raises
    ------
    InputError
        Wrong shapes, non-finite values, a negative flow, dt ≤ 0, or a volume outside
        (0, ``storage_volume_m3``].
    """
    flows = np.asarray(inflows, dtype=float)
    if flows.ndim != 2 or flows.shape[1] != STREAM_LENGTH:
        raise InputError(f"inflows must be an array (n, 15), got shape {flows.shape}", field="inflows")
    if not np.all(np.isfinite(flows)) or np.any(flows[:, 13] < 0.0):
        raise InputError("inflows must be finite with flows >= 0 m3/d", field="inflows")
    if not dt_d > 0.0:
        raise InputError(f"the interval must be > 0 d, got {dt_d}", field="dt_d")
    x = initial_storage_state(p) if state is None else np.array(state, dtype=float)
    if x.shape != (STREAM_LENGTH,) or not 0.0 < x[VOLUME] <= p.storage_volume_m3:
        raise InputError(f"the storage state must have length 15 and a volume in (0, {p.storage_volume_m3}] m3", field="state")
    par = pack(p)
    outflows = np.empty_like(flows)
    states = np.empty_like(flows)
    for i, inflow in enumerate(flows):
        outflows[i] = advance_storage(x, inflow, float(dt_d), par)
        states[i] = x
    return outflows, states
