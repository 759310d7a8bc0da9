"""PI controllers of a plant, integrated with it (BSM1 default closed loop).

A :class:`PIController` measures one ASM1 state of one tank (ideal sensor: the state itself, no
delay or noise) and manipulates either the KLa of a tank or an internal recycle flow. Each
controller adds one state to the plant state, its integral part ``I``, so that the controllers
are integrated with the plant by the same solver (:mod:`ecocity.wastewater.simulate`)::

    e = r − y,   u = u_0 + K·e + I,   u_sat = min(max(u, u_min), u_max),
    dI/dt = (K/T_i)·e + (u_sat − u)/T_t

(PI with back-calculation anti-windup, tracking time T_t; Åström & Hägglund 1995, section 3.5;
the BSM1 default control loops, Alex et al. 2008, section 4). The BSM1 tuning is data:
``data/control_bsm1.toml``, each value with its source (:func:`load_control`).

References
----------
Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1). IWA Task Group on Benchmarking
of Control Strategies for WWTPs, Lund University (Description_BSM1_20090101), section 4.
Åström, K.J., Hägglund, T. (1995). PID Controllers: Theory, Design, and Tuning, 2nd ed. ISA.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ecocity.errors import InputError
from ecocity.wastewater._files import read_preset_or_file
from ecocity.wastewater import _kernel
from ecocity.wastewater.asm1 import INDEX

PRESETS: tuple[str, ...] = ("bsm1",)


class PIController(BaseModel):
    """A continuous PI controller with anti-windup on an ideal sensor.

    ``manipulated = "kla"`` sets the KLa of ``manipulated_tank`` [1/d]; ``"recycle"`` sets the
    flow of the internal recycle from ``recycle_from`` to ``recycle_to`` [m³/d].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    measured_tank: str
    measured_state: str
    setpoint: float = Field(description="Set-point of the measured state. [g/m³]")
    manipulated: Literal["kla", "recycle"]
    manipulated_tank: str | None = None
    recycle_from: str | None = None
    recycle_to: str | None = None
    gain: float = Field(description="Proportional gain K. [output unit per g/m³]")
    integral_time_d: float = Field(gt=0.0, description="Integral time T_i. [d]")
    tracking_time_d: float = Field(gt=0.0, description="Anti-windup tracking time T_t. [d]")
    output_min: float
    output_max: float
    output_offset: float = Field(0.0, description="u_0, the output at zero error and integral.")


def load_control(name_or_path: str | Path = "bsm1") -> tuple[PIController, ...]:
    """The controllers of a named control set (``data/control_<name>.toml``) or a TOML file.

    Raises
    ------
    InputError
        No such file, or a controller with a missing or unknown field (naming it).
    """
    path, data = read_preset_or_file(name_or_path, PRESETS, "control_{name}.toml", "control")
    controllers = []
    for i, entry in enumerate(data.get("controllers", [])):
        values = {key: (value["value"] if isinstance(value, dict) else value) for key, value in entry.items()}
        try:
            controllers.append(PIController.model_validate(values))
        except ValidationError as err:
            first = err.errors()[0]
            field = "controllers." + ".".join(str(part) for part in (i, *first["loc"]))
            raise InputError(first["msg"], file=path, field=field) from err
    return tuple(controllers)


def controller_table(model, controllers: Sequence[PIController]) -> np.ndarray:
    """The controllers as the rows the compiled right-hand side reads (``_kernel.full_rhs``).

    Raises
    ------
    InputError
        A controller names a tank, state or recycle the plant does not have.
    """
    names = [tank.name for tank in model.layout.tanks]
    table = np.zeros((len(controllers), _kernel.CONTROLLER_COLUMNS))

    def tank(name: str | None, field: str) -> int:
        if name not in names:
            raise InputError(f"no tank {name!r} in plant {model.layout.name!r} (tanks: {', '.join(names)})", field=field)
        return names.index(name)

    for row, c in zip(table, controllers, strict=True):
        if c.measured_state not in INDEX:
            raise InputError(f"unknown ASM1 state {c.measured_state!r}", field=f"{c.name}.measured_state")
        row[0] = tank(c.measured_tank, f"{c.name}.measured_tank") * len(INDEX) + INDEX[c.measured_state]
        if c.manipulated == "kla":
            row[1], row[2] = 0, tank(c.manipulated_tank, f"{c.name}.manipulated_tank")
        else:
            pair = (tank(c.recycle_from, f"{c.name}.recycle_from"), tank(c.recycle_to, f"{c.name}.recycle_to"))
            matches = [i for i, (a, b, _) in enumerate(model.recycles) if (a, b) == pair]
            if not matches:
                raise InputError(f"no internal recycle from {c.recycle_from!r} to {c.recycle_to!r}", field=c.name)
            row[1], row[2] = 1, matches[0]
        row[3:] = (c.setpoint, c.gain, c.integral_time_d, c.tracking_time_d, c.output_min, c.output_max,
                   c.output_offset)  # fmt: skip
    return table


def bumpless_integral_states(model, table: np.ndarray, plant_state: np.ndarray) -> np.ndarray:
    """Integral states that make each controller's output equal the layout's fixed KLa or
    recycle flow at ``plant_state`` (bumpless start)."""
    recycle = _kernel.recycle_flows(model)
    integral = np.empty(table.shape[0])
    for c, row in enumerate(table):
        current = model.kla_per_d[int(row[2])] if row[1] == 0 else recycle[int(row[2])]
        error = row[3] - plant_state[int(row[0])]
        integral[c] = current - row[9] - row[4] * error
    return integral


def manipulated_variables(model, table: np.ndarray, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KLa per tank ``(n_times, n_tanks)`` and recycle flows ``(n_times, n_recycles)`` as applied,
    from states with the controllers' integral states last."""
    n_times = states.shape[0]
    kla = np.tile(model.kla_per_d.astype(float), (n_times, 1))
    recycle = np.tile(_kernel.recycle_flows(model), (n_times, 1))
    n_plant = states.shape[1] - table.shape[0]
    for c, row in enumerate(table):
        u = row[9] + row[4] * (row[3] - states[:, int(row[0])]) + states[:, n_plant + c]
        target = kla if row[1] == 0 else recycle
        target[:, int(row[2])] = np.clip(u, row[7], row[8])
    return kla, recycle
