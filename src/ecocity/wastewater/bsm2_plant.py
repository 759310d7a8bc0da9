"""The BSM2 plant's data and the planner's options: unit parameters packed for the compiled
loop (:class:`Bsm2Parts`, :func:`load_bsm2`, user plant files naming ``preset = "bsm2"``) and
:class:`Bsm2Options` (DO set-point, sludge age, ammonia-based aeration control, co-digestion,
thermal hydrolysis), with their cited defaults in ``data/bsm2_options.toml``.

The simulation that uses them is :mod:`ecocity.wastewater.bsm2`; the options' method and
sources are in ``docs/methods/bsm2-options.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from ecocity.errors import InputError
from ecocity.wastewater import _kernel_bsm2 as kll
from ecocity.wastewater import adm1, interfaces, liquid_line, sludge_units
from ecocity.wastewater._files import read_preset_or_file

_OPTIONS_FILE = "bsm2_options.toml"
#: (lower, upper) bounds of the numeric options; values outside are refused as absurd
_OPTION_BOUNDS = {
    "do_setpoint_g_per_m3": (0.1, 8.0),
    "wastage_m3_per_d": (10.0, 5000.0),
    "ammonia_setpoint_g_per_m3": (0.05, 20.0),
    "codigestion_kg_cod_per_d": (0.0, 100_000.0),
}


@cache
def option_defaults() -> dict[str, float]:
    """The cited defaults of the options (``data/bsm2_options.toml``), as ``section.key`` → value."""
    text = (resources.files("ecocity.wastewater") / "data" / _OPTIONS_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {f"{section}.{key}": float(entry["value"]) for section, entries in data.items()
            if isinstance(entries, dict) for key, entry in entries.items()}  # fmt: skip


@dataclass(frozen=True)
class Bsm2Options:
    """Planner options on the BSM2 plant (none set: the benchmark as published).

    Parameters
    ----------
    do_setpoint_g_per_m3
        Tank-4 DO set-point of the default loop (BSM2: 2.0). [g O2/m³]
    wastage_m3_per_d
        A fixed wastage flow Qw instead of the BSM2 seasonal schedule (sets the sludge age). [m³/d]
    ammonia_control
        Ammonia-based aeration control (ABAC): a PI on tank-5 S_NH sets the DO set-point (cascade).
    ammonia_setpoint_g_per_m3
        Tank-5 S_NH target of the ABAC (default: ``bsm2_options.toml``). [g N/m³]
    codigestion_kg_cod_per_d
        Food waste fed to the digester (composition from ``bsm2_options.toml``). [kg COD/d]
    thermal_hydrolysis
        Thermal hydrolysis of the digester feed, as a higher digestibility of the sludge.

    Raises
    ------
    InputError
        A value out of its range (naming the field), or an ABAC set-point without ABAC.
    """

    do_setpoint_g_per_m3: float | None = None
    wastage_m3_per_d: float | None = None
    ammonia_control: bool = False
    ammonia_setpoint_g_per_m3: float | None = None
    codigestion_kg_cod_per_d: float = 0.0
    thermal_hydrolysis: bool = False

    def __post_init__(self) -> None:
        for name, (low, high) in _OPTION_BOUNDS.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise InputError(f"{name} must be a number, got {value!r}", field=name)
            if not low <= value <= high:
                raise InputError(f"{name} = {value:g} is outside the accepted range [{low:g}, {high:g}]", field=name)
        for name in ("ammonia_control", "thermal_hydrolysis"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name} must be true or false", field=name)
        if self.ammonia_setpoint_g_per_m3 is not None and not self.ammonia_control:
            raise InputError("an ammonia set-point needs ammonia_control = true", field="ammonia_setpoint_g_per_m3")

    def label(self) -> str:
        """A short human label, e.g. ``"DO 1.5 g/m³, ABAC"`` (``"BSM2 default"`` when none is set)."""
        parts = []
        if self.do_setpoint_g_per_m3 is not None:
            parts.append(f"DO {self.do_setpoint_g_per_m3:g} g/m³")
        if self.ammonia_control:
            sp = self.ammonia_setpoint_g_per_m3
            parts.append("ABAC" if sp is None else f"ABAC NH4 {sp:g} g/m³")
        if self.wastage_m3_per_d is not None:
            parts.append(f"Qw {self.wastage_m3_per_d:g} m³/d")
        if self.codigestion_kg_cod_per_d > 0.0:
            parts.append(f"food waste {self.codigestion_kg_cod_per_d:g} kg COD/d")
        if self.thermal_hydrolysis:
            parts.append("THP")
        return ", ".join(parts) if parts else "BSM2 default"


def food_waste_stream(load_kg_cod_per_d: float) -> np.ndarray:
    """The co-digested food waste as an ADM1 stream (26 concentrations, Q [m³/d], T [°C]).

    COD split into X_ch, X_pr, X_li and X_I at ``food_waste.cod_kg_per_m3`` (its flow is the load
    over that concentration); no inorganic carbon, nitrogen or ions (``bsm2_options.toml``).
    """
    d = option_defaults()
    out = np.zeros(28)
    cod = d["food_waste.cod_kg_per_m3"]
    fractions = [d[f"food_waste.{k}_fraction"] for k in ("carbohydrate", "protein", "lipid", "inert")]
    for index, fraction in zip((13, 14, 15, 23), fractions, strict=True):
        out[index] = fraction * cod
    out[26] = load_kg_cod_per_d / cod
    out[27] = d["food_waste.temperature_c"]
    return out


def with_thermal_hydrolysis(parts: Bsm2Parts) -> Bsm2Parts:
    """A copy of ``parts`` with the THP simplification: part of the ASM1 inerts mapped to ADM1
    composites (the interface's ``fdegrade_adm``) and a faster disintegration (``k_dis`` × factor)."""
    d = option_defaults()
    interface = parts.interface.model_copy(update={"fdegrade_adm": d["thermal_hydrolysis.degradable_inert_fraction"]})
    digester = replace(parts.digester, k_dis=parts.digester.k_dis * d["thermal_hydrolysis.disintegration_factor"])
    return replace(parts, interface=interface, digester=digester, p_if=interfaces.pack(interface),
                   p_ad=adm1.pack(digester))  # fmt: skip


@dataclass(frozen=True)
class Bsm2Parts:
    """The packed data of every unit (built once by :func:`load_bsm2`)."""

    liquid: liquid_line.LiquidLineLayout
    interface: interfaces.InterfaceParameters
    units: sludge_units.SludgeUnitParameters
    digester: adm1.ADM1Parameters
    p_if: np.ndarray
    p_su: np.ndarray
    p_ad: np.ndarray
    name: str = "bsm2"


#: the subset of a user plant file (``preset = "bsm2"``) that may override the preset: section →
#: key → where it goes
PLANT_FILE_KEYS = {
    "liquid_line": ("reactor_volumes_m3", "primary_clarifier_volume_m3", "internal_recycle_m3_per_d",
                    "return_sludge_m3_per_d", "wastage_m3_per_d", "do_setpoint_g_per_m3"),
    "digester": ("liquid_volume_m3", "gas_volume_m3"),
}  # fmt: skip


def load_bsm2(name: str | Path = "bsm2") -> Bsm2Parts:
    """The BSM2 preset's parameters (each unit's cited TOML file), or a user plant file.

    Parameters
    ----------
    name
        ``"bsm2"`` or the path of a TOML plant file naming ``preset = "bsm2"`` and overriding
        any of :data:`PLANT_FILE_KEYS`: ``[liquid_line]`` ``reactor_volumes_m3`` (5 values),
        ``primary_clarifier_volume_m3``, ``internal_recycle_m3_per_d``, ``return_sludge_m3_per_d``,
        ``wastage_m3_per_d`` (the open-loop Qw and, fixed, the closed loop's), ``do_setpoint_g_per_m3``;
        ``[digester]`` ``liquid_volume_m3``, ``gas_volume_m3``. An optional top-level ``name``.

    Raises
    ------
    InputError
        Unknown preset, unreadable file, unknown key or a non-positive value (naming the file
        and the field).
    """
    if isinstance(name, str) and name == "bsm2":
        interface = interfaces.load_parameters("bsm2")
        units = sludge_units.load_parameters("bsm2")
        digester = adm1.load_adm1_parameters("bsm2")
        return Bsm2Parts(
            liquid=liquid_line.load_liquid_line("bsm2"),
            interface=interface,
            units=units,
            digester=digester,
            p_if=interfaces.pack(interface),
            p_su=sludge_units.pack(units),
            p_ad=adm1.pack(digester),
        )
    path = Path(name)
    if path.suffix.lower() != ".toml":
        raise InputError(f"unknown plant-wide preset {str(name)!r}; known: 'bsm2', or a .toml plant file",
                         field="plant")  # fmt: skip
    _, data = read_preset_or_file(path, (), "{name}", "BSM2 plant")
    return _plant_from_file(path, data)


def _plant_from_file(path: Path, data: dict) -> Bsm2Parts:
    preset = data.get("preset")
    if preset != "bsm2":
        raise InputError(f"the plant file must name preset = \"bsm2\" (got {preset!r})", file=path, field="preset")
    unknown = sorted(set(data) - {"preset", "name", *PLANT_FILE_KEYS})
    if unknown:
        raise InputError(f"unknown entry {unknown[0]!r}; expected preset, name, {', '.join(PLANT_FILE_KEYS)}",
                         file=path, field=unknown[0])  # fmt: skip
    values: dict[str, float | list[float]] = {}
    for section, keys in PLANT_FILE_KEYS.items():
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise InputError(f"[{section}] must be a table", file=path, field=section)
        for key, value in entries.items():
            where = f"{section}.{key}"
            if key not in keys:
                raise InputError(f"unknown entry {where!r}; known: {', '.join(keys)}", file=path, field=where)
            items = value if key == "reactor_volumes_m3" else [value]
            if key == "reactor_volumes_m3" and (not isinstance(value, list) or len(value) != kll.N_TANKS):
                raise InputError(f"{where} needs {kll.N_TANKS} values", file=path, field=where)
            for item in items:
                if isinstance(item, bool) or not isinstance(item, (int, float)) or not np.isfinite(item) or item <= 0:
                    raise InputError(f"{where} must be a positive number, got {item!r}", file=path, field=where)
            values[where] = [float(v) for v in value] if isinstance(value, list) else float(value)
    base = load_bsm2("bsm2")
    ll = base.liquid
    lv = dict(ll.values)
    p = ll.p.copy()
    if "liquid_line.reactor_volumes_m3" in values:
        volumes = values["liquid_line.reactor_volumes_m3"]
        lv["tanks"] = [{**tank, "volume_m3": v} for tank, v in zip(ll.values["tanks"], volumes, strict=True)]
        for i, v in enumerate(volumes):
            p[kll.P["volume1"] + i] = v
    if "liquid_line.primary_clarifier_volume_m3" in values:
        lv["primary_clarifier.volume_m3"] = values["liquid_line.primary_clarifier_volume_m3"]
        p[kll.P["pc_volume"]] = values["liquid_line.primary_clarifier_volume_m3"]
    for key, target in (("internal_recycle_m3_per_d", "flows.internal_recycle_m3_per_d"),
                        ("return_sludge_m3_per_d", "flows.return_sludge_m3_per_d"),
                        ("do_setpoint_g_per_m3", "control.setpoint_g_per_m3")):  # fmt: skip
        if f"liquid_line.{key}" in values:
            lv[target] = values[f"liquid_line.{key}"]
    if "liquid_line.wastage_m3_per_d" in values:
        qw = values["liquid_line.wastage_m3_per_d"]
        lv["flows.wastage_m3_per_d"] = lv["control.wastage_low_m3_per_d"] = lv["control.wastage_high_m3_per_d"] = qw
    digester = base.digester
    if "digester.liquid_volume_m3" in values:
        digester = replace(digester, V_liq=values["digester.liquid_volume_m3"])
    if "digester.gas_volume_m3" in values:
        digester = replace(digester, V_gas=values["digester.gas_volume_m3"])
    label = str(data.get("name", path.stem))
    liquid = replace(ll, name=label, values=lv, p=p)
    return replace(base, liquid=liquid, digester=digester, p_ad=adm1.pack(digester), name=label)
