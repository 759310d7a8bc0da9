"""Potential evaporation from temperature: FAO-56 extraterrestrial radiation and Hargreaves ET0.

Used for SWMM's monthly evaporation (``EVAPORATION MONTHLY``), where only temperature normals are
at hand. Reference evapotranspiration ET0 of the grass reference surface stands in for potential
evaporation; Hargreaves is FAO-56's fallback when radiation, humidity and wind are missing.

References
----------
Allen, R. G., Pereira, L. S., Raes, D., Smith, M. (1998). Crop evapotranspiration: guidelines for
computing crop water requirements. FAO Irrigation and Drainage Paper 56, Rome, Chapter 3
(eqs. 20-25 and 52). https://www.fao.org/3/x0490e/x0490e00.htm
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import numpy as np

from ecocity.errors import InputError

SOLAR_CONSTANT_MJ_PER_M2_MIN = 0.0820
"""G_sc of FAO-56 eq. 21. [MJ m⁻² min⁻¹]"""

MM_PER_MJ_PER_M2 = 0.408
"""Equivalent evaporation of 1 MJ m⁻², 1/λ with λ = 2.45 MJ kg⁻¹ (FAO-56 eq. 20). [mm m² MJ⁻¹]"""

HARGREAVES_COEFFICIENT = 0.0023
"""Empirical coefficient of FAO-56 eq. 52. [°C^-1.5]"""

HARGREAVES_TEMPERATURE_OFFSET_C = 17.8
"""Offset added to the mean temperature in FAO-56 eq. 52. [°C]"""

MID_MONTH_DAY_OF_YEAR = tuple(date(2001, month, 15).timetuple().tm_yday for month in range(1, 13))
"""Day of year of the 15th of each month in a 365-day year: 15, 46, 74, ..., 349."""

NORMALS_FILE = "beijing_temperature_normals.toml"
HARGREAVES_METHOD = "Hargreaves ET0, FAO-56 eq. 52, Ra (eqs. 21-25) on the 15th of each month"


def extraterrestrial_radiation_mj_per_m2_day(latitude_deg, day_of_year):
    """Daily extraterrestrial radiation on a horizontal surface.

    Parameters
    ----------
    latitude_deg
        Latitude φ, positive north. [degrees]
    day_of_year
        Day number J, 1 on 1 January. [-]

    Returns
    -------
    float or numpy.ndarray
        Ra. [MJ m⁻² day⁻¹]

    Raises
    ------
    InputError
        For a latitude outside ±90° or a day outside 1-366.

    Notes
    -----
    FAO-56 eqs. 21-25:

    .. math::
        R_a = \\frac{24 (60)}{π} G_{sc} d_r [ω_s \\sin φ \\sin δ + \\cos φ \\cos δ \\sin ω_s],\\quad
        d_r = 1 + 0.033 \\cos(2πJ/365),\\quad
        δ = 0.409 \\sin(2πJ/365 − 1.39),\\quad
        ω_s = \\arccos(−\\tan φ \\tan δ)

    Beyond the polar circles −tan φ tan δ leaves [−1, 1]; it is clipped there, giving ω_s = 0
    (polar night, Ra = 0) or ω_s = π (midnight sun), the limits FAO-56 eq. 25 tends to.

    References
    ----------
    Allen et al. (1998), FAO Irrigation and Drainage Paper 56, Chapter 3, eqs. 21-25; Example 8.

    Examples
    --------
    FAO-56 Example 8, 20° S on 3 September (J = 246): Ra = 32.2 MJ m⁻² day⁻¹.

    >>> round(extraterrestrial_radiation_mj_per_m2_day(-20.0, 246), 1)
    32.2
    """
    phi = np.radians(_check_latitude(latitude_deg))
    day = np.asarray(day_of_year, dtype=float)
    if np.isnan(day).any() or (day < 1).any() or (day > 366).any():
        raise InputError(f"day of year must be 1-366, got {day_of_year}", field="day_of_year")
    angle = 2.0 * np.pi * day / 365.0
    inverse_distance = 1.0 + 0.033 * np.cos(angle)  # d_r, eq. 23
    declination = 0.409 * np.sin(angle - 1.39)  # δ, eq. 24
    sunset_hour_angle = np.arccos(np.clip(-np.tan(phi) * np.tan(declination), -1.0, 1.0))  # ω_s, eq. 25
    ra = (
        24.0 * 60.0 / np.pi
        * SOLAR_CONSTANT_MJ_PER_M2_MIN
        * inverse_distance
        * (
            sunset_hour_angle * np.sin(phi) * np.sin(declination)
            + np.cos(phi) * np.cos(declination) * np.sin(sunset_hour_angle)
        )
    )
    return float(ra) if ra.ndim == 0 else ra


def hargreaves_et0_mm_per_day(t_min_c, t_max_c, ra_mj_per_m2_day):
    """Reference evapotranspiration by the Hargreaves equation.

    Parameters
    ----------
    t_min_c
        Mean daily minimum air temperature. [°C]
    t_max_c
        Mean daily maximum air temperature. [°C]
    ra_mj_per_m2_day
        Extraterrestrial radiation. [MJ m⁻² day⁻¹]

    Returns
    -------
    float or numpy.ndarray
        ET0. [mm/d]

    Raises
    ------
    InputError
        If Tmax < Tmin, Ra < 0, or any input is NaN.

    Notes
    -----
    FAO-56 eq. 52, with Ra turned into equivalent evaporation by 0.408 (eq. 20):

    .. math:: ET_0 = 0.0023 (T_{mean} + 17.8) (T_{max} − T_{min})^{0.5} \\cdot 0.408 R_a,
              \\quad T_{mean} = (T_{max} + T_{min}) / 2

    Where T_mean < −17.8 °C the formula turns negative, which has no physical meaning; ET0 is 0
    there. FAO-56 advises checking Hargreaves against Penman-Monteith locally; it is meant for
    periods of five days or longer, so monthly normals suit it.

    References
    ----------
    Allen et al. (1998), FAO Irrigation and Drainage Paper 56, Chapter 3, eqs. 20 and 52;
    Hargreaves, G. H., Samani, Z. A. (1985), Applied Engineering in Agriculture 1(2):96-99,
    doi:10.13031/2013.26773.

    Examples
    --------
    Lyon in mid-July with FAO-56 Example 15's inputs: 0.0023 · 38.5 · √11.8 · 0.408 · 40.6.

    >>> round(hargreaves_et0_mm_per_day(14.8, 26.6, 40.6), 2)
    5.04
    """
    t_min = np.asarray(t_min_c, dtype=float)
    t_max = np.asarray(t_max_c, dtype=float)
    ra = np.asarray(ra_mj_per_m2_day, dtype=float)
    if np.isnan(t_min).any() or np.isnan(t_max).any() or np.isnan(ra).any():
        raise InputError("temperatures and radiation must be numbers, got NaN")
    if (t_max < t_min).any():
        raise InputError(
            f"daily maximum temperature {t_max_c} °C is below the minimum {t_min_c} °C; Tmax must be ≥ Tmin",
            field="t_max_c",
        )
    if (ra < 0).any():
        raise InputError(f"extraterrestrial radiation must be ≥ 0, got {ra_mj_per_m2_day}", field="ra_mj_per_m2_day")
    t_mean = (t_max + t_min) / 2.0
    et0 = (
        HARGREAVES_COEFFICIENT
        * np.maximum(t_mean + HARGREAVES_TEMPERATURE_OFFSET_C, 0.0)
        * np.sqrt(t_max - t_min)
        * MM_PER_MJ_PER_M2
        * ra
    )
    return float(et0) if et0.ndim == 0 else et0


def monthly_et0_mm_per_day(t_min_c, t_max_c, latitude_deg: float) -> tuple[float, ...]:
    """Hargreaves ET0 for each calendar month from monthly temperature normals.

    Parameters
    ----------
    t_min_c
        Twelve monthly means of the daily minimum temperature, January first. [°C]
    t_max_c
        Twelve monthly means of the daily maximum temperature, January first. [°C]
    latitude_deg
        Latitude, positive north. [degrees]

    Returns
    -------
    tuple of float
        Twelve mean daily ET0 values, January first. [mm/d]

    Raises
    ------
    InputError
        If either series does not hold 12 values, Tmax < Tmin in a month, or the latitude is
        outside ±90°.

    Notes
    -----
    Ra is taken on the 15th of each month (J = 15, 46, ..., 349), as FAO-56 does for its monthly
    Ra table (Annex 2, Table 2.6); over a month Ra is close to linear in J, so the mid-month value
    stands for the month's mean.

    References
    ----------
    Allen et al. (1998), FAO Irrigation and Drainage Paper 56, Chapter 3, eqs. 21-25 and 52.
    """
    t_min = _twelve(t_min_c, "t_min_c")
    t_max = _twelve(t_max_c, "t_max_c")
    if (t_max < t_min).any():
        months = ", ".join(str(m + 1) for m in np.flatnonzero(t_max < t_min))
        raise InputError(f"Tmax is below Tmin in month(s) {months} (1 = January); Tmax must be ≥ Tmin", field="t_max_c")
    _check_latitude(latitude_deg)
    ra = extraterrestrial_radiation_mj_per_m2_day(latitude_deg, np.array(MID_MONTH_DAY_OF_YEAR))
    return tuple(float(v) for v in hargreaves_et0_mm_per_day(t_min, t_max, ra))


@dataclass(frozen=True)
class MonthlyEvaporation:
    """Monthly potential evaporation with its provenance.

    ``values_mm_per_day`` holds twelve mean daily rates, January first. [mm/d]
    """

    values_mm_per_day: tuple[float, ...]
    method: str
    source: str
    confidence: str
    period: str
    latitude_deg: float


def beijing_monthly_evaporation_mm_per_day() -> MonthlyEvaporation:
    """Beijing's monthly potential evaporation (Hargreaves ET0) from the shipped normals.

    Returns
    -------
    MonthlyEvaporation
        Twelve values [mm/d], January first, with the method and the temperature normals' source,
        period and confidence mark (``climate/data/beijing_temperature_normals.toml``).

    Raises
    ------
    InputError
        If the shipped data file is malformed (a packaging error).
    """
    data = _normals()
    try:
        normals, station = data["normals"], data["station"]
        t_min, t_max, latitude = normals["t_min_c"], normals["t_max_c"], float(station["latitude_deg"])
        values = monthly_et0_mm_per_day(t_min, t_max, latitude)
        return MonthlyEvaporation(
            values_mm_per_day=values,
            method=HARGREAVES_METHOD,
            source=normals["source"],
            confidence=normals["confidence"],
            period=normals["period"],
            latitude_deg=latitude,
        )
    except (KeyError, TypeError, ValueError, InputError) as err:
        raise InputError(f"malformed temperature normals: {err}", file=NORMALS_FILE) from err


@cache
def _normals() -> dict:
    text = resources.files("ecocity.climate").joinpath("data", NORMALS_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _check_latitude(latitude_deg):
    lat = np.asarray(latitude_deg, dtype=float)
    if np.isnan(lat).any() or (np.abs(lat) > 90.0).any():
        raise InputError(f"latitude must be within ±90°, got {latitude_deg}", field="latitude_deg")
    return lat


def _twelve(values, field: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.shape != (12,):
        raise InputError(f"expected 12 monthly values (January first), got shape {array.shape}", field=field)
    return array
