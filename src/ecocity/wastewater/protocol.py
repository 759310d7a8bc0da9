"""The BSM1 simulation protocol and the evaluation of a dynamic run.

:func:`run_bsm1_protocol` runs a plant as the benchmark prescribes (Alex et al. 2008, sections
3–4 and 6; Copp 2002):

1. a steady state under the constant influent: open loop, the steady state itself
   (:func:`~ecocity.wastewater.simulate.steady_state`); closed loop, 150 days of constant
   influent with the controllers active, starting from the open-loop steady state;
2. 14 days of dry weather (``dryinfluent``), from that state;
3. the 14 days of the chosen weather file (dry, rain or storm), from the end of step 2, with the
   controllers' integral states carried over.

Only the last file is evaluated, over days 7 to 14 of its 15-minute samples (``perf_plant.m``);
a run cut short of day 14 (``days``) is evaluated over its whole length (:func:`window_d`).

:func:`evaluate` builds every input of :func:`~ecocity.wastewater.evaluation.evaluate_bsm1` from
a :class:`~ecocity.wastewater.simulate.DynamicResult`: the effluent and underflow from the settler
outlets, the KLa and internal recycle as applied (a tank held at a DO set-point is charged the KLa
its oxygen balance needs, :func:`required_kla_per_d`), the return sludge and wastage flows of the
layout, and the solids inventory of the tanks and the settler at each sample. It is the one place
these inputs are built: :mod:`ecocity.wastewater.run` evaluates every plant run through it.

References
----------
Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1). IWA Task Group on Benchmarking
of Control Strategies for WWTPs, Lund University (Description_BSM1_20090101), sections 3, 4, 6.
Copp, J.B. (ed.) (2002). The COST Simulation Benchmark: Description and Simulator Manual.
COST Action 624, EUR 19993.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.wastewater.control import SENSORS, PIController, check_noise, load_control, with_sensors
from ecocity.wastewater.evaluation import TIME_TOLERANCE_D, Bsm1Evaluation, constants, evaluate_bsm1
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import PlantLayout
from ecocity.wastewater.plant import N_STATES, S_O, SOLIDS_INDEX, PlantModel
from ecocity.wastewater.simulate import INFLUENT_STATES, DynamicResult, simulate, steady_state

WEATHERS: tuple[str, ...] = ("dry", "rain", "storm")
CONTROLS: tuple[str, ...] = ("open", "default")
#: Constant-influent stabilisation of the closed loop (Alex et al. 2008, section 4). [d]
CLOSED_LOOP_STABILISATION_D = 150.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ProtocolResult:
    """A BSM1 protocol run.

    Attributes
    ----------
    weather, control
        The evaluated influent file and the control (``"open"`` or ``"default"``).
    influent
        The evaluated influent (states [g/m³] and ``Q`` [m³/d] on ``t`` [d]).
    run
        The dynamic run of the evaluated file (15-min samples, days 0–14).
    evaluation
        The BSM1 criteria over days 7–14 of ``run``.
    start_state
        The state the evaluated file starts from (after the stabilisation and 14 days of dry
        weather; controller, sensor and actuator states last).
    wall_time_s
        Wall time of the whole protocol. [s]
    """

    weather: str
    control: str
    influent: pd.DataFrame
    run: DynamicResult
    evaluation: Bsm1Evaluation
    start_state: np.ndarray
    wall_time_s: float


def run_bsm1_protocol(
    layout: PlantLayout,
    weather: str = "dry",
    *,
    control: str = "open",
    controllers: Sequence[PIController] | None = None,
    sensors: str = "ideal",
    noise: str | Path = "off",
    days: float | None = None,
    progress: Progress | None = None,
) -> ProtocolResult:
    """Run the BSM1 protocol and evaluate the last 14 days.

    Parameters
    ----------
    layout
        The plant (``load_plant("bsm1")`` for the benchmark).
    weather
        The evaluated influent: ``"dry"``, ``"rain"`` or ``"storm"``.
    control
        ``"open"`` (the layout's KLa and recycles) or ``"default"`` (BSM1 PI control of the DO in
        the last tank and of the nitrate in tank 2, :func:`~ecocity.wastewater.control.load_control`).
    controllers
        ``default`` control only: controllers in place of the benchmark's (e.g. another DO
        set-point).
    sensors
        ``"ideal"`` (default): ideal sensors and actuators; ``"benchmark"``: the benchmark's DO
        (class A), nitrate (class B0) sensor and KLa5 actuator models (their noise: ``noise``) for the
        default controllers, and the given ``controllers``' own models
        (:func:`~ecocity.wastewater.control.with_sensors`).
    noise
        Benchmark sensors: their measurement noise, ``"off"`` (default), ``"seeded"`` or a noise
        file (:func:`~ecocity.wastewater.control.sensor_noise`), in the 14 days of dry weather and
        in the evaluated file, each starting at the noise sequence's day 0 as the benchmark's
        separate runs do; the stabilisation runs without noise.
    days
        End of the evaluated file's run [d]; default its end (day 14). A run that stops before
        day 14 is evaluated over its whole length.
    progress
        ``progress(done, total)`` after each stage (stabilisation, 14 days of dry weather, the
        evaluated file).

    Returns
    -------
    ProtocolResult

    Raises
    ------
    InputError
        Unknown weather, control, sensors or noise; controllers with open loop; noise without
        benchmark sensors.
    """
    if weather not in WEATHERS:
        raise InputError(f"unknown weather {weather!r}; expected one of {', '.join(WEATHERS)}", field="weather")
    if control not in CONTROLS:
        raise InputError(f"unknown control {control!r}; expected one of {', '.join(CONTROLS)}", field="control")
    if sensors not in SENSORS:
        raise InputError(f"unknown sensors {sensors!r}; expected one of {', '.join(SENSORS)}", field="sensors")
    if check_noise(noise) != "off" and (control != "default" or sensors != "benchmark"):
        raise InputError("noise applies to the benchmark sensors (control 'default', sensors 'benchmark')",
                         field="noise")  # fmt: skip
    if controllers is not None and control != "default":
        raise InputError("controllers apply to control 'default', not 'open'", field="controllers")
    start = time.perf_counter()
    if control == "default":
        controllers = with_sensors(load_control("bsm1", sensors="benchmark") if controllers is None else controllers,
                                   sensors)  # fmt: skip
    else:
        controllers = ()
    stages = 3 if controllers else 2
    state = steady_state(layout).state
    if controllers:
        constant = read_influent("constant")
        state = simulate(
            layout, constant, initial=state, days=CLOSED_LOOP_STABILISATION_D, control=controllers
        ).final_state
        _report(progress, 1, stages)
    state = simulate(layout, "dry", initial=state, control=controllers, noise=noise).final_state
    _report(progress, stages - 1, stages)
    influent = read_influent(weather)
    times = influent.index.to_numpy(dtype=float)
    end = float(times[-1] + np.median(np.diff(times))) if days is None else float(days)
    run = simulate(layout, influent, initial=state, days=end, control=controllers, noise=noise)
    _report(progress, stages, stages)
    start_d, stop_d = window_d(float(times[0]), end)
    return ProtocolResult(
        weather=weather,
        control=control,
        influent=influent,
        run=run,
        evaluation=evaluate(run, layout, influent, start_d=start_d, stop_d=stop_d),
        start_state=state,
        wall_time_s=time.perf_counter() - start,
    )


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def window_d(first_d: float, end_d: float) -> tuple[float, float]:
    """The evaluation window of a run from ``first_d`` to ``end_d`` [d]: the benchmark's days 7–14
    when the run covers them (``perf_plant.m``), otherwise the whole run."""
    start_d, stop_d = float(constants()["window"]["start_d"]), float(constants()["window"]["stop_d"])
    if first_d <= start_d and end_d >= stop_d - TIME_TOLERANCE_D:
        return start_d, stop_d
    return first_d, end_d


def evaluate(
    result: DynamicResult, layout: PlantLayout, influent: pd.DataFrame, *, start_d: float = 7.0, stop_d: float = 14.0
) -> Bsm1Evaluation:
    """The BSM1 criteria of a dynamic run (:func:`~ecocity.wastewater.evaluation.evaluate_bsm1`).

    Parameters
    ----------
    result
        A run of :func:`~ecocity.wastewater.simulate.simulate` on ``influent``.
    layout
        The plant of the run.
    influent
        The run's influent (states [g/m³], ``Q`` [m³/d] on ``t`` [d]).
    start_d, stop_d
        Evaluation window (the benchmark's days 7–14). [d]

    Notes
    -----
    Wastage TSS is the settler's bottom layer (the underflow); the sludge mass is
    ``(Σ_k V_k TSS_k + V_layer Σ_j X_j) / 1000`` [kg TSS] with TSS = 0.75 × particulate COD in the
    tanks (``perf_plant.m``'s ``totalsludge``). Return sludge and wastage are the layout's
    constant flows. A tank held at a DO set-point (ideal control) is charged, at each sample, the
    KLa its oxygen balance needs (:func:`required_kla_per_d`).

    Raises
    ------
    InputError
        The influent does not cover the run's sample times.
    """
    model = PlantModel.from_layout(layout)
    index = result.effluent.index
    held = influent.reindex(index, method="ffill", tolerance=1e-6)
    if held["Q"].isna().any():
        raise InputError("the influent does not cover the run's sample times", field="influent")
    plant = result.states[:, : model.size]
    n_tank_states = model.n_tanks * len(INFLUENT_STATES)
    tanks = plant[:, :n_tank_states].reshape(len(index), model.n_tanks, len(INFLUENT_STATES))
    layers = plant[:, n_tank_states : n_tank_states + model.n_layers]
    tss_per_cod = model.asm1_parameters.tss_per_cod
    tank_tss = tss_per_cod * tanks[:, :, SOLIDS_INDEX].sum(axis=2)
    settler = layout.settler
    layer_volume = settler.area_m2 * settler.height_m / model.n_layers
    sludge_kg = (tank_tss @ model.volume_m3 + layer_volume * layers.sum(axis=1)) / 1000.0
    kla = result.kla_per_d.copy()
    if model.fixed_oxygen.any():
        concentrations, flows = held[INFLUENT_STATES].to_numpy(), held["Q"].to_numpy()
        needed = np.array(
            [required_kla_per_d(model, y, c, q) for y, c, q in zip(plant, concentrations, flows, strict=True)]
        )
        kla.iloc[:, model.fixed_oxygen] = needed[:, model.fixed_oxygen]

    def constant(value: float) -> pd.Series:
        return pd.Series(np.full(len(index), value), index=index)

    return evaluate_bsm1(
        held,
        result.effluent,
        kla_per_d=kla,
        volumes_m3=model.volume_m3,
        internal_recycle_m3_per_d=result.internal_recycle_m3_per_d.sum(axis=1),
        return_sludge_m3_per_d=constant(settler.return_sludge_m3_per_d),
        wastage_m3_per_d=constant(model.wastage_m3_per_d),
        wastage_tss_g_per_m3=pd.Series(layers[:, -1], index=index),
        sludge_mass_kg=pd.Series(sludge_kg, index=index),
        start_d=start_d,
        stop_d=stop_d,
    )


def required_kla_per_d(model: PlantModel, y: np.ndarray, influent: np.ndarray, flow_m3_per_d: float) -> np.ndarray:
    """KLa per tank [1/d]: the layout's, or for a DO set-point tank the one its oxygen balance needs.

    Notes
    -----
    ``KLa = −(dS_O/dt without aeration) / (S_O,sat − S_O)``, with ``dS_O/dt`` the tank's oxygen
    balance (inflow, recycles, ASM1 uptake) at the state ``y``.
    """
    kla = model.kla_per_d.copy()
    if not model.fixed_oxygen.any():
        return kla
    free = dataclasses.replace(model, fixed_oxygen=np.zeros_like(model.fixed_oxygen))
    rates = free.derivatives(y, influent, flow_m3_per_d, kla_per_d=np.zeros(model.n_tanks))
    tanks, _, _ = model.split(y)
    saturation = model.asm1_parameters.oxygen_saturation_g_per_m3
    for k in np.flatnonzero(model.fixed_oxygen):
        demand = -rates[k * N_STATES + S_O]
        kla[k] = max(demand / (saturation - tanks[k, S_O]), 0.0)
    return kla
