"""Tests of the training objective: finite-difference gradients, L2, weights."""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
from numpy.testing import assert_allclose
from plain_forward import pre_activations
from sklearn.metrics import mean_squared_error

from skmlp._activations import HIDDEN_ACTIVATIONS
from skmlp._losses import LOSSES, Loss, regression_loss
from skmlp._network import ParameterLayout
from skmlp._objective import Batch, Dropout, Network, Objective

N_FEATURES = 4
N_SAMPLES = 7
HIDDEN_LAYER_SIZES = [(), (5,), (5, 3)]
HUBER_DELTA = 0.5


class Case(NamedTuple):
    """A loss with its number of outputs, a draw of valid targets, and kinks."""

    loss: Loss
    n_outputs: int
    draw_targets: Callable[[np.random.RandomState], np.ndarray]
    kinks: tuple = ()  # residuals a - y where the loss is not twice differentiable


def _normal_targets(n_outputs):
    return lambda rng: rng.normal(size=(N_SAMPLES, n_outputs))


def _binary_targets(n_outputs):
    return lambda rng: rng.randint(0, 2, (N_SAMPLES, n_outputs)).astype(float)


TARGET_CASES = {
    "log_loss": Case(
        LOSSES["log_loss"], 3, lambda rng: np.eye(3)[rng.randint(0, 3, N_SAMPLES)]
    ),
    "binary_log_loss-1": Case(LOSSES["binary_log_loss"], 1, _binary_targets(1)),
    "binary_log_loss-multilabel": Case(
        LOSSES["binary_log_loss"], 3, _binary_targets(3)
    ),
    "squared_error-1": Case(LOSSES["squared_error"], 1, _normal_targets(1)),
    "squared_error-3": Case(LOSSES["squared_error"], 3, _normal_targets(3)),
    "poisson": Case(
        LOSSES["poisson"],
        2,
        lambda rng: rng.poisson(1.5, (N_SAMPLES, 2)).astype(float),
    ),
    "absolute_error": Case(LOSSES["absolute_error"], 2, _normal_targets(2), (0.0,)),
    "huber": Case(
        regression_loss("huber", huber_delta=HUBER_DELTA),
        2,
        _normal_targets(2),
        (-HUBER_DELTA, HUBER_DELTA),
    ),
    "quantile": Case(
        regression_loss("quantile", quantile=0.3), 2, _normal_targets(2), (0.0,)
    ),
}


def _network(case, hidden_layer_sizes, activation, alpha):
    """Return the Network of one case."""
    loss, n_outputs = TARGET_CASES[case].loss, TARGET_CASES[case].n_outputs
    layout = ParameterLayout((N_FEATURES, *hidden_layer_sizes, n_outputs))
    return Network(layout, HIDDEN_ACTIVATIONS[activation], loss, alpha)


def _problem(case, hidden_layer_sizes, activation, alpha, seed=0):
    """Return (Objective, Batch without weights, sample weights) for one case."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    Y = TARGET_CASES[case].draw_targets(rng)
    sample_weight = rng.uniform(0.5, 2.5, size=N_SAMPLES)
    network = _network(case, hidden_layer_sizes, activation, alpha)
    # max_rows above the batch size, so the objective must slice its buffers.
    objective = Objective(network, N_SAMPLES + 3, np.float64)
    return objective, Batch(X, Y), sample_weight


def _params_away_from_kinks(network, batch, seed, masks=None, case=None):
    """Return N(0, 0.5^2) parameters 1e-3 away from every kink of the network.

    Hidden pre-activations avoid |z| < 1e-3 (relu, leaky_relu) and, for losses
    with kinks (identity output, so a_L = z_L), residuals stay 1e-3 away from
    them. A central difference of step 1e-6 then never crosses a kink. Draws
    are repeated from the same seeded generator until that holds.
    """
    kinks = TARGET_CASES[case].kinks if case else ()
    rng = np.random.RandomState(seed)
    while True:
        params = rng.normal(scale=0.5, size=network.layout.size)
        *hidden, output = pre_activations(network, params, batch.X, masks)
        residuals = output - batch.Y
        if all(np.abs(z).min() > 1e-3 for z in hidden) and all(
            np.abs(residuals - kink).min() > 1e-3 for kink in kinks
        ):
            return params


def _value_and_gradient(objective, params, batch):
    """Return J and a fresh gradient array; NaN prefill catches unwritten entries."""
    grads = np.full_like(params, np.nan)
    value = objective.loss_and_gradients(params, batch, grads)
    return value, grads


def _finite_difference_gradient(objective, params, batch, h=1e-6):
    """Return the central-difference estimate of dJ/dparams."""
    numeric = np.empty_like(params)
    for index in range(params.size):
        step = np.zeros_like(params)
        step[index] = h
        forward_value, _ = _value_and_gradient(objective, params + step, batch)
        backward_value, _ = _value_and_gradient(objective, params - step, batch)
        numeric[index] = (forward_value - backward_value) / (2 * h)
    return numeric


def test_every_loss_has_a_gradient_case():
    """Check that the finite-difference cases cover every loss in LOSSES."""
    assert {case.loss.name for case in TARGET_CASES.values()} >= set(LOSSES)


@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("case", sorted(TARGET_CASES))
@pytest.mark.parametrize("hidden_layer_sizes", HIDDEN_LAYER_SIZES)
@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_gradient_matches_finite_difference(
    activation, case, hidden_layer_sizes, use_weights, alpha
):
    """Check that the analytic dJ/dparams equals a central finite difference."""
    objective, batch, sample_weight = _problem(
        case, hidden_layer_sizes, activation, alpha
    )
    if use_weights:
        batch = batch._replace(sample_weight=sample_weight)
    params = _params_away_from_kinks(objective.network, batch, seed=1, case=case)

    value, grads = _value_and_gradient(objective, params, batch)
    numeric = _finite_difference_gradient(objective, params, batch)
    assert np.isfinite(value)
    assert_allclose(grads, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("use_weights", [False, True])
def test_objective_is_data_loss_plus_l2_penalty(use_weights):
    """Check J = data loss + alpha / (2 S) ||W||^2, intercepts not penalised."""
    alpha = 0.7
    objective, batch, sample_weight = _problem("squared_error-3", (5,), "tanh", alpha)
    penalty_free, _, _ = _problem("squared_error-3", (5,), "tanh", 0.0)
    if use_weights:
        batch = batch._replace(sample_weight=sample_weight)
    layout = objective.network.layout
    params = _params_away_from_kinks(objective.network, batch, seed=2)
    coefs, intercepts = layout.unpack(params)

    # Data loss by hand: 1/2 squared error summed over outputs, (weighted) mean
    # over samples, i.e. 1/2 * n_outputs * sklearn's output-averaged MSE.
    A = np.tanh(batch.X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    data_loss = (
        0.5 * 3 * mean_squared_error(batch.Y, A, sample_weight=batch.sample_weight)
    )
    weight_sum = sample_weight.sum() if use_weights else N_SAMPLES
    squared_norm = (coefs[0] ** 2).sum() + (coefs[1] ** 2).sum()
    expected = data_loss + alpha / (2 * weight_sum) * squared_norm

    value, grads = _value_and_gradient(objective, params, batch)
    value_without, grads_without = _value_and_gradient(penalty_free, params, batch)
    assert_allclose(value_without, data_loss, rtol=1e-12)
    assert_allclose(value, expected, rtol=1e-12)
    # d/dW of the penalty is alpha W / S; intercept gradients are unchanged.
    expected_difference = np.zeros_like(params)
    expected_difference[: layout.n_coefs] = (
        alpha * params[: layout.n_coefs] / weight_sum
    )
    assert_allclose(grads - grads_without, expected_difference, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_weight_of_two_equals_duplicated_row(case):
    """Check that sample weight 2 on a row equals repeating it (value, gradient)."""
    objective, batch, _ = _problem(case, (5,), "tanh", alpha=0.2, seed=3)
    params = _params_away_from_kinks(objective.network, batch, seed=4)
    sample_weight = np.ones(N_SAMPLES)
    sample_weight[2] = 2.0
    weighted = batch._replace(sample_weight=sample_weight)
    rows = [*range(N_SAMPLES), 2]
    duplicated = Batch(batch.X[rows], batch.Y[rows])
    big_objective = Objective(objective.network, N_SAMPLES + 1, np.float64)

    value, grads = _value_and_gradient(objective, params, weighted)
    value_duplicated, grads_duplicated = _value_and_gradient(
        big_objective, params, duplicated
    )
    assert_allclose(value, value_duplicated, rtol=1e-12)
    assert_allclose(grads, grads_duplicated, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_unit_sample_weights_equal_no_weights(case):
    """Check that sample weights of all ones give the unweighted J and gradient."""
    objective, batch, _ = _problem(case, (5,), "relu", alpha=0.2, seed=5)
    params = _params_away_from_kinks(objective.network, batch, seed=6)
    value, grads = _value_and_gradient(objective, params, batch)
    value_ones, grads_ones = _value_and_gradient(
        objective, params, batch._replace(sample_weight=np.ones(N_SAMPLES))
    )
    assert_allclose(value_ones, value, rtol=1e-12)
    assert_allclose(grads_ones, grads, rtol=1e-12, atol=1e-15)


def test_calls_do_not_depend_on_previous_calls():
    """Check that a call after one on another batch gives the same J and gradient."""
    objective, batch, _ = _problem("log_loss", (5, 3), "logistic", alpha=0.1, seed=7)
    params = _params_away_from_kinks(objective.network, batch, seed=8)
    first_value, first_grads = _value_and_gradient(objective, params, batch)
    rng = np.random.RandomState(9)
    other = Batch(
        rng.normal(size=(N_SAMPLES + 3, N_FEATURES)),
        np.eye(3)[rng.randint(0, 3, N_SAMPLES + 3)],
        rng.uniform(0.5, 2.0, N_SAMPLES + 3),
    )
    _value_and_gradient(objective, params + 1.0, other)
    value, grads = _value_and_gradient(objective, params, batch)
    assert value == first_value
    assert_allclose(grads, first_grads, rtol=0, atol=0)


def test_params_are_not_modified():
    """Check that loss_and_gradients leaves the parameter vector unchanged."""
    objective, batch, weights = _problem("poisson", (5, 3), "relu", 0.5, seed=10)
    params = _params_away_from_kinks(objective.network, batch, seed=11)
    before = params.copy()
    _value_and_gradient(objective, params, batch._replace(sample_weight=weights))
    assert_allclose(params, before, rtol=0, atol=0)


def _dropout_masks(hidden_layer_sizes, rate, seed):
    """Return the masks a Dropout with a fresh generator of ``seed`` draws first."""
    masks = [np.empty((N_SAMPLES, n_units)) for n_units in hidden_layer_sizes]
    Dropout(rate, np.random.default_rng(seed)).draw_masks(masks)
    return masks


@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
@pytest.mark.parametrize("hidden_layer_sizes", [(5,), (5, 3)])
def test_gradient_with_dropout_matches_finite_difference(
    activation, hidden_layer_sizes
):
    """Check the gradient of the thinned network against a central difference."""
    rate, seed = 0.4, 12
    objective, batch, sample_weight = _problem(
        "squared_error-3", hidden_layer_sizes, activation, alpha=0.3
    )
    batch = batch._replace(sample_weight=sample_weight)
    masks = _dropout_masks(hidden_layer_sizes, rate, seed)
    assert any((mask == 0).any() for mask in masks)
    params = _params_away_from_kinks(objective.network, batch, seed=13, masks=masks)

    class SameMasks:
        """Objective whose every call draws the same dropout masks."""

        def loss_and_gradients(self, params, batch, grads):
            dropout = Dropout(rate, np.random.default_rng(seed))
            thinned = Objective(objective.network, N_SAMPLES, np.float64, dropout)
            return thinned.loss_and_gradients(params, batch, grads)

    value, grads = _value_and_gradient(SameMasks(), params, batch)
    value_without_dropout, _ = _value_and_gradient(objective, params, batch)
    numeric = _finite_difference_gradient(SameMasks(), params, batch)
    assert value != value_without_dropout
    assert_allclose(grads, numeric, rtol=1e-6, atol=1e-8)


def test_dropout_rate_zero_changes_nothing():
    """Check that dropout with rate 0 gives the J and gradient of no dropout."""
    objective, batch, _ = _problem("log_loss", (5, 3), "gelu", alpha=0.1, seed=14)
    params = _params_away_from_kinks(objective.network, batch, seed=15)
    dropout = Dropout(0.0, np.random.default_rng(16))
    no_op = Objective(objective.network, N_SAMPLES, np.float64, dropout)
    value, grads = _value_and_gradient(objective, params, batch)
    value_no_op, grads_no_op = _value_and_gradient(no_op, params, batch)
    assert_allclose(value_no_op, value, rtol=1e-14)
    assert_allclose(grads_no_op, grads, rtol=1e-13, atol=1e-16)
