"""Reading BSM1 influent files: the benchmark's constant, dry, rain and storm weather, or a user file.

The four official files ship in ``wastewater/data/bsm1/`` (provenance, terms and sha256 in
``SOURCES.md`` there). Two layouts exist, both whitespace-separated, without a header:

* 16 columns ``t, S_I, S_S, X_I, X_S, X_BH, X_BA, X_P, S_O, S_NO, S_NH, S_ND, X_ND, S_ALK, TSS, Q``
  (``constinfluent.ascii``);
* 10 columns ``t, S_S, X_BH, X_S, X_I, S_NH, S_I, S_ND, X_ND, Q`` (the 15-min dynamic files). The
  missing states are completed as the benchmark's ``convert.m`` does: X_BA = X_P = S_O = S_NO = 0,
  S_ALK = 7 mol/m³, TSS = 0.75·(X_S + X_I + X_BH).

Units: t [d], COD states [g COD/m³], S_O [g O2/m³], N states [g N/m³], S_ALK [mol/m³],
TSS [g/m³], Q [m³/d].
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

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


def read_influent(name_or_path: str | Path) -> pd.DataFrame:
    """Read a BSM1 influent: ``"constant"``, ``"dry"``, ``"rain"``, ``"storm"`` or a file path.

    Parameters
    ----------
    name_or_path
        A benchmark influent name, or the path of a user file in one of the two benchmark
        layouts (16 or 10 whitespace-separated columns, no header, time in days first).

    Returns
    -------
    pandas.DataFrame
        Index ``t`` [d] (strictly increasing), columns :data:`COLUMNS` (float): concentrations
        [g/m³; S_ALK mol/m³] and flow ``Q`` [m³/d]. Each row holds from its time until the next
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
