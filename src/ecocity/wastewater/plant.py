"""Mass balances of a plant layout: the right-hand side dy/dt of tanks in series and the settler.

The state vector ``y`` holds, in order: the 13 ASM1 states of every tank (tank-major), the TSS of
every settler layer (top first) and the 7 soluble states of every settler layer (layer-major).
:class:`PlantModel` turns a :class:`~ecocity.wastewater.layout.PlantLayout` into index arrays and
flow offsets once; :meth:`PlantModel.derivatives` is then a numpy expression vectorised over
tanks and layers. No solver here (see :mod:`ecocity.wastewater.simulate`).

Mass balance of tank k (volume V_k, flow Q_k through it)::

    V_k dC_k/dt = Σ inflows Q·C − Q_k C_k + V_k r(C_k) + V_k KLa_k (S_O,sat − S_O,k) e_SO

(BSM1 description, reactor equations; aeration on S_O only, S_O,sat = 8 g/m³.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecocity.wastewater import asm1, settler
from ecocity.wastewater.asm1 import INDEX, ASM1Parameters
from ecocity.wastewater.layout import PlantLayout
from ecocity.wastewater.settler import SettlingParameters

N_STATES = len(asm1.STATES)
SOLUBLE_INDEX = np.array([INDEX[name] for name in asm1.SOLUBLES])
PARTICULATE_INDEX = np.array([INDEX[name] for name in asm1.PARTICULATES])
#: Particulates that make up TSS (X_ND is N, not solids).
SOLIDS_INDEX = np.array([INDEX[name] for name in ("X_I", "X_S", "X_BH", "X_BA", "X_P")])
S_O = INDEX["S_O"]


@dataclass(frozen=True)
class PlantModel:
    """A plant layout compiled to arrays for fast right-hand sides.

    Build with :meth:`from_layout`. Flows through tank k are ``influent_flow + flow_offset[k]``
    [m³/d] because every stream is added to the influent in series.
    """

    layout: PlantLayout
    asm1_parameters: ASM1Parameters
    settling: SettlingParameters
    volume_m3: np.ndarray
    kla_per_d: np.ndarray
    fixed_oxygen: np.ndarray  # bool per tank: S_O held at a set-point
    oxygen_setpoint_g_per_m3: np.ndarray
    inflow_offset_m3_per_d: np.ndarray  # extra flow entering tank k (recycles, return sludge)
    through_offset_m3_per_d: np.ndarray  # flow through tank k minus the influent flow
    recycles: tuple[tuple[int, int, float], ...]  # (from, to, flow)
    return_to: int
    underflow_m3_per_d: float
    wastage_m3_per_d: float
    feed_layer: int

    @classmethod
    def from_layout(cls, layout: PlantLayout) -> PlantModel:
        """Compile a layout (parameter sets by the names the layout gives)."""
        n = len(layout.tanks)
        inflow = np.zeros(n)
        withdrawn = np.zeros(n)
        recycles = []
        for recycle in layout.internal_recycles:
            source, target = layout.tank_index(recycle.from_tank), layout.tank_index(recycle.to_tank)
            inflow[target] += recycle.flow_m3_per_d
            withdrawn[source] += recycle.flow_m3_per_d
            recycles.append((source, target, recycle.flow_m3_per_d))
        return_to = layout.tank_index(layout.settler.return_to)
        inflow[return_to] += layout.settler.return_sludge_m3_per_d
        # flow through tank k (beyond the influent) = Σ_{j<=k} inflow_j − Σ_{j<k} withdrawn_j
        through = np.cumsum(inflow) - np.concatenate(([0.0], np.cumsum(withdrawn)[:-1]))
        fixed = np.array([tank.do_setpoint_g_per_m3 is not None for tank in layout.tanks])
        return cls(
            layout=layout,
            asm1_parameters=asm1.load_parameters(layout.asm1_parameters),
            settling=settler.load_settling_parameters(layout.settler.settling_parameters),
            volume_m3=np.array([tank.volume_m3 for tank in layout.tanks]),
            kla_per_d=np.array([tank.kla_per_d or 0.0 for tank in layout.tanks]),
            fixed_oxygen=fixed,
            oxygen_setpoint_g_per_m3=np.array([tank.do_setpoint_g_per_m3 or 0.0 for tank in layout.tanks]),
            inflow_offset_m3_per_d=inflow,
            through_offset_m3_per_d=through,
            recycles=tuple(recycles),
            return_to=return_to,
            underflow_m3_per_d=layout.settler.underflow_m3_per_d,
            wastage_m3_per_d=layout.settler.wastage_m3_per_d,
            feed_layer=layout.settler.feed_layer_from_top - 1,
        )

    # --- state vector layout -------------------------------------------------------------
    @property
    def n_tanks(self) -> int:
        return self.volume_m3.size

    @property
    def n_layers(self) -> int:
        return self.layout.settler.layers

    @property
    def size(self) -> int:
        """Length of the state vector."""
        return self.n_tanks * N_STATES + self.n_layers * (1 + SOLUBLE_INDEX.size)

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Views of ``y``: tanks ``(n_tanks, 13)``, layer TSS ``(n_layers,)``, layer solubles ``(n_layers, 7)``."""
        a = self.n_tanks * N_STATES
        b = a + self.n_layers
        return (
            y[:a].reshape(self.n_tanks, N_STATES),
            y[a:b],
            y[b:].reshape(self.n_layers, SOLUBLE_INDEX.size),
        )

    def settler_feed_flow_m3_per_d(self, influent_flow_m3_per_d: float) -> float:
        """Flow from the last tank to the settler. [m³/d]"""
        last = self.n_tanks - 1
        withdrawn = sum(flow for source, _, flow in self.recycles if source == last)
        return influent_flow_m3_per_d + self.through_offset_m3_per_d[last] - withdrawn

    def settler_outlets(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ASM1 states of the settler effluent and underflow, each ``(13,)`` [g/m³].

        Particulates are the feed's scaled by the top (bottom) layer TSS over the feed TSS; the
        solubles are those of the top (bottom) layer (BSM1 non-reactive settler).
        """
        tanks, tss, solubles = self.split(y)
        feed = tanks[-1]
        feed_tss = self.asm1_parameters.tss_per_cod * feed[SOLIDS_INDEX].sum()
        effluent, underflow = np.empty(N_STATES), np.empty(N_STATES)
        for outlet, layer in ((effluent, 0), (underflow, -1)):
            outlet[SOLUBLE_INDEX] = solubles[layer]
            outlet[PARTICULATE_INDEX] = feed[PARTICULATE_INDEX] * (tss[layer] / feed_tss if feed_tss > 0 else 0.0)
        return effluent, underflow

    # --- right-hand side -----------------------------------------------------------------
    def derivatives(
        self,
        y: np.ndarray,
        influent: np.ndarray,
        influent_flow_m3_per_d: float,
        kla_per_d: np.ndarray | None = None,
    ) -> np.ndarray:
        """dy/dt of the whole plant [g/(m³·d)].

        Parameters
        ----------
        y
            State vector (see the module docstring).
        influent
            The 13 ASM1 states of the influent [g/m³; S_ALK mol/m³].
        influent_flow_m3_per_d
            Influent flow. [m³/d]
        kla_per_d
            KLa per tank, overriding the layout's (for controllers). [1/d]
        """
        p = self.asm1_parameters
        tanks, tss, solubles = self.split(y)
        kla = self.kla_per_d if kla_per_d is None else kla_per_d
        q_in = influent_flow_m3_per_d
        through = q_in + self.through_offset_m3_per_d
        effluent, underflow = self.settler_outlets(y)
        del effluent
        # mass entering each tank [g/d]
        mass_in = np.empty_like(tanks)
        mass_in[0] = q_in * influent
        outflow = through.copy()
        for source, _, flow in self.recycles:
            outflow[source] -= flow
        mass_in[1:] = outflow[:-1, None] * tanks[:-1]
        for source, target, flow in self.recycles:
            mass_in[target] += flow * tanks[source]
        mass_in[self.return_to] += self.layout.settler.return_sludge_m3_per_d * underflow
        d_tanks = (mass_in - through[:, None] * tanks) / self.volume_m3[:, None]
        d_tanks += asm1.conversion_rates(tanks, p)
        d_tanks[:, S_O] += kla * (p.oxygen_saturation_g_per_m3 - tanks[:, S_O])
        d_tanks[self.fixed_oxygen, S_O] = 0.0
        # settler
        feed = tanks[-1]
        feed_flow = outflow[-1]
        feed_tss = p.tss_per_cod * feed[SOLIDS_INDEX].sum()
        s = self.layout.settler
        d_tss = settler.tss_rates(
            tss, feed_tss, self.feed_layer, feed_flow, s.underflow_m3_per_d, s.area_m2, s.height_m,
            self.settling,
        )  # fmt: skip
        d_solubles = settler.advection(
            solubles, feed[SOLUBLE_INDEX], self.feed_layer, feed_flow, s.underflow_m3_per_d,
            s.area_m2, s.height_m,
        )  # fmt: skip
        return np.concatenate((d_tanks.ravel(), d_tss, d_solubles.ravel()))

    def initial_state(self, tank_states: np.ndarray, layer_tss_g_per_m3: np.ndarray) -> np.ndarray:
        """A state vector from tank states ``(n_tanks, 13)`` and a TSS profile; settler solubles
        start equal to the last tank's, DO set-point tanks at their set-point."""
        tanks = np.array(tank_states, dtype=float).copy()
        tanks[self.fixed_oxygen, S_O] = self.oxygen_setpoint_g_per_m3[self.fixed_oxygen]
        solubles = np.tile(tanks[-1, SOLUBLE_INDEX], (self.n_layers, 1))
        return np.concatenate((tanks.ravel(), np.asarray(layer_tss_g_per_m3, float), solubles.ravel()))


def inventory_rates(model: PlantModel, y: np.ndarray, dydt: np.ndarray) -> np.ndarray:
    """Rate of change of the plant's mass of each ASM1 state [g/d] (13,), from y and dy/dt.

    Tanks: Σ_k V_k dC_k/dt. Settler: A·h·Σ dS/dt for solubles; for particulates, whose
    composition is the feed's, (C_f,i / TSS_f)·A·h·Σ dX/dt (the settler stores solids as TSS).
    With it, in = out + conversion + accumulation holds at any state, not only at steady state.
    """
    tanks, _, _ = model.split(y)
    d_tanks, d_tss, d_solubles = model.split(dydt)
    s = model.layout.settler
    layer_volume = s.area_m2 * s.height_m / model.n_layers
    total = (model.volume_m3[:, None] * d_tanks).sum(axis=0)
    total[SOLUBLE_INDEX] += layer_volume * d_solubles.sum(axis=0)
    feed = tanks[-1]
    feed_tss = model.asm1_parameters.tss_per_cod * feed[SOLIDS_INDEX].sum()
    total[PARTICULATE_INDEX] += feed[PARTICULATE_INDEX] / feed_tss * layer_volume * d_tss.sum()
    return total
