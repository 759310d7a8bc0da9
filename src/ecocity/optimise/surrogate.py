"""A surrogate of the SWMM evaluations: radial-basis interpolation over the designs simulated so far.

The search's costs are exact and cheap (placement and unit costs, no SWMM); the simulated
indicators (capture ratio, TSS reduction, share of the area meeting the target, storm peak) are
what a SWMM run gives. :class:`Surrogate` interpolates them over the designs already simulated:
a thin-plate-spline radial basis function with a linear polynomial tail
(:class:`scipy.interpolate.RBFInterpolator`) on the levels scaled to 0..1. The interpolant
passes through every simulated design (no smoothing) and is refitted on every new batch.

The search uses it to choose which of a generation's designs to simulate (pre-selection); a
design it did not simulate only steers the search, never the answer (see
:mod:`ecocity.optimise.search`). Every batch simulated after the first fit is predicted first;
:class:`SurrogateCheck` collects those out-of-sample errors, the surrogate's validation against
full runs.

References: pre-selection with an approximate model under individual-based evolution control,
Jin, Olhofer & Sendhoff (2002), IEEE Trans. Evol. Comput. 6(5), 481-494, and the survey of
Jin (2005), Soft Computing 9(1), 3-12; the thin-plate spline with polynomial reproduction,
Wendland (2005), *Scattered Data Approximation*, ch. 8 and 11 (tested in
``tests/optimise/test_surrogate.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

PREDICTED = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target", "peak_flow_m3_per_s")
"""The simulated indicators the surrogate predicts (the costs are computed exactly)."""

RATIOS = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target")
"""Predicted indicators bounded to 0..1."""


@dataclass
class Surrogate:
    """Interpolants of :data:`PREDICTED` over simulated designs; ``levels`` is the top level L."""

    levels: int
    fitted_on: int = 0
    _models: dict[str, object] = field(default_factory=dict, repr=False)

    @staticmethod
    def minimum_designs(n_var: int) -> int:
        """Designs needed for a fit: the linear tail has n_var + 1 terms; ask for one more."""
        return n_var + 2

    def fit(self, memory: Mapping[tuple[int, ...], Mapping[str, float]]) -> bool:
        """Fit on every simulated design; False (and no model) when there are too few."""
        from scipy.interpolate import RBFInterpolator

        designs = sorted(memory)  # a fixed order: the same data, the same interpolant
        if not designs or len(designs) < self.minimum_designs(len(designs[0])):
            self._models, self.fitted_on = {}, 0
            return False
        x = np.asarray(designs, dtype=float) / self.levels
        models = {}
        for name in PREDICTED:
            y = np.array([memory[d][name] for d in designs], dtype=float)
            if np.isnan(y).any():
                continue  # e.g. no storm run, so no peak flow
            try:
                models[name] = RBFInterpolator(x, y, kernel="thin_plate_spline", degree=1)
            except np.linalg.LinAlgError:
                # Designs on one hyperplane (e.g. a variable never moved): a little smoothing.
                models[name] = RBFInterpolator(x, y, kernel="thin_plate_spline", degree=1, smoothing=1e-8)
        self._models, self.fitted_on = models, len(designs)
        return True

    @property
    def ready(self) -> bool:
        return self.fitted_on > 0

    def predict(self, designs: Sequence[Sequence[int]]) -> list[dict[str, float]]:
        """Predicted :data:`PREDICTED` values of each design (NaN where not fitted)."""
        x = np.asarray(designs, dtype=float).reshape(len(designs), -1) / self.levels
        out = [dict.fromkeys(PREDICTED, float("nan")) for _ in designs]
        for name, model in self._models.items():
            values = model(x)  # type: ignore[operator]
            values = np.clip(values, 0.0, 1.0) if name in RATIOS else np.maximum(values, 0.0)
            for row, value in zip(out, values, strict=True):
                row[name] = float(value)
        return out


@dataclass
class SurrogateCheck:
    """Out-of-sample errors: each simulated design's prediction (made before its run) minus SWMM."""

    errors: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in PREDICTED})

    def add(self, predicted: Sequence[Mapping[str, float]], simulated: Sequence[Mapping[str, float]]) -> None:
        for guess, truth in zip(predicted, simulated, strict=True):
            for name in PREDICTED:
                if np.isfinite(guess[name]) and np.isfinite(truth[name]):
                    self.errors[name].append(float(guess[name]) - float(truth[name]))

    def summary(self) -> dict[str, dict[str, float | int]]:
        """Per indicator: designs checked, max |error|, mean |error|, RMSE, mean (bias)."""
        out: dict[str, dict[str, float | int]] = {}
        for name, values in self.errors.items():
            if not values:
                continue
            e = np.asarray(values)
            out[name] = {"designs": len(e), "max_abs": float(np.abs(e).max()), "mean_abs": float(np.abs(e).mean()),
                         "rmse": float(np.sqrt(np.mean(e**2))), "mean": float(e.mean())}  # fmt: skip
        return out
