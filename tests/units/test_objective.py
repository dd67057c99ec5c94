"""Tests of the training objective: finite-difference gradients, L2, weights, dropout.

Every gradient test compares ``Objective.loss_and_gradients`` in float64 with a
central difference of the objective it returns (``gradient_check``), at points
away from the kinks of relu-like activations and of the piecewise losses, so
the difference never straddles one.
"""

from collections.abc import Callable
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pytest
from gradient_check import (
    assert_gradient_matches,
    params_away_from_kinks,
    value_and_gradient,
)
from numpy.testing import assert_allclose, assert_array_equal
from plain_forward import pre_activations
from sklearn.metrics import mean_squared_error

from skmlp._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp._losses import LOSSES, REGRESSION_LOSSES, Loss, regression_loss
from skmlp._network import ParameterLayout
from skmlp._objective import Batch, Dropout, Objective, ObjectiveSpec

N_FEATURES = 4
N_SAMPLES = 7
LIKE_PARAMS = np.empty(0)  # what Objective allocates like: numpy float64 arrays
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
    # One quantile below the median and one above, so each asymmetric pair of
    # slopes is used both ways round.
    "quantile-0.3": Case(
        regression_loss("quantile", quantile=0.3), 2, _normal_targets(2), (0.0,)
    ),
    "quantile-0.85": Case(
        regression_loss("quantile", quantile=0.85), 2, _normal_targets(2), (0.0,)
    ),
}


def _network(case, hidden_layer_sizes, activation, alpha):
    """Return the Network of one case."""
    loss, n_outputs = TARGET_CASES[case].loss, TARGET_CASES[case].n_outputs
    layout = ParameterLayout((N_FEATURES, *hidden_layer_sizes, n_outputs))
    output = OUTPUT_ACTIVATIONS[loss.output_activation]
    return ObjectiveSpec(layout, HIDDEN_ACTIVATIONS[activation], loss, alpha, output)


def _problem(case, hidden_layer_sizes, activation, alpha, seed=0):
    """Return (Objective, Batch without weights, sample weights) for one case."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    Y = TARGET_CASES[case].draw_targets(rng)
    sample_weight = rng.uniform(0.5, 2.5, size=N_SAMPLES)
    spec = _network(case, hidden_layer_sizes, activation, alpha)
    # max_rows above the batch size, so the objective must slice its buffers.
    objective = Objective(spec, N_SAMPLES + 3, LIKE_PARAMS)
    return objective, Batch(X, Y), sample_weight


def test_every_loss_has_a_gradient_case():
    """Check that the finite-difference cases cover every loss of both registries."""
    covered = {case.loss.name for case in TARGET_CASES.values()}
    assert covered >= set(LOSSES) | set(REGRESSION_LOSSES)


# With no hidden layer the activation is never applied, so one is enough.
ARCHITECTURES = [
    pytest.param(sizes, activation, id=f"{sizes}-{activation}")
    for sizes in HIDDEN_LAYER_SIZES
    for activation in (sorted(HIDDEN_ACTIVATIONS) if sizes else ["identity"])
]
# The quick run (-m "not slow") checks the weighted, penalised objective; the
# unweighted and unpenalised variants of every case are slow. Unit weights and
# the penalty term are each checked against their formula below.
WEIGHTS_AND_PENALTIES = [
    pytest.param(
        use_weights,
        alpha,
        id=f"weights={use_weights}-alpha={alpha}",
        marks=() if use_weights and alpha else pytest.mark.slow,
    )
    for use_weights in (False, True)
    for alpha in (0.0, 0.3)
]


@pytest.mark.parametrize(("hidden_layer_sizes", "activation"), ARCHITECTURES)
@pytest.mark.parametrize("case", sorted(TARGET_CASES))
@pytest.mark.parametrize(("use_weights", "alpha"), WEIGHTS_AND_PENALTIES)
def test_gradient_matches_finite_difference(
    activation, case, hidden_layer_sizes, use_weights, alpha
):
    """Check that the analytic dJ/dparams equals a central finite difference."""
    objective, batch, sample_weight = _problem(
        case, hidden_layer_sizes, activation, alpha
    )
    if use_weights:
        batch = batch._replace(sample_weight=sample_weight)
    kinks = TARGET_CASES[case].kinks
    params = params_away_from_kinks(objective.spec, batch, seed=1, kinks=kinks)
    *hidden, output = pre_activations(objective.spec, params, batch.X)
    # Pre-activations of both signs, so both branches of relu-like activations
    # (and elu's exponential part) are exercised.
    for z in hidden:
        assert (z < 0).any() and (z > 0).any()
    # Residuals between every pair of kinks: both signs of an absolute or
    # quantile residual, and both the quadratic and linear parts of Huber.
    for low, high in pairwise([-np.inf, *kinks, np.inf]):
        residuals = output - batch.Y
        assert ((low < residuals) & (residuals < high)).any(), (low, high)

    assert_gradient_matches(lambda: objective, params, batch)


def test_huber_gradient_with_a_small_delta_uses_the_linear_part():
    """Check that the Huber gradient is right when most residuals exceed delta."""
    huber_delta = 0.05
    layout = ParameterLayout((N_FEATURES, 4, 2))
    loss = regression_loss("huber", huber_delta=huber_delta)
    identity = OUTPUT_ACTIVATIONS["identity"]
    spec = ObjectiveSpec(layout, HIDDEN_ACTIVATIONS["softplus"], loss, 0.1, identity)
    rng = np.random.RandomState(4)
    X, Y = rng.normal(size=(N_SAMPLES, N_FEATURES)), rng.normal(size=(N_SAMPLES, 2))
    batch = Batch(X, Y, rng.uniform(0.5, 2.0, N_SAMPLES))
    kinks = (-huber_delta, huber_delta)
    params = params_away_from_kinks(spec, batch, seed=5, kinks=kinks, scale=0.6)
    residuals = pre_activations(spec, params, batch.X)[-1] - batch.Y
    assert (np.abs(residuals) > huber_delta).mean() > 0.5
    assert_gradient_matches(
        lambda: Objective(spec, N_SAMPLES, LIKE_PARAMS), params, batch
    )


@pytest.mark.parametrize("use_weights", [False, True])
def test_objective_is_data_loss_plus_l2_penalty(use_weights):
    """Check that J = data loss + alpha / (2 S) ||W||^2, intercepts unpenalised."""
    alpha = 0.7
    objective, batch, sample_weight = _problem("squared_error-3", (5,), "tanh", alpha)
    penalty_free, _, _ = _problem("squared_error-3", (5,), "tanh", 0.0)
    if use_weights:
        batch = batch._replace(sample_weight=sample_weight)
    layout = objective.spec.layout
    params = params_away_from_kinks(objective.spec, batch, seed=2)
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

    value, grads = value_and_gradient(objective, params, batch)
    value_without, grads_without = value_and_gradient(penalty_free, params, batch)
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
    params = params_away_from_kinks(objective.spec, batch, seed=4)
    sample_weight = np.ones(N_SAMPLES)
    sample_weight[2] = 2.0
    weighted = batch._replace(sample_weight=sample_weight)
    rows = [*range(N_SAMPLES), 2]
    duplicated = Batch(batch.X[rows], batch.Y[rows])
    big_objective = Objective(objective.spec, N_SAMPLES + 1, LIKE_PARAMS)

    value, grads = value_and_gradient(objective, params, weighted)
    value_duplicated, grads_duplicated = value_and_gradient(
        big_objective, params, duplicated
    )
    assert_allclose(value, value_duplicated, rtol=1e-12)
    assert_allclose(grads, grads_duplicated, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_unit_sample_weights_equal_no_weights(case):
    """Check that sample weights of all ones give the unweighted J and gradient."""
    objective, batch, _ = _problem(case, (5,), "relu", alpha=0.2, seed=5)
    params = params_away_from_kinks(objective.spec, batch, seed=6)
    value, grads = value_and_gradient(objective, params, batch)
    value_ones, grads_ones = value_and_gradient(
        objective, params, batch._replace(sample_weight=np.ones(N_SAMPLES))
    )
    assert_allclose(value_ones, value, rtol=1e-12)
    assert_allclose(grads_ones, grads, rtol=1e-12, atol=1e-15)


def test_calls_do_not_depend_on_previous_calls():
    """Check that a call after one on another batch gives the same J and gradient."""
    objective, batch, _ = _problem("log_loss", (5, 3), "logistic", alpha=0.1, seed=7)
    params = params_away_from_kinks(objective.spec, batch, seed=8)
    first_value, first_grads = value_and_gradient(objective, params, batch)
    rng = np.random.RandomState(9)
    other = Batch(
        rng.normal(size=(N_SAMPLES + 3, N_FEATURES)),
        np.eye(3)[rng.randint(0, 3, N_SAMPLES + 3)],
        rng.uniform(0.5, 2.0, N_SAMPLES + 3),
    )
    value_and_gradient(objective, params + 1.0, other)
    value, grads = value_and_gradient(objective, params, batch)
    assert value == first_value
    assert_allclose(grads, first_grads, rtol=0, atol=0)


def test_params_are_not_modified():
    """Check that loss_and_gradients leaves the parameter vector unchanged."""
    objective, batch, weights = _problem("poisson", (5, 3), "relu", 0.5, seed=10)
    params = params_away_from_kinks(objective.spec, batch, seed=11)
    before = params.copy()
    value_and_gradient(objective, params, batch._replace(sample_weight=weights))
    assert_allclose(params, before, rtol=0, atol=0)


def _dropout_masks(hidden_layer_sizes, rate, seed):
    """Return the masks a Dropout with a fresh generator of ``seed`` draws first."""
    masks = [np.empty((N_SAMPLES, n_units)) for n_units in hidden_layer_sizes]
    Dropout(rate, np.random.default_rng(seed)).draw_masks(masks)
    return masks


@pytest.mark.parametrize("rate", [0.25, 0.5])
@pytest.mark.parametrize("hidden_layer_sizes", [(5,), (5, 3)])
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_gradient_with_dropout_matches_finite_difference(
    activation, hidden_layer_sizes, rate
):
    """Check that the thinned network's gradient equals a central difference."""
    seed = 12
    objective, batch, sample_weight = _problem(
        "squared_error-3", hidden_layer_sizes, activation, alpha=0.3
    )
    batch = batch._replace(sample_weight=sample_weight)
    masks = _dropout_masks(hidden_layer_sizes, rate, seed)
    assert all((mask == 0).any() and (mask > 0).any() for mask in masks)
    params = params_away_from_kinks(objective.spec, batch, seed=13, masks=masks)

    def thinned():
        """Return an objective whose first call draws the same masks as above."""
        dropout = Dropout(rate, np.random.default_rng(seed))
        return Objective(objective.spec, N_SAMPLES, LIKE_PARAMS, dropout)

    # The masks really are applied: J differs from the full network's.
    value, _ = value_and_gradient(thinned(), params, batch)
    value_without_dropout, _ = value_and_gradient(objective, params, batch)
    assert value != pytest.approx(value_without_dropout)
    assert_gradient_matches(thinned, params, batch)


@pytest.mark.parametrize("hidden_layer_sizes", [(5,), (5, 3)])
@pytest.mark.parametrize("activation", ["relu", "gelu", "elu"])
def test_dropout_objective_is_the_thinned_network_by_hand(
    activation, hidden_layer_sizes
):
    """Check that J with dropout is the loss of the network with masked hidden units."""
    rate, seed, alpha = 0.4, 9, 0.2
    objective, batch, _ = _problem(
        "squared_error-3", hidden_layer_sizes, activation, alpha, seed=10
    )
    spec = objective.spec
    masks = _dropout_masks(hidden_layer_sizes, rate, seed)
    params = params_away_from_kinks(spec, batch, seed=11, masks=masks)
    dropout = Dropout(rate, np.random.default_rng(seed))
    value, _ = value_and_gradient(
        Objective(spec, N_SAMPLES, LIKE_PARAMS, dropout), params, batch
    )

    # Oracle: the forward pass in plain numpy with a_l * m_l fed to layer l + 1,
    # then 1/2 squared error summed over outputs, averaged, plus the L2 penalty.
    output = pre_activations(spec, params, batch.X, masks)[-1]
    coefs = params[: spec.layout.n_coefs]
    expected = 0.5 * ((output - batch.Y) ** 2).sum() / N_SAMPLES
    expected += 0.5 * alpha * (coefs @ coefs) / N_SAMPLES
    assert_allclose(value, expected, rtol=1e-12)


def test_dropout_masks_are_inverted_and_drop_at_the_rate():
    """Check that masks hold 0 or 1 / (1 - rate) and drop about a rate of units."""
    rate = 0.3
    masks = [np.empty((2000, 50))]
    Dropout(rate, np.random.default_rng(12)).draw_masks(masks)
    values = np.unique(masks[0])
    assert_allclose(values, [0.0, 1 / (1 - rate)], rtol=1e-15)
    # 100000 Bernoulli(0.3) draws: the standard error of the mean is 0.0015.
    assert abs((masks[0] == 0).mean() - rate) < 0.01
    # Inverted dropout keeps the expected activation: E[m] = 1.
    assert abs(masks[0].mean() - 1) < 0.02


@pytest.mark.parametrize("hidden_layer_sizes", [(5,), (5, 3)])
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_dropout_off_equals_no_dropout_exactly(activation, hidden_layer_sizes):
    """Check that rate-0 dropout and no dropout give bitwise equal J and gradient."""
    objective, batch, sample_weight = _problem(
        "log_loss", hidden_layer_sizes, activation, alpha=0.1, seed=14
    )
    batch = batch._replace(sample_weight=sample_weight)
    spec = objective.spec
    params = params_away_from_kinks(spec, batch, seed=15)
    plain = Objective(spec, N_SAMPLES, LIKE_PARAMS)
    explicit_none = Objective(spec, N_SAMPLES, LIKE_PARAMS, None)
    rate_zero = Objective(
        spec, N_SAMPLES, LIKE_PARAMS, Dropout(0.0, np.random.default_rng(16))
    )
    value, grads = value_and_gradient(plain, params, batch)
    for other in (explicit_none, rate_zero):
        other_value, other_grads = value_and_gradient(other, params, batch)
        assert other_value == value
        assert_array_equal(other_grads, grads)
