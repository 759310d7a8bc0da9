"""A portfolio analysis as one run of the store: its indicator records, ranking and report section.

One run per analysis: area ``buildings``, district = the portfolio's name, scenario = the analysis
year asked for (or ``portfolio``). Its inputs' hash covers ``portfolio.csv``, every meter and
weather file it reads (by content), the options (model, year, grid) and the code versions, so an
unchanged portfolio is read back instead of being assessed again. Saved with the run:

* indicators per building (scope ``building:<id>``): ``eui`` [kWh/(m² a)], ``savings_potential``
  [kWh/a], ``savings_potential_cost`` [currency/a], ``savings_potential_co2`` [t CO2e/a],
  ``flags`` [count], ``quota_ratio`` (use so far / pro-rated quota, target ≤ 1; Beijing only);
  portfolio totals (scope ``district``): ``buildings``, ``annual_use`` [kWh/a],
  ``savings_potential`` [kWh/a], ``savings_potential_co2`` [t CO2e/a],
  ``savings_potential_cost_<currency>`` [currency/a], ``buildings_flagged``, ``buildings_over_quota``;
* the series ``ranking``: :func:`~ecocity.buildings.portfolio.rank_portfolio`'s table;
* ``figures["portfolio_section"]``: the report section (:func:`~ecocity.buildings.portfolio_run.portfolio_section`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import Store, hash_inputs, versions

#: The area name of a portfolio run in the store.
AREA = "buildings"
#: Name of the ranking series.
RANKING = "ranking"
#: Key of the report section in the run's figures.
SECTION = "portfolio_section"
_SOURCE = "CalTRACK 2.0 baselines; GB/T 51161-2016 or Danish labels, else the peer median; cited prices and CO2 factors"


def input_hash(files: Iterable[Path], options: dict[str, Any]) -> str:
    """Hash of a portfolio analysis: the files it reads (by content), its options, the code versions."""
    return hash_inputs({"portfolio": options}, versions(), files=sorted(set(files)))


@contextmanager
def opened(store: str | Path | Store) -> Iterator[Store]:
    """The store itself, or the one at a path (an SQLite file or a folder), closed afterwards."""
    if isinstance(store, Store):
        yield store
        return
    with Store.open(store) as opened_store:
        yield opened_store


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def area_result(section: dict[str, Any], ranking: pd.DataFrame, scenario: str) -> AreaResult:
    """The :class:`~ecocity.indicators.records.AreaResult` saved for a portfolio analysis."""
    items: list[Indicator] = []
    totals = {"annual_use": 0.0, "potential": 0.0, "co2": 0.0, "flagged": 0, "over": 0}
    costs: dict[str, float] = {}
    for b in section["buildings"]:
        scope = f"building:{b['building_id']}"
        pot = b["potential"]
        currency = pot.get("currency") or ""
        items += [
            Indicator("eui", _number(b["eui_kwh_per_m2"]), "kWh/(m2 a)", scope, target=pot.get("guide_kwh_per_m2"),
                      source=b["benchmark"].get("standard") or ""),
            Indicator("savings_potential", _number(pot["kwh"]), "kWh/a", scope, source=_SOURCE),
            Indicator("savings_potential_cost", _number(pot["money"]), f"{currency}/a", scope, source=_SOURCE),
            Indicator("savings_potential_co2", _number(pot["t_co2"]), "t CO2e/a", scope, source=_SOURCE),
            Indicator("flags", float(len(b["flags"])), "count", scope, source="anomaly flags"),
        ]
        quota = b.get("quota")
        if quota is not None and quota.get("pro_rated_kwh"):
            ratio = quota["used_kwh"] / quota["pro_rated_kwh"]
            items.append(Indicator("quota_ratio", ratio, "1", scope, target=1.0,
                                   passed=quota["status"] == "within quota", source="Beijing 2014 quota rule"))
            totals["over"] += quota["status"] != "within quota"
        totals["flagged"] += bool(b["flags"])
        for key, value in (("annual_use", b["annual_kwh"]), ("potential", pot["kwh"]), ("co2", pot["t_co2"])):
            if value is not None and math.isfinite(value):
                totals[key] += value
        if pot["money"] is not None and math.isfinite(pot["money"]):
            costs[currency] = costs.get(currency, 0.0) + pot["money"]
    items += [
        Indicator("buildings", float(section["n_buildings"]), "count", source=_SOURCE),
        Indicator("annual_use", totals["annual_use"], "kWh/a", source=_SOURCE),
        Indicator("savings_potential", totals["potential"], "kWh/a", source=_SOURCE),
        Indicator("savings_potential_co2", totals["co2"], "t CO2e/a", source=_SOURCE),
        *(Indicator(f"savings_potential_cost_{c}", v, f"{c}/a", source=_SOURCE) for c, v in sorted(costs.items())),
        Indicator("buildings_flagged", float(totals["flagged"]), "count", source="anomaly flags"),
        Indicator("buildings_over_quota", float(totals["over"]), "count", source="Beijing 2014 quota rule"),
    ]
    return AreaResult(area=AREA, scenario=scenario, indicators=tuple(items), series={RANKING: ranking},
                      figures={SECTION: section})


def find(store: Store, key: str) -> tuple[str, AreaResult] | None:
    """The newest complete portfolio run with these inputs, loaded: ``(run id, result)``; or None."""
    record = store.find(key, AREA)
    return None if record is None else (record.id, store.load(record.id))


def save(store: Store, result: AreaResult, *, district: str, key: str, wall_time_s: float) -> str:
    """Save a portfolio run; returns its id."""
    return store.save(result, district=district, input_hash=key, versions=versions(), wall_time_s=wall_time_s)
