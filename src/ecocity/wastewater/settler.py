"""The 10-layer non-reactive secondary settler of Takács et al. (1991), as in BSM1.

Pure functions. Layers are numbered from the **top** (index 0: the effluent layer) to the
bottom (index ``n - 1``: the underflow layer), as in the benchmark code (``settler1dv4.c``); the
feed enters layer ``feed_layer`` (0-based here; the benchmark's ``feedlayer = 5`` is index 4).

Solids are one state per layer (TSS); the composition of the particulate ASM1 states leaving the
settler is that of the feed, scaled by the ratio of the layer's TSS to the feed TSS
(non-reactive settler, BSM1). Solubles are advected through the same layers without settling or
reaction ("10 layers for solubles", BSM1 model type 0).

References
----------
Takács, I., Patry, G.G., Nolasco, D. (1991). A dynamic model of the clarification-thickening
process. Water Research 25(10), 1263–1271. doi:10.1016/0043-1354(91)90066-Y

Alex, J. et al. (2008). Benchmark Simulation Model no. 1 (BSM1), section 2.3 (settler).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
from pydantic import BaseModel, ConfigDict

from ecocity.errors import InputError

_DATA = resources.files("ecocity.wastewater") / "data"


class SettlingParameters(BaseModel):
    """Takács double-exponential settling parameters (paper notation).

    v0_max, v0 [m/d]; r_h, r_p [m³/g]; f_ns [-]; X_t [g/m³].
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    v0_max: float
    v0: float
    r_h: float
    r_p: float
    f_ns: float
    X_t: float


@cache
def load_settling_parameters(name: str = "bsm1") -> SettlingParameters:
    """Load a named settling parameter set from ``wastewater/data/settler_<name>.toml``."""
    resource = _DATA / f"settler_{name}.toml"
    if not resource.is_file():
        raise InputError(f"unknown settler parameter set {name!r}; known: bsm1", field="settling")
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    values = {key: entry["value"] for key, entry in data.items() if isinstance(entry, dict)}
    return SettlingParameters(name=data["name"], **values)


def settling_velocity(tss_g_per_m3: np.ndarray, feed_tss_g_per_m3: float, p: SettlingParameters) -> np.ndarray:
    """Takács double-exponential settling velocity v_s [m/d], bounded to [0, v0_max].

    Notes
    -----
    v_s = v0 (exp(−r_h (X − X_min)) − exp(−r_p (X − X_min))), X_min = f_ns·X_f, then
    0 ≤ v_s ≤ v0_max (Takács et al. 1991, eq. 6; BSM1 description eq. for v_s).
    """
    excess = tss_g_per_m3 - p.f_ns * feed_tss_g_per_m3
    velocity = p.v0 * (np.exp(-p.r_h * excess) - np.exp(-p.r_p * excess))
    return np.clip(velocity, 0.0, p.v0_max)


def settling_flux(tss_g_per_m3: np.ndarray, feed_tss_g_per_m3: float, feed_layer: int, p: SettlingParameters) -> np.ndarray:
    """Gravity flux J_s across the n + 1 layer boundaries [g/(m²·d)] (top boundary first).

    Notes
    -----
    Below the feed layer and at the feed layer, J_s = min(v_s,j X_j, v_s,j+1 X_j+1) (thickening);
    above it, J_s = v_s,j X_j while X_j+1 ≤ X_t, else the minimum (clarification; Takács et al.
    1991). No flux through the top and bottom of the settler.
    """
    flux_in_layer = settling_velocity(tss_g_per_m3, feed_tss_g_per_m3, p) * tss_g_per_m3
    minimum = np.minimum(flux_in_layer[:-1], flux_in_layer[1:])
    above_feed = np.arange(tss_g_per_m3.size - 1) < feed_layer
    clarifying = above_feed & (tss_g_per_m3[1:] <= p.X_t)
    inner = np.where(clarifying, flux_in_layer[:-1], minimum)
    return np.concatenate(([0.0], inner, [0.0]))


def advection(
    layers: np.ndarray,
    feed: np.ndarray,
    feed_layer: int,
    feed_flow_m3_per_d: float,
    underflow_m3_per_d: float,
    area_m2: float,
    height_m: float,
) -> np.ndarray:
    """Rate of change by bulk flow of concentrations in the layers [g/(m³·d)].

    Parameters
    ----------
    layers
        Array ``(n, ...)`` of concentrations in the layers, top first.
    feed
        Concentrations in the feed, shape ``layers.shape[1:]``.
    feed_layer
        0-based index of the feed layer.
    feed_flow_m3_per_d, underflow_m3_per_d
        Flows in and out at the bottom [m³/d]; the effluent is the difference.
    area_m2, height_m
        Settler surface area [m²] and depth [m].

    Notes
    -----
    Upward velocity v_up = Q_e/A above the feed layer, downward v_dn = Q_u/A below it; the feed
    layer receives Q_f/A·C_f and loses (v_up + v_dn)·C (BSM1 description, settler equations).
    """
    n = layers.shape[0]
    h = height_m / n
    v_up = (feed_flow_m3_per_d - underflow_m3_per_d) / area_m2
    v_dn = underflow_m3_per_d / area_m2
    rate = np.zeros_like(layers)
    f = feed_layer
    rate[:f] = v_up * (layers[1 : f + 1] - layers[:f])
    rate[f + 1 :] = v_dn * (layers[f:-1] - layers[f + 1 :])
    rate[f] = feed_flow_m3_per_d / area_m2 * feed - (v_up + v_dn) * layers[f]
    return rate / h


def tss_rates(
    tss_g_per_m3: np.ndarray,
    feed_tss_g_per_m3: float,
    feed_layer: int,
    feed_flow_m3_per_d: float,
    underflow_m3_per_d: float,
    area_m2: float,
    height_m: float,
    p: SettlingParameters,
) -> np.ndarray:
    """dX/dt of the solids in each layer [g/(m³·d)]: bulk flow plus gravity settling."""
    h = height_m / tss_g_per_m3.size
    flux = settling_flux(tss_g_per_m3, feed_tss_g_per_m3, feed_layer, p)
    bulk = advection(
        tss_g_per_m3, np.asarray(feed_tss_g_per_m3), feed_layer, feed_flow_m3_per_d,
        underflow_m3_per_d, area_m2, height_m,
    )  # fmt: skip
    return bulk + (flux[:-1] - flux[1:]) / h
