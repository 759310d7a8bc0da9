"""BSM1 default PI control: tuning as cited data, set-points reached, anti-windup limits; the
benchmark's sensor and actuator models against their analytic step responses; the sensors'
measurement noise against its specified statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import gamma

from ecocity.errors import InputError
from ecocity.wastewater import _kernel
from ecocity.wastewater.control import Sensor, controller_table, load_control, read_noise_file, sensor_noise
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel
from ecocity.wastewater.simulate import simulate, steady_state


@pytest.fixture(scope="module")
def bsm1():
    plant = load_plant("bsm1")
    return plant, steady_state(plant), load_control("bsm1")


def test_bsm1_tuning_is_the_updated_benchmark_code():
    """reginit.m / sensorinit.m of the official BSM1 release (data/control_bsm1.toml)."""
    oxygen, nitrate = load_control("bsm1")
    assert (oxygen.setpoint, oxygen.gain, oxygen.integral_time_d, oxygen.tracking_time_d) == (2.0, 25.0, 0.002, 0.001)
    assert (oxygen.output_min, oxygen.output_max) == (0.0, 360.0)
    assert (nitrate.setpoint, nitrate.gain, nitrate.integral_time_d, nitrate.tracking_time_d) == (1.0, 10000.0, 0.025, 0.015)
    assert nitrate.output_max == 92230.0


def test_constant_influent_settles_at_both_set_points(bsm1):
    plant, steady, control = bsm1
    result = simulate(plant, read_influent("constant").iloc[:1], initial=steady.state, days=30.0, control=control)
    assert result.final_state[4 * 13 + 7] == pytest.approx(2.0, abs=1e-4)  # S_O in tank 5
    assert result.final_state[13 + 8] == pytest.approx(1.0, abs=1e-3)  # S_NO in tank 2
    # the manipulated variables stay inside their limits and are reported as applied
    assert 0.0 < result.kla_per_d["tank5"].iloc[-1] < 360.0
    assert 0.0 < result.internal_recycle_m3_per_d.iloc[-1, 0] < 92230.0
    assert (result.kla_per_d["tank3"] == 240.0).all()


def test_saturated_controller_holds_its_limit(bsm1):
    """A DO set-point no KLa can reach keeps KLa5 at its 360 1/d limit (anti-windup: the integral
    state tracks the limit instead of growing without bound)."""
    plant, steady, control = bsm1
    greedy = (control[0].model_copy(update={"setpoint": 7.9}),)
    result = simulate(plant, "dry", initial=steady.state, days=1.0, control=greedy)
    assert result.kla_per_d["tank5"].iloc[-1] == 360.0
    model = PlantModel.from_layout(plant)
    integral = result.final_state[model.size]
    assert integral < 360.0  # u = offset + K e + I stays near the limit


def test_controller_on_a_missing_tank_is_refused(bsm1):
    plant, _, control = bsm1
    wrong = (control[0].model_copy(update={"measured_tank": "tank9"}),)
    with pytest.raises(InputError, match="no tank 'tank9'"):
        controller_table(PlantModel.from_layout(plant), wrong)


def test_bumpless_start_keeps_the_open_loop_state_for_an_instant(bsm1):
    plant, steady, control = bsm1
    result = simulate(plant, "dry", initial=steady.state, days=1e-3, control=control)
    np.testing.assert_allclose(result.kla_per_d["tank5"].iloc[0], 84.0)
    np.testing.assert_allclose(result.internal_recycle_m3_per_d.iloc[0, 0], 55338.0)


# --- sensor and actuator models (sensorinit.m of the BSM1 release) -----------------------------

MINUTE_D = 1.0 / 1440.0


def test_benchmark_sensor_and_actuator_parameters_are_sensorinit():
    oxygen, nitrate = load_control("bsm1", sensors="benchmark")
    assert (oxygen.sensor.order, oxygen.sensor.response_time_min, oxygen.sensor.t90_per_time_constant) == (2, 1.0, 3.89)
    assert (oxygen.sensor.measurement_min, oxygen.sensor.measurement_max) == (0.0, 10.0)
    assert (oxygen.actuator.order, oxygen.actuator.response_time_min) == (2, 4.0)
    assert (nitrate.sensor.order, nitrate.sensor.response_time_min, nitrate.sensor.t90_per_time_constant) == (
        8, 10.0, 11.7724)  # fmt: skip
    assert (nitrate.sensor.measurement_min, nitrate.sensor.measurement_max) == (0.0, 20.0)
    assert nitrate.actuator is None
    # the divisors are the 90 % points of the n-lag (Erlang) step response, rounded
    assert gamma.ppf(0.9, 2) == pytest.approx(3.89, abs=5e-4)
    assert gamma.ppf(0.9, 8) == pytest.approx(11.7724, abs=2e-3)


def test_ideal_sensors_are_the_default_and_add_no_states(bsm1):
    plant, _, _ = bsm1
    control = load_control("bsm1")
    assert all(c.sensor is None and c.actuator is None for c in control)
    assert controller_table(PlantModel.from_layout(plant), control).shape[0] == 2
    benchmark = load_control("bsm1", sensors="benchmark")
    assert controller_table(PlantModel.from_layout(plant), benchmark).shape[0] == 2 + 2 + 2 + 8
    with pytest.raises(InputError, match="unknown sensors 'noisy'"):
        load_control("bsm1", sensors="noisy")


def _step_response(plant, controllers, watched_row: int, start: np.ndarray, times_d: np.ndarray) -> np.ndarray:
    """Integrate only the appended states of the compiled right-hand side (``_kernel.controls``)
    with the plant state frozen at the steady state; the value of appended row ``watched_row``."""
    model = PlantModel.from_layout(plant)
    table = controller_table(model, controllers)
    kla, recycle = model.kla_per_d.astype(float), _kernel.recycle_flows(model)

    def rhs(_t, y):
        dy = np.zeros_like(y)
        _kernel.controls(y, table, kla.copy(), recycle.copy(), dy)
        return dy

    solution = solve_ivp(rhs, (0.0, times_d[-1]), start, t_eval=times_d, rtol=1e-10, atol=1e-12, method="LSODA")
    return solution.y[model.size + watched_row]


def _stages_from_zero(plant, steady_state, controllers) -> np.ndarray:
    """Plant at the steady state, every appended state zero."""
    model = PlantModel.from_layout(plant)
    n = controller_table(model, controllers).shape[0]
    return np.concatenate((steady_state.state, np.zeros(n)))


def test_first_order_sensor_reaches_63_2_percent_at_its_time_constant(bsm1):
    """One lag: 1 − e^(−t/T); 63.2 % at T, 90 % at T90 = T·ln 10."""
    plant, steady, control = bsm1
    sensor = Sensor(order=1, response_time_min=1.0, t90_per_time_constant=np.log(10.0),
                    measurement_min=0.0, measurement_max=10.0)  # fmt: skip
    oxygen = control[0].model_copy(update={"sensor": sensor})
    t_const = sensor.time_constant_d
    times = np.array([0.0, t_const, 1.0 * MINUTE_D, 5 * t_const])
    start = _stages_from_zero(plant, steady, (oxygen,))
    measured = _step_response(plant, (oxygen,), 1, start, times)
    final = steady.state[4 * 13 + 7]  # S_O of tank 5
    np.testing.assert_allclose(measured / final, [0.0, 1 - np.exp(-1.0), 0.9, 1 - np.exp(-5.0)], atol=1e-7)
    assert measured[1] / final == pytest.approx(0.632, abs=5e-4)


@pytest.mark.parametrize(("controller", "row", "order", "t90_min"), [
    pytest.param(0, 2, 2, 1.0, id="DO sensor class A"),
    pytest.param(0, 4, 2, 4.0, id="KLa5 actuator"),
    pytest.param(1, 6, 8, 10.0, id="nitrate sensor class B0"),
])  # fmt: skip
def test_benchmark_step_responses_are_the_n_lag_formula(bsm1, controller, row, order, t90_min):
    """Step response of n lags in series, 1 − Σ_{k<n} (t/T)^k/k! e^(−t/T) (the Erlang CDF), from
    the compiled right-hand side; 90 % at T90 (to the rounding of sensorinit.m's divisors). The
    nitrate sensor's eight lags act as a delay: under 1 % of the step in the first 2 minutes."""
    plant, steady, _ = bsm1
    controllers = load_control("bsm1", sensors="benchmark")
    if controller == 0 and row == 4:  # actuator: hold the DO controller's output at its offset
        controllers = (controllers[0].model_copy(update={"gain": 0.0}), controllers[1])
    start = _stages_from_zero(plant, steady, controllers)
    chain = controllers[controller].sensor if row != 4 else controllers[controller].actuator
    final = (steady.state[4 * 13 + 7], 144.0, steady.state[13 + 8])[(2, 4, 6).index(row)]
    times = np.linspace(0.0, 3 * t90_min * MINUTE_D, 61)
    response = _step_response(plant, controllers, row + order - 1, start, times) / final
    np.testing.assert_allclose(response, gamma.cdf(times / chain.time_constant_d, order), atol=1e-7)
    at_t90 = np.interp(t90_min * MINUTE_D, times, response)
    assert at_t90 == pytest.approx(0.9, abs=5e-4)
    if order == 8:
        assert np.interp(2 * MINUTE_D, times, response) < 0.01


def test_bumpless_start_with_benchmark_sensors(bsm1):
    plant, steady, _ = bsm1
    control = load_control("bsm1", sensors="benchmark")
    result = simulate(plant, "dry", initial=steady.state, days=1e-3, control=control)
    np.testing.assert_allclose(result.kla_per_d["tank5"].iloc[0], 84.0)
    np.testing.assert_allclose(result.internal_recycle_m3_per_d.iloc[0, 0], 55338.0)


# --- measurement noise (sensorinit.m: std 0.025 of the upper limit, 1 sample per minute) -------


def test_noise_level_is_sensorinit():
    """sensorinit.m: std_SO5 = std_SNO2 = 0.025 of the measuring range's upper limit (max_SO5 = 10,
    max_SNO2 = 20), noise seeds 1 and 2, one sample per minute."""
    oxygen, nitrate = load_control("bsm1", sensors="benchmark")
    assert oxygen.sensor.noise_sd == pytest.approx(0.25, rel=1e-12)
    assert nitrate.sensor.noise_sd == pytest.approx(0.5, rel=1e-12)
    assert (oxygen.sensor.noise_seed, nitrate.sensor.noise_seed) == (1, 2)
    assert oxygen.sensor.noise_interval_min == nitrate.sensor.noise_interval_min == 1.0


def test_seeded_noise_has_the_specified_mean_and_standard_deviation():
    """14 days at 1 sample/min (20 161 samples): mean 0 within 3 standard errors (3σ/√n) and SD
    within 3 standard errors of a normal SD (3/√(2n) = 2.1 %); the two sensors independent."""
    control = load_control("bsm1", sensors="benchmark")
    series = sensor_noise(control, "seeded", 0.0, 14.0)
    assert [row for row, _, _ in series] == [0, 1]
    for (_, times, values), sd in zip(series, (0.25, 0.5), strict=True):
        n = values.size
        assert n == 14 * 1440 + 1
        np.testing.assert_allclose(np.diff(times), MINUTE_D, rtol=1e-9)
        assert abs(values.mean()) < 3 * sd / np.sqrt(n)
        assert values.std() == pytest.approx(sd, rel=3 / np.sqrt(2 * n))
    assert abs(np.corrcoef(series[0][2], series[1][2])[0, 1]) < 3 / np.sqrt(series[0][2].size)
    again = sensor_noise(control, "seeded", 0.0, 14.0)
    np.testing.assert_array_equal(again[0][2], series[0][2])  # reproducible


def test_measured_signal_is_the_sensor_output_plus_the_held_noise(bsm1):
    """In the compiled loop: the DO controller reads clip(sensor output + noise of the current
    minute); the noise it reads is the specified sequence, sample for sample."""
    plant, steady, _ = bsm1
    control = load_control("bsm1", sensors="benchmark")
    result = simulate(plant, "dry", initial=steady.state, days=0.5, control=control, noise="seeded")
    table = controller_table(PlantModel.from_layout(plant), control)
    sensor_output = result.states[:, int(table[0, 0])]
    read_noise = result.measured["oxygen_tank5"].to_numpy() - sensor_output
    _, times, values = sensor_noise(control, "seeded", 0.0, 0.5)[0]
    minute = np.searchsorted(times - 1e-7, result.measured.index.to_numpy(), side="right") - 1
    assert 0.0 < result.measured["oxygen_tank5"].min() and result.measured["oxygen_tank5"].max() < 10.0  # unclipped
    np.testing.assert_allclose(read_noise, values[minute], atol=1e-12)


def test_noise_off_is_the_noise_free_run_and_zero_noise_agrees_within_the_solver_tolerance(bsm1, tmp_path):
    """``noise="off"`` (the default) leaves the run as it was (same path, no extra interval edges);
    a file of zeros adds the 1-minute edges only: the same run to the solver's tolerance."""
    plant, steady, _ = bsm1
    control = load_control("bsm1", sensors="benchmark")
    default = simulate(plant, "dry", initial=steady.state, days=0.5, control=control)
    off = simulate(plant, "dry", initial=steady.state, days=0.5, control=control, noise="off")
    np.testing.assert_array_equal(off.states, default.states)
    zeros = tmp_path / "zeros.csv"
    minutes = np.arange(0, 24 * 60 + 1) * MINUTE_D
    np.savetxt(zeros, np.column_stack((minutes, np.zeros_like(minutes))), delimiter=",", header="t,z", comments="")
    edged = simulate(plant, "dry", initial=steady.state, days=0.5, control=control, noise=zeros)
    # measured: effluent 4e-6 (rel.), KLa5 2e-5 1/d apart (rtol 1e-5 of the Dormand–Prince steps)
    np.testing.assert_allclose(edged.effluent.to_numpy(), off.effluent.to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(edged.kla_per_d.to_numpy(), off.kla_per_d.to_numpy(), atol=1e-3)


def test_a_noise_file_feeds_its_column_to_every_sensor_and_must_cover_the_run(tmp_path):
    control = load_control("bsm1", sensors="benchmark")
    path = tmp_path / "noise.csv"
    path.write_text("0,1.0\n0.5,-2.0\n1.0,0.5\n", encoding="utf-8")
    assert read_noise_file(path).shape == (3, 2)
    (_, t_o, oxygen), (_, t_n, nitrate) = sensor_noise(control, path, 0.0, 1.0)
    np.testing.assert_array_equal(t_o, [0.0, 0.5])
    np.testing.assert_allclose(oxygen, [0.25, -0.5])
    np.testing.assert_allclose(nitrate, [0.5, -1.0])
    with pytest.raises(InputError, match="noise.csv"):
        sensor_noise(control, path, 0.0, 3.0)
    with pytest.raises(InputError, match="unknown noise 'loud'"):
        sensor_noise(control, "loud", 0.0, 1.0)


def test_noise_needs_a_noisy_sensor(bsm1):
    plant, steady, control = bsm1  # ideal sensors
    with pytest.raises(InputError, match="noise applies to sensors with a noise level"):
        simulate(plant, "dry", initial=steady.state, days=0.1, control=control, noise="seeded")
