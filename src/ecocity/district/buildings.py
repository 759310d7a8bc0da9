"""The district's building portfolio: the optional ``buildings.toml``.

::

    portfolio = "../buildings"      # folder with portfolio.csv, relative to the district folder
    year = 2024                     # optional: the calendar year assessed (quota, annual EUI)
    grid = "beijing-2022"           # optional: grid emission factor name (or kg CO2e/kWh) for the
                                    # savings potential's t CO2 of every building; default each
                                    # city's own (names: src/ecocity/buildings/data/emission_factors.toml)
    indicators = "gbt51161.csv"     # optional: GB/T 51161-2016 rows from your copy of the standard
                                    # (relative to the district folder; default: the portfolio
                                    # folder's gbt51161.csv if it has one)

A thin container (:class:`BuildingsLink`) and its reader; the portfolio itself is read by the
buildings area (:mod:`ecocity.buildings`), so the district model does not depend on it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ecocity.district.files import read_toml, reject_unknown_keys, validated
from ecocity.errors import InputError

BUILDINGS_FILE = "buildings.toml"
PORTFOLIO_TABLE = "portfolio.csv"


class BuildingsLink(BaseModel):
    """Which building portfolio belongs to the district, for which year and grid factor.

    ``portfolio`` is an absolute folder path holding ``portfolio.csv``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    portfolio: Path
    year: int | None = Field(None, ge=1900, le=2200, description="Calendar year assessed. [a]")
    grid: str | float | None = Field(None, description="Grid emission factor (name or kg CO2e/kWh).")
    indicators: Path | None = Field(None, description="GB/T 51161-2016 indicator table (CSV), absolute path.")


def read_buildings(folder: Path) -> BuildingsLink | None:
    """The district's ``buildings.toml``, or None when the folder has none.

    Parameters
    ----------
    folder
        The district folder.

    Raises
    ------
    InputError
        Naming ``buildings.toml`` and the field: an unknown key, a missing ``portfolio``, a
        portfolio folder that does not exist or holds no ``portfolio.csv``, a year that is not
        an integer, a grid that is neither a name nor a positive number, an indicator table that
        is not an existing file.
    """
    path = folder / BUILDINGS_FILE
    if not path.is_file():
        return None
    table = read_toml(path)
    reject_unknown_keys(table, set(BuildingsLink.model_fields), file=path, record=None)
    data = dict(table)
    value = data.get("portfolio")
    if not isinstance(value, str) or not value:
        raise InputError(f"expected the portfolio folder's path (relative to the district folder), got {value!r}",
                         file=path, field="portfolio")
    resolved = (folder / value).resolve()
    if not resolved.is_dir():
        raise InputError(f"{value!r} is not an existing folder", file=path, field="portfolio")
    if not (resolved / PORTFOLIO_TABLE).is_file():
        raise InputError(f"{value!r} holds no {PORTFOLIO_TABLE}", file=path, field="portfolio")
    data["portfolio"] = resolved
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InputError(f"expected a calendar year (an integer), got {year!r}", file=path, field="year")
    grid = data.get("grid")
    if grid is not None:
        if isinstance(grid, bool) or not isinstance(grid, (str, int, float)) or grid == "":
            raise InputError(f"expected a grid factor name or kg CO2e/kWh, got {grid!r}", file=path, field="grid")
        if isinstance(grid, (int, float)):
            if not grid > 0:
                raise InputError(f"grid factor must be > 0 kg CO2e/kWh, got {grid!r}", file=path, field="grid")
            data["grid"] = float(grid)
    table = data.get("indicators")
    if table is not None:
        if not isinstance(table, str) or not table:
            raise InputError(f"expected the indicator table's path (relative to the district folder), got {table!r}",
                             file=path, field="indicators")
        if not (folder / table).is_file():
            raise InputError(f"{table!r} is not an existing file", file=path, field="indicators")
        data["indicators"] = (folder / table).resolve()
    return validated(BuildingsLink, data, file=path, record=None)
