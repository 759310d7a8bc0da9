"""Reading the time-series tables users give (rainfall, temperature, meter readings).

One reader for ``.csv``/``.txt`` and ``.parquet`` files: CSV cells are kept as text (each caller
parses its own columns and names the bad row), ``#`` comment lines before the header are
skipped and kept in ``frame.attrs["comments"]``, a Parquet file's datetime index becomes its
``timestamp`` column, and column names are stripped of spaces.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from ecocity.errors import InputError


def read_table(path: Path, what: str) -> pd.DataFrame:
    """All columns of the table at ``path`` (``what`` names the kind of file in errors).

    Raises
    ------
    InputError
        The file is missing, unreadable, or neither CSV nor Parquet.
    """
    suffix = path.suffix.lower()
    comments: list[str] = []
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
            if "timestamp" not in frame.columns and isinstance(frame.index, pd.DatetimeIndex):
                frame = frame.rename_axis("timestamp").reset_index()
        elif suffix in (".csv", ".txt"):
            with path.open(encoding="utf-8-sig") as lines:
                comments = list(itertools.takewhile(lambda line: line.startswith("#"), lines))
            table = pd.read_csv(path, dtype=str, skipinitialspace=True, header=None, skiprows=len(comments),
                                encoding="utf-8-sig")
            frame = table.iloc[1:].reset_index(drop=True)  # header read as a row: pandas would rename repeats
            frame.columns = table.iloc[0].fillna("")
        else:
            raise InputError(f"unknown {what} file type {suffix!r}; expected .csv or .parquet", file=path)
    except FileNotFoundError as err:
        raise InputError("file not found", file=path) from err
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError(f"cannot read the file as {suffix[1:]}: {err}", file=path) from err
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["comments"] = comments
    return frame
