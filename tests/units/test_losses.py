"""Tests of the loss values against scikit-learn's metrics."""

import numpy as np
import pytest
from gradient_check import MAX_TRIES, central_difference
from numpy.testing import assert_allclose
from scipy.special import softmax
from sklearn.metrics import (
    log_loss,
    mean_absolute_error,
    mean_pinball_loss,
    mean_poisson_deviance,
    mean_squared_error,
)

from skmlp._activations import OUTPUT_ACTIVATIONS
from skmlp._losses import LOSSES, regression_loss

N_SAMPLES = 9
HUBER_DELTA = 0.5
QUANTILE = 0.3

# Every loss record: the table, plus the parametrised regression losses.
ALL_LOSSES = {
    **LOSSES,
    "huber": regression_loss("huber", huber_delta=HUBER_DELTA),
    "quantile": regression_loss("quantile", quantile=QUANTILE),
}
# Residuals a - y where a loss is not twice differentiable.
KINKS = {
    "absolute_error": [0.0],
    "quantile": [0.0],
    "huber": [-HUBER_DELTA, HUBER_DELTA],
}


def _sample_weight(use_weights):
    """Return positive sample weights, or None."""
    if not use_weights:
        return None
    return np.random.RandomState(100).uniform(0.2, 3.0, size=N_SAMPLES)


@pytest.mark.parametrize("use_weights", [False, True])
def test_log_loss_matches_sklearn(use_weights):
    """Check that log_loss on one-hot Y equals sklearn.metrics.log_loss."""
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 4, size=N_SAMPLES)
    Y = np.eye(4)[labels]
    P = softmax(rng.normal(size=(N_SAMPLES, 4)), axis=1)
    sample_weight = _sample_weight(use_weights)
    expected = log_loss(labels, P, labels=range(4), sample_weight=sample_weight)
    value = LOSSES["log_loss"].value(Y, P, sample_weight)
    assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("use_weights", [False, True])
def test_binary_log_loss_matches_sklearn(use_weights):
    """Check that binary_log_loss on one 0/1 column equals sklearn's log_loss."""
    rng = np.random.RandomState(1)
    y = rng.randint(0, 2, size=N_SAMPLES)
    p = rng.uniform(0.05, 0.95, size=N_SAMPLES)
    sample_weight = _sample_weight(use_weights)
    expected = log_loss(y, p, sample_weight=sample_weight)
    value = LOSSES["binary_log_loss"].value(y[:, None], p[:, None], sample_weight)
    assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("use_weights", [False, True])
def test_binary_log_loss_multilabel_sums_columns(use_weights):
    """Check that multilabel binary_log_loss is the sum of per-column log losses."""
    rng = np.random.RandomState(2)
    Y = rng.randint(0, 2, size=(N_SAMPLES, 3))
    P = rng.uniform(0.05, 0.95, size=(N_SAMPLES, 3))
    sample_weight = _sample_weight(use_weights)
    expected = sum(
        log_loss(Y[:, k], P[:, k], labels=[0, 1], sample_weight=sample_weight)
        for k in range(3)
    )
    value = LOSSES["binary_log_loss"].value(Y, P, sample_weight)
    assert_allclose(value, expected, rtol=1e-12)


def test_log_losses_are_finite_at_saturated_probabilities():
    """Check that probabilities of exactly 0 and 1 give a finite, clipped loss."""
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    P = np.array([[0.0, 1.0], [0.0, 1.0]])
    eps = np.finfo(np.float64).eps
    # Row 1 puts probability 0 on its class: -log(eps) after clipping; row 2 is
    # right with certainty: -log(1 - eps) ~ eps.
    expected = -(np.log(eps) + np.log(1 - eps)) / 2
    assert_allclose(LOSSES["log_loss"].value(Y, P), expected, rtol=1e-12)
    binary = LOSSES["binary_log_loss"].value(Y, P)
    assert np.isfinite(binary)
    assert_allclose(binary, -(2 * np.log(eps) + 2 * np.log(1 - eps)) / 2, rtol=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("use_weights", [False, True])
def test_squared_error_is_half_mse_summed_over_outputs(n_outputs, use_weights):
    """Check that squared_error is 1/2 the per-output MSE summed over outputs."""
    rng = np.random.RandomState(3)
    Y = rng.normal(size=(N_SAMPLES, n_outputs))
    A = rng.normal(size=(N_SAMPLES, n_outputs))
    sample_weight = _sample_weight(use_weights)
    per_output = mean_squared_error(
        Y, A, sample_weight=sample_weight, multioutput="raw_values"
    )
    value = LOSSES["squared_error"].value(Y, A, sample_weight)
    assert_allclose(value, 0.5 * per_output.sum(), rtol=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("use_weights", [False, True])
def test_poisson_is_half_mean_poisson_deviance(n_outputs, use_weights):
    """Check that poisson is half sklearn's Poisson deviance, summed over outputs."""
    rng = np.random.RandomState(4)
    Y = rng.poisson(2.0, size=(N_SAMPLES, n_outputs)).astype(float)
    Y[0] = 0.0  # y = 0 exercises the y log(y / a) = 0 limit
    A = rng.uniform(0.3, 4.0, size=(N_SAMPLES, n_outputs))
    sample_weight = _sample_weight(use_weights)
    expected = sum(
        0.5 * mean_poisson_deviance(Y[:, k], A[:, k], sample_weight=sample_weight)
        for k in range(n_outputs)
    )
    value = LOSSES["poisson"].value(Y, A, sample_weight)
    assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("use_weights", [False, True])
def test_absolute_error_is_mae_summed_over_outputs(n_outputs, use_weights):
    """Check that absolute_error is sklearn's per-output MAE summed over outputs."""
    rng = np.random.RandomState(6)
    Y = rng.normal(size=(N_SAMPLES, n_outputs))
    A = rng.normal(size=(N_SAMPLES, n_outputs))
    sample_weight = _sample_weight(use_weights)
    per_output = mean_absolute_error(
        Y, A, sample_weight=sample_weight, multioutput="raw_values"
    )
    value = LOSSES["absolute_error"].value(Y, A, sample_weight)
    assert_allclose(value, per_output.sum(), rtol=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("use_weights", [False, True])
def test_quantile_is_pinball_loss_summed_over_outputs(n_outputs, use_weights):
    """Check that the quantile loss is sklearn's mean pinball loss per output."""
    rng = np.random.RandomState(7)
    Y = rng.normal(size=(N_SAMPLES, n_outputs))
    A = rng.normal(size=(N_SAMPLES, n_outputs))
    sample_weight = _sample_weight(use_weights)
    per_output = mean_pinball_loss(
        Y, A, alpha=QUANTILE, sample_weight=sample_weight, multioutput="raw_values"
    )
    value = ALL_LOSSES["quantile"].value(Y, A, sample_weight)
    assert_allclose(value, per_output.sum(), rtol=1e-12)


@pytest.mark.parametrize("use_weights", [False, True])
def test_huber_matches_formula(use_weights):
    """Check that Huber is r^2 / 2 within delta and delta (|r| - delta / 2) beyond."""
    rng = np.random.RandomState(8)
    Y = rng.normal(size=(N_SAMPLES, 2))
    A = rng.normal(size=(N_SAMPLES, 2))
    sample_weight = _sample_weight(use_weights)
    r = np.abs(Y - A)
    per_element = np.where(
        r <= HUBER_DELTA, r**2 / 2, HUBER_DELTA * (r - HUBER_DELTA / 2)
    )
    assert (r <= HUBER_DELTA).any() and (r > HUBER_DELTA).any()
    weights = np.ones(N_SAMPLES) if sample_weight is None else sample_weight
    expected = weights @ per_element.sum(axis=1) / weights.sum()
    value = ALL_LOSSES["huber"].value(Y, A, sample_weight)
    assert_allclose(value, expected, rtol=1e-12)


def _targets_and_pre_activations(name, rng):
    """Return (n_samples, 3) targets valid for loss ``name`` and a z_L for them.

    For losses with kinks, z_L keeps every residual 0.01 away from them.
    """
    Y = _targets(name, rng)
    for _ in range(MAX_TRIES):
        Z = rng.normal(scale=0.8, size=Y.shape)
        residuals = Z - Y  # the kinked losses all have an identity output
        if all(np.abs(residuals - kink).min() > 0.01 for kink in KINKS.get(name, [])):
            return Y, Z
    raise AssertionError(f"no z_L away from the kinks in {MAX_TRIES} draws")


def _targets(name, rng):
    """Return (n_samples, 3) targets valid for the loss ``name``."""
    if name == "log_loss":
        return np.eye(3)[rng.randint(0, 3, size=N_SAMPLES)]
    if name == "binary_log_loss":
        return rng.randint(0, 2, size=(N_SAMPLES, 3)).astype(float)
    if name == "poisson":
        return rng.poisson(1.5, size=(N_SAMPLES, 3)).astype(float)
    return rng.normal(size=(N_SAMPLES, 3))


@pytest.mark.parametrize("name", sorted(ALL_LOSSES))
@pytest.mark.parametrize("use_weights", [False, True])
def test_output_delta_is_gradient_with_respect_to_z(name, use_weights):
    """Check that output_delta * s / S is the numerical gradient of L(y, f(z))."""
    loss = ALL_LOSSES[name]
    output = OUTPUT_ACTIVATIONS[loss.output_activation]
    rng = np.random.RandomState(5)
    Y, Z = _targets_and_pre_activations(name, rng)
    sample_weight = _sample_weight(use_weights)

    def value_at(z):
        A = z.copy()
        output.function(A)
        return loss.value(Y, A, sample_weight)

    numeric = central_difference(value_at, Z)
    # output_delta is A - Y only under each loss's canonical output activation,
    # so a loss paired with the wrong output_activation fails here.
    A = Z.copy()
    output.function(A)
    delta = loss.output_delta(A, Y, out=np.empty_like(A))
    weights = np.ones(N_SAMPLES) if sample_weight is None else sample_weight
    analytic = delta * weights[:, None] / weights.sum()
    assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
