"""The plant that treats a district's wastewater: the optional ``wastewater.toml``.

::

    plant = "bsm1"                 # bsm1, bsm2 (plant-wide), or a plant TOML path relative to the district folder
    influent = "dry"               # constant, dry, rain, storm (BSM1), dynamic (BSM2), or an influent file path
    control = "open"               # open, or default (the benchmark's PI loops)
    days = 14.0                    # optional: end of a dynamic run [d]
    standards = ["gb18918_2002_1a"]
    grid = "beijing-2022"          # plant-wide only: grid emission factor name (or kg CO2e/kWh)

A thin container (:class:`WastewaterLink`) and its reader; names of presets, influents,
controls and standards are the wastewater area's, passed in by the caller so that the district
model does not depend on an area.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ecocity.district.files import read_toml, reject_unknown_keys, validated
from ecocity.errors import InputError

WASTEWATER_FILE = "wastewater.toml"
PLANT_PRESETS: tuple[str, ...] = ("bsm1", "bsm2")
INFLUENT_NAMES: tuple[str, ...] = ("constant", "dry", "rain", "storm", "dynamic")
CONTROLS: tuple[str, ...] = ("open", "default")


class WastewaterLink(BaseModel):
    """Which plant treats the district's wastewater, under which influent, control and standards.

    ``plant`` and ``influent`` are a preset/benchmark name or an absolute path.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    plant: str | Path = "bsm1"
    influent: str | Path = "constant"
    control: str = "open"
    days: float | None = Field(None, gt=0.0, description="End of a dynamic run. [d]")
    standards: tuple[str, ...] = Field(("gb18918_2002_1a",), min_length=1)
    grid: str | float | None = Field(None, description="Grid emission factor (name or kg CO2e/kWh); plant-wide only.")


def read_wastewater(folder: Path, *, standards: Collection[str] | None = None) -> WastewaterLink | None:
    """The district's ``wastewater.toml``, or None when the folder has none.

    Parameters
    ----------
    folder
        The district folder.
    standards
        Effluent standard names that may be named (the wastewater area's); None skips the check.

    Raises
    ------
    InputError
        Naming ``wastewater.toml`` and the field: an unknown key, a plant or influent file that
        does not exist, an unknown control or standard, a wrong type.
    """
    path = folder / WASTEWATER_FILE
    if not path.is_file():
        return None
    table = read_toml(path)
    reject_unknown_keys(table, set(WastewaterLink.model_fields), file=path, record=None)
    data = dict(table)
    for key, names in (("plant", PLANT_PRESETS), ("influent", INFLUENT_NAMES)):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise InputError(f"expected a name ({', '.join(names)}) or a file path, got {value!r}", file=path, field=key)
        if value not in names:
            resolved = (folder / value).resolve()
            if not resolved.is_file():
                raise InputError(
                    f"{value!r} is neither one of {', '.join(names)} nor an existing file", file=path, field=key
                )
            data[key] = resolved
    control = data.get("control", "open")
    if control not in CONTROLS:
        raise InputError(f"unknown control {control!r}; expected one of {', '.join(CONTROLS)}", file=path, field="control")
    if isinstance(data.get("days"), int) and not isinstance(data.get("days"), bool):
        data["days"] = float(data["days"])
    link = validated(WastewaterLink, data, file=path, record=None)
    if standards is not None:
        for name in link.standards:
            if name not in standards:
                raise InputError(
                    f"unknown effluent standard {name!r}; known: {', '.join(standards)}", file=path, field="standards"
                )
    return link
