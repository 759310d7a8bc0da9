"""PI controllers of a plant, integrated with it (BSM1 default closed loop).

A :class:`PIController` measures one ASM1 state of one tank and manipulates either the KLa of a
tank or an internal recycle flow. Each controller adds one state to the plant state, its
integral part ``I``, so that the controllers are integrated with the plant by the same solver
(:mod:`ecocity.wastewater.simulate`)::

    e = r − y,   u = u_0 + K·e + I,   u_sat = min(max(u, u_min), u_max),
    dI/dt = (K/T_i)·e + (u_sat − u)/T_t

(PI with back-calculation anti-windup, tracking time T_t; Åström & Hägglund 1995, section 3.5;
the BSM1 default control loops, Alex et al. 2008, section 4). The BSM1 tuning is data:
``data/control_bsm1.toml``, each value with its source (:func:`load_control`).

Sensors and actuators are ideal (``sensors="ideal"``: the state itself, the output itself) or the
benchmark's models (``sensors="benchmark"``): n equal first-order lags in series, each with time
constant T = T90/q_n (q_n: the time of 90 % of the step response in units of T, 3.89 for n = 2,
11.7724 for n = 8), the sensor's output clipped to its measuring range; every stage adds one
state. BSM1: DO sensor class A (n = 2, T90 = 1 min, 0–10 g/m³), nitrate sensor class B0
(n = 8, T90 = 10 min, 0–20 g N/m³), KLa5 actuator (n = 2, T90 = 4 min).

The benchmark sensors optionally carry measurement noise (:func:`sensor_noise`; ``noise="off"``
by default, so that runs are deterministic and the noise-free checks stay as they were): white,
zero-mean noise sampled once per minute and held until the next sample, of standard deviation
``noise_standard_deviation`` × ``measurement_max`` (BSM1: 2.5 % of the upper limit, 0.25 g O₂/m³
for the DO sensor, 0.5 g N/m³ for the nitrate sensor), added to the lagged signal before it is
clipped to the measuring range::

    y_m(t) = clip(x_n(t) + σ·z_k, min, max),   σ = δ·max,   k = ⌊t/Δt⌋ (t from day 0)

``noise="seeded"`` draws z_k from numpy's generator seeded with each sensor's ``noise_seed``
(sensorinit.m's seeds 1 and 2; the sequences differ from MATLAB's, so a run matches the published
one statistically, not sample by sample); a CSV file of ``time [d], z[, z, …]`` gives the
sequences themselves (e.g. the benchmark's ``sensornoise.mat`` exported: column j+1 for the j-th
noisy sensor, or one column for all).

References
----------
Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1). IWA Task Group on Benchmarking
of Control Strategies for WWTPs, Lund University (Description_BSM1_20090101), section 4; the
release's sensorinit.m (sensor and actuator parameters).
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
SENSORS: tuple[str, ...] = ("ideal", "benchmark")
#: the named noise options; anything else is a path to a noise file
NOISE: tuple[str, ...] = ("off", "seeded")
MINUTES_PER_DAY = 1440.0
#: tolerance of sample times [d] (the benchmark files round their times to 1e-9 d)
TIME_TOLERANCE_D = 1e-7


class LagChain(BaseModel):
    """An actuator (or the dynamic part of a sensor): ``order`` equal first-order lags in series.

    The step response reaches 90 % at ``response_time_min`` (T90); each lag's time constant is
    T = T90 / ``t90_per_time_constant`` (the 90 % point of the n-lag step response
    1 − Σ_{k<n} (t/T)^k/k! e^(−t/T), in units of T).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    order: int = Field(ge=1, description="Number of equal first-order lags in series.")
    response_time_min: float = Field(gt=0.0, description="T90, 90 % of a step reached. [min]")
    t90_per_time_constant: float = Field(gt=0.0, description="T90 / T for this order. [-]")

    @property
    def time_constant_d(self) -> float:
        """Time constant of each lag. [d]"""
        return self.response_time_min / MINUTES_PER_DAY / self.t90_per_time_constant


class Sensor(LagChain):
    """A sensor: a :class:`LagChain` whose output is clipped to the measuring range."""

    measurement_min: float = Field(description="Lower end of the measuring range. [g/m³]")
    measurement_max: float = Field(description="Upper end of the measuring range. [g/m³]")
    noise_standard_deviation: float = Field(
        0.0, ge=0.0, description="Noise standard deviation as a fraction of measurement_max. [-]"
    )
    noise_interval_min: float = Field(1.0, gt=0.0, description="Noise sample interval (held in between). [min]")
    noise_seed: int = Field(0, ge=0, description="Seed of the noise sequence of noise='seeded'.")

    @property
    def noise_sd(self) -> float:
        """Standard deviation of the measurement noise. [g/m³]"""
        return self.noise_standard_deviation * self.measurement_max


class PIController(BaseModel):
    """A continuous PI controller with anti-windup.

    ``manipulated = "kla"`` sets the KLa of ``manipulated_tank`` [1/d]; ``"recycle"`` sets the
    flow of the internal recycle from ``recycle_from`` to ``recycle_to`` [m³/d]. ``sensor`` and
    ``actuator``: None for the ideal ones.
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
    sensor: Sensor | None = None
    actuator: LagChain | None = None


def _values(entry: dict) -> dict:
    """A TOML table with ``{value = …, unit, source}`` entries reduced to the values."""
    return {
        key: (value["value"] if "value" in value else _values(value)) if isinstance(value, dict) else value
        for key, value in entry.items()
    }


def with_sensors(controllers: Sequence[PIController], sensors: str) -> tuple[PIController, ...]:
    """The controllers with ideal sensors and actuators (``"ideal"``) or with their own models
    (``"benchmark"``: as given, e.g. by ``load_control(..., sensors="benchmark")``).

    Raises
    ------
    InputError
        ``sensors`` is neither.
    """
    if sensors not in SENSORS:
        raise InputError(f"unknown sensors {sensors!r}; expected one of {', '.join(SENSORS)}", field="sensors")
    if sensors == "ideal":
        return tuple(c.model_copy(update={"sensor": None, "actuator": None}) for c in controllers)
    return tuple(controllers)


def load_control(name_or_path: str | Path = "bsm1", *, sensors: str = "ideal") -> tuple[PIController, ...]:
    """The controllers of a named control set (``data/control_<name>.toml``) or a TOML file.

    ``sensors="ideal"`` (default) drops the file's sensor and actuator models; ``"benchmark"``
    keeps them.

    Raises
    ------
    InputError
        No such file, a controller with a missing or unknown field (naming it), unknown ``sensors``.
    """
    path, data = read_preset_or_file(name_or_path, PRESETS, "control_{name}.toml", "control")
    controllers = []
    for i, entry in enumerate(data.get("controllers", [])):
        values = _values(entry)
        try:
            controllers.append(PIController.model_validate(values))
        except ValidationError as err:
            first = err.errors()[0]
            field = "controllers." + ".".join(str(part) for part in (i, *first["loc"]))
            raise InputError(first["msg"], file=path, field=field) from err
    return with_sensors(controllers, sensors)


def controller_table(model, controllers: Sequence[PIController]) -> np.ndarray:
    """The controllers as the rows the compiled right-hand side reads (``_kernel.controls``): one
    row per controller (its integral state), then one per lag stage of each sensor and actuator.

    Raises
    ------
    InputError
        A controller names a tank, state or recycle the plant does not have.
    """
    names = [tank.name for tank in model.layout.tanks]
    n_stages = sum((c.sensor.order if c.sensor else 0) + (c.actuator.order if c.actuator else 0) for c in controllers)
    table = np.zeros((len(controllers) + n_stages, _kernel.CONTROLLER_COLUMNS))

    def tank(name: str | None, field: str) -> int:
        if name not in names:
            raise InputError(f"no tank {name!r} in plant {model.layout.name!r} (tanks: {', '.join(names)})", field=field)
        return names.index(name)

    stage = len(controllers)

    def chain(chain: LagChain, kind: int, first_input: int) -> int:
        """Append the chain's stages; return the y index of its last stage."""
        nonlocal stage
        source = first_input
        for _ in range(chain.order):
            table[stage, [0, 1, 13]] = (source, kind, chain.time_constant_d)
            source, kind = model.size + stage, _kernel.STATE_LAG
            stage += 1
        return source

    for index, (row, c) in enumerate(zip(table, controllers, strict=False)):
        if c.measured_state not in INDEX:
            raise InputError(f"unknown ASM1 state {c.measured_state!r}", field=f"{c.name}.measured_state")
        row[0] = tank(c.measured_tank, f"{c.name}.measured_tank") * len(INDEX) + INDEX[c.measured_state]
        if c.manipulated == "kla":
            row[1], row[2] = _kernel.KLA, tank(c.manipulated_tank, f"{c.name}.manipulated_tank")
        else:
            pair = (tank(c.recycle_from, f"{c.name}.recycle_from"), tank(c.recycle_to, f"{c.name}.recycle_to"))
            matches = [i for i, (a, b, _) in enumerate(model.recycles) if (a, b) == pair]
            if not matches:
                raise InputError(f"no internal recycle from {c.recycle_from!r} to {c.recycle_to!r}", field=c.name)
            row[1], row[2] = _kernel.RECYCLE, matches[0]
        row[3:10] = (c.setpoint, c.gain, c.integral_time_d, c.tracking_time_d, c.output_min, c.output_max,
                     c.output_offset)  # fmt: skip
        row[10:13] = (-np.inf, np.inf, -1)
        if c.sensor is not None:
            row[0] = chain(c.sensor, _kernel.STATE_LAG, int(row[0]))
            row[10:12] = (c.sensor.measurement_min, c.sensor.measurement_max)
        if c.actuator is not None:
            row[12] = chain(c.actuator, _kernel.OUTPUT_LAG, index)
    return table


def _is_controller(row: np.ndarray) -> bool:
    return row[1] in (_kernel.KLA, _kernel.RECYCLE)


def bumpless_integral_states(model, table: np.ndarray, plant_state: np.ndarray) -> np.ndarray:
    """The appended states of a bumpless start at ``plant_state``: sensors reading the state,
    actuators at the layout's fixed KLa or recycle flow, and integral states that make each
    controller's output equal it."""
    recycle = _kernel.recycle_flows(model)
    y = np.concatenate((plant_state, np.zeros(table.shape[0])))

    def current(row: np.ndarray) -> float:
        return model.kla_per_d[int(row[2])] if row[1] == _kernel.KLA else recycle[int(row[2])]

    for r, row in enumerate(table):  # stages read earlier indices only
        if row[1] == _kernel.STATE_LAG:
            y[model.size + r] = y[int(row[0])]
        elif row[1] == _kernel.OUTPUT_LAG:
            y[model.size + r] = current(table[int(row[0])])
    for r, row in enumerate(table):
        if _is_controller(row):
            error = row[3] - np.clip(y[int(row[0])], row[10], row[11])
            y[model.size + r] = current(row) - row[9] - row[4] * error
    return y[model.size :]


def manipulated_variables(
    model, table: np.ndarray, states: np.ndarray, noise: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """KLa per tank ``(n_times, n_tanks)`` and recycle flows ``(n_times, n_recycles)`` as applied
    (after the actuators), from states with the appended states last; ``noise``: the measurement
    noise at each time, ``(n_times, n_rows of table)`` [g/m³], default none."""
    n_times = states.shape[0]
    kla = np.tile(model.kla_per_d.astype(float), (n_times, 1))
    recycle = np.tile(_kernel.recycle_flows(model), (n_times, 1))
    n_plant = states.shape[1] - table.shape[0]
    for c, row in enumerate(table):
        if not _is_controller(row):
            continue
        target = kla if row[1] == _kernel.KLA else recycle
        if row[12] >= 0:
            target[:, int(row[2])] = states[:, int(row[12])]
            continue
        signal = states[:, int(row[0])] + (0.0 if noise is None else noise[:, c])
        measured = np.clip(signal, row[10], row[11])
        u = row[9] + row[4] * (row[3] - measured) + states[:, n_plant + c]
        target[:, int(row[2])] = np.clip(u, row[7], row[8])
    return kla, recycle


def check_noise(noise: str | Path) -> str | Path:
    """``noise`` as given if it is a named option or an existing file.

    Raises
    ------
    InputError
        Neither.
    """
    if isinstance(noise, str) and noise in NOISE:
        return noise
    path = Path(noise)
    if not path.is_file():
        raise InputError(f"unknown noise {str(noise)!r}; expected one of {', '.join(NOISE)} or a noise file (CSV: "
                         "time [d], noise)", file=path, field="noise")  # fmt: skip
    return path


def read_noise_file(path: str | Path) -> np.ndarray:
    """A noise file: CSV rows ``time [d], z[, z, …]`` (standard-normal values, a header line
    allowed), times increasing. Returns the array ``(n_samples, n_columns)``.

    Raises
    ------
    InputError
        Unreadable, fewer than 2 columns or 2 rows, times not increasing.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig").splitlines()
        skip = 1 if text and any(ch.isalpha() and ch not in "eE" for ch in text[0]) else 0
        data = np.loadtxt(text[skip:], delimiter=",", ndmin=2)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the noise file: {err}", file=path, field="noise") from err
    if data.shape[1] < 2 or data.shape[0] < 2:
        raise InputError("a noise file needs at least 2 rows and 2 columns: time [d], noise", file=path, field="noise")
    if np.any(np.diff(data[:, 0]) <= 0.0):
        raise InputError("noise times must increase", file=path, field="noise")
    return data


def sensor_noise(
    controllers: Sequence[PIController], noise: str | Path, start_d: float, end_d: float
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The measurement noise of each noisy sensor over a run from ``start_d`` to ``end_d``.

    Parameters
    ----------
    controllers
        The controllers; those whose sensor has ``noise_standard_deviation > 0`` get noise.
    noise
        ``"off"``: none; ``"seeded"``: standard-normal draws at k·``noise_interval_min``, k = 0, 1, …
        from day 0 (numpy's default generator seeded with the sensor's ``noise_seed``; a run that
        starts later, or is integrated in pieces, reads the same sequence at the same times); a path:
        a noise file (:func:`read_noise_file`), its times absolute, column j+1 for the j-th noisy
        sensor or, with one noise column, that column for all.

    Returns
    -------
    list of (controller index, sample times [d], noise [g/m³])
        Each value holds from its time to the next (zero-order hold); the first time ≤ start_d.

    Raises
    ------
    InputError
        Unknown option; a noise file that does not cover the run.
    """
    noise = check_noise(noise)
    if noise == "seeded" and start_d < -TIME_TOLERANCE_D:
        raise InputError(f"seeded noise starts at day 0; this run starts at day {start_d:g}", field="noise")
    noisy = [i for i, c in enumerate(controllers) if c.sensor is not None and c.sensor.noise_standard_deviation > 0]
    if noise == "off" or not noisy:
        return []
    out = []
    if noise == "seeded":
        for i in noisy:
            sensor = controllers[i].sensor
            step = sensor.noise_interval_min / MINUTES_PER_DAY
            first, last = (int(np.floor(t / step + TIME_TOLERANCE_D / step)) for t in (start_d, end_d))
            values = np.random.default_rng(sensor.noise_seed).standard_normal(last + 1)[first:]
            out.append((i, step * np.arange(first, last + 1), sensor.noise_sd * values))
        return out
    data = read_noise_file(noise)
    times = data[:, 0]
    if times[0] > start_d + TIME_TOLERANCE_D or times[-1] < end_d - TIME_TOLERANCE_D - _last_step(times):
        raise InputError(f"the noise file covers days {times[0]:g}–{times[-1]:g}, not the run's "
                         f"{start_d:g}–{end_d:g}", file=noise, field="noise")  # fmt: skip
    first = max(int(np.searchsorted(times - TIME_TOLERANCE_D, start_d, side="right")) - 1, 0)
    last = int(np.searchsorted(times, end_d - TIME_TOLERANCE_D, side="left"))
    for j, i in enumerate(noisy):
        column = 1 + j if data.shape[1] > len(noisy) else 1
        out.append((i, times[first:last].copy(), controllers[i].sensor.noise_sd * data[first:last, column]))
    return out


def _last_step(times: np.ndarray) -> float:
    return float(times[-1] - times[-2])
