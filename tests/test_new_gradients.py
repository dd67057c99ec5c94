"""Finite-difference checks of the gradients of skmlp's own additions.

The activations beyond scikit-learn's four, the robust regression losses and
inverted dropout each add a derivative written by hand. Every test compares
``Objective.loss_and_gradients`` in float64 with a central difference of the
objective it returns, at points chosen away from the kinks of relu-like
activations and of the piecewise losses, so the difference never straddles one.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from plain_forward import pre_activations

from skmlp._activations import HIDDEN_ACTIVATIONS, SKLEARN_ACTIVATIONS
from skmlp._losses import LOSSES, regression_loss
from skmlp._network import ParameterLayout
from skmlp._objective import Batch, Dropout, Network, Objective

N_SAMPLES = 9
N_FEATURES = 3
N_OUTPUTS = 2
STEP = 1e-6
# The central difference is exact up to O(STEP**2) plus rounding of J / STEP.
RTOL, ATOL = 1e-6, 1e-8
# No pre-activation or residual lies closer than this to a kink, so a step of
# STEP never crosses one.
MARGIN = 1e-3

NEW_ACTIVATIONS = sorted(set(HIDDEN_ACTIVATIONS) - set(SKLEARN_ACTIVATIONS))
HIDDEN_LAYER_SIZES = [(4,), (4, 3)]
HUBER_DELTA = 0.7


def _data(seed, sample_weight=False):
    """Return a float64 regression Batch, with uniform sample weights if asked."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    Y = rng.normal(size=(N_SAMPLES, N_OUTPUTS))
    weights = rng.uniform(0.5, 2.0, N_SAMPLES) if sample_weight else None
    return Batch(X, Y, weights)


def _network(hidden_layer_sizes, activation, loss, alpha=0.1):
    layout = ParameterLayout((N_FEATURES, *hidden_layer_sizes, N_OUTPUTS))
    return Network(layout, HIDDEN_ACTIVATIONS[activation], loss, alpha)


def _params_away_from_kinks(network, batch, seed, kinks=(), masks=None):
    """Return N(0, 0.6^2) parameters with every z and residual MARGIN from a kink.

    Hidden pre-activations stay away from 0 (relu-like activations) and the
    output residuals a_L - y = z_L - y (identity output) away from ``kinks``.
    """
    rng = np.random.RandomState(seed)
    for _ in range(1000):
        params = rng.normal(scale=0.6, size=network.layout.size)
        *hidden, output = pre_activations(network, params, batch.X, masks)
        residuals = output - batch.Y
        if all(np.abs(z).min() > MARGIN for z in hidden) and all(
            np.abs(residuals - kink).min() > MARGIN for kink in kinks
        ):
            return params
    raise AssertionError("no parameters away from the kinks were found")


def _value_and_gradient(objective, params, batch):
    """Return J and its gradient; a NaN prefill exposes entries never written."""
    grads = np.full_like(params, np.nan)
    value = objective.loss_and_gradients(params, batch, grads)
    return value, grads


def _finite_difference(make_objective, params, batch):
    """Return the central difference of J, with a new objective for every call."""
    numeric = np.empty_like(params)
    for index in range(params.size):
        step = np.zeros_like(params)
        step[index] = STEP
        plus, _ = _value_and_gradient(make_objective(), params + step, batch)
        minus, _ = _value_and_gradient(make_objective(), params - step, batch)
        numeric[index] = (plus - minus) / (2 * STEP)
    return numeric


def _assert_gradient_matches(make_objective, params, batch):
    value, grads = _value_and_gradient(make_objective(), params, batch)
    numeric = _finite_difference(make_objective, params, batch)
    assert np.isfinite(value)
    assert np.isfinite(grads).all()
    assert_allclose(grads, numeric, rtol=RTOL, atol=ATOL)


def test_new_activations_are_registered():
    """Check that the five activations beyond scikit-learn's are all registered."""
    assert NEW_ACTIVATIONS == ["elu", "gelu", "leaky_relu", "silu", "softplus"]


@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("hidden_layer_sizes", HIDDEN_LAYER_SIZES)
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_activation_gradient_matches_finite_difference(
    activation, hidden_layer_sizes, use_weights
):
    """Check that backprop through each hidden activation matches finite differences."""
    network = _network(hidden_layer_sizes, activation, LOSSES["squared_error"])
    batch = _data(seed=0, sample_weight=use_weights)
    params = _params_away_from_kinks(network, batch, seed=1)
    # Half the pre-activations negative, so both branches of relu-like
    # activations (and elu's exponential part) are exercised.
    first_z = pre_activations(network, params, batch.X)[0]
    assert (first_z < 0).any() and (first_z > 0).any()

    # max_rows above the batch size, so the objective slices its buffers.
    _assert_gradient_matches(
        lambda: Objective(network, N_SAMPLES + 2, np.float64), params, batch
    )


ROBUST_LOSSES = {
    "absolute_error": (LOSSES["absolute_error"], (0.0,)),
    "huber": (
        regression_loss("huber", huber_delta=HUBER_DELTA),
        (-HUBER_DELTA, 0.0, HUBER_DELTA),
    ),
    "quantile-0.2": (regression_loss("quantile", quantile=0.2), (0.0,)),
    "quantile-0.85": (regression_loss("quantile", quantile=0.85), (0.0,)),
}


@pytest.mark.parametrize("use_weights", [False, True])
@pytest.mark.parametrize("hidden_layer_sizes", [(), *HIDDEN_LAYER_SIZES])
@pytest.mark.parametrize("activation", ["tanh", "gelu"])
@pytest.mark.parametrize("loss", sorted(ROBUST_LOSSES))
def test_robust_loss_gradient_matches_finite_difference(
    loss, activation, hidden_layer_sizes, use_weights
):
    """Check that the robust regression losses backprop as a central difference says."""
    loss_record, kinks = ROBUST_LOSSES[loss]
    network = _network(hidden_layer_sizes, activation, loss_record)
    batch = _data(seed=2, sample_weight=use_weights)
    params = _params_away_from_kinks(network, batch, seed=3, kinks=kinks)
    residuals = pre_activations(network, params, batch.X)[-1] - batch.Y
    # Both signs of the residual, so the asymmetric quantile slopes both count.
    assert (residuals < 0).any() and (residuals > 0).any()
    if loss == "huber":
        # The quadratic and the linear part of the Huber loss are both used.
        assert (np.abs(residuals) < HUBER_DELTA).any()
        assert (np.abs(residuals) > HUBER_DELTA).any()

    _assert_gradient_matches(
        lambda: Objective(network, N_SAMPLES, np.float64), params, batch
    )


def test_huber_gradient_with_a_small_delta_uses_the_linear_part():
    """Check the Huber gradient where most residuals lie beyond a small delta."""
    huber_delta = 0.05
    network = _network((4,), "softplus", regression_loss("huber", huber_delta))
    batch = _data(seed=4, sample_weight=True)
    kinks = (-huber_delta, 0.0, huber_delta)
    params = _params_away_from_kinks(network, batch, seed=5, kinks=kinks)
    residuals = pre_activations(network, params, batch.X)[-1] - batch.Y
    assert (np.abs(residuals) > huber_delta).mean() > 0.5
    _assert_gradient_matches(
        lambda: Objective(network, N_SAMPLES, np.float64), params, batch
    )


def _dropout_masks(hidden_layer_sizes, rate, seed):
    """Return the masks that a fresh Dropout(rate, default_rng(seed)) draws first."""
    masks = [np.empty((N_SAMPLES, n_units)) for n_units in hidden_layer_sizes]
    Dropout(rate, np.random.default_rng(seed)).draw_masks(masks)
    return masks


@pytest.mark.parametrize("rate", [0.25, 0.5])
@pytest.mark.parametrize("hidden_layer_sizes", HIDDEN_LAYER_SIZES)
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_dropout_gradient_matches_finite_difference(
    activation, hidden_layer_sizes, rate
):
    """Check the gradient with dropout on, every evaluation drawing the same masks."""
    seed = 7
    network = _network(hidden_layer_sizes, activation, LOSSES["squared_error"])
    batch = _data(seed=6, sample_weight=True)
    masks = _dropout_masks(hidden_layer_sizes, rate, seed)
    assert all((mask == 0).any() and (mask > 0).any() for mask in masks)
    params = _params_away_from_kinks(network, batch, seed=8, masks=masks)

    def thinned():
        dropout = Dropout(rate, np.random.default_rng(seed))
        return Objective(network, N_SAMPLES, np.float64, dropout)

    # The masks really are applied: J differs from the full network's.
    value, _ = _value_and_gradient(thinned(), params, batch)
    full, _ = _value_and_gradient(
        Objective(network, N_SAMPLES, np.float64), params, batch
    )
    assert value != pytest.approx(full)
    _assert_gradient_matches(thinned, params, batch)


@pytest.mark.parametrize("hidden_layer_sizes", HIDDEN_LAYER_SIZES)
@pytest.mark.parametrize("activation", ["relu", "gelu", "elu"])
def test_dropout_objective_is_the_thinned_network_by_hand(
    activation, hidden_layer_sizes
):
    """Check that J with dropout is the loss of the network with masked hidden units."""
    rate, seed, alpha = 0.4, 9, 0.2
    network = _network(hidden_layer_sizes, activation, LOSSES["squared_error"], alpha)
    batch = _data(seed=10)
    masks = _dropout_masks(hidden_layer_sizes, rate, seed)
    params = _params_away_from_kinks(network, batch, seed=11, masks=masks)
    dropout = Dropout(rate, np.random.default_rng(seed))
    value, _ = _value_and_gradient(
        Objective(network, N_SAMPLES, np.float64, dropout), params, batch
    )

    # Oracle: the forward pass in plain numpy with a_l * m_l fed to layer l + 1,
    # then 1/2 squared error summed over outputs, averaged, plus the L2 penalty.
    output = pre_activations(network, params, batch.X, masks)[-1]
    coefs = params[: network.layout.n_coefs]
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


@pytest.mark.parametrize("hidden_layer_sizes", HIDDEN_LAYER_SIZES)
@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_dropout_off_equals_no_dropout_exactly(activation, hidden_layer_sizes):
    """Check that rate-0 dropout and no dropout give bitwise equal J and gradient."""
    network = _network(hidden_layer_sizes, activation, LOSSES["squared_error"])
    batch = _data(seed=13, sample_weight=True)
    params = _params_away_from_kinks(network, batch, seed=14)
    plain = Objective(network, N_SAMPLES, np.float64)
    explicit_none = Objective(network, N_SAMPLES, np.float64, None)
    rate_zero = Objective(
        network, N_SAMPLES, np.float64, Dropout(0.0, np.random.default_rng(15))
    )
    value, grads = _value_and_gradient(plain, params, batch)
    for other in (explicit_none, rate_zero):
        other_value, other_grads = _value_and_gradient(other, params, batch)
        assert other_value == value
        assert_array_equal(other_grads, grads)
