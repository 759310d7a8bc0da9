"""Synthetic (illustrative) hourly temperature and meter data with a known ground truth.

Everything made here is **synthetic**: series carry ``attrs["synthetic"] = True``, the model,
the parameters and the seed. The generators are pure (a :class:`numpy.random.Generator` seeded
by the caller); the parameters are data in ``buildings/data/synthetic_buildings.toml``, each with
its source and confidence mark.

Temperature model
-----------------
Daily mean ``T_d = N(d) + s(m) · a_d`` with

* ``N(d)`` a periodic piecewise-linear curve through knots at mid-month whose knot values are
  solved so that each calendar month's mean of ``N`` equals the monthly normal exactly
  (mean-preserving interpolation; plain interpolation of the normals would bias the extreme
  months by up to 0.7 °C);
* ``a_d`` a unit-variance AR(1) process, ``a_d = φ a_{d-1} + √(1-φ²) ε_d`` [1]_, with the
  observed lag-1 coefficient ``φ``;
* ``s(m)`` chosen so that the *expected within-month sample SD* of daily means equals the
  observed one: ``SD_m² = var_m(N) + s_m² (1 - ρ̄_m)``, where ``ρ̄_m = Σ_ij φ^|i-j| / n_m²`` is
  the part of an AR(1) variance a month-long sample cannot see.

Hourly values add a diurnal cosine ``(R_m / 2) cos(2π (h - 15) / 24)`` (maximum at 15:00,
minimum at 03:00, zero daily mean, so daily means are kept exactly); ``R_m`` is the monthly mean
diurnal range. Times are naive local clock times (no daylight-saving shifts).

Meter model
-----------
Daily use follows the change-point form of CalTRACK's daily model [2]_ (in °C here; CalTRACK
states its balance-point grid in °F, 30-90 °F = -1.1-32.2 °C)::

    E_d = B(occupied_d) + β_H · max(0, T_H - T_d) + β_C · max(0, T_d - T_C)

with a base ``B`` for occupied and unoccupied days (weekends, vacations) from the building
type's schedule. ``β_H`` and ``β_C`` are set so that the heating and cooling shares of the
type's annual use intensity are met in the city's expected climate (expected degree days from
the temperature model above, in closed form for a normal variate); the base takes the rest.
The day's total (× (1 + 5 % noise)) is spread over its hours by the occupancy profile (open
hours weight 1, closed hours the schedule's ``unoccupied_ratio``) with 5 % hourly noise,
renormalised so the daily totals are kept. Retrofits scale the coefficients from their date;
faults are added to the hourly series afterwards (see :class:`Fault`).

References
----------
.. [1] Richardson, C. W. (1981). Stochastic simulation of daily precipitation, temperature, and
   solar radiation. Water Resources Research 17(1), 182-190. doi:10.1029/WR017i001p00182
.. [2] CalTRACK Methods, version 2.0, sections 3.3-3.4 (daily and billing methods: HDD/CDD
   change-point models with balance points searched over 30-90 °F). https://www.caltrack.org
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from math import erf, exp, pi, sqrt
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from ecocity.errors import InputError

DATA_FILE = "synthetic_buildings.toml"
CITIES: tuple[str, ...] = ("beijing", "copenhagen")
CARRIERS: tuple[str, ...] = ("electricity", "district_heat")
FAULT_KINDS: tuple[str, ...] = ("baseload_creep", "night_share", "wrong_season_cooling", "level_shift", "stuck")
DEFAULT_FAULT_MAGNITUDE: dict[str, float] = {
    "baseload_creep": 0.3,
    "night_share": 0.5,
    "wrong_season_cooling": 0.4,
    "level_shift": 0.2,
    "stuck": 0.0,
}
"""Default fault magnitudes (see :class:`Fault` for what each one means). [-]"""
STUCK_DEFAULT_DAYS = 14
"""Length of a ``stuck`` fault without an end. [d]"""
DIURNAL_PEAK_HOUR = 15.0
"""Hour of the diurnal temperature maximum. [h]"""
TEMPERATURE_MODEL = "mean-preserving monthly normals + AR(1) daily anomaly + diurnal cosine"
METER_MODEL = "CalTRACK-form daily change-point model (base by day type, HDD/CDD slopes) + occupancy profile"
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


# --- parameters -----------------------------------------------------------------------------


@cache
def _data() -> dict[str, Any]:
    resource = resources.files("ecocity.buildings").joinpath("data", DATA_FILE)
    return tomllib.loads(resource.read_text(encoding="utf-8"))


def _value(record: Any) -> Any:
    return record["value"] if isinstance(record, dict) else record


def _city(city: str) -> dict[str, Any]:
    if city not in CITIES:
        raise InputError(f"unknown city {city!r}; expected one of {', '.join(CITIES)}", field="city")
    return _data()["weather"][city]


@dataclass(frozen=True)
class Schedule:
    """Occupancy of a building type.

    Attributes
    ----------
    open_hour, close_hour
        Occupied clock hours ``[open_hour, close_hour)``. [h]
    days
        Occupied weekdays, 0 = Monday.
    unoccupied_ratio
        Base load per unoccupied hour over base load per occupied hour. [-]
    vacations
        Closed periods as ``("MM-DD", "MM-DD")`` inclusive ranges (may wrap the new year).
    """

    open_hour: int
    close_hour: int
    days: tuple[int, ...]
    unoccupied_ratio: float
    vacations: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.open_hour < self.close_hour <= 24:
            raise InputError(f"occupied hours {self.open_hour}-{self.close_hour} must satisfy 0 <= open < close <= 24", field="schedule")
        if not 0.0 <= self.unoccupied_ratio <= 1.0:
            raise InputError(f"unoccupied_ratio {self.unoccupied_ratio} must be in [0, 1]", field="schedule")


@dataclass(frozen=True)
class MeterCoefficients:
    """The true coefficients of a synthetic meter's daily model (see the module notes).

    Attributes
    ----------
    base_occupied_day_kwh, base_unoccupied_day_kwh
        Weather-independent use on an occupied / unoccupied day. [kWh/d]
    heating_slope_kwh_per_k_day, heating_balance_c
        Heating slope per heating degree day and its balance point. [kWh/(K·d)], [°C]
    cooling_slope_kwh_per_k_day, cooling_balance_c
        Cooling slope per cooling degree day and its balance point. [kWh/(K·d)], [°C]
    """

    base_occupied_day_kwh: float
    base_unoccupied_day_kwh: float
    heating_slope_kwh_per_k_day: float
    heating_balance_c: float
    cooling_slope_kwh_per_k_day: float
    cooling_balance_c: float


@dataclass(frozen=True)
class Retrofit:
    """A measure that lowers the meter's coefficients from ``date`` on.

    ``saving`` is the fraction removed [-]; ``component`` says which coefficients: ``"all"``,
    ``"base"`` (both bases) or ``"weather"`` (both slopes).
    """

    date: str | pd.Timestamp
    saving: float
    component: Literal["all", "base", "weather"] = "all"

    def __post_init__(self) -> None:
        if not 0.0 <= self.saving < 1.0:
            raise InputError(f"retrofit saving {self.saving} must be a fraction in [0, 1)", field="retrofit")
        if self.component not in ("all", "base", "weather"):
            raise InputError(f"retrofit component {self.component!r}; expected all, base or weather", field="retrofit")


@dataclass(frozen=True)
class Fault:
    """An operational fault added to the hourly series from ``start`` (to ``end``, exclusive).

    Kinds and ``magnitude`` (defaults in :data:`DEFAULT_FAULT_MAGNITUDE`):

    * ``baseload_creep``: every hour gains ``magnitude`` × the mean base hour per year elapsed;
    * ``night_share``: every unoccupied hour gains ``magnitude`` × the occupied base hour
      (equipment or ventilation left on);
    * ``wrong_season_cooling``: occupied hours of days colder than the heating balance point gain
      ``magnitude`` × the occupied base hour (chillers fighting the heating);
    * ``level_shift``: the series is multiplied by ``1 + magnitude``;
    * ``stuck``: the meter repeats the reading of the hour before ``start`` until ``end``
      (14 days when no end is given).
    """

    kind: str
    start: str | pd.Timestamp
    end: str | pd.Timestamp | None = None
    magnitude: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise InputError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}", field="fault")


def load_schedule(building_type: str, city: str = "beijing") -> Schedule:
    """The shipped occupancy schedule of a building type (vacations of ``city``)."""
    schedules = _data()["schedule"]
    if building_type not in schedules:
        raise InputError(f"unknown building type {building_type!r}; expected one of {', '.join(schedules)}", field="building_type")
    record = schedules[building_type]
    vacations = record["vacations"]
    if isinstance(vacations, dict):
        vacations = vacations.get(city, [])
    return Schedule(
        open_hour=int(record["open_hour"]),
        close_hour=int(record["close_hour"]),
        days=tuple(int(d) for d in record["days"]),
        unoccupied_ratio=float(record["unoccupied_ratio"]),
        vacations=tuple((str(a), str(b)) for a, b in vacations),
    )


def _energy(building_type: str, city: str, carrier: str) -> dict[str, Any]:
    _city(city)
    if carrier not in CARRIERS:
        raise InputError(f"unknown carrier {carrier!r}; expected one of {', '.join(CARRIERS)}", field="carrier")
    try:
        return _data()["energy"][building_type][city][carrier]
    except KeyError as err:
        raise InputError(f"no synthetic parameters for a {building_type} in {city} ({carrier}) in {DATA_FILE}", field="building_type") from err


def typical_eui_kwh_per_m2(building_type: str, city: str = "beijing", carrier: str = "electricity") -> float:
    """The type's typical annual use intensity in the parameter file. [kWh/(m²·a)]"""
    return float(_value(_energy(building_type, city, carrier)["eui_kwh_per_m2"]))


# --- temperature ----------------------------------------------------------------------------


def _month_of_day() -> np.ndarray:
    return np.repeat(np.arange(12), _MONTH_DAYS)


@cache
def _climatology(city: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Daily normal N(d), anomaly scale s(d), diurnal range R(d) over a 365-day year, and φ."""
    weather = _city(city)
    target = np.asarray(_value(weather["monthly_mean_c"]), dtype=float)
    sd_month = np.asarray(_value(weather["within_month_sd_c"]), dtype=float)
    diurnal = np.asarray(_value(weather["diurnal_range_c"]), dtype=float)
    phi = float(_value(weather["ar1"]))
    month = _month_of_day()
    day = np.arange(365, dtype=float)
    first = np.concatenate([[0], np.cumsum(_MONTH_DAYS)[:-1]])
    knots = first + (_MONTH_DAYS - 1) / 2.0
    # Periodic linear interpolation weights W (365 × 12) between neighbouring mid-month knots.
    ext = np.concatenate([knots[-1:] - 365.0, knots, knots[:1] + 365.0])
    idx = np.searchsorted(ext, day, side="right") - 1
    frac = (day - ext[idx]) / (ext[idx + 1] - ext[idx])
    weights = np.zeros((365, 12))
    rows = np.arange(365)
    np.add.at(weights, (rows, (idx - 1) % 12), 1.0 - frac)
    np.add.at(weights, (rows, idx % 12), frac)
    averaging = np.zeros((12, 365))
    averaging[month, rows] = 1.0 / _MONTH_DAYS[month]
    normal = weights @ np.linalg.solve(averaging @ weights, target)
    # Anomaly scale: the expected within-month sample variance of AR(1) is s²(1 - ρ̄).
    scale = np.empty(12)
    for m in range(12):
        n = _MONTH_DAYS[m]
        lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        rho_bar = float(np.sum(phi**lags)) / n**2
        seen = sd_month[m] ** 2 - float(np.var(normal[month == m]))
        scale[m] = sqrt(max(seen, (0.25 * sd_month[m]) ** 2) / (1.0 - rho_bar))
    return normal, scale[month], diurnal[month], phi


def _day_of_year(days: pd.DatetimeIndex) -> np.ndarray:
    """Index into a 365-day year (29 February reads 28 February)."""
    first = np.concatenate([[0], np.cumsum(_MONTH_DAYS)[:-1]])
    return first[days.month - 1] + np.minimum(days.day, _MONTH_DAYS[days.month - 1]) - 1


def synthetic_temperature(
    city: str = "beijing",
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2025-01-01",
    freq: str = "h",
    seed: int = 0,
) -> pd.Series:
    """A synthetic air-temperature series for Beijing or Copenhagen.

    Parameters
    ----------
    city
        ``"beijing"`` or ``"copenhagen"``.
    start, end
        First time step (inclusive) and end (exclusive), naive local clock time.
    freq
        ``"h"`` (hourly, with the diurnal cycle) or ``"D"`` (daily means).
    seed
        Seed of the :func:`numpy.random.default_rng` generator.

    Returns
    -------
    pandas.Series
        Temperature named ``"temperature_c"`` [°C] on a naive DatetimeIndex; ``attrs`` holds
        ``synthetic=True``, the model, the city, the seed and the parameter file.

    Raises
    ------
    InputError
        Unknown city, unsupported ``freq`` or an empty period.

    Notes
    -----
    The model is in the module notes; its parameters (monthly means, within-month SD and AR(1)
    coefficient of daily means from the ASHRAE IWEC typical years, diurnal ranges) are in
    ``synthetic_buildings.toml`` with their sources.

    Examples
    --------
    >>> t = synthetic_temperature("copenhagen", "2023-01-01", "2023-01-03", seed=1)
    >>> len(t), t.name
    (48, 'temperature_c')
    """
    normal, scale, diurnal, phi = _climatology(city)
    if freq not in ("h", "D"):
        raise InputError(f"freq {freq!r} is not supported; expected 'h' or 'D'", field="freq")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    days = pd.date_range(start.floor("D"), end.ceil("D"), freq="D", inclusive="left")
    if end <= start or len(days) == 0:
        raise InputError(f"empty period {start} .. {end}; end must be after start", field="end")
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal(len(days))
    innovation = sqrt(1.0 - phi**2)
    # a_0 = ε_0 (stationary start), a_d = φ a_{d-1} + √(1-φ²) ε_d
    anomaly, _ = lfilter([innovation], [1.0, -phi], shocks, zi=[(1.0 - innovation) * shocks[0]])
    doy = _day_of_year(days)
    daily = normal[doy] + scale[doy] * anomaly
    if freq == "D":
        values, index = daily, days
    else:
        hours = np.arange(24.0)
        cycle = np.cos(2.0 * pi * (hours - DIURNAL_PEAK_HOUR) / 24.0)
        values = (daily[:, None] + 0.5 * diurnal[doy][:, None] * cycle[None, :]).ravel()
        index = pd.date_range(days[0], periods=len(values), freq="h")
    series = pd.Series(values, index=index, name="temperature_c")
    series = series[(series.index >= start) & (series.index < end)]
    series.attrs.update(synthetic=True, model=TEMPERATURE_MODEL, city=city, seed=seed, parameters=DATA_FILE)
    return series


def expected_degree_days(city: str, balance_c: float, kind: Literal["heating", "cooling"]) -> float:
    """Expected annual degree days of the synthetic climate at a balance point.

    ``E[max(0, T_b - T)]`` (heating) or ``E[max(0, T - T_b)]`` (cooling) for each day's normal
    variate ``T ~ N(N(d), σ(d))``, summed over a 365-day year (closed form: ``(μ' ) Φ(z) + σ φ(z)``).

    Returns
    -------
    float
        Degree days. [K·d/a]
    """
    normal, scale, _, _ = _climatology(city)
    sign = 1.0 if kind == "heating" else -1.0
    total = 0.0
    for mu, sigma in zip(normal, scale, strict=True):
        gap = sign * (balance_c - mu)
        z = gap / sigma
        total += gap * 0.5 * (1.0 + erf(z / sqrt(2.0))) + sigma * exp(-0.5 * z * z) / sqrt(2.0 * pi)
    return total


# --- meters ---------------------------------------------------------------------------------


def occupied_days(days: pd.DatetimeIndex, schedule: Schedule) -> np.ndarray:
    """True for the days the schedule occupies (its weekdays, outside vacations)."""
    occupied = np.isin(days.day_of_week, schedule.days)
    month_day = days.strftime("%m-%d")
    for first, last in schedule.vacations:
        if first <= last:
            inside = (month_day >= first) & (month_day <= last)
        else:
            inside = (month_day >= first) | (month_day <= last)
        occupied &= ~np.asarray(inside)
    return occupied


def meter_coefficients(
    building_type: str,
    floor_area_m2: float,
    *,
    city: str = "beijing",
    carrier: str = "electricity",
    eui_kwh_per_m2: float | None = None,
    schedule: Schedule | None = None,
) -> MeterCoefficients:
    """The daily-model coefficients that give a building its annual use intensity.

    Parameters
    ----------
    building_type
        A type of ``synthetic_buildings.toml`` (office, school, hospital, mall, daycare).
    floor_area_m2
        Floor area. [m²]
    city, carrier
        Climate and meter (``"electricity"`` or ``"district_heat"``).
    eui_kwh_per_m2
        Annual use per m² in the expected climate [kWh/(m²·a)]; default: the type's value.
    schedule
        Occupancy; default: the type's shipped schedule.

    Returns
    -------
    MeterCoefficients
        Bases [kWh/d], slopes [kWh/(K·d)] and balance points [°C].

    Notes
    -----
    With ``E = eui · A``: ``β_H = share_H · E / HDD(T_H)``, ``β_C = share_C · E / CDD(T_C)``
    (expected degree days of :func:`expected_degree_days`), and the bases solve
    ``n_occ · B_occ + n_unocc · B_unocc = (1 - share_H - share_C) · E`` with
    ``B_occ = b (h_open + r (24 - h_open))`` and ``B_unocc = 24 r b`` (``r`` the unoccupied
    ratio), day counts from the calendar year 2023.
    """
    if not floor_area_m2 > 0.0:
        raise InputError(f"floor area {floor_area_m2} m² must be positive", field="floor_area_m2")
    energy = _energy(building_type, city, carrier)
    schedule = schedule or load_schedule(building_type, city)
    eui = typical_eui_kwh_per_m2(building_type, city, carrier) if eui_kwh_per_m2 is None else float(eui_kwh_per_m2)
    if not eui > 0.0:
        raise InputError(f"EUI {eui} kWh/(m²·a) must be positive", field="eui_kwh_per_m2")
    annual = eui * floor_area_m2
    share_h, share_c = float(_value(energy["heating_share"])), float(_value(energy["cooling_share"]))
    t_h, t_c = float(_value(energy["heating_balance_c"])), float(_value(energy["cooling_balance_c"]))
    hdd, cdd = expected_degree_days(city, t_h, "heating"), expected_degree_days(city, t_c, "cooling")
    beta_h = float(share_h * annual / hdd) if share_h > 0.0 else 0.0
    beta_c = float(share_c * annual / cdd) if share_c > 0.0 else 0.0
    year = pd.date_range("2023-01-01", "2023-12-31", freq="D")
    n_occ = int(occupied_days(year, schedule).sum())
    r, h_open = schedule.unoccupied_ratio, schedule.close_hour - schedule.open_hour
    occ_day, unocc_day = h_open + r * (24 - h_open), 24.0 * r
    hourly_base = (1.0 - share_h - share_c) * annual / (n_occ * occ_day + (len(year) - n_occ) * unocc_day)
    return MeterCoefficients(
        base_occupied_day_kwh=hourly_base * occ_day,
        base_unoccupied_day_kwh=hourly_base * unocc_day,
        heating_slope_kwh_per_k_day=beta_h,
        heating_balance_c=t_h,
        cooling_slope_kwh_per_k_day=beta_c,
        cooling_balance_c=t_c,
    )


def daily_use_kwh(coefficients: MeterCoefficients, daily_temperature_c: np.ndarray, occupied: np.ndarray) -> np.ndarray:
    """Noise-free daily use of the change-point model. [kWh/d]"""
    c = coefficients
    t = np.asarray(daily_temperature_c, dtype=float)
    base = np.where(occupied, c.base_occupied_day_kwh, c.base_unoccupied_day_kwh)
    return (
        base
        + c.heating_slope_kwh_per_k_day * np.maximum(0.0, c.heating_balance_c - t)
        + c.cooling_slope_kwh_per_k_day * np.maximum(0.0, t - c.cooling_balance_c)
    )


def retrofitted(coefficients: MeterCoefficients, retrofit: Retrofit) -> MeterCoefficients:
    """The coefficients after a retrofit (bases and/or slopes × (1 - saving))."""
    keep = 1.0 - retrofit.saving
    base = keep if retrofit.component in ("all", "base") else 1.0
    weather = keep if retrofit.component in ("all", "weather") else 1.0
    c = coefficients
    return MeterCoefficients(
        base_occupied_day_kwh=c.base_occupied_day_kwh * base,
        base_unoccupied_day_kwh=c.base_unoccupied_day_kwh * base,
        heating_slope_kwh_per_k_day=c.heating_slope_kwh_per_k_day * weather,
        heating_balance_c=c.heating_balance_c,
        cooling_slope_kwh_per_k_day=c.cooling_slope_kwh_per_k_day * weather,
        cooling_balance_c=c.cooling_balance_c,
    )


def _check_hourly(temperature_c: pd.Series) -> None:
    index = temperature_c.index
    if not isinstance(temperature_c, pd.Series) or not isinstance(index, pd.DatetimeIndex):
        raise InputError("temperature must be a pandas Series on a DatetimeIndex", field="temperature_c")
    if index.tz is not None:
        raise InputError("temperature must be on a naive local-time index (days of 24 hours); use .tz_localize(None)", field="temperature_c")
    if len(index) < 24 or len(index) % 24 or index[0] != index[0].floor("D"):
        raise InputError("temperature must be hourly and cover whole days (first step at 00:00)", field="temperature_c")
    steps = index[1:] - index[:-1]
    if not (steps == pd.Timedelta(hours=1)).all():
        raise InputError("temperature must be a regular hourly series without gaps", field="temperature_c")
    if temperature_c.isna().any():
        raise InputError("temperature has missing values; fill them before generating meters", field="temperature_c")


def _apply_fault(
    hourly: np.ndarray, index: pd.DatetimeIndex, fault: Fault, open_hours: np.ndarray,
    daily_t: np.ndarray, hourly_base: float, mean_base: float, heating_balance_c: float,
) -> np.ndarray:
    start = pd.Timestamp(fault.start)
    magnitude = DEFAULT_FAULT_MAGNITUDE[fault.kind] if fault.magnitude is None else float(fault.magnitude)
    if fault.end is not None:
        end = pd.Timestamp(fault.end)
    elif fault.kind == "stuck":
        end = start + pd.Timedelta(days=STUCK_DEFAULT_DAYS)
    else:
        end = index[-1] + pd.Timedelta(hours=1)
    active = np.asarray((index >= start) & (index < end))
    out = hourly.copy()
    if fault.kind == "baseload_creep":
        years = (index - start) / pd.Timedelta(days=365)
        out += np.where(active, magnitude * mean_base * np.asarray(years), 0.0)
    elif fault.kind == "night_share":
        out += np.where(active & ~open_hours, magnitude * hourly_base, 0.0)
    elif fault.kind == "wrong_season_cooling":
        cold = np.repeat(daily_t < heating_balance_c, 24)
        out += np.where(active & open_hours & cold, magnitude * hourly_base, 0.0)
    elif fault.kind == "level_shift":
        out *= np.where(active, 1.0 + magnitude, 1.0)
    elif active.any():  # stuck
        first = int(np.argmax(active))
        if first == 0:
            raise InputError("a stuck meter needs a reading before the first faulty hour; start the fault later", field="fault")
        out[active] = hourly[first - 1]
    return out


def synthetic_meter(
    building_type: str,
    floor_area_m2: float,
    temperature_c: pd.Series,
    *,
    city: str = "beijing",
    carrier: str = "electricity",
    eui_kwh_per_m2: float | None = None,
    schedule: Schedule | None = None,
    retrofit: Retrofit | tuple | None = None,
    fault: Fault | tuple | None = None,
    noise: bool = True,
    seed: int = 0,
) -> pd.Series:
    """A synthetic hourly meter series with known coefficients.

    Parameters
    ----------
    building_type
        A type of ``synthetic_buildings.toml`` (office, school, hospital, mall; daycare in
        Copenhagen).
    floor_area_m2
        Floor area. [m²]
    temperature_c
        Hourly outdoor temperature on a regular naive DatetimeIndex covering whole days. [°C]
    city, carrier
        Climate of the coefficients and the meter (``"electricity"``, ``"district_heat"``).
    eui_kwh_per_m2
        Annual use intensity in the expected climate [kWh/(m²·a)]; default: the type's value.
    schedule
        Occupancy; default: the type's shipped schedule.
    retrofit
        A :class:`Retrofit` (or ``(date, saving[, component])``) or None.
    fault
        A :class:`Fault` (or ``(kind, start[, end[, magnitude]])``) or None.
    noise
        Add the daily and hourly noise of the parameter file (False: the exact model).
    seed
        Seed of the :func:`numpy.random.default_rng` generator.

    Returns
    -------
    pandas.Series
        Hourly use named ``"value"`` [kWh] on the temperature's index (interval start).
        ``attrs``: ``synthetic=True``, model, type, city, carrier, floor area, seed,
        ``coefficients`` (and ``coefficients_after_retrofit``) as dicts, retrofit and fault.

    Raises
    ------
    InputError
        Unknown type/city/carrier, non-hourly temperature, a bad retrofit or fault.
    """
    _check_hourly(temperature_c)
    if isinstance(retrofit, tuple):
        retrofit = Retrofit(*retrofit)
    if isinstance(fault, tuple):
        fault = Fault(*fault)
    schedule = schedule or load_schedule(building_type, city)
    coefficients = meter_coefficients(
        building_type, floor_area_m2, city=city, carrier=carrier, eui_kwh_per_m2=eui_kwh_per_m2, schedule=schedule
    )
    index = pd.DatetimeIndex(temperature_c.index)
    n_days = len(index) // 24
    days = index[::24]
    daily_t = temperature_c.to_numpy(dtype=float).reshape(n_days, 24).mean(axis=1)
    occupied = occupied_days(days, schedule)
    daily = daily_use_kwh(coefficients, daily_t, occupied)
    after = None
    if retrofit is not None:
        after = retrofitted(coefficients, retrofit)
        later = np.asarray(days >= pd.Timestamp(retrofit.date).floor("D"))
        daily = np.where(later, daily_use_kwh(after, daily_t, occupied), daily)
    hours = np.arange(24)
    open_hour = (hours >= schedule.open_hour) & (hours < schedule.close_hour)
    profile = np.where(occupied[:, None] & open_hour[None, :], 1.0, schedule.unoccupied_ratio)
    profile = np.where(occupied[:, None], profile, 1.0)  # unoccupied days: flat
    rng = np.random.default_rng(seed)
    if noise:
        noise_cfg = _data()["noise"]
        daily = daily * np.clip(1.0 + float(_value(noise_cfg["daily"])) * rng.standard_normal(n_days), 0.0, None)
        profile = profile * np.clip(1.0 + float(_value(noise_cfg["hourly"])) * rng.standard_normal(profile.shape), 0.05, None)
    hourly = (daily[:, None] * profile / profile.sum(axis=1, keepdims=True)).ravel()
    if fault is not None:
        r, h_open = schedule.unoccupied_ratio, schedule.close_hour - schedule.open_hour
        hourly_base = coefficients.base_occupied_day_kwh / (h_open + r * (24 - h_open))
        mean_base = float(np.mean(np.where(occupied, coefficients.base_occupied_day_kwh, coefficients.base_unoccupied_day_kwh))) / 24.0
        open_hours = (occupied[:, None] & open_hour[None, :]).ravel()
        hourly = _apply_fault(hourly, index, fault, open_hours, daily_t, hourly_base, mean_base, coefficients.heating_balance_c)
    series = pd.Series(hourly, index=index, name="value")
    series.attrs.update(
        synthetic=True,
        model=METER_MODEL,
        building_type=building_type,
        city=city,
        carrier=carrier,
        floor_area_m2=float(floor_area_m2),
        eui_kwh_per_m2=typical_eui_kwh_per_m2(building_type, city, carrier) if eui_kwh_per_m2 is None else float(eui_kwh_per_m2),
        seed=seed,
        coefficients=asdict(coefficients),
        coefficients_after_retrofit=None if after is None else asdict(after),
        retrofit=None if retrofit is None else {**asdict(retrofit), "date": str(pd.Timestamp(retrofit.date).date())},
        fault=None if fault is None else {k: (None if v is None else str(v) if k in ("start", "end") else v) for k, v in asdict(fault).items()},
    )
    return series
