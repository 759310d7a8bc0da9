"""Rainfall series: reading, checking, resampling and splitting into events.

A rainfall series in ecocity is a :class:`pandas.Series` named ``depth_mm``: the depth fallen in
each time step [mm], on a :class:`~pandas.DatetimeIndex` whose timestamps mark the **start** of
each step, so the value at ``t`` fell during ``[t, t + step)``.

Gaps
----
A step missing from the file is a *gap*. Gaps are kept as missing index entries: nothing here
fills them with zeros behind the user's back, because "no record" may mean "dry" (a gauge that
logs only wet steps) or "unknown" (a failed gauge). :func:`check_rainfall` reports them;
functions that need a regular series (:func:`resample_depth`, :func:`split_events`) raise an
:class:`~ecocity.errors.InputError` on a series with gaps; :func:`fill_gaps_with_zero` is the
explicit way to declare missing steps dry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.climate.tables import read_table
from ecocity.errors import InputError

NAME = "depth_mm"
UNITS: dict[str, str] = {"mm": "depth_mm", "mm/h": "intensity_mm_per_h"}
"""Value units a file may hold, with the column name that implies each."""


@dataclass(frozen=True)
class RainfallCheck:
    """What :func:`check_rainfall` found in a series.

    Attributes
    ----------
    step : pandas.Timedelta
        The series' time step (smallest spacing of its timestamps).
    n_steps : int
        Number of recorded steps.
    start, end : pandas.Timestamp
        First and last timestamp (start of the first and last step).
    gaps : list of (Timestamp, Timestamp)
        Missing stretches, each as (first missing step, last missing step).
    total_mm : float
        Depth summed over the recorded steps. [mm]
    years : float
        Length of the record, ``(end + step - start)`` in years of 365.25 days. [yr]
    """

    step: pd.Timedelta
    n_steps: int
    start: pd.Timestamp
    end: pd.Timestamp
    gaps: list[tuple[pd.Timestamp, pd.Timestamp]]
    total_mm: float
    years: float

    @property
    def missing_steps(self) -> int:
        """Number of steps missing inside the record."""
        return sum(int((b - a) / self.step) + 1 for a, b in self.gaps)


def _source(series: pd.Series) -> str | None:
    return series.attrs.get("source")


SYNTHETIC_LINE = "# synthetic: "
"""How a CSV's first line labels a synthetic series: ``# synthetic: <model>; parameters <name>; seed <seed>``."""


def _synthetic_line(attrs: dict) -> str | None:
    """The CSV comment line that labels a synthetic series, or None for a series that is not."""
    if not attrs.get("synthetic"):
        return None
    parts = [str(attrs.get("model", "model not recorded"))]
    parts += [f"{key} {attrs[key]}" for key in ("parameters", "seed") if key in attrs]
    return SYNTHETIC_LINE + "; ".join(parts)


def _synthetic_label(comments: list[str]) -> dict:
    """The ``attrs`` a CSV's leading comment lines give: the synthetic label, if one is there."""
    for line in comments:
        if line.startswith(SYNTHETIC_LINE):
            model, *rest = line[len(SYNTHETIC_LINE) :].strip().split("; ")
            label: dict = {"synthetic": True, "model": model}
            for part in rest:
                key, _, value = part.partition(" ")
                if key in ("parameters", "seed"):
                    label[key] = int(value) if key == "seed" and value.lstrip("-").isdigit() else value
            return label
    return {}


def _read_table(path: Path) -> pd.DataFrame:
    frame = read_table(path, "rainfall")
    frame.attrs.update(_synthetic_label(frame.attrs.pop("comments")))
    for name in ("timestamp", *UNITS.values()):
        if list(frame.columns).count(name) > 1:
            raise InputError(f"column {name!r} appears more than once; keep one", file=path, field=name)
    return frame


def _value_column(frame: pd.DataFrame, unit: str | None, path: Path) -> tuple[str, str]:
    """Pick the value column and its unit."""
    if unit is not None and unit not in UNITS:
        raise InputError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}", file=path, field="unit")
    present = {u: col for u, col in UNITS.items() if col in frame.columns}
    if unit is None:
        if len(present) != 1:
            found = ", ".join(frame.columns)
            raise InputError(
                "expected columns 'timestamp' and exactly one of 'depth_mm' (depth per step) or "
                f"'intensity_mm_per_h'; found: {found}. Name the column, or give its unit explicitly",
                file=path,
                field="depth_mm",
            )
        ((unit, column),) = present.items()
        return column, unit
    if UNITS[unit] in present.values():
        return UNITS[unit], unit
    others = [c for c in frame.columns if c != "timestamp"]
    if present or len(others) != 1:
        raise InputError(
            f"unit {unit!r} given but the value column is ambiguous (columns: {', '.join(others)}); "
            f"expected one value column or one named {UNITS[unit]!r}",
            file=path,
            field="unit",
        )
    return others[0], unit


def _first_bad(mask: np.ndarray) -> str:
    """Record label (1-based data row, header not counted) of the first True in ``mask``."""
    return f"row {int(np.flatnonzero(mask)[0]) + 1}"


_WRITTEN_OFFSET = re.compile(
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:(?P<utc>Z|UTC|GMT)|(?P<sign>[+-])(?P<hours>\d\d)(?::?(?P<minutes>\d\d))?)$",
    re.IGNORECASE,
)
"""A UTC offset written after the time of day: ``Z``, ``+01:00``, ``+0100``, ``-03``."""


def _written_offsets(text: pd.Series) -> pd.Series:
    """The UTC offset written at the end of each timestamp text, NaT where there is none."""
    parts = text.astype(str).str.strip().str.extract(_WRITTEN_OFFSET)
    minutes = parts["hours"].astype(float) * 60 + parts["minutes"].astype(float).fillna(0.0)
    minutes = minutes.where(parts["sign"] != "-", -minutes).where(parts["utc"].isna(), 0.0)
    return pd.to_timedelta(minutes, unit="min")


def _offset_mismatch(text: pd.Series) -> np.ndarray:
    """Rows with a written UTC offset where row 1 has none, or without one where row 1 has one."""
    present = _written_offsets(text).notna().to_numpy()
    return text.notna().to_numpy() & (present != present[0])


def _mismatch_error(text: pd.Series, mismatch: np.ndarray, path: Path) -> InputError:
    row = int(np.flatnonzero(mismatch)[0])
    has = "a" if _written_offsets(text.iloc[[row]]).notna().all() else "no"
    return InputError(
        f"timestamp {text.iloc[row]!r} has {has} UTC offset, unlike row 1; give every timestamp an offset, or none",
        file=path,
        record=_first_bad(mismatch),
        field="timestamp",
    )


def _timestamps(raw: pd.Series, path: Path) -> pd.Series:
    """Naive timestamps of a file's ``timestamp`` column.

    Timestamps with UTC offsets (written, or a time-zone-aware column) come back in the file's
    local *standard* time, taken as its smallest offset: a record that crosses a daylight-saving
    change stays one regular series (see docs/methods/rainfall.md, section 1).
    """
    offsets = None
    if pd.api.types.is_datetime64_any_dtype(raw):
        time = raw
    elif pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        raise InputError(
            f"timestamps are stored as {raw.dtype} numbers, not date-times; store them as a timestamp "
            "column (or as ISO 8601 text such as '2020-07-01 00:05')",
            file=path,
            field="timestamp",
        )
    else:
        try:
            time = pd.to_datetime(raw, errors="coerce")
        except ValueError:  # offsets differ between rows (a daylight-saving change), or some rows lack one
            mismatch = _offset_mismatch(raw)
            if mismatch.any():
                raise _mismatch_error(raw, mismatch, path) from None
            offsets = _written_offsets(raw)
            try:
                time = pd.to_datetime(raw, errors="coerce", utc=True)
            except ValueError as err:
                raise InputError(f"cannot read the timestamps: {err}", file=path, field="timestamp") from err
    if time.isna().any():
        bad = time.isna().to_numpy()
        at = int(np.flatnonzero(bad)[0])
        if not pd.api.types.is_datetime64_any_dtype(raw):
            mismatch = _offset_mismatch(raw)
            if mismatch[at]:  # pandas drops stamps whose offset presence differs from the first's
                raise _mismatch_error(raw, mismatch, path)
        raise InputError(f"cannot read {raw.iloc[at]!r} as a date-time", file=path, record=_first_bad(bad), field="timestamp")
    if time.dt.tz is None:
        return time
    utc = time.dt.tz_convert("UTC").dt.tz_localize(None)
    if offsets is None:
        offsets = time.dt.tz_localize(None) - utc
    return utc + offsets.min()


def read_rainfall(path: str | Path, unit: str | None = None) -> pd.Series:
    """Read a rainfall series from CSV or Parquet.

    Parameters
    ----------
    path
        A ``.csv`` or ``.parquet`` file with a ``timestamp`` column (the start of each step) and
        one value column: ``depth_mm`` (depth per step [mm]) or ``intensity_mm_per_h`` (mean
        intensity over the step [mm/h]). A Parquet file may carry the timestamps as its index.
    unit
        ``"mm"`` or ``"mm/h"``: the unit of a value column with another name (the file must then
        have exactly one column besides ``timestamp``). ``None`` infers it from the column name.

    Returns
    -------
    pandas.Series
        ``depth_mm`` per step [mm], sorted by time, gaps kept as missing steps (see the module
        notes). ``attrs["source"]`` holds the path; a Parquet file's own ``attrs`` (e.g. the
        ``synthetic`` label) are kept, and so is a CSV's ``# synthetic: ...`` first line (as
        ``synthetic``, ``model``, ``parameters``, ``seed``; see :func:`write_rainfall`). Lines
        starting with ``#`` before the header are comments.

    Raises
    ------
    InputError
        Naming file, row (1-based data row) and column for: a missing or repeated column, an
        unknown unit, an unparseable timestamp (numbers in a Parquet timestamp column included),
        some timestamps with a UTC offset and some without, a missing, non-numeric, non-finite or
        negative value, a duplicate timestamp, fewer than two rows, or timestamps not on one
        regular step.
    """
    path = Path(path)
    frame = _read_table(path)
    if "timestamp" not in frame.columns:
        raise InputError(f"no 'timestamp' column (columns: {', '.join(frame.columns)})", file=path, field="timestamp")
    column, unit = _value_column(frame, unit, path)
    if len(frame) < 2:
        raise InputError("a rainfall series needs at least two rows", file=path)

    time = _timestamps(frame["timestamp"], path)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        bad = np.isnan(values)
        raise InputError("missing or non-numeric value", file=path, record=_first_bad(bad), field=column)
    if np.isinf(values).any():
        bad = np.isinf(values)
        raise InputError(f"non-finite value {values[bad][0]}", file=path, record=_first_bad(bad), field=column)
    if (values < 0).any():
        bad = values < 0
        raise InputError(f"negative rainfall {values[bad][0]}", file=path, record=_first_bad(bad), field=column)
    duplicated = time.duplicated().to_numpy()
    if duplicated.any():
        raise InputError(
            f"duplicate timestamp {time[duplicated].iloc[0]}", file=path, record=_first_bad(duplicated), field="timestamp"
        )

    index = pd.DatetimeIndex(time, name="timestamp")
    order = np.argsort(index.asi8, kind="stable")
    index, values = index[order], values[order]
    steps = np.diff(index.asi8)
    step = int(steps.min())
    irregular = steps % step != 0
    if irregular.any():
        at = int(np.flatnonzero(irregular)[0]) + 1
        raise InputError(
            f"timestamp {index[at]} is not on the series' {pd.Timedelta(step, unit=index.unit)} step",
            file=path,
            record=f"row {int(order[at]) + 1}",
            field="timestamp",
        )
    if unit == "mm/h":
        values = values * (pd.Timedelta(step, unit=index.unit) / pd.Timedelta(hours=1))

    attrs = dict(frame.attrs)
    series = pd.Series(values, index=index, name=NAME)
    series.attrs.update(attrs)
    series.attrs["source"] = str(path)
    return series


def write_rainfall(series: pd.Series, path: str | Path) -> None:
    """Write a rainfall series as ``timestamp,depth_mm``, readable by :func:`read_rainfall`.

    ``.parquet`` (zstd, delta-encoded timestamps; depths rounded to 0.001 mm and stored as
    float32; the series' ``attrs``, e.g. the *synthetic* label, are kept in the file's metadata)
    or ``.csv`` (0.001 mm; a synthetic series' label -- model, parameter set, seed -- as a first
    comment line, ``# synthetic: <model>; parameters <name>; seed <seed>``).
    """
    path = Path(path)
    frame = series.rename(NAME).rename_axis("timestamp").reset_index()
    frame.attrs = {k: v for k, v in series.attrs.items() if k != "source"}
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame[NAME] = frame[NAME].round(3).astype("float32")
            frame.to_parquet(
                path,
                index=False,
                compression="zstd",
                compression_level=19,
                use_dictionary=[NAME],
                column_encoding={"timestamp": "DELTA_BINARY_PACKED"},  # regular steps: ~0 bytes each
            )
        elif suffix == ".csv":
            with path.open("w", encoding="utf-8", newline="") as out:
                label = _synthetic_line(frame.attrs)
                if label is not None:
                    out.write(label + "\n")
                frame.to_csv(out, index=False, float_format="%.3f", date_format="%Y-%m-%d %H:%M", lineterminator="\n")
        else:
            raise InputError("a rainfall file must end in .parquet or .csv", file=path)
    except OSError as err:
        raise InputError(f"cannot write: {err}", file=path) from err


def _step_and_gaps(index: pd.DatetimeIndex, source: str | None = None) -> tuple[int, np.ndarray]:
    """The step (in index units) and the positions ``i`` where a gap follows step ``i``."""
    diffs = np.diff(index.asi8)
    if len(diffs) == 0:
        raise InputError("a rainfall series needs at least two steps", file=source)
    if (diffs <= 0).any():
        raise InputError("timestamps must be strictly increasing", file=source)
    step = int(diffs.min())
    return step, np.flatnonzero(diffs != step)


def check_rainfall(series: pd.Series) -> RainfallCheck:
    """Summarise a rainfall series: step, extent, gaps and total depth.

    Parameters
    ----------
    series
        ``depth_mm`` per step [mm] (as from :func:`read_rainfall`).

    Returns
    -------
    RainfallCheck
    """
    index = pd.DatetimeIndex(series.index)
    step_units, after = _step_and_gaps(index, _source(series))
    step = pd.Timedelta(step_units, unit=index.unit)
    gaps = [(index[i] + step, index[i + 1] - step) for i in after]
    start, end = index[0], index[-1]
    return RainfallCheck(
        step=step,
        n_steps=len(series),
        start=start,
        end=end,
        gaps=gaps,
        total_mm=float(np.sum(series.to_numpy())),
        years=(end + step - start) / pd.Timedelta(days=365.25),
    )


def _require_regular(series: pd.Series, what: str) -> pd.Timedelta:
    index = pd.DatetimeIndex(series.index)
    step_units, after = _step_and_gaps(index, _source(series))
    step = pd.Timedelta(step_units, unit=index.unit)
    if len(after):
        first = index[after[0]] + step
        raise InputError(
            f"{what} needs a series without gaps, but it has {len(after)} (first at {first}). "
            "If missing steps mean no rain, fill them with fill_gaps_with_zero(); otherwise supply "
            "a complete series",
            file=_source(series),
        )
    return step


def fill_gaps_with_zero(series: pd.Series) -> pd.Series:
    """Declare every missing step dry: return the series on its full regular index.

    Use this only where a missing record means no rain (e.g. a logger that writes wet steps
    only). ``attrs["filled_steps"]`` records how many steps were added.
    """
    index = pd.DatetimeIndex(series.index)
    step_units, _ = _step_and_gaps(index)
    full = pd.date_range(index[0], index[-1], freq=pd.Timedelta(step_units, unit=index.unit), name=index.name)
    filled = series.reindex(full, fill_value=0.0)
    filled.attrs = dict(series.attrs, filled_steps=len(full) - len(series))
    return filled


def resample_depth(series: pd.Series, step: str | pd.Timedelta) -> pd.Series:
    """Sum a regular rainfall series into coarser steps.

    Parameters
    ----------
    series
        ``depth_mm`` per step [mm], without gaps.
    step
        The new step (``"1h"``, ``pd.Timedelta(minutes=15)``); a whole multiple of the old one.

    Returns
    -------
    pandas.Series
        ``depth_mm`` per new step [mm]; bins are labelled by their start, as the input. Bins
        start at the series' first step (a 5-min series from 00:05 sums to 15 min as 00:05,
        00:20, ...), so every bin holds whole steps of the series; a last bin shorter than
        ``step`` holds what the series has.

    Raises
    ------
    InputError
        If the series has gaps, or ``step`` is not a whole multiple of the series' step.
    """
    old = _require_regular(series, "resample_depth")
    try:
        new = pd.Timedelta(step)
    except ValueError as err:
        raise InputError(f"cannot read {step!r} as a time step", field="step") from err
    if new < old or new % old != pd.Timedelta(0):
        raise InputError(f"new step {new} is not a whole multiple of the series' step {old}", field="step")
    out = series.resample(new, label="left", closed="left", origin="start").sum()
    out.name = NAME
    out.attrs = dict(series.attrs)
    return out


def split_events(series: pd.Series, min_inter_event_h: float = 6.0, min_depth_mm: float = 0.0) -> pd.DataFrame:
    """Split a rainfall series into events separated by dry spells.

    Two wet steps belong to one event when the dry time between them is shorter than the
    minimum inter-event time (MIT).

    Parameters
    ----------
    series
        ``depth_mm`` per step [mm], without gaps.
    min_inter_event_h
        Minimum inter-event time: the shortest dry spell that separates two events. [h]
    min_depth_mm
        Events with less total depth are dropped. [mm]

    Returns
    -------
    pandas.DataFrame
        One row per event: ``start`` (start of the first wet step), ``end`` (end of the last wet
        step), ``depth_mm`` [mm], ``duration_h`` [h] and ``peak_intensity_mm_per_h`` (largest
        single-step depth divided by the step) [mm/h].

    Notes
    -----
    The MIT method is the usual one for event statistics (e.g. the 200-min MIT of the Beijing
    study cited in ``docs/methods/rainfall.md``); a dry spell of exactly the MIT separates events.
    """
    step = _require_regular(series, "split_events")
    if not min_inter_event_h > 0:
        raise InputError(f"min_inter_event_h must be positive, got {min_inter_event_h}", field="min_inter_event_h")
    values = series.to_numpy(dtype=float)
    wet = np.flatnonzero(values > 0)
    columns = ["start", "end", "depth_mm", "duration_h", "peak_intensity_mm_per_h"]
    if len(wet) == 0:
        return pd.DataFrame(columns=columns)
    mit_steps = pd.Timedelta(hours=min_inter_event_h) / step
    dry_between = np.diff(wet) - 1
    breaks = np.flatnonzero(dry_between >= mit_steps)
    first = np.concatenate(([wet[0]], wet[breaks + 1]))
    last = np.concatenate((wet[breaks], [wet[-1]]))
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    depth = cumulative[last + 1] - cumulative[first]
    peak = np.maximum.reduceat(values, first)  # each event's slice starts at `first`, ends before the next
    index = pd.DatetimeIndex(series.index)
    step_h = step / pd.Timedelta(hours=1)
    events = pd.DataFrame(
        {
            "start": index[first],
            "end": index[last] + step,
            "depth_mm": depth,
            "duration_h": (last - first + 1) * step_h,
            "peak_intensity_mm_per_h": peak / step_h,
        }
    )
    return events[events["depth_mm"] >= min_depth_mm].reset_index(drop=True)
