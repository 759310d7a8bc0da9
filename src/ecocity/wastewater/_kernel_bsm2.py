"""Compiled (numba) BSM2 liquid line: primary clarifier, five ASM1 reactors at the inflow's
temperature, 10-layer Takács settler and the BSM2 default DO controller, with an explicit
Dormand–Prince 5(4) integrator that stops at the end of each held-input interval.

Private: :func:`ecocity.wastewater.liquid_line.load_liquid_line` packs the layout into the parameter
vector ``p`` (order :data:`PARAMETERS`) and the stoichiometric matrix ``nu`` these functions take;
that module documents the model. A compiled plant-wide loop calls :func:`mix_inputs`,
:func:`advance` and :func:`outputs` per interval. The ASM1 conversion rates (:func:`conversion`)
equal :func:`ecocity.wastewater._kernel._conversion` (the BSM1 kernel's; tested) at the
temperature-corrected kinetic vector; the Dormand–Prince tableau and step control are the BSM1
kernel's too (:mod:`ecocity.wastewater._kernel`).

State vector ``y`` (:data:`N_STATES` = 164 entries):

* ``[0:13]`` primary clarifier concentrations (ASM1 order), ``[13]`` its smoothed flow Q_m [m³/d];
* ``[14:79]`` tanks 1–5, 13 concentrations each;
* ``[79:89]`` settler TSS per layer (top first) [g/m³]; ``[89:159]`` settler solubles, layer-major
  (7 per layer, :data:`ecocity.wastewater._kernel.SOLUBLE` order);
* ``[159:164]`` controller: DO sensor lags 1–2, PI integral state, KLa actuator lags 1–2.

Held inputs, mixed once per interval by :func:`mix_inputs` into ``u`` (:data:`N_INPUTS`):
``u[0:15]`` primary-clarifier inflow stream15, ``u[15:30]`` extra inflow to tank 1 (bypass remainder and
returns sent to the AS), ``u[30:45]`` inlet bypass to the effluent, ``u[45:50]`` open-loop KLa per tank
[1/d], ``u[50]`` Qintr, ``u[51]`` Qr, ``u[52]`` Qw [m³/d], ``u[53:58]`` carbon flow per tank [m³/d],
``u[58]`` 1.0 when the DO controller is active, ``u[59]`` sensor noise [g/m³] (held), ``u[60]`` DO set-point.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ecocity.wastewater._kernel import (
    _A, _B, _E, SOLIDS, SOLUBLE, S_O, S_S, settler_layer_stream, settler_rhs,
)

N = 13
N_TANKS = 5
N_LAYERS = 10
N_SOL = 7
PC = 0
TANK0 = 14
TSS0 = TANK0 + N_TANKS * N
SOL0 = TSS0 + N_LAYERS
CTRL0 = SOL0 + N_LAYERS * N_SOL
N_STATES = CTRL0 + 5
N_INPUTS = 61
N_WORK = 65
Q, T = 13, 14  # stream15 columns

#: order of the packed parameter vector (see liquid_line.pack)
PARAMETERS = (
    "mu_H", "K_S", "K_OH", "K_NO", "b_H", "eta_g", "eta_h", "k_h", "K_X", "mu_A", "K_NH", "b_A", "K_OA", "k_a",
    "mu_H_10", "b_H_10", "mu_A_10", "b_A_10", "k_h_10", "k_a_10", "kla_theta", "oxygen_saturation_scale",
    "volume1", "volume2", "volume3", "volume4", "volume5",
    "pc_volume", "pc_efficiency_correction", "pc_particulate_cod_fraction", "pc_flow_smoothing_time_d",
    "pc_underflow_fraction",
    "bypass_threshold", "bypass_to_effluent", "primary_effluent_bypass",
    "v0_max", "v0", "r_h", "r_p", "f_ns", "X_t", "area_m2", "height_m", "feed_layer",
    "tss_per_cod", "carbon_source",
    "K", "Ti", "Tt", "u_offset", "u_min", "u_max", "kla3_gain", "kla5_gain", "sensor_T", "actuator_T",
    "sensor_min", "sensor_max",
)  # fmt: skip
P = {name: i for i, name in enumerate(PARAMETERS)}
_P_KLA_THETA = P["kla_theta"]
_P_O2 = P["oxygen_saturation_scale"]
_P_VOL = P["volume1"]
_P_PC = P["pc_volume"]
_P_BYP = P["bypass_threshold"]
_P_ST = P["v0_max"]
_P_TSS = P["tss_per_cod"]
_P_CARBON = P["carbon_source"]
_P_CTRL = P["K"]


@njit(cache=True)
def oxygen_saturation(temperature_c, scale):
    """S_O,sat(T) [g/m³] of asm1_bsm2.c: scale·8/10.5·56.12·6791.5·exp(−66.7354 + 87.4755/(T_K/100)
    + 24.4526·ln(T_K/100)), T_K = T + 273.15."""
    tk = (temperature_c + 273.15) / 100.0
    return scale * 8.0 / 10.5 * (56.12 * 6791.5 * np.exp(-66.7354 + 87.4755 / tk + 24.4526 * np.log(tk)))


@njit(cache=True)
def corrected_kinetics(p, temperature_c, kin):
    """The 14 kinetic parameters (_kernel.KINETIC order) at ``temperature_c`` into ``kin``:
    p(T) = p15·exp(ln(p15/p10)/5·(T − 15)) for mu_H, b_H, mu_A, b_A, k_h, k_a (asm1_bsm2.c)."""
    for i in range(14):
        kin[i] = p[i]
    dt = temperature_c - 15.0
    # (index in KINETIC, index of the 10 °C value in p)
    pairs = ((0, 14), (4, 15), (9, 16), (11, 17), (7, 18), (13, 19))
    for j, k10 in pairs:
        kin[j] = p[j] * np.exp(np.log(p[j] / p[k10]) / 5.0 * dt)


@njit(cache=True)
def conversion(c, kin, nu, out):
    """ASM1 conversion rates r = ρ(c)·ν into ``out`` (13), the same as
    :func:`ecocity.wastewater._kernel._conversion` (tested equal) but summing only the non-zero
    entries of the BSM ASM1 matrix ν and without allocating: the liquid line's hot path."""
    ss = max(c[1], 0.0)
    xs = max(c[3], 0.0)
    xbh = max(c[4], 0.0)
    xba = max(c[5], 0.0)
    so = max(c[7], 0.0)
    sno = max(c[8], 0.0)
    snh = max(c[9], 0.0)
    snd = max(c[10], 0.0)
    xnd = max(c[11], 0.0)
    mu_h, k_s, k_oh, k_no, b_h, eta_g, eta_h, k_h, k_x, mu_a, k_nh, b_a, k_oa, k_a = (
        kin[0], kin[1], kin[2], kin[3], kin[4], kin[5], kin[6], kin[7], kin[8], kin[9], kin[10],
        kin[11], kin[12], kin[13],
    )  # fmt: skip
    monod_s = ss / (k_s + ss)
    aerobic_h = so / (k_oh + so)
    inhibition_o = k_oh / (k_oh + so)
    nitrate = sno / (k_no + sno)
    denominator = k_x * xbh + xs
    hydrolysis = k_h * xbh / denominator if denominator > 0.0 else 0.0
    switch = aerobic_h + eta_h * inhibition_o * nitrate
    r0 = mu_h * monod_s * aerobic_h * xbh
    r1 = mu_h * monod_s * inhibition_o * nitrate * eta_g * xbh
    r2 = mu_a * snh / (k_nh + snh) * so / (k_oa + so) * xba
    r3 = b_h * xbh
    r4 = b_a * xba
    r5 = k_a * snd * xbh
    r6 = hydrolysis * switch * xs
    r7 = hydrolysis * switch * xnd
    out[0] = 0.0
    out[1] = nu[0, 1] * r0 + nu[1, 1] * r1 + nu[6, 1] * r6
    out[2] = 0.0
    out[3] = nu[3, 3] * r3 + nu[4, 3] * r4 + nu[6, 3] * r6
    out[4] = nu[0, 4] * r0 + nu[1, 4] * r1 + nu[3, 4] * r3
    out[5] = nu[2, 5] * r2 + nu[4, 5] * r4
    out[6] = nu[3, 6] * r3 + nu[4, 6] * r4
    out[7] = nu[0, 7] * r0 + nu[2, 7] * r2
    out[8] = nu[1, 8] * r1 + nu[2, 8] * r2
    out[9] = nu[0, 9] * r0 + nu[1, 9] * r1 + nu[2, 9] * r2 + nu[5, 9] * r5
    out[10] = nu[5, 10] * r5 + nu[7, 10] * r7
    out[11] = nu[3, 11] * r3 + nu[4, 11] * r4 + nu[7, 11] * r7
    out[12] = nu[0, 12] * r0 + nu[1, 12] * r1 + nu[2, 12] * r2 + nu[5, 12] * r5


@njit(cache=True)
def _mix_into(out, stream, weight):
    """Add ``weight`` × stream (flow-weighted: concentrations × Q·weight, T × Q·weight) to the
    accumulator ``out`` (concentration sums in out[0:13], flow in out[13], T-sum in out[14])."""
    q = stream[Q] * weight
    if q <= 0.0:
        return
    for i in range(N):
        out[i] += stream[i] * q
    out[Q] += q
    out[T] += stream[T] * q


@njit(cache=True)
def _normalise(acc):
    if acc[Q] > 0.0:
        for i in range(N):
            acc[i] /= acc[Q]
        acc[T] /= acc[Q]


@njit(cache=True)
def mix_inputs(influent, returns, returns_to_as, kla, qintr, qr, qw, carbon, active, noise, setpoint, p, u):
    """Pack the held inputs of one interval into ``u`` (layout in the module docstring).

    BSM2 layout (reginit_bsm2.m): influent above the bypass threshold leaves before the primary
    clarifier, the fraction ``bypass_to_effluent`` of it straight to the effluent and the rest to
    tank 1; each return stream (rows of ``returns``) goes the fraction ``returns_to_as`` to tank 1
    and the rest before the primary clarifier, mixed with the remaining influent.
    """
    for i in range(N_INPUTS):
        u[i] = 0.0
    q_in = influent[Q]
    q_bypass = max(q_in - p[_P_BYP], 0.0)
    pc = u[0:15]
    extra = u[15:30]
    by = u[30:45]
    if q_in > 0.0:
        _mix_into(pc, influent, (q_in - q_bypass) / q_in)
        _mix_into(by, influent, q_bypass * p[_P_BYP + 1] / q_in)
        _mix_into(extra, influent, q_bypass * (1.0 - p[_P_BYP + 1]) / q_in)
    for r in range(returns.shape[0]):
        _mix_into(pc, returns[r], 1.0 - returns_to_as[r])
        _mix_into(extra, returns[r], returns_to_as[r])
    _normalise(pc)
    _normalise(extra)
    _normalise(by)
    for k in range(N_TANKS):
        u[45 + k] = kla[k]
        u[53 + k] = carbon[k]
    u[50] = qintr
    u[51] = qr
    u[52] = qw
    u[58] = active
    u[59] = noise
    u[60] = setpoint


@njit(cache=True)
def primary_split(y, u, p):
    """Overflow factor of the settleable states and the flows of the primary clarifier:
    (ff, Q_overflow, Q_underflow, thickening factor e).

    Otterpohl & Freund (1992) as in primclar_bsm2.c: HRT t = V/(Q_m + 0.001) [d];
    η_COD = f_corr·(2.88·f_X − 0.118)·(1.45 + 6.15·ln(t·1440)) [%]; η_X = clip(η_COD/f_X, 0, 100);
    ff = 1 − η_X/100 for the settleable states (X_I, X_S, X_BH, X_BA, X_P, X_ND), 1 for the others;
    Q_u = f_PS·Q_in, e = Q_in/Q_u; overflow = ff·c, underflow = ((1 − ff)·e + ff)·c.
    """
    vol, f_corr, f_x, f_ps = p[_P_PC], p[_P_PC + 1], p[_P_PC + 2], p[_P_PC + 4]
    q_in = u[Q]
    hrt = vol / (y[PC + 13] + 0.001)
    n_cod = f_corr * (2.88 * f_x - 0.118) * (1.45 + 6.15 * np.log(hrt * 24.0 * 60.0))
    n_x = min(max(n_cod / f_x, 0.0), 100.0)
    q_u = f_ps * q_in
    e = q_in / q_u if q_u > 0.0 else 1.0
    return 1.0 - n_x / 100.0, q_in - q_u, q_u, e


@njit(cache=True)
def rhs(y, u, p, nu, kin, kla_factor, o2_sat, dy, work):
    """dy/dt of the liquid line into ``dy`` (inputs ``u`` held; ``kin``, ``kla_factor`` and
    ``o2_sat`` already at the interval's temperature; ``work``: scratch of :data:`N_WORK`)."""
    # --- primary clarifier: completely mixed volume, flow filter
    vol_p, t_m = p[_P_PC], p[_P_PC + 3]
    q_p = u[Q]
    for i in range(N):
        dy[PC + i] = q_p / vol_p * (u[i] - y[PC + i])
    dy[PC + 13] = (q_p - y[PC + 13]) / t_m
    ff, q_of, q_uf, e = primary_split(y, u, p)
    to_as = 1.0 - p[_P_BYP + 2]
    q_pe = q_of * to_as
    # --- controller (appended states)
    kla = work[0:5]
    for k in range(N_TANKS):
        kla[k] = u[45 + k]
    c0 = CTRL0
    if u[58] > 0.5:
        gain, ti, tt, off, umin, umax = p[_P_CTRL], p[_P_CTRL + 1], p[_P_CTRL + 2], p[_P_CTRL + 3], p[_P_CTRL + 4], p[_P_CTRL + 5]
        g3, g5, ts, ta, smin, smax = p[_P_CTRL + 6], p[_P_CTRL + 7], p[_P_CTRL + 8], p[_P_CTRL + 9], p[_P_CTRL + 10], p[_P_CTRL + 11]
        measured = min(max(y[c0 + 1] + u[59], smin), smax)
        error = u[60] - measured
        out = off + gain * error + y[c0 + 2]
        sat = min(max(out, umin), umax)
        dy[c0] = (y[TANK0 + 3 * N + S_O] - y[c0]) / ts
        dy[c0 + 1] = (y[c0] - y[c0 + 1]) / ts
        dy[c0 + 2] = gain / ti * error + (sat - out) / tt
        dy[c0 + 3] = (sat - y[c0 + 3]) / ta
        dy[c0 + 4] = (y[c0 + 3] - y[c0 + 4]) / ta
        kla[2] = g3 * y[c0 + 4]
        kla[3] = y[c0 + 4]
        kla[4] = g5 * y[c0 + 4]
    else:
        for j in range(5):
            dy[c0 + j] = 0.0
    # --- reactors
    qintr, qr, qw = u[50], u[51], u[52]
    q_extra = u[15 + Q]
    last = TANK0 + (N_TANKS - 1) * N
    tss_per_cod = p[_P_TSS]
    feed_tss = 0.0
    for i in SOLIDS:
        feed_tss += y[last + i]
    feed_tss *= tss_per_cod
    under = work[5:18]
    settler_layer_stream(y, last, TSS0, SOL0, N_LAYERS, N_LAYERS - 1, feed_tss, under)
    rates = work[18:31]
    mass_in = work[31:44]
    flow = q_pe + q_extra + qintr + qr
    carbon_conc = p[_P_CARBON]
    for k in range(N_TANKS):
        base = TANK0 + k * N
        if k == 0:
            for i in range(N):
                pe_i = y[PC + i] * ff if (i == 2 or i == 3 or i == 4 or i == 5 or i == 6 or i == 11) else y[PC + i]
                mass_in[i] = q_pe * max(pe_i, 0.0) + q_extra * u[15 + i] + qintr * y[last + i] + qr * under[i]
        else:
            for i in range(N):
                mass_in[i] = flow * y[base - N + i]
        carbon = u[53 + k]
        mass_in[S_S] += carbon * carbon_conc
        flow += carbon
        conversion(y[base : base + N], kin, nu, rates)
        vol = p[_P_VOL + k]
        for i in range(N):
            dy[base + i] = (mass_in[i] - flow * y[base + i]) / vol + rates[i]
        dy[base + S_O] += kla[k] * kla_factor * (o2_sat - y[base + S_O])
    # --- settler (Takács et al. 1991, BSM1/BSM2 10-layer; feed to layer feed_layer from the top)
    v0_max, v0, r_h, r_p, f_ns, x_t = p[_P_ST], p[_P_ST + 1], p[_P_ST + 2], p[_P_ST + 3], p[_P_ST + 4], p[_P_ST + 5]
    area, height, f = p[_P_ST + 6], p[_P_ST + 7], int(p[_P_ST + 8])
    settler_rhs(y, dy, last, TSS0, SOL0, N_LAYERS, f, feed_tss, flow - qintr, qr + qw, area, height,
                v0_max, v0, r_h, r_p, f_ns, x_t, work[44:54], work[54:65])


@njit(cache=True)
def as_temperature(u):
    """Temperature of the AS reactors and settler [°C]: with no heat balance (BSM2 default,
    tempmodel = 0) every unit passes its inflow's temperature on, so at each instant the reactors
    carry the flow-weighted temperature of the fresh flows entering tank 1 (primary effluent and
    the extra inflow); the internal and sludge recycles carry that same temperature."""
    q_pc, q_extra = u[Q], u[15 + Q]
    if q_pc + q_extra <= 0.0:
        return 15.0
    return (q_pc * u[T] + q_extra * u[15 + T]) / (q_pc + q_extra)


@njit(cache=True)
def advance(y, u, noise_values, dt_d, p, nu, rtol, atol, h0, max_steps):
    """Integrate ``y`` in place over ``dt_d`` days with the inputs ``u`` held; the sensor noise
    ``noise_values`` (length m ≥ 1) is held on m equal sub-intervals (the integrator stops at each
    sub-interval's end). Returns (next step size guess [d], RHS calls, status: 0 ok, 1 step size
    underflow, 2 too many steps)."""
    n = y.size
    temperature = as_temperature(u)
    kin = np.empty(14)
    corrected_kinetics(p, temperature, kin)
    kla_factor = p[_P_KLA_THETA] ** (temperature - 15.0)
    o2_sat = oxygen_saturation(temperature, p[_P_O2])
    k = np.empty((7, n))
    y_new = np.empty(n)
    tmp = np.empty(n)
    work = np.empty(N_WORK)
    h = h0
    calls = 0
    steps = 0
    m = noise_values.size
    for sub in range(m):
        u[59] = noise_values[sub]
        t = dt_d * sub / m
        t_end = dt_d * (sub + 1) / m
        rhs(y, u, p, nu, kin, kla_factor, o2_sat, k[0], work)
        calls += 1
        rejected = False
        while t < t_end:
            span = t_end - t
            last = h >= span
            step = span if last else h
            if step < 1e-14 * max(abs(t), 1.0):
                return h, calls, 1
            for s in range(1, 6):
                for j in range(n):
                    acc = 0.0
                    for q in range(s):
                        acc += _A[s, q] * k[q, j]
                    tmp[j] = y[j] + step * acc
                rhs(tmp, u, p, nu, kin, kla_factor, o2_sat, k[s], work)
            for j in range(n):
                acc = 0.0
                for q in range(6):
                    acc += _B[q] * k[q, j]
                y_new[j] = y[j] + step * acc
            rhs(y_new, u, p, nu, kin, kla_factor, o2_sat, k[6], work)
            calls += 6
            steps += 1
            if steps > max_steps:
                return h, calls, 2
            norm = 0.0
            for j in range(n):
                acc = 0.0
                for q in range(7):
                    acc += _E[q] * k[q, j]
                scale = atol + rtol * max(abs(y[j]), abs(y_new[j]))
                norm += (step * acc / scale) ** 2
            norm = np.sqrt(norm / n)
            if norm < 1.0:
                factor = 10.0 if norm == 0.0 else min(10.0, 0.9 * norm**-0.2)
                if rejected:
                    factor = min(factor, 1.0)
                t = t_end if last else t + step
                y[:] = y_new
                k[0] = k[6]
                if not (last and step < h):
                    h = step * factor
                rejected = False
            else:
                h = step * max(0.2, 0.9 * norm**-0.2)
                rejected = True
    return h, calls, 0


#: columns of :func:`outputs`: effluent15, bypass15, primary effluent15, primary sludge15,
#: wastage15, return sludge15, KLa×5, tank-1 inflow Q, TSS inventory [g] of primary clarifier,
#: reactors and settler
OUT_EFFLUENT, OUT_BYPASS, OUT_PRIMARY_EFFLUENT, OUT_PRIMARY_SLUDGE, OUT_WASTAGE, OUT_RETURN = 0, 15, 30, 45, 60, 75
OUT_KLA = 90
OUT_TANK1_FLOW = 95
OUT_INVENTORY = 96
N_OUT = 99


@njit(cache=True)
def outputs(y, u, p, out):
    """The streams and actuator values at state ``y`` with inputs ``u`` into ``out`` (N_OUT)."""
    for i in range(N_OUT):
        out[i] = 0.0
    ff, q_of, q_uf, e = primary_split(y, u, p)
    t_pc = u[T]
    t_as = as_temperature(u)
    fixed = (2, 3, 4, 5, 6, 11)
    for i in range(N):
        settleable = False
        for s in fixed:
            if s == i:
                settleable = True
        f_i = ff if settleable else 1.0
        out[OUT_PRIMARY_EFFLUENT + i] = max(f_i * y[PC + i], 0.0)
        out[OUT_PRIMARY_SLUDGE + i] = max(((1.0 - f_i) * e + f_i) * y[PC + i], 0.0)
    out[OUT_PRIMARY_EFFLUENT + Q] = q_of
    out[OUT_PRIMARY_EFFLUENT + T] = t_pc
    out[OUT_PRIMARY_SLUDGE + Q] = q_uf
    out[OUT_PRIMARY_SLUDGE + T] = t_pc
    # settler outlets
    last = TANK0 + (N_TANKS - 1) * N
    feed_tss = 0.0
    for i in SOLIDS:
        feed_tss += y[last + i]
    feed_tss *= p[_P_TSS]
    qintr, qr, qw = u[50], u[51], u[52]
    flow = q_of * (1.0 - p[_P_BYP + 2]) + u[15 + Q] + qintr + qr
    for k in range(N_TANKS):
        flow += u[53 + k]
    feed_flow = flow - qintr
    q_e = feed_flow - qr - qw
    top = np.empty(N)
    bottom = np.empty(N)
    settler_layer_stream(y, last, TSS0, SOL0, N_LAYERS, 0, feed_tss, top)
    settler_layer_stream(y, last, TSS0, SOL0, N_LAYERS, N_LAYERS - 1, feed_tss, bottom)
    for i in range(N):
        out[OUT_WASTAGE + i] = bottom[i]
        out[OUT_RETURN + i] = bottom[i]
    out[OUT_WASTAGE + Q] = qw
    out[OUT_RETURN + Q] = qr
    out[OUT_WASTAGE + T] = t_as
    out[OUT_RETURN + T] = t_as
    # bypass: inlet bypass to the effluent plus primary effluent bypassing the AS
    q_by_in = u[30 + Q]
    q_by_pe = q_of * p[_P_BYP + 2]
    q_by = q_by_in + q_by_pe
    for i in range(N):
        if q_by > 0.0:
            out[OUT_BYPASS + i] = (q_by_in * u[30 + i] + q_by_pe * out[OUT_PRIMARY_EFFLUENT + i]) / q_by
    out[OUT_BYPASS + Q] = q_by
    out[OUT_BYPASS + T] = (q_by_in * u[30 + T] + q_by_pe * t_pc) / q_by if q_by > 0.0 else t_pc
    q_eff = q_e + q_by
    for i in range(N):
        out[OUT_EFFLUENT + i] = (q_e * top[i] + q_by * out[OUT_BYPASS + i]) / q_eff if q_eff > 0.0 else top[i]
    out[OUT_EFFLUENT + Q] = q_eff
    out[OUT_EFFLUENT + T] = (q_e * t_as + q_by * out[OUT_BYPASS + T]) / q_eff if q_eff > 0.0 else t_as
    # actuators
    for k in range(N_TANKS):
        out[OUT_KLA + k] = u[45 + k]
    if u[58] > 0.5:
        a = y[CTRL0 + 4]
        out[OUT_KLA + 2] = p[_P_CTRL + 6] * a
        out[OUT_KLA + 3] = a
        out[OUT_KLA + 4] = p[_P_CTRL + 7] * a
    out[OUT_TANK1_FLOW] = q_of * (1.0 - p[_P_BYP + 2]) + u[15 + Q] + qintr + qr + u[53]
    # TSS inventory [g]: primary clarifier, reactors, settler
    tss_pc = 0.0
    for i in SOLIDS:
        tss_pc += y[PC + i]
    out[OUT_INVENTORY] = p[_P_TSS] * tss_pc * p[_P_PC]
    tss_as = 0.0
    for k in range(N_TANKS):
        s = 0.0
        for i in SOLIDS:
            s += y[TANK0 + k * N + i]
        tss_as += s * p[_P_VOL + k]
    out[OUT_INVENTORY + 1] = p[_P_TSS] * tss_as
    tss_st = 0.0
    for j in range(N_LAYERS):
        tss_st += y[TSS0 + j]
    out[OUT_INVENTORY + 2] = tss_st * p[_P_ST + 6] * p[_P_ST + 7] / N_LAYERS


@njit(cache=True)
def run_held(y0, influents, returns, returns_to_as, kla, qintr, qr, qw, carbon, active, setpoint, noise,
             noise_per_interval, dt_d, p, nu, rtol, atol, max_steps):  # fmt: skip
    """Advance through ``influents.shape[0]`` intervals of ``dt_d`` days, each with its held inputs
    (row i of ``influents``, ``returns[i]`` (m × 15), ``qw[i]``, ``carbon[i]``), the noise values
    ``noise[i*noise_per_interval:(i+1)*noise_per_interval]``; returns (states at each interval end
    (n_int, N_STATES), outputs at each interval end (n_int, N_OUT), RHS calls, status)."""
    n_int = influents.shape[0]
    states = np.empty((n_int, y0.size))
    outs = np.empty((n_int, N_OUT))
    y = y0.copy()
    u = np.empty(N_INPUTS)
    h = 1e-4
    calls = 0
    for i in range(n_int):
        mix_inputs(influents[i], returns[i], returns_to_as, kla, qintr, qr, qw[i], carbon[i], active, 0.0, setpoint, p, u)
        h, c, status = advance(y, u, noise[i * noise_per_interval : (i + 1) * noise_per_interval], dt_d, p, nu,
                               rtol, atol, h, max_steps)  # fmt: skip
        calls += c
        if status != 0:
            return states[:i], outs[:i], calls, status
        states[i] = y
        outputs(y, u, p, outs[i])
    return states, outs, calls, 0
