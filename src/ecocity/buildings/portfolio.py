"""Portfolio: savings potential against a guide value, ranking for action, Beijing-style quotas.

Per-building pure functions (:func:`savings_potential`, :func:`quota_kwh`, :func:`quota_tracking`)
and :func:`rank_portfolio` over a table of per-building results. Prices are cited data
(``data/prices.toml``); CO2 factors are those of :func:`ecocity.buildings.emissions.grid_factor`
(``data/emission_factors.toml``).

The Beijing quota rules are from secondary sources (``the team's reference notes shared/references/buildings.md``
sec. 5): the 2014 rule (own five-year history × (1 − reduction rate)) is [1]; the revised rule's
Q1 statistic was not found, so quotas by that method carry ``verified=False``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ecocity.buildings.benchmarks import portfolio_percentile
from ecocity.buildings.emissions import grid_factor
from ecocity.errors import InputError

_PRICES = "data/prices.toml"
#: Quota methods of :func:`quota_kwh`.
QUOTA_METHODS: tuple[str, ...] = ("beijing-2014", "beijing-revised")
#: Exceedance ratio and run of years that trigger the Beijing fine (Decree No. 256, 2014). [-], [a]
PENALTY_RATIO, PENALTY_YEARS = 1.2, 2


@cache
def prices() -> Mapping[str, Any]:
    """The cited energy prices (``data/prices.toml``)."""
    text = resources.files("ecocity.buildings").joinpath(_PRICES).read_text("utf-8")
    return MappingProxyType(tomllib.loads(text))


@dataclass(frozen=True)
class Price:
    """An energy price with its provenance. ``value`` in ``currency`` per kWh (``heat_area``: per m² season)."""

    name: str
    value: float
    currency: str
    unit: str
    valid_from: str
    source: str
    confidence: str


def price(name: str, carrier: str = "electricity") -> Price:
    """A cited price by name, e.g. ``price("beijing-2024-07-office-day")`` (0.780 yuan/kWh).

    Raises
    ------
    InputError
        For an unknown carrier or name (the message lists the known ones).
    """
    table = prices().get(carrier)
    if table is None:
        raise InputError(f"price carrier {carrier!r} is not known; use one of {', '.join(sorted(prices()))}",
                         file=_PRICES, field="carrier")
    if name not in table:
        raise InputError(f"{carrier} price {name!r} is not known; use one of {', '.join(sorted(table))}",
                         file=_PRICES, field=carrier)
    p = table[name]
    return Price(name, float(p["value"]), p["currency"], p["unit"], p["valid_from"], p["source"], p["confidence"])


@dataclass(frozen=True)
class SavingsPotential:
    """Energy above the guide value and what it is worth.

    ``energy_kwh`` [kWh/a], ``cost`` [currency/a], ``t_co2`` [t CO2/a] (the CO2 factor given: grid
    electricity, or a blend of electricity and district heat).
    """

    energy_kwh: float
    cost: float
    currency: str
    t_co2: float
    eui_kwh_per_m2: float
    guide_eui_kwh_per_m2: float


def savings_potential(annual_kwh: float, floor_area_m2: float, guide_eui_kwh_per_m2: float, *,
                      price_per_kwh: float | Price = 0.0, grid: str | float = 0.0,
                      currency: str = "") -> SavingsPotential:
    """Savings potential: use above the guide (target) intensity, in kWh, money and t CO2.

    Parameters
    ----------
    annual_kwh
        The building's annual use (the same scope as the guide value). [kWh/a]
    floor_area_m2
        Floor area the guide value refers to. [m²]
    guide_eui_kwh_per_m2
        Target intensity, e.g. the GB/T 51161 guide value. [kWh/(m² a)]
    price_per_kwh
        Marginal price [currency/kWh] or a :class:`Price` (see :func:`price`).
    grid
        Grid factor name (``"beijing-2022"``, ``"denmark-2023"``…) or [kg CO2e/kWh], via
        :func:`ecocity.buildings.emissions.grid_factor`; a number may be a blend of the building's
        carriers (electricity and district heat, weighted by their shares of its use).

    Notes
    -----
    potential = max(0, annual − guide · area); cost = potential · price;
    t CO2 = potential · grid factor / 1000.
    """
    if not math.isfinite(annual_kwh) or annual_kwh < 0:
        raise InputError(f"annual use must be ≥ 0 kWh, got {annual_kwh!r}", field="annual_kwh")
    if not math.isfinite(floor_area_m2) or floor_area_m2 <= 0:
        raise InputError(f"floor area must be > 0 m², got {floor_area_m2!r}", field="floor_area_m2")
    if not math.isfinite(guide_eui_kwh_per_m2) or guide_eui_kwh_per_m2 < 0:
        raise InputError(f"guide EUI must be ≥ 0 kWh/(m² a), got {guide_eui_kwh_per_m2!r}",
                         field="guide_eui_kwh_per_m2")
    if isinstance(price_per_kwh, Price):
        currency, value = currency or price_per_kwh.currency, price_per_kwh.value
    else:
        value = float(price_per_kwh)
        if not math.isfinite(value) or value < 0:
            raise InputError(f"price must be ≥ 0 per kWh, got {price_per_kwh!r}", field="price_per_kwh")
    kwh = max(0.0, float(annual_kwh) - guide_eui_kwh_per_m2 * floor_area_m2)
    factor = grid_factor(grid).kg_co2e_per_kwh
    return SavingsPotential(kwh, kwh * value, currency, kwh * factor / 1000.0,
                            annual_kwh / floor_area_m2, float(guide_eui_kwh_per_m2))


def rank_portfolio(table: pd.DataFrame, *, price_per_kwh: float | Price | None = None,
                   grid: str | float | None = None) -> pd.DataFrame:
    """Rank buildings for action by savings potential against their guide value.

    Parameters
    ----------
    table
        One row per building (index = building id) with ``annual_kwh`` [kWh/a],
        ``floor_area_m2`` [m²], ``guide_eui_kwh_per_m2`` [kWh/(m² a)]; optional per-row
        ``price_per_kwh`` [currency/kWh] and ``grid`` (name or kg CO2e/kWh), which override the
        keyword defaults. Rows with a missing guide value get NaN potentials and rank last.
    price_per_kwh, grid
        Defaults for rows without their own.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``eui_kwh_per_m2``, ``eui_percentile`` (weak percentile within
        the table, [%]), ``excess_ratio`` (EUI / guide), ``potential_kwh``, ``potential_cost``,
        ``potential_t_co2`` and ``rank`` (1 = largest potential kWh), sorted by rank.
    """
    need = ("annual_kwh", "floor_area_m2", "guide_eui_kwh_per_m2")
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputError(f"portfolio table lacks column(s) {missing}; needs {list(need)}", record="portfolio")
    if table.index.has_duplicates:
        raise InputError("portfolio table has duplicate building ids", record="portfolio")
    out = table.copy()
    out["eui_kwh_per_m2"] = out["annual_kwh"].astype(float) / out["floor_area_m2"].astype(float)
    euis = out["eui_kwh_per_m2"].to_numpy()
    out["eui_percentile"] = [portfolio_percentile(v, euis) if math.isfinite(v) else math.nan for v in euis]
    out["excess_ratio"] = out["eui_kwh_per_m2"] / out["guide_eui_kwh_per_m2"].astype(float)
    kwh, cost, tco2 = [], [], []
    for bid, row in out.iterrows():
        guide = row["guide_eui_kwh_per_m2"]
        if guide is None or not math.isfinite(float(guide)):
            kwh.append(math.nan), cost.append(math.nan), tco2.append(math.nan)
            continue
        p = row.get("price_per_kwh", None)
        p = price_per_kwh if p is None or (isinstance(p, float) and math.isnan(p)) else p
        g = row.get("grid", None)
        g = grid if g is None or (isinstance(g, float) and math.isnan(g)) else g
        try:
            sp = savings_potential(float(row["annual_kwh"]), float(row["floor_area_m2"]), float(guide),
                                   price_per_kwh=0.0 if p is None else p, grid=0.0 if g is None else g)
        except InputError as e:
            raise InputError(e.problem, file=e.file, record=str(bid), field=e.field) from e
        kwh.append(sp.energy_kwh)
        cost.append(sp.cost if p is not None else math.nan)
        tco2.append(sp.t_co2 if g is not None else math.nan)
    out["potential_kwh"], out["potential_cost"], out["potential_t_co2"] = kwh, cost, tco2
    out = out.sort_values("potential_kwh", ascending=False, na_position="last", kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out


# --- Beijing-style quota -----------------------------------------------------------------------

@dataclass(frozen=True)
class Quota:
    """An annual electricity quota and how it was derived. [kWh/a]

    ``own_history_kwh`` is Q1 (own history × (1 − r)); ``type_average_kwh`` is Q2 (area ×
    same-type intensity) where given; ``verified`` is False where the rule is not confirmed.
    """

    quota_kwh: float
    method: str
    reduction_rate: float
    own_history_kwh: float
    type_average_kwh: float | None
    years_used: int
    verified: bool
    note: str


def quota_kwh(history_annual_kwh: Sequence[float], reduction_rate: float, method: str = "beijing-2014", *,
              floor_area_m2: float | None = None,
              type_intensity_kwh_per_m2: float | None = None) -> Quota:
    """Annual electricity quota from a building's history, Beijing style.

    Parameters
    ----------
    history_annual_kwh
        Annual use of past years, oldest first (the last five are used). [kWh/a]
    reduction_rate
        Required reduction r (2014: 0.06, 2015: 0.12). [-]
    method
        ``"beijing-2014"``: mean of the last five years × (1 − r); a building with fewer than
        five years uses its own years, or the same-type average (area × intensity) if given
        and it has none. ``"beijing-revised"``: min(Q1, Q2), Q1 = mean of the last five years ×
        (1 − r) — the Q1 statistic is not verified —, Q2 = area × same-type intensity
        (required).
    floor_area_m2, type_intensity_kwh_per_m2
        For the same-type average Q2. [m²], [kWh/(m² a)]

    Notes
    -----
    Sources (secondary): 2013 announcement of the 2014/2015 quotas (京建发〔2014〕17号 era; [1]);
    MCHURD explainer of the revised method (quota = smaller of own history and same-type
    average; [1], Q1 statistic [NF]). See ``docs/buildings/benchmarks-and-flags.md``.
    """
    if method not in QUOTA_METHODS:
        raise InputError(f"quota method {method!r} is not known; use one of {', '.join(QUOTA_METHODS)}",
                         field="method")
    if not 0.0 <= reduction_rate < 1.0:
        raise InputError(f"reduction rate must be in [0, 1), got {reduction_rate!r}", field="reduction_rate")
    hist = np.asarray([h for h in history_annual_kwh], dtype=float)
    if hist.size and (~np.isfinite(hist) | (hist < 0)).any():
        raise InputError("history must be finite annual uses ≥ 0 kWh", field="history_annual_kwh")
    last = hist[-5:]
    q2 = None
    if floor_area_m2 is not None and type_intensity_kwh_per_m2 is not None:
        q2 = float(floor_area_m2) * float(type_intensity_kwh_per_m2)
    notes = []
    if last.size:
        q1 = float(last.mean()) * (1.0 - reduction_rate)
        if last.size < 5:
            notes.append(f"only {last.size} year(s) of history: their mean is used")
    elif q2 is not None:
        q1 = q2 * (1.0 - reduction_rate)
        notes.append("no history: the same-type average is used")
    else:
        raise InputError("no history and no same-type intensity to derive a quota from",
                         field="history_annual_kwh")
    if method == "beijing-2014":
        return Quota(q1, method, reduction_rate, q1, q2, int(last.size), True,
                     "; ".join(["2014 rule, secondary source [1]", *notes]))
    if q2 is None:
        raise InputError("method 'beijing-revised' needs floor_area_m2 and type_intensity_kwh_per_m2 (Q2)",
                         field="type_intensity_kwh_per_m2")
    return Quota(min(q1, q2), method, reduction_rate, q1, q2, int(last.size), False,
                 "; ".join(["revised rule min(Q1, Q2); Q1 = five-year mean is an assumption: the "
                            "official Q1 statistic was not found", *notes]))


@dataclass(frozen=True)
class QuotaStatus:
    """Year-to-date use against the pro-rated quota.

    ``ratio`` = year-to-date use / pro-rated quota; ``projected_annual_kwh`` extrapolates the
    year-to-date use with the same profile; ``projected_ratio`` = projected / quota.
    """

    year: int
    through: pd.Timestamp
    ytd_kwh: float
    prorated_quota_kwh: float
    quota_kwh: float
    ratio: float
    projected_annual_kwh: float
    projected_ratio: float
    days_with_data: int


def quota_tracking(usage_daily_kwh: pd.Series, quota: float | Quota, year: int, *,
                   monthly_profile: Sequence[float] | None = None) -> QuotaStatus:
    """Track a year's use against its quota, pro-rated to the last day with data.

    Parameters
    ----------
    usage_daily_kwh
        Daily use [kWh/d]; only days of ``year`` count.
    quota
        Annual quota [kWh/a] or a :class:`Quota`.
    year
        Calendar year tracked.
    monthly_profile
        Twelve shares of annual use by month (e.g. from the building's history; normalised
        here). Without it the quota is pro-rated by days.

    Notes
    -----
    Pro-rated quota = quota · Σ_{days elapsed} w_d, with w_d = profile[month] / days in month
    (or 1/days in year). Missing days inside the elapsed period are not filled: the ratio then
    understates; ``days_with_data`` says how many days count.
    """
    q = quota.quota_kwh if isinstance(quota, Quota) else float(quota)
    if not math.isfinite(q) or q <= 0:
        raise InputError(f"quota must be > 0 kWh, got {q!r}", field="quota")
    if not isinstance(usage_daily_kwh, pd.Series) or not isinstance(usage_daily_kwh.index, pd.DatetimeIndex):
        raise InputError("daily usage must be a pandas Series with a DatetimeIndex [kWh/d]", field="usage")
    u = usage_daily_kwh[usage_daily_kwh.index.year == year].dropna()
    if u.empty:
        raise InputError(f"no usage in {year}", field="usage")
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    if monthly_profile is None:
        w = np.full(len(days), 1.0 / len(days))
    else:
        prof = np.asarray(monthly_profile, dtype=float)
        if prof.shape != (12,) or (prof < 0).any() or prof.sum() <= 0:
            raise InputError("monthly profile must be 12 shares ≥ 0 with a positive sum", field="monthly_profile")
        prof = prof / prof.sum()
        w = prof[days.month - 1] / days.days_in_month.to_numpy()
    through = u.index.max().tz_localize(None).normalize() if u.index.tz is not None else u.index.max().normalize()
    share = float(w[: int((through - days[0]).days) + 1].sum())
    ytd = float(u.sum())
    prorated = q * share
    projected = ytd / share
    return QuotaStatus(year, through, ytd, prorated, q, ytd / prorated, projected, projected / q, len(u))


def penalty_risk(annual_kwh: Sequence[float], quotas_kwh: Sequence[float]) -> bool:
    """True when use exceeded the quota by more than 20 % in two consecutive years (the fine's condition).

    Beijing Civil Building Energy Conservation Measures (Decree No. 256, 2014): 30 000–100 000
    yuan when over quota by 20 % two years running without the required improvement
    (secondary source [1]; the article itself was not read).
    """
    a, q = np.asarray(annual_kwh, dtype=float), np.asarray(quotas_kwh, dtype=float)
    if a.shape != q.shape:
        raise InputError("annual use and quotas must be the same length", field="quotas_kwh")
    over = a > PENALTY_RATIO * q
    run = 0
    for o in over:
        run = run + 1 if o else 0
        if run >= PENALTY_YEARS:
            return True
    return False
