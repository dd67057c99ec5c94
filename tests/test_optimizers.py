"""Tests of the SGD and Adam update rules against the formulas written out."""

from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp._optimizers import OPTIMIZERS, SGD, Adam

N_PARAMS = 6


def _sgd_settings(**overrides):
    """Return SGD settings with scikit-learn's defaults, updated by overrides."""
    settings = {
        "learning_rate_init": 0.1,
        "learning_rate": "constant",
        "momentum": 0.9,
        "nesterovs_momentum": False,
        "power_t": 0.5,
    }
    return SimpleNamespace(**{**settings, **overrides})


def _adam_settings():
    """Return Adam settings with a large epsilon so that it matters."""
    return SimpleNamespace(
        learning_rate_init=0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-3
    )


def _params_and_grads(seed):
    """Return a parameter vector and two gradients drawn from N(0, 1)."""
    rng = np.random.RandomState(seed)
    return (
        rng.normal(size=N_PARAMS),
        rng.normal(size=N_PARAMS),
        rng.normal(size=N_PARAMS),
    )


def test_sgd_without_momentum_is_gradient_step():
    """Check that SGD with momentum 0 moves params by -learning_rate * g."""
    params, g1, g2 = _params_and_grads(seed=0)
    expected = params - 0.1 * g1 - 0.1 * g2
    optimizer = SGD(N_PARAMS, np.float64, _sgd_settings(momentum=0.0))
    optimizer.step(params, g1)
    optimizer.step(params, g2)
    assert_allclose(params, expected, rtol=1e-14)


def test_sgd_momentum_two_steps():
    """Check two SGD steps with momentum against v = mu v - lr g, p = p + v."""
    params, g1, g2 = _params_and_grads(seed=1)
    lr, mu = 0.1, 0.9
    v1 = -lr * g1
    p1 = params + v1
    v2 = mu * v1 - lr * g2
    p2 = p1 + v2
    optimizer = SGD(N_PARAMS, np.float64, _sgd_settings())
    optimizer.step(params, g1)
    assert_allclose(params, p1, rtol=1e-14)
    optimizer.step(params, g2)
    assert_allclose(params, p2, rtol=1e-14)


def test_sgd_nesterov_two_steps():
    """Check two Nesterov steps against v = mu v - lr g, p = p + mu v - lr g."""
    params, g1, g2 = _params_and_grads(seed=2)
    lr, mu = 0.1, 0.9
    v1 = -lr * g1
    p1 = params + mu * v1 - lr * g1
    v2 = mu * v1 - lr * g2
    p2 = p1 + mu * v2 - lr * g2
    optimizer = SGD(N_PARAMS, np.float64, _sgd_settings(nesterovs_momentum=True))
    optimizer.step(params, g1)
    assert_allclose(params, p1, rtol=1e-14)
    optimizer.step(params, g2)
    assert_allclose(params, p2, rtol=1e-14)


@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
def test_step_updates_params_in_place(optimizer_class):
    """Check that step writes into the given array and leaves grads unchanged."""
    params, grads, _ = _params_and_grads(seed=3)
    grads_before, params_before = grads.copy(), params.copy()
    settings = _sgd_settings() if optimizer_class is SGD else _adam_settings()
    optimizer = optimizer_class(N_PARAMS, np.float64, settings)
    same_array = params
    optimizer.step(params, grads)
    assert same_array is params
    assert not np.allclose(params, params_before)
    assert_allclose(grads, grads_before, rtol=0, atol=0)


@pytest.mark.parametrize("schedule", ["constant", "adaptive"])
def test_end_epoch_keeps_constant_and_adaptive_rates(schedule):
    """Check that end_epoch leaves the constant and adaptive learning rates alone."""
    optimizer = SGD(N_PARAMS, np.float64, _sgd_settings(learning_rate=schedule))
    optimizer.end_epoch(t=500)
    assert optimizer.learning_rate == 0.1


def test_invscaling_rate_and_following_step():
    """Check lr = lr_0 / (t + 1) ** power_t after an epoch, and the next step."""
    params, g1, g2 = _params_and_grads(seed=4)
    settings = _sgd_settings(learning_rate="invscaling", momentum=0.5, power_t=0.25)
    optimizer = SGD(N_PARAMS, np.float64, settings)
    optimizer.step(params, g1)
    optimizer.end_epoch(t=80)
    # (80 + 1) ** 0.25 = 3, so the rate drops from 0.1 to 0.1 / 3.
    assert_allclose(optimizer.learning_rate, 0.1 / 3, rtol=1e-14)
    expected_velocity = 0.5 * (-0.1 * g1) - (0.1 / 3) * g2
    expected = params + expected_velocity
    optimizer.step(params, g2)
    assert_allclose(params, expected, rtol=1e-14)
    # The rate is always computed from lr_0, not from the previous rate.
    optimizer.end_epoch(t=15)
    assert_allclose(optimizer.learning_rate, 0.1 / 2, rtol=1e-14)


def test_adaptive_rate_is_divided_by_five():
    """Check that reduce_learning_rate divides an adaptive rate by 5 and goes on."""
    params, g1, _ = _params_and_grads(seed=5)
    optimizer = SGD(
        N_PARAMS, np.float64, _sgd_settings(learning_rate="adaptive", momentum=0.0)
    )
    assert optimizer.reduce_learning_rate() is True
    assert_allclose(optimizer.learning_rate, 0.02, rtol=1e-14)
    expected = params - 0.02 * g1
    optimizer.step(params, g1)
    assert_allclose(params, expected, rtol=1e-14)
    assert optimizer.reduce_learning_rate() is True
    assert_allclose(optimizer.learning_rate, 0.004, rtol=1e-14)


def test_adaptive_rate_stops_below_threshold():
    """Check that the adaptive rate stops being reduced once it is at most 1e-6."""
    settings = _sgd_settings(learning_rate="adaptive", learning_rate_init=1e-5)
    optimizer = SGD(N_PARAMS, np.float64, settings)
    assert optimizer.reduce_learning_rate() is True  # 1e-5 -> 2e-6
    assert optimizer.reduce_learning_rate() is True  # 2e-6 -> 4e-7
    assert optimizer.reduce_learning_rate() is False
    assert_allclose(optimizer.learning_rate, 4e-7, rtol=1e-12)


@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_non_adaptive_rates_are_not_reduced(schedule):
    """Check that reduce_learning_rate returns False and keeps other schedules."""
    optimizer = SGD(N_PARAMS, np.float64, _sgd_settings(learning_rate=schedule))
    assert optimizer.reduce_learning_rate() is False
    assert optimizer.learning_rate == 0.1


def test_adam_two_steps():
    """Check two Adam steps against the bias-corrected update written out."""
    params, g1, g2 = _params_and_grads(seed=6)
    lr0, beta_1, beta_2, epsilon = 0.01, 0.8, 0.95, 1e-3
    m1 = (1 - beta_1) * g1
    v1 = (1 - beta_2) * g1**2
    lr1 = lr0 * np.sqrt(1 - beta_2) / (1 - beta_1)
    p1 = params - lr1 * m1 / (np.sqrt(v1) + epsilon)
    m2 = beta_1 * m1 + (1 - beta_1) * g2
    v2 = beta_2 * v1 + (1 - beta_2) * g2**2
    lr2 = lr0 * np.sqrt(1 - beta_2**2) / (1 - beta_1**2)
    p2 = p1 - lr2 * m2 / (np.sqrt(v2) + epsilon)

    optimizer = Adam(N_PARAMS, np.float64, _adam_settings())
    optimizer.step(params, g1)
    assert_allclose(params, p1, rtol=1e-13)
    optimizer.step(params, g2)
    assert_allclose(params, p2, rtol=1e-13)
    assert_allclose(optimizer.learning_rate, lr2, rtol=1e-14)


def test_adam_has_no_schedule():
    """Check that Adam's end_epoch and reduce_learning_rate change nothing."""
    params, g1, g2 = _params_and_grads(seed=7)
    optimizer = Adam(N_PARAMS, np.float64, _adam_settings())
    reference = Adam(N_PARAMS, np.float64, _adam_settings())
    reference_params = params.copy()
    optimizer.step(params, g1)
    reference.step(reference_params, g1)
    optimizer.end_epoch(t=100)
    assert optimizer.reduce_learning_rate() is False
    optimizer.step(params, g2)
    reference.step(reference_params, g2)
    assert_allclose(params, reference_params, rtol=0, atol=0)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_state_and_step(name):
    """Check that float32 state stays float32 and steps like float64 does."""
    settings = _sgd_settings() if name == "sgd" else _adam_settings()
    params64, g1, g2 = _params_and_grads(seed=8)
    params32 = params64.astype(np.float32)
    optimizer64 = OPTIMIZERS[name](N_PARAMS, np.float64, settings)
    optimizer32 = OPTIMIZERS[name](N_PARAMS, np.float32, settings)
    for grads in (g1, g2):
        optimizer64.step(params64, grads)
        optimizer32.step(params32, grads.astype(np.float32))
    vectors = (
        [optimizer32.velocity] if name == "sgd" else [optimizer32.m, optimizer32.v]
    )
    state = [vector.values for vector in vectors]
    assert all(array.dtype == np.float32 for array in state)
    assert_allclose(params32, params64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["sgd", "nesterov", "adam"])
def test_many_steps_match_the_formulas_written_out(name):
    """Check 400 steps, enough for the decayed state to fold its scale many times."""
    rng = np.random.RandomState(9)
    params = rng.normal(size=N_PARAMS)
    expected = params.copy()
    if name == "adam":
        settings = _adam_settings()
        optimizer = Adam(N_PARAMS, np.float64, settings)
    else:
        settings = _sgd_settings(nesterovs_momentum=name == "nesterov")
        optimizer = SGD(N_PARAMS, np.float64, settings)
    first, second = np.zeros(N_PARAMS), np.zeros(N_PARAMS)
    for t in range(1, 401):
        g = rng.normal(size=N_PARAMS)
        optimizer.step(params, g)
        if name == "adam":
            beta_1, beta_2 = settings.beta_1, settings.beta_2
            first = beta_1 * first + (1 - beta_1) * g
            second = beta_2 * second + (1 - beta_2) * g**2
            lr = settings.learning_rate_init * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            expected -= lr * first / (np.sqrt(second) + settings.epsilon)
        else:
            lr, mu = settings.learning_rate_init, settings.momentum
            first = mu * first - lr * g
            expected += mu * first - lr * g if name == "nesterov" else first
    assert_allclose(params, expected, rtol=1e-11)
