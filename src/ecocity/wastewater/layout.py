"""Plant layouts as data: tanks in series, internal recycles, a secondary settler.

A :class:`PlantLayout` is a thin validated container (no algorithms). ``load_plant("bsm1")``
gives the benchmark plant from ``wastewater/data/bsm1_plant.toml`` (values cited there); a user
describes their own plant of the same blocks in a TOML file of the same form::

    name = "my plant"
    [[tanks]]            # in flow order; the influent enters the first, the last feeds the settler
    name = "anoxic"
    volume_m3 = 1500.0
    kla_per_d = 0.0      # or do_setpoint_g_per_m3 = 2.0 (dissolved oxygen held at the set-point)
    [[internal_recycles]]
    from = "aerobic"     # a tank
    to = "anoxic"        # the same or an upstream tank
    flow_m3_per_d = 30000.0
    [settler]
    area_m2 = 1500.0
    height_m = 4.0
    underflow_m3_per_d = 18831.0   # return sludge + wastage
    wastage_m3_per_d = 385.0
    return_to = "anoxic"
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ecocity.errors import InputError
from ecocity.wastewater._files import read_preset_or_file

PRESETS: tuple[str, ...] = ("bsm1",)


class Tank(BaseModel):
    """A completely mixed reactor: volume and either an aeration KLa or a DO set-point."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    volume_m3: float = Field(gt=0.0, description="Liquid volume. [m³]")
    kla_per_d: float | None = Field(None, ge=0.0, description="Oxygen transfer coefficient. [1/d]")
    do_setpoint_g_per_m3: float | None = Field(
        None, ge=0.0, description="Dissolved oxygen held at this value (ideal control). [g O2/m³]"
    )

    @model_validator(mode="after")
    def _one_aeration(self) -> Self:
        if (self.kla_per_d is None) == (self.do_setpoint_g_per_m3 is None):
            raise ValueError("give exactly one of kla_per_d (0 for no aeration) or do_setpoint_g_per_m3")
        return self


class Recycle(BaseModel):
    """An internal (mixed-liquor) recycle from one tank to the same or an upstream tank."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_tank: str = Field(alias="from")
    to_tank: str = Field(alias="to")
    flow_m3_per_d: float = Field(ge=0.0, description="Recycle flow. [m³/d]")


class Settler(BaseModel):
    """A layered secondary settler (Takács); underflow split into return sludge and wastage."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    area_m2: float = Field(gt=0.0)
    height_m: float = Field(gt=0.0)
    layers: int = Field(10, ge=3)
    feed_layer_from_top: int = Field(5, ge=1, description="1-based, counted from the top layer.")
    settling_parameters: str = "bsm1"
    underflow_m3_per_d: float = Field(gt=0.0, description="Return sludge + wastage. [m³/d]")
    wastage_m3_per_d: float = Field(ge=0.0, description="Excess sludge withdrawn. [m³/d]")
    return_to: str

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.feed_layer_from_top > self.layers:
            raise ValueError(f"feed_layer_from_top {self.feed_layer_from_top} is below the {self.layers} layers")
        if self.wastage_m3_per_d > self.underflow_m3_per_d:
            raise ValueError(
                f"wastage_m3_per_d {self.wastage_m3_per_d:g} is above the settler underflow "
                f"{self.underflow_m3_per_d:g}; wastage is taken from the underflow"
            )
        return self

    @property
    def return_sludge_m3_per_d(self) -> float:
        """Return sludge flow = underflow − wastage. [m³/d]"""
        return self.underflow_m3_per_d - self.wastage_m3_per_d


class PlantLayout(BaseModel):
    """An activated-sludge plant: tanks in series, internal recycles and a secondary settler."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    asm1_parameters: str = "bsm1"
    tanks: tuple[Tank, ...] = Field(min_length=1)
    internal_recycles: tuple[Recycle, ...] = ()
    settler: Settler

    @model_validator(mode="after")
    def _connections(self) -> Self:
        names = [tank.name for tank in self.tanks]
        if len(set(names)) != len(names):
            raise ValueError(f"tank names must be unique: {names}")
        for recycle in self.internal_recycles:
            for end in (recycle.from_tank, recycle.to_tank):
                if end not in names:
                    raise ValueError(f"recycle to nowhere: no tank {end!r} (tanks: {', '.join(names)})")
            if names.index(recycle.to_tank) > names.index(recycle.from_tank):
                raise ValueError(
                    f"recycle from {recycle.from_tank!r} to {recycle.to_tank!r} goes downstream; "
                    "a recycle returns to the same or an upstream tank"
                )
        if self.settler.return_to not in names:
            raise ValueError(f"return sludge to nowhere: no tank {self.settler.return_to!r}")
        return self

    def tank_index(self, name: str) -> int:
        """Position of a tank in flow order (0-based)."""
        return [tank.name for tank in self.tanks].index(name)


def load_plant(name_or_path: str | Path) -> PlantLayout:
    """Load a plant layout: a preset name (``"bsm1"``) or a TOML file.

    Raises
    ------
    InputError
        The file is missing or not TOML, or the layout is wrong (naming the file and the field):
        a negative volume, an unknown unit or key, a recycle to a tank that does not exist,
        wastage above the settler underflow.
    """
    path, data = read_preset_or_file(name_or_path, PRESETS, "{name}_plant.toml", "plant")
    try:
        return PlantLayout.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        problem = first["msg"]
        if first["type"] == "extra_forbidden":
            problem = "unknown unit or key; expected tanks, internal_recycles, settler and their fields"
        raise InputError(problem, file=path, field=field) from err
