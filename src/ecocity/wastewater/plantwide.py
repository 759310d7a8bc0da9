"""A plant-wide BSM2 run, start to finish: effluent, criteria, digester, energy, GHG, compliance.

The area's plant-wide orchestrator (no science of its own). It runs the BSM2 plant
(:func:`~ecocity.wastewater.bsm2.run_bsm2`), evaluates it (:mod:`~ecocity.wastewater.evaluation_bsm2`,
done by the run), checks the effluent of the evaluation window against the named discharge
standards (:func:`~ecocity.wastewater.compliance.check_compliance`), balances the biogas
through CHP, boiler and flare (:func:`~ecocity.wastewater.energy.energy_balance`, on daily means
of the window) and accounts the greenhouse gases (:func:`~ecocity.wastewater.ghg.ghg_from_balance`).

The result is an :class:`~ecocity.indicators.records.AreaResult` whose ``figures["plant"]`` is
the plain JSON summary the CLI prints and the results document embeds (keys ``plant``,
``influent``, ``control``, ``days``, ``window_d``, ``benchmark_window``, ``notes``,
``effluent``, ``evaluation``, ``compliance``, ``digester``, ``energy``, ``ghg``, ``sources``);
its series (effluent, gas, KLa, daily energy) go to the store as Parquet.
:func:`run_plantwide` adds the store: an unchanged run is read back.

The benchmark's criteria are those of the BSM2 protocol only for the 609-day dynamic
influent after the stabilisation: days 245–609. A shorter run is evaluated over its last
quarter (:func:`~ecocity.wastewater.bsm2.run_bsm2`) and says so in ``notes``.
"""

from __future__ import annotations

import dataclasses
import time
import tomllib
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.wastewater import asm1, bsm2, energy, evaluation, evaluation_bsm2, ghg
from ecocity.wastewater.compliance import check_compliance
from ecocity.wastewater.run import DEFAULT_STANDARD, check_standards, effluent_indicators

AREA = "wastewater"
PLANT = "bsm2"
#: Benchmark influents of the plant-wide run (anything else is a BSM2-format file).
INFLUENTS: tuple[str, ...] = ("constant", "dynamic")
#: The BSM2 evaluation window. [d]
BENCHMARK_WINDOW_D = (245.0, 609.0)
DEFAULT_GRID = "beijing-2022"
#: Effluent composition variables reported beside the states.
EFFLUENT_COMPOSITION = ("TSS", "COD", "BOD5", "TKN", "TN")
_TOLERANCE_D = 1e-6


def resolve_influent(influent: str | Path) -> str | Path:
    """A benchmark influent name (``constant``, ``dynamic``) as it is, else a file that must exist.

    Raises
    ------
    InputError
        Naming the file when it does not exist.
    """
    if isinstance(influent, str) and influent in INFLUENTS:
        return influent
    path = Path(influent)
    if not path.is_file():
        raise InputError(f"no such influent file; expected a BSM2-format file or one of {', '.join(INFLUENTS)}",
                         file=path, field="influent")  # fmt: skip
    return path


def is_plantwide(plant: str | Path) -> bool:
    """Whether ``plant`` is the plant-wide model: ``"bsm2"`` or a TOML plant file naming
    ``preset = "bsm2"`` (:func:`~ecocity.wastewater.bsm2.load_bsm2`)."""
    if isinstance(plant, str) and plant == PLANT:
        return True
    path = Path(plant)
    if path.suffix.lower() != ".toml" or not path.is_file():
        return False
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("preset") == PLANT
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the BSM1 reader names the problem


def simulate_plantwide(
    influent: str | Path = "dynamic",
    control: str = "default",
    days: float | None = None,
    options: Any = None,
    *,
    grid: str | float = DEFAULT_GRID,
    standards: Sequence[str] = (DEFAULT_STANDARD,),
    system: energy.EnergySystem | None = None,
    ghg_options: Mapping[str, Any] | None = None,
    noise: bool = True,
    stabilisation_d: float = bsm2.STABILISATION_D,
    scenario: str | None = None,
    plant: str | Path = PLANT,
) -> AreaResult:
    """Run the BSM2 plant and summarise it: criteria, digester, energy, GHG and compliance.

    Parameters
    ----------
    influent
        ``"constant"``, ``"dynamic"`` (the 609-day BSM2 file) or a BSM2-format influent file.
    control
        ``"open"`` or ``"default"`` (DO control in tank 4, seasonal wastage, sensor noise).
    days
        Length of the main run [d]; default the whole influent (609 d dynamic, 200 d constant).
    options
        Operating options (``bsm2.Bsm2Options``), passed to the run when it takes them.
    grid
        Grid electricity factor by name or in kg CO2e/kWh (:func:`~ecocity.wastewater.ghg.grid_factor`).
    standards
        Effluent standards to check (default GB 18918-2002 class 1A).
    system
        The biogas-to-energy equipment (default :func:`~ecocity.wastewater.energy.bsm2_energy_system`).
    ghg_options
        More keywords of :func:`~ecocity.wastewater.ghg.ghg_account` (``gwp``, factors).
    noise
        The BSM2 DO-sensor noise in the closed loop.
    stabilisation_d
        Days of constant influent before the run (the protocol's 200). [d]
    scenario
        Name of the run in the result (default the plant's name).
    plant
        ``"bsm2"`` or a user plant file (``preset = "bsm2"`` plus overrides,
        :func:`~ecocity.wastewater.bsm2.load_bsm2`).

    Returns
    -------
    AreaResult
        ``figures["plant"]``: the JSON summary (module docstring); ``indicators``: effluent
        means with the first standard's limits, EQI, OCI, energy per m³, self-sufficiency, net
        GHG; ``series``: ``effluent``, ``gas``, ``kla``, ``energy_daily``.

    Raises
    ------
    InputError
        Unknown influent, control, standard or grid; options while the run takes none.
    """
    source = resolve_influent(influent)
    chosen = check_standards(standards)
    ghg.grid_factor(grid)
    kwargs: dict[str, Any] = {}
    if options is not None:
        if not isinstance(options, bsm2.Bsm2Options):
            raise InputError(f"options must be a Bsm2Options, got {type(options).__name__}", field="options")
        kwargs["options"] = options
    parts = bsm2.load_bsm2(plant)
    start = time.perf_counter()
    run = bsm2.run_bsm2(source, control=control, days=days, noise=noise, stabilisation_d=stabilisation_d, parts=parts,
                        **kwargs)  # fmt: skip
    wall_s = time.perf_counter() - start
    return summarise(run, parts, source=source, standards=chosen, grid=grid, system=system,
                     ghg_options=ghg_options, scenario=scenario, wall_time_s=wall_s,
                     plant_file=None if isinstance(plant, str) and plant == PLANT else Path(plant))  # fmt: skip


def summarise(
    run: bsm2.Bsm2Run,
    parts: bsm2.Bsm2Parts,
    *,
    source: str | Path,
    standards: Sequence[str] = (DEFAULT_STANDARD,),
    grid: str | float = DEFAULT_GRID,
    system: energy.EnergySystem | None = None,
    ghg_options: Mapping[str, Any] | None = None,
    scenario: str | None = None,
    wall_time_s: float | None = None,
    plant_file: Path | None = None,
) -> AreaResult:
    """The :class:`AreaResult` of an evaluated BSM2 run (see :func:`simulate_plantwide`).

    The heat demand of the energy balance is the digester's (HE) plus, with thermal hydrolysis,
    its steam heat (``run.thermal_hydrolysis_heat_kwh_per_d``).
    """
    if run.evaluation is None:
        raise ValueError("the run was not evaluated; run_bsm2(..., evaluate=True)")
    criteria = run.evaluation
    rec = bsm2.record(parts, run.trace)
    start_d, stop_d = criteria.start_d, criteria.stop_d
    index = pd.Index(rec.time_d, name="t")
    weights = evaluation.window_weights_d(index, start_d, stop_d)
    effluent = evaluation_bsm2.stream_frame(rec.effluent, rec.time_d)
    bypass = None if rec.bypass is None else evaluation_bsm2.stream_frame(rec.bypass, rec.time_d)
    table = evaluation_bsm2.effluent_composition(effluent, bypass)
    influent = evaluation_bsm2.stream_frame(rec.influent, rec.time_d)

    window = effluent.loc[weights.index]
    checks = [check_compliance(window, name, temperature_c=window["T"]) for name in standards]
    daily = daily_energy_inputs(rec, start_d, stop_d)
    thp_heat = float(getattr(run, "thermal_hydrolysis_heat_kwh_per_d", 0.0) or 0.0)
    daily["heat_demand_kwh_per_d"] += thp_heat
    balance = energy.energy_balance(
        daily["methane_kg_per_d"], daily["heat_demand_kwh_per_d"],
        {"aeration": daily["aeration_kwh_per_d"], "pumping": daily["pumping_kwh_per_d"],
         "mixing": daily["mixing_kwh_per_d"]},
        system=system, treated_m3_per_d=criteria.influent_flow_m3_per_d, biogas_m3_per_d=criteria.biogas_flow_m3_per_d,
    )  # fmt: skip
    n_in = evaluation.time_average(evaluation.composition(influent, influent=True)["TN"] * influent["Q"] / 1000.0,
                                   weights)  # fmt: skip
    n_out = evaluation.time_average(table["TN"] * effluent["Q"] / 1000.0, weights)
    account = ghg.ghg_from_balance(balance, influent_n_kg_per_d=n_in, effluent_n_kg_per_d=n_out, grid=grid,
                                   **dict(ghg_options or {}))  # fmt: skip
    benchmark = str(source) == "dynamic" and _same_window((start_d, stop_d), BENCHMARK_WINDOW_D)
    options = getattr(run, "options", None)
    summary: dict[str, Any] = {
        "plant": getattr(parts, "name", PLANT),
        "plant_file": None if plant_file is None else str(plant_file),
        "influent": source if isinstance(source, str) else str(source),
        "control": run.control,
        "mode": "dynamic",
        "days": run.days,
        "window_d": [start_d, stop_d],
        "benchmark_window": benchmark,
        "notes": [] if benchmark else [short_run_note(start_d, stop_d, str(source))],
        "options": None if options is None else {**dataclasses.asdict(options), "label": options.label()},
        "sludge_age_d": getattr(run, "sludge_age_d", None),
        "effluent": _effluent_means(effluent, table, weights),
        "evaluation": criteria.to_dict(),
        "compliance": [check.to_dict() for check in checks],
        "digester": {**_digester(run.trace, index, weights, criteria), "thermal_hydrolysis_heat_kwh_per_d": thp_heat},
        "energy": balance.as_dict(),
        "ghg": {**account.as_dict(), "influent_n_kg_per_d": n_in, "effluent_n_kg_per_d": n_out},
        "sources": cited_sources(balance_system=system, account=account),
        "wall_time_s": wall_time_s,
    }
    return AreaResult(
        area=AREA,
        scenario=scenario or getattr(parts, "name", PLANT),
        indicators=_indicators(summary),
        series=_series(rec, run.trace, effluent, table, daily),
        figures={"plant": summary},
    )


def short_run_note(start_d: float, stop_d: float, source: str) -> str:
    """The note of a run whose criteria are not the BSM2 benchmark's."""
    return (f"Criteria over days {start_d:g}–{stop_d:g} of a {source} run: NOT the BSM2 benchmark window "
            f"(days {BENCHMARK_WINDOW_D[0]:g}–{BENCHMARK_WINDOW_D[1]:g} of the 609-day dynamic influent after "
            "200 days of stabilisation); not comparable with published BSM2 results.")


def _same_window(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < _TOLERANCE_D and abs(a[1] - b[1]) < _TOLERANCE_D


# --- energy inputs ------------------------------------------------------------------------------------


def daily_energy_inputs(record: evaluation_bsm2.Bsm2Record, start_d: float, stop_d: float) -> pd.DataFrame:
    """Methane, heat demand and electricity use of each day of the window, as the BSM2 criteria.

    The window is cut into n = max(1, round(stop − start)) equal steps (whole days for the
    benchmark's 364-day window); each step's values are the benchmark criteria of that step
    (``perf_plant_bsm2.m``: MP, HE, AE, PE, ME), so their mean is the window's criterion.

    Returns
    -------
    pandas.DataFrame
        Index ``t`` (start of each step) [d]; columns ``methane_kg_per_d`` [kg CH4/d],
        ``heat_demand_kwh_per_d``, ``aeration_kwh_per_d``, ``pumping_kwh_per_d``,
        ``mixing_kwh_per_d`` [kWh/d].
    """
    t = record.time_d
    keep = (t >= start_d - 1.0) & (t <= stop_d + 1.0)  # enough around the window for its weights
    t = t[keep]
    index = pd.Index(t, name="t")

    def series(values: np.ndarray) -> pd.Series:
        return pd.Series(np.asarray(values)[keep], index=index)

    digester = evaluation_bsm2.constants()["digester"]
    kla = pd.DataFrame(record.kla_per_d[keep], index=index)
    flows = {name: series(getattr(record, f"{name}_m3_per_d")) for name in evaluation_bsm2.PUMPED_FLOWS}
    gas_flow, pressure = series(record.gas_flow_m3_per_d), series(record.gas_pressure_bar)
    methane_pressure = series(record.gas_partial_pressures_bar[:, evaluation_bsm2.GASES.index("CH4")])
    feed, feed_t = series(record.digester_inflow_m3_per_d), series(record.digester_inflow_temperature_c)
    molar_mass = float(digester["molar_mass_ch4_kg_per_kmol"]["value"])
    n = max(1, int(round(stop_d - start_d)))
    edges = start_d + (stop_d - start_d) * np.arange(n + 1) / n
    rows = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        w = evaluation.window_weights_d(index, a, b)
        rows.append((
            evaluation_bsm2.gas_production_kg_per_d(gas_flow, methane_pressure, pressure, molar_mass, w),
            evaluation_bsm2.heating_energy_kwh_per_d(feed, feed_t, w),
            evaluation.aeration_energy_kwh_per_d(kla, record.reactor_volumes_m3, start_d=a, stop_d=b),
            evaluation_bsm2.pumping_energy_kwh_per_d(flows, w),
            evaluation_bsm2.mixing_energy_kwh_per_d(kla, record.reactor_volumes_m3, record.digester_liquid_volume_m3,
                                                    a, b),
        ))  # fmt: skip
    columns = ["methane_kg_per_d", "heat_demand_kwh_per_d", "aeration_kwh_per_d", "pumping_kwh_per_d",
               "mixing_kwh_per_d"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns, index=pd.Index(edges[:-1], name="t"))


# --- the summary's parts ------------------------------------------------------------------------------


def _effluent_means(effluent: pd.DataFrame, table: pd.DataFrame, weights: pd.Series) -> dict[str, float]:
    """Flow-weighted means of the states and the composition, time-mean ``Q`` and ``T``."""
    q = effluent["Q"]
    means = {name: evaluation.flow_weighted_mean(effluent[name], q, weights) for name in asm1.STATES}
    means.update({name: evaluation.flow_weighted_mean(table[name], q, weights) for name in EFFLUENT_COMPOSITION})
    means["Q"] = evaluation.time_average(q, weights)
    means["T"] = evaluation.time_average(effluent["T"], weights)
    return means


def _digester(trace: bsm2.Bsm2Trace, index: pd.Index, weights: pd.Series,
              criteria: evaluation_bsm2.Bsm2Evaluation) -> dict[str, Any]:  # fmt: skip
    ph = pd.Series(trace.gas[:, bsm2.G_PH], index=index).loc[weights.index]
    return {
        "pH_mean": evaluation.time_average(ph, weights),
        "pH_min": float(ph.min()),
        "pH_max": float(ph.max()),
        "methane_kg_per_d": criteria.methane_production_kg_per_d,
        "carbon_dioxide_kg_per_d": criteria.carbon_dioxide_production_kg_per_d,
        "hydrogen_kg_per_d": criteria.hydrogen_production_kg_per_d,
        "biogas_m3_per_d": criteria.biogas_flow_m3_per_d,
        "methane_energy_kwh_per_d": criteria.methane_energy_kwh_per_d,
        "heating_energy_kwh_per_d": criteria.heating_energy_kwh_per_d,
    }


def cited_sources(*, balance_system: energy.EnergySystem | None = None,
                  account: ghg.GhgAccount | None = None) -> list[dict[str, str]]:  # fmt: skip
    """The cited constants behind the energy and GHG figures: item, value, source, confidence."""
    e = energy.defaults()
    system = balance_system or energy.bsm2_energy_system()
    curve = e["chp_curves"].get(system.chp.curve.name, {})
    rows = [
        _row("methane energy content", f"{e['methane']['energy_mj_per_kg']['value']:g} MJ/kg",
             e["methane"]["energy_mj_per_kg"]),
        {"item": f"CHP part-load curve {system.chp.curve.name}",
         "value": f"η_el {system.chp.curve.electrical_efficiency}, η_th {system.chp.curve.thermal_efficiency} "
                  f"at load {system.chp.curve.load}",
         "source": curve.get("source", "given by the user"), "confidence": curve.get("confidence", "user")},
        _row("CHP engines", f"{system.chp.units} × {system.chp.rated_gas_input_kw:g} kW gas input", e["chp"]["units"]),
        _row("CHP methane slip", f"{system.chp.methane_slip_fraction:g}", e["chp"]["methane_slip_fraction"]),
        _row("boiler efficiency", f"{system.boiler_efficiency:g}", e["boiler"]["efficiency"]),
    ]  # fmt: skip
    f = ghg.factors()
    if account is not None:
        gwp = f["gwp"][account.gwp.name]
        rows.append({"item": f"GWP {account.gwp.name.upper()}", "value": f"CH4 {account.gwp.ch4:g}, N2O {account.gwp.n2o:g}",
                     "source": gwp["source"], "confidence": gwp["confidence"]})  # fmt: skip
        rows.append({"item": f"grid factor {account.grid.name}", "value": f"{account.grid.kg_co2e_per_kwh:g} kg CO2e/kWh",
                     "source": account.grid.source, "confidence": account.grid.confidence})  # fmt: skip
    for section in ("nitrous_oxide", "methane"):
        for name, entry in f[section].items():
            if isinstance(entry, Mapping) and "value" in entry:
                rows.append(_row(f"{section} {name}", f"{entry['value']:g}", entry))
    return rows


def _row(item: str, value: str, entry: Mapping[str, Any]) -> dict[str, str]:
    return {"item": item, "value": value, "source": str(entry.get("source", "")),
            "confidence": str(entry.get("confidence", ""))}  # fmt: skip


def _series(rec: evaluation_bsm2.Bsm2Record, trace: bsm2.Bsm2Trace, effluent: pd.DataFrame, table: pd.DataFrame,
            daily: pd.DataFrame) -> dict[str, pd.DataFrame]:  # fmt: skip
    index = effluent.index
    composition = table[list(EFFLUENT_COMPOSITION)]
    gas = pd.DataFrame({
        "biogas_m3_per_d": trace.gas[:, bsm2.G_Q_GAS], "p_H2_bar": trace.gas[:, bsm2.G_P_H2],
        "p_CH4_bar": trace.gas[:, bsm2.G_P_CH4], "p_CO2_bar": trace.gas[:, bsm2.G_P_CO2],
        "pressure_bar": trace.gas[:, bsm2.G_P_TOTAL], "pH": trace.gas[:, bsm2.G_PH],
    }, index=index)  # fmt: skip
    kla = pd.DataFrame(rec.kla_per_d, index=index, columns=[f"kla{k + 1}_per_d" for k in range(rec.kla_per_d.shape[1])])
    return {"effluent": pd.concat([effluent, composition], axis=1), "gas": gas, "kla": kla, "energy_daily": daily}


def _indicators(summary: dict[str, Any]) -> tuple[Indicator, ...]:
    items = effluent_indicators(summary)
    bsm = "BSM2 perf_plant_bsm2.m"
    e, g = summary["energy"], summary["ghg"]
    nan = float("nan")
    items += [
        Indicator("effluent_quality_index_kg_pu_per_d", summary["evaluation"]["effluent_quality_index_kg_pu_per_d"],
                  "kg PU/d", source=bsm),
        Indicator("operational_cost_index", summary["evaluation"]["operational_cost_index"], "-", source=bsm),
        Indicator("energy_kwh_per_m3", e["electricity_kwh_per_m3"] if e["electricity_kwh_per_m3"] is not None else nan,
                  "kWh/m3", source=bsm),
        Indicator("electricity_self_sufficiency", _number(e["electricity_self_sufficiency"]), "-"),
        Indicator("heat_self_sufficiency", _number(e["heat_self_sufficiency"]), "-"),
        Indicator("energy_self_sufficiency", _number(e["total_self_sufficiency"]), "-"),
        Indicator("ghg_net_t_co2e_per_yr", g["net_t_co2e_per_yr"], "t CO2e/yr", source=f"grid {g['grid']}, {g['gwp']}"),
    ]  # fmt: skip
    return tuple(items)


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


# --- with the store -----------------------------------------------------------------------------------


def plantwide_input_hash(source: str | Path, control: str, days: float | None, options: Any, standards: Sequence[str],
                         grid: str | float, system: energy.EnergySystem | None, ghg_options: Mapping[str, Any] | None,
                         noise: bool, stabilisation_d: float, plant: str | Path = PLANT) -> str:  # fmt: skip
    """Hash of everything a plant-wide run depends on (the influent and plant files by their
    contents, code versions)."""
    from ecocity.store import hash_inputs, versions

    files = [] if isinstance(source, str) else [source]
    named = isinstance(plant, str) and plant == PLANT
    return hash_inputs(
        PLANT if named else Path(plant), source if isinstance(source, str) else "file", control, days, options,
        list(standards), grid,
        system, dict(ghg_options or {}), noise, stabilisation_d, versions(), files=files,
    )  # fmt: skip


def run_plantwide(
    influent: str | Path = "dynamic",
    control: str = "default",
    days: float | None = None,
    options: Any = None,
    *,
    grid: str | float = DEFAULT_GRID,
    standards: Sequence[str] = (DEFAULT_STANDARD,),
    system: energy.EnergySystem | None = None,
    ghg_options: Mapping[str, Any] | None = None,
    noise: bool = True,
    stabilisation_d: float = bsm2.STABILISATION_D,
    store: str | Path | None = None,
    use_cache: bool = True,
    district: str = "",
    scenario: str | None = None,
    plant: str | Path = PLANT,
) -> dict[str, Any]:
    """A plant-wide BSM2 run as its JSON summary, through the store in folder ``store`` if given.

    Parameters are those of :func:`simulate_plantwide`; ``store`` is the folder of ``ecocity.db``
    and the series (an unchanged run is read back unless ``use_cache`` is False); ``district``
    labels the stored run.

    Returns
    -------
    dict
        ``figures["plant"]`` of :func:`simulate_plantwide` plus ``run_id`` and ``cached``
        (``None`` and False without a store).
    """
    result, run_id, cached = plantwide_assessment(
        influent, control, days, options, grid=grid, standards=standards, system=system, ghg_options=ghg_options,
        noise=noise, stabilisation_d=stabilisation_d, store=store, use_cache=use_cache, district=district,
        scenario=scenario, plant=plant,
    )  # fmt: skip
    return {**result.figures["plant"], "run_id": run_id, "cached": cached}


def plantwide_assessment(
    influent: str | Path = "dynamic",
    control: str = "default",
    days: float | None = None,
    options: Any = None,
    *,
    store: Any = None,
    use_cache: bool = True,
    district: str = "",
    **settings: Any,
) -> tuple[AreaResult, str | None, bool]:
    """(result, run id, read from the store) of a plant-wide run; see :func:`run_plantwide`.

    ``store`` is a folder (its ``ecocity.db`` is opened and closed here), an open
    :class:`~ecocity.store.Store` (left open), or None (simulate, store nothing)."""
    from ecocity.store import Store, versions

    source = resolve_influent(influent)
    ghg.grid_factor(settings.get("grid", DEFAULT_GRID))
    if store is None:
        return simulate_plantwide(source, control, days, options, **settings), None, False
    standards = check_standards(settings.get("standards", (DEFAULT_STANDARD,)))
    settings["standards"] = standards
    key = plantwide_input_hash(
        source, control, days, options, standards, settings.get("grid", DEFAULT_GRID), settings.get("system"),
        settings.get("ghg_options"), settings.get("noise", True), settings.get("stabilisation_d", bsm2.STABILISATION_D),
        settings.get("plant", PLANT),
    )  # fmt: skip
    if isinstance(store, Store):
        opened = nullcontext(store)  # the caller's open store (the dashboard's), left open
    else:
        out = Path(store)
        out.mkdir(parents=True, exist_ok=True)
        opened = Store.open(out / "ecocity.db")
    with opened as catalogue:
        found = catalogue.find(key, AREA) if use_cache else None
        if found is not None:
            return catalogue.load(found.id), found.id, True
        start = time.perf_counter()
        result = simulate_plantwide(source, control, days, options, **settings)
        run_id = catalogue.save(result, district=district or result.scenario, input_hash=key, versions=versions(),
                                wall_time_s=time.perf_counter() - start)  # fmt: skip
    return result, run_id, False
