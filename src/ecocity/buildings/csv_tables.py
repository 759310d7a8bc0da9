"""Small CSV tables the user writes by hand (``portfolio.csv``, ``gbt51161.csv``): reading and cell checks.

Every problem is an :class:`~ecocity.errors.InputError` naming the file, the row (``row N``,
counted from the first data row) and the column.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ecocity.errors import InputError


def read_csv_table(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    """The table at ``path`` as strings (empty cells ``""``), with ``required`` columns and one row or more.

    ``what`` names the table in errors ("the portfolio table"). UTF-8 with or without a byte-order
    mark; column names are stripped.
    """
    if not path.is_file():
        raise InputError(f"{what} does not exist", file=path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"cannot read {what}: {err}", file=path) from err
    table.columns = [str(c).strip() for c in table.columns]
    for column in required:
        if column not in table.columns:
            raise InputError(f"no {column!r} column (columns: {', '.join(table.columns)})", file=path, field=column)
    if table.empty:
        raise InputError(f"{what} has no rows", file=path)
    return table


def positive_number(text: str, path: Path, record: str, column: str, unit: str) -> float:
    """A cell that must hold a finite number > 0 (``unit`` for the message, e.g. ``"m²"``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{column} must be a number > 0 {unit}, got {text!r}".replace("  ", " "), file=path,
                         record=record, field=column)
    return value
