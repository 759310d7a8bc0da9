"""Running a plant: steady state and dynamic simulation. The only module that calls an ODE solver.

* :func:`steady_state` integrates the plant with constant influent (stiff BDF, like the
  benchmark's 200-day ``ode15s`` run) and then polishes the result with Newton's method on the
  right-hand side, so that the mass balances close to numerical precision.
* :func:`simulate` integrates a dynamic influent (the benchmark's 15-min files) held constant
  over each sample (zero-order hold, as the benchmark reads them) with the explicit
  Dormand–Prince pair (scipy ``RK45``), the benchmark's own choice for dynamic runs (``ode45``,
  RelTol 1e-5, AbsTol 1e-8). The implicit BDF chatters on the settler's min-flux switches in
  the thickening zone (layers of equal TSS below the feed) and takes more steps than RK45,
  whose step (≈ 3e-4 d) is set by the fastest mode (S_O in the anoxic tanks, ≈ −8300 1/d).

The steady-state integration uses BDF with a sparse finite-difference Jacobian (scipy groups
structurally independent columns; :func:`jacobian_sparsity`).
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp
from scipy.sparse import lil_matrix

from ecocity.errors import EngineError, InputError, ModelError
from ecocity.wastewater import _kernel, asm1
from ecocity.wastewater.control import (
    TIME_TOLERANCE_D,
    PIController,
    bumpless_integral_states,
    check_noise,
    controller_table,
    manipulated_variables,
    sensor_noise,
)
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import PlantLayout
from ecocity.wastewater.plant import N_STATES, PARTICULATE_INDEX, S_O, SOLUBLE_INDEX, PlantModel

_DATA = resources.files("ecocity.wastewater") / "data"
STEADY_STATE_DAYS = 200.0
#: Newton may stall on the settler's min-flux switches when layers below the feed hold equal TSS
#: (BSM1 layers 5–9); a residual below this is accepted then [g/(m³·d)] (states up to ~10⁴ g/m³,
#: so dy/dt/y < 1e-8 per day).
STAGNATION_ACCEPTED = 1e-4
INFLUENT_STATES = list(asm1.STATES)


@dataclass(frozen=True)
class SteadyState:
    """A plant at steady state.

    Attributes
    ----------
    tanks
        ASM1 states per tank (index: tank name, columns :data:`asm1.STATES`). [g/m³]
    settler_tss_g_per_m3
        TSS per settler layer, top first. [g/m³]
    effluent, underflow
        ASM1 states of the settler effluent and underflow. [g/m³]
    effluent_flow_m3_per_d, wastage_m3_per_d
        Flows. [m³/d]
    state
        The full state vector (start of a dynamic run).
    residual_norm
        max |dy/dt| at the returned state. [g/(m³·d)]
    wall_time_s
        Wall time of the computation. [s]
    """

    tanks: pd.DataFrame
    settler_tss_g_per_m3: np.ndarray
    effluent: pd.Series
    underflow: pd.Series
    influent: pd.Series
    influent_flow_m3_per_d: float
    effluent_flow_m3_per_d: float
    wastage_m3_per_d: float
    state: np.ndarray
    residual_norm: float
    wall_time_s: float


@dataclass(frozen=True)
class DynamicResult:
    """A dynamic run sampled at the influent's times.

    Attributes
    ----------
    effluent
        Effluent ASM1 states and flow ``Q`` [m³/d] (index ``t`` [d]).
    tanks
        States per tank, array ``(n_times, n_tanks, 13)``.
    states
        Full state vectors ``(n_times, n_states)``; controller integral states last.
    kla_per_d
        KLa of each tank as applied (controlled or fixed), one column per tank. [1/d]
    internal_recycle_m3_per_d
        Each internal recycle flow as applied, one column per recycle. [m³/d]
    final_state
        The full state at the end time ``days`` (start of the next run).
    wall_time_s
        Wall time. [s]
    measured
        Each controller's measurement as it reads it (sensor dynamics, noise, clipping to the
        measuring range), one column per controller (its name). [g/m³]
    """

    effluent: pd.DataFrame
    tanks: np.ndarray
    states: np.ndarray
    kla_per_d: pd.DataFrame
    internal_recycle_m3_per_d: pd.DataFrame
    final_state: np.ndarray
    wall_time_s: float
    measured: pd.DataFrame | None = None


def default_initial_state(model: PlantModel) -> np.ndarray:
    """The benchmark's starting state (``data/bsm1_initial_state.toml``) fitted to the layout.

    With five tanks, tank k starts from BSM1 tank k; otherwise every tank starts from BSM1
    tank 5. The settler profile is resampled to the number of layers.
    """
    data = tomllib.loads((_DATA / "bsm1_initial_state.toml").read_text(encoding="utf-8"))
    reference = np.array(data["tanks"], dtype=float)
    tanks = reference if model.n_tanks == len(reference) else np.tile(reference[-1], (model.n_tanks, 1))
    profile = np.array(data["settler_tss"], dtype=float)
    tss = np.interp(np.linspace(0, 1, model.n_layers), np.linspace(0, 1, profile.size), profile)
    return model.initial_state(tanks, tss)


def jacobian_sparsity(model: PlantModel):
    """Structural non-zeros of ∂(dy/dt)/∂y (a superset), for the solver's grouped differences."""
    n_tanks, n_layers, n_sol = model.n_tanks, model.n_layers, SOLUBLE_INDEX.size
    pattern = lil_matrix((model.size, model.size), dtype=bool)
    tank0 = lambda k: k * N_STATES  # noqa: E731
    tss0 = n_tanks * N_STATES
    sol0 = tss0 + n_layers
    eye = np.arange(N_STATES)
    last = n_tanks - 1
    for k in range(n_tanks):
        rows = tank0(k) + eye
        pattern[np.ix_(rows, rows)] = True
        if k > 0:
            pattern[rows, tank0(k - 1) + eye] = True
        for source, target, _ in model.recycles:
            if target == k:
                pattern[rows, tank0(source) + eye] = True
    # return sludge: particulates follow the last tank's particulates and the bottom TSS,
    # solubles the bottom layer
    rows = tank0(model.return_to) + PARTICULATE_INDEX
    pattern[np.ix_(rows, tank0(last) + PARTICULATE_INDEX)] = True
    pattern[rows, tss0 + n_layers - 1] = True
    pattern[tank0(model.return_to) + SOLUBLE_INDEX, sol0 + (n_layers - 1) * n_sol + np.arange(n_sol)] = True
    # settler solids: neighbouring layers (settling switches) and the feed's solids
    tss_rows = tss0 + np.arange(n_layers)
    pattern[np.ix_(tss_rows, tss_rows)] = True
    pattern[np.ix_(tss_rows, tank0(last) + PARTICULATE_INDEX)] = True
    # settler solubles: each species in its own column of layers, fed from the last tank
    for j, state in enumerate(SOLUBLE_INDEX):
        rows = sol0 + np.arange(n_layers) * n_sol + j
        for offset in (-1, 0, 1):
            cols = rows + offset * n_sol
            ok = (cols >= sol0) & (cols < model.size)
            pattern[rows[ok], cols[ok]] = True
        pattern[sol0 + model.feed_layer * n_sol + j, tank0(last) + state] = True
    return pattern.tocsr()


def steady_state(
    layout: PlantLayout,
    influent: str | pd.DataFrame = "constant",
    *,
    days: float = STEADY_STATE_DAYS,
    initial: np.ndarray | None = None,
    tolerance: float = 1e-8,
) -> SteadyState:
    """Steady state of a plant under constant influent.

    Parameters
    ----------
    layout
        The plant.
    influent
        ``"constant"`` (BSM1) or a frame from :func:`~ecocity.wastewater.influent.read_influent`;
        its flow-weighted mean is used if it varies.
    days
        Length of the settling-in integration before Newton. [d]
    initial
        Start state; default :func:`default_initial_state`.
    tolerance
        Newton stops when max |dy/dt| < tolerance [g/(m³·d)] (round-off in dy/dt is ≈ 1e-10).

    Raises
    ------
    ModelError
        Newton does not converge.
    """
    start = time.perf_counter()
    model = PlantModel.from_layout(layout)
    frame = read_influent(influent) if isinstance(influent, str) else influent
    flow = float(frame["Q"].mean())
    states = (frame[INFLUENT_STATES].mul(frame["Q"], axis=0).sum() / frame["Q"].sum()).to_numpy()
    _check_flows(model, flow)
    y0 = default_initial_state(model) if initial is None else np.asarray(initial, float)
    rhs = lambda t, y: model.derivatives(y, states, flow)  # noqa: E731
    solution = solve_ivp(
        rhs, (0.0, days), y0, method="BDF", rtol=1e-7, atol=1e-7,
        jac_sparsity=jacobian_sparsity(model),
    )  # fmt: skip
    if not solution.success:
        raise EngineError(f"steady-state integration failed: {solution.message}")
    y = _newton(model, rhs, solution.y[:, -1], tolerance)
    residual = float(np.abs(rhs(0.0, y)).max())
    tanks, tss, _ = model.split(y)
    effluent, underflow = model.settler_outlets(y)
    return SteadyState(
        tanks=pd.DataFrame(tanks.copy(), index=[t.name for t in layout.tanks], columns=INFLUENT_STATES),
        settler_tss_g_per_m3=tss.copy(),
        effluent=pd.Series(effluent, index=INFLUENT_STATES),
        underflow=pd.Series(underflow, index=INFLUENT_STATES),
        influent=pd.Series(states, index=INFLUENT_STATES),
        influent_flow_m3_per_d=flow,
        effluent_flow_m3_per_d=flow - model.wastage_m3_per_d,
        wastage_m3_per_d=model.wastage_m3_per_d,
        state=y,
        residual_norm=residual,
        wall_time_s=time.perf_counter() - start,
    )


def _newton(model: PlantModel, rhs, y: np.ndarray, tolerance: float) -> np.ndarray:
    """Newton on dy/dt = 0, with rows of DO set-point tanks replaced by S_O − set-point = 0."""
    fixed_rows = np.flatnonzero(model.fixed_oxygen) * N_STATES + S_O
    setpoints = model.oxygen_setpoint_g_per_m3[model.fixed_oxygen]

    def residual(v: np.ndarray) -> np.ndarray:
        r = rhs(0.0, v)
        r[fixed_rows] = v[fixed_rows] - setpoints
        return r

    r = residual(y)
    for _ in range(50):
        if np.abs(r).max() < tolerance:
            return y
        jac = _dense_jacobian(residual, y, r)
        try:
            step = np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError as err:
            raise ModelError("steady state: singular Jacobian in Newton's method") from err
        # damped: halve the step until the residual falls (the settler's flux switches make
        # dy/dt only piecewise smooth)
        for _ in range(30):
            trial = y + step
            r_trial = residual(trial)
            if np.abs(r_trial).max() < np.abs(r).max():
                y, r = trial, r_trial
                break
            step = step / 2.0
        else:
            break  # no descent: the flux switches of tied settler layers limit the accuracy
    if np.abs(r).max() < STAGNATION_ACCEPTED:
        return y
    raise ModelError(f"steady state: Newton did not converge (max |dy/dt| = {np.abs(r).max():.3g})")


def _dense_jacobian(function, y: np.ndarray, f0: np.ndarray) -> np.ndarray:
    """Forward-difference Jacobian (steps √ε·max(|y|, 1))."""
    jac = np.empty((f0.size, y.size))
    steps = np.sqrt(np.finfo(float).eps) * np.maximum(np.abs(y), 1.0)
    for j in range(y.size):
        shifted = y.copy()
        shifted[j] += steps[j]
        jac[:, j] = (function(shifted) - f0) / steps[j]
    return jac


def simulate(
    layout: PlantLayout,
    influent: str | pd.DataFrame,
    *,
    initial: np.ndarray,
    days: float | None = None,
    control: Sequence[PIController] = (),
    rtol: float = 1e-5,
    atol: float = 1e-8,
    solver: str = "compiled",
    noise: str | Path = "off",
) -> DynamicResult:
    """Dynamic simulation with influent held constant over each sample (zero-order hold).

    Parameters
    ----------
    layout
        The plant.
    influent
        ``"dry"``, ``"rain"``, ``"storm"``, a file path, or a frame from ``read_influent``.
    initial
        Start state (e.g. ``steady_state(...).state``): the plant states, optionally followed by
        the controllers' integral states. Without them the controllers start bumpless, at the
        plant's KLa and recycle flows.
    days
        End time [d]; default: the last sample time + one sample step.
    control
        PI controllers (:func:`ecocity.wastewater.control.load_control`); none: open loop.
    rtol, atol
        Solver tolerances (Dormand–Prince 5(4); defaults as the benchmark's ode45 runs).
    solver
        ``"compiled"``: the numba Dormand–Prince integrator that stops at every sample edge;
        ``"scipy-RK45"``: scipy's RK45 over the numpy right-hand side (≈ 50× slower; open loop
        only; the reference the compiled path is tested against).
    noise
        Measurement noise of the controllers' sensors (those with a noise level, e.g. the
        benchmark's; :func:`~ecocity.wastewater.control.sensor_noise`): ``"off"`` (default),
        ``"seeded"``, or a noise file (CSV ``time [d], z[, z, …]``). Each noise sample is held
        until the next, and the integrator stops at every sample edge (1 min for BSM1).

    Returns
    -------
    DynamicResult
        Sampled at the influent's sample times up to ``days``; ``final_state`` at ``days``.

    Raises
    ------
    InputError
        ``days`` before the first influent time, an unknown solver, a state of the wrong length,
        noise without a noisy sensor or with the scipy solver, a noise file that does not cover
        the run.
    EngineError
        The integrator fails (step size underflow or too many steps).
    """
    start = time.perf_counter()
    model = PlantModel.from_layout(layout)
    frame = read_influent(influent) if isinstance(influent, str) else influent
    times = frame.index.to_numpy(dtype=float)
    step = float(np.median(np.diff(times))) if times.size > 1 else 1.0
    end = float(times[-1] + step) if days is None else float(days)
    if end <= times[0]:
        raise InputError(f"days must be after the first influent time {times[0]:g} d", field="days")
    concentrations = np.ascontiguousarray(frame[INFLUENT_STATES].to_numpy(dtype=float))
    flows = np.ascontiguousarray(frame["Q"].to_numpy(dtype=float))
    _check_flows(model, float(flows.min()))
    controllers = controller_table(model, control)
    y0 = _extended_initial(model, controllers, np.asarray(initial, float))
    sample_times = times[times <= end]
    noise_series = sensor_noise(control, noise, float(times[0]), end)
    if check_noise(noise) != "off" and not noise_series:
        raise InputError("noise applies to sensors with a noise level (the benchmark sensors: load_control(..., "
                         "sensors='benchmark')); these controllers have none", field="noise")  # fmt: skip
    noise_at_samples = None
    if solver == "compiled":
        edges = np.append(sample_times, end) if sample_times[-1] < end else sample_times
        edges, influent_index, noises, sample_rows = _with_noise_edges(edges, times, noise_series, controllers.shape[0])
        packed = _kernel.pack(model)
        states, _, status = _kernel.integrate_held(
            y0, edges, concentrations[influent_index], flows[influent_index], noises, model.kla_per_d.astype(float),
            _kernel.recycle_flows(model), controllers, rtol, atol, 1e-4, 10_000_000, *packed,
        )  # fmt: skip
        if status:
            raise EngineError(f"dynamic integration failed: {('step size too small', 'too many steps')[status - 1]}")
        final_state = states[-1].copy()
        rows = sample_rows[: sample_times.size]
        states = states[rows]
        noise_at_samples = _noise_at(noise_series, sample_times, controllers.shape[0])
        sample_index = np.arange(sample_times.size)
    elif solver == "scipy-RK45":
        if noise_series:
            raise InputError("the scipy-RK45 reference solver runs without noise", field="noise")
        if controllers.shape[0]:
            raise InputError("the scipy-RK45 reference solver runs open loop only", field="solver")
        states, t_out = _simulate_scipy(model, times, concentrations, flows, end, step, y0, rtol, atol)
        final_state = states[-1].copy()
        keep = np.isin(t_out, times)
        states, sample_times = states[keep], t_out[keep]
        sample_index = np.clip(np.searchsorted(times - 1e-7, sample_times, side="right") - 1, 0, None)
    else:
        raise InputError(f"unknown solver {solver!r}; expected 'compiled' or 'scipy-RK45'", field="solver")
    plant_states = states[:, : model.size]
    effluent = np.array([model.settler_outlets(y)[0] for y in plant_states])
    frame_out = pd.DataFrame(effluent, columns=INFLUENT_STATES, index=pd.Index(sample_times, name="t"))
    frame_out["Q"] = flows[sample_index] - model.wastage_m3_per_d
    kla, recycle = manipulated_variables(model, controllers, states, noise_at_samples)
    measured = _measured(control, controllers, states, noise_at_samples, frame_out.index)
    tanks = plant_states[:, : model.n_tanks * N_STATES].reshape(-1, model.n_tanks, N_STATES)
    return DynamicResult(
        effluent=frame_out,
        tanks=tanks,
        states=states,
        kla_per_d=pd.DataFrame(kla, index=frame_out.index, columns=[t.name for t in layout.tanks]),
        internal_recycle_m3_per_d=pd.DataFrame(recycle, index=frame_out.index,
                                               columns=[f"{layout.tanks[a].name}->{layout.tanks[b].name}"
                                                        for a, b, _ in model.recycles]),
        final_state=final_state,
        wall_time_s=time.perf_counter() - start,
        measured=measured,
    )  # fmt: skip


def _with_noise_edges(
    edges: np.ndarray, times: np.ndarray, noise_series: list, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The integrator's interval edges with the noise samples' times added (those not within
    :data:`TIME_TOLERANCE_D` of an influent edge), the influent sample of each interval, the noise
    of each interval ``(n_intervals, n_rows)`` [g/m³], and the rows of the original edges."""
    if not noise_series:
        return edges, np.arange(max(edges.size - 1, 1)), np.zeros((max(edges.size - 1, 1), n_rows)), np.arange(edges.size)
    grid = np.unique(np.concatenate([t for _, t, _ in noise_series]))
    grid = grid[(grid > edges[0] + TIME_TOLERANCE_D) & (grid < edges[-1] - TIME_TOLERANCE_D)]
    right = np.clip(np.searchsorted(edges, grid), 1, edges.size - 1)
    distance = np.minimum(grid - edges[right - 1], edges[right] - grid)
    merged = np.union1d(edges, grid[distance > TIME_TOLERANCE_D])
    starts = merged[:-1]
    influent_index = np.clip(np.searchsorted(times - TIME_TOLERANCE_D, starts, side="right") - 1, 0, None)
    return merged, influent_index, _noise_at(noise_series, starts, n_rows), np.searchsorted(merged, edges)


def _noise_at(noise_series: list, times: np.ndarray, n_rows: int) -> np.ndarray:
    """The noise held at each time, ``(n_times, n_rows)`` [g/m³] (zero for rows without noise)."""
    noises = np.zeros((times.size, n_rows))
    for row, sample_times, values in noise_series:
        k = np.clip(np.searchsorted(sample_times - TIME_TOLERANCE_D, times, side="right") - 1, 0, None)
        noises[:, row] = values[k]
    return noises


def _measured(control, table: np.ndarray, states: np.ndarray, noise: np.ndarray | None,
              index: pd.Index) -> pd.DataFrame | None:  # fmt: skip
    """Each controller's measurement, clip(sensor output + noise, range), at the output times."""
    if not len(control):
        return None
    columns = {}
    for c, controller in enumerate(control):
        row = table[c]
        signal = states[:, int(row[0])] + (0.0 if noise is None else noise[:, c])
        columns[controller.name] = np.clip(signal, row[10], row[11])
    return pd.DataFrame(columns, index=index)


def _extended_initial(model: PlantModel, controllers: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """The plant state followed by the controllers' integral states (bumpless if not given)."""
    n_ctrl = controllers.shape[0]
    if initial.size == model.size + n_ctrl:
        return initial.copy()
    if initial.size != model.size:
        raise InputError(
            f"initial state has {initial.size} values; the plant has {model.size} "
            f"(+ {n_ctrl} controller states)",
            field="initial",
        )
    return np.concatenate((initial, bumpless_integral_states(model, controllers, initial)))


def _simulate_scipy(model, times, concentrations, flows, end, step, y0, rtol, atol):
    """The reference path: scipy RK45 over the numpy right-hand side (open loop)."""
    # sample times are rounded down in the benchmark files; a small tolerance keeps the hold exact
    edges = times - 1e-7

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        i = max(int(np.searchsorted(edges, t, side="right")) - 1, 0)
        return model.derivatives(y, concentrations[i], flows[i])

    t_eval = np.append(times[times < end], end)
    solution = solve_ivp(
        rhs, (times[0], end), y0, method="RK45", t_eval=t_eval, rtol=rtol, atol=atol, max_step=step,
    )  # fmt: skip
    if not solution.success:
        raise EngineError(f"dynamic integration failed: {solution.message}")
    return solution.y.T, solution.t


def _check_flows(model: PlantModel, min_influent_flow: float) -> None:
    if min_influent_flow - model.wastage_m3_per_d <= 0.0:
        raise InputError(
            f"wastage {model.wastage_m3_per_d:g} m³/d is not below the influent flow "
            f"{min_influent_flow:g} m³/d: no effluent would leave the settler",
            field="settler.wastage_m3_per_d",
        )
