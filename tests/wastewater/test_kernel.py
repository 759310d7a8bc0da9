"""The compiled right-hand side and integrator against the numpy model and scipy's RK45."""

from __future__ import annotations

import numpy as np
import pytest

from ecocity.wastewater import _kernel
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel
from ecocity.wastewater.simulate import simulate, steady_state


@pytest.fixture(scope="module")
def bsm1():
    plant = load_plant("bsm1")
    return plant, PlantModel.from_layout(plant), steady_state(plant)


def _compiled_derivatives(model: PlantModel, y: np.ndarray, influent: np.ndarray, flow: float) -> np.ndarray:
    dy = np.empty_like(y)
    _kernel.full_rhs(
        y, influent, flow, model.kla_per_d.astype(float), _kernel.recycle_flows(model),
        _kernel.NO_CONTROLLERS, dy, *_kernel.pack(model),
    )  # fmt: skip
    return dy


def test_compiled_rhs_equals_numpy_at_a_perturbed_state(bsm1):
    _, model, steady = bsm1
    rng = np.random.default_rng(7)
    y = steady.state * (1.0 + 0.2 * rng.standard_normal(steady.state.size))
    influent = steady.influent.to_numpy() * 1.3
    expected = model.derivatives(y, influent, 30000.0)
    np.testing.assert_allclose(_compiled_derivatives(model, y, influent, 30000.0), expected, rtol=1e-12)


def test_compiled_rhs_equals_numpy_at_the_steady_state(bsm1):
    """dy/dt ≈ 0 there (a cancellation of terms up to 10⁵ g/(m³·d)): compare absolutely."""
    _, model, steady = bsm1
    influent = steady.influent.to_numpy()
    expected = model.derivatives(steady.state, influent, steady.influent_flow_m3_per_d)
    got = _compiled_derivatives(model, steady.state, influent, steady.influent_flow_m3_per_d)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_compiled_dry_weather_run_is_closer_to_the_converged_solution_than_scipy_rk45(bsm1):
    """Both at the benchmark's rtol 1e-5 / atol 1e-8; the reference is the compiled integrator
    at rtol 1e-10. Stopping at every 15-min influent jump keeps the compiled run within 1e-4 of
    it in the effluent, where scipy's RK45 (stepping across the jumps) is ≈ 5e-4 off after 1 d
    (and ≈ 1 % in the thickening layers of the settler)."""
    plant, _, steady = bsm1
    days = 0.5
    compiled = simulate(plant, "dry", initial=steady.state, days=days)
    scipy_run = simulate(plant, "dry", initial=steady.state, days=days, solver="scipy-RK45")
    converged = simulate(plant, "dry", initial=steady.state, days=days, rtol=1e-10, atol=1e-12)
    assert compiled.effluent.index.tolist() == pytest.approx(scipy_run.effluent.index.tolist(), abs=1e-9)
    scale = np.maximum(np.abs(converged.effluent.to_numpy()), 1e-3)
    compiled_error = (np.abs(compiled.effluent.to_numpy() - converged.effluent.to_numpy()) / scale).max()
    scipy_error = (np.abs(scipy_run.effluent.to_numpy() - converged.effluent.to_numpy()) / scale).max()
    assert compiled_error < 1e-4
    assert compiled_error < scipy_error
    np.testing.assert_allclose(compiled.tanks, scipy_run.tanks, rtol=1e-2, atol=1e-3)


def test_unknown_solver_is_refused(bsm1):
    from ecocity.errors import InputError

    plant, _, steady = bsm1
    with pytest.raises(InputError, match="unknown solver"):
        simulate(plant, "dry", initial=steady.state, days=0.1, solver="euler")
