"""A building's baseline in full, computed on demand and cached.

The portfolio section of results.json keeps each building's model type, balance points and fit
metrics, not the CalTRACK coefficients nor the ASHRAE Guideline 14 limits. For the building's
page they are computed again from the district's portfolio (``buildings.toml`` → its folder's
``portfolio.csv``, meters and weather) with the portfolio's own one-building step and the
CalTRACK daily model, and kept in memory while the portfolio table is unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ecocity.errors import EcocityError

#: The baseline model of the on-demand fit (the portfolio's default).
MODEL = "daily"


def _portfolio_link(district_folder: Path) -> tuple[Path, int | None] | None:
    from ecocity.district.buildings import read_buildings

    link = read_buildings(district_folder)
    return None if link is None else (Path(link.portfolio), link.year)


@lru_cache(maxsize=64)
def _fit(portfolio_folder: str, building_id: str, year: int | None, mtime_ns: int) -> dict[str, Any] | None:
    """The baseline dict of ``assess_building`` for one portfolio row (None: not in the table)."""
    from ecocity.buildings import portfolio_run

    table = portfolio_run.read_portfolio(portfolio_folder)
    rows = table[table["building_id"].str.strip() == building_id]
    if rows.empty:
        return None
    result = portfolio_run._building_task(portfolio_folder, rows.iloc[0].to_dict(), MODEL, year)
    baseline = result.to_dict().get("baseline")
    return None if baseline is None else {**baseline, "model": MODEL, "notes": list(result.notes)}


def baseline_detail(district_folder: Path, building_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the fitted baseline with coefficients and G14 limits, or None; why not, or None).

    Never raises for a portfolio that cannot be read or fitted: the page then shows what the
    results document holds and the reason.
    """
    try:
        link = _portfolio_link(district_folder)
        if link is None:
            return None, "the district has no buildings.toml"
        folder, year = link
        table = folder / "portfolio.csv"
        detail = _fit(str(folder), building_id, year, table.stat().st_mtime_ns)
    except (EcocityError, OSError) as err:
        return None, str(err)
    if detail is None:
        return None, f"building {building_id!r} is no longer in {folder.name}/portfolio.csv or has no baseline fit"
    return detail, None
