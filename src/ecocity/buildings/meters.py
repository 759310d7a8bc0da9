"""Meter data: reading interval, billing and register files, unit conversion, checks, daily use.

A meter's use in ecocity is a :class:`pandas.Series` named ``value``: the energy used in each
interval [kWh] (water meters: the volume [m³]) on a :class:`~pandas.DatetimeIndex` of interval
*starts*, so the value at ``t`` was used during ``[t, t + interval)``. Billing meters are a
table of periods ``start, end, value`` instead (``end`` exclusive).

Reading never drops data silently. What the reader finds is kept in :class:`MeterChecks`:

* **gaps**: intervals (or days between bills) with no record; kept missing, never filled;
* **duplicates**: a timestamp recorded twice with the *same* value is kept once and reported;
  with different values it is an :class:`~ecocity.errors.InputError` naming both rows;
* **negatives**: kept in :attr:`MeterData.usage` (they may be net metering, CalTRACK 2.3.5) and
  set to missing only in :func:`daily_usage`;
* **resets** of a cumulative register, where a ``reset`` column marks the row: the interval
  across the reset is missing (the use before the reset is unknown). A register that goes down
  without such a mark is an error;
* **spikes**: values above median + 3·IQR of the interval use (CalTRACK 2.3.6), flagged only.

Daily use and data sufficiency (:mod:`ecocity.buildings.sufficiency`, re-exported here) follow
CalTRACK 2.0 (sections 2.2.1, 2.2.2, 2.3.6), as the reference implementation eemeter applies them;
see ``docs/buildings/meter-data.md``.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.buildings.sufficiency import (  # noqa: F401  (re-exported: the meter API of the buildings area)
    BASELINE_DAYS,
    MIN_FRACTION_VALID_DAYS,
    Sufficiency,
    data_sufficiency,
)
from ecocity.climate.tables import read_table
from ecocity.errors import InputError

FUELS = ("electricity", "heat", "gas", "water")
"""What a meter measures."""

KINDS = ("interval", "billing", "register")
"""How a meter file records use: per interval, per billing period, or as cumulative register readings."""

SPIKE_IQR = 3.0
"""Spike threshold: values above median + 3 interquartile ranges (CalTRACK 2.3.6)."""

MIN_DAY_COVERAGE = 0.5
"""A day's use from sub-daily data needs more than this share of the day recorded (CalTRACK 2.2.2.1 as
eemeter applies it: ``downsample_and_clean_daily_data`` keeps days with coverage > 0.5 and scales
them up by 1/coverage)."""

_TRUE = {"1", "true", "yes", "y", "x", "reset"}


def _read_table(path: Path, what: str) -> pd.DataFrame:
    """All columns of a ``.csv`` or ``.parquet`` file (see :func:`ecocity.climate.tables.read_table`);
    a repeated column or a file without data rows is an InputError."""
    frame = read_table(path, what)
    repeated = [c for c in dict.fromkeys(frame.columns) if list(frame.columns).count(c) > 1]
    if repeated:
        raise InputError(f"column {repeated[0]!r} appears more than once; keep one", file=path, field=repeated[0])
    if frame.empty:
        raise InputError(f"the {what} file has no data rows", file=path)
    return frame


def _require_column(frame: pd.DataFrame, name: str, path: Path) -> pd.Series:
    """The column ``name``, or an InputError listing the columns there are."""
    if name not in frame.columns:
        raise InputError(f"no {name!r} column (columns: {', '.join(frame.columns)})", file=path, field=name)
    return frame[name]


def _row(position: int) -> str:
    """Record label of a 0-based data row."""
    return f"row {position + 1}"


def _numbers(raw: pd.Series, path: Path, field: str) -> np.ndarray:
    """Floats of a column; empty cells become NaN, text that is not a number is an error."""
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    for at in np.flatnonzero(np.isnan(values)):  # empty cells and NaN/NA/null are missing values; other text is wrong
        cell = raw.iloc[at]
        if not pd.isna(cell) and str(cell).strip().lower() not in ("", "nan", "na", "null"):
            raise InputError(f"cannot read {cell!r} as a number", file=path, record=_row(int(at)), field=field)
    if np.isinf(values).any():
        at = int(np.flatnonzero(np.isinf(values))[0])
        raise InputError(f"non-finite value {values[at]}", file=path, record=_row(at), field=field)
    return values


def _timestamps(raw: pd.Series, path: Path, field: str, timezone: str | None) -> pd.DatetimeIndex:
    """Timestamps of a column, in file order.

    Naive timestamps stay naive unless ``timezone`` is given (then they are local times there;
    an hour repeated at the end of daylight saving is resolved by file order). Timestamps with
    UTC offsets are converted to ``timezone``; without one they must all share one offset,
    because calendar days (daily use) need a local clock.
    """
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        raise InputError(
            f"timestamps are stored as {raw.dtype} numbers; store date-times or ISO 8601 text such as "
            "'2024-01-01 00:00'", file=path, field=field)
    missing = raw.isna().to_numpy()
    if missing.any():
        raise InputError("missing timestamp", file=path, record=_row(int(np.flatnonzero(missing)[0])), field=field)
    mixed = False
    if pd.api.types.is_datetime64_any_dtype(raw):
        time = pd.DatetimeIndex(raw)
    else:
        try:
            time = _parse_datetimes(raw, utc=False)
        except ValueError:  # several UTC offsets (daylight saving) or offsets on some rows only
            mixed = True
            try:
                time = _parse_datetimes(raw, utc=True)
            except ValueError as err:
                raise InputError(f"cannot read the timestamps: {err}", file=path, field=field) from err
        bad = time.isna()
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise InputError(f"cannot read {raw.iloc[at]!r} as a date-time", file=path, record=_row(at), field=field)
    if time.tz is not None:
        if timezone is not None:
            return _convert(time, timezone, path, field)
        if mixed:
            raise InputError(
                "the timestamps carry different UTC offsets (daylight saving?); give the meter's time zone "
                "(e.g. timezone='Europe/Copenhagen') so that days are local calendar days", file=path, field=field)
        return time
    if timezone is None:
        return time
    try:
        return time.tz_localize(timezone, ambiguous="infer", nonexistent="raise")
    except Exception as err:  # pytz/zoneinfo errors for ambiguous or non-existent local times
        raise InputError(
            f"cannot place the local timestamps in {timezone!r}: {err}; write the timestamps with UTC offsets",
            file=path, field=field) from err


def _parse_datetimes(raw: pd.Series, utc: bool) -> pd.DatetimeIndex:
    """ISO 8601 text (dates alone and date-times may mix), else whatever pandas infers; NaT where unreadable."""
    try:
        time = pd.DatetimeIndex(pd.to_datetime(raw, errors="coerce", format="ISO8601", utc=utc))
        if not time.isna().any():
            return time
    except ValueError:
        pass
    return pd.DatetimeIndex(pd.to_datetime(raw, errors="coerce", utc=utc))


def _convert(time: pd.DatetimeIndex, timezone: str, path: Path, field: str) -> pd.DatetimeIndex:
    try:
        return time.tz_convert(timezone)
    except Exception as err:  # unknown zone name
        raise InputError(f"unknown time zone {timezone!r}: {err}", file=path, field=field) from err


# --- units -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit a meter file may be read in (from ``data/units.toml``).

    Attributes
    ----------
    name : str
        The unit's name as :func:`read_meter` takes it (``"kWh"``, ``"GJ"``, ``"gas_m3_cn"`` ...).
    factor : float
        One unit in ``to`` units. [kWh/unit or m³/unit]
    to : str
        ``"kWh"`` (energy meters) or ``"m3"`` (water meters).
    fuel : str
        The fuel the unit implies when the caller names none.
    source, confidence : str
        Where the factor comes from and its confidence mark.
    """

    name: str
    factor: float
    to: str
    fuel: str
    source: str
    confidence: str


def load_units() -> dict[str, Unit]:
    """All units of ``data/units.toml`` by name (a copy of the file's table, read once per process)."""
    return dict(_units())


@cache
def _units() -> dict[str, Unit]:
    data = tomllib.loads((resources.files("ecocity.buildings") / "data" / "units.toml").read_text(encoding="utf-8"))
    return {name: Unit(name=name, **record) for name, record in data["unit"].items()}


_ALIASES = {"kwh": "kWh", "wh": "Wh", "mwh": "MWh", "gj": "GJ", "mj": "MJ"}


def _unit(name: str, path: Path) -> Unit:
    units = load_units()
    key = _ALIASES.get(name.strip().lower(), name.strip())
    if key in units:
        return units[key]
    if key.lower() in ("m3", "m³", "nm3"):
        raise InputError(
            f"unit {name!r} is ambiguous: say 'gas_m3_cn' (natural gas, China), 'gas_m3_dk' (natural gas, "
            "Denmark) or 'water_m3'", file=path, field="unit")
    raise InputError(f"unknown unit {name!r}; expected one of {', '.join(units)}", file=path, field="unit")


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeterChecks:
    """What reading a meter file found. Timestamps are interval (or billing-period) starts.

    Attributes
    ----------
    gaps : list of (Timestamp, Timestamp)
        Missing stretches, each as (first missing interval start, last missing interval start); for
        billing meters (end of one period, start of the next).
    duplicates : list of Timestamp
        Timestamps recorded more than once with the same value (kept once).
    negatives : list of Timestamp
        Intervals with negative use (kept; missing in :func:`daily_usage`).
    resets : list of Timestamp
        Register intervals across a marked reset (their use is missing).
    spikes : list of Timestamp
        Intervals with use above median + 3·IQR (flagged only).
    missing : list of Timestamp
        Rows whose value cell was empty (kept as missing).
    notes : tuple of str
        Other things the reader did, in plain language.
    """

    gaps: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
    duplicates: list[pd.Timestamp] = field(default_factory=list)
    negatives: list[pd.Timestamp] = field(default_factory=list)
    resets: list[pd.Timestamp] = field(default_factory=list)
    spikes: list[pd.Timestamp] = field(default_factory=list)
    missing: list[pd.Timestamp] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Number of gaps, duplicates, negatives, resets, spikes and missing values."""
        return {name: len(getattr(self, name)) for name in ("gaps", "duplicates", "negatives", "resets", "spikes", "missing")}

    def issues(self) -> list[str]:
        """One plain-language line per kind of finding; empty when the file is clean."""
        lines = []
        if self.gaps:
            first = self.gaps[0]
            lines.append(f"{len(self.gaps)} gap(s) in the record, the first from {first[0]} to {first[1]}; kept as missing")
        if self.duplicates:
            lines.append(f"{len(self.duplicates)} timestamp(s) recorded twice with the same value, kept once "
                         f"(first {self.duplicates[0]})")
        if self.negatives:
            lines.append(f"{len(self.negatives)} negative value(s) (first {self.negatives[0]}): net metering or a "
                         "meter fault? Kept here, treated as missing in the daily use")
        if self.resets:
            lines.append(f"{len(self.resets)} register reset(s) (first {self.resets[0]}); the use across each reset "
                         "is unknown and kept as missing")
        if self.spikes:
            lines.append(f"{len(self.spikes)} spike(s) above median + 3·IQR (first {self.spikes[0]}); check them")
        if self.missing:
            lines.append(f"{len(self.missing)} empty value(s) (first {self.missing[0]}); kept as missing")
        lines.extend(self.notes)
        return lines


@dataclass(frozen=True)
class MeterData:
    """A meter's use as read from a file.

    Attributes
    ----------
    usage : pandas.Series or pandas.DataFrame
        Interval and register meters: Series ``value`` per interval on the interval-start index,
        on a regular grid with missing intervals as NaN. [kWh] (water: [m³]). Billing meters:
        DataFrame with columns ``start``, ``end`` (exclusive) and ``value``. [kWh] (water: [m³])
    unit_in : str
        The unit the file was read in.
    fuel : str
        ``"electricity"``, ``"heat"``, ``"gas"`` or ``"water"``.
    interval : pandas.Timedelta or None
        Length of an interval; None for billing meters.
    path : pathlib.Path
        The file read.
    checks : MeterChecks
        What reading found.
    kind : str
        ``"interval"``, ``"billing"`` or ``"register"``.
    unit : str
        Unit of :attr:`usage`: ``"kWh"`` or ``"m3"``.
    """

    usage: pd.Series | pd.DataFrame
    unit_in: str
    fuel: str
    interval: pd.Timedelta | None
    path: Path
    checks: MeterChecks
    kind: str = "interval"
    unit: str = "kWh"


# --- reading -----------------------------------------------------------------------------------


def read_meter(
    path: str | Path,
    *,
    unit: str = "kWh",
    kind: str | None = None,
    timezone: str | None = None,
    column: str | None = None,
    fuel: str | None = None,
) -> MeterData:
    """Read a meter file (CSV or Parquet): interval use, billing periods or register readings.

    Parameters
    ----------
    path
        The file. Interval: ``timestamp`` (interval start) and a value column (``value``, or the
        only other column). Billing: ``start``, ``end`` (exclusive; inclusive end dates, where
        every period ends the day before the next starts, are recognised and noted) and a value
        column. Register: ``timestamp``, ``reading`` (cumulative) and optionally ``reset`` (1 on
        the first reading after a register reset or replacement).
    unit
        Unit of the values: ``kWh``, ``Wh``, ``MWh``, ``GJ``, ``MJ``, ``gas_m3_cn``, ``gas_m3_dk``,
        ``water_m3``, ``water_L`` (factors and sources in ``data/units.toml``).
    kind
        ``"interval"``, ``"billing"``, ``"register"``, or None to infer it from the columns
        (``start`` and ``end``: billing; ``reading``: register; otherwise interval).
    timezone
        IANA zone of the meter (``"Asia/Shanghai"``, ``"Europe/Copenhagen"``). Naive timestamps
        are taken as local times there; timestamps with UTC offsets are converted to it.
    column
        Name of the value (or reading) column when it is not the default.
    fuel
        What the meter measures, when the unit does not say it (MWh of electricity, say).

    Returns
    -------
    MeterData
        Use converted to kWh (water: m³), with its checks.

    Raises
    ------
    InputError
        Naming file, row and column: missing column, unparsable timestamp or number, unknown
        unit, a timestamp twice with different values, timestamps off the interval grid,
        overlapping billing periods, a register that goes down without a ``reset`` mark.
    """
    path = Path(path)
    units = _unit(unit, path)
    fuel = units.fuel if fuel is None else fuel
    if fuel not in FUELS:
        raise InputError(f"unknown fuel {fuel!r}; expected one of {', '.join(FUELS)}", file=path, field="fuel")
    if (fuel == "water") != (units.to == "m3"):
        raise InputError(f"unit {unit!r} does not measure {fuel}", file=path, field="unit")
    frame = _read_table(path, "meter")
    if kind is None:
        kind = "billing" if {"start", "end"} <= set(frame.columns) else "register" if "reading" in frame.columns else "interval"
    if kind not in KINDS:
        raise InputError(f"unknown meter kind {kind!r}; expected one of {', '.join(KINDS)}", file=path, field="kind")
    reader = {"interval": _read_interval, "billing": _read_billing, "register": _read_register}[kind]
    usage, interval, checks = reader(frame, path, column, timezone, units.factor)
    usage.attrs.update(source=str(path), unit=units.to, fuel=fuel)
    return MeterData(usage=usage, unit_in=units.name, fuel=fuel, interval=interval, path=path, checks=checks,
                     kind=kind, unit=units.to)


def _value_column(frame: pd.DataFrame, column: str | None, default: str, skip: set[str], path: Path) -> str:
    if column is not None:
        _require_column(frame, column, path)
        return column
    if default in frame.columns:
        return default
    others = [c for c in frame.columns if c not in skip]
    if len(others) != 1:
        raise InputError(
            f"expected a {default!r} column (or exactly one value column); found: {', '.join(frame.columns)}. "
            "Name the column", file=path, field=default)
    return others[0]


def _sorted_unique(time: pd.DatetimeIndex, values: np.ndarray, path: Path, field: str):
    """Sort by time; drop exact duplicates (reported), refuse conflicting ones."""
    order = np.argsort(time.asi8, kind="stable")
    time, values = time[order], values[order]
    same_time = np.asarray(time[1:] == time[:-1])
    if not same_time.any():
        return time, values, order, []
    both_nan = np.isnan(values[1:]) & np.isnan(values[:-1])
    conflict = same_time & ~((values[1:] == values[:-1]) | both_nan)
    if conflict.any():
        at = int(np.flatnonzero(conflict)[0])
        rows = sorted((int(order[at]) + 1, int(order[at + 1]) + 1))
        raise InputError(
            f"timestamp {time[at]} appears in rows {rows[0]} and {rows[1]} with different values "
            f"({values[at]} and {values[at + 1]}); two meters in one file? Keep one row per interval",
            file=path, record=f"row {rows[1]}", field=field)
    keep = np.concatenate([[True], ~same_time])
    duplicates = list(time[1:][same_time])
    return time[keep], values[keep], order[keep], duplicates


def _grid(time: pd.DatetimeIndex, order: np.ndarray, path: Path) -> tuple[pd.Timedelta, pd.DatetimeIndex]:
    """The interval of a sorted index and the regular grid from its first to its last timestamp."""
    if len(time) < 2:
        raise InputError("an interval meter needs at least two rows to know its interval", file=path)
    wall = time.tz_localize(None) if time.tz is not None else time
    steps = wall[1:] - wall[:-1]
    if steps.min() >= pd.Timedelta(days=1) and (steps % pd.Timedelta(days=1) == pd.Timedelta(0)).all():
        step = steps.min()  # daily or coarser: calendar days on the local clock (23/25-hour DST days)
        days = int(step / pd.Timedelta(days=1))
        # a naive clock has no DST: a fixed step is the same grid and ~100× faster than DateOffset
        grid = pd.date_range(time[0], time[-1], freq=pd.Timedelta(days=days) if time.tz is None else pd.DateOffset(days=days))
        if not time.isin(grid).all():
            at = int(np.flatnonzero(~time.isin(grid))[0])
            raise InputError(f"timestamp {time[at]} is not on the meter's {step} grid", file=path,
                             record=_row(int(order[at])), field="timestamp")
        return step, grid
    steps = time[1:] - time[:-1]
    counts = steps.value_counts()
    step = counts.index[counts == counts.max()].min()  # the most common step; a stray timestamp is off it
    off = np.asarray((time - time[0]) % step != pd.Timedelta(0))
    if off.any():
        at = int(np.flatnonzero(off)[0])
        raise InputError(f"timestamp {time[at]} is not on the meter's {step} interval grid", file=path,
                         record=_row(int(order[at])), field="timestamp")
    return step, pd.date_range(time[0], time[-1], freq=step)


def _gaps(present: np.ndarray, grid: pd.DatetimeIndex) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    gaps, position = [], 0
    for is_present, run in itertools.groupby(present):
        n = len(list(run))
        if not is_present:
            gaps.append((grid[position], grid[position + n - 1]))
        position += n
    return gaps


def _spikes(usage: pd.Series) -> list[pd.Timestamp]:
    """Timestamps with use above median + 3·IQR of the finite, non-negative values (CalTRACK 2.3.6)."""
    values = usage[(usage >= 0)].dropna()
    if len(values) < 4:
        return []
    q1, median, q3 = np.percentile(values.to_numpy(), [25, 50, 75])
    return list(usage.index[(usage > median + SPIKE_IQR * (q3 - q1)).to_numpy()])


def _read_interval(frame, path, column, timezone, factor):
    name = _value_column(frame, column, "value", {"timestamp"}, path)
    time = _timestamps(_require_column(frame, "timestamp", path), path, "timestamp", timezone)
    values = _numbers(frame[name], path, name)
    time, values, order, duplicates = _sorted_unique(time, values, path, name)
    interval, grid = _grid(time, order, path)
    usage = pd.Series(values * factor, index=time, name="value").reindex(grid)
    usage.index.name = "timestamp"
    present = grid.isin(time)
    checks = MeterChecks(
        gaps=_gaps(present, grid), duplicates=duplicates, negatives=list(usage.index[(usage < 0).to_numpy()]),
        spikes=_spikes(usage), missing=list(time[np.isnan(values)]))
    return usage, interval, checks


def _read_register(frame, path, column, timezone, factor):
    name = column or "reading"
    time = _timestamps(_require_column(frame, "timestamp", path), path, "timestamp", timezone)
    readings = _numbers(_require_column(frame, name, path), path, name)
    if "reset" in frame.columns:
        reset = frame["reset"].fillna("").astype(str).str.strip().str.lower().isin(_TRUE).to_numpy()
    else:
        reset = np.zeros(len(frame), dtype=bool)
    time, readings, order, duplicates = _sorted_unique(time, readings, path, name)
    reset = reset[order]
    interval, grid = _grid(time, order, path)
    known = ~np.isnan(readings)
    position = np.flatnonzero(known)
    if len(position) < 2:
        raise InputError("a register meter needs at least two readings", file=path, field=name)
    rise = np.diff(readings[position])
    down = (rise < 0) & ~reset[position[1:]]
    if down.any():
        at = position[1:][int(np.flatnonzero(down)[0])]
        raise InputError(
            f"the register goes down from {readings[position[np.flatnonzero(down)[0]]]} to {readings[at]}; if the "
            "meter was reset or replaced, add a 'reset' column with 1 on this row", file=path,
            record=_row(int(order[at])), field=name)
    # Use between consecutive known readings, spread evenly over the grid intervals between them.
    slots = grid.get_indexer(time[position])
    usage = np.full(len(grid) - 1, np.nan)
    resets, spread = [], 0
    for (a, b), used, after_reset in zip(itertools.pairwise(slots), rise, reset[position[1:]]):
        if after_reset:
            resets.append(grid[a])
            continue
        usage[a:b] = used / (b - a)
        spread += b - a > 1
    index = grid[:-1]
    series = pd.Series(usage * factor, index=index, name="value")
    series.index.name = "timestamp"
    present = np.isin(np.arange(len(grid)), slots)
    notes = ("the last reading closes the last interval; use is per interval between readings",)
    if spread:
        notes += (f"{spread} stretch(es) of missing readings: the use across each is spread evenly over its intervals",)
    checks = MeterChecks(
        gaps=_gaps(present, grid), duplicates=duplicates, negatives=[], resets=resets, spikes=_spikes(series),
        missing=list(time[~known]), notes=notes)
    return series, interval, checks


def _read_billing(frame, path, column, timezone, factor):
    name = _value_column(frame, column, "value", {"start", "end"}, path)
    start = _timestamps(_require_column(frame, "start", path), path, "start", timezone)
    end = _timestamps(_require_column(frame, "end", path), path, "end", timezone)
    values = _numbers(frame[name], path, name)
    bad = np.asarray(end <= start)
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InputError(f"period ends ({end[at]}) before it starts ({start[at]})", file=path, record=_row(at), field="end")
    order = np.argsort(start.asi8, kind="stable")
    start, end, values = start[order], end[order], values[order]
    notes = []
    following = start[1:] - end[:-1]
    midnight = (start == start.normalize()).all() and (end == end.normalize()).all()
    if len(following) and midnight and (following == pd.Timedelta(days=1)).all():
        end = end + pd.Timedelta(days=1)
        following = following - pd.Timedelta(days=1)
        notes.append("billing end dates read as inclusive (each period ends the day before the next starts)")
    overlap = np.asarray(following < pd.Timedelta(0))
    if overlap.any():
        at = int(np.flatnonzero(overlap)[0]) + 1
        raise InputError(f"period starting {start[at]} overlaps the previous one (ending {end[at - 1]})", file=path,
                         record=_row(int(order[at])), field="start")
    days = np.asarray((end - start) / pd.Timedelta(days=1))
    odd = (days < 25) | (days > 70)
    if odd.any():
        notes.append(f"{int(odd.sum())} billing period(s) shorter than 25 or longer than 70 days "
                     "(CalTRACK 2.2.3.3-4 would not use them)")
    table = pd.DataFrame({"start": start, "end": end, "value": values * factor})
    per_day = pd.Series(table["value"].to_numpy() / days, index=start)
    gap_at = np.flatnonzero(np.asarray(following > pd.Timedelta(0)))
    checks = MeterChecks(
        gaps=[(end[i], start[i + 1]) for i in gap_at], negatives=list(start[values < 0]), spikes=_spikes(per_day),
        missing=list(start[np.isnan(values)]), notes=tuple(notes))
    return table, None, checks


# --- daily use and data sufficiency -------------------------------------------------------------


def _day_hours(days: pd.DatetimeIndex) -> np.ndarray:
    """Length of each local calendar day (23 or 25 h on daylight-saving days). [h]"""
    if days.tz is None:
        return np.full(len(days), 24.0)
    wall = days.tz_localize(None)
    following = (wall + pd.Timedelta(days=1)).tz_localize(days.tz, ambiguous="NaT", nonexistent="shift_forward")
    return np.asarray((following - days) / pd.Timedelta(hours=1))


def _all_days(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(first.normalize(), last.normalize(), freq="D", name="date")


def daily_usage(meter: MeterData, *, zero_is_missing: bool | None = None) -> pd.Series:
    """Use per local calendar day, missing days as NaN.

    Parameters
    ----------
    meter
        A meter from :func:`read_meter`.
    zero_is_missing
        Treat zero use as missing. None (default): True for electricity, as CalTRACK 2.2.1.4
        requires (a zero electricity reading is an outage or a data fault, not a day without use).

    Returns
    -------
    pandas.Series
        ``value`` per day on a daily index of local midnights, every day from the first to the
        last present. [kWh/d] (water: [m³/d])

    Notes
    -----
    * Negative values are set to missing here (they stay in ``meter.usage``).
    * Sub-daily data (CalTRACK 2.2.2.1 as eemeter implements it,
      ``downsample_and_clean_daily_data``): a day's use is the sum of its valid intervals divided
      by its coverage (valid recorded time / length of the local day), kept when the coverage is
      above 0.5 and missing otherwise. A day 80 % covered is scaled up by 1/0.8.
    * Billing periods are spread evenly over their days (eemeter ``as_freq``): daily values of a
      billing meter are period averages, not measured days.
    """
    missing_zero = meter.fuel == "electricity" if zero_is_missing is None else zero_is_missing
    if meter.kind == "billing":
        return _daily_from_billing(meter.usage, missing_zero)
    usage = meter.usage.where(meter.usage >= 0)
    if missing_zero:
        usage = usage.where(usage != 0)
    if meter.interval >= pd.Timedelta(days=1):
        if meter.interval != pd.Timedelta(days=1):
            raise InputError(f"interval of {meter.interval} is longer than a day; read it as billing periods",
                             file=meter.path, field="timestamp")
        daily = usage.copy()
        daily.index = daily.index.normalize()
    else:
        days = usage.index.normalize()
        total = usage.groupby(days).sum(min_count=1)
        hours = usage.notna().groupby(days).sum() * (meter.interval / pd.Timedelta(hours=1))
        coverage = hours.to_numpy() / _day_hours(total.index)
        daily = (total / coverage).where(coverage > MIN_DAY_COVERAGE)
    daily = daily.reindex(_all_days(daily.index[0], daily.index[-1]))
    daily.name = "value"
    daily.attrs.update(meter.usage.attrs)
    return daily


def _daily_from_billing(table: pd.DataFrame, missing_zero: bool) -> pd.Series:
    days = _all_days(table["start"].iloc[0], table["end"].iloc[-1] - pd.Timedelta(days=1))
    daily = pd.Series(np.nan, index=days, name="value")
    for start, end, value in table.itertuples(index=False):
        if np.isnan(value) or value < 0 or (missing_zero and value == 0):
            continue
        span = pd.date_range(start.normalize(), (end - pd.Timedelta(days=1)).normalize(), freq="D")
        daily.loc[span] = value / ((end - start) / pd.Timedelta(days=1))
    daily.attrs.update(table.attrs)
    return daily
