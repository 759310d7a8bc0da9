"""A plant run, start to finish: layout and influent in, effluent, BSM1 criteria, compliance out.

The area's orchestrator (no science of its own): it runs the plant
(:func:`~ecocity.wastewater.simulate.steady_state`, :func:`~ecocity.wastewater.simulate.simulate`
or the benchmark protocol :func:`~ecocity.wastewater.protocol.run_bsm1_protocol`), evaluates the
run with :func:`~ecocity.wastewater.protocol.evaluate` (the one builder of the inputs of
:func:`~ecocity.wastewater.evaluation.evaluate_bsm1`), checks
:func:`~ecocity.wastewater.compliance.check_compliance`, and returns an
:class:`~ecocity.indicators.records.AreaResult` whose ``figures["plant"]`` is the plain JSON
summary the CLI prints and the results document embeds.

* **Constant influent** gives the steady state. Its criteria are the instantaneous equivalents:
  the evaluation of one day of constant influent from the steady state (so energies are rates in
  kWh/d and sludge production is the wastage rate).
* **A benchmark influent** (``dry``, ``rain``, ``storm``) follows the BSM1 protocol: the
  stabilisation (steady state; closed loop, 150 more days under control), 14 days of dry weather,
  then the chosen file, evaluated over days 7 to 14 — the numbers validated against the
  published dry-weather results (``tests/wastewater/test_protocol.py``).
* **A user influent file** starts from the steady state of its own flow-weighted mean (no
  dry-weather stabilisation) and is evaluated over days 7 to 14 when the run covers them.

Either dynamic run cut short by ``days`` before day 14 is evaluated over its whole length.
Tanks held at a DO set-point are charged the aeration their oxygen balance needs
(:func:`~ecocity.wastewater.protocol.required_kla_per_d`).
"""

from __future__ import annotations

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
from ecocity.wastewater.protocol import WEATHERS, evaluate, run_bsm1_protocol, window_d
from ecocity.wastewater.simulate import INFLUENT_STATES, DynamicResult, simulate, steady_state

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


def controllers_for(control: str, *, do_setpoint_g_per_m3: float | None = None, sensors: str = "ideal") -> tuple:
    """The PI controllers of a control mode: none for ``open``, BSM1's for ``default``.

    ``do_setpoint_g_per_m3`` replaces the set-point of the controllers that measure S_O;
    ``sensors`` is ``"ideal"`` or ``"benchmark"`` (the benchmark's sensor and actuator models).

    Raises
    ------
    InputError
        An unknown mode, or ``default`` while the controllers are not available.
    """
    if control not in CONTROLS:
        raise InputError(f"unknown control {control!r}; expected one of {', '.join(CONTROLS)}", field="control")
    if control == "open":
        if sensors != "ideal":
            raise InputError("sensor models apply to the closed loop; use control 'default'", field="sensors")
        return ()
    try:
        from ecocity.wastewater.control import load_control
    except ImportError as err:
        raise InputError("closed-loop control not available yet; use control 'open'", field="control") from err
    controllers = load_control("bsm1", sensors=sensors)
    if do_setpoint_g_per_m3 is not None:
        controllers = tuple(
            c.model_copy(update={"setpoint": do_setpoint_g_per_m3}) if c.measured_state == "S_O" else c
            for c in controllers
        )
    return controllers


def check_sensor_noise(noise: str | Path, sensors: str) -> str | Path:
    """``noise`` checked (:func:`~ecocity.wastewater.control.check_noise`); not ``"off"`` only
    with the benchmark sensors.

    Raises
    ------
    InputError
        Unknown noise, or noise with ideal sensors.
    """
    from ecocity.wastewater.control import check_noise

    noise = check_noise(noise)
    if noise != "off" and sensors != "benchmark":
        raise InputError("sensor noise applies to the benchmark sensors; use sensors 'benchmark' (control 'default')",
                         field="noise")  # fmt: skip
    return noise


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
    sensors: str = "ideal",
    noise: str | Path = "off",
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
        End of a dynamic run [d] (for a benchmark influent, of the evaluated file after the
        protocol's stabilisation and 14 days of dry weather); default the influent file's end.
        Not for constant influent.
    standards
        Effluent standards to check (names of :func:`~ecocity.wastewater.compliance.known_standards`).
    scenario
        Name of the run in the result (default the plant's name).
    do_setpoint_g_per_m3
        Closed loop: the DO controllers' set-point instead of the benchmark's 2 g/m³. [g/m³]
    sensors
        Closed loop: ``"ideal"`` sensors and actuators, or the ``"benchmark"``'s models.
    noise
        Benchmark sensors: measurement noise ``"off"`` (default), ``"seeded"`` or a noise file
        (:func:`~ecocity.wastewater.control.sensor_noise`).
    progress
        ``progress(done, total)`` of a dynamic run: in protocol stages for a benchmark influent,
        in days of samples for a user file.

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
    controllers = controllers_for(control, do_setpoint_g_per_m3=do_setpoint_g_per_m3, sensors=sensors)
    noise = check_sensor_noise(noise, sensors)
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
    elif source in WEATHERS:
        effluent, criteria, mode = _benchmark(layout, source, control, frame, days, controllers, sensors, noise,
                                              progress)  # fmt: skip
    else:
        effluent, criteria, mode = _dynamic(layout, frame, days, controllers, progress, noise)
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
    index = pd.Index([0.0, 1.0], name="t")
    influent = pd.DataFrame([state.influent.to_numpy()] * 2, columns=INFLUENT_STATES, index=index)
    influent["Q"] = state.influent_flow_m3_per_d
    run = simulate(layout, influent, initial=state.state, days=1.0)
    criteria = evaluate(run, layout, influent, start_d=0.0, stop_d=1.0)
    mode = {"mode": "steady_state", "residual_max_g_per_m3_d": state.residual_norm, "window_d": [0.0, 1.0]}
    return run.effluent, criteria, mode


# --- dynamic ---------------------------------------------------------------------------------------


def _end_d(frame: pd.DataFrame, days: float | None) -> float:
    """End of a dynamic run [d]: ``days``, or the influent's last sample plus one sample step."""
    times = frame.index.to_numpy(dtype=float)
    step = float(np.median(np.diff(times))) if times.size > 1 else 1.0
    end = float(times[-1] + step) if days is None else float(days)
    if times.size < 2 or end <= times[1]:
        raise InputError(
            f"days {end:g} must reach past the second influent sample (day {times[min(1, times.size - 1)]:g})",
            field="days",
        )
    return end


def _benchmark(
    layout: PlantLayout,
    weather: str,
    control: str,
    frame: pd.DataFrame,
    days: float | None,
    controllers: tuple,
    sensors: str,
    noise: str | Path,
    progress: Progress | None,
) -> tuple[pd.DataFrame, evaluation.Bsm1Evaluation, dict]:
    end = _end_d(frame, days)
    result = run_bsm1_protocol(
        layout, weather, control=control, controllers=controllers or None, sensors=sensors, noise=noise, days=end,
        progress=progress,
    )
    criteria = result.evaluation
    effluent = result.run.effluent
    effluent = effluent[effluent.index < end - evaluation.TIME_TOLERANCE_D]  # samples before the end, as a user file's
    mode = {"mode": "dynamic", "days": end, "window_d": [criteria.start_d, criteria.stop_d]}
    return effluent, criteria, mode


def _dynamic(
    layout: PlantLayout,
    frame: pd.DataFrame,
    days: float | None,
    controllers: tuple,
    progress: Progress | None,
    noise: str | Path = "off",
) -> tuple[pd.DataFrame, evaluation.Bsm1Evaluation, dict]:
    end = _end_d(frame, days)
    initial = steady_state(layout, frame).state
    run = _integrate(layout, frame, initial, end, controllers, progress, noise)
    start_d, stop_d = window_d(float(frame.index[0]), end)
    criteria = evaluate(run, layout, frame, start_d=start_d, stop_d=stop_d)
    mode = {"mode": "dynamic", "days": end, "window_d": [float(start_d), float(stop_d)]}
    return run.effluent, criteria, mode


def _integrate(
    layout: PlantLayout, frame: pd.DataFrame, initial: np.ndarray, end: float, controllers: tuple,
    progress: Progress | None, noise: str | Path = "off",
) -> DynamicResult:
    """The run sampled at the influent's times up to ``end``, integrated a day of samples at a
    time (each piece starts from the full state, controllers' included, where the last one ended)."""
    times = frame.index.to_numpy(dtype=float)
    last = int(np.searchsorted(times, end - evaluation.TIME_TOLERANCE_D, side="left")) - 1  # last sample before end
    total = max(1, -(-last // CHUNK_SAMPLES))
    pieces: list[DynamicResult] = []
    keeps: list[np.ndarray] = []
    a, done, y = 0, 0, np.asarray(initial, float)
    while True:
        b = min(a + CHUNK_SAMPLES, last)
        chunk_end = end if b == last else float(times[b])
        piece = simulate(layout, frame.iloc[a : b + 1], initial=y, days=chunk_end, control=controllers, noise=noise)
        # the next piece starts at chunk_end
        keeps.append(piece.effluent.index.to_numpy(dtype=float) < chunk_end - evaluation.TIME_TOLERANCE_D)
        pieces.append(piece)
        y = piece.final_state
        done += 1
        if progress is not None:
            progress(min(done, total), total)
        if b == last:
            break
        a = b
    frames = lambda name: pd.concat([getattr(p, name)[k] for p, k in zip(pieces, keeps, strict=True)])  # noqa: E731
    arrays = lambda name: np.concatenate([getattr(p, name)[k] for p, k in zip(pieces, keeps, strict=True)])  # noqa: E731
    return DynamicResult(
        effluent=frames("effluent"), tanks=arrays("tanks"), states=arrays("states"),
        kla_per_d=frames("kla_per_d"), internal_recycle_m3_per_d=frames("internal_recycle_m3_per_d"),
        final_state=y, wall_time_s=sum(p.wall_time_s for p in pieces),
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


def effluent_indicators(summary: dict[str, Any]) -> list[Indicator]:
    """One indicator per regulated effluent parameter, against the first named standard's limit
    (``summary`` holds ``compliance`` and ``effluent`` as a plant run's summary does)."""
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
    return items


def _indicators(summary: dict[str, Any]) -> tuple[Indicator, ...]:
    items = effluent_indicators(summary)
    bsm1 = "BSM1 perf_plant.m (updated criteria)"
    items += [
        Indicator("effluent_quality_index_kg_pu_per_d", summary["evaluation"]["EQI"], "kg PU/d", source=bsm1),
        Indicator("operational_cost_index", summary["evaluation"]["OCI"], "-", source=bsm1),
        Indicator("energy_kwh_per_m3", summary["energy"]["kwh_per_m3"], "kWh/m3", source=bsm1),
    ]
    return tuple(items)
