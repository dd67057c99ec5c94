"""Tests of the SGD and Adam update rules against the formulas written out."""

import numbers
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skmlp import MLPClassifier
from skmlp._base import SOLVERS, BaseMLP
from skmlp._docstrings import fill
from skmlp._optimizers import (
    OPTIMIZERS,
    OptimizerRecord,
    UpdateRule,
    adam_init,
    adam_update,
    clip_to_norm,
    sgd_init,
    sgd_update,
)
from skmlp._schedules import SCHEDULES, ScheduleSettings, start_schedule

N_PARAMS = 6


LR = 0.1
ADAM = {
    "beta_1": 0.8,
    "beta_2": 0.95,
    "epsilon": 1e-3,
}  # epsilon large enough to matter


def _sgd(momentum=0.9, nesterov=False, dtype=np.float64):
    return sgd_init(np.empty(N_PARAMS, dtype), momentum=momentum, nesterov=nesterov)


def _adam(dtype=np.float64):
    return adam_init(np.empty(N_PARAMS, dtype), **ADAM)


def _optimizer(name, dtype=np.float64):
    """Return (solver, state) of the optimiser the shared checks run."""
    if name == "adam":
        return "adam", _adam(dtype)
    return "sgd", _sgd(nesterov=name == "nesterov", dtype=dtype)


def _rule(name, dtype=np.float64, max_grad_norm=None):
    """Return an update rule of the shared optimiser ``name`` at the constant LR."""
    solver, state = _optimizer(name, dtype)
    settings = ScheduleSettings(learning_rate_init=LR, power_t=0.5, max_iter=10)
    schedule = start_schedule("constant", solver, settings)
    return UpdateRule(solver, state, schedule, max_grad_norm)


def _params_and_grads(seed):
    """Return a parameter vector and two gradients drawn from N(0, 1)."""
    rng = np.random.RandomState(seed)
    return (
        rng.normal(size=N_PARAMS),
        rng.normal(size=N_PARAMS),
        rng.normal(size=N_PARAMS),
    )


def _leaves(tree, path=()):
    """Yield (path, value) of every entry of nested dicts, lists and tuples."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree):
            yield from _leaves(value, (*path, index))
    else:
        yield path, tree


def _arrays(tree):
    return [value for _, value in _leaves(tree) if isinstance(value, np.ndarray)]


def test_sgd_without_momentum_is_gradient_step():
    """Check that SGD with momentum 0 moves params by -learning_rate * g."""
    params, g1, g2 = _params_and_grads(seed=0)
    expected = params - LR * g1 - LR * g2
    state = _sgd(momentum=0.0)
    sgd_update(params, g1, state, LR)
    sgd_update(params, g2, state, LR)
    assert_allclose(params, expected, rtol=1e-14)


def test_sgd_momentum_two_steps():
    """Check two SGD steps with momentum against v = mu v - lr g, p = p + v."""
    params, g1, g2 = _params_and_grads(seed=1)
    lr, mu = LR, 0.9
    v1 = -lr * g1
    p1 = params + v1
    v2 = mu * v1 - lr * g2
    p2 = p1 + v2
    state = _sgd()
    sgd_update(params, g1, state, lr)
    assert_allclose(params, p1, rtol=1e-14)
    sgd_update(params, g2, state, lr)
    assert_allclose(params, p2, rtol=1e-14)


def test_sgd_nesterov_two_steps():
    """Check two Nesterov steps against v = mu v - lr g, p = p + mu v - lr g."""
    params, g1, g2 = _params_and_grads(seed=2)
    lr, mu = LR, 0.9
    v1 = -lr * g1
    p1 = params + mu * v1 - lr * g1
    v2 = mu * v1 - lr * g2
    p2 = p1 + mu * v2 - lr * g2
    state = _sgd(nesterov=True)
    sgd_update(params, g1, state, lr)
    assert_allclose(params, p1, rtol=1e-14)
    sgd_update(params, g2, state, lr)
    assert_allclose(params, p2, rtol=1e-14)


def test_sgd_step_takes_the_rate_it_is_given():
    """Check that a step uses the rate of that call: v = mu v - lr_t g."""
    params, g1, g2 = _params_and_grads(seed=4)
    v1 = -0.1 * g1
    v2 = 0.5 * v1 - 0.03 * g2
    expected = params + v1 + v2
    state = _sgd(momentum=0.5)
    sgd_update(params, g1, state, 0.1)
    sgd_update(params, g2, state, 0.03)
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

    state = _adam()
    adam_update(params, g1, state, lr0)
    assert_allclose(params, p1, rtol=1e-13)
    adam_update(params, g2, state, lr0)
    assert_allclose(params, p2, rtol=1e-13)
    assert state["t"] == 2


# The same checks for every optimiser, as optax runs its aliases through one table.
SHARED = ["sgd", "nesterov", "adam"]


@pytest.mark.parametrize("name", SHARED)
def test_step_updates_params_in_place(name):
    """Check that an update writes into the given array and leaves grads unchanged."""
    params, grads, _ = _params_and_grads(seed=3)
    grads_before, params_before = grads.copy(), params.copy()
    same_array = params
    solver, state = _optimizer(name)
    OPTIMIZERS[solver].update(params, grads, state, LR)
    assert same_array is params
    assert not np.allclose(params, params_before)
    assert_allclose(grads, grads_before, rtol=0, atol=0)


@pytest.mark.parametrize("name", SHARED)
def test_copy_is_independent_and_steps_alike(name):
    """Check that a copied rule steps exactly as the original and shares no state."""
    params, g1, g2 = _params_and_grads(seed=10)
    rule = _rule(name)
    rule.step(params, g1)
    twin, twin_params = rule.copy(), params.copy()
    rule.step(params, g2)
    rule.step(params, g2)  # the copy must not see these steps
    twin.step(twin_params, g2)
    reference, reference_params = _rule(name), _params_and_grads(seed=10)[0]
    reference.step(reference_params, g1)
    reference.step(reference_params, g2)
    assert_array_equal(twin_params, reference_params)


@pytest.mark.parametrize("name", SHARED)
def test_copy_shares_no_array_with_the_original(name):
    """Check that no array of a copied rule's state is memory of the original's."""
    params, g1, _ = _params_and_grads(seed=11)
    rule = _rule(name)
    rule.step(params, g1)  # Adam allocates its scratch buffer on the first step
    twin = rule.copy()
    originals, copies = _arrays(rule.optimizer), _arrays(twin.optimizer)
    assert copies  # velocity, or Adam's two moments
    for copied in copies:
        assert not any(np.shares_memory(copied, array) for array in originals)
    assert twin.schedule is not rule.schedule
    assert twin.optimizer is not rule.optimizer


@pytest.mark.parametrize("name", SHARED)
def test_float32_state_and_step(name):
    """Check that float32 state stays float32 and steps like float64 does."""
    params64, g1, g2 = _params_and_grads(seed=8)
    params32 = params64.astype(np.float32)
    rule64, rule32 = _rule(name), _rule(name, np.float32)
    for grads in (g1, g2):
        rule64.step(params64, grads)
        rule32.step(params32, grads.astype(np.float32))
    state = rule32.optimizer
    vectors = [state["m"], state["v"]] if name == "adam" else [state["velocity"]]
    assert all(vector["values"].dtype == np.float32 for vector in vectors)
    assert rule32.dtype == np.float32
    assert params32.dtype == np.float32
    assert_allclose(params32, params64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SHARED)
def test_many_steps_match_the_formulas_written_out(name):
    """Check 400 steps, enough for the decayed state to fold its scale many times."""
    rng = np.random.RandomState(9)
    params = rng.normal(size=N_PARAMS)
    expected = params.copy()
    rule = _rule(name)
    first, second = np.zeros(N_PARAMS), np.zeros(N_PARAMS)
    for t in range(1, 401):
        g = rng.normal(size=N_PARAMS)
        rule.step(params, g)
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
    assert set(OPTIMIZERS) < set(SOLVERS)


def test_clip_to_norm_rescales_only_longer_gradients():
    """Check clipping against the formula: g * c / ||g|| when ||g|| > c."""
    grads = np.array([3.0, 4.0])  # norm 5
    assert clip_to_norm(grads, 2.5) is True
    assert_allclose(grads, [1.5, 2.0], rtol=1e-15)
    short = np.array([0.3, 0.4])
    assert clip_to_norm(short, 2.5) is True
    assert_array_equal(short, [0.3, 0.4])


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_clip_to_norm_leaves_non_finite_gradients_alone(bad):
    """Check that a gradient of non-finite norm is reported and left as it was."""
    grads = np.array([3.0, bad, 4.0])
    before = grads.copy()
    assert clip_to_norm(grads, 1.0) is False
    assert_array_equal(grads, before)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_clip_to_norm_clips_finite_gradients_whose_square_overflows():
    """Check that finite float32 gradients of norm 2e20 are clipped to norm 1."""
    grads = np.full(4, 1e20, dtype=np.float32)  # ||g|| = 2e20 < float32 max
    assert clip_to_norm(grads, 1.0) is True
    assert_allclose(grads, 0.5, rtol=1e-6)


def test_rule_clips_before_the_optimizer_steps():
    """Check that a rule with max_grad_norm steps SGD with g * c / ||g||."""
    params = np.zeros(2)
    rule = UpdateRule(
        "sgd",
        sgd_init(params, momentum=0.0, nesterov=False),
        {"name": "constant", "rate": 0.5},
        max_grad_norm=1.0,
    )
    rule.step(params, np.array([3.0, 4.0]))
    # g = (3, 4) has norm 5: clipped to (0.6, 0.8), then p = -0.5 g
    assert_allclose(params, [-0.3, -0.4], rtol=1e-15)


def _stepped_rule(solver, schedule, max_grad_norm):
    """Return an update rule of the registries' records after two steps."""
    record, defaults = OPTIMIZERS[solver], MLPClassifier().get_params()
    params, g1, g2 = _params_and_grads(seed=12)
    hyper = {key: defaults[name] for key, name in record.hyperparameters.items()}
    settings = ScheduleSettings(learning_rate_init=LR, power_t=0.5, max_iter=10)
    rule = UpdateRule(
        solver,
        record.init(params, **hyper),
        start_schedule(schedule, solver, settings),
        max_grad_norm,
    )
    for grads in (g1, g2):
        rule.step(params, grads)
        rule.end_epoch(t=10)
    return rule


@pytest.mark.parametrize("max_grad_norm", [None, 1.0])
@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
@pytest.mark.parametrize("solver", sorted(OPTIMIZERS))
def test_state_is_plain_data_without_scratch(solver, schedule, max_grad_norm):
    """Check that state() holds only dicts, lists, numbers, strings, None, arrays."""
    state = _stepped_rule(solver, schedule, max_grad_norm).state()
    plain = (dict, list, numbers.Number, str, np.ndarray, type(None))
    assert type(state) is dict
    for path, value in _leaves(state):
        assert isinstance(value, plain), (path, type(value))
        assert not any(str(key).startswith("_") for key in path), path
    assert _arrays(state)


@pytest.mark.parametrize("solver", sorted(OPTIMIZERS))
def test_state_round_trip_steps_alike(solver):
    """Check that from_state(state()) gives a rule that steps as the original."""
    rule = _stepped_rule(solver, "invscaling", max_grad_norm=1.0)
    restored = UpdateRule.from_state(pickle.loads(pickle.dumps(rule.state())))
    assert restored.learning_rate == rule.learning_rate
    params, grads, _ = _params_and_grads(seed=13)
    restored_params = params.copy()
    rule.step(params, grads)
    restored.step(restored_params, grads)
    assert_array_equal(restored_params, params)


@pytest.mark.parametrize(
    "change",
    [{"solver": "rmsprop"}, {"schedule": {"name": "warmup", "rate": 0.1}}],
    ids=["solver", "schedule"],
)
def test_from_state_rejects_unknown_names(change):
    """Check that an unknown solver or schedule name is called an invalid model."""
    state = {**_stepped_rule("sgd", "constant", None).state(), **change}
    with pytest.raises(ValueError, match="not a valid skmlp model"):
        UpdateRule.from_state(state)


def test_a_registered_optimizer_is_a_solver_everywhere(monkeypatch):
    """Check that one OPTIMIZERS entry is a solver option, documented, and trains."""
    # Plain gradient descent, as SGD without momentum.
    record = OptimizerRecord(
        lambda params: sgd_init(params, momentum=0.0, nesterov=False),
        sgd_update,
        {},
        "plain",
    )
    monkeypatch.setitem(OPTIMIZERS, "plain", record)
    (constraint,) = BaseMLP._parameter_constraints["solver"]
    assert "plain" in constraint.options
    assert SOLVERS["plain"] is record
    text = fill("<solver>", options={"solver": SOLVERS, "learning_rate": SCHEDULES})
    assert "- 'plain': plain" in text

    X, y = make_classification(n_samples=40, random_state=0)
    params = {"hidden_layer_sizes": (3,), "max_iter": 3, "random_state": 0}
    with pytest.warns(ConvergenceWarning):
        ours = MLPClassifier(solver="plain", **params).fit(X, y)
        oracle = MLPClassifier(solver="sgd", momentum=0.0, **params).fit(X, y)
    # Saved and loaded, the new solver's state goes on training alike.
    ours = pickle.loads(pickle.dumps(ours)).partial_fit(X, y)
    oracle = pickle.loads(pickle.dumps(oracle)).partial_fit(X, y)
    for mine, reference in zip(ours.coefs_, oracle.coefs_, strict=True):
        assert_array_equal(mine, reference)
