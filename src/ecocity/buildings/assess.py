"""Buildings orchestration: one building end to end, and a portfolio of many in parallel.

:func:`assess_building` takes a meter and a temperature series through the buildings area:
data sufficiency (CalTRACK 2.2.1), a baseline fit (CalTRACK daily, billing or hourly) on the 365
days before the intervention (or the first 365 days), anomaly flags, annual use, EUI and the
benchmark of its city (GB/T 51161-2016 in China, the Danish energy-label scale in Denmark), and
avoided energy use after a given intervention date (IPMVP option C).

:func:`assess_portfolio` reads a portfolio folder (``portfolio.csv``, meters, weather), runs
:func:`assess_building` for every building through :func:`ecocity.compute.run_tasks` (a process
pool by default, Dask with an address), each task reading its own meter files, then ranks the
buildings for action (:func:`~ecocity.buildings.portfolio.rank_portfolio`) and tracks Beijing
quotas. :func:`portfolio_section` is the JSON-ready section the report renders.

Portfolio folder
----------------
``portfolio.csv``: one row per building with ``building_id``, ``city``, ``type``,
``floor_area_m2`` (required), and optionally ``name``, ``lon``, ``lat``, ``occupancy_hours``,
``electricity_file``, ``district_heat_file``, ``weather_file``, ``intervention_date`` (a known
retrofit, ``YYYY-MM-DD``), ``timezone`` and ``synthetic``. Meter files are paths relative to the
folder (CSV ``timestamp,value`` or Parquet), or, when ``electricity_file`` is empty or absent, a
partitioned Parquet dataset ``meters/building_id=<id>/…`` (columns ``timestamp``, ``value`` and
optionally ``carrier`` = ``electricity`` | ``district_heat``), read with :mod:`pyarrow.dataset`.
Without a ``weather_file`` the city's ``weather/<city>_hourly.csv`` is used.

Units: energy [kWh], temperature [°C]; CalTRACK's °F constants are converted inside the fits.
"""

from __future__ import annotations

import calendar
import math
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings import anomalies, benchmarks, caltrack, hourly, meters, portfolio, savings, temperature
from ecocity.errors import EcocityError, InputError

#: Baseline models of :func:`assess_building`.
MODELS: tuple[str, ...] = ("daily", "billing", "hourly")
#: Columns ``portfolio.csv`` must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("building_id", "city", "type", "floor_area_m2")
#: Days of a baseline and of a reporting period (CalTRACK 2.2.1.1). [d]
PERIOD_DAYS = 365
#: Share of a calendar year's days with data for it to count as a full year. [1]
FULL_YEAR_SHARE = 0.9
#: Quota reduction rate r of the Beijing 2014 rule (references/buildings.md sec. 5). [1]
QUOTA_REDUCTION_RATE = 0.06
#: Per-city defaults: cited price names (``data/prices.toml``), grid factor names
#: (``wastewater/data/ghg.toml``), and whether Beijing-style quotas apply.
CITY_DEFAULTS: dict[str, dict[str, Any]] = {
    "beijing": {"electricity_price": "beijing-2024-07-mean", "heat_price": None, "grid": "beijing-2022",
                "quota": True},
    "copenhagen": {"electricity_price": "denmark-small-total-2022-2024", "heat_price": "copenhagen-hofor-2024-09",
                   "grid": "denmark-2023", "quota": False},
}
_TRUE = {"1", "true", "yes", "y", "x"}


@dataclass(frozen=True)
class BuildingResult:
    """Everything :func:`assess_building` found for one building; :meth:`to_dict` is JSON-ready.

    Attributes
    ----------
    info
        Identity: ``building_id``, ``name``, ``city``, ``type``, ``floor_area_m2`` [m²], ``lon``, ``lat``.
    period
        ``start``/``end`` (ISO dates) of the electricity data.
    sufficiency
        CalTRACK 2.2.1 verdict on the baseline: ``ok``, ``reasons``, ``start``, ``end``, ``fraction_valid``.
    baseline
        The fitted model's ``to_dict()`` plus the schema keys (``model_type``, balance points [°C],
        ``r_squared``, ``cvrmse``, ``nmbe``, ``sufficient``, ``reasons``); None when the fit failed.
    flags
        Anomaly flags as dicts (``kind``, ``severity``, ``start``, ``end``, ``message_en``, ``message_zh``, ``evidence``).
    annual
        ``year``, ``electricity_kwh``, ``heat_kwh``, ``total_kwh`` [kWh/a] of the analysis year.
    annual_by_year
        Electricity use of every full calendar year, ``{year: kWh}``, oldest first. [kWh/a]
    benchmark
        ``standard``, ``guide_kwh_per_m2``, ``constraint_kwh_per_m2`` [kWh/(m² a)], ``verdict``,
        ``label``, ``confidence``, ``source``, ``note``.
    savings
        Avoided energy after the intervention, or None.
    quota
        Beijing-style quota status of the analysis year, or None.
    notes
        Plain-language notes (what was assumed or could not be done).
    """

    info: dict[str, Any]
    period: dict[str, str]
    sufficiency: dict[str, Any]
    baseline: dict[str, Any] | None
    flags: list[dict[str, Any]]
    annual: dict[str, Any]
    annual_by_year: dict[int, float]
    benchmark: dict[str, Any]
    savings: dict[str, Any] | None
    quota: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    @property
    def eui_kwh_per_m2(self) -> float:
        """Delivered energy of the analysis year per floor area. [kWh/(m² a)]"""
        return _eui(self.annual["total_kwh"], self.info["floor_area_m2"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN → None)."""
        out = {**self.info, "period": self.period, "sufficiency": self.sufficiency, "baseline": self.baseline,
               "flags": self.flags, "annual": self.annual,
               "annual_by_year": {str(k): v for k, v in self.annual_by_year.items()},
               "eui_kwh_per_m2": self.eui_kwh_per_m2, "benchmark": self.benchmark, "savings": self.savings,
               "quota": self.quota, "notes": list(self.notes)}
        return _clean(out)


def _eui(kwh: float, area: float | None) -> float:
    if area is None or not math.isfinite(kwh) or not area or not math.isfinite(area):
        return math.nan
    return float(kwh) / float(area)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _day(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


# --- one building ------------------------------------------------------------------------------


def _as_meter(meter: Any, unit: str, timezone: str | None) -> meters.MeterData:
    if isinstance(meter, meters.MeterData):
        return meter
    return meters.read_meter(meter, unit=unit, timezone=timezone)


def _as_temperature(temp: Any, timezone: str | None) -> pd.Series:
    if isinstance(temp, pd.Series):
        return temp
    return temperature.read_temperature(temp, timezone=timezone)


def _hourly_usage(meter: meters.MeterData) -> pd.Series | None:
    """Hourly use [kWh/h] of a sub-hourly or hourly interval meter; None for others."""
    if meter.kind == "billing" or meter.interval is None or meter.interval > pd.Timedelta(hours=1):
        return None
    u = meter.usage
    if meter.interval < pd.Timedelta(hours=1):
        u = u.resample("1h").sum(min_count=1)
    return u


def _monthly_periods(daily: pd.Series) -> pd.DataFrame:
    """Calendar-month billing periods from complete months of daily use (``start``, ``end`` exclusive, ``value``)."""
    month = daily.index.to_period("M") if daily.index.tz is None else daily.index.tz_localize(None).to_period("M")
    groups = daily.groupby(np.asarray(month))
    rows = []
    for period, values in groups:
        if values.isna().any() or len(values) != period.days_in_month:
            continue
        start = values.index[0]
        rows.append((start, start + pd.Timedelta(days=period.days_in_month), float(values.sum())))
    return pd.DataFrame(rows, columns=["start", "end", "value"])


def _baseline_window(daily: pd.Series, intervention: pd.Timestamp | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of the baseline: 365 days before the intervention, else the first 365 days."""
    if intervention is not None:
        return intervention - pd.Timedelta(days=PERIOD_DAYS), intervention
    start = daily.first_valid_index()
    start = daily.index[0] if start is None else start
    return start, start + pd.Timedelta(days=PERIOD_DAYS)


def _fit(model: str, meter: meters.MeterData, daily: pd.Series, temp: pd.Series, t_daily: pd.Series,
         window: tuple[pd.Timestamp, pd.Timestamp]) -> tuple[Any, dict[str, Any]]:
    start, end = window
    if model == "daily":
        fitted = caltrack.fit_daily(daily[(daily.index >= start) & (daily.index < end)], t_daily)
        return fitted, fitted.to_dict()
    if model == "billing":
        if meter.kind == "billing":
            periods = meter.usage[(meter.usage["start"] >= start) & (meter.usage["end"] <= end)]
        else:
            periods = _monthly_periods(daily[(daily.index >= start) & (daily.index < end)])
        fitted = caltrack.fit_billing(periods.reset_index(drop=True), t_daily)
        return fitted, fitted.to_dict()
    hourly_use = _hourly_usage(meter)
    if hourly_use is None:
        raise InputError("the hourly model needs hourly (or finer) interval data", file=meter.path, field="--model")
    u = hourly_use[(hourly_use.index >= start) & (hourly_use.index < end)]
    t = temp if temp.index.tz == u.index.tz else temp
    t_hourly = t.groupby(t.index.floor("1h")).mean()
    fitted = hourly.fit_hourly(u, t_hourly.reindex(u.index).interpolate(limit=3, limit_area="inside"))
    out = fitted.to_dict()
    m = fitted.metrics
    out.update(model_type="towt", interval="hourly", heating_balance_c=None, cooling_balance_c=None,
               r_squared=m.r_squared, cvrmse=m.cvrmse_adj, nmbe=m.nmbe)
    return fitted, out


def _full_years(daily: pd.Series) -> dict[int, float]:
    """Use of every calendar year with ≥ 90 % of its days present, scaled to the whole year. [kWh/a]"""
    out = {}
    years = np.asarray(daily.index.year)
    for year in sorted(set(years.tolist())):
        values = daily[years == year]
        n_days = 366 if calendar.isleap(year) else 365
        present = int(values.notna().sum())
        if present >= FULL_YEAR_SHARE * n_days:
            out[int(year)] = float(values.sum()) * n_days / present
    return out


def _benchmark(city: str, building_type: str, area: float | None, electricity_kwh: float,
               heat_kwh: float) -> dict[str, Any]:
    """The city's standard: GB/T 51161-2016 for Chinese cities, the Danish label scale for Copenhagen."""
    blank = {"standard": "none", "guide_kwh_per_m2": None, "constraint_kwh_per_m2": None, "verdict": "not assessed",
             "label": None, "confidence": "", "source": "", "note": ""}
    if area is None or not math.isfinite(electricity_kwh):
        return {**blank, "note": "no floor area or no annual use"}
    if city == "copenhagen" or city == "denmark":
        pe = benchmarks.danish_primary_energy_kwh_per_m2(electricity_kwh, heat_kwh if math.isfinite(heat_kwh) else 0.0,
                                                         area)
        label = benchmarks.danish_label(pe, "non_residential", area)
        bounds = benchmarks.danish_label_bounds("non_residential", area)
        return {**blank, "standard": "Danish energy label scale (BR18 §§474-475), indicative from metered use",
                "verdict": f"label {label}", "label": label, "primary_energy_kwh_per_m2": pe,
                "constraint_kwh_per_m2": None, "guide_kwh_per_m2": None, "label_bounds_kwh_per_m2": bounds,
                "confidence": "2", "source": "src/ecocity/buildings/data/danish_labels.toml (hbemo HB2016 sec. 9.2.3)",
                "note": "the official label rates calculated, not metered, primary energy: this class is indicative"}
    try:
        zone = benchmarks.climate_zone(city)
    except InputError:
        return {**blank, "note": f"no benchmark standard is shipped for city {city!r}"}
    a = benchmarks.gbt51161_assessment(building_type, zone, electricity_kwh / area)
    return {**blank, "standard": "GB/T 51161-2016 (non-heating EUI)", "guide_kwh_per_m2": a.guide_kwh_per_m2,
            "constraint_kwh_per_m2": a.constraint_kwh_per_m2, "verdict": a.verdict,
            "confidence": a.confidence or "NF", "source": a.source or "GB/T 51161-2016 tables not read", "note": a.note}


def _flag_dict(f: anomalies.Flag) -> dict[str, Any]:
    return {"kind": f.kind, "severity": f.severity, "start": _day(f.start), "end": _day(f.end),
            "message_en": f.message_en, "message_zh": f.message_zh,
            "evidence": {k: float(v) for k, v in f.evidence.items()}}


def _savings(model: Any, daily: pd.Series, t_daily: pd.Series, intervention: pd.Timestamp) -> dict[str, Any]:
    end = intervention + pd.Timedelta(days=PERIOD_DAYS)
    reporting = daily[(daily.index >= intervention) & (daily.index < end)]
    if reporting.notna().sum() == 0:
        raise InputError(f"no use after the intervention {_day(intervention)}", field="intervention")
    s = savings.avoided_energy(model, reporting, t_daily)
    lo, hi = s.band_kwh[0.90]
    rows = [{"date": _day(d), "predicted_kwh": float(r.predicted_kwh), "actual_kwh": float(r.actual_kwh)}
            for d, r in s.daily.iterrows()]
    return {"intervention": _day(intervention), "reporting_end": _day(end), "avoided_kwh": s.avoided_kwh,
            "predicted_kwh": s.predicted_kwh, "actual_kwh": s.actual_kwh, "fraction": s.savings_fraction,
            "reporting_days": s.reporting_days, "days_missing": s.days_missing,
            "fsu_90": s.fsu[0.90], "band90_kwh": [lo, hi], "band68_kwh": list(s.band_kwh[0.68]),
            "significant_at_90": s.significant_at_90, "daily": rows}


def assess_building(meter: Any, temperature_c: Any, *, model: str = "daily", unit: str = "kWh",
                    timezone: str | None = None, intervention: str | pd.Timestamp | None = None,
                    floor_area_m2: float | None = None, building_type: str | None = None, city: str | None = None,
                    occupancy: str | None = None, heat_meter: Any = None, year: int | None = None,
                    building_id: str = "", name: str = "", lon: float | None = None, lat: float | None = None,
                    flags: bool = True, temperature_daily: pd.Series | None = None) -> BuildingResult:
    """One building through the buildings area: sufficiency, baseline, flags, annual use, EUI, benchmark, savings.

    Parameters
    ----------
    meter
        Electricity meter: a file (CSV ``timestamp,value`` or Parquet) or a :class:`~ecocity.buildings.meters.MeterData`.
    temperature_c
        Outdoor temperature: a file (``timestamp,temperature_c``) or a Series. [°C]
    model
        Baseline model: ``"daily"`` (CalTRACK daily), ``"billing"`` (CalTRACK billing; an interval
        meter is summed to complete calendar months) or ``"hourly"`` (CalTRACK hourly TOWT).
    unit
        Unit of the meter file's values (see :func:`~ecocity.buildings.meters.read_meter`).
    timezone
        IANA zone of naive timestamps (None: keep them naive, local clock).
    intervention
        Date of a retrofit: the baseline is the 365 days before it, and avoided energy is computed
        over up to 365 days from it (always with a daily or billing model: the hourly model is
        fitted for the baseline metrics, a daily model for the savings).
    floor_area_m2, building_type, city
        For EUI [kWh/(m² a)] and the benchmark.
    occupancy
        Opening hours (``"Mon-Fri 08-18"``) for the night/weekend flag.
    heat_meter
        District-heat meter (file or MeterData), added to the annual use and the Danish label.
    year
        Analysis year for annual use; default the last full calendar year of the data.
    flags
        Run the anomaly detectors.
    temperature_daily
        The daily mean of ``temperature_c`` when already computed (a portfolio's worker computes
        it once per weather file). [°C]

    Returns
    -------
    BuildingResult

    Raises
    ------
    InputError
        Unreadable files (naming file, row and column), an unknown model, an intervention outside the data.
    """
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; use one of {', '.join(MODELS)}", field="--model")
    m = _as_meter(meter, unit, timezone)
    temp = _as_temperature(temperature_c, timezone)
    daily = meters.daily_usage(m)
    if temperature_daily is not None:
        t_daily = temperature_daily
    else:
        t_daily = temperature.daily_mean_temperature(temp) if len(temp) > 1 else temp
    notes: list[str] = []
    when = None
    if intervention is not None and not (isinstance(intervention, float) and math.isnan(intervention)):
        when = pd.Timestamp(intervention)
        if when.tz is None and daily.index.tz is not None:
            when = when.tz_localize(daily.index.tz)
        when = when.normalize()
        if not daily.index[0] < when <= daily.index[-1]:
            raise InputError(f"intervention {_day(when)} is outside the meter's data "
                             f"({_day(daily.index[0])} to {_day(daily.index[-1])})", file=m.path, field="intervention")
    window = _baseline_window(daily, when)
    suff = meters.data_sufficiency(daily, baseline_end=window[1], temperature=t_daily)
    sufficiency = {"ok": suff.ok, "reasons": list(suff.reasons), "start": _day(suff.start), "end": _day(suff.end),
                   "fraction_valid": suff.fraction_valid, "n_days_valid": suff.n_days_valid}
    fitted, baseline = None, None
    try:
        fitted, baseline = _fit(model, m, daily, temp, t_daily, window)
        baseline.update(sufficient=suff.ok, reasons=list(suff.reasons), baseline_start=_day(window[0]),
                        baseline_end=_day(window[1]))
    except EcocityError as err:
        if model != "daily" and not isinstance(err, InputError):
            raise
        if isinstance(err, InputError) and err.field == "--model":
            raise
        notes.append(f"baseline not fitted: {err}")
    flag_list: list[dict[str, Any]] = []
    if flags:
        daily_model = fitted if isinstance(fitted, caltrack.BaselineModel) else None
        use = _hourly_usage(m)
        use = daily if use is None else use
        try:
            flag_list = [_flag_dict(f) for f in anomalies.all_flags(use, temp, daily_model, occupancy=occupancy,
                                                                    building_type=building_type)]
        except EcocityError as err:
            notes.append(f"anomaly flags not computed: {err}")
    by_year = _full_years(daily)
    heat_daily = None
    if heat_meter is not None:
        heat_daily = meters.daily_usage(_as_meter(heat_meter, unit, timezone))
    heat_years = _full_years(heat_daily) if heat_daily is not None else {}
    if year is None:
        year = max(by_year) if by_year else int(daily.index[-1].year)
        if not by_year:
            notes.append(f"no calendar year is ≥ {FULL_YEAR_SHARE:.0%} covered; annual use from the days of {year}")
    el = by_year.get(year, math.nan)
    if not math.isfinite(el):
        part = daily[np.asarray(daily.index.year) == year]
        el = float(part.mean() * (366 if calendar.isleap(year) else 365)) \
            if part.notna().any() else math.nan
    heat = heat_years.get(year, math.nan) if heat_daily is not None else 0.0
    total = el + (heat if math.isfinite(heat) else 0.0)
    annual = {"year": int(year), "electricity_kwh": el, "heat_kwh": heat if heat_daily is not None else None,
              "total_kwh": total}
    ctype = building_type or ""
    bench = _benchmark((city or "").lower(), ctype, floor_area_m2, el, heat if heat_daily is not None else 0.0)
    sav = None
    if when is not None:
        smodel = fitted if isinstance(fitted, caltrack.BaselineModel) else None
        if smodel is None:
            start, end = window
            smodel = caltrack.fit_daily(daily[(daily.index >= start) & (daily.index < end)], t_daily)
            notes.append("savings use a CalTRACK daily model fitted on the same baseline")
        sav = _savings(smodel, daily, t_daily, when)
    info = {"building_id": building_id or m.path.stem, "name": name or building_id or m.path.stem,
            "city": (city or "").lower(), "type": ctype, "floor_area_m2": floor_area_m2, "lon": lon, "lat": lat,
            "meter": str(m.path), "meter_issues": m.checks.issues()}
    period = {"start": _day(daily.index[0]), "end": _day(daily.index[-1])}
    return BuildingResult(info, period, sufficiency, baseline, flag_list, annual, by_year, bench, sav, None, notes)


# --- portfolio ---------------------------------------------------------------------------------


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
    """

    folder: Path
    buildings: list[BuildingResult]
    ranking: pd.DataFrame
    year: int
    synthetic: bool
    sources: list[dict[str, str]]
    notes: list[str]


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
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"cannot read the portfolio table: {err}", file=path) from err
    table.columns = [str(c).strip() for c in table.columns]
    for column in REQUIRED_COLUMNS:
        if column not in table.columns:
            raise InputError(f"no {column!r} column (columns: {', '.join(table.columns)})", file=path, field=column)
    if table.empty:
        raise InputError("the portfolio table has no buildings", file=path)
    for i, row in table.iterrows():
        record = f"row {i + 1}"
        if not row["building_id"].strip():
            raise InputError("empty building_id", file=path, record=record, field="building_id")
        try:
            area = float(row["floor_area_m2"])
        except ValueError:
            area = math.nan
        if not math.isfinite(area) or area <= 0:
            raise InputError(f"floor area must be a number > 0 m², got {row['floor_area_m2']!r}", file=path,
                             record=record, field="floor_area_m2")
        for column in ("intervention_date",):
            if column in table.columns and row[column].strip():
                try:
                    pd.Timestamp(row[column])
                except ValueError as err:
                    raise InputError(f"not a date: {row[column]!r}", file=path, record=record, field=column) from err
        for column in ("lon", "lat"):
            if column in table.columns and row[column].strip():
                try:
                    float(row[column])
                except ValueError as err:
                    raise InputError(f"not a number: {row[column]!r}", file=path, record=record,
                                     field=column) from err
    dup = table["building_id"][table["building_id"].duplicated()]
    if len(dup):
        raise InputError(f"building_id {dup.iloc[0]!r} appears twice", file=path,
                         record=f"row {int(dup.index[0]) + 1}", field="building_id")
    return table


def _partition_meter(folder: Path, building_id: str, carrier: str, timezone: str | None) -> meters.MeterData | None:
    """A building's meter from the partitioned dataset ``meters/building_id=<id>/``, or None."""
    part = folder / "meters" / f"building_id={building_id}"
    if not part.is_dir():
        return None
    import pyarrow.dataset as ds

    dataset = ds.dataset(part, format="parquet", partitioning="hive")
    names = dataset.schema.names
    flt = ds.field("carrier") == carrier if "carrier" in names else None
    if flt is None and carrier != "electricity":
        return None
    frame = dataset.to_table(filter=flt, columns=["timestamp", "value"]).to_pandas()
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


def _building_task(folder: str, row: dict[str, str], model: str, year: int | None) -> BuildingResult:
    """Worker: read one building's files and assess it (top level, so it pickles)."""
    base = Path(folder)
    row_s = pd.Series(row)
    bid = row["building_id"].strip()
    tz = _text(row_s, "timezone")
    el_file = _text(row_s, "electricity_file")
    meter = meters.read_meter(base / el_file, timezone=tz) if el_file else _partition_meter(base, bid, "electricity", tz)
    if meter is None:
        raise InputError(f"building {bid!r} has no electricity_file and no partition meters/building_id={bid}/",
                         file=base / "portfolio.csv", record=bid, field="electricity_file")
    heat_file = _text(row_s, "district_heat_file")
    heat = meters.read_meter(base / heat_file, timezone=tz, fuel="heat") if heat_file else (
        _partition_meter(base, bid, "district_heat", tz) if not el_file else None)
    weather, weather_daily = _weather(str(_weather_path(base, row_s)), tz)
    lon, lat = _text(row_s, "lon"), _text(row_s, "lat")
    result = assess_building(meter, weather, model=model, intervention=_text(row_s, "intervention_date"),
                           floor_area_m2=float(row["floor_area_m2"]), building_type=row["type"].strip(),
                           city=row["city"].strip().lower(), occupancy=_text(row_s, "occupancy_hours"),
                           heat_meter=heat, year=year, building_id=bid, name=_text(row_s, "name") or bid,
                           lon=float(lon) if lon else None, lat=float(lat) if lat else None,
                           temperature_daily=weather_daily)
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


def _chunk_task(folder: str, rows: list[dict[str, str]], model: str, year: int | None) -> list[BuildingResult]:
    """Worker: several buildings, one after the other."""
    return [_building_task(folder, row, model, year) for row in rows]


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


def assess_portfolio(folder: str | Path, *, workers: int | None = None, dask: str | None = None, store: Any = None,
                     year: int | None = None, progress: Any = None, model: str = "daily") -> PortfolioResult:
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
        Unused for now (the run catalogue is the lead's integration step); accepted for the CLI.
    year
        Analysis year; default the last full calendar year of each building's data (the latest wins).
    progress
        ``progress(done, total)`` callback.
    model
        Baseline model of every building.

    Returns
    -------
    PortfolioResult
    """
    from ecocity.compute import Task, run_tasks

    base = Path(folder)
    table = read_portfolio(base)
    rows = table.to_dict(orient="records")
    # Chunks of buildings, about 16 chunks per worker: few round trips and a short pending set in the
    # pool's wait loop (10 000 one-building tasks spend more time there than in the buildings).
    n_workers = workers or os.cpu_count() or 1
    size = max(1, math.ceil(len(rows) / (16 * n_workers)))
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    tasks = [Task(args=(str(base), chunk, model, year),
                  label=chunk[0]["building_id"] + ("" if len(chunk) == 1 else f" … {chunk[-1]['building_id']}"))
             for chunk in chunks]

    def chunk_progress(done: int, total: int) -> None:
        progress(min(done * size, len(rows)), len(rows))

    parts = run_tasks(_chunk_task, tasks, workers=workers, dask_address=dask,
                      progress=None if progress is None else chunk_progress)
    results: list[BuildingResult] = [r for part in parts for r in part]
    if year is None:
        year = max(r.annual["year"] for r in results)
    notes: list[str] = []
    final = results
    ranking = _rank(final)
    if ranking["guide_from_peers"].any():
        notes.append("where no verified standard value exists (GB/T 51161 for Beijing's cold zone; Danish labels "
                      "rate calculated, not metered, energy), the guide EUI for the savings potential is the median "
                      "EUI of the same city and type in this portfolio")
    synthetic = _synthetic(base, table)
    if synthetic:
        notes.insert(0, "SYNTHETIC DATA: every number of this portfolio is synthetic")
    return PortfolioResult(base, final, ranking, int(year), synthetic, _sources(final), notes)


def _rank(results: list[BuildingResult]) -> pd.DataFrame:
    """Rank by savings potential; guide = the standard's guide value, else the city-type peer median."""
    frame = pd.DataFrame({
        "building_id": [r.info["building_id"] for r in results],
        "city": [r.info["city"] for r in results], "type": [r.info["type"] for r in results],
        "annual_kwh": [r.annual["total_kwh"] for r in results],
        "electricity_kwh": [r.annual["electricity_kwh"] for r in results],
        "floor_area_m2": [float(r.info["floor_area_m2"]) for r in results],
        "standard_guide": [r.benchmark.get("guide_kwh_per_m2") for r in results],
    }).set_index("building_id")
    frame["eui"] = frame["annual_kwh"] / frame["floor_area_m2"]
    peer = frame.groupby(["city", "type"])["eui"].transform("median")
    std = pd.to_numeric(frame["standard_guide"], errors="coerce")
    frame["guide_from_peers"] = std.isna()
    frame["guide_eui_kwh_per_m2"] = std.fillna(peer)
    prices, grids = [], []
    for _, row in frame.iterrows():
        d = CITY_DEFAULTS.get(row["city"])
        if d is None:
            prices.append(math.nan), grids.append(math.nan)
            continue
        p_el = portfolio.price(d["electricity_price"]).value
        g_el = benchmarks_grid(d["grid"])
        el_share = row["electricity_kwh"] / row["annual_kwh"] if row["annual_kwh"] > 0 else 1.0
        p_heat = portfolio.price(d["heat_price"], "heat").value if d["heat_price"] else p_el
        prices.append(el_share * p_el + (1 - el_share) * p_heat)
        grids.append(el_share * g_el)  # district heat's CO2 is not counted (no cited factor shipped)
    frame["price_per_kwh"], frame["grid"] = prices, grids
    ranked = portfolio.rank_portfolio(frame.drop(columns=["eui", "standard_guide"]))
    return ranked


def benchmarks_grid(name: str) -> float:
    """Grid factor [kg CO2e/kWh] by name (``ecocity.wastewater.ghg``)."""
    from ecocity.wastewater.ghg import grid_factor

    return float(grid_factor(name).kg_co2e_per_kwh)


def _sources(results: list[BuildingResult]) -> list[dict[str, str]]:
    from ecocity.wastewater.ghg import grid_factor

    out = [{"item": "baseline model", "value": "CalTRACK 2.0 (daily / billing / hourly TOWT)",
            "source": "CalTRACK methods 2.0, docs.caltrack.org; eemeter 2.10.11", "confidence": "V"}]
    cities = sorted({r.info["city"] for r in results})
    for city in cities:
        d = CITY_DEFAULTS.get(city)
        if d is None:
            continue
        for carrier, name in (("electricity", d["electricity_price"]), ("heat", d["heat_price"])):
            if name:
                p = portfolio.price(name, carrier)
                out.append({"item": f"{city} {carrier} price", "value": f"{p.value} {p.currency}/kWh ({p.name})",
                            "source": p.source, "confidence": p.confidence})
        g = grid_factor(d["grid"])
        out.append({"item": f"{city} grid electricity factor", "value": f"{g.kg_co2e_per_kwh} kg CO2e/kWh ({d['grid']})",
                    "source": str(getattr(g, "source", "")), "confidence": str(getattr(g, "confidence", ""))})
        if d["quota"]:
            out.append({"item": f"{city} quota rule", "value": f"own history × (1 − {QUOTA_REDUCTION_RATE})",
                        "source": "Beijing 2014 quota rule, secondary source (references/buildings.md sec. 5)",
                        "confidence": "1"})
    for r in results:
        b = r.benchmark
        if b.get("source") and not any(s["item"] == f"benchmark: {b['standard']}" for s in out):
            out.append({"item": f"benchmark: {b['standard']}", "value": str(b.get("verdict")),
                        "source": b["source"], "confidence": str(b.get("confidence"))})
    return out


def portfolio_section(result: PortfolioResult) -> dict[str, Any]:
    """The report's portfolio section (the shared P/Q schema), JSON-ready, buildings sorted by rank."""
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
                          "label": bench["label"], "confidence": bench["confidence"], "source": bench["source"]},
            "baseline": {"model_type": b.get("model_type", "none"), "heating_balance_c": b.get("heating_balance_c"),
                         "cooling_balance_c": b.get("cooling_balance_c"), "r_squared": b.get("r_squared", math.nan),
                         "cvrmse": b.get("cvrmse", math.nan), "nmbe": b.get("nmbe", math.nan),
                         "sufficient": bool(r.sufficiency["ok"]), "reasons": list(r.sufficiency["reasons"])},
            "flags": [{k: f[k] for k in ("kind", "severity", "start", "end", "message_en", "message_zh")}
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
