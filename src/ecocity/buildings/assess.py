"""Buildings orchestration: one building end to end (a portfolio: :mod:`ecocity.buildings.portfolio_run`).

:func:`assess_building` takes a meter and a temperature series through the buildings area:
data sufficiency (CalTRACK 2.2.1), a baseline fit (CalTRACK daily, billing or hourly) on the 365
days before the intervention (or the first 365 days), anomaly flags, annual use, EUI and the
benchmark of its city (GB/T 51161-2016 in China, the Danish energy-label scale in Denmark), and
avoided energy use after a given intervention date (IPMVP option C).

The portfolio names (:func:`assess_portfolio`, :func:`portfolio_section`, :class:`PortfolioResult`,
:func:`read_portfolio`, ``CITY_DEFAULTS``…) live in :mod:`ecocity.buildings.portfolio_run` and are
also reachable from here.

Units: energy [kWh], temperature [°C]; CalTRACK's °F constants are converted inside the fits.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings import anomalies, benchmarks, calendars, caltrack, meters, savings, temperature
from ecocity.buildings.hourly_baseline import fit_hourly_baseline
from ecocity.errors import EcocityError, InputError

#: Baseline models of :func:`assess_building`.
MODELS: tuple[str, ...] = ("daily", "billing", "hourly")
#: Days of a baseline and of a reporting period (CalTRACK 2.2.1.1). [d]
PERIOD_DAYS = 365
#: Share of a calendar year's days with data for it to count as a full year. [1]
FULL_YEAR_SHARE = 0.9
#: Names of :mod:`ecocity.buildings.portfolio_run` reachable from this module.
_PORTFOLIO_NAMES = frozenset({"PortfolioResult", "assess_portfolio", "portfolio_section", "read_portfolio",
                              "CITY_DEFAULTS", "REQUIRED_COLUMNS", "QUOTA_REDUCTION_RATE", "METER_KINDS"})


def __getattr__(name: str) -> Any:
    """The portfolio names, from :mod:`ecocity.buildings.portfolio_run` (imported on first use)."""
    if name in _PORTFOLIO_NAMES:
        from ecocity.buildings import portfolio_run

        return getattr(portfolio_run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    after = t_hourly[t_hourly.index >= end]
    baseline = fit_hourly_baseline(u, t_hourly.reindex(u.index), baseline_end=end,
                                   reporting_temperature_c=after if len(after) else None,
                                   zero_is_missing=meter.fuel == "electricity")  # fmt: skip
    fitted = baseline.model
    out = baseline.to_dict()  # with CT2 2.2.1.2 data sufficiency and the 3.7.5 segmentation choice
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


@lru_cache(maxsize=256)
def annual_use_hours(occupancy: str, city: str | None, building_type: str | None, year: int) -> float:
    """Annual use time T of an opening-hours text over a calendar year. [h/a]

    T = (occupied days of ``year``) × (daily open hours); occupied days follow the weekdays of
    ``occupancy`` (``"Mon-Fri 08-18"``) and, where the city has a holiday calendar, its public
    holidays, make-up working days and the type's breaks (:meth:`~ecocity.buildings.calendars.Calendar.occupied`).
    This is the T of the GB/T 51161-2016 use-time correction (worked example: 14 h × 250 d + …).
    Cached: a portfolio's buildings share a few schedules.
    """
    spec = anomalies.parse_occupancy(occupancy)
    h0, h1 = spec["occupied_hours"]
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    if city is None or calendars.country_of(city) is None:
        on = np.isin(days.day_of_week, spec["occupied_weekdays"])
    else:
        on = calendars.building_calendar(city, building_type, [year]).occupied(days, spec["occupied_weekdays"])
    return float(np.count_nonzero(on) * (h1 - h0))


def _benchmark(city: str, building_type: str, area: float | None, electricity_kwh: float, heat_kwh: float, *,
               indicators: Any = None, use_hours: float | None = None,
               occupants: float | None = None) -> dict[str, Any]:
    """The city's standard: GB/T 51161-2016 for Chinese cities, the Danish label scale for Copenhagen.

    For GB/T 51161 the measured EUI is corrected by the use time ``use_hours`` [h/a] and the floor
    area per occupant (``area / occupants``) where the type has a correction; ``correction_factor``
    = γ1·γ2 (1 without one), so the guide value at this building's use is guide / factor.
    """
    blank = {"standard": "none", "guide_kwh_per_m2": None, "constraint_kwh_per_m2": None, "verdict": "not assessed",
             "label": None, "confidence": "", "source": "", "note": "", "correction_factor": 1.0}
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
    a = benchmarks.gbt51161_assessment(building_type, zone, electricity_kwh / area, use_hours=use_hours,
                                       occupancy=area / occupants if occupants else None, table=indicators)
    return {**blank, "standard": "GB/T 51161-2016 (non-heating EUI)", "guide_kwh_per_m2": a.guide_kwh_per_m2,
            "constraint_kwh_per_m2": a.constraint_kwh_per_m2, "verdict": a.verdict,
            "confidence": a.confidence or "NF", "source": a.source or "GB/T 51161-2016 tables not read", "note": a.note,
            "corrected_eui_kwh_per_m2": a.corrected_eui_kwh_per_m2, "use_time_factor": a.use_time_factor,
            "occupancy_factor": a.occupancy_factor, "use_hours_per_a": use_hours,
            "correction_factor": a.use_time_factor * a.occupancy_factor}


def _flag_dict(f: anomalies.Flag, meter: str = "electricity") -> dict[str, Any]:
    """A flag as JSON; a heat meter's messages say so (the electricity meter's are the default)."""
    en, zh = ("Heat meter: ", "热表：") if meter == "heat" else ("", "")
    return {"kind": f.kind, "severity": f.severity, "meter": meter, "start": _day(f.start), "end": _day(f.end),
            "message_en": en + f.message_en, "message_zh": zh + f.message_zh,
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
                    flags: bool = True, temperature_daily: pd.Series | None = None, indicators: Any = None,
                    occupants: float | None = None) -> BuildingResult:
    """One building through the buildings area: sufficiency, baseline, flags, annual use, EUI, benchmark, savings.

    Parameters
    ----------
    meter
        Electricity meter: a file (CSV ``timestamp,value`` or Parquet; ``start,end,value`` for
        billing periods) or a :class:`~ecocity.buildings.meters.MeterData`. Billing periods are
        always fitted with the billing model, and the anomaly flags (which need interval data) are
        skipped with a note.
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
    indicators
        The user's GB/T 51161-2016 rows (:func:`~ecocity.buildings.user_indicators.read_indicator_table`),
        used before the shipped ones.
    occupants
        Usual number of occupants, for the GB/T 51161 occupancy correction (offices). [persons]

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
    if m.kind == "billing" and model != "billing":
        notes.append(f"billing periods are fitted with the CalTRACK billing model, not the {model} model")
        model = "billing"
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
    if flags and m.kind == "billing":
        notes.append("anomaly flags need interval data (daily or finer): not computed for billing periods")
    elif flags:
        daily_model = fitted if isinstance(fitted, caltrack.BaselineModel) else None
        use = _hourly_usage(m)
        use = daily if use is None else use
        try:
            flag_list = [_flag_dict(f) for f in anomalies.all_flags(use, temp, daily_model, occupancy=occupancy,
                                                                    building_type=building_type, city=city)]
        except EcocityError as err:
            notes.append(f"anomaly flags not computed: {err}")
    by_year = _full_years(daily)
    heat_daily = None
    if heat_meter is not None:
        heat_daily = meters.daily_usage(_as_meter(heat_meter, unit, timezone))
    heat_years = _full_years(heat_daily) if heat_daily is not None else {}
    if flags and heat_daily is not None:
        try:
            flag_list += [_flag_dict(f, "heat") for f in anomalies.heat_meter_flags(
                heat_daily, temp, occupancy=occupancy, building_type=building_type, city=city)]  # fmt: skip
        except EcocityError as err:
            notes.append(f"heat-meter anomaly flags not computed: {err}")
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
    use_hours = annual_use_hours(occupancy, city, ctype, int(year)) if occupancy else None
    bench = _benchmark((city or "").lower(), ctype, floor_area_m2, el, heat if heat_daily is not None else 0.0,
                       indicators=indicators, use_hours=use_hours, occupants=occupants)
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
