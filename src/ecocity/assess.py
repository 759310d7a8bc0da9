"""The orchestrator: a district and its scenarios through every area, into the store, out to
``results.json`` and ``report.html``.

Each scenario is one independent task (it carries the district, the scenario and the rainfall),
run through :mod:`ecocity.compute`: in this process for one task, a process pool by default,
or a Dask cluster. A scenario whose inputs (district, scenario, rainfall file, network, the
simulated years and the code and engine versions) hash to a stored run is read from the store
instead of being simulated again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ecocity import __version__
from ecocity.climate.capture import capture_ratio_curve, daily_depth_mm, design_depth_mm
from ecocity.climate.rainfall import check_rainfall, read_rainfall
from ecocity.district import BASELINE, District, Scenario, load_district
from ecocity.district.buildings import BuildingsLink
from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult
from ecocity.store import Store, hash_inputs, versions
from ecocity.stormwater import assess as sponge
from ecocity.stormwater.catalogue import lid_type_names
from ecocity.stormwater.engine import engine_version
from ecocity.results import results_document, wastewater_section
from ecocity.scenario_runs import stored_scenario_runs

Progress = Callable[[int, int], None]
RESULTS_FILE = "results.json"
STORE_FILE = "ecocity.db"


@dataclass(frozen=True)
class Assessment:
    """What :func:`assess_district` produced: the results document and where files went."""

    results: dict[str, Any]
    out_dir: Path
    results_path: Path
    report_path: Path | None
    simulated: tuple[str, ...]
    cached: tuple[str, ...]


def last_years(rain_depth_mm: pd.Series, years: float | None) -> pd.Series:
    """The last ``years`` whole years of a rainfall series (all of it when None)."""
    if years is None:
        return rain_depth_mm
    if years <= 0:
        raise InputError(f"years must be positive, got {years}", field="years")
    end = rain_depth_mm.index[-1]
    start = end - pd.DateOffset(years=int(years)) if float(years).is_integer() else end - pd.Timedelta(days=365.25 * years)
    if start < rain_depth_mm.index[0]:
        return rain_depth_mm
    kept = rain_depth_mm[rain_depth_mm.index > start]
    kept.attrs = dict(rain_depth_mm.attrs)
    return kept


def load_inputs(folder: str | Path, years: float | None = None) -> tuple[District, pd.Series]:
    """The district (LID names checked against the catalogue) and its rainfall series."""
    from ecocity.wastewater.compliance import known_standards

    district = load_district(folder, lid_types=lid_type_names(), effluent_standards=known_standards())
    rain = read_rainfall(district.climate.rainfall, unit=district.climate.rainfall_unit)
    return district, last_years(rain, years)


MIN_YEARS = 10.0
MAX_STEP_MIN = 5.0


def span_text(years: float) -> str:
    """A record length in words: years, or days when shorter than a year."""
    return f"{years:.1f} years" if years >= 1.0 else f"{years * 365.25:.1f} days"


def input_notes(district: District, rain: pd.Series) -> list[str]:
    """Caveats about the rainfall that the results rest on, in words for the report.

    The capture ratio of a continuous simulation is only as good as its rainfall record: the
    evaluation practice this project follows asks for at least 10 years at a step of 5 minutes
    or less (the issue's requirement; the GB/T 51345-2018 clause itself could not be read).
    """
    check = check_rainfall(rain)
    notes = []
    years = check.years
    step_min = check.step / pd.Timedelta(minutes=1)
    if years < MIN_YEARS:
        notes.append(f"The continuous simulation covers {span_text(years)} of rainfall; capture ratios "
                     f"should rest on at least {MIN_YEARS:g} years.")
    if step_min > MAX_STEP_MIN:
        notes.append(f"The rainfall step is {step_min:g} min; use {MAX_STEP_MIN:g} min or less for "
                     "capture ratios and peak flows.")
    if check.gaps:
        notes.append(f"{district.climate.rainfall.name}: {len(check.gaps)} gaps in the rainfall series "
                     "were simulated as dry.")
    if rain.attrs.get("synthetic"):
        notes.append(f"{district.climate.rainfall.name} is a SYNTHETIC series ({rain.attrs.get('model', 'stochastic model')}), "
                     "for illustration: replace it with measured rainfall before deciding.")
    return notes


def _scenario_task(district: District, scenario: Scenario, rain: pd.Series) -> tuple[AreaResult, float]:
    start = time.perf_counter()
    result = sponge.assess(district, scenario, rain)
    return result, time.perf_counter() - start


def input_hash(district: District, scenario: Scenario, rain: pd.Series) -> str:
    """Hash of everything a scenario's result depends on, code and engine versions included.

    The rainfall and network files count by their contents (``hash_inputs`` hashes ``Path``
    values that way), so moving the district folder keeps the hash; the other scenarios and the
    plant link do not count.
    """
    span = {"start": str(rain.index[0]), "end": str(rain.index[-1]), "steps": len(rain)}
    settings = district.model_dump(exclude={"folder", "scenarios", "wastewater", "buildings"})
    return hash_inputs(settings, scenario, span, versions({"swmm": engine_version()}))


@dataclass(frozen=True)
class PlantAssessment:
    """A plant run and where it is stored: its result, run id, and whether it was read back."""

    result: AreaResult
    run_id: str
    cached: bool


def plant_input_hash(layout: Any, influent: str | Path, control: str, days: float | None, standards: tuple[str, ...],
                     do_setpoint_g_per_m3: float | None = None, sensors: str = "ideal",
                     noise: str | Path = "off") -> str:  # fmt: skip
    """Hash of everything a plant run depends on: the layout's contents (not its path), the
    influent (by name, or a file by its contents), control, sensors, sensor noise (a file by its
    contents), days, standards, code versions. Without noise the hash is that of a run before
    noise existed."""
    files = [] if isinstance(influent, str) else [influent]
    extra: list[Any] = []
    if str(noise) != "off":
        extra = ["noise", noise if isinstance(noise, str) else "file"]
        files += [] if isinstance(noise, str) else [noise]
    return hash_inputs(
        layout, influent if isinstance(influent, str) else "file", control, days, list(standards),
        do_setpoint_g_per_m3, sensors, versions(), *extra, files=files,
    )  # fmt: skip


def assess_plant(
    store_dir: str | Path,
    plant: Any,
    *,
    influent: str | Path = "constant",
    control: str = "open",
    sensors: str = "ideal",
    days: float | None = None,
    standards: tuple[str, ...] = (),
    district: str = "",
    use_cache: bool = True,
    progress: Progress | None = None,
    noise: str | Path = "off",
    grid: str | float | None = None,
    store: Store | None = None,
) -> PlantAssessment:
    """Run a plant (:func:`ecocity.wastewater.run.run_plant`) through the store in ``store_dir``:
    an unchanged run is read back, a new one saved with its series. ``standards`` default to
    GB 18918-2002 class 1A; ``noise`` is the benchmark sensors' measurement noise (``off``,
    ``seeded`` or a file, :func:`ecocity.wastewater.run.check_sensor_noise`).

    The plant-wide BSM2 (``plant="bsm2"`` or a plant file naming ``preset = "bsm2"``) goes through
    :func:`ecocity.wastewater.plantwide.plantwide_assessment` instead (its own influents,
    ``constant`` or ``dynamic`` or a BSM2-format file; its own store key).

    An open ``store`` (the dashboard's) is used instead of the one in ``store_dir`` and left open."""
    if _plantwide(plant):
        from ecocity.wastewater import plantwide

        result, run_id, cached = plantwide.plantwide_assessment(
            influent, control, days, store=store_dir if store is None else store, use_cache=use_cache, district=district,
            standards=standards or (plantwide.DEFAULT_STANDARD,), plant=plant,
            **({} if grid is None else {"grid": grid}),
        )  # fmt: skip
        return PlantAssessment(result, str(run_id), cached)
    from ecocity.wastewater import run as plant_run
    from ecocity.wastewater.layout import PlantLayout, load_plant

    layout = plant if isinstance(plant, PlantLayout) else load_plant(plant)
    plant_run.controllers_for(control, sensors=sensors)
    noise = plant_run.check_sensor_noise(noise, sensors)
    chosen = plant_run.check_standards(standards)
    source = plant_run.resolve_influent(influent)
    key = plant_input_hash(layout, source, control, days, chosen, sensors=sensors, noise=noise)
    out = Path(store_dir)
    out.mkdir(parents=True, exist_ok=True)
    with _open_store(store, out) as catalogue:
        record = catalogue.find(key, plant_run.AREA) if use_cache else None
        if record is not None:
            return PlantAssessment(catalogue.load(record.id), record.id, True)
        start = time.perf_counter()
        result = plant_run.run_plant(layout, influent=source, control=control, days=days, standards=chosen,
                                     sensors=sensors, noise=noise, progress=progress)  # fmt: skip
        run_id = catalogue.save(result, district=district or layout.name, input_hash=key, versions=versions(),
                            wall_time_s=time.perf_counter() - start)  # fmt: skip
    return PlantAssessment(result, run_id, False)


def _plantwide(plant: Any) -> bool:
    if isinstance(plant, str) and plant == "bsm2":
        return True
    if not isinstance(plant, str | Path) or not str(plant).lower().endswith(".toml"):
        return False
    from ecocity.wastewater.plantwide import is_plantwide

    return is_plantwide(plant)


def assess_district(
    folder: str | Path,
    out_dir: str | Path | None = None,
    *,
    years: float | None = None,
    scenarios: list[str] | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    use_cache: bool = True,
    report: bool = True,
    language: str = "en",
    progress: Progress | None = None,
    climate: list[str] | None = None,
    store: str | Path | Store | None = None,
) -> Assessment:
    """Assess the baseline and the scenarios of the district in ``folder``.

    Parameters
    ----------
    folder
        The district folder (see ``docs/district-format.md``).
    out_dir
        Where ``results.json``, ``report.html`` and the store ``ecocity.db`` go; default
        ``<folder>/ecocity-out``.
    years
        Simulate only the last ``years`` years of the rainfall series.
    scenarios
        Names of the scenarios to run (the baseline always runs); default all.
    workers, dask_address
        Where the scenario runs go (see :func:`ecocity.compute.run_tasks`).
    use_cache
        Read unchanged scenarios from the store instead of simulating them again.
    climate
        Climate scenarios to assess every scenario under too, besides the district's
        ``[climate] scenarios`` (:mod:`ecocity.assess_climate`; the document's ``climate`` key).
    store
        The run store of the scenarios: an open :class:`~ecocity.store.Store` (left open; the
        dashboard passes its database's), or a path/URL for :meth:`Store.open`; default
        ``<out_dir>/ecocity.db``. A plant run stays in ``<out_dir>/ecocity.db``.
    """
    district, rain = load_inputs(folder, years)
    notes = input_notes(district, rain)  # shown by the CLI and in the report's header
    chosen = [BASELINE, *_chosen(district, scenarios)]
    out = Path(out_dir) if out_dir is not None else Path(folder) / "ecocity-out"
    out.mkdir(parents=True, exist_ok=True)

    with _open_store(store, out) as run_store:
        hashes = {s.name: input_hash(district, s, rain) for s in chosen}
        results, run_ids, todo = stored_scenario_runs(
            run_store, district, chosen, hashes, _scenario_task, lambda s: (district, s, rain), lambda s: s.name,
            use_cache=use_cache, workers=workers, dask_address=dask_address, progress=progress,
        )  # fmt: skip

    ordered = {s.name: results[s.name] for s in chosen}
    comparisons = {
        name: sponge.compare_to_baseline(district, ordered[BASELINE.name], result)
        for name, result in ordered.items()
        if name != BASELINE.name
    }
    daily = daily_depth_mm(rain)
    curve = capture_ratio_curve(daily)
    document = results_document(
        district, rain, chosen, ordered, comparisons, run_ids,
        cached={s.name for s in chosen} - {s.name for s in todo},
        curve=curve, design_depth_mm=float(design_depth_mm(daily, district.targets.capture_ratio)),
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )  # fmt: skip
    document["notes"] = notes
    if climate or district.climate.scenarios:
        from ecocity.assess_climate import climate_section, scenario_names

        document["climate"] = climate_section(
            district, rain, chosen, ordered, scenario_names(district, climate), out, use_cache=use_cache,
            workers=workers, dask_address=dask_address, progress=progress, store=store,
        )  # fmt: skip
    if district.wastewater is not None:
        link = district.wastewater
        with _open_store(store, out) as catalogue:
            plant = assess_plant(
                out, link.plant, influent=link.influent, control=link.control, days=link.days,
                standards=link.standards, district=district.name, use_cache=use_cache, grid=link.grid,
                store=catalogue,
            )  # fmt: skip
        document["wastewater"] = wastewater_section(plant.result, plant.run_id, cached=plant.cached)
        document["sources"] += document["wastewater"].get("sources", [])
    if district.buildings is not None:
        document["buildings"] = buildings_section(
            district.buildings, workers=workers, dask_address=dask_address, progress=progress,
            store=out / STORE_FILE if store is None else store, use_cache=use_cache,
        )  # fmt: skip
        document["sources"] += document["buildings"].get("sources", [])
    results_path = out / RESULTS_FILE
    results_path.write_text(json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    report_path = None
    if report:
        from ecocity.report import render_report

        report_path = render_report(document, out / "report.html", language=language)
    return Assessment(
        document, out, results_path, report_path,
        simulated=tuple(s.name for s in todo),
        cached=tuple(s.name for s in chosen if s not in todo),
    )  # fmt: skip


def _open_store(store: str | Path | Store | None, out: Path) -> AbstractContextManager[Store]:
    """The store to use: one given open (not closed here), else opened (and closed) here."""
    if isinstance(store, Store):
        return nullcontext(store)
    return Store.open(out / STORE_FILE if store is None else store)


def buildings_section(
    link: BuildingsLink, *, workers: int | None = None, dask_address: str | None = None,
    progress: Progress | None = None, store: str | Path | Store | None = None, use_cache: bool = True,
) -> dict[str, Any]:
    """The report's buildings section for the district's ``buildings.toml``: the portfolio
    assessed by :func:`ecocity.buildings.assess.assess_portfolio` (its ``year`` and ``grid``; its
    buildings in parallel like the scenarios) and put in the shared section schema by
    :func:`ecocity.buildings.assess.portfolio_section` (JSON-ready).

    With a ``store`` (an open :class:`~ecocity.store.Store`, left open, or a path) the analysis is
    one run there (area ``buildings``), read back when its files, options and code are unchanged
    (``use_cache``); the section then also says its ``run_id`` and whether it was ``cached``.
    """
    from ecocity.buildings.assess import assess_portfolio, portfolio_section

    options: dict[str, Any] = {"workers": workers, "dask": dask_address, "year": link.year, "progress": progress}
    if link.grid is not None:
        options["grid"] = link.grid
    if link.indicators is not None:
        options["indicators"] = link.indicators
    if store is not None:
        options.update(store=store, use_cache=use_cache)
    result = assess_portfolio(link.portfolio, **options)
    section = dict(portfolio_section(result))
    if store is not None:
        section.update(run_id=result.run_id, cached=result.cached)
    return section


def _chosen(district: District, names: list[str] | None) -> list[Scenario]:
    if not names:
        return list(district.scenarios)
    chosen = []
    for name in names:
        if name == BASELINE.name:
            continue
        try:
            chosen.append(district.scenario(name))
        except KeyError as err:
            raise InputError(str(err.args[0]), file=district.folder, field="scenario") from err
    return chosen


__all__ = ["Assessment", "PlantAssessment", "assess_district", "assess_plant", "buildings_section", "plant_input_hash", "input_hash", "last_years", "load_inputs", "__version__"]
