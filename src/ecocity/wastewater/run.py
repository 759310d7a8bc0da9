"""A plant run, start to finish: layout and influent in, effluent, BSM1 criteria, compliance out.

The area's orchestrator (no science of its own): it calls :func:`~ecocity.wastewater.simulate.steady_state`
or :func:`~ecocity.wastewater.simulate.simulate`, then
:func:`~ecocity.wastewater.evaluation.evaluate_bsm1` and
:func:`~ecocity.wastewater.compliance.check_compliance`, and returns an
:class:`~ecocity.indicators.records.AreaResult` whose ``figures["plant"]`` is the plain JSON
summary the CLI prints and the results document embeds.

* **Constant influent** gives the steady state. Its criteria are the instantaneous equivalents:
  the evaluation over a one-day window of a series holding the steady state (so energies are
  rates in kWh/d and sludge production is the wastage rate).
* **A dynamic influent** (``dry``, ``rain``, ``storm`` or a file) starts from a steady state (the
  benchmark files from the constant-influent one, as the BSM1 protocol does; a user file from
  the steady state of its own flow-weighted mean) and is evaluated over the benchmark's window,
  days 7 to 14, when the run covers it, otherwise over the whole run.

Tanks held at a DO set-point are charged the aeration their oxygen balance needs:
``KLa = −(dS_O/dt without aeration) / (S_O,sat − S_O)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.wastewater import evaluation
from ecocity.wastewater.compliance import check_compliance, known_standards
from ecocity.wastewater.influent import BENCHMARK_FILES, read_influent
from ecocity.wastewater.layout import PlantLayout, load_plant
from ecocity.wastewater.plant import N_STATES, S_O, SOLIDS_INDEX, PlantModel
from ecocity.wastewater.simulate import INFLUENT_STATES, steady_state, simulate

AREA = "wastewater"
DEFAULT_STANDARD = "gb18918_2002_1a"
CONTROLS = ("open", "default")
#: Effluent variables reported, the benchmark's names: states, composition variables, flow.
EFFLUENT_COMPOSITION = ("TSS", "COD", "BOD5", "TKN", "TN")
#: Compliance parameters reported as indicators, with the model variable behind each.
INDICATOR_PARAMETERS = {"COD": "COD", "BOD5": "BOD5", "TSS": "TSS", "TN": "TN", "NH3_N": "S_NH"}
#: Samples per progress step of a dynamic run (one day of the benchmark's 15-min data).
CHUNK_SAMPLES = 96

Progress = Callable[[int, int], None]


def controllers_for(control: str, *, do_setpoint_g_per_m3: float | None = None) -> tuple:
    """The PI controllers of a control mode: none for ``open``, BSM1's for ``default``.

    ``do_setpoint_g_per_m3`` replaces the set-point of the controllers that measure S_O.

    Raises
    ------
    InputError
        An unknown mode, or ``default`` while the controllers are not available.
    """
    if control not in CONTROLS:
        raise InputError(f"unknown control {control!r}; expected one of {', '.join(CONTROLS)}", field="control")
    if control == "open":
        return ()
    try:
        from ecocity.wastewater.control import load_control
    except ImportError as err:
        raise InputError("closed-loop control not available yet; use control 'open'", field="control") from err
    controllers = load_control("bsm1")
    if do_setpoint_g_per_m3 is not None:
        controllers = tuple(
            c.model_copy(update={"setpoint": do_setpoint_g_per_m3}) if c.measured_state == "S_O" else c
            for c in controllers
        )
    return controllers


def check_standards(standards: Sequence[str]) -> tuple[str, ...]:
    """The standards as a tuple, each known, at least one (default GB 18918-2002 1A)."""
    chosen = tuple(standards) or (DEFAULT_STANDARD,)
    known = known_standards()
    for name in chosen:
        if name not in known:
            raise InputError(f"unknown effluent standard {name!r}; known: {', '.join(known)}", field="standard")
    return chosen


def resolve_influent(influent: str | Path) -> str | Path:
    """A benchmark influent name as it is, anything else as a path that must exist."""
    if isinstance(influent, str) and influent in BENCHMARK_FILES:
        return influent
    path = Path(influent)
    if not path.is_file():
        raise InputError(
            f"no such influent file; expected a path or one of {', '.join(BENCHMARK_FILES)}", file=path, field="influent"
        )
    return path


def with_last_tank_aeration(
    layout: PlantLayout, *, kla_per_d: float | None = None, do_setpoint_g_per_m3: float | None = None
) -> PlantLayout:
    """The layout with the last tank's aeration replaced by a KLa or an ideal DO set-point.

    The last tank is where BSM1 controls dissolved oxygen (tank 5).
    """
    if (kla_per_d is None) == (do_setpoint_g_per_m3 is None):
        raise ValueError("give exactly one of kla_per_d or do_setpoint_g_per_m3")
    data = layout.model_dump(by_alias=True)
    data["tanks"][-1].update(kla_per_d=kla_per_d, do_setpoint_g_per_m3=do_setpoint_g_per_m3)
    try:
        return PlantLayout.model_validate(data)
    except ValueError as err:
        raise InputError(f"the variant's aeration is not valid: {err}", field="tanks[-1]") from err


def run_plant(
    plant: str | Path | PlantLayout,
    *,
    influent: str | Path = "constant",
    control: str = "open",
    days: float | None = None,
    standards: Sequence[str] = (DEFAULT_STANDARD,),
    scenario: str | None = None,
    do_setpoint_g_per_m3: float | None = None,
    progress: Progress | None = None,
) -> AreaResult:
    """Simulate a plant and evaluate it: steady state for constant influent, else a dynamic run.

    Parameters
    ----------
    plant
        A preset name (``"bsm1"``), a plant TOML file, or a layout.
    influent
        ``"constant"``, ``"dry"``, ``"rain"``, ``"storm"`` or an influent file.
    control
        ``"open"`` (the layout's KLa and set-points) or ``"default"`` (BSM1's PI loops on DO in
        the last tank and nitrate in tank 2; a dynamic influent only).
    days
        End of a dynamic run [d]; default the influent file's end. Not for constant influent.
    standards
        Effluent standards to check (names of :func:`~ecocity.wastewater.compliance.known_standards`).
    scenario
        Name of the run in the result (default the plant's name).
    do_setpoint_g_per_m3
        Closed loop: the DO controllers' set-point instead of the benchmark's 2 g/m³. [g/m³]
    progress
        ``progress(done, total)`` in days of a dynamic run.

    Returns
    -------
    AreaResult
        ``indicators``: effluent means with the first standard's limits, EQI [kg PU/d], OCI [-],
        energy [kWh/m³]; ``series``: ``effluent`` (states [g/m³] and ``Q`` [m³/d] on ``t`` [d]);
        ``figures["plant"]``: the JSON summary (``effluent``, ``evaluation``, ``compliance``,
        ``energy``).

    Raises
    ------
    InputError
        Unknown plant, influent, control or standard; ``days`` with constant influent or not
        after the influent's start.
    """
    layout = plant if isinstance(plant, PlantLayout) else load_plant(plant)
    controllers = controllers_for(control, do_setpoint_g_per_m3=do_setpoint_g_per_m3)
    chosen = check_standards(standards)
    source = resolve_influent(influent)
    frame = read_influent(source)
    if source == "constant":
        if days is not None:
            raise InputError("--days applies to dynamic influents (dry, rain, storm or a file), not constant", field="days")
        if controllers:
            raise InputError("constant influent gives the open-loop steady state; closed loop needs a dynamic "
                             "influent (dry, rain, storm or a file)", field="control")  # fmt: skip
        effluent, criteria, mode = _steady(layout, frame)
    else:
        effluent, criteria, mode = _dynamic(layout, source, frame, days, controllers, progress)
    checks = [check_compliance(effluent, name) for name in chosen]
    summary = _summary(layout, source, control, mode, effluent, criteria, checks)
    return AreaResult(
        area=AREA,
        scenario=scenario or layout.name,
        indicators=_indicators(summary),
        series={"effluent": effluent},
        figures={"plant": summary},
    )


def assess(district: Any, link: Any) -> AreaResult:
    """The plant that treats a district's wastewater, as its ``wastewater.toml`` names it.

    Parameters
    ----------
    district
        The :class:`~ecocity.district.District` (its name labels the run).
    link
        Its :class:`~ecocity.district.wastewater.WastewaterLink`: plant, influent, control,
        days and standards, paths already resolved.
    """
    return run_plant(
        link.plant, influent=link.influent, control=link.control, days=link.days,
        standards=link.standards, scenario=f"{district.name}: {Path(str(link.plant)).stem}",
    )  # fmt: skip


# --- steady state ---------------------------------------------------------------------------------


def _steady(layout: PlantLayout, frame: pd.DataFrame) -> tuple[pd.DataFrame, evaluation.Bsm1Evaluation, dict]:
    state = steady_state(layout, frame)
    model = PlantModel.from_layout(layout)
    held = np.array([state.state, state.state])
    index = pd.Index([0.0, 1.0], name="t")
    influent = pd.DataFrame([state.influent.to_numpy()] * 2, columns=INFLUENT_STATES, index=index)
    influent["Q"] = state.influent_flow_m3_per_d
    effluent = _effluent_frame(model, held, np.full(2, state.influent_flow_m3_per_d), index)
    criteria = _evaluate(model, influent, effluent, held, _kla(model, held, influent, None), None, 0.0, 1.0)
    mode = {"mode": "steady_state", "residual_max_g_per_m3_d": state.residual_norm, "window_d": [0.0, 1.0]}
    return effluent, criteria, mode


# --- dynamic ---------------------------------------------------------------------------------------


def _dynamic(
    layout: PlantLayout,
    source: str | Path,
    frame: pd.DataFrame,
    days: float | None,
    controllers: tuple,
    progress: Progress | None,
) -> tuple[pd.DataFrame, evaluation.Bsm1Evaluation, dict]:
    times = frame.index.to_numpy(dtype=float)
    step = float(np.median(np.diff(times))) if times.size > 1 else 1.0
    end = float(times[-1] + step) if days is None else float(days)
    if times.size < 2 or end <= times[1]:
        raise InputError(
            f"days {end:g} must reach past the second influent sample (day {times[min(1, times.size - 1)]:g})",
            field="days",
        )
    start_from = "constant" if isinstance(source, str) else frame
    initial = steady_state(layout, start_from).state
    model = PlantModel.from_layout(layout)
    run = _integrate(layout, frame, initial, end, controllers, progress)
    kept = frame.iloc[: len(run.times)]
    index = pd.Index(run.times, name="t")
    plant_states = run.states[:, : model.size]
    effluent = _effluent_frame(model, plant_states, kept["Q"].to_numpy(), index)
    window = (float(evaluation.constants()["window"]["start_d"]), float(evaluation.constants()["window"]["stop_d"]))
    covers = run.times[0] <= window[0] and end >= window[1] - 1e-6
    start_d, stop_d = window if covers else (float(run.times[0]), end)
    kla = _kla(model, plant_states, kept, run.kla_per_d)
    criteria = _evaluate(model, kept.set_axis(index), effluent, plant_states, kla, run.recycle_m3_per_d, start_d, stop_d)
    mode = {"mode": "dynamic", "days": end, "window_d": [float(start_d), float(stop_d)]}
    return effluent, criteria, mode


@dataclasses.dataclass(frozen=True)
class _Run:
    times: np.ndarray
    states: np.ndarray  # plant states, then the controllers' integral states
    kla_per_d: np.ndarray | None  # as applied by controllers, (n_times, n_tanks)
    recycle_m3_per_d: np.ndarray | None  # total internal recycle as applied, (n_times,)


def _integrate(
    layout: PlantLayout, frame: pd.DataFrame, initial: np.ndarray, end: float, controllers: tuple,
    progress: Progress | None,
) -> _Run:
    """States at the influent's sample times up to ``end``, integrated a day of samples at a time
    (each piece starts from the full state, controllers' included, where the last one ended)."""
    times = frame.index.to_numpy(dtype=float)
    last = int(np.searchsorted(times, end - evaluation.TIME_TOLERANCE_D, side="left")) - 1  # last sample before end
    total = max(1, -(-last // CHUNK_SAMPLES))
    options = {"control": controllers} if controllers else {}
    states, stamps, klas, recycles = [], [], [], []
    a, done, y = 0, 0, np.asarray(initial, float)
    while True:
        b = min(a + CHUNK_SAMPLES, last)
        chunk_end = end if b == last else float(times[b])
        result = simulate(layout, frame.iloc[a : b + 1], initial=y, days=chunk_end, **options)
        run_times = result.effluent.index.to_numpy(dtype=float)
        keep = run_times < chunk_end - evaluation.TIME_TOLERANCE_D  # the next piece starts at chunk_end
        states.append(result.states[keep])
        stamps.append(run_times[keep])
        if controllers:
            klas.append(result.kla_per_d.to_numpy()[keep])
            recycles.append(result.internal_recycle_m3_per_d.to_numpy().sum(axis=1)[keep])
        y = result.states[-1]
        done += 1
        if progress is not None:
            progress(min(done, total), total)
        if b == last:
            break
        a = b
    return _Run(
        np.concatenate(stamps), np.concatenate(states),
        np.concatenate(klas) if klas else None, np.concatenate(recycles) if recycles else None,
    )  # fmt: skip


# --- evaluation --------------------------------------------------------------------------------------


def _effluent_frame(model: PlantModel, states: np.ndarray, influent_flow: np.ndarray, index: pd.Index) -> pd.DataFrame:
    effluent = np.array([model.settler_outlets(y)[0] for y in states])
    frame = pd.DataFrame(effluent, columns=INFLUENT_STATES, index=index)
    frame["Q"] = influent_flow - model.wastage_m3_per_d
    return frame


def required_kla_per_d(model: PlantModel, y: np.ndarray, influent: np.ndarray, flow_m3_per_d: float) -> np.ndarray:
    """KLa per tank [1/d]: the layout's, or for a DO set-point tank the one its oxygen balance needs."""
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


def _kla(model: PlantModel, states: np.ndarray, influent: pd.DataFrame, applied: np.ndarray | None) -> np.ndarray:
    """KLa per tank and sample [1/d]: as applied by controllers (or the layout's), with DO
    set-point tanks charged what their oxygen balance needs."""
    concentrations = influent[INFLUENT_STATES].to_numpy()
    flows = influent["Q"].to_numpy()
    if not model.fixed_oxygen.any():
        return np.tile(model.kla_per_d, (len(states), 1)) if applied is None else applied
    kla = np.array([required_kla_per_d(model, y, c, q) for y, c, q in zip(states, concentrations, flows, strict=True)])
    if applied is not None:
        kla[:, ~model.fixed_oxygen] = applied[:, ~model.fixed_oxygen]
    return kla


def _evaluate(
    model: PlantModel,
    influent: pd.DataFrame,
    effluent: pd.DataFrame,
    states: np.ndarray,
    kla_per_d: np.ndarray,
    recycle_m3_per_d: np.ndarray | None,
    start_d: float,
    stop_d: float,
) -> evaluation.Bsm1Evaluation:
    index = effluent.index
    settler = model.layout.settler
    layer_volume = settler.area_m2 * settler.height_m / model.n_layers
    tss_per_cod = model.asm1_parameters.tss_per_cod
    mass, wastage_tss = [], []
    for y in states:
        tanks, layers, _ = model.split(y)
        tank_tss = tss_per_cod * tanks[:, SOLIDS_INDEX].sum(axis=1)
        mass.append((model.volume_m3 @ tank_tss + layer_volume * layers.sum()) / 1000.0)
        wastage_tss.append(layers[-1])
    constant = lambda value: pd.Series(np.full(len(index), value), index=index)  # noqa: E731
    recycle = constant(sum(flow for _, _, flow in model.recycles)) if recycle_m3_per_d is None else pd.Series(
        recycle_m3_per_d, index=index)  # fmt: skip
    return evaluation.evaluate_bsm1(
        influent, effluent,
        kla_per_d=pd.DataFrame(kla_per_d, index=index), volumes_m3=model.volume_m3,
        internal_recycle_m3_per_d=recycle,
        return_sludge_m3_per_d=constant(settler.return_sludge_m3_per_d),
        wastage_m3_per_d=constant(model.wastage_m3_per_d),
        wastage_tss_g_per_m3=pd.Series(wastage_tss, index=index),
        sludge_mass_kg=pd.Series(mass, index=index),
        start_d=start_d, stop_d=stop_d,
    )  # fmt: skip


# --- the summary -------------------------------------------------------------------------------------


def _effluent_means(effluent: pd.DataFrame, start_d: float, stop_d: float) -> dict[str, float]:
    weights = evaluation.window_weights_d(effluent.index, start_d, stop_d)
    table = pd.concat([effluent[list(INFLUENT_STATES)], evaluation.composition(effluent)], axis=1)
    means = {name: evaluation.flow_weighted_mean(table[name], effluent["Q"], weights) for name in table.columns}
    means["Q"] = evaluation.time_average(effluent["Q"], weights)
    return means


def _summary(
    layout: PlantLayout,
    source: str | Path,
    control: str,
    mode: dict,
    effluent: pd.DataFrame,
    criteria: evaluation.Bsm1Evaluation,
    checks: list,
) -> dict[str, Any]:
    start_d, stop_d = mode["window_d"]
    flow = criteria.influent_flow_m3_per_d
    return {
        "plant": layout.name,
        "influent": source if isinstance(source, str) else str(source),
        "control": control,
        **mode,
        "effluent": _effluent_means(effluent, start_d, stop_d),
        "evaluation": {
            "EQI": criteria.effluent_quality_index_kg_pu_per_d,
            "IQI": criteria.influent_quality_index_kg_pu_per_d,
            "AE": criteria.aeration_energy_kwh_per_d,
            "PE": criteria.pumping_energy_kwh_per_d,
            "ME": criteria.mixing_energy_kwh_per_d,
            "SP": criteria.sludge_production_kg_per_d,
            "EC": criteria.external_carbon_kg_cod_per_d,
            "OCI": criteria.operational_cost_index,
            "violations": {name: v.to_dict() for name, v in criteria.violations.items()},
            "percentile_95_g_per_m3": {
                "S_NH": criteria.s_nh_95_g_per_m3, "TN": criteria.tn_95_g_per_m3, "TSS": criteria.tss_95_g_per_m3,
            },
            "units": {"EQI": "kg PU/d", "IQI": "kg PU/d", "AE": "kWh/d", "PE": "kWh/d", "ME": "kWh/d",
                      "SP": "kg TSS/d", "EC": "kg COD/d", "OCI": "-"},
        },
        "compliance": [check.to_dict() for check in checks],
        "energy": {
            "kwh_per_m3": criteria.energy_kwh_per_m3,
            "aeration_kwh_per_m3": criteria.aeration_energy_kwh_per_d / flow,
            "pumping_kwh_per_m3": criteria.pumping_energy_kwh_per_d / flow,
            "mixing_kwh_per_m3": criteria.mixing_energy_kwh_per_d / flow,
            "kwh_per_d": criteria.aeration_energy_kwh_per_d + criteria.pumping_energy_kwh_per_d
            + criteria.mixing_energy_kwh_per_d,
            "influent_flow_m3_per_d": flow,
        },
    }  # fmt: skip


def _indicators(summary: dict[str, Any]) -> tuple[Indicator, ...]:
    first = summary["compliance"][0]
    limits = {check["parameter"]: check for check in first["checks"]}
    items = []
    for parameter, variable in INDICATOR_PARAMETERS.items():
        check = limits.get(parameter)
        target = None if check is None else check["limit_g_per_m3"]
        passed = None if check is None or check["status"] not in ("pass", "fail") else check["status"] == "pass"
        items.append(Indicator(
            f"effluent_{parameter.lower()}_g_per_m3", summary["effluent"][variable], "g/m3", target=target,
            passed=passed, source=first["title"] if check else "",
        ))  # fmt: skip
    bsm1 = "BSM1 perf_plant.m (updated criteria)"
    items += [
        Indicator("effluent_quality_index_kg_pu_per_d", summary["evaluation"]["EQI"], "kg PU/d", source=bsm1),
        Indicator("operational_cost_index", summary["evaluation"]["OCI"], "-", source=bsm1),
        Indicator("energy_kwh_per_m3", summary["energy"]["kwh_per_m3"], "kWh/m3", source=bsm1),
    ]
    return tuple(items)
