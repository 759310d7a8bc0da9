"""A portfolio of buildings: read the folder, assess every building in parallel, rank, report, store.

:func:`assess_portfolio` reads a portfolio folder (``portfolio.csv``, meters, weather), runs
:func:`~ecocity.buildings.assess.assess_building` for every building through
:func:`ecocity.compute.run_tasks` (a process pool by default, Dask with an address), each task
reading its own meter files, then ranks the buildings for action
(:func:`~ecocity.buildings.portfolio.rank_portfolio`) and tracks Beijing quotas.
:func:`portfolio_section` is the JSON-ready section the report renders. With a ``store`` the
analysis is saved as one run of the catalogue (:mod:`ecocity.buildings.portfolio_store`), and an
unchanged portfolio is read back from it.

Portfolio folder
----------------
``portfolio.csv``: one row per building with ``building_id``, ``city``, ``type``,
``floor_area_m2`` (required), and optionally ``name``, ``lon``, ``lat``, ``occupancy_hours``,
``electricity_file``, ``district_heat_file``, ``weather_file``, ``intervention_date`` (a known
retrofit, ``YYYY-MM-DD``), ``timezone``, ``meter_kind``, ``occupants`` (usual number of
occupants, for the GB/T 51161 occupancy correction) and ``synthetic``. Meter files are paths
relative to the folder (CSV or Parquet), or, when ``electricity_file`` is empty or absent, a
partitioned Parquet dataset ``meters/building_id=<id>/…`` (columns ``timestamp``, ``value`` and
optionally ``carrier`` = ``electricity`` | ``district_heat``), read with :mod:`pyarrow.dataset`.
``meter_kind`` is ``interval`` (default: ``timestamp,value``, the value used in the interval
starting at the timestamp) or ``billing`` (``start,end,value``: use between two meter readings,
``end`` exclusive; fitted with the CalTRACK billing model; anomaly flags, which need interval
data, are skipped with a note); billing meters must be files. Without a ``weather_file`` the
city's ``weather/<city>_hourly.csv`` is used. An optional ``gbt51161.csv`` holds GB/T 51161-2016
indicator rows from the user's copy of the standard (:mod:`ecocity.buildings.user_indicators`).

Units: energy [kWh], floor area [m²], CO2 [t CO2e]; money in each city's currency.
"""

from __future__ import annotations

import copy
import math
import os
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings import emissions, meters, portfolio, portfolio_store, temperature, user_indicators
from ecocity.buildings.assess import BuildingResult, _clean, _day, assess_building
from ecocity.buildings.csv_tables import positive_number, read_csv_table
from ecocity.errors import InputError

#: Columns ``portfolio.csv`` must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("building_id", "city", "type", "floor_area_m2")
#: Values of the ``meter_kind`` column (empty = ``interval``).
METER_KINDS: tuple[str, ...] = ("interval", "billing")
#: Quota reduction rate r of the Beijing 2014 rule (references/buildings.md sec. 5). [1]
QUOTA_REDUCTION_RATE = 0.06
#: Per-city defaults: cited price names (``data/prices.toml``), CO2 factor names of grid electricity
#: and district heat (``data/emission_factors.toml``), and whether Beijing-style quotas apply.
CITY_DEFAULTS: dict[str, dict[str, Any]] = {
    "beijing": {"electricity_price": "beijing-2024-07-mean", "heat_price": None, "grid": "beijing-2022",
                "heat_factor": "china-default-gbt32150", "quota": True},
    "copenhagen": {"electricity_price": "denmark-small-total-2022-2024", "heat_price": "copenhagen-hofor-2024-09",
                   "grid": "denmark-2023", "heat_factor": "copenhagen-hofor-2021", "quota": False},
}
_TRUE = {"1", "true", "yes", "y", "x"}


@dataclass(frozen=True)
class PortfolioResult:
    """A portfolio's buildings, ranked.

    Attributes
    ----------
    folder
        The portfolio folder.
    buildings
        One :class:`BuildingResult` per building, in ``portfolio.csv`` order (quota filled in).
    ranking
        :func:`~ecocity.buildings.portfolio.rank_portfolio`'s table (index = building id).
    year
        Analysis year.
    synthetic
        True when the portfolio says its data are synthetic.
    sources, notes
        Provenance of the values used and plain-language notes.
    run_id
        The store run holding this analysis (None without a store).
    cached
        True when the analysis was read back from the store: then ``buildings`` is empty and
        ``stored_section`` holds the saved :func:`portfolio_section`.
    stored_section
        The report section saved with the run (only when read back).
    """

    folder: Path
    buildings: list[BuildingResult]
    ranking: pd.DataFrame
    year: int
    synthetic: bool
    sources: list[dict[str, str]]
    notes: list[str]
    run_id: str | None = None
    cached: bool = False
    stored_section: dict[str, Any] | None = field(default=None, repr=False)


def _text(row: pd.Series, column: str) -> str | None:
    value = row.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = str(value).strip()
    return value or None


def read_portfolio(folder: str | Path) -> pd.DataFrame:
    """Read and check ``portfolio.csv`` (errors name file, row and column)."""
    path = Path(folder) / "portfolio.csv"
    if not path.is_file():
        raise InputError("no portfolio.csv in the portfolio folder", file=path)
    table = read_csv_table(path, REQUIRED_COLUMNS, "the portfolio table")
    for i, row in table.iterrows():
        record = f"row {i + 1}"
        if not row["building_id"].strip():
            raise InputError("empty building_id", file=path, record=record, field="building_id")
        positive_number(row["floor_area_m2"], path, record, "floor_area_m2", "m²")
        for column in ("intervention_date",):
            if column in table.columns and row[column].strip():
                try:
                    pd.Timestamp(row[column])
                except ValueError as err:
                    raise InputError(f"not a date: {row[column]!r}", file=path, record=record, field=column) from err
        kind = row["meter_kind"].strip().lower() if "meter_kind" in table.columns else ""
        if kind and kind not in METER_KINDS:
            raise InputError(f"meter kind must be one of {', '.join(METER_KINDS)}, got {row['meter_kind']!r}",
                             file=path, record=record, field="meter_kind")
        if kind == "billing" and not ("electricity_file" in table.columns and row["electricity_file"].strip()):
            raise InputError("a billing meter needs its electricity_file (start,end,value); the partitioned "
                             "meters/ dataset holds interval data only", file=path, record=record,
                             field="electricity_file")
        for column in ("lon", "lat"):
            if column in table.columns and row[column].strip():
                try:
                    float(row[column])
                except ValueError as err:
                    raise InputError(f"not a number: {row[column]!r}", file=path, record=record,
                                     field=column) from err
        if "occupants" in table.columns and row["occupants"].strip():
            positive_number(row["occupants"], path, record, "occupants", "persons")
    dup = table["building_id"][table["building_id"].duplicated()]
    if len(dup):
        raise InputError(f"building_id {dup.iloc[0]!r} appears twice", file=path,
                         record=f"row {int(dup.index[0]) + 1}", field="building_id")
    return table


def _partition_meters(folder: Path, building_id: str, timezone: str | None
                      ) -> tuple[meters.MeterData | None, meters.MeterData | None]:
    """A building's electricity and district-heat meters from ``meters/building_id=<id>/`` (None: absent).

    The partition is read once; without a ``carrier`` column it is all electricity.
    """
    part = folder / "meters" / f"building_id={building_id}"
    if not part.is_dir():
        return None, None
    import pyarrow.dataset as ds

    dataset = ds.dataset(part, format="parquet", partitioning="hive")
    has_carrier = "carrier" in dataset.schema.names
    frame = dataset.to_table(columns=["timestamp", "value", *(["carrier"] if has_carrier else [])]).to_pandas()
    if not has_carrier:
        return _partition_meter(part, frame, "electricity", timezone), None
    carrier = frame.pop("carrier").astype(str).to_numpy()
    return tuple(_partition_meter(part, frame[carrier == c].reset_index(drop=True), c, timezone)  # type: ignore[return-value]
                 for c in ("electricity", "district_heat"))


def _partition_meter(part: Path, frame: pd.DataFrame, carrier: str, timezone: str | None) -> meters.MeterData | None:
    """One carrier's rows of a building's partition as a meter, or None when there are none."""
    if frame.empty:
        return None
    # meters._read_interval does the checks read_meter does on a file (gaps, duplicates, grid).
    frame = frame.sort_values("timestamp", kind="stable").reset_index(drop=True)
    unit = meters._unit("kWh", part)
    usage, interval, checks = meters._read_interval(frame, part, "value", timezone, unit.factor)
    fuel = "electricity" if carrier == "electricity" else "heat"
    usage.attrs.update(source=str(part), unit="kWh", fuel=fuel)
    return meters.MeterData(usage=usage, unit_in="kWh", fuel=fuel, interval=interval, path=part, checks=checks)


def _weather_path(folder: Path, row: pd.Series) -> Path:
    given = _text(row, "weather_file")
    return folder / given if given else folder / "weather" / f"{row['city'].strip().lower()}_hourly.csv"


@lru_cache(maxsize=8)
def _weather(path: str, timezone: str | None) -> tuple[pd.Series, pd.Series]:
    """A weather file and its daily means, read once per worker process (buildings share a city's file)."""
    temp = temperature.read_temperature(path, timezone=timezone)
    return temp, temperature.daily_mean_temperature(temp) if len(temp) > 1 else temp


def _building_task(folder: str, row: dict[str, str], model: str, year: int | None,
                   indicators: user_indicators.IndicatorTable | None = None) -> BuildingResult:
    """Worker: read one building's files and assess it (top level, so it pickles)."""
    base = Path(folder)
    row_s = pd.Series(row)
    bid = row["building_id"].strip()
    tz = _text(row_s, "timezone")
    el_file = _text(row_s, "electricity_file")
    kind = (_text(row_s, "meter_kind") or "interval").lower()
    if el_file:
        meter = meters.read_meter(base / el_file, timezone=tz, kind="billing" if kind == "billing" else None)
        partition_heat = None
    else:
        meter, partition_heat = _partition_meters(base, bid, tz)
    if meter is None:
        raise InputError(f"building {bid!r} has no electricity_file and no partition meters/building_id={bid}/",
                         file=base / "portfolio.csv", record=bid, field="electricity_file")
    heat_file = _text(row_s, "district_heat_file")
    heat = meters.read_meter(base / heat_file, timezone=tz, fuel="heat") if heat_file else partition_heat
    weather, weather_daily = _weather(str(_weather_path(base, row_s)), tz)
    lon, lat = _text(row_s, "lon"), _text(row_s, "lat")
    occupants = _text(row_s, "occupants")
    result = assess_building(meter, weather, model="billing" if kind == "billing" else model,
                             intervention=_text(row_s, "intervention_date"), floor_area_m2=float(row["floor_area_m2"]),
                             building_type=row["type"].strip(), city=row["city"].strip().lower(),
                             occupancy=_text(row_s, "occupancy_hours"), heat_meter=heat, year=year, building_id=bid,
                             name=_text(row_s, "name") or bid, lon=float(lon) if lon else None,
                             lat=float(lat) if lat else None, temperature_daily=weather_daily,
                             indicators=indicators, occupants=float(occupants) if occupants else None)
    if not CITY_DEFAULTS.get(result.info["city"], {}).get("quota"):
        return result
    daily = meters.daily_usage(meter)
    track_year = year if year is not None else int(daily.index[-1].year)
    quota = _quota(result, track_year)
    if quota is None:
        return replace(result, notes=[*result.notes, f"no full year before {track_year}: no quota"])
    try:
        quota = _quota_status(quota, daily)
    except InputError as err:
        return replace(result, notes=[*result.notes, f"quota not tracked: {err}"])
    return replace(result, quota=quota)


def _chunk_task(folder: str, rows: list[dict[str, str]], model: str, year: int | None,
                indicators: user_indicators.IndicatorTable | None = None) -> list[BuildingResult]:
    """Worker: several buildings, one after the other."""
    return [_building_task(folder, row, model, year, indicators) for row in rows]


def _synthetic(folder: Path, table: pd.DataFrame) -> bool:
    if "synthetic" in table.columns:
        return bool(table["synthetic"].str.strip().str.lower().isin(_TRUE).any())
    readme = folder / "README.md"
    if readme.is_file():
        head = readme.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        return bool(head) and "SYNTHETIC" in head[0].upper()
    return False


def _quota(result: BuildingResult, year: int) -> dict[str, Any] | None:
    """Beijing 2014 quota (own history × (1 − r)) tracked over ``year``; None without history."""
    history = [v for y, v in sorted(result.annual_by_year.items()) if y < year]
    if not history:
        return None
    q = portfolio.quota_kwh(history[-5:], QUOTA_REDUCTION_RATE, "beijing-2014")
    return {"year": year, "quota_kwh": q.quota_kwh, "history_years": q.years_used, "method": q.method,
            "reduction_rate": q.reduction_rate, "note": q.note}


def _quota_status(quota: dict[str, Any], daily_year: pd.Series) -> dict[str, Any]:
    st = portfolio.quota_tracking(daily_year, quota["quota_kwh"], quota["year"])
    status = ("over quota by more than 20 %" if st.projected_ratio > portfolio.PENALTY_RATIO
              else "over quota" if st.projected_ratio > 1.0 else "within quota")
    return {**quota, "used_kwh": st.ytd_kwh, "pro_rated_kwh": st.prorated_quota_kwh, "ratio": st.ratio,
            "projected_kwh": st.projected_annual_kwh, "through": _day(st.through), "status": status}


def _input_files(base: Path, table: pd.DataFrame) -> list[Path]:
    """Every file the analysis reads: the table, the README (synthetic mark), meters, weather."""
    files = {base / "portfolio.csv"}
    if (base / "README.md").is_file():
        files.add(base / "README.md")
    for row in table.to_dict(orient="records"):
        row_s = pd.Series(row)
        el_file = _text(row_s, "electricity_file")
        if el_file:
            files.add(base / el_file)
        else:
            part = base / "meters" / f"building_id={row['building_id'].strip()}"
            files.add(part if part.is_dir() else base / "meters")
        heat_file = _text(row_s, "district_heat_file")
        if heat_file:
            files.add(base / heat_file)
        files.add(_weather_path(base, row_s))
    return sorted(files)


def _from_store(base: Path, run_id: str, stored: Any) -> PortfolioResult:
    section = stored.figures[portfolio_store.SECTION]
    return PortfolioResult(base, [], stored.series[portfolio_store.RANKING], int(section["year"]),
                           bool(section["synthetic"]), list(section["sources"]), list(section["notes"]),
                           run_id=run_id, cached=True, stored_section=section)


def assess_portfolio(folder: str | Path, *, workers: int | None = None, dask: str | None = None,
                     store: Any = None, use_cache: bool = True, year: int | None = None, progress: Any = None,
                     model: str = "daily", grid: str | float | None = None,
                     indicators: str | Path | None = None) -> PortfolioResult:
    """Assess every building of a portfolio folder in parallel, rank them, track quotas.

    Parameters
    ----------
    folder
        Portfolio folder (see the module notes for its layout).
    workers
        Worker processes (default one per core); 1 runs in this process.
    dask
        Dask scheduler address (or ``ECOCITY_DASK``); default the local process pool.
    store
        A :class:`~ecocity.store.Store`, or the path of one (an SQLite file, or a folder holding
        ``ecocity.db``): the analysis is saved there as one run (:mod:`ecocity.buildings.portfolio_store`).
        None: nothing is saved.
    use_cache
        With a store: read an unchanged analysis (same files, options and code) back from it
        instead of assessing the buildings again. The result read back has no ``buildings``;
        :func:`portfolio_section` returns the saved section.
    year
        Analysis year; default the last full calendar year of each building's data (the latest wins).
    progress
        ``progress(done, total)`` callback.
    model
        Baseline model of every building (buildings with ``meter_kind = billing`` always use ``billing``).
    grid
        Grid electricity CO2 factor for every building's savings potential: a name of
        ``data/emission_factors.toml`` or a number [kg CO2e/kWh]; default each city's own.
    indicators
        A GB/T 51161-2016 indicator table from the user's copy of the standard
        (:func:`~ecocity.buildings.user_indicators.read_indicator_table`); default the folder's
        ``gbt51161.csv`` if it has one. Its rows come before the shipped ones.

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InputError
        A bad portfolio table or meter file (naming file, row and column), an unknown grid name.
    """
    from ecocity.compute import Task, run_tasks

    base = Path(folder)
    table = read_portfolio(base)
    if grid is not None:
        emissions.grid_factor(grid)
    if indicators is None and (base / user_indicators.TABLE_FILE).is_file():
        indicators = base / user_indicators.TABLE_FILE
    user_table = None if indicators is None else user_indicators.read_indicator_table(indicators)
    key = None
    if store is not None:
        options = {"model": model, "year": year, "grid": grid}
        files = _input_files(base, table) + ([] if user_table is None else [user_table.path])
        key = portfolio_store.input_hash(sorted(set(files)), options)
        if use_cache:
            with portfolio_store.opened(store) as opened:
                found = portfolio_store.find(opened, key)
            if found is not None:
                return _from_store(base, *found)
    started = time.perf_counter()
    rows = table.to_dict(orient="records")
    # Chunks of buildings, about 16 chunks per worker: few round trips and a short pending set in the
    # pool's wait loop (10 000 one-building tasks spend more time there than in the buildings).
    n_workers = workers or os.cpu_count() or 1
    size = max(1, math.ceil(len(rows) / (16 * n_workers)))
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    tasks = [Task(args=(str(base), chunk, model, year, user_table),
                  label=chunk[0]["building_id"] + ("" if len(chunk) == 1 else f" … {chunk[-1]['building_id']}"))
             for chunk in chunks]

    def chunk_progress(done: int, total: int) -> None:
        progress(min(done * size, len(rows)), len(rows))

    parts = run_tasks(_chunk_task, tasks, workers=workers, dask_address=dask,
                      progress=None if progress is None else chunk_progress)
    results: list[BuildingResult] = [r for part in parts for r in part]
    scenario = "portfolio" if year is None else str(year)
    if year is None:
        year = max(r.annual["year"] for r in results)
    notes: list[str] = []
    ranking = _rank(results, grid)
    if ranking["guide_from_peers"].any():
        notes.append("where no verified standard value exists (GB/T 51161 for Beijing's cold zone; Danish labels "
                      "rate calculated, not metered, energy), the guide EUI for the savings potential is the median "
                      "EUI of the same city and type in this portfolio")
    synthetic = _synthetic(base, table)
    if synthetic:
        notes.insert(0, "SYNTHETIC DATA: every number of this portfolio is synthetic")
    result = PortfolioResult(base, results, ranking, int(year), synthetic, _sources(results, grid), notes)
    if store is None:
        return result
    with portfolio_store.opened(store) as opened:
        if opened.readonly:
            return replace(result, notes=[*notes, f"the store {opened.name} is read-only: this analysis was not saved"])
        section = portfolio_section(result)
        run_id = portfolio_store.save(opened, portfolio_store.area_result(section, ranking, scenario),
                                      district=section["portfolio"], key=key, wall_time_s=time.perf_counter() - started)
    return replace(result, run_id=run_id)


def _factors(city: str, grid: str | float | None) -> tuple[emissions.EmissionFactor, emissions.EmissionFactor] | None:
    """Grid electricity and district-heat CO2 factors of a city (``grid`` overrides the electricity one)."""
    d = CITY_DEFAULTS.get(city)
    if d is None:
        return None
    return emissions.grid_factor(d["grid"] if grid is None else grid), emissions.heat_factor(d["heat_factor"])


def _rank(results: list[BuildingResult], grid: str | float | None = None) -> pd.DataFrame:
    """Rank by savings potential; guide = the standard's guide value, else the city-type peer median.

    The potential is split between electricity and district heat by their shares of the building's
    annual use; its price and its CO2 factor are the share-weighted blends of the two carriers'.
    """
    frame = pd.DataFrame({
        "building_id": [r.info["building_id"] for r in results],
        "city": [r.info["city"] for r in results], "type": [r.info["type"] for r in results],
        "annual_kwh": [r.annual["total_kwh"] for r in results],
        "electricity_kwh": [r.annual["electricity_kwh"] for r in results],
        "floor_area_m2": [float(r.info["floor_area_m2"]) for r in results],
        "standard_guide": [_guide_at_use(r.benchmark) for r in results],
    }).set_index("building_id")
    frame["eui"] = frame["annual_kwh"] / frame["floor_area_m2"]
    peer = frame.groupby(["city", "type"])["eui"].transform("median")
    std = pd.to_numeric(frame["standard_guide"], errors="coerce")
    frame["guide_from_peers"] = std.isna()
    frame["guide_eui_kwh_per_m2"] = std.fillna(peer)
    prices, grids = [], []
    for _, row in frame.iterrows():
        d = CITY_DEFAULTS.get(row["city"])
        factors = _factors(row["city"], grid)
        if d is None or factors is None:
            prices.append(math.nan), grids.append(math.nan)
            continue
        p_el = portfolio.price(d["electricity_price"]).value
        el_share = row["electricity_kwh"] / row["annual_kwh"] if row["annual_kwh"] > 0 else 1.0
        p_heat = portfolio.price(d["heat_price"], "heat").value if d["heat_price"] else p_el
        prices.append(el_share * p_el + (1 - el_share) * p_heat)
        g_el, g_heat = factors
        grids.append(el_share * g_el.kg_co2e_per_kwh + (1 - el_share) * g_heat.kg_co2e_per_kwh)
    frame["price_per_kwh"], frame["grid"] = prices, grids
    ranked = portfolio.rank_portfolio(frame.drop(columns=["eui", "standard_guide"]))
    return ranked


def _guide_at_use(bench: dict[str, Any]) -> float | None:
    """The standard's guide EUI at the building's use time and occupancy: guide / (γ1·γ2). [kWh/(m² a)]

    The standard compares the corrected EUI (measured × γ1·γ2) with the guide value; the same
    comparison on the measured EUI needs the guide divided by the factor.
    """
    guide = bench.get("guide_kwh_per_m2")
    return None if guide is None else float(guide) / float(bench.get("correction_factor") or 1.0)


def _sources(results: list[BuildingResult], grid: str | float | None = None) -> list[dict[str, str]]:
    out = [{"item": "baseline model", "value": "CalTRACK 2.0 (daily / billing / hourly TOWT)",
            "source": "CalTRACK methods 2.0, docs.caltrack.org; eemeter 2.10.11", "confidence": "V"}]
    cities = sorted({r.info["city"] for r in results})
    heated = {r.info["city"] for r in results if r.annual.get("heat_kwh") is not None}
    for city in cities:
        d = CITY_DEFAULTS.get(city)
        factors = _factors(city, grid)
        if d is None or factors is None:
            continue
        for carrier, name in (("electricity", d["electricity_price"]), ("heat", d["heat_price"])):
            if name:
                p = portfolio.price(name, carrier)
                out.append({"item": f"{city} {carrier} price", "value": f"{p.value} {p.currency}/kWh ({p.name})",
                            "source": p.source, "confidence": p.confidence})
        for g, what in zip(factors, ("grid electricity", "district heat"), strict=True):
            if what == "district heat" and city not in heated:
                continue
            out.append({"item": f"{city} {what} CO2 factor", "value": f"{g.kg_co2e_per_kwh} kg CO2e/kWh ({g.name})",
                        "source": g.source, "confidence": g.confidence})
        if d["quota"]:
            out.append({"item": f"{city} quota rule", "value": f"own history × (1 − {QUOTA_REDUCTION_RATE})",
                        "source": "Beijing 2014 quota rule, secondary source (references/buildings.md sec. 5)",
                        "confidence": "1"})
    for r in results:
        b = r.benchmark
        item = f"benchmark: {b.get('standard')}"
        if b.get("confidence") == user_indicators.CONFIDENCE:
            item += f", {r.info['type']} in {r.info['city']} (user table)"
        if b.get("source") and not any(s["item"] == item for s in out):
            value = (f"guide {b['guide_kwh_per_m2']:g} / constraint {b['constraint_kwh_per_m2']:g} kWh/(m²·a)"
                     if b.get("guide_kwh_per_m2") is not None else str(b.get("verdict")))
            out.append({"item": item, "value": value, "source": b["source"], "confidence": str(b.get("confidence"))})
    return out


def portfolio_section(result: PortfolioResult) -> dict[str, Any]:
    """The report's portfolio section (the shared P/Q schema), JSON-ready, buildings sorted by rank.

    A result read back from the store gives (a copy of) the section saved with its run.
    """
    if result.stored_section is not None:
        return copy.deepcopy(result.stored_section)
    by_id = {r.info["building_id"]: r for r in result.buildings}
    percentiles = _type_percentiles(result)
    rows = []
    for bid, rank_row in result.ranking.iterrows():
        r = by_id[bid]
        b = r.baseline or {}
        bench = r.benchmark
        cur = CITY_DEFAULTS.get(r.info["city"])
        currency = portfolio.price(cur["electricity_price"]).currency if cur else ""
        sav = None
        if r.savings is not None:
            s = r.savings
            sav = {"intervention": s["intervention"], "avoided_kwh": s["avoided_kwh"], "fraction": s["fraction"],
                   "band90_kwh": list(s["band90_kwh"]), "daily": s["daily"]}
        quota = None
        if r.quota is not None:
            quota = {k: r.quota[k] for k in ("year", "quota_kwh", "used_kwh", "pro_rated_kwh", "status")}
        rows.append({
            "building_id": str(bid), "name": r.info["name"], "city": r.info["city"], "type": r.info["type"],
            "floor_area_m2": float(r.info["floor_area_m2"]), "lon": r.info["lon"], "lat": r.info["lat"],
            "annual_kwh": float(rank_row["annual_kwh"]), "eui_kwh_per_m2": float(rank_row["eui_kwh_per_m2"]),
            "percentile": percentiles[str(bid)],
            "benchmark": {"standard": bench["standard"], "guide_kwh_per_m2": bench["guide_kwh_per_m2"],
                          "constraint_kwh_per_m2": bench["constraint_kwh_per_m2"], "verdict": bench["verdict"],
                          "label": bench["label"], "confidence": bench["confidence"], "source": bench["source"],
                          "corrected_eui_kwh_per_m2": bench.get("corrected_eui_kwh_per_m2"),
                          "correction_factor": bench.get("correction_factor", 1.0)},
            "baseline": {"model_type": b.get("model_type", "none"), "heating_balance_c": b.get("heating_balance_c"),
                         "cooling_balance_c": b.get("cooling_balance_c"), "r_squared": b.get("r_squared", math.nan),
                         "cvrmse": b.get("cvrmse", math.nan), "nmbe": b.get("nmbe", math.nan),
                         "sufficient": bool(r.sufficiency["ok"]), "reasons": list(r.sufficiency["reasons"])},
            "flags": [{k: f[k] for k in ("kind", "severity", "meter", "start", "end", "message_en", "message_zh")}
                      for f in r.flags],
            "savings": sav,
            "potential": {"kwh": float(rank_row["potential_kwh"]), "money": float(rank_row["potential_cost"]),
                          "currency": currency, "t_co2": float(rank_row["potential_t_co2"]),
                          "guide_kwh_per_m2": float(rank_row["guide_eui_kwh_per_m2"]),
                          "guide_from_peers": bool(rank_row["guide_from_peers"])},
            "quota": quota,
            "rank": int(rank_row["rank"]),
        })
    starts = [r.period["start"] for r in result.buildings]
    ends = [r.period["end"] for r in result.buildings]
    return _clean({"portfolio": result.folder.resolve().name, "n_buildings": len(rows),
                   "period": {"start": min(starts), "end": max(ends)}, "year": result.year,
                   "synthetic": result.synthetic, "buildings": rows, "sources": result.sources,
                   "notes": list(result.notes)})


def _type_percentiles(result: PortfolioResult) -> dict[str, float]:
    """EUI percentile of every building among the portfolio's buildings of its type in its city. [%]

    Same city, because EUIs there share a climate and a metered scope (Copenhagen: electricity +
    district heat; Beijing: electricity). The weak definition of
    :func:`~ecocity.buildings.benchmarks.portfolio_percentile` (share ≤ the value), in one sort per group.
    """
    frame = pd.DataFrame({"id": [r.info["building_id"] for r in result.buildings],
                          "group": [(r.info["city"], r.info["type"]) for r in result.buildings],
                          "eui": [r.eui_kwh_per_m2 for r in result.buildings]})
    out: dict[str, float] = {}
    for _, g in frame.groupby("group", sort=False):
        values = np.sort(g["eui"].to_numpy(dtype=float))
        values = values[np.isfinite(values)]
        for bid, v in zip(g["id"], g["eui"], strict=True):
            out[bid] = (100.0 * np.searchsorted(values, v, side="right") / values.size
                        if math.isfinite(v) and values.size else math.nan)
    return out
