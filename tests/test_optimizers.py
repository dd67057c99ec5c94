"""Tests of the SGD and Adam update rules against the formulas written out."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier
from skmlp._base import SOLVERS, BaseMLP
from skmlp._docstrings import fill
from skmlp._optimizers import OPTIMIZERS, SGD, Adam, OptimizerEntry, clip_to_norm
from skmlp._schedules import SCHEDULES

N_PARAMS = 6


LR = 0.1
ADAM = {
    "beta_1": 0.8,
    "beta_2": 0.95,
    "epsilon": 1e-3,
}  # epsilon large enough to matter


def _sgd(momentum=0.9, nesterov=False, dtype=np.float64):
    return SGD(np.empty(N_PARAMS, dtype), momentum=momentum, nesterov=nesterov)


def _adam(dtype=np.float64):
    return Adam(np.empty(N_PARAMS, dtype), **ADAM)


def _optimizer(name, dtype=np.float64):
    """Return the optimiser the shared checks run: sgd, nesterov or adam."""
    if name == "adam":
        return _adam(dtype)
    return _sgd(nesterov=name == "nesterov", dtype=dtype)


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
    expected = params - LR * g1 - LR * g2
    optimizer = _sgd(momentum=0.0)
    optimizer.step(params, g1, LR)
    optimizer.step(params, g2, LR)
    assert_allclose(params, expected, rtol=1e-14)


def test_sgd_momentum_two_steps():
    """Check two SGD steps with momentum against v = mu v - lr g, p = p + v."""
    params, g1, g2 = _params_and_grads(seed=1)
    lr, mu = LR, 0.9
    v1 = -lr * g1
    p1 = params + v1
    v2 = mu * v1 - lr * g2
    p2 = p1 + v2
    optimizer = _sgd()
    optimizer.step(params, g1, lr)
    assert_allclose(params, p1, rtol=1e-14)
    optimizer.step(params, g2, lr)
    assert_allclose(params, p2, rtol=1e-14)


def test_sgd_nesterov_two_steps():
    """Check two Nesterov steps against v = mu v - lr g, p = p + mu v - lr g."""
    params, g1, g2 = _params_and_grads(seed=2)
    lr, mu = LR, 0.9
    v1 = -lr * g1
    p1 = params + mu * v1 - lr * g1
    v2 = mu * v1 - lr * g2
    p2 = p1 + mu * v2 - lr * g2
    optimizer = _sgd(nesterov=True)
    optimizer.step(params, g1, lr)
    assert_allclose(params, p1, rtol=1e-14)
    optimizer.step(params, g2, lr)
    assert_allclose(params, p2, rtol=1e-14)


def test_sgd_step_takes_the_rate_it_is_given():
    """Check that a step uses the rate of that call: v = mu v - lr_t g."""
    params, g1, g2 = _params_and_grads(seed=4)
    v1 = -0.1 * g1
    v2 = 0.5 * v1 - 0.03 * g2
    expected = params + v1 + v2
    optimizer = _sgd(momentum=0.5)
    optimizer.step(params, g1, 0.1)
    optimizer.step(params, g2, 0.03)
    assert_allclose(params, expected, rtol=1e-14)


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

    optimizer = _adam()
    optimizer.step(params, g1, lr0)
    assert_allclose(params, p1, rtol=1e-13)
    optimizer.step(params, g2, lr0)
    assert_allclose(params, p2, rtol=1e-13)


# The same checks for every optimiser, as optax runs its aliases through one table.
SHARED = ["sgd", "nesterov", "adam"]


@pytest.mark.parametrize("name", SHARED)
def test_step_updates_params_in_place(name):
    """Check that step writes into the given array and leaves grads unchanged."""
    params, grads, _ = _params_and_grads(seed=3)
    grads_before, params_before = grads.copy(), params.copy()
    same_array = params
    _optimizer(name).step(params, grads, LR)
    assert same_array is params
    assert not np.allclose(params, params_before)
    assert_allclose(grads, grads_before, rtol=0, atol=0)


@pytest.mark.parametrize("name", SHARED)
def test_copy_is_independent_and_steps_alike(name):
    """Check that a copy steps exactly as the original and shares no state."""
    params, g1, g2 = _params_and_grads(seed=10)
    optimizer = _optimizer(name)
    optimizer.step(params, g1, LR)
    twin, twin_params = optimizer.copy(), params.copy()
    optimizer.step(params, g2, LR)
    optimizer.step(params, g2, LR)  # the copy must not see these steps
    twin.step(twin_params, g2, LR)
    reference, reference_params = _optimizer(name), _params_and_grads(seed=10)[0]
    reference.step(reference_params, g1, LR)
    reference.step(reference_params, g2, LR)
    assert_array_equal(twin_params, reference_params)


@pytest.mark.parametrize("name", SHARED)
def test_float32_state_and_step(name):
    """Check that float32 state stays float32 and steps like float64 does."""
    params64, g1, g2 = _params_and_grads(seed=8)
    params32 = params64.astype(np.float32)
    optimizer64, optimizer32 = _optimizer(name), _optimizer(name, np.float32)
    for grads in (g1, g2):
        optimizer64.step(params64, grads, LR)
        optimizer32.step(params32, grads.astype(np.float32), LR)
    vectors = (
        [optimizer32.m, optimizer32.v] if name == "adam" else [optimizer32.velocity]
    )
    assert all(vector.values.dtype == np.float32 for vector in vectors)
    assert_allclose(params32, params64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SHARED)
def test_many_steps_match_the_formulas_written_out(name):
    """Check 400 steps, enough for the decayed state to fold its scale many times."""
    rng = np.random.RandomState(9)
    params = rng.normal(size=N_PARAMS)
    expected = params.copy()
    optimizer = _optimizer(name)
    first, second = np.zeros(N_PARAMS), np.zeros(N_PARAMS)
    for t in range(1, 401):
        g = rng.normal(size=N_PARAMS)
        optimizer.step(params, g, LR)
        if name == "adam":
            beta_1, beta_2 = ADAM["beta_1"], ADAM["beta_2"]
            first = beta_1 * first + (1 - beta_1) * g
            second = beta_2 * second + (1 - beta_2) * g**2
            lr = LR * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            expected -= lr * first / (np.sqrt(second) + ADAM["epsilon"])
        else:
            mu = 0.9
            first = mu * first - LR * g
            expected += mu * first - LR * g if name == "nesterov" else first
    assert_allclose(params, expected, rtol=1e-11)


def test_every_registered_optimizer_is_in_the_shared_table():
    """Check that the shared checks cover every stochastic solver of the registry."""
    covered = {"nesterov": "sgd"}
    assert {covered.get(name, name) for name in SHARED} == set(OPTIMIZERS)


def test_clip_to_norm_rescales_only_longer_gradients():
    """Check clipping against the formula: g * c / ||g|| when ||g|| > c."""
    grads = np.array([3.0, 4.0])  # norm 5
    clip_to_norm(grads, 2.5)
    assert_allclose(grads, [1.5, 2.0], rtol=1e-15)
    short = np.array([0.3, 0.4])
    clip_to_norm(short, 2.5)
    assert_array_equal(short, [0.3, 0.4])


def test_a_registered_optimizer_is_a_solver_everywhere(monkeypatch):
    """Check that one OPTIMIZERS entry is a solver option, documented, and trains."""
    # Plain gradient descent, as SGD without momentum.
    entry = OptimizerEntry(
        lambda params, p: SGD(params, momentum=0.0, nesterov=False), "plain"
    )
    monkeypatch.setitem(OPTIMIZERS, "plain", entry)
    (constraint,) = BaseMLP._parameter_constraints["solver"]
    assert "plain" in constraint.options
    text = fill("<solver>", options={"solver": SOLVERS, "learning_rate": SCHEDULES})
    assert "- 'plain': plain" in text

    X, y = make_classification(n_samples=40, random_state=0)
    params = {"hidden_layer_sizes": (3,), "max_iter": 3, "random_state": 0}
    with pytest.warns(ConvergenceWarning):
        ours = MLPClassifier(solver="plain", **params).fit(X, y)
        oracle = MLPClassifier(solver="sgd", momentum=0.0, **params).fit(X, y)
    for mine, reference in zip(ours.coefs_, oracle.coefs_, strict=True):
        assert_array_equal(mine, reference)
