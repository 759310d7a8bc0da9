"""Compiled (numba) right-hand side of a plant and an explicit Dormand–Prince integrator.

The same equations as :meth:`ecocity.wastewater.plant.PlantModel.derivatives` (same state
layout, tested equal to round-off), written as loops for numba, plus optional PI controller,
sensor and actuator states appended to the plant state (:mod:`ecocity.wastewater.control`).

Private: :mod:`ecocity.wastewater.simulate` packs a :class:`PlantModel` into the arrays these
functions take (:func:`pack`) and is the only caller of :func:`integrate_held`.

Dormand–Prince 5(4) (Dormand & Prince 1980, J. Comput. Appl. Math. 6(1), 19–26,
doi:10.1016/0771-050X(80)90013-3) with the step control of scipy's ``RK45`` and MATLAB's
``ode45`` (error norm: RMS of err/(atol + rtol·max(|y|, |y_new|)); safety 0.9, factor bounds
0.2–10, exponent −1/5; no growth right after a rejected step). The influent is held over each
sample interval (zero-order hold) and the integrator stops at every sample edge, so that no step
straddles a jump of the influent.
"""

from __future__ import annotations

import numpy as np
from numba import njit

N = 13  # ASM1 states
# ASM1 state indices (asm1.STATES order)
S_I, S_S, X_I, X_S, X_BH, X_BA, X_P, S_O, S_NO, S_NH, S_ND, X_ND, S_ALK = range(13)
SOLUBLE = np.array([S_I, S_S, S_O, S_NO, S_NH, S_ND, S_ALK])
PARTICULATE = np.array([X_I, X_S, X_BH, X_BA, X_P, X_ND])
SOLIDS = np.array([X_I, X_S, X_BH, X_BA, X_P])
#: order of the kinetic parameters in the packed vector
KINETIC = ("mu_H", "K_S", "K_OH", "K_NO", "b_H", "eta_g", "eta_h", "k_h", "K_X", "mu_A", "K_NH", "b_A", "K_OA", "k_a")
#: order of the settler scalars in the packed vector
SETTLER = ("v0_max", "v0", "r_h", "r_p", "f_ns", "X_t", "area_m2", "height_m", "underflow_m3_per_d",
           "return_sludge_m3_per_d", "tss_per_cod", "oxygen_saturation")  # fmt: skip
#: rows of the control table, one per appended state (:mod:`ecocity.wastewater.control`).
#: A PI controller (kind 0: KLa of a tank, 1: a recycle flow) appends its integral state; its columns:
#: measured y index, kind, tank or recycle index, set-point, K, Ti, Tt, u_min, u_max, offset,
#: measurement lower and upper limit, y index of the actuator state applied (-1: the output itself).
#: A first-order lag stage appends its output x, dx/dt = (input - x)/T, T in column 13; its input is
#: y[column 0] (kind 2: a sensor stage, or an actuator stage after the first) or the saturated
#: output of controller row column 0 (kind 3: the first stage of an actuator).
KLA, RECYCLE, STATE_LAG, OUTPUT_LAG = 0, 1, 2, 3
CONTROLLER_COLUMNS = 14


@njit(cache=True)
def _conversion(c, kin, nu, out):
    """out[13] = ρ(c) @ ν, ASM1 as in asm1.process_rates (negative states read as zero)."""
    ss = max(c[S_S], 0.0)
    xs = max(c[X_S], 0.0)
    xbh = max(c[X_BH], 0.0)
    xba = max(c[X_BA], 0.0)
    so = max(c[S_O], 0.0)
    sno = max(c[S_NO], 0.0)
    snh = max(c[S_NH], 0.0)
    snd = max(c[S_ND], 0.0)
    xnd = max(c[X_ND], 0.0)
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
    rho = np.empty(8)
    rho[0] = mu_h * monod_s * aerobic_h * xbh
    rho[1] = mu_h * monod_s * inhibition_o * nitrate * eta_g * xbh
    rho[2] = mu_a * snh / (k_nh + snh) * so / (k_oa + so) * xba
    rho[3] = b_h * xbh
    rho[4] = b_a * xba
    rho[5] = k_a * snd * xbh
    rho[6] = hydrolysis * switch * xs
    rho[7] = hydrolysis * switch * xnd
    for i in range(N):
        total = 0.0
        for j in range(8):
            total += rho[j] * nu[j, i]
        out[i] = total


@njit(cache=True)
def settler_layer_stream(y, last, tss0, sol0, n_layers, layer, feed_tss, out):
    """The ASM1 concentrations leaving settler ``layer`` into ``out`` (13): the solubles of the
    layer, and the feed's particulates scaled by the layer's TSS over the feed TSS (BSM1/BSM2
    settler: the particulate fractions of the feed are kept in every layer). ``last`` is the index
    of the feeding tank's first state."""
    ratio = y[tss0 + layer] / feed_tss if feed_tss > 0.0 else 0.0
    for i in PARTICULATE:
        out[i] = y[last + i] * ratio
    n_sol = SOLUBLE.size
    for j in range(n_sol):
        out[SOLUBLE[j]] = y[sol0 + layer * n_sol + j]


@njit(cache=True)
def settler_rhs(y, dy, last, tss0, sol0, n_layers, f, feed_tss, feed_flow, underflow, area, height,
                v0_max, v0, r_h, r_p, f_ns, x_t, flux_in_layer, flux):  # fmt: skip
    """dy/dt of the settler layers into ``dy``: Takács et al. (1991) double-exponential settling
    velocity with the BSM1 flux limitation (bulk movement above the feed layer ``f`` only below the
    threshold X_t), and advection of TSS and the solubles up (above ``f``) and down (below) at
    (feed − underflow)/A and underflow/A (Alex et al. 2008, BSM1 settler equations; the same
    settler in BSM2). ``flux_in_layer`` (n_layers) and ``flux`` (n_layers + 1) are scratch."""
    h = height / n_layers
    v_up = (feed_flow - underflow) / area
    v_dn = underflow / area
    for j in range(n_layers):
        x = y[tss0 + j]
        excess = x - f_ns * feed_tss
        vs = v0 * (np.exp(-r_h * excess) - np.exp(-r_p * excess))
        vs = min(max(vs, 0.0), v0_max)
        flux_in_layer[j] = vs * x
    flux[0] = 0.0
    flux[n_layers] = 0.0
    for j in range(n_layers - 1):
        if j < f and y[tss0 + j + 1] <= x_t:
            flux[j + 1] = flux_in_layer[j]
        else:
            flux[j + 1] = min(flux_in_layer[j], flux_in_layer[j + 1])
    n_sol = SOLUBLE.size
    for j in range(n_layers):
        # column c = -1: TSS, else soluble c
        for c in range(-1, n_sol):
            if c < 0:
                here = y[tss0 + j]
                feed = feed_tss
                above = y[tss0 + j - 1] if j > 0 else 0.0
                below = y[tss0 + j + 1] if j < n_layers - 1 else 0.0
            else:
                here = y[sol0 + j * n_sol + c]
                feed = y[last + SOLUBLE[c]]
                above = y[sol0 + (j - 1) * n_sol + c] if j > 0 else 0.0
                below = y[sol0 + (j + 1) * n_sol + c] if j < n_layers - 1 else 0.0
            if j < f:
                rate = v_up * (below - here)
            elif j > f:
                rate = v_dn * (above - here)
            else:
                rate = feed_flow / area * feed - (v_up + v_dn) * here
            rate = rate / h
            if c < 0:
                dy[tss0 + j] = rate + (flux[j] - flux[j + 1]) / h
            else:
                dy[sol0 + j * n_sol + c] = rate


@njit(cache=True)
def plant_rhs(y, influent, q_in, kla, recycle_flow, dy, volume, fixed_o2, rec_src, rec_tgt, return_to,
              feed_layer, n_layers, kin, nu, st):  # fmt: skip
    """dy/dt of the plant into ``dy`` (the first ``size`` entries of ``y``), as PlantModel.derivatives."""
    n_tanks = volume.size
    v0_max, v0, r_h, r_p, f_ns, x_t = st[0], st[1], st[2], st[3], st[4], st[5]
    area, height, underflow, return_flow, tss_per_cod, o2_sat = st[6], st[7], st[8], st[9], st[10], st[11]
    inflow = np.zeros(n_tanks)
    withdrawn = np.zeros(n_tanks)
    for r in range(rec_src.size):
        inflow[rec_tgt[r]] += recycle_flow[r]
        withdrawn[rec_src[r]] += recycle_flow[r]
    inflow[return_to] += return_flow
    through = np.empty(n_tanks)
    outflow = np.empty(n_tanks)
    cum_in = 0.0
    cum_out = 0.0
    for k in range(n_tanks):
        cum_in += inflow[k]
        through[k] = q_in + (cum_in - cum_out)
        cum_out += withdrawn[k]
    for k in range(n_tanks):
        outflow[k] = through[k] - withdrawn[k]
    tss0 = n_tanks * N
    sol0 = tss0 + n_layers
    last = (n_tanks - 1) * N
    feed_tss = 0.0
    for i in SOLIDS:
        feed_tss += y[last + i]
    feed_tss *= tss_per_cod
    # underflow (the settler's bottom layer) returned to a tank
    under = np.empty(N)
    settler_layer_stream(y, last, tss0, sol0, n_layers, n_layers - 1, feed_tss, under)
    rates = np.empty(N)
    mass_in = np.empty(N)
    for k in range(n_tanks):
        base = k * N
        for i in range(N):
            mass_in[i] = q_in * influent[i] if k == 0 else outflow[k - 1] * y[base - N + i]
        for r in range(rec_src.size):
            if rec_tgt[r] == k:
                for i in range(N):
                    mass_in[i] += recycle_flow[r] * y[rec_src[r] * N + i]
        if k == return_to:
            for i in range(N):
                mass_in[i] += return_flow * under[i]
        _conversion(y[base : base + N], kin, nu, rates)
        for i in range(N):
            dy[base + i] = (mass_in[i] - through[k] * y[base + i]) / volume[k] + rates[i]
        dy[base + S_O] += kla[k] * (o2_sat - y[base + S_O])
        if fixed_o2[k]:
            dy[base + S_O] = 0.0
    # settler: solids (Takács) and solubles, advection up above the feed layer, down below
    settler_rhs(y, dy, last, tss0, sol0, n_layers, feed_layer, feed_tss, outflow[n_tanks - 1], underflow, area, height,
                v0_max, v0, r_h, r_p, f_ns, x_t, np.empty(n_layers), np.empty(n_layers + 1))


@njit(cache=True)
def controls(y, ctrl, kla, recycle, dy):
    """:func:`noisy_controls` without measurement noise."""
    noisy_controls(y, ctrl, np.zeros(ctrl.shape[0]), kla, recycle, dy)


@njit(cache=True)
def noisy_controls(y, ctrl, noise, kla, recycle, dy):
    """The appended states' derivatives into ``dy`` and the manipulated variables into ``kla`` and
    ``recycle`` (the rows of ``ctrl`` as described at :data:`CONTROLLER_COLUMNS`; ``noise[c]``:
    the measurement noise of controller row c, held over the current interval [g/m³]).

    PI: y_m = clip(measurement + noise, limits), e = set-point − y_m, u = offset + K·e + I,
    u_sat = clip(u, u_min, u_max), dI/dt = K/Ti·e + (u_sat − u)/Tt (back-calculation anti-windup;
    Åström & Hägglund). Lag stage: dx/dt = (input − x)/T.
    """
    n_rows = ctrl.shape[0]
    n_plant = y.size - n_rows
    u_sat = np.zeros(n_rows)
    for c in range(n_rows):
        kind = int(ctrl[c, 1])
        if kind > RECYCLE:
            continue
        measured = min(max(y[int(ctrl[c, 0])] + noise[c], ctrl[c, 10]), ctrl[c, 11])
        error = ctrl[c, 3] - measured
        u = ctrl[c, 9] + ctrl[c, 4] * error + y[n_plant + c]
        u_sat[c] = min(max(u, ctrl[c, 7]), ctrl[c, 8])
        applied = u_sat[c] if ctrl[c, 12] < 0 else y[int(ctrl[c, 12])]
        if kind == KLA:
            kla[int(ctrl[c, 2])] = applied
        else:
            recycle[int(ctrl[c, 2])] = applied
        dy[n_plant + c] = ctrl[c, 4] / ctrl[c, 5] * error + (u_sat[c] - u) / ctrl[c, 6]
    for c in range(n_rows):
        kind = int(ctrl[c, 1])
        if kind == STATE_LAG:
            dy[n_plant + c] = (y[int(ctrl[c, 0])] - y[n_plant + c]) / ctrl[c, 13]
        elif kind == OUTPUT_LAG:
            dy[n_plant + c] = (u_sat[int(ctrl[c, 0])] - y[n_plant + c]) / ctrl[c, 13]


@njit(cache=True)
def full_rhs(y, influent, q_in, kla0, recycle0, ctrl, dy, volume, fixed_o2, rec_src, rec_tgt, return_to,
             feed_layer, n_layers, kin, nu, st):  # fmt: skip
    """Plant plus controllers, sensors and actuators (their states appended after the plant's;
    :func:`controls`), without measurement noise."""
    noisy_rhs(y, influent, q_in, kla0, recycle0, ctrl, np.zeros(ctrl.shape[0]), dy, volume, fixed_o2, rec_src,
              rec_tgt, return_to, feed_layer, n_layers, kin, nu, st)  # fmt: skip


@njit(cache=True)
def noisy_rhs(y, influent, q_in, kla0, recycle0, ctrl, noise, dy, volume, fixed_o2, rec_src, rec_tgt, return_to,
              feed_layer, n_layers, kin, nu, st):  # fmt: skip
    """:func:`full_rhs` with the measurement noise ``noise[c]`` of each row of ``ctrl`` [g/m³]
    (:func:`noisy_controls`)."""
    kla = kla0.copy()
    recycle = recycle0.copy()
    noisy_controls(y, ctrl, noise, kla, recycle, dy)
    plant_rhs(y, influent, q_in, kla, recycle, dy, volume, fixed_o2, rec_src, rec_tgt, return_to,
              feed_layer, n_layers, kin, nu, st)  # fmt: skip


# Dormand–Prince 5(4) tableau
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [1 / 5, 0.0, 0.0, 0.0, 0.0],
    [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
    [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
])  # fmt: skip
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])


@njit(cache=True)
def integrate_held(y0, times, influents, flows, noises, kla0, recycle0, ctrl, rtol, atol, h0, max_steps,
                   volume, fixed_o2, rec_src, rec_tgt, return_to, feed_layer, n_layers, kin, nu, st):  # fmt: skip
    """Integrate from times[0] through each interval [times[i], times[i+1]) with influent i and
    the measurement noise ``noises[i]`` (one value per row of ``ctrl``) held.

    Returns (states at every time (len(times), n), number of RHS calls, status): status 0 ok,
    1 step size underflow, 2 too many steps.
    """
    n = y0.size
    out = np.empty((times.size, n))
    out[0] = y0
    y = y0.copy()
    k = np.empty((7, n))
    y_new = np.empty(n)
    tmp = np.empty(n)
    h = h0
    calls = 0
    steps = 0
    for i in range(times.size - 1):
        t, t_end = times[i], times[i + 1]
        influent, q_in, noise = influents[i], flows[i], noises[i]
        noisy_rhs(y, influent, q_in, kla0, recycle0, ctrl, noise, k[0], volume, fixed_o2, rec_src, rec_tgt,
                 return_to, feed_layer, n_layers, kin, nu, st)  # fmt: skip
        calls += 1
        rejected = False
        while t < t_end:
            span = t_end - t
            last = h >= span
            step = span if last else h
            if step < 1e-14 * max(abs(t), 1.0):
                return out, calls, 1
            for s in range(1, 6):
                for m in range(n):
                    acc = 0.0
                    for q in range(s):
                        acc += _A[s, q] * k[q, m]
                    tmp[m] = y[m] + step * acc
                noisy_rhs(tmp, influent, q_in, kla0, recycle0, ctrl, noise, k[s], volume, fixed_o2, rec_src,
                         rec_tgt, return_to, feed_layer, n_layers, kin, nu, st)  # fmt: skip
            for m in range(n):
                acc = 0.0
                for q in range(6):
                    acc += _B[q] * k[q, m]
                y_new[m] = y[m] + step * acc
            noisy_rhs(y_new, influent, q_in, kla0, recycle0, ctrl, noise, k[6], volume, fixed_o2, rec_src,
                     rec_tgt, return_to, feed_layer, n_layers, kin, nu, st)  # fmt: skip
            calls += 6
            steps += 1
            if steps > max_steps:
                return out, calls, 2
            norm = 0.0
            for m in range(n):
                acc = 0.0
                for q in range(7):
                    acc += _E[q] * k[q, m]
                scale = atol + rtol * max(abs(y[m]), abs(y_new[m]))
                norm += (step * acc / scale) ** 2
            norm = np.sqrt(norm / n)
            if norm < 1.0:
                factor = 10.0 if norm == 0.0 else min(10.0, 0.9 * norm ** -0.2)
                if rejected:
                    factor = min(factor, 1.0)
                t = t_end if last else t + step
                y[:] = y_new
                k[0] = k[6]
                # a step cut short at the sample edge does not shrink the next interval's step
                if not (last and step < h):
                    h = step * factor
                rejected = False
            else:
                h = step * max(0.2, 0.9 * norm ** -0.2)
                rejected = True
        out[i + 1] = y
    return out, calls, 0


def pack(model) -> tuple:
    """The arrays of a :class:`~ecocity.wastewater.plant.PlantModel` that the kernels take after
    the state arguments: (volume, fixed_o2, rec_src, rec_tgt, return_to, feed_layer, n_layers,
    kin, nu, st)."""
    from ecocity.wastewater import asm1

    p = model.asm1_parameters
    s = model.settling
    settler = model.layout.settler
    settler_values = {
        "v0_max": s.v0_max, "v0": s.v0, "r_h": s.r_h, "r_p": s.r_p, "f_ns": s.f_ns, "X_t": s.X_t,
        "area_m2": settler.area_m2, "height_m": settler.height_m,
        "underflow_m3_per_d": settler.underflow_m3_per_d,
        "return_sludge_m3_per_d": settler.return_sludge_m3_per_d,
        "tss_per_cod": p.tss_per_cod, "oxygen_saturation": p.oxygen_saturation_g_per_m3,
    }  # fmt: skip
    return (
        np.ascontiguousarray(model.volume_m3, dtype=np.float64),
        np.ascontiguousarray(model.fixed_oxygen, dtype=np.bool_),
        np.array([r[0] for r in model.recycles], dtype=np.int64),
        np.array([r[1] for r in model.recycles], dtype=np.int64),
        int(model.return_to),
        int(model.feed_layer),
        int(model.n_layers),
        np.array([getattr(p, name) for name in KINETIC]),
        np.ascontiguousarray(asm1.stoichiometry(p), dtype=np.float64),
        np.array([settler_values[name] for name in SETTLER]),
    )


def recycle_flows(model) -> np.ndarray:
    """The layout's internal recycle flows [m³/d], in the order of ``model.recycles``."""
    return np.array([r[2] for r in model.recycles], dtype=np.float64)


NO_CONTROLLERS = np.zeros((0, CONTROLLER_COLUMNS))
