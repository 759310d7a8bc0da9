"""A run's time series as Parquet files and its figures' data as JSON, in the run's folder.

Layout: ``<series folder>/<run id>/<name>.parquet`` (the name percent-encoded so any name is a
safe file name) and ``<series folder>/<run id>/figures.json``. Files are written to a
temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecocity.errors import InputError

FIGURES_FILE = "figures.json"
_META_KEY = b"ecocity"


def series_file_name(name: str) -> str:
    """The file name of the series called ``name`` (percent-encoded, ``.parquet``)."""
    if not name:
        raise ValueError("a time series needs a non-empty name")
    return f"{quote(name, safe='')}.parquet"


def check_series_names(names: list[str]) -> None:
    """Refuse names whose files would collide on a case-insensitive file system."""
    folded = [series_file_name(name).casefold() for name in names]
    if len(set(folded)) != len(folded):
        raise ValueError(f"time-series names differ only in case: {sorted(names)}")


def write_series(path: Path, frame: pd.DataFrame) -> None:
    """Write one DataFrame, index and dtypes included, to a Parquet file at ``path``.

    pandas' own Parquet metadata keeps the index and most dtypes; what Parquet cannot hold
    (a DatetimeIndex frequency, second-resolution timestamps, which it widens to ms) is kept
    under the ``ecocity`` key of the schema metadata and restored by :func:`read_series`.
    """
    names = [name for name in frame.columns if not isinstance(name, str)]
    if names:
        raise ValueError(f"time-series columns need string names, got {names[0]!r} in {path.name}")
    table = pa.Table.from_pandas(frame, preserve_index=True)
    extra = json.dumps(
        {
            "freq": getattr(frame.index, "freqstr", None),
            "index_dtype": str(frame.index.dtype),
            "dtypes": [str(dtype) for dtype in frame.dtypes],
        }
    ).encode("utf-8")
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META_KEY: extra})
    _atomic(path, lambda tmp: pq.write_table(table, tmp))


def read_series(path: Path) -> pd.DataFrame:
    """Read a DataFrame written by :func:`write_series`, frequency restored."""
    try:
        table = pq.read_table(path)
    except FileNotFoundError as err:
        raise InputError("time-series file of a stored run is missing", file=path) from err
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"time-series file cannot be read: {err}", file=path) from err
    frame = table.to_pandas()
    extra = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    for position, dtype in enumerate(extra.get("dtypes", [])):
        if str(frame.dtypes.iloc[position]) != dtype:
            frame.isetitem(position, frame.iloc[:, position].astype(dtype))
    index_dtype = extra.get("index_dtype")
    if index_dtype and not isinstance(frame.index, pd.MultiIndex):
        if str(frame.index.dtype) != index_dtype:
            frame.index = frame.index.astype(index_dtype)
        if extra.get("freq") and isinstance(frame.index, pd.DatetimeIndex):
            frame.index = pd.DatetimeIndex(frame.index, freq=extra["freq"])
    return frame


def write_figures(path: Path, figures: Mapping[str, Any]) -> None:
    """Write the figures' data (plain JSON-able values) to ``path``."""
    try:
        text = json.dumps(figures, ensure_ascii=False, indent=1)
    except TypeError as err:
        raise TypeError(f"figures' data must be plain JSON (dicts, lists, numbers): {err}") from err

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    _atomic(path, write)


def read_figures(path: Path) -> dict[str, Any]:
    """Read the figures' data written by :func:`write_figures`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError("figures file of a stored run is missing", file=path) from err
    except (OSError, ValueError) as err:
        raise InputError(f"figures file cannot be read: {err}", file=path) from err


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
