"""Reading benchmark influent files: BSM1 (constant, dry, rain, storm), BSM2 (constant, 609-day dynamic).

The four official files ship in ``wastewater/data/bsm1/`` (provenance, terms and sha256 in
``SOURCES.md`` there). Two layouts exist, both whitespace-separated, without a header:

* 16 columns ``t, S_I, S_S, X_I, X_S, X_BH, X_BA, X_P, S_O, S_NO, S_NH, S_ND, X_ND, S_ALK, TSS, Q``
  (``constinfluent.ascii``);
* 10 columns ``t, S_S, X_BH, X_S, X_I, S_NH, S_I, S_ND, X_ND, Q`` (the 15-min dynamic files). The
  missing states are completed as the benchmark's ``convert.m`` does: X_BA = X_P = S_O = S_NO = 0,
  S_ALK = 7 mol/m³, TSS = 0.75·(X_S + X_I + X_BH).

Units: t [d], COD states [g COD/m³], S_O [g O2/m³], N states [g N/m³], S_ALK [mol/m³],
TSS [g/m³], Q [m³/d].

The two BSM2 files ship in ``wastewater/data/bsm2/`` (the 609-day file gzip-compressed;
provenance and sha256 in ``SOURCES.md`` there). Their layout is comma-separated without a header,
22 columns ``t, S_I … S_ALK, TSS, Q, T`` and five dummy states (dropped here); a user file may also
leave the dummies out (17 columns). :func:`read_influent` returns them with the temperature
column ``T`` [°C] (:data:`BSM2_COLUMNS`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import gzip

import numpy as np
import pandas as pd

from ecocity.errors import InputError

#: Column names of the returned frame, the benchmark's names, in the benchmark's order.
COLUMNS: tuple[str, ...] = (
    "S_I", "S_S", "X_I", "X_S", "X_BH", "X_BA", "X_P", "S_O", "S_NO", "S_NH", "S_ND", "X_ND",
    "S_ALK", "TSS", "Q",
)  # fmt: skip
#: The 10-column layout of the dynamic files (after t), per the benchmark's ``convert.m``.
DYNAMIC_COLUMNS: tuple[str, ...] = ("S_S", "X_BH", "X_S", "X_I", "S_NH", "S_I", "S_ND", "X_ND", "Q")
#: The benchmark's influent files by name.
BENCHMARK_FILES: dict[str, str] = {
    "constant": "constinfluent.ascii",
    "dry": "dryinfluent.ascii",
    "rain": "raininfluent.ascii",
    "storm": "storminfluent.ascii",
}
#: Alkalinity of the dynamic influents [mol HCO3-/m³] (BSM1 ``convert.m``).
ALKALINITY_MOL_PER_M3 = 7.0
#: TSS per particulate COD [g TSS/g COD] (BSM1 description, Alex et al. 2008).
TSS_PER_COD = 0.75

_DATA = resources.files("ecocity.wastewater") / "data" / "bsm1"

#: Column names of a BSM2 influent frame: :data:`COLUMNS` and the temperature ``T`` [°C].
BSM2_COLUMNS: tuple[str, ...] = (*COLUMNS, "T")
#: The five dummy states that end a BSM2 influent row (zero in the benchmark files; dropped).
BSM2_DUMMY_COLUMNS: tuple[str, ...] = ("S_D1", "S_D2", "S_D3", "X_D4", "X_D5")
#: The BSM2 benchmark's influent files by name (in ``data/bsm2``).
BSM2_FILES: dict[str, str] = {
    "bsm2-constant": "constinfluent_bsm2.csv",
    "bsm2-dynamic": "dyninfluent_bsm2.csv.gz",
}
#: Allowed gap between a file's TSS and 0.75 × particulate COD: absolute [g/m³] plus relative [-].
#: The benchmark file rounds to 8 significant digits (largest gap 1.3e-5 g/m³).
TSS_TOLERANCE_G_PER_M3 = 1e-3
TSS_TOLERANCE_REL = 1e-6
#: Plausible range of a wastewater temperature [°C].
TEMPERATURE_RANGE_C = (0.0, 50.0)

_DATA_BSM2 = resources.files("ecocity.wastewater") / "data" / "bsm2"


def read_influent(name_or_path: str | Path) -> pd.DataFrame:
    """Read a benchmark influent by name (BSM1 or BSM2) or a user file.

    BSM1: ``"constant"``, ``"dry"``, ``"rain"``, ``"storm"`` or a whitespace-separated file path.
    BSM2: ``"bsm2-constant"`` or ``"bsm2-dynamic"`` (see :func:`read_bsm2_influent`).

    Parameters
    ----------
    name_or_path
        A benchmark influent name, or the path of a user file in one of the two benchmark
        layouts (16 or 10 whitespace-separated columns, no header, time in days first).

    Returns
    -------
    pandas.DataFrame
        Index ``t`` [d] (strictly increasing), columns :data:`COLUMNS` (float): concentrations
        [g/m³; S_ALK mol/m³] and flow ``Q`` [m³/d]; for the BSM2 names, :data:`BSM2_COLUMNS`
        (with the temperature ``T`` [°C]). Each row holds from its time until the next
        (zero-order hold, as the benchmark reads the files).

    Raises
    ------
    InputError
        The name is unknown, the file is missing, or a row is malformed (naming the file, the
        1-based row and the column): wrong number of fields, a non-number, a negative
        concentration, a non-positive flow, or time not increasing.

    Examples
    --------
    >>> influent = read_influent("dry")
    >>> influent.shape, round(float(influent["Q"].mean()), 2)
    ((1344, 15), 18446.33)
    """
    if isinstance(name_or_path, str) and name_or_path in BSM2_FILES:
        return read_bsm2_influent(name_or_path)
    path = _resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the influent file ({err})", file=path) from err
    rows = [(number, line.split()) for number, line in enumerate(text.splitlines(), 1)]
    rows = [(number, fields) for number, fields in rows if fields]
    if not rows:
        raise InputError("the influent file holds no data rows", file=path)
    width = len(rows[0][1])
    if width not in (16, 10):
        raise InputError(
            f"{width} columns; expected 16 (t, {', '.join(COLUMNS)}) "
            f"or 10 (t, {', '.join(DYNAMIC_COLUMNS)})",
            file=path,
            record="row 1",
        )
    names = ("t", *(COLUMNS if width == 16 else DYNAMIC_COLUMNS))
    values = np.empty((len(rows), width))
    for i, (number, fields) in enumerate(rows):
        if len(fields) != width:
            raise InputError(
                f"{len(fields)} columns; expected {width} like row 1", file=path, record=f"row {number}"
            )
        for j, field in enumerate(fields):
            try:
                values[i, j] = float(field)
            except ValueError as err:
                raise InputError(
                    f"{field!r} is not a number", file=path, record=f"row {number}", field=names[j]
                ) from err
            if not np.isfinite(values[i, j]):
                raise InputError(
                    f"{field!r} is not a finite number",
                    file=path,
                    record=f"row {number}",
                    field=names[j],
                )
    _check_values(values, names, [number for number, _ in rows], path)
    frame = pd.DataFrame(values[:, 1:], columns=list(names[1:]), index=pd.Index(values[:, 0], name="t"))
    if width == 10:
        for name in ("X_BA", "X_P", "S_O", "S_NO"):
            frame[name] = 0.0
        frame["S_ALK"] = ALKALINITY_MOL_PER_M3
        frame["TSS"] = TSS_PER_COD * (frame["X_S"] + frame["X_I"] + frame["X_BH"])
    return frame[list(COLUMNS)]


def _resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, str) and name_or_path in BENCHMARK_FILES:
        return Path(str(_DATA / BENCHMARK_FILES[name_or_path]))
    path = Path(name_or_path)
    if not path.is_file():
        raise InputError(
            f"no such influent file; expected a path or one of {', '.join(BENCHMARK_FILES)}",
            file=path,
        )
    return path


def _check_values(values: np.ndarray, names: tuple[str, ...], numbers: list[int], path: Path) -> None:
    for j, name in enumerate(names):
        if name == "t":
            bad = np.flatnonzero(np.diff(values[:, 0]) <= 0.0) + 1
            problem = "time [d] must increase strictly from row to row"
        elif name == "Q":
            bad = np.flatnonzero(values[:, j] <= 0.0)
            problem = "flow Q [m³/d] must be positive"
        else:
            bad = np.flatnonzero(values[:, j] < 0.0)
            problem = "concentrations must not be negative"
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"{values[i, j]:g}: {problem}", file=path, record=f"row {numbers[i]}", field=name
            )


def read_bsm2_influent(name_or_path: str | Path) -> pd.DataFrame:
    """Read a BSM2 influent: ``"bsm2-constant"``, ``"bsm2-dynamic"`` or a file in that layout.

    Parameters
    ----------
    name_or_path
        A name of :data:`BSM2_FILES`, or the path of a comma-separated file without a header
        (``.csv`` or gzip-compressed ``.csv.gz``) with 22 columns ``t, S_I … S_ALK, TSS, Q, T,
        S_D1, S_D2, S_D3, X_D4, X_D5`` or 17 columns (the same without the dummy states).

    Returns
    -------
    pandas.DataFrame
        Index ``t`` [d] (strictly increasing), columns :data:`BSM2_COLUMNS` (float):
        concentrations [g/m³; S_ALK mol/m³], ``TSS`` [g/m³], ``Q`` [m³/d] and ``T`` [°C]. Each
        row holds until the next (zero-order hold). The dummy states are dropped.

    Raises
    ------
    InputError
        The name is unknown, the file is missing or unreadable, or a row is malformed (naming
        the file, the 1-based row and the column): wrong number of fields, a non-number, a
        negative concentration, a non-positive flow, time not increasing, a temperature outside
        0–50 °C, or a TSS differing from 0.75 (X_I + X_S + X_BH + X_BA + X_P) (BSM convention).

    Examples
    --------
    >>> influent = read_bsm2_influent("bsm2-dynamic")
    >>> influent.shape, round(float(influent.index[-1]), 6)
    ((58465, 16), 609.0)
    """
    if isinstance(name_or_path, str) and name_or_path in BSM2_FILES:
        path = Path(str(_DATA_BSM2 / BSM2_FILES[name_or_path]))
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise InputError(
                f"no such influent file; expected a path or one of {', '.join(BSM2_FILES)}", file=path
            )
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(f"cannot read the influent file ({err})", file=path) from err
    rows = [(number, line.split(",")) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise InputError("the influent file holds no data rows", file=path)
    width = len(rows[0][1])
    full, short = 1 + len(BSM2_COLUMNS) + len(BSM2_DUMMY_COLUMNS), 1 + len(BSM2_COLUMNS)
    if width not in (full, short):
        raise InputError(
            f"{width} columns; expected {full} (t, {', '.join(BSM2_COLUMNS)}, "
            f"{', '.join(BSM2_DUMMY_COLUMNS)}) or {short} (without the dummy states)",
            file=path,
            record="row 1",
        )
    names = ("t", *BSM2_COLUMNS, *(BSM2_DUMMY_COLUMNS if width == full else ()))
    for number, fields in rows:
        if len(fields) != width:
            raise InputError(f"{len(fields)} columns; expected {width} like row 1", file=path, record=f"row {number}")
    numbers = [number for number, _ in rows]
    values = _to_floats([fields for _, fields in rows], names, numbers, path)
    _check_values(values, names, numbers, path)
    _check_bsm2(values, names, numbers, path)
    frame = pd.DataFrame(
        values[:, 1 : short], columns=list(BSM2_COLUMNS), index=pd.Index(values[:, 0], name="t")
    )
    return frame


def _to_floats(rows: list[list[str]], names: tuple[str, ...], numbers: list[int], path: Path) -> np.ndarray:
    """The fields as floats; on failure, the first bad field by row and column."""
    try:
        values = np.array(rows, dtype=float)
    except ValueError:
        values = None
    if values is not None and np.all(np.isfinite(values)):
        return values
    for number, fields in zip(numbers, rows, strict=True):
        for name, field in zip(names, fields, strict=True):
            try:
                value = float(field)
            except ValueError as err:
                raise InputError(
                    f"{field.strip()!r} is not a number", file=path, record=f"row {number}", field=name
                ) from err
            if not np.isfinite(value):
                raise InputError(
                    f"{field.strip()!r} is not a finite number", file=path, record=f"row {number}", field=name
                )
    raise AssertionError("unreachable: a conversion failed but no field is bad")  # pragma: no cover


def _check_bsm2(values: np.ndarray, names: tuple[str, ...], numbers: list[int], path: Path) -> None:
    column = {name: j for j, name in enumerate(names)}
    temperature = values[:, column["T"]]
    low, high = TEMPERATURE_RANGE_C
    bad = np.flatnonzero((temperature < low) | (temperature > high))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{temperature[i]:g}: temperature [°C] must lie between {low:g} and {high:g}",
            file=path,
            record=f"row {numbers[i]}",
            field="T",
        )
    particulate = sum(values[:, column[name]] for name in ("X_I", "X_S", "X_BH", "X_BA", "X_P"))
    expected = TSS_PER_COD * particulate
    tss = values[:, column["TSS"]]
    bad = np.flatnonzero(np.abs(tss - expected) > TSS_TOLERANCE_G_PER_M3 + TSS_TOLERANCE_REL * np.abs(expected))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{tss[i]:g}: TSS [g/m³] must equal 0.75 × (X_I + X_S + X_BH + X_BA + X_P) = {expected[i]:g} "
            "(BSM convention)",
            file=path,
            record=f"row {numbers[i]}",
            field="TSS",
        )
